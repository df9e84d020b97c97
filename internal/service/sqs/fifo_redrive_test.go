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
// sequence number (recorded cases dead_arrival_poison, duplicate_dead_arrival). A
// move task returning it to its source sends it there with the message ID as
// deduplication ID and a sequence number of the source (returned_source).
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
	inDLQ := e.receive(dlq, 10)
	for _, m := range inDLQ {
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

	// Back to the source.
	for _, m := range inDLQ {
		if aws.ToString(m.Body) == "direct" {
			apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(dlq), ReceiptHandle: m.ReceiptHandle}))
		} else {
			apptest.Must(e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dlq), ReceiptHandle: m.ReceiptHandle}))
		}
	}
	apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "automatic-dead.fifo")}))
	e.p.SQS.RunMoveTasks(ctx)
	back := e.receive(src, 10)
	if len(back) != 1 {
		t.Fatalf("returned: %+v", back)
	}
	b := back[0].Attributes
	if aws.ToString(back[0].MessageId) == id || b["MessageDeduplicationId"] != id || b["MessageGroupId"] != "source-group" || b["ApproximateReceiveCount"] != "1" ||
		seq(t, b["SequenceNumber"]) <= seq(t, aws.ToString(sent.SequenceNumber)) {
		t.Fatalf("returned message %s %v (sent as %s)", aws.ToString(back[0].MessageId), b, aws.ToString(sent.SequenceNumber))
	}
	if dup := e.sendFIFO(src, "again", "source-group", id); aws.ToString(dup.MessageId) != aws.ToString(back[0].MessageId) ||
		aws.ToString(dup.SequenceNumber) != b["SequenceNumber"] {
		t.Fatalf("duplicate of the returned message answered %s %s", aws.ToString(dup.MessageId), aws.ToString(dup.SequenceNumber))
	}
}

// A message a FIFO move task sends to a destination that holds a deduplication
// record of its message ID (sent within five minutes) is deduplicated there, as a
// send would be, and leaves the dead-letter queue (recorded cases seed_collision,
// collision_progress, collision_destination; that the message is dropped rather than
// held back is inferred: the destination's group was in flight when AWS was
// observed).
func TestFIFOMoveTaskDeduplicatedAtDestination(t *testing.T) {
	e := newEnv(t)
	dead := e.queue("collision-dead.fifo", map[string]string{"FifoQueue": "true"})
	src := redriveTo("collision-dead.fifo")
	src["FifoQueue"] = "true"
	e.queue("collision-source.fifo", src)
	dest := e.queue("collision-destination.fifo", map[string]string{"FifoQueue": "true"})
	id := aws.ToString(e.sendFIFO(dead, "collision", "collision-group", "collision").MessageId)
	e.sendFIFO(dest, "existing", "collision-group", id)
	apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "collision-dead.fifo"),
		DestinationArn: aws.String(arnPrefix + "collision-destination.fifo")}))
	e.p.SQS.RunMoveTasks(ctx)
	if res := e.tasks("collision-dead.fifo", 1); len(res) != 1 || aws.ToString(res[0].Status) != "COMPLETED" ||
		aws.ToInt64(res[0].ApproximateNumberOfMessagesToMove) != 1 {
		t.Fatalf("collision_progress: %+v", res)
	}
	if got := e.bodies(dest); len(got) != 1 || got[0] != "existing" {
		t.Fatalf("collision_destination: %v", got)
	}
	if n := e.attr(dead, "ApproximateNumberOfMessages"); n != "0" {
		t.Fatalf("%s messages left in the dead-letter queue", n)
	}
}
