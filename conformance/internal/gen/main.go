// Command gen adds new conformance vectors to conformance/testdata, as
// specified in docs/spec.md §8.5. It never rewrites a vector that is
// already in vectors.json (published vectors are frozen forever) and
// refuses to overwrite any file that exists. Run it from the module root:
//
//	go run ./conformance/internal/gen
//
// To add a vector, append a recipe to the recipes list (never edit or
// reorder the existing ones) and run the command; it writes the new files,
// appends their manifest entries and prints what it did.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/conformance"
	"github.com/aezip/aezip/format"
	"github.com/aezip/aezip/model"
)

var (
	dir    = flag.String("dir", "conformance/testdata", "the vector set to add to")
	src    = flag.String("src", "testdata", "the module's testdata directory (kitten.png, parity/tiny.safetensors)")
	dryRun = flag.Bool("n", false, "only list the vectors that would be added")
)

// gen holds the state of one run.
type gen struct {
	man     *conformance.Manifest
	mdl     *model.Model
	mfile   []byte
	modelID string
	kitten  image.Image
	dec     conformance.AezipDecoder
	added   int
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	flag.Parse()
	g := &gen{}
	if err := g.run(); err != nil {
		log.Fatal(err)
	}
}

func (g *gen) run() error {
	man, err := conformance.LoadManifest(os.DirFS(*dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		man = &conformance.Manifest{Version: conformance.ManifestVersion}
	case err != nil:
		return err
	}
	g.man = man
	if err := g.loadModel(); err != nil {
		return err
	}
	if g.kitten, err = readPNG(filepath.Join(*src, "kitten.png")); err != nil {
		return err
	}
	for _, r := range recipes {
		if g.has(r.name) {
			continue // frozen
		}
		if *dryRun {
			fmt.Println("would add", r.name)
			continue
		}
		if err := g.add(r); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		// Saved after every vector, so that a failure later leaves no
		// file on disk that the manifest does not list.
		if err := g.save(); err != nil {
			return err
		}
	}
	if g.added == 0 && !*dryRun {
		fmt.Println("nothing to add: every recipe is already a frozen vector")
	}
	return nil
}

func (g *gen) save() error {
	b, err := json.MarshalIndent(g.man, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*dir, "vectors.json"), append(b, '\n'), 0o644)
}

// loadModel loads the set's model, or on the first run imports the
// trainer's tiny model and adds it to the set.
func (g *gen) loadModel() error {
	if len(g.man.Models) > 0 {
		md := g.man.Models[0]
		b, err := os.ReadFile(filepath.Join(*dir, md.File))
		if err != nil {
			return err
		}
		if conformance.SHA256(b) != md.SHA256 {
			return fmt.Errorf("model %s changed on disk", md.File)
		}
		g.mfile, g.modelID = b, md.ID
		g.mdl, err = model.Load(bytes.NewReader(b))
		return err
	}
	dump, err := os.ReadFile(filepath.Join(*src, "parity", "tiny.safetensors"))
	if err != nil {
		return err
	}
	m, err := model.Import(bytes.NewReader(dump), model.WithFloat16(true))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return err
	}
	id := m.ID()
	g.mdl, g.mfile, g.modelID = m, buf.Bytes(), hex.EncodeToString(id[:])
	name := "models/" + g.modelID + ".aezm"
	if err := writeNew(filepath.Join(*dir, name), g.mfile); err != nil {
		return err
	}
	g.man.Models = append(g.man.Models, conformance.Model{
		ID: g.modelID, File: name, SHA256: conformance.SHA256(g.mfile),
		Origin: "testdata/parity/tiny.safetensors (the trainer's tiny parity model: N=16, M=24, L=8, 200 training steps) imported with model.Import(WithFloat16(true))",
	})
	return nil
}

func (g *gen) has(name string) bool {
	for _, v := range g.man.Vectors {
		if v.Name == name {
			return true
		}
	}
	return false
}

func (g *gen) vector(name string) (conformance.Vector, error) {
	for _, v := range g.man.Vectors {
		if v.Name == name {
			return v, nil
		}
	}
	return conformance.Vector{}, fmt.Errorf("no vector %s", name)
}

// file returns the bytes of an existing vector, checked against the
// manifest.
func (g *gen) file(name string) ([]byte, error) {
	v, err := g.vector(name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(*dir, v.File))
	if err == nil && conformance.SHA256(b) != v.SHA256 {
		err = fmt.Errorf("%s changed on disk", v.File)
	}
	return b, err
}

// add builds the vector of recipe r, checks it with the reference decoder,
// writes its files and appends its manifest entry.
func (g *gen) add(r recipe) error {
	b, err := r.build(g)
	if err != nil {
		return err
	}
	v := conformance.Vector{
		Name: r.name, File: "vectors/" + r.name + ".aez", SHA256: conformance.SHA256(b),
		Model: g.modelID, FormatVersion: "-", Description: r.desc, Error: r.err,
	}
	if len(b) >= 10 && string(b[:8]) == format.Magic {
		v.FormatVersion = fmt.Sprintf("%d.%d", b[8], b[9])
	}
	var png []byte
	if r.err != conformance.None {
		_, err := g.dec.Decode(b, g.mfile)
		if c := g.dec.Class(err); c != r.err {
			return fmt.Errorf("reference decoder gives class %q (%v), recipe expects %q", c, err, r.err)
		}
	} else {
		m, err := g.dec.Decode(b, g.mfile)
		if err != nil {
			return fmt.Errorf("reference decoder: %w", err)
		}
		tiles, err := g.dec.DecodeLatents(b, g.mfile)
		if err != nil {
			return err
		}
		h, err := format.ReadHeader(bytes.NewReader(b), format.Limits{})
		if err != nil {
			return err
		}
		lh := conformance.HashLatents(tiles)
		v.Width, v.Height, v.ColorType, v.Latents = h.Width, h.Height, colorName(h.ColorType), &lh
		v.Image = "expected/" + r.name + ".png"
		if png, err = encodePNG(m); err != nil {
			return err
		}
		if r.twin != "" {
			tv, err := g.vector(r.twin)
			if err != nil {
				return err
			}
			if *tv.Latents != lh {
				return fmt.Errorf("latents differ from twin %s", r.twin)
			}
			v.Twin, v.Image, png = r.twin, tv.Image, nil
		}
		icc, exif, xmp, err := g.dec.Metadata(b)
		if err != nil {
			return err
		}
		if icc != nil || exif != nil || xmp != nil {
			v.Metadata = &conformance.MetadataHashes{ICC: hashOrEmpty(icc), EXIF: hashOrEmpty(exif), XMP: hashOrEmpty(xmp)}
		}
	}
	if err := writeNew(filepath.Join(*dir, v.File), b); err != nil {
		return err
	}
	if png != nil {
		if err := writeNew(filepath.Join(*dir, v.Image), png); err != nil {
			return err
		}
	}
	g.man.Vectors = append(g.man.Vectors, v)
	g.added++
	fmt.Printf("added %-28s %6d bytes  %s\n", v.Name, len(b), v.FormatVersion)
	return nil
}

func hashOrEmpty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return conformance.SHA256(b)
}

func colorName(c format.ColorType) string {
	switch c {
	case format.Gray:
		return "gray"
	case format.GrayAlpha:
		return "graya"
	case format.RGBA:
		return "rgba"
	}
	return "rgb"
}

// writeNew writes a file that must not exist yet.
func writeNew(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("refusing to overwrite a frozen file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readPNG(p string) (image.Image, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

func encodePNG(m image.Image) ([]byte, error) {
	var buf bytes.Buffer
	e := png.Encoder{CompressionLevel: png.BestCompression}
	err := e.Encode(&buf, m)
	return buf.Bytes(), err
}

// encode encodes m with the set's model at quality q.
func (g *gen) encode(m image.Image, q float64) ([]byte, error) {
	var buf bytes.Buffer
	err := codec.Encode(&buf, m, codec.WithModel(g.mdl), codec.WithQuality(q))
	return buf.Bytes(), err
}
