package codec_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"os"

	"github.com/aezip/aezip/codec"
)

// The examples need the embedded default model (codec/models/default.aezm);
// they have no Output comment, so "go test" compiles but does not run them
// until one is embedded.

// ExampleEncode compresses a PNG image at quality 60 with the embedded
// default model.
func ExampleEncode() {
	f, err := os.Open("../testdata/kitten.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := codec.Encode(&buf, m, codec.WithQuality(60)); err != nil {
		log.Fatal(err)
	}
	b := m.Bounds()
	fmt.Printf("%d×%d image, %.2f bits per pixel\n", b.Dx(), b.Dy(), float64(8*buf.Len())/float64(b.Dx()*b.Dy()))
}

// ExampleDecode checks an untrusted file's size with DecodeConfig, then
// decodes it with a pixel limit.
func ExampleDecode() {
	// A file to decode: the example image, encoded in memory.
	f, err := os.Open("../testdata/kitten.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	var file bytes.Buffer
	if err := codec.Encode(&file, src); err != nil {
		log.Fatal(err)
	}
	data := file.Bytes()

	cfg, err := codec.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d×%d\n", cfg.Width, cfg.Height)
	d, err := codec.NewDecoder(bytes.NewReader(data), codec.WithMaxPixels(1<<24))
	if err != nil {
		log.Fatal(err)
	}
	m, err := d.Decode()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Bounds())
}
