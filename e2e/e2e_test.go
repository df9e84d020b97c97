// Package e2e drives a built `palisade serve` with the real aws CLI (v1 from pip and, when
// installed, Debian's v2) and with botocore, as users do. .ci/run installs both CLIs;
// set PALISADE_REQUIRE_CLIS=v1,v2 to make a missing one fail the run.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/palisade/palisade/internal/app/apptest"
)

var bin string // the palisade binary under test

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "palisade-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "palisade")
	build := exec.Command("go", "build", "-o", bin, "../cmd/palisade")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build palisade:", err)
		os.Exit(1)
	}
	code := m.Run()
	stopRunners()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	rootAK     = "AKIAE2ETESTROOTKEY01"
	rootSK     = "e2eRootSecretKey000000000000000000000000"
	adminToken = "e2e-admin-token"
)

// server is a running palisade serve process.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	URL     string
	Addr    string
	DataDir string
	log     *logBuffer
	env     []string
	Startup time.Duration
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs palisade serve on dataDir with the fixed root key (env may add or
// override variables; pass "" to run with no key variables at all).
func start(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	s := &server{t: t, Addr: freeAddr(t), DataDir: dataDir, log: &logBuffer{}}
	s.URL = "http://" + s.Addr
	s.env = append(os.Environ(), env...)
	s.launch()
	t.Cleanup(s.kill)
	return s
}

func withRootKey() []string {
	return []string{"PALISADE_ROOT_ACCESS_KEY_ID=" + rootAK, "PALISADE_ROOT_SECRET_ACCESS_KEY=" + rootSK, "PALISADE_ADMIN_TOKEN=" + adminToken}
}

// rootConfig is the SDK configuration of the root key withRootKey gives the server,
// making one attempt per call: a crash test must know which calls were answered. Its
// HTTP client is apptest's, which keeps the SDK's request-body race out of the way.
func (s *server) rootConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(rootAK, rootSK, ""),
		BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1, HTTPClient: apptest.HTTPClient}
}

func (s *server) launch() {
	s.t.Helper()
	s.cmd = exec.Command(bin, "serve", "--addr", s.Addr, "--data-dir", s.DataDir)
	s.cmd.Env = s.env
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	begin := time.Now()
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for time.Since(begin) < 10*time.Second {
		resp, err := http.Get(s.URL + "/_palisade/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				s.Startup = time.Since(begin)
				return
			}
		}
		if s.cmd.ProcessState != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("palisade did not become healthy: %s", s.log)
}

// stop sends SIGTERM and waits; it fails the test if the exit was not clean.
func (s *server) stop() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	err := s.cmd.Wait()
	s.cmd = nil
	if err != nil {
		s.t.Fatalf("palisade did not shut down cleanly: %v\n%s", err, s.log)
	}
}

func (s *server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// cli is one aws CLI binary.
type cli struct {
	name string
	path string
	v1   bool
}

// clis returns the aws CLIs on this machine: the first aws on PATH and Debian's
// /usr/bin/aws when it is another one.
func clis(t *testing.T) []cli {
	t.Helper()
	var out []cli
	required := os.Getenv("PALISADE_REQUIRE_CLIS")
	seen := map[string]bool{}
	for _, p := range []string{"aws", "/usr/bin/aws"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		real, _ := filepath.EvalSymlinks(path)
		v, err := exec.Command(path, "--version").CombinedOutput()
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		ver := strings.Fields(string(v))[0]
		c := cli{name: ver, path: path, v1: strings.HasPrefix(ver, "aws-cli/1.")}
		if !c.v1 && seen["v2"] || c.v1 && seen["v1"] {
			continue
		}
		if c.v1 {
			seen["v1"] = true
		} else {
			seen["v2"] = true
		}
		out = append(out, c)
	}
	for _, r := range strings.Split(required, ",") {
		if r != "" && !seen[r] {
			t.Fatalf("PALISADE_REQUIRE_CLIS wants aws CLI %s, not found", r)
		}
	}
	if len(out) == 0 {
		t.Fatal("no aws CLI on this machine: install it (pip install awscli, or apt-get install awscli)")
	}
	return out
}

// run calls the CLI against s with the given credentials; it returns the output and
// whether the command succeeded.
//
// Commands run in the CLI's own Python code through a long-lived runner
// (clirunner_test.go); set PALISADE_E2E_EXEC=1 to run each as a separate `aws` process.
func (c cli) run(s *server, ak, sk string, args ...string) (string, bool) {
	return c.runAs(s, ak, sk, "", args...)
}

// runAs is run with a session token (temporary credentials) when token is not "".
func (c cli) runAs(s *server, ak, sk, token string, args ...string) (string, bool) {
	return c.runWith(s, nil, ak, sk, token, args...)
}

// runWith is runAs with extra environment variables (they win over the defaults).
func (c cli) runWith(s *server, extra []string, ak, sk, token string, args ...string) (string, bool) {
	args = append([]string{"--endpoint-url", s.URL, "--output", "json"}, args...)
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+ak, "AWS_SECRET_ACCESS_KEY="+sk, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		// For the clients a command makes besides its own (validate-logs' S3 clients);
		// aws CLI v1 reads it, Debian's 2.9 does not.
		"AWS_ENDPOINT_URL="+s.URL)
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	} else {
		env = append(env, "AWS_SESSION_TOKEN=")
	}
	env = append(env, extra...)
	if os.Getenv("PALISADE_E2E_EXEC") == "" {
		if r, err := runnerFor(c.path); err == nil {
			out, ok, err := r.run(args, env)
			if err == nil {
				return out, ok
			}
			return err.Error(), false
		}
	}
	cmd := exec.Command(c.path, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func jsonField(t *testing.T, out, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %s", out)
	}
	v, _ := m[field].(string)
	return v
}

// expectError asserts a failed CLI call that names the AWS error code.
func expectError(t *testing.T, out string, ok bool, code string) {
	t.Helper()
	if ok || !strings.Contains(out, "("+code+")") {
		t.Fatalf("want error %s, got ok=%v: %s", code, ok, out)
	}
}

// logBuffer collects a server's output, written by the process's copying goroutines
// while the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
