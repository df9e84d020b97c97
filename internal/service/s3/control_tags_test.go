package s3_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/audit"
	s3svc "github.com/palisade/palisade/internal/service/s3"
)

// S3 Control's TagResource, UntagResource and ListTagsForResource on general purpose
// buckets, as AWS answered them in 2026 (radkawar/stackd testdata/aws/s3/
// abac_controls_replay.json, abac_tag_transitions_replay.json,
// abac_authorization_replay.json, abac_audit_replay.json).

// controlFor is an S3 Control client for the test server signed with cfg.
func (e *env) controlFor(cfg aws.Config, opts ...func(*s3control.Options)) *s3control.Client {
	u, _ := url.Parse(e.p.URL)
	return s3control.NewFromConfig(cfg, append([]func(*s3control.Options){func(o *s3control.Options) {
		o.EndpointResolverV2 = fixedEndpoint{*u}
		// UntagResource's 500 is an answer here, not a fault to retry.
		o.RetryMaxAttempts = 1
	}}, opts...)...)
}

func bucketARN(b string) *string { return aws.String("arn:aws:s3:::" + b) }

func ctlTags(kv ...string) []ctltypes.Tag {
	tags := []ctltypes.Tag{}
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, ctltypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return tags
}

func tagRes(c *s3control.Client, b string, kv ...string) error {
	_, err := c.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b), Tags: ctlTags(kv...)})
	return err
}

func untagRes(c *s3control.Client, b string, keys ...string) error {
	_, err := c.UntagResource(ctx, &s3control.UntagResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b), TagKeys: keys})
	return err
}

// listTags is ListTagsForResource's tags, sorted (AWS's order is a hash's: the
// recordings compare them as sets).
func listTags(t *testing.T, c *s3control.Client, b string) string {
	t.Helper()
	out := must(c.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b)}))
	var kv []string
	for _, tg := range out.Tags {
		kv = append(kv, *tg.Key+"="+*tg.Value)
	}
	slices.Sort(kv)
	return strings.Join(kv, ",")
}

// sortedBucketTags is GetBucketTagging's tags, sorted.
func sortedBucketTags(t *testing.T, c *s3.Client, b string) string {
	t.Helper()
	kv := strings.Split(bucketTags(t, c, b), ",")
	slices.Sort(kv)
	return strings.Join(kv, ",")
}

func numbered(prefix string, from, to int, value string) []string {
	var kv []string
	for i := from; i < to; i++ {
		kv = append(kv, fmt.Sprintf("%s%02d", prefix, i), value)
	}
	return kv
}

func sortedKV(kv ...string) string {
	var out []string
	for i := 0; i < len(kv); i += 2 {
		out = append(out, kv[i]+"="+kv[i+1])
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// TestRecordedControlTags: the three operations on a bucket's tags, which are the tags
// GetBucketTagging reads, merged by TagResource and pruned by UntagResource with ABAC
// disabled or enabled; the tag rules and their answers; the 50-tag limit on the tags
// the bucket would have; the account, Region and ARN checks
// (abac_controls_replay.json, native-abac-state-tagging-create-and-admission).
func TestRecordedControlTags(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlFor(e.p.RootConfig())
	const b = "abac-controls"
	e.bucket(b)

	// control-tags-empty, legacy-initial, control-sees-legacy.
	if got := listTags(t, ctl, b); got != "" {
		t.Fatalf("control-tags-empty: %q", got)
	}
	tagBucket(t, e.s3, b, "zeta", "last", "alpha", "first", "keep", "retained")
	if got := listTags(t, ctl, b); got != "alpha=first,keep=retained,zeta=last" {
		t.Fatalf("control-sees-legacy: %s", got)
	}
	// merge-disabled, legacy-sees-merge, untag-partial-unknown, after-partial.
	must(0, tagRes(ctl, b, "alpha", "updated", "new", "added"))
	if got := sortedBucketTags(t, e.s3, b); got != "alpha=updated,keep=retained,new=added,zeta=last" {
		t.Fatalf("legacy-sees-merge: %s", got)
	}
	must(0, untagRes(ctl, b, "new", "absent"))
	if got := listTags(t, ctl, b); got != "alpha=updated,keep=retained,zeta=last" {
		t.Fatalf("after-partial: %s", got)
	}
	// With ABAC enabled the legacy writes are refused and S3 Control's go through
	// (legacy-put-enabled, legacy-delete-enabled, merge-enabled, untag-enabled,
	// legacy-read-disabled).
	setABAC(t, e.s3, b, types.BucketAbacStatusEnabled)
	_, err := e.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)})
	wantErr(t, err, "BadRequest", 400, "")
	must(0, tagRes(ctl, b, "alpha", "enabled", "new", "enabled"))
	must(0, untagRes(ctl, b, "new", "absent"))
	setABAC(t, e.s3, b, types.BucketAbacStatusDisabled)
	const kept = "alpha=enabled,keep=retained,zeta=last"
	if got := sortedBucketTags(t, e.s3, b); got != kept {
		t.Fatalf("legacy-read-disabled: %s", got)
	}

	// empty-tag-request, empty-untag-request, control-*: InvalidTag, nothing changed.
	_, err = ctl.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b), Tags: []ctltypes.Tag{}})
	wantErr(t, err, "InvalidTag", 400, "At least one tag is required.")
	_, err = ctl.UntagResource(ctx, &s3control.UntagResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b), TagKeys: []string{}})
	wantErr(t, err, "InvalidTag", 400, "")
	const invalid = "This request contains a tag key or value that isn't valid. Valid characters include the following: [a-zA-Z+-=._:/]. Tag keys can contain up to 128 characters. Tag values can contain up to 256 characters."
	for _, c := range []struct {
		label string
		kv    []string
		msg   string
	}{
		{"control-duplicate", []string{"dupe", "first", "dupe", "last"}, "There are duplicate tag keys in your request. Remove the duplicate tag keys and try again."},
		{"control-reserved", []string{"aws:owned", "no"}, `User-defined tag keys can't start with "aws:". This prefix is reserved for system tags. Remove "aws:" from your tag keys and try again.`},
		{"control-empty-key", []string{"", "no"}, invalid},
		{"control-invalid-key", []string{"bad!", "no"}, invalid},
		{"control-invalid-value", []string{"valid", "bad!"}, invalid},
		{"control-long-key", []string{strings.Repeat("k", 129), "no"}, invalid},
		{"control-long-value", []string{"valid", strings.Repeat("v", 257)}, invalid},
	} {
		wantErr(t, tagRes(ctl, b, c.kv...), "InvalidTag", 400, c.msg)
		if got := listTags(t, ctl, b); got != kept {
			t.Fatalf("%s-state: %s", c.label, got)
		}
	}
	must(0, tagRes(ctl, b, "empty", ""))
	if got := listTags(t, ctl, b); got != "alpha=enabled,empty=,keep=retained,zeta=last" {
		t.Fatalf("control-empty-value-state: %s", got)
	}
	wantErr(t, untagRes(ctl, b, "bad!"), "InvalidTag", 400, invalid)
	must(0, untagRes(ctl, b, "never-here"))

	// quota-*: 50 tags at most, counted on the tags the bucket would have.
	tagBucket(t, e.s3, b, numbered("k", 0, 49, "legacy")...)
	must(0, tagRes(ctl, b, "fiftieth", "50"))
	const tooMany = "The number of tags exceeds the limit of 50 tags. Remove some tags and try again."
	wantErr(t, tagRes(ctl, b, "over", "51"), "TooManyTags", 400, tooMany)
	must(0, tagRes(ctl, b, "k00", "updated"))
	wantErr(t, tagRes(ctl, b, numbered("q", 0, 51, "v")...), "TooManyTags", 400, tooMany)
	want := sortedKV(append(append(numbered("k", 1, 49, "legacy"), "k00", "updated"), "fiftieth", "50")...)
	if got := listTags(t, ctl, b); got != want {
		t.Fatalf("quota-rejected-request-state: %s", got)
	}
	must(0, untagRes(ctl, b, "fiftieth"))
	must(e.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)}))
	if got := listTags(t, ctl, b); got != "" {
		t.Fatalf("control-empty-after-legacy-delete: %s", got)
	}
	_, err = ctl.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b), Tags: []ctltypes.Tag{}})
	wantErr(t, err, "InvalidTag", 400, "At least one tag is required.")
	_, err = e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	wantErr(t, err, "NoSuchTagSet", 404, "")

	// route-*: the Region, the account and the ARN.
	west := e.controlFor(e.p.RootConfig(), func(o *s3control.Options) { o.Region = "us-west-2" })
	_, err = west.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b)})
	wantErr(t, err, "InvalidRequest", 400, "Try the request again using the bucket's region: us-east-1.")
	_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String("917546008205"), ResourceArn: bucketARN(b)})
	wantErr(t, err, "InvalidRequest", 400, "The specified AWS account ID does not own this S3 general purpose bucket. Use the account ID of the S3 bucket owner, then try again.")
	_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String("invalid"), ResourceArn: bucketARN(b)})
	wantErr(t, err, "AccessDenied", 403, "")
	for _, arn := range []string{"arn:aws:s3:us-east-1:" + account + ":bucket/" + b, "arn:aws:s3::" + account + ":" + b, "arn:aws:s3:::" + b + "/survivor"} {
		_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: aws.String(arn)})
		wantErr(t, err, "InvalidURI", 400, "")
	}
	_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b + "-absent")})
	wantErr(t, err, "NoSuchResource", 404, "The specified resource doesn't exist.")

	// create-tagged-west-tags: a bucket's tags are read in its own Region.
	must(e.region("us-west-2").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b + "-tagged-west"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		LocationConstraint: "us-west-2", Tags: []types.Tag{{Key: aws.String("project"), Value: aws.String("native-west")}}}}))
	if got := listTags(t, west, b+"-tagged-west"); got != "project=native-west" {
		t.Fatalf("create-tagged-west-tags: %s", got)
	}

	// abac-enabled-final, quota-control-*: with ABAC enabled, 50 through S3 Control,
	// then no more, then one for one.
	setABAC(t, e.s3, b, types.BucketAbacStatusEnabled)
	must(0, tagRes(ctl, b, numbered("c", 0, 50, "v")...))
	wantErr(t, tagRes(ctl, b, "extra", "v"), "TooManyTags", 400, tooMany)
	must(0, untagRes(ctl, b, "c49"))
	must(0, tagRes(ctl, b, "after", "v"))
	if got := listTags(t, ctl, b); got != sortedKV(append(numbered("c", 0, 49, "v"), "after", "v")...) {
		t.Fatalf("quota-control-final-state: %s", got)
	}
}

// roleConfigs creates an admin IAM user (the recordings' caller: the root user cannot
// assume roles) and a role it may assume with the given identity policy, and returns
// the caller's configuration and a function that opens sessions of the role with a
// session policy ("" for none), for clients of any service.
func (e *env) roleConfigs(role, policy string) (aws.Config, func(name, sessionPolicy string) aws.Config) {
	e.Helper()
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")})).User
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("p"), PolicyDocument: aws.String(adminPolicy)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")})).AccessKey
	cfg := e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")
	arn := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role),
		AssumeRolePolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "` + *u.Arn + `"}, "Action": "sts:AssumeRole"}]}`)})).Role.Arn
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("probe"), PolicyDocument: aws.String(policy)}))
	stsc := sts.NewFromConfig(cfg)
	return cfg, func(name, sessionPolicy string) aws.Config {
		in := &sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String(name)}
		if sessionPolicy != "" {
			in.Policy = aws.String(sessionPolicy)
		}
		c := must(stsc.AssumeRole(ctx, in)).Credentials
		return e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	}
}

// TestRecordedControlTagTransitions: a TagResource naming a key twice is refused
// whole; an UntagResource naming one twice fails with a 500 and changes nothing; a
// bucket whose creation failed has no tags to list; tags written through S3 Control
// take effect on ABAC decisions at once, both ways (abac_tag_transitions_replay.json,
// native-abac-duplicate-atomicity-and-settled-transitions; the propagation delays it
// measured are not replayed). Its access point calls are not: Palisade has no access
// points, and their ARNs name nothing here.
func TestRecordedControlTagTransitions(t *testing.T) {
	e := newEnv(t)
	const b = "abac-tag-transitions-bucket"
	callerCfg, session := e.roleConfigs("abac-tag-transitions-role", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::abac-tag-transitions-bucket", "Condition": {"StringEquals": {"aws:ResourceTag/Project": "Blue"}}}]}`)
	caller, ctl := s3Client(callerCfg), e.controlFor(callerCfg)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		Tags: []types.Tag{{Key: aws.String("duplicate"), Value: aws.String("original")}, {Key: aws.String("keep"), Value: aws.String("unchanged")}}}}))
	const initial = "duplicate=original,keep=unchanged"
	if got := listTags(t, ctl, b); got != initial {
		t.Fatalf("bucket-initial: %s", got)
	}
	for _, v := range [][2]string{{"first", "last"}, {"same", "same"}} {
		wantErr(t, tagRes(ctl, b, "sentinel", "must-not-appear", "duplicate", v[0], "duplicate", v[1]), "InvalidTag", 400, "")
		if got := listTags(t, ctl, b); got != initial {
			t.Fatalf("bucket-tag-duplicate-%s-state: %s", v[0], got)
		}
	}
	for _, keys := range [][]string{{"keep", "duplicate", "duplicate"}, {"keep", "missing", "missing"}, {"duplicate", "duplicate"}} {
		// AWS answered 500 InternalError (control_tags.go says why Palisade does not).
		wantErr(t, untagRes(ctl, b, keys...), "InvalidTag", 400, "")
		if got := listTags(t, ctl, b); got != initial {
			t.Fatalf("bucket-untag-%v-state: %s", keys, got)
		}
	}
	// ap-*: no access point exists here (recorded, 2026: access_point_control_replay.json,
	// tags-missing-list-tags-for-resource).
	_, err := ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account),
		ResourceArn: aws.String("arn:aws:s3:us-east-1:" + account + ":accesspoint/abac-tag-transitions-ap")})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	// create-tags-different: the bucket was never made.
	_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN("abac-tag-transitions-different")})
	wantErr(t, err, "NoSuchResource", 404, "")

	reader := s3Client(session("tag-reader", ""))
	list := func() error {
		_, err := reader.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		return err
	}
	must(0, tagRes(ctl, b, "Project", "Blue"))
	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	must(0, list())
	must(0, tagRes(ctl, b, "Project", "Red"))
	if got := listTags(t, ctl, b); got != "Project=Red,"+initial {
		t.Fatalf("authority-red-readback: %s", got)
	}
	wantErr(t, list(), "AccessDenied", 403, "")
	must(0, tagRes(ctl, b, "Project", "Blue"))
	must(0, list())
	must(0, untagRes(ctl, b, "Project"))
	if got := listTags(t, ctl, b); got != initial {
		t.Fatalf("authority-remove-readback: %s", got)
	}
	wantErr(t, list(), "AccessDenied", 403, "")

	// quota-*: 50 through PutBucketTagging with ABAC disabled, one off, one on.
	setABAC(t, caller, b, types.BucketAbacStatusDisabled)
	tagBucket(t, caller, b, numbered("q", 0, 50, "v")...)
	must(0, untagRes(ctl, b, "q49"))
	must(0, tagRes(ctl, b, "replacement", "v"))
	if got := listTags(t, ctl, b); got != sortedKV(append(numbered("q", 0, 49, "v"), "replacement", "v")...) {
		t.Fatalf("quota-replacement-state-1: %s", got)
	}
}

// TestRecordedControlTagAuthorization: s3:TagResource sees the request's tags as
// aws:RequestTag/<key> (condition keys without regard to case) and aws:TagKeys
// (values with it); s3:UntagResource sees the keys as aws:TagKeys and has no
// aws:RequestTag; with ABAC enabled the bucket's tags are aws:ResourceTag and
// s3:BucketTag to all three, with ABAC disabled they are not there; tag keys that
// differ in case are two tags (abac_authorization_replay.json, tag-request-*,
// untag-request-*, untag-requesttag-absent, tag-case-insensitive-condition-key,
// disabled-tag-resource-context-*, enabled-*-context-*, case-distinct-tag-storage,
// remove-exact-lower-key).
func TestRecordedControlTagAuthorization(t *testing.T) {
	e := newEnv(t)
	const b, other = "stackd-abac-authorization-bucket", "stackd-abac-authorization-other"
	callerCfg, session := e.roleConfigs("stackd-abac-authorization-role", abacSession(""))
	caller, ctl := s3Client(callerCfg), e.controlFor(callerCfg)
	for _, name := range []string{b, other} {
		must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
	}
	must(0, tagRes(ctl, b, "Project", "Blue", "Environment", "Test"))
	must(0, tagRes(ctl, other, "Project", "Blue"))
	allowed := func(label string, err error, want bool) {
		t.Helper()
		if want && err != nil {
			t.Errorf("%s: %v", label, err)
		}
		if !want && errCode(err) != "AccessDenied" {
			t.Errorf("%s: want AccessDenied, got %v", label, err)
		}
	}
	const res = `"Resource":["arn:aws:s3:::stackd-abac-authorization*"]`
	requestTags := e.controlFor(session("request-tags", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:TagResource","s3:CreateBucket"],`+res+
		`,"Condition":{"StringEquals":{"aws:RequestTag/Project":"Blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["Project","Environment"]}}},`+
		`{"Effect":"Allow","Action":"s3:UntagResource",`+res+`,"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["Project","Environment"]},"Null":{"aws:TagKeys":"false"}}}]}`))
	allowed("tag-request-valid", tagRes(requestTags, other, "Project", "Blue", "Environment", "Test"), true)
	allowed("tag-request-wrong-value", tagRes(requestTags, other, "Project", "blue"), false)
	allowed("tag-request-wrong-key", tagRes(requestTags, other, "Project", "Blue", "Other", "Test"), false)
	allowed("tag-request-case-key", tagRes(requestTags, other, "project", "Blue"), false)
	allowed("tag-request-missing-required", tagRes(requestTags, other, "Environment", "Test"), false)
	allowed("untag-request-['Environment']", untagRes(requestTags, other, "Environment"), true)
	allowed("untag-request-['Other']", untagRes(requestTags, other, "Other"), false)
	allowed("untag-request-['environment']", untagRes(requestTags, other, "environment"), false)
	untagValue := e.controlFor(session("untag-request-value", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:UntagResource",`+res+`,"Condition":{"StringEquals":{"aws:RequestTag/Project":"Blue"}}}]}`))
	allowed("untag-requesttag-absent", untagRes(untagValue, other, "Project"), false)
	valueOnly := e.controlFor(session("tag-value-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:TagResource",`+res+`,"Condition":{"StringEquals":{"aws:RequestTag/project":"Blue"}}}]}`))
	allowed("tag-case-insensitive-condition-key", tagRes(valueOnly, other, "Project", "Blue"), true)

	resource := e.controlFor(session("resource", abacSession(`{"StringEquals":{"aws:ResourceTag/Project":"Blue"}}`)))
	bucket := e.controlFor(session("bucket", abacSession(`{"StringEquals":{"s3:BucketTag/Project":"Blue"}}`)))
	for who, c := range map[string]*s3control.Client{"resource": resource, "bucket": bucket} {
		allowed("disabled-tag-resource-context-"+who, tagRes(c, other, "Extra", "Value"), false)
	}
	setABAC(t, caller, other, types.BucketAbacStatusEnabled)
	for who, c := range map[string]*s3control.Client{"resource": resource, "bucket": bucket} {
		allowed("enabled-tag-resource-context-"+who, tagRes(c, other, "Extra", "Value"), true)
		if got := listTags(t, c, other); got != "Extra=Value,Project=Blue" {
			t.Errorf("enabled-list-tags-context-%s: %s", who, got)
		}
	}

	setABAC(t, caller, b, types.BucketAbacStatusEnabled)
	must(0, tagRes(ctl, b, "project", "Lower"))
	if got := listTags(t, ctl, b); got != "Environment=Test,Project=Blue,project=Lower" {
		t.Errorf("case-distinct-tag-storage: %s", got)
	}
	must(0, untagRes(ctl, b, "project"))
	if got := listTags(t, ctl, b); got != "Environment=Test,Project=Blue" {
		t.Errorf("case-upper-key-retained: %s", got)
	}
}

// TestRecordedControlTagAudit: S3 Control's tag calls are S3 management events
// (eventSource s3.amazonaws.com) in the Region called, naming the bucket as their
// resource, with requestParameters of the bucket, the resource ARN, UntagResource's
// tagKeys (a string for one key, a list for more) and TagResource's body as JSON with
// its namespace; ListTagsForResource is read-only; a refused call carries its error;
// no call has responseElements (abac_audit_replay.json, control-tags-empty,
// control-sees-legacy, merge-disabled, untag-partial-unknown, untag-unknown,
// control-invalid-key, route-wrong-region). Changes to the tags reach AWS Config as
// PutBucketTagging's do.
func TestRecordedControlTagAudit(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Delegated")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Delegated"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Delegated")})).AccessKey
	cfg := e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")
	u, ctl := s3Client(cfg), e.controlFor(cfg)
	const b = "abac-controls"
	must(u.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	listTags(t, ctl, b)
	tagBucket(t, u, b, "zeta", "last", "alpha", "first", "keep", "retained")
	listTags(t, ctl, b)
	must(0, tagRes(ctl, b, "alpha", "updated", "new", "added"))
	must(0, untagRes(ctl, b, "new", "absent"))
	must(0, untagRes(ctl, b, "never-here"))
	wantErr(t, tagRes(ctl, b, "bad!", "no"), "InvalidTag", 400, "")
	west := e.controlFor(cfg, func(o *s3control.Options) { o.Region = "us-west-2" })
	_, err := west.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b)})
	wantErr(t, err, "InvalidRequest", 400, "")
	// Refusals, for their records: the error documents' sizes are AWS's, less its
	// x-amz-id-2's length, and each record names the bucket (control-duplicate,
	// control-reserved, quota-combined-fifty-one, route-wrong-account, route-absent).
	wantErr(t, tagRes(ctl, b, "dupe", "first", "dupe", "last"), "InvalidTag", 400, "")
	wantErr(t, tagRes(ctl, b, "aws:owned", "no"), "InvalidTag", 400, "")
	wantErr(t, tagRes(ctl, b, numbered("q", 0, 51, "v")...), "TooManyTags", 400, "")
	_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String("917546008205"), ResourceArn: bucketARN(b)})
	wantErr(t, err, "InvalidRequest", 400, "")
	_, err = ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b + "-absent")})
	wantErr(t, err, "NoSuchResource", 404, "")

	lists, tags, untags := e.trailRecords("ListTagsForResource"), e.trailRecords("TagResource"), e.trailRecords("UntagResource")
	if len(lists) != 5 || len(tags) != 5 || len(untags) != 2 {
		t.Fatalf("%d ListTagsForResource, %d TagResource, %d UntagResource records", len(lists), len(tags), len(untags))
	}
	base := `"bucketName":"abac-controls","resource":"arn:aws:s3:::abac-controls"`
	check := func(label string, r audit.Record, readOnly bool, region, params string, status int) {
		t.Helper()
		if r.EventSource != "s3.amazonaws.com" || r.ReadOnly != readOnly || r.EventCategory != "Management" || !r.ManagementEvent || r.AWSRegion != region {
			t.Errorf("%s: source %s readOnly %v category %s management %v region %s", label, r.EventSource, r.ReadOnly, r.EventCategory, r.ManagementEvent, r.AWSRegion)
		}
		sameJSON(t, label+" requestParameters", e.params(r), params)
		if len(r.Resources) != 1 || r.Resources[0].ARN != "arn:aws:s3:::"+b || r.Resources[0].Type != "AWS::S3::Bucket" || r.Resources[0].AccountID != account {
			t.Errorf("%s resources %+v", label, r.Resources)
		}
		if string(r.ResponseElements) != "null" {
			t.Errorf("%s responseElements %s", label, r.ResponseElements)
		}
		timing(t, r, status, false)
	}
	check("control-tags-empty", lists[0], true, "us-east-1", "{"+base+"}", 200)
	check("control-sees-legacy", lists[1], true, "us-east-1", "{"+base+"}", 200)
	// The bytes of the answer: AWS's were 159 and 306 for these tag sets.
	if lists[0].AdditionalEventData["bytesTransferredOut"] != float64(159) || lists[1].AdditionalEventData["bytesTransferredOut"] != float64(306) {
		t.Errorf("ListTagsForResource bytesTransferredOut %v, %v", lists[0].AdditionalEventData["bytesTransferredOut"], lists[1].AdditionalEventData["bytesTransferredOut"])
	}
	check("merge-disabled", tags[0], false, "us-east-1", `{`+base+`,"TagResourceRequest":{"Tags":{"Tag":[{"Key":"alpha","Value":"updated"},{"Key":"new","Value":"added"}]},"xmlns":"http://awss3control.amazonaws.com/doc/2018-08-20/"}}`, 204)
	// The Go SDK sends repeated query values sorted (AWS's record keeps them as sent:
	// boto3's new, absent).
	check("untag-partial-unknown", untags[0], false, "us-east-1", `{`+base+`,"tagKeys":["absent","new"]}`, 204)
	check("untag-unknown", untags[1], false, "us-east-1", `{`+base+`,"tagKeys":"never-here"}`, 204)
	check("control-invalid-key", tags[1], false, "us-east-1", `{`+base+`,"TagResourceRequest":{"Tags":{"Tag":{"Key":"bad!","Value":"no"}},"xmlns":"http://awss3control.amazonaws.com/doc/2018-08-20/"}}`, 400)
	if r := tags[1]; r.ErrorCode != "InvalidTag" || !strings.HasPrefix(r.ErrorMessage, "This request contains a tag key or value that isn't valid.") ||
		r.AdditionalEventData["bytesTransferredOut"] != float64(462) {
		t.Errorf("control-invalid-key: %s %q, %v bytes out (AWS's error document: 462)", r.ErrorCode, r.ErrorMessage, r.AdditionalEventData["bytesTransferredOut"])
	}
	check("route-wrong-region", lists[2], true, "us-west-2", "{"+base+"}", 400)
	if r := lists[2]; r.ErrorCode != "InvalidRequest" || r.ErrorMessage != "Try the request again using the bucket's region: us-east-1." {
		t.Errorf("route-wrong-region: %s %q", r.ErrorCode, r.ErrorMessage)
	}
	refused := func(label string, r audit.Record, code string, awsBytes, awsIDLen int, arn string) {
		t.Helper()
		id, _ := r.AdditionalEventData["x-amz-id-2"].(string)
		if r.ErrorCode != code || r.AdditionalEventData["bytesTransferredOut"] != float64(awsBytes-awsIDLen+len(id)) {
			t.Errorf("%s: %s, %v bytes out, want %s and AWS's %d", label, r.ErrorCode, r.AdditionalEventData["bytesTransferredOut"], code, awsBytes)
		}
		if len(r.Resources) != 1 || r.Resources[0].ARN != arn || r.Resources[0].AccountID != account {
			t.Errorf("%s resources %+v", label, r.Resources)
		}
	}
	refused("route-wrong-region", lists[2], "InvalidRequest", 342, 96, "arn:aws:s3:::"+b)
	refused("control-duplicate", tags[2], "InvalidTag", 349, 76, "arn:aws:s3:::"+b)
	refused("control-reserved", tags[3], "InvalidTag", 394, 76, "arn:aws:s3:::"+b)
	refused("quota-fifty-one-request", tags[4], "TooManyTags", 340, 76, "arn:aws:s3:::"+b)
	refused("route-wrong-account", lists[3], "InvalidRequest", 395, 76, "arn:aws:s3:::"+b)
	refused("route-absent", lists[4], "NoSuchResource", 300, 76, "arn:aws:s3:::"+b+"-absent")

	// AWS Config: the tag set after each change; an untag that removes nothing is no
	// change.
	var got []string
	for _, ev := range e.events(s3svc.EventSource) {
		var rc s3svc.ResourceChange
		if err := json.Unmarshal(ev.Data, &rc); err != nil {
			t.Fatal(err)
		}
		if rc.ConfigurationItem != "BucketTaggingConfiguration" {
			continue
		}
		var kv []string
		for k, v := range rc.Configuration.Tags {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		got = append(got, rc.EventName+":"+strings.Join(kv, ","))
	}
	want := []string{"PutBucketTagging:alpha=first,keep=retained,zeta=last", "TagResource:alpha=updated,keep=retained,new=added,zeta=last", "UntagResource:alpha=updated,keep=retained,zeta=last"}
	if !slices.Equal(got, want) {
		t.Errorf("resource changes:\n got %v\nwant %v", got, want)
	}
}

// TestRecordedAccountPABAudit: S3 Control's account-level public access block calls
// are recorded as S3's under their IAM action names, with the Host alone as
// requestParameters, and its errors are S3 Control's <ErrorResponse> documents
// naming the account (stackd testdata/aws/s3control/native_audit_replay.json,
// owner_short_header_prefixed: 391 bytes with a 96-character x-amz-id-2).
func TestRecordedAccountPABAudit(t *testing.T) {
	e := newEnv(t)
	_, err := e.controlFor(e.p.RootConfig()).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	wantErr(t, err, "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
	r := e.lastRecord("GetAccountPublicAccessBlock")
	if r.EventSource != "s3.amazonaws.com" || !r.ReadOnly || r.AWSRegion != "us-east-1" || len(r.Resources) != 0 || string(r.ResponseElements) != "null" ||
		r.ErrorCode != "NoSuchPublicAccessBlockConfiguration" || r.ErrorMessage != "The public access block configuration was not found" {
		t.Errorf("record %+v", r)
	}
	sameJSON(t, "requestParameters", e.params(r), `{}`)
	timing(t, r, 404, false)
	id, _ := r.AdditionalEventData["x-amz-id-2"].(string)
	if d := r.AdditionalEventData; d["bytesTransferredIn"] != float64(0) || d["bytesTransferredOut"] != float64(391-96+len(id)) {
		t.Errorf("bytes in %v out %v", d["bytesTransferredIn"], d["bytesTransferredOut"])
	}
}

// TestControlTagsOtherAccount: another account's caller cannot reach a bucket's tags
// through S3 Control: naming its own account is the recorded answer to an account that
// does not own the bucket (abac_controls_replay.json, route-wrong-account); naming the
// owner is refused as the account's other S3 Control settings are (inferred), even
// under a bucket policy that grants the actions.
func TestControlTagsOtherAccount(t *testing.T) {
	e := newEnv(t)
	const b, other = "ctl-tags-owned", "111122223333"
	e.bucket(b)
	must(0, e.policy(b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+other+`"},"Action":["s3:TagResource","s3:ListTagsForResource"],"Resource":"arn:aws:s3:::`+b+`"}]}`))
	ctl := e.controlFor(e.p.AccountConfig(other))
	_, err := ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(other), ResourceArn: bucketARN(b)})
	wantErr(t, err, "InvalidRequest", 400, "The specified AWS account ID does not own this S3 general purpose bucket. Use the account ID of the S3 bucket owner, then try again.")
	_, err = ctl.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: bucketARN(b), Tags: ctlTags("k", "v")})
	wantErr(t, err, "AccessDenied", 403, "")
	if got := listTags(t, e.controlFor(e.p.RootConfig()), b); got != "" {
		t.Fatalf("tags %q", got)
	}
}
