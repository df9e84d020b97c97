package sqs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithy "github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// errCode is an API error's code, or the error's text for anything else.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// storeKeys counts the records of a store namespace.
func storeKeys(t *testing.T, p *apptest.Palisade, ns string) int {
	t.Helper()
	n := 0
	err := p.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Scan(ns, "", 0, func(string, []byte) bool { n++; return true })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Many consumers, some long polling, receive from one queue while producers send:
// within its visibility timeout no message reaches two receivers, and every message
// sent is received once.
func TestConcurrentReceiversNeverShareAMessage(t *testing.T) {
	e := newEnv(t)
	url := e.queue("race-receive", map[string]string{"VisibilityTimeout": "600"})
	const senders, perSender, receivers = 4, 15, 8
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				if _, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprintf("m-%d-%d", s, i))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	var rwg sync.WaitGroup
	for r := range receivers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				in := &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10}
				if r%2 == 0 {
					in.WaitTimeSeconds = 1
				}
				out, err := e.sqs.ReceiveMessage(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, m := range out.Messages {
					got[aws.ToString(m.Body)]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == senders*perSender || len(errs) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(done)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("call failed: %v", err)
	}
	for body, n := range got {
		if n != 1 {
			t.Errorf("%s received %d times within its visibility timeout", body, n)
		}
	}
	if len(got) != senders*perSender {
		t.Errorf("received %d distinct messages, want %d", len(got), senders*perSender)
	}
}

// DeleteQueue racing sends and receives: every call answers success or
// QueueDoesNotExist, and nothing of the queue's messages is left in the store.
func TestDeleteQueueRacingSendAndReceive(t *testing.T) {
	e := newEnv(t)
	for round := range 3 {
		name := fmt.Sprintf("race-delete-%d", round)
		url := e.queue(name, nil)
		for i := range 20 {
			e.send(url, fmt.Sprintf("pre-%d", i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 15 {
					var err error
					switch w % 3 {
					case 0:
						_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprintf("w%d-%d", w, i))})
					case 1:
						var out *sqs.ReceiveMessageOutput
						out, err = e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 3})
						if err == nil {
							for _, m := range out.Messages {
								if _, derr := e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); derr != nil && errCode(derr) != "AWS.SimpleQueueService.NonExistentQueue" && errCode(derr) != "QueueDoesNotExist" {
									errs <- derr
								}
							}
						}
					case 2:
						_, err = e.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &url})
						if err != nil && errCode(err) == "AWS.SimpleQueueService.PurgeQueueInProgress" {
							err = nil
						}
					}
					if err != nil && errCode(err) != "AWS.SimpleQueueService.NonExistentQueue" && errCode(err) != "QueueDoesNotExist" {
						errs <- err
					}
				}
			}()
		}
		if _, err := e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
		for _, kind := range []string{"messages", "message-ids"} {
			if n := storeKeys(t, e.p, store.NS("sqs", "000000000000", "us-east-1", kind, name)); n != 0 {
				t.Errorf("round %d: %d %s records left of the deleted queue", round, n, kind)
			}
		}
	}
}

// PurgeQueue leaves no message records behind, also when receives and sends run at
// the same time.
func TestPurgeQueueLeavesNoRecords(t *testing.T) {
	e := newEnv(t)
	url := e.queue("race-purge", nil)
	for i := range 30 {
		e.send(url, fmt.Sprintf("m%d", i))
	}
	e.receive(url, 10)
	apptest.Must(e.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &url}))
	for _, kind := range []string{"messages", "message-ids"} {
		if n := storeKeys(t, e.p, store.NS("sqs", "000000000000", "us-east-1", kind, "race-purge")); n != 0 {
			t.Errorf("%d %s records left after PurgeQueue", n, kind)
		}
	}
}

// FIFO under concurrent senders and receivers: each group's messages are received in
// the order they were sent, once each, and a group's next message is not handed out
// while an earlier one is in flight.
func TestFIFOConcurrentGroupsKeepOrder(t *testing.T) {
	e := newEnv(t)
	url := e.queue("race-order.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "600"})
	const groups, perGroup, receivers = 4, 20, 6
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGroup {
				if _, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprintf("%d/%03d", g, i)),
					MessageGroupId: aws.String(fmt.Sprint(g))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var mu sync.Mutex
	seen := map[int][]int{}
	total := 0
	done := make(chan struct{})
	var rwg sync.WaitGroup
	for r := range receivers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				in := &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: int32(1 + r%3)}
				out, err := e.sqs.ReceiveMessage(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				for _, m := range out.Messages {
					var g, i int
					fmt.Sscanf(aws.ToString(m.Body), "%d/%d", &g, &i)
					mu.Lock()
					seen[g] = append(seen[g], i)
					total++
					mu.Unlock()
				}
				for _, m := range out.Messages {
					if _, err := e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for {
		mu.Lock()
		n := total
		mu.Unlock()
		if n >= groups*perGroup || len(errs) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(done)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("call failed: %v", err)
	}
	for g := range groups {
		got := seen[g]
		if len(got) != perGroup {
			t.Errorf("group %d: received %d messages, want %d: %v", g, len(got), perGroup, got)
			continue
		}
		for i, v := range got {
			if v != i {
				t.Errorf("group %d: received out of order: %v", g, got)
				break
			}
		}
	}
}

// A long poll on a FIFO queue whose only visible messages belong to a group with a
// message in flight waits: it does not answer at once with nothing (consumers would
// spin), and it answers the group's next message as soon as the one in flight is
// deleted.
func TestFIFOLongPollWaitsForBlockedGroup(t *testing.T) {
	e := newEnv(t)
	url := e.queue("race-poll.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "600"})
	for _, b := range []string{"first", "second"} {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(b), MessageGroupId: aws.String("g")}))
	}
	held := e.receive(url, 1)
	if len(held) != 1 || aws.ToString(held[0].Body) != "first" {
		t.Fatalf("received %v", held)
	}
	got := make(chan []string, 1)
	go func() {
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 5})
		if err != nil {
			got <- []string{err.Error()}
			return
		}
		var bodies []string
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		got <- bodies
	}()
	select {
	case b := <-got:
		t.Fatalf("the long poll answered %v while the group's first message was in flight", b)
	case <-time.After(300 * time.Millisecond):
	}
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: held[0].ReceiptHandle}))
	if b := <-got; len(b) != 1 || b[0] != "second" {
		t.Fatalf("the long poll answered %v, want [second]", b)
	}
}

// DeleteQueue wakes the long polls waiting on the queue: they answer
// QueueDoesNotExist at once rather than at the end of their wait.
func TestDeleteQueueEndsLongPolls(t *testing.T) {
	e := newEnv(t)
	url := e.queue("race-poll-delete", nil)
	got := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
			got <- err
		}()
	}
	time.Sleep(200 * time.Millisecond)
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url}))
	for range 3 {
		select {
		case err := <-got:
			wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")
		case <-time.After(5 * time.Second):
			t.Fatal("a long poll still waits on the deleted queue")
		}
	}
}
