package sns_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// TestBatchEntryIDs: a PublishBatch entry Id is up to 80 alphanumeric characters,
// hyphens and underscores (PublishBatchRequestEntry's API reference); another is
// InvalidBatchEntryId and nothing of the batch is published. Palisade took any Id.
func TestBatchEntryIDs(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("ids", nil)
	url, qarn := e.queueFor("idsq", topic, true)
	e.subscribe(topic, "sqs", qarn, nil)
	for _, id := range []string{"bad id", "a.b", "é", strings.Repeat("a", 81), ""} {
		_, err := e.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
			{Id: aws.String("ok"), Message: aws.String("m")}, {Id: aws.String(id), Message: aws.String("m")}}})
		wantError(t, err, "InvalidBatchEntryId", 400, "The Id of a batch entry in a batch request doesn't abide by the specification.")
	}
	if n := len(e.drain(url)); n != 0 {
		t.Fatalf("a refused batch delivered %d messages", n)
	}
	out := apptest.Must(e.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String(strings.Repeat("A", 80)), Message: aws.String("m")}, {Id: aws.String("a-b_C9"), Message: aws.String("m")}}}))
	if len(out.Successful) != 2 {
		t.Fatalf("batch %+v", out)
	}
}

// TestMessageGroupAndDeduplicationIDs: MessageGroupId and MessageDeduplicationId are
// 1 to 128 alphanumeric or punctuation characters (Publish's API reference). A FIFO
// topic took any and its SQS FIFO subscriptions then refused the message, so an
// acknowledged Publish was delivered nowhere. A standard topic forwards a group ID
// to its SQS standard subscriptions (fair queues), checked alike; Palisade dropped it.
func TestMessageGroupAndDeduplicationIDs(t *testing.T) {
	// SNS's wording, recorded in 2026 (radkawar/stackd testdata/aws/sns/message_groups.json, fifo_edges.json).
	const badGroup = "Invalid parameter: The MessageGroupId parameter can only include alphanumeric and punctuation characters. 1 to 128 in length"
	const badDedup = "Invalid parameter: The MessageDeduplicationId parameter can only include alphanumeric and punctuation characters. 1 to 128 in length"
	e := newEnv(t)
	fifo := e.topic("ids.fifo", map[string]string{"FifoTopic": "true"})
	fifoURL := apptest.Must(e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("idsq.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "Policy": snsMaySend("idsq.fifo", fifo)}})).QueueUrl
	fifoQ := "arn:aws:sqs:us-east-1:000000000000:idsq.fifo"
	e.subscribe(fifo, "sqs", fifoQ, nil)
	bad := []string{strings.Repeat("g", 129), "with space", "tab\t", "é"}
	for _, v := range bad {
		_, err := e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("m"), MessageGroupId: aws.String(v), MessageDeduplicationId: aws.String("d")})
		wantError(t, err, "InvalidParameter", 400, badGroup)
		_, err = e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("m"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(v)})
		wantError(t, err, "InvalidParameter", 400, badDedup)
		_, err = e.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(fifo), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
			{Id: aws.String("1"), Message: aws.String("m"), MessageGroupId: aws.String(v), MessageDeduplicationId: aws.String("d")}}})
		wantError(t, err, "InvalidParameter", 400, badGroup)
	}
	punct := "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("m"), MessageGroupId: aws.String(punct + strings.Repeat("g", 128-len(punct))),
		MessageDeduplicationId: aws.String(strings.Repeat("d", 128))}))
	got := apptest.Must(e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: fifoURL, MaxNumberOfMessages: 10}))
	if len(got.Messages) != 1 {
		t.Fatalf("the FIFO queue got %d messages", len(got.Messages))
	}

	// A standard topic: the group ID is checked and reaches SQS standard queues.
	topic := e.topic("ids", nil)
	url, qarn := e.queueFor("idsq", topic, true)
	e.subscribe(topic, "sqs", qarn, nil)
	for _, v := range bad {
		_, err := e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), MessageGroupId: aws.String(v)})
		wantError(t, err, "InvalidParameter", 400, badGroup)
	}
	out := apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), MessageGroupId: aws.String("tenant-1")}))
	if out.SequenceNumber != nil {
		t.Fatalf("a standard topic answered a sequence number %s", *out.SequenceNumber)
	}
	msgs := apptest.Must(e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})).Messages
	if len(msgs) != 1 || msgs[0].Attributes["MessageGroupId"] != "tenant-1" {
		t.Fatalf("standard queue messages %+v", msgs)
	}
	if env := envelope(t, aws.ToString(msgs[0].Body)); env["SequenceNumber"] != "" {
		t.Fatalf("a standard topic's notification has a sequence number: %v", env)
	}
}

// TestFIFOTopicToStandardQueue: SNS FIFO topics deliver to SQS standard queues as well
// as FIFO ones ("Amazon SNS message delivery for FIFO topics"). Palisade accepted the
// subscription and then passed the deduplication ID, which a standard queue refuses,
// so every message was dropped.
func TestFIFOTopicToStandardQueue(t *testing.T) {
	e := newEnv(t)
	fifo := e.topic("std.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	url, qarn := e.queueFor("std", fifo, true)
	e.subscribe(fifo, "sqs", qarn, nil)
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("one"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")}))
	apptest.Must(e.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(fifo), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("1"), Message: aws.String("two"), MessageGroupId: aws.String("g")}}}))
	msgs := e.drain(url)
	if len(msgs) != 2 {
		t.Fatalf("the standard queue got %d messages, want 2", len(msgs))
	}
	if env := envelope(t, aws.ToString(msgs[0].Body)); env["Type"] != "Notification" || env["SequenceNumber"] == "" {
		t.Fatalf("notification %v", env)
	}
}

// TestDeliveryStatusAttributes: CreateTopic and SetTopicAttributes take the
// delivery-status logging attributes their API reference lists (Terraform's
// aws_sns_topic sets them); Palisade answered "Invalid parameter: AttributeName".
func TestDeliveryStatusAttributes(t *testing.T) {
	e := newEnv(t)
	// The role must exist and trust SNS (recorded, 2026: managed_feedback.json).
	role := aws.ToString(apptest.Must(iam.NewFromConfig(e.p.RootConfig()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("sns-logs"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})).Role.Arn)
	topic := e.topic("status", map[string]string{"SQSSuccessFeedbackRoleArn": role, "SQSSuccessFeedbackSampleRate": "100"})
	for _, a := range []string{"HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn", "FirehoseFailureFeedbackRoleArn", "LambdaSuccessFeedbackRoleArn",
		"ApplicationFailureFeedbackRoleArn", "SQSFailureFeedbackRoleArn"} {
		apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String(a), AttributeValue: aws.String(role)}))
	}
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("LambdaSuccessFeedbackSampleRate"), AttributeValue: aws.String("50")}))
	attrs := apptest.Must(e.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})).Attributes
	if attrs["SQSSuccessFeedbackRoleArn"] != role || attrs["SQSSuccessFeedbackSampleRate"] != "100" || attrs["HTTPFailureFeedbackRoleArn"] != role ||
		attrs["LambdaSuccessFeedbackSampleRate"] != "50" {
		t.Fatalf("attributes %v", attrs)
	}
	_, err := e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("SMTPSuccessFeedbackRoleArn"), AttributeValue: aws.String(role)})
	wantError(t, err, "InvalidParameter", 400, "Invalid parameter: AttributeName")
}
