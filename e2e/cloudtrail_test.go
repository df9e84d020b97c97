package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// advance moves a running server's clock through the admin API.
func (s *server) advance(t *testing.T, seconds int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_palisade/clock", strings.NewReader(`{"advance_seconds":`+itoa(seconds)+`}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("clock advance: %v %v", resp, err)
	}
	resp.Body.Close()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// CloudTrail through both aws CLIs: trails, status, selectors, event history with
// its CloudTrailEvent string, and the public keys of digests made after the clock
// moves.
func TestCloudTrailThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			run := func(args ...string) string {
				t.Helper()
				out, ok := c.run(s, rootAK, rootSK, args...)
				if !ok {
					t.Fatalf("%v: %s", args, out)
				}
				return out
			}
			name := "cli-" + strings.NewReplacer("/", "-", ".", "-").Replace(c.name)
			out := run("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", "trail-bucket", "--enable-log-file-validation", "--is-multi-region-trail")
			if jsonField(t, out, "TrailARN") != "arn:aws:cloudtrail:us-east-1:000000000000:trail/"+name || !strings.Contains(out, `"LogFileValidationEnabled": true`) {
				t.Fatalf("create-trail: %s", out)
			}
			run("cloudtrail", "start-logging", "--name", name)
			if out := run("cloudtrail", "get-trail-status", "--name", name); !strings.Contains(out, `"IsLogging": true`) {
				t.Fatalf("get-trail-status: %s", out)
			}
			if out := run("cloudtrail", "put-event-selectors", "--trail-name", name, "--event-selectors",
				`[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::data/"]}]}]`); !strings.Contains(out, "arn:aws:s3:::data/") {
				t.Fatalf("put-event-selectors: %s", out)
			}
			if out := run("cloudtrail", "describe-trails", "--region", "eu-west-1"); !strings.Contains(out, `"HomeRegion": "us-east-1"`) {
				t.Fatalf("shadow trail not described in eu-west-1: %s", out)
			}

			// Event history: the CreateTrail call, with its record as a string.
			var lookup struct {
				Events []struct{ EventName, CloudTrailEvent, Username string }
			}
			for range 50 {
				json.Unmarshal([]byte(run("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue="+name)), &lookup)
				if len(lookup.Events) >= 4 {
					break
				}
			}
			found := false
			for _, e := range lookup.Events {
				if e.EventName == "CreateTrail" {
					var rec map[string]any
					if err := json.Unmarshal([]byte(e.CloudTrailEvent), &rec); err != nil || rec["eventSource"] != "cloudtrail.amazonaws.com" || e.Username != "root" {
						t.Fatalf("CreateTrail event: %+v %v", e, err)
					}
					found = true
				}
			}
			if !found {
				t.Fatalf("lookup-events: %+v", lookup)
			}

			// An hour and more on, the digests are signed with a key list-public-keys
			// returns.
			s.advance(t, 3700)
			var keys struct {
				PublicKeyList []struct{ Fingerprint, Value string }
			}
			for range 50 {
				json.Unmarshal([]byte(run("cloudtrail", "list-public-keys", "--start-time", "2020-01-01T00:00:00Z", "--end-time", "2100-01-01T00:00:00Z")), &keys)
				if len(keys.PublicKeyList) > 0 {
					break
				}
			}
			if len(keys.PublicKeyList) == 0 || len(keys.PublicKeyList[0].Fingerprint) != 32 || !strings.HasPrefix(keys.PublicKeyList[0].Value, "MIIBCgKCAQEA") {
				t.Fatalf("list-public-keys: %+v", keys)
			}
			run("cloudtrail", "stop-logging", "--name", name)
			run("cloudtrail", "delete-trail", "--name", name)
			out, ok := c.run(s, rootAK, rootSK, "cloudtrail", "get-trail", "--name", name)
			expectError(t, out, ok, "TrailNotFoundException")
		})
	}
}
