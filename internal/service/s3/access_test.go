package s3_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func (e *env) policy(bucket, doc string) error {
	_, err := e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

func TestBucketPolicyDenyBeatsAdmin(t *testing.T) {
	e := newEnv(t)
	e.bucket("guarded")
	e.put("guarded", "secret", "s")
	admin := e.user("eve", adminPolicy)
	if _, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("guarded"), Key: aws.String("secret")}); err != nil {
		t.Fatalf("admin read: %v", err)
	}
	must(0, e.policy("guarded", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/eve"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}`))
	_, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("guarded"), Key: aws.String("secret")})
	wantErr(t, err, "AccessDenied", 403, `User: arn:aws:iam::000000000000:user/eve is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::guarded/secret" with an explicit deny in a resource-based policy`)
	// The deny names GetObject only.
	must(admin.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("guarded"), Key: aws.String("other"), Body: strings.NewReader("x")}))
	nobody := e.user("mallory", "")
	_, err = nobody.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("guarded")})
	wantErr(t, err, "AccessDenied", 403, `User: arn:aws:iam::000000000000:user/mallory is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::guarded" because no identity-based policy allows the s3:ListBucket action`)
	_, err = nobody.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantErr(t, err, "AccessDenied", 403, `User: arn:aws:iam::000000000000:user/mallory is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action`)
	// A bucket policy naming the user grants on its own within the account.
	must(0, e.policy("guarded", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/mallory"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::guarded"}]}`))
	must(nobody.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("guarded")}))
	// The root user can always manage the policy that locks everyone out.
	must(0, e.policy("guarded", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::guarded","arn:aws:s3:::guarded/*"]}]}`))
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("guarded"), Key: aws.String("secret")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("guarded")}))
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("guarded")}))
	if e.get("guarded", "secret") != "s" {
		t.Fatal("root locked out")
	}
}

func TestCrossAccountAccess(t *testing.T) {
	e := newEnv(t)
	e.bucket("shared-b")
	e.put("shared-b", "k", "v")
	other := e.otherAccount("111122223333")
	_, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-b"), Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403, "Access Denied")
	must(0, e.policy("shared-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-b/*"}]}`))
	g := must(other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-b"), Key: aws.String("k")}))
	g.Body.Close()
	_, err = other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-b"), Key: aws.String("k2"), Body: strings.NewReader("x")})
	wantErr(t, err, "AccessDenied", 403, "Access Denied")
	st := must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("shared-b")}))
	if *st.PolicyStatus.IsPublic {
		t.Fatal("a policy naming one account is not public")
	}
}

// The bucket policy operations belong to the bucket owner's account: another
// account's caller without the permission gets 403, one the policy allows 405
// MethodNotAllowed (API Reference, PutBucketPolicy / GetBucketPolicy /
// DeleteBucketPolicy).
func TestBucketPolicyOwnerAccountOnly(t *testing.T) {
	e := newEnv(t)
	e.bucket("owned-pol")
	other := e.otherAccount("111122223333")
	_, err := other.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("owned-pol")})
	wantErr(t, err, "AccessDenied", 403, "Access Denied")
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["s3:GetBucketPolicy","s3:PutBucketPolicy","s3:DeleteBucketPolicy"],"Resource":"arn:aws:s3:::owned-pol"}]}`
	must(0, e.policy("owned-pol", pol))
	const msg = "The specified method is not allowed against this resource."
	_, err = other.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("owned-pol")})
	wantErr(t, err, "MethodNotAllowed", 405, msg)
	_, err = other.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("owned-pol"), Policy: aws.String(pol)})
	wantErr(t, err, "MethodNotAllowed", 405, msg)
	_, err = other.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("owned-pol")})
	wantErr(t, err, "MethodNotAllowed", 405, msg)
	// (The account is stored as its root ARN: recorded, 2026, public_access_replay.json.)
	if got := must(e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("owned-pol")})); *got.Policy != strings.Replace(pol, `"111122223333"`, `"arn:aws:iam::111122223333:root"`, 1) {
		t.Fatalf("policy changed: %s", *got.Policy)
	}
	// A user of the owner's account with the permission is served.
	u := e.user("pol-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketPolicy","Resource":"*"}]}`)
	must(u.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("owned-pol")}))
}

func TestAnonymousAndBlockPublicAccess(t *testing.T) {
	e := newEnv(t)
	e.bucket("web")
	e.put("web", "index.html", "<h1>hi</h1>")
	code, body := e.anon("GET", "/web/index.html", nil)
	if code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
		t.Fatalf("private: %d %s", code, body)
	}
	public := `{"Version":"2012-10-17","Statement":[{"Sid":"Public Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*"}]}`
	wantErr(t, e.policy("web", public), "AccessDenied", 403, `User: arn:aws:iam::000000000000:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::web" because public policies are blocked by the BlockPublicPolicy block public access setting.`)
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("web"), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(true)}}))
	must(0, e.policy("web", public))
	if st := must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("web")})); !*st.PolicyStatus.IsPublic {
		t.Fatal("public policy not reported public")
	}
	// RestrictPublicBuckets still keeps anonymous callers out.
	if code, _ := e.anon("GET", "/web/index.html", nil); code != 403 {
		t.Fatalf("RestrictPublicBuckets let an anonymous read through: %d", code)
	}
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("web")}))
	_, err := e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("web")})
	wantErr(t, err, "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
	if code, body := e.anon("GET", "/web/index.html", nil); code != 200 || body != "<h1>hi</h1>" {
		t.Fatalf("public read: %d %s", code, body)
	}
	// Virtual-hosted style reaches the same object.
	req, _ := http.NewRequest("GET", e.p.URL+"/index.html", nil)
	req.Host = "web.s3.localhost"
	resp := must(http.DefaultClient.Do(req))
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("virtual-hosted anonymous read: %d", resp.StatusCode)
	}
	// Anonymous callers still cannot list or write.
	if code, _ := e.anon("GET", "/web", nil); code != 403 {
		t.Fatalf("anonymous list: %d", code)
	}
	if code, _ := e.anon("PUT", "/web/new", []byte("x")); code != 403 {
		t.Fatalf("anonymous put: %d", code)
	}
	if code, _ := e.anon("GET", "/web/missing", nil); code != 403 {
		// Without s3:ListBucket a missing key is AccessDenied, not NoSuchKey... S3 answers 403 too.
		t.Fatalf("anonymous read of a missing key: %d", code)
	}
	// Policies with fixed conditions are not public.
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::web/*"}]}`,
	} {
		must(0, e.policy("web", doc))
		if st := must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("web")})); *st.PolicyStatus.IsPublic {
			t.Fatalf("policy reported public: %s", doc)
		}
	}
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}]}`,
	} {
		must(0, e.policy("web", doc))
		if st := must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("web")})); !*st.PolicyStatus.IsPublic {
			t.Fatalf("policy not reported public: %s", doc)
		}
	}
}

func TestPolicyConditions(t *testing.T) {
	e := newEnv(t)
	e.bucket("conds")
	e.put("conds", "public/a", "a")
	e.put("conds", "private/b", "b")
	u := e.user("carol", adminPolicy)
	// aws:SourceIp: tests come from 127.0.0.1.
	must(0, e.policy("conds", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::conds/*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`))
	_, err := u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("conds"), Key: aws.String("public/a")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(0, e.policy("conds", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::conds/*","Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`))
	must(u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("conds"), Key: aws.String("public/a")})).Body.Close()
	// aws:SecureTransport: the test server speaks plain HTTP.
	must(0, e.policy("conds", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::conds","arn:aws:s3:::conds/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`))
	_, err = u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("conds"), Key: aws.String("public/a")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("conds")}))
	// s3:x-amz-server-side-encryption: require an encryption header on uploads.
	must(0, e.policy("conds", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::conds/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}]}`))
	_, err = u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("conds"), Key: aws.String("x"), Body: strings.NewReader("x")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("conds"), Key: aws.String("x"), Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAes256}))
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("conds")}))
	// s3:prefix on ListBucket (identity policy).
	lister := e.user("lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::conds","Condition":{"StringLike":{"s3:prefix":"public/*"}}}]}`)
	must(lister.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("conds"), Prefix: aws.String("public/")}))
	_, err = lister.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("conds"), Prefix: aws.String("private/")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = lister.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("conds")})
	wantErr(t, err, "AccessDenied", 403, "")
	// s3:ExistingObjectTag.
	must(e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("conds"), Key: aws.String("public/a"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("class"), Value: aws.String("open")}}}}))
	reader := e.user("tagreader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::conds/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/class":"open"}}}]}`)
	must(reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("conds"), Key: aws.String("public/a")})).Body.Close()
	_, err = reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("conds"), Key: aws.String("private/b")})
	wantErr(t, err, "AccessDenied", 403, "")
	// s3:max-keys.
	capped := e.user("capped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::conds","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}}]}`)
	must(capped.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("conds"), MaxKeys: aws.Int32(5)}))
	_, err = capped.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("conds"), MaxKeys: aws.Int32(50)})
	wantErr(t, err, "AccessDenied", 403, "")
	// s3:ResourceAccount and s3:x-amz-object-ownership on CreateBucket.
	creator := e.user("creator", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:CreateBucket","s3:PutBucketOwnershipControls"],"Resource":"*","Condition":{"StringEquals":{"s3:ResourceAccount":"`+account+`"}}},
		{"Effect":"Deny","Action":"s3:CreateBucket","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-object-ownership":"ObjectWriter"}}}]}`)
	_, err = creator.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("writer-owned"), ObjectOwnership: types.ObjectOwnershipObjectWriter})
	wantErr(t, err, "AccessDenied", 403, "")
	must(creator.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("owner-enforced"), ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}))
	must(creator.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("plain")}))
}

func TestMalformedPolicy(t *testing.T) {
	e := newEnv(t)
	e.bucket("pol")
	for doc, msg := range map[string]string{
		`{"Version":"2012-10-17","Statement":[`: "This policy contains invalid Json",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`: "Policy has invalid resource",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}]}`:                   "Missing required field Principal",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:GetUser","Resource":"arn:aws:s3:::pol/*"}]}`:    "Policy has invalid action",
	} {
		wantErr(t, e.policy("pol", doc), "MalformedPolicy", 400, msg)
	}
}

// PutBucketPolicy's checks of actions against resources, condition keys, effects and
// empty statement lists, with the MalformedPolicy messages S3 answers them with.
func TestMalformedPolicyStatements(t *testing.T) {
	e := newEnv(t)
	e.bucket("stmts")
	st := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	const who = `"Principal":{"AWS":"arn:aws:iam::000000000000:root"}`
	for doc, msg := range map[string]string{
		// An object action on the bucket alone, a bucket action on objects alone, an
		// account-level action, and a list where one action matches no resource.
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:PutObject","Resource":"arn:aws:s3:::stmts"}`):                                                   "Action does not apply to any resource(s) in statement",
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::stmts/*"}`):                                              "Action does not apply to any resource(s) in statement",
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::stmts"}`):                                            "Action does not apply to any resource(s) in statement",
		st(`{"Effect":"Allow",` + who + `,"Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::stmts/*"}`):                               "Action does not apply to any resource(s) in statement",
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:GetBucket*","Resource":"arn:aws:s3:::stmts/*"}`):                                                "Action does not apply to any resource(s) in statement",
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:GetObjekt","Resource":"arn:aws:s3:::stmts/*"}`):                                                 "Policy has invalid action",
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::stmts/*","Condition":{"StringEquals":{"s3:FakeKey":"x"}}}`): "Policy has an invalid condition key",
		st(`{"Effect":"Permit",` + who + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::stmts/*"}`):                                                "Invalid effect: Permit",
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:GetObject"}`):                                                                                   "Statement is missing required element",
		`{"Version":"2012-10-17","Statement":[]}`:                                                                                                      "Could not parse the policy: Statement is empty!",
	} {
		wantErr(t, e.policy("stmts", doc), "MalformedPolicy", 400, msg)
	}
	// Accepted: each action matching one of the resources, wildcards that name an
	// action on a resource given, S3's own condition keys (tag keys by prefix), keys of
	// other namespaces, and NotResource.
	for _, doc := range []string{
		st(`{"Effect":"Allow",` + who + `,"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::stmts","arn:aws:s3:::stmts/*"]}`),
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:Get*","Resource":"arn:aws:s3:::stmts"}`),
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:*","Resource":"arn:aws:s3:::stmts/*"}`),
		st(`{"Effect":"Allow",` + who + `,"Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::stmts*"}`),
		st(`{"Effect":"Allow",` + who + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::stmts/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"x","aws:SourceAccount":"000000000000"}}}`),
		st(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::stmts","arn:aws:s3:::stmts/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`),
		st(`{"Effect":"Deny",` + who + `,"NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::stmts/public/*"}`),
	} {
		if err := e.policy("stmts", doc); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
	}
}

func TestACLs(t *testing.T) {
	e := newEnv(t)
	e.bucket("acls")
	e.put("acls", "k", "v")
	_, err := e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	wantErr(t, err, "AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acls"), Key: aws.String("k2"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	// bucket-owner-full-control is accepted with ACLs disabled.
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acls"), Key: aws.String("k3"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLBucketOwnerFullControl}))
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acls"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	// BlockPublicAcls refuses a public ACL.
	_, err = e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	wantErr(t, err, "AccessDenied", 403, `User: arn:aws:iam::000000000000:root is not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::acls/k" because public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.`)
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("acls"), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead}))
	// IgnorePublicAcls: the public grant is kept but neither counts nor shows
	// (recorded, 2026: local_acl_authority_replay.json).
	if acl := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k")})); len(acl.Grants) != 1 {
		t.Fatalf("object acl under IgnorePublicAcls %+v", acl.Grants)
	}
	if code, _ := e.anon("GET", "/acls/k", nil); code != 403 {
		t.Fatalf("IgnorePublicAcls: %d", code)
	}
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("acls")}))
	acl := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k")}))
	if len(acl.Grants) != 2 || *acl.Grants[1].Grantee.URI != "http://acs.amazonaws.com/groups/global/AllUsers" || acl.Grants[1].Permission != types.PermissionRead {
		t.Fatalf("object acl %+v", acl.Grants)
	}
	if code, body := e.anon("GET", "/acls/k", nil); code != 200 || body != "v" {
		t.Fatalf("public-read object: %d %s", code, body)
	}
	// A grant to another account by canonical ID.
	other := e.otherAccount("111122223333")
	ids := must(other.ListBuckets(ctx, &s3.ListBucketsInput{}))
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k3"), GrantRead: aws.String(`id="` + *ids.Owner.ID + `"`)}))
	must(other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acls"), Key: aws.String("k3")})).Body.Close()
	_, err = e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k3"), GrantRead: aws.String(`id="` + strings.Repeat("0", 64) + `"`)})
	wantErr(t, err, "InvalidArgument", 400, "Invalid id")
	// Switching back to BucketOwnerEnforced is refused while the bucket ACL grants others.
	must(e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acls"), ACL: types.BucketCannedACLPublicRead}))
	_, err = e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acls"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
	wantErr(t, err, "InvalidBucketAclWithObjectOwnership", 400, "")
}

func TestPresignedURLs(t *testing.T) {
	e := newEnv(t)
	e.bucket("presign")
	e.put("presign", "k", "signed body")
	ps := s3.NewPresignClient(e.s3)
	get := must(ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("k")}, s3.WithPresignExpires(time.Minute)))
	resp := must(http.Get(get.URL))
	b := readAll(resp)
	if resp.StatusCode != 200 || b != "signed body" {
		t.Fatalf("presigned get: %d %s", resp.StatusCode, b)
	}
	put := must(ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("up")}, s3.WithPresignExpires(time.Minute)))
	req, _ := http.NewRequest("PUT", put.URL, strings.NewReader("uploaded"))
	resp = must(http.DefaultClient.Do(req))
	readAll(resp)
	if resp.StatusCode != 200 || e.get("presign", "up") != "uploaded" {
		t.Fatalf("presigned put: %d", resp.StatusCode)
	}
	// Signed in the past with a one-second lifetime: expired.
	old := must(ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("k")}, s3.WithPresignExpires(time.Second),
		func(o *s3.PresignOptions) {
			o.ClientOptions = append(o.ClientOptions, func(o *s3.Options) {})
		}))
	time.Sleep(1100 * time.Millisecond)
	resp = must(http.Get(old.URL))
	b = readAll(resp)
	if resp.StatusCode != 403 || !strings.Contains(b, "<Code>AccessDenied</Code><Message>Request has expired</Message>") {
		t.Fatalf("expired: %d %s", resp.StatusCode, b)
	}
}
