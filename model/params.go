// Package model implements the aezip networks (analysis, synthesis and hyper
// transforms) and the model file, as specified in docs/spec.md.
package model

// Param is one named float32 tensor in PyTorch layout (row-major, Shape
// outermost first).
type Param struct {
	Shape []int
	Data  []float32
}

// Params maps the tensor names of docs/architecture.md to their values.
type Params map[string]Param
