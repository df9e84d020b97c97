package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// runner runs aws CLI commands in one Python process per CLI (testdata/clirunner.py):
// the same awscli.clidriver code as the `aws` command, without paying its start-up on
// every call. Commands are serialized per CLI.
type runner struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  *json.Encoder
	out *bufio.Reader
}

var (
	runnersMu sync.Mutex
	runners   = map[string]*runner{}
)

// interpreter reads the Python interpreter from an aws script's shebang line.
func interpreter(awsPath string) (string, error) {
	f, err := os.Open(awsPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	py, ok := strings.CutPrefix(strings.TrimSpace(line), "#!")
	if !ok || !strings.Contains(py, "python") {
		return "", fmt.Errorf("%s is not a Python script", awsPath)
	}
	return strings.Fields(py)[0], nil
}

// pyenvShim matches the last line of a pyenv shim, which hands the command to pyenv.
var pyenvShim = regexp.MustCompile(`(?m)^exec "([^"]+)" exec "\$program"`)

// unshim resolves a pyenv shim (a shell script choosing the Python installation at
// run time) to the installation's own aws script, whose shebang names its Python;
// any other path is returned as it is.
func unshim(awsPath string) string {
	b, err := os.ReadFile(awsPath)
	if err != nil {
		return awsPath
	}
	m := pyenvShim.FindSubmatch(b)
	if m == nil {
		return awsPath
	}
	out, err := exec.Command(string(m[1]), "which", filepath.Base(awsPath)).Output()
	if err != nil {
		return awsPath
	}
	return strings.TrimSpace(string(out))
}

func runnerFor(awsPath string) (*runner, error) {
	runnersMu.Lock()
	defer runnersMu.Unlock()
	if r, ok := runners[awsPath]; ok {
		return r, nil
	}
	py, err := interpreter(unshim(awsPath))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(py, "testdata/clirunner.py")
	cmd.Stderr = os.Stderr
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	rd, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &runner{cmd: cmd, in: json.NewEncoder(w), out: bufio.NewReaderSize(rd, 1<<20)}
	runners[awsPath] = r
	return r, nil
}

// run executes one CLI command with exactly env as its environment.
func (r *runner) run(args, env []string) (string, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	envMap := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		envMap[k] = v
	}
	cwd, _ := os.Getwd()
	if err := r.in.Encode(map[string]any{"args": args, "env": envMap, "cwd": cwd}); err != nil {
		return "", false, err
	}
	line, err := r.out.ReadBytes('\n')
	if err != nil {
		return "", false, fmt.Errorf("clirunner: %w", err)
	}
	var res struct {
		RC  int    `json:"rc"`
		Out string `json:"out"`
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return "", false, fmt.Errorf("clirunner answer %q: %w", line, err)
	}
	return res.Out, res.RC == 0, nil
}

// stopRunners ends the runner processes (from TestMain).
func stopRunners() {
	runnersMu.Lock()
	defer runnersMu.Unlock()
	for _, r := range runners {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}
