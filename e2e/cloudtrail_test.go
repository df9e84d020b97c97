package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
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

// now reads a running server's clock through the admin API.
func (s *server) now(t *testing.T) time.Time {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/_palisade/clock", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct{ Now time.Time }
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c.Now
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

var (
	e2eLogKey    = regexp.MustCompile(`^AWSLogs/000000000000/CloudTrail/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/000000000000_CloudTrail_([a-z0-9-]+)_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	e2eDigestKey = regexp.MustCompile(`^AWSLogs/000000000000/CloudTrail-Digest/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/000000000000_CloudTrail-Digest_([a-z0-9-]+)_(cli-[a-z0-9-]+)_us-east-1_\d{8}T\d{6}Z\.json\.gz$`)
)

// CloudTrail through both aws CLIs, as the end-to-end check asks: a bucket
// with CloudTrail's policy, a trail with validation, calls, two hours on the clock;
// the files come down with `aws s3 cp` under AWS's names with the calls in them;
// `aws cloudtrail validate-logs` finds them valid, then reports an altered log file
// and a deleted one and fails. Debian's aws CLI 2.9 does not read AWS_ENDPOINT_URL,
// which validate-logs needs for its S3 clients, so with it the files are checked with
// `palisade trail validate` instead (with the keys list-public-keys gives). Along the
// way: event history.
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
			bucket := name + "-logs"
			run("s3api", "create-bucket", "--bucket", bucket)
			run("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::`+bucket+`"},
				{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::`+bucket+`/AWSLogs/000000000000/*",
				 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`)
			begin := s.now(t)
			out := run("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", bucket, "--enable-log-file-validation")
			if jsonField(t, out, "TrailARN") != "arn:aws:cloudtrail:us-east-1:000000000000:trail/"+name || !strings.Contains(out, `"LogFileValidationEnabled": true`) {
				t.Fatalf("create-trail: %s", out)
			}
			run("cloudtrail", "start-logging", "--name", name)
			run("iam", "create-user", "--user-name", name+"-u1")
			s.advance(t, 900)
			run("iam", "create-user", "--user-name", name+"-u2")

			// Event history: the CreateTrail call, with its record as a string.
			var lookup struct {
				Events []struct{ EventName, CloudTrailEvent, Username string }
			}
			json.Unmarshal([]byte(run("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue="+name)), &lookup)
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

			// Two hours on: log files and digests in the bucket.
			s.advance(t, 7200)
			var listing string
			for range 100 {
				listing = run("s3", "ls", "s3://"+bucket, "--recursive")
				if strings.Contains(listing, "CloudTrail-Digest") && strings.Contains(listing, "_CloudTrail_") {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			dir := t.TempDir()
			run("s3", "cp", "s3://"+bucket, dir, "--recursive")
			logs, digests := readTrailDir(t, dir)
			if len(logs) < 2 || len(digests) < 2 {
				t.Fatalf("%d log files, %d digests:\n%s", len(logs), len(digests), listing)
			}
			created := map[string]int{}
			for key, recs := range logs {
				if m := e2eLogKey.FindStringSubmatch(key); m == nil || m[1] != m[2] {
					t.Errorf("log file %s is not named as AWS names them", key)
				}
				for _, r := range recs {
					if r["eventName"] == "CreateUser" && r["userIdentity"].(map[string]any)["type"] == "Root" {
						created[r["requestParameters"].(map[string]any)["userName"].(string)]++
					}
				}
			}
			if created[name+"-u1"] != 1 || created[name+"-u2"] != 1 {
				t.Errorf("CreateUser records delivered: %v", created)
			}
			for _, key := range digests {
				if m := e2eDigestKey.FindStringSubmatch(key); m == nil || m[1] != m[2] || m[3] != name {
					t.Errorf("digest %s is not named as AWS names them", key)
				}
			}

			// Every file valid; then one log file altered, another deleted.
			window := []string{"--start-time", begin.Add(-time.Hour).UTC().Format(time.RFC3339), "--end-time", s.now(t).Add(time.Hour).UTC().Format(time.RFC3339)}
			validate := func() (string, bool) {
				if c.v1 {
					return c.run(s, rootAK, rootSK, append([]string{"cloudtrail", "validate-logs", "--trail-arn", "arn:aws:cloudtrail:us-east-1:000000000000:trail/" + name, "--verbose"}, window...)...)
				}
				return offlineValidate(t, c, s, bucket, window)
			}
			out, ok := validate()
			if n := len(logs); !ok || !strings.Contains(out, fmt.Sprintf("%d/%d log files valid", n, n)) || strings.Contains(out, "INVALID") {
				t.Fatalf("untouched files: %s", out)
			}
			var keys []string
			for k := range logs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			altered := filepath.Join(dir, keys[0])
			raw := cttest.Gunzip(t, readFile(t, altered))
			os.WriteFile(altered, cttest.Gzip(t, []byte(strings.Replace(string(raw), `"CreateUser"`, `"DeleteUser"`, 1))), 0o644)
			run("s3", "cp", altered, "s3://"+bucket+"/"+keys[0])
			run("s3", "rm", "s3://"+bucket+"/"+keys[1])
			out, ok = validate()
			if ok || !strings.Contains(out, keys[0]+"\tINVALID: hash value doesn't match") || !strings.Contains(out, keys[1]+"\tINVALID: not found") {
				t.Fatalf("tampered files: ok=%v\n%s", ok, out)
			}

			run("cloudtrail", "delete-trail", "--name", name)
			out, ok = c.run(s, rootAK, rootSK, "cloudtrail", "get-trail", "--name", name)
			expectError(t, out, ok, "TrailNotFoundException")
		})
	}
}

// offlineValidate downloads the bucket and the public keys with the CLI and runs
// palisade trail validate on them, with the newest digest's signature from its object
// metadata; its output names files as validate-logs does (KEY<TAB>INVALID: reason).
func offlineValidate(t *testing.T, c cli, s *server, bucket string, window []string) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	if out, ok := c.run(s, rootAK, rootSK, "s3", "cp", "s3://"+bucket, dir, "--recursive"); !ok {
		t.Fatal(out)
	}
	_, digests := readTrailDir(t, dir)
	newest := digests[len(digests)-1]
	sig, ok := c.run(s, rootAK, rootSK, "s3api", "head-object", "--bucket", bucket, "--key", newest, "--query", "Metadata.signature", "--output", "text")
	if !ok {
		t.Fatal(sig)
	}
	os.WriteFile(filepath.Join(dir, newest)+".sig", []byte(strings.TrimSpace(sig)), 0o644)
	keys, ok := c.run(s, rootAK, rootSK, append([]string{"cloudtrail", "list-public-keys"}, window...)...)
	if !ok || !strings.Contains(keys, `"Fingerprint"`) {
		t.Fatal(keys)
	}
	keysFile := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(keysFile, []byte(keys), 0o644)
	out, err := exec.Command(bin, "trail", "validate", dir, "--public-keys", keysFile).CombinedOutput()
	return string(out), err == nil
}

// readTrailDir reads a downloaded trail bucket: each log file's records by key, and
// the digests' keys in time order.
func readTrailDir(t *testing.T, dir string) (map[string][]map[string]any, []string) {
	t.Helper()
	logs := map[string][]map[string]any{}
	var digests []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json.gz") {
			return err
		}
		key := filepath.ToSlash(strings.TrimPrefix(path, dir+string(filepath.Separator)))
		if strings.Contains(key, "/CloudTrail-Digest/") {
			digests = append(digests, key)
			return nil
		}
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(cttest.Gunzip(t, readFile(t, path)), &doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		logs[key] = doc.Records
		return nil
	})
	return logs, digests
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
