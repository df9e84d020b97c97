package s3_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	s3svc "github.com/palisade/palisade/internal/service/s3"
)

// The CORS configuration calls as AWS answered them (recorded, 2026: radkawar/stackd
// testdata/aws/s3/cors_replay.json, cors_raw_replay.json, cors_audit_replay.json).

func corsRule(id string, origins, methods, headers, expose []string, maxAge *int32) types.CORSRule {
	r := types.CORSRule{AllowedOrigins: origins, AllowedMethods: methods, AllowedHeaders: headers, ExposeHeaders: expose, MaxAgeSeconds: maxAge}
	if id != "" {
		r.ID = aws.String(id)
	}
	return r
}

func (e *env) putCORS(c *s3.Client, bucket string, rules ...types.CORSRule) error {
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	return err
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func TestCORSConfiguration(t *testing.T) {
	e := newEnv(t)
	const b = "cors-replay"
	e.bucket(b)
	// missing-config, delete-missing-config, still-missing-config.
	_, err := e.s3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
	if errCode(err) != "NoSuchCORSConfiguration" {
		t.Fatalf("GetBucketCors without configuration: %v", err)
	}
	must(e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}))
	if _, err := e.s3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)}); errCode(err) != "NoSuchCORSConfiguration" {
		t.Fatalf("GetBucketCors after delete: %v", err)
	}

	// ordered-retained-config: read back in order, field by field.
	ordered := []types.CORSRule{
		corsRule("first", []string{"https://app.example"}, []string{"GET", "HEAD", "PUT"}, []string{"x-probe-*", "Content-Type"}, []string{"ETag", "x-amz-request-id"}, aws.Int32(17)),
		corsRule("fallback", []string{"*"}, []string{"GET", "HEAD", "PUT", "POST", "DELETE"}, []string{"*"}, []string{"x-amz-version-id"}, aws.Int32(41)),
	}
	if err := e.putCORS(e.s3, b, ordered...); err != nil {
		t.Fatal(err)
	}
	sameRules := func(label string, want []types.CORSRule) {
		t.Helper()
		out, err := e.s3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if !reflect.DeepEqual(out.CORSRules, want) {
			g, _ := json.Marshal(out.CORSRules)
			w, _ := json.Marshal(want)
			t.Fatalf("%s:\n got %s\nwant %s", label, g, w)
		}
	}
	sameRules("ordered-retained-config", ordered)

	// Refused configurations leave the previous one in place.
	for _, c := range []struct {
		label, code, msg string
		rule             types.CORSRule
	}{
		{"admission-method-options", "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS",
			corsRule("", []string{"https://app.example"}, []string{"OPTIONS"}, nil, nil, nil)},
		{"admission-method-lowercase", "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is get",
			corsRule("", []string{"https://app.example"}, []string{"get"}, nil, nil, nil)},
		{"admission-method-empty", "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is ",
			corsRule("", []string{"https://app.example"}, []string{""}, nil, nil, nil)},
		{"admission-origin-two-wildcards", "InvalidRequest", `AllowedOrigin "https://*.*.example" can not have more than one wildcard.`,
			corsRule("", []string{"https://*.*.example"}, []string{"GET"}, nil, nil, nil)},
		{"admission-expose-wildcard", "InvalidRequest", `ExposeHeader "*" contains wildcard. We currently do not support wildcard for ExposeHeader.`,
			corsRule("", []string{"https://app.example"}, []string{"GET"}, nil, []string{"*"}, nil)},
	} {
		err := e.putCORS(e.s3, b, c.rule)
		if errCode(err) != c.code || c.msg != "" && apiMessage(err) != c.msg {
			t.Errorf("%s: %v", c.label, err)
		}
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) && re.HTTPStatusCode() != 400 {
			t.Errorf("%s: status %d", c.label, re.HTTPStatusCode())
		}
		sameRules(c.label+".state-after", ordered)
	}

	// The SDK will not send a rule without a method or origin (recorded, 2026:
	// cors_raw_replay.json, admission-method-missing, admission-origin-missing).
	for label, body := range map[string]string{
		"admission-method-missing":     `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin></CORSRule></CORSConfiguration>`,
		"admission-origin-missing":     `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		"admission-duplicate-max-age":  `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
		"admission-unknown-element":    `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><Unknown>value</Unknown></CORSRule></CORSConfiguration>`,
		"admission-noninteger-max-age": `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>one</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
	} {
		sum := md5.Sum([]byte(body))
		status, resp := e.signed(http.MethodPut, "/"+b+"?cors", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, body)
		if status != 400 || !strings.Contains(resp, "<Code>MalformedXML</Code>") {
			t.Errorf("%s: %d %s", label, status, resp)
		}
		sameRules(label+".state-after", ordered)
	}

	// Accepted as sent: an empty or non-URL origin, "null", an empty header,
	// duplicate IDs and values, a negative max age.
	for i, rules := range [][]types.CORSRule{
		{corsRule("", []string{""}, []string{"GET"}, nil, nil, nil)},
		{corsRule("", []string{"not-an-origin"}, []string{"GET"}, nil, nil, nil)},
		{corsRule("", []string{"null"}, []string{"GET"}, nil, nil, nil)},
		{corsRule("", []string{"https://app.example"}, []string{"GET"}, []string{""}, nil, nil)},
		{corsRule("same", []string{"https://app.example"}, []string{"GET"}, nil, nil, nil), corsRule("same", []string{"https://app.example"}, []string{"GET"}, nil, nil, nil)},
		{{ID: aws.String(""), AllowedOrigins: []string{"https://app.example", "https://app.example"}, AllowedMethods: []string{"GET", "GET"},
			AllowedHeaders: []string{"X-Probe", "X-Probe"}, ExposeHeaders: []string{"ETag", "ETag"}, MaxAgeSeconds: aws.Int32(0)}},
		{corsRule("", []string{"https://app.example"}, []string{"GET"}, nil, nil, aws.Int32(-1))},
		{corsRule("", []string{"https://*.example"}, []string{"GET"}, []string{"X-Probe-*"}, []string{"ETag"}, nil)},
	} {
		if err := e.putCORS(e.s3, b, rules...); err != nil {
			t.Fatalf("%+v: %v", rules, err)
		}
		sameRules(fmt.Sprintf("accepted %d", i), rules)
	}

	// admission-rules-100 is accepted, admission-rules-101 refused.
	var many []types.CORSRule
	for i := 0; i <= 100; i++ {
		many = append(many, corsRule(fmt.Sprint(i), []string{"https://app.example"}, []string{"GET"}, nil, nil, nil))
	}
	if err := e.putCORS(e.s3, b, many[:100]...); err != nil {
		t.Fatalf("100 rules: %v", err)
	}
	if err := e.putCORS(e.s3, b, many...); errCode(err) != "InvalidRequest" {
		t.Fatalf("101 rules: %v", err)
	}
	sameRules("admission-rules-101.state-after", many[:100])

	// admission-xml-65536 is accepted, admission-xml-65537 refused, by length alone.
	head := `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>`
	for _, pad := range []int{65344, 65345} {
		body := head + strings.Repeat(" ", pad) + "</CORSConfiguration>"
		sum := md5.Sum([]byte(body))
		status, resp := e.signed(http.MethodPut, "/"+b+"?cors", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, body)
		switch {
		case len(body) == 65536 && status != 200:
			t.Fatalf("65536 bytes: %d %s", status, resp)
		case len(body) == 65537 && (status != 400 || !strings.Contains(resp, "<Code>MaxMessageLengthExceeded</Code>") ||
			!strings.Contains(resp, "<MaxMessageLengthBytes>65536</MaxMessageLengthBytes>")):
			t.Fatalf("65537 bytes: %d %s", status, resp)
		case len(body) != 65536 && len(body) != 65537:
			t.Fatalf("body of %d bytes", len(body))
		}
	}
	sameRules("admission-xml-65537.state-after", []types.CORSRule{corsRule("", []string{"https://app.example"}, []string{"GET"}, nil, nil, nil)})

	// delete-existing-config, get-after-delete, delete-config-again.
	must(e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}))
	if _, err := e.s3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)}); errCode(err) != "NoSuchCORSConfiguration" {
		t.Fatalf("get-after-delete: %v", err)
	}
	must(e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}))
}

// The calls are authorized as s3:PutBucketCORS (Put and Delete) and s3:GetBucketCORS.
func TestCORSAuthorization(t *testing.T) {
	e := newEnv(t)
	e.bucket("cors-authz")
	rule := corsRule("", []string{"*"}, []string{"GET"}, nil, nil, nil)
	reader := e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketCORS","Resource":"*"}]}`)
	writer := e.user("writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutBucketCORS","Resource":"*"}]}`)
	if err := e.putCORS(reader, "cors-authz", rule); errCode(err) != "AccessDenied" {
		t.Fatalf("reader put: %v", err)
	}
	if err := e.putCORS(writer, "cors-authz", rule); err != nil {
		t.Fatalf("writer put: %v", err)
	}
	if _, err := writer.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors-authz")}); errCode(err) != "AccessDenied" {
		t.Fatalf("writer get: %v", err)
	}
	if _, err := reader.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors-authz")}); err != nil {
		t.Fatalf("reader get: %v", err)
	}
	if _, err := reader.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors-authz")}); errCode(err) != "AccessDenied" {
		t.Fatalf("reader delete: %v", err)
	}
	if _, err := writer.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors-authz")}); err != nil {
		t.Fatalf("writer delete: %v", err)
	}
}

// PutBucketCors needs Content-MD5 or a checksum, as the API reference says.
func TestCORSNeedsChecksum(t *testing.T) {
	e := newEnv(t)
	e.bucket("cors-md5")
	body := `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
	status, resp := e.signed(http.MethodPut, "/cors-md5?cors", nil, body)
	if status != 400 || !strings.Contains(resp, "Missing required header for this request: Content-MD5 OR x-amz-checksum-*") {
		t.Fatalf("PutBucketCors without a checksum: %d %s", status, resp)
	}
}

// A change, and a delete of a configuration, emit the resource-change event other
// bucket configuration changes do; a delete of none emits nothing.
func TestCORSResourceChange(t *testing.T) {
	e := newEnv(t)
	e.bucket("cors-evented")
	rule := corsRule("r", []string{"*"}, []string{"GET", "PUT"}, nil, nil, nil)
	must(e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors-evented")}))
	if err := e.putCORS(e.s3, "cors-evented", rule); err != nil {
		t.Fatal(err)
	}
	if err := e.putCORS(e.s3, "cors-evented", corsRule("", []string{"*"}, []string{"OPTIONS"}, nil, nil, nil)); err == nil {
		t.Fatal("OPTIONS accepted")
	}
	must(e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors-evented")}))
	var got []string
	var changes []s3svc.ResourceChange
	for _, ev := range e.events(s3svc.EventSource) {
		var rc s3svc.ResourceChange
		if err := json.Unmarshal(ev.Data, &rc); err != nil {
			t.Fatal(err)
		}
		got = append(got, rc.EventName+"/"+rc.ChangeType+"/"+rc.ConfigurationItem)
		changes = append(changes, rc)
	}
	want := "CreateBucket/CREATE/Bucket PutBucketCors/UPDATE/CrossOriginConfiguration DeleteBucketCors/UPDATE/CrossOriginConfiguration"
	if strings.Join(got, " ") != want {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	// The configuration carries the rules, so a reader sees a "*" origin allowed PUT.
	if c := changes[1].Configuration; c == nil || len(c.CORS) != 1 || c.CORS[0].AllowedOrigins[0] != "*" || len(c.CORS[0].AllowedMethods) != 2 {
		t.Fatalf("PutBucketCors configuration %+v", changes[1].Configuration)
	}
	if c := changes[2].Configuration; c == nil || c.CORS != nil {
		t.Fatalf("DeleteBucketCors configuration %+v", changes[2].Configuration)
	}
}

// The management records of the calls (recorded, 2026: cors_audit_replay.json,
// ordered-retained-config, admission-method-options, delete-existing-config).
func TestCORSTrailRecords(t *testing.T) {
	e := newEnv(t)
	const b = "cors-audit-replay"
	e.bucket(b)
	e.dataTrail()
	if err := e.putCORS(e.s3, b, corsRule("first", []string{"https://app.example"}, []string{"GET", "HEAD"}, nil, []string{"ETag"}, aws.Int32(17))); err != nil {
		t.Fatal(err)
	}
	r := e.lastRecord("PutBucketCors")
	sameJSON(t, "PutBucketCors requestParameters", e.params(r), `{"bucketName":"cors-audit-replay","cors":"",
		"CORSConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","CORSRule":{"AllowedMethod":["GET","HEAD"],"MaxAgeSeconds":17,
		"ExposeHeader":"ETag","ID":"first","AllowedOrigin":"https://app.example"}}}`)
	timing(t, r, 200, true)
	if r.ReadOnly || !r.ManagementEvent || string(r.ResponseElements) != "null" || r.ErrorCode != "" {
		t.Errorf("PutBucketCors record %+v", r)
	}
	_ = e.putCORS(e.s3, b, corsRule("", []string{"https://app.example"}, []string{"OPTIONS"}, nil, nil, nil))
	r = e.lastRecord("PutBucketCors")
	if r.ErrorCode != "InvalidRequest" || r.ErrorMessage != "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS" {
		t.Errorf("refused PutBucketCors record %+v", r)
	}
	timing(t, r, 400, true)
	must(e.s3.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}))
	r = e.lastRecord("DeleteBucketCors")
	sameJSON(t, "DeleteBucketCors requestParameters", e.params(r), `{"bucketName":"cors-audit-replay","cors":""}`)
	timing(t, r, 204, true)
}

// preflight sends an unsigned OPTIONS with the given headers.
func (e *env) preflight(path string, hdr map[string]string) (int, http.Header, string) {
	e.Helper()
	req, err := http.NewRequest(http.MethodOptions, e.p.URL+path, nil)
	if err != nil {
		e.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	return resp.StatusCode, resp.Header, readAll(resp)
}

var corsHeaderNames = []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Expose-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Credentials", "Vary"}

// The browser's preflight (recorded, 2026: cors_raw_replay.json).
func TestCORSPreflight(t *testing.T) {
	e := newEnv(t)
	const b = "cors-replay"
	e.bucket(b)
	const vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
	first := map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET, HEAD, PUT",
		"Access-Control-Expose-Headers": "ETag, x-amz-request-id", "Access-Control-Max-Age": "17", "Access-Control-Allow-Credentials": "true", "Vary": vary}
	fallback := map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE",
		"Access-Control-Expose-Headers": "x-amz-version-id", "Access-Control-Max-Age": "41", "Vary": vary}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	type c struct {
		label, path string
		hdr         map[string]string
		status      int
		code        string
		details     []string
		want        map[string]string
	}
	get := map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
	cases := []c{
		{"options-without-config", "/" + b + "/private.txt", get, 403, "AccessForbidden", []string{"<Method>GET</Method>", "<ResourceType>BUCKET</ResourceType>"}, nil},
		{"options-missing-bucket", "/cors-replay-absent/private.txt", get, 403, "AccessForbidden", []string{"<Method>GET</Method>", "<ResourceType>BUCKET</ResourceType>"}, nil},
	}
	check := func(cs []c) {
		t.Helper()
		for _, c := range cs {
			status, h, body := e.preflight(c.path, c.hdr)
			if status != c.status || c.code != "" && !strings.Contains(body, "<Code>"+c.code+"</Code>") {
				t.Errorf("%s: %d %s", c.label, status, body)
			}
			for _, d := range c.details {
				if !strings.Contains(body, d) {
					t.Errorf("%s: no %s in %s", c.label, d, body)
				}
			}
			for _, n := range corsHeaderNames {
				if h.Get(n) != c.want[n] {
					t.Errorf("%s: %s %q, want %q", c.label, n, h.Get(n), c.want[n])
				}
			}
		}
	}
	check(cases)

	if err := e.putCORS(e.s3, b,
		corsRule("first", []string{"https://app.example"}, []string{"GET", "HEAD", "PUT"}, []string{"x-probe-*", "Content-Type"}, []string{"ETag", "x-amz-request-id"}, aws.Int32(17)),
		corsRule("fallback", []string{"*"}, []string{"GET", "HEAD", "PUT", "POST", "DELETE"}, []string{"*"}, []string{"x-amz-version-id"}, aws.Int32(41))); err != nil {
		t.Fatal(err)
	}
	obj := "/" + b + "/private.txt"
	check([]c{
		{"first-match-bucket-root", "/" + b + "/", get, 200, "", nil, first},
		{"first-match-headers-case-list", obj, with(get, "Access-Control-Request-Headers", "X-Probe-Z, content-type, X-Probe-A"), 200, "", nil,
			with(first, "Access-Control-Allow-Headers", "x-probe-z, content-type, x-probe-a")},
		{"first-match-headers-duplicates", obj, with(get, "Access-Control-Request-Headers", "X-Probe-Z, x-probe-z"), 200, "", nil,
			with(first, "Access-Control-Allow-Headers", "x-probe-z, x-probe-z")},
		{"fallback-when-first-headers-fail", obj, with(get, "Access-Control-Request-Headers", "X-Other"), 200, "", nil,
			with(fallback, "Access-Control-Allow-Headers", "x-other")},
		{"fallback-when-first-method-fails", obj, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}, 200, "", nil, fallback},
		{"fallback-when-first-origin-fails", obj, map[string]string{"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}, 200, "", nil, fallback},
		{"method-head", obj, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "HEAD"}, 200, "", nil, first},
		{"method-lowercase-preflight", obj, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "get"}, 400, "BadRequest", nil, nil},
		{"method-unsupported-preflight", obj, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "PATCH"}, 403, "AccessForbidden",
			[]string{"<Method>PATCH</Method>", "<ResourceType>OBJECT</ResourceType>"}, nil},
		{"origin-missing", obj, map[string]string{"Access-Control-Request-Method": "GET"}, 400, "BadRequest", nil, nil},
		{"request-method-missing", obj, map[string]string{"Origin": "https://app.example"}, 403, "AccessForbidden",
			[]string{"<Method>OPTIONS</Method>", "<ResourceType>OBJECT</ResourceType>"}, nil},
		{"request-method-multiple", obj, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET, PUT"}, 400, "BadRequest", nil, nil},
		{"request-headers-empty", obj, with(get, "Access-Control-Request-Headers", ""), 200, "", nil, first},
		{"request-headers-empty-list-items", obj, with(get, "Access-Control-Request-Headers", ", X-Probe-A,,"), 200, "", nil,
			with(fallback, "Access-Control-Allow-Headers", ", x-probe-a")},
		{"request-headers-malformed-token", obj, with(get, "Access-Control-Request-Headers", "Bad Header"), 400, "BadRequest", nil, nil},
		{"origin-null", obj, map[string]string{"Origin": "null", "Access-Control-Request-Method": "GET"}, 200, "", nil, fallback},
		{"origin-malformed-with-wildcard", obj, map[string]string{"Origin": "not an origin", "Access-Control-Request-Method": "GET"}, 200, "", nil, fallback},
		{"partial-signature-query", obj + "?X-Amz-Algorithm=AWS4-HMAC-SHA256", get, 200, "", nil, first},
		{"partial-signature-authorization", obj, with(get, "Authorization", "AWS4-HMAC-SHA256 Credential=invalid"), 200, "", nil, first},
	})
}

// Ordinary requests with an Origin carry the matching rule's headers, whatever they
// answer (recorded, 2026: cors_raw_replay.json, public-get through put-signed-allowed).
func TestCORSActualResponses(t *testing.T) {
	e := newEnv(t)
	const b = "cors-replay"
	e.bucket(b)
	e.put(b, "private.txt", "harmless private cors probe\n")
	const vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
	first := map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET, HEAD, PUT",
		"Access-Control-Expose-Headers": "ETag, x-amz-request-id", "Access-Control-Max-Age": "17", "Access-Control-Allow-Credentials": "true", "Vary": vary}
	fallback := map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE",
		"Access-Control-Expose-Headers": "x-amz-version-id", "Access-Control-Max-Age": "41", "Vary": vary}
	send := func(label, method, path, origin string, signed bool, status int, want map[string]string) {
		t.Helper()
		req, err := http.NewRequest(method, e.p.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if signed {
			sum := sha256.Sum256(nil)
			hash := hex.EncodeToString(sum[:])
			req.Header.Set("X-Amz-Content-Sha256", hash)
			apptest.SignAsRoot(e, req, "s3", hash)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(resp)
		if resp.StatusCode != status {
			t.Errorf("%s: status %d, want %d", label, resp.StatusCode, status)
		}
		for _, n := range corsHeaderNames {
			if resp.Header.Get(n) != want[n] {
				t.Errorf("%s: %s %q, want %q", label, n, resp.Header.Get(n), want[n])
			}
		}
	}
	// Without a configuration, nothing.
	send("no-config", http.MethodGet, "/"+b+"/private.txt", "https://app.example", true, 200, nil)
	if err := e.putCORS(e.s3, b,
		corsRule("first", []string{"https://app.example"}, []string{"GET", "HEAD", "PUT"}, []string{"x-probe-*", "Content-Type"}, []string{"ETag", "x-amz-request-id"}, aws.Int32(17)),
		corsRule("fallback", []string{"*"}, []string{"GET", "HEAD", "PUT", "POST", "DELETE"}, []string{"*"}, []string{"x-amz-version-id"}, aws.Int32(41))); err != nil {
		t.Fatal(err)
	}
	send("private-anonymous-denied", http.MethodGet, "/"+b+"/private.txt", "https://app.example", false, 403, first)
	send("private-signed", http.MethodGet, "/"+b+"/private.txt", "https://app.example", true, 200, first)
	send("missing-signed", http.MethodGet, "/"+b+"/missing.txt", "https://app.example", true, 404, first)
	send("missing-anonymous", http.MethodGet, "/"+b+"/missing.txt", "https://app.example", false, 403, first)
	send("private-head-signed", http.MethodHead, "/"+b+"/private.txt", "https://app.example", true, 200, first)
	send("wildcard-origin", http.MethodGet, "/"+b+"/private.txt", "https://other.example", true, 200, fallback)
	send("delete-falls-back", http.MethodDelete, "/"+b+"/gone.txt", "https://app.example", true, 204, fallback)
	send("no-origin", http.MethodGet, "/"+b+"/private.txt", "", true, 200, nil)
}
