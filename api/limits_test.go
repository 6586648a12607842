package api_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// limitedApp is the application behind our proxy (so that tests choose the client address
// with X-Forwarded-For) with limits set by tweak, over the two départements' seed.
func limitedApp(t *testing.T, tweak func(*api.Limits)) (*fiber.App, *store.Store) {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.TrustedProxies = []string{"0.0.0.0"}
	tweak(&cfg.Limits)
	app, st := newAppWith(t, cfg)
	seedTwoDepartements(t, st)
	return app, st
}

func seedTwoDepartements(t *testing.T, st *store.Store) {
	t.Helper()
	days := nextWeekdays(4)
	seed := twoDepartements(days[0])
	seed.OpenDays = days
	if err := st.LoadSeed(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
}

// from sends req as the client at address ip.
func (b *browser) from(ip string, req *http.Request) response {
	b.t.Helper()
	req.Header.Set("X-Forwarded-For", ip)
	return b.do(req)
}

func formRequest(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func jsonRequest(method, path, body, csrf string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	return req
}

// retryAfterAt is the Retry-After, in seconds, of a window of w at the tests' clock.
func retryAfterAt(w time.Duration) string {
	now := pgtest.Now()
	return strconv.Itoa(int(math.Ceil(now.Truncate(w).Add(w).Sub(now).Seconds())))
}

// wantLimited fails unless res is the shared limits' 429: Retry-After to the window's end and
// the French message, in a page or in JSON.
func wantLimited(t *testing.T, what string, res response, window time.Duration) {
	t.Helper()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%s: %d, want 429\n%s", what, res.StatusCode, res.body)
	}
	if got, want := res.Header.Get("Retry-After"), retryAfterAt(window); got != want {
		t.Errorf("%s: Retry-After %q, want %q", what, got, want)
	}
	if !strings.Contains(res.body, "Trop de demandes en peu de temps") {
		t.Errorf("%s: no French message\n%s", what, res.body)
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && !strings.Contains(res.body, `"message_en":"Too many requests`) {
		t.Errorf("%s: no English message in the JSON\n%s", what, res.body)
	}
}

// Each limited route group answers 429 with Retry-After once a client address used its
// requests, whatever the answers to them were; another address goes on.
func TestEachRouteGroupIsLimitedPerAddress(t *testing.T) {
	two := store.Rate{Max: 2, Window: time.Minute}
	cases := []struct {
		group string
		set   func(*api.Limits)
		login bool // as p1
		// send makes the i-th request of the group as b, from address ip.
		send func(b *browser, ip string, i int) response
	}{
		{"login", func(l *api.Limits) { l.Login.Address = two }, false, func(b *browser, ip string, i int) response {
			return b.from(ip, formRequest("/connexion", url.Values{"csrf": {b.csrf("/connexion")}, "email": {"p1@example.fr"}, "password": {"a wrong password"}}))
		}},
		{"signup", func(l *api.Limits) { l.Signup.Address = two }, false, func(b *browser, ip string, i int) response {
			return b.from(ip, formRequest("/inscription", url.Values{"csrf": {b.csrf("/inscription")}, "name": {"Camille Martin"},
				"email": {"camille" + strconv.Itoa(i) + "@example.fr"}, "password": {"trop court"}, "password2": {"trop court"}}))
		}},
		{"reset", func(l *api.Limits) { l.Reset.Address = two }, false, func(b *browser, ip string, i int) response {
			if i%2 == 0 {
				return b.from(ip, formRequest("/mot-de-passe-oublie", url.Values{"csrf": {b.csrf("/mot-de-passe-oublie")}, "email": {"p1@example.fr"}}))
			}
			return b.from(ip, formRequest("/reinitialiser", url.Values{"csrf": {b.csrf("/reinitialiser")}, "jeton": {"not a token"},
				"password": {"une toute nouvelle phrase"}, "password2": {"une toute nouvelle phrase"}}))
		}},
		{"booking", func(l *api.Limits) { l.Booking.Address = two }, true, func(b *browser, ip string, i int) response {
			if i%2 == 0 {
				return b.from(ip, formRequest("/reserver", url.Values{"csrf": {b.csrf("/reserver")}}))
			}
			return b.from(ip, jsonRequest(http.MethodPost, "/api/bookings", `{}`, b.csrf("/")))
		}},
		{"api", func(l *api.Limits) { l.API.Address = two }, true, func(b *browser, ip string, i int) response {
			return b.from(ip, jsonRequest(http.MethodGet, "/api/communes?q=Bes", "", ""))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.group, func(t *testing.T) {
			app, _ := limitedApp(t, tc.set)
			b := newBrowser(t, app)
			if tc.login {
				b.login("p1@example.fr", goodPassword)
			}
			const ip = "203.0.113.5"
			for i := range two.Max {
				if res := tc.send(b, ip, i); res.StatusCode == http.StatusTooManyRequests {
					t.Fatalf("request %d: 429 before the limit\n%s", i+1, res.body)
				}
			}
			wantLimited(t, tc.group, tc.send(b, ip, two.Max), time.Minute)
			if res := tc.send(b, "198.51.100.9", two.Max+1); res.StatusCode == http.StatusTooManyRequests {
				t.Errorf("another address: 429\n%s", res.body)
			}
		})
	}
}

// An account's limit holds whatever address its requests come from, and only for it.
func TestAccountLimitsFollowTheAccountAcrossAddresses(t *testing.T) {
	app, _ := limitedApp(t, func(l *api.Limits) {
		l.Booking.Account = store.Rate{Max: 2, Window: time.Minute}
		l.Signup.Account = store.Rate{Max: 2, Window: time.Hour}
	})
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	for i := range 2 {
		if res := b.from("203.0.113."+strconv.Itoa(i+1), jsonRequest(http.MethodPost, "/api/bookings", `{}`, b.csrf("/"))); res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("booking %d: 429 before the limit", i+1)
		}
	}
	wantLimited(t, "a third booking from a third address", b.from("203.0.113.3", jsonRequest(http.MethodPost, "/api/bookings", `{}`, b.csrf("/"))), time.Minute)
	other := newBrowser(t, app)
	other.login("p2@example.fr", goodPassword)
	if res := other.from("203.0.113.3", jsonRequest(http.MethodPost, "/api/bookings", `{}`, other.csrf("/"))); res.StatusCode == http.StatusTooManyRequests {
		t.Errorf("another account from the same address: 429")
	}

	// Sign-up counts the e-mail typed: each one sends an e-mail to that address.
	anon := newBrowser(t, app)
	signup := func(ip string) response {
		return anon.from(ip, formRequest("/inscription", url.Values{"csrf": {anon.csrf("/inscription")}, "name": {"Camille Martin"},
			"email": {"Camille@Example.fr"}, "password": {"une phrase de passe assez longue"}, "password2": {"une phrase de passe assez longue"}}))
	}
	for i := range 2 {
		if res := signup("198.51.100." + strconv.Itoa(i+1)); res.StatusCode != http.StatusOK {
			t.Fatalf("sign-up %d: %d", i+1, res.StatusCode)
		}
	}
	wantLimited(t, "a third sign-up of one e-mail from a third address", signup("198.51.100.3"), time.Hour)
}

// The login's account limit counts the (address, e-mail) pair: a third party hammering an
// account from elsewhere never refuses its owner.
func TestLoginLimitCannotBeInflictedFromElsewhere(t *testing.T) {
	app, _ := limitedApp(t, func(l *api.Limits) { l.Login.Account = store.Rate{Max: 2, Window: 5 * time.Minute} })
	guesser := newBrowser(t, app)
	guess := func() response {
		return guesser.from("203.0.113.66", formRequest("/connexion", url.Values{"csrf": {guesser.csrf("/connexion")},
			"email": {"p1@example.fr"}, "password": {"a wrong password"}}))
	}
	guess()
	guess()
	wantLimited(t, "the guesser's third try", guess(), 5*time.Minute)
	owner := newBrowser(t, app)
	if res := owner.from("198.51.100.20", formRequest("/connexion", url.Values{"csrf": {owner.csrf("/connexion")},
		"email": {"p1@example.fr"}, "password": {goodPassword}})); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the owner from another address: %d, want 303", res.StatusCode)
	}
}

// Two servers on one database, as two processes behind HAProxy, share an address's limit once
// each has synced.
func TestTwoServersShareALimit(t *testing.T) {
	var now atomic.Int64 // read by the background syncs while the test moves it
	now.Store(pgtest.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	db := pgtest.NewDB(t)
	cfg := api.DefaultConfig()
	cfg.TrustedProxies = []string{"0.0.0.0"}
	cfg.Limits.API.Address = store.Rate{Max: 3, Window: time.Hour}
	var apps [2]*fiber.App
	for i := range apps {
		app, err := api.New(cfg, store.New(db).WithClock(clock), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = app
	}
	a, b := newBrowser(t, apps[0]), newBrowser(t, apps[1])
	get := func(br *browser) response {
		return br.from("203.0.113.5", jsonRequest(http.MethodGet, "/api/communes?q=Bes", "", ""))
	}
	sharedHits := func(want int) {
		t.Helper()
		for { // the syncs run in the background: poll until the table holds them
			var hits int
			if err := db.Get(&hits, `SELECT COALESCE(sum(hits), 0) FROM rate_window`); err != nil {
				t.Fatal(err)
			}
			if hits == want {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	get(a)
	get(a)
	now.Add(int64(cfg.Limits.Sync))
	get(a) // admitted, and a's sync is due: it sends its 3
	sharedHits(3)
	if res := get(b); res.StatusCode == http.StatusTooManyRequests { // b has not synced yet
		t.Fatalf("b refused before it learnt the total: %s", res.body)
	}
	sharedHits(4) // b's sync sent its one and read back 4
	// The table holds b's hit a moment before b reads the total back into its memory, so b may
	// still admit one more request. Two admitted by b alone stay under the limit of 3: a refusal
	// then can only come from the shared total.
	for admitted := 0; ; admitted++ {
		res := get(b)
		if res.StatusCode == http.StatusTooManyRequests {
			if res.Header.Get("Retry-After") == "" {
				t.Error("b's refusal has no Retry-After")
			}
			break
		}
		if admitted == 1 {
			t.Fatalf("b after its sync: %d twice, want 429 with Retry-After", res.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res := get(a); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a: %d, want 429", res.StatusCode)
	}
}
