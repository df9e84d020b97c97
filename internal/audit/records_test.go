package audit_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

var ctx = context.Background()

// records returns the CloudTrail records in the event log, in order, decoded as
// generic JSON (what a reader of the delivered files sees).
func records(t *testing.T, p *apptest.Palisade) []map[string]any {
	t.Helper()
	var out []map[string]any
	err := p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(e *store.Event) bool {
			if e.Source != audit.Source {
				return true
			}
			var m map[string]any
			if err := json.Unmarshal(e.Data, &m); err != nil {
				t.Errorf("record is not JSON: %v: %s", err, e.Data)
			}
			out = append(out, m)
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// last returns the last record of an event name.
func last(t *testing.T, p *apptest.Palisade, name string) map[string]any {
	t.Helper()
	recs := records(t, p)
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i]["eventName"] == name {
			return recs[i]
		}
	}
	t.Fatalf("no %s record among %d", name, len(recs))
	return nil
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// requestID captures the request ID the SDK saw.
func requestID(md middleware.Metadata) string {
	id, _ := awsmw.GetRequestIDMetadata(md)
	return id
}

var isoSecond = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestIAMRecordsHaveAWSShapes(t *testing.T) {
	p := apptest.Start(t)
	c := iam.NewFromConfig(p.RootConfig())
	out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/")})
	if err != nil {
		t.Fatal(err)
	}
	r := last(t, p, "CreateUser")
	for k, want := range map[string]any{
		"eventVersion": audit.EventVersion, "eventSource": "iam.amazonaws.com", "awsRegion": "us-east-1", "eventType": "AwsApiCall",
		"readOnly": false, "managementEvent": true, "eventCategory": "Management", "recipientAccountId": "000000000000",
		"requestID": requestID(out.ResultMetadata), "sourceIPAddress": "127.0.0.1",
	} {
		if r[k] != want {
			t.Errorf("%s = %v, want %v", k, r[k], want)
		}
	}
	if got := jsonOf(r["requestParameters"]); got != `{"path":"/eng/","userName":"alice"}` {
		t.Errorf("requestParameters %s", got)
	}
	user, _ := get(r, "responseElements", "user").(map[string]any)
	if user["userName"] != "alice" || user["arn"] != *out.User.Arn || user["userId"] != *out.User.UserId || user["path"] != "/eng/" {
		t.Errorf("responseElements %s", jsonOf(r["responseElements"]))
	}
	// IAM's timestamps are ISO 8601 (recorded 2026, stackd
	// testdata/aws/cloudtrail/service_management_events.json: CreateRole's createDate).
	if d, _ := user["createDate"].(string); !isoSecond.MatchString(d) {
		t.Errorf("createDate %q is not in IAM's ISO 8601 format", d)
	}
	if ui := jsonOf(r["userIdentity"]); ui != `{"accessKeyId":"`+apptest.RootAccessKeyID+`","accountId":"000000000000","arn":"arn:aws:iam::000000000000:root","principalId":"000000000000","type":"Root"}` {
		t.Errorf("userIdentity %s", ui)
	}
	if _, ok := r["tlsDetails"]; ok {
		t.Error("tlsDetails on a plain HTTP call")
	}
	if len(r["eventID"].(string)) != 36 || r["eventID"] == r["requestID"] {
		t.Errorf("eventID %v", r["eventID"])
	}

	// Secrets never reach the record: the new key's secret, the password.
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	r = last(t, p, "CreateAccessKey")
	if got := get(r, "responseElements", "accessKey", "accessKeyId"); got != *key.AccessKey.AccessKeyId {
		t.Errorf("accessKeyId %v", got)
	}
	if raw := jsonOf(r); strings.Contains(raw, *key.AccessKey.SecretAccessKey) || strings.Contains(raw, "secretAccessKey") {
		t.Errorf("the secret access key is in the record: %s", raw)
	}
	if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Sup3r-Secret-pw!"), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	r = last(t, p, "CreateLoginProfile")
	if got := jsonOf(r["requestParameters"]); got != `{"passwordResetRequired":true,"userName":"alice"}` {
		t.Errorf("CreateLoginProfile requestParameters %s", got)
	}
	if strings.Contains(jsonOf(r), "Sup3r-Secret-pw!") {
		t.Error("the password is in the record")
	}

	// A read: no parameters → null; responseElements null; readOnly.
	if _, err := c.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	r = last(t, p, "ListUsers")
	if r["requestParameters"] != nil || r["responseElements"] != nil || r["readOnly"] != true {
		t.Errorf("ListUsers record: requestParameters %v responseElements %v readOnly %v", r["requestParameters"], r["responseElements"], r["readOnly"])
	}
	// A write with an empty answer: responseElements null.
	if _, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if r = last(t, p, "DeleteLoginProfile"); r["responseElements"] != nil || r["readOnly"] != false {
		t.Errorf("DeleteLoginProfile: %s", jsonOf(r))
	}
	// A read AWS calls a read though Palisade's handler writes (the report).
	if _, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	if r = last(t, p, "GenerateCredentialReport"); r["readOnly"] != true || r["responseElements"] != nil {
		t.Errorf("GenerateCredentialReport: readOnly %v responseElements %v", r["readOnly"], r["responseElements"])
	}

	// Failures carry errorCode and errorMessage and no responseElements; IAM's
	// errorCode is the exception's name, not the code on the wire (recorded 2026,
	// stackd testdata/aws/cloudtrail/iam_history.json).
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")
	r = last(t, p, "GetUser")
	if r["errorCode"] != "NoSuchEntityException" || r["errorMessage"] != "The user with name nobody cannot be found." || r["responseElements"] != nil {
		t.Errorf("failed GetUser: %s", jsonOf(r))
	}
	// A request that fails validation is recorded too.
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
	wantCode(t, err, "ValidationError")
	r = last(t, p, "CreateUser")
	if r["errorCode"] != "ValidationError" || !strings.Contains(r["errorMessage"].(string), "userName") || get(r, "requestParameters", "userName") != "bad name!" {
		t.Errorf("invalid CreateUser: %s", jsonOf(r))
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// A denied call is recorded with AccessDenied and the caller's identity.
func TestAccessDeniedIsRecorded(t *testing.T) {
	p := apptest.Start(t)
	root := iam.NewFromConfig(p.RootConfig())
	u, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("intruder")})
	if err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("intruder")})
	if err != nil {
		t.Fatal(err)
	}
	as := iam.NewFromConfig(p.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, ""))
	_, err = as.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	errors.As(err, &ae)
	r := last(t, p, "ListUsers")
	want := `{"accessKeyId":"` + *k.AccessKey.AccessKeyId + `","accountId":"000000000000","arn":"` + *u.User.Arn + `","principalId":"` + *u.User.UserId + `","type":"IAMUser","userName":"intruder"}`
	if r["errorCode"] != "AccessDenied" || r["errorMessage"] != ae.ErrorMessage() || jsonOf(r["userIdentity"]) != want {
		t.Errorf("denied ListUsers: %s", jsonOf(r))
	}
	if r["readOnly"] != true || r["responseElements"] != nil {
		t.Errorf("denied ListUsers: readOnly %v responseElements %v", r["readOnly"], r["responseElements"])
	}
}

// Over TLS the record has tlsDetails with the version, OpenSSL's cipher suite name and
// the Host header the client sent.
func TestTLSDetails(t *testing.T) {
	p := apptest.Start(t)
	srv := httptest.NewUnstartedServer(p.Server)
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}
	srv.StartTLS()
	defer srv.Close()
	cfg := p.RootConfig()
	cfg.BaseEndpoint = aws.String(srv.URL)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	r := last(t, p, "GetCallerIdentity")
	host := strings.TrimPrefix(srv.URL, "https://")
	if got := jsonOf(r["tlsDetails"]); got != `{"cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"`+host+`","tlsVersion":"TLSv1.2"}` {
		t.Errorf("tlsDetails %s", got)
	}
}
