package s3_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// controlClient is an S3 Control client for the test server: S3 Control's endpoint
// rules put the account ID in front of the host name, which a loopback address cannot
// take, so the endpoint is given as is (as AWS_DISABLE_HOST_PREFIX_INJECTION does for
// the CLI).
func (e *env) controlClient() *s3control.Client {
	u, _ := url.Parse(e.p.URL)
	return s3control.NewFromConfig(e.p.RootConfig(), func(o *s3control.Options) {
		o.EndpointResolverV2 = fixedEndpoint{*u}
	})
}

type fixedEndpoint struct{ u url.URL }

func (f fixedEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: f.u}, nil
}

func TestAccountPublicAccessBlock(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	_, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	wantErr(t, err, "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
	e.bucket("open-b")
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("open-b")}))
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::open-b/*"}]}`
	must(ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}))
	got := must(ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)}))
	if !*got.PublicAccessBlockConfiguration.BlockPublicPolicy || *got.PublicAccessBlockConfiguration.BlockPublicAcls {
		t.Fatalf("account setting %+v", got.PublicAccessBlockConfiguration)
	}
	// The account's setting applies to a bucket that has none of its own.
	wantErr(t, e.policy("open-b", public), "AccessDenied", 403, "")
	must(ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}))
	must(0, e.policy("open-b", public))
	e.put("open-b", "k", "v")
	if code, _ := e.anon("GET", "/open-b/k", nil); code != 403 {
		t.Fatalf("account RestrictPublicBuckets: %d", code)
	}
	must(ctl.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(account)}))
	if code, _ := e.anon("GET", "/open-b/k", nil); code != 200 {
		t.Fatalf("after deleting the account setting: %d", code)
	}
	// Another account's setting is not the caller's to read; an account-level
	// BlockPublicAcls refuses a public ACL at bucket creation.
	_, err = ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("111122223333")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}}))
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-b"), ACL: types.BucketCannedACLPublicRead, ObjectOwnership: types.ObjectOwnershipObjectWriter})
	wantErr(t, err, "InvalidBucketAclWithBlockPublicAccessError", 400, "")
	// S3 still serves the bucket paths alongside.
	if e.get("open-b", "k") != "v" {
		t.Fatal("s3 after s3control")
	}
}
