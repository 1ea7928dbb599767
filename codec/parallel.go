// This file implements the element-wise loops of the encoder that run on
// several goroutines, so that they do not leave a core idle between the
// parallel transforms.

package codec

import (
	"runtime"
	"sync"
)

// parallelElems is the fewest elements of a cheap element-wise loop worth a
// goroutine of their own (about 50 µs of work).
const parallelElems = 1 << 15

// inParallel calls fn on consecutive ranges [lo, hi) that cover [0, n), on
// up to workers goroutines (runtime.GOMAXPROCS for workers ≤ 0), each range
// at least minLen long unless n is shorter; with one range it calls fn on
// the calling goroutine.
func inParallel(workers, n, minLen int, fn func(lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	k := max(1, min(workers, n/max(minLen, 1)))
	if k == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() { fn(i*n/k, (i+1)*n/k) })
	}
	wg.Wait()
}
