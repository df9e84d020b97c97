package cloudtrail_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
	"github.com/palisade/palisade/internal/store"
)

// storedDataEvents counts the data-event records in the event log, by event name.
func (e *env) storedDataEvents() map[string]int {
	e.Helper()
	out := map[string]int{}
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1_000_000, func(ev *store.Event) bool {
			if ev.Source != audit.Source {
				return true
			}
			var r audit.Record
			if err := json.Unmarshal(ev.Data, &r); err != nil {
				e.Fatal(err)
			}
			if r.EventCategory == "Data" {
				out[r.EventName]++
			}
			return true
		})
	})
	if err != nil {
		e.Fatal(err)
	}
	return out
}

// CloudTrail records data events only for trails whose selectors pick them: while no
// logging trail may, S3's object operations leave no record at all (event history has
// management events only, and a trail never logs what came before it started); a
// trail that selects them gets them from the next call on, and stops getting them
// when it stops logging.
func TestDataEventsOnlyForTrailsThatSelectThem(t *testing.T) {
	e := newEnv(t)
	e.bucket("trail-files")
	apptest.Must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}))
	objects := func(key string) {
		apptest.Must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader("x")}))
		apptest.Must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key)}))
	}
	create := func(name string) {
		apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("trail-files"), S3KeyPrefix: aws.String(name)}))
		apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}))
	}

	objects("before-any-trail")
	create("management") // the default selector: management events only
	objects("management-only")
	if got := e.storedDataEvents(); len(got) != 0 {
		t.Fatalf("data events recorded with no trail selecting them: %v", got)
	}

	create("data")
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("data"),
		EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll,
			DataResources: []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::data/"}}}}}}))
	objects("selected")
	if got := e.storedDataEvents(); got["PutObject"] != 1 || got["GetObject"] != 1 {
		t.Fatalf("data events once a trail selects them: %v", got)
	}

	apptest.Must(e.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("data")}))
	objects("stopped")
	if got := e.storedDataEvents(); got["PutObject"] != 1 || got["GetObject"] != 1 {
		t.Fatalf("data events after the only data trail stopped: %v", got)
	}

	// What the trails delivered so far.
	e.advance(5 * time.Minute)
	files := e.files()
	if data, mgmt := allNames(filesOf(t, files, "data")), allNames(filesOf(t, files, "management")); data["PutObject"] != 1 || data["GetObject"] != 1 || mgmt["PutObject"] != 0 {
		t.Fatalf("delivered data events: data trail %v, management trail %v", data, mgmt)
	}

	// Advanced selectors: one that excludes data events changes nothing; one that
	// admits them (eventCategory Data, with the resources.type AWS requires) brings them back.
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("management"),
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}}))
	objects("advanced-management")
	if got := e.storedDataEvents(); got["PutObject"] != 1 {
		t.Fatalf("data events with a management-only advanced selector: %v", got)
	}
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("management"),
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}}}}}}))
	objects("advanced-data")
	if got := e.storedDataEvents(); got["PutObject"] != 2 || got["GetObject"] != 2 {
		t.Fatalf("data events with an advanced data selector: %v", got)
	}

	e.advance(5 * time.Minute)
	mgmt := allNames(filesOf(t, newFiles(files, e.files()), "management"))
	if mgmt["PutObject"] != 1 || mgmt["GetObject"] != 1 {
		t.Fatalf("delivered to the trail with the advanced data selector: %v", mgmt)
	}
}

// A failed or denied data event names its bucket and object like a successful one, so
// a trail selecting the bucket logs it; listings name the bucket's objects by prefix
// (ARNPrefix); and the record of a call denied to another account's caller keeps the
// bucket owner out ("accountId": "").
func TestDataEventsOfFailedCallsAndListings(t *testing.T) {
	e := newEnv(t)
	e.bucket("trail-files")
	apptest.Must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}))
	apptest.Must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("x")}))
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("data"), S3BucketName: aws.String("trail-files"), S3KeyPrefix: aws.String("data")}))
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("data"),
		EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false),
			DataResources: []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::data/"}}}}}}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("data")}))

	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("missing")})
	apptest.WantErr(t, err, "NoSuchKey", 404, "")
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")}))
	k := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})).AccessKey
	nobody := cttest.S3(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	_, err = nobody.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	apptest.WantErr(t, err, "AccessDenied", 403, "")
	apptest.Must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")}))
	apptest.Must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("logs/")}))
	apptest.Must(e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("data")}))
	other := cttest.S3(e.account("111111111111"))
	_, err = other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	apptest.WantErr(t, err, "AccessDenied", 403, "")

	e.advance(5 * time.Minute)
	var got []string
	for _, recs := range filesOf(t, e.files(), "data") {
		for _, r := range recs {
			res, _ := json.Marshal(r["resources"])
			got = append(got, fmt.Sprintf("%s %v %s", r["eventName"], r["errorCode"], res))
		}
	}
	sort.Strings(got)
	// The two denials: the user's, and the bucket owner's copy of the other account's.
	// The bucket first, ListObjectsV2 recorded as ListObjects (recorded 2026, stackd
	// testdata/aws/cloudtrail/owned_s3_delivery.json).
	want := []string{
		`GetObject AccessDenied [{"ARN":"arn:aws:s3:::data","accountId":"000000000000","type":"AWS::S3::Bucket"},{"ARN":"arn:aws:s3:::data/k","type":"AWS::S3::Object"}]`,
		`GetObject AccessDenied [{"ARN":"arn:aws:s3:::data","accountId":"000000000000","type":"AWS::S3::Bucket"},{"ARN":"arn:aws:s3:::data/k","type":"AWS::S3::Object"}]`,
		`GetObject NoSuchKey [{"ARN":"arn:aws:s3:::data","accountId":"000000000000","type":"AWS::S3::Bucket"},{"ARN":"arn:aws:s3:::data/missing","type":"AWS::S3::Object"}]`,
		`HeadBucket <nil> [{"ARN":"arn:aws:s3:::data","accountId":"000000000000","type":"AWS::S3::Bucket"},{"ARNPrefix":"arn:aws:s3:::data/","type":"AWS::S3::Object"}]`,
		`ListObjects <nil> [{"ARN":"arn:aws:s3:::data","accountId":"000000000000","type":"AWS::S3::Bucket"},{"ARNPrefix":"arn:aws:s3:::data/","type":"AWS::S3::Object"}]`,
		`ListObjects <nil> [{"ARN":"arn:aws:s3:::data","accountId":"000000000000","type":"AWS::S3::Bucket"},{"ARNPrefix":"arn:aws:s3:::data/logs/","type":"AWS::S3::Object"}]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("delivered:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The other account's caller: its own account's record, the owner kept out, in
	// S3's field order; the owner's copy (the same sharedEventID) names the owner.
	recs := map[string]string{}
	err = e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1_000_000, func(ev *store.Event) bool {
			if strings.Contains(string(ev.Data), `"sharedEventID"`) && strings.Contains(string(ev.Data), `"eventName":"GetObject"`) {
				recs[ev.Account] = string(ev.Data)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	caller, owner := recs["111111111111"], recs[account]
	if !strings.Contains(caller, `"resources":[{"accountId":"","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::data"},{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::data/k"}]`) ||
		!strings.Contains(caller, `"errorCode":"AccessDenied"`) {
		t.Fatalf("the other account's denied call, its record: %s", caller)
	}
	var c, o struct {
		SharedEventID string `json:"sharedEventID"`
		UserIdentity  struct{ Type, AccountID string }
	}
	json.Unmarshal([]byte(caller), &c)
	json.Unmarshal([]byte(owner), &o)
	if !strings.Contains(owner, `{"accountId":"000000000000","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::data"}`) ||
		o.SharedEventID == "" || o.SharedEventID != c.SharedEventID || o.UserIdentity.Type != "AWSAccount" || o.UserIdentity.AccountID != "111111111111" {
		t.Fatalf("the bucket owner's copy: %s", owner)
	}
}

// A trail judges each record by the scope it had when the record was committed: its
// selectors or global-services setting changed since, before the delivery, do not
// reach back.
func TestScopeChangesDoNotReachBack(t *testing.T) {
	e := newEnv(t)
	e.bucket("trail-files")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("scoped"), S3BucketName: aws.String("trail-files"), S3KeyPrefix: aws.String("scoped")}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("scoped")}))
	calls := func(user string) {
		apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)})) // write, global
		apptest.Must(e.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))             // read, regional
		apptest.Must(e.ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{}))                     // read, regional
	}
	calls("first") // all of them
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("scoped"),
		EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeWriteOnly}}}))
	calls("second") // writes only
	apptest.Must(e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("scoped"), IncludeGlobalServiceEvents: aws.Bool(false)}))
	calls("third") // regional writes only: none of these
	e.advance(5 * time.Minute)
	users := map[string]bool{}
	names := map[string]int{}
	for _, recs := range filesOf(t, e.files(), "scoped") {
		for _, r := range recs {
			names[r["eventName"].(string)]++
			if r["eventName"] == "CreateUser" {
				users[r["requestParameters"].(map[string]any)["userName"].(string)] = true
			}
		}
	}
	if !users["first"] || !users["second"] || users["third"] || len(users) != 2 {
		t.Fatalf("CreateUser records of %v", users)
	}
	if names["DescribeTrails"] != 1 || names["ListTrails"] != 1 || names["PutEventSelectors"] != 1 || names["UpdateTrail"] != 1 {
		t.Fatalf("records %v", names)
	}
}
