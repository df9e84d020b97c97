package logs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

func events(ts ...int64) []types.InputLogEvent {
	out := make([]types.InputLogEvent, len(ts))
	for i, t := range ts {
		out[i] = types.InputLogEvent{Timestamp: aws.Int64(t), Message: aws.String(fmt.Sprint("event ", i))}
	}
	return out
}

func TestPutLogEventsRules(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	put := func(evs []types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
		return e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs,
			SequenceToken: aws.String("anything: tokens are ignored")})
	}
	now := e.now()

	_, err := put(events(now, now-1))
	wantError(t, err, "InvalidParameterException", 400, "Log events in a single PutLogEvents request must be in chronological order.")
	_, err = put(events(now-25*hour, now))
	wantError(t, err, "InvalidParameterException", 400, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")

	// 1,048,576 bytes counting 26 per event: 4 events of 262,118 bytes fit exactly.
	big := strings.Repeat("x", 262_118)
	exact := make([]types.InputLogEvent, 4)
	for i := range exact {
		exact[i] = types.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String(big)}
	}
	apptest.Must(put(exact))
	exact[3].Message = aws.String(big + "x")
	_, err = put(exact)
	wantError(t, err, "InvalidParameterException", 400, "Upload too large: 1048577 bytes exceeds limit of 1048576")
	one := []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String(strings.Repeat("y", 1_048_551))}}
	_, err = put(one)
	wantError(t, err, "InvalidParameterException", 400, "Log event too large: 1048577 bytes exceeds limit of 1048576")
	_, err = put(events(make([]int64, 10_001)...))
	wantError(t, err, "InvalidParameterException", 400, "")

	// Too old (14 days), too new (2 hours ahead): rejected per event, the rest kept. (The
	// server's clock runs on while the test does: margins of a minute.)
	day := 24 * hour
	out := apptest.Must(put(events(now-15*day, now-14*day-1, now-1000, now, now+2*hour+60_000, now+3*hour)))
	r := out.RejectedLogEventsInfo
	// tooOldLogEventEndIndex is exclusive, tooNewLogEventStartIndex inclusive.
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 2 || aws.ToInt32(r.TooNewLogEventStartIndex) != 4 || r.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected %+v", r)
	}
	if len(aws.ToString(out.NextSequenceToken)) != 56 {
		t.Fatalf("sequence token %q", aws.ToString(out.NextSequenceToken))
	}
	// The 24-hour span counts the accepted events only.
	apptest.Must(put(events(now-15*day, now-1000, now+3*hour)))

	// Retention shorter than 14 days: older events are expired.
	apptest.Must(e.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(3)}))
	out = apptest.Must(put(events(now-5*day, now-4*day, now)))
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.ExpiredLogEventEndIndex) != 1 || r.TooOldLogEventEndIndex != nil {
		t.Fatalf("rejected %+v", r)
	}
	// Nothing kept that is older than the retention period shows.
	got := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}))
	for _, ev := range got.Events {
		if aws.ToInt64(ev.Timestamp) < now-3*day {
			t.Fatalf("an event older than the retention period is visible: %d", aws.ToInt64(ev.Timestamp))
		}
	}

	_, err = e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("missing"), LogEvents: events(now)})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log stream does not exist.")
	_, err = e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("missing"), LogStreamName: aws.String("s"), LogEvents: events(now)})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")

	// Events are stamped with Palisade's clock: after an advance, "now" moves.
	e.p.AdvanceClock(20 * 24 * time.Hour)
	out = apptest.Must(put(events(now)))
	if r := out.RejectedLogEventsInfo; r == nil || r.ExpiredLogEventEndIndex == nil {
		t.Fatalf("an event 20 days behind the clock was accepted: %+v", r)
	}
}

func TestGetLogEvents(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	base := e.now() - 10_000
	var all []string
	for i := range 5 {
		all = append(all, fmt.Sprint("m", i))
	}
	// Out of order across batches: the stream reads in timestamp order.
	e.put("g", "s", base+3, all[3:]...)
	e.put("g", "s", base, all[:3]...)

	get := func(in *cwl.GetLogEventsInput) *cwl.GetLogEventsOutput {
		in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
		return apptest.Must(e.logs.GetLogEvents(ctx, in))
	}
	if got := output(get(&cwl.GetLogEventsInput{StartFromHead: aws.Bool(true)}).Events); !equal(got, all) {
		t.Fatalf("from head: %v", got)
	}
	// The default reads the tail.
	tail := get(&cwl.GetLogEventsInput{Limit: aws.Int32(2)})
	if got := output(tail.Events); !equal(got, all[3:]) {
		t.Fatalf("tail: %v", got)
	}
	back := get(&cwl.GetLogEventsInput{Limit: aws.Int32(2), NextToken: tail.NextBackwardToken})
	if got := output(back.Events); !equal(got, all[1:3]) {
		t.Fatalf("backward: %v", got)
	}
	// Forward paging ends by handing back the token it was given.
	page := get(&cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), Limit: aws.Int32(3)})
	page = get(&cwl.GetLogEventsInput{Limit: aws.Int32(3), NextToken: page.NextForwardToken})
	if got := output(page.Events); !equal(got, all[3:]) || !strings.HasPrefix(aws.ToString(page.NextForwardToken), "f/") {
		t.Fatalf("forward: %v", got)
	}
	last := page.NextForwardToken
	page = get(&cwl.GetLogEventsInput{Limit: aws.Int32(3), NextToken: last})
	if len(page.Events) != 0 || aws.ToString(page.NextForwardToken) != aws.ToString(last) {
		t.Fatalf("end of stream: %d events, token %s", len(page.Events), aws.ToString(page.NextForwardToken))
	}
	// endTime is exclusive, startTime inclusive.
	if got := output(get(&cwl.GetLogEventsInput{StartTime: aws.Int64(base + 1), EndTime: aws.Int64(base + 3), StartFromHead: aws.Bool(true)}).Events); !equal(got, all[1:3]) {
		t.Fatalf("range: %v", got)
	}
	if ev := get(&cwl.GetLogEventsInput{Limit: aws.Int32(1)}).Events[0]; aws.ToInt64(ev.IngestionTime) == 0 || aws.ToInt64(ev.Timestamp) != base+4 {
		t.Fatalf("event %+v", ev)
	}
	_, err := e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("junk")})
	wantError(t, err, "InvalidParameterException", 400, "")
	_, err = e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String("g"), LogStreamName: aws.String("s")})
	wantError(t, err, "ValidationException", 400, "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
}

func TestFilterLogEvents(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "web-1")
	e.stream("g", "web-2")
	e.stream("g", "db")
	now := e.now() - 60_000
	e.put("g", "web-1", now, `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`, "ERROR disk full", `{"errorCode":"AccessDenied","n":5}`)
	e.put("g", "web-2", now+1, "WARN slow", `{"errorCode":"None","n":50}`)
	e.put("g", "db", now+2, "ERROR lock timeout", "INFO ok")

	filter := func(in *cwl.FilterLogEventsInput) []string {
		if in.LogGroupName == nil && in.LogGroupIdentifier == nil {
			in.LogGroupName = aws.String("g")
		}
		return filtered(apptest.Must(e.logs.FilterLogEvents(ctx, in)).Events)
	}
	cases := []struct {
		pattern string
		want    []string
	}{
		{"", nil},
		{"ERROR", []string{"ERROR disk full", "ERROR lock timeout"}},
		{"?ERROR ?WARN", []string{"ERROR disk full", "WARN slow", "ERROR lock timeout"}},
		{"ERROR -disk", []string{"ERROR lock timeout"}},
		{`{ ($.errorCode = "AccessDenied*") && ($.n < 10) }`, []string{`{"errorCode":"AccessDenied","n":5}`}},
		{`[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, []string{`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`}},
		{`%lock|disk%`, []string{"ERROR disk full", "ERROR lock timeout"}},
	}
	for _, c := range cases {
		got := filter(&cwl.FilterLogEventsInput{FilterPattern: aws.String(c.pattern)})
		if c.want == nil {
			if len(got) != 7 {
				t.Fatalf("%q: %d events, want all 7", c.pattern, len(got))
			}
			continue
		}
		if !equal(got, c.want) {
			t.Fatalf("%q: %v, want %v", c.pattern, got, c.want)
		}
	}
	// Streams by name and by prefix; events interleave by timestamp (then by stream,
	// in creation order).
	if got := filter(&cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("web"), FilterPattern: aws.String("WARN")}); !equal(got, []string{"WARN slow"}) {
		t.Fatalf("prefix: %v", got)
	}
	if got := filter(&cwl.FilterLogEventsInput{LogStreamNames: []string{"db", "web-2"}}); !equal(got, []string{"WARN slow", `{"errorCode":"None","n":50}`, "ERROR lock timeout", "INFO ok"}) {
		t.Fatalf("names: %v", got)
	}
	if got := filter(&cwl.FilterLogEventsInput{StartTime: aws.Int64(now + 2), EndTime: aws.Int64(now + 2)}); len(got) != 3 {
		t.Fatalf("time range (both ends inclusive): %v", got)
	}
	// Pagination returns every event once, in order.
	var paged []string
	var token *string
	for {
		out := apptest.Must(e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:g"), Limit: aws.Int32(2), NextToken: token}))
		if len(out.Events) > 2 {
			t.Fatalf("page of %d", len(out.Events))
		}
		for _, ev := range out.Events {
			if len(aws.ToString(ev.EventId)) != 56 || ev.IngestionTime == nil || ev.LogStreamName == nil {
				t.Fatalf("event %+v", ev)
			}
		}
		paged = append(paged, filtered(out.Events)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(paged) != 7 || paged[0] != `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534` || paged[6] != "INFO ok" {
		t.Fatalf("paged: %v", paged)
	}
	_, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("{ $.a = }")})
	wantError(t, err, "InvalidParameterException", 400, "Invalid filter pattern")
	_, err = e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("missing")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")
	_, err = e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"db"}, LogStreamNamePrefix: aws.String("d")})
	wantError(t, err, "InvalidParameterException", 400, "")
}

// A pattern that opens a JSON pattern without closing it gets the message AWS was
// recorded answering FilterLogEvents (jorgebastida/awslogs issue 210: the shell cut
// `{$.kubernetes.namespace_name="abc" && …}` at the &&); other invalid patterns stay
// "Invalid filter pattern".
func TestFilterLogEventsUnclosedJSONPattern(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	for _, p := range []string{`{$.kubernetes.namespace_name=abc`, ` { $.a = 1 `} {
		_, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(p)})
		wantError(t, err, "InvalidParameterException", 400, "If a filter pattern starts with '{' it must end with '}'")
	}
	_, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = }`)})
	wantError(t, err, "InvalidParameterException", 400, "Invalid filter pattern")
}

// A batch of one event more than 14 days old: AWS answers tooOldLogEventEndIndex 1
// (the index is exclusive; aws/aws-for-fluent-bit#523 records the answer).
func TestPutLogEventsTooOldEndIndexExclusive(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	now := e.now()
	out := apptest.Must(e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(now - 15*24*hour)}))
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || r.TooNewLogEventStartIndex != nil || r.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected %+v", r)
	}
	got := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}))
	if len(got.Events) != 0 {
		t.Fatalf("a rejected event was stored: %v", output(got.Events))
	}
}
