module github.com/aezip/aezip/internal/gemm/_generate

go 1.26
