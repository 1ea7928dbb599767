// This file holds the examples of the package documentation.

package format_test

import (
	"bytes"
	"fmt"
	"io"
	"log"

	"github.com/aezip/aezip/format"
)

// A typical one-tile RGB file: a Kodak-sized image at about 0.5 bit per pixel.
func typicalFile() *format.File {
	return &format.File{
		Header: format.Header{Width: 768, Height: 512, ColorType: format.RGB, Quality: 5000, M: 192, N: 128},
		Tiles: []format.Tile{{
			HY: 32, WY: 48, HZ: 8, WZ: 12,
			Hyper:  make([]byte, 1500),
			Latent: make([]byte, 23000),
		}},
	}
}

func ExampleWrite() {
	f := typicalFile()
	var buf bytes.Buffer
	if err := format.Write(&buf, f); err != nil {
		log.Fatal(err)
	}
	payload := len(f.Tiles[0].Hyper) + len(f.Tiles[0].Latent)
	fmt.Printf("file %d bytes, payload %d bytes, container overhead %d bytes\n",
		buf.Len(), payload, buf.Len()-payload)
	// Output: file 24610 bytes, payload 24500 bytes, container overhead 110 bytes
}

// ExampleRead reads a stream of concatenated files (frames) until io.EOF.
func ExampleRead() {
	var stream bytes.Buffer
	for q := range 3 {
		f := typicalFile()
		f.Header.Quality = uint16(1000 * q)
		if err := format.Write(&stream, f); err != nil {
			log.Fatal(err)
		}
	}
	for {
		f, err := format.Read(&stream, format.DefaultLimits)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Header.Width, f.Header.Height, f.Header.Quality)
	}
	// Output:
	// 768 512 0
	// 768 512 1000
	// 768 512 2000
}

// ExampleNewDecoder checks the declared size before reading the payload.
func ExampleNewDecoder() {
	var buf bytes.Buffer
	if err := format.Write(&buf, typicalFile()); err != nil {
		log.Fatal(err)
	}
	z, err := format.NewDecoder(&buf, format.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	h := z.Header()
	fmt.Println(h.Width, h.Height, h.ColorType, h.TileCount())
	f, err := z.Decode()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(f.Tiles[0].Latent))
	// Output:
	// 768 512 rgb 1
	// 23000
}
