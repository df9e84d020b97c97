package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The example of "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks (Chunked Upload)" in the Amazon S3 API Reference: a
// 66,560-byte object of 'a's sent as a 64 KiB chunk, a 1 KiB chunk and the final chunk.
const (
	docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	docSeed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	docSig1   = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	docSig2   = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	docSig3   = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
)

var docTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func docBody() []byte {
	var b bytes.Buffer
	b.WriteString("10000;chunk-signature=" + docSig1 + "\r\n")
	b.Write(bytes.Repeat([]byte("a"), 65536))
	b.WriteString("\r\n400;chunk-signature=" + docSig2 + "\r\n")
	b.Write(bytes.Repeat([]byte("a"), 1024))
	b.WriteString("\r\n0;chunk-signature=" + docSig3 + "\r\n\r\n")
	return b.Bytes()
}

func docRequest(body []byte) *http.Request {
	r, _ := http.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
	r.RequestURI = "/examplebucket/chunkObject.txt"
	r.ContentLength = 66824
	r.Header.Set("Content-Length", "66824")
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
		"Signature="+docSeed)
	r.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	return r
}

func TestS3DocChunkedExample(t *testing.T) {
	var v Verifier
	body := docBody()
	if len(body) != 66824 {
		t.Fatalf("body is %d bytes, the example says 66824", len(body))
	}
	r := docRequest(body)
	a := mustParse(t, r)
	vr, err := v.Verify(r, a, []byte(docSecret), docTime, "")
	if err != nil {
		t.Fatalf("seed signature: %v\n%s", err, detail(err))
	}
	got, err := io.ReadAll(vr.Body(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decoded %d bytes", len(got))
	}

	// One changed byte in the second chunk: its signature fails, and none of its
	// data reaches the reader.
	body[65626+86+10] = 'b'
	r = docRequest(body)
	vr, err = v.Verify(r, mustParse(t, r), []byte(docSecret), docTime, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(vr.Body(r.Body))
	if kindOf(err) != KindChunkSignatureMismatch || len(got) != 65536 {
		t.Fatalf("tampered chunk: read %d, %v", len(got), err)
	}
	resp := err.(*Error).Response(S3)
	if resp.Code != "SignatureDoesNotMatch" || !strings.HasPrefix(fieldValue(resp, "StringToSign"),
		"AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"+docSig1+"\n") {
		t.Fatalf("%+v", resp)
	}
}

func fieldValue(r Response, name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// chunkSigner builds aws-chunked bodies independently of the package's reader.
type chunkSigner struct {
	key   []byte
	date  string
	scope string
	prev  string
}

func (s *chunkSigner) mac(alg, hashHex string) string {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "%s\n%s\n%s\n%s\n", alg, s.date, s.scope, s.prev)
	if alg == "AWS4-HMAC-SHA256-PAYLOAD" {
		m.Write([]byte(emptySHA256 + "\n"))
	}
	m.Write([]byte(hashHex))
	s.prev = hex.EncodeToString(m.Sum(nil))
	return s.prev
}

func (s *chunkSigner) chunk(b *bytes.Buffer, data []byte) {
	fmt.Fprintf(b, "%x;chunk-signature=%s\r\n", len(data), s.mac("AWS4-HMAC-SHA256-PAYLOAD", sha256Hex(data)))
	b.Write(data)
	if len(data) > 0 {
		b.WriteString("\r\n")
	}
}

// signedChunkedRequest signs an S3 PUT whose body is data in chunks of size, with
// the SDK for the seed signature and chunkSigner for the rest. trailer, if not
// nil, is sent as signed trailing headers.
func signedChunkedRequest(t testing.TB, data []byte, size int, trailer [][2]string) *http.Request {
	t.Helper()
	claim := StreamingPayload
	if trailer != nil {
		claim = StreamingPayloadTrailer
	}
	r, _ := http.NewRequest("PUT", "https://s3.us-east-1.amazonaws.com/bucket/chunked", nil)
	r.Header.Set("X-Amz-Content-Sha256", claim)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	err := v4.NewSigner().SignHTTP(context.Background(), creds, r, claim, "s3", "us-east-1", testTime,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	authz := r.Header.Get("Authorization")
	k := deriveKey([]byte(testSecret), Scope{"20240309", "us-east-1", "s3", "aws4_request"})
	s := &chunkSigner{key: k[:], date: "20240309T123456Z", scope: "20240309/us-east-1/s3/aws4_request",
		prev: authz[strings.LastIndex(authz, "=")+1:]}
	var b bytes.Buffer
	for off := 0; off < len(data); off += size {
		s.chunk(&b, data[off:min(off+size, len(data))])
	}
	s.chunk(&b, nil)
	if trailer != nil {
		var canon bytes.Buffer
		for _, h := range trailer {
			fmt.Fprintf(&b, "%s:%s\r\n", h[0], h[1])
			fmt.Fprintf(&canon, "%s:%s\n", h[0], h[1])
		}
		fmt.Fprintf(&b, "x-amz-trailer-signature:%s\r\n", s.mac("AWS4-HMAC-SHA256-TRAILER", sha256Hex(canon.Bytes())))
	}
	b.WriteString("\r\n")
	r.Body = io.NopCloser(bytes.NewReader(b.Bytes()))
	r.ContentLength = int64(b.Len())
	return overTheWire(t, r)
}

func readVerifiedBody(t testing.TB, r *http.Request, wrap func(io.Reader) io.Reader) ([]byte, *Body, error) {
	t.Helper()
	var v Verifier
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	vr, err := v.Verify(r, a, []byte(testSecret), testTime, "")
	if err != nil {
		t.Fatalf("%v\n%s", err, detail(err))
	}
	b := vr.Body(r.Body)
	var rd io.Reader = b
	if wrap != nil {
		rd = wrap(b)
	}
	got, err := io.ReadAll(rd)
	return got, b, err
}

func testData(n int) []byte {
	d := make([]byte, n)
	for i := range d {
		d[i] = byte(i*7 + i>>8)
	}
	return d
}

func TestSignedChunkedRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 8191, 8192, 65536, 200000} {
		for _, trailer := range [][][2]string{nil, {{"x-amz-checksum-crc32", "sOO8/Q=="}}} {
			data := testData(n)
			for _, wrap := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader, iotest.HalfReader} {
				r := signedChunkedRequest(t, data, 8192, trailer)
				got, b, err := readVerifiedBody(t, r, wrap)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("n=%d trailer=%v: %d bytes, %v", n, trailer != nil, len(got), err)
				}
				if trailer != nil && b.Trailer().Get("X-Amz-Checksum-Crc32") != "sOO8/Q==" {
					t.Fatalf("trailer %v", b.Trailer())
				}
			}
		}
	}
}

func TestSignedTrailerTampered(t *testing.T) {
	r := signedChunkedRequest(t, testData(100), 64, [][2]string{{"x-amz-checksum-crc32", "sOO8/Q=="}})
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte("sOO8/Q=="), []byte("sOO8/R=="), 1)))
	_, b, err := readVerifiedBody(t, r, nil)
	if kindOf(err) != KindChunkSignatureMismatch || b.Trailer() != nil {
		t.Fatalf("tampered trailer: %v, %v", err, b.Trailer())
	}
}

// TestChunkedMalformed: every way of cutting or bending the stream is an error,
// returned promptly (the reader sits on a bytes.Reader, so a hang would be a loop).
func TestChunkedMalformed(t *testing.T) {
	r := signedChunkedRequest(t, testData(20000), 8192, nil)
	full, _ := io.ReadAll(r.Body)
	for cut := 0; cut < len(full)-2; cut += 97 {
		r.Body = io.NopCloser(bytes.NewReader(full[:cut]))
		if _, _, err := readVerifiedBody(t, r, nil); kindOf(err) != KindChunkMalformed {
			t.Fatalf("cut at %d: %v", cut, err)
		}
	}
	bad := map[string]string{
		"long header":     strings.Repeat("1", 5000) + "\r\n",
		"no signature":    "10\r\n" + strings.Repeat("x", 16) + "\r\n",
		"bad hex":         "zz;chunk-signature=" + strings.Repeat("0", 64) + "\r\n",
		"negative":        "-1;chunk-signature=" + strings.Repeat("0", 64) + "\r\n",
		"huge":            "7fffffffffffffff;chunk-signature=" + strings.Repeat("0", 64) + "\r\n",
		"over max chunk":  strconv.FormatInt(MaxChunkSize+1, 16) + ";chunk-signature=" + strings.Repeat("0", 64) + "\r\n",
		"bare LF":         "0;chunk-signature=" + strings.Repeat("0", 64) + "\n",
		"empty":           "",
		"short signature": "0;chunk-signature=abc\r\n\r\n",
	}
	for name, body := range bad {
		r.Body = io.NopCloser(strings.NewReader(body))
		if _, _, err := readVerifiedBody(t, r, nil); kindOf(err) != KindChunkMalformed {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Decoded length other than announced.
	r = signedChunkedRequest(t, testData(100), 64, nil)
	r.Header.Set("X-Amz-Decoded-Content-Length", "99")
	// The header is signed, so re-sign is impossible; check the reader directly.
	a := mustParse(t, r)
	c := newChunkReader(r.Body, true, false, deriveKey([]byte(testSecret), a.Scope), a, 99)
	if _, err := io.ReadAll(c); kindOf(err) != KindChunkMalformed {
		t.Fatalf("decoded length: %v", err)
	}
}

// unsignedTrailerBody is what the SDKs send with STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func unsignedTrailerBody(data []byte, size int, trailer string) []byte {
	var b bytes.Buffer
	for off := 0; off < len(data); off += size {
		c := data[off:min(off+size, len(data))]
		fmt.Fprintf(&b, "%x\r\n", len(c))
		b.Write(c)
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\n" + trailer + "\r\n")
	return b.Bytes()
}

func unsignedTrailerRequest(t testing.TB, body []byte, decoded int) *http.Request {
	r, _ := http.NewRequest("PUT", "https://s3.us-east-1.amazonaws.com/bucket/key", bytes.NewReader(body))
	r.Header.Set("X-Amz-Content-Sha256", StreamingUnsignedTrailer)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decoded))
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, StreamingUnsignedTrailer, "s3", "us-east-1", testTime,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }); err != nil {
		t.Fatal(err)
	}
	return overTheWire(t, r)
}

func TestUnsignedTrailer(t *testing.T) {
	data := testData(70000)
	body := unsignedTrailerBody(data, 65536, "x-amz-checksum-crc32:AAAAAA==\r\n")
	for _, wrap := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader} {
		got, b, err := readVerifiedBody(t, unsignedTrailerRequest(t, body, len(data)), wrap)
		if err != nil || !bytes.Equal(got, data) || b.Trailer().Get("x-amz-checksum-crc32") != "AAAAAA==" {
			t.Fatalf("%d bytes, %v, %v", len(got), err, b.Trailer())
		}
	}
	for cut := 0; cut < len(body)-2; cut += 1001 {
		_, _, err := readVerifiedBody(t, unsignedTrailerRequest(t, body[:cut], len(data)), nil)
		if kindOf(err) != KindChunkMalformed {
			t.Fatalf("cut at %d: %v", cut, err)
		}
	}
	if _, _, err := readVerifiedBody(t, unsignedTrailerRequest(t, body, len(data)+1), nil); kindOf(err) != KindChunkMalformed {
		t.Fatalf("wrong decoded length: %v", err)
	}
}

func TestChunkErrorsAreErrors(t *testing.T) {
	var e *Error
	r := signedChunkedRequest(t, testData(10), 8192, nil)
	r.Body = io.NopCloser(strings.NewReader("1"))
	_, _, err := readVerifiedBody(t, r, nil)
	if !errors.As(err, &e) || e.Response(S3).Code != "IncompleteBody" {
		t.Fatalf("%v", err)
	}
}
