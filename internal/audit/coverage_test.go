package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

// Every operation Palisade serves, called once with a generated input (its required
// members filled with plausible values), leaves exactly one CloudTrail record naming
// it, whether the call succeeds, fails validation or fails in its handler. The same
// sweep as a user without permissions leaves an AccessDenied record for every call
// that reaches authorization. New services are covered as soon as app.Services lists
// them.
func TestEveryOperationIsRecorded(t *testing.T) {
	p := apptest.Start(t)
	root := iam.NewFromConfig(p.RootConfig())
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	// S3's object operations are data events, recorded only while a trail selects them.
	cttest.Bucket(t, p.RootConfig(), "coverage-trail-files")
	trails := cloudtrail.NewFromConfig(p.RootConfig())
	apptest.Must(trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("coverage-data-events"), S3BucketName: aws.String("coverage-trail-files")}))
	apptest.Must(trails.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("coverage-data-events"), EventSelectors: []cttypes.EventSelector{{
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}}))
	apptest.Must(trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("coverage-data-events")}))
	type op struct {
		svc server.Service
		h   server.Handler
	}
	var ops []op
	for _, s := range p.Services() {
		for _, h := range s.Handlers {
			ops = append(ops, op{s, h})
		}
	}
	if len(ops) < 100 {
		t.Fatalf("only %d operations served?", len(ops))
	}
	for _, who := range []struct {
		name   string
		ak, sk string
	}{{"root", apptest.RootAccessKeyID, apptest.RootSecret}, {"user without permissions", *k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey}} {
		denied := 0
		for _, o := range ops {
			m := o.svc.Model
			opm := m.Operations[o.h.Op]
			before := len(records(t, p))
			status := call(t, p, who.ak, who.sk, m, opm)
			recs := records(t, p)[before:]
			mine := 0
			name := o.h.Op
			if n, ok := o.svc.EventNames[name]; ok {
				name = n // S3's ListObjectsV2 is recorded as ListObjects
			}
			for _, r := range recs {
				if r["eventName"] == name {
					mine++
					if who.ak != apptest.RootAccessKeyID && (r["errorCode"] == "AccessDenied" || r["errorCode"] == "AccessDeniedException") {
						denied++
					}
					for _, f := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory"} {
						if _, ok := r[f]; !ok {
							t.Errorf("%s %s.%s: record without %s", who.name, m.Name, o.h.Op, f)
						}
					}
					if (status >= 400) != (r["errorCode"] != nil) {
						t.Errorf("%s %s.%s: HTTP %d but errorCode %v", who.name, m.Name, o.h.Op, status, r["errorCode"])
					}
				}
			}
			if !o.h.Recorded() {
				// CloudWatch Logs' PutLogEvents, GetLogEvents, FilterLogEvents.
				if len(recs) != 0 {
					t.Errorf("%s %s.%s: %d records of an operation CloudTrail does not record", who.name, m.Name, o.h.Op, len(recs))
				}
				continue
			}
			if mine != 1 || len(recs) != 1 {
				t.Errorf("%s %s.%s (HTTP %d): %d records of it, %d in all", who.name, m.Name, o.h.Op, status, mine, len(recs))
			}
		}
		if who.ak != apptest.RootAccessKeyID && denied < 20 {
			t.Errorf("only %d AccessDenied records for the user without permissions", denied)
		}
		t.Logf("%s: %d operations, %d denied", who.name, len(ops), denied)
	}
}

// call sends one signed request for op with a generated input and returns the status.
func call(t *testing.T, p *apptest.Palisade, ak, sk string, m *model.Service, op *model.Operation) int {
	t.Helper()
	var req *http.Request
	in := map[string]any{}
	if op.Input != nil {
		in = gen(op.Input, 0).(map[string]any)
	}
	protocol := m.Protocol
	if protocol == "smithy-rpc-v2-cbor" && slices.Contains(m.Protocols, "json") {
		// CloudWatch serves JSON 1.0 too, which this sweep can write.
		protocol = "json"
	}
	switch protocol {
	case "query", "ec2":
		form := url.Values{"Action": {op.Name}, "Version": {m.APIVersion}}
		if op.Input != nil {
			queryEncode(form, "", op.Input, in)
		}
		req, _ = http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	case "json":
		body, _ := json.Marshal(jsonValue(op.Input, in))
		req, _ = http.NewRequest(http.MethodPost, p.URL+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-"+m.JSONVersion)
		req.Header.Set("X-Amz-Target", m.TargetPrefix+"."+op.Name)
	default: // rest-json, rest-xml: labels in the path, the template's query literals
		tpl := op.Template()
		var path strings.Builder
		for _, s := range tpl.Segments {
			path.WriteByte('/')
			if s.Label == "" {
				path.WriteString(s.Literal)
				continue
			}
			v, _ := in[s.Label].(string)
			if v == "" {
				v = "palisade-test"
			}
			path.WriteString(url.PathEscape(v))
		}
		if tpl.TrailingSlash || path.Len() == 0 {
			path.WriteByte('/')
		}
		q := url.Values{}
		for _, l := range tpl.Query {
			q.Set(l.Key, l.Value)
		}
		headers := http.Header{}
		if op.Input != nil {
			// Required members that travel in the query string or headers (an
			// upload ID, a copy source, an account ID).
			for _, mem := range op.Input.Members {
				v, ok := in[mem.Name]
				if !ok {
					continue
				}
				s := fmt.Sprint(v)
				if tm, ok := v.(time.Time); ok {
					s = tm.Format(http.TimeFormat)
				}
				switch mem.Location {
				case model.QueryString:
					q.Set(mem.WireName(), s)
				case model.Header:
					headers.Set(mem.WireName(), s)
				}
			}
		}
		u := p.URL + path.String()
		if len(q) > 0 {
			u += "?" + strings.ReplaceAll(q.Encode(), "=&", "&")
		}
		req, _ = http.NewRequest(op.Method, u, nil)
		req.Header = headers
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	sum := sha256.Sum256(body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req, hex.EncodeToString(sum[:]), m.SigningName, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// gen returns a value of shape s with its required members filled: the shortest
// valid-looking strings, minimum numbers, one-element lists.
func gen(s *model.Shape, depth int) any {
	switch s.Type {
	case model.Structure:
		out := map[string]any{}
		if depth > 4 {
			return out
		}
		for _, name := range s.Required {
			if mem, ok := s.ByName[name]; ok {
				out[name] = gen(mem.Shape, depth+1)
			}
		}
		return out
	case model.List:
		return []any{gen(s.Member.Shape, depth+1)}
	case model.Map:
		return map[string]any{"k": gen(s.Value.Shape, depth+1)}
	case model.String:
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		v := "palisade-test"
		if s.Min != nil && len(v) < int(*s.Min) {
			v += strings.Repeat("x", int(*s.Min)-len(v))
		}
		if s.Max != nil && len(v) > int(*s.Max) {
			v = v[:int(*s.Max)]
		}
		return v
	case model.Integer, model.Long:
		if s.Min != nil {
			return int64(*s.Min)
		}
		return int64(1)
	case model.Float, model.Double:
		return 1.0
	case model.Boolean:
		return false
	case model.Timestamp:
		return time.Now().UTC()
	case model.Blob:
		return []byte("palisade")
	}
	return nil
}

func jsonValue(s *model.Shape, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if s != nil && s.Type == model.Structure {
				if mem, ok := s.ByName[k]; ok {
					out[mem.WireName()] = jsonValue(mem.Shape, e)
				}
			} else if s != nil && s.Type == model.Map {
				out[k] = jsonValue(s.Value.Shape, e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(s.Member.Shape, e)
		}
		return out
	case time.Time:
		return x.Unix()
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	}
	return v
}

func queryEncode(form url.Values, prefix string, s *model.Shape, v any) {
	switch s.Type {
	case model.Structure:
		m, _ := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			mem := s.ByName[k]
			name := mem.WireName()
			if prefix != "" {
				name = prefix + "." + name
			}
			queryEncode(form, name, mem.Shape, m[k])
		}
	case model.List:
		l, _ := v.([]any)
		for i, e := range l {
			queryEncode(form, prefix+".member."+strconv.Itoa(i+1), s.Member.Shape, e)
		}
	case model.Map:
		m, _ := v.(map[string]any)
		i := 1
		for k, e := range m {
			form.Set(fmt.Sprintf("%s.entry.%d.key", prefix, i), k)
			queryEncode(form, fmt.Sprintf("%s.entry.%d.value", prefix, i), s.Value.Shape, e)
			i++
		}
	case model.Timestamp:
		form.Set(prefix, v.(time.Time).Format(time.RFC3339))
	case model.Blob:
		form.Set(prefix, base64.StdEncoding.EncodeToString(v.([]byte)))
	default:
		form.Set(prefix, fmt.Sprint(v))
	}
}
