package s3_test

import (
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
	s3svc "github.com/palisade/palisade/internal/service/s3"
	"github.com/palisade/palisade/internal/store"
)

// What fell due while Palisade was stopped happens when it starts, without a request
// and without waiting for the next midnight.
func TestLifecycleDueWhileStopped(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, s3: s3Client(p.RootConfig())}
	e.bucket("lc-restart")
	e.put("lc-restart", "log", "payload")
	e.setLifecycle("lc-restart", types.LifecycleRule{ID: aws.String("retention"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	offset := p.Clock.Offset()
	p.Stop()

	// Three days pass while it is stopped (the stored clock offset, as the admin API
	// leaves it).
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.Put("palisade/settings", "clock-offset", []byte(strconv.FormatInt(int64(offset+72*time.Hour), 10)))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	p = apptest.StartIn(t, dir)
	e.p, e.s3 = p, s3Client(p.RootConfig())
	for range 100 {
		if _, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-restart"), Key: aws.String("log")}); errCode(err) == "NotFound" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the object due while stopped is still there")
}

// The background run acts at midnight on Palisade's clock when the clock is moved,
// as the admin API moves it.
func TestLifecycleRunsOnClockAdvance(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-advance")
	e.put("lc-advance", "log", "payload")
	e.setLifecycle("lc-advance", types.LifecycleRule{ID: aws.String("retention"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	e.p.Clock.Advance(day.Add(48 * time.Hour).Sub(e.p.Clock.Now()))
	for range 100 {
		if _, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-advance"), Key: aws.String("log")}); errCode(err) == "NotFound" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("not expired after the clock passed its midnight")
}

// Lifecycle actions send s3:LifecycleExpiration:* and s3:LifecycleTransition events
// (User Guide, "Event notification types"), not ObjectRemoved ones, and are not
// CloudTrail calls; the configuration calls are recorded as CloudTrail names them
// and change the bucket's configuration item.
func TestLifecycleEventsAndRecords(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("lc-events")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lc-events"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	url, arn := e.queue(q, "lc-events", s3QueuePolicy("lc-events"))
	removed, removedArn := e.queue(q, "lc-removed", s3QueuePolicy("lc-events"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("lc-events"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("lifecycle"), QueueArn: &arn, Events: []types.Event{"s3:LifecycleExpiration:*"}},
			{Id: aws.String("removed"), QueueArn: &removedArn, Events: []types.Event{"s3:ObjectRemoved:*"}},
		}}}))
	receive(t, q, url) // the test event
	receive(t, q, removed)
	v1 := e.put("lc-events", "k", "payload").VersionId
	e.setLifecycle("lc-events",
		types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
		types.LifecycleRule{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}})
	moveTo(e, day.Add(48*time.Hour))
	r := records(t, receive(t, q, url))
	if r.EventName != "LifecycleExpiration:DeleteMarkerCreated" || r.S3.Object["key"] != "k" || r.S3.ConfigurationID != "lifecycle" || r.S3.Object["versionId"] == "" ||
		r.UserIdentity["principalId"] != "s3.amazonaws.com" || r.RequestParameters["sourceIPAddress"] != "s3.amazonaws.com" {
		t.Fatalf("marker event %+v", r)
	}
	// v1 is noncurrent since the marker was made (at that midnight): a day later,
	// rounded up to the next midnight.
	moveTo(e, day.Add(96*time.Hour))
	r = records(t, receive(t, q, url))
	if r.EventName != "LifecycleExpiration:Delete" || r.S3.Object["versionId"] != *v1 {
		t.Fatalf("noncurrent event %+v", r)
	}
	quiet(t, q, removed)

	for _, name := range []string{"Expire", "DeleteObject", "DeleteObjects"} {
		if rs := e.trailRecords(name); len(rs) != 0 {
			t.Fatalf("lifecycle recorded as %s: %+v", name, rs)
		}
	}
	must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-events")}))
	must(e.s3.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lc-events")}))
	for _, name := range []string{"PutBucketLifecycle", "GetBucketLifecycle", "DeleteBucketLifecycle"} {
		rec := e.lastRecord(name)
		if rec.EventSource != "s3.amazonaws.com" || !rec.ManagementEvent {
			t.Fatalf("%s record %+v", name, rec)
		}
	}

	var items []string
	var last s3svc.ResourceChange
	for _, ev := range e.events(s3svc.EventSource) {
		var rc s3svc.ResourceChange
		if err := json.Unmarshal(ev.Data, &rc); err != nil {
			t.Fatal(err)
		}
		if rc.ConfigurationItem == "BucketLifecycleConfiguration" {
			items = append(items, rc.EventName)
			if rc.EventName == "PutBucketLifecycleConfiguration" {
				last = rc
			}
		}
	}
	if len(items) != 2 || items[1] != "DeleteBucketLifecycle" || last.Configuration == nil || len(last.Configuration.Lifecycle) != 2 ||
		last.Configuration.Lifecycle[0].ID != "expire" {
		t.Fatalf("configuration items %v %+v", items, last.Configuration)
	}
}

// A transition's event names the class the object went to.
func TestLifecycleTransitionEvent(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("lc-moved")
	url, arn := e.queue(q, "lc-moved", s3QueuePolicy("lc-moved"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("lc-moved"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("lifecycle-events"), QueueArn: &arn, Events: []types.Event{"s3:LifecycleExpiration:*", "s3:LifecycleTransition"}}}}}))
	receive(t, q, url) // the test event
	e.put("lc-moved", "transition/key", "payload")
	e.setLifecycle("lc-moved", types.LifecycleRule{ID: aws.String("archive"), Status: types.ExpirationStatusEnabled,
		Filter:      &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("transition/"), ObjectSizeGreaterThan: aws.Int64(0)}},
		Transitions: []types.Transition{{Date: aws.Time(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), StorageClass: types.TransitionStorageClassGlacier}}})
	moveTo(e, day.Add(24*time.Hour))
	body := receive(t, q, url)
	var m struct {
		Records []struct {
			EventName          string `json:"eventName"`
			LifecycleEventData struct {
				TransitionEventData struct {
					DestinationStorageClass string `json:"destinationStorageClass"`
				} `json:"transitionEventData"`
			} `json:"lifecycleEventData"`
		}
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m.Records) != 1 || m.Records[0].EventName != "LifecycleTransition" ||
		m.Records[0].LifecycleEventData.TransitionEventData.DestinationStorageClass != "GLACIER" {
		t.Fatalf("transition event %s", body)
	}
	quiet(t, q, url)
}

// Lifecycle actions are logged in server access logs with S3's lifecycle operation
// names (User Guide, "Lifecycle and logging"); the configuration calls as
// REST.<method>.LIFECYCLE.
func TestLifecycleAccessLog(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-logged")
	e.bucket("lc-log-target")
	must(0, e.policy("lc-log-target", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::lc-log-target/*"}]}`))
	must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("lc-logged"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("lc-log-target"), TargetPrefix: aws.String("logs/")}}}))
	e.put("lc-logged", "old.log", "payload")
	e.put("lc-logged", "cold.log", strings.Repeat("c", 128*1024))
	e.setLifecycle("lc-logged",
		types.LifecycleRule{ID: aws.String("old"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("old")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
		types.LifecycleRule{ID: aws.String("cold"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("cold")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}})
	time.Sleep(1500 * time.Millisecond) // request records are queued within a second
	moveTo(e, day.Add(48*time.Hour))
	e.p.Clock.Advance(10 * time.Minute)
	var all string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		all = ""
		for _, o := range must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lc-log-target")})).Contents {
			all += e.get("lc-log-target", *o.Key)
		}
		if strings.Contains(all, "S3.EXPIRE.OBJECT") && strings.Contains(all, "S3.TRANSITION.OBJECT") && strings.Contains(all, "REST.PUT.LIFECYCLE") {
			break
		}
	}
	var expire string
	for _, l := range strings.Split(all, "\n") {
		if strings.Contains(l, "S3.EXPIRE.OBJECT") {
			expire = l
		}
	}
	if !strings.Contains(expire, " lc-logged [") || !strings.Contains(expire, " - AmazonS3 ") || !strings.Contains(expire, " S3.EXPIRE.OBJECT old.log - - - - 7 ") ||
		!strings.Contains(all, " S3.TRANSITION.OBJECT cold.log ") || !strings.Contains(all, " REST.PUT.LIFECYCLE ") {
		t.Fatalf("access logs:\n%s", all)
	}
}
