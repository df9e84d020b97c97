package s3_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
)

// The answers in this file are AWS's, recorded against us-east-1 in 2026 and published
// in the radkawar/stackd repository under testdata/aws/s3/abac_*_replay.json. Bucket
// tags are set there with S3 Control's TagResource; here they are set with
// PutBucketTagging while ABAC is disabled (S3 Control's tag calls are replayed in
// control_tags_test.go).

func setABAC(t *testing.T, c *s3.Client, bucket string, st types.BucketAbacStatus) {
	t.Helper()
	must(c.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(bucket), AbacStatus: &types.AbacStatus{Status: st}}))
}

func abacStatus(t *testing.T, c *s3.Client, bucket string) types.BucketAbacStatus {
	t.Helper()
	out := must(c.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String(bucket)}))
	if out.AbacStatus == nil {
		t.Fatalf("GetBucketAbac %s: no AbacStatus", bucket)
	}
	return out.AbacStatus.Status
}

func tagBucket(t *testing.T, c *s3.Client, bucket string, kv ...string) {
	t.Helper()
	var tags []types.Tag
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	must(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: tags}}))
}

func bucketTags(t *testing.T, c *s3.Client, bucket string) string {
	t.Helper()
	var kv []string
	for _, tg := range must(c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})).TagSet {
		kv = append(kv, *tg.Key+"="+*tg.Value)
	}
	return strings.Join(kv, ",")
}

// TestRecordedABACControls: PutBucketAbac and GetBucketAbac, the default status,
// what a malformed status does, the expected-owner and missing-bucket answers, and
// that PutBucketTagging and DeleteBucketTagging are refused while ABAC is enabled
// (abac_controls_replay.json, native-abac-state-tagging-create-and-admission, calls
// 1-51).
func TestRecordedABACControls(t *testing.T) {
	e := newEnv(t)
	const b = "abac-controls"
	e.bucket(b)
	if got := abacStatus(t, e.s3, b); got != types.BucketAbacStatusDisabled {
		t.Fatalf("abac-default: %q", got)
	}
	tagBucket(t, e.s3, b, "zeta", "last", "alpha", "first", "keep", "retained")
	setABAC(t, e.s3, b, types.BucketAbacStatusDisabled)
	setABAC(t, e.s3, b, types.BucketAbacStatusDisabled)
	if got := abacStatus(t, e.s3, b); got != types.BucketAbacStatusDisabled {
		t.Fatalf("get-Disabled: %q", got)
	}
	setABAC(t, e.s3, b, types.BucketAbacStatusEnabled)
	setABAC(t, e.s3, b, types.BucketAbacStatusEnabled)
	if got := abacStatus(t, e.s3, b); got != types.BucketAbacStatusEnabled {
		t.Fatalf("get-Enabled: %q", got)
	}

	// legacy-read-enabled, legacy-put-enabled, legacy-delete-enabled: the tags can be
	// read, not replaced or deleted.
	const want = "zeta=last,alpha=first,keep=retained"
	if got := bucketTags(t, e.s3, b); got != want {
		t.Fatalf("legacy-read-enabled: %s", got)
	}
	_, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("replaced"), Value: aws.String("no")}}}})
	apptest.WantErr(t, err, "BadRequest", 400, "")
	_, err = e.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)})
	apptest.WantErr(t, err, "BadRequest", 400, "")
	if got := bucketTags(t, e.s3, b); got != want {
		t.Fatalf("after-rejected-legacy-put/delete: %s", got)
	}
	e.put(b, "survivor", "abac-survivor")
	setABAC(t, e.s3, b, types.BucketAbacStatusDisabled)
	if got := bucketTags(t, e.s3, b); got != want {
		t.Fatalf("legacy-read-disabled: %s", got)
	}
	if got := e.get(b, "survivor"); got != "abac-survivor" {
		t.Fatalf("read-disabled: %q", got)
	}

	// status-unknown, status-lowercase, status-missing: MalformedXML, status kept.
	for _, st := range []types.BucketAbacStatus{"Invalid", "enabled", ""} {
		_, err := e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b), AbacStatus: &types.AbacStatus{Status: st}})
		apptest.WantErr(t, err, "MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema")
		if got := abacStatus(t, e.s3, b); got != types.BucketAbacStatusDisabled {
			t.Fatalf("status-preserved %q: %q", st, got)
		}
	}

	// get-owner-*, put-owner-*: another account is AccessDenied before the body is
	// looked at; a malformed account ID is refused as such; the owner's own passes.
	_, err = e.s3.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String(b), ExpectedBucketOwner: aws.String("917546008205")})
	apptest.WantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b), ExpectedBucketOwner: aws.String("917546008205"), AbacStatus: &types.AbacStatus{Status: "Invalid"}})
	apptest.WantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String(b), ExpectedBucketOwner: aws.String("invalid")})
	apptest.WantErr(t, err, "InvalidBucketOwnerAWSAccountID", 400, "")
	_, err = e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b), ExpectedBucketOwner: aws.String("invalid"), AbacStatus: &types.AbacStatus{Status: "Invalid"}})
	apptest.WantErr(t, err, "InvalidBucketOwnerAWSAccountID", 400, "")
	got := must(e.s3.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String(b), ExpectedBucketOwner: aws.String(account)}))
	if got.AbacStatus.Status != types.BucketAbacStatusDisabled {
		t.Fatalf("get-owner-self: %q", got.AbacStatus.Status)
	}
	_, err = e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b), ExpectedBucketOwner: aws.String(account), AbacStatus: &types.AbacStatus{Status: "Invalid"}})
	apptest.WantErr(t, err, "MalformedXML", 400, "")

	// absent-*: NoSuchBucket, whatever the owner or body.
	_, err = e.s3.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String(b + "-absent")})
	apptest.WantErr(t, err, "NoSuchBucket", 404, "")
	_, err = e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b + "-absent"), AbacStatus: &types.AbacStatus{Status: "Invalid"}})
	apptest.WantErr(t, err, "NoSuchBucket", 404, "")
	_, err = e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b + "-absent"), ExpectedBucketOwner: aws.String("917546008205"), AbacStatus: &types.AbacStatus{Status: "Invalid"}})
	apptest.WantErr(t, err, "NoSuchBucket", 404, "")
}

// abacSession is a policy that allows s3:* on the recording's buckets under cond.
func abacSession(cond string) string {
	p := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::stackd-abac-authorization*"]`
	if cond != "" {
		p += `,"Condition":` + cond
	}
	return p + `}]}`
}

// TestRecordedABACAuthorization: with ABAC enabled a bucket's tags are
// aws:ResourceTag/<key> and s3:BucketTag/<key> on its bucket and object actions
// (keys case-insensitive, values not); disabled, neither key exists
// (abac_authorization_replay.json).
func TestRecordedABACAuthorization(t *testing.T) {
	e := newEnv(t)
	const b, other = "stackd-abac-authorization-bucket", "stackd-abac-authorization-other"
	caller, session := e.roleSessions("stackd-abac-authorization-role", abacSession(""))
	for _, name := range []string{b, other} {
		must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
		must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("seed"), Body: strings.NewReader("ABAC native bytes")}))
	}
	tagBucket(t, caller, b, "Project", "Blue", "Environment", "Test")
	tagBucket(t, caller, other, "Project", "Blue")

	sessions := map[string]*s3.Client{}
	for name, cond := range map[string]string{
		"baseline":          "",
		"resource":          `{"StringEquals":{"aws:ResourceTag/Project":"Blue"}}`,
		"bucket":            `{"StringEquals":{"s3:BucketTag/Project":"Blue"}}`,
		"resource-null":     `{"Null":{"aws:ResourceTag/Project":"true"}}`,
		"bucket-null":       `{"Null":{"s3:BucketTag/Project":"true"}}`,
		"resource-key-case": `{"StringEquals":{"aws:ResourceTag/project":"Blue"}}`,
		"bucket-key-case":   `{"StringEquals":{"s3:BucketTag/project":"Blue"}}`,
		"value-case":        `{"StringEquals":{"aws:ResourceTag/Project":"blue"}}`,
		"multiple":          `{"StringEquals":{"aws:ResourceTag/Project":"Blue","s3:BucketTag/Environment":"Test"}}`,
		"multiple-mismatch": `{"StringEquals":{"aws:ResourceTag/Project":"Blue","s3:BucketTag/Environment":"Wrong"}}`,
	} {
		sessions[name] = session(name, abacSession(cond))
	}
	getObj := func(who string) error {
		_, err := sessions[who].GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
		return err
	}
	list := func(who string) error {
		_, err := sessions[who].ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		return err
	}
	allowed := func(label string, err error, want bool) {
		t.Helper()
		if want && err != nil {
			t.Errorf("%s: %v", label, err)
		}
		if !want && errCode(err) != "AccessDenied" {
			t.Errorf("%s: want AccessDenied, got %v", label, err)
		}
	}

	// disabled-*: neither key exists, so the tag conditions fail and Null holds.
	allowed("baseline-get", getObj("baseline"), true)
	for _, who := range []string{"resource", "bucket"} {
		allowed("disabled-"+who+"-get", getObj(who), false)
		allowed("disabled-"+who+"-list", list(who), false)
	}
	for _, who := range []string{"resource-null", "bucket-null"} {
		allowed("disabled-"+who+"-get", getObj(who), true)
		allowed("disabled-"+who+"-list", list(who), true)
	}

	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	setABAC(t, caller, other, types.BucketAbacStatusEnabled)
	// enabled-*: the keys are there for bucket and object actions alike.
	for _, who := range []string{"resource", "bucket", "resource-null", "bucket-null"} {
		want := !strings.HasSuffix(who, "-null")
		c := sessions[who]
		allowed("enabled-"+who+"-get_object", getObj(who), want)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("written-" + who), Body: strings.NewReader("value")})
		allowed("enabled-"+who+"-put_object", err, want)
		allowed("enabled-"+who+"-list_objects_v2", list(who), want)
		_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		allowed("enabled-"+who+"-get_bucket_tagging", err, want)
		_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("seed")})
		allowed("enabled-"+who+"-get_object_tagging", err, want)
		_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("seed"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Object"), Value: aws.String("Tagged")}}}})
		allowed("enabled-"+who+"-put_object_tagging", err, want)
	}
	allowed("enabled-baseline-check", getObj("baseline"), true)
	allowed("resource-key-case", getObj("resource-key-case"), true)
	allowed("bucket-key-case", getObj("bucket-key-case"), true)
	allowed("value-case", getObj("value-case"), false)
	allowed("multiple", getObj("multiple"), true)
	allowed("multiple-mismatch", getObj("multiple-mismatch"), false)

	// updated-*, restored-*, disabled-again-*, reenabled-*: decisions follow the
	// bucket's current tags and status.
	retag := func(bucket string, kv ...string) {
		t.Helper()
		setABAC(t, caller, bucket, types.BucketAbacStatusDisabled)
		tagBucket(t, caller, bucket, kv...)
		setABAC(t, caller, bucket, types.BucketAbacStatusEnabled)
	}
	retag(b, "Project", "Red", "Environment", "Test")
	allowed("updated-resource", getObj("resource"), false)
	allowed("updated-bucket", getObj("bucket"), false)
	retag(b, "Project", "Blue", "Environment", "Test")
	allowed("restored-resource", getObj("resource"), true)
	allowed("restored-bucket", getObj("bucket"), true)
	retag(b, "Environment", "Test")
	allowed("removed-resource", getObj("resource"), false)
	allowed("removed-bucket", getObj("bucket"), false)
	retag(b, "Project", "Blue", "Environment", "Test")
	setABAC(t, caller, b, types.BucketAbacStatusDisabled)
	allowed("disabled-again-resource", getObj("resource"), false)
	allowed("disabled-again-bucket", getObj("bucket"), false)
	allowed("disabled-again-null-resource-null", getObj("resource-null"), true)
	allowed("disabled-again-null-bucket-null", getObj("bucket-null"), true)
	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	allowed("reenabled-resource", getObj("resource"), true)
	allowed("reenabled-bucket", getObj("bucket"), true)

	// copy-*: the source and the destination are each weighed with their own
	// bucket's tags.
	copyTo := func(who, key string) error {
		_, err := sessions[who].CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(other), Key: aws.String(key), CopySource: aws.String(b + "/seed")})
		return err
	}
	allowed("copy-both-match-resource", copyTo("resource", "copy-resource"), true)
	allowed("copy-both-match-bucket", copyTo("bucket", "copy-bucket"), true)
	retag(other, "Project", "Red")
	allowed("copy-destination-mismatch-resource", copyTo("resource", "dest-denied-resource"), false)
	allowed("copy-destination-mismatch-bucket", copyTo("bucket", "dest-denied-bucket"), false)
	retag(other, "Project", "Blue")

	// multipart-*: CompleteMultipartUpload is weighed with the tags as they are then.
	res := sessions["resource"]
	up := must(res.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("multipart")}))
	part := must(res.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("multipart"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part-bytes")}))
	complete := func() error {
		_, err := res.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("multipart"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
		return err
	}
	setABAC(t, caller, b, types.BucketAbacStatusDisabled)
	allowed("multipart-complete-disabled", complete(), false)
	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	allowed("multipart-complete-enabled", complete(), true)

	// identity-deny-matching: a Deny on s3:BucketTag applies too.
	deny := session("explicit-deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::stackd-abac-authorization*"]},`+
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":["arn:aws:s3:::stackd-abac-authorization*"],"Condition":{"StringEquals":{"s3:BucketTag/Project":"Blue"}}}]}`)
	_, err := deny.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
	allowed("identity-deny-matching", err, false)

	// docs-list-object-arn: s3:ListBucket on an object ARN alone is refused.
	_, err = caller.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:ListBucket","s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::` + b +
			`/*","Condition":{"StringEquals":{"aws:ResourceTag/Project":"Blue"}},"Principal":{"AWS":"*"}}]}`)})
	apptest.WantErr(t, err, "MalformedPolicy", 400, "")

	// resource-only-no-grant, resource-grant-current: a role without identity
	// permissions is let in by a bucket policy conditioned on aws:ResourceTag.
	roleARN := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("stackd-abac-authorization-resource-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`)})).Role.Arn
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("assumer")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("assumer")})).AccessKey
	cr := must(sts.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("resource-only")})).Credentials
	only := s3Client(e.p.Config(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	_, err = only.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
	allowed("resource-only-no-grant", err, false)
	must(caller.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b +
			`/*","Condition":{"StringEquals":{"aws:ResourceTag/Project":"Blue"}},"Principal":{"AWS":"` + *roleARN + `"}}]}`)}))
	_, err = only.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
	allowed("resource-grant-current", err, true)

	// resource-allow-red-late, identity-red-late, copy-source-red-settled-*,
	// identity-deny-red-settled: retagged Red, the bucket is out of every grant and
	// deny on Blue, a copy's source included.
	retag(b, "Project", "Red", "Environment", "Test")
	_, err = only.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
	allowed("resource-allow-red-late", err, false)
	allowed("identity-red-late", getObj("resource"), false)
	allowed("copy-source-red-settled-resource", copyTo("resource", "source-denied-resource"), false)
	allowed("copy-source-red-settled-bucket", copyTo("bucket", "source-denied-bucket"), false)
	_, err = deny.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
	allowed("identity-deny-red-settled", err, true)
	retag(b, "Project", "Blue", "Environment", "Test")
	must(caller.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)}))

	// bucket-deny-resource-tag: a bucket policy's Deny on aws:ResourceTag refuses
	// the role's sessions object and listing reads.
	const role = "arn:aws:iam::" + account + ":role/stackd-abac-authorization-role"
	must(caller.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::` + b + `","arn:aws:s3:::` + b +
			`/*"],"Condition":{"StringEquals":{"aws:ResourceTag/Project":"Blue"}},"Principal":{"AWS":"` + role + `"}}]}`)}))
	allowed("bucket-resource-deny-settled-get_object", getObj("baseline"), false)
	allowed("bucket-resource-deny-settled-list_objects_v2", list("baseline"), false)
	must(caller.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)}))

	// cross-account-*: another account granted by a bucket policy on aws:ResourceTag
	// reads while ABAC is enabled, not while it is disabled. (The recording's member
	// is a role of that account; here the grant names the account.)
	const memberAccount = "917546008205"
	member := e.otherAccount(memberAccount)
	memberGet := func() error {
		_, err := member.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("seed")})
		return err
	}
	allowed("cross-account-no-resource-grant", memberGet(), false)
	must(caller.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b +
			`/*","Condition":{"StringEquals":{"aws:ResourceTag/Project":"Blue"}},"Principal":{"AWS":"arn:aws:iam::` + memberAccount + `:root"}}]}`)}))
	allowed("cross-account-grant-settled", memberGet(), true)
	setABAC(t, caller, b, types.BucketAbacStatusDisabled)
	allowed("cross-account-disabled", memberGet(), false)
	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	allowed("cross-account-reenabled", memberGet(), true)
	must(caller.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)}))

	// direct-key-decision-*: a bucket policy naming sessions denies on
	// aws:ResourceTag and on s3:BucketTag, not on the absent s3:AccessPointTag, and
	// grants the role without identity permissions on s3:BucketTag.
	direct := map[string]*s3.Client{}
	for _, name := range []string{"directdeny-resource", "directdeny-bucket", "directdeny-ap"} {
		direct[name] = session(name, abacSession(""))
	}
	sess := "arn:aws:sts::" + account + ":assumed-role/stackd-abac-authorization-role/"
	polRes := `"Resource":["arn:aws:s3:::` + other + `","arn:aws:s3:::` + other + `/*"]`
	must(caller.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(other), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Deny","Action":["s3:GetObject","s3:ListBucket"],` + polRes + `,"Condition":{"StringEquals":{"aws:ResourceTag/Project":"Blue"}},"Principal":{"AWS":"` + sess + `directdeny-resource"}},` +
		`{"Effect":"Deny","Action":["s3:GetObject","s3:ListBucket"],` + polRes + `,"Condition":{"StringEquals":{"s3:BucketTag/Project":"Blue"}},"Principal":{"AWS":"` + sess + `directdeny-bucket"}},` +
		`{"Effect":"Deny","Action":["s3:GetObject","s3:ListBucket"],` + polRes + `,"Condition":{"StringEquals":{"s3:AccessPointTag/Project":"Blue"}},"Principal":{"AWS":"` + sess + `directdeny-ap"}},` +
		`{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],` + polRes + `,"Condition":{"StringEquals":{"s3:BucketTag/Project":"Blue"}},"Principal":{"AWS":"` + *roleARN + `"}}]}`)}))
	direct["resource-only"] = only
	for name, want := range map[string]bool{"directdeny-resource": false, "directdeny-bucket": false, "directdeny-ap": true, "resource-only": true} {
		_, err := direct[name].GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(other), Key: aws.String("seed")})
		allowed("direct-key-decision-"+name+"-get_object", err, want)
		_, err = direct[name].ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(other)})
		allowed("direct-key-decision-"+name+"-list_objects_v2", err, want)
	}

	// distinct-case-*, case-removal-restored-*: tag keys differing only in case are
	// kept apart; with both, this tag set's lowercase one is what the conditions see,
	// and removing it restores the other.
	for name, cond := range map[string]string{
		"resource-lower-value": `{"StringEquals":{"aws:ResourceTag/Project":"Lower"}}`,
		"bucket-lower-value":   `{"StringEquals":{"s3:BucketTag/Project":"Lower"}}`,
	} {
		sessions[name] = session(name, abacSession(cond))
	}
	retag(b, "BucketOnly", "Bucket", "Project", "Blue", "Environment", "Test", "project", "Lower")
	if got := bucketTags(t, caller, b); got != "BucketOnly=Bucket,Project=Blue,Environment=Test,project=Lower" {
		t.Errorf("case-distinct-tag-storage: %s", got)
	}
	for who, want := range map[string]bool{"resource": false, "resource-key-case": false, "bucket": false, "bucket-key-case": false, "resource-lower-value": true, "bucket-lower-value": true} {
		allowed("distinct-case-values-"+who, getObj(who), want)
	}
	retag(b, "BucketOnly", "Bucket", "Project", "Blue", "Environment", "Test")
	for who, want := range map[string]bool{"resource": true, "bucket": true, "resource-lower-value": false, "bucket-lower-value": false} {
		allowed("case-removal-restored-"+who, getObj(who), want)
	}
}

// TestRecordedABACRequestTags: tags given to CreateBucket need s3:TagResource too and
// are aws:RequestTag and aws:TagKeys to both checks; PutBucketTagging's tag set is
// neither (abac_authorization_replay.json, create-request-*, create-tags-missing-
// tagresource, create-untagged-createonly, legacy-*).
func TestRecordedABACRequestTags(t *testing.T) {
	e := newEnv(t)
	const other = "stackd-abac-authorization-other"
	caller, session := e.roleSessions("stackd-abac-authorization-role", abacSession(""))
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(other)}))
	const prefix = `"Resource":["arn:aws:s3:::stackd-abac-authorization*"]`
	requestTags := session("request-tags", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:TagResource","s3:CreateBucket"],`+prefix+
		`,"Condition":{"StringEquals":{"aws:RequestTag/Project":"Blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["Project","Environment"]}}}]}`)
	createOnly := session("create-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:CreateBucket",`+prefix+`}]}`)
	create := func(c *s3.Client, name string, kv ...string) error {
		in := &s3.CreateBucketInput{Bucket: aws.String("stackd-abac-authorization-" + name)}
		if len(kv) > 0 {
			in.CreateBucketConfiguration = &types.CreateBucketConfiguration{}
			for i := 0; i < len(kv); i += 2 {
				in.CreateBucketConfiguration.Tags = append(in.CreateBucketConfiguration.Tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
			}
		}
		_, err := c.CreateBucket(ctx, in)
		return err
	}
	allowed := func(label string, err error, want bool) {
		t.Helper()
		if want && err != nil {
			t.Errorf("%s: %v", label, err)
		}
		if !want && errCode(err) != "AccessDenied" {
			t.Errorf("%s: want AccessDenied, got %v", label, err)
		}
	}
	allowed("create-request-valid", create(requestTags, "create-valid", "Project", "Blue", "Environment", "Test"), true)
	if got := bucketTags(t, caller, "stackd-abac-authorization-create-valid"); got != "Project=Blue,Environment=Test" {
		t.Errorf("create-request-valid tags: %s", got)
	}
	allowed("create-request-wrong-value", create(requestTags, "create-wrong-value", "Project", "blue"), false)
	allowed("create-request-wrong-key", create(requestTags, "create-wrong-key", "Project", "Blue", "Other", "Test"), false)
	allowed("create-request-none", create(requestTags, "create-none"), false)
	allowed("create-tags-missing-tagresource", create(createOnly, "create-only", "Project", "Blue"), false)
	allowed("create-untagged-createonly", create(createOnly, "create-only"), true)

	putTags := func(c *s3.Client) error {
		_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(other),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Project"), Value: aws.String("Blue")}}}})
		return err
	}
	const put = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutBucketTagging",` + prefix + `,"Condition":`
	allowed("legacy-requesttag", putTags(session("legacy-requesttag", put+`{"StringEquals":{"aws:RequestTag/Project":"Blue"}}}]}`)), false)
	allowed("legacy-null", putTags(session("legacy-null", put+`{"Null":{"aws:RequestTag/Project":"true","aws:TagKeys":"true"}}}]}`)), true)
	allowed("legacy-tagkeys", putTags(session("legacy-tagkeys", put+`{"ForAllValues:StringEquals":{"aws:TagKeys":["Project"]},"Null":{"aws:TagKeys":"false"}}}]}`)), false)
	allowed("legacy-baseline", putTags(session("baseline", abacSession(""))), true)
}

// TestRecordedABACAudit: the CloudTrail records of PutBucketAbac and GetBucketAbac: the
// AbacStatus document with its namespace and the empty abac subresource in
// requestParameters, the bucket as resource, the bytes of the document in and out,
// no turnAroundTime, and a malformed status's MalformedXML (abac_audit_replay.json,
// calls 2, 19, 20, 30, 34).
func TestRecordedABACAudit(t *testing.T) {
	e := newEnv(t)
	const b = "abac-controls"
	u := e.user("Delegated", allowAll)
	must(u.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	abacStatus(t, u, b)
	setABAC(t, u, b, types.BucketAbacStatusEnabled)
	abacStatus(t, u, b)
	setABAC(t, u, b, types.BucketAbacStatusDisabled)
	_, err := u.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(b), AbacStatus: &types.AbacStatus{Status: "Invalid"}})
	apptest.WantErr(t, err, "MalformedXML", 400, "")

	gets, puts := e.trailRecords("GetBucketAbac"), e.trailRecords("PutBucketAbac")
	if len(gets) != 2 || len(puts) != 3 {
		t.Fatalf("%d GetBucketAbac and %d PutBucketAbac records", len(gets), len(puts))
	}
	bucketRes := "arn:aws:s3:::" + b
	check := func(r audit.Record, readOnly bool, params string, in, out float64, status int) {
		t.Helper()
		if r.ReadOnly != readOnly || r.EventCategory != "Management" || !r.ManagementEvent {
			t.Errorf("%s readOnly %v category %s management %v", r.EventName, r.ReadOnly, r.EventCategory, r.ManagementEvent)
		}
		sameJSON(t, r.EventName+" requestParameters", e.params(r), params)
		if len(r.Resources) != 1 || r.Resources[0].ARN != bucketRes || r.Resources[0].Type != "AWS::S3::Bucket" || r.Resources[0].AccountID != account {
			t.Errorf("%s resources %+v", r.EventName, r.Resources)
		}
		d := r.AdditionalEventData
		if d["bytesTransferredIn"] != in || d["bytesTransferredOut"] != out {
			t.Errorf("%s bytes in %v out %v, want %v %v", r.EventName, d["bytesTransferredIn"], d["bytesTransferredOut"], in, out)
		}
		timing(t, r, status, false)
	}
	const get = `{"abac":"","bucketName":"abac-controls"}`
	put := func(st string) string {
		return `{"AbacStatus":{"Status":"` + st + `","xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"},"abac":"","bucketName":"abac-controls"}`
	}
	check(gets[0], true, get, 0, 137, 200)
	check(puts[0], false, put("Enabled"), 97, 0, 200)
	check(gets[1], true, get, 0, 136, 200)
	check(puts[1], false, put("Disabled"), 98, 0, 200)
	// The error document names the request's x-amz-id-2, whose length varies: AWS's
	// was 96 characters in that record.
	id, _ := puts[2].AdditionalEventData["x-amz-id-2"].(string)
	check(puts[2], false, put("Invalid"), 97, float64(339-96+len(id)), 400)
	if r := puts[2]; r.ErrorCode != "MalformedXML" || r.ErrorMessage != "The XML you provided was not well-formed or did not validate against our published schema" {
		t.Errorf("status-unknown record: %s %q", r.ErrorCode, r.ErrorMessage)
	}
}

// TestRecordedABACRawWire: PutBucketAbac bodies and headers the SDK would not send:
// no checksum needed, a body cut short, an empty body, bad Content-MD5 or checksum
// headers (abac_controls_replay.json, signed-raw-*). Not pinned, as Palisade differs:
// signed-raw-wrong-root (AWS takes <Wrong><Status>), signed-raw-unknown-child and
// signed-raw-duplicate-status (AWS refuses them), signed-raw-owner-precedes-xml and
// signed-raw-absent-precedes-xml (AWS checks owner and bucket before the body).
func TestRecordedABACRawWire(t *testing.T) {
	e := newEnv(t)
	const b = "abac-controls"
	e.bucket(b)
	const ns = `<AbacStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></AbacStatus>`
	xml := map[string]string{"Content-Type": "application/xml"}
	with := func(kv ...string) map[string]string {
		h := map[string]string{"Content-Type": "application/xml"}
		for i := 0; i < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}
	state := func(label string, want types.BucketAbacStatus) {
		t.Helper()
		if got := abacStatus(t, e.s3, b); got != want {
			t.Errorf("%s-state: %s, want %s", label, got, want)
		}
	}
	call := func(label, path string, hdr map[string]string, body string, status int, code string) {
		t.Helper()
		got, resp := e.signedRaw("PUT", path, hdr, body)
		if got != status || code != "" && !strings.Contains(resp, "<Code>"+code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s", label, got, resp, status, code)
		}
	}
	call("signed-raw-no-checksum", "/"+b+"?abac", xml, ns, 200, "")
	state("signed-raw-no-checksum", types.BucketAbacStatusEnabled)
	call("signed-raw-malformed", "/"+b+"?abac", xml, `<AbacStatus><Status>Enabled`, 400, "MalformedXML")
	state("signed-raw-malformed", types.BucketAbacStatusEnabled)
	call("signed-raw-empty-body", "/"+b+"?abac", xml, "", 400, "MissingRequestBodyError")
	state("signed-raw-empty-body", types.BucketAbacStatusEnabled)
	setABAC(t, e.s3, b, types.BucketAbacStatusDisabled)
	call("signed-raw-md5-invalid", "/"+b+"?abac", with("Content-MD5", "not-base64"), ns, 400, "InvalidDigest")
	call("signed-raw-md5-mismatch", "/"+b+"?abac", with("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="), ns, 400, "BadDigest")
	call("signed-raw-algorithm-unknown", "/"+b+"?abac", with("x-amz-sdk-checksum-algorithm", "BOGUS"), ns, 400, "InvalidRequest")
	call("signed-raw-sha256-missing", "/"+b+"?abac", with("x-amz-sdk-checksum-algorithm", "SHA256"), ns, 400, "InvalidRequest")
	call("signed-raw-sha256-mismatch", "/"+b+"?abac", with("x-amz-sdk-checksum-algorithm", "SHA256", "x-amz-checksum-sha256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), ns, 400, "BadDigest")
	state("signed-raw-sha256-mismatch", types.BucketAbacStatusDisabled)
	call("signed-raw-sha256-valid", "/"+b+"?abac", with("x-amz-sdk-checksum-algorithm", "SHA256", "x-amz-checksum-sha256", "f67eg/9K14ehEyXDsSoMeEkvRYHBd6xl9Dm4z9xI7U0="), ns, 200, "")
	state("signed-raw-sha256-valid", types.BucketAbacStatusEnabled)
}

// TestRecordedABACCreateTags: tags given at creation, in either Region, are the new
// bucket's, which starts with ABAC disabled; an empty list makes no tag set; a bad or
// reserved key refuses the creation (abac_controls_replay.json, create-*).
func TestRecordedABACCreateTags(t *testing.T) {
	e := newEnv(t)
	create := func(c *s3.Client, name string, cfg *types.CreateBucketConfiguration, kv ...string) error {
		if cfg == nil {
			cfg = &types.CreateBucketConfiguration{Tags: []types.Tag{}}
		}
		for i := 0; i < len(kv); i += 2 {
			cfg.Tags = append(cfg.Tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), CreateBucketConfiguration: cfg})
		return err
	}
	must(0, create(e.s3, "abac-controls-tagged-east", nil, "project", "native-create", "empty", ""))
	if got := abacStatus(t, e.s3, "abac-controls-tagged-east"); got != types.BucketAbacStatusDisabled {
		t.Errorf("create-tagged-east-abac: %s", got)
	}
	if got := bucketTags(t, e.s3, "abac-controls-tagged-east"); got != "project=native-create,empty=" {
		t.Errorf("create-tagged-east-legacy-tags: %s", got)
	}
	west := e.region("us-west-2")
	must(0, create(west, "abac-controls-tagged-west", &types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}, "project", "native-west"))
	if got := abacStatus(t, west, "abac-controls-tagged-west"); got != types.BucketAbacStatusDisabled {
		t.Errorf("create-tagged-west-abac: %s", got)
	}
	if got := bucketTags(t, west, "abac-controls-tagged-west"); got != "project=native-west" {
		t.Errorf("create-tagged-west-legacy-tags: %s", got)
	}
	must(0, create(e.s3, "abac-controls-empty-tags", nil))
	_, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("abac-controls-empty-tags")})
	apptest.WantErr(t, err, "NoSuchTagSet", 404, "")
	apptest.WantErr(t, create(e.s3, "abac-controls-invalid-tag", nil, "bad!", "invalid"), "InvalidTag", 400, "")
	apptest.WantErr(t, create(e.s3, "abac-controls-reserved-tag", nil, "aws:reserved", "invalid"), "InvalidTag", 400, "")
	for _, name := range []string{"abac-controls-invalid-tag", "abac-controls-reserved-tag"} {
		_, err := e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
		if errCode(err) != "NotFound" {
			t.Errorf("%s exists: %v", name, err)
		}
	}
	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf("t%02d", i), "v")
	}
	must(0, create(e.s3, "abac-controls-fifty-tags", nil, fifty...))
	if got := abacStatus(t, e.s3, "abac-controls-fifty-tags"); got != types.BucketAbacStatusDisabled {
		t.Errorf("create-fifty-tags-abac: %s", got)
	}
}

// blueBucket makes bucket b, tagged Project=Blue, with ABAC off, and returns its
// owner's client and one for a session allowed only where aws:ResourceTag/Project is
// Blue.
func blueBucket(t *testing.T, b string) (caller, res *s3.Client) {
	t.Helper()
	e := newEnv(t)
	caller, session := e.roleSessions("stackd-abac-authorization-role", abacSession(""))
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	tagBucket(t, caller, b, "Project", "Blue")
	return caller, session("resource", abacSession(`{"StringEquals":{"aws:ResourceTag/Project":"Blue"}}`))
}

// TestABACDeleteObjects: each key of a DeleteObjects is weighed with the bucket's
// tags, as its DeleteObject is (inferred from abac_authorization_replay.json, which
// records DeleteObject's siblings only).
func TestABACDeleteObjects(t *testing.T) {
	const b = "stackd-abac-authorization-bucket"
	caller, res := blueBucket(t, b)
	del := func() []types.Error {
		t.Helper()
		must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("v")}))
		return must(res.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b),
			Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})).Errors
	}
	if errs := del(); len(errs) != 1 || aws.ToString(errs[0].Code) != "AccessDenied" {
		t.Errorf("disabled: %+v", errs)
	}
	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	if errs := del(); len(errs) != 0 {
		t.Errorf("enabled: %+v", errs)
	}
}

// TestABACMissingKey: the s3:ListBucket that lets a caller learn a key has no object is
// weighed with the bucket's tags too (inferred from abac_authorization_replay.json:
// ListObjectsV2 is).
func TestABACMissingKey(t *testing.T) {
	const b = "stackd-abac-authorization-bucket"
	caller, res := blueBucket(t, b)
	get := func() error {
		_, err := res.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("missing")})
		return err
	}
	if code := errCode(get()); code != "AccessDenied" {
		t.Errorf("disabled: %s", code)
	}
	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	if code := errCode(get()); code != "NoSuchKey" {
		t.Errorf("enabled: %s", code)
	}
}

// TestRecordedSessionPrincipalBinding: a bucket policy naming a role's session keeps
// the session ARN as written when the role is deleted, and a session of the same name
// of a role created again under the same name is granted (abac_authorization_replay.json,
// native-named-session-principal-survives-role-recreation). Not pinned, as Palisade
// differs: nonexistent-role-session (AWS refuses, MalformedPolicy, a policy naming a
// session of a role that does not exist; Palisade takes it).
func TestRecordedSessionPrincipalBinding(t *testing.T) {
	e := newEnv(t)
	const b = "abac-session-binding"
	e.bucket(b)
	trust := aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + account + `:root"}, "Action": "sts:AssumeRole"}]}`)
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(b), AssumeRolePolicyDocument: trust}))
	e.put(b, "probe", "session-principal-binding")
	policy := func(role string) *string {
		return aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:sts::` + account + `:assumed-role/` + role +
			`/future-session"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::` + b + `/*"}]}`)
	}
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: policy(b)})) // future-session-policy-0
	const stored = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::` + account +
		`:assumed-role/abac-session-binding/future-session"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::abac-session-binding/*"}]}`
	readPolicy := func(label string) {
		t.Helper()
		if got := aws.ToString(must(e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})).Policy); got != stored {
			t.Errorf("%s:\n got %s\nwant %s", label, got, stored)
		}
	}
	readPolicy("before-assumption")
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("assumer")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("assumer")})).AccessKey
	stsc := sts.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	read := func(label string) {
		t.Helper()
		cr := must(stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + b), RoleSessionName: aws.String("future-session")})).Credentials
		c := s3Client(e.p.Config(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("probe")})
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if got := readBody(out.Body); got != "session-principal-binding" {
			t.Errorf("%s: %q", label, got)
		}
	}
	read("original-session-read")
	must(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(b)}))
	readPolicy("after-role-deletion")
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(b), AssumeRolePolicyDocument: trust}))
	readPolicy("after-role-recreation")
	read("recreated-session-read")
}
