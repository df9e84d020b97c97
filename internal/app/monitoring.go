package app

import (
	"context"
	"errors"
	"strings"
	"time"

	sqsapi "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudwatch"
	"github.com/palisade/palisade/internal/service/logs"
	"github.com/palisade/palisade/internal/service/sns"
	"github.com/palisade/palisade/internal/service/sqs"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// The adapters below connect services through the small interfaces the calling
// service owns; no service package imports another.

// metricSink hands CloudWatch Logs' metric filter output to CloudWatch.
type metricSink struct{ cw *cloudwatch.CloudWatch }

func (m metricSink) PutMetricStatistics(tx *store.Tx, account, region string, data []logs.MetricDatum) error {
	out := make([]cloudwatch.StatisticDatum, len(data))
	for i, d := range data {
		out[i] = cloudwatch.StatisticDatum{Namespace: d.Namespace, MetricName: d.MetricName, Dimensions: d.Dimensions, Unit: d.Unit,
			Timestamp: d.Timestamp, SampleCount: d.SampleCount, Sum: d.Sum, Minimum: d.Minimum, Maximum: d.Maximum}
	}
	return m.cw.PutStatistics(tx, account, region, out)
}

// alarmNotifier publishes CloudWatch alarm actions through SNS, as
// cloudwatch.amazonaws.com.
type alarmNotifier struct {
	sns   *sns.SNS
	clock interface{ Now() time.Time }
}

func (n alarmNotifier) Notify(tx *store.Tx, region string, m cloudwatch.Notification) (string, error) {
	// AWS publishes the alarm's message structure: email subscribers get its email
	// text, the others its default JSON (recorded, 2026: sns_publications.json,
	// publishedMessage; the SQS subscriber's envelope held the default).
	msg, structured := m.Message, m.Structure != ""
	if structured {
		msg = m.Structure
	}
	return n.sns.PublishAsService(tx, sns.Notification{Service: "cloudwatch.amazonaws.com", TopicARN: m.TopicARN, Subject: m.Subject,
		Message: msg, Structured: structured, SourceAccount: m.SourceAccount, SourceOwner: m.SourceAccount, SourceARN: m.SourceARN, Now: n.clock.Now()})
}

// queueSender delivers SNS messages to SQS, as SNS's service principal.
type queueSender struct {
	sqs   *sqs.SQS
	clock interface{ Now() time.Time }
}

func (q queueSender) SendFromTopic(tx *store.Tx, m sns.QueueMessage) (string, error) {
	var attrs map[string]sqsapi.MessageAttributeValue
	if len(m.Attributes) > 0 {
		attrs = make(map[string]sqsapi.MessageAttributeValue, len(m.Attributes))
		for k, a := range m.Attributes {
			v := sqsapi.MessageAttributeValue{DataType: a.DataType, BinaryValue: a.BinaryValue}
			if a.BinaryValue == nil {
				v.StringValue = &a.StringValue
			}
			attrs[k] = v
		}
	}
	account := ""
	if parts := strings.Split(m.TopicARN, ":"); len(parts) > 4 {
		account = parts[4]
	}
	names := m.Principals()
	return q.sqs.SendFromService(tx, sqs.ServiceMessage{Service: names[0], AlsoAs: names[1:], QueueARN: m.QueueARN, SourceARN: m.TopicARN,
		SourceAccount: account, Body: m.Body, Attributes: attrs, GroupID: m.GroupID, DedupID: m.DedupID, Now: q.clock.Now()})
}

// ctLogGroups is CloudWatch Logs as CloudTrail's LogGroups: CloudTrail has checked the
// trail's role before it delivers.
type ctLogGroups struct{ a *App }

func (l ctLogGroups) PutEvents(ctx context.Context, account, region, group, stream string, events []cloudtrail.LogEvent) error {
	evs := make([]logs.Event, len(events))
	for i, e := range events {
		evs[i] = logs.Event{Timestamp: e.Time.UnixMilli(), Message: e.Message}
	}
	return l.a.Logs.PutEventsAsService(ctx, account, region, group, stream, evs)
}

func (l ctLogGroups) Exists(tx *store.Tx, account, region, group string) (bool, error) {
	return l.a.Logs.GroupExists(tx, account, region, group)
}

// snsFeedbackLogs is CloudWatch Logs as SNS's FeedbackLogs: SNS has assumed the
// topic's feedback role, whose policies CloudWatch Logs checks. Logs is built after
// SNS, so it is read from the app at each write.
type snsFeedbackLogs struct{ a *App }

func (l snsFeedbackLogs) PutEvents(tx *store.Tx, p auth.Principal, region, group, stream string, events []sns.LogEvent, now time.Time) error {
	if l.a.Logs == nil {
		return errors.New("CloudWatch Logs is not available")
	}
	evs := make([]logs.Event, len(events))
	for i, e := range events {
		evs[i] = logs.Event{Timestamp: e.Time.UnixMilli(), Message: e.Message}
	}
	return l.a.Logs.PutEventsInTx(tx, p, region, group, stream, evs, now)
}

// serviceMetrics hands a service's metrics (SQS's AWS/SQS by QueueName, SNS's AWS/SNS
// by TopicName) to CloudWatch. CloudWatch is built after them, so it is read from the
// app when the first datapoint comes.
type serviceMetrics struct {
	a                    *App
	namespace, dimension string
}

func (m serviceMetrics) PutMetrics(tx *store.Tx, account, region string, data []svckit.MetricSample) error {
	out := make([]cloudwatch.StatisticDatum, len(data))
	for i, d := range data {
		out[i] = cloudwatch.StatisticDatum{Namespace: m.namespace, MetricName: d.Name, Dimensions: map[string]string{m.dimension: d.Resource}, Unit: d.Unit,
			Timestamp: d.Minute, SampleCount: d.SampleCount, Sum: d.Sum, Minimum: d.Minimum, Maximum: d.Maximum}
	}
	return m.a.CloudWatch.PutStatistics(tx, account, region, out)
}
