package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrOverloaded refuses a call at once, rather than let it wait, when too many calls already
// wait for the database (a batcher's bound), or when the service is shutting down: the caller
// may try again after its RetryAfter, here or on another process. A queue holds well under a
// second of work (see DefaultBookingQueue).
//
// RetryAfter is 1, 2 or 3 s, drawn at each refusal. At ten times the usual clients most of
// them are refused at any moment, and each refusal costs the client, HAProxy and the process a
// round trip: with 1 s for all, the refused came back every second, together, and their
// refusals took a fifth of the two cores (bench-rush: 544 a second, 74–81 % of the baseline's
// rate; with 2 s, 91–92 %, but the refused still came back in one wave every other second,
// and the admitted bookings' p99 rose with each wave). Spread over 1–3 s they come back
// half as often and evenly, while the bookings admitted keep every process busy.
var ErrOverloaded error = &overloadError{"overloaded: too many calls waiting", time.Second, 2}

type overloadError struct {
	msg   string
	after time.Duration
	// spread is how many whole seconds at most are drawn and added to after.
	spread int
}

func (e *overloadError) Error() string { return e.msg }

// RetryAfter is when a call refused may be made again.
func (e *overloadError) RetryAfter() time.Duration {
	return e.after + time.Duration(rand.IntN(e.spread+1))*time.Second
}

// errClosed refuses the calls made after Close (see Booker.Close, SessionLoader.Close).
var errClosed = fmt.Errorf("%w: shutting down", ErrOverloaded)

// errBatchPanicked answers the calls of a batch whose run panicked.
var errBatchPanicked = errors.New("batch panicked")

// batchCall is what a batcher needs of a call besides running it.
type batchCall interface {
	// callerErr is the error of the caller's context once the caller has left, nil before.
	callerErr() error
	// fail answers the call with err, unless it is answered already.
	fail(err error)
}

// waiter is the part every batch call shares: its caller's context, and done, closed once the
// call is answered.
type waiter struct {
	ctx  context.Context
	done chan struct{}
}

func newWaiter(ctx context.Context) waiter { return waiter{ctx: ctx, done: make(chan struct{})} }

func (w *waiter) callerErr() error { return w.ctx.Err() }

// reply records the answer with set and lets the caller go on, unless the call is answered
// already. Only the batcher's loop answers calls, one at a time, so this needs no lock.
func (w *waiter) reply(set func()) {
	select {
	case <-w.done:
	default:
		set()
		close(w.done)
	}
}

// wait returns nil once the call is answered, or ctx's error if ctx ends first.
func (w *waiter) wait() error {
	select {
	case <-w.done:
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// batcher runs calls in batches, one batch at a time: the calls that arrive while a batch runs
// wait and go together into the next one, and a lone call goes at once. At the morning rush one
// round trip (or one transaction) then serves many requests instead of waking the database for
// each. take picks the next batch among the waiting calls, oldest first, and returns the calls
// left waiting; it takes at least one when any waits. do runs a batch and answers its calls.
//
// Admission: at most max calls wait (max ≤ 0: no bound); add refuses more with ErrOverloaded
// rather than let the queue, and every caller's wait, grow. A call whose caller has left by the
// time batches are taken is answered with its context's error and never reaches the database.
// A panic in do answers the batch's calls with an error, calls reset (the batch's connection
// may be in any state) and the loop goes on. After close, add refuses every call.
type batcher[C batchCall] struct {
	take  func(waiting []C) (batch, rest []C)
	do    func(batch []C)
	reset func() // after a panic in do; may be nil
	max   int

	mu      sync.Mutex
	waiting []C
	running bool
	stopped chan struct{} // closed when the running loop stops
	closed  bool

	refused atomic.Int64
	dropped atomic.Int64
	batches atomic.Int64 // batches run
	batched atomic.Int64 // calls in them
}

// add queues c for the next batch, or refuses it with ErrOverloaded.
func (b *batcher[C]) add(c C) error {
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		b.refused.Add(1)
		return errClosed
	case b.max > 0 && len(b.waiting) >= b.max:
		b.mu.Unlock()
		b.refused.Add(1)
		return ErrOverloaded
	}
	b.waiting = append(b.waiting, c)
	start := !b.running
	if start {
		b.running, b.stopped = true, make(chan struct{})
	}
	b.mu.Unlock()
	if start {
		go b.loop()
	}
	return nil
}

func (b *batcher[C]) loop() {
	for {
		b.mu.Lock()
		b.dropGone()
		var batch []C
		if len(b.waiting) > 0 {
			batch, b.waiting = b.take(b.waiting)
		}
		if len(batch) == 0 {
			b.running = false
			close(b.stopped)
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.batches.Add(1)
		b.batched.Add(int64(len(batch)))
		b.run(batch)
	}
}

// dropGone answers the waiting calls whose caller has left, and takes them out of the queue.
// Called with b.mu held.
func (b *batcher[C]) dropGone() {
	kept := b.waiting[:0]
	for _, c := range b.waiting {
		if err := c.callerErr(); err != nil {
			c.fail(err)
			b.dropped.Add(1)
			continue
		}
		kept = append(kept, c)
	}
	clear(b.waiting[len(kept):])
	b.waiting = kept
}

// run is do, recovering from a panic (see batcher).
func (b *batcher[C]) run(batch []C) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		err := fmt.Errorf("%w: %v (at %s)", errBatchPanicked, p, panicSite())
		if b.reset != nil {
			b.reset()
		}
		for _, c := range batch {
			c.fail(err)
		}
	}()
	b.do(batch)
}

// panicSite is the place of the panic being recovered: the first frame outside the runtime.
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

// close refuses new calls from now on and returns once the calls already waiting are answered
// (run, or dropped if their caller left).
func (b *batcher[C]) close() {
	b.mu.Lock()
	b.closed = true
	running, stopped := b.running, b.stopped
	b.mu.Unlock()
	if running {
		<-stopped
	}
}

// waitingCount is how many calls wait for a batch (not those in the running batch).
func (b *batcher[C]) waitingCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiting)
}

// takeFirst takes up to n of the waiting calls.
func takeFirst[C any](n int) func([]C) ([]C, []C) {
	return func(waiting []C) ([]C, []C) {
		k := min(len(waiting), n)
		batch := append([]C(nil), waiting[:k]...)
		return batch, append(waiting[:0], waiting[k:]...)
	}
}

// QueueStats counts what a queue (Booker, SessionLoader) refused and dropped since it started.
type QueueStats struct {
	Waiting int   // calls waiting now for a batch
	Refused int64 // calls refused at once: the queue was full, or closed
	Dropped int64 // calls whose caller left before their batch was taken: never run
	// Batches run, and the calls in them: their ratio over a while is the mean batch size.
	Batches, Batched int64
}

func (b *batcher[C]) stats() QueueStats {
	return QueueStats{Waiting: b.waitingCount(), Refused: b.refused.Load(), Dropped: b.dropped.Load(),
		Batches: b.batches.Load(), Batched: b.batched.Load()}
}
