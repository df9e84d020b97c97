package sqs_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// redriveTo is a RedrivePolicy sending messages received once to the queue dlq.
func redriveTo(dlq string) map[string]string {
	return map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + arnPrefix + dlq + `","maxReceiveCount":"1"}`}
}

// deadLetter sends body to src and receives it twice, which moves it to src's
// dead-letter queue.
func (e *env) deadLetter(src, body string) {
	e.Helper()
	e.send(src, body)
	e.receive(src, 10)
	if got := e.receive(src, 10); len(got) != 0 {
		e.Fatalf("%d messages left in %s", len(got), src)
	}
}

// A message its source's redrive policy moved to a dead-letter queue carries the
// source's ARN as DeadLetterQueueSourceArn, answered by name and with All in either
// AttributeNames or MessageSystemAttributeNames; a message sent to the dead-letter
// queue directly has none, nor does a message a move task returned to its source.
func TestDeadLetterQueueSourceArn(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("dlq", map[string]string{"VisibilityTimeout": "0"})
	src := e.queue("src", redriveTo("dlq"))
	e.deadLetter(src, "poison")
	e.send(dlq, "direct")

	byBody := func(msgs []types.Message) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, m := range msgs {
			out[aws.ToString(m.Body)] = m.Attributes
		}
		return out
	}
	for name, ask := range map[string]func(*sqs.ReceiveMessageInput){
		"MessageSystemAttributeNames=All": func(in *sqs.ReceiveMessageInput) {},
		"AttributeNames=All": func(in *sqs.ReceiveMessageInput) {
			in.MessageSystemAttributeNames = nil
			//lint:ignore SA1019 the older form, which boto3 still sends, is what is tested
			in.AttributeNames = []types.QueueAttributeName{"All"}
		},
		"by name": func(in *sqs.ReceiveMessageInput) {
			in.MessageSystemAttributeNames = []types.MessageSystemAttributeName{types.MessageSystemAttributeNameDeadLetterQueueSourceArn}
		},
	} {
		got := byBody(e.receive(dlq, 10, ask))
		if len(got) != 2 || got["poison"]["DeadLetterQueueSourceArn"] != arnPrefix+"src" {
			t.Fatalf("%s: %v", name, got)
		}
		if _, ok := got["direct"]["DeadLetterQueueSourceArn"]; ok {
			t.Fatalf("%s: a message sent to the dead-letter queue has a source: %v", name, got)
		}
	}
	// Asked for something else, it is not answered.
	got := e.receive(dlq, 10, func(in *sqs.ReceiveMessageInput) {
		in.MessageSystemAttributeNames = []types.MessageSystemAttributeName{"SenderId"}
	})
	for _, m := range got {
		if _, ok := m.Attributes["DeadLetterQueueSourceArn"]; ok || len(m.Attributes) != 1 {
			t.Fatalf("SenderId asked for, answered %v", m.Attributes)
		}
	}

	// Redriven back to its source, it is a new message there, without the attribute.
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(dlq), ReceiptHandle: func() *string {
		for _, m := range e.receive(dlq, 10) {
			if aws.ToString(m.Body) == "direct" {
				return m.ReceiptHandle
			}
		}
		t.Fatal("the direct message is gone")
		return nil
	}()}))
	apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "dlq")}))
	e.p.SQS.RunMoveTasks(ctx)
	back := e.receive(src, 10)
	if len(back) != 1 || aws.ToString(back[0].Body) != "poison" {
		t.Fatalf("redriven: %+v", back)
	}
	if v, ok := back[0].Attributes["DeadLetterQueueSourceArn"]; ok {
		t.Fatalf("a redriven message names %s as its dead-letter source", v)
	}
}

// A FIFO message moved to a FIFO dead-letter queue has its message ID as its
// deduplication ID there, as the SQS Developer Guide documents, and keeps its group.
func TestFIFODeadLetterDeduplicationID(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("dlq.fifo", map[string]string{"FifoQueue": "true"})
	attrs := redriveTo("dlq.fifo")
	attrs["FifoQueue"] = "true"
	src := e.queue("src.fifo", attrs)
	sent := apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")}))
	e.receive(src, 10)
	if got := e.receive(src, 10); len(got) != 0 {
		t.Fatalf("%d messages left in the source", len(got))
	}
	got := e.receive(dlq, 10)
	if len(got) != 1 || got[0].Attributes["MessageDeduplicationId"] != aws.ToString(sent.MessageId) || got[0].Attributes["MessageGroupId"] != "g" ||
		got[0].Attributes["DeadLetterQueueSourceArn"] != arnPrefix+"src.fifo" {
		t.Fatalf("dead-lettered FIFO message %+v", got)
	}
}

// A deleted dead-letter queue takes its move tasks with it: created again under its
// name, it lists none. A running task whose destination is deleted fails at once.
func TestMoveTasksEndWithTheirQueues(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("dlq", nil)
	src := e.queue("src", redriveTo("dlq"))
	dest := e.queue("dest", nil)
	e.deadLetter(src, "m")
	apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "dlq")}))
	e.p.SQS.RunMoveTasks(ctx)
	if res := e.tasks("dlq", 10); len(res) != 1 || aws.ToString(res[0].Status) != "COMPLETED" {
		t.Fatalf("tasks %+v", res)
	}
	// A running task to a destination at one message per second.
	e.deadLetter(src, "m2")
	e.deadLetter(src, "m3")
	apptest.Must(e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "dlq"),
		DestinationArn: aws.String(arnPrefix + "dest"), MaxNumberOfMessagesPerSecond: aws.Int32(1)}))
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(dest)}))
	res := e.tasks("dlq", 10)
	if len(res) != 2 || aws.ToString(res[0].Status) != "FAILED" || aws.ToString(res[0].FailureReason) != "AWS.SimpleQueueService.NonExistentQueue" ||
		res[0].TaskHandle != nil || aws.ToString(res[1].Status) != "COMPLETED" {
		t.Fatalf("after the destination's deletion: %+v", res)
	}
	// The worker leaves the failed task as it is.
	e.p.SQS.RunMoveTasks(ctx)
	if res := e.tasks("dlq", 1); aws.ToString(res[0].Status) != "FAILED" {
		t.Fatalf("the worker changed a failed task: %+v", res)
	}

	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(dlq)}))
	_, err := e.sqs.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(arnPrefix + "dlq")})
	wantError(t, err, "ResourceNotFoundException", 404, "The resource that you specified for the SourceArn parameter doesn't exist.")
	e.p.AdvanceClock(61 * time.Second) // past the 60 seconds a deleted queue's name is held
	e.queue("dlq", nil)
	if res := e.tasks("dlq", 10); len(res) != 0 {
		t.Fatalf("the re-created queue lists its predecessor's tasks: %+v", res)
	}
}
