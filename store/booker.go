package store

import (
	"context"
	"sync"
	"time"
)

// Booker answers concurrent booking submissions in batches. While a batch is in the database,
// the submissions that arrive wait and go together into the next one, so that at the morning
// rush one transaction (its round trips, its commit, one allocation) serves many families; a
// lone submission goes in at once, in a batch of its own. Two submissions of one account never
// share a batch nor run side by side: the second waits for the first and sees its answer.
type Booker struct {
	st *Store
	p  AllocationPolicy
	// MaxBatch caps a batch; MaxInFlight is how many batches run at once.
	maxBatch, maxInFlight int

	seats    sync.Mutex // held by a batch from its read of the seats left to its commit
	mu       sync.Mutex
	queue    []*waitingCall
	busy     map[int64]bool // accounts of the batches running
	inFlight int
}

type waitingCall struct {
	BookingCall
	done chan struct{}
}

// batchTimeout bounds one batch's transaction, whoever waits for it.
const batchTimeout = 30 * time.Second

// NewBooker returns a Booker over st: batches of at most maxBatch submissions, at most
// maxInFlight batches in the database at once.
func NewBooker(st *Store, p AllocationPolicy, maxBatch, maxInFlight int) *Booker {
	return &Booker{st: st, p: p, maxBatch: max(maxBatch, 1), maxInFlight: max(maxInFlight, 1), busy: map[int64]bool{}}
}

// Book is Store.Book, in the next batch. If ctx ends first, Book returns ctx's error; the
// booking may still be made, and the same idempotency key then replays its answer.
func (b *Booker) Book(ctx context.Context, accountID int64, key string, requestHash []byte, in BookingInput) (Booking, bool, error) {
	c := &waitingCall{BookingCall: BookingCall{AccountID: accountID, Key: key, Hash: requestHash, In: in}, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := b.inFlight < b.maxInFlight
	if start {
		b.inFlight++
	}
	b.mu.Unlock()
	if start {
		go b.drain()
	}
	select {
	case <-c.done:
		return c.Booking, c.Replayed, c.Err
	case <-ctx.Done():
		return Booking{}, false, ctx.Err()
	}
}

// drain runs batches until no submission can go in one.
func (b *Booker) drain() {
	for {
		batch := b.next()
		if len(batch) == 0 {
			return
		}
		calls := make([]*BookingCall, len(batch))
		for i, c := range batch {
			calls[i] = &c.BookingCall
		}
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		b.st.bookBatch(ctx, b.p, calls, &b.seats)
		cancel()
		b.mu.Lock()
		for _, c := range batch {
			delete(b.busy, c.AccountID)
		}
		b.mu.Unlock()
		for _, c := range batch {
			close(c.done)
		}
	}
}

// next takes the oldest submissions whose account is not in a running batch, up to maxBatch;
// when there are none it gives up its place among the running batches.
func (b *Booker) next() []*waitingCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	var batch []*waitingCall
	rest := b.queue[:0]
	for _, c := range b.queue {
		if len(batch) < b.maxBatch && !b.busy[c.AccountID] {
			b.busy[c.AccountID] = true
			batch = append(batch, c)
		} else {
			rest = append(rest, c)
		}
	}
	clear(b.queue[len(rest):])
	b.queue = rest
	if len(batch) == 0 {
		b.inFlight--
	}
	return batch
}
