// Package transport serves images as aezip to HTTP clients that accept it
// and decodes them transparently on the client side.
//
// # Server
//
// [NewHandler] wraps an existing [http.Handler] that serves PNG or JPEG
// images. When a request's Accept header lists [MediaType] with a non-zero
// q-value, a successful PNG or JPEG response from the wrapped handler is
// transcoded to aezip; every other request and response passes through
// untouched. Responses that could have been transcoded carry "Vary: Accept"
// so shared caches keep the two representations apart.
//
// Encoded results are kept in a bounded in-memory cache keyed by the
// identity of the source bytes (their SHA-256) and the encoder settings, so
// a repeated request costs one call of the wrapped handler and no encoding;
// concurrent requests for the same image and settings share one encode.
// Source size, source pixels and the number of concurrent encodes are
// limited; a request that would exceed the concurrency limit waits in a
// bounded queue and otherwise gets 503 with Retry-After.
//
// # Client
//
// [Transport] is an [http.RoundTripper] that adds [MediaType] to the Accept
// header of outgoing requests and turns aezip responses back into PNG bytes,
// so existing code that expects PNG keeps working. [GetImage] fetches a URL
// and returns the decoded image whatever the representation.
//
// The media type and its parameters are specified in docs/spec.md.
package transport
