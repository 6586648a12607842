package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
)

// loginVia posts the login form with an X-Forwarded-For header (none when xff is empty).
func (b *browser) loginVia(xff, email, password string) response {
	b.t.Helper()
	form := url.Values{"csrf": {b.csrf("/connexion")}, "email": {email}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return b.do(req)
}

// behindProxy is the application behind a reverse proxy of ours: in app.Test every request
// comes from 0.0.0.0, which is then the proxy.
func behindProxy(t *testing.T) (*browser, *store.Store) {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.TrustedProxies = []string{"0.0.0.0"}
	app, st := newAppWith(t, cfg)
	return newBrowser(t, app), st
}

// Hole 4: guesses from one network used to lock the owner out from everywhere, and a completed
// reset did not lift it. Now they slow down that network's tries for that address only.
func TestGuessesElsewhereNeverLockTheOwnerOut(t *testing.T) {
	b, st := behindProxy(t)
	createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
	const guesser, owner = "203.0.113.9", "198.51.100.20"
	for i := range store.LoginFreeFailures {
		if res := b.loginVia(guesser, "parent@example.fr", fmt.Sprintf("guess number %d", i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
	}
	if res := b.loginVia(guesser, "parent@example.fr", goodPassword); res.StatusCode != http.StatusTooManyRequests ||
		!strings.Contains(res.body, "Trop de tentatives") || res.Header.Get("Retry-After") != "1" {
		t.Errorf("the right password from the guesser's network: %d, Retry-After %q, want 429 and 1", res.StatusCode, res.Header.Get("Retry-After"))
	}
	ownerBrowser := newBrowser(t, b.app)
	if res := ownerBrowser.loginVia(owner, "parent@example.fr", goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner from another network: %d, want 303\n%s", res.StatusCode, res.body)
	}

	// A completed reset lifts the refusal, even from the guesser's network.
	other := newBrowser(t, b.app)
	if res := other.post("/mot-de-passe-oublie", url.Values{"csrf": {other.csrf("/mot-de-passe-oublie")}, "email": {"parent@example.fr"}}); res.StatusCode != 200 {
		t.Fatalf("forgot: %d", res.StatusCode)
	}
	link := lastLink(t, st, "parent@example.fr")
	const newPassword = "une toute nouvelle phrase"
	if res := other.post("/reinitialiser", url.Values{"csrf": {other.csrf(link)}, "jeton": {strings.TrimPrefix(link, "/reinitialiser?jeton=")},
		"password": {newPassword}, "password2": {newPassword}}); res.StatusCode != 200 {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res := newBrowser(t, b.app).loginVia(guesser, "parent@example.fr", newPassword); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after a completed reset: %d, want 303", res.StatusCode)
	}
}

// The client address is the peer's unless the peer is our proxy; behind the proxy, what the
// client wrote left of the proxy's entry changes nothing.
func TestSpoofedForwardedForDoesNotChangeTheKey(t *testing.T) {
	t.Run("untrusted peer", func(t *testing.T) {
		app, st := newApp(t) // no trusted proxy: the header is nobody's word
		createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
		b := newBrowser(t, app)
		for i := range store.LoginFreeFailures {
			b.loginVia(fmt.Sprintf("198.51.100.%d", i+1), "parent@example.fr", fmt.Sprintf("guess number %d", i))
		}
		if res := b.loginVia("198.51.100.200", "parent@example.fr", goodPassword); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a fresh X-Forwarded-For from an untrusted peer escaped the count: %d, want 429", res.StatusCode)
		}
	})
	t.Run("trusted proxy", func(t *testing.T) {
		b, st := behindProxy(t)
		createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
		const client = "203.0.113.9"
		for i := range store.LoginFreeFailures {
			// The client wrote the left part; the proxy appended what it saw.
			b.loginVia(fmt.Sprintf("198.51.100.%d, %s", i+1, client), "parent@example.fr", fmt.Sprintf("guess number %d", i))
		}
		if res := b.loginVia("198.51.100.200, "+client, "parent@example.fr", goodPassword); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a client-written X-Forwarded-For entry escaped the count: %d, want 429", res.StatusCode)
		}
		if res := b.loginVia("not an address", "parent@example.fr", "guess again"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a malformed X-Forwarded-For: %d, want 401", res.StatusCode)
		}
	})
}
