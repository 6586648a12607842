package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// deliverAll claims and records as delivered until nothing is due, and returns what it claimed.
func deliverAll(t *testing.T, st *store.Store, p store.OutboxPolicy, batch int) []store.Outgoing {
	t.Helper()
	ctx := context.Background()
	var all []store.Outgoing
	for {
		msgs, err := st.ClaimEmails(ctx, p, batch)
		if err != nil {
			t.Error(err)
			return all
		}
		if len(msgs) == 0 {
			return all
		}
		var ds []store.Delivery
		for _, m := range msgs {
			ds = append(ds, store.Delivery{Message: m, Result: store.Delivered})
		}
		if _, err := st.RecordDeliveries(ctx, p, ds); err != nil {
			t.Error(err)
			return all
		}
		all = append(all, msgs...)
	}
}

func TestOutboxDeliversAndRetries(t *testing.T) {
	now := pgtest.Now()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	ctx := context.Background()
	p := store.DefaultOutboxPolicy()
	for _, to := range []string{"a@example.fr", "b@example.fr"} {
		if err := st.QueueEmail(ctx, to, "Sujet é", "Corps"); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := st.ClaimEmails(ctx, p, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("claimed %d (%v)", len(msgs), err)
	}
	// Claimed: nobody else gets them while the lease runs.
	if again, _ := st.ClaimEmails(ctx, p, 10); len(again) != 0 {
		t.Fatalf("claimed twice: %v", again)
	}
	ds := []store.Delivery{{Message: msgs[0], Result: store.Delivered}, {Message: msgs[1], Result: store.Failed, Error: "451 try later"}}
	if _, err := st.RecordDeliveries(ctx, p, ds); err != nil {
		t.Fatal(err)
	}
	// The failed one waits before its retry, and longer after each failure.
	if again, _ := st.ClaimEmails(ctx, p, 10); len(again) != 0 {
		t.Errorf("retried at once: %v", again)
	}
	now = now.Add(p.FirstRetry)
	again, err := st.ClaimEmails(ctx, p, 10)
	if err != nil || len(again) != 1 || again[0].To != "b@example.fr" || again[0].Attempts != 1 {
		t.Fatalf("after the delay: %+v (%v)", again, err)
	}
	if _, err := st.RecordDeliveries(ctx, p, []store.Delivery{{Message: again[0], Result: store.Failed, Error: "451 try later"}}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(p.FirstRetry)
	if early, _ := st.ClaimEmails(ctx, p, 10); len(early) != 0 {
		t.Errorf("the second retry did not wait twice as long: %v", early)
	}
	now = now.Add(p.FirstRetry)
	if got := deliverAll(t, st, p, 10); len(got) != 1 {
		t.Errorf("last retry: %v", got)
	}
	q, err := st.OutboxQueue(ctx)
	if err != nil || q.Pending != 0 || q.SetAside != 0 {
		t.Errorf("queue %+v (%v)", q, err)
	}
}

// Two processes (two stores, two pools) claim the same outbox at once: every e-mail is claimed
// by exactly one of them, and all are sent.
func TestOutboxClaimsAreSharedWithoutDuplicates(t *testing.T) {
	url := pgtest.URL(t)
	var stores []*store.Store
	for range 2 {
		db, err := sqlx.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores = append(stores, store.New(db).WithClock(pgtest.Now))
	}
	const n = 3000
	if _, err := stores[0].DB().Exec(`INSERT INTO outbox_email (to_address, subject, body_text, created_at, next_attempt_at)
		SELECT 'p' || i || '@example.fr', 'Sujet', 'Corps', $1, $1 FROM generate_series(1, $2) AS i`, pgtest.Now(), n); err != nil {
		t.Fatal(err)
	}
	p := store.DefaultOutboxPolicy()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := deliverAll(t, stores[w%2], p, 40)
			mu.Lock()
			defer mu.Unlock()
			for _, m := range got {
				for _, id := range m.Members {
					seen[id]++
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d e-mails claimed of %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("e-mail %d claimed %d times", id, k)
		}
	}
	q, err := stores[1].OutboxQueue(context.Background())
	if err != nil || q.Pending != 0 {
		t.Errorf("queue %+v (%v)", q, err)
	}
}

// A family's booking e-mails of the window go out as one message listing every change; other
// kinds of e-mail (a password reset) go at once and alone.
func TestOutboxGroupsAFamilysEmails(t *testing.T) {
	now := pgtest.Now()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	ctx := context.Background()
	p := store.DefaultOutboxPolicy()
	body := func(fr, en string) string {
		return "Bonjour,\n\n" + fr + "\n\nRetrouvez vos réservations dans « Mes réservations ».\n\n---\n\nHello,\n\n" + en + "\n\nSee your bookings under “My bookings”.\n"
	}
	queue := func(kind store.EmailKind, to, subject, b string) {
		t.Helper()
		if err := st.QueueEmailOf(ctx, kind, to, subject, b); err != nil {
			t.Fatal(err)
		}
	}
	queue(store.EmailBooking, "famille@example.fr", "Réservation", body("- Léa, le 08/12/2026 : place proposée à École A.", "- Léa, on 08/12/2026: seat proposed at École A."))
	queue(store.EmailReset, "famille@example.fr", "Mot de passe", "lien")
	now = now.Add(p.GroupWindow / 2)
	queue(store.EmailCancellation, "famille@example.fr", "Annulation", body("- Léa, le 08/12/2026 : annulé.", "- Léa, on 08/12/2026: cancelled."))
	queue(store.EmailSeatsChanged, "famille@example.fr", "Changement", body("- Tom, le 09/12/2026 : liste d'attente.", "- Tom, on 09/12/2026: waitlist."))
	queue(store.EmailBooking, "autre@example.fr", "Réservation", body("- Zoé, le 08/12/2026 : place proposée à École B.", "- Zoé, on 08/12/2026: seat proposed at École B."))

	first := deliverAll(t, st, p, 10)
	if len(first) != 1 || first[0].Kind != store.EmailReset {
		t.Fatalf("before the window is over: %+v", first)
	}
	now = now.Add(p.GroupWindow / 2)
	got := deliverAll(t, st, p, 10)
	if len(got) != 1 || got[0].To != "famille@example.fr" || len(got[0].Members) != 3 {
		t.Fatalf("at the end of the family's window: %+v", got)
	}
	m := got[0].Body
	fr, en, _ := strings.Cut(m, "---")
	for _, want := range []string{"- Léa, le 08/12/2026 : place proposée à École A.\n- Léa, le 08/12/2026 : annulé.\n- Tom, le 09/12/2026 : liste d'attente."} {
		if !strings.Contains(fr, want) {
			t.Errorf("French half lacks %q:\n%s", want, m)
		}
	}
	if !strings.Contains(en, "- Léa, on 08/12/2026: seat proposed at École A.\n- Léa, on 08/12/2026: cancelled.\n- Tom, on 09/12/2026: waitlist.") {
		t.Errorf("English half:\n%s", m)
	}
	if strings.Count(m, "Bonjour") != 1 || strings.Contains(m, "Zoé") {
		t.Errorf("merged body:\n%s", m)
	}
	now = now.Add(p.GroupWindow / 2)
	last := deliverAll(t, st, p, 10)
	if len(last) != 1 || last[0].To != "autre@example.fr" || len(last[0].Members) != 1 || last[0].Subject != "Réservation" {
		t.Fatalf("the other family: %+v", last)
	}
	var sent []int64
	if err := st.DB().Select(&sent, `SELECT id FROM outbox_email WHERE sent_at IS NOT NULL ORDER BY id`); err != nil || len(sent) != 5 {
		t.Errorf("sent %v (%v)", sent, err)
	}
	if !slices.IsSorted(got[0].Members) {
		t.Errorf("members %v", got[0].Members)
	}
}

// An e-mail that keeps failing is set aside after the policy's attempts, at once after a few
// refusals, and is no longer tried; the admin reads it with its last error.
func TestOutboxSetsAsideWhatKeepsFailing(t *testing.T) {
	now := pgtest.Now()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	ctx := context.Background()
	p := store.DefaultOutboxPolicy()
	for _, to := range []string{"inconnu@example.fr", "plein@example.fr"} {
		if err := st.QueueEmail(ctx, to, "Sujet", "Corps"); err != nil {
			t.Fatal(err)
		}
	}
	for round := 1; round <= p.MaxAttempts; round++ {
		msgs, err := st.ClaimEmails(ctx, p, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ds []store.Delivery
		for _, m := range msgs {
			if m.To == "inconnu@example.fr" {
				ds = append(ds, store.Delivery{Message: m, Result: store.Refused, Error: "550 5.1.1 <inconnu@example.fr>: no such user"})
			} else {
				ds = append(ds, store.Delivery{Message: m, Result: store.Failed, Error: "452 4.2.2 mailbox full"})
			}
		}
		if _, err := st.RecordDeliveries(ctx, p, ds); err != nil {
			t.Fatal(err)
		}
		want := 2
		if round > p.MaxRefusals {
			want = 1
		}
		if len(msgs) != want {
			t.Errorf("round %d: %d tried, want %d", round, len(msgs), want)
		}
		now = now.Add(p.MaxRetry)
	}
	if again, _ := st.ClaimEmails(ctx, p, 10); len(again) != 0 {
		t.Errorf("tried after being set aside: %+v", again)
	}
	aside, err := st.SetAsideEmails(ctx, 10)
	if err != nil || len(aside) != 2 {
		t.Fatalf("set aside: %+v (%v)", aside, err)
	}
	if aside[1].To != "inconnu@example.fr" || aside[1].Attempts != p.MaxRefusals || !strings.HasPrefix(aside[1].LastError, "550") {
		t.Errorf("refused one: %+v", aside[1])
	}
	if aside[0].To != "plein@example.fr" || aside[0].Attempts != p.MaxAttempts || !strings.HasPrefix(aside[0].LastError, "452") {
		t.Errorf("failing one: %+v", aside[0])
	}
	if q, err := st.OutboxQueue(ctx); err != nil || q.Pending != 0 || q.SetAside != 2 {
		t.Errorf("queue %+v (%v)", q, err)
	}
}

// The claim finds due e-mails in two partial indexes, one for the kinds grouped by family and
// one for the others (migration 0021): both must name exactly the kinds the code groups, or an
// e-mail of a kind in neither would never be claimed.
func TestOutboxIndexesNameTheGroupedKinds(t *testing.T) {
	st := pgtest.NewStore(t)
	var kinds []string
	if err := st.DB().Select(&kinds, `SELECT unnest(enum_range(NULL::email_kind))::text`); err != nil {
		t.Fatal(err)
	}
	for _, index := range []struct {
		name    string
		grouped bool
	}{{"outbox_email_due_idx", false}, {"outbox_email_grouped_idx", true}} {
		var pred string
		if err := st.DB().Get(&pred, `SELECT COALESCE(pg_get_expr(indpred, indrelid), '') FROM pg_index WHERE indexrelid = $1::regclass`, index.name); err != nil || pred == "" {
			t.Fatalf("%s: not a partial index (%v)", index.name, err)
		}
		for _, kind := range kinds {
			// The index's condition, for a pending e-mail of this kind.
			var covered bool
			if err := st.DB().Get(&covered, `SELECT `+pred+` FROM (SELECT NULL::timestamptz AS sent_at, NULL::timestamptz AS set_aside_at, $1::email_kind AS kind) AS pending`, kind); err != nil {
				t.Fatalf("%s: %v", index.name, err)
			}
			if want := slices.Contains(store.GroupedKinds, kind) == index.grouped; covered != want {
				t.Errorf("%s covers %s: %v, want %v", index.name, kind, covered, want)
			}
		}
	}
}
