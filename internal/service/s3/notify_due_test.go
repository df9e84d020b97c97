package s3_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// rawRecord is one event record as a generic document, for the members eventRecord
// does not name (glacierEventData, objectRetentionEventData) and their absence.
func rawRecord(t *testing.T, body string) map[string]any {
	t.Helper()
	var m struct{ Records []map[string]any }
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m.Records) != 1 {
		t.Fatalf("not one event record: %s", body)
	}
	return m.Records[0]
}

// notifyQueue makes a queue that S3 may send to for bucket, names it in the bucket's
// notification configuration for events (as configuration id), and takes the test
// event.
func (e *env) notifyQueue(q *sqs.Client, bucket, id string, events ...types.Event) string {
	e.Helper()
	url, arn := e.queue(q, bucket+"-q", s3QueuePolicy(bucket))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String(id), QueueArn: &arn, Events: events}}}}))
	receive(e.T, q, url)
	return url
}

// The restore events of restore_delivery_replay.json (recorded, 2026): Post on every
// accepted RestoreObject (202, and 200 for a copy already restored), none for a
// refusal; Completed when the restore completes on Palisade's clock, at the restore's
// own time, made by S3 for the bucket owner, with the copy's expiry; both repeating
// the sequencer of the version's ObjectCreated:Put. Then Delete when the copy expires.
func TestRestoreNotifications(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	const b = "restore-events"
	e.bucket(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	url := e.notifyQueue(q, b, "restore-events", "s3:ObjectRestore:*", "s3:ObjectCreated:*")
	nineAM(e)

	version := e.putClass(b, "glacier", types.StorageClassGlacier)
	put := records(t, receive(t, q, url))
	seq := put.S3.Object["sequencer"].(string)
	if put.EventName != "ObjectCreated:Put" || seq == "" {
		t.Fatalf("put: %+v", put)
	}
	if st, _, err := e.restore(b, "glacier", version, restoreReq(1, types.TierExpedited)); st != 202 {
		t.Fatalf("start-expedited: %d %v", st, err)
	}
	body := receive(t, q, url)
	post := records(t, body)
	o := post.S3.Object
	if post.EventName != "ObjectRestore:Post" || post.EventVersion != "2.6" || post.S3.ConfigurationID != "restore-events" ||
		o["key"] != "glacier" || o["size"] != float64(37) || o["eTag"] != put.S3.Object["eTag"] ||
		o["versionId"] != version || o["sequencer"] != seq ||
		post.UserIdentity["principalId"] != put.UserIdentity["principalId"] || post.RequestParameters["sourceIPAddress"] != put.RequestParameters["sourceIPAddress"] {
		t.Fatalf("post: %+v", post)
	}
	if _, ok := rawRecord(t, body)["glacierEventData"]; ok {
		t.Fatal("post carries glacierEventData")
	}
	// A refused restore notifies nothing; the restore is not complete before its time.
	st, _, err := e.restore(b, "glacier", version, restoreReq(1, types.TierExpedited))
	wantRestoreErr(t, "pending-repeat", st, err, 409, "RestoreAlreadyInProgress")
	e.p.AdvanceClock(4 * time.Minute)
	quiet(t, q, url)

	e.p.AdvanceClock(2 * time.Minute)
	body = receive(t, q, url)
	done, raw := records(t, body), rawRecord(t, body)
	posted, _ := time.Parse("2006-01-02T15:04:05.000Z", post.EventTime)
	expiry := posted.Truncate(24*time.Hour).AddDate(0, 0, 2)
	o = done.S3.Object
	if done.EventName != "ObjectRestore:Completed" || done.EventTime != posted.Add(5*time.Minute).Format("2006-01-02T15:04:05.000Z") ||
		done.UserIdentity["principalId"] != "AmazonCustomer:"+done.S3.Bucket.OwnerIdentity["principalId"] ||
		done.RequestParameters["sourceIPAddress"] != "s3.amazonaws.com" ||
		done.ResponseElements["x-amz-request-id"] == post.ResponseElements["x-amz-request-id"] || len(done.ResponseElements["x-amz-id-2"]) != 88 ||
		o["key"] != "glacier" || o["size"] != float64(37) || o["versionId"] != version || o["sequencer"] != seq {
		t.Fatalf("completed: %s", body)
	}
	want := `{"restoreEventData":{"lifecycleRestorationExpiryTime":"` + expiry.Format("2006-01-02T15:04:05.000Z") + `","lifecycleRestoreStorageClass":"GLACIER"}}`
	if g, _ := json.Marshal(raw["glacierEventData"]); string(g) != want {
		t.Fatalf("glacierEventData %s, want %s", g, want)
	}
	if i, j := strings.Index(body, `"s3":`), strings.Index(body, `"glacierEventData":`); i < 0 || j < i {
		t.Fatalf("glacierEventData before s3: %s", body)
	}
	quiet(t, q, url)

	// A restored copy restored again: 200 and Post (already-restored-extend); its
	// expiry moves, and the copy's Delete comes at the new one, once.
	if st, _, err := e.restore(b, "glacier", "", restoreReq(3, types.TierExpedited)); st != 200 {
		t.Fatalf("already-restored-extend: %d %v", st, err)
	}
	if r := records(t, receive(t, q, url)); r.EventName != "ObjectRestore:Post" || r.S3.Object["sequencer"] != seq {
		t.Fatalf("extend post: %+v", r)
	}
	now := e.p.Clock.Now()
	e.p.AdvanceClock(expiry.Sub(now) + time.Hour) // past the first expiry, not the second
	quiet(t, q, url)
	e.p.AdvanceClock(3 * 24 * time.Hour)
	gone := records(t, receive(t, q, url))
	if gone.EventName != "ObjectRestore:Delete" || gone.EventTime != now.Truncate(24*time.Hour).AddDate(0, 0, 4).Format("2006-01-02T15:04:05.000Z") ||
		gone.RequestParameters["sourceIPAddress"] != "s3.amazonaws.com" || gone.S3.Object["sequencer"] != seq || gone.S3.Object["versionId"] != version {
		t.Fatalf("delete: %+v", gone)
	}
	quiet(t, q, url)
}

// A restore sped up to a faster tier completes once, at its new time; a restore of a
// version deleted before it completed notifies nothing more.
func TestRestoreCompletedOnce(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	const b = "restore-once"
	e.bucket(b)
	url := e.notifyQueue(q, b, "restore", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete")
	e.putClass(b, "fast", types.StorageClassGlacier)
	e.putClass(b, "gone", types.StorageClassGlacier)
	e.putClass(b, "bounds", types.StorageClassGlacier)
	for _, k := range []string{"fast", "gone"} {
		if st, _, err := e.restore(b, k, "", restoreReq(1, types.TierBulk)); st != 202 {
			t.Fatalf("%s: %d %v", k, st, err)
		}
	}
	// A copy kept for 2147483647 days (days-maxint) completes and never expires, nor
	// does one whose expiry, in nanoseconds, would wrap to a month ago.
	e.putClass(b, "wraps", types.StorageClassGlacier)
	for k, days := range map[string]int32{"bounds": 2147483647, "wraps": 2147423023} {
		if st, _, err := e.restore(b, k, "", restoreReq(days, types.TierExpedited)); st != 202 {
			t.Fatalf("%s: %d %v", k, st, err)
		}
	}
	if st, _, err := e.restore(b, "fast", "", restoreReq(1, types.TierExpedited)); st != 202 {
		t.Fatalf("upgrade: %d %v", st, err)
	}
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("gone")}))
	e.p.AdvanceClock(10 * time.Minute)
	got := map[string]eventRecord{}
	for range 3 {
		r := records(t, receive(t, q, url))
		got[r.S3.Object["key"].(string)] = r
	}
	r := got["fast"]
	if r.EventName != "ObjectRestore:Completed" || got["bounds"].EventName != "ObjectRestore:Completed" || got["wraps"].EventName != "ObjectRestore:Completed" {
		t.Fatalf("completed: %+v", got)
	}
	if _, ok := r.S3.Object["versionId"]; ok {
		t.Fatalf("unversioned bucket's record names a version: %+v", r)
	}
	e.p.AdvanceClock(13 * time.Hour) // past Bulk's time
	quiet(t, q, url)
	e.p.AdvanceClock(3 * 24 * time.Hour)
	if r := records(t, receive(t, q, url)); r.EventName != "ObjectRestore:Delete" || r.S3.Object["key"] != "fast" {
		t.Fatalf("expired: %+v", r)
	}
	quiet(t, q, url)
}

// A completion that fell due while Palisade was stopped is sent when it starts.
func TestRestoreCompletedAtStart(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, s3: s3Client(p.RootConfig())}
	q := sqs.NewFromConfig(p.RootConfig())
	const b = "restore-start"
	e.bucket(b)
	url := e.notifyQueue(q, b, "restore", "s3:ObjectRestore:*")
	e.putClass(b, "k", types.StorageClassGlacier)
	if st, _, err := e.restore(b, "k", "", restoreReq(1, types.TierExpedited)); st != 202 {
		t.Fatalf("restore: %d %v", st, err)
	}
	if r := records(t, receive(t, q, url)); r.EventName != "ObjectRestore:Post" {
		t.Fatalf("post: %+v", r)
	}
	offset := p.Clock.Offset()
	p.Stop()
	// Ten minutes pass while Palisade is stopped: the clock it starts with is ahead.
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.Put("palisade/settings", "clock-offset", []byte(strconv.FormatInt(int64(offset+10*time.Minute), 10)))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	p = apptest.StartIn(t, dir)
	q = sqs.NewFromConfig(p.RootConfig())
	if r := records(t, receive(t, q, url)); r.EventName != "ObjectRestore:Completed" || r.S3.Object["key"] != "k" {
		t.Fatalf("completed: %+v", r)
	}
	quiet(t, q, url)
}

// ObjectRetention:Put on every PutObjectRetention, a retention set again unchanged
// and one removed included, with the retention set and no sequencer
// (object_lock_delivery_replay.json, fixed-set, fixed-extend, fixed-noop,
// fixed-clear-bypass); PutObjectLegalHold notifies nothing.
func TestRetentionNotifications(t *testing.T) {
	e := newLockEnv(t, "lock-events")
	q := sqs.NewFromConfig(e.p.RootConfig())
	url := e.notifyQueue(q, "lock-events", "retention-and-created", "s3:ObjectRetention:Put", "s3:ObjectCreated:*")
	put := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: e.b, Key: aws.String("fixed/space + percent% unicode-é"),
		Body: strings.NewReader("native retention notification payload")}))
	created := records(t, receive(t, q, url))
	until := e.now().Add(72 * time.Hour).Truncate(time.Second)
	retention := func(label string, r *types.ObjectLockRetention, bypass bool, want string) {
		t.Helper()
		must(e.s3.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: e.b, Key: aws.String("fixed/space + percent% unicode-é"),
			VersionId: put.VersionId, Retention: r, BypassGovernanceRetention: aws.Bool(bypass)}))
		body := receive(t, q, url)
		rec := records(t, body)
		o := rec.S3.Object
		if rec.EventName != "ObjectRetention:Put" || rec.S3.ConfigurationID != "retention-and-created" ||
			o["key"] != "fixed/space+%2B+percent%25+unicode-%C3%A9" || o["size"] != float64(37) ||
			o["eTag"] != created.S3.Object["eTag"] || o["versionId"] != *put.VersionId || o["sequencer"] != nil ||
			rec.UserIdentity["principalId"] != created.UserIdentity["principalId"] {
			t.Fatalf("%s: %s", label, body)
		}
		got := ""
		if i := strings.Index(body, `,"objectRetentionEventData":`); i >= 0 {
			if j := strings.Index(body, `"s3":`); j > i {
				t.Fatalf("%s: objectRetentionEventData before s3: %s", label, body)
			}
			d, _ := json.Marshal(rawRecord(t, body)["objectRetentionEventData"])
			got = string(d)
		}
		if got != want {
			t.Errorf("%s: objectRetentionEventData %s, want %s", label, got, want)
		}
	}
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	retention("fixed-set", &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &until}, false,
		`{"mode":"GOVERNANCE","retainUntilDate":"`+stamp(until)+`"}`)
	later := until.Add(24 * time.Hour)
	retention("fixed-extend", &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &later}, false,
		`{"mode":"GOVERNANCE","retainUntilDate":"`+stamp(later)+`"}`)
	retention("fixed-noop", &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &later}, false,
		`{"mode":"GOVERNANCE","retainUntilDate":"`+stamp(later)+`"}`)
	retention("fixed-clear-bypass", &types.ObjectLockRetention{}, true, "")

	// A refused retention change and legal holds notify nothing.
	must(e.s3.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: e.b, Key: aws.String("fixed/space + percent% unicode-é"),
		VersionId: put.VersionId, Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: &until}}))
	receive(t, q, url)
	_, err := e.s3.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: e.b, Key: aws.String("fixed/space + percent% unicode-é"),
		VersionId: put.VersionId, Retention: &types.ObjectLockRetention{}, BypassGovernanceRetention: aws.Bool(true)})
	wantErr(t, err, "AccessDenied", 403, "")
	for _, s := range []types.ObjectLockLegalHoldStatus{types.ObjectLockLegalHoldStatusOn, types.ObjectLockLegalHoldStatusOff} {
		must(e.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: e.b, Key: aws.String("fixed/space + percent% unicode-é"),
			VersionId: put.VersionId, LegalHold: &types.ObjectLockLegalHold{Status: s}}))
	}
	quiet(t, q, url)
}

// The event types a configuration may name: s3:ObjectRetention:Put (recorded, 2026:
// object_lock_delivery_replay.json, configure-retention-created-and-eventbridge), and
// no wildcard of it nor any legal hold type, which S3 does not list (API Reference,
// QueueConfiguration: Events); s3:ObjectRestore:* takes all three restore events.
func TestNotificationRetentionEventTypes(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("lock-types")
	_, arn := e.queue(q, "lock-types", s3QueuePolicy("lock-types"))
	for _, c := range []struct {
		event string
		code  int
	}{{"s3:ObjectRetention:Put", 200}, {"s3:ObjectRetention:*", 400}, {"s3:ObjectLegalHold:Put", 400}, {"s3:ObjectLegalHold:*", 400}} {
		if st, body := e.putNotificationRaw("lock-types", queueDoc(arn, "<Event>"+c.event+"</Event>")); st != c.code || c.code == 400 && !strings.Contains(body, "InvalidArgument") {
			t.Errorf("%s: %d %s", c.event, st, body)
		}
	}
	// Restore events and retention events are distinct types: a wildcard of one does
	// not overlap the other.
	doc := `<NotificationConfiguration><QueueConfiguration><Queue>` + arn + `</Queue><Event>s3:ObjectRestore:*</Event></QueueConfiguration>` +
		`<QueueConfiguration><Queue>` + arn + `</Queue><Event>s3:ObjectRetention:Put</Event></QueueConfiguration></NotificationConfiguration>`
	if st, body := e.putNotificationRaw("lock-types", doc); st != 200 {
		t.Errorf("restore and retention: %d %s", st, body)
	}
	doc = `<NotificationConfiguration><QueueConfiguration><Queue>` + arn + `</Queue><Event>s3:ObjectRestore:*</Event></QueueConfiguration>` +
		`<QueueConfiguration><Queue>` + arn + `</Queue><Event>s3:ObjectRestore:Delete</Event></QueueConfiguration></NotificationConfiguration>`
	if st, body := e.putNotificationRaw("lock-types", doc); st != 400 || !strings.Contains(body, "Configurations overlap") {
		t.Errorf("restore wildcard over Delete: %d %s", st, body)
	}
}

// A copy's ObjectCreated:Copy record says it has no object annotation; a put's says
// nothing of annotations (object_lock_delivery_replay.json,
// implicit-fixed-default-copy, implicit-fixed-default-put).
func TestCopyRecordAnnotation(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	const b = "copy-annotation"
	e.bucket(b)
	url := e.notifyQueue(q, b, "created", "s3:ObjectCreated:*")
	e.put(b, "src", "x")
	if o := rawRecord(t, receive(t, q, url))["s3"].(map[string]any)["object"].(map[string]any); o["hasObjectAnnotation"] != nil {
		t.Fatalf("put: %v", o)
	}
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst"), CopySource: aws.String(b + "/src")}))
	if o := rawRecord(t, receive(t, q, url))["s3"].(map[string]any)["object"].(map[string]any); o["hasObjectAnnotation"] != false || o["key"] != "dst" {
		t.Fatalf("copy: %v", o)
	}
}
