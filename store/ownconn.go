package store

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/jmoiron/sqlx"
)

// ownConn is a connection kept by one sequential user of the Store (the Booker), with its
// prepared statements, which PostgreSQL plans once (plan_cache_mode = force_generic_plan)
// rather than for every call. The booking batch's statements look every row up by key
// (LATERAL … OFFSET 0) whatever the batch, so one plan fits them all; planned afresh for each
// batch, the read alone cost 2.5 ms of planning, on the path every booking waits on. Those
// plans must also hold while tables grow by thousands of rows a minute, before autovacuum's
// ANALYZE has PostgreSQL plan them again: a plan made when idempotency_key was nearly empty
// would scan it whole for every key. Sequential scans are therefore off on this connection;
// every table its statements read has an index on what they look up.
type ownConn struct {
	*sqlx.Conn
	stmts map[string]*sqlx.Stmt
}

// The methods sqlx.Conn lacks to be a dbtx.

func (c *ownConn) DriverName() string { return "postgres" }

func (c *ownConn) BindNamed(query string, arg any) (string, []any, error) {
	return sqlx.BindNamed(sqlx.DOLLAR, query, arg)
}

func (c *ownConn) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	return sqlx.NamedExecContext(ctx, c, query, arg)
}

// stmt returns query prepared on the connection (nil if it cannot be: the caller then runs it
// unprepared, on the connection all the same).
func (c *ownConn) stmt(ctx context.Context, query string) *sqlx.Stmt {
	st, ok := c.stmts[query]
	if !ok {
		var err error
		if st, err = c.PreparexContext(ctx, query); err != nil {
			return nil
		}
		c.stmts[query] = st
	}
	return st
}

// withOwnConnection returns a copy of s whose statements run on a connection taken from the
// pool for it alone (see ownConn). Transactions still take theirs from the pool. Only one
// goroutine at a time may use the copy; closeOwnConnection gives the connection back.
func (s *Store) withOwnConnection(ctx context.Context) (*Store, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off`); err != nil {
		discard(conn) // the settings may have reached the server before the error
		return nil, err
	}
	own := *s
	own.q = &ownConn{Conn: conn, stmts: map[string]*sqlx.Stmt{}}
	return &own, nil
}

// closeOwnConnection closes the connection of a copy made by withOwnConnection, rather than
// give it back to the pool: its settings (enable_seqscan off) would go to whoever took it next.
func (s *Store) closeOwnConnection() {
	if c, ok := s.q.(*ownConn); ok {
		for _, st := range c.stmts {
			st.Close()
		}
		discard(c.Conn)
	}
}

// discard closes conn rather than give it back to the pool. A SET survives Close (lib/pq's
// session reset does not undo it), so a connection whose settings were changed never goes
// back: TestPooledConnectionsPlanAsFreshAfterBatches checks every pooled connection.
func discard(conn *sqlx.Conn) {
	// A connection "bad" to its last user is closed by database/sql, never pooled again.
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// keptConn holds a copy of a Store on a connection of its own (withOwnConnection) for one
// sequential user: taken at first use, given back after a failure so that the next use takes
// another.
type keptConn struct {
	st  *Store
	own *Store
}

// store returns the Store to use: on the kept connection, or st itself while none can be had.
func (k *keptConn) store(ctx context.Context) *Store {
	if k.own == nil {
		k.own, _ = k.st.withOwnConnection(ctx)
	}
	if k.own != nil {
		return k.own
	}
	return k.st
}

// release gives the connection back (after a failure: it may be broken; or when done with it).
func (k *keptConn) release() {
	if k.own != nil {
		k.own.closeOwnConnection()
		k.own = nil
	}
}
