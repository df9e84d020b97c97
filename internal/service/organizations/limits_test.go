package organizations_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// wantReason asserts the Reason of a ConstraintViolationException.
func wantReason(t *testing.T, err error, reason orgtypes.ConstraintViolationExceptionReason) {
	t.Helper()
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != reason {
		t.Fatalf("want reason %s, got %v", reason, err)
	}
}

// The messages AWS answers for a policy over the size limit and for a sixth policy
// of a type on a target, as AWS's answers quoted in hashicorp/terraform-provider-aws
// issues #12597 (UpdatePolicy) and #41493 (AttachPolicy) show them.
func TestPolicyLimits(t *testing.T) {
	e := newEnv(t)
	must(e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	small := doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`)
	big := doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("a", 6000) + `"}`)

	_, err := e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("big"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(big)})
	wantErr(t, err, "ConstraintViolationException", 400, "You have exceeded the maximum policy size.")
	wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)

	// FullAWSAccess and four more: the root holds five, the most it may.
	for i, name := range []string{"p1", "p2", "p3", "p4", "p5"} {
		p := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("d"),
			Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(small)})).Policy.PolicySummary
		if i == 0 {
			_, err = e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: p.Id, Content: aws.String(big)})
			wantErr(t, err, "ConstraintViolationException", 400, "You have exceeded the maximum policy size.")
			wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)
		}
		_, err = e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Id, TargetId: aws.String(root)})
		if i < 4 {
			noErr(t, err)
			continue
		}
		wantErr(t, err, "ConstraintViolationException", 400, "You have attached the maximum number of policies to the specified target.")
		wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
	}
}
