package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runPolicy(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newPolicyCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

const evalInputs = `[
 {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
  "context": {"aws:SourceIp": "203.0.113.7", "aws:TagKeys": ["a", "b"], "aws:SecureTransport": true},
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}],
  "serviceControlPolicies": [[{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}],
                             [{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}},
                              {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}]]},
 {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}],
  "serviceControlPolicies": [[{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}]]},
 {"principal": "anonymous", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "resourceAccount": "111122223333",
  "resourcePolicy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"},
 {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}]},
 {"principal": "lambda.amazonaws.com", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/fn",
  "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}},
 {"principal": "not an arn", "action": "s3:GetObject"}
]`

func TestPolicyEvalArray(t *testing.T) {
	out, err := runPolicy(t, evalInputs, "eval", "-")
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 6 {
		t.Fatalf("%d results", len(got))
	}
	check := func(i int, key string, want any) {
		t.Helper()
		b, _ := json.Marshal(got[i][key])
		w, _ := json.Marshal(want)
		if string(b) != string(w) {
			t.Errorf("result %d %s = %s, want %s", i, key, b, w)
		}
	}
	check(0, "decision", "allowed")
	check(1, "decision", "implicitDeny")
	check(1, "blockedBy", []string{"scp"})
	check(1, "reason", "because no service control policy allows the s3:GetObject action")
	check(2, "decision", "explicitDeny")
	check(2, "blockedBy", []string{"resource"})
	check(3, "error", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	check(3, "errorPolicy", "identityPolicies[0]")
	check(4, "decision", "allowed")
	if e, _ := got[5]["error"].(string); !strings.Contains(e, "not an arn") {
		t.Errorf("result 5: %v", got[5])
	}
	m := got[0]["matchedStatements"].([]any)
	if len(m) != 3 {
		t.Fatalf("matched %v", m)
	}
	first := m[0].(map[string]any)
	if first["policyType"] != "scp" || first["policy"] != "serviceControlPolicies[0][0]" {
		t.Errorf("first match %v", first)
	}
	last := m[2].(map[string]any)
	if last["sid"] != "Read" || last["policyType"] != "identity" || last["start"].(map[string]any)["line"] != float64(1) {
		t.Errorf("identity match %v", last)
	}
}

func TestPolicyEvalSingleObjectFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "req.json")
	req := `{"principal": "arn:aws:iam::111122223333:user/bob", "action": "iam:ListUsers", "resource": "arn:aws:iam::111122223333:user/"}`
	if err := os.WriteFile(path, []byte(req), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runPolicy(t, "", "eval", path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got["decision"] != "implicitDeny" || got["reason"] != "because no identity-based policy allows the iam:ListUsers action" {
		t.Fatalf("%v", got)
	}
}

func TestPolicyEvalUnreadableInput(t *testing.T) {
	if _, err := runPolicy(t, "", "eval", filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("a missing file must fail")
	}
	if _, err := runPolicy(t, "not json", "eval", "-"); err == nil {
		t.Fatal("unparsable input must fail")
	}
}

func TestPolicyValidate(t *testing.T) {
	out, err := runPolicy(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "validate", "-")
	if err == nil || !strings.Contains(out, "Policy document should not specify a principal.") {
		t.Fatalf("err %v\n%s", err, out)
	}
	out, err = runPolicy(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "validate", "--kind", "resource", "-")
	if err != nil || !strings.Contains(out, `"valid": true`) {
		t.Fatalf("err %v\n%s", err, out)
	}
	out, err = runPolicy(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}}}`, "validate", "-")
	if err != nil || !strings.Contains(out, "ForAllValuesWithAllow") {
		t.Fatalf("err %v\n%s", err, out)
	}
	if _, err := runPolicy(t, `{}`, "validate", "--kind", "nonsense", "-"); err == nil {
		t.Fatal("unknown kind must fail")
	}
}
