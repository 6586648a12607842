package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// newApp returns the application over a fresh database.
func newApp(t *testing.T) (*fiber.App, *store.Store) {
	t.Helper()
	return newAppWith(t, api.DefaultConfig())
}

func newAppWith(t *testing.T, cfg api.Config) (*fiber.App, *store.Store) {
	t.Helper()
	return newAppAt(t, cfg, pgtest.Now())
}

// newAppAt is the application with its clock standing at now.
func newAppAt(t *testing.T, cfg api.Config, now time.Time) (*fiber.App, *store.Store) {
	t.Helper()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	app, err := api.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return app, st
}

// browser keeps cookies between requests to the app, like a browser on one site.
type browser struct {
	t       *testing.T
	app     *fiber.App
	cookies map[string]string
}

func newBrowser(t *testing.T, app *fiber.App) *browser {
	return &browser{t: t, app: app, cookies: map[string]string{}}
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return response{res, string(body)}
}

func (b *browser) get(path string) response {
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (b *browser) post(path string, form url.Values) response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the form on page path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(b.get(path).body)
	if m == nil {
		b.t.Fatalf("no CSRF field on %s", path)
	}
	return m[1]
}

// login logs in through the form and fails the test unless it works.
func (b *browser) login(email, password string) {
	b.t.Helper()
	res := b.post("/connexion", url.Values{"csrf": {b.csrf("/connexion")}, "email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s: status %d\n%s", email, res.StatusCode, res.body)
	}
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found", pattern)
	}
	return m[1]
}
