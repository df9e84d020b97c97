package sqs_test

import (
	"strconv"
	"testing"
	"time"

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

// A move task from a FIFO dead-letter queue sends each message to the destination as
// a new message whose deduplication ID is the original message's ID, sequenced by the
// destination, which keeps the deduplication record. A group with a message in flight
// in the dead-letter queue is held back whole, and the task stays RUNNING until it is
// released; the rest moves meanwhile (recorded cases held_progress, held_destination,
// still_held_destination, before_release, released_destination, released_progress,
// duplicate_a0, duplicate_a1, duplicate_b0).
func TestFIFOMoveTaskHoldsGroupsInFlight(t *testing.T) {
	e := newEnv(t)
	dead := e.queue("locks-dead.fifo", map[string]string{"FifoQueue": "true"})
	src := redriveTo("locks-dead.fifo")
	src["FifoQueue"] = "true"
	e.queue("locks-source.fifo", src)
	dest := e.queue("locks-destination.fifo", map[string]string{"FifoQueue": "true"})

	a0 := aws.ToString(e.sendFIFO(dead, "a0", "a", "manual-a0").MessageId)
	held := e.receive(dead, 10)
	if len(held) != 1 {
		t.Fatalf("hold_a0: %+v", held)
	}
	a1 := aws.ToString(e.sendFIFO(dead, "a1", "a", "manual-a1").MessageId)
	b0 := aws.ToString(e.sendFIFO(dead, "b0", "b", "manual-b0").MessageId)
	apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "locks-dead.fifo"),
		DestinationArn: aws.String(arnPrefix + "locks-destination.fifo")}))
	e.p.SQS.RunMoveTasks(ctx)

	running := func(step string, moved int64) {
		t.Helper()
		res := e.tasks("locks-dead.fifo", 1)
		if len(res) != 1 || aws.ToString(res[0].Status) != "RUNNING" || res[0].TaskHandle == nil ||
			aws.ToInt64(res[0].ApproximateNumberOfMessagesToMove) != 3 || res[0].ApproximateNumberOfMessagesMoved != moved {
			t.Fatalf("%s: %+v", step, res)
		}
	}
	running("held_progress", 1)
	got := e.receive(dest, 10)
	if len(got) != 1 || aws.ToString(got[0].Body) != "b0" || aws.ToString(got[0].MessageId) == b0 ||
		got[0].Attributes["MessageDeduplicationId"] != b0 || got[0].Attributes["MessageGroupId"] != "b" {
		t.Fatalf("held_destination: %+v", got)
	}
	redrivenB0, seqB0 := aws.ToString(got[0].MessageId), got[0].Attributes["SequenceNumber"]
	e.p.AdvanceClock(5 * time.Second)
	e.p.SQS.RunMoveTasks(ctx)
	if got := e.receive(dest, 10); len(got) != 0 {
		t.Fatalf("still_held_destination: %+v", got)
	}
	running("before_release", 1)

	apptest.Must(e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dead), ReceiptHandle: held[0].ReceiptHandle}))
	e.p.SQS.RunMoveTasks(ctx)
	got = e.receive(dest, 10)
	if len(got) != 2 || aws.ToString(got[0].Body) != "a0" || aws.ToString(got[1].Body) != "a1" ||
		got[0].Attributes["MessageDeduplicationId"] != a0 || got[1].Attributes["MessageDeduplicationId"] != a1 ||
		aws.ToString(got[0].MessageId) == a0 || aws.ToString(got[1].MessageId) == a1 || got[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("released_destination: %+v", got)
	}
	s0, s1 := seq(t, got[0].Attributes["SequenceNumber"]), seq(t, got[1].Attributes["SequenceNumber"])
	if s1 != s0+1 || s0 <= seq(t, seqB0) {
		t.Fatalf("released_destination: sequence numbers %d %d after b0's %s", s0, s1, seqB0)
	}
	if res := e.tasks("locks-dead.fifo", 1); len(res) != 1 || aws.ToString(res[0].Status) != "COMPLETED" || res[0].TaskHandle != nil {
		t.Fatalf("released_progress: %+v", res)
	}
	if n := e.attr(dead, "ApproximateNumberOfMessages"); n != "0" {
		t.Fatalf("%s messages left in the dead-letter queue", n)
	}

	// The destination deduplicates sends of the original IDs to the redriven messages.
	for i, c := range []struct{ orig, id, seq string }{
		{a0, aws.ToString(got[0].MessageId), got[0].Attributes["SequenceNumber"]},
		{a1, aws.ToString(got[1].MessageId), got[1].Attributes["SequenceNumber"]},
		{b0, redrivenB0, seqB0},
	} {
		dup := e.sendFIFO(dest, "duplicate", "a", c.orig)
		if aws.ToString(dup.MessageId) != c.id || aws.ToString(dup.SequenceNumber) != c.seq {
			t.Fatalf("duplicate %d answered %s %s, want %s %s", i, aws.ToString(dup.MessageId), aws.ToString(dup.SequenceNumber), c.id, c.seq)
		}
	}
	if n := e.attr(dest, "ApproximateNumberOfMessages"); n != "0" {
		t.Fatalf("after_duplicate_sends: %s messages enqueued", n)
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
