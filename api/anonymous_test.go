package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// A flood of visitors who are not logged in must not take the connections bookings need: the
// landing page, the login and sign-up forms, the privacy notice and the static files answer with
// the database gone.
func TestAnonymousPagesNeedNoDatabase(t *testing.T) {
	app, db := newQuietApp(t)
	b := newBrowser(t, app)
	landing := b.get("/")
	css := regexp.MustCompile(`href="(/[^"]+/app\.css)"`).FindStringSubmatch(landing.body)
	if css == nil {
		t.Fatalf("no stylesheet on the landing page:\n%s", landing.body)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if res := b.get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d (the test would prove nothing)", res.StatusCode)
	}
	for _, path := range []string{"/", "/connexion", "/inscription", "/mot-de-passe-oublie", "/donnees-personnelles", "/livez", css[1]} {
		if res := b.get(path); res.StatusCode != http.StatusOK {
			t.Errorf("%s with the database closed: %d", path, res.StatusCode)
		}
	}
}

// The landing page and the login form are rendered once per language and shared by every
// anonymous visitor, each with a CSRF token of their own that their cookie matches; a query
// or a session gets the page rendered for the request.
func TestSharedPagesCarryEachVisitorsToken(t *testing.T) {
	app, _ := newQuietApp(t)
	tokenOf := func(b *browser, res response) string {
		t.Helper()
		m := csrfField.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no CSRF field:\n%s", res.body)
		}
		for name, v := range b.cookies {
			if strings.HasSuffix(name, "csrf") && v == m[1] {
				return m[1]
			}
		}
		t.Fatalf("the form's token %q is in no cookie of %v", m[1], b.cookies)
		return ""
	}
	a, b := newBrowser(t, app), newBrowser(t, app)
	pageA, pageB := a.get("/connexion"), b.get("/connexion")
	tokA, tokB := tokenOf(a, pageA), tokenOf(b, pageB)
	if tokA == tokB {
		t.Fatalf("two visitors got one token, %q", tokA)
	}
	if strings.ReplaceAll(pageA.body, tokA, "T") != strings.ReplaceAll(pageB.body, tokB, "T") {
		t.Error("the login form differs between two visitors beyond their tokens")
	}
	if again := a.get("/connexion"); tokenOf(a, again) != tokA {
		t.Error("a visitor's token changed from one page to the next")
	}

	en := httptest.NewRequest(http.MethodGet, "/connexion", nil)
	en.Header.Set("Accept-Language", "en")
	if res := newBrowser(t, app).do(en); !strings.Contains(res.body, `lang="en"`) || strings.Contains(res.body, "Mot de passe") {
		t.Errorf("an English visitor got the French form:\n%s", res.body)
	}
	if res := newBrowser(t, app).get("/connexion"); !strings.Contains(res.body, "Mot de passe") {
		t.Errorf("a French visitor after an English one got:\n%s", res.body)
	}
	if res := newBrowser(t, app).get("/connexion?expiree=1"); !strings.Contains(res.body, "fr-alert--info") {
		t.Errorf("the login form asked with ?expiree=1 lost its notice:\n%s", res.body)
	}
	landing := newBrowser(t, app)
	if res := landing.get("/"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "/inscription") || strings.Contains(res.body, csrfMarkerPrefix) {
		t.Errorf("landing page: %d\n%s", res.StatusCode, res.body)
	}
	if len(landing.cookies) != 0 {
		t.Errorf("the landing page, which has no form, set cookies %v", landing.cookies)
	}
}

// csrfMarkerPrefix is the start of what stands for the token while a shared page is
// rendered: it must never reach a visitor.
const csrfMarkerPrefix = "SharedPageCsrfMarker"

// newQuietApp is the service with the default configuration on a fresh database, its log
// discarded, and the database, which a test may close.
func newQuietApp(t *testing.T) (*fiber.App, *sqlx.DB) {
	t.Helper()
	db := pgtest.NewDB(t)
	st := store.New(db, store.WithHealthKeys(pgtest.HealthKeys(t))).WithClock(pgtest.Now)
	app, err := api.New(api.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return app, db
}
