// This file implements the server side: content negotiation, transcoding,
// conditional requests and the limits, as specified in docs/spec.md §Transport.

package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	_ "image/jpeg" // source formats the handler transcodes
	_ "image/png"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aezip/aezip/codec"
)

// MediaType is the media type of an aezip file.
const MediaType = "image/aez"

// errSourceRejected reports a source that is not transcoded (undecodable or
// over the pixel limit); its original bytes are sent instead.
var errSourceRejected = errors.New("transport: source not transcoded")

// Handler is an http.Handler that transcodes the PNG and JPEG responses of
// another handler to aezip for clients that accept it. It is safe for
// concurrent use.
type Handler struct {
	next    http.Handler
	o       options
	cache   *lru
	flight  flightGroup
	limiter *limiter
	stats   struct{ encodes, hits, shared, passed, busy atomic.Int64 }
}

// Stats counts what a [Handler] has done since it was made.
type Stats struct {
	Encodes     int64 // images encoded
	CacheHits   int64 // responses served from the cache
	Shared      int64 // responses that shared another request's encode
	PassThrough int64 // responses sent untouched although the client accepted aezip
	Busy        int64 // requests refused with 503
	CacheBytes  int64 // bytes held in the cache now
}

// NewHandler returns a handler that serves next's responses, transcoding
// PNG and JPEG images to aezip when the request accepts [MediaType].
func NewHandler(next http.Handler, opts ...Option) (*Handler, error) {
	h := &Handler{next: next}
	h.o.setDefault()
	for _, opt := range opts {
		if err := opt(&h.o); err != nil {
			return nil, err
		}
	}
	h.cache = newLRU(h.o.cacheBytes)
	h.limiter = newLimiter(h.o.maxConcurrent, h.o.maxQueue, h.o.queueTimeout)
	return h, nil
}

// Stats returns the handler's counters.
func (h *Handler) Stats() Stats {
	_, size := h.cache.stats()
	return Stats{
		Encodes:     h.stats.encodes.Load(),
		CacheHits:   h.stats.hits.Load(),
		Shared:      h.stats.shared.Load(),
		PassThrough: h.stats.passed.Load(),
		Busy:        h.stats.busy.Load(),
		CacheBytes:  size,
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.next.ServeHTTP(w, r)
		return
	}
	w.Header().Add("Vary", "Accept")
	if !Accepts(r.Header.Values("Accept")) {
		h.next.ServeHTTP(w, r)
		return
	}

	// Ask the wrapped handler for the whole original: HEAD needs the bytes
	// to compute the ETag, and conditional or range headers refer to the
	// aezip representation, not to the source.
	up := r.Clone(r.Context())
	up.Method = http.MethodGet
	for _, k := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		up.Header.Del(k)
	}
	rec := &recorder{w: w, limit: h.o.maxSourceBytes, header: make(http.Header)}
	h.next.ServeHTTP(rec, up)
	if rec.passthrough {
		h.stats.passed.Add(1)
		return
	}
	rec.WriteHeader(http.StatusOK) // no-op if the handler already did
	if rec.passthrough {
		h.stats.passed.Add(1)
		return
	}
	src := rec.buf.Bytes()
	sum := sha256.Sum256(src)
	key := hex.EncodeToString(sum[:]) + "|" + h.o.settings()
	tag := sha256.Sum256([]byte(key))
	etag := `"aez-` + hex.EncodeToString(tag[:16]) + `"`

	hdr := w.Header()
	for _, k := range []string{"Cache-Control", "Expires", "Last-Modified"} {
		if v := rec.header.Values(k); len(v) > 0 {
			hdr[k] = v
		}
	}
	hdr.Set("ETag", etag)
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	data, err := h.encoded(r.Context(), key, src)
	switch {
	case err == nil:
	case errors.Is(err, errSourceRejected):
		hdr.Del("ETag")
		h.stats.passed.Add(1)
		rec.flush()
		return
	case errors.Is(err, errBusy):
		h.stats.busy.Add(1)
		hdr.Del("ETag")
		hdr.Set("Retry-After", strconv.Itoa(int((h.o.retryAfter.Seconds() + 0.999))))
		http.Error(w, "aezip: server busy", http.StatusServiceUnavailable)
		return
	case r.Context().Err() != nil:
		return // the client has gone; nobody reads a response
	default:
		hdr.Del("ETag")
		http.Error(w, "aezip: transcoding failed", http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Type", MediaType)
	hdr.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(data)
	}
}

// encoded returns the aezip bytes of src, from the cache or by encoding it
// once for all concurrent requests with the same key.
func (h *Handler) encoded(ctx context.Context, key string, src []byte) ([]byte, error) {
	if data, ok := h.cache.get(key); ok {
		h.stats.hits.Add(1)
		return data, nil
	}
	data, shared, err := h.flight.do(ctx, key, func(ctx context.Context) ([]byte, error) {
		if err := h.limiter.acquire(ctx); err != nil {
			return nil, err
		}
		defer h.limiter.release()
		data, err := h.transcode(ctx, src)
		if err == nil {
			h.stats.encodes.Add(1)
			h.cache.put(key, data)
		}
		return data, err
	})
	if shared && err == nil {
		h.stats.shared.Add(1)
	}
	return data, err
}

// transcode decodes a PNG or JPEG source, checking its declared size before
// decoding it, and encodes it to aezip.
func (h *Handler) transcode(ctx context.Context, src []byte) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil || int64(cfg.Width)*int64(cfg.Height) > h.o.maxSourcePixels {
		return nil, errSourceRejected
	}
	m, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		return nil, errSourceRejected
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	opts := append(h.o.encoderOptions(), codec.WithContext(ctx))
	if err := codec.Encode(&buf, m, opts...); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Accepts reports whether Accept header values list [MediaType] (or
// "image/*" is not enough: aezip must be named) with a non-zero q-value.
func Accepts(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != MediaType {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// etagMatch implements the weak comparison of If-None-Match (RFC 9110 §13.1.2).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// recorder buffers the wrapped handler's response while it may still be
// transcoded: a 200 PNG or JPEG no larger than limit. Any other response is
// passed through to the real writer as it comes.
type recorder struct {
	w           http.ResponseWriter
	limit       int64
	header      http.Header
	status      int
	buf         bytes.Buffer
	passthrough bool
}

func (rc *recorder) Header() http.Header {
	if rc.passthrough {
		return rc.w.Header()
	}
	return rc.header
}

func (rc *recorder) WriteHeader(code int) {
	if rc.status != 0 {
		return
	}
	rc.status = code
	if code != http.StatusOK || !transcodable(rc.header) {
		rc.startPassthrough()
	}
}

func (rc *recorder) Write(p []byte) (int, error) {
	if rc.status == 0 {
		if rc.header.Get("Content-Type") == "" {
			rc.header.Set("Content-Type", http.DetectContentType(p))
		}
		rc.WriteHeader(http.StatusOK)
	}
	if rc.passthrough {
		return rc.w.Write(p)
	}
	if int64(rc.buf.Len()+len(p)) > rc.limit {
		rc.startPassthrough()
		return rc.w.Write(p)
	}
	return rc.buf.Write(p)
}

// startPassthrough sends what was held back and makes later writes direct.
func (rc *recorder) startPassthrough() {
	if rc.passthrough {
		return
	}
	rc.passthrough = true
	dst := rc.w.Header()
	for k, v := range rc.header {
		dst[k] = v
	}
	rc.w.WriteHeader(rc.status)
	if rc.buf.Len() > 0 {
		rc.w.Write(rc.buf.Bytes())
		rc.buf.Reset()
	}
}

// flush sends a fully buffered response unchanged.
func (rc *recorder) flush() { rc.startPassthrough() }

// transcodable reports whether a response with these headers is an
// unencoded PNG or JPEG.
func transcodable(h http.Header) bool {
	if ce := h.Get("Content-Encoding"); ce != "" && ce != "identity" {
		return false
	}
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mt == "image/png" || mt == "image/jpeg")
}
