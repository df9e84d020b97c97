package sqs_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
)

// The gauges are sampled once a minute of Palisade's clock: visible, in flight and
// delayed messages, and the age of the oldest message that is not delayed.
func TestQueueGauges(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	e.startOfMinute()
	url := e.queue("gauges", map[string]string{"VisibilityTimeout": "1200"})
	e.send(url, "held")
	e.receive(url, 1)
	e.send(url, "visible")
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("delayed"), DelaySeconds: 900}))
	e.p.AdvanceClock(time.Minute)
	minute := e.p.Clock.Now().Truncate(time.Minute).UTC()
	for metric, want := range map[string]stat{
		"ApproximateNumberOfMessagesVisible":    {1, 1, 1, 1, "Count"},
		"ApproximateNumberOfMessagesNotVisible": {1, 1, 1, 1, "Count"},
		"ApproximateNumberOfMessagesDelayed":    {1, 1, 1, 1, "Count"},
	} {
		if got := e.metricStat(cw, "gauges", metric, minute); got != want {
			t.Errorf("%s = %+v, want %+v", metric, got, want)
		}
	}
	// The held message, sent about a minute ago, is the oldest.
	if got := e.metricStat(cw, "gauges", "ApproximateAgeOfOldestMessage", minute); got.unit != "Seconds" || got.n != 1 || got.sum < 55 || got.sum > 70 {
		t.Errorf("ApproximateAgeOfOldestMessage = %+v", got)
	}
}

// The classic alarm: a dead-letter queue's ApproximateNumberOfMessagesVisible > 0
// goes to ALARM once a message has been redriven into it and a minute has passed.
func TestDeadLetterQueueAlarm(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	e.startOfMinute()
	dlq := e.queue("orders-dlq", nil)
	arn := e.attr(dlq, "QueueArn")
	policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": 1})
	src := e.queue("orders", map[string]string{"RedrivePolicy": string(policy), "VisibilityTimeout": "0"})
	apptest.Must(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("dlq-not-empty"), Namespace: aws.String("AWS/SQS"),
		MetricName: aws.String("ApproximateNumberOfMessagesVisible"), Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String("orders-dlq")}},
		Statistic: cwtypes.StatisticMaximum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(0),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("notBreaching")}))
	e.send(src, "poison")
	if n := len(e.receive(src, 1)); n != 1 {
		t.Fatalf("first receive: %d messages", n)
	}
	if n := len(e.receive(src, 1)); n != 0 {
		t.Fatalf("second receive: %d messages, want the message moved to the DLQ", n)
	}
	e.p.AdvanceClock(time.Minute)
	minute := e.p.Clock.Now().Truncate(time.Minute).UTC()
	if got := e.metricStat(cw, "orders-dlq", "ApproximateNumberOfMessagesVisible", minute); got.sum != 1 {
		t.Fatalf("DLQ visible = %+v", got)
	}
	e.p.AdvanceClock(time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := apptest.Must(cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"dlq-not-empty"}}))
		if len(out.MetricAlarms) == 1 && out.MetricAlarms[0].StateValue == cwtypes.StateValueAlarm {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alarm state = %v, want ALARM", out.MetricAlarms[0].StateValue)
		}
		time.Sleep(50 * time.Millisecond)
	}
	metrics := apptest.Must(cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/SQS"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("QueueName"), Value: aws.String("orders-dlq")}}}))
	names := map[string]bool{}
	for _, m := range metrics.Metrics {
		names[aws.ToString(m.MetricName)] = true
	}
	for _, want := range []string{"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "ApproximateAgeOfOldestMessage"} {
		if !names[want] {
			t.Errorf("ListMetrics lacks %s: %v", want, names)
		}
	}
}

// A queue without messages stops reporting six hours after its last call, and any
// call on it (here GetQueueAttributes) has it report again; a queue holding messages
// reports throughout.
func TestInactiveQueueStopsReporting(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	e.startOfMinute()
	idle := e.queue("inactive", nil)
	held := e.queue("holding", nil)
	e.send(held, "kept")
	absent := func(minute time.Time) bool {
		e.metricStat(cw, "holding", "ApproximateNumberOfMessagesVisible", minute) // the pass is done
		out := apptest.Must(cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateNumberOfMessagesVisible"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String("inactive")}}, StartTime: aws.Time(minute), EndTime: aws.Time(minute.Add(time.Minute)),
			Period: aws.Int32(60), Statistics: []cwtypes.Statistic{"SampleCount"}}))
		return len(out.Datapoints) == 0
	}
	next := func(d time.Duration) time.Time {
		e.p.AdvanceClock(d)
		return e.p.Clock.Now().Truncate(time.Minute).UTC()
	}
	if absent(next(time.Minute)) {
		t.Fatal("a new queue does not report")
	}
	if absent(next(5*time.Hour + 50*time.Minute)) {
		t.Fatal("a queue stopped reporting before six hours")
	}
	if !absent(next(15 * time.Minute)) {
		t.Fatal("an empty queue still reports after six hours without a call")
	}
	e.attr(idle, "QueueArn")
	if absent(next(time.Minute)) {
		t.Fatal("a call did not have the queue report again")
	}
}

// After a restart, queues stored before it report as they did: counters committed
// before the stop are published, and a queue holding messages reports its gauges
// without any call since.
func TestQueueMetricsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, sqs: sqs.NewFromConfig(p.RootConfig())}
	sent := e.startOfMinute()
	e.send(e.queue("survivor", nil), "kept")
	p.Stop()
	p = apptest.StartIn(t, dir)
	e = &env{T: t, p: p, sqs: sqs.NewFromConfig(p.RootConfig())}
	cw := cloudwatch.NewFromConfig(p.RootConfig())
	if got := e.metricStat(cw, "survivor", "NumberOfMessagesSent", sent); got.sum != 1 {
		t.Errorf("sent before the stop = %+v", got)
	}
	p.AdvanceClock(time.Minute)
	if got := e.metricStat(cw, "survivor", "ApproximateNumberOfMessagesVisible", p.Clock.Now().Truncate(time.Minute).UTC()); got.sum != 1 {
		t.Errorf("visible after the restart = %+v", got)
	}
}
