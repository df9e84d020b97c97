package sns_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// A FIFO topic's deduplication records expire with their five-minute window: publishes
// drop expired ones, so unique deduplication IDs do not pile up in the store, while an
// ID published again after its window is a new message and one inside it a duplicate.
func TestFIFOTopicDedupRecordsExpire(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("dedup.fifo", map[string]string{"FifoTopic": "true"})
	publish := func(id string) *sns.PublishOutput {
		return apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m " + id),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(id)}))
	}
	count := func(kind string) int {
		n := 0
		err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(store.NS("sns", "000000000000", "us-east-1", kind), "", 0, func(string, []byte) bool { n++; return true })
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := publish("again")
	for i := range 20 {
		publish(fmt.Sprintf("old-%d", i))
	}
	if n := count("dedup"); n != 21 {
		t.Fatalf("%d deduplication records, want 21", n)
	}
	e.p.AdvanceClock(6 * time.Minute)
	if out := publish("again"); *out.MessageId == *first.MessageId {
		t.Fatal("an ID published again after its window was taken as a duplicate")
	}
	for i := range 10 {
		publish(fmt.Sprintf("new-%d", i))
	}
	// 11 publishes after the window dropped up to 22 expired records: the 20 old ones
	// and the first "again" (written anew by the second).
	if n, at := count("dedup"), count("dedup-at"); n != 11 || at != 11 {
		t.Fatalf("%d deduplication records and %d expiry entries after the window, want 11 each", n, at)
	}
	e.p.AdvanceClock(time.Minute)
	second := publish("again")
	if out := publish("again"); *out.MessageId != *second.MessageId {
		t.Fatal("a duplicate inside its window was published")
	}
}
