package sigv4

import (
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// queryPair is one decoded key=value of the raw query string, in wire order.
type queryPair struct{ key, value string }

type queryPairs []queryPair

// get returns the first value of key; SigV4 parameter names are case-sensitive.
func (q queryPairs) get(key string) (string, bool) {
	for _, p := range q {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}

// parseQuery splits a raw query the way the SDKs re-parse it before signing: '&'
// separates pairs, '+' is a space, and a malformed %-escape is kept literally rather
// than dropping the pair (net/url would drop it, and the signature with it).
func parseQuery(raw string) queryPairs {
	if raw == "" {
		return nil
	}
	var q queryPairs
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		q = append(q, queryPair{unescape(k), unescape(v)})
	}
	return q
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEncoded is AWS's UriEncode: every byte but the unreserved ones (and '/', when
// keepSlash) as %XX with upper-case hex.
func appendEncoded(b []byte, s string, keepSlash bool) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
		}
	}
	return b
}

// canonicalQuery is the sorted, re-encoded query, without X-Amz-Signature when
// presigned (the signature cannot sign itself).
func canonicalQuery(b []byte, q queryPairs, presigned bool) []byte {
	if len(q) == 0 {
		return b
	}
	enc := make([]queryPair, 0, len(q))
	for _, p := range q {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		enc = append(enc, queryPair{string(appendEncoded(nil, p.key, false)), string(appendEncoded(nil, p.value, false))})
	}
	slices.SortFunc(enc, func(x, y queryPair) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return strings.Compare(x.value, y.value)
	})
	for i, p := range enc {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.key...)
		b = append(b, '=')
		b = append(b, p.value...)
	}
	return b
}

// wirePath is the path exactly as the client sent it: the request-target when the
// server recorded one, else the URL's escaped form (requests built in-process).
func wirePath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL.Opaque != "" {
		return r.URL.Opaque
	}
	return r.URL.EscapedPath()
}

// canonicalURIs returns the canonical URI AWS computes and, for non-S3 services, the
// one the AWS SDK for Go v2 signs when it differs. S3 signs the path as sent. Every
// other service removes dot segments and empty segments, then encodes the (already
// encoded) path again; the Go SDK v2 skips the normalization, so a path with "." or
// "//" would fail against it alone. Accepting both costs nothing in security: either
// is an HMAC over the same request by the holder of the key.
func canonicalURIs(path string, s3 bool) (string, string) {
	if path == "" {
		path = "/"
	}
	if s3 {
		// S3 Control signs as "s3" too; the AWS SDK for Go v2 encodes its paths again
		// as other services' (its resource ARNs' colons become %253A) where botocore
		// does not, and AWS takes both (recorded 2026 with botocore, stackd
		// testdata/aws/s3/abac_controls_replay.json; the Go SDK's S3 Control tag
		// calls work against AWS). Plain S3 paths stay as sent.
		if strings.HasPrefix(path, "/v20180820/") {
			if alt := encodePath(path); alt != path {
				return path, alt
			}
		}
		return path, ""
	}
	norm := normalizePath(path)
	raw := ""
	if norm != path {
		raw = encodePath(path)
	}
	return encodePath(norm), raw
}

// encodePath URI-encodes a path, keeping '/'; most paths need no change and cost
// no allocation.
func encodePath(p string) string {
	for i := 0; i < len(p); i++ {
		if !unreserved(p[i]) && p[i] != '/' {
			return string(appendEncoded(make([]byte, 0, len(p)+16), p, true))
		}
	}
	return p
}

// normalizePath is RFC 3986 dot-segment removal plus the collapse of repeated
// slashes AWS services (and botocore) apply.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && !strings.HasPrefix(p, ".") {
		return p
	}
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	s := strings.Join(out, "/")
	if strings.HasPrefix(p, "/") {
		s = "/" + s
	}
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		s += "/"
	}
	if s == "" {
		s = "/"
	}
	return s
}

// appendCanonicalHeaders writes "name:value\n" for each signed header, in the order
// the client listed them (a client that did not sort them signed them unsorted).
// tabs chooses botocore's reading of Trimall, which collapses tabs too, over the Go
// SDK's, which collapses only spaces.
func appendCanonicalHeaders(b []byte, r *http.Request, signed []string, tabs bool) []byte {
	for _, name := range signed {
		lname := lower(name)
		b = append(b, lname...)
		b = append(b, ':')
		if lname == "host" {
			b = appendTrimmed(b, hostOf(r), tabs)
			b = append(b, '\n')
			continue
		}
		for i, v := range headerValues(r, lname) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTrimmed(b, v, tabs)
		}
		b = append(b, '\n')
	}
	return b
}

// headerValues finds a signed header's values. Go moves some headers out of
// r.Header (Host always; Content-Length and Transfer-Encoding on the server side),
// and leaves non-token names uncanonicalized, hence the fallbacks.
func headerValues(r *http.Request, lname string) []string {
	if lname == "host" {
		return []string{hostOf(r)}
	}
	var buf [64]byte
	if key, ok := canonicalKey(buf[:0], lname); ok {
		if v, ok := r.Header[string(key)]; ok { // no allocation: the compiler looks up []byte keys in place
			return v
		}
	} else if v, ok := r.Header[textproto.CanonicalMIMEHeaderKey(lname)]; ok {
		return v
	}
	for k, v := range r.Header {
		if strings.EqualFold(k, lname) {
			return v
		}
	}
	switch lname {
	case "content-length":
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	return nil
}

// appendTrimmed is SigV4's Trimall: no leading or trailing whitespace, and runs of
// spaces (and tabs, if tabs) collapsed to one space.
func appendTrimmed(b []byte, v string, tabs bool) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || (tabs && c == '\t') {
			if !space {
				b = append(b, ' ')
			}
			space = true
			continue
		}
		space = false
		b = append(b, c)
	}
	return b
}

// signedValuesHaveTabs reports whether the two readings of Trimall can differ.
func signedValuesHaveTabs(r *http.Request, signed []string) bool {
	for _, name := range signed {
		for _, v := range headerValues(r, strings.ToLower(name)) {
			if strings.Contains(strings.Trim(v, " \t"), "\t") {
				return true
			}
		}
	}
	return false
}

func hostOf(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// lower is strings.ToLower without the allocation for names already lower-case,
// which is every name the SDKs sign.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// canonicalKey is textproto.CanonicalMIMEHeaderKey into b, for the common case of a
// short token; ok is false when the caller must fall back to textproto.
func canonicalKey(b []byte, lname string) ([]byte, bool) {
	if len(lname) > cap(b) {
		return nil, false
	}
	upper := true
	for i := 0; i < len(lname); i++ {
		c := lname[i]
		if !(unreserved(c) && c != '~' && c != '.' && c != '_') || ('A' <= c && c <= 'Z') {
			return nil, false
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
		upper = c == '-'
	}
	return b, true
}
