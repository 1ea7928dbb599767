package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// writeModel returns the model file bytes of m.
func writeModel(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// reseal replaces the trailing checksum of a model file after an edit, so
// that the parser itself is exercised.
func reseal(b []byte) []byte {
	if len(b) < checksumSize {
		return b
	}
	body := b[:len(b)-checksumSize]
	sum := sha256.Sum256(body)
	return append(append([]byte(nil), body...), sum[:]...)
}

func TestModelFileRoundTrip(t *testing.T) {
	for _, f16 := range []bool{false, true} {
		mod := importRandom(t, 21, 8, 12, 3, WithFloat16(f16))
		b := writeModel(t, mod)
		sum := sha256.Sum256(b[:len(b)-checksumSize])
		if !bytes.Equal(mod.id[:], sum[:16]) {
			t.Fatal("ID is not the SHA-256 prefix of the body")
		}
		got, err := Load(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID() != mod.ID() || got.Arch != mod.Arch {
			t.Fatalf("float16=%v: loaded model differs: %+v vs %+v", f16, got.Arch, mod.Arch)
		}
		if again := writeModel(t, got); !bytes.Equal(again, b) {
			t.Fatalf("float16=%v: rewriting a loaded model changes the bytes", f16)
		}
		z := determinismInput(8, 3, 2)
		m1, i1 := mod.HyperSynthesis.Forward(z, 3, 2)
		m2, i2 := got.HyperSynthesis.Forward(z, 3, 2)
		if hashHyperSynthesis(m1, i1) != hashHyperSynthesis(m2, i2) {
			t.Fatal("loaded h_s differs")
		}
		for i, c := range mod.ScaleCDFs {
			if c.Offset != got.ScaleCDFs[i].Offset || !equalU32(c.Cum, got.ScaleCDFs[i].Cum) {
				t.Fatalf("scale table %d differs", i)
			}
		}
		for i, c := range mod.ZCDFs {
			if c.Offset != got.ZCDFs[i].Offset || !equalU32(c.Cum, got.ZCDFs[i].Cum) {
				t.Fatalf("z table %d differs", i)
			}
		}
	}
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLoadErrors damages a model file in one way at a time.
func TestLoadErrors(t *testing.T) {
	good := writeModel(t, importRandom(t, 22, 4, 6, 2))
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	var fe FormatError
	var ue UnsupportedError
	var be *BoundError
	tests := []struct {
		name string
		in   []byte
		want any // *FormatError, *UnsupportedError, *(*BoundError) or an error value
	}{
		{"empty", nil, &fe},
		{"short", good[:20], &fe},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 'X'; return b }), &fe},
		{"version 2", edit(func(b []byte) []byte { b[4] = 2; return b }), &ue},
		{"flipped bit", edit(func(b []byte) []byte { b[len(b)/2] ^= 1; return b }), ErrChecksum},
		{"truncated", good[:len(good)-1], ErrChecksum},
		{"resealed truncation", reseal(good[:len(good)/2]), &fe},
		{"trailing byte", reseal(append(append([]byte(nil), good[:len(good)-checksumSize]...), 0)), &fe},
		{"arch name", reseal(edit(func(b []byte) []byte { b[9] = 'X'; return b })), &ue},
		{"N too large", reseal(edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[15:], 1<<30); return b })), &fe},
		{"bound", reseal(edit(func(b []byte) []byte { return setFirstWeight(t, b, "h_s.2.weight", 32767) })), &be},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			ok := false
			switch w := tc.want.(type) {
			case *FormatError, *UnsupportedError, **BoundError:
				ok = errors.As(err, w)
			case error:
				ok = errors.Is(err, w)
			}
			if !ok {
				t.Fatalf("err = %v (%T), want %T", err, err, tc.want)
			}
		})
	}
}

// setFirstWeight finds the tensor record name in a model file and sets its
// first int16 value.
func setFirstWeight(t *testing.T, b []byte, name string, v int16) []byte {
	rec := append([]byte{byte(len(name))}, name...)
	i := bytes.Index(b, rec)
	if i < 0 {
		t.Fatalf("no record %s", name)
	}
	i += len(rec)
	ndim := int(b[i+1])
	i += 2 + 4*ndim
	binary.LittleEndian.PutUint16(b[i:], uint16(v))
	// Also raise the whole first output channel's phase so the bound breaks.
	for j := 0; j < 200; j++ {
		binary.LittleEndian.PutUint16(b[i+2*j:], uint16(v))
	}
	return b
}

// FuzzLoad checks that no model file, even one with a valid checksum,
// makes Load panic.
func FuzzLoad(f *testing.F) {
	good := writeModel(f, importRandom(f, 23, 4, 6, 2))
	f.Add(good)
	f.Add(good[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Load(bytes.NewReader(reseal(b)))
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
	})
}

// TestLoadMutations flips bytes all over a small file, reseals it and
// loads it: every result must be a model or a typed error, never a panic.
func TestLoadMutations(t *testing.T) {
	good := writeModel(t, importRandom(t, 24, 4, 6, 2))
	step := max(1, len(good)/1000)
	for i := 0; i < len(good)-checksumSize; i += step {
		b := append([]byte(nil), good...)
		b[i] ^= 0xff
		_, err := Load(bytes.NewReader(reseal(b)))
		var fe FormatError
		var ue UnsupportedError
		var be *BoundError
		if err != nil && !errors.As(err, &fe) && !errors.As(err, &ue) && !errors.As(err, &be) {
			t.Fatalf("byte %d: untyped error %v", i, err)
		}
	}
}

func TestFloat16(t *testing.T) {
	// Every half converts to float32 and back unchanged (NaNs stay NaN).
	for h := 0; h < 1<<16; h++ {
		f := f16ToF32(uint16(h))
		back := f32ToF16(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("%#04x: NaN became %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("%#04x → %g → %#04x", h, f, back)
		}
	}
	tests := []struct {
		in   float32
		want uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {1e9, 0x7c00},
		{1 + 1.0/2048, 0x3c00},             // tie, rounds to even
		{1 + 3.0/2048, 0x3c02},             // tie, rounds to even (up)
		{1 + 1.0/2048 + 1.0/65536, 0x3c01}, // above the tie
		{5.960464477539063e-08, 0x0001},    // smallest subnormal
		{2.9802322387695312e-08, 0x0000},   // half of it: tie to even (0)
		{4.470348358154297e-08, 0x0001},    // 0.75 of it
		{6.097555160522461e-05, 0x03ff},    // largest subnormal
		{float32(math.Inf(-1)), 0xfc00},
	}
	for _, tc := range tests {
		if got := f32ToF16(tc.in); got != tc.want {
			t.Errorf("f32ToF16(%g) = %#04x, want %#04x", tc.in, got, tc.want)
		}
	}
}

// TestModelFileSize reports the size of a model file of the default widths.
func TestModelFileSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a full-size random model")
	}
	for _, f16 := range []bool{false, true} {
		b := writeModel(t, importRandom(t, 25, 128, 192, 8, WithFloat16(f16)))
		t.Logf("N=128 M=192 L=8 float16=%v: model file %d bytes (%.2f MiB)", f16, len(b), float64(len(b))/(1<<20))
	}
}
