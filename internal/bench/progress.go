// This file implements the progress bar with ETA shown on a terminal.

package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws "[=====>    ] done/total pct ETA" on one line.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	done  int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, start: time.Now()}
}

// step records one finished measurement and redraws at most 10 times a second.
func (p *progress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	now := time.Now()
	if p.done < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	fill := width * p.done / p.total
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	eta := "?"
	if p.done > 0 {
		el := now.Sub(p.start)
		rem := time.Duration(float64(el) * float64(p.total-p.done) / float64(p.done))
		eta = rem.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s] %d/%d %3d%% ETA %-8s", bar, p.done, p.total, 100*p.done/p.total, eta)
	if p.done == p.total {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", width+40))
	}
}
