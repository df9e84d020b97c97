package policy

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// TestRecordedCreatePolicyDocuments replays the documents LocalStack recorded AWS's
// CreatePolicy answering (testdata/recorded_create_policy.json names the source):
// every rejected one must get IAM's exact message, every accepted one must parse.
func TestRecordedCreatePolicyDocuments(t *testing.T) {
	var rec struct {
		Invalid []struct {
			I        int
			Doc, Msg string
		}
		Valid []struct {
			I   int
			Doc string
		}
	}
	b, err := os.ReadFile("testdata/recorded_create_policy.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Invalid) != 78 || len(rec.Valid) != 51 {
		t.Fatalf("%d invalid, %d valid documents", len(rec.Invalid), len(rec.Valid))
	}
	for _, c := range rec.Invalid {
		_, err := Parse(KindManaged, "p", []byte(c.Doc))
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != "MalformedPolicyDocument" || pe.Message != c.Msg {
			t.Errorf("invalid-%d: got %v, want MalformedPolicyDocument: %s\n  %s", c.I, err, c.Msg, c.Doc)
		}
	}
	for _, c := range rec.Valid {
		if _, err := Parse(KindManaged, "p", []byte(c.Doc)); err != nil {
			t.Errorf("valid-%d: %v\n  %s", c.I, err, c.Doc)
		}
	}
}
