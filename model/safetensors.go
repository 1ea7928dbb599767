// This file implements the reader and writer of the trainer's safetensors
// dump (8-byte header length, JSON header, raw little-endian data), as
// specified in docs/spec.md §5.6.

package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// Limits on a safetensors dump, checked before anything is allocated.
const (
	maxDumpHeader  = 1 << 24 // bytes of JSON header
	maxDumpData    = 1 << 30 // bytes of tensor data
	maxDumpTensors = 1024
	maxTensorDims  = 4
	maxTensorDim   = 1 << 20
)

// stTensor is one tensor of a safetensors file, its data still raw.
type stTensor struct {
	dtype string
	shape []int
	data  []byte
}

// safetensors is a parsed safetensors file.
type safetensors struct {
	meta    map[string]string
	tensors map[string]stTensor
}

// dtypeSize returns the element size of the accepted dtypes, 0 for others.
func dtypeSize(dtype string) int {
	switch dtype {
	case "F32", "I32":
		return 4
	case "F16":
		return 2
	}
	return 0
}

// readSafetensors parses a safetensors file from r, reading at most what its
// header declares and never allocating more than the limits allow.
func readSafetensors(r io.Reader) (*safetensors, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, DumpError("reading header length: " + err.Error())
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen < 2 || hlen > maxDumpHeader {
		return nil, DumpError(fmt.Sprintf("header length %d out of range", hlen))
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, DumpError("reading header: " + err.Error())
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, DumpError("header JSON: " + err.Error())
	}
	if len(raw) > maxDumpTensors+1 {
		return nil, DumpError(fmt.Sprintf("%d header entries, limit %d", len(raw), maxDumpTensors))
	}
	st := &safetensors{meta: map[string]string{}, tensors: map[string]stTensor{}}
	type span struct {
		name       string
		start, end int64
	}
	var spans []span
	var end int64
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &st.meta); err != nil {
				return nil, DumpError("__metadata__: " + err.Error())
			}
			continue
		}
		var e struct {
			Dtype       string   `json:"dtype"`
			Shape       []int64  `json:"shape"`
			DataOffsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, DumpError(name + ": " + err.Error())
		}
		size := int64(dtypeSize(e.Dtype))
		if size == 0 {
			return nil, DumpError(fmt.Sprintf("%s: unsupported dtype %q", name, e.Dtype))
		}
		if len(e.Shape) > maxTensorDims || len(e.DataOffsets) != 2 {
			return nil, DumpError(name + ": bad shape or data_offsets")
		}
		shape := make([]int, len(e.Shape))
		for i, d := range e.Shape {
			if d < 0 || d > maxTensorDim {
				return nil, DumpError(fmt.Sprintf("%s: dimension %d out of range", name, d))
			}
			shape[i] = int(d)
			size *= d
			if size > maxDumpData {
				return nil, DumpError(name + ": tensor too large")
			}
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo > hi || hi > maxDumpData || int64(hi-lo) != size {
			return nil, DumpError(fmt.Sprintf("%s: data_offsets [%d,%d] do not match %s%v", name, lo, hi, e.Dtype, e.Shape))
		}
		st.tensors[name] = stTensor{dtype: e.Dtype, shape: shape}
		spans = append(spans, span{name, int64(lo), int64(hi)})
		end = max(end, int64(hi))
	}
	// ReadAll grows with the data actually present, so a header that claims
	// a gigabyte does not make a short stream allocate one.
	data, err := io.ReadAll(io.LimitReader(r, end))
	if err != nil {
		return nil, DumpError("reading data: " + err.Error())
	}
	if int64(len(data)) != end {
		return nil, DumpError(fmt.Sprintf("data truncated: %d of %d bytes", len(data), end))
	}
	for _, s := range spans {
		t := st.tensors[s.name]
		t.data = data[s.start:s.end]
		st.tensors[s.name] = t
	}
	return st, nil
}

// numel returns the product of shape.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// floats returns tensor name as float32 values after checking its shape.
// F32 and F16 are accepted.
func (st *safetensors) floats(name string, shape ...int) ([]float32, error) {
	t, err := st.get(name, shape)
	if err != nil {
		return nil, err
	}
	out := make([]float32, numel(t.shape))
	switch t.dtype {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.data[4*i:]))
		}
	case "F16":
		for i := range out {
			out[i] = f16ToF32(binary.LittleEndian.Uint16(t.data[2*i:]))
		}
	default:
		return nil, DumpError(fmt.Sprintf("%s: dtype %s, want F32 or F16", name, t.dtype))
	}
	for _, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, DumpError(name + ": value is not finite")
		}
	}
	return out, nil
}

// ints returns tensor name as int32 values after checking its shape. I32 is
// accepted, and F32 holding whole numbers.
func (st *safetensors) ints(name string, shape ...int) ([]int32, error) {
	t, err := st.get(name, shape)
	if err != nil {
		return nil, err
	}
	out := make([]int32, numel(t.shape))
	switch t.dtype {
	case "I32":
		for i := range out {
			out[i] = int32(binary.LittleEndian.Uint32(t.data[4*i:]))
		}
	case "F32":
		for i := range out {
			v := math.Float32frombits(binary.LittleEndian.Uint32(t.data[4*i:]))
			if v != float32(math.Trunc(float64(v))) || math.Abs(float64(v)) > 1<<24 {
				return nil, DumpError(name + ": value is not an integer")
			}
			out[i] = int32(v)
		}
	default:
		return nil, DumpError(fmt.Sprintf("%s: dtype %s, want I32", name, t.dtype))
	}
	return out, nil
}

// get returns tensor name after checking its shape; a shape of nil skips
// the check.
func (st *safetensors) get(name string, shape []int) (stTensor, error) {
	t, ok := st.tensors[name]
	if !ok {
		return t, DumpError("missing tensor " + name)
	}
	if shape != nil && !equalShape(t.shape, shape) {
		return t, DumpError(fmt.Sprintf("%s: shape %v, want %v", name, t.shape, shape))
	}
	return t, nil
}

// metaInt returns the integer metadata value key.
func (st *safetensors) metaInt(key string) (int, error) {
	s, ok := st.meta[key]
	if !ok {
		return 0, DumpError("missing metadata " + key)
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, DumpError(fmt.Sprintf("metadata %s=%q is not an integer", key, s))
	}
	return v, nil
}

// WriteSafetensors writes p as a safetensors file with the given metadata,
// tensors in name order. Every tensor is F32 except "z.offset", which is
// written as I32 as the trainer's dump does (its values must be whole
// numbers). It lets tests build dumps for [Import] without the trainer.
func WriteSafetensors(w io.Writer, p Params, meta map[string]string) error {
	names := make([]string, 0, len(p))
	for name := range p {
		names = append(names, name)
	}
	sort.Strings(names)
	type entry struct {
		Dtype       string   `json:"dtype"`
		Shape       []int    `json:"shape"`
		DataOffsets [2]int64 `json:"data_offsets"`
	}
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var data bytes.Buffer
	for _, name := range names {
		t := p[name]
		if numel(t.Shape) != len(t.Data) {
			return fmt.Errorf("model: WriteSafetensors: %s: shape %v does not match %d values", name, t.Shape, len(t.Data))
		}
		dtype := "F32"
		start := int64(data.Len())
		var b4 [4]byte
		for _, v := range t.Data {
			bits := math.Float32bits(v)
			if name == "z.offset" {
				dtype = "I32"
				bits = uint32(int32(v))
			}
			binary.LittleEndian.PutUint32(b4[:], bits)
			data.Write(b4[:])
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = entry{dtype, shape, [2]int64{start, int64(data.Len())}}
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Pad the header with spaces to a multiple of 8, as safetensors does, so
	// the data is aligned when the file is mapped.
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hdr)))
	for _, b := range [][]byte{lenBuf[:], hdr, data.Bytes()} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
