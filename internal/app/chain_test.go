package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lt "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/service/logs"
	"github.com/palisade/palisade/internal/store"
)

// The CIS "unauthorized API calls" chain, in process: a call a user is denied is
// recorded by Palisade (its CloudTrail record, read from the event log and put into
// the log group as CloudTrail's delivery puts it, without waiting for CloudTrail's
// five-minute cadence; e2e's TestUnauthorizedAPICallsChain runs CloudTrail's own
// delivery), the metric filter counts it, the alarm goes to ALARM on Palisade's clock,
// and its SNS topic puts AWS's alarm message in an SQS queue.
func TestUnauthorizedAPICallsChain(t *testing.T) {
	t.Run("plain", func(t *testing.T) { unauthorizedAPICallsChain(t, false) })
	// The topic and the queue encrypted with customer keys whose policies let
	// CloudWatch and SNS use them, as AWS's documentation asks.
	t.Run("SSE-KMS", func(t *testing.T) { unauthorizedAPICallsChain(t, true) })
}

func unauthorizedAPICallsChain(t *testing.T, encrypted bool) {
	p := apptest.Start(t)
	ctx := apptest.Context()
	cfg := p.RootConfig()
	logsc, cwc, snsc, sqsc, iamc := cwl.NewFromConfig(cfg), cw.NewFromConfig(cfg), sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	topicAttrs, queueAttrs := map[string]string{}, map[string]string{}
	if encrypted {
		keyFor := func(service string) string {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},` +
				`{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}]}`
			return aws.ToString(apptest.Must(kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(doc)})).KeyMetadata.Arn)
		}
		topicAttrs["KmsMasterKeyId"], queueAttrs["KmsMasterKeyId"] = keyFor("cloudwatch.amazonaws.com"), keyFor("sns.amazonaws.com")
	}

	apptest.Must(logsc.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("ct")}))
	apptest.Must(logsc.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("ct"), FilterName: aws.String("unauth"),
		FilterPattern:         aws.String(`{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`),
		MetricTransformations: []lt.MetricTransformation{{MetricName: aws.String("UnauthorizedAPICalls"), MetricNamespace: aws.String("CIS"), MetricValue: aws.String("1")}}}))
	topic := aws.ToString(apptest.Must(snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alarms"), Attributes: topicAttrs})).TopicArn)
	queue := aws.ToString(apptest.Must(sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("alerts"), Attributes: queueAttrs})).QueueUrl)
	qarn := "arn:aws:sqs:us-east-1:000000000000:alerts"
	apptest.Must(sqsc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queue), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + qarn + `"}]}`}}))
	apptest.Must(snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn)}))
	apptest.Must(cwc.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("unauth"), Namespace: aws.String("CIS"), MetricName: aws.String("UnauthorizedAPICalls"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, AlarmActions: []string{topic}}))

	// The intruder's call is denied, and recorded.
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("intruder")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("intruder")})).AccessKey
	intruder := iam.NewFromConfig(p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err := intruder.ListUsers(ctx, &iam.ListUsersInput{})
	apptest.WantErr(t, err, "AccessDenied", 403, "")

	// Put the account's CloudTrail records into the log group, as a trail with a
	// CloudWatch Logs group delivers them.
	var records []logs.Event
	err = p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 10_000, func(ev *store.Event) bool {
			if ev.Source == audit.Source {
				records = append(records, logs.Event{Timestamp: ev.Time, Message: string(ev.Data)})
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Logs.PutEventsAsService(ctx, "000000000000", "us-east-1", "ct", "000000000000_CloudTrail_us-east-1", records); err != nil {
		t.Fatal(err)
	}

	alarm := func() cwtypes.MetricAlarm {
		return apptest.Must(cwc.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"unauth"}})).MetricAlarms[0]
	}
	p.AdvanceClock(time.Minute)
	p.CloudWatch.EvaluateAll(ctx)
	if a := alarm(); a.StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("alarm %s: %s", a.StateValue, aws.ToString(a.StateReason))
	}
	msgs := apptest.Must(sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), WaitTimeSeconds: 5})).Messages
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the queue", len(msgs))
	}
	var env struct{ Type, Subject, Message, TopicArn string }
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &env); err != nil {
		t.Fatal(err)
	}
	if env.Subject != `ALARM: "unauth" in US East (N. Virginia)` || env.TopicArn != topic {
		t.Fatalf("envelope %+v", env)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(env.Message), &m); err != nil {
		t.Fatalf("alarm message %s: %v", env.Message, err)
	}
	trigger, _ := m["Trigger"].(map[string]any)
	if m["AlarmName"] != "unauth" || m["NewStateValue"] != "ALARM" || m["OldStateValue"] != "INSUFFICIENT_DATA" || m["AWSAccountId"] != "000000000000" ||
		m["AlarmArn"] != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:unauth" || trigger["Statistic"] != "SUM" || trigger["MetricName"] != "UnauthorizedAPICalls" ||
		!strings.HasPrefix(m["NewStateReason"].(string), "Threshold Crossed: 1 datapoint [1.0 (") {
		t.Fatalf("alarm message %s", env.Message)
	}
	// The message's keys come in AWS's order.
	if !strings.HasPrefix(env.Message, `{"AlarmName":"unauth","AlarmDescription":null,"AWSAccountId":"000000000000","AlarmConfigurationUpdatedTimestamp":"`) ||
		!strings.Contains(env.Message, `"Threshold":1.0,"TreatMissingData":"missing","EvaluateLowSampleCountPercentile":""}}`) {
		t.Fatalf("alarm message layout %s", env.Message)
	}
	hist := apptest.Must(cwc.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("unauth"), HistoryItemType: cwtypes.HistoryItemTypeAction}))
	if len(hist.AlarmHistoryItems) != 1 || !strings.HasPrefix(aws.ToString(hist.AlarmHistoryItems[0].HistorySummary), "Successfully executed action "+topic) {
		t.Fatalf("action history %+v", hist.AlarmHistoryItems)
	}
}
