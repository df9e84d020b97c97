package organizations_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// lastPolicyMsg is AWS's answer to detaching the last SCP of a target, as recorded in
// ScaleSec/terraform_aws_scp's README ("Minimum SCP Requirement").
const lastPolicyMsg = "You cannot remove the last policy attached to the specified target. You must have at least one attached at all times."

// Every root, OU and account keeps at least one SCP (DetachPolicy, API reference).
func TestDetachLastSCP(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	for _, target := range []string{root, dev} {
		_, err := e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(target)})
		wantErr(t, err, "ConstraintViolationException", 400, lastPolicyMsg)
		wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded)
	}
	// With another SCP attached, FullAWSAccess may go (the allow-list strategy).
	p := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("s3-only"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(doc(allow("s3:*", "*")))})).Policy.PolicySummary
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Id, TargetId: aws.String(dev)}))
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(dev)}))
	_, err := e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: p.Id, TargetId: aws.String(dev)})
	wantErr(t, err, "ConstraintViolationException", 400, lastPolicyMsg)
}

// RCPFullAWSAccess cannot be detached, and Allow is reserved to it ("RCP syntax",
// AWS Organizations User Guide): an organization's RCPs only deny, and every level
// keeps letting through what they do not deny.
func TestRCPFullAWSAccessStays(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))

	for _, content := range []string{
		doc(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`),
		doc(`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}`, `{"Effect":"Allow","Principal":"*","Action":"sts:*","Resource":"*"}`),
	} {
		_, err := e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("allow"), Description: aws.String("d"),
			Type: orgtypes.PolicyTypeResourceControlPolicy, Content: aws.String(content)})
		wantErr(t, err, "MalformedPolicyDocumentException", 400, "The provided policy document does not meet the requirements of the specified policy type.")
	}
	deny := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-delete"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeResourceControlPolicy, Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}`))})).Policy.PolicySummary
	_, err := e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: deny.Id,
		Content: aws.String(doc(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`))})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "")

	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: deny.Id, TargetId: aws.String(dev)}))
	for _, target := range []string{dev, root} {
		_, err = e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: aws.String(target)})
		wantErr(t, err, "ConstraintViolationException", 400, "")
		wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded)
	}
	// So the member's resources stay reachable where no RCP denies: the management
	// account assumes the member's access role (sts:AssumeRole, an RCP service).
	if _, err := accessRole(admin, dev, "s1"); err != nil {
		t.Fatal(err)
	}
	// The organization's own RCP still comes off.
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: deny.Id, TargetId: aws.String(dev)}))
	if ps := must(e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(dev), Filter: orgtypes.PolicyTypeResourceControlPolicy})).Policies; len(ps) != 1 || *ps[0].Id != "p-RCPFullAWSAccess" {
		t.Fatalf("rcps of %s: %+v", dev, ps)
	}
}
