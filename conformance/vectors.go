// This file implements the manifest of the conformance vectors
// (testdata/vectors.json) and access to the embedded vector files, as
// specified in docs/spec.md §8.

package conformance

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sync"
)

// The whole testdata directory is embedded so that an implementation in
// another module can run the vectors without a checkout of this one.
//
//go:embed testdata
var testdata embed.FS

// ManifestVersion is the layout version of vectors.json that this package
// reads.
const ManifestVersion = 1

// A Manifest is the content of testdata/vectors.json.
type Manifest struct {
	// Version is the layout version of the manifest ([ManifestVersion]).
	Version int `json:"manifest_version"`
	// Models are the model files the vectors use.
	Models []Model `json:"models"`
	// Vectors are the test vectors, in the order they were added.
	Vectors []Vector `json:"vectors"`
}

// A Model is one model file of the vector set.
type Model struct {
	// ID is the hex model ID (the first 16 bytes of the SHA-256 of the
	// model file body) that the vectors' headers name.
	ID string `json:"id"`
	// File is the path of the model file, relative to testdata/.
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of the whole model file.
	SHA256 string `json:"sha256"`
	// Origin says how the model file was made.
	Origin string `json:"origin"`
}

// A Vector is one conformance test vector.
type Vector struct {
	// Name identifies the vector; it never changes.
	Name string `json:"name"`
	// File is the path of the aezip file, relative to testdata/.
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of the file; the runner refuses a vector
	// whose bytes changed.
	SHA256 string `json:"sha256"`
	// Model is the ID of the model the decoder is given (see [Model]).
	Model string `json:"model"`
	// FormatVersion is the container version of the file, "major.minor".
	FormatVersion string `json:"format_version"`
	// Description says what the vector exercises and how it was made.
	Description string `json:"description"`

	// Error is the class of error a decoder must return; [None] for a
	// valid file, which then has the fields below.
	Error ErrorClass `json:"error,omitempty"`

	// Width and Height are the image size.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// ColorType is the header's colour type: "gray", "rgb", "graya" or
	// "rgba".
	ColorType string `json:"color_type,omitempty"`
	// Image is the path of the expected decoded image, an 8-bit PNG,
	// relative to testdata/.
	Image string `json:"image,omitempty"`
	// Latents are the hashes of the entropy-decoded integers.
	Latents *LatentHashes `json:"latents,omitempty"`
	// Metadata, when set, are the hashes of the metadata the file carries.
	Metadata *MetadataHashes `json:"metadata,omitempty"`
	// Twin, when set, names a vector of an earlier version whose decoded
	// image this one must equal exactly.
	Twin string `json:"twin,omitempty"`
}

// LatentHashes are the hex SHA-256 hashes of the integers of every tile, in
// tile order, each value written as 32-bit little-endian two's complement
// (see [HashLatents]).
type LatentHashes struct {
	Tiles   int    `json:"tiles"`
	Z       string `json:"z"`
	Symbols string `json:"symbols"`
	Means   string `json:"means"`
	Scales  string `json:"scales"`
}

// MetadataHashes are the hex SHA-256 hashes of the ICC profile, EXIF and
// XMP data of a file; an empty string means the chunk is absent.
type MetadataHashes struct {
	ICC  string `json:"icc"`
	EXIF string `json:"exif"`
	XMP  string `json:"xmp"`
}

var embedded = sync.OnceValues(func() (*Manifest, error) {
	fsys, err := fs.Sub(testdata, "testdata")
	if err != nil {
		return nil, err
	}
	return LoadManifest(fsys)
})

// Embedded returns the manifest of the vector set built into this package.
func Embedded() (*Manifest, error) { return embedded() }

// Vectors returns the vectors of the embedded set.
func Vectors() ([]Vector, error) {
	m, err := embedded()
	if err != nil {
		return nil, err
	}
	return m.Vectors, nil
}

// LoadManifest reads and checks vectors.json in fsys (a directory laid out
// as testdata/).
func LoadManifest(fsys fs.FS) (*Manifest, error) {
	b, err := fs.ReadFile(fsys, "vectors.json")
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("conformance: vectors.json: %w", err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("conformance: vectors.json: manifest version %d, want %d", m.Version, ManifestVersion)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("conformance: vectors.json: %w", err)
	}
	return &m, nil
}

// check verifies the manifest's internal consistency (names unique, models
// and twins exist, every valid vector has its expectations).
func (m *Manifest) check() error {
	models := map[string]bool{}
	for _, md := range m.Models {
		models[md.ID] = true
	}
	names := map[string]bool{}
	for _, v := range m.Vectors {
		switch {
		case v.Name == "" || names[v.Name]:
			return fmt.Errorf("vector name %q empty or repeated", v.Name)
		case !models[v.Model]:
			return fmt.Errorf("vector %s: unknown model %s", v.Name, v.Model)
		case v.Twin != "" && !names[v.Twin]:
			return fmt.Errorf("vector %s: twin %s is not an earlier vector", v.Name, v.Twin)
		case v.Error == None && (v.Image == "" || v.Latents == nil || v.Width <= 0 || v.Height <= 0 || channels(v.ColorType) == 0):
			return fmt.Errorf("vector %s: valid vector without its expectations", v.Name)
		case v.Error != None && !knownClass(v.Error):
			return fmt.Errorf("vector %s: unknown error class %q", v.Name, v.Error)
		}
		names[v.Name] = true
	}
	return nil
}

func knownClass(c ErrorClass) bool {
	for _, k := range errorClasses {
		if c == k {
			return true
		}
	}
	return false
}

// model returns the model entry with the given ID.
func (m *Manifest) model(id string) (Model, bool) {
	for _, md := range m.Models {
		if md.ID == id {
			return md, true
		}
	}
	return Model{}, false
}

// vector returns the vector with the given name.
func (m *Manifest) vector(name string) (Vector, bool) {
	for _, v := range m.Vectors {
		if v.Name == name {
			return v, true
		}
	}
	return Vector{}, false
}

// ReadFile returns the embedded file at p, relative to testdata/, after
// checking it against the hex SHA-256 want (unchecked when want is empty).
func ReadFile(p, want string) ([]byte, error) {
	b, err := testdata.ReadFile(path.Join("testdata", p))
	if err != nil {
		return nil, err
	}
	if want != "" {
		if got := SHA256(b); got != want {
			return nil, fmt.Errorf("conformance: %s has SHA-256 %s, manifest says %s (vectors are frozen: never edit them)", p, got, want)
		}
	}
	return b, nil
}

// SHA256 returns the hex SHA-256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
