package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

const acct = "000000000000"

// Issue 4's authorization scenario through both aws CLIs: a new user is denied
// list-users, ReadOnlyAccess allows it, an explicit deny in a group policy overrides
// the allow, and a permissions boundary caps AdministratorAccess; each denial answers
// with AWS's AccessDenied wording.
func TestAuthorizationThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			sfx := "-v2"
			if c.v1 {
				sfx = "-v1"
			}
			root := func(args ...string) string {
				t.Helper()
				out, ok := c.run(s, rootAK, rootSK, args...)
				if !ok {
					t.Fatalf("%v: %s", args, out)
				}
				return out
			}
			newUser := func(name string) func(args ...string) (string, bool) {
				root("iam", "create-user", "--user-name", name)
				var key struct {
					AccessKey struct{ AccessKeyId, SecretAccessKey string }
				}
				if err := json.Unmarshal([]byte(root("iam", "create-access-key", "--user-name", name)), &key); err != nil {
					t.Fatal(err)
				}
				return func(args ...string) (string, bool) {
					return c.run(s, key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, args...)
				}
			}
			denied := func(out string, ok bool, op, msg string) {
				t.Helper()
				// CLI v2 adds "(reached max retries: 0)" after the operation.
				if ok || !strings.Contains(out, "An error occurred (AccessDenied) when calling the "+op+" operation") || !strings.Contains(out, ": "+msg+"\n") {
					t.Fatalf("want AccessDenied %q, got ok=%v: %s", msg, ok, out)
				}
			}

			u := "reader" + sfx
			as := newUser(u)
			out, ok := as("iam", "list-users")
			denied(out, ok, "ListUsers", "User: arn:aws:iam::"+acct+":user/"+u+" is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+acct+":user/ because no identity-based policy allows the iam:ListUsers action")

			root("iam", "attach-user-policy", "--user-name", u, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
			if out, ok := as("iam", "list-users"); !ok || !strings.Contains(out, `"UserName": "`+u+`"`) {
				t.Fatalf("ReadOnlyAccess does not allow list-users: %s", out)
			}

			g := "no-list" + sfx
			root("iam", "create-group", "--group-name", g)
			root("iam", "add-user-to-group", "--group-name", g, "--user-name", u)
			root("iam", "put-group-policy", "--group-name", g, "--policy-name", "deny", "--policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`)
			out, ok = as("iam", "list-users")
			denied(out, ok, "ListUsers", "User: arn:aws:iam::"+acct+":user/"+u+" is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+acct+":user/ with an explicit deny in an identity-based policy")

			a := "capped" + sfx
			asAdmin := newUser(a)
			root("iam", "attach-user-policy", "--user-name", a, "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
			root("iam", "put-user-permissions-boundary", "--user-name", a, "--permissions-boundary", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
			if out, ok := asAdmin("iam", "list-users"); !ok {
				t.Fatalf("the boundary allows list-users: %s", out)
			}
			out, ok = asAdmin("iam", "create-user", "--user-name", "x"+sfx)
			denied(out, ok, "CreateUser", "User: arn:aws:iam::"+acct+":user/"+a+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/x"+sfx+" because no permissions boundary allows the iam:CreateUser action")

			// Creating with tags needs the tagging action too; the creating action sees
			// the tags as aws:RequestTag.
			m := "maker" + sfx
			asMaker := newUser(m)
			root("iam", "put-user-policy", "--user-name", m, "--policy-name", "create", "--policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}`)
			out, ok = asMaker("iam", "create-user", "--user-name", "t"+sfx, "--tags", "Key=team,Value=red")
			denied(out, ok, "CreateUser", "User: arn:aws:iam::"+acct+":user/"+m+" is not authorized to perform: iam:TagUser on resource: arn:aws:iam::"+acct+":user/t"+sfx+" because no identity-based policy allows the iam:TagUser action")
			root("iam", "put-user-policy", "--user-name", m, "--policy-name", "tag", "--policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagUser","Resource":"*"}]}`)
			if out, ok := asMaker("iam", "create-user", "--user-name", "t"+sfx, "--tags", "Key=team,Value=red"); !ok {
				t.Fatalf("create-user with its tag allowed: %s", out)
			}
			out, ok = asMaker("iam", "create-user", "--user-name", "u"+sfx, "--tags", "Key=team,Value=blue")
			denied(out, ok, "CreateUser", "User: arn:aws:iam::"+acct+":user/"+m+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/u"+sfx+" because no identity-based policy allows the iam:CreateUser action")
		})
	}
}

// aws iam simulate-custom-policy answers the AWS CLI reference's own examples with
// their documented decisions and positions, and simulate-principal-policy simulates a
// user's policies.
func TestPolicySimulatorThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	type result struct {
		EvaluationResults []struct {
			EvalActionName, EvalResourceName, EvalDecision string
			MatchedStatements                              []struct {
				SourcePolicyId, SourcePolicyType string
				StartPosition, EndPosition       struct{ Line, Column int }
			}
			MissingContextValues []string
		}
	}
	for i, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			sim := func(args ...string) result {
				t.Helper()
				out, ok := c.run(s, rootAK, rootSK, append([]string{"iam"}, args...)...)
				var r result
				if !ok || json.Unmarshal([]byte(out), &r) != nil || len(r.EvaluationResults) == 0 {
					t.Fatalf("%v: %s", args, out)
				}
				return r
			}
			r := sim("simulate-custom-policy", "--policy-input-list", doc, "--action-names", "dynamodb:CreateBackup",
				"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date")
			e := r.EvaluationResults[0]
			if e.EvalDecision != "allowed" || e.EvalResourceName != "*" || len(e.MatchedStatements) != 1 || e.MatchedStatements[0].SourcePolicyId != "PolicyInputList.1" ||
				e.MatchedStatements[0].StartPosition.Column != 38 || e.MatchedStatements[0].EndPosition.Column != 167 || len(e.MissingContextValues) != 0 {
				t.Fatalf("example 1: %+v", e)
			}
			r = sim("simulate-custom-policy", "--policy-input-list", doc, "--action-names", "dynamodb:CreateBackup",
				"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2014-04-25T11:00:00Z',ContextKeyType=date")
			if e := r.EvaluationResults[0]; e.EvalDecision != "implicitDeny" || len(e.MatchedStatements) != 0 {
				t.Fatalf("example 2: %+v", e)
			}
			r = sim("simulate-custom-policy", "--policy-input-list",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`,
				"--action-names", "s3:ListBucket", "s3:DeleteBucket", "--resource-arns", "arn:aws:s3:::b")
			if r.EvaluationResults[0].EvalDecision != "allowed" || r.EvaluationResults[1].EvalDecision != "explicitDeny" {
				t.Fatalf("deny: %+v", r)
			}

			u := []string{"sim-v2", "sim-v1"}[map[bool]int{false: 0, true: 1}[c.v1]]
			if out, ok := c.run(s, rootAK, rootSK, "iam", "create-user", "--user-name", u); !ok {
				t.Fatal(out)
			}
			c.run(s, rootAK, rootSK, "iam", "attach-user-policy", "--user-name", u, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
			r = sim("simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+acct+":user/"+u, "--action-names", "iam:ListUsers", "iam:CreateUser")
			if r.EvaluationResults[0].EvalDecision != "allowed" || r.EvaluationResults[0].MatchedStatements[0].SourcePolicyId != "ReadOnlyAccess" ||
				r.EvaluationResults[1].EvalDecision != "implicitDeny" {
				t.Fatalf("principal %d: %+v", i, r)
			}
		})
	}
}
