package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// HAProxy spares a request its per-address limit only when the session cookie carries the MAC
// of the session key (deploy/haproxy.cfg, store/session_token.go): one address's requests with a
// made-up cookie are refused past the limit like those with none, while a signed cookie's pass.
func TestHAProxyBelievesOnlySignedSessions(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Fatal("haproxy is missing: make test installs it")
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	listen, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("a session key of thirty-two bytes, for this test")
	cfg, _ := filepath.Abs("../../deploy/haproxy.cfg")
	cmd := exec.Command("haproxy", "-db", "-f", cfg)
	serve := strings.TrimPrefix(backend.URL, "http://")
	cmd.Env = append(os.Environ(), "ACCUEIL_LISTEN="+listen, "ACCUEIL_SERVE1="+serve, "ACCUEIL_SERVE2="+serve,
		"ACCUEIL_503="+filepath.Join(filepath.Dir(cfg), "haproxy-503.http"), "ACCUEIL_SESSION_KEY="+base64.StdEncoding.EncodeToString(key))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := "http://" + listen
	if err := waitReady(t.Context(), base+"/livez", 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}

	random := strings.Repeat("A", 43)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(random))
	signed := random + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
	forged := random + "." + strings.Repeat("B", 22)
	client := &http.Client{Timeout: 30 * time.Second}
	// statuses sends n requests with the cookie and counts the answers by status.
	statuses := func(cookie string, n int) map[int]int {
		got := map[int]int{}
		for range n {
			req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
			req.Header.Set("Cookie", cookie)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			got[res.StatusCode]++
			if res.StatusCode != http.StatusOK {
				break
			}
		}
		return got
	}
	// The edge lets 3,000 requests without a session through in 10 s.
	const past = 3100
	if got := statuses("__Host-session="+signed, past); got[http.StatusOK] != past {
		t.Errorf("signed cookie: %v, want %d answered", got, past)
	}
	if got := statuses("session="+signed, past); got[http.StatusOK] != past {
		t.Errorf("signed cookie (plain name): %v, want %d answered", got, past)
	}
	if got := statuses("__Host-session="+forged, past); got[http.StatusTooManyRequests] != 1 {
		t.Errorf("made-up cookie: %v, want the limit's 429 after 3,000", got)
	}
}
