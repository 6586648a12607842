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
//
// Batches run as a pipeline of two stages: while one batch takes its seats (from its read of
// the seats left to its commit, one batch at a time), the next gathers the submissions that
// arrived, claims their keys and records their requests.
type Booker struct {
	st *Store
	p  AllocationPolicy
	// maxBatch caps a batch; maxInFlight is how many batches may be under way at once.
	maxBatch, maxInFlight int

	seats     sync.Mutex // held by a batch from its read of the seats left to its commit
	mu        sync.Mutex
	queue     []*waitingCall
	busy      map[int64]bool // accounts of the batches under way
	running   int            // batches under way
	gathering bool           // a batch is in its first stage
}

type waitingCall struct {
	BookingCall
	done chan struct{}
}

// batchTimeout bounds one batch's transaction, whoever waits for it.
const batchTimeout = 30 * time.Second

// NewBooker returns a Booker over st: batches of at most maxBatch submissions, at most
// maxInFlight batches under way at once (2 lets one gather while another takes its seats).
func NewBooker(st *Store, p AllocationPolicy, maxBatch, maxInFlight int) *Booker {
	return &Booker{st: st, p: p, maxBatch: max(maxBatch, 1), maxInFlight: max(maxInFlight, 1), busy: map[int64]bool{}}
}

// Book is Store.Book, in the next batch. If ctx ends first, Book returns ctx's error; the
// booking may still be made, and the same idempotency key then replays its answer.
func (b *Booker) Book(ctx context.Context, accountID int64, key string, requestHash []byte, in BookingInput) (Booking, bool, error) {
	c := &waitingCall{BookingCall: BookingCall{AccountID: accountID, Key: key, Hash: requestHash, In: in}, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	b.startLocked()
	b.mu.Unlock()
	select {
	case <-c.done:
		return c.Booking, c.Replayed, c.Err
	case <-ctx.Done():
		return Booking{}, false, ctx.Err()
	}
}

// startLocked starts a batch of the waiting submissions when no batch is in its first stage
// and there is room; b.mu is held.
func (b *Booker) startLocked() {
	if b.gathering || b.running >= b.maxInFlight {
		return
	}
	batch := b.takeLocked()
	if len(batch) == 0 {
		return
	}
	b.gathering = true
	b.running++
	go b.run(batch)
}

// takeLocked takes the oldest submissions whose account is not in a batch under way, up to
// maxBatch; b.mu is held.
func (b *Booker) takeLocked() []*waitingCall {
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
	return batch
}

func (b *Booker) run(batch []*waitingCall) {
	calls := make([]*BookingCall, len(batch))
	for i, c := range batch {
		calls[i] = &c.BookingCall
	}
	var once sync.Once
	secondStage := func() {
		once.Do(func() {
			b.mu.Lock()
			b.gathering = false
			b.startLocked()
			b.mu.Unlock()
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	b.st.bookBatch(ctx, b.p, calls, &b.seats, secondStage)
	cancel()
	secondStage()
	b.mu.Lock()
	b.running--
	for _, c := range batch {
		delete(b.busy, c.AccountID)
	}
	b.startLocked()
	b.mu.Unlock()
	for _, c := range batch {
		close(c.done)
	}
}
