package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store"
)

// TestOutboxPageShowsWhatWasSetAside: an e-mail the server refused until it was set aside is
// shown to the admin with the server's answer, beside the backlog; a director is refused.
func TestOutboxPageShowsWhatWasSetAside(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	createAccount(t, st, store.NewAccount{Email: "admin@example.fr", Role: store.RoleAdmin})
	createAccount(t, st, store.NewAccount{Email: "dir@example.fr", Role: store.RoleDirector})
	for _, to := range []string{"inconnu@example.fr", "attend@example.fr"} {
		if err := st.QueueEmail(ctx, to, "Votre réservation", "Corps"); err != nil {
			t.Fatal(err)
		}
	}
	p := store.DefaultOutboxPolicy()
	p.MaxRefusals = 1
	msgs, err := st.ClaimEmails(ctx, p, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("claimed %d (%v)", len(msgs), err)
	}
	var ds []store.Delivery
	for _, m := range msgs {
		if m.To == "inconnu@example.fr" {
			ds = append(ds, store.Delivery{Message: m, Result: store.Refused, Error: "550 5.1.1 no such user"})
		} else {
			ds = append(ds, store.Delivery{Message: m, Result: store.NotTried})
		}
	}
	if _, err := st.RecordDeliveries(ctx, p, ds); err != nil {
		t.Fatal(err)
	}
	admin := newBrowser(t, app)
	admin.login("admin@example.fr", goodPassword)
	res := admin.get("/courriels")
	if res.StatusCode != 200 {
		t.Fatalf("page: %d", res.StatusCode)
	}
	for _, want := range []string{"inconnu@example.fr", "550 5.1.1 no such user", "1 e-mails en attente", "1 mis de côté"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(res.body, "attend@example.fr") {
		t.Error("an e-mail still in the queue is listed as set aside")
	}
	var logged int
	if err := st.DB().Get(&logged, `SELECT count(*) FROM audit_log WHERE action = 'outbox.view'`); err != nil || logged != 1 {
		t.Errorf("reading the page was logged %d times (%v)", logged, err)
	}
	dir := newBrowser(t, app)
	dir.login("dir@example.fr", goodPassword)
	if res := dir.get("/courriels"); res.StatusCode != 403 && res.StatusCode != 404 {
		t.Errorf("a director reached the page: %d", res.StatusCode)
	}
}
