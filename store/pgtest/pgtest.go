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
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	setupOnce.Do(func() { setupErr = setup(context.Background()) })
	if setupErr != nil {
		t.Fatalf("test database: %v", setupErr)
	}
	ctx := context.Background()
	name := "t_" + strings.ToLower(store.RandomToken()[:12])
	name = strings.NewReplacer("-", "x", "_", "y").Replace(name)
	admin, err := sql.Open("postgres", withDatabase(serverURL, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)+` TEMPLATE `+pq.QuoteIdentifier(template)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	db, err := sqlx.Open("postgres", withDatabase(serverURL, name))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(40)
	t.Cleanup(func() {
		db.Close()
		admin, err := sql.Open("postgres", withDatabase(serverURL, "postgres"))
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return db
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
	db := NewDB(t)
	var name string
	if err := db.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
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
