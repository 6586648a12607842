package alloc

import (
	"runtime"
	"sync"
)

// forEach calls fn(i) for i in [0, n) on up to GOMAXPROCS goroutines and returns the error of the
// lowest i that failed. The calls must be independent: days of a pass, or day-level networks.
func forEach(n int, fn func(i int) error) error {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				errs[j] = fn(j)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
