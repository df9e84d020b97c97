package sigv4

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readSuiteRequest reads a test-suite request file by hand: the suite puts raw
// spaces and UTF-8 in request lines, which net/http rightly refuses to parse.
func readSuiteRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(b), "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	method, rest, _ := strings.Cut(first, " ")
	target := rest[:strings.LastIndex(rest, " ")]
	p, q, _ := strings.Cut(target, "?")
	r := &http.Request{Method: method, RequestURI: target, Header: http.Header{},
		URL: &url.URL{Path: p, RawQuery: q}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body))}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		if strings.EqualFold(k, "host") {
			r.Host = v
			continue
		}
		r.Header.Add(k, strings.TrimLeft(v, " "))
	}
	return r
}

func TestAWSTestSuite(t *testing.T) {
	files, err := filepath.Glob("testdata/aws-sig-v4-test-suite/*/*-signed-request.txt")
	if err != nil || len(files) < 15 {
		t.Fatalf("test suite files: %v, %d", err, len(files))
	}
	now := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	var v Verifier
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), "-signed-request.txt")
		t.Run(name, func(t *testing.T) {
			r := readSuiteRequest(t, f)
			if _, err := verifyBody(t, &v, r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", now); err != nil {
				t.Fatalf("%v\n%s", err, detail(err))
			}
			// The same request with any other secret must fail.
			r = readSuiteRequest(t, f)
			if _, err := verifyBody(t, &v, r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", now); kindOf(err) != KindSignatureMismatch {
				t.Fatalf("wrong secret: %v", err)
			}
		})
	}
}
