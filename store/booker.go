package store

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Booker answers concurrent booking submissions in batches (see batcher): one set of reads,
// one allocation and one write (see Store.BookBatch) serve many families. Two submissions of one account
// never share a batch: the second goes into the next and sees the first's answer.
type Booker struct {
	st    *Store
	p     AllocationPolicy
	calls batcher[*waitingCall]
	conn  keptConn // batches run on a connection of their own (see ownConn)
}

type waitingCall struct {
	BookingCall
	waiter
}

func (c *waitingCall) fail(err error) { c.reply(func() { c.Err = err }) }

// DefaultBookingQueue is how many booking submissions may wait beyond a full batch by default:
// the api admits at most a batch (64) plus these at once per process, counted from their arrival
// (api's admitBookings), and refuses the others at once (503, Retry-After). Measured with
// bench-rush (two processes behind HAProxy, 640 clients, README): with 256 waiting, admitted
// bookings took p50 340 ms, p99 1.36 s; with 64, p99 330–700 ms; with 32, the rate held (102 %
// of the 64-client run) and p99 was 162 ms against 81 ms at 64 clients; with 16, the 64-client
// run itself was refused in bursts and lost a fifth of its rate. An admitted parent gets an
// answer in a fraction of a second, the next batch is always full, and the rest are told at
// once to come back rather than all waiting longer.
const DefaultBookingQueue = 32

// batchTimeout bounds one batch's transaction, whoever waits for it.
const batchTimeout = 30 * time.Second

// NewBooker returns a Booker over st with batches of at most maxBatch submissions, and at most
// maxWaiting submissions waiting for a batch (≤ 0: DefaultBookingQueue).
func NewBooker(st *Store, p AllocationPolicy, maxBatch, maxWaiting int) *Booker {
	if maxWaiting <= 0 {
		maxWaiting = DefaultBookingQueue
	}
	b := &Booker{st: st, p: p, conn: keptConn{st: st}}
	b.calls.max = maxWaiting
	b.calls.reset = b.conn.release
	b.calls.take = func(waiting []*waitingCall) (batch, rest []*waitingCall) {
		in := map[int64]bool{}
		rest = waiting[:0]
		for _, c := range waiting {
			if len(batch) < max(maxBatch, 1) && !in[c.AccountID] {
				in[c.AccountID] = true
				batch = append(batch, c)
			} else {
				rest = append(rest, c)
			}
		}
		clear(waiting[len(rest):])
		return batch, rest
	}
	b.calls.do = b.run
	return b
}

// Book is Store.Book, in the next batch. It returns ErrOverloaded at once when too many
// submissions wait already, or after Close. If ctx ends first, Book returns ctx's error: the
// submission is dropped if its batch was not taken yet; otherwise the booking may still be
// made, and the same idempotency key then replays its answer.
func (b *Booker) Book(ctx context.Context, accountID int64, key string, requestHash []byte, in BookingInput) (Booking, bool, error) {
	c := &waitingCall{BookingCall: BookingCall{AccountID: accountID, Key: key, Hash: requestHash, In: in}, waiter: newWaiter(ctx)}
	if err := b.calls.add(c); err != nil {
		return Booking{}, false, err
	}
	if err := c.wait(); err != nil {
		return Booking{}, false, err
	}
	return c.Booking, c.Replayed, c.Err
}

func (b *Booker) run(batch []*waitingCall) {
	calls := make([]*BookingCall, len(batch))
	for i, c := range batch {
		calls[i] = &c.BookingCall
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	// A batch failing otherwise than for its calls' reasons gives its connection back (the
	// database may have dropped it) and runs once more on another: its write is all or
	// nothing, and a write that did commit replays from the keys it stored.
	for attempt := 0; attempt < 2; attempt++ {
		b.conn.store(ctx).BookBatch(ctx, b.p, calls)
		if !slices.ContainsFunc(calls, func(c *BookingCall) bool { return c.Err != nil && !isCallError(c.Err) }) {
			break
		}
		b.conn.release()
	}
	cancel()
	for _, c := range batch {
		c.reply(func() {})
	}
}

// Close refuses new submissions (ErrOverloaded), answers those waiting, then gives back the
// Booker's connection. Submissions waiting whose caller has not left are still run.
func (b *Booker) Close() {
	b.calls.close()
	b.conn.release()
}

// Queue tells how many submissions wait for a batch, and how many were refused or dropped.
func (b *Booker) Queue() QueueStats { return b.calls.stats() }

// isCallError tells an answer refused for the call's own reasons from a failure of the batch.
func isCallError(err error) bool {
	for _, e := range []error{ErrNotFound, ErrInvalid, ErrIdempotencyMismatch, ErrConflict, ErrHubClosed, ErrFull} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
