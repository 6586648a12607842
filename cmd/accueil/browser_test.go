package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// syncBuffer collects what the server prints while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs `accueil serve --demo` on a fresh database holding the demo académie (see
// demoURL) with its clock standing at at, and returns its base URL, what it prints and what it
// logs.
func startServer(t *testing.T, at time.Time) (baseURL string, out, logs *syncBuffer) {
	t.Helper()
	return startServerOn(t, demoURL(t, at), at)
}

// demoURL returns a new database holding the demo académie as `accueil demo` loads it at the
// instant at (as `serve --demo` does into an empty database): loaded once per test binary and
// instant, then copied, which takes a fraction of the 4 s a load takes. Its health notes are
// sealed with pgtest.HealthKey, the key startServerOn gives the server.
func demoURL(t *testing.T, at time.Time) string {
	t.Helper()
	return pgtest.URLFrom(t, "demo at "+at.Format(time.RFC3339Nano), func(url string) error {
		env := map[string]string{"DATABASE_URL": url, "DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn", "HEALTH_KEY": pgtest.HealthKey.Base64()}
		var out bytes.Buffer
		if err := run(context.Background(), []string{"demo"}, func(k string) string { return env[k] }, func() time.Time { return at }, nil, &out, &out); err != nil {
			return fmt.Errorf("%w: %s", err, out.String())
		}
		return nil
	})
}

// TestMain drops the databases demoURL filled once the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.DropFilled()
	os.Exit(code)
}

// startServerOn is startServer on the database at dbURL, for a test that reads or arranges it.
func startServerOn(t *testing.T, dbURL string, at time.Time) (baseURL string, out, logs *syncBuffer) {
	t.Helper()
	clock := func() time.Time { return at }
	// The log at its most talkative: the journey test reads it for personal data. The clock
	// stands still, so a family's e-mails leave without waiting for a window to pass.
	env := map[string]string{"DATABASE_URL": dbURL, "DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "LOG_LEVEL": "debug", "DEV_MODE": "true",
		"MAIL_GROUP_WINDOW": "0s", "HEALTH_KEY": pgtest.HealthKey.Base64()}
	ctx, cancel := context.WithCancel(context.Background())
	out, logs = &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo"}, func(k string) string { return env[k] }, clock, nil, out, logs)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve ended with %v", err)
		}
	})
	addr := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := addr.FindString(out.String()); m != "" {
			// localhost, not 127.0.0.1: browsers accept Secure cookies over plain http there only.
			return strings.Replace(m, "127.0.0.1", "localhost", 1), out, logs
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, out.String())
		default:
		}
	}
	t.Fatalf("the server did not start:\n%s", out.String())
	return "", nil, nil
}

// chromiumPath finds Chromium, or skips the test outside CI when it is missing (`make test`
// installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is missing: `make test` installs it")
		}
		t.Skip("chromium is missing: run `make test`, which installs it")
	}
	return path
}

// newTab starts a headless Chromium with a profile of its own (no cookie shared with another
// test) on a 360 px wide screen, set to French as our users' browsers are (the service follows
// Accept-Language on a first visit), and returns its tab once it runs.
func newTab(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "fr-FR"), chromedp.Flag("accept-lang", "fr-FR,fr"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(360, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first action starts the browser: it must run without a deadline (chromedp.Run).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 780)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// waitUntil waits until the JavaScript condition holds (chromedp.Poll builds its predicate with
// new Function, which the site's CSP forbids), under the deadline of the context it runs in.
func waitUntil(condition string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			ok, err := chromedp.Evaluate[bool](condition)(ctx, t)
			if err != nil || ok {
				return chromedp.Void{}, err
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", condition, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// within runs actions with a deadline, so that a page that never comes fails the test instead
// of hanging it.
func within(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// screenshotDir keeps the screenshots to look at: .data/screenshots at the module root.
func screenshotDir(t *testing.T) string {
	dir := filepath.Join("..", "..", ".data", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserLoginAsEachDemoRole logs in through the real pages in Chromium, on a 360 px wide
// phone screen, as each demo account, and checks each lands on its role's home page with a
// hardened session cookie. It also tries a wrong password.
func TestBrowserLoginAsEachDemoRole(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	_, logins := demo.Generate(2021, today(pgtest.Now()))
	headings := map[store.Role]*regexp.Regexp{
		store.RoleParent:     regexp.MustCompile(`^Mon foyer$`),
		store.RoleDirector:   regexp.MustCompile(`^Mes pôles d’accueil$`),
		store.RolePrefecture: regexp.MustCompile(`^Préfecture — (Doubs|Jura|Haute-Saône|Territoire de Belfort)$`),
		store.RoleRectorat:   regexp.MustCompile(`^Académie de Besançon$`),
		store.RoleAdmin:      regexp.MustCompile(`^Académie de Besançon$`),
	}
	shots := screenshotDir(t)
	for _, l := range logins {
		t.Run(l.Email, func(t *testing.T) {
			ctx := newTab(t, chromium)
			login := func(password string) string {
				t.Helper()
				if err := within(ctx,
					chromedp.Navigate(base+"/connexion"),
					chromedp.WaitVisible(chromedp.ID("email")),
					chromedp.SendKeys(chromedp.ID("email"), l.Email),
					chromedp.SendKeys(chromedp.ID("password"), password),
					// Mark this page, so that the wait below sees the next one, not this one.
					chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`),
					chromedp.Submit(chromedp.ID("password")),
					chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) main h1")),
				); err != nil {
					t.Fatal(err)
				}
				h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(h1)
			}
			if h1 := login("not the password"); h1 != "Se connecter" {
				t.Fatalf("after a wrong password the page is %q", h1)
			}
			alert, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".fr-alert")))
			if err != nil || !strings.Contains(alert, "Adresse e-mail ou mot de passe incorrect.") {
				t.Fatalf("wrong password message: %q, %v", alert, err)
			}
			h1 := login(l.Password)
			if !headings[l.Role].MatchString(h1) {
				html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
				t.Fatalf("%s lands on %q:\n%s", l.Role, h1, html)
			}
			// Quality 100 gives a PNG.
			png, err := screenshot(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.NewReplacer("@", "_", ".", "_").Replace(l.Email)
			if err := os.WriteFile(filepath.Join(shots, "home-"+name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
			cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, c := range cookies.Cookies {
				if c.Name == "__Host-session" {
					found = true
					if !c.Secure || !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" {
						t.Errorf("session cookie: %s", fmt.Sprintf("secure=%v httponly=%v samesite=%v path=%s", c.Secure, c.HTTPOnly, c.SameSite, c.Path))
					}
				}
			}
			if !found {
				t.Error("no __Host-session cookie in the browser")
			}
		})
	}
}

// submitAndWait marks the page, submits the form of sel and waits for the next page's h1.
func submitAndWait(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`),
		chromedp.Submit(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) main h1")),
	)
}

// logIn logs in through the login page and waits for the home page.
func logIn(base, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/connexion"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		submitAndWait("#password"),
	)
}

// follow clicks the link sel and waits for the next page's h1.
func follow(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) main h1")),
	)
}

// TestBrowserParentJourney walks the whole journey of a new parent on a phone screen: sign up,
// confirm the address from the e-mail, register the household and two children, book three
// days, see the hub, cancel one day and see the e-mails.
func TestBrowserParentJourney(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, logs := startServer(t, pgtest.Now())
	ctx := newTab(t, chromium)
	const password = "une phrase de passe assez longue"
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	check := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.getElementById(` + "`" + id + "`" + `).checked = true`)
	}
	shot := func(name string) {
		png, err := screenshot(ctx, true)
		if err == nil {
			_ = os.WriteFile(filepath.Join(screenshotDir(t), "journey-"+name+".png"), png, 0o644)
		}
	}
	steps := []struct {
		name    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"signup", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/inscription"),
			chromedp.SendKeys(chromedp.ID("name"), "Amélie Lê"),
			chromedp.SendKeys(chromedp.ID("email"), "amelie@example.fr"),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.SendKeys(chromedp.ID("password2"), password),
			submitAndWait("#password2"),
		}},
	}
	for _, st := range steps {
		if err := within(ctx, st.actions...); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	if !strings.Contains(text("main"), "Confirmez votre adresse e-mail") {
		t.Fatal("after sign-up, no request to confirm the address")
	}
	// The confirmation e-mail, as the development page shows it.
	if err := within(ctx, chromedp.Navigate(base+"/dev/emails"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`http://localhost:8080(/confirmer\?jeton=[A-Za-z0-9_-]+)`).FindStringSubmatch(text("main"))
	if link == nil {
		t.Fatal("no confirmation link in the e-mails")
	}
	if err := within(ctx, chromedp.Navigate(base+link[1]), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text("main"), "est confirmée") {
		t.Fatal("the confirmation link did not confirm")
	}
	// Sign-up opens no session (it answers the same whether the address has an account): log in.
	if err := within(ctx,
		logIn(base, "amelie@example.fr", password),
	); err != nil {
		t.Fatal(err)
	}
	fill := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/foyer"),
		chromedp.WaitVisible(chromedp.ID("p1_first")),
		chromedp.SendKeys(chromedp.ID("p1_first"), "Amélie"),
		chromedp.SendKeys(chromedp.ID("p1_last"), "Lê"),
		chromedp.SendKeys(chromedp.ID("p1_phone"), "06 12 34 56 78"),
		chromedp.SetValue(chromedp.ID("p1_profession"), "infirmier"),
		chromedp.SendKeys(chromedp.ID("p1_employer"), "CHU de Besançon"),
		chromedp.SendKeys(chromedp.ID("home_address"), "3 rue de l'Orme"),
		chromedp.SendKeys(chromedp.ID("home_commune"), "Besançon (25000)"),
		chromedp.SendKeys(chromedp.ID("work_commune"), "Besançon (25000)"),
		check("sworn"),
		submitAndWait("#home_address"),
	}
	for _, child := range []struct{ first, birth string }{{"Éloïse", "2019-05-01"}, {"Noé", "2022-02-14"}} {
		fill = append(fill,
			chromedp.Navigate(base+"/enfants/nouveau"),
			chromedp.WaitVisible(chromedp.ID("first_name")),
			chromedp.SendKeys(chromedp.ID("first_name"), child.first),
			chromedp.SendKeys(chromedp.ID("last_name"), "Lê"),
			chromedp.SetValue(chromedp.ID("birth_date"), child.birth),
			submitAndWait("#first_name"),
		)
	}
	if err := within(ctx, fill...); err != nil {
		t.Fatal(err)
	}
	home := text("main")
	if !strings.Contains(home, "Éloïse Lê") || !strings.Contains(home, "Noé Lê") {
		t.Fatalf("home after registering the children:\n%s", home)
	}
	shot("home")
	if err := within(ctx, chromedp.Navigate(base+"/foyer"), chromedp.WaitVisible(chromedp.ID("p1_first"))); err == nil {
		shot("household")
	}
	// Book the first three open days for both children.
	if err := within(ctx, chromedp.Navigate(base+"/reserver"), chromedp.WaitVisible(chromedp.CSS("input[name=day]"))); err != nil {
		t.Fatal(err)
	}
	shot("booking-form")
	if err := within(ctx,
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("input[name=day]")].slice(0, 3).forEach(i => i.checked = true)`),
		submitAndWait("select#arrive_at")); err != nil {
		t.Fatal(err)
	}
	// Badges are upper-cased by the style sheet, and innerText follows it.
	result := strings.ToLower(text("main"))
	if !strings.Contains(result, "votre réservation") || strings.Count(result, "place proposée")+strings.Count(result, "place confirmée") < 6 {
		t.Fatalf("booking result:\n%s", result)
	}
	shot("result")
	if err := within(ctx, chromedp.Navigate(base+"/reservations"), chromedp.WaitVisible(chromedp.CSS("main h1")),
		submitAndWait("form[action='/reservations/annuler'] button")); err != nil {
		t.Fatal(err)
	}
	// "Annuler ce jour" first asks, with the child's name and the day.
	if !strings.Contains(text("main"), "sera annulée et la place libérée") {
		t.Fatalf("no confirmation before cancelling a day:\n%s", text("main"))
	}
	shot("cancel-confirm")
	if err := within(ctx, submitAndWait("main form button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text("main"), "Annuler ce jour"); n != 5 {
		t.Errorf("after cancelling one day: %d cancel labels", n)
	}
	if !strings.Contains(text("main"), "1 jour(s) annulé(s)") {
		t.Error("no message after cancelling a day")
	}
	shot("bookings")
	if err := within(ctx, chromedp.Navigate(base+"/dev/emails"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	mails := text("main")
	for _, want := range []string{"votre réservation", "annulation", "amelie@example.fr"} {
		if !strings.Contains(mails, want) {
			t.Errorf("the e-mails lack %q", want)
		}
	}
	// The server's own log, as `make run` writes it, once the outbox (no SMTP: the log sender)
	// has handled the journey's e-mails: no address, link, token or child's name in it.
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".fr-card__desc")]
		.filter(p => p.textContent.includes("amelie@example.fr")).map(p => p.textContent.match(/N° (\d+)/)[1])`))
	if err != nil || len(ids) < 3 {
		t.Fatalf("the journey's e-mails on /dev/emails: %v (%v)", ids, err)
	}
	handled := func() bool {
		for _, id := range ids {
			if !strings.Contains(logs.String(), `"outbox_id":`+id+`,`) {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(2 * time.Minute); !handled(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not handle the journey's e-mails %v", ids)
		}
	}
	log := logs.String()
	for _, secret := range []string{"amelie@example.fr", "Amélie", "Éloïse", "Noé", "jeton=", "/confirmer?", link[1], "CHU de Besançon", "rue de l'Orme", password} {
		if strings.Contains(log, secret) {
			t.Errorf("the server's log holds %q", secret)
		}
	}
}

// TestBrowserDirectorRollCall: the demo director opens a hub, marks a child arrived with one tap
// on a phone-sized screen, and the hub's occupancy shows the child present.
func TestBrowserDirectorRollCall(t *testing.T) {
	chromium := chromiumPath(t)
	// The roll call is for the current day: a day the hubs are open.
	base, _, _ := startServer(t, pgtest.Weekday())
	ctx := newTab(t, chromium)
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := within(ctx,
		logIn(base, demo.DirectorEmail, demo.StaffPassword),
	); err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main h2 a").getAttribute("href")`))
	if err != nil || !strings.HasPrefix(href, "/poles/") {
		t.Fatalf("no hub link on the director's home: %q %v", href, err)
	}
	if err := within(ctx, chromedp.Navigate(base+href+"/appel"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text("main"), "Aucun enfant n’est attendu") {
		t.Fatal("no child placed in the director’s first hub today")
	}
	if err := within(ctx, submitAndWait(`form input[name=mark][value=arrived] ~ button`)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(text("main")), "1 présents sur") {
		t.Fatalf("roll call after one arrival:\n%s", text("main"))
	}
	png, err := screenshot(ctx, true)
	if err == nil {
		_ = os.WriteFile(filepath.Join(screenshotDir(t), "rollcall.png"), png, 0o644)
	}
	if err := within(ctx, chromedp.Navigate(base+href), chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
		t.Fatal(err)
	}
	// The first rows are today's: the present column counts the child.
	present, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("main tbody tr")].slice(0, 3).reduce((n, tr) => n + parseInt(tr.querySelectorAll("td")[2].textContent || "0"), 0)`))
	if err != nil || present != 1 {
		t.Errorf("present on the hub page: %d (%v), want 1", present, err)
	}
}

// TestBrowserPrefectureMap: the Doubs prefecture agent opens the overview and the map (drawn
// offline, without tiles) and sees only Doubs hubs.
func TestBrowserPrefectureMap(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	ctx := newTab(t, chromium)
	if err := within(ctx,
		chromedp.EmulateViewport(1200, 900),
		logIn(base, "prefecture25@demo.test", demo.StaffPassword),
		chromedp.Navigate(base+"/carte"),
		// map.js draws the outlines, the waiting communes and the hubs in one go, once both its
		// requests have answered: the first shape drawn means all are.
		waitUntil(`document.querySelectorAll("#carte path.leaflet-interactive").length > 0`),
	); err != nil {
		t.Fatal(err)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#carte path.leaflet-interactive").length`))
	if err != nil {
		t.Fatal(err)
	}
	// What the map was sent: one shape per outline, waiting commune and hub.
	type shapes struct {
		Outlines int `json:"outlines"`
		Waiting  int `json:"waiting"`
		Hubs     int `json:"hubs"`
	}
	sent, err := chromedp.Run(ctx, chromedp.Evaluate[shapes](`(async () => {
		const el = document.getElementById("carte"), get = u => fetch(u, {headers: {Accept: "application/json"}}).then(r => r.json());
		const [o, d] = await Promise.all([get(el.dataset.outlines), get(el.dataset.src)]);
		return {outlines: o.features.length, waiting: d.waiting.length, hubs: d.hubs.length};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if sent.Hubs < 100 || drawn != sent.Outlines+sent.Waiting+sent.Hubs {
		t.Errorf("map: %d shapes drawn for %+v sent, want one each and the Doubs hubs (over 100)", drawn, sent)
	}
	attribution, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".leaflet-control-attribution")))
	if err != nil || !strings.Contains(attribution, "IGN Admin Express") {
		t.Errorf("attribution %q (%v)", attribution, err)
	}
	png, err := screenshot(ctx, true)
	if err == nil {
		_ = os.WriteFile(filepath.Join(screenshotDir(t), "map-prefecture25.png"), png, 0o644)
	}
	for _, page := range []string{"/tendances", "/poles/import", "/occupation"} {
		if err := within(ctx, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		if png, err := screenshot(ctx, true); err == nil {
			_ = os.WriteFile(filepath.Join(screenshotDir(t), "prefecture"+strings.ReplaceAll(page, "/", "-")+".png"), png, 0o644)
		}
	}
	deps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main tbody tr td:nth-child(2)")].map(td => td.textContent.slice(-3, -1))`))
	if err != nil || len(deps) == 0 {
		t.Fatalf("overview rows: %v (%v)", deps, err)
	}
	for _, d := range deps {
		if d != "25" {
			t.Fatalf("the Doubs agent sees a hub of département %s", d)
		}
	}
	// The children placed on the hub page's first day: the rows of its first row group.
	const firstDayPlaced = `(() => { const rows = [...document.querySelectorAll("main tbody tr")];
		const n = parseInt(rows[0].querySelector("th").getAttribute("rowspan"));
		return rows.slice(0, n).reduce((s, tr) => s + parseInt(tr.querySelectorAll("td")[1].textContent), 0); })()`
	// The busiest hub of the day: raise a capacity, then close it for the day.
	if err := within(ctx, chromedp.Navigate(base+"/occupation?tri=occupation"), chromedp.WaitVisible(chromedp.CSS("main tbody a"))); err != nil {
		t.Fatal(err)
	}
	hub, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main tbody a").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, chromedp.Navigate(base+hub), chromedp.WaitVisible(chromedp.CSS("input[name=capacite]"))); err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[int](`parseInt(document.querySelector("input[name=capacite]").value)`))
	if err != nil {
		t.Fatal(err)
	}
	if err := within(ctx,
		chromedp.SetValue(chromedp.CSS("input[name=capacite]"), fmt.Sprint(before+5)),
		submitAndWait("input[name=capacite]"),
		submitAndWait("main form button[type=submit]"), // the preview's Confirmer
	); err != nil {
		t.Fatal(err)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[int](`parseInt(document.querySelector("input[name=capacite]").value)`))
	if err != nil || after != before+5 {
		t.Errorf("capacity after raising: %d, want %d (%v)", after, before+5, err)
	}
	placedBefore, _ := chromedp.Run(ctx, chromedp.Evaluate[int](firstDayPlaced))
	if err := within(ctx, follow(`a[href*="/fermer?jour="]`), submitAndWait("main form button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	placedAfter, err := chromedp.Run(ctx, chromedp.Evaluate[int](firstDayPlaced))
	if err != nil || placedBefore == 0 || placedAfter != 0 {
		t.Errorf("children in the hub on its first day: %d before closing, %d after (%v); want some, then none", placedBefore, placedAfter, err)
	}
}

// TestBrowserCapacityCut: the Doubs prefecture agent, on a 1024 px screen, cuts a busy hub's
// capacity to one seat: the preview says who would move and where, nothing moves before
// "Confirmer", and the hub page then says what was done.
func TestBrowserCapacityCut(t *testing.T) {
	chromium := chromiumPath(t)
	base, _, _ := startServer(t, pgtest.Now())
	ctx := newTab(t, chromium)
	shot := func(name string) {
		if png, err := screenshot(ctx, true); err == nil {
			_ = os.WriteFile(filepath.Join(screenshotDir(t), "levers-"+name+".png"), png, 0o644)
		}
	}
	text := func() string {
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := within(ctx, chromedp.EmulateViewport(1024, 900), logIn(base, "prefecture25@demo.test", demo.StaffPassword),
		chromedp.Navigate(base+"/occupation"), chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
		t.Fatal(err)
	}
	hubs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll("main a[href^='/poles/']")].map(a => a.getAttribute("href")))].slice(0, 20)`))
	if err != nil || len(hubs) == 0 {
		t.Fatalf("no hub on the overview: %v", err)
	}
	// The first hub with a level of more than two children placed: cut it to one seat.
	found := false
	for _, href := range hubs {
		if err := within(ctx, chromedp.Navigate(base+href), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const f = [...document.querySelectorAll("main form.ap-inline-form")].find(f => parseInt(f.closest("tr").querySelectorAll("td")[1].textContent) > 2);
			if (!f) return false;
			f.id = "cut"; f.querySelector("input[name=capacite]").value = "1";
			return true;
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			found = true
			break
		}
	}
	if !found {
		t.Fatal("no Doubs hub with more than two children placed in a level")
	}
	shot("hub")
	if err := within(ctx, submitAndWait("#cut input[name=capacite]")); err != nil {
		t.Fatal(err)
	}
	preview := text()
	if !strings.Contains(preview, "Ce qui va se passer si vous confirmez") || !strings.Contains(preview, "perdront leur place ici et seront déplacés") ||
		!strings.Contains(preview, "e-mail(s) seront envoyés") {
		t.Fatalf("the preview does not say what will happen:\n%s", preview)
	}
	// Both buttons keep their text (no icon-only control).
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll("main .fr-btns-group .fr-btn")].map(b => b.getBoundingClientRect().width)`))
	if err != nil || len(labels) != 2 || labels[0] < 80 || labels[1] < 80 {
		t.Errorf("confirmation buttons' widths %v (%v): labels clipped?", labels, err)
	}
	shot("preview")
	if err := within(ctx, submitAndWait("main form button[type=submit]")); err != nil {
		t.Fatal(err)
	}
	done := text()
	if !strings.Contains(done, "La capacité a été modifiée.") || !strings.Contains(done, "ont été déplacés") || !strings.Contains(done, "e-mail(s) envoyés aux familles") {
		t.Fatalf("no notice of what the cut did:\n%s", done)
	}
	shot("done")
}
