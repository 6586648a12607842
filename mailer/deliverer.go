package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// Deliverer empties the outbox: it claims a batch (store.ClaimEmails, shared safely with other
// processes), sends it over the sender's connections at once, and records the results in one
// statement. A server that cannot be reached costs no attempt: the batch is handed back and the
// deliverer waits a little longer each time before trying again.
type Deliverer struct {
	st     *store.Store
	send   Sender
	policy store.OutboxPolicy
	batch  int
	log    *slog.Logger
	// clock measures how long a claimed batch has been held (monotonic; not the store's clock,
	// which tests stop).
	clock func() time.Time
	// busy, when set, says that bookings are waiting (see YieldTo).
	busy     func() bool
	maxDefer time.Duration
}

// NewDeliverer delivers st's outbox with send, claiming up to batch messages at a time.
func NewDeliverer(st *store.Store, send Sender, p store.OutboxPolicy, batch int, log *slog.Logger) *Deliverer {
	return &Deliverer{st: st, send: send, policy: p, batch: max(batch, 1), log: log, clock: time.Now}
}

// YieldTo makes the deliverer give way to the work that matters more at the rush: while busy
// says so (bookings are waiting for the database), a round starts only once maxDefer has passed
// since the last one ended. A family's confirmation can wait a few seconds more; its booking cannot.
// The outbox keeps everything, and catches up at full speed when busy no longer holds. busy is
// called from the deliverer's goroutine only, every few tens of milliseconds while it yields.
func (d *Deliverer) YieldTo(busy func() bool, maxDefer time.Duration) {
	d.busy, d.maxDefer = busy, maxDefer
}

// deferRound waits while the deliverer yields (see YieldTo): until busy no longer holds, or
// maxDefer has passed since last, or ctx ends.
func (d *Deliverer) deferRound(ctx context.Context, last time.Time) {
	const step = 50 * time.Millisecond
	for d.busy != nil && d.busy() && d.clock().Sub(last) < d.maxDefer {
		select {
		case <-ctx.Done():
			return
		case <-time.After(step):
		}
	}
}

// Round is what one claim-send-record round did.
type Round struct {
	Messages, Emails   int // claimed (an e-mail merged with others is one message)
	Delivered, Failed  int // messages
	NotTried, SetAside int // messages; e-mails
	DeliveredEmails    int
	Unreachable        bool
}

// Run delivers until ctx ends, then closes the sender. It never stops on an error: it logs it
// and tries again later.
func (d *Deliverer) Run(ctx context.Context, idle time.Duration) {
	defer d.send.Close()
	pause := time.Duration(0)
	down := false
	last := d.clock()
	for ctx.Err() == nil {
		d.deferRound(ctx, last)
		if ctx.Err() != nil {
			break
		}
		r, err := d.safeRound(ctx)
		last = d.clock() // a round may take a while at the rush: the deferral starts at its end
		switch {
		case err != nil:
			if ctx.Err() == nil {
				d.log.Error("outbox", slog.Any("error", err))
			}
			pause = idle
		case r.Unreachable:
			// The error text names the server only; messages are not logged one by one.
			if !down {
				d.log.Error("mail server unreachable, e-mails kept in the outbox", slog.Int("messages", r.NotTried))
			}
			down = true
			pause = min(max(2*pause, 100*time.Millisecond), 2*time.Second)
		case r.Emails < d.batch:
			// Less than a batch was due: the outbox is empty for now. Waiting before the next
			// claim gathers what comes meanwhile into one round, instead of a round, a claim and
			// an update for every few e-mails as they become due (at the rush, the outbox then
			// took a third of the database's time).
			pause = idle
		default:
			pause = 0
		}
		if down && !r.Unreachable && err == nil && r.Messages > 0 {
			d.log.Info("mail server reachable again")
			down = false
		}
		if pause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
		}
	}
}

// safeRound is Round, with a panic turned into an error so that the loop goes on.
func (d *Deliverer) safeRound(ctx context.Context) (r Round, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in outbox round: %v", p)
		}
	}()
	return d.Round(ctx)
}

// Round claims one batch, sends it over every connection at once and records what happened.
// A message is not started once half the claim's lease has gone by (it is handed back), so that
// nobody else can have claimed it meanwhile.
func (d *Deliverer) Round(ctx context.Context) (Round, error) {
	msgs, err := d.st.ClaimEmails(ctx, d.policy, d.batch)
	if err != nil || len(msgs) == 0 {
		return Round{}, err
	}
	claimed := d.clock()
	results := make([]store.Delivery, len(msgs))
	var unreachable sync.Once
	stop := make(chan struct{}) // closed when the server is unreachable: hand back the rest
	next := make(chan int)
	var wg sync.WaitGroup
	for slot := range min(d.send.Conns(), len(msgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = store.Delivery{Message: msgs[i], Result: store.NotTried}
				select {
				case <-stop:
					continue
				default:
				}
				if d.clock().Sub(claimed) > d.policy.Lease/2 {
					continue
				}
				err := d.send.Send(slot, msgs[i])
				results[i] = d.result(msgs[i], err)
				if errors.Is(err, ErrUnreachable) {
					unreachable.Do(func() { close(stop) })
				}
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
	// The results are written even when ctx has ended: what the server took must be marked sent.
	setAside, err := d.st.RecordDeliveries(context.WithoutCancel(ctx), d.policy, results)
	r := Round{Messages: len(msgs), SetAside: setAside}
	select {
	case <-stop:
		r.Unreachable = true
	default:
	}
	for _, res := range results {
		r.Emails += len(res.Message.Members)
		switch res.Result {
		case store.Delivered:
			r.Delivered++
			r.DeliveredEmails += len(res.Message.Members)
		case store.NotTried:
			r.NotTried++
		default:
			r.Failed++
		}
	}
	return r, err
}

// result is the outcome of sending m. A failure is logged with the outbox id, kind and SMTP
// code only: the server's answer often repeats the address, and goes to the admin's page.
func (d *Deliverer) result(m store.Outgoing, err error) store.Delivery {
	if err == nil {
		return store.Delivery{Message: m, Result: store.Delivered}
	}
	if errors.Is(err, ErrUnreachable) {
		return store.Delivery{Message: m, Result: store.NotTried}
	}
	code := replyCode(err)
	res := store.Failed
	if code >= 500 {
		res = store.Refused
	}
	d.log.Warn("e-mail not delivered, will be retried or set aside", slog.Int64("outbox_id", m.ID),
		slog.String("kind", string(m.Kind)), slog.Int("emails", len(m.Members)), slog.Int("attempts", m.Attempts+1),
		slog.Int("smtp_code", code))
	return store.Delivery{Message: m, Result: res, Error: err.Error()}
}
