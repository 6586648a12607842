package pgcluster

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/lib/pq"
)

// TestClusterLifecycle starts a cluster in a fresh folder, uses it, stops it and starts it again
// with its data kept: the path `make run` takes on a fresh clone and on the next run.
func TestClusterLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// t.TempDir is private to root; the server's user must reach it.
		if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Locate(dir, "pg", Options{Throwaway: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	started, err := c.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	if !started {
		t.Fatal("a fresh cluster should have been started by this call")
	}
	if again, err := c.Start(ctx); err != nil || again {
		t.Fatalf("second Start = %v, %v; want reuse of the running cluster", again, err)
	}
	if err := c.EnsureDatabase(ctx, "lifecycle"); err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		db, err := sql.Open("postgres", c.URL("lifecycle"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)`)
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if started, err := c.Start(ctx); err != nil || !started {
		t.Fatalf("restart = %v, %v", started, err)
	}
	db, err := sql.Open("postgres", c.URL("lifecycle"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v); err != nil || v != 42 {
		t.Fatalf("data after restart: %v, %v", v, err)
	}
	// No TCP listener unless asked for.
	var listen string
	if err := db.QueryRowContext(ctx, `SHOW listen_addresses`).Scan(&listen); err != nil || listen != "" {
		t.Fatalf("listen_addresses = %q, %v; want none", listen, err)
	}
}

func TestReachableRefusesPrivateFolders(t *testing.T) {
	dir := t.TempDir()
	private := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(private, "checkout"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(dir), dir, filepath.Join(private, "checkout")} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if reachable(filepath.Join(private, "checkout"), 65534) {
		t.Error("a folder under a mode-700 folder owned by someone else must not count as reachable")
	}
	if err := os.Chmod(private, 0o755); err != nil {
		t.Fatal(err)
	}
	// The test's temp folder and its parents are world-traversable on these machines.
	if !reachable(filepath.Join(private, "checkout"), 65534) {
		t.Error("mode-755 folders should count as reachable")
	}
}
