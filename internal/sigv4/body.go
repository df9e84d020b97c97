package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// MaxChunkSize bounds one signed aws-chunked chunk. A signed chunk is held in memory
// until its signature is checked, so that no unverified byte reaches the caller; the
// SDKs send 64 KiB to 1 MiB chunks.
const MaxChunkSize = 16 << 20

// Limits on the parts of an aws-chunked body that are not data.
const (
	maxChunkLine    = 4096
	maxTrailerBytes = 16 << 10
)

// preallocate caps the buffer ReadBody sizes from Content-Length before the body
// arrives: above it the buffer grows with what is read.
const preallocate = 2 << 20

// ErrBodyTooLarge is returned by BufferBody when the body exceeds its limit.
var ErrBodyTooLarge = errors.New("sigv4: request body exceeds the limit")

// BufferBody reads r.Body, at most limit bytes, replaces it with an in-memory copy the
// protocol codec can read again, and returns the body's hex SHA-256 for Verify. It is
// for services whose bodies the server reads whole anyway (query and JSON protocols);
// S3 bodies are streamed through Verified.Body instead.
func BufferBody(r *http.Request, limit int64) (string, error) {
	_, hash, err := ReadBody(r, limit)
	return hash, err
}

// ReadBody is BufferBody that also returns the bytes read, which the caller may keep
// but must not change (r.Body reads them again).
func ReadBody(r *http.Request, limit int64) (body []byte, hash string, err error) {
	return ReadBodyInto(r, limit, nil)
}

// ReadBodyInto is ReadBody reading into buf's memory (buf[:cap(buf)]) when the body
// fits, so a caller that reuses buffers spares the allocation, the zeroing and, on a
// virtual machine, the page faults of fresh memory for every large body. body aliases
// buf when it fit; the caller must not reuse buf while anything still reads body.
func ReadBodyInto(r *http.Request, limit int64, buf []byte) (body []byte, hash string, err error) {
	if body, err = ReadBodyUnhashed(r, limit, buf); err != nil {
		return nil, "", err
	}
	return body, PayloadHash(body), nil
}

// ReadBodyUnhashed is ReadBodyInto without the hash, for a caller that computes it
// with PayloadHash elsewhere (on another core, while it decodes the body).
func ReadBodyUnhashed(r *http.Request, limit int64, buf []byte) (body []byte, err error) {
	if r.Body != nil && r.Body != http.NoBody {
		// Sized from Content-Length, not grown from 512 bytes by doubling (a megabyte
		// body was copied about twice over); the size given up front is capped, so a
		// client that declares a large body and sends nothing holds little memory.
		b := bytes.NewBuffer(buf[:0])
		if r.ContentLength > 0 {
			b.Grow(int(min(r.ContentLength, limit, preallocate)) + bytes.MinRead)
		}
		_, err = b.ReadFrom(io.LimitReader(r.Body, limit+1))
		body = b.Bytes()
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		if int64(len(body)) > limit {
			return nil, ErrBodyTooLarge
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body, nil
}

// PayloadHash is the hex SHA-256 of a body, as Verify takes it.
func PayloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Body is a request body that checks, as it is read, whatever the signature says
// about it. Read returns an *Error when the body fails that check: a chunk or trailer
// signature that does not match, a malformed or truncated aws-chunked stream, a
// payload whose SHA-256 is not the claimed one, or a decoded length that is not
// x-amz-decoded-content-length. Data is only returned once verified where the encoding
// allows it (signed chunks); a whole-body hash can only be checked at EOF, so a
// consumer must not commit what it read before Read returns io.EOF.
type Body struct {
	rc      io.ReadCloser
	r       io.Reader
	trailer http.Header
}

// Read reads the decoded body.
func (b *Body) Read(p []byte) (int, error) { return b.r.Read(p) }

// Close closes the underlying body.
func (b *Body) Close() error { return b.rc.Close() }

// Trailer returns the trailing headers of an aws-chunked body (e.g.
// X-Amz-Checksum-Crc32), available once Read has returned io.EOF. Their signature,
// when the body is signed, has been checked; the checksums themselves are the S3
// layer's to verify. It is nil for bodies without trailers.
func (b *Body) Trailer() http.Header { return b.trailer }

// Body wraps the request body according to the payload claim: aws-chunked bodies are
// decoded (and their chunk signatures checked against the key that verified the
// request), a hex claim is checked at EOF, and UNSIGNED-PAYLOAD or a body already
// hashed for Verify is passed through.
func (v *Verified) Body(rc io.ReadCloser) *Body {
	a := v.Auth
	b := &Body{rc: rc, r: rc}
	switch a.PayloadHash {
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer:
		c := newChunkReader(rc, a.PayloadHash != StreamingUnsignedTrailer, a.PayloadHash != StreamingPayload,
			v.key, a, a.DecodedContentLength)
		b.r = c
		c.onTrailer = func(h http.Header) { b.trailer = h }
	case UnsignedPayload, "":
	default:
		b.r = &hashReader{r: rc, h: sha256.New(), want: strings.ToLower(a.PayloadHash), a: a}
	}
	return b
}

// hashReader fails at EOF when the body's SHA-256 is not the claimed one.
type hashReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	a    *Auth
	err  error
}

func (h *hashReader) Read(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(h.h.Sum(nil)); got != h.want {
			err = contentMismatch(h.a, h.want, got)
		}
	}
	h.err = err
	return n, err
}

// chunkReader decodes aws-chunked: "<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n"
// repeated, a zero-size final chunk, then optional trailer lines and an empty line.
type chunkReader struct {
	br       *bufio.Reader
	signed   bool // chunk-signature on every chunk
	trailers bool // trailer section expected after the final chunk
	key      [sha256.Size]byte
	auth     *Auth
	prevSig  string
	want     int64 // decoded length the headers announced, -1 if none
	total    int64

	buf       []byte // signed mode: the current verified chunk
	off       int
	remaining int64 // unsigned mode: bytes left in the current chunk
	done      bool
	err       error
	onTrailer func(http.Header)
}

func newChunkReader(r io.Reader, signed, trailers bool, key [sha256.Size]byte, a *Auth, want int64) *chunkReader {
	return &chunkReader{br: bufio.NewReaderSize(r, 64<<10), signed: signed, trailers: trailers,
		key: key, auth: a, prevSig: a.Signature, want: want}
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for c.err == nil {
		if c.off < len(c.buf) {
			n := copy(p, c.buf[c.off:])
			c.off += n
			return n, nil
		}
		if c.remaining > 0 {
			return c.readUnsigned(p)
		}
		if c.done {
			c.err = io.EOF
			break
		}
		c.err = c.nextChunk()
	}
	return 0, c.err
}

// readUnsigned streams an unsigned chunk's data straight through: with no signature
// to wait for, there is nothing to gain from holding it.
func (c *chunkReader) readUnsigned(p []byte) (int, error) {
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	c.total += int64(n)
	switch {
	case err == io.EOF:
		c.err = c.malformed()
	case err != nil:
		c.err = err
	case c.remaining == 0:
		c.err = c.expectCRLF()
	}
	if c.err != nil && n > 0 {
		return n, nil // hand over what was read; the error comes with the next call
	}
	return n, c.err
}

func (c *chunkReader) malformed() *Error {
	a := c.auth
	return &Error{Kind: KindChunkMalformed, Service: a.Scope.Service, query: msgIncompleteBody,
		s3: s3Err(http.StatusBadRequest, "IncompleteBody",
			"You did not provide the number of bytes specified by the Content-Length HTTP header")}
}

// readLine reads one CRLF-terminated line of at most max bytes, without the CRLF.
func (c *chunkReader) readLine(max int) ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if err == io.EOF || err == bufio.ErrBufferFull {
			return nil, c.malformed()
		}
		return nil, err
	}
	if len(line) > max+2 || len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, c.malformed()
	}
	return line[:len(line)-2], nil
}

func (c *chunkReader) expectCRLF() error {
	line, err := c.readLine(0)
	if err != nil {
		return err
	}
	if len(line) != 0 {
		return c.malformed()
	}
	return nil
}

func (c *chunkReader) nextChunk() error {
	line, err := c.readLine(maxChunkLine)
	if err != nil {
		return err
	}
	sizeHex, ext, _ := bytes.Cut(line, []byte{';'})
	if len(sizeHex) == 0 || len(sizeHex) > 16 {
		return c.malformed()
	}
	size, perr := strconv.ParseInt(string(sizeHex), 16, 64)
	if perr != nil || size < 0 {
		return c.malformed()
	}
	if !c.signed {
		if size == 0 {
			return c.finish()
		}
		c.remaining = size
		return nil
	}
	sig, ok := bytes.CutPrefix(ext, []byte("chunk-signature="))
	if !ok || len(sig) != 2*sha256.Size || size > MaxChunkSize {
		return c.malformed()
	}
	claimed := string(sig)
	c.buf, c.off = c.buf[:0], 0
	if err := c.readData(size); err != nil {
		return err
	}
	if size > 0 {
		if err := c.expectCRLF(); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(c.buf)
	sts := appendStringToSign(make([]byte, 0, 256), "AWS4-HMAC-SHA256-PAYLOAD", c.auth.amzDate, c.auth.Scope)
	sts = append(sts, '\n')
	sts = append(sts, c.prevSig...)
	sts = append(sts, "\n"+emptySHA256+"\n"...)
	sts = hex.AppendEncode(sts, sum[:])
	if !macMatches(c.key, sts, claimed) {
		c.buf = c.buf[:0]
		return c.sigMismatch(sts, claimed)
	}
	c.prevSig = claimed
	c.total += size
	if size == 0 {
		return c.finish()
	}
	return nil
}

// readData reads a signed chunk's size bytes into c.buf, growing it as data arrives
// so that a large declared size costs memory only once it is actually sent.
func (c *chunkReader) readData(size int64) error {
	for int64(len(c.buf)) < size {
		if len(c.buf) == cap(c.buf) {
			c.buf = slices.Grow(c.buf, min(max(cap(c.buf), 64<<10), int(size)-len(c.buf)))
		}
		end := min(cap(c.buf), int(size))
		n, err := c.br.Read(c.buf[len(c.buf):end])
		c.buf = c.buf[:len(c.buf)+n]
		if err == io.EOF {
			return c.malformed()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *chunkReader) sigMismatch(sts []byte, claimed string) *Error {
	a := c.auth
	return &Error{Kind: KindChunkSignatureMismatch, Service: a.Scope.Service, query: msgMismatchQuery,
		s3:          s3Err(http.StatusForbidden, "SignatureDoesNotMatch", msgMismatchS3),
		AccessKeyID: a.AccessKeyID, StringToSign: string(sts), SignatureProvided: claimed}
}

// finish reads what follows the final chunk: the trailer section when one is
// expected, else the closing CRLF (tolerating its absence at EOF), and checks the
// decoded length.
func (c *chunkReader) finish() error {
	c.done = true
	if c.trailers {
		if err := c.readTrailers(); err != nil {
			return err
		}
	} else if _, err := c.br.Peek(1); err == nil {
		if err := c.expectCRLF(); err != nil {
			return err
		}
	}
	if c.want >= 0 && c.total != c.want {
		return c.malformed()
	}
	return nil
}

// readTrailers reads "name:value" lines up to an empty line. In signed mode the last
// one must be x-amz-trailer-signature, an HMAC over the others chained from the final
// chunk's signature.
func (c *chunkReader) readTrailers() error {
	h := http.Header{}
	var canon []byte
	var trailerSig string
	read := 0
	for {
		line, err := c.readLine(maxChunkLine)
		if err != nil {
			if _, ok := err.(*Error); ok && read == 0 && !c.signed {
				// An unsigned stream may end right after "0\r\n" when it
				// announced no trailer.
				break
			}
			return err
		}
		if len(line) == 0 {
			break
		}
		read += len(line)
		if read > maxTrailerBytes {
			return c.malformed()
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 {
			return c.malformed()
		}
		lname := strings.ToLower(string(name))
		v := strings.TrimSpace(string(value))
		if lname == "x-amz-trailer-signature" {
			trailerSig = v
			continue
		}
		canon = append(append(append(append(canon, lname...), ':'), v...), '\n')
		h.Add(textproto.CanonicalMIMEHeaderKey(lname), v)
	}
	if c.signed {
		sum := sha256.Sum256(canon)
		sts := appendStringToSign(make([]byte, 0, 256), "AWS4-HMAC-SHA256-TRAILER", c.auth.amzDate, c.auth.Scope)
		sts = append(append(append(sts, '\n'), c.prevSig...), '\n')
		sts = hex.AppendEncode(sts, sum[:])
		if !macMatches(c.key, sts, trailerSig) {
			return c.sigMismatch(sts, trailerSig)
		}
	}
	if len(h) > 0 && c.onTrailer != nil {
		c.onTrailer(h)
	}
	return nil
}
