package sqs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// MessageGroupId and MessageDeduplicationId are 1 to 128 alphanumeric or punctuation
// characters (SendMessage's API reference); SQS refuses others with
// InvalidParameterValue "Value X for parameter MessageGroupId is invalid. Reason:
// MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128
// in length." (as users recorded AWS answering; LocalStack PR #9680 snapshot).
func TestFIFOIDsAreAlphanumericAndPunctuation(t *testing.T) {
	e := newEnv(t)
	url := e.queue("ids.fifo", map[string]string{"FifoQueue": "true"})
	send := func(group, dedup string) error {
		_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
			MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(dedup)})
		return err
	}
	msg := func(param, v string) string {
		return "Value " + v + " for parameter " + param + " is invalid. Reason: " + param + " can only include alphanumeric and punctuation characters. 1 to 128 in length."
	}
	for _, bad := range []string{strings.Repeat("1", 129), "a b", "grüße", "tab\tbed"} {
		wantError(t, send(bad, "d"), "InvalidParameterValue", 400, msg("MessageGroupId", bad))
		wantError(t, send("g", bad), "InvalidParameterValue", 400, msg("MessageDeduplicationId", bad))
	}
	punct := "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	for _, good := range []string{strings.Repeat("1", 128), punct, "Az09"} {
		apptest.Must(struct{}{}, send(good, good))
	}
	// In a batch, the entry fails.
	out := apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("ok"), MessageBody: aws.String("a"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("x1")},
		{Id: aws.String("bad"), MessageBody: aws.String("b"), MessageGroupId: aws.String("g g"), MessageDeduplicationId: aws.String("x2")},
	}}))
	if len(out.Successful) != 1 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Message) != msg("MessageGroupId", "g g") {
		t.Fatalf("batch %+v", out)
	}
}

// A standard queue takes MessageGroupId (fair queues: SendMessage's API reference,
// "In standard queues, using MessageGroupId enables fair queues") and answers it as
// the MessageGroupId system attribute; MessageDeduplicationId stays FIFO's alone.
func TestStandardQueueTakesMessageGroupId(t *testing.T) {
	e := newEnv(t)
	url := e.queue("fair", nil)
	out := apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
		MessageGroupId: aws.String("tenant-1")}))
	if out.SequenceNumber != nil {
		t.Fatalf("a standard queue's message has a sequence number: %+v", out)
	}
	b := apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("c"), MessageGroupId: aws.String("tenant-1")}}}))
	if len(b.Successful) != 1 {
		t.Fatalf("batch %+v", b)
	}
	// Messages of one group are not held back on a standard queue.
	msgs := e.receive(url, 10)
	if len(msgs) != 2 {
		t.Fatalf("received %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if m.Attributes["MessageGroupId"] != "tenant-1" {
			t.Fatalf("attributes %v", m.Attributes)
		}
		if _, ok := m.Attributes["SequenceNumber"]; ok {
			t.Fatalf("attributes %v", m.Attributes)
		}
		if _, ok := m.Attributes["MessageDeduplicationId"]; ok {
			t.Fatalf("attributes %v", m.Attributes)
		}
	}
	_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
		MessageGroupId: aws.String("bad group")})
	wantError(t, err, "InvalidParameterValue", 400, "Value bad group for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
		MessageDeduplicationId: aws.String("d")})
	wantError(t, err, "InvalidParameterValue", 400, "")
}

// A message's visibility timeout cannot reach past 12 hours from the receive
// (ChangeMessageVisibility's API reference: "If you attempt to set the
// VisibilityTimeout to a value greater than the maximum time left, Amazon SQS returns
// an error"; the wording as users recorded AWS answering, localstack#3956).
func TestVisibilityTimeoutTotalIsTwelveHours(t *testing.T) {
	e := newEnv(t)
	url := e.queue("long", nil)
	e.send(url, "slow job")
	m := e.receive(url, 1, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 3600 })[0]
	change := func(timeout int32) error {
		_, err := e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: timeout})
		return err
	}
	e.p.AdvanceClock(time.Hour - time.Second)
	const beyond = " for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
	wantError(t, change(43200), "InvalidParameterValue", 400, "Value 43200"+beyond)
	apptest.Must(struct{}{}, change(43200-3600)) // within 12 hours of the receive (the clock runs on meanwhile)
	e.p.AdvanceClock(10 * time.Hour)             // 11 hours after the receive
	wantError(t, change(7200), "InvalidParameterValue", 400, "Value 7200"+beyond)
	out := apptest.Must(e.sqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url),
		Entries: []types.ChangeMessageVisibilityBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 7200}}}))
	if len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "InvalidParameterValue" || aws.ToString(out.Failed[0].Message) != "Value 7200"+beyond {
		t.Fatalf("batch %+v", out)
	}
	apptest.Must(struct{}{}, change(60))
	// A new receive starts a new 12 hours, counted from the receive: even 43200 right
	// after it is refused (the time since counts, as aws/aws-sdk-net#794 saw).
	e.p.AdvanceClock(time.Hour)
	m = e.receive(url, 1)[0]
	e.p.AdvanceClock(time.Second)
	wantError(t, change(43200), "InvalidParameterValue", 400, "Value 43200"+beyond)
	apptest.Must(struct{}{}, change(43000))
}

// The batch's total is limited to 1 MiB whatever the queue's MaximumMessageSize, which
// limits each message (SendMessageBatch's API reference: "The maximum allowed
// individual message size and the maximum total payload size … are both 1 MiB").
func TestBatchTotalIsOneMiB(t *testing.T) {
	e := newEnv(t)
	url := e.queue("small", map[string]string{"MaximumMessageSize": "1024"})
	var entries []types.SendMessageBatchRequestEntry
	for i := range 3 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(strings.Repeat("x", 1000))})
	}
	entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("big"), MessageBody: aws.String(strings.Repeat("x", 1025))})
	out := apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}))
	if len(out.Successful) != 3 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "big" ||
		aws.ToString(out.Failed[0].Message) != "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes." {
		t.Fatalf("batch %+v", out)
	}
	big := e.queue("big", nil)
	entries = nil
	for i := range 2 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(strings.Repeat("x", 600_000))})
	}
	_, err := e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(big), Entries: entries})
	wantError(t, err, "AWS.SimpleQueueService.BatchRequestTooLong", 400, "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.")
}

// A FIFO receive retried with the same ReceiveRequestAttemptId within five minutes
// answers the same messages and receipt handles and resets their visibility timeout,
// while none of them was modified (ReceiveMessage's API reference); a new ID, or one
// whose messages changed, is a new receive.
func TestReceiveRequestAttemptId(t *testing.T) {
	e := newEnv(t)
	url := e.queue("attempts.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "30"})
	for _, b := range []string{"a1", "a2", "a3"} {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b), MessageGroupId: aws.String("a")}))
	}
	recv := func(id string, wait int32) []types.Message {
		return e.receive(url, 2, func(in *sqs.ReceiveMessageInput) {
			in.ReceiveRequestAttemptId = aws.String(id)
			in.WaitTimeSeconds = wait
		})
	}
	first := recv("try-1", 0)
	if len(first) != 2 || aws.ToString(first[0].Body) != "a1" || aws.ToString(first[1].Body) != "a2" {
		t.Fatalf("first receive %+v", first)
	}
	e.p.AdvanceClock(20 * time.Second)
	start := time.Now()
	again := recv("try-1", 5) // a long poll retried answers at once
	if time.Since(start) > 3*time.Second {
		t.Fatal("the retried long poll waited")
	}
	if len(again) != 2 || aws.ToString(again[0].ReceiptHandle) != aws.ToString(first[0].ReceiptHandle) ||
		aws.ToString(again[1].ReceiptHandle) != aws.ToString(first[1].ReceiptHandle) || again[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("retry %+v", again)
	}
	// The retry reset the visibility timeout: 20 s later the messages are still in flight.
	e.p.AdvanceClock(20 * time.Second)
	if n := len(recv("other", 0)); n != 0 {
		t.Fatalf("another attempt received %d messages of a group in flight", n)
	}
	// Once a message was modified, the ID is a new receive.
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}))
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[1].ReceiptHandle}))
	if got := recv("try-1", 0); len(got) != 1 || aws.ToString(got[0].Body) != "a3" {
		t.Fatalf("after the deletes %+v", got)
	}
	// Past five minutes an ID is not a retry.
	e.p.AdvanceClock(5 * time.Minute)
	if got := recv("try-1", 0); len(got) != 1 || aws.ToString(got[0].Body) != "a3" || got[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after five minutes %+v", got)
	}
	_, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), ReceiveRequestAttemptId: aws.String("not valid")})
	wantError(t, err, "InvalidParameterValue", 400, "Value not valid for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
}

// A standard queue ignores ReceiveRequestAttemptId ("This parameter applies only to
// FIFO queues").
func TestReceiveRequestAttemptIdIgnoredByStandardQueues(t *testing.T) {
	e := newEnv(t)
	url := e.queue("plain", nil)
	e.send(url, "m")
	for range 2 {
		apptest.Must(e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), ReceiveRequestAttemptId: aws.String("any thing")}))
	}
}
