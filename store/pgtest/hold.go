package pgtest

import (
	"runtime"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Hold is a table locked by a test, as on a database slowed down: every statement that reads
// it waits until Release.
type Hold struct {
	t  testing.TB
	db *sqlx.DB
	tx *sqlx.Tx
}

// HoldTable locks table of db (ACCESS EXCLUSIVE) until Release, or the end of the test.
func HoldTable(t testing.TB, db *sqlx.DB, table string) *Hold {
	t.Helper()
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE ` + pq.QuoteIdentifier(table) + ` IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	h := &Hold{t: t, db: db, tx: tx}
	t.Cleanup(h.Release)
	return h
}

// Waited returns once a statement of the test's database waits on a lock.
func (h *Hold) Waited() {
	h.t.Helper()
	for {
		var n int
		if err := h.db.Get(&n, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			h.t.Fatal(err)
		}
		if n > 0 {
			return
		}
		runtime.Gosched()
	}
}

// Release lets the statements waiting on the table go on. Releasing again does nothing.
func (h *Hold) Release() { _ = h.tx.Rollback() }
