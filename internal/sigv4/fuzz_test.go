package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary Authorization headers, dates and request targets (so
// both header and query auth) through Parse and, when it accepts, through Verify.
// Neither may panic, and a failure must be an *Error.
func FuzzParse(f *testing.F) {
	for _, presign := range []bool{false, true} {
		for _, service := range []string{"s3", "sts"} {
			r := sdkSign(f, sdkCases[1], service, presign, testSecret)
			f.Add(r.Method, r.RequestURI, r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"),
				r.Header.Get("X-Amz-Content-Sha256"), "")
		}
	}
	f.Add("GET", "/?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", "", "", "", "")
	f.Add("GET", "/", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e", "", "", "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Fuzz(func(t *testing.T, method, target, authz, amzDate, contentSHA, date string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			u = &url.URL{Path: "/"}
		}
		r := &http.Request{Method: method, RequestURI: target, URL: u, Host: "example.amazonaws.com",
			Header: http.Header{}, Body: http.NoBody}
		for k, v := range map[string]string{"Authorization": authz, "X-Amz-Date": amzDate,
			"X-Amz-Content-Sha256": contentSHA, "Date": date} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		a, err := Parse(r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error is not *Error: %v", err)
			}
			for _, p := range []Protocol{Query, JSON, S3} {
				if resp := e.Response(p); resp.Code == "" || resp.Status == 0 {
					t.Fatalf("empty response for %v in %v", e, p)
				}
			}
			return
		}
		_ = a.String()
		_ = a.CheckScope("us-east-1", "s3")
		var v Verifier
		_, err = v.Verify(r, a, []byte(testSecret), a.Time, emptySHA256)
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("Verify error is not *Error: %v", err)
		}
	})
}

// FuzzChunkedReader decodes arbitrary bodies in each aws-chunked mode. It must end
// (no hang), never panic, never return more bytes than it was given, and never
// return data from a signed stream whose signatures it did not check.
func FuzzChunkedReader(f *testing.F) {
	signed := signedChunkedRequest(f, testData(300), 128, nil)
	sb, _ := io.ReadAll(signed.Body)
	trailed := signedChunkedRequest(f, testData(300), 128, [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}})
	tb, _ := io.ReadAll(trailed.Body)
	f.Add(sb, uint8(0))
	f.Add(tb, uint8(1))
	f.Add(unsignedTrailerBody(testData(300), 128, "x-amz-checksum-crc32:AAAAAA==\r\n"), uint8(2))
	f.Add([]byte("0\r\n\r\n"), uint8(2))
	seedAuth := mustParse(f, signed)
	trailAuth := mustParse(f, trailed)
	key := deriveKey([]byte(testSecret), seedAuth.Scope)
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		a, sign, trail := seedAuth, true, false
		switch mode % 3 {
		case 1:
			a, trail = trailAuth, true
		case 2:
			sign, trail = false, true
		}
		c := newChunkReader(bytes.NewReader(body), sign, trail, key, a, -1)
		got, err := io.ReadAll(c)
		if len(got) > len(body) {
			t.Fatalf("read %d bytes from %d", len(got), len(body))
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not *Error: %v", err)
			}
			return
		}
		if sign && !bytes.Contains(body, []byte(c.prevSig)) {
			t.Fatalf("accepted a signed stream without its final signature")
		}
		if sign && len(got) > 0 && !strings.Contains(string(body), "chunk-signature=") {
			t.Fatalf("returned data without a chunk signature")
		}
	})
}
