package model_test

import (
	"fmt"
	"log"
	"os"

	"github.com/aezip/aezip/model"
)

// ExampleLoad loads a model file and runs the integer hyper-synthesis on a
// 1×1 ẑ of zeros: one mean and one scale index per element of the 4×4 y.
func ExampleLoad() {
	f, err := os.Open("testdata/determinism.aezm")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := model.Load(f)
	if err != nil {
		log.Fatal(err)
	}
	a := m.Arch
	fmt.Println(a.Name, a.N, a.M, a.Levels, a.K, len(m.ZCDFs), len(m.ScaleCDFs))
	means, idx := m.HyperSynthesis.Forward(make([]int32, a.N), 1, 1)
	fmt.Println(len(means), len(idx))
	// Output:
	// msh-v1 16 24 3 64 16 64
	// 384 384
}
