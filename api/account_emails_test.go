package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
)

// lastLink returns the path and query of the last link e-mailed to address.
func lastLink(t *testing.T, st *store.Store, address string) string {
	t.Helper()
	var body string
	if err := st.DB().Get(&body, `SELECT body_text FROM outbox_email WHERE to_address = $1 ORDER BY id DESC LIMIT 1`, address); err != nil {
		t.Fatalf("no e-mail to %s: %v", address, err)
	}
	m := regexp.MustCompile(`http://localhost:8080(/\S+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in %q", body)
	}
	return m[1]
}

func TestSignupConfirmationAndBookingGate(t *testing.T) {
	app, st := newApp(t)
	days := nextWeekdays(2)
	seed := twoDepartements(days[0])
	seed.OpenDays = days
	if err := st.LoadSeed(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if res := b.post("/inscription", url.Values{"csrf": {b.csrf("/inscription")}, "name": {"Inès Dupré"}, "email": {"ines@example.fr"},
		"password": {goodPassword}, "password2": {goodPassword}}); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Confirmez votre adresse e-mail") {
		t.Fatalf("sign-up: %d", res.StatusCode)
	}
	b.login("ines@example.fr", goodPassword)
	if home := b.get("/"); !strings.Contains(home.body, "Confirmez votre adresse e-mail") {
		t.Error("the home page does not ask to confirm the address")
	}
	if res := b.postBooking(`{"child_ids":[1],"days":["`+days[0].Format(time.DateOnly)+`"],"location":"home","arrive_at":"08:00","depart_at":"17:00"}`,
		"key-unconfirmed", b.csrf("/")); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "Confirmez") {
		t.Errorf("booking before confirmation: %d %s", res.StatusCode, res.body)
	}
	link := lastLink(t, st, "ines@example.fr")
	if res := b.get(link); res.StatusCode != 200 || !strings.Contains(res.body, "est confirmée") {
		t.Fatalf("confirmation link: %d", res.StatusCode)
	}
	if res := b.get(link); res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, "n’est pas valable") {
		t.Errorf("a used link: %d", res.StatusCode)
	}
	if home := b.get("/"); strings.Contains(home.body, "Confirmez votre adresse e-mail") {
		t.Error("still asked to confirm after confirming")
	}
}

func TestPasswordReset(t *testing.T) {
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "reset@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	b.login("reset@example.fr", goodPassword)
	other := newBrowser(t, app)
	// Known and unknown addresses get the same answer; only the known one gets an e-mail.
	for _, email := range []string{"nobody@example.fr", "reset@example.fr"} {
		res := other.post("/mot-de-passe-oublie", url.Values{"csrf": {other.csrf("/mot-de-passe-oublie")}, "email": {email}})
		if res.StatusCode != 200 || !strings.Contains(res.body, "Si un compte existe avec cette adresse") {
			t.Errorf("%s: %d", email, res.StatusCode)
		}
	}
	var mails int
	if err := st.DB().Get(&mails, `SELECT count(*) FROM outbox_email`); err != nil || mails != 1 {
		t.Fatalf("e-mails: %d (%v), want 1", mails, err)
	}
	link := lastLink(t, st, "reset@example.fr")
	token := strings.TrimPrefix(link, "/reinitialiser?jeton=")
	if res := other.get(link); res.StatusCode != 200 || !strings.Contains(res.body, token) {
		t.Fatalf("reset page: %d", res.StatusCode)
	}
	const newPassword = "une toute nouvelle phrase"
	if res := other.post("/reinitialiser", url.Values{"csrf": {other.csrf(link)}, "jeton": {token}, "password": {"azertyuiop12"}, "password2": {"azertyuiop12"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("common password: %d", res.StatusCode)
	}
	if res := other.post("/reinitialiser", url.Values{"csrf": {other.csrf(link)}, "jeton": {token}, "password": {newPassword}, "password2": {newPassword}}); res.StatusCode != 200 || !strings.Contains(res.body, "mot de passe est changé") {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res := other.post("/reinitialiser", url.Values{"csrf": {other.csrf(link)}, "jeton": {token}, "password": {newPassword + "!"}, "password2": {newPassword + "!"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("reusing the link: %d, want 404", res.StatusCode)
	}
	if res := b.get("/"); strings.Contains(res.body, "Se déconnecter") {
		t.Error("the session opened before the reset is still alive")
	}
	fresh := newBrowser(t, app)
	fresh.login("reset@example.fr", newPassword)
}

// The outbox (working links, children's names) is readable on /dev/emails only in DEV_MODE,
// which production's configuration leaves off; not even an administrator reads it there.
func TestDevEmailsOnlyInDevelopment(t *testing.T) {
	if api.DefaultConfig().DevMode {
		t.Fatal("the production configuration shows the outbox")
	}
	app, st := newApp(t)
	createAccount(t, st, store.NewAccount{Email: "admin@example.fr", Role: store.RoleAdmin})
	if err := st.QueueEmailOf(context.Background(), store.EmailReset, "parent@example.fr", "Sujet", "Lien secret"); err != nil {
		t.Fatal(err)
	}
	if res := newBrowser(t, app).get("/dev/emails"); res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "Lien secret") {
		t.Errorf("production: %d, want 404", res.StatusCode)
	}
	admin := newBrowser(t, app)
	admin.login("admin@example.fr", goodPassword)
	if res := admin.get("/dev/emails"); res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "Lien secret") {
		t.Errorf("production, as an administrator: %d, want 404", res.StatusCode)
	}
	cfg := api.DefaultConfig()
	cfg.DevMode = true
	dev, devStore := newAppWith(t, cfg)
	if err := devStore.QueueEmailOf(context.Background(), store.EmailReset, "parent@example.fr", "Sujet", "Lien secret"); err != nil {
		t.Fatal(err)
	}
	if res := newBrowser(t, dev).get("/dev/emails"); res.StatusCode != 200 || !strings.Contains(res.body, "Lien secret") {
		t.Errorf("development: %d", res.StatusCode)
	}
}
