// This file leaves only the pure-Go kernels registered where no assembly
// is built. It must be kept in sync with the build tag of kernel_amd64.go.

//go:build !amd64 || noasm || !gc

package gemm
