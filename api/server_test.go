package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/api"
)

func TestSecurityHeadersAndHealth(t *testing.T) {
	app, _ := newApp(t)
	b := newBrowser(t, app)
	for _, path := range []string{"/livez", "/readyz"} {
		res := b.get(path)
		if res.StatusCode != http.StatusOK || res.body != "ok" {
			t.Errorf("%s: %d %q", path, res.StatusCode, res.body)
		}
	}
	res := b.get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy":   "frame-ancestors 'none'",
		"Strict-Transport-Security": "max-age=",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Cache-Control":             "no-store",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestErrorsAreFrenchPagesOrJSON(t *testing.T) {
	app, _ := newApp(t)
	b := newBrowser(t, app)
	res := b.get("/nulle-part")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, "Cette page n’existe pas") || !strings.Contains(res.body, `lang="fr"`) {
		t.Errorf("404 page: %d\n%s", res.StatusCode, res.body)
	}
	res = b.get("/api/nulle-part")
	var body struct {
		Error struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Error.Status != 404 || body.Error.Message == "" {
		t.Errorf("API 404: %d %s", res.StatusCode, res.body)
	}
	// English on request, kept by a cookie.
	if res := b.get("/langue?lang=en&next=/nulle-part"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/nulle-part" {
		t.Fatalf("language switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := b.get("/nulle-part"); !strings.Contains(res.body, "This page does not exist") {
		t.Error("the English choice was not kept")
	}
	// A redirect target off the site is refused.
	if res := b.get("/langue?lang=fr&next=//evil.example"); res.Header.Get("Location") != "/" {
		t.Errorf("open redirect: Location %q", res.Header.Get("Location"))
	}
}

func TestStaticAssetsAreCachedForAYear(t *testing.T) {
	app, _ := newApp(t)
	b := newBrowser(t, app)
	home := b.get("/")
	m := regexp.MustCompile(`href="(/static/[0-9a-f]+/app\.css)"`).FindStringSubmatch(home.body)
	if m == nil {
		t.Fatal("app.css not linked from the home page")
	}
	res := b.get(m[1])
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Errorf("app.css: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// TestLargeBodiesAreCompressed: the stylesheet goes out gzipped to a client that accepts it, a
// short answer as it is.
func TestLargeBodiesAreCompressed(t *testing.T) {
	app, _ := newApp(t)
	b := newBrowser(t, app)
	m := regexp.MustCompile(`href="(/static/[0-9a-f]+/app\.css)"`).FindStringSubmatch(b.get("/").body)
	if m == nil {
		t.Fatal("app.css not linked from the home page")
	}
	for _, c := range []struct {
		path, encoding string
	}{{m[1], "gzip"}, {"/livez", ""}} {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Content-Encoding"); got != c.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", c.path, got, c.encoding)
		}
	}
}

// rawAnswer sends head (request line and headers, without the blank line that ends them) and
// body through a real listener: the in-memory test client fails before the server can answer.
// The answer is read while the request is still being written, and a write cut short by the
// server's refusal is not an error: nothing depends on which side is faster (a server that read
// the whole request would answer otherwise, not hang).
func rawAnswer(t *testing.T, head string, body []byte) *http.Response {
	t.Helper()
	app, _ := newApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() { _, _ = conn.Write(append([]byte(head+"\r\n\r\n"), body...)) }()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// securityHeadersMissing lists the security headers res lacks.
func securityHeadersMissing(res *http.Response) []string {
	var missing []string
	for h, want := range map[string]string{
		"Content-Security-Policy":   "frame-ancestors 'none'",
		"Strict-Transport-Security": "max-age=",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "same-origin",
		"Cache-Control":             "no-store",
	} {
		if !strings.Contains(res.Header.Get(h), want) {
			missing = append(missing, h)
		}
	}
	return missing
}

func TestOversizedBodyIsRefused(t *testing.T) {
	res := rawAnswer(t, fmt.Sprintf("POST /connexion HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d", 200<<10),
		bytes.Repeat([]byte("a"), 200<<10))
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("200 KiB body: %d, want 413", res.StatusCode)
	}
	if missing := securityHeadersMissing(res); len(missing) > 0 {
		t.Errorf("the 413 answer lacks %v", missing)
	}
}

// TestOversizedHeadersAreRefused: headers beyond the read buffer get 431, with the security
// headers every answer carries.
func TestOversizedHeadersAreRefused(t *testing.T) {
	res := rawAnswer(t, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: "+strings.Repeat("a", 16<<10), nil)
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("16 KiB header: %d, want 431", res.StatusCode)
	}
	if missing := securityHeadersMissing(res); len(missing) > 0 {
		t.Errorf("the 431 answer lacks %v", missing)
	}
}

// TestPrivacyNotice: the notice is public, in both languages, says the legal basis, the
// retention and the contact of the data protection officer as configured, and is linked from
// every page's footer and from the sign-up form.
func TestPrivacyNotice(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.Privacy.DPOContact = "dpo@example.fr"
	cfg.Privacy.RetentionDays = 45
	app, _ := newAppWith(t, cfg)
	b := newBrowser(t, app)
	fr := b.get("/donnees-personnelles")
	for _, want := range []string{"mission d’intérêt public", "45 jours après le dernier jour réservé", "dpo@example.fr", "chiffrée", "12 mois", `href="/mes-donnees"`} {
		if fr.StatusCode != 200 || !strings.Contains(fr.body, want) {
			t.Errorf("French notice (%d) lacks %q", fr.StatusCode, want)
		}
	}
	b.get("/langue?lang=en&next=/")
	en := b.get("/donnees-personnelles")
	for _, want := range []string{"task carried out in the public interest", "45 days after the household", "dpo@example.fr", "controller is the rectorat of the académie"} {
		if !strings.Contains(en.body, want) {
			t.Errorf("English notice lacks %q", want)
		}
	}
	for _, page := range []string{"/", "/inscription", "/connexion"} {
		if res := newBrowser(t, app).get(page); !strings.Contains(res.body, `href="/donnees-personnelles"`) {
			t.Errorf("%s has no link to the privacy notice", page)
		}
	}
	if res := newBrowser(t, app).get("/inscription"); strings.Count(res.body, `href="/donnees-personnelles"`) < 2 {
		t.Error("the sign-up form itself does not link to the privacy notice")
	}
}

// A first visit is in the browser's language; the switch comes back to the same page, query
// and all.
func TestLanguageOfAFirstVisitAndSwitchBack(t *testing.T) {
	app, _ := newApp(t)
	b := newBrowser(t, app)
	req := httptest.NewRequest(http.MethodGet, "/connexion?next=/reserver", nil)
	req.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.7,fr;q=0.5")
	res := b.do(req)
	if !strings.Contains(res.body, `lang="en"`) || !strings.Contains(res.body, "Log in") {
		t.Fatalf("first visit with an English browser is not in English:\n%.400s", res.body)
	}
	link := regexp.MustCompile(`href="(/langue\?[^"]+)"`).FindStringSubmatch(res.body)
	if link == nil {
		t.Fatal("no language switch")
	}
	res = b.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/connexion?next=/reserver" {
		t.Errorf("switch goes to %d %q, want the page with its query", res.StatusCode, res.Header.Get("Location"))
	}
	// The choice made beats the browser's.
	req = httptest.NewRequest(http.MethodGet, "/connexion", nil)
	req.Header.Set("Accept-Language", "en")
	if res := b.do(req); !strings.Contains(res.body, `lang="fr"`) {
		t.Error("the French chosen with the switch was not kept")
	}
}
