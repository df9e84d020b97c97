package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// IAM User Guide, "Tagging IAM resources" (id_tags.html), rules for naming tags: tag
// keys of users and roles are not case sensitive; those of customer managed policies,
// instance profiles, OIDC and SAML providers and virtual MFA devices are.
func TestTagKeyCaseByResourceType(t *testing.T) {
	e := newEnv(t)
	pair := []types.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}}
	keys := func(tags []types.Tag) string {
		var ks []string
		for _, tg := range tags {
			ks = append(ks, *tg.Key+"="+*tg.Value)
		}
		return strings.Join(ks, ",")
	}

	// Instance profiles: two tags, both at creation and by TagInstanceProfile.
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: pair}))
	must(e.iam.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("c")}}}))
	if got := keys(must(e.iam.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})).Tags); got != "Team=a,team=b,TEAM=c" {
		t.Fatalf("instance profile tags %s", got)
	}
	must(e.iam.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"team"}}))
	if got := keys(must(e.iam.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})).Tags); got != "Team=a,TEAM=c" {
		t.Fatalf("instance profile tags after untag %s", got)
	}
	// An exact repeat is still refused, without the note about case.
	_, err := e.iam.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{pair[0], pair[0]}})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found.")

	// Virtual MFA devices.
	dev := must(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("m"), Tags: pair})).VirtualMFADevice
	if got := keys(must(e.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: dev.SerialNumber})).Tags); got != "Team=a,team=b" {
		t.Fatalf("MFA device tags %s", got)
	}

	// OIDC providers.
	arn := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.example.com"),
		ThumbprintList: []string{strings.Repeat("0", 40)}})).OpenIDConnectProviderArn
	must(e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: pair}))
	if got := keys(must(e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})).Tags); got != "Team=a,team=b" {
		t.Fatalf("OIDC provider tags %s", got)
	}

	// SAML providers.
	saml := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("idp"), SAMLMetadataDocument: aws.String(samlMetadata + strings.Repeat(" ", 1000)),
		Tags: pair})).SAMLProviderArn
	if got := keys(must(e.iam.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(saml)})).Tags); got != "Team=a,team=b" {
		t.Fatalf("SAML provider tags %s", got)
	}

	// Users and roles stay case insensitive.
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u"), Tags: pair})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2), Tags: pair})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

