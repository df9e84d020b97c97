package organizations_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// rcpDoc is the recording's statement with one member changed.
func rcpDoc(stmt string) string {
	return `{"Version": "2012-10-17", "Statement": ` + stmt + `}`
}

// TestRecordedRCPSyntax replays the syntax_* cases of resource_controls.json
// (radkawar/stackd testdata/aws/iam/, 2026): what CreatePolicy accepts as a
// RESOURCE_CONTROL_POLICY. Only Deny statements with Principal "*" (or {"AWS":"*"})
// and an action of a service RCPs cover; NotResource is allowed, NotAction and
// NotPrincipal are not.
func TestRecordedRCPSyntax(t *testing.T) {
	e := newEnv(t)
	must(e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	const res = `"Resource": "arn:aws:sqs:us-east-1:222222222222:OWNED_RESOURCE"`
	cases := []struct {
		name, content string
		ok            bool
	}{
		{"valid", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", ` + res + `}`), true},
		{"missing_version", `{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", ` + res + `}}`, true},
		{"allow", rcpDoc(`{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", ` + res + `}`), false},
		{"action_star", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "*", ` + res + `}`), false},
		{"unknown_service", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "stackdprobe:Read", ` + res + `}`), false},
		{"iam_service", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "iam:CreateUser", ` + res + `}`), false},
		{"unknown_action", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "sqs:StackdProbe", ` + res + `}`), true},
		{"uppercase_service", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "SQS:SendMessage", ` + res + `}`), true},
		{"principal_object", rcpDoc(`{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", ` + res + `}`), true},
		{"principal_list", rcpDoc(`{"Effect": "Deny", "Principal": ["*"], "Action": "sqs:SendMessage", ` + res + `}`), false},
		{"principal_account", rcpDoc(`{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sqs:SendMessage", ` + res + `}`), false},
		{"not_action", rcpDoc(`{"Effect": "Deny", "Principal": "*", ` + res + `, "NotAction": "sqs:SendMessage"}`), false},
		{"not_principal", rcpDoc(`{"Effect": "Deny", "Action": "sqs:SendMessage", ` + res + `, "NotPrincipal": "*"}`), false},
		{"not_resource", rcpDoc(`{"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "NotResource": "arn:aws:sqs:us-east-1:222222222222:OWNED_RESOURCE"}`), true},
		{"old_version", `{"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", ` + res + `}}`, true},
	}
	// AWS keeps an RCP compact, Version first, Statement a list.
	stored := map[string]string{
		"valid":            `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:222222222222:OWNED_RESOURCE"}]}`,
		"missing_version":  `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:222222222222:OWNED_RESOURCE"}]}`,
		"not_resource":     `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","NotResource":"arn:aws:sqs:us-east-1:222222222222:OWNED_RESOURCE"}]}`,
		"principal_object": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:222222222222:OWNED_RESOURCE"}]}`,
	}
	for _, c := range cases {
		out, err := e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("OWNED_RESOURCE-" + c.name), Description: aws.String("stackd owned RCP probe"),
			Type: orgtypes.PolicyTypeResourceControlPolicy, Content: aws.String(c.content)})
		if c.ok {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else if want := stored[c.name]; want != "" && *out.Policy.Content != want {
				t.Errorf("%s: content %s", c.name, *out.Policy.Content)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		wantErr(t, err, "MalformedPolicyDocumentException", 400, "The provided policy document does not meet the requirements of the specified policy type.")
	}
}

// TestRecordedRCPEnforcement replays the restricted_* and retire_grant_exemption
// cases of resource_controls.json (radkawar/stackd testdata/aws/iam/, 2026): an RCP
// on a member account denies its resources to every principal, the management
// account's included, naming the RCP's ARN in the denial; the management account's
// own resources stay reachable; kms:RetireGrant is exempt.
func TestRecordedRCPEnforcement(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	o := must(e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).Organization
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	creds := must(accessRole(admin, dev, "OWNED_RESOURCE")).Credentials
	m := e.session(creds)
	mkms := kms.NewFromConfig(e.p.Config(*creds.AccessKeyId, *creds.SecretAccessKey, *creds.SessionToken))

	trust := doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}`)
	must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("OWNED_RESOURCE"), AssumeRolePolicyDocument: aws.String(trust)}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("OWNED_RESOURCE"),
		AssumeRolePolicyDocument: aws.String(doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dev + `:root"},"Action":"sts:AssumeRole"}`))}))
	must(m.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("OrganizationAccountAccessRole"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	assume := func(c clients, account string) error {
		_, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/OWNED_RESOURCE"),
			RoleSessionName: aws.String("OWNED_RESOURCE"), DurationSeconds: aws.Int32(900)})
		return err
	}
	key := *must(mkms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("OWNED_RESOURCE")})).KeyMetadata.Arn
	// The member's AWS managed key for S3, made on first use (DescribeKey of its alias).
	managed := *must(mkms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})).KeyMetadata.Arn
	roleARN := "arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"
	grant := must(mkms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(key), GranteePrincipal: aws.String(roleARN), RetiringPrincipal: aws.String(roleARN),
		Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt}})).GrantId
	encrypt := func() error {
		_, err := mkms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("x")})
		return err
	}
	msqs := sqs.NewFromConfig(e.p.Config(*creds.AccessKeyId, *creds.SecretAccessKey, *creds.SessionToken))
	queuePolicy := func(account, principal string) map[string]string {
		return map[string]string{"Policy": doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + principal + `:root"},"Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:` + account + `:OWNED_RESOURCE"}`)}
	}
	memberQueue := *must(msqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("OWNED_RESOURCE"), Attributes: queuePolicy(dev, mgmt)})).QueueUrl
	mgmtQueue := *must(sqs.NewFromConfig(e.p.RootConfig()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("OWNED_RESOURCE"), Attributes: queuePolicy(mgmt, dev)})).QueueUrl
	send := func(c *sqs.Client, url string) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("restricted")})
		return err
	}
	noErr(t, assume(admin, dev))
	noErr(t, encrypt())
	noErr(t, send(msqs, memberQueue))
	noErr(t, send(msqs, mgmtQueue))

	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	rcp := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("OWNED_RESOURCE"), Type: orgtypes.PolicyTypeResourceControlPolicy, Description: aws.String("d"),
		Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":["sts:AssumeRole","kms:*","sqs:*"],"Resource":"*"}`))})).Policy.PolicySummary
	rcpARN := "arn:aws:organizations::" + mgmt + ":policy/" + *o.Id + "/resource_control_policy/" + *rcp.Id
	if *rcp.Arn != rcpARN {
		t.Fatalf("RCP ARN %s", *rcp.Arn)
	}
	// Attached at the root: the management account's own role stays assumable.
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp.Id, TargetId: aws.String(root)}))
	adminARN := "arn:aws:iam::" + mgmt + ":user/admin"
	wantErr(t, assume(admin, dev), "AccessDenied", 403, "User: "+adminARN+" is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+dev+
		":role/OWNED_RESOURCE with an explicit deny in a resource control policy: "+rcpARN)
	noErr(t, assume(m, mgmt))
	wantErr(t, encrypt(), "AccessDeniedException", 400, "User: arn:aws:sts::"+dev+":assumed-role/OrganizationAccountAccessRole/OWNED_RESOURCE is not authorized to perform: kms:Encrypt on resource: "+
		key+" with an explicit deny in a resource control policy: "+rcpARN)
	session := "arn:aws:sts::" + dev + ":assumed-role/OrganizationAccountAccessRole/OWNED_RESOURCE"
	queueARN := "arn:aws:sqs:us-east-1:" + dev + ":OWNED_RESOURCE"
	wantErr(t, send(msqs, memberQueue), "AccessDenied", 403, "User: "+session+" is not authorized to perform: sqs:sendmessage on resource: "+queueARN+
		" with an explicit deny in a resource control policy: "+rcpARN)
	noErr(t, send(msqs, mgmtQueue))
	_, err := msqs.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("OWNED_RESOURCE")})
	// AWS names the resource arn:aws:sqs:us-east-1:<account>: (restricted_list).
	wantErr(t, err, "AccessDenied", 403, "User: "+session+" is not authorized to perform: sqs:listqueues on resource: arn:aws:sqs:us-east-1:"+dev+
		": with an explicit deny in a resource control policy: "+rcpARN)
	// RCPs never restrict kms:RetireGrant, nor AWS managed keys (resource_control_current.json).
	must(mkms.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: aws.String(key), GrantId: grant}))
	must(mkms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(managed)}))
	_, err = mkms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	wantErr(t, err, "AccessDeniedException", 400, "")

	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: rcp.Id, TargetId: aws.String(root)}))
	noErr(t, assume(admin, dev))
	noErr(t, encrypt())
	noErr(t, send(msqs, memberQueue))
}

// TestRecordedRCPMutations replays organization_mutations of
// resource_control_current.json (radkawar/stackd testdata/aws/iam/, 2026) for S3
// objects (Palisade serves no Secrets Manager): an RCP restricts a member's
// resources from the moment it reaches the account through an OU, the root or the
// account itself, and stops when the account leaves the OU, the policy is detached,
// or the policy type is disabled.
func TestRecordedRCPMutations(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	creds := must(accessRole(admin, dev, "rcp")).Credentials
	ms3 := s3.NewFromConfig(e.p.Config(*creds.AccessKeyId, *creds.SecretAccessKey, *creds.SessionToken), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "rcp-mutations-" + dev
	must(ms3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	must(ms3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("o"), Body: strings.NewReader("x")}))
	step := func(name string, allowed bool) {
		t.Helper()
		_, err := ms3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")})
		if allowed {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		} else {
			wantErr(t, err, "AccessDenied", 403, "")
		}
	}
	step("baseline", true)
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	rcp := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("objects"), Type: orgtypes.PolicyTypeResourceControlPolicy, Description: aws.String("d"),
		Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`))})).Policy.PolicySummary.Id
	ou := e.newOU(root, "restricted")
	must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)}))
	step("in OU", true)
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp, TargetId: aws.String(ou)}))
	step("attach_ou", false)
	must(e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: rcp, Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}`))}))
	step("update to another action", true)
	must(e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: rcp, Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`))}))
	step("update_both", false)
	must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(ou), DestinationParentId: aws.String(root)}))
	step("move_to_root", true)
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp, TargetId: aws.String(root)}))
	step("attach_root", false)
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: rcp, TargetId: aws.String(root)}))
	step("detach_root", true)
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp, TargetId: aws.String(dev)}))
	step("attach_account", false)
	must(e.org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	step("disable", true)
}
