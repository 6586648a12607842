package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// testCall is a call of a batcher under test, named n.
type testCall struct {
	waiter
	n   int
	err error
}

func newTestCall(ctx context.Context, n int) *testCall {
	return &testCall{waiter: newWaiter(ctx), n: n}
}

func (c *testCall) fail(err error) { c.reply(func() { c.err = err }) }

// heldBatcher is a batcher whose batches wait, once started, until the test lets them go: ran
// receives each batch's calls as it starts, and a batch ends when release receives.
type heldBatcher struct {
	*batcher[*testCall]
	ran     chan []int
	release chan struct{}
	resets  int
}

func newHeldBatcher(max int, do func(batch []*testCall)) *heldBatcher {
	h := &heldBatcher{batcher: &batcher[*testCall]{max: max}, ran: make(chan []int, 16), release: make(chan struct{})}
	h.take = takeFirst[*testCall](2)
	h.reset = func() { h.resets++ }
	h.do = func(batch []*testCall) {
		var ns []int
		for _, c := range batch {
			ns = append(ns, c.n)
		}
		h.ran <- ns
		<-h.release
		if do != nil {
			do(batch)
		}
		for _, c := range batch {
			c.fail(nil)
		}
	}
	return h
}

func (h *heldBatcher) mustAdd(t *testing.T, c *testCall) {
	t.Helper()
	if err := h.add(c); err != nil {
		t.Fatalf("call %d refused: %v", c.n, err)
	}
}

// Past its bound a batcher refuses a call at once with ErrOverloaded; the calls it admitted are
// all answered.
func TestBatcherRefusesPastItsBound(t *testing.T) {
	ctx := context.Background()
	h := newHeldBatcher(2, nil)
	calls := []*testCall{newTestCall(ctx, 1), newTestCall(ctx, 2), newTestCall(ctx, 3)}
	h.mustAdd(t, calls[0])
	<-h.ran // call 1 runs: calls 2 and 3 wait
	h.mustAdd(t, calls[1])
	h.mustAdd(t, calls[2])
	if err := h.add(newTestCall(ctx, 4)); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("a third call waiting: %v, want ErrOverloaded", err)
	}
	if s := h.stats(); s.Waiting != 2 || s.Refused != 1 {
		t.Errorf("stats %+v, want 2 waiting, 1 refused", s)
	}
	h.release <- struct{}{}
	if got := <-h.ran; len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("second batch %v, want [2 3]", got)
	}
	h.release <- struct{}{}
	for _, c := range calls {
		<-c.done
		if c.err != nil {
			t.Errorf("call %d: %v", c.n, c.err)
		}
	}
}

// A call whose caller left while it waited is answered with its context's error and never run.
func TestBatcherDropsCallsOfDepartedCallers(t *testing.T) {
	ctx := context.Background()
	h := newHeldBatcher(0, nil)
	first := newTestCall(ctx, 1)
	h.mustAdd(t, first)
	<-h.ran
	leaving, leave := context.WithCancel(ctx)
	gone, stays := newTestCall(leaving, 2), newTestCall(ctx, 3)
	h.mustAdd(t, gone)
	h.mustAdd(t, stays)
	leave()
	h.release <- struct{}{}
	if got := <-h.ran; len(got) != 1 || got[0] != 3 {
		t.Errorf("second batch %v, want [3] alone", got)
	}
	h.release <- struct{}{}
	<-gone.done
	<-stays.done
	if !errors.Is(gone.err, context.Canceled) || stays.err != nil {
		t.Errorf("departed call: %v, want context.Canceled; the other: %v", gone.err, stays.err)
	}
	if s := h.stats(); s.Dropped != 1 {
		t.Errorf("stats %+v, want 1 dropped", s)
	}
}

// A panic in a batch answers that batch's calls with an error and resets; the loop goes on
// and the next call is run.
func TestBatcherSurvivesAPanic(t *testing.T) {
	ctx := context.Background()
	panicked := false
	h := newHeldBatcher(0, func(batch []*testCall) {
		if !panicked {
			panicked = true
			panic("broken on purpose")
		}
	})
	first, second := newTestCall(ctx, 1), newTestCall(ctx, 2)
	h.mustAdd(t, first)
	<-h.ran
	h.release <- struct{}{}
	<-first.done
	if !errors.Is(first.err, errBatchPanicked) || h.resets != 1 {
		t.Fatalf("call of the panicking batch: %v (resets %d), want errBatchPanicked and a reset", first.err, h.resets)
	}
	// The log says what and where.
	if msg := first.err.Error(); !strings.Contains(msg, "broken on purpose") || !strings.Contains(msg, "batcher_test.go:") {
		t.Errorf("error %q names neither the panic nor its place", msg)
	}
	h.close() // returns once the loop stopped: running was not left set
	h.mu.Lock()
	running := h.running
	h.closed = false
	h.mu.Unlock()
	if running {
		t.Fatal("the loop stopped with running set")
	}
	h.mustAdd(t, second)
	<-h.ran
	h.release <- struct{}{}
	<-second.done
	if second.err != nil {
		t.Errorf("call after the panic: %v", second.err)
	}
}

// close refuses new calls and returns only once the calls waiting have been run.
func TestBatcherCloseDrains(t *testing.T) {
	ctx := context.Background()
	h := newHeldBatcher(0, nil)
	first, waiting := newTestCall(ctx, 1), newTestCall(ctx, 2)
	h.mustAdd(t, first)
	<-h.ran
	h.mustAdd(t, waiting)
	closed := make(chan struct{})
	go func() {
		h.close()
		close(closed)
	}()
	for shut := false; !shut; { // until close has shut the door
		h.mu.Lock()
		shut = h.closed
		h.mu.Unlock()
	}
	if err := h.add(newTestCall(ctx, 3)); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("a call after close: %v, want ErrOverloaded", err)
	}
	h.release <- struct{}{}
	if got := <-h.ran; len(got) != 1 || got[0] != 2 {
		t.Fatalf("batch after close %v, want [2]", got)
	}
	select {
	case <-closed:
		t.Fatal("close returned before the calls waiting were run")
	default:
	}
	h.release <- struct{}{}
	<-closed
	select {
	case <-waiting.done:
	default:
		t.Fatal("close returned before the waiting call was answered")
	}
	if waiting.err != nil || h.stats().Refused != 1 {
		t.Errorf("the waiting call: %v; stats %+v, want 1 refused", waiting.err, h.stats())
	}
}
