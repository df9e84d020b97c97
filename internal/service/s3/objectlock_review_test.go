package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	s3svc "github.com/palisade/palisade/internal/service/s3"
)

// An adversarial review of Object Lock: every path that could destroy, alter or hide
// a protected version's data or protection, tried as the root user, an administrator
// and a user allowed s3:* but s3:BypassGovernanceRetention ("How S3 Object Lock
// works", "Managing Object Lock", "Object Lock considerations", "Bypassing governance
// mode"). A COMPLIANCE retention in force yields to nobody; a GOVERNANCE one to the
// bypass header with its permission; a legal hold to PutObjectLegalHold OFF only.

const reviewPayload = "object-lock-native-payload"

// reviewEnv is a lock-enabled bucket with the three callers.
type reviewEnv struct {
	*lockEnv
	admin, s3User *s3.Client
}

func newReviewEnv(t *testing.T, bucket string) *reviewEnv {
	e := newLockEnv(t, bucket)
	admin := e.user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	s3User := e.user("s3-no-bypass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:BypassGovernanceRetention","Resource":"*"}]}`)
	return &reviewEnv{e, admin, s3User}
}

func (e *reviewEnv) callers() map[string]*s3.Client {
	return map[string]*s3.Client{"root": e.s3, "admin": e.admin, "s3-no-bypass": e.s3User}
}

// intact checks that a version still holds its payload and its retention.
func (e *reviewEnv) intact(what, key string, vid *string, mode types.ObjectLockRetentionMode, until time.Time) {
	e.Helper()
	out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: e.b, Key: aws.String(key), VersionId: vid})
	if err != nil {
		e.Fatalf("%s: version %s of %s is gone: %v", what, aws.ToString(vid), key, err)
	}
	if body := readBody(out.Body); body != reviewPayload {
		e.Errorf("%s: version %s of %s reads %q", what, aws.ToString(vid), key, body)
	}
	if mode != "" {
		wantDeadline(e.T, what, must(e.retention(key, vid)), mode, until)
	}
}

func (e *reviewEnv) deleteVersion(c *s3.Client, key string, vid *string, bypass *bool) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: e.b, Key: aws.String(key), VersionId: vid, BypassGovernanceRetention: bypass})
	return err
}

// TestLockReviewDeletes: no caller deletes a COMPLIANCE version in force, bypass or
// not, by DeleteObject or DeleteObjects (a mixed batch, quiet or not: quiet mode still
// reports errors); a GOVERNANCE version yields to the bypass only with its permission.
func TestLockReviewDeletes(t *testing.T) {
	e := newReviewEnv(t, "review-deletes")
	until := e.now().Add(time.Hour).Truncate(time.Second)
	comp := must(e.putLocked(e.s3, "compliance", types.ObjectLockModeCompliance, &until, ""))
	gov := must(e.putLocked(e.s3, "governance", types.ObjectLockModeGovernance, &until, ""))
	for name, c := range e.callers() {
		for _, bypass := range []*bool{nil, aws.Bool(false), aws.Bool(true)} {
			err := e.deleteVersion(c, "compliance", comp, bypass)
			wantErr(t, err, "AccessDenied", 403, "")
			if name == "s3-no-bypass" || !aws.ToBool(bypass) {
				err = e.deleteVersion(c, "governance", gov, bypass)
				wantErr(t, err, "AccessDenied", 403, "")
			}
			for _, quiet := range []bool{false, true} {
				free := e.put("review-deletes", "free", "x").VersionId
				out := must(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: e.b, BypassGovernanceRetention: bypass, Delete: &types.Delete{Quiet: aws.Bool(quiet), Objects: []types.ObjectIdentifier{
					{Key: aws.String("compliance"), VersionId: comp}, {Key: aws.String("free"), VersionId: free}, {Key: aws.String("compliance"), VersionId: comp}}}}))
				// The bypass header asks for its permission per key, protected or not
				// (as DeleteObject's: unprotected-header-no-bypass-action).
				want := 1
				if name == "s3-no-bypass" && aws.ToBool(bypass) {
					want = 0
				}
				if len(out.Errors) != 3-want {
					t.Errorf("%s bypass=%v quiet=%v: %d errors", name, aws.ToBool(bypass), quiet, len(out.Errors))
				}
				for _, x := range out.Errors {
					if aws.ToString(x.Code) != "AccessDenied" {
						t.Errorf("%s bypass=%v quiet=%v: error %s %s", name, aws.ToBool(bypass), quiet, aws.ToString(x.Key), aws.ToString(x.Code))
					}
				}
				if quiet {
					if len(out.Deleted) != 0 {
						t.Errorf("%s quiet: deleted %+v", name, out.Deleted)
					}
				} else if len(out.Deleted) != want {
					t.Errorf("%s: deleted %+v", name, out.Deleted)
				}
			}
		}
	}
	e.intact("after deletes", "compliance", comp, types.ObjectLockRetentionModeCompliance, until)
	e.intact("after deletes", "governance", gov, types.ObjectLockRetentionModeGovernance, until)

	// A plain delete hides the version behind a marker, as on AWS; the version stays.
	for _, c := range e.callers() {
		must(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: e.b, Key: aws.String("compliance")}))
	}
	e.intact("behind markers", "compliance", comp, types.ObjectLockRetentionModeCompliance, until)

	// The bypass frees GOVERNANCE for a caller allowed it (the admin).
	out := must(e.s3User.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: e.b, BypassGovernanceRetention: aws.Bool(true), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("governance"), VersionId: gov}}}}))
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Errorf("batch bypass without permission: %+v", out.Errors)
	}
	must(0, e.deleteVersion(e.admin, "governance", gov, aws.Bool(true)))
}

// TestLockReviewNullVersion: a null version written before versioning (and Object
// Lock) was turned on can be protected, and then is neither deleted nor replaced.
func TestLockReviewNullVersion(t *testing.T) {
	e := newLockEnv(t, "review-null")
	must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: e.b}))
	e.bucket("review-null")
	e.put("review-null", "k", reviewPayload)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: e.b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	e.setDefault("", 0, 0)
	r := &reviewEnv{lockEnv: e}
	null := aws.String("null")
	until := e.now().Add(time.Hour).Truncate(time.Second)
	must(0, e.setRetention(e.s3, "k", null, types.ObjectLockRetentionModeCompliance, &until, nil))
	err := r.deleteVersion(e.s3, "k", null, aws.Bool(true))
	wantErr(t, err, "AccessDenied", 403, "Access Denied because object protected by object lock.")
	out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: e.b, BypassGovernanceRetention: aws.Bool(true), Delete: &types.Delete{Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("k"), VersionId: null}}}}))
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Errorf("batch delete of the null version: %+v", out.Errors)
	}
	// Writes make new versions beside it.
	if v := e.put("review-null", "k", "new").VersionId; aws.ToString(v) == "null" {
		t.Errorf("PutObject wrote the null version")
	}
	cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: e.b, Key: aws.String("k"), CopySource: aws.String("review-null/k?versionId=null"), MetadataDirective: types.MetadataDirectiveReplace}))
	if aws.ToString(cp.VersionId) == "null" {
		t.Errorf("CopyObject onto itself wrote the null version")
	}
	r.intact("null version", "k", null, types.ObjectLockRetentionModeCompliance, until)
}

// TestLockReviewWrites: PutObject, CopyObject (onto the same key, from the protected
// version itself) and CompleteMultipartUpload write new versions: the protected one
// keeps its data and retention. Versioning cannot be suspended; the lock
// configuration's changes leave existing versions' retentions as they are; a bucket
// holding them is not deleted, nor recreated without Object Lock.
func TestLockReviewWrites(t *testing.T) {
	e := newReviewEnv(t, "review-writes")
	until := e.now().Add(time.Hour).Truncate(time.Second)
	comp := must(e.putLocked(e.s3, "k", types.ObjectLockModeCompliance, &until, ""))
	for name, c := range e.callers() {
		v := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: e.b, Key: aws.String("k"), Body: strings.NewReader("over-" + name)})).VersionId
		if aws.ToString(v) == aws.ToString(comp) {
			t.Errorf("%s: PutObject replaced the version", name)
		}
		cp := must(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: e.b, Key: aws.String("k"), CopySource: aws.String("review-writes/k?versionId=" + *comp),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"x": name}}))
		if aws.ToString(cp.VersionId) == aws.ToString(comp) {
			t.Errorf("%s: CopyObject replaced the version", name)
		}
		id := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: e.b, Key: aws.String("k")})).UploadId
		p := must(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: e.b, Key: aws.String("k"), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader("mpu")}))
		mv := must(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: e.b, Key: aws.String("k"), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: p.ETag, PartNumber: aws.Int32(1)}}}})).VersionId
		if aws.ToString(mv) == aws.ToString(comp) {
			t.Errorf("%s: CompleteMultipartUpload replaced the version", name)
		}
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: e.b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
		wantErr(t, err, "InvalidBucketState", 409, "")
		_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: e.b})
		wantErr(t, err, "BucketNotEmpty", 409, "")
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: e.b})
		wantErr(t, err, "BucketAlreadyOwnedByYou", 409, "")
	}
	e.intact("after writes", "k", comp, types.ObjectLockRetentionModeCompliance, until)
	if v := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: e.b})); v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning %q", v.Status)
	}

	// Shortening the default, or removing it, changes no existing version.
	e.setDefault(types.ObjectLockRetentionModeCompliance, 30, 0)
	at := e.now()
	dv := must(e.putLocked(e.s3, "default", "", nil, ""))
	e.setDefault(types.ObjectLockRetentionModeGovernance, 1, 0)
	e.intact("default shortened", "default", dv, types.ObjectLockRetentionModeCompliance, at.AddDate(0, 0, 30))
	e.setDefault("", 0, 0)
	e.intact("default removed", "default", dv, types.ObjectLockRetentionModeCompliance, at.AddDate(0, 0, 30))
	e.intact("default removed", "k", comp, types.ObjectLockRetentionModeCompliance, until)
	_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: e.b, Key: aws.String("default"), VersionId: dv, BypassGovernanceRetention: aws.Bool(true)})
	wantErr(t, err, "AccessDenied", 403, "")
}

// TestLockReviewRetentionChanges: PutObjectRetention shortening, removing or
// switching a retention, by each caller, with and without the bypass header; a legal
// hold is turned off only by a caller allowed s3:PutObjectLegalHold.
func TestLockReviewRetentionChanges(t *testing.T) {
	e := newReviewEnv(t, "review-retention")
	until := e.now().Add(time.Hour).Truncate(time.Second)
	shorter, later := until.Add(-30*time.Minute), until.Add(time.Hour)
	comp := must(e.putLocked(e.s3, "compliance", types.ObjectLockModeCompliance, &until, types.ObjectLockLegalHoldStatusOn))
	gov := must(e.putLocked(e.s3, "governance", types.ObjectLockModeGovernance, &until, ""))
	remove := func(c *s3.Client, key string, vid *string, bypass *bool) error {
		_, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: e.b, Key: aws.String(key), VersionId: vid, Retention: &types.ObjectLockRetention{}, BypassGovernanceRetention: bypass})
		return err
	}
	for name, c := range e.callers() {
		for _, bypass := range []*bool{nil, aws.Bool(true)} {
			for _, try := range []struct {
				mode types.ObjectLockRetentionMode
				at   time.Time
			}{{types.ObjectLockRetentionModeCompliance, shorter}, {types.ObjectLockRetentionModeGovernance, later}, {types.ObjectLockRetentionModeGovernance, shorter}} {
				err := e.setRetention(c, "compliance", comp, try.mode, &try.at, bypass)
				wantErr(t, err, "AccessDenied", 403, "")
			}
			wantErr(t, remove(c, "compliance", comp, bypass), "AccessDenied", 403, "")
			if name == "s3-no-bypass" || bypass == nil {
				wantErr(t, e.setRetention(c, "governance", gov, types.ObjectLockRetentionModeGovernance, &shorter, bypass), "AccessDenied", 403, "")
				wantErr(t, e.setRetention(c, "governance", gov, types.ObjectLockRetentionModeCompliance, &later, bypass), "AccessDenied", 403, "")
				wantErr(t, remove(c, "governance", gov, bypass), "AccessDenied", 403, "")
			}
		}
	}
	e.intact("after changes", "compliance", comp, types.ObjectLockRetentionModeCompliance, until)
	e.intact("after changes", "governance", gov, types.ObjectLockRetentionModeGovernance, until)

	noHold := e.user("no-hold", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObjectLegalHold","Resource":"*"}]}`)
	_, err := noHold.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: e.b, Key: aws.String("compliance"), VersionId: comp, LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}})
	wantErr(t, err, "AccessDenied", 403, "")
	if st := must(e.hold("compliance", comp)); st != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("hold after a refused OFF: %q", st)
	}
	// Extending stays open to all, in the same mode.
	for _, c := range e.callers() {
		later = later.Add(time.Minute)
		must(0, e.setRetention(c, "compliance", comp, types.ObjectLockRetentionModeCompliance, &later, nil))
	}
}

// TestLockReviewMetadata: ACL, tagging and restore requests on a protected version
// are allowed, as on AWS (Object Lock protects the data and its lock, not the
// version's other subresources), and leave data and retention as they were.
func TestLockReviewMetadata(t *testing.T) {
	e := newReviewEnv(t, "review-metadata")
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: e.b,
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	until := e.now().Add(time.Hour).Truncate(time.Second)
	comp := must(e.putLocked(e.s3, "k", types.ObjectLockModeCompliance, &until, types.ObjectLockLegalHoldStatusOn))
	for _, c := range e.callers() {
		must(c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: e.b, Key: aws.String("k"), VersionId: comp, ACL: types.ObjectCannedACLBucketOwnerRead}))
		must(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: e.b, Key: aws.String("k"), VersionId: comp, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}))
		must(c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: e.b, Key: aws.String("k"), VersionId: comp}))
	}
	e.intact("after metadata", "k", comp, types.ObjectLockRetentionModeCompliance, until)
	if st := must(e.hold("k", comp)); st != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("hold %q", st)
	}

	// An archived version under COMPLIANCE may be restored; the restore changes
	// neither its data nor its protection.
	arch := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: e.b, Key: aws.String("archived"), Body: strings.NewReader(reviewPayload), StorageClass: types.StorageClassGlacier,
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: &until})).VersionId
	code, _, err := e.restore("review-metadata", "archived", *arch, restoreReq(1, types.TierExpedited))
	if err != nil || code != 202 {
		t.Fatalf("restore of a locked archived version: %d %v", code, err)
	}
	wantDeadline(t, "restored", must(e.retention("archived", arch)), types.ObjectLockRetentionModeCompliance, until)
	e.p.Clock.Advance(10 * time.Minute)
	out := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: e.b, Key: aws.String("archived"), VersionId: arch}))
	if body := readBody(out.Body); body != reviewPayload {
		t.Errorf("restored copy reads %q", body)
	}
	err = e.deleteVersion(e.s3, "archived", arch, aws.Bool(true))
	wantErr(t, err, "AccessDenied", 403, "")
}

// TestLockReviewExpiry: a retention protects until its date and no longer: a
// second before it the version is refused deletion, a second after it is deleted,
// COMPLIANCE or GOVERNANCE, without the bypass.
func TestLockReviewExpiry(t *testing.T) {
	e := newReviewEnv(t, "review-expiry")
	until := e.now().Add(time.Hour).Truncate(time.Second)
	comp := must(e.putLocked(e.s3, "compliance", types.ObjectLockModeCompliance, &until, ""))
	gov := must(e.putLocked(e.s3, "governance", types.ObjectLockModeGovernance, &until, ""))
	e.p.Clock.Advance(until.Sub(e.now()) - time.Second)
	wantErr(t, e.deleteVersion(e.s3, "compliance", comp, nil), "AccessDenied", 403, "")
	wantErr(t, e.deleteVersion(e.s3User, "governance", gov, nil), "AccessDenied", 403, "")
	e.p.Clock.Advance(2 * time.Second)
	must(0, e.deleteVersion(e.s3User, "compliance", comp, nil))
	must(0, e.deleteVersion(e.s3User, "governance", gov, nil))
}

// TestLockReviewBypassHeaderValues: the bypass header is read as S3 reads a boolean
// header: "true" or "false" in any case (and white space around it, which HTTP
// drops); any other value ("1", "yes", "", a repeated header) is 400
// InvalidArgument naming the header, so it never frees anything; and "true" never
// frees a COMPLIANCE version.
func TestLockReviewBypassHeaderValues(t *testing.T) {
	e := newReviewEnv(t, "review-bypass")
	until := e.now().Add(time.Hour).Truncate(time.Second)
	comp := must(e.putLocked(e.s3, "compliance", types.ObjectLockModeCompliance, &until, ""))
	for _, v := range []string{"true", "True", "TRUE", " true ", "false", "1", "0", "yes", "", "true,true"} {
		want, code := 403, "<Code>AccessDenied</Code>"
		if t := strings.ToLower(strings.TrimSpace(v)); t != "true" && t != "false" {
			want, code = 400, "<ArgumentName>x-amz-bypass-governance-retention</ArgumentName>"
		}
		got, out := e.signed("DELETE", "/review-bypass/compliance?versionId="+*comp, map[string]string{"x-amz-bypass-governance-retention": v}, "")
		if got != want || !strings.Contains(out, code) {
			t.Errorf("delete with bypass %q: %d %s", v, got, out)
		}
		body := `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>GOVERNANCE</Mode><RetainUntilDate>` + until.Add(-time.Minute).Format(time.RFC3339) + `</RetainUntilDate></Retention>`
		sum := md5.Sum([]byte(body))
		got, out = e.signed("PUT", "/review-bypass/compliance?retention&versionId="+*comp, map[string]string{"x-amz-bypass-governance-retention": v, "Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, body)
		if got != want || !strings.Contains(out, code) {
			t.Errorf("retention with bypass %q: %d %s", v, got, out)
		}
	}
	e.intact("after header values", "compliance", comp, types.ObjectLockRetentionModeCompliance, until)
	for _, v := range []string{"1", "yes", "True", "TRUE"} {
		gov := must(e.putLocked(e.s3, "governance", types.ObjectLockModeGovernance, &until, ""))
		want := 204
		if v == "1" || v == "yes" {
			want = 400
		}
		if code, out := e.signed("DELETE", "/review-bypass/governance?versionId="+*gov, map[string]string{"x-amz-bypass-governance-retention": v}, ""); code != want {
			t.Errorf("bypass %q on GOVERNANCE: %d %s", v, code, out)
		}
	}
}

// TestLockReviewConditionKeys: a bucket policy denying PutObjectRetention while
// s3:object-lock-remaining-retention-days is under 30 refuses a retention asked for
// fewer days, whoever asks, and lets a longer one through ("Managing Object Lock",
// s3:object-lock-remaining-retention-days: the retention the request asks for); one
// denying COMPLIANCE by s3:object-lock-mode refuses it on PutObject and
// PutObjectRetention.
func TestLockReviewConditionKeys(t *testing.T) {
	e := newReviewEnv(t, "review-conditions")
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: e.b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:PutObjectRetention","Resource":"arn:aws:s3:::review-conditions/*","Condition":{"NumericLessThan":{"s3:object-lock-remaining-retention-days":"30"}}},` +
		`{"Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:PutObjectRetention"],"Resource":"arn:aws:s3:::review-conditions/mode-*","Condition":{"StringEquals":{"s3:object-lock-mode":"COMPLIANCE"}}}]}`)}))
	v := e.put("review-conditions", "k", reviewPayload).VersionId
	short, long := e.now().AddDate(0, 0, 10), e.now().AddDate(0, 0, 40)
	for _, c := range e.callers() {
		err := e.setRetention(c, "k", v, types.ObjectLockRetentionModeGovernance, &short, nil)
		wantErr(t, err, "AccessDenied", 403, "")
		long = long.Add(time.Minute)
		must(0, e.setRetention(c, "k", v, types.ObjectLockRetentionModeGovernance, &long, nil))
	}
	wantDeadline(t, "conditions", must(e.retention("k", v)), types.ObjectLockRetentionModeGovernance, long)
	_, err := e.putLocked(e.admin, "mode-k", types.ObjectLockModeCompliance, &long, "")
	wantErr(t, err, "AccessDenied", 403, "")
	mv := must(e.putLocked(e.admin, "mode-k", types.ObjectLockModeGovernance, &long, ""))
	err = e.setRetention(e.admin, "mode-k", mv, types.ObjectLockRetentionModeCompliance, &long, aws.Bool(true))
	wantErr(t, err, "AccessDenied", 403, "")

	// A removal asks for no retention: the keys are absent, so NumericLessThan does
	// not match and the bypass removes it; NumericLessThanIfExists matches an absent
	// key and refuses it (IAM User Guide, "...IfExists condition operators").
	remove := func(key string, vid *string) error {
		_, err := e.admin.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: e.b, Key: aws.String(key), VersionId: vid, Retention: &types.ObjectLockRetention{}, BypassGovernanceRetention: aws.Bool(true)})
		return err
	}
	must(0, remove("k", v))
	_, err = e.retention("k", v)
	wantErr(t, err, "NoSuchObjectLockConfiguration", 404, "")
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: e.b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:PutObjectRetention","Resource":"arn:aws:s3:::review-conditions/*","Condition":{"NumericLessThanIfExists":{"s3:object-lock-remaining-retention-days":"30"}}}]}`)}))
	mv = must(e.putLocked(e.admin, "k", types.ObjectLockModeGovernance, &long, ""))
	wantErr(t, remove("k", mv), "AccessDenied", 403, "")
	wantDeadline(t, "IfExists", must(e.retention("k", mv)), types.ObjectLockRetentionModeGovernance, long)

	// A bucket policy's Deny of the bypass binds the root user too.
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: e.b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Deny","Principal":"*","Action":["s3:BypassGovernanceRetention","s3:PutObjectLegalHold"],"Resource":"arn:aws:s3:::review-conditions/*"}]}`)}))
	for _, c := range e.callers() {
		wantErr(t, e.deleteVersion(c, "k", mv, aws.Bool(true)), "AccessDenied", 403, "")
		_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: e.b, Key: aws.String("k"), VersionId: mv, LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}})
		wantErr(t, err, "AccessDenied", 403, "")
	}
	e.intact("bypass denied", "k", mv, types.ObjectLockRetentionModeGovernance, long)

	// s3:object-lock-legal-hold is the status asked: a policy may forbid releases
	// while allowing holds.
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: e.b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:PutObjectLegalHold","Resource":"arn:aws:s3:::review-conditions/*","Condition":{"StringEquals":{"s3:object-lock-legal-hold":"OFF"}}}]}`)}))
	hold := func(c *s3.Client, st types.ObjectLockLegalHoldStatus) error {
		_, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: e.b, Key: aws.String("k"), VersionId: mv, LegalHold: &types.ObjectLockLegalHold{Status: st}})
		return err
	}
	for _, c := range e.callers() {
		must(0, hold(c, types.ObjectLockLegalHoldStatusOn))
		wantErr(t, hold(c, types.ObjectLockLegalHoldStatusOff), "AccessDenied", 403, "")
	}
	if st := must(e.hold("k", mv)); st != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("hold %q", st)
	}
}

// TestLockReviewServiceWrites: what an AWS service writes into a lock-enabled bucket
// (CloudTrail's log files here) gets the bucket's default retention like any other new
// version, so a trail's files in a COMPLIANCE bucket are WORM: no caller deletes them
// ("How S3 Object Lock works", default retention; inferred for service writes).
func TestLockReviewServiceWrites(t *testing.T) {
	e := newReviewEnv(t, "review-trail")
	e.setDefault(types.ObjectLockRetentionModeCompliance, 1, 0)
	must(0, e.policy("review-trail", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::review-trail/AWSLogs/*"}]}`))
	const key = "AWSLogs/000000000000/CloudTrail/us-east-1/log.json.gz"
	at := e.now()
	must(0, e.p.S3.PutObjectAsService(ctx, "review-trail", key, strings.NewReader(reviewPayload), s3svc.ServicePut{Principal: "cloudtrail.amazonaws.com",
		SourceAccount: account, SourceArn: "arn:aws:cloudtrail:us-east-1:000000000000:trail/main", ContentType: "application/json"}))
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: e.b, Key: aws.String(key)}))
	e.intact("service write", key, h.VersionId, types.ObjectLockRetentionModeCompliance, at.AddDate(0, 0, 1))
	for _, c := range e.callers() {
		wantErr(t, e.deleteVersion(c, key, h.VersionId, nil), "AccessDenied", 403, "Access Denied because object protected by object lock.")
	}
	e.intact("service write after deletes", key, h.VersionId, types.ObjectLockRetentionModeCompliance, at.AddDate(0, 0, 1))
}

// TestLockReviewAccessLogs: S3 delivers no server access logs into a bucket with
// Object Lock ("Object Lock considerations"; "Troubleshoot server access logging":
// "Object Lock blocks server access log delivery"), while the same records reach a
// bucket without it in the same delivery.
func TestLockReviewAccessLogs(t *testing.T) {
	e := newReviewEnv(t, "review-log-locked")
	e.bucket("review-log-open")
	e.bucket("review-log-source-a")
	e.bucket("review-log-source-b")
	for _, target := range []string{"review-log-locked", "review-log-open"} {
		must(0, e.policy(target, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::`+target+`/*"}]}`))
	}
	for source, target := range map[string]string{"review-log-source-a": "review-log-locked", "review-log-source-b": "review-log-open"} {
		must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(source), BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String("logs/")}}}))
		e.put(source, "k", "x")
	}
	time.Sleep(1500 * time.Millisecond) // records are queued within a second
	e.p.Clock.Advance(10 * time.Minute)
	count := func(b string) int {
		return len(must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String("logs/")})).Versions)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && count("review-log-open") == 0; time.Sleep(100 * time.Millisecond) {
	}
	if count("review-log-open") == 0 {
		t.Fatal("no access log delivered to the bucket without Object Lock")
	}
	if n := count("review-log-locked"); n != 0 {
		t.Errorf("%d access logs delivered into a bucket with Object Lock", n)
	}
}
