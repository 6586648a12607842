package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/mailer/mailsink"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// outboxRig is a test database's outbox, a real SMTP sink and a deliverer between them; the
// store's clock moves only when the test says.
type outboxRig struct {
	st     *store.Store
	sink   *mailsink.Sink
	policy store.OutboxPolicy
	now    time.Time
	log    *strings.Builder
	mu     sync.Mutex // guards log
}

func newOutboxRig(t *testing.T, opt mailsink.Options) *outboxRig {
	t.Helper()
	r := &outboxRig{now: pgtest.Now(), policy: store.DefaultOutboxPolicy(), log: &strings.Builder{}}
	r.st = pgtest.NewStore(t).WithClock(func() time.Time { return r.now })
	sink, err := mailsink.Start("127.0.0.1:0", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sink.Stop)
	r.sink = sink
	return r
}

func (r *outboxRig) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.Write(p)
}

func (r *outboxRig) deliverer(t *testing.T, conns int) *Deliverer {
	t.Helper()
	s, err := New("smtp://"+r.sink.Addr()+"?from=accueil@example.fr", conns, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return NewDeliverer(r.st, s, r.policy, 100, slog.New(slog.NewJSONHandler(r, nil)))
}

func (r *outboxRig) queue(t *testing.T, to ...string) {
	t.Helper()
	for _, a := range to {
		if err := r.st.QueueEmail(context.Background(), a, "Sujet", "Corps pour "+a); err != nil {
			t.Fatal(err)
		}
	}
}

// once checks that the sink got exactly one message for each address, and nothing else.
func (r *outboxRig) once(t *testing.T, to ...string) {
	t.Helper()
	got := map[string]int{}
	for _, m := range r.sink.Received() {
		got[m.To]++
	}
	for _, a := range to {
		if got[a] != 1 {
			t.Errorf("%s received %d times", a, got[a])
		}
		delete(got, a)
	}
	if len(got) > 0 {
		t.Errorf("unexpected messages: %v", got)
	}
}

func (r *outboxRig) pending(t *testing.T) store.OutboxQueue {
	t.Helper()
	q, err := r.st.OutboxQueue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// The mail server is down: nothing is lost, no attempt is counted against the e-mails, and
// they all leave, once each, as soon as the server is back (not minutes later).
func TestDeliveryOutlivesADeadServer(t *testing.T) {
	r := newOutboxRig(t, mailsink.Options{})
	d := r.deliverer(t, 3)
	to := []string{"a@example.fr", "b@example.fr", "c@example.fr", "d@example.fr", "e@example.fr"}
	r.queue(t, to...)
	ctx := context.Background()
	r.sink.Stop()
	round, err := d.Round(ctx)
	if err != nil || !round.Unreachable || round.Delivered != 0 || round.NotTried != 5 {
		t.Fatalf("server down: %+v (%v)", round, err)
	}
	var attempts int
	if err := r.st.DB().Get(&attempts, `SELECT max(attempts) FROM outbox_email`); err != nil || attempts != 0 {
		t.Errorf("attempts counted while the server was down: %d (%v)", attempts, err)
	}
	if q := r.pending(t); q.Pending != 5 {
		t.Errorf("queue %+v", q)
	}
	if err := r.sink.Resume(); err != nil {
		t.Fatal(err)
	}
	round, err = d.Round(ctx)
	if err != nil || round.Delivered != 5 {
		t.Fatalf("server back: %+v (%v)", round, err)
	}
	r.once(t, to...)
	if q := r.pending(t); q.Pending != 0 {
		t.Errorf("queue %+v", q)
	}
	// Killed again between two rounds: the idle connections are found dead, opened again.
	r.queue(t, "f@example.fr")
	r.sink.Stop()
	if err := r.sink.Resume(); err != nil {
		t.Fatal(err)
	}
	if round, err = d.Round(ctx); err != nil || round.Delivered != 1 {
		t.Fatalf("after a restart: %+v (%v)", round, err)
	}
	r.once(t, append(to, "f@example.fr")...)
}

// The server refuses some recipients, for good (550) or for now (452): the others leave on the
// same, kept connection; the one refused for now leaves on a later attempt, after a wait; the
// one refused for good is set aside after a few attempts and shown with its error; the log
// holds no address.
func TestDeliveryWithRefusedRecipients(t *testing.T) {
	var mu sync.Mutex
	full := 0
	r := newOutboxRig(t, mailsink.Options{Refuse: func(to string) string {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case to == "inconnu@example.fr":
			return "550 5.1.1 <inconnu@example.fr>: no such user"
		case to == "plein@example.fr" && full < 1:
			full++
			return "452 4.2.2 <plein@example.fr>: mailbox full"
		}
		return ""
	}})
	d := r.deliverer(t, 1)
	ctx := context.Background()
	r.queue(t, "a@example.fr", "inconnu@example.fr", "plein@example.fr", "b@example.fr")
	round, err := d.Round(ctx)
	if err != nil || round.Delivered != 2 || round.Failed != 2 {
		t.Fatalf("first round: %+v (%v)", round, err)
	}
	if n := r.sink.Connections(); n != 1 {
		t.Errorf("%d connections for one round on one slot: the refusals dropped it", n)
	}
	if round, _ := d.Round(ctx); round.Messages != 0 {
		t.Errorf("retried at once: %+v", round)
	}
	for range r.policy.MaxRefusals - 1 {
		r.now = r.now.Add(r.policy.MaxRetry)
		if _, err := d.Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.now = r.now.Add(r.policy.MaxRetry)
	if round, _ := d.Round(ctx); round.Messages != 0 {
		t.Errorf("a set-aside e-mail was tried again: %+v", round)
	}
	r.once(t, "a@example.fr", "b@example.fr", "plein@example.fr")
	aside, err := r.st.SetAsideEmails(ctx, 10)
	if err != nil || len(aside) != 1 || aside[0].To != "inconnu@example.fr" || !strings.Contains(aside[0].LastError, "550") {
		t.Fatalf("set aside: %+v (%v)", aside, err)
	}
	if q := r.pending(t); q.Pending != 0 || q.SetAside != 1 {
		t.Errorf("queue %+v", q)
	}
	log := r.log.String()
	if !strings.Contains(log, `"smtp_code":550`) || !strings.Contains(log, `"smtp_code":452`) {
		t.Errorf("the log does not say what failed: %s", log)
	}
	for _, secret := range []string{"example.fr", "inconnu", "Corps"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q: %s", secret, log)
		}
	}
}

// A slow server (one message held as long as the test likes) does not hold the others: they
// leave on the other connections meanwhile, and every message leaves once.
func TestDeliveryAroundASlowServer(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan mailsink.Message, 100)
	r := newOutboxRig(t, mailsink.Options{Arrived: arrived, Gate: func(to string) <-chan struct{} {
		if to == "lent@example.fr" {
			return release
		}
		return nil
	}})
	var to []string
	r.queue(t, "lent@example.fr")
	for i := range 20 {
		to = append(to, fmt.Sprintf("p%d@example.fr", i))
	}
	r.queue(t, to...)
	d := r.deliverer(t, 3)
	done := make(chan Round)
	go func() {
		round, err := d.Round(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- round
	}()
	for range to {
		if m := <-arrived; m.To == "lent@example.fr" {
			t.Fatal("the slow message was accepted before it was released")
		}
	}
	close(release)
	if round := <-done; round.Delivered != 21 {
		t.Errorf("round %+v", round)
	}
	r.once(t, append(to, "lent@example.fr")...)
}

// Two deliverers (two processes) share the outbox: every e-mail is received exactly once.
func TestTwoDeliverersSendEachEmailOnce(t *testing.T) {
	r := newOutboxRig(t, mailsink.Options{})
	var to []string
	for i := range 300 {
		to = append(to, fmt.Sprintf("p%d@example.fr", i))
	}
	r.queue(t, to...)
	var wg sync.WaitGroup
	for range 2 {
		d := r.deliverer(t, 3)
		d.batch = 20
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				round, err := d.Round(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if round.Messages == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	r.once(t, to...)
}

// A family's booking e-mails of the window reach the family as one message listing them all.
func TestDeliveryMergesAFamilysEmails(t *testing.T) {
	r := newOutboxRig(t, mailsink.Options{})
	d := r.deliverer(t, 2)
	ctx := context.Background()
	for i, line := range []string{"place proposée à École A", "annulé", "liste d'attente"} {
		body := fmt.Sprintf("Bonjour,\n\n- Léa, le 0%d/12/2026 : %s.\n\nRetrouvez vos réservations.\n\n---\n\nHello,\n\n- Léa, on 0%d/12/2026: done.\n\nSee your bookings.\n", i+1, line, i+1)
		if err := r.st.QueueEmailOf(ctx, store.EmailBooking, "famille@example.fr", "Réservation", body); err != nil {
			t.Fatal(err)
		}
	}
	if round, _ := d.Round(ctx); round.Messages != 0 {
		t.Fatalf("sent before the window was over: %+v", round)
	}
	r.now = r.now.Add(r.policy.GroupWindow)
	round, err := d.Round(ctx)
	if err != nil || round.Delivered != 1 || round.DeliveredEmails != 3 {
		t.Fatalf("round %+v (%v)", round, err)
	}
	got := r.sink.Received()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	r.once(t, "famille@example.fr")
	for _, want := range []string{"01/12/2026 : place propos", "02/12/2026 : annul", "03/12/2026 : liste d'attente", "03/12/2026: done"} {
		if !strings.Contains(strings.ReplaceAll(got[0].Data, "=\r\n", ""), want) {
			t.Errorf("the message lacks %q:\n%s", want, got[0].Data)
		}
	}
}

// While bookings wait (YieldTo's busy), the deliverer starts no round before its deferral is
// over; once they no longer wait, the e-mails leave at once: deferred, never lost.
func TestDeliveryGivesWayToBookings(t *testing.T) {
	r := newOutboxRig(t, mailsink.Options{})
	d := r.deliverer(t, 1)
	var busy sync.Mutex // held: bookings are waiting
	busy.Lock()
	d.YieldTo(func() bool {
		if busy.TryLock() {
			busy.Unlock()
			return false
		}
		return true
	}, time.Hour)
	r.queue(t, "famille@example.fr")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx, 10*time.Millisecond)
	}()
	time.Sleep(300 * time.Millisecond) // many idle rounds' worth
	if n := len(r.sink.Received()); n != 0 {
		t.Fatalf("%d messages sent while bookings were waiting", n)
	}
	busy.Unlock()
	for len(r.sink.Received()) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	r.once(t, "famille@example.fr")
}
