package sqs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// A FIFO queue's deduplication records expire with their five-minute window: sends
// drop expired ones, so unique deduplication IDs do not pile up in the store, while a
// duplicate inside the window is still recognised and an ID sent again after its
// window starts a window of its own.
func TestFIFODedupRecordsExpire(t *testing.T) {
	e := newEnv(t)
	url := e.queue("dedup.fifo", map[string]string{"FifoQueue": "true"})
	dedupNS := store.NS("sqs", "000000000000", "us-east-1", "dedup")
	send := func(id string) *sqs.SendMessageOutput {
		return apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m " + id),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(id)}))
	}
	first := send("again")
	for i := range 20 {
		send(fmt.Sprintf("old-%d", i))
	}
	if n := storeKeys(t, e.p, dedupNS); n != 21 {
		t.Fatalf("%d deduplication records, want 21", n)
	}
	e.p.AdvanceClock(6 * time.Minute)
	if out := send("again"); *out.MessageId == *first.MessageId {
		t.Fatal("an ID sent again after its window was taken as a duplicate")
	}
	for i := range 10 {
		send(fmt.Sprintf("new-%d", i))
	}
	// 11 sends after the window dropped up to 22 expired records: all 20 old ones and
	// the first "again" (written anew by the second).
	if n := storeKeys(t, e.p, dedupNS); n != 11 {
		t.Fatalf("%d deduplication records after the window, want 11", n)
	}
	if n := storeKeys(t, e.p, store.NS("sqs", "000000000000", "us-east-1", "dedup-at")); n != 11 {
		t.Fatalf("%d expiry entries, want 11", n)
	}
	// The record of "again" written after the window still deduplicates.
	e.p.AdvanceClock(time.Minute)
	second := send("again")
	for i := range 5 {
		send(fmt.Sprintf("later-%d", i))
	}
	if out := send("again"); *out.MessageId != *second.MessageId {
		t.Fatal("a duplicate inside its window was enqueued")
	}
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}))
	if n := storeKeys(t, e.p, dedupNS) + storeKeys(t, e.p, store.NS("sqs", "000000000000", "us-east-1", "dedup-at")); n != 0 {
		t.Fatalf("%d deduplication records left after DeleteQueue", n)
	}
}
