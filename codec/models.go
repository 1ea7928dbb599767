// This file implements the embedded default model, loaded lazily once, as
// specified in docs/spec.md §6 (models).

package codec

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/aezip/aezip/model"
)

// The directory (not the file) is embedded so that the package builds
// before a trained model exists: models/README.md always matches.
//
//go:embed models
var modelFS embed.FS

const defaultModelPath = "models/default.aezm"

var defaultModel = sync.OnceValues(func() (*model.Model, error) {
	b, err := modelFS.ReadFile(defaultModelPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoModel
	}
	if err != nil {
		return nil, err
	}
	m, err := model.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("codec: embedded model: %w", err)
	}
	return m, nil
})

// DefaultModel returns the model embedded in the package, loading it on
// first use; it returns [ErrNoModel] when the package was built without one.
// The result is shared: do not modify it.
func DefaultModel() (*model.Model, error) {
	return defaultModel()
}

func pickModel(m *model.Model) (*model.Model, error) {
	if m != nil {
		return m, nil
	}
	return defaultModel()
}
