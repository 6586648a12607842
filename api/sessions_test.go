package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store"
)

// loginAs logs in through the form with a browser's User-Agent.
func (b *browser) loginAs(userAgent, email, password string) {
	b.t.Helper()
	form := url.Values{"csrf": {b.csrf("/connexion")}, "email": {email}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", userAgent)
	if res := b.do(req); res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s: %d", email, res.StatusCode)
	}
}

func loggedIn(b *browser) bool { return strings.Contains(b.get("/").body, `action="/deconnexion"`) }

const (
	phoneUA  = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
	laptopUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)

var endForm = regexp.MustCompile(`action="/sessions/([0-9a-f-]{36})/terminer"`)

// A parent sees their sessions (the current one marked, never a token), ends one, and logs out
// everywhere else; another account's session is not found.
func TestParentSeesAndEndsTheirSessions(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "a@example.fr", Role: store.RoleParent, DisplayName: "Parent A"})
	createAccount(t, st, store.NewAccount{Email: "b@example.fr", Role: store.RoleParent, DisplayName: "Parent B"})
	phone, laptop, other := newBrowser(t, app), newBrowser(t, app), newBrowser(t, app)
	phone.loginAs(phoneUA, "a@example.fr", goodPassword)
	laptop.loginAs(laptopUA, "a@example.fr", goodPassword)
	other.loginAs(laptopUA, "b@example.fr", goodPassword)

	home := phone.get("/")
	if !strings.Contains(home.body, `href="/sessions"`) {
		t.Error("neither the account menu nor the parent's home leads to the sessions page")
	}
	page := phone.get("/sessions")
	if page.StatusCode != 200 || !strings.Contains(page.body, "Mes sessions") {
		t.Fatalf("sessions page: %d", page.StatusCode)
	}
	for _, want := range []string{"Firefox · Android", "Chrome · Windows", "Cette session", "Se déconnecter partout ailleurs", "0.0.0.0"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the sessions page lacks %q", want)
		}
	}
	if strings.Count(page.body, "Cette session") != 1 || strings.Contains(page.body, "Parent B") {
		t.Error("the page marks more than the current session, or shows another account's")
	}
	for _, b := range []*browser{phone, laptop} {
		token := b.cookies["__Host-session"]
		h := sha256.Sum256([]byte(token))
		for _, leak := range []string{token, hex.EncodeToString(h[:]), base64.StdEncoding.EncodeToString(h[:]), base64.RawURLEncoding.EncodeToString(h[:])} {
			if strings.Contains(page.body, leak) {
				t.Fatal("the sessions page shows a session token or its hash")
			}
		}
	}
	ids := endForm.FindAllStringSubmatch(page.body, -1)
	if len(ids) != 1 {
		t.Fatalf("end buttons: %d, want 1 (the laptop's)", len(ids))
	}
	laptopID := ids[0][1]

	// Another account's session, a malformed id and a missing CSRF token change nothing.
	var theirID string
	if err := st.DB().Get(&theirID, `SELECT s.public_id::text FROM session s JOIN account a ON a.id = s.account_id WHERE a.email = 'b@example.fr'`); err != nil {
		t.Fatal(err)
	}
	csrf := phone.csrf("/sessions")
	for _, id := range []string{theirID, "not-a-session", url.PathEscape("' OR 1=1 --")} {
		if res := phone.post("/sessions/"+id+"/terminer", url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("ending %q: %d, want 404", id, res.StatusCode)
		}
	}
	if res := other.post("/sessions/"+laptopID+"/terminer", url.Values{"csrf": {other.csrf("/sessions")}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("B ending A's session: %d, want 404", res.StatusCode)
	}
	if res := phone.post("/sessions/"+laptopID+"/terminer", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", res.StatusCode)
	}
	if !loggedIn(other) || !loggedIn(laptop) {
		t.Fatal("a refused request ended a session")
	}

	if res := phone.post("/sessions/"+laptopID+"/terminer", url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the laptop's session: %d", res.StatusCode)
	}
	if loggedIn(laptop) {
		t.Error("the laptop is still logged in")
	}
	if !loggedIn(phone) {
		t.Error("the phone was logged out")
	}
	if after := phone.get("/sessions?fin=1"); !strings.Contains(after.body, "La session est terminée.") || endForm.MatchString(after.body) {
		t.Error("after ending: no confirmation, or the ended session is still listed")
	}

	// Log out everywhere else.
	laptop2, tablet := newBrowser(t, app), newBrowser(t, app)
	laptop2.loginAs(laptopUA, "a@example.fr", goodPassword)
	tablet.loginAs("", "a@example.fr", goodPassword)
	if page := phone.get("/sessions"); !strings.Contains(page.body, "Navigateur inconnu") {
		t.Error("a session without User-Agent is not shown as an unknown browser")
	}
	if res := phone.post("/sessions/autres/terminer", url.Values{"csrf": {phone.csrf("/sessions")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("log out everywhere else: %d", res.StatusCode)
	}
	if loggedIn(laptop2) || loggedIn(tablet) {
		t.Error("another session survived “log out everywhere else”")
	}
	if !loggedIn(phone) || !loggedIn(other) {
		t.Error("“log out everywhere else” ended the session asking, or another account's")
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action IN ('auth.session_end', 'auth.sessions_end_others')`); err != nil || audited != 2 {
		t.Errorf("audit entries: %d (%v), want 2", audited, err)
	}

	// Ending the current session is logging out.
	if endForm.MatchString(phone.get("/sessions").body) {
		t.Fatalf("the current session has an end button")
	}
	var phoneID string
	if err := st.DB().Get(&phoneID, `SELECT s.public_id::text FROM session s JOIN account a ON a.id = s.account_id WHERE a.email = 'a@example.fr'`); err != nil {
		t.Fatal(err)
	}
	if res := phone.post("/sessions/"+phoneID+"/terminer", url.Values{"csrf": {phone.csrf("/sessions")}}); res.StatusCode != http.StatusSeeOther || loggedIn(phone) {
		t.Errorf("ending the current session: %d, still logged in: %v", res.StatusCode, loggedIn(phone))
	}
}

// Every account, staff too, has the page; a visitor is sent to log in.
func TestSessionsPageNeedsAnAccount(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "rectorat@example.fr", Role: store.RoleRectorat, DisplayName: "Rectorat"})
	visitor := newBrowser(t, app)
	if res := visitor.get("/sessions"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/connexion") {
		t.Errorf("visitor: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	staff := newBrowser(t, app)
	staff.login("rectorat@example.fr", goodPassword)
	if res := staff.get("/sessions"); res.StatusCode != 200 || !strings.Contains(res.body, "Cette session") {
		t.Errorf("staff: %d", res.StatusCode)
	}
	if res := staff.get("/"); !strings.Contains(res.body, `href="/sessions"`) {
		t.Error("the account menu does not lead to the sessions page")
	}
}
