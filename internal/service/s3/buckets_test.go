package s3_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCreateBucketRules(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{"ab", "UPPER", "has_underscore", "-dash", "dash-", "a..b", "192.168.1.1", "xn--abc", "sthree-x", "x-s3alias", "amzn-s3-demo-x"} {
		_, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		wantErr(t, err, "InvalidBucketName", 400, "The specified bucket is not valid.")
	}
	out := must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("my.bucket-1")}))
	if *out.Location != "/my.bucket-1" {
		t.Fatalf("location %q", *out.Location)
	}
	// us-east-1 answers 200 to a request naming the bucket's Object Ownership (none:
	// BucketOwnerEnforced) and 409 to one naming another (recorded, 2026:
	// recreation_authority_replay.json, boe-repeat-plain;
	// local_acl_authority_replay.json).
	if again := must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("my.bucket-1")})); *again.Location != "/my.bucket-1" {
		t.Fatalf("location again %q", *again.Location)
	}
	_, err0 := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("my.bucket-1"), ObjectOwnership: types.ObjectOwnershipObjectWriter})
	wantErr(t, err0, "BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.")
	west := e.region("us-west-2")
	_, err := west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-bucket")})
	wantErr(t, err, "IllegalLocationConstraintException", 400, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-bucket"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}})
	wantErr(t, err, "IllegalLocationConstraintException", 400, "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.")
	cfg := &types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}
	must(west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-bucket"), CreateBucketConfiguration: cfg}))
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-bucket"), CreateBucketConfiguration: cfg})
	wantErr(t, err, "BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.")
	other := e.otherAccount("111122223333")
	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("my.bucket-1")})
	wantErr(t, err, "BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	loc := must(e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("west-bucket")}))
	if loc.LocationConstraint != "us-west-2" {
		t.Fatalf("location %q", loc.LocationConstraint)
	}
	loc = must(e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("my.bucket-1")}))
	if loc.LocationConstraint != "" {
		t.Fatalf("us-east-1 location %q", loc.LocationConstraint)
	}
	// A request signed for the wrong region is told the bucket's.
	_, err = e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("west-bucket")})
	wantErr(t, err, "AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'us-west-2'")
	h := must(e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("west-bucket")}))
	if *h.BucketRegion != "us-west-2" {
		t.Fatalf("head bucket region %v", h.BucketRegion)
	}
	_, err = e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("absent-bucket")})
	wantErr(t, err, "NotFound", 404, "")
}

func TestListAndDeleteBuckets(t *testing.T) {
	e := newEnv(t)
	for _, b := range []string{"bkt-c", "bkt-a", "bkt-b", "other-x"} {
		e.bucket(b)
	}
	other := e.otherAccount("111122223333")
	must(other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("theirs-1")}))
	l := must(e.s3.ListBuckets(ctx, &s3.ListBucketsInput{}))
	var names []string
	for _, b := range l.Buckets {
		names = append(names, *b.Name)
	}
	if len(names) != 4 || names[0] != "bkt-a" || names[3] != "other-x" || *l.Owner.ID == "" || len(*l.Owner.ID) != 64 {
		t.Fatalf("buckets %v owner %v", names, l.Owner)
	}
	p := must(e.s3.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("bkt-"), MaxBuckets: aws.Int32(2)}))
	if len(p.Buckets) != 2 || p.ContinuationToken == nil || *p.Buckets[1].Name != "bkt-b" {
		t.Fatalf("page 1 %+v", p)
	}
	p = must(e.s3.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("bkt-"), MaxBuckets: aws.Int32(2), ContinuationToken: p.ContinuationToken}))
	if len(p.Buckets) != 1 || *p.Buckets[0].Name != "bkt-c" || p.ContinuationToken != nil {
		t.Fatalf("page 2 %+v", p)
	}
	e.put("bkt-a", "k", "v")
	_, err := e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt-a")})
	wantErr(t, err, "BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt-a"), Key: aws.String("k")}))
	must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt-a")}))
	_, err = e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt-a")})
	wantErr(t, err, "NoSuchBucket", 404, "The specified bucket does not exist")
	// Another account may not delete it, and learns nothing more than Access Denied.
	_, err = other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt-b")})
	wantErr(t, err, "AccessDenied", 403, "Access Denied")
	// ExpectedBucketOwner guards against writing into someone else's bucket.
	_, err = e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("bkt-b"), ExpectedBucketOwner: aws.String("111122223333")})
	wantErr(t, err, "AccessDenied", 403, "Access Denied")
	// The name is free again once deleted.
	must(other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt-a")}))
}

func TestNewBucketDefaults(t *testing.T) {
	e := newEnv(t)
	e.bucket("defaults")
	pab := must(e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("defaults")})).PublicAccessBlockConfiguration
	if !*pab.BlockPublicAcls || !*pab.IgnorePublicAcls || !*pab.BlockPublicPolicy || !*pab.RestrictPublicBuckets {
		t.Fatalf("public access block %+v", pab)
	}
	own := must(e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("defaults")}))
	if own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("ownership %+v", own.OwnershipControls.Rules)
	}
	enc := must(e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("defaults")}))
	if enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("encryption %+v", enc.ServerSideEncryptionConfiguration.Rules[0])
	}
	v := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("defaults")}))
	if v.Status != "" {
		t.Fatalf("versioning %q", v.Status)
	}
	acl := must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("defaults")}))
	if len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl || *acl.Grants[0].Grantee.ID != *acl.Owner.ID {
		t.Fatalf("acl %+v", acl.Grants)
	}
	_, err := e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("defaults")})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "The bucket policy does not exist")
	_, err = e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("defaults")})
	wantErr(t, err, "NoSuchTagSet", 404, "The TagSet does not exist")
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPublicRead})
	wantErr(t, err, "InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
}

func TestBucketTagging(t *testing.T) {
	e := newEnv(t)
	e.bucket("tagged")
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}, {Key: aws.String("env"), Value: aws.String("")}}
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tagged"), Tagging: &types.Tagging{TagSet: tags}}))
	got := must(e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tagged")}))
	if len(got.TagSet) != 2 || *got.TagSet[0].Key != "team" {
		t.Fatalf("tags %+v", got.TagSet)
	}
	_, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tagged"), Tagging: &types.Tagging{TagSet: append(tags, tags[0])}})
	wantErr(t, err, "InvalidTag", 400, "Cannot provide multiple Tags with the same key")
	_, err = e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tagged"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}})
	wantErr(t, err, "InvalidTag", 400, "System tags cannot be added/updated by requester")
	// Characters tags do not take (a comma).
	_, err = e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tagged"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Key1,Key2"), Value: aws.String("v")}}}})
	wantErr(t, err, "InvalidTag", 400, "The TagKey you have provided is invalid")
	_, err = e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tagged"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Key1"), Value: aws.String("Val1,Val2")}}}})
	wantErr(t, err, "InvalidTag", 400, "The TagValue you have provided is invalid")
	// Object tags: the aws: prefix in the object wording; a header S3 cannot read.
	e.put("tagged", "obj", "x")
	_, err = e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tagged"), Key: aws.String("obj"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}})
	wantErr(t, err, "InvalidTag", 400, "Your TagKey cannot be prefixed with aws:")
	for _, header := range []string{"key1=val1,key2=val2", "key1=val1&key1=val2"} {
		_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String("obj2"), Body: strings.NewReader("x"), Tagging: aws.String(header)})
		wantErr(t, err, "InvalidArgument", 400, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String("obj2"), Body: strings.NewReader("x"), Tagging: aws.String("k1=v%201&k2=a%2Fb")}))
	must(e.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("tagged")}))
	_, err = e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tagged")})
	wantErr(t, err, "NoSuchTagSet", 404, "")
}

// TestPresignedWrongRegion: a presigned URL signed for another region than the
// bucket's is told the bucket's region in S3's query-parameter wording, not the
// header's (users recorded AuthorizationQueryParametersError "Error parsing the
// X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting
// 'eu-central-1'" with <Region>: ai-dock/comfyui#34, HHS/Head-Start-TTADP#370).
func TestPresignedWrongRegion(t *testing.T) {
	e := newEnv(t)
	cfg := &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}
	must(e.region("eu-west-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("eu-bucket"), CreateBucketConfiguration: cfg}))
	req := must(s3.NewPresignClient(e.s3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("eu-bucket"), Key: aws.String("k")}))
	resp := must(http.Get(req.URL))
	body := readAll(resp)
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>AuthorizationQueryParametersError</Code>") ||
		!strings.Contains(body, "<Message>Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message>") ||
		!strings.Contains(body, "<Region>eu-west-1</Region>") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// Signed for the bucket's region, the same URL works (404: no such key).
	req = must(s3.NewPresignClient(e.region("eu-west-1")).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("eu-bucket"), Key: aws.String("k")}))
	resp = must(http.Get(req.URL))
	if body := readAll(resp); resp.StatusCode != 404 || !strings.Contains(body, "NoSuchKey") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
