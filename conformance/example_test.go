package conformance_test

import (
	"fmt"

	"github.com/aezip/aezip/conformance"
)

// ExampleCheck checks a decoder against every vector outside a test, as a
// command-line conformance report would.
func ExampleCheck() {
	vs, err := conformance.Vectors()
	if err != nil {
		fmt.Println(err)
		return
	}
	d := &conformance.AezipDecoder{}
	failed := 0
	for _, v := range vs {
		if err := conformance.Check(d, v); err != nil {
			fmt.Printf("%s: %v\n", v.Name, err)
			failed++
		}
	}
	fmt.Printf("%d vectors, %d failed\n", len(vs), failed)
	// Output: 32 vectors, 0 failed
}
