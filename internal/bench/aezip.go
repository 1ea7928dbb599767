//go:build !aezipcodec

// This file is a stand-in for the aezip adapter (aezip_codec.go) while
// package codec does not yet provide Encode and Decode; build with
// -tags aezipcodec to use the real adapter.

package bench

import "errors"

// newAezip returns the aezip codec under test.
func newAezip(modelPath string, concurrency int) (Codec, error) {
	return nil, errors.New("codec package not available in this build")
}
