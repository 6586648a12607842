package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
)

const goodPassword = "correct horse battery staple"

func createAccount(t *testing.T, st *store.Store, n store.NewAccount) store.Account {
	t.Helper()
	if n.Password == "" {
		n.Password = goodPassword
	}
	a, err := st.CreateAccount(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoginSetsAHardenedSessionCookie(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "rectorat@example.fr", Role: store.RoleRectorat, DisplayName: "Rectorat"})
	b := newBrowser(t, app)
	res := b.post("/connexion", url.Values{"csrf": {b.csrf("/connexion")}, "email": {"Rectorat@Example.fr "}, "password": {goodPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	var set string
	for _, h := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "__Host-session=") {
			set = h
		}
	}
	if set == "" {
		t.Fatalf("no __Host-session cookie in %v", res.Header.Values("Set-Cookie"))
	}
	lower := strings.ToLower(set)
	// A lifetime, not a date: the browser counts it on its own clock (12 h, the absolute limit).
	for _, want := range []string{"path=/", "secure", "httponly", "samesite=lax", "max-age=43200"} {
		if !strings.Contains(lower, want) {
			t.Errorf("session cookie lacks %q: %s", want, set)
		}
	}
	if strings.Contains(lower, "domain=") {
		t.Errorf("a __Host- cookie must not name a domain: %s", set)
	}
	home := b.get("/")
	if home.StatusCode != http.StatusOK || !strings.Contains(home.body, "Académie de Besançon") {
		t.Fatalf("home after login: %d\n%s", home.StatusCode, home.body)
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'auth.login'`); err != nil || audited != 1 {
		t.Errorf("login audit entries: %d (%v), want 1", audited, err)
	}
}

func TestWrongPasswordSaysSoInFrench(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	for _, email := range []string{"parent@example.fr", "nobody@example.fr"} {
		res := b.post("/connexion", url.Values{"csrf": {b.csrf("/connexion")}, "email": {email}, "password": {"wrong password!"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "Adresse e-mail ou mot de passe incorrect.") {
			t.Errorf("%s: status %d, want 401 with the French message", email, res.StatusCode)
		}
		if _, ok := b.cookies["__Host-session"]; ok {
			t.Errorf("%s: a session was opened", email)
		}
	}
	res := b.post("/connexion", url.Values{"csrf": {b.csrf("/connexion")}, "email": {"pas-une-adresse"}, "password": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "Saisissez une adresse e-mail valide") || !strings.Contains(res.body, "Ce champ est obligatoire.") {
		t.Errorf("malformed form: status %d, want field messages\n%s", res.StatusCode, res.body)
	}
}

func TestLoginIsThrottledAfterRepeatedFailures(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	token := b.csrf("/connexion")
	for i := 0; i < store.LoginFreeFailures; i++ {
		b.post("/connexion", url.Values{"csrf": {token}, "email": {"parent@example.fr"}, "password": {"guess number " + string(rune('a'+i))}})
	}
	res := b.post("/connexion", url.Values{"csrf": {token}, "email": {"parent@example.fr"}, "password": {goodPassword}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.body, "Réessayez dans 1 s") || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("after %d failures the right password got %d, Retry-After %q, want 429 and 1 s\n%s", store.LoginFreeFailures,
			res.StatusCode, res.Header.Get("Retry-After"), res.body)
	}
}

func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	// No token at all, and a token from another visitor.
	if res := b.post("/connexion", url.Values{"email": {"parent@example.fr"}, "password": {goodPassword}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", res.StatusCode)
	}
	other := newBrowser(t, app)
	if res := b.post("/connexion", url.Values{"csrf": {other.csrf("/connexion")}, "email": {"parent@example.fr"}, "password": {goodPassword}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("login with another visitor's token: %d, want 403", res.StatusCode)
	}
	b.login("parent@example.fr", goodPassword)
	if res := b.post("/deconnexion", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", res.StatusCode)
	}
	token := b.csrf("/")
	req, _ := http.NewRequest(http.MethodPost, "/deconnexion", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := b.do(req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site logout with the right token: %d, want 403", res.StatusCode)
	}
	if res := b.post("/deconnexion", url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res := b.get("/"); strings.Contains(res.body, "Se déconnecter") {
		t.Error("still logged in after logout")
	}
}

func TestSignupCreatesAParentAndRefusesBadInput(t *testing.T) {
	app, st := newApp(t)
	b := newBrowser(t, app)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"Éloïse N'Diaye"}, "email": {"e@example.fr"}, "password": {"court"}, "password2": {"court"}}, "au moins 12 caractères"},
		{url.Values{"name": {"Éloïse N'Diaye"}, "email": {"e@example.fr"}, "password": {"motdepasse123"}, "password2": {"motdepasse123"}}, "trop courant"},
		{url.Values{"name": {"Éloïse N'Diaye"}, "email": {"e@example.fr"}, "password": {goodPassword}, "password2": {goodPassword + "x"}}, "ne sont pas identiques"},
		{url.Values{"name": {"Eve\u202egnp.exe"}, "email": {"e@example.fr"}, "password": {goodPassword}, "password2": {goodPassword}}, "ne peut contenir que des lettres"},
	} {
		tc.form.Set("csrf", b.csrf("/inscription"))
		res := b.post("/inscription", tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.want) {
			t.Errorf("%v: status %d, want 422 saying %q", tc.form, res.StatusCode, tc.want)
		}
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM account`); err != nil || n != 0 {
		t.Fatalf("refused sign-ups left %d accounts (%v)", n, err)
	}
	res := b.post("/inscription", url.Values{"csrf": {b.csrf("/inscription")}, "name": {"Éloïse N'Diaye"},
		"email": {"eloise@example.fr"}, "password": {goodPassword}, "password2": {goodPassword}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Confirmez votre adresse e-mail") {
		t.Fatalf("sign-up: %d\n%s", res.StatusCode, res.body)
	}
	b.login("eloise@example.fr", goodPassword)
	home := b.get("/")
	if !strings.Contains(home.body, "Mon foyer") || !strings.Contains(home.body, "Éloïse N&#39;Diaye") {
		t.Fatalf("parent home after sign-up:\n%s", home.body)
	}
}

// TestSignupDoesNotTellWhetherAnAddressHasAnAccount: an address that has an account gets the
// very answer a new one gets; its owner gets an e-mail instead, and the account is unchanged.
func TestSignupDoesNotTellWhetherAnAddressHasAnAccount(t *testing.T) {
	app, st := newApp(t)
	owner := createAccount(t, st, store.NewAccount{Email: "eloise@example.fr", Role: store.RoleParent, DisplayName: "Éloïse"})
	const otherPassword = "another long pass phrase"
	answer := func(email string) (int, string, []string) {
		t.Helper()
		b := newBrowser(t, app)
		csrf := b.csrf("/inscription")
		res := b.post("/inscription", url.Values{"csrf": {csrf}, "name": {"Ève Martin"},
			"email": {email}, "password": {otherPassword}, "password2": {otherPassword}})
		var cookies []string
		for _, c := range res.Cookies() {
			cookies = append(cookies, c.Name)
		}
		body := strings.NewReplacer(email, "ADDRESS", csrf, "CSRF").Replace(res.body)
		return res.StatusCode, regexpFind(t, body, `(?s)(<main.*</main>)`), cookies
	}
	newStatus, newBody, newCookies := answer("new@example.fr")
	oldStatus, oldBody, oldCookies := answer("ELOISE@example.fr")
	if newStatus != http.StatusOK || oldStatus != newStatus || oldBody != newBody || strings.Join(oldCookies, ",") != strings.Join(newCookies, ",") {
		t.Errorf("new address: %d %v, existing address: %d %v; same page: %v", newStatus, newCookies, oldStatus, oldCookies, oldBody == newBody)
	}
	if strings.Contains(oldBody, "existe déjà") {
		t.Error("the answer says the address has an account")
	}
	var body string
	if err := st.DB().Get(&body, `SELECT body_text FROM outbox_email WHERE to_address = 'eloise@example.fr' ORDER BY id DESC LIMIT 1`); err != nil ||
		!strings.Contains(body, "Quelqu'un a essayé de créer un compte avec votre adresse") || !strings.Contains(body, "/mot-de-passe-oublie") {
		t.Errorf("the owner's e-mail: %q (%v)", body, err)
	}
	// Tried again within the hour: the same answer, no second e-mail; the attempt, by nobody
	// logged in, is logged against the account.
	if again, _, _ := answer("eloise@example.fr"); again != http.StatusOK {
		t.Errorf("second attempt: %d", again)
	}
	var warnings, attempts int
	if err := st.DB().Get(&warnings, `SELECT count(*) FROM outbox_email WHERE to_address = 'eloise@example.fr'`); err != nil || warnings != 1 {
		t.Errorf("warnings to the owner: %d (%v), want 1", warnings, err)
	}
	if err := st.DB().Get(&attempts, `SELECT count(*) FROM audit_log WHERE action = 'account.signup_existing' AND account_id IS NULL AND object_id = $1`, fmt.Sprint(owner.ID)); err != nil || attempts != 2 {
		t.Errorf("attempts logged: %d (%v), want 2", attempts, err)
	}
	var accounts int
	if err := st.DB().Get(&accounts, `SELECT count(*) FROM account WHERE lower(email) = 'eloise@example.fr'`); err != nil || accounts != 1 {
		t.Errorf("accounts with the address: %d (%v)", accounts, err)
	}
	b := newBrowser(t, app)
	b.login("eloise@example.fr", goodPassword)
	if acc, err := st.AccountByID(context.Background(), owner.ID); err != nil || acc.DisplayName != "Éloïse" {
		t.Errorf("the owner's account changed: %+v (%v)", acc, err)
	}
}

// TestPersonNamesAreLettersOnly: markup and SQL-looking text are refused in every person's
// name, with a French message naming the field, and nothing is kept.
func TestPersonNamesAreLettersOnly(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	if err := st.LoadSeed(ctx, twoDepartements(nextWeekdays(1)[0])); err != nil {
		t.Fatal(err)
	}
	bad := []string{"<script>alert(1)</script>", "Robert'); DROP TABLE account;--", "Zoé\"><img src=x>", "1nès"}
	visitor := newBrowser(t, app)
	for _, name := range bad {
		res := visitor.post("/inscription", url.Values{"csrf": {visitor.csrf("/inscription")}, "name": {name},
			"email": {"x@example.fr"}, "password": {goodPassword}, "password2": {goodPassword}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Le champ « Prénom et nom » ne peut contenir que des lettres") {
			t.Errorf("sign-up name %q: %d", name, res.StatusCode)
		}
	}
	var accounts int
	if err := st.DB().Get(&accounts, `SELECT count(*) FROM account WHERE email = 'x@example.fr'`); err != nil || accounts != 0 {
		t.Errorf("refused sign-ups made %d accounts (%v)", accounts, err)
	}
	parent := newBrowser(t, app)
	parent.login("p1@example.fr", goodPassword)
	for _, name := range bad {
		for field, label := range map[string]string{"p1_first": "Prénom du parent 1", "p2_last": "Nom du parent 2"} {
			form := householdForm(parent.csrf("/foyer"))
			form.Set(field, name)
			if res := parent.post("/foyer", form); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(res.body, "Le champ « "+label+" » ne peut contenir que des lettres") {
				t.Errorf("household %s %q: %d", field, name, res.StatusCode)
			}
		}
		for field, label := range map[string]string{"first_name": "Prénom", "last_name": "Nom", "pickup_name_1": "Personne 1 : prénom et nom"} {
			form := childForm(parent.csrf("/enfants/nouveau"))
			form.Set(field, name)
			if res := parent.post("/enfants", form); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(res.body, "Le champ « "+label+" » ne peut contenir que des lettres") {
				t.Errorf("child %s %q: %d", field, name, res.StatusCode)
			}
		}
	}
	var children, parents int
	if err := st.DB().Get(&children, `SELECT count(*) FROM child`); err != nil || children != 2 {
		t.Errorf("children: %d (%v), want the 2 of the seed", children, err)
	}
	if err := st.DB().Get(&parents, `SELECT count(*) FROM parent WHERE first_name <> 'Inès' AND first_name <> 'Maël'`); err != nil || parents != 0 {
		t.Errorf("parents saved: %d (%v)", parents, err)
	}
	// Names of every script, with accents, apostrophes, hyphens and dots, are taken.
	for _, name := range []string{"Éloïse N’Diaye", "Anne-Sophie d'Arc", "J.-P. Lê", "Nguyễn", "Ørsted"} {
		v := newBrowser(t, app)
		email := fmt.Sprintf("ok%d@example.fr", len(name))
		if res := v.post("/inscription", url.Values{"csrf": {v.csrf("/inscription")}, "name": {name},
			"email": {email}, "password": {goodPassword}, "password2": {goodPassword}}); res.StatusCode != http.StatusOK {
			t.Errorf("sign-up name %q: %d", name, res.StatusCode)
		}
	}
}

// TestFormsFromAnotherOriginAreRefused: a form posted from another site is refused even with a
// valid token; one posted from the site's own address (PUBLIC_URL) is taken, even when a reverse
// proxy sends its upstream name as the Host.
func TestFormsFromAnotherOriginAreRefused(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.PublicURL = "https://accueil.ac-besancon.fr"
	app, st := newAppWith(t, cfg)
	createAccount(t, st, store.NewAccount{Email: "rectorat@example.fr", Role: store.RoleRectorat})
	for origin, want := range map[string]int{"https://evil.example": http.StatusForbidden, "https://accueil.ac-besancon.fr": http.StatusSeeOther} {
		b := newBrowser(t, app)
		form := url.Values{"csrf": {b.csrf("/connexion")}, "email": {"rectorat@example.fr"}, "password": {goodPassword}}
		req := httptest.NewRequest(http.MethodPost, "http://backend:8080/connexion", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		if res := b.do(req); res.StatusCode != want {
			t.Errorf("Origin %s: %d, want %d", origin, res.StatusCode, want)
		}
	}
}
