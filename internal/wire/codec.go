// Package wire speaks AWS's six wire protocols (query, ec2, json, rest-json, rest-xml and
// smithy-rpc-v2-cbor): it finds the operation a request calls, decodes its input into a
// model value tree, and encodes outputs and errors exactly as the service's published
// model says. Everything here is driven by internal/model; no operation is hand-coded.
package wire

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/model"
)

// Request is an HTTP request routed to one service, as the codecs see it.
type Request struct {
	HTTP    *http.Request
	Service *model.Service
	// Op is the resolved operation; nil until Resolve succeeds.
	Op *model.Operation
	// Labels holds the REST URI labels matched by Resolve, unescaped.
	Labels map[string]string
	// Body is the whole request body for operations without a streaming payload. The
	// server reads it, bounded, before decoding.
	Body []byte
	// Stream is the request body of an operation whose payload member is streaming (S3
	// PutObject); Body is then nil.
	Stream io.Reader
	// VirtualBucket is the S3 bucket named by a virtual-hosted-style Host (see
	// S3BucketFromHost). The server sets it before Resolve; the rest-xml codec then
	// binds it to the {Bucket} label and reads only the key from the path.
	VirtualBucket string

	values url.Values // parsed form parameters, for the query protocols
}

// Response carries what every response needs besides the output value.
type Response struct {
	RequestID string
	// HostID is S3's x-amz-id-2.
	HostID string
	// Status, when set, replaces the operation's success status where the model has
	// no member to carry it (S3's 206 for a ranged GetObject). Only the REST codecs
	// send it; the RPC protocols always answer 200.
	Status int
}

// Protocol is one of AWS's wire protocols.
type Protocol interface {
	// Name is botocore's protocol name: "query", "json", "rest-xml"...
	Name() string
	// ReadsBodyToResolve reports whether Resolve needs Body (query, json, cbor: the
	// operation name is in the body or a header) or only the method, path and query
	// (REST protocols, whose streaming bodies must not be read ahead).
	ReadsBodyToResolve() bool
	// Resolve finds the operation a request calls. It fails with the protocol's
	// unknown-operation error.
	Resolve(r *Request) (*model.Operation, map[string]string, *model.Error)
	// Decode turns the request into the operation's input structure value. Malformed
	// input fails with the protocol's serialization error; constraint checks are left
	// to model.Validate.
	Decode(r *Request) (map[string]any, *model.Error)
	// Encode writes a successful response for r.Op with the output value (nil when the
	// operation has no output).
	Encode(w http.ResponseWriter, r *Request, out map[string]any, meta Response) error
	// EncodeError writes an error response. r.Op may be nil when the request never
	// resolved to an operation.
	EncodeError(w http.ResponseWriter, r *Request, e *model.Error, meta Response)
}

var protocols = map[string]Protocol{}

// Register makes a protocol available by name. Each codec file registers itself.
func Register(p Protocol) { protocols[p.Name()] = p }

// Lookup returns the protocol of that botocore name.
func Lookup(name string) (Protocol, bool) {
	p, ok := protocols[name]
	return p, ok
}

// Timestamp formats, as botocore names them.
const (
	ISO8601       = "iso8601"
	RFC822        = "rfc822"
	UnixTimestamp = "unixTimestamp"
)

// timestampFormat picks the member's explicit format, then the shape's, then the
// protocol's default for that location.
func timestampFormat(m *model.Member, def string) string {
	if m != nil {
		if m.TimestampFormat != "" {
			return m.TimestampFormat
		}
		if m.Shape.TimestampFormat != "" {
			return m.Shape.TimestampFormat
		}
	}
	return def
}

// formatTime renders t in a botocore timestamp format. ISO 8601 uses AWS's
// millisecond-free form when the time has no fraction, as AWS's XML services do.
func formatTime(t time.Time, format string) string {
	t = t.UTC()
	switch format {
	case RFC822:
		return t.Format(http.TimeFormat)
	case UnixTimestamp:
		return formatEpoch(t)
	}
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

func formatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	sec, frac := ms/1000, ms%1000
	s := itoa(sec)
	if frac != 0 {
		f := itoa(1000 + frac)[1:]
		for len(f) > 0 && f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	return s
}

// parseTime accepts a timestamp in any of the formats AWS's services accept on input:
// ISO 8601 with or without fraction and zone, HTTP dates, and epoch seconds.
func parseTime(s, format string) (time.Time, bool) {
	switch format {
	case UnixTimestamp:
		if t, ok := parseEpoch(s); ok {
			return t, true
		}
	case RFC822:
		for _, layout := range []string{http.TimeFormat, time.RFC1123, time.RFC1123Z, time.RFC850, time.ANSIC} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "20060102T150405Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	if t, ok := parseEpoch(s); ok {
		return t, true
	}
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// HasStreamingInput reports whether the operation's input payload is a streaming blob
// that the server must hand to the codec unread.
func HasStreamingInput(op *model.Operation) bool {
	if op.Input == nil || op.Input.Payload == "" {
		return false
	}
	m := op.Input.ByName[op.Input.Payload]
	return m != nil && m.IsStreaming()
}

// DecodeBody undoes a request's Content-Encoding. The SDKs gzip CloudWatch's
// PutMetricData (the requestcompression trait), and AWS accepts it; other encodings
// pass through untouched. limit bounds the decoded size.
func DecodeBody(h http.Header, body []byte, limit int64) ([]byte, *model.Error) {
	if !strings.EqualFold(strings.TrimSpace(h.Get("Content-Encoding")), "gzip") {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, model.NewError(http.StatusBadRequest, "MalformedInput", "The request body is not valid gzip.")
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, model.NewError(http.StatusBadRequest, "MalformedInput", "The request body is not valid gzip.")
	}
	if int64(len(out)) > limit {
		return nil, model.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request size exceeds %d bytes", limit)
	}
	return out, nil
}
