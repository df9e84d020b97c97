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

// The date forms behind IAM's "legacy parsing" answers (Joda-Time's ISO parser).
func TestLegacyDate(t *testing.T) {
	for s, want := range map[string]bool{
		"2017-07-01T00:00:00Z": true, "01T": true, "2016-12-13t2:00:00.593194+23": true,
		"-292275054": true, "2016": true, "2016-12": true, "2016-366": true, "2015-366": false,
		"2016-W05-3": true, "T10:15": true, "2016-12-13T10.5": true, "2016-02-29": true, "2015-02-29": false,
		"2016-12-13T21:20:37.593194+00:00": true, "2016-12-13T10:00+0530": true,
		"234-13": false, "2016-12-13t2:00:00.593194+1": false, "2016-12-13t2:00:00.1999999999+10:59": false,
		"9223372036854775808": false, "sdfdsf": false, "": false, "2016-12-13T24:00": false, "2016-12-13 10:00": false,
	} {
		if got := legacyDate(s); got != want {
			t.Errorf("legacyDate(%q) = %v, want %v", s, got, want)
		}
	}
}
