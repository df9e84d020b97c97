package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// ListPoliciesGrantingServiceAccess lists, per namespace, the permissions policies
// with an Allow statement whose Action or NotAction reaches one of the service's
// actions: a user's own and its groups', a group's or a role's own; Deny statements,
// conditions and permissions boundaries do not count.
func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	e := newEnv(t)
	doc := func(effect, elem, action string) *string {
		return aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":%q,%q:%q,"Resource":"*"}]}`, effect, elem, action))
	}
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("dev")}))
	for name, d := range map[string]*string{"s3read": doc("Allow", "Action", "s3:GetObject"), "notiam": doc("Allow", "NotAction", "iam:*"),
		"denyiam": doc("Deny", "Action", "iam:*"), "sqsglob": doc("Allow", "Action", "sqs:Send*")} {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String(name), PolicyDocument: d}))
	}
	kms := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("kmsall"), PolicyDocument: doc("Allow", "Action", "kms:*")})).Policy.Arn
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: kms}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("everything"), PolicyDocument: doc("Allow", "Action", "*")}))
	sqsRO := "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String(sqsRO)}))

	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustEC2),
		PermissionsBoundary: kms}))
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("logs"), PolicyDocument: doc("Allow", "Action", "logs:PutLogEvents")}))

	list := func(arn string, namespaces ...string) map[string][]string {
		t.Helper()
		out := must(e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn), ServiceNamespaces: namespaces}))
		if out.IsTruncated {
			t.Fatalf("%s: truncated", arn)
		}
		got := map[string][]string{}
		for i, entry := range out.PoliciesGrantingServiceAccess {
			if aws.ToString(entry.ServiceNamespace) != namespaces[i] {
				t.Fatalf("entry %d is %s, want %s", i, aws.ToString(entry.ServiceNamespace), namespaces[i])
			}
			names := []string{}
			for _, p := range entry.Policies {
				switch p.PolicyType {
				case types.PolicyTypeInline:
					if p.PolicyArn != nil {
						t.Errorf("inline %s has an ARN", *p.PolicyName)
					}
					names = append(names, fmt.Sprintf("%s %s/%s", *p.PolicyName, p.EntityType, aws.ToString(p.EntityName)))
				case types.PolicyTypeManaged:
					if p.EntityType != "" || p.EntityName != nil {
						t.Errorf("managed %s names an entity", *p.PolicyName)
					}
					names = append(names, *p.PolicyName+" "+aws.ToString(p.PolicyArn))
				}
			}
			got[namespaces[i]] = names
		}
		return got
	}
	check := func(got map[string][]string, ns string, want ...string) {
		t.Helper()
		if strings.Join(got[ns], "; ") != strings.Join(want, "; ") {
			t.Errorf("%s:\n got %q\nwant %q", ns, got[ns], want)
		}
	}
	user := list("arn:aws:iam::"+account+":user/dev", "s3", "iam", "kms", "sqs")
	check(user, "s3", "notiam USER/dev", "s3read USER/dev", "everything GROUP/ops")
	check(user, "iam", "everything GROUP/ops")
	check(user, "kms", "notiam USER/dev", "kmsall "+*kms, "everything GROUP/ops")
	check(user, "sqs", "notiam USER/dev", "sqsglob USER/dev", "everything GROUP/ops", "AmazonSQSReadOnlyAccess "+sqsRO)

	group := list("arn:aws:iam::"+account+":group/ops", "s3", "kms")
	check(group, "s3", "everything GROUP/ops")
	check(group, "kms", "everything GROUP/ops")

	// The role's boundary allows kms:*, but a boundary is not a permissions policy.
	role := list("arn:aws:iam::"+account+":role/app", "logs", "kms")
	check(role, "logs", "logs ROLE/app")
	check(role, "kms")

	_, err := e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::" + account + ":user/nobody"), ServiceNamespaces: []string{"s3"}})
	// (recorded, 2026: last_access.json, grants_arn_*)
	wantErr(t, err, "NoSuchEntity", 404, "ARN arn:aws:iam::"+account+":user/nobody does not exist.")
	for _, c := range []struct{ arn, code, msg string }{
		{"arn:aws:iam::111122223333:user/dev", "AccessDenied", "User: arn:aws:iam::" + account + ":root is not authorized to perform the operation on arn:aws:iam::111122223333:user/dev"},
		{"arn:aws:s3:::a-bucket-of-mine", "ValidationError", "Invalid service in ARN"},
		{"arn:aws-cn:iam::" + account + ":user/dev", "ValidationError", "Invalid ARN partition"},
		{"arn:aws:iam::" + account + ":root", "InvalidInput", "Could not extract entity from ARN : arn:aws:iam::" + account + ":root"},
		{"arn:aws:iam::" + account + ":mfa/dev", "InvalidInput", "Invalid ARN arn:aws:iam::" + account + ":mfa/dev."},
	} {
		_, err := e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(c.arn), ServiceNamespaces: []string{"s3"}})
		status := 400
		if c.code == "AccessDenied" {
			status = 403
		}
		wantErr(t, err, c.code, status, c.msg)
	}

	// The identity is the resource: a caller allowed it on one role only (a user is
	// named as IAM's messages name users).
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListPoliciesGrantingServiceAccess","Resource":"arn:aws:iam::` + account + `:role/app"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})).AccessKey
	auditor, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	must(auditor.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::" + account + ":role/app"), ServiceNamespaces: []string{"logs"}}))
	_, err = auditor.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::" + account + ":user/dev"), ServiceNamespaces: []string{"s3"}})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/auditor is not authorized to perform: iam:ListPoliciesGrantingServiceAccess on resource: user dev because no identity-based policy allows the iam:ListPoliciesGrantingServiceAccess action")
}
