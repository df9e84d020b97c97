package sqs_test

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// The FIFO redrive behaviour AWS was recorded doing in 2026 (us-east-1) in
// github.com/radkawar/stackd, testdata/aws/sqs/fifo_redrive.json.

// sendFIFO sends body to a FIFO queue in group with deduplication ID dedup.
func (e *env) sendFIFO(url, body, group, dedup string) *sqs.SendMessageOutput {
	e.Helper()
	return apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body),
		MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(dedup)}))
}

// seq reads a sequence number.
func seq(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("sequence number %q: %v", s, err)
	}
	return n
}

// A message its redrive policy moves to a FIFO dead-letter queue is sequenced anew
// there, and the dead-letter queue keeps a deduplication record of its message ID:
// a send with that ID as deduplication ID answers the dead-lettered message's ID and
// sequence number (recorded cases dead_arrival_poison, duplicate_dead_arrival).
func TestFIFODeadLetterSequenceAndDeduplication(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("automatic-dead.fifo", map[string]string{"FifoQueue": "true"})
	attrs := redriveTo("automatic-dead.fifo")
	attrs["FifoQueue"] = "true"
	src := e.queue("automatic-source.fifo", attrs)
	direct := e.sendFIFO(dlq, "direct", "other-group", "direct")
	sent := e.sendFIFO(src, "poison", "source-group", "source-poison")
	id := aws.ToString(sent.MessageId)
	e.receive(src, 10)
	if got := e.receive(src, 10); len(got) != 0 {
		t.Fatalf("%d messages left in the source", len(got))
	}
	var dead types.Message
	for _, m := range e.receive(dlq, 10) {
		if aws.ToString(m.Body) == "poison" {
			dead = m
		}
	}
	a := dead.Attributes
	if aws.ToString(dead.MessageId) != id || a["MessageDeduplicationId"] != id || a["MessageGroupId"] != "source-group" || a["ApproximateReceiveCount"] != "2" ||
		a["DeadLetterQueueSourceArn"] != arnPrefix+"automatic-source.fifo" {
		t.Fatalf("dead-lettered message %s %v", aws.ToString(dead.MessageId), a)
	}
	if a["SequenceNumber"] == aws.ToString(sent.SequenceNumber) || seq(t, a["SequenceNumber"]) <= seq(t, aws.ToString(direct.SequenceNumber)) {
		t.Fatalf("dead-lettered with sequence number %s: sent as %s, the dead-letter queue's last was %s",
			a["SequenceNumber"], aws.ToString(sent.SequenceNumber), aws.ToString(direct.SequenceNumber))
	}
	dup := e.sendFIFO(dlq, "other body", "source-group", id)
	if aws.ToString(dup.MessageId) != id || aws.ToString(dup.SequenceNumber) != a["SequenceNumber"] {
		t.Fatalf("duplicate of the dead-lettered message answered %s %s", aws.ToString(dup.MessageId), aws.ToString(dup.SequenceNumber))
	}
	if n := e.attr(dlq, "ApproximateNumberOfMessagesNotVisible"); n != "2" {
		t.Fatalf("%s messages in flight in the dead-letter queue after the duplicate, want 2", n)
	}

}
