//go:build !unix

// This file implements the resource usage readings where getrusage is
// missing: they report zero.

package main

func cpuSeconds() float64 { return 0 }

func maxRSS() int64 { return 0 }
