package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func TestOutboxDeliversAndRetries(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	ctx := context.Background()
	for _, to := range []string{"a@example.fr", "b@example.fr"} {
		if err := st.QueueEmail(ctx, to, "Sujet é", "Corps"); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	send := func(e store.Email) error {
		if e.To == "b@example.fr" && len(got) < 5 {
			got = append(got, "fail:"+e.To)
			return errors.New("relay down")
		}
		got = append(got, e.To)
		return nil
	}
	n, err := st.DeliverEmails(ctx, 10, send)
	if err != nil || n != 1 {
		t.Fatalf("first round: sent %d (%v), log %v", n, err, got)
	}
	// The failed one waits before its retry.
	if n, _ := st.DeliverEmails(ctx, 10, send); n != 0 {
		t.Errorf("retried at once: %d", n)
	}
	now = now.Add(2 * time.Minute)
	got = append(got, "x", "x", "x") // let the next attempt succeed
	if n, err := st.DeliverEmails(ctx, 10, send); err != nil || n != 1 {
		t.Fatalf("after the delay: %d (%v)", n, err)
	}
	var pending int
	if err := st.DB().Get(&pending, `SELECT count(*) FROM outbox_email WHERE sent_at IS NULL`); err != nil || pending != 0 {
		t.Errorf("pending: %d (%v)", pending, err)
	}
}
