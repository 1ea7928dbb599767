// This file implements the adapter that benchmarks aezip itself through the
// codec package.

package bench

import "errors"

// newAezip returns the aezip codec under test.
// TODO(bench): wire to codec.Encode/codec.Decode once package codec exists.
var newAezip = func() (Codec, error) {
	return nil, errors.New("codec package not available in this build")
}
