package logs_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

var ctx = apptest.Context()

const account = "000000000000"

var wantError = apptest.WantErr

type env struct {
	*testing.T
	p    *apptest.Palisade
	logs *cwl.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	return &env{T: t, p: p, logs: cwl.NewFromConfig(p.RootConfig())}
}

// now is the server's clock in CloudWatch Logs' milliseconds.
func (e *env) now() int64 { return e.p.Clock.Now().UnixMilli() }

func (e *env) group(name string) {
	e.Helper()
	if _, err := e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		e.Fatalf("create group %s: %v", name, err)
	}
}

func (e *env) stream(group, name string) {
	e.Helper()
	if _, err := e.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(name)}); err != nil {
		e.Fatalf("create stream %s: %v", name, err)
	}
}

// put sends messages with consecutive timestamps starting at ts.
func (e *env) put(group, stream string, ts int64, msgs ...string) *cwl.PutLogEventsOutput {
	e.Helper()
	evs := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts + int64(i)), Message: aws.String(m)}
	}
	out, err := e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	if err != nil {
		e.Fatalf("put: %v", err)
	}
	return out
}

func messages[T any](events []T, msg func(T) *string) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = aws.ToString(msg(ev))
	}
	return out
}

func filtered(events []types.FilteredLogEvent) []string {
	return messages(events, func(e types.FilteredLogEvent) *string { return e.Message })
}

func output(events []types.OutputLogEvent) []string {
	return messages(events, func(e types.OutputLogEvent) *string { return e.Message })
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const hour = int64(time.Hour / time.Millisecond)
