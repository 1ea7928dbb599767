// This file implements the sharing of one encode between concurrent requests
// for the same image and settings.

package transport

import (
	"context"
	"sync"
)

// flightGroup runs one function per key at a time and hands its result to
// every caller that asked for that key meanwhile. The function's context is
// cancelled when every caller has given up, so a job nobody waits for stops.
type flightGroup struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	val     []byte
	err     error
}

// do returns fn's result for key, starting fn unless a call for key is
// already running. It returns ctx.Err() if ctx ends first; shared reports
// whether the result came from a call another caller started.
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) ([]byte, error)) (val []byte, shared bool, err error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[string]*flightCall)
	}
	c, ok := g.calls[key]
	if ok {
		c.waiters++
	} else {
		// The job outlives any single request; it is cancelled only when
		// all of its waiters have left.
		jobCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &flightCall{done: make(chan struct{}), cancel: cancel, waiters: 1}
		g.calls[key] = c
		go func() {
			c.val, c.err = fn(jobCtx)
			cancel()
			g.mu.Lock()
			delete(g.calls, key)
			g.mu.Unlock()
			close(c.done)
		}()
	}
	g.mu.Unlock()

	select {
	case <-c.done:
		return c.val, ok, c.err
	case <-ctx.Done():
		g.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel()
		}
		g.mu.Unlock()
		return nil, ok, ctx.Err()
	}
}
