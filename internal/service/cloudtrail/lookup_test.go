package cloudtrail_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

func lookup(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []types.Event {
	t.Helper()
	var all []types.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Events...)
	}
	return all
}

func attr(k types.LookupAttributeKey, v string) *cloudtrail.LookupEventsInput {
	return &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}}
}

// eventNames lists events' names, leaving out the LookupEvents calls the test itself
// makes (CloudTrail records those too).
func eventNames(evs []types.Event) []string {
	var out []string
	for _, e := range evs {
		if *e.EventName != "LookupEvents" {
			out = append(out, *e.EventName)
		}
	}
	return out
}

func withoutLookups(evs []types.Event) []types.Event {
	var out []types.Event
	for _, e := range evs {
		if *e.EventName != "LookupEvents" {
			out = append(out, e)
		}
	}
	return out
}

func TestLookupEvents(t *testing.T) {
	e := newEnv(t)
	alice := apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).User
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	key := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := iam.NewFromConfig(e.p.Config(*key.AccessKeyId, *key.SecretAccessKey, ""))
	if _, err := bob.ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
		t.Fatal("bob may list users")
	}
	apptest.Must(e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))
	e.settle()

	all := withoutLookups(lookup(t, e.ct, &cloudtrail.LookupEventsInput{}))
	got := eventNames(all)
	want := []string{"TagUser", "ListUsers", "CreateAccessKey", "CreateUser", "CreateUser"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v (newest first)", got, want)
		}
	}
	// The CloudTrailEvent string is the record itself.
	var rec map[string]any
	ev := all[3] // CreateUser bob
	if err := json.Unmarshal([]byte(*ev.CloudTrailEvent), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["eventID"] != *ev.EventId || rec["eventName"] != "CreateUser" || *ev.EventSource != "iam.amazonaws.com" || *ev.ReadOnly != "false" ||
		*ev.Username != "root" || *ev.AccessKeyId != "AKIAPALISADETEST0001" || ev.EventTime == nil ||
		len(ev.Resources) != 3 || *ev.Resources[0].ResourceType != "AWS::IAM::User" || *ev.Resources[0].ResourceName != "bob" ||
		*ev.Resources[2].ResourceName != "arn:aws:iam::000000000000:user/bob" {
		t.Errorf("event %+v", ev)
	}
	denied := all[1]
	if *denied.Username != "bob" || *denied.AccessKeyId != *key.AccessKeyId || *denied.ReadOnly != "true" {
		t.Errorf("denied ListUsers event %+v", denied)
	}
	var drec map[string]any
	json.Unmarshal([]byte(*denied.CloudTrailEvent), &drec)
	if drec["errorCode"] != "AccessDenied" {
		t.Errorf("denied record %v", drec)
	}

	for _, c := range []struct {
		in   *cloudtrail.LookupEventsInput
		want int
	}{
		{attr(types.LookupAttributeKeyEventName, "CreateUser"), 2},
		{attr(types.LookupAttributeKeyUsername, "root"), 4},
		{attr(types.LookupAttributeKeyUsername, "bob"), 1},
		{attr(types.LookupAttributeKeyAccessKeyId, *key.AccessKeyId), 1},
		{attr(types.LookupAttributeKeyEventId, *ev.EventId), 1},
		{attr(types.LookupAttributeKeyResourceName, "alice"), 2},
		{attr(types.LookupAttributeKeyResourceName, *key.AccessKeyId), 1},
		{attr(types.LookupAttributeKeyResourceType, "AWS::IAM::User"), 4},
		{attr(types.LookupAttributeKeyEventSource, "iam.amazonaws.com"), 5},
		{attr(types.LookupAttributeKeyEventSource, "sts.amazonaws.com"), 0},
		{attr(types.LookupAttributeKeyReadOnly, "true"), 1},
		{attr(types.LookupAttributeKeyReadOnly, "false"), 4},
	} {
		evs := withoutLookups(lookup(t, e.ct, c.in))
		for _, ev := range evs {
			if c.in.LookupAttributes[0].AttributeKey == types.LookupAttributeKeyReadOnly && *ev.ReadOnly != *c.in.LookupAttributes[0].AttributeValue {
				t.Errorf("ReadOnly=%s returned %s with ReadOnly %s", *c.in.LookupAttributes[0].AttributeValue, *ev.EventName, *ev.ReadOnly)
			}
		}
		if n := len(evs); n != c.want {
			t.Errorf("%s=%s: %d events, want %d", c.in.LookupAttributes[0].AttributeKey, *c.in.LookupAttributes[0].AttributeValue, n, c.want)
		}
	}
	_ = alice

	// Pagination: pages of two cover everything once.
	var pages [][]string
	var token *string
	for {
		out := apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2), NextToken: token,
			LookupAttributes: attr(types.LookupAttributeKeyEventSource, "iam.amazonaws.com").LookupAttributes}))
		pages = append(pages, eventNames(out.Events))
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if _, err := e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: token, LookupAttributes: attr(types.LookupAttributeKeyEventName, "x").LookupAttributes}); err == nil {
			t.Error("a token accepted for another query")
		}
	}
	if n := len(pages); n != 3 || len(pages[0])+len(pages[1])+len(pages[2]) != 5 {
		t.Errorf("pages %v", pages)
	}
	_, err := e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: aws.String("bogus")})
	apptest.WantErr(t, err, "InvalidNextTokenException", 0, "")
	_, err = e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{
		{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("a")}, {AttributeKey: types.LookupAttributeKeyUsername, AttributeValue: aws.String("b")}}})
	apptest.WantErr(t, err, "InvalidLookupAttributesException", 0, "")
	_, err = e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
	apptest.WantErr(t, err, "InvalidTimeRangeException", 0, "")

	// Time range, on the clock.
	mid := e.p.Clock.Now()
	e.p.Clock.Advance(2 * time.Hour)
	apptest.Must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
	e.settle()
	if n := eventNames(lookup(t, e.ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(mid.Add(time.Minute))})); len(n) != 1 || n[0] != "DeleteUser" {
		t.Errorf("after mid: %v", n)
	}
	if n := eventNames(lookup(t, e.ct, &cloudtrail.LookupEventsInput{EndTime: aws.Time(mid.Add(time.Minute))})); len(n) != 5 {
		t.Errorf("before mid: %d events", len(n))
	}

	// IAM is global: its events are in us-east-1's history only. A call in another
	// region is in that region's.
	west := e.in("us-west-2")
	apptest.Must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))
	e.settle()
	if n := eventNames(lookup(t, west, &cloudtrail.LookupEventsInput{})); len(n) != 1 || n[0] != "DescribeTrails" {
		t.Errorf("us-west-2 history: %v", n)
	}

	// Ninety days on, the early events are gone.
	e.p.Clock.Advance(89*24*time.Hour + 23*time.Hour)
	apptest.Must(e.ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{}))
	e.settle()
	if n := eventNames(lookup(t, e.ct, &cloudtrail.LookupEventsInput{})); len(n) != 2 || n[0] != "ListTrails" || n[1] != "DeleteUser" {
		t.Errorf("after 90 days: %v", n)
	}
}
