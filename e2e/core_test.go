package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A newcomer's first start: no variables, a generated root key in the credentials
// file, and the profile works with every aws CLI on the machine.
func TestFirstStartWritesAWorkingProfile(t *testing.T) {
	dir := t.TempDir()
	s := start(t, filepath.Join(dir, "data"), "PALISADE_ROOT_ACCESS_KEY_ID=", "PALISADE_ROOT_SECRET_ACCESS_KEY=", "PALISADE_ADMIN_TOKEN=")
	t.Logf("start-up to healthy: %v", s.Startup)
	creds := filepath.Join(s.DataDir, "credentials")
	fi, err := os.Stat(creds)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	if !strings.Contains(s.log.String(), "AWS_PROFILE=palisade") {
		t.Fatalf("banner does not say how to use the profile: %s", s.log)
	}
	for _, c := range clis(t) {
		cmd := exec.Command(c.path, "--endpoint-url", s.URL, "sts", "get-caller-identity")
		cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+creds, "AWS_PROFILE=palisade", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"arn:aws:iam::000000000000:root"`) {
			t.Fatalf("%s with the generated profile: %v %s", c.name, err, out)
		}
	}
	s.stop()
	if !strings.Contains(s.log.String(), "stopped") {
		t.Fatalf("no clean shutdown in the log: %s", s.log)
	}
}

func TestSigV4ErrorsThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			out, ok := c.run(s, rootAK, rootSK, "sts", "get-caller-identity")
			if !ok || jsonField(t, out, "Arn") != "arn:aws:iam::000000000000:root" || jsonField(t, out, "Account") != "000000000000" {
				t.Fatalf("get-caller-identity: %s", out)
			}
			out, ok = c.run(s, rootAK, rootSK[:39]+"X", "sts", "get-caller-identity")
			expectError(t, out, ok, "SignatureDoesNotMatch")
			out, ok = c.run(s, "AKIAUNKNOWNKEY000000", rootSK, "sts", "get-caller-identity")
			expectError(t, out, ok, "InvalidClientTokenId")
			out, ok = c.run(s, rootAK, rootSK, "--no-sign-request", "sts", "get-caller-identity")
			expectError(t, out, ok, "MissingAuthenticationToken")
		})
	}
}

// botocore signs as if its clock were behind or ahead; presigns with a past date.
const skewScript = `
import datetime, sys, urllib.request, urllib.error
import botocore.auth, botocore.awsrequest, botocore.credentials
url, ak, sk, skew, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
fake = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(seconds=skew)
botocore.auth.get_current_datetime = lambda *a, **k: fake
creds = botocore.credentials.Credentials(ak, sk)
if mode == "header":
    body = 'Action=GetCallerIdentity&Version=2011-06-15'
    req = botocore.awsrequest.AWSRequest(method='POST', url=url + '/', data=body,
        headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    botocore.auth.SigV4Auth(creds, 'sts', 'us-east-1').add_auth(req)
    p = req.prepare()
    r = urllib.request.Request(p.url, data=body.encode(), headers=dict(p.headers), method='POST')
else:
    req = botocore.awsrequest.AWSRequest(method='GET', url=url + '/?Action=GetCallerIdentity&Version=2011-06-15')
    botocore.auth.SigV4QueryAuth(creds, 'sts', 'us-east-1', expires=60).add_auth(req)
    r = urllib.request.Request(req.prepare().url, method='GET')
try:
    with urllib.request.urlopen(r, timeout=10) as resp:
        print(resp.status); print(resp.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode())
`

func botocoreCall(t *testing.T, s *server, skew int, mode string) (string, string) {
	t.Helper()
	out, err := exec.Command("python3", "-c", skewScript, s.URL, rootAK, rootSK, strconv.Itoa(skew), mode).CombinedOutput()
	if err != nil {
		t.Fatalf("python3 botocore: %v %s", err, out)
	}
	status, body, _ := strings.Cut(string(out), "\n")
	return status, body
}

func TestClockSkewAndPresignedExpiry(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	if status, body := botocoreCall(t, s, 0, "header"); status != "200" {
		t.Fatalf("fresh botocore request: %s %s", status, body)
	}
	status, body := botocoreCall(t, s, 1200, "header")
	if status != "403" || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") || !strings.Contains(body, "Signature expired") {
		t.Fatalf("request signed 20 minutes ago: %s %s", status, body)
	}
	status, body = botocoreCall(t, s, -1200, "header")
	if status != "403" || !strings.Contains(body, "Signature not yet current") {
		t.Fatalf("request signed 20 minutes ahead: %s %s", status, body)
	}
	if status, body := botocoreCall(t, s, 0, "presign"); status != "200" {
		t.Fatalf("fresh presigned URL: %s %s", status, body)
	}
	status, body = botocoreCall(t, s, 1200, "presign")
	if !strings.HasPrefix(status, "4") || !strings.Contains(body, "<Code>") {
		t.Fatalf("presigned URL from 20 minutes ago: %s %s", status, body)
	}
}

// The clock moves through the CLI, persists across a restart, and does not disturb
// signature checks; the root key survives the restart too.
func TestClockCommandAndRestart(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, withRootKey()...)
	clock := func(args ...string) string {
		cmd := exec.Command(bin, append([]string{"clock", "--endpoint", s.URL, "--data-dir", dir}, args...)...)
		cmd.Env = append(os.Environ(), "PALISADE_ADMIN_TOKEN="+adminToken)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("palisade clock %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	before, _ := time.Parse(time.RFC3339Nano, clock("now"))
	after, _ := time.Parse(time.RFC3339Nano, clock("advance", "36h"))
	if d := after.Sub(before); d < 36*time.Hour || d > 36*time.Hour+time.Minute {
		t.Fatalf("advance 36h moved the clock by %v", d)
	}
	c := clis(t)[0]
	if out, ok := c.run(s, rootAK, rootSK, "sts", "get-caller-identity"); !ok {
		t.Fatalf("a call fails after the clock moved: %s", out)
	}
	// Without the token the admin API refuses.
	resp, err := http.Post(s.URL+"/_palisade/clock", "application/json", strings.NewReader(`{"advance_seconds":1}`))
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("clock without token: %v %v", resp, err)
	}
	resp.Body.Close()

	s.stop()
	s.launch()
	again, _ := time.Parse(time.RFC3339Nano, clock("now"))
	if time.Until(again) < 36*time.Hour-time.Minute {
		t.Fatalf("clock offset lost on restart: now %v", again)
	}
	if out, ok := c.run(s, rootAK, rootSK, "sts", "get-caller-identity"); !ok {
		t.Fatalf("root key lost on restart: %s", out)
	}
}

func TestBadRootKeyIsAStartupError(t *testing.T) {
	for _, env := range [][]string{
		{"PALISADE_ROOT_ACCESS_KEY_ID=AKIAshort", "PALISADE_ROOT_SECRET_ACCESS_KEY=" + rootSK},
		{"PALISADE_ROOT_ACCESS_KEY_ID=" + rootAK, "PALISADE_ROOT_SECRET_ACCESS_KEY=tooshort"},
		{"PALISADE_ROOT_ACCESS_KEY_ID=" + rootAK, "PALISADE_ROOT_SECRET_ACCESS_KEY="},
	} {
		cmd := exec.Command(bin, "serve", "--addr", freeAddr(t), "--data-dir", t.TempDir())
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "PALISADE_ROOT_") {
			t.Fatalf("%v: want a clear start-up error, got %v %s", env, err, out)
		}
	}
}
