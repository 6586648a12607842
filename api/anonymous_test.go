package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"testing"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// A flood of visitors who are not logged in must not take the connections bookings need: the
// landing page, the login and sign-up forms, the privacy notice and the static files answer with
// the database gone.
func TestAnonymousPagesNeedNoDatabase(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db, store.WithHealthKeys(pgtest.HealthKeys(t))).WithClock(pgtest.Now)
	app, err := api.New(api.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
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
