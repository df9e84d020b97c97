package sts_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

// rootTask is the TaskPolicyArn of an AWS managed root-task policy.
func rootTask(name string) *ststypes.PolicyDescriptorType {
	return &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/" + name)}
}

// TestAssumeRoot follows the API reference and the IAM User Guide ("Centralize root
// access for member accounts", "Perform a privileged task on a member account"): the
// management account, once IAM is trusted and root sessions are enabled, opens a
// session as a member account's root user that the task policy limits.
func TestAssumeRoot(t *testing.T) {
	e := newEnv(t)
	org, member := orgWithMember(e)
	memberRoot := iam.NewFromConfig(e.p.AccountConfig(member))
	rootKey := *must(memberRoot.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})).AccessKeyMetadata[0].AccessKeyId
	admin, adminARN := e.user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	refused := "User: " + adminARN + " is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::" + member + ":root"
	in := &sts.AssumeRootInput{TargetPrincipal: aws.String(member), TaskPolicyArn: rootTask("IAMAuditRootUserCredentials")}

	// IAM not trusted, then root sessions not enabled: refused.
	_, err := admin.sts.AssumeRoot(ctx, in)
	wantErr(t, err, "AccessDenied", 403, refused)
	must(org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}))
	_, err = admin.sts.AssumeRoot(ctx, in)
	wantErr(t, err, "AccessDenied", 403, refused)
	must(e.iam.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{}))

	out := must(admin.sts.AssumeRoot(ctx, in))
	if got := time.Until(*out.Credentials.Expiration); got < 890*time.Second || got > 901*time.Second {
		t.Fatalf("a root session lasts 900 seconds by default, got %v", got)
	}
	sess := e.session(out.Credentials)
	id := must(sess.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != "arn:aws:iam::"+member+":root" || *id.Account != member || *id.UserId != member {
		t.Fatalf("a root session is the member's root user, got %s %s %s", *id.Arn, *id.Account, *id.UserId)
	}
	// IAMAuditRootUserCredentials: the root user's credentials can be read, nothing else.
	keys := must(sess.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != rootKey {
		t.Fatalf("the root session lists the root user's keys, got %+v", keys.AccessKeyMetadata)
	}
	_, err = sess.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = sess.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: &rootKey})
	wantErr(t, err, "AccessDenied", 403, "")

	// IAMDeleteRootUserCredentials: the root user's access key can be deleted.
	out = must(admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("arn:aws:iam::" + member + ":root"),
		TaskPolicyArn: rootTask("IAMDeleteRootUserCredentials"), DurationSeconds: aws.Int32(300)}))
	if got := time.Until(*out.Credentials.Expiration); got > 301*time.Second {
		t.Fatalf("DurationSeconds 300, got %v", got)
	}
	sess = e.session(out.Credentials)
	must(sess.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: &rootKey}))
	_, err = sess.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantErr(t, err, "AccessDenied", 403, "")

	// S3UnlockBucketPolicy: a bucket policy that locks everyone out is deleted by the
	// root user, which the policy cannot lock out.
	s3c := func(cfg aws.Config) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	}
	owner := s3c(e.p.AccountConfig(member))
	must(owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked-" + member)}))
	must(owner.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("locked-" + member),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::locked-` + member + `","arn:aws:s3:::locked-` + member + `/*"]}]}`)}))
	// A root session scoped to another task may not touch the bucket policy.
	out = must(admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member), TaskPolicyArn: rootTask("IAMAuditRootUserCredentials")}))
	audit := s3c(e.p.Config(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken))
	_, err = audit.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-" + member)})
	wantErr(t, err, "AccessDenied", 403, "")
	out = must(admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member), TaskPolicyArn: rootTask("S3UnlockBucketPolicy")}))
	unlock := s3c(e.p.Config(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken))
	_, err = unlock.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("locked-" + member), Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(unlock.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-" + member)}))

	// A root session cannot open another; the root user cannot call AssumeRoot; an
	// account outside the organization is no target.
	_, err = sess.sts.AssumeRoot(ctx, in)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.sts.AssumeRoot(ctx, in)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("111122223333"), TaskPolicyArn: rootTask("IAMAuditRootUserCredentials")})
	wantErr(t, err, "AccessDenied", 403, "User: "+adminARN+" is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::111122223333:root")

	// Disabling root sessions refuses new ones.
	must(e.iam.DisableOrganizationsRootSessions(ctx, &iam.DisableOrganizationsRootSessionsInput{}))
	_, err = admin.sts.AssumeRoot(ctx, in)
	wantErr(t, err, "AccessDenied", 403, refused)
}

// TestAssumeRootCloudTrail: the management account's trail records AssumeRoot with
// the target and task policy it asked for (IAM User Guide, "Track privileged tasks in
// AWS CloudTrail"); the member account's records the root session's calls as its
// root user's, with the temporary key and the session's context, so that they can
// be told from calls signed with the root user's own keys.
func TestAssumeRootCloudTrail(t *testing.T) {
	e := newEnv(t)
	_, member := rootSessionsOrg(e)
	admin, adminARN := e.user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	out := must(admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member), TaskPolicyArn: rootTask("IAMAuditRootUserCredentials")}))
	must(e.session(out.Credentials).iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	cttest.Settle(t, e.p)

	event := func(cfg aws.Config, name string) map[string]any {
		t.Helper()
		evs := must(cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})).Events
		if len(evs) != 1 {
			t.Fatalf("%s: %d events", name, len(evs))
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(*evs[0].CloudTrailEvent), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ar := event(e.p.RootConfig(), "AssumeRoot")
	if ar["userIdentity"].(map[string]any)["arn"] != adminARN || ar["recipientAccountId"] != account {
		t.Fatalf("AssumeRoot record: %v", ar)
	}
	params, _ := json.Marshal(ar["requestParameters"])
	if string(params) != `{"targetPrincipal":"`+member+`","taskPolicyArn":{"arn":"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}}` {
		t.Fatalf("AssumeRoot requestParameters: %s", params)
	}
	re, _ := ar["responseElements"].(map[string]any)
	creds, _ := re["credentials"].(map[string]any)
	if creds["accessKeyId"] != *out.Credentials.AccessKeyId || creds["secretAccessKey"] != nil {
		t.Fatalf("AssumeRoot responseElements: %v", ar["responseElements"])
	}

	lk := event(e.p.AccountConfig(member), "ListAccessKeys")
	ui := lk["userIdentity"].(map[string]any)
	sc, _ := ui["sessionContext"].(map[string]any)
	if ui["type"] != "Root" || ui["arn"] != "arn:aws:iam::"+member+":root" || ui["accessKeyId"] != *out.Credentials.AccessKeyId || sc == nil || sc["assumedRoot"] != "true" {
		t.Fatalf("root session's userIdentity: %v", ui)
	}
}

// TestAssumeRootSCP: SCPs restrict a member's root session as they restrict its root
// user, and aws:AssumedRoot lets one single the session out (IAM User Guide, global
// condition keys) while the root user's own keys keep their access.
func TestAssumeRootSCP(t *testing.T) {
	e := newEnv(t)
	org, member := rootSessionsOrg(e)
	root := must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0]
	must(org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: "SERVICE_CONTROL_POLICY"}))
	scp := must(org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-root-sessions"), Description: aws.String("d"), Type: "SERVICE_CONTROL_POLICY",
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListAccessKeys","Resource":"*","Condition":{"Bool":{"aws:AssumedRoot":"true"}}}]}`)})).Policy
	must(org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: scp.PolicySummary.Id, TargetId: aws.String(member)}))

	memberRoot := iam.NewFromConfig(e.p.AccountConfig(member))
	must(memberRoot.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	admin, _ := e.user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	out := must(admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member), TaskPolicyArn: rootTask("IAMAuditRootUserCredentials")}))
	_, err := e.session(out.Credentials).iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+member+":root is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::"+member+":root with an explicit deny in a service control policy: "+*scp.PolicySummary.Arn)
}

// orgWithMember makes the caller's account an all-features organization's management
// account with one member account, whose ID it returns.
func orgWithMember(e *env) (*organizations.Client, string) {
	e.Helper()
	org := organizations.NewFromConfig(e.p.RootConfig())
	must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"}))
	st := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("m"), Email: aws.String("m@example.com")})).CreateAccountStatus
	return org, *must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId
}

// rootSessionsOrg is orgWithMember with IAM trusted and root sessions enabled, so that
// the management account may call AssumeRoot on the member.
func rootSessionsOrg(e *env) (*organizations.Client, string) {
	e.Helper()
	org, member := orgWithMember(e)
	must(org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}))
	must(e.iam.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{}))
	return org, member
}
