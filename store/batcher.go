package store

import "sync"

// batcher runs calls in batches, one batch at a time: the calls that arrive while a batch runs
// wait and go together into the next one, and a lone call goes at once. At the morning rush one
// round trip (or one transaction) then serves many requests instead of waking the database for
// each. take picks the next batch among the waiting calls, oldest first, and returns the calls
// left waiting; it takes at least one when any waits. do runs a batch and answers its calls.
type batcher[C any] struct {
	take func(waiting []C) (batch, rest []C)
	do   func(batch []C)

	mu      sync.Mutex
	waiting []C
	running bool
}

// add queues c for the next batch.
func (b *batcher[C]) add(c C) {
	b.mu.Lock()
	b.waiting = append(b.waiting, c)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go b.loop()
	}
}

func (b *batcher[C]) loop() {
	for {
		b.mu.Lock()
		var batch []C
		if len(b.waiting) > 0 {
			batch, b.waiting = b.take(b.waiting)
		}
		if len(batch) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.do(batch)
	}
}

// takeFirst takes up to n of the waiting calls.
func takeFirst[C any](n int) func([]C) ([]C, []C) {
	return func(waiting []C) ([]C, []C) {
		k := min(len(waiting), n)
		batch := append([]C(nil), waiting[:k]...)
		return batch, append(waiting[:0], waiting[k:]...)
	}
}
