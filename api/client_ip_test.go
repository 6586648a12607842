package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// lockedBuffer is a log sink the server's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// A proxy keeps its connections to us open and sends the requests of many clients down each:
// every request must be put down to its own client, not to the one before it on the connection.
func TestEachRequestOfAProxyConnectionHasItsOwnClient(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.TrustedProxies = []string{"127.0.0.1"}
	var logs lockedBuffer
	app, err := api.New(cfg, pgtest.NewStore(t), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.Shutdown() })
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for _, xff := range []string{"203.0.113.1", "203.0.113.2", ""} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/livez", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body) // so that the connection is used again
		res.Body.Close()
	}
	_ = app.Shutdown()
	var ips []string
	dec := json.NewDecoder(bytes.NewReader(logs.Bytes()))
	for dec.More() {
		var line struct{ Msg, IP string }
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		if line.Msg == "request" {
			ips = append(ips, line.IP)
		}
	}
	want := []string{"203.0.113.1", "203.0.113.2", "127.0.0.1"}
	if len(ips) != len(want) {
		t.Fatalf("logged addresses %v, want %v", ips, want)
	}
	for i := range want {
		if ips[i] != want[i] {
			t.Errorf("request %d put down to %s, want %s", i+1, ips[i], want[i])
		}
	}
}
