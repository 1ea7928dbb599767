// This file implements feature detection where no assembly is used: every
// feature reads as absent.

//go:build !amd64 || noasm || !gc

package cpu

const hasAsm = false

func detect() {}
