package wire_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	r53api "github.com/palisade/palisade/internal/api/route53"
	s3api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// fuzzRequest builds an HTTP request from fuzzed parts; a path or query that does not
// parse is kept raw, as a server could receive it.
func fuzzRequest(method, path, query, headers string, body []byte) *http.Request {
	u, err := url.Parse("http://localhost" + path)
	if err != nil || u.Host != "localhost" {
		u = &url.URL{Scheme: "http", Host: "localhost", Path: path}
	}
	u.RawQuery = query
	hr := httptest.NewRequest(http.MethodGet, "http://localhost/", bytes.NewReader(body))
	hr.Method, hr.URL = method, u
	for _, line := range strings.Split(headers, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			hr.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return hr
}

// checkFits asserts a decoded input fits the operation's generated Go type, which is
// what every handler does with it first.
func checkFits(t *testing.T, op *model.Operation, in map[string]any) {
	t.Helper()
	if op.InputType == nil {
		return
	}
	if err := model.Unmarshal(in, reflect.New(op.InputType).Interface()); err != nil {
		t.Fatalf("%s: decoded value does not fit %s: %v", op.Name, op.InputType, err)
	}
}

// FuzzRestXMLDecode feeds arbitrary methods, paths, queries, headers, hosts and bodies
// to the rest-xml codec for S3 and Route 53: resolving, decoding, validating and
// encoding the resulting error must never panic, and whatever decodes must fit the
// generated input type.
func FuzzRestXMLDecode(f *testing.F) {
	f.Add(false, "PUT", "/b/k%20x/y", "", "Content-Type: text/plain\nx-amz-meta-Owner: a\nx-amz-object-lock-retain-until-date: Sat, 03 Feb 2024 04:05:06 GMT", "b.s3.localhost", []byte("data"))
	f.Add(false, "PUT", "/b", "tagging", "", "", []byte(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`))
	f.Add(false, "POST", "/b", "delete", "", "", []byte(`<Delete><Object><Key>x</Key><LastModifiedTime>2024-01-01T00:00:00Z</LastModifiedTime><Size>3</Size></Object><Quiet>true</Quiet></Delete>`))
	f.Add(false, "PUT", "/b", "acl", "x-amz-grant-read: uri=x", "", []byte(`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>u</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`))
	f.Add(false, "GET", "/b", "list-type=2&max-keys=5&fetch-owner=true&encoding-type=url", "", "", []byte{})
	f.Add(false, "PUT", "/b/k", "partNumber=2&uploadId=u", "Content-Length: 3", "", []byte("abc"))
	f.Add(false, "PUT", "/b/k", "", "x-amz-copy-source: /a/b\nx-amz-copy-source-if-modified-since: 2024", "", []byte{})
	f.Add(true, "POST", "/2013-04-01/healthcheck", "", "", "", []byte(`<CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><CallerReference>r</CallerReference><HealthCheckConfig><Type>TCP</Type><Port>80</Port><Regions><Region>us-east-1</Region></Regions></HealthCheckConfig></CreateHealthCheckRequest>`))
	f.Add(true, "GET", "/2013-04-01/healthcheck", "maxitems=3&marker=m", "", "", []byte{})
	f.Add(true, "POST", "/2013-04-01/hostedzone/Z1/rrset/", "", "", "", []byte(`<ChangeResourceRecordSetsRequest><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>a.</Name><Type>A</Type><TTL>60</TTL></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`))
	p, _ := wire.Lookup("rest-xml")
	f.Fuzz(func(t *testing.T, route53 bool, method, path, query, headers, host string, body []byte) {
		svc := s3api.Service
		if route53 {
			svc = r53api.Service
		}
		hr := fuzzRequest(method, path, query, headers, body)
		r := &wire.Request{HTTP: hr, Service: svc}
		if !route53 {
			r.VirtualBucket, _ = wire.S3BucketFromHost(host)
		}
		runCodec(t, p, r, body)
	})
}

// runCodec takes r through a server's steps: read the body when the protocol needs it
// to resolve, resolve, hand over the body (whole, or as the stream of a streaming
// operation), decode, validate, and encode the error where one arises.
func runCodec(t *testing.T, p wire.Protocol, r *wire.Request, body []byte) {
	t.Helper()
	if p.ReadsBodyToResolve() {
		r.Body = body
	}
	op, labels, e := p.Resolve(r)
	if e == nil {
		r.Op, r.Labels = op, labels
		switch {
		case p.ReadsBodyToResolve():
		case wire.HasStreamingInput(op):
			r.Stream = bytes.NewReader(body)
		default:
			r.Body = body
		}
		var in map[string]any
		if in, e = p.Decode(r); e == nil {
			checkFits(t, op, in)
			e = wire.ValidateInput(r, in)
		}
	}
	if e != nil {
		p.EncodeError(httptest.NewRecorder(), r, e, wire.Response{RequestID: "r", HostID: "h"})
	}
}

// FuzzS3BucketFromHost: any Host header is answered without panicking, and a bucket it
// finds is a non-empty run of dot-separated labels.
func FuzzS3BucketFromHost(f *testing.F) {
	for _, h := range []string{"b.s3.localhost:4566", "b.localhost", "s3.amazonaws.com", "a.b.s3-us-west-2.amazonaws.com", "[::1]:80", "..s3.x"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		b, ok := wire.S3BucketFromHost(host)
		if ok && (b == "" || strings.HasPrefix(b, ".") || strings.HasSuffix(b, ".") || strings.Contains(b, "..")) {
			t.Fatalf("%q gave bucket %q", host, b)
		}
	})
}
