package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// emptySHA256 is the hex SHA-256 of no bytes, which chunk signatures sign in place of
// the (nonexistent) chunk headers.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// scratch holds the canonical request and string to sign of one Verify: both are
// hashed and dropped, so they are pooled rather than allocated per request.
type scratch struct{ creq, sts []byte }

var scratchPool = sync.Pool{New: func() any {
	return &scratch{creq: make([]byte, 0, 1024), sts: make([]byte, 0, 256)}
}}

// ErrNeedBodyHash is returned by Verify when a.NeedsBodyHash() and no body hash was
// given: a bug in the caller, not the client's fault, so it is not an *Error.
var ErrNeedBodyHash = errors.New("sigv4: Verify needs the SHA-256 of the body for this request (see Auth.NeedsBodyHash)")

// Verified is a request whose signature checked out. It carries the signing key (kept
// unexported, never printed) that an aws-chunked body's chunk signatures chain from.
type Verified struct {
	Auth *Auth
	key  [sha256.Size]byte
}

// String describes the verified claim without the key.
func (v *Verified) String() string { return "verified " + v.Auth.String() }

// GoString keeps the signing key out of %#v.
func (v *Verified) GoString() string { return v.String() }

// Verify checks that a, parsed from r by Parse, is a valid signature by secret at
// time now (the server's clock; this package never reads one), and returns what the
// body reader needs. It checks, in order: freshness (15 minutes either way for header
// auth and for non-S3 presigned URLs, X-Amz-Expires for S3 presigned URLs), that a
// hex x-amz-content-sha256 claim matches bodySHA256 when both are known, and the
// signature over the canonical request, compared in constant time.
//
// bodySHA256 is the lower-case hex SHA-256 of the body as the server will read it,
// or "". It is required when a.NeedsBodyHash() (see BufferBody) and otherwise only
// used to catch a false claim early; the body reader from Verified.Body checks the
// claim again at EOF, so a streamed body need not be hashed up front.
//
// Every failure is an *Error, except ErrNeedBodyHash.
func (v *Verifier) Verify(r *http.Request, a *Auth, secret []byte, now time.Time, bodySHA256 string) (*Verified, error) {
	if err := checkTime(a, now); err != nil {
		return nil, err
	}
	payload := a.PayloadHash
	switch {
	case payload == "" && a.IsS3():
		payload = UnsignedPayload // only presigned S3 gets here: Parse requires the header otherwise
	case payload == "":
		if bodySHA256 == "" {
			return nil, ErrNeedBodyHash
		}
		payload = bodySHA256
	case bodySHA256 != "" && isHexSHA256(payload) && !strings.EqualFold(payload, bodySHA256):
		return nil, contentMismatch(a, payload, bodySHA256)
	}

	key := v.signingKey(secret, a.Scope)
	uri, altURI := canonicalURIs(wirePath(r), a.IsS3())
	sc := scratchPool.Get().(*scratch)
	sc.creq = a.appendCanonicalRequest(sc.creq[:0], r, uri, payload, false)
	sc.sts = a.appendStringToSign(sc.sts[:0], sc.creq)
	if a.signatureMatches(key, sc.sts) {
		scratchPool.Put(sc)
		return &Verified{Auth: a, key: key}, nil
	}
	creq, sts := string(sc.creq), string(sc.sts) // the error keeps them; the buffers go back
	scratchPool.Put(sc)
	// The clients disagree on two details AWS leaves open (see canonicalURIs and
	// appendCanonicalHeaders); a signature valid under the other reading is accepted.
	tabs := signedValuesHaveTabs(r, a.SignedHeaders)
	for _, alt := range [...]struct {
		uri  string
		tabs bool
	}{{altURI, false}, {uri, true}, {altURI, true}} {
		if alt.uri == "" || (alt.tabs && !tabs) {
			continue
		}
		if a.signatureMatches(key, a.stringToSign(a.canonicalRequest(r, alt.uri, payload, alt.tabs))) {
			return &Verified{Auth: a, key: key}, nil
		}
	}
	return nil, &Error{Kind: KindSignatureMismatch, Service: a.Scope.Service, Presigned: a.Presigned,
		query:       msgMismatchQuery,
		s3:          s3Err(http.StatusForbidden, "SignatureDoesNotMatch", msgMismatchS3),
		AccessKeyID: a.AccessKeyID, StringToSign: sts, CanonicalRequest: creq,
		SignatureProvided: a.Signature}
}

// checkTime applies AWS's freshness rules; see Verify.
func checkTime(a *Auth, now time.Time) error {
	now = now.UTC()
	if !a.Presigned || !a.IsS3() {
		switch d := now.Sub(a.Time); {
		case d > MaxSkew:
			return skewError(KindExpired, a, now)
		case d < -MaxSkew:
			return skewError(KindNotYetCurrent, a, now)
		}
		return nil
	}
	expires := a.Time.Add(a.Expires)
	exp, _ := a.query.get("X-Amz-Expires")
	switch {
	case a.Time.Sub(now) > MaxSkew:
		return &Error{Kind: KindPresignNotYetValid, Service: a.Scope.Service, Presigned: true,
			query: "Request is not yet valid",
			s3: s3Err(http.StatusForbidden, "AccessDenied", "Request is not yet valid",
				Field{"X-Amz-Date", strconv.FormatInt(a.Time.UnixMilli(), 10)},
				Field{"Expires", expires.Format(s3Time)},
				Field{"ServerTime", now.Format(s3Time)})}
	case now.After(expires):
		return &Error{Kind: KindPresignExpired, Service: a.Scope.Service, Presigned: true,
			query: "Request has expired",
			s3: s3Err(http.StatusForbidden, "AccessDenied", "Request has expired",
				Field{"X-Amz-Expires", exp},
				Field{"Expires", expires.Format(s3Time)},
				Field{"ServerTime", now.Format(s3Time)})}
	}
	return nil
}

func contentMismatch(a *Auth, claimed, computed string) *Error {
	return &Error{Kind: KindContentSHA256Mismatch, Service: a.Scope.Service, Presigned: a.Presigned,
		query: msgContentSHAMismatch,
		s3: s3Err(http.StatusBadRequest, "XAmzContentSHA256Mismatch", msgContentSHAMismatch,
			Field{"ClientComputedContentSHA256", claimed},
			Field{"S3ComputedContentSHA256", computed})}
}

// canonicalRequest is Method\nURI\nQuery\nHeaders\n\nSignedHeaders\nPayloadHash.
func (a *Auth) canonicalRequest(r *http.Request, uri, payload string, tabs bool) []byte {
	return a.appendCanonicalRequest(make([]byte, 0, 512), r, uri, payload, tabs)
}

func (a *Auth) appendCanonicalRequest(b []byte, r *http.Request, uri, payload string, tabs bool) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = canonicalQuery(b, a.query, a.Presigned)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, a.SignedHeaders, tabs)
	b = append(b, '\n')
	b = append(b, a.signedHeaders...)
	b = append(b, '\n')
	b = append(b, payload...)
	return b
}

// stringToSign is Algorithm\nDate\nScope\nhex(SHA-256(canonical request)).
func (a *Auth) stringToSign(creq []byte) []byte {
	return a.appendStringToSign(make([]byte, 0, 160), creq)
}

func (a *Auth) appendStringToSign(b, creq []byte) []byte {
	sum := sha256.Sum256(creq)
	b = appendStringToSign(b, Algorithm, a.amzDate, a.Scope)
	return hex.AppendEncode(append(b, '\n'), sum[:])
}

// appendStringToSign writes the lines every SigV4 string to sign starts with; the
// request, chunk and trailer variants differ only in what follows.
func appendStringToSign(b []byte, alg, date string, s Scope) []byte {
	b = append(b, alg...)
	b = append(b, '\n')
	b = append(b, date...)
	b = append(b, '\n')
	b = append(b, s.Date...)
	b = append(b, '/')
	b = append(b, s.Region...)
	b = append(b, '/')
	b = append(b, s.Service...)
	return append(b, "/aws4_request"...)
}

// signatureMatches compares HMAC(key, sts) with the claimed signature in constant
// time; a claim that is not 64 hex digits simply does not match.
func (a *Auth) signatureMatches(key [sha256.Size]byte, sts []byte) bool {
	return macMatches(key, sts, a.Signature)
}

func macMatches(key [sha256.Size]byte, msg []byte, claimedHex string) bool {
	var claimed [sha256.Size]byte
	if len(claimedHex) != 2*sha256.Size {
		return false
	}
	for i := range claimed {
		hi, lo := claimedHex[2*i], claimedHex[2*i+1]
		if !ishex(hi) || !ishex(lo) {
			return false
		}
		claimed[i] = unhex(hi)<<4 | unhex(lo)
	}
	sum := hmacSHA256(&key, msg)
	return hmac.Equal(sum[:], claimed[:])
}

// hmacSHA256 is HMAC-SHA256 under a 32-byte key, written out so that the hot path
// allocates nothing (crypto/hmac allocates two digests and two pads per call).
func hmacSHA256(key *[sha256.Size]byte, msg []byte) [sha256.Size]byte {
	const block = 64
	var inner [block + 256]byte
	if len(msg) > len(inner)-block {
		m := hmac.New(sha256.New, append([]byte(nil), key[:]...)) // a copy keeps key on the stack
		m.Write(msg)
		return [sha256.Size]byte(m.Sum(nil))
	}
	for i := range block {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		inner[i] = k ^ 0x36
	}
	n := copy(inner[block:], msg)
	ih := sha256.Sum256(inner[:block+n])
	var outer [block + sha256.Size]byte
	for i := range block {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[block:], ih[:])
	return sha256.Sum256(outer[:])
}
