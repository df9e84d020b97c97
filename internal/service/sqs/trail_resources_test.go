package sqs_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
)

// trailRecord is the last CloudTrail record of an SQS operation, as event history
// holds it.
func (e *env) trailRecord(name string) map[string]json.RawMessage {
	e.Helper()
	out := apptest.Must(cloudtrail.NewFromConfig(e.p.RootConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}}))
	if len(out.Events) == 0 {
		e.Fatalf("no CloudTrail record of %s", name)
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal([]byte(aws.ToString(out.Events[0].CloudTrailEvent)), &rec); err != nil {
		e.Fatal(err)
	}
	return rec
}

// SQS's management records name the queue in resources, by its ARN and account,
// accountId first (recorded 2026, stackd testdata/aws/cloudtrail/
// service_management_events.json: CreateQueue, SetQueueAttributes, DeleteQueue; the
// other operations inferred), while event history names it by URL alone.
func TestManagementRecordsNameTheQueue(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("trail-dlq", map[string]string{"MessageRetentionPeriod": "1209600"})
	url := e.queue("trail-q", map[string]string{"VisibilityTimeout": "40"})
	queueARN, dlqARN := e.attr(url, "QueueArn"), e.attr(dlq, "QueueArn")
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`}}))
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "100"}}))
	apptest.Must(e.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("l1"), AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}))
	apptest.Must(e.sqs.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("l1")}))
	apptest.Must(e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "a"}}))
	apptest.Must(e.sqs.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"team"}}))
	apptest.Must(e.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}))
	e.send(dlq, "m")
	task := apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN), DestinationArn: aws.String(queueARN)}))
	// The task may be done already; a refused cancel is recorded all the same.
	_, _ = e.sqs.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle})
	apptest.Must(e.sqs.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)}))
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}))

	account := strings.Split(queueARN, ":")[4]
	want := func(arn string) string {
		return `[{"accountId":"` + account + `","type":"AWS::SQS::Queue","ARN":"` + arn + `"}]`
	}
	for op, arn := range map[string]string{
		"CreateQueue": queueARN, "SetQueueAttributes": queueARN, "DeleteQueue": queueARN,
		"AddPermission": queueARN, "RemovePermission": queueARN, "TagQueue": queueARN, "UntagQueue": queueARN,
		"PurgeQueue": queueARN, "ListMessageMoveTasks": dlqARN, "StartMessageMoveTask": dlqARN,
	} {
		rec := e.trailRecord(op)
		if got := compact(t, rec["resources"]); got != want(arn) {
			t.Errorf("%s's resources %s, want %s", op, got, want(arn))
		}
	}
	// A task handle names no queue (inferred).
	if got := compact(t, e.trailRecord("CancelMessageMoveTask")["resources"]); got != "" {
		t.Errorf("CancelMessageMoveTask's resources %s", got)
	}
	// The documented and recorded member names.
	for op, params := range map[string]string{
		"CreateQueue":        `{"queueName":"trail-q","attributes":{"VisibilityTimeout":"40"}}`,
		"SetQueueAttributes": `{"queueUrl":"` + url + `","attributes":{"VisibilityTimeout":"100"}}`,
		"DeleteQueue":        `{"queueUrl":"` + url + `"}`,
		"AddPermission":      `{"queueUrl":"` + url + `","label":"l1","aWSAccountIds":["111122223333"],"actions":["SendMessage"]}`,
		"RemovePermission":   `{"queueUrl":"` + url + `","label":"l1"}`,
	} {
		if got := compact(t, e.trailRecord(op)["requestParameters"]); got != params {
			t.Errorf("%s's requestParameters %s, want %s", op, got, params)
		}
	}
	if got := compact(t, e.trailRecord("CreateQueue")["responseElements"]); got != `{"queueUrl":"`+url+`"}` {
		t.Errorf("CreateQueue's responseElements %s", got)
	}

	// Event history names the queue by URL alone, not by the record's ARN too.
	out := apptest.Must(cloudtrail.NewFromConfig(e.p.RootConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("SetQueueAttributes")}}}))
	if r := out.Events[0].Resources; len(r) != 1 || aws.ToString(r[0].ResourceName) != url {
		t.Errorf("SetQueueAttributes' history resources %+v", r)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
