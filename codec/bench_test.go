package codec

import (
	"bytes"
	"fmt"
	"image"
	"testing"
)

// The benchmarks use the trainer's tiny model (N=16, M=24): they measure
// the codec's own overhead and catch regressions, not the speed of a
// full-size model (see aezip bench for that).

func BenchmarkEncode(b *testing.B) {
	k := kitten(b)
	px := k.Bounds().Dx() * k.Bounds().Dy()
	for _, q := range []float64{25, 50, 75} {
		b.Run(fmt.Sprintf("kitten/q%g", q), func(b *testing.B) {
			b.SetBytes(int64(3 * px))
			b.ReportAllocs()
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				if err := Encode(&buf, k, WithModel(tinyModel(b)), WithQuality(q)); err != nil {
					b.Fatal(err)
				}
				n = buf.Len()
			}
			b.ReportMetric(float64(8*n)/float64(px), "bpp")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	k := kitten(b)
	px := k.Bounds().Dx() * k.Bounds().Dy()
	for _, q := range []float64{25, 50, 75} {
		b.Run(fmt.Sprintf("kitten/q%g", q), func(b *testing.B) {
			data := encodeBytes(b, k, WithQuality(q))
			d, err := NewDecoder(nil, WithDecoderModel(tinyModel(b)))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(3 * px))
			b.ReportAllocs()
			var m image.Image
			for b.Loop() {
				d.Reset(bytes.NewReader(data))
				if m, err = d.Decode(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(8*len(data))/float64(px), "bpp")
			b.ReportMetric(psnr8(k, m), "dB")
		})
	}
}
