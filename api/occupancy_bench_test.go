package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// BenchmarkOverview measures, on the demo académie with its week allocated, the rectorat's
// occupancy page and the map's data (server time, through the whole middleware stack).
func BenchmarkOverview(b *testing.B) {
	app, _, seed, token := demoAsRectorat(b)
	day := url.QueryEscape(seed.OpenDays[1].Format(time.DateOnly))
	for _, path := range []string{"/occupation?jour=" + day, "/occupation/semaine?", "/api/carte?jour=" + day, "/api/occupation?jour=" + day} {
		b.Run(path[:strings.Index(path, "?")], func(b *testing.B) {
			benchGet(b, app, token, path)
		})
	}
}

// demoAsRectorat loads the demo académie, allocates its first five open days and opens a
// rectorat session on a new app: what the page benchmarks measure.
func demoAsRectorat(b *testing.B) (*fiber.App, *store.Store, store.Seed, string) {
	today := pgtest.Today()
	seed, _ := demo.Generate(2021, today)
	st := pgtest.NewStore(b)
	ctx := context.Background()
	if err := st.LoadSeed(ctx, seed); err != nil {
		b.Fatal(err)
	}
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), seed.OpenDays[:5], false, 1, 0); err != nil {
		b.Fatal(err)
	}
	app, err := api.New(api.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	acc, err := st.AccountIDByEmail(ctx, demo.RectoratEmail)
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := st.CreateSession(ctx, acc, api.DefaultConfig().Session, "", "")
	if err != nil {
		b.Fatal(err)
	}
	return app, st, seed, token
}

// benchGet runs GET path as the session token's owner b.N times, failing on any status but 200.
func benchGet(b *testing.B, app *fiber.App, token, path string) {
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-session", Value: token})
		res, err := app.Test(req, -1)
		if err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
