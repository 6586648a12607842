// Package benchkit holds what the load runs (cmd/bench-booking, cmd/bench-rush) share: a demo
// académie loaded into a throwaway database of the private cluster, whose households book from
// scratch, and a logged-in session for each of them.
package benchkit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/migrations"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

// Household is a demo household logged in: the cookie and CSRF token its requests carry.
type Household struct {
	Account      int64
	Cookie, CSRF string
	Children     []int64
}

// Demo is the demo académie loaded into a database, its households booking from scratch.
type Demo struct {
	Store *store.Store
	Seed  store.Seed
	// HealthKey seals the health notes; the run's database is thrown away, and the key with it.
	HealthKey store.HealthKey
}

// LoadDemo migrates db, loads the demo académie generated for today (a UTC midnight) and
// removes the demo's booking requests, so that every booking of the run allocates.
func LoadDemo(ctx context.Context, db *sqlx.DB, today time.Time) (Demo, error) {
	ms, err := store.ReadMigrations(migrations.FS)
	if err != nil {
		return Demo{}, err
	}
	if _, err := store.Migrate(ctx, db, ms); err != nil {
		return Demo{}, err
	}
	key, err := store.NewHealthKey()
	if err != nil {
		return Demo{}, err
	}
	keys, err := store.NewHealthKeyring(key)
	if err != nil {
		return Demo{}, err
	}
	st := store.New(db, store.WithHealthKeys(keys))
	seed, _ := demo.Generate(2021, today)
	if err := st.LoadSeed(ctx, seed); err != nil {
		return Demo{}, err
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM booking_request`); err != nil {
		return Demo{}, err
	}
	return Demo{Store: st, Seed: seed, HealthKey: key}, nil
}

// Sessions logs every demo household in, as a browser would, and keeps its cookie and token.
func Sessions(ctx context.Context, st *store.Store) ([]Household, error) {
	var rows []struct {
		Account  int64         `db:"account_id"`
		Children pq.Int64Array `db:"children"`
	}
	if err := st.DB().SelectContext(ctx, &rows, `
		SELECT h.account_id, array_agg(c.id ORDER BY c.id) AS children FROM household h JOIN child c ON c.household_id = h.id
		GROUP BY h.account_id ORDER BY h.account_id`); err != nil {
		return nil, err
	}
	policy := api.DefaultConfig().Session
	policy.Idle = 24 * time.Hour
	var out []Household
	for _, r := range rows {
		token, sess, err := st.CreateSession(ctx, r.Account, policy, "127.0.0.1", "bench")
		if err != nil {
			return nil, err
		}
		out = append(out, Household{Account: r.Account, Cookie: "__Host-session=" + token, CSRF: sess.CSRFToken, Children: r.Children})
	}
	return out, nil
}

// DropDatabase removes a run's database, whoever is still connected to it.
func DropDatabase(c *pgcluster.Cluster, name string) {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`)
}

// ScratchDatabase starts the private cluster under dataDir if it does not run, and creates a
// database named prefix and the time for one run. done drops the database, and stops the
// cluster if this call started it.
func ScratchDatabase(ctx context.Context, dataDir, prefix string) (c *pgcluster.Cluster, name string, done func(), err error) {
	c, err = pgcluster.Locate(dataDir, "postgres", pgcluster.Options{})
	if err != nil {
		return nil, "", nil, err
	}
	started, err := c.Start(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	stop := func() {
		if started {
			_ = c.Stop(context.Background())
		}
	}
	name = fmt.Sprintf("%s_%d", prefix, time.Now().Unix())
	if err := c.EnsureDatabase(ctx, name); err != nil {
		stop()
		return nil, "", nil, err
	}
	return c, name, func() { DropDatabase(c, name); stop() }, nil
}
