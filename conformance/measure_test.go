// A measurement, not a check: how far the float32 synthesis output of the
// vectors differs between builds and platforms, which is what the pixel
// tolerance of docs/spec.md §8.3 has to absorb. Run once to write a
// reference and again on another build to compare:
//
//	go test -run FloatSpread -floats=/tmp/ref.f32 ./conformance
//	go test -tags noasm -run FloatSpread -floats=/tmp/ref.f32 -v ./conformance

package conformance

import (
	"bytes"
	"encoding/binary"
	"flag"
	"math"
	"os"
	"testing"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/model"
	"github.com/stretchr/testify/require"
)

var floatsPath = flag.String("floats", "", "write (if absent) or compare (if present) the float32 synthesis outputs of the valid vectors")

// synthesisFloats returns the g_s output of every tile of every valid
// vector, concatenated, from the vector's latents as §6.6 reconstructs them.
func synthesisFloats(t *testing.T) (out []float32, names []string, ends []int) {
	m, err := Embedded()
	require.NoError(t, err)
	for _, v := range m.Vectors {
		if v.Error != None {
			continue
		}
		file, err := ReadFile(v.File, v.SHA256)
		require.NoError(t, err)
		md, _ := m.model(v.Model)
		mfile, err := ReadFile(md.File, md.SHA256)
		require.NoError(t, err)
		mdl, err := model.Load(bytes.NewReader(mfile))
		require.NoError(t, err)
		l, err := codec.DecodeLatents(bytes.NewReader(file), codec.WithDecoderModel(mdl))
		require.NoError(t, err)
		inv := mdl.InvGain(float64(l.Header.Quality) / 10000 * float64(mdl.Arch.Levels-1))
		scale := float32(1 / float64(int64(1)<<mdl.Arch.MeanBits))
		for _, tl := range l.Tiles {
			y := model.NewTensor(mdl.Arch.M, tl.HY, tl.WY)
			n := tl.HY * tl.WY
			for i := range y.Data {
				s := float32(tl.Symbols[i]) + float32(float32(tl.Means[i])*scale)
				y.Data[i] = float32(s * inv[i/n])
			}
			out = append(out, mdl.Synthesis.ForwardTiled(y, 32).Data...)
		}
		names, ends = append(names, v.Name), append(ends, len(out))
	}
	return out, names, ends
}

func TestFloatSpread(t *testing.T) {
	if *floatsPath == "" {
		t.Skip("measurement: needs -floats=PATH")
	}
	got, names, ends := synthesisFloats(t)
	b, err := os.ReadFile(*floatsPath)
	if os.IsNotExist(err) {
		buf := make([]byte, 0, 4*len(got))
		for _, v := range got {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		require.NoError(t, os.WriteFile(*floatsPath, buf, 0o644))
		t.Logf("wrote %d floats to %s", len(got), *floatsPath)
		return
	}
	require.NoError(t, err)
	require.Equal(t, 4*len(got), len(b))
	var maxd, sum2, vmax float64
	var differ, flips, vec int
	for i, v := range got {
		r := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		d := math.Abs(float64(v) - float64(r))
		if d != 0 {
			differ++
		}
		maxd, vmax = max(maxd, d), max(vmax, d)
		sum2 += d * d
		q := func(x float32) int { return int(math.Floor(min(max(float64(255*x)+0.5, 0), 255))) }
		if q(v) != q(r) {
			flips++
		}
		if i+1 == ends[vec] {
			t.Logf("%-26s max |Δ| %.3g (%.3g in 8-bit units)", names[vec], vmax, 255*vmax)
			vec, vmax = vec+1, 0
		}
	}
	t.Logf("%d floats (padded g_s outputs): %d differ, max |Δ| %.3g (%.3g in 8-bit units), RMS %.3g; 8-bit samples changed: %d",
		len(got), differ, maxd, 255*maxd, math.Sqrt(sum2/float64(len(got))), flips)
}
