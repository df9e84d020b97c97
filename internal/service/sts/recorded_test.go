package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// Answers AWS recorded for LocalStack's STS tests (tests/aws/services/sts,
// test_sts.snapshot.json), asked the same way.

// test_sts_invalid_parameters: a RoleArn that is no ARN is refused naming itself;
// the session name is checked (by the model) before the ARN.
func TestRecordedInvalidParameters(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	for _, arn := range []string{
		"nothing-valid-in-here",        // malformed-arn
		"arn::b:::something/test-role", // no-partition
		"arn:a::::something/test-role", // no-service
		"arn:a:::something/test-role",  // not-enough-colons
		"arn:a:a::aaaaaaaaaa:",         // no-resource
	} {
		_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("Session1")})
		wantErr(t, err, "ValidationError", 400, arn+" is invalid")
	}
	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:a:b:::something/test-role"), RoleSessionName: aws.String("Session1:2")})
	wantErr(t, err, "ValidationError", 400, `1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	// test_assume_role_session_name_too_long.
	long := "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/r"), RoleSessionName: aws.String(long)})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value '"+long+"' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64")
	// A well-formed ARN naming something else than a role keeps AWS's other wording.
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":user/alice"), RoleSessionName: aws.String("Session1")})
	wantErr(t, err, "ValidationError", 400, "Request ARN is invalid")
}

var tagTrustAccount = doc(`{"Effect":"Allow","Principal":{"AWS":"` + account + `"},"Action":["sts:AssumeRole","sts:TagSession"]}`)

func tag(k, v string) ststypes.Tag { return ststypes.Tag{Key: aws.String(k), Value: aws.String(v)} }

// test_assume_role_tag_validation: refused tags are InvalidParameterValue, not
// ValidationError; transitive keys match tag keys without case.
func TestRecordedAssumeRoleTagValidation(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*"), allow("sts:TagSession", "*")))
	r1 := e.role(e.iam, "role-1", tagTrustAccount, "")
	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r1), RoleSessionName: aws.String("SessionInvalidTransitiveKeys"),
		Tags: []ststypes.Tag{tag("SessionTag1", "SessionValue1")}, TransitiveTagKeys: []string{"InvalidKey"}})
	wantErr(t, err, "InvalidParameterValue", 400, "The specified transitive tag key must be included in the requested tags.")
	must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r1), RoleSessionName: aws.String("SessionInvalidCasingTransitiveKeys"),
		Tags: []ststypes.Tag{tag("SessionTag1", "SessionValue1")}, TransitiveTagKeys: []string{"sessiontag1"}}))
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r1), RoleSessionName: aws.String("SessionInvalidCasingTransitiveKeys"),
		Tags: []ststypes.Tag{tag("SessionTag1", "SessionValue1"), tag("sessiontag1", "SessionValue2")}, TransitiveTagKeys: []string{"sessiontag1"}})
	wantErr(t, err, "InvalidParameterValue", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

// test_iam_role_chaining_override_transitive_tags: a chained AssumeRole may not pass
// again a tag the calling session holds as transitive, whatever its case.
func TestRecordedChainingOverrideTransitiveTags(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*"), allow("sts:TagSession", "*")))
	r1 := e.role(e.iam, "role-1", tagTrustAccount, "")
	r2 := e.role(e.iam, "role-2", tagTrustAccount, "")
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("role-1"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(doc(`{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":["` + r2 + `"]}`))}))
	keys := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r1), RoleSessionName: aws.String("Session1"),
		Tags: []ststypes.Tag{tag("SessionTag1", "SessionValue1")}, TransitiveTagKeys: []string{"SessionTag1"}})).Credentials
	s := e.session(keys)
	for _, k := range []string{"SessionTag1", "sessiontag1"} {
		_, err := s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r2), RoleSessionName: aws.String("Session2SessionTagOverride"),
			Tags: []ststypes.Tag{tag(k, "SessionValue2")}})
		wantErr(t, err, "InvalidParameterValue", 400, "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
	}
	// Other tags may still be added to the chain.
	must(s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r2), RoleSessionName: aws.String("Session2"), Tags: []ststypes.Tag{tag("Other", "x")}}))
}

// test_get_federation_token: PackedPolicySize is 0, not absent, when no session
// policy or tag is passed; AssumeRole (test_assume_role) sends none.
func TestRecordedFederationTokenPackedSize(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:GetFederationToken", "*"), allow("sts:AssumeRole", "*")))
	out := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("TestName"), DurationSeconds: aws.Int32(900)}))
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if out.PackedPolicySize == nil || *out.PackedPolicySize != 0 {
		//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
		t.Fatalf("PackedPolicySize %v, want 0", out.PackedPolicySize)
	}
	if *out.FederatedUser.Arn != "arn:aws:sts::"+account+":federated-user/TestName" || *out.FederatedUser.FederatedUserId != account+":TestName" {
		t.Fatalf("federated user %s %s", *out.FederatedUser.Arn, *out.FederatedUser.FederatedUserId)
	}
	r := e.role(e.iam, "r", doc(trust(awsPrincipal(account), "sts:AssumeRole", "")), "")
	ar := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(r), RoleSessionName: aws.String("s1")}))
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if packed := ar.PackedPolicySize; packed != nil {
		t.Fatalf("AssumeRole PackedPolicySize %d, want none", *packed)
	}
}
