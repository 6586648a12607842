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
	done chan struct{}
}

// batchTimeout bounds one batch's transaction, whoever waits for it.
const batchTimeout = 30 * time.Second

// NewBooker returns a Booker over st with batches of at most maxBatch submissions.
func NewBooker(st *Store, p AllocationPolicy, maxBatch int) *Booker {
	b := &Booker{st: st, p: p, conn: keptConn{st: st}}
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

// Book is Store.Book, in the next batch. If ctx ends first, Book returns ctx's error; the
// booking may still be made, and the same idempotency key then replays its answer.
func (b *Booker) Book(ctx context.Context, accountID int64, key string, requestHash []byte, in BookingInput) (Booking, bool, error) {
	c := &waitingCall{BookingCall: BookingCall{AccountID: accountID, Key: key, Hash: requestHash, In: in}, done: make(chan struct{})}
	b.calls.add(c)
	select {
	case <-c.done:
		return c.Booking, c.Replayed, c.Err
	case <-ctx.Done():
		return Booking{}, false, ctx.Err()
	}
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
		b.conn.failed()
	}
	cancel()
	for _, c := range batch {
		close(c.done)
	}
}

// isCallError tells an answer refused for the call's own reasons from a failure of the batch.
func isCallError(err error) bool {
	for _, e := range []error{ErrNotFound, ErrInvalid, ErrIdempotencyMismatch, ErrConflict, ErrHubClosed, ErrFull} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
