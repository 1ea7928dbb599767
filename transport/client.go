// This file implements the client side: an http.RoundTripper that asks for
// aezip and hands PNG to the code above it, and a helper that fetches images.

package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/aezip/aezip/codec"
)

// DefaultMaxBytes is the largest aezip response body a [Transport] or
// [GetImage] reads when no limit is set.
const DefaultMaxBytes = 64 << 20

// Transport is an http.RoundTripper that advertises aezip in the Accept
// header of every request and converts aezip responses to PNG, so that code
// written for PNG and JPEG keeps working unchanged. Responses of other types
// are returned as they come. The zero value is usable and uses
// http.DefaultTransport.
type Transport struct {
	// Base makes the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxBytes limits the size of an aezip body; 0 means DefaultMaxBytes.
	MaxBytes int64
	// DecoderOptions are passed to the aezip decoder (for example
	// codec.WithMaxPixels).
	DecoderOptions []codec.DecoderOption
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	r.Header.Set("Accept", acceptWithAEZ(req.Header.Get("Accept")))
	resp, err := base.RoundTrip(r)
	if err != nil || !isAEZ(resp.Header.Get("Content-Type")) || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	defer resp.Body.Close()
	m, err := t.decode(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("transport: decoding aezip response from %s: %w", req.URL, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(&buf)
	resp.ContentLength = int64(buf.Len())
	resp.Header.Set("Content-Type", "image/png")
	resp.Header.Set("Content-Length", strconv.Itoa(buf.Len()))
	resp.Header.Del("Content-Encoding")
	return resp, nil
}

func (t *Transport) decode(body io.Reader) (image.Image, error) {
	limit := t.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("body larger than %d bytes", limit)
	}
	d, err := codec.NewDecoder(bytes.NewReader(data), t.DecoderOptions...)
	if err != nil {
		return nil, err
	}
	return d.Decode()
}

// acceptWithAEZ puts aezip first in an Accept header, keeping what the
// caller asked for as fall-backs.
func acceptWithAEZ(orig string) string {
	if Accepts([]string{orig}) {
		return orig
	}
	if orig == "" {
		return MediaType + ", image/*;q=0.8, */*;q=0.5"
	}
	return MediaType + ", " + orig
}

func isAEZ(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == MediaType
}

// GetImage fetches url with client (nil means http.DefaultClient), asking
// for aezip first, and decodes whatever image format comes back (aezip, PNG,
// JPEG or GIF). Bodies larger than maxBytes (0 means DefaultMaxBytes) are
// refused.
func GetImage(ctx context.Context, client *http.Client, url string, maxBytes int64) (image.Image, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", acceptWithAEZ("image/png, image/jpeg;q=0.9, image/*;q=0.8"))
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("transport: GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, errors.New("transport: image larger than the byte limit")
	}
	// A small body can still declare a huge image: check before decoding.
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("transport: image of %dx%d pixels is over the limit", cfg.Width, cfg.Height)
	}
	m, _, err := image.Decode(bytes.NewReader(data))
	return m, err
}

// MaxImagePixels is the largest image, in pixels, that [GetImage] decodes.
const MaxImagePixels = 1 << 26
