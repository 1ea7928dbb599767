//go:build unix

package gemm

import "syscall"

// cpuSeconds returns the user and system CPU time of the process, so that
// benchmarks on a shared machine can report throughput per CPU-second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
