//go:build unix

// This file implements the resource usage readings on Unix systems.

package main

import (
	"runtime"
	"syscall"
	"time"
)

func rusage() syscall.Rusage {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru
}

// cpuSeconds returns the user plus system CPU time of the process.
func cpuSeconds() float64 {
	ru := rusage()
	return (time.Duration(ru.Utime.Nano()) + time.Duration(ru.Stime.Nano())).Seconds()
}

// maxRSS returns the peak resident set size of the process in bytes.
func maxRSS() int64 {
	m := int64(rusage().Maxrss)
	if runtime.GOOS == "darwin" {
		return m // bytes there, KiB elsewhere
	}
	return m << 10
}
