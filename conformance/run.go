// This file implements the test runner over the vector set, as specified in
// docs/spec.md §8.

package conformance

import (
	"testing"
)

// Run checks d against every vector of the embedded set, one subtest per
// vector (named after it), and fails the subtests of the vectors on which d
// does not conform. With -v it logs, for each valid vector, how far the
// decoded image is from the expected one.
func Run(t *testing.T, d Decoder) {
	t.Helper()
	m, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(LatentDecoder); !ok {
		t.Log("decoder does not implement LatentDecoder: the integer latents are not checked")
	}
	for _, v := range m.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			if err := m.Check(d, v); err != nil {
				t.Error(err)
				return
			}
			if v.Error == None && testing.Verbose() {
				logDistance(t, d, m, v)
			}
		})
	}
}

// logDistance logs the difference from the expected image, which is what
// the tolerance of §8.3 is measured against on each platform.
func logDistance(t *testing.T, d Decoder, m *Manifest, v Vector) {
	file, err1 := ReadFile(v.File, v.SHA256)
	md, _ := m.model(v.Model)
	mfile, err2 := ReadFile(md.File, md.SHA256)
	want, err3 := readPNG(v.Image)
	if err1 != nil || err2 != nil || err3 != nil {
		return
	}
	got, err := d.Decode(file, mfile)
	if err != nil {
		return
	}
	st, err := Measure(got, want, v.ColorType)
	if err != nil {
		return
	}
	t.Logf("max |Δ| %d, %d of %d samples differ, PSNR %.2f dB", st.MaxDiff, st.Differ, st.Samples, st.PSNR)
}
