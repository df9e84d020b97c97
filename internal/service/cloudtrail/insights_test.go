package cloudtrail_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

var insightKeyRE = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail-Insight/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail-Insight_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)

// insightTrail makes a logging trail "main" delivering to trail-bucket, with the
// Insights types given (none: Insights off).
func (e *env) insightTrail(typ ...types.InsightType) {
	e.Helper()
	e.bucket("trail-bucket")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-bucket")}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	if len(typ) > 0 {
		var sel []types.InsightSelector
		for _, t := range typ {
			sel = append(sel, types.InsightSelector{InsightType: t})
		}
		apptest.Must(e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"), InsightSelectors: sel}))
	}
}

// nextMinute moves the clock to a second past the next minute, so that a burst of
// calls falls in one minute.
func (e *env) nextMinute() {
	e.Helper()
	now := e.p.Clock.Now()
	e.advance(time.Minute - now.Sub(now.Truncate(time.Minute)) + time.Second)
}

// insightEvents returns the Insights events of event history, newest first, as
// records.
func (e *env) insightEvents() []map[string]any {
	e.Helper()
	var out []map[string]any
	p := cloudtrail.NewLookupEventsPaginator(e.ct, &cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight})
	for p.HasMorePages() {
		for _, ev := range apptest.Must(p.NextPage(ctx)).Events {
			var r map[string]any
			if err := json.Unmarshal([]byte(*ev.CloudTrailEvent), &r); err != nil {
				e.Fatal(err)
			}
			d := r["insightDetails"].(map[string]any)
			if *ev.EventId != r["eventID"] || *ev.EventName != d["eventName"] || *ev.EventSource != d["eventSource"] ||
				ev.EventTime.UTC().Format(time.RFC3339) != r["eventTime"] {
				e.Errorf("lookup event %s %s %s %s for %s", *ev.EventId, *ev.EventName, *ev.EventSource, ev.EventTime, *ev.CloudTrailEvent)
			}
			out = append(out, r)
		}
	}
	return out
}

// insightFiles returns the records of the Insights files delivered, checking their
// keys are AWS's.
func (e *env) insightFiles() []map[string]any {
	e.Helper()
	var out []map[string]any
	for _, f := range e.files() {
		if !strings.Contains(f.Key, "/CloudTrail-Insight/") {
			continue
		}
		m := insightKeyRE.FindStringSubmatch(f.Key)
		if m == nil || m[1] != account || m[6] != account || m[2] != "us-east-1" || m[7] != "us-east-1" || m[3]+m[4]+m[5] != m[8][:8] {
			e.Errorf("Insights file key %s is not AWS's", f.Key)
		}
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(cttest.Gunzip(e, f.Body), &doc); err != nil {
			e.Fatalf("%s: %v", f.Key, err)
		}
		out = append(out, doc.Records...)
	}
	return out
}

func path(r map[string]any, keys ...string) any {
	var v any = r
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// attributed returns an attribution's insight values as value → average.
func attributed(r map[string]any, attribute, period string) map[string]float64 {
	out := map[string]float64{}
	for _, a := range path(r, "insightDetails", "insightContext", "attributions").([]any) {
		a := a.(map[string]any)
		if a["attribute"] != attribute {
			continue
		}
		for _, v := range a[period].([]any) {
			v := v.(map[string]any)
			out[v["value"].(string)] = v["average"].(float64)
		}
	}
	return out
}

func (e *env) createUsers(prefix string, n int) {
	e.Helper()
	for i := 0; i < n; i++ {
		apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("%s-%d", prefix, i))}))
	}
}

// A burst of CreateUser after a quiet week's start: a Start event for the burst's
// first minute and an End event at the first quiet minute, sharing sharedEventID,
// with AWS's fields, in event history (insight category only) and in the trail's
// CloudTrail-Insight folder.
func TestInsightsCallRate(t *testing.T) {
	e := newEnv(t)
	e.insightTrail(types.InsightTypeApiCallRateInsight, types.InsightTypeApiErrorRateInsight)
	e.advance(time.Hour)
	e.createUsers("quiet", 3) // ordinary activity: no insight
	e.advance(time.Hour)
	e.nextMinute()
	start := e.p.Clock.Now().Truncate(time.Minute)
	e.createUsers("burst-a", 15)
	e.advance(time.Minute)
	e.createUsers("burst-b", 15)
	e.advance(time.Minute)
	e.advance(time.Minute) // a quiet minute ends the insight
	e.advance(10 * time.Minute)

	evs := e.insightEvents()
	if len(evs) != 2 {
		t.Fatalf("%d Insights events, want Start and End: %v", len(evs), evs)
	}
	end, st := evs[0], evs[1]
	for _, r := range evs {
		if r["eventType"] != "AwsCloudTrailInsight" || r["eventCategory"] != "Insight" || r["awsRegion"] != "us-east-1" || r["recipientAccountId"] != account ||
			r["eventVersion"] != "1.08" || path(r, "insightDetails", "eventSource") != "iam.amazonaws.com" || path(r, "insightDetails", "eventName") != "CreateUser" ||
			path(r, "insightDetails", "insightType") != "ApiCallRateInsight" || path(r, "insightDetails", "insightContext", "statistics", "baselineDuration") != 10080.0 {
			t.Errorf("Insights event %v", r)
		}
	}
	if st["sharedEventID"] != end["sharedEventID"] || st["eventID"] == end["eventID"] || st["sharedEventID"] == "" {
		t.Errorf("sharedEventID %v and %v, eventID %v and %v", st["sharedEventID"], end["sharedEventID"], st["eventID"], end["eventID"])
	}
	if path(st, "insightDetails", "state") != "Start" || path(end, "insightDetails", "state") != "End" {
		t.Errorf("states %v, %v", path(st, "insightDetails", "state"), path(end, "insightDetails", "state"))
	}
	if st["eventTime"] != start.UTC().Format(time.RFC3339) || end["eventTime"] != start.Add(2*time.Minute).UTC().Format(time.RFC3339) {
		t.Errorf("Start at %v, End at %v, want %s and two minutes later", st["eventTime"], end["eventTime"], start.UTC().Format(time.RFC3339))
	}
	stats := func(r map[string]any, k ...string) any {
		return path(r, append([]string{"insightDetails", "insightContext", "statistics"}, k...)...)
	}
	baseline := 3.0 / 10080
	for _, r := range evs {
		if b := stats(r, "baseline", "average").(float64); b < baseline*0.999 || b > baseline*1.001 {
			t.Errorf("baseline average %v, want %v", b, baseline)
		}
	}
	if stats(st, "insight", "average") != 15.0 || stats(st, "insightDuration") != 1.0 || stats(end, "insight", "average") != 15.0 || stats(end, "insightDuration") != 2.0 {
		t.Errorf("Start statistics %v, End statistics %v", stats(st), stats(end))
	}
	root := "arn:aws:iam::" + account + ":root"
	if u := attributed(end, "userIdentityArn", "insight"); len(u) != 1 || u[root] != 15 {
		t.Errorf("End userIdentityArn attribution %v", u)
	}
	if u := attributed(st, "userIdentityArn", "baseline"); len(u) != 1 || u[root] == 0 {
		t.Errorf("Start baseline userIdentityArn attribution %v", u)
	}
	if c := attributed(st, "errorCode", "insight"); len(c) != 1 || c["null"] != 15 {
		t.Errorf("Start errorCode attribution %v", c)
	}
	if a := attributed(st, "userAgent", "insight"); len(a) != 1 {
		t.Errorf("Start userAgent attribution %v", a)
	}

	// Event history's default listing is management events only.
	for _, ev := range apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})).Events {
		if strings.Contains(*ev.CloudTrailEvent, "AwsCloudTrailInsight") {
			t.Errorf("management lookup lists %s", *ev.CloudTrailEvent)
		}
	}
	// Lookup attributes of Insights events.
	got := apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight,
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventId, AttributeValue: aws.String(st["eventID"].(string))}}}))
	if len(got.Events) != 1 || *got.Events[0].EventId != st["eventID"] {
		t.Errorf("lookup by EventId: %d events", len(got.Events))
	}
	got = apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight,
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("DeleteUser")}}}))
	if len(got.Events) != 0 {
		t.Errorf("lookup by EventName DeleteUser: %d events", len(got.Events))
	}
	got = apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight, StartTime: aws.Time(start.Add(time.Minute))}))
	if len(got.Events) != 1 || *got.Events[0].EventId != end["eventID"] {
		t.Errorf("lookup from after the Start: %d events", len(got.Events))
	}

	files := e.insightFiles()
	if len(files) != 2 || files[0]["eventID"] != st["eventID"] && files[1]["eventID"] != st["eventID"] {
		t.Errorf("Insights files hold %v", files)
	}
	// The management log files hold no Insights event.
	for key, rs := range records(t, e.files()) {
		if strings.Contains(key, "/CloudTrail/") {
			for _, r := range rs {
				if r["eventType"] == "AwsCloudTrailInsight" {
					t.Errorf("%s holds an Insights event", key)
				}
			}
		}
	}
}

// A burst of AccessDenied on a read-only API: an ApiErrorRateInsight event with the
// error code and the caller attributed; the successful reads beside it (read-only
// calls) raise no ApiCallRateInsight.
func TestInsightsErrorRate(t *testing.T) {
	e := newEnv(t)
	e.insightTrail(types.InsightTypeApiCallRateInsight, types.InsightTypeApiErrorRateInsight)
	u := apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")})).User
	key := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})).AccessKey
	denied := iam.NewFromConfig(e.p.Config(*key.AccessKeyId, *key.SecretAccessKey, ""))
	e.advance(time.Hour)
	e.nextMinute()
	for i := 0; i < 12; i++ {
		_, err := denied.ListUsers(ctx, &iam.ListUsersInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
			t.Fatalf("ListUsers as nobody: %v", err)
		}
	}
	for i := 0; i < 20; i++ {
		apptest.Must(e.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	}
	e.advance(time.Minute)
	e.advance(time.Minute)
	e.advance(10 * time.Minute)

	evs := e.insightEvents()
	if len(evs) != 2 {
		t.Fatalf("%d Insights events, want Start and End: %v", len(evs), evs)
	}
	for _, r := range evs {
		if path(r, "insightDetails", "insightType") != "ApiErrorRateInsight" || path(r, "insightDetails", "eventName") != "ListUsers" {
			t.Errorf("Insights event %v", r)
		}
	}
	st := evs[1]
	if path(st, "insightDetails", "insightContext", "statistics", "insight", "average") != 12.0 {
		t.Errorf("Start statistics %v", path(st, "insightDetails", "insightContext", "statistics"))
	}
	if c := attributed(st, "errorCode", "insight"); len(c) != 1 || c["AccessDenied"] != 12 {
		t.Errorf("errorCode attribution %v", c)
	}
	if a := attributed(st, "userIdentityArn", "insight"); len(a) != 1 || a[*u.Arn] != 12 {
		t.Errorf("userIdentityArn attribution %v", a)
	}
	if len(e.insightFiles()) != 2 {
		t.Errorf("Insights files")
	}
}

// Without Insights on the trail, the same burst raises nothing, and neither do
// bursts of read-only calls with Insights on.
func TestInsightsOffAndReadOnly(t *testing.T) {
	e := newEnv(t)
	e.insightTrail()
	e.advance(time.Hour)
	e.nextMinute()
	e.createUsers("burst", 15)
	e.advance(time.Minute)
	e.advance(time.Minute)
	e.advance(10 * time.Minute)
	if evs := e.insightEvents(); len(evs) != 0 {
		t.Errorf("Insights off: %d Insights events", len(evs))
	}
	if len(e.insightFiles()) != 0 {
		t.Errorf("Insights off: Insights files delivered")
	}

	// Insights turned on now does not judge the burst before it.
	apptest.Must(e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"),
		InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}}))
	e.advance(time.Hour)
	e.nextMinute()
	for i := 0; i < 30; i++ {
		apptest.Must(e.iam.ListUsers(ctx, &iam.ListUsersInput{}))
		apptest.Must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("burst-1")}))
	}
	e.advance(time.Minute)
	e.advance(10 * time.Minute)
	if evs := e.insightEvents(); len(evs) != 0 {
		t.Errorf("read-only burst: %d Insights events", len(evs))
	}
}

// A two-minute insight whose end is judged after the clock jumped five minutes lasts
// two minutes; an hour later, the next insight's baseline, and who it is attributed
// to, hold the first burst's 30 calls.
func TestInsightsClockJump(t *testing.T) {
	e := newEnv(t)
	e.insightTrail(types.InsightTypeApiCallRateInsight)
	e.advance(time.Hour)
	e.nextMinute()
	e.createUsers("a", 15)
	e.p.Clock.Advance(time.Minute)
	e.createUsers("b", 15)
	e.advance(5 * time.Minute)
	e.advance(time.Hour)
	e.nextMinute()
	e.createUsers("c", 20)
	e.advance(2 * time.Minute)
	e.advance(10 * time.Minute)
	evs := e.insightEvents()
	if len(evs) != 4 {
		t.Fatalf("%d Insights events, want two Starts and Ends", len(evs))
	}
	second := evs[1] // newest first: End, Start of the second burst
	want := 30.0 / 10080
	if b := path(second, "insightDetails", "insightContext", "statistics", "baseline", "average").(float64); b < want*0.999 || b > want*1.001 {
		t.Errorf("second baseline %v, want %v", b, want)
	}
	if u := attributed(second, "userIdentityArn", "baseline"); u["arn:aws:iam::"+account+":root"] < want*0.999 || u["arn:aws:iam::"+account+":root"] > want*1.001 {
		t.Errorf("second baseline attribution %v, want %v", u, want)
	}
	if d := path(evs[2], "insightDetails", "insightContext", "statistics", "insightDuration"); d != 2.0 {
		t.Errorf("first End duration %v", d)
	}
}
