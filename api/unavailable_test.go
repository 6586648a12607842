package api_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// forwarder passes TCP connections on to PostgreSQL until it is cut, like a network in between.
type forwarder struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	cutOff bool
}

func forwardTo(t *testing.T, network, addr string) *forwarder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{ln: ln}
	t.Cleanup(f.cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial(network, addr)
			if err != nil {
				c.Close()
				continue
			}
			f.mu.Lock()
			if f.cutOff { // accepted just before the cut: it must not outlive it
				f.mu.Unlock()
				c.Close()
				up.Close()
				continue
			}
			f.conns = append(f.conns, c, up)
			f.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return f
}

// cut closes the listener and every connection: the database is out of reach.
func (f *forwarder) cut() {
	f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cutOff = true
	for _, c := range f.conns {
		c.Close()
	}
}

// With the database out of reach, a request that needs it is refused with 503 and Retry-After,
// never a 500, and never a hang: the client knows to come back.
func TestDatabaseOutOfReachAnswers503(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	network, addr := "tcp", u.Host
	if host := u.Query().Get("host"); strings.HasPrefix(host, "/") {
		network, addr = "unix", host+"/.s.PGSQL.5432"
	}
	f := forwardTo(t, network, addr)
	q := u.Query()
	q.Del("host")
	u.RawQuery, u.Host = q.Encode(), f.ln.Addr().String()
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := store.New(db, store.WithHealthKeys(pgtest.HealthKeys(t))).WithClock(pgtest.Now)
	if err := st.LoadSeed(context.Background(), twoDepartements(nextWeekdays(1)[0])); err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	cfg.RequestTimeout = time.Minute // the answer must come from the refused connection, not a deadline
	app, err := api.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	f.cut()
	for _, path := range []string{"/reservations", "/foyer"} {
		res := b.get(path)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "5" || !strings.Contains(res.body, "momentanément indisponible") {
			t.Errorf("%s with the database out of reach: %d, Retry-After %q\n%.300s", path, res.StatusCode, res.Header.Get("Retry-After"), res.body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "/api/communes?q=bes", nil)
	req.Header.Set("Accept", "application/json")
	if res := b.do(req); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.body, `"status":503`) {
		t.Errorf("API with the database out of reach: %d %.300s", res.StatusCode, res.body)
	}
}
