package transport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aezip/aezip/internal/gemm"
	"github.com/aezip/aezip/model"
)

// TestSettingsMarkBF16 checks that the cache key and ETag settings say
// whether this machine may encode with bfloat16 arithmetic, whose bytes can
// differ from other machines', and that they follow the kernel family.
func TestSettingsMarkBF16(t *testing.T) {
	var o options
	o.setDefault()
	assert.Equal(t, model.BF16Available(), strings.HasSuffix(o.settings(), ";bf16"))
	if model.BF16Available() {
		defer gemm.SetKernel(gemm.SetKernel(gemm.AVX2))
		assert.False(t, strings.HasSuffix(o.settings(), ";bf16"), "AVX2 kernels encode in float32")
	}
}
