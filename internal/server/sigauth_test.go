package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/palisade/palisade/internal/app/apptest"
)

// TestCloudTrailUnsignedAnswersInJSON: a CloudTrail request whose authentication is
// missing or unreadable is answered in CloudTrail's JSON protocol, whichever of the
// two X-Amz-Target spellings it uses (botocore's full
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", the Smithy SDKs'
// "CloudTrail_20131101"). Before, routing cut the target at its first dot, missed,
// and fell through to S3, which answered 405 MethodNotAllowed in XML.
func TestCloudTrailUnsignedAnswersInJSON(t *testing.T) {
	p := apptest.Start(t)
	for _, target := range []string{
		"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
		"CloudTrail_20131101.DescribeTrails",
	} {
		for _, tc := range []struct{ authz, code string }{
			{"", `{"__type":"MissingAuthenticationTokenException"`},
			{"Bearer abc", `{"__type":"IncompleteSignatureException"`},
			{"AWS " + apptest.RootAccessKeyID + ":c2ln", `{"__type":"IncompleteSignatureException"`},
		} {
			req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", target)
			if tc.authz != "" {
				req.Header.Set("Authorization", tc.authz)
				req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			}
			code, body := do(t, req)
			if code == http.StatusMethodNotAllowed || !strings.HasPrefix(body, tc.code) {
				t.Errorf("%s with %q: %d %s", target, tc.authz, code, body)
			}
		}
	}
}

// TestTemporaryKeyWithoutToken: an ASIA key ID sent without X-Amz-Security-Token is
// an unknown key. S3 answers 403 InvalidAccessKeyId "The AWS Access Key Id you
// provided does not exist in our records." with the key ID (recorded for an ASIA
// key whose session token the client left out: databendlabs/databend#8069), not
// InvalidToken with an empty Token-0; query services keep InvalidClientTokenId.
func TestTemporaryKeyWithoutToken(t *testing.T) {
	p := apptest.Start(t)
	const asia = "ASIAPALISADETEST0001"
	creds := aws.Credentials{AccessKeyID: asia, SecretAccessKey: apptest.RootSecret}
	empty := sha256.Sum256(nil)
	emptyHash := hex.EncodeToString(empty[:])

	hdr, _ := http.NewRequest(http.MethodGet, p.URL+"/", nil)
	hdr.Header.Set("X-Amz-Content-Sha256", emptyHash)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, hdr, emptyHash, "s3", apptest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	get, _ := http.NewRequest(http.MethodGet, p.URL+"/some-bucket/k?X-Amz-Expires=60", nil)
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, get, "UNSIGNED-PAYLOAD", "s3", apptest.Region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := http.NewRequest(http.MethodGet, url, nil)
	for name, req := range map[string]*http.Request{"header": hdr, "presigned": pre} {
		code, body := do(t, req)
		if code != 403 || !strings.Contains(body, "<Code>InvalidAccessKeyId</Code>") ||
			!strings.Contains(body, "<Message>The AWS Access Key Id you provided does not exist in our records.</Message>") ||
			!strings.Contains(body, "<AWSAccessKeyId>"+asia+"</AWSAccessKeyId>") {
			t.Errorf("s3 %s: %d %s", name, code, body)
		}
	}

	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", apptest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, out := do(t, req); code != 403 || !strings.Contains(out, "<Code>InvalidClientTokenId</Code>") ||
		!strings.Contains(out, "<Message>The security token included in the request is invalid.</Message>") {
		t.Errorf("sts: %d %s", code, out)
	}
}

// TestS3RefusesSigV2: S3 answers a Signature Version 2 request (header or presigned
// URL) as its SigV4-only regions do: 400 InvalidRequest "The authorization mechanism
// you have provided is not supported. Please use AWS4-HMAC-SHA256." (aws/aws-cli#2432,
// nukulb/s3-angular-file-upload#23).
func TestS3RefusesSigV2(t *testing.T) {
	p := apptest.Start(t)
	hdr, _ := http.NewRequest(http.MethodGet, p.URL+"/some-bucket/k", nil)
	hdr.Header.Set("Authorization", "AWS "+apptest.RootAccessKeyID+":c2lnbmF0dXJl")
	hdr.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	pre, _ := http.NewRequest(http.MethodGet, p.URL+"/some-bucket/k?AWSAccessKeyId="+apptest.RootAccessKeyID+"&Expires=1900000000&Signature=c2ln", nil)
	for name, req := range map[string]*http.Request{"header": hdr, "presigned": pre} {
		code, body := do(t, req)
		if code != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code>") ||
			!strings.Contains(body, "<Message>The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.</Message>") ||
			strings.Contains(body, "ArgumentName") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
}
