// Package pgtest gives each test a fresh, migrated PostgreSQL database: a copy of a template
// database migrated once per schema version, on TEST_DATABASE_URL's server or, without it, on the
// checkout's private test cluster (started if needed, left running for the next package).
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/migrations"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

// ClusterName is the folder of the test cluster under DATA_DIR (default .data at the module root).
const ClusterName = "postgres-test"

var (
	setupOnce sync.Once
	serverURL string // URL of the maintenance database, with the database name to replace
	template  string
	setupErr  error
)

// NewDB returns a connection pool to a new database, migrated, dropped when the test ends.
func NewDB(t testing.TB) *sqlx.DB {
	t.Helper()
	name := newDatabase(t, func() string { return template })
	db, err := sqlx.Open("postgres", withDatabase(serverURL, name))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(40)
	t.Cleanup(func() { db.Close() })
	return db
}

// newDatabase creates a database copied from the database from() names (read once the test
// server is set up), dropped when the test ends (after the test's own cleanups, which close its
// pools), and returns its name.
func newDatabase(t testing.TB, from func() string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	setupOnce.Do(func() { setupErr = setup(context.Background()) })
	if setupErr != nil {
		t.Fatalf("test database: %v", setupErr)
	}
	name := randomName("t_")
	if err := adminExec(`CREATE DATABASE ` + pq.QuoteIdentifier(name) + ` TEMPLATE ` + pq.QuoteIdentifier(from())); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return name
}

// randomName is prefix and 12 random lower-case letters and digits, a valid identifier.
func randomName(prefix string) string {
	name := prefix + strings.ToLower(store.RandomToken()[:12])
	return strings.NewReplacer("-", "x", "_", "y").Replace(name)
}

// adminExec runs one statement on the test server's maintenance database.
func adminExec(query string) error {
	admin, err := sql.Open("postgres", withDatabase(serverURL, "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(context.Background(), query)
	return err
}

// filled is a database filled once per test binary, that URLFrom copies.
type filled struct {
	once sync.Once
	name string
	err  error
}

var (
	filledMu sync.Mutex
	filledBy = map[string]*filled{}
)

// URLFrom returns the connection string of a new database, dropped when the test ends, copied
// from a migrated database that fill filled: fill runs once per test binary and key, and must
// close every connection it opened before it returns. Copying a database takes a fraction of
// what filling it may take (loading the demo académie: about 4 s). DropFilled drops the filled
// databases once the binary's tests are done.
func URLFrom(t testing.TB, key string, fill func(url string) error) string {
	t.Helper()
	filledMu.Lock()
	f := filledBy[key]
	if f == nil {
		f = &filled{}
		filledBy[key] = f
	}
	filledMu.Unlock()
	// A database of the test server to fill, that outlives the test that asked first.
	name := newDatabase(t, func() string {
		f.once.Do(func() {
			f.name = randomName("f_")
			if f.err = adminExec(`CREATE DATABASE ` + pq.QuoteIdentifier(f.name) + ` TEMPLATE ` + pq.QuoteIdentifier(template)); f.err != nil {
				return
			}
			f.err = fill(withDatabase(serverURL, f.name))
		})
		if f.err != nil {
			t.Fatalf("filling the database to copy (%s): %v", key, f.err)
		}
		return f.name
	})
	return withDatabase(serverURL, name)
}

// DropFilled drops the databases URLFrom filled, for TestMain to call once the tests are done.
func DropFilled() {
	filledMu.Lock()
	defer filledMu.Unlock()
	for key, f := range filledBy {
		if f.name != "" {
			_ = adminExec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(f.name) + ` WITH (FORCE)`)
		}
		delete(filledBy, key)
	}
}

// NewStore is NewDB wrapped in a store whose clock is the tests' (Now) and whose health notes
// are sealed with HealthKey.
func NewStore(t testing.TB) *store.Store {
	return store.New(NewDB(t), store.WithHealthKeys(HealthKeys(t))).WithClock(Now)
}

// HealthKey is the tests' key for health notes: fixed, so that a test can open a second store
// on the same database, and never a production key.
var HealthKey = store.HealthKey(sha256.Sum256([]byte("accueil prioritaire: health notes of the tests only")))

// HealthKeys is a keyring holding HealthKey alone.
func HealthKeys(t testing.TB) *store.HealthKeyring {
	t.Helper()
	k, err := store.NewHealthKeyring(HealthKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// URL returns the connection string of a new test database (for code that opens its own pool,
// such as the binary's tests).
func URL(t testing.TB) string {
	t.Helper()
	name := newDatabase(t, func() string { return template }) // sets serverURL up first
	return withDatabase(serverURL, name)
}

func setup(ctx context.Context) error {
	serverURL = os.Getenv("TEST_DATABASE_URL")
	if serverURL == "" {
		dataDir := os.Getenv("DATA_DIR")
		if dataDir == "" {
			root, err := moduleRoot()
			if err != nil {
				return err
			}
			dataDir = filepath.Join(root, ".data")
		}
		c, err := pgcluster.Locate(dataDir, ClusterName, pgcluster.Options{Throwaway: true})
		if err != nil {
			return err
		}
		if _, err := c.Start(ctx); err != nil {
			return err
		}
		serverURL = c.URL("postgres")
	}
	ms, err := store.ReadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s\n%s\n", m.Version, m.Name, m.SQL)
	}
	template = "tmpl_" + hex.EncodeToString(h.Sum(nil)[:8])
	return ensureTemplate(ctx, ms)
}

// ensureTemplate builds the template database once per schema version; concurrent test binaries
// wait on an advisory lock.
func ensureTemplate(ctx context.Context, ms []store.Migration) error {
	admin, err := sqlx.Open("postgres", withDatabase(serverURL, "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7310002027)`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7310002027)`)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, template); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := template + "_building"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(building)+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(building)); err != nil {
		return err
	}
	db, err := sqlx.Open("postgres", withDatabase(serverURL, building))
	if err != nil {
		return err
	}
	_, merr := store.Migrate(ctx, db, ms)
	db.Close()
	if merr != nil {
		return fmt.Errorf("migrating the template: %w", merr)
	}
	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(building)+` RENAME TO `+pq.QuoteIdentifier(template))
	return err
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + name
	return u.String()
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's folder: set DATA_DIR or TEST_DATABASE_URL")
		}
		dir = parent
	}
}
