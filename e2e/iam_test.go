package e2e

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The IAM parts a CLI user sees: users and keys (created keys sign at once, an
// inactive one is refused), quotas and conflicts with AWS's codes, policy documents
// that the CLI decodes from IAM's URL encoding, and the credential report.
func TestIAMThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			user := "alice-v2"
			if c.v1 {
				user = "alice-v1"
			}
			root := func(args ...string) (string, bool) { return c.run(s, rootAK, rootSK, args...) }
			if out, ok := root("iam", "create-user", "--user-name", user); !ok || !strings.Contains(out, `"UserId": "AIDA`) {
				t.Fatalf("create-user: %s", out)
			}
			out, ok := root("iam", "create-access-key", "--user-name", user)
			var key struct {
				AccessKey struct{ AccessKeyId, SecretAccessKey string }
			}
			if !ok || json.Unmarshal([]byte(out), &key) != nil {
				t.Fatalf("create-access-key: %s", out)
			}
			ak, sk := key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey
			if !regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`).MatchString(ak) || len(sk) != 40 {
				t.Fatalf("key %s / %d-character secret", ak, len(sk))
			}
			out, ok = c.run(s, ak, sk, "sts", "get-caller-identity")
			if !ok || jsonField(t, out, "Arn") != "arn:aws:iam::000000000000:user/"+user {
				t.Fatalf("the new key does not sign as the user: %s", out)
			}
			root("iam", "create-access-key", "--user-name", user)
			out, ok = root("iam", "create-access-key", "--user-name", user)
			expectError(t, out, ok, "LimitExceeded")

			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
			if out, ok := root("iam", "put-user-policy", "--user-name", user, "--policy-name", "read", "--policy-document", doc); !ok {
				t.Fatalf("put-user-policy: %s", out)
			}
			out, ok = root("iam", "get-user-policy", "--user-name", user, "--policy-name", "read")
			var got struct{ PolicyDocument map[string]any }
			if !ok || json.Unmarshal([]byte(out), &got) != nil || got.PolicyDocument["Version"] != "2012-10-17" {
				t.Fatalf("the CLI did not decode the document: %s", out)
			}
			out, ok = root("iam", "create-policy", "--policy-name", "bad-"+user, "--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`)
			expectError(t, out, ok, "MalformedPolicyDocument")

			if out, ok := root("iam", "update-access-key", "--user-name", user, "--access-key-id", ak, "--status", "Inactive"); !ok {
				t.Fatalf("update-access-key: %s", out)
			}
			out, ok = c.run(s, ak, sk, "sts", "get-caller-identity")
			expectError(t, out, ok, "InvalidClientTokenId")
			out, ok = root("iam", "delete-user", "--user-name", user)
			expectError(t, out, ok, "DeleteConflict")

			out, ok = root("iam", "list-users")
			if !ok || !strings.Contains(out, `"UserName": "`+user+`"`) {
				t.Fatalf("list-users: %s", out)
			}
		})
	}
	// The report covers every user; one CLI is enough to read it.
	c := clis(t)[0]
	c.run(s, rootAK, rootSK, "iam", "generate-credential-report")
	out, ok := c.run(s, rootAK, rootSK, "iam", "get-credential-report")
	if !ok {
		t.Fatalf("get-credential-report: %s", out)
	}
	csv, err := base64.StdEncoding.DecodeString(jsonField(t, out, "Content"))
	if err != nil {
		t.Fatalf("report content: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if !strings.HasPrefix(lines[0], "user,arn,user_creation_time,password_enabled,") || !strings.HasPrefix(lines[1], "<root_account>,") || len(lines) != 1+len(clis(t))+1 {
		t.Fatalf("credential report:\n%s", csv)
	}
}
