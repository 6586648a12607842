package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// Shut down, the service leaves no connection open on its database: the queues' kept
// connections are given back before the database closes.
func TestServeShutsDownLeavingNoConnection(t *testing.T) {
	dbURL := pgtest.URL(t)
	// The service's connections, told from the test's own by their name.
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", "accueil-shutdown-test")
	u.RawQuery = q.Encode()
	env := map[string]string{"DATABASE_URL": u.String(), "DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, pgtest.Now, nil, out, &syncBuffer{})
	}()
	addr := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	var base string
	for base == "" {
		base = addr.FindString(out.String())
		runtime.Gosched()
	}
	// A cookie of no session: its read takes the session loader's connection.
	req, err := http.NewRequest(http.MethodGet, base+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", "__Host-session=nobody")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A backend ends a moment after its client closed the connection.
	for {
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'accueil-shutdown-test'`); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		runtime.Gosched()
	}
}
