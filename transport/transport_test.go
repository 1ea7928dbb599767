package transport

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aezip/aezip/codec"
)

// testPNG returns a small PNG with some structure.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8((x + y) * 3), 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	return buf.Bytes()
}

// imageServer serves the PNG at /img.png, a text file at /a.txt, and counts
// how often the image was served.
func imageServer(t testing.TB, pngBytes []byte, served *atomic.Int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/img.png", func(w http.ResponseWriter, r *http.Request) {
		if served != nil {
			served.Add(1)
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(pngBytes)
	})
	mux.HandleFunc("/a.txt", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, not an image")
	})
	return mux
}

func newTestHandler(t testing.TB, next http.Handler, opts ...Option) *Handler {
	t.Helper()
	h, err := NewHandler(next, append([]Option{WithQuality(30)}, opts...)...)
	require.NoError(t, err)
	return h
}

func get(t testing.TB, h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestNegotiation(t *testing.T) {
	src := testPNG(t, 40, 30)
	h := newTestHandler(t, imageServer(t, src, nil))

	tests := []struct {
		name, accept string
		wantType     string
	}{
		{"no accept", "", "image/png"},
		{"browser accept", "image/avif,image/webp,image/*,*/*;q=0.8", "image/png"},
		{"aez", "image/aez", MediaType},
		{"aez among others", "image/webp, image/aez;q=0.9, */*;q=0.1", MediaType},
		{"aez refused", "image/aez;q=0, image/png", "image/png"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, "GET", "/img.png", map[string]string{"Accept": tc.accept})
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, tc.wantType, rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Header().Values("Vary"), "Accept")
			if tc.wantType == "image/png" {
				assert.Equal(t, src, rec.Body.Bytes(), "original must pass through untouched")
				return
			}
			assert.Equal(t, "max-age=60", rec.Header().Get("Cache-Control"))
			assert.NotEmpty(t, rec.Header().Get("ETag"))
			assert.Equal(t, rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()))
			m, err := codec.Decode(bytes.NewReader(rec.Body.Bytes()))
			require.NoError(t, err)
			assert.Equal(t, image.Rect(0, 0, 40, 30), m.Bounds())
		})
	}
}

func TestNonImagesPassThrough(t *testing.T) {
	h := newTestHandler(t, imageServer(t, testPNG(t, 8, 8), nil))
	rec := get(t, h, "GET", "/a.txt", map[string]string{"Accept": MediaType})
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "hello, not an image", rec.Body.String())
	rec = get(t, h, "GET", "/missing", map[string]string{"Accept": MediaType})
	assert.Equal(t, http.StatusNotFound, rec.Code)
	rec = get(t, h, "POST", "/img.png", map[string]string{"Accept": MediaType})
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
}

func TestCacheAndConditional(t *testing.T) {
	var served atomic.Int64
	h := newTestHandler(t, imageServer(t, testPNG(t, 40, 30), &served))
	acc := map[string]string{"Accept": MediaType}

	first := get(t, h, "GET", "/img.png", acc)
	require.Equal(t, http.StatusOK, first.Code)
	second := get(t, h, "GET", "/img.png", acc)
	require.Equal(t, http.StatusOK, second.Code)
	assert.Equal(t, first.Body.Bytes(), second.Body.Bytes())
	assert.Equal(t, first.Header().Get("ETag"), second.Header().Get("ETag"))
	st := h.Stats()
	assert.EqualValues(t, 1, st.Encodes, "second request must come from the cache")
	assert.EqualValues(t, 1, st.CacheHits)
	assert.EqualValues(t, first.Body.Len(), st.CacheBytes)

	etag := first.Header().Get("ETag")
	nm := get(t, h, "GET", "/img.png", map[string]string{"Accept": MediaType, "If-None-Match": etag})
	assert.Equal(t, http.StatusNotModified, nm.Code)
	assert.Empty(t, nm.Body.Bytes())
	assert.Equal(t, etag, nm.Header().Get("ETag"))
	weak := get(t, h, "GET", "/img.png", map[string]string{"Accept": MediaType, "If-None-Match": `"x", W/` + etag})
	assert.Equal(t, http.StatusNotModified, weak.Code)

	head := get(t, h, "HEAD", "/img.png", acc)
	assert.Equal(t, http.StatusOK, head.Code)
	assert.Empty(t, head.Body.Bytes())
	assert.Equal(t, first.Header().Get("Content-Length"), head.Header().Get("Content-Length"))
	assert.Equal(t, MediaType, head.Header().Get("Content-Type"))
	assert.EqualValues(t, 1, h.Stats().Encodes)

	// Different settings must not share the cache entry or the ETag.
	h2 := newTestHandler(t, imageServer(t, testPNG(t, 40, 30), nil), WithQuality(80))
	other := get(t, h2, "GET", "/img.png", acc)
	assert.NotEqual(t, etag, other.Header().Get("ETag"))
}

func TestCacheEviction(t *testing.T) {
	c := newLRU(10)
	c.put("a", make([]byte, 4))
	c.put("b", make([]byte, 4))
	_, ok := c.get("a") // a is now the most recent
	require.True(t, ok)
	c.put("c", make([]byte, 4)) // evicts b
	_, ok = c.get("b")
	assert.False(t, ok)
	_, ok = c.get("a")
	assert.True(t, ok)
	c.put("huge", make([]byte, 11)) // larger than the cache: not stored
	_, ok = c.get("huge")
	assert.False(t, ok)
	n, size := c.stats()
	assert.Equal(t, 2, n)
	assert.EqualValues(t, 8, size)
}

func TestConcurrentRequestsEncodeOnce(t *testing.T) {
	h := newTestHandler(t, imageServer(t, testPNG(t, 64, 48), nil))
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := get(t, h, "GET", "/img.png", map[string]string{"Accept": MediaType})
			bodies[i] = rec.Body.Bytes()
		}()
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		assert.Equal(t, bodies[0], b)
	}
	assert.EqualValues(t, 1, h.Stats().Encodes)
}

func TestSourceLimits(t *testing.T) {
	src := testPNG(t, 40, 30)
	for _, opt := range []Option{WithMaxSourceBytes(100), WithMaxSourcePixels(1000)} {
		h := newTestHandler(t, imageServer(t, src, nil), opt)
		rec := get(t, h, "GET", "/img.png", map[string]string{"Accept": MediaType})
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
		assert.Equal(t, src, rec.Body.Bytes())
		assert.EqualValues(t, 0, h.Stats().Encodes)
	}
}

func TestBusyGives503(t *testing.T) {
	h := newTestHandler(t, imageServer(t, testPNG(t, 8, 8), nil), WithMaxConcurrent(1), WithQueue(0, time.Millisecond))
	require.NoError(t, h.limiter.acquire(context.Background())) // occupy the only slot
	defer h.limiter.release()
	rec := get(t, h, "GET", "/img.png", map[string]string{"Accept": MediaType})
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.EqualValues(t, 1, h.Stats().Busy)
}

func TestCancelledClientStopsWaiting(t *testing.T) {
	h := newTestHandler(t, imageServer(t, testPNG(t, 8, 8), nil), WithMaxConcurrent(1), WithQueue(4, time.Minute))
	require.NoError(t, h.limiter.acquire(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/img.png", nil).WithContext(ctx)
	req.Header.Set("Accept", MediaType)
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), req)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("handler kept waiting after the client went away")
	}
	h.limiter.release()
	// The abandoned job has been cancelled: nothing was encoded.
	time.Sleep(20 * time.Millisecond)
	assert.EqualValues(t, 0, h.Stats().Encodes)
}

func TestClientTransport(t *testing.T) {
	src := testPNG(t, 40, 30)
	h := newTestHandler(t, imageServer(t, src, nil))
	srv := httptest.NewServer(h)
	defer srv.Close()

	client := &http.Client{Transport: &Transport{}}
	resp, err := client.Get(srv.URL + "/img.png")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	m, err := png.Decode(bytes.NewReader(body))
	require.NoError(t, err, "the transport must hand PNG bytes to existing code")
	assert.Equal(t, image.Rect(0, 0, 40, 30), m.Bounds())
	assert.EqualValues(t, 1, h.Stats().Encodes, "the server must have sent aezip")

	// A plain client still gets the original.
	resp, err = http.Get(srv.URL + "/img.png")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, src, body)

	m, err = GetImage(context.Background(), nil, srv.URL+"/img.png", 0)
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 40, 30), m.Bounds())

	// The caller's request must not be modified by the RoundTripper.
	req, _ := http.NewRequest("GET", srv.URL+"/img.png", nil)
	req.Header.Set("Accept", "image/png")
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "image/png", req.Header.Get("Accept"))
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newTestHandler(t, imageServer(t, testPNG(t, 16, 16), nil))
	srv := httptest.NewServer(h)
	client := &http.Client{Transport: &Transport{Base: &http.Transport{}}}
	for i := 0; i < 5; i++ {
		_, err := GetImage(context.Background(), client, srv.URL+"/img.png", 0)
		require.NoError(t, err)
	}
	client.CloseIdleConnections()
	srv.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}
