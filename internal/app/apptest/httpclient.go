package apptest

import (
	"bytes"
	"io"
	"net/http"
)

// HTTPClient is the HTTP client of the SDK configurations apptest hands out. It sends
// each request body (up to copiedBodyMax) from a copy of its own, which sidesteps a
// race in the AWS SDK for Go v2 that a fast server brings out (aws/aws-sdk-go-v2#1825,
// #2737): the SDK closes a request body as soon as the response's headers arrive;
// net/http's transport, once it has written the body, reads it once more to see that
// it is finished, and the SDK's closed body answers that read with io.EOF, which the
// transport takes for a failed write — it closes the connection while the caller is
// still reading the response ("use of closed network connection", status 200). Against
// Palisade on loopback an answer can come that fast: one run of the logs KMS test in
// 40–120 failed so with three test binaries loading the two cores. The bytes sent are
// the SDK's, unchanged.
var HTTPClient = &http.Client{Transport: ownBody{transport()}}

// transport keeps as many idle connections per host as the SDK's own client (its
// default of 10, against net/http's 2), so concurrent test calls reuse connections.
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 10
	return t
}

// copiedBodyMax bounds the bodies copied; larger ones are streamed as the SDK gives them.
const copiedBodyMax = 64 << 20

type ownBody struct{ rt http.RoundTripper }

func (o ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength <= 0 || r.ContentLength > copiedBodyMax {
		return o.rt.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(b))
	c.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return o.rt.RoundTrip(c)
}
