// This file implements the model file (.aezm): its writer, its loader with
// limits checked before allocation, and IEEE half-precision conversion, as
// specified in docs/spec.md §5.1–5.3.

package model

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/aezip/aezip/quant"
)

// Magic is the first four bytes of a model file.
const Magic = "AEZM"

// Version is the model file format version this package writes and reads.
const Version = 1

// Limits on a model file, checked before anything is allocated.
const (
	maxModelFile  = 1 << 28
	maxTensors    = 256
	maxNameLen    = 64
	maxCDFs       = 4096
	maxCDFSymbols = 1 << quant.Precision
)

// Tensor dtypes of the model file.
const (
	dtypeF32 = 1
	dtypeF16 = 2
	dtypeI16 = 3
	dtypeI32 = 4
)

// checksumSize is the size of the trailing SHA-256.
const checksumSize = sha256.Size

// intShapes returns the integer tensors of the model file, their dtypes and
// shapes.
func intShapes(n, m, k int) map[string]struct {
	dtype int
	shape []int
} {
	type ts = struct {
		dtype int
		shape []int
	}
	c := 3 * m / 2
	s := map[string]ts{"h_s.thresholds": {dtypeI32, []int{k - 1}}}
	for i, wshape := range [3][]int{{n, m, 5, 5}, {m, c, 5, 5}, {2 * m, c, 3, 3}} {
		name := layerNames[i]
		out := [3]int{m, c, 2 * m}[i]
		s[name+".weight"] = ts{dtypeI16, wshape}
		for _, suffix := range []string{".bias", ".mult", ".shift"} {
			s[name+suffix] = ts{dtypeI32, []int{out}}
		}
	}
	return s
}

// intTensors returns the integer tensors of h as they are stored.
func (h *IntHyperSynthesis) intTensors() map[string][]int32 {
	t := map[string][]int32{"h_s.thresholds": h.Thresholds}
	for i := range h.Layers {
		l := &h.Layers[i]
		w := make([]int32, len(l.Weight))
		for j, v := range l.Weight {
			w[j] = int32(v)
		}
		name := layerNames[i]
		t[name+".weight"] = w
		t[name+".bias"] = l.Bias
		t[name+".mult"] = l.Mult
		t[name+".shift"] = l.Shift
	}
	return t
}

// encoder writes little-endian values and keeps the first error.
type encoder struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (e *encoder) write(b []byte) {
	if e.err != nil {
		return
	}
	n, err := e.w.Write(b)
	e.n += int64(n)
	e.err = err
}

func (e *encoder) u8(v uint8)   { e.write([]byte{v}) }
func (e *encoder) u16(v uint16) { e.write(binary.LittleEndian.AppendUint16(nil, v)) }
func (e *encoder) u32(v uint32) { e.write(binary.LittleEndian.AppendUint32(nil, v)) }
func (e *encoder) u64(v uint64) { e.write(binary.LittleEndian.AppendUint64(nil, v)) }
func (e *encoder) str(s string) { e.u8(uint8(len(s))); e.write([]byte(s)) }

// writeBody writes everything before the checksum to w and returns the
// SHA-256 of it.
func (m *Model) writeBody(w io.Writer) (n int64, sum [checksumSize]byte, err error) {
	h := sha256.New()
	e := &encoder{w: bufio.NewWriterSize(io.MultiWriter(w, h), 1<<16)}
	e.write([]byte(Magic))
	e.u16(Version)
	e.u16(0)
	a := m.Arch
	e.str(a.Name)
	for _, v := range []int{a.N, a.M, a.Levels, a.K, a.Precision, a.MeanBits} {
		e.u32(uint32(v))
	}
	e.u32(uint32(a.SlopeQ16))
	e.u32(math.Float32bits(a.Slope))
	e.u64(math.Float64bits(a.ScaleMin))
	e.u64(math.Float64bits(a.ScaleMax))
	if a.Float16 {
		e.u8(dtypeF16)
	} else {
		e.u8(dtypeF32)
	}

	ints := m.HyperSynthesis.intTensors()
	ishapes := intShapes(a.N, a.M, a.K)
	names := make([]string, 0, len(m.params)+len(ints))
	for name := range m.params {
		names = append(names, name)
	}
	for name := range ints {
		names = append(names, name)
	}
	sort.Strings(names)
	e.u32(uint32(len(names)))
	var buf []byte
	for _, name := range names {
		e.str(name)
		buf = buf[:0]
		var shape []int
		if p, ok := m.params[name]; ok {
			shape = p.Shape
			half := a.Float16 && halfStored(name)
			if half {
				e.u8(dtypeF16)
			} else {
				e.u8(dtypeF32)
			}
			for _, v := range p.Data {
				if half {
					buf = binary.LittleEndian.AppendUint16(buf, f32ToF16(v))
				} else {
					buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				}
			}
		} else {
			it := ishapes[name]
			shape = it.shape
			e.u8(uint8(it.dtype))
			for _, v := range ints[name] {
				if it.dtype == dtypeI16 {
					buf = binary.LittleEndian.AppendUint16(buf, uint16(v))
				} else {
					buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
				}
			}
		}
		e.u8(uint8(len(shape)))
		for _, d := range shape {
			e.u32(uint32(d))
		}
		e.write(buf)
	}
	for _, cdfs := range [][]quant.CDF{m.ZCDFs, m.ScaleCDFs} {
		e.u32(uint32(len(cdfs)))
		for _, c := range cdfs {
			e.u32(uint32(c.Offset))
			n := len(c.Cum) - 1
			e.u32(uint32(n))
			buf = buf[:0]
			for _, v := range c.Cum[1:n] {
				buf = binary.LittleEndian.AppendUint16(buf, uint16(v))
			}
			e.write(buf)
		}
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	copy(sum[:], h.Sum(nil))
	return e.n, sum, e.err
}

// WriteTo writes the model file to w: the body, then its SHA-256. The bytes
// depend only on the model, so the same model always gives the same file and
// the same [Model.ID].
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	n, sum, err := m.writeBody(w)
	if err != nil {
		return n, err
	}
	k, err := w.Write(sum[:])
	return n + int64(k), err
}

// decoder reads little-endian values from a byte slice; the first read past
// the end sets err, and later reads return zeros.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = FormatError("truncated")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) str() string { return string(d.take(int(d.u8()))) }

// Load reads a model file. Damaged files give a [FormatError] or
// [ErrChecksum], files of another version or architecture an
// [UnsupportedError]; no size read from the file is trusted before it is
// checked against the bytes actually present.
func Load(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxModelFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxModelFile {
		return nil, FormatError(fmt.Sprintf("larger than %d bytes", maxModelFile))
	}
	if len(data) < len(Magic)+4+checksumSize {
		return nil, FormatError("too short")
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, FormatError("bad magic")
	}
	if v := binary.LittleEndian.Uint16(data[4:]); v != Version {
		return nil, UnsupportedError(fmt.Sprintf("format version %d", v))
	}
	body, sum := data[:len(data)-checksumSize], data[len(data)-checksumSize:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, ErrChecksum
	}
	m, err := parseBody(&decoder{b: body[len(Magic)+2:]})
	if err != nil {
		return nil, err
	}
	copy(m.id[:], sum)
	return m, nil
}

// parseBody parses the model file after magic and version.
func parseBody(d *decoder) (*Model, error) {
	if d.u16() != 0 {
		return nil, UnsupportedError("reserved header field is not zero")
	}
	var a Arch
	a.Name = d.str()
	var v [6]uint32
	for i := range v {
		v[i] = d.u32()
	}
	a.SlopeQ16 = int32(d.u32())
	a.Slope = math.Float32frombits(d.u32())
	a.ScaleMin = math.Float64frombits(d.u64())
	a.ScaleMax = math.Float64frombits(d.u64())
	fdt := d.u8()
	if d.err != nil {
		return nil, d.err
	}
	if a.Name != archName {
		return nil, UnsupportedError(fmt.Sprintf("architecture %q", a.Name))
	}
	for _, x := range v {
		if x > maxChannels {
			return nil, FormatError("architecture descriptor out of range")
		}
	}
	a.N, a.M, a.Levels, a.K, a.Precision, a.MeanBits = int(v[0]), int(v[1]), int(v[2]), int(v[3]), int(v[4]), int(v[5])
	if err := checkArch(a.N, a.M, a.Levels); err != nil {
		return nil, FormatError(err.Error())
	}
	switch {
	case a.Precision != quant.Precision:
		return nil, UnsupportedError(fmt.Sprintf("CDF precision %d", a.Precision))
	case a.K < 2 || a.K > 256:
		return nil, FormatError(fmt.Sprintf("K=%d out of [2,256]", a.K))
	case a.MeanBits > 24:
		return nil, FormatError(fmt.Sprintf("mean fraction bits %d out of [0,24]", a.MeanBits))
	case a.Slope != leakySlope:
		return nil, UnsupportedError(fmt.Sprintf("LeakyReLU slope %g", a.Slope))
	case !(a.ScaleMin > 0 && a.ScaleMin < a.ScaleMax && a.ScaleMax < math.Inf(1)):
		return nil, FormatError("scale table range")
	case fdt != dtypeF32 && fdt != dtypeF16:
		return nil, FormatError(fmt.Sprintf("float dtype %d", fdt))
	}
	a.Float16 = fdt == dtypeF16

	fshapes := floatShapes(a.N, a.M, a.Levels)
	ishapes := intShapes(a.N, a.M, a.K)
	count := int(d.u32())
	if d.err == nil && count != len(fshapes)+len(ishapes) {
		return nil, FormatError(fmt.Sprintf("%d tensors, want %d", count, len(fshapes)+len(ishapes)))
	}
	params := Params{}
	ints := map[string][]int32{}
	prev := ""
	for range count {
		name := d.str()
		dtype := int(d.u8())
		ndim := int(d.u8())
		if d.err != nil {
			return nil, d.err
		}
		if name <= prev {
			return nil, FormatError(fmt.Sprintf("tensor %q out of order", name))
		}
		prev = name
		var want []int
		wantType := dtypeF32
		if s, ok := fshapes[name]; ok {
			want = s
			if a.Float16 && halfStored(name) {
				wantType = dtypeF16
			}
		} else if it, ok := ishapes[name]; ok {
			want, wantType = it.shape, it.dtype
		} else {
			return nil, FormatError(fmt.Sprintf("unknown tensor %q", name))
		}
		if dtype != wantType || ndim != len(want) {
			return nil, FormatError(fmt.Sprintf("tensor %s: dtype %d ndim %d", name, dtype, ndim))
		}
		for _, w := range want {
			if int(d.u32()) != w {
				return nil, FormatError(fmt.Sprintf("tensor %s: shape does not match the architecture", name))
			}
		}
		n := numel(want)
		size := 4
		if dtype == dtypeF16 || dtype == dtypeI16 {
			size = 2
		}
		raw := d.take(n * size) // checked against the bytes present before allocating
		if d.err != nil {
			return nil, d.err
		}
		switch dtype {
		case dtypeF32, dtypeF16:
			vals := make([]float32, n)
			for i := range vals {
				if dtype == dtypeF32 {
					vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
				} else {
					vals[i] = f16ToF32(binary.LittleEndian.Uint16(raw[2*i:]))
				}
				if f := float64(vals[i]); math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, FormatError(fmt.Sprintf("tensor %s: value is not finite", name))
				}
			}
			params[name] = Param{Shape: want, Data: vals}
		case dtypeI16:
			vals := make([]int32, n)
			for i := range vals {
				vals[i] = int32(int16(binary.LittleEndian.Uint16(raw[2*i:])))
			}
			ints[name] = vals
		case dtypeI32:
			vals := make([]int32, n)
			for i := range vals {
				vals[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
			}
			ints[name] = vals
		}
	}
	zcdfs, err := parseCDFs(d, a.N)
	if err != nil {
		return nil, err
	}
	scdfs, err := parseCDFs(d, a.K)
	if err != nil {
		return nil, err
	}
	if len(d.b) != 0 {
		return nil, FormatError(fmt.Sprintf("%d trailing bytes", len(d.b)))
	}
	hs := hyperSynthesisFrom(a, ints)
	m, err := newModel(a, params, hs, zcdfs, scdfs)
	if pe, ok := err.(*ParamError); ok {
		return nil, FormatError(pe.Error())
	}
	return m, err
}

// hyperSynthesisFrom assembles the integer h_s from the stored tensors;
// newModel checks it.
func hyperSynthesisFrom(a Arch, ints map[string][]int32) *IntHyperSynthesis {
	hs := &IntHyperSynthesis{N: a.N, M: a.M, SlopeQ16: a.SlopeQ16, MeanBits: a.MeanBits, Thresholds: ints["h_s.thresholds"]}
	c := 3 * a.M / 2
	dims := [3][2]int{{a.N, a.M}, {a.M, c}, {c, 2 * a.M}}
	for i, name := range layerNames {
		w := ints[name+".weight"]
		w16 := make([]int16, len(w))
		for j, v := range w {
			w16[j] = int16(v)
		}
		hs.Layers[i] = IntLayer{
			In: dims[i][0], Out: dims[i][1], Transposed: i < 2, Leaky: i < 2,
			Weight: w16, Bias: ints[name+".bias"], Mult: ints[name+".mult"], Shift: ints[name+".shift"],
		}
	}
	return hs
}

// parseCDFs reads a count and that many CDF records; the count must be want.
func parseCDFs(d *decoder, want int) ([]quant.CDF, error) {
	count := int(d.u32())
	if d.err != nil {
		return nil, d.err
	}
	if count != want || count > maxCDFs {
		return nil, FormatError(fmt.Sprintf("%d CDF tables, want %d", count, want))
	}
	cdfs := make([]quant.CDF, count)
	for i := range cdfs {
		off := int32(d.u32())
		n := int(d.u32())
		if d.err != nil {
			return nil, d.err
		}
		if n < 2 || n > maxCDFSymbols {
			return nil, FormatError(fmt.Sprintf("CDF table %d: %d symbols", i, n))
		}
		raw := d.take(2 * (n - 1))
		if d.err != nil {
			return nil, d.err
		}
		cum := make([]uint32, n+1)
		for j := 1; j < n; j++ {
			cum[j] = uint32(binary.LittleEndian.Uint16(raw[2*(j-1):]))
			if cum[j] <= cum[j-1] {
				return nil, FormatError(fmt.Sprintf("CDF table %d is not strictly increasing", i))
			}
		}
		cum[n] = 1 << quant.Precision
		cdfs[i] = quant.CDF{Offset: off, Cum: cum}
	}
	return cdfs, nil
}

// f32ToF16 converts to IEEE 754 binary16, rounding to nearest even;
// overflow gives ±Inf.
func f32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	var h, rem, half uint32
	if e <= 0 {
		if e < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - e)
		h, rem, half = mant>>shift, mant&(1<<shift-1), 1<<(shift-1)
	} else {
		h, rem, half = uint32(e)<<10|mant>>13, mant&0x1fff, 0x1000
	}
	if rem > half || (rem == half && h&1 == 1) {
		h++ // a carry into the exponent is the correct rounding
	}
	return sign | uint16(h)
}

// f16ToF32 converts IEEE 754 binary16 to float32 exactly.
func f16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0:
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}
