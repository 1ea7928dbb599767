// This file implements the limit on concurrent encodes and its wait queue.

package transport

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// errBusy reports that no encode slot became free within the queue limits.
var errBusy = errors.New("transport: too many concurrent encodes")

// limiter admits at most cap(slots) holders at once and lets at most
// maxQueue callers wait, each for at most timeout.
type limiter struct {
	slots    chan struct{}
	waiting  atomic.Int64
	maxQueue int64
	timeout  time.Duration
}

func newLimiter(concurrent, maxQueue int, timeout time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, concurrent), maxQueue: int64(maxQueue), timeout: timeout}
}

// acquire takes a slot, waiting in the queue if needed. It returns errBusy
// when the queue is full or the wait times out, and ctx.Err() when ctx ends.
func (l *limiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	if l.waiting.Add(1) > l.maxQueue {
		l.waiting.Add(-1)
		return errBusy
	}
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.timeout)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limiter) release() { <-l.slots }
