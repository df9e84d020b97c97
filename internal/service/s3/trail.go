package s3

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// S3's CloudTrail records do not mirror its API: requestParameters are the HTTP
// request as S3 saw it (the bucket, the Host header, the key, every query parameter
// under its HTTP name, sub-resources such as "acl" with "" values, the x-amz-*
// headers that carry a choice, and an XML body converted to JSON), and
// additionalEventData describes the exchange (x-amz-id-2, timing, the status sent).
// Recorded 2026 (radkawar/stackd testdata/aws/s3/): multipart_attributes_audit_replay.json,
// access_controls_audit_replay.json, customer_encryption_audit_replay.json,
// cors_audit_replay.json, object_lock_audit_replay.json, recreation_audit_replay.json,
// logging_audit_replay.json, abac_audit_replay.json, requester_audit_replay.json.

// record is the server's Record hook: it renders the call's record fields once its
// outcome is known.
func (s *Service) record(c *server.Call, in map[string]any, out any, err error) {
	if c.HTTP == nil {
		// A call Palisade makes itself (log delivery): no HTTP request to describe.
		return
	}
	op := c.Operation.Name
	if c.AdditionalEventData == nil {
		// The request failed before its checks ran (it could not be decoded).
		eventData(c, in)
	}
	c.RequestParameters = requestParams(c, in)
	d := c.AdditionalEventData
	status := httpStatus(c, err)
	d["x-amz-id-2"] = c.HostID
	d["httpStatusCode"] = status
	// The call's time and the clock's now: the time the record is written, just
	// before the answer goes out.
	start := c.Now.UnixMilli()
	end := s.d.Clock.Now().UnixMilli()
	if end < start {
		end = start
	}
	d["startTime"], d["endTime"] = start, end
	if turnAround(op, err, c.Denied()) {
		d["turnAroundTime"] = end - start
	} else {
		delete(d, "turnAroundTime")
	}
	if op == "DeleteObjects" {
		// Its body is neither recorded nor counted, its answer not recorded, and its
		// record has no turnAroundTime (recorded 2026: object_lock_audit_replay.json,
		// repeat-audit-batch-partial-failure).
		d["bytesTransferredIn"] = int64(0)
		c.ResponseElements = json.RawMessage("null")
	} else if c.Body != nil {
		d["bytesTransferredIn"] = int64(len(c.Body))
	} else if err != nil {
		// A refused upload's body is not read (recorded 2026:
		// customer_encryption_audit_replay.json: bytesTransferredIn 0).
		d["bytesTransferredIn"] = int64(0)
	}
	if n, ok := c.AnswerSize(out, err); ok {
		// The body of the answer as sent: an XML document, an error's included
		// (recorded 2026: logging_audit_replay.json — GetBucketLogging 319 bytes, a
		// denied one 514, PutBucketLogging's empty answer 0). GetObject's streamed
		// body is counted as it is read (objects.go).
		d["bytesTransferredOut"] = n
	}
	if !dataEvents[op] {
		// Management events answer with nothing: even CreateBucket's Location is not
		// recorded (recorded 2026: recreation_audit_replay.json, and every management
		// record of access_controls_audit_replay.json and cors_audit_replay.json).
		c.ResponseElements = json.RawMessage("null")
	}
	switch op {
	case "PutObject":
		// objectSize is the declared length, also when a policy refused the write;
		// requests S3 itself refuses (encryption blocked, bad customer key) have none
		// (recorded 2026: customer_encryption_audit_replay.json).
		if n, ok := in["ContentLength"].(int64); ok && (err == nil || c.Denied()) {
			d["objectSize"] = n
		}
		if o, ok := out.(*api.PutObjectOutput); ok && err == nil {
			if applied := sseApplied(c.HTTP.Header, o.ServerSideEncryption, o.SSECustomerAlgorithm); applied != "" {
				d["SSEApplied"] = applied
			}
			if o.SSECustomerAlgorithm != nil {
				c.ResponseElements = headerObject(writeHeaders(nil, o.SSECustomerAlgorithm, o.VersionId)...)
			}
		}
	case "GetObject":
		if o, ok := out.(*api.GetObjectOutput); ok && err == nil {
			if n, ok := objectSize(o.ContentRange, o.ContentLength); ok {
				d["objectSize"] = n
			}
		}
	case "HeadObject":
		// Inferred from GetObject's.
		if o, ok := out.(*api.HeadObjectOutput); ok && err == nil {
			if n, ok := objectSize(o.ContentRange, o.ContentLength); ok {
				d["objectSize"] = n
			}
		}
	case "CompleteMultipartUpload":
		if err != nil {
			// Recorded 2026 (multipart_attributes_audit_replay.json, InvalidPart).
			d["objectSize"] = int64(-1)
		} else if o, ok := out.(*api.CompleteMultipartUploadOutput); ok {
			// As PutObject's: the headers S3 answered with (inferred from the same
			// recording's failed completion, whose record carries them).
			if re := writeHeaders(o.ServerSideEncryption, nil, o.VersionId); len(re) > 0 {
				c.ResponseElements = headerObject(re...)
			}
		}
	}
}

// bucketResource names the bucket of a management event in its record, with its
// owner, as AWS's records of bucket operations do (recorded 2026:
// access_controls_audit_replay.json, abac_audit_replay.json); CreateBucket's records
// name none (recreation_audit_replay.json), and it is not authorized here.
func bucketResource(c *server.Call, op string, b *bucketRec) {
	if dataEvents[op] {
		return
	}
	c.Resources = []audit.Resource{{AccountID: b.Owner, Type: "AWS::S3::Bucket", ARN: b.arn(), AccountFirst: true}}
}

// turnAround tells whether AWS's record of a call gives its turnAroundTime. Most
// management events do not: ACL, public access block, policy status, logging,
// object lock and ABAC operations and CreateBucket have none, the ownership controls
// and CORS operations have one. Data events do, but for HEAD, DeleteObjects and the
// object ACL operations; writes refused before the body was read have none (recorded 2026:
// access_controls_audit_replay.json, cors_audit_replay.json,
// recreation_audit_replay.json, logging_audit_replay.json, abac_audit_replay.json,
// object_lock_audit_replay.json, customer_encryption_audit_replay.json,
// multipart_attributes_audit_replay.json); nor has a refused RestoreObject
// (restore_delivery_replay.json, RestoreAlreadyInProgress). The other management
// operations are inferred to be as most are, and the other data events as most are.
func turnAround(op string, err error, denied bool) bool {
	switch {
	case denied, err != nil && (op == "PutObject" || op == "RestoreObject"):
		return false
	case dataEvents[op]:
		return op != "HeadObject" && op != "GetObjectAcl" && op != "PutObjectAcl" && op != "DeleteObjects" && !lockOps[op]
	}
	return turnAroundManagement[op]
}

var turnAroundManagement = map[string]bool{
	"GetBucketOwnershipControls": true, "PutBucketOwnershipControls": true, "DeleteBucketOwnershipControls": true,
	"GetBucketCors": true, "PutBucketCors": true, "DeleteBucketCors": true,
}

// writeHeaders are the response headers a write's record lists as its
// responseElements, in AWS's order.
func writeHeaders(sse, customerAlg, version *string) []string {
	var re []string
	if sse != nil {
		re = append(re, "x-amz-server-side-encryption", *sse)
	}
	if customerAlg != nil {
		re = append(re, "x-amz-server-side-encryption-customer-algorithm", *customerAlg)
	}
	if version != nil {
		re = append(re, "x-amz-version-id", *version)
	}
	return re
}

// sseApplied names the encryption a write got: SSE_C for a customer key, SSE_S3 when
// the request asked for AES256, Default_SSE_S3 when the bucket's default chose it
// (recorded 2026: customer_encryption_audit_replay.json); the KMS names are inferred
// from those.
func sseApplied(h http.Header, sse, customerAlg *string) string {
	if customerAlg != nil {
		return "SSE_C"
	}
	if sse == nil {
		return ""
	}
	name := "SSE_S3"
	switch *sse {
	case "aws:kms":
		name = "SSE_KMS"
	case "aws:kms:dsse":
		name = "DSSE_KMS"
	}
	if h.Get("x-amz-server-side-encryption") == "" {
		name = "Default_" + name
	}
	return name
}

// objectSize is a read object's whole size: the total of a Content-Range, else the
// length sent.
func objectSize(contentRange *string, length *int64) (int64, bool) {
	if contentRange != nil {
		if i := strings.LastIndexByte(*contentRange, '/'); i >= 0 {
			if n, err := strconv.ParseInt((*contentRange)[i+1:], 10, 64); err == nil {
				return n, true
			}
		}
	}
	if length != nil {
		return *length, true
	}
	return 0, false
}

// httpStatus is the status the call is answered with.
func httpStatus(c *server.Call, err error) int {
	if err != nil {
		var me *model.Error
		if errors.As(err, &me) && me.Status != 0 {
			return me.Status
		}
		return http.StatusInternalServerError
	}
	if c.Status != 0 {
		return c.Status
	}
	if c.Operation.ResponseCode != 0 {
		return c.Operation.ResponseCode
	}
	return http.StatusOK
}

// requestParams renders a call's requestParameters as S3 does.
func requestParams(c *server.Call, in map[string]any) json.RawMessage {
	var p jsonObject
	var apFirst, apLast [][2]string
	if b, ok := in["Bucket"].(string); ok && b != "" {
		b, apFirst, apLast = apParams(c, b)
		p.add("bucketName", b)
		for _, kv := range apFirst {
			p.add(kv[0], kv[1])
		}
	}
	p.add("Host", c.Host)
	if k, ok := in["Key"].(string); ok {
		p.add("key", k)
	}
	q := c.HTTP.URL.Query()
	for _, name := range sortedQuery(q) {
		if name == "X-Amz-Signature" || name == "X-Amz-Security-Token" {
			// A presigned request's other parameters are recorded (its expiry, its
			// credential's access key ID), these are not (inferred: no recording of a
			// presigned request's record).
			continue
		}
		p.add(name, q[name][0])
	}
	if op := c.Operation; op.Input != nil {
		for _, m := range op.Input.Members {
			if m.Location != model.Header || !recordedHeader(m) {
				continue
			}
			if v := c.HTTP.Header.Get(m.LocationName); v != "" || len(c.HTTP.Header.Values(m.LocationName)) > 0 {
				p.add(strings.ToLower(m.LocationName), v)
			}
		}
	}
	if len(c.Body) > 0 && !bodyUnrecorded[c.Operation.Name] {
		if c.Operation.Name == "PutBucketPolicy" {
			// The policy as JSON, under AWS's name for it (inferred: not in the
			// recordings).
			if json.Valid(c.Body) {
				p.addRaw("bucketPolicy", compactJSON(c.Body))
			}
		} else if name, v, ok := xmlJSON(c.Body); ok {
			p.addRaw(name, v)
		}
	}
	for _, kv := range apLast {
		p.add(kv[0], kv[1])
	}
	return p.bytes()
}

// bodyUnrecorded are the operations whose XML body is not in requestParameters
// (recorded 2026: object_lock_audit_replay.json, repeat-audit-batch-partial-failure,
// repeat-audit-put-retention, repeat-audit-put-legal).
var bodyUnrecorded = map[string]bool{"DeleteObjects": true, "PutObjectRetention": true, "PutObjectLegalHold": true}

// recordedHeader tells whether an input header appears in requestParameters. AWS
// records the canned ACL, CreateBucket's object ownership and the customer key's
// algorithm (never the key or its MD5), but not the headers that only describe the object or the reply:
// x-amz-object-attributes, the object lock headers, the checksums
// (recorded 2026: access_controls_audit_replay.json, recreation_audit_replay.json,
// customer_encryption_audit_replay.json, multipart_attributes_audit_replay.json,
// object_lock_audit_replay.json). The explicit grants, the SSE and KMS key headers
// and the copy source are inferred to be recorded as the ACL and the algorithm are.
func recordedHeader(m *model.Member) bool {
	if m.Shape.Sensitive {
		return false
	}
	name := strings.ToLower(m.LocationName)
	switch name {
	case "x-amz-acl", "x-amz-object-ownership", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
		"x-amz-server-side-encryption-customer-algorithm", "x-amz-copy-source",
		"x-amz-copy-source-server-side-encryption-customer-algorithm":
		return true
	}
	return strings.HasPrefix(name, "x-amz-grant-")
}

func sortedQuery(q map[string][]string) []string {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}

func compactJSON(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return nil
	}
	return buf.Bytes()
}

// jsonObject writes a JSON object's members in the order added; a name added twice
// keeps its first value.
type jsonObject struct {
	buf  []byte
	seen map[string]bool
}

func (o *jsonObject) add(name, value string) {
	v, _ := audit.MarshalJSON(value)
	o.addRaw(name, v)
}

func (o *jsonObject) addRaw(name string, v json.RawMessage) {
	if v == nil || o.seen[name] {
		return
	}
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	o.seen[name] = true
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	k, _ := audit.MarshalJSON(name)
	o.buf = append(append(append(o.buf, k...), ':'), v...)
}

func (o *jsonObject) bytes() json.RawMessage {
	if len(o.buf) == 0 {
		return json.RawMessage("null")
	}
	return append(o.buf, '}')
}

// xmlJSON converts an XML request body as S3's records show it: the root element's
// name holding an object of its attributes (xmlns, xmlns:xsi, xsi:type, by their
// prefixed names) and child elements; an element repeated is an array, one that is
// not a single value; text that is an integer or a boolean is a JSON number or
// boolean (PartNumber 1, BlockPublicAcls false, MaxAgeSeconds 17), other text a
// string, an empty element "" (recorded 2026: multipart_attributes_audit_replay.json,
// access_controls_audit_replay.json, cors_audit_replay.json).
func xmlJSON(body []byte) (string, json.RawMessage, bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "", nil, false
		}
		if se, ok := tok.(xml.StartElement); ok {
			v, err := xmlElement(d, se)
			if err != nil {
				return "", nil, false
			}
			return xmlName(se.Name), v, true
		}
	}
}

func xmlName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// xmlElement converts the element se has opened, reading up to its end.
func xmlElement(d *xml.Decoder, se xml.StartElement) (json.RawMessage, error) {
	var (
		names  []string
		values = map[string][]json.RawMessage{}
		text   strings.Builder
	)
	addChild := func(name string, v json.RawMessage) {
		if _, ok := values[name]; !ok {
			names = append(names, name)
		}
		values[name] = append(values[name], v)
	}
	for _, a := range se.Attr {
		v, _ := audit.MarshalJSON(a.Value)
		addChild(xmlName(a.Name), v)
	}
	attrs := len(names)
	for {
		tok, err := d.RawToken()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := xmlElement(d, t)
			if err != nil {
				return nil, err
			}
			addChild(xmlName(t.Name), v)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(names) == attrs && attrs == 0 {
				return xmlScalar(text.String()), nil
			}
			var o jsonObject
			for _, n := range names {
				vs := values[n]
				if len(vs) == 1 {
					o.addRaw(n, vs[0])
					continue
				}
				arr := []byte{'['}
				for i, v := range vs {
					if i > 0 {
						arr = append(arr, ',')
					}
					arr = append(arr, v...)
				}
				o.addRaw(n, append(arr, ']'))
			}
			return o.bytes(), nil
		}
	}
}

func xmlScalar(s string) json.RawMessage {
	switch s {
	case "true", "false":
		return json.RawMessage(s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(n, 10) == s {
		return json.RawMessage(s)
	}
	v, _ := audit.MarshalJSON(s)
	return v
}
