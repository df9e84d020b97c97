package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Every served operation, given inputs that pass its model's constraints and inputs
// that break them, answers as AWS does: a success or a 4xx error botocore parses —
// never a 5xx, a dropped connection, a hang or a body a client cannot read. The
// inputs come from badinput.py (botocore's serializers and signer for every protocol);
// PALISADE_BADINPUT_SEED and PALISADE_BADINPUT_PER_OP explore further than CI's fixed
// seed; PALISADE_BADINPUT_SERVICES (e.g. "sns,sqs") narrows the run;
// PALISADE_BADINPUT_MODE=onebad breaks one field of otherwise valid inputs, with
// wider extremes, and then calls every operation again (badinput.py says more).
func TestGeneratedInputsGetAWSAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("drives every operation through botocore")
	}
	p := apptest.Start(t)
	plan := map[string][]string{}
	only := os.Getenv("PALISADE_BADINPUT_SERVICES") // e.g. "sns,sqs"
	for _, svc := range p.App.Services() {
		if only != "" && !slices.Contains(strings.Split(only, ","), svc.Model.Name) {
			continue
		}
		for _, h := range svc.Handlers {
			plan[svc.Model.Name] = append(plan[svc.Model.Name], h.Op)
		}
	}
	body, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	seed, perOp := os.Getenv("PALISADE_BADINPUT_SEED"), os.Getenv("PALISADE_BADINPUT_PER_OP")
	if seed == "" {
		seed = "1"
	}
	if perOp == "" {
		perOp = "9"
	}
	cmd := exec.Command("python3", "testdata/badinput.py", p.URL, apptest.RootAccessKeyID, apptest.RootSecret, apptest.Region, seed, perOp, os.Getenv("PALISADE_BADINPUT_MODE"))
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("badinput.py: %v\n%s", err, stderr.String())
	}
	var summary struct {
		Summary             bool
		Calls, Skipped, Bad int
	}
	var bad []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, `"summary": true`) {
			if err := json.Unmarshal([]byte(line), &summary); err != nil {
				t.Fatal(err)
			}
			continue
		}
		bad = append(bad, line)
	}
	if !summary.Summary {
		t.Fatalf("badinput.py printed no summary:\n%s\n%s", out, stderr.String())
	}
	t.Logf("seed %s %s: %d calls answered, %d inputs the client would not send", seed, os.Getenv("PALISADE_BADINPUT_MODE"), summary.Calls, summary.Skipped)
	if strings.Contains(stderr.String(), "fixture_failed") {
		t.Errorf("a fixture failed:\n%s", stderr.String())
	}
	// Most generated inputs must reach the server, or the test proves little. A run
	// narrowed to S3 alone sends fewer (botocore refuses many generated bucket names
	// and keys itself: 304 sent, 128 refused at seed 1), so it must only send more
	// than it drops.
	if summary.Calls <= summary.Skipped || only == "" && (summary.Calls < 3*summary.Skipped || summary.Calls < 1000) {
		t.Errorf("only %d calls reached the server (%d not sent)", summary.Calls, summary.Skipped)
	}
	for _, b := range bad {
		t.Error(b)
	}
}
