package logs_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/service/logs"
)

func errorCode(err error) string {
	var me *model.Error
	if errors.As(err, &me) {
		return me.Code
	}
	return fmt.Sprint(err)
}

func TestPutEventsAsService(t *testing.T) {
	e := newEnv(t)
	l := e.p.App.Logs
	err := l.PutEventsAsService(ctx, account, "us-east-1", "ct", account+"_CloudTrail_us-east-1", []logs.Event{{Timestamp: e.now(), Message: "x"}})
	if errorCode(err) != "ResourceNotFoundException" {
		t.Fatalf("missing group: %v", err)
	}
	e.group("ct")
	now := e.now()
	// 12,000 events out of order: sorted, split into batches, all stored.
	evs := make([]logs.Event, 12_000)
	for i := range evs {
		evs[i] = logs.Event{Timestamp: now - int64(i), Message: fmt.Sprintf(`{"n":%d}`, i)}
	}
	if err := l.PutEventsAsService(ctx, account, "us-east-1", "ct", "trail", evs); err != nil {
		t.Fatal(err)
	}
	var n int
	var token *string
	for {
		out := apptest.Must(e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("ct"), NextToken: token}))
		n += len(out.Events)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if n != 12_000 {
		t.Fatalf("%d events stored", n)
	}
	first := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("ct"), LogStreamName: aws.String("trail"),
		StartFromHead: aws.Bool(true), Limit: aws.Int32(1)}))
	if aws.ToString(first.Events[0].Message) != `{"n":11999}` {
		t.Fatalf("first event %s", aws.ToString(first.Events[0].Message))
	}
}

func TestPutEventsAsPrincipal(t *testing.T) {
	e := newEnv(t)
	e.group("ct")
	iamc := iam.NewFromConfig(e.p.RootConfig())
	u := apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("writer")})).User
	p := auth.Principal{Type: auth.IAMUser, Account: account, ARN: aws.ToString(u.Arn), UserID: aws.ToString(u.UserId), UserName: "writer"}
	l := e.p.App.Logs
	ev := []logs.Event{{Timestamp: e.now(), Message: "hello"}}
	err := l.PutEventsAs(ctx, p, "us-east-1", "ct", "s", ev)
	var me *model.Error
	if !errors.As(err, &me) || me.Code != "AccessDeniedException" ||
		me.Message != "User: arn:aws:iam::000000000000:user/writer is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:000000000000:log-group:ct:log-stream:s because no identity-based policy allows the logs:CreateLogStream action" {
		t.Fatalf("without a policy: %v", err)
	}
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("writer"), PolicyName: aws.String("logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`)}))
	if err := l.PutEventsAs(ctx, p, "us-east-1", "ct", "s", ev); err != nil {
		t.Fatalf("with a policy: %v", err)
	}
	out := apptest.Must(e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("ct")}))
	if len(out.Events) != 1 || aws.ToString(out.Events[0].LogStreamName) != "s" {
		t.Fatalf("events %+v", out.Events)
	}
}

// A user without permissions is refused by every operation, with CloudWatch Logs'
// AccessDeniedException.
func TestLogsAuthorization(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := cwl.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err := bob.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("x")})
	// CreateLogGroup is authorized on the group's streams, ARN:log-stream: (public error
	// messages, e.g. elastic/apm-aws-lambda issue 526, 2024; see onStreams).
	wantError(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:000000000000:log-group:x:log-stream: because no identity-based policy allows the logs:CreateLogGroup action")
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:FilterLogEvents","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:g"}]}`)}))
	apptest.Must(bob.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g")}))
	_, err = bob.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	wantError(t, err, "AccessDeniedException", 400, "")

	// A query is authorized on every log group it reads, its results on the query's
	// groups.
	e.group("h")
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("query"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:StartQuery","logs:GetQueryResults"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:g"}]}`)}))
	q := &cwl.StartQueryInput{LogGroupNames: []string{"g", "h"}, QueryString: aws.String("fields @message"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)}
	_, err = bob.StartQuery(ctx, q)
	wantError(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: logs:StartQuery on resource: arn:aws:logs:us-east-1:000000000000:log-group:h because no identity-based policy allows the logs:StartQuery action")
	both := apptest.Must(e.logs.StartQuery(ctx, q))
	_, err = bob.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: both.QueryId})
	wantError(t, err, "AccessDeniedException", 400, "")
	q.LogGroupNames = []string{"g"}
	mine := apptest.Must(bob.StartQuery(ctx, q))
	apptest.Must(bob.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: mine.QueryId}))
	_, err = bob.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantError(t, err, "AccessDeniedException", 400, "")
}

// PutLogEvents decodes its batch straight into the request struct (TypedInput): the
// call is still authorized on the stream its input names, and a batch the typed
// decoder declines gets the generic path's validation error.
func TestPutLogEventsTypedInput(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	e.stream("g", "t")
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := cwl.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("put"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"}]}`)}))
	now := e.now()
	apptest.Must(bob.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: events(now, now)}))
	_, err := bob.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("t"), LogEvents: events(now)})
	wantError(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:t because no identity-based policy allows the logs:PutLogEvents action")

	evs := events(now, now)
	evs[1].Message = aws.String("")
	_, err = e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs})
	wantError(t, err, "InvalidParameterException", 400, "1 validation error detected: Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	got := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}))
	if m := output(got.Events); !equal(m, []string{"event 0", "event 1"}) {
		t.Fatalf("events %q", m)
	}
}

// Large PutLogEvents bodies are read into buffers the server reuses for later
// requests, and a batch's messages on the typed path are slices of its body: nothing
// PutLogEvents keeps (the chunk, its cache, metric filters' dimension values) may
// still point into a body once the next one is read into the same buffer.
func TestPutLogEventsBodyBufferReuse(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	apptest.Must(e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("users"),
		FilterPattern: aws.String(`{ $.user = * }`), MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("Seen"),
			MetricNamespace: aws.String("App"), MetricValue: aws.String("1"), Dimensions: map[string]string{"User": "$.user"}}}}))
	batch := func(ts int64, user string) []types.InputLogEvent {
		evs := make([]types.InputLogEvent, 3000) // ~400 KB: above the pooling threshold
		for i := range evs {
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts + int64(i)),
				Message: aws.String(fmt.Sprintf(`{"user":"%s","n":"%06d","pad":"%s"}`, user, i, strings.Repeat(user[:1], 80)))}
		}
		return evs
	}
	now := e.now()
	users := []string{"alice", "bobby", "carol", "dylan"} // same lengths: same offsets in the body
	for k, u := range users {
		apptest.Must(e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
			LogEvents: batch(now-int64(len(users)-k)*10000, u)}))
	}
	var got []string
	var token *string
	for {
		out := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
			StartFromHead: aws.Bool(true), NextToken: token}))
		got = append(got, output(out.Events)...)
		if len(out.Events) == 0 || aws.ToString(out.NextForwardToken) == aws.ToString(token) {
			break
		}
		token = out.NextForwardToken
	}
	if len(got) != len(users)*3000 {
		t.Fatalf("%d events back, want %d", len(got), len(users)*3000)
	}
	for k, u := range users {
		for i := range 3000 {
			want := fmt.Sprintf(`{"user":"%s","n":"%06d","pad":"%s"}`, u, i, strings.Repeat(u[:1], 80))
			if m := got[k*3000+i]; m != want {
				t.Fatalf("event %d of batch %d: %q, want %q", i, k, m, want)
			}
		}
	}
	metrics := apptest.Must(cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("App"), MetricName: aws.String("Seen")}))
	var dims []string
	for _, m := range metrics.Metrics {
		for _, d := range m.Dimensions {
			dims = append(dims, aws.ToString(d.Value))
		}
	}
	slices.Sort(dims)
	if !slices.Equal(dims, users) {
		t.Fatalf("dimension values %q, want %q", dims, users)
	}
}
