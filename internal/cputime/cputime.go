// Package cputime reports the CPU time the process has used, so that
// benchmarks on a shared machine can give throughput per CPU-second next to
// wall time (wall time there mostly measures the other jobs).
package cputime

import "time"

// Process returns the user plus system CPU time of the process, or 0 where
// the platform does not report it (then callers omit the metric).
func Process() time.Duration { return process() }
