package s3_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Cases of restore_replay.json (recorded, 2026), replayed against Palisade's clock:
// Expedited completes five minutes after it is accepted, as the recording's local
// normalization has it.

// nineAM moves Palisade's clock to the next 09:00 UTC, so that the restore expiry
// dates below (midnights) do not depend on the time the test runs.
func nineAM(e *env) time.Time {
	now := e.p.Clock.Now()
	at := now.Truncate(24 * time.Hour).Add(9 * time.Hour)
	if !at.After(now) {
		at = at.Add(24 * time.Hour)
	}
	return e.p.Clock.Advance(at.Sub(now))
}

func restoreReq(days int32, tier types.Tier) *types.RestoreRequest {
	r := &types.RestoreRequest{Days: aws.Int32(days)}
	if tier != "" {
		r.GlacierJobParameters = &types.GlacierJobParameters{Tier: tier}
	}
	return r
}

// restore sends RestoreObject and answers its HTTP status (the SDK's output does not
// carry 202 apart from 200) and x-amz-version-id, or the error.
func (e *env) restore(bucket, key, version string, r *types.RestoreRequest) (int, string, error) {
	e.Helper()
	in := &s3.RestoreObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), RestoreRequest: r}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := e.s3.RestoreObject(ctx, in)
	if err != nil {
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) {
			return re.HTTPStatusCode(), "", err
		}
		return 0, "", err
	}
	resp := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
	return resp.StatusCode, resp.Header.Get("x-amz-version-id"), nil
}

func (e *env) putClass(bucket, key string, class types.StorageClass) string {
	e.Helper()
	out := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader("stackd restore native payload, alpha\n"), StorageClass: class}))
	return aws.ToString(out.VersionId)
}

func (e *env) restoreHead(bucket, key string) *string {
	e.Helper()
	return must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})).Restore
}

func wantRestoreErr(t *testing.T, label string, status int, err error, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || errCode(err) != code {
		t.Errorf("%s: %d %v, want %d %s", label, status, err, wantStatus, code)
	}
}

func TestRestoreObjectRefusals(t *testing.T) {
	e := newEnv(t)
	const b = "restore-native"
	e.bucket(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	for _, k := range []string{"glacier", "marker"} {
		e.putClass(b, k, types.StorageClassGlacier)
	}
	bounds := e.putClass(b, "bounds", types.StorageClassGlacier)
	e.putClass(b, "deep", types.StorageClassDeepArchive)
	for k, c := range map[string]types.StorageClass{"standard": types.StorageClassStandard, "ia": types.StorageClassStandardIa,
		"instant": types.StorageClassGlacierIr, "intelligent": types.StorageClassIntelligentTiering} {
		e.putClass(b, k, c)
	}
	marker := aws.ToString(must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("marker")})).VersionId)

	st, _, err := e.restore(b, "missing", "", restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "missing-key", st, err, 404, "NoSuchKey")
	st, _, err = e.restore(b, "marker", "", restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "current-marker", st, err, 404, "NoSuchKey")
	st, _, err = e.restore(b, "marker", marker, restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "explicit-marker", st, err, 405, "MethodNotAllowed")
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		h := re.Response.Header
		if h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") != marker || h.Get("Allow") != "DELETE" {
			t.Errorf("explicit-marker headers %v", h)
		}
	}
	st, _, err = e.restore(b, "glacier", "not-a-version", restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "invalid-version-syntax", st, err, 400, "InvalidArgument")
	st, _, err = e.restore(b, "glacier", bounds, restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "missing-version", st, err, 404, "NoSuchVersion")
	_, err = e.s3.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String(b), Key: aws.String("glacier"),
		RestoreRequest: restoreReq(1, types.TierExpedited), ExpectedBucketOwner: aws.String("111111111111")})
	if errCode(err) != "AccessDenied" {
		t.Errorf("expected-owner-mismatch: %v", err)
	}

	for _, k := range []string{"standard", "ia", "instant", "intelligent"} {
		st, _, err = e.restore(b, k, "", restoreReq(1, types.TierExpedited))
		wantRestoreErr(t, "class-"+k, st, err, 403, "InvalidObjectState")
		if err != nil && !strings.Contains(err.Error(), "Restore is not allowed for the object's current storage class") {
			t.Errorf("class-%s message: %v", k, err)
		}
		if got := e.get(b, k); got == "" {
			t.Errorf("payload-%s empty", k)
		}
	}

	for _, c := range []struct {
		label, key string
		req        *types.RestoreRequest
		status     int
		code       string
	}{
		{"empty", "bounds", &types.RestoreRequest{}, 400, "MalformedXML"},
		{"missing-days", "bounds", &types.RestoreRequest{GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierExpedited}}, 400, "MalformedXML"},
		{"days-zero", "bounds", &types.RestoreRequest{Days: aws.Int32(0)}, 400, "InvalidArgument"},
		{"days-negative", "bounds", &types.RestoreRequest{Days: aws.Int32(-1)}, 400, "InvalidArgument"},
		{"int32-minimum", "bounds", &types.RestoreRequest{Days: aws.Int32(-2147483648)}, 400, "InvalidArgument"},
		{"tier-invalid", "bounds", restoreReq(1, "Nonsense"), 400, "MalformedXML"},
		{"tier-lowercase", "bounds", restoreReq(1, "expedited"), 400, "MalformedXML"},
		{"top-tier-invalid", "bounds", &types.RestoreRequest{Days: aws.Int32(1), Tier: "Nonsense"}, 400, "MalformedXML"},
		{"top-tier-only", "bounds", &types.RestoreRequest{Days: aws.Int32(1), Tier: types.TierBulk}, 400, "MalformedXML"},
		{"both-tier-conflict", "bounds", &types.RestoreRequest{Days: aws.Int32(1), Tier: types.TierStandard,
			GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierBulk}}, 400, "MalformedXML"},
		{"output-days", "bounds", &types.RestoreRequest{Days: aws.Int32(1), OutputLocation: &types.OutputLocation{
			S3: &types.S3Location{BucketName: aws.String(b), Prefix: aws.String("select-output/")}}}, 400, "MalformedXML"},
		{"invalid-type", "bounds", &types.RestoreRequest{Days: aws.Int32(1), Type: "Nonsense"}, 400, "MalformedXML"},
		{"select-minimal", "bounds", &types.RestoreRequest{Type: types.RestoreRequestTypeSelect}, 405, "MethodNotAllowed"},
		{"select-ordinary", "standard", &types.RestoreRequest{Type: types.RestoreRequestTypeSelect}, 403, "InvalidObjectState"},
		{"deep-expedited", "deep", restoreReq(1, types.TierExpedited), 403, "InvalidTier"},
		{"deep-invalid-tier", "deep", restoreReq(1, "Nonsense"), 400, "MalformedXML"},
	} {
		st, _, err := e.restore(b, c.key, "", c.req)
		wantRestoreErr(t, c.label, st, err, c.status, c.code)
	}
	// Days beyond int32 are MalformedXML, the body sent as AWS got it (days-overflow,
	// below-int32-minimum).
	for _, days := range []string{"2147483648", "-2147483649"} {
		body := `<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>` + days + `</Days></RestoreRequest>`
		req, _ := http.NewRequest("POST", e.p.URL+"/"+b+"/bounds?restore", bytes.NewReader([]byte(body)))
		sum := sha256.Sum256([]byte(body))
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		apptest.SignAsRoot(t, req, "s3", hex.EncodeToString(sum[:]))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(resp); resp.StatusCode != 400 || !strings.Contains(got, "<Code>MalformedXML</Code>") {
			t.Errorf("Days %s: %d %s", days, resp.StatusCode, got)
		}
	}

	// None of the refusals started a restore (head-archived, list-archived).
	if h := e.restoreHead(b, "glacier"); h != nil {
		t.Errorf("head-archived Restore %q", *h)
	}
	if h := e.restoreHead(b, "bounds"); h != nil {
		t.Errorf("bounds Restore %q", *h)
	}
	// The largest Days is taken (days-maxint).
	if st, v, err := e.restore(b, "bounds", "", &types.RestoreRequest{Days: aws.Int32(2147483647)}); st != 202 || v == "" {
		t.Errorf("days-maxint: %d %q %v", st, v, err)
	}
}

func TestRestoreObjectLifecycle(t *testing.T) {
	e := newEnv(t)
	const b = "restore-life"
	e.bucket(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	gv := e.putClass(b, "glacier", types.StorageClassGlacier)
	dv := e.putClass(b, "deep", types.StorageClassDeepArchive)
	e.putClass(b, "standard", types.StorageClassStandard)
	start := nineAM(e)
	day := start.Truncate(24 * time.Hour)
	expires := func(days int) string {
		return `ongoing-request="false", expiry-date="` + day.AddDate(0, 0, days+1).Format(http.TimeFormat) + `"`
	}
	getErr := func(label string) {
		t.Helper()
		_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("glacier")})
		if errCode(err) != "InvalidObjectState" {
			t.Errorf("%s: GET %v", label, err)
		}
	}
	listed := func(label string, want map[string]string) {
		t.Helper()
		out := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b),
			OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}}))
		got := map[string]string{}
		for _, o := range out.Contents {
			if rs := o.RestoreStatus; rs != nil {
				s := "ongoing"
				if !aws.ToBool(rs.IsRestoreInProgress) {
					s = "until " + aws.ToTime(rs.RestoreExpiryDate).UTC().Format(time.RFC3339)
				} else if rs.RestoreExpiryDate != nil {
					s += " with expiry"
				}
				got[*o.Key] = s
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: RestoreStatus %v, want %v", label, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s RestoreStatus %q, want %q", label, k, got[k], v)
			}
		}
		v1 := must(e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(b),
			OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}}))
		for _, o := range v1.Contents {
			if (o.RestoreStatus != nil) != (want[*o.Key] != "") {
				t.Errorf("%s: ListObjects %s RestoreStatus %+v", label, *o.Key, o.RestoreStatus)
			}
		}
		vs := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b),
			OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}}))
		for _, v := range vs.Versions {
			if (v.RestoreStatus != nil) != (want[*v.Key] != "") {
				t.Errorf("%s: version %s RestoreStatus %+v", label, *v.Key, v.RestoreStatus)
			}
		}
	}
	// Without the option, no RestoreStatus.
	defer func() {
		out := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)}))
		for _, o := range out.Contents {
			if o.RestoreStatus != nil {
				t.Errorf("%s listed RestoreStatus unasked", *o.Key)
			}
		}
	}()

	listed("list-archived", nil)
	if st, v, err := e.restore(b, "glacier", gv, restoreReq(1, types.TierExpedited)); st != 202 || v != gv {
		t.Fatalf("start-expedited: %d %q %v", st, v, err)
	}
	st, _, err := e.restore(b, "glacier", gv, restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "pending-repeat", st, err, 409, "RestoreAlreadyInProgress")
	st, _, err = e.restore(b, "glacier", "", restoreReq(2, types.TierExpedited))
	wantRestoreErr(t, "pending-change-days", st, err, 409, "RestoreAlreadyInProgress")
	if st, v, err := e.restore(b, "deep", "", restoreReq(1, types.TierBulk)); st != 202 || v != dv {
		t.Errorf("deep-bulk: %d %q %v", st, v, err)
	}
	if h := e.restoreHead(b, "glacier"); aws.ToString(h) != `ongoing-request="true"` {
		t.Errorf("head-pending Restore %v", aws.ToString(h))
	}
	getErr("get-pending")
	listed("list-pending", map[string]string{"glacier": "ongoing", "deep": "ongoing"})

	// Expedited: done five minutes after it was accepted, not before.
	e.p.Clock.Advance(5*time.Minute - 2*time.Second)
	if h := e.restoreHead(b, "glacier"); aws.ToString(h) != `ongoing-request="true"` {
		t.Errorf("before completion Restore %v", aws.ToString(h))
	}
	e.p.Clock.Advance(10 * time.Second)
	if h := e.restoreHead(b, "glacier"); aws.ToString(h) != expires(1) {
		t.Errorf("poll-restore Restore %v, want %s", aws.ToString(h), expires(1))
	}
	out := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("glacier"), VersionId: aws.String(gv)}))
	if body := readBody(out.Body); body != "stackd restore native payload, alpha\n" || aws.ToString(out.Restore) != expires(1) || out.StorageClass != types.StorageClassGlacier {
		t.Errorf("restored-payload %q %q %q", body, aws.ToString(out.Restore), out.StorageClass)
	}
	listed("list-restored", map[string]string{"glacier": "until " + day.AddDate(0, 0, 2).Format(time.RFC3339), "deep": "ongoing"})
	// GetObjectAttributes has no restore header (attributes-restored).
	attrs, err := e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("glacier"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesStorageClass}})
	if err != nil || attrs.StorageClass != types.StorageClassGlacier {
		t.Errorf("attributes-restored %+v %v", attrs, err)
	}

	// A restored copy's expiry is set anew, 200 (already-restored-same, -extend,
	// -shorten: without GlacierJobParameters too).
	for _, c := range []struct {
		days int32
		tier types.Tier
	}{{1, types.TierExpedited}, {3, types.TierExpedited}, {1, ""}} {
		if st, v, err := e.restore(b, "glacier", "", restoreReq(c.days, c.tier)); st != 200 || v != gv {
			t.Errorf("already-restored %d: %d %q %v", c.days, st, v, err)
		}
		if h := e.restoreHead(b, "glacier"); aws.ToString(h) != expires(int(c.days)) {
			t.Errorf("after %d days: Restore %v, want %s", c.days, aws.ToString(h), expires(int(c.days)))
		}
	}
	// A copy of the restored object is an object of its own (derived regression).
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copied"), CopySource: aws.String(b + "/glacier")}))

	// The copy goes at midnight of the day after the Days (expire-restored-copy-at-exact-midnight).
	now := e.p.Clock.Now()
	e.p.Clock.Advance(day.AddDate(0, 0, 2).Sub(now) - time.Second)
	if h := e.restoreHead(b, "glacier"); aws.ToString(h) != expires(1) {
		t.Errorf("before expiry Restore %v", aws.ToString(h))
	}
	e.p.Clock.Advance(2 * time.Second)
	if h := e.restoreHead(b, "glacier"); h != nil {
		t.Errorf("expired Restore %q", *h)
	}
	getErr("archived-payload-unavailable-after-expiry")
	if got := e.get(b, "copied"); got != "stackd restore native payload, alpha\n" {
		t.Errorf("copied %q", got)
	}
	// The DEEP_ARCHIVE Bulk restore took its 48 hours.
	if h := e.restoreHead(b, "deep"); aws.ToString(h) != `ongoing-request="true"` {
		t.Errorf("deep before 48h Restore %v", aws.ToString(h))
	}
	// A fresh restore can start (expired-version-can-start-another-restore).
	if st, _, err := e.restore(b, "glacier", gv, restoreReq(1, types.TierExpedited)); st != 202 {
		t.Errorf("restore after expiry: %d %v", st, err)
	}
	if h := e.restoreHead(b, "glacier"); aws.ToString(h) != `ongoing-request="true"` {
		t.Errorf("new-restore-remains-pending Restore %v", aws.ToString(h))
	}
	listed("list-again", map[string]string{"glacier": "ongoing", "deep": "ongoing"})
}

// A restore in progress takes a faster tier for the same Days and nothing else
// (native-pending-tier-upgrades); the restore survives a restart.
func TestRestoreObjectTierUpgrades(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, s3: s3Client(p.RootConfig())}
	const b = "restore-upgrades"
	e.bucket(b)
	for _, k := range []string{"missing-days", "changed-days", "same-days"} {
		e.putClass(b, k, types.StorageClassGlacier)
		if st, _, err := e.restore(b, k, "", restoreReq(1, types.TierBulk)); st != 202 {
			t.Fatalf("initiate-%s: %d %v", k, st, err)
		}
	}
	st, _, err := e.restore(b, "missing-days", "", &types.RestoreRequest{GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}})
	wantRestoreErr(t, "upgrade-missing-days-standard", st, err, 400, "MalformedXML")
	st, _, err = e.restore(b, "changed-days", "", restoreReq(2, types.TierStandard))
	wantRestoreErr(t, "upgrade-changed-days-standard", st, err, 409, "RestoreAlreadyInProgress")
	if st, _, err := e.restore(b, "same-days", "", restoreReq(1, types.TierStandard)); st != 202 {
		t.Errorf("upgrade-same-days-standard: %d %v", st, err)
	}
	// Reopen: the restore is the version's record.
	p.Stop()
	p = apptest.StartIn(t, dir)
	e = &env{T: t, p: p, s3: s3Client(p.RootConfig())}
	st, _, err = e.restore(b, "same-days", "", restoreReq(1, types.TierBulk))
	wantRestoreErr(t, "downgrade-same-days-bulk", st, err, 409, "RestoreAlreadyInProgress")
	for _, k := range []string{"missing-days", "same-days"} {
		if st, _, err := e.restore(b, k, "", restoreReq(1, types.TierExpedited)); st != 202 {
			t.Errorf("upgrade-expedited-%s: %d %v", k, st, err)
		}
	}
	st, _, err = e.restore(b, "changed-days", "", restoreReq(2, types.TierExpedited))
	wantRestoreErr(t, "upgrade-expedited-changed-days", st, err, 409, "RestoreAlreadyInProgress")
	for _, k := range []string{"missing-days", "changed-days", "same-days"} {
		if h := e.restoreHead(b, k); aws.ToString(h) != `ongoing-request="true"` {
			t.Errorf("poll-%s Restore %v", k, aws.ToString(h))
		}
	}
	e.p.Clock.Advance(10 * time.Minute)
	for k, done := range map[string]bool{"missing-days": true, "same-days": true, "changed-days": false} {
		h := aws.ToString(e.restoreHead(b, k))
		if strings.HasPrefix(h, `ongoing-request="false", expiry-date="`) != done || !done && h != `ongoing-request="true"` {
			t.Errorf("poll-%s after 10 minutes: Restore %q", k, h)
		}
	}
	// Bulk (GLACIER): done within 12 hours.
	e.p.Clock.Advance(12 * time.Hour)
	if h := aws.ToString(e.restoreHead(b, "changed-days")); !strings.HasPrefix(h, `ongoing-request="false"`) {
		t.Errorf("bulk after 12 hours: Restore %q", h)
	}
}

// RestoreObject is authorized as s3:RestoreObject, not s3:GetObject (recorded:
// authorized-no-get, denied-get-before, get-only-restore-denied-*).
func TestRestoreObjectAuthorization(t *testing.T) {
	e := newEnv(t)
	const b = "restore-authority"
	e.bucket(b)
	e.putClass(b, "permission", types.StorageClassGlacier)
	e.putClass(b, "ordinary", types.StorageClassStandard)
	restoreOnly := e.user("restore-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:RestoreObject","Resource":"arn:aws:s3:::`+b+`/*"},
		{"Effect":"Deny","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::`+b+`/*"}]}`)
	getOnly := e.user("get-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::`+b+`/*"}]}`)
	for _, k := range []string{"ordinary", "permission"} {
		_, err := getOnly.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String(b), Key: aws.String(k), RestoreRequest: restoreReq(1, types.TierBulk)})
		if errCode(err) != "AccessDenied" {
			t.Errorf("get-only-restore-denied-%s: %v", k, err)
		}
	}
	if _, err := restoreOnly.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String(b), Key: aws.String("permission"),
		RestoreRequest: restoreReq(1, types.TierExpedited)}); err != nil {
		t.Errorf("authorized-no-get: %v", err)
	}
	e.p.Clock.Advance(6 * time.Minute)
	if _, err := restoreOnly.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("permission")}); errCode(err) != "AccessDenied" {
		t.Errorf("denied-get-after: %v", err)
	}
	if got := e.get(b, "permission"); got != "stackd restore native payload, alpha\n" {
		t.Errorf("permission-owner-payload %q", got)
	}
}

// RestoreObject's CloudTrail data events (recorded, 2026: restore_delivery_replay.json,
// sequences 62, 66, 97, 98): the RestoreRequest document and the restore sub-resource
// as request parameters, no response elements, the object's size; the 409 with its
// message and no turnAroundTime.
func TestRestoreObjectTrail(t *testing.T) {
	e := newEnv(t)
	const b = "restore-trail"
	e.bucket(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	e.dataTrail()
	gv := e.putClass(b, "glacier", types.StorageClassGlacier)
	if st, _, err := e.restore(b, "glacier", "", restoreReq(1, types.TierExpedited)); st != 202 {
		t.Fatalf("restore: %d %v", st, err)
	}
	r := e.lastRecord("RestoreObject")
	sameJSON(t, "RestoreObject requestParameters", e.params(r), `{"bucketName":"restore-trail","key":"glacier","restore":"",
		"RestoreRequest":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","Days":1,"GlacierJobParameters":{"Tier":"Expedited"}}}`)
	if string(r.ResponseElements) != "null" || r.ReadOnly || r.ManagementEvent || r.EventCategory != "Data" || len(r.Resources) != 2 ||
		r.Resources[1].ARN != "arn:aws:s3:::"+b+"/glacier" {
		t.Errorf("RestoreObject record %+v", r)
	}
	timing(t, r, 202, true)
	if r.AdditionalEventData["objectSize"] != float64(37) || r.AdditionalEventData["bytesTransferredOut"] != float64(0) {
		t.Errorf("RestoreObject additionalEventData %v", r.AdditionalEventData)
	}

	_, _, err := e.restore(b, "glacier", gv, restoreReq(1, types.TierExpedited))
	wantErr(t, err, "RestoreAlreadyInProgress", 409, "")
	r = e.lastRecord("RestoreObject")
	if r.ErrorCode != "RestoreAlreadyInProgress" || r.ErrorMessage != "Object restore is already in progress" {
		t.Errorf("pending-repeat error %q %q", r.ErrorCode, r.ErrorMessage)
	}
	if e.params(r)["versionId"] != gv || r.AdditionalEventData["objectSize"] != float64(37) {
		t.Errorf("pending-repeat record %s %v", r.RequestParameters, r.AdditionalEventData)
	}
	timing(t, r, 409, false)

	e.p.Clock.Advance(6 * time.Minute)
	if st, _, err := e.restore(b, "glacier", "", restoreReq(3, types.TierExpedited)); st != 200 {
		t.Fatalf("extend: %d %v", st, err)
	}
	r = e.lastRecord("RestoreObject")
	timing(t, r, 200, true)
	if p := e.params(r)["RestoreRequest"].(map[string]any); p["Days"] != float64(3) {
		t.Errorf("already-restored-extend RestoreRequest %v", p)
	}
}

// Each class and tier completes after its fixed time: GLACIER Expedited 5 minutes,
// Standard 5 hours, Bulk 12 hours; DEEP_ARCHIVE Standard 12 hours, Bulk 48 hours (the
// upper bounds of the S3 User Guide's ranges; Expedited as restore_replay.json
// normalizes it).
func TestRestoreObjectDurations(t *testing.T) {
	e := newEnv(t)
	const b = "restore-durations"
	e.bucket(b)
	cases := []struct {
		key   string
		class types.StorageClass
		tier  types.Tier
		took  time.Duration
	}{
		{"g-expedited", types.StorageClassGlacier, types.TierExpedited, 5 * time.Minute},
		{"g-standard", types.StorageClassGlacier, types.TierStandard, 5 * time.Hour},
		{"g-default", types.StorageClassGlacier, "", 5 * time.Hour},
		{"g-bulk", types.StorageClassGlacier, types.TierBulk, 12 * time.Hour},
		{"d-standard", types.StorageClassDeepArchive, types.TierStandard, 12 * time.Hour},
		{"d-bulk", types.StorageClassDeepArchive, types.TierBulk, 48 * time.Hour},
	}
	for _, c := range cases {
		e.putClass(b, c.key, c.class)
	}
	start := e.p.Clock.Now()
	for _, c := range cases {
		if st, _, err := e.restore(b, c.key, "", restoreReq(1, c.tier)); st != 202 {
			t.Fatalf("%s: %d %v", c.key, st, err)
		}
	}
	var elapsed time.Duration
	for _, took := range []time.Duration{5 * time.Minute, 5 * time.Hour, 12 * time.Hour, 48 * time.Hour} {
		// The restores were accepted within a few seconds of start.
		step := took - 30*time.Second - elapsed
		e.p.Clock.Advance(step)
		elapsed += step
		for _, c := range cases {
			if c.took == took {
				if h := aws.ToString(e.restoreHead(b, c.key)); h != `ongoing-request="true"` {
					t.Errorf("%s before %v: %q", c.key, c.took, h)
				}
			}
		}
		e.p.Clock.Advance(time.Minute)
		elapsed += time.Minute
		for _, c := range cases {
			if c.took == took {
				if h := aws.ToString(e.restoreHead(b, c.key)); !strings.HasPrefix(h, `ongoing-request="false", expiry-date="`) {
					t.Errorf("%s after %v: %q", c.key, c.took, h)
				}
			}
		}
	}
	if e.p.Clock.Now().Sub(start) < 48*time.Hour {
		t.Errorf("clock moved %v", e.p.Clock.Now().Sub(start))
	}
}
