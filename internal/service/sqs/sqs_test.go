package sqs_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

var (
	ctx       = apptest.Context()
	wantError = apptest.WantErr
)

type env struct {
	*testing.T
	p   *apptest.Palisade
	sqs *sqs.Client
}

func newEnv(t *testing.T) *env {
	p := apptest.Start(t)
	return &env{T: t, p: p, sqs: sqs.NewFromConfig(p.RootConfig())}
}

func (e *env) queue(name string, attrs map[string]string) string {
	e.Helper()
	return aws.ToString(apptest.Must(e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})).QueueUrl)
}

func (e *env) send(url, body string) *sqs.SendMessageOutput {
	e.Helper()
	return apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}))
}

func (e *env) receive(url string, n int32, extra ...func(*sqs.ReceiveMessageInput)) []types.Message {
	e.Helper()
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: n, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}}
	for _, f := range extra {
		f(in)
	}
	return apptest.Must(e.sqs.ReceiveMessage(ctx, in)).Messages
}

func (e *env) attr(url, name string) string {
	e.Helper()
	out := apptest.Must(e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeName(name)}}))
	return out.Attributes[name]
}

// raw sends a signed request the SDK for Go would not send as it is (a query
// request, or JSON the SDK would refuse to send), answering the response and its body.
func (e *env) raw(path, contentType, target, body string) (*http.Response, string) {
	e.Helper()
	req, _ := http.NewRequest("POST", e.p.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	sum := sha256.Sum256([]byte(body))
	apptest.SignAsRoot(e.T, req, "sqs", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// query sends a query-protocol request (form parameters, XML answers).
func (e *env) query(path, form string) (*http.Response, string) {
	e.Helper()
	return e.raw(path, "application/x-www-form-urlencoded", "", form+"&Version=2012-11-05")
}

func TestQueues(t *testing.T) {
	e := newEnv(t)
	url := e.queue("jobs", map[string]string{"VisibilityTimeout": "60"})
	if !strings.HasSuffix(url, "/000000000000/jobs") || !strings.HasPrefix(url, e.p.URL) {
		t.Fatalf("queue URL %s", url)
	}
	// Idempotent with the same attributes, a conflict with others.
	if again := e.queue("jobs", map[string]string{"VisibilityTimeout": "60"}); again != url {
		t.Fatalf("second create %s", again)
	}
	_, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{"VisibilityTimeout": "61"}})
	wantError(t, err, "QueueAlreadyExists", 400, "A queue already exists with the same name and a different value for attribute VisibilityTimeout")
	_, err = e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad name")})
	wantError(t, err, "InvalidParameterValue", 400, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	_, err = e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q2"), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
	wantError(t, err, "InvalidAttributeValue", 400, "Invalid value for the parameter VisibilityTimeout.")

	attrs := apptest.Must(e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})).Attributes
	for k, v := range map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:jobs", "VisibilityTimeout": "60", "DelaySeconds": "0",
		"MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600", "ApproximateNumberOfMessages": "0", "SqsManagedSseEnabled": "true"} {
		if attrs[k] != v {
			t.Fatalf("%s = %q, want %q (all: %v)", k, attrs[k], v, attrs)
		}
	}
	got := apptest.Must(e.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")}))
	if aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl %s", aws.ToString(got.QueueUrl))
	}
	_, err = e.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")

	for i := range 3 {
		e.queue(fmt.Sprint("batch-", i), nil)
	}
	list := apptest.Must(e.sqs.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("batch-"), MaxResults: aws.Int32(2)}))
	if len(list.QueueUrls) != 2 || list.NextToken == nil {
		t.Fatalf("list %+v", list)
	}
	list = apptest.Must(e.sqs.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("batch-"), MaxResults: aws.Int32(2), NextToken: list.NextToken}))
	if len(list.QueueUrls) != 1 || list.NextToken != nil {
		t.Fatalf("page 2 %+v", list)
	}

	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"DelaySeconds": "5",
		"KmsMasterKeyId": "alias/aws/sqs"}}))
	if e.attr(url, "DelaySeconds") != "5" || e.attr(url, "KmsMasterKeyId") != "alias/aws/sqs" {
		t.Fatal("set attributes")
	}
	apptest.Must(e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"a": "1", "b": "2"}}))
	apptest.Must(e.sqs.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"a"}}))
	if tags := apptest.Must(e.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})).Tags; len(tags) != 1 || tags["b"] != "2" {
		t.Fatalf("tags %v", tags)
	}
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}))
	_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, "")
}

func TestSendReceiveDelete(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", map[string]string{"VisibilityTimeout": "30"})
	out := apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("greeting")},
			"n":     {DataType: aws.String("Number"), StringValue: aws.String("7")},
			"bytes": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
		}}))
	// The SDK checks MD5OfMessageBody and MD5OfMessageAttributes itself; check ours too.
	if aws.ToString(out.MD5OfMessageBody) != "5d41402abc4b2a76b9719d911017c592" || out.MD5OfMessageAttributes == nil {
		t.Fatalf("send %+v", out)
	}
	msgs := e.receive(url, 10, func(in *sqs.ReceiveMessageInput) { in.MessageAttributeNames = []string{"All"} })
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "hello" || aws.ToString(msgs[0].MessageId) != aws.ToString(out.MessageId) ||
		msgs[0].MessageAttributes["kind"].StringValue == nil || msgs[0].Attributes["ApproximateReceiveCount"] != "1" ||
		msgs[0].Attributes["SenderId"] != "000000000000" {
		t.Fatalf("received %+v", msgs)
	}
	// In flight: invisible until the visibility timeout passes on Palisade's clock.
	if n := len(e.receive(url, 10)); n != 0 {
		t.Fatalf("%d messages visible while in flight", n)
	}
	if e.attr(url, "ApproximateNumberOfMessagesNotVisible") != "1" {
		t.Fatal("in-flight count")
	}
	e.p.AdvanceClock(31 * time.Second)
	again := e.receive(url, 10)
	if len(again) != 1 || again[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the visibility timeout: %+v", again)
	}
	// The old receipt handle no longer deletes; the new one does.
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle}))
	if e.attr(url, "ApproximateNumberOfMessagesNotVisible") != "1" {
		t.Fatal("a stale receipt handle deleted the message")
	}
	// ChangeMessageVisibility to 0 makes it visible at once; the handle stays valid.
	apptest.Must(e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: again[0].ReceiptHandle, VisibilityTimeout: 0}))
	if e.attr(url, "ApproximateNumberOfMessages") != "1" {
		t.Fatal("visible after ChangeMessageVisibility 0")
	}
	third := e.receive(url, 1)
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: third[0].ReceiptHandle}))
	e.p.AdvanceClock(time.Hour)
	if n := len(e.receive(url, 10)); n != 0 {
		t.Fatal("deleted message came back")
	}
	_, err := e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	wantError(t, err, "ReceiptHandleIsInvalid", 404, `The input receipt handle "garbage" is not a valid receipt handle.`)
	_, err = e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: third[0].ReceiptHandle, VisibilityTimeout: 5})
	wantError(t, err, "InvalidParameterValue", 400, "Value "+*third[0].ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.")
	_, err = e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	wantError(t, err, "InvalidParameterValue", 400, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
	_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("bad \x01 char")})
	wantError(t, err, "InvalidMessageContents", 400, "")
	_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 1_048_577))})
	wantError(t, err, "InvalidParameterValue", 400, "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
}

func TestDelayRetentionAndPurge(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", map[string]string{"MessageRetentionPeriod": "60"})
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("later"), DelaySeconds: 10}))
	if n := len(e.receive(url, 1)); n != 0 || e.attr(url, "ApproximateNumberOfMessagesDelayed") != "1" {
		t.Fatal("a delayed message was visible")
	}
	e.p.AdvanceClock(11 * time.Second)
	if n := len(e.receive(url, 1, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 0 })); n != 1 {
		t.Fatal("delay did not end")
	}
	e.p.AdvanceClock(61 * time.Second)
	if n := len(e.receive(url, 1)); n != 0 {
		t.Fatal("a message outlived the retention period")
	}
	e.send(url, "x")
	apptest.Must(e.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}))
	_, err := e.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	wantError(t, err, "AWS.SimpleQueueService.PurgeQueueInProgress", 403, "Only one PurgeQueue operation on q is allowed every 60 seconds.")
	if e.attr(url, "ApproximateNumberOfMessages") != "0" {
		t.Fatal("purge left messages")
	}
}

func TestLongPolling(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	start := time.Now()
	done := make(chan []types.Message)
	go func() {
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5})
		if err != nil {
			t.Log(err)
			done <- nil
			return
		}
		done <- out.Messages
	}()
	time.Sleep(300 * time.Millisecond)
	e.send(url, "wake up")
	msgs := <-done
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "wake up" {
		t.Fatalf("long poll got %+v", msgs)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatal("the long poll did not return when the message arrived")
	}
	// Nothing arrives: the poll returns empty after WaitTimeSeconds.
	start = time.Now()
	out := apptest.Must(e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1}))
	if len(out.Messages) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("empty long poll: %d messages after %v", len(out.Messages), time.Since(start))
	}
}

func TestDeadLetterQueue(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("dlq", nil)
	src := e.queue("src", map[string]string{"VisibilityTimeout": "10",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"}`})
	_, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:missing","maxReceiveCount":"2"}`}})
	wantError(t, err, "InvalidParameterValue", 400, "")
	sent := e.send(src, "poison")
	for range 2 {
		if n := len(e.receive(src, 1)); n != 1 {
			t.Fatal("receive before the redrive")
		}
		e.p.AdvanceClock(11 * time.Second)
	}
	// The third receive finds it received twice: it moves to the dead-letter queue.
	if n := len(e.receive(src, 1)); n != 0 {
		t.Fatal("a message past maxReceiveCount was delivered")
	}
	got := e.receive(dlq, 1)
	if len(got) != 1 || aws.ToString(got[0].MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("dead-letter queue %+v", got)
	}
	sources := apptest.Must(e.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)}))
	if len(sources.QueueUrls) != 1 || sources.QueueUrls[0] != src {
		t.Fatalf("sources %v", sources.QueueUrls)
	}
}

// A dead-letter queue's RedriveAllowPolicy decides which queues may name it in their
// RedrivePolicy: allowAll (or none) any queue of its account and Region, denyAll none,
// byQueue the 1 to 10 queues it lists; the policy itself is checked as SQS documents.
func TestRedriveAllowPolicy(t *testing.T) {
	e := newEnv(t)
	redrive := func(dlq string) map[string]string {
		return map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arnPrefix + dlq + `","maxReceiveCount":"2"}`}
	}
	create := func(name string, attrs map[string]string) error {
		_, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		return err
	}
	policy := func(p string) map[string]string { return map[string]string{"RedriveAllowPolicy": p} }
	for _, bad := range []string{
		`{"redrivePermission":"byQueue"}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":[]}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":"` + arnPrefix + `a"}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":["not an arn"]}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":["` + strings.TrimSuffix(strings.Repeat(arnPrefix+`s","`, 11), `","`) + `"]}`,
		`{"redrivePermission":"denyAll","sourceQueueArns":["` + arnPrefix + `a"]}`,
		`{"redrivePermission":"allowAll","sourceQueueArns":[]}`,
		`{"redrivePermission":"sometimes"}`,
		`not json`,
	} {
		wantError(t, create("bad", policy(bad)), "InvalidAttributeValue", 400, "Invalid value for the parameter RedriveAllowPolicy.")
	}
	e.queue("open", policy(`{"redrivePermission":"allowAll"}`))
	e.queue("closed", policy(`{"redrivePermission":"denyAll"}`))
	e.queue("listed", policy(`{"redrivePermission":"byQueue","sourceQueueArns":["`+arnPrefix+`chosen"]}`))
	apptest.Must(0, create("to-open", redrive("open")))
	apptest.Must(0, create("chosen", redrive("listed")))
	refused := "Reason: Dead letter target's RedriveAllowPolicy does not allow this queue as a source."
	for _, c := range []struct{ name, dlq string }{{"to-closed", "closed"}, {"unlisted", "listed"}} {
		err := create(c.name, redrive(c.dlq))
		wantError(t, err, "InvalidParameterValue", 400, "")
		if err == nil || !strings.Contains(err.Error(), refused) {
			t.Fatalf("%s → %s: %v", c.name, c.dlq, err)
		}
	}
	// A queue of another Region is not a dead-letter queue for this one.
	westCfg := e.p.RootConfig()
	westCfg.Region = "us-west-2"
	apptest.Must(sqs.NewFromConfig(westCfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("open")}))
	west := arnPrefix[:len("arn:aws:sqs:")] + "us-west-2" + arnPrefix[len("arn:aws:sqs:us-east-1"):]
	wantError(t, create("cross-region", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + west + `open","maxReceiveCount":"2"}`}),
		"InvalidParameterValue", 400, "")
}

func TestBatches(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	var entries []types.SendMessageBatchRequestEntry
	for i := range 3 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(fmt.Sprint("body", i))})
	}
	entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("bad"), MessageBody: aws.String("\x00")})
	out := apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}))
	if len(out.Successful) != 3 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "InvalidMessageContents" {
		t.Fatalf("send batch %+v", out)
	}
	_, err := e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("x")}, {Id: aws.String("a"), MessageBody: aws.String("y")}}})
	wantError(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, "Id a repeated.")
	msgs := e.receive(url, 10)
	if len(msgs) != 3 {
		t.Fatalf("%d received", len(msgs))
	}
	var del []types.DeleteMessageBatchRequestEntry
	for i, m := range msgs {
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
	}
	dout := apptest.Must(e.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del}))
	if len(dout.Successful) != 3 {
		t.Fatalf("delete batch %+v", dout)
	}
}

func TestFIFO(t *testing.T) {
	e := newEnv(t)
	_, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"FifoQueue": "true"}})
	wantError(t, err, "InvalidParameterValue", 400, "")
	url := e.queue("orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	send := func(group, body string) *sqs.SendMessageOutput {
		return apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body), MessageGroupId: aws.String(group)}))
	}
	a1 := send("a", "a1")
	dup := send("a", "a1")
	if aws.ToString(dup.MessageId) != aws.ToString(a1.MessageId) || a1.SequenceNumber == nil {
		t.Fatal("content-based deduplication")
	}
	send("a", "a2")
	send("b", "b1")
	_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantError(t, err, "MissingParameter", 400, "The request must contain the parameter MessageGroupId.")
	first := e.receive(url, 1)
	if aws.ToString(first[0].Body) != "a1" || first[0].Attributes["MessageGroupId"] != "a" {
		t.Fatalf("first %+v", first)
	}
	// Group a is in flight: only b comes next.
	next := e.receive(url, 10)
	if len(next) != 1 || aws.ToString(next[0].Body) != "b1" {
		t.Fatalf("while a is in flight: %+v", next)
	}
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}))
	if got := e.receive(url, 10); len(got) != 1 || aws.ToString(got[0].Body) != "a2" {
		t.Fatalf("after a1 is done: %+v", got)
	}
}

// Queue policies are resource policies: another principal may send only when the
// policy allows it.
func TestQueuePolicy(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := sqs.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err := bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	if err == nil {
		t.Fatal("bob sent without permission")
	}
	apptest.Must(e.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("bob"),
		AWSAccountIds: []string{"000000000000"}, Actions: []string{"SendMessage"}}))
	if _, err := bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); err == nil {
		// The account principal in a resource policy delegates to IAM: bob still needs
		// an identity policy.
		t.Fatal("an account grant alone let bob send")
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/bob"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:q"}]}`
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": policy}}))
	apptest.Must(bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}))
	_, err = bob.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
	if err == nil {
		t.Fatal("bob received without permission")
	}
	_, err = e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": "{not json"}})
	wantError(t, err, "InvalidAttributeValue", 400, "Invalid value for the parameter Policy.")
}

// AddPermission refuses what it cannot grant with SQS's errors and writes nothing:
// it once stored a statement with any action name given, a policy no later call on
// the queue could be authorized against (500 InternalFailure from then on).
func TestAddPermissionRefusals(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	add := func(accounts, actions []string) error {
		_, err := e.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("l"),
			AWSAccountIds: accounts, Actions: actions})
		return err
	}
	acct := []string{"111122223333"}
	wantError(t, add(acct, []string{"a/b"}), "InvalidParameterValue", 400,
		"Value SQS:a/b for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.")
	wantError(t, add(acct, []string{"SendMessage", "DeleteQueue"}), "InvalidParameterValue", 400,
		"Value SQS:DeleteQueue for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.")
	wantError(t, add(acct, []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
		"GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListDeadLetterSourceQueues"}), "OverLimit", 403,
		"8 Actions were found, maximum allowed is 7.")
	wantError(t, add([]string{"a/b"}, []string{"SendMessage"}), "InvalidParameterValue", 400,
		"Value [a/b] for parameter PrincipalId is invalid. Reason: Unable to verify principal.")
	wantError(t, add([]string{"arn:aws:iam::111122223333:user/u"}, []string{"SendMessage"}), "InvalidParameterValue", 400,
		"Value [arn:aws:iam::111122223333:user/u] for parameter PrincipalId is invalid. Reason: Unable to verify principal.")
	wantError(t, add([]string{"*"}, []string{"SendMessage"}), "InvalidParameterValue", 400,
		"Value [*] for parameter PrincipalId is invalid. Reason: Unable to verify.")
	attrs := apptest.Must(e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}}))
	if p, ok := attrs.Attributes["Policy"]; ok {
		t.Fatalf("refused AddPermissions left a policy: %s", p)
	}
	apptest.Must(struct{}{}, add(acct, []string{"*", "SendMessage"}))
	e.send(url, "still served")
}

// Answers recorded from SQS (LocalStack's AWS-validated snapshots) where SQS is more
// lenient, or answers differently, than its model says.
func TestAnswersAsSQSDoes(t *testing.T) {
	e := newEnv(t)
	url := e.queue("answers", nil)
	strAttr := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
		MessageAttributes: map[string]types.MessageAttributeValue{"Hello": strAttr("1"), "Help.Me": strAttr("2"), "Other": strAttr("3")}}))

	// System attributes asked for through AttributeNames, the older way.
	msgs := e.receive(url, 1, func(in *sqs.ReceiveMessageInput) {
		in.MessageSystemAttributeNames = nil
		//lint:ignore SA1019 the older form is what is tested
		in.AttributeNames = []types.QueueAttributeName{"SenderId", "SentTimestamp"}
	})
	if len(msgs) != 1 || msgs[0].Attributes["SenderId"] == "" || msgs[0].Attributes["SentTimestamp"] == "" || len(msgs[0].Attributes) != 2 {
		t.Fatalf("system attributes through AttributeNames: %+v", msgs)
	}
	// "*" selects every message attribute, "Hel.*" those named Hel…
	for want, names := range map[string][]string{"*": {"Hello", "Help.Me", "Other"}, "Hel.*": {"Hello", "Help.Me"}} {
		e.p.AdvanceClock(time.Minute) // visible again
		msgs := e.receive(url, 1, func(in *sqs.ReceiveMessageInput) { in.MessageAttributeNames = []string{want} })
		if len(msgs) != 1 || len(msgs[0].MessageAttributes) != len(names) {
			t.Fatalf("%s selected %+v", want, msgs)
		}
		for _, n := range names {
			if _, ok := msgs[0].MessageAttributes[n]; !ok {
				t.Fatalf("%s did not select %s: %+v", want, n, msgs[0].MessageAttributes)
			}
		}
	}

	_, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Foobar"}})
	wantError(t, err, "InvalidAttributeName", 400, "Unknown Attribute Foobar.")

	// A FIFO queue stays one: setting what it is is accepted, changing it is not.
	fifo := e.queue("answers.fifo", map[string]string{"FifoQueue": "true"})
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fifo), Attributes: map[string]string{"FifoQueue": "true"}}))
	_, err = e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fifo), Attributes: map[string]string{"FifoQueue": "false"}})
	wantError(t, err, "InvalidAttributeValue", 400, "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")

	// A bare queue name stands for the caller's queue of that name.
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("answers"), MessageBody: aws.String("by name")}))

	// Only one kind of server-side encryption at a time.
	_, err = e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}})
	wantError(t, err, "InvalidAttributeName", 400, "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")

	// A FIFO batch with an entry lacking its group ID fails whole; nothing is sent.
	_, err = e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(fifo), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("a"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")},
		{Id: aws.String("2"), MessageBody: aws.String("b"), MessageDeduplicationId: aws.String("d2")},
	}})
	wantError(t, err, "InvalidParameterValue", 400, "The request must contain the parameter MessageGroupId.")
	_, err = e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(fifo), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("a"), MessageGroupId: aws.String("g")},
	}})
	wantError(t, err, "InvalidParameterValue", 400, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	if e.attr(fifo, "ApproximateNumberOfMessages") != "0" {
		t.Fatal("a refused FIFO batch sent a message")
	}
	// A FIFO receipt handle expires with its visibility timeout.
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("f"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("f1")}))
	fr := e.receive(fifo, 1)
	e.p.AdvanceClock(time.Minute)
	_, err = e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(fifo), ReceiptHandle: fr[0].ReceiptHandle})
	wantError(t, err, "InvalidParameterValue", 400, "Value "+*fr[0].ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")

	raw := e.raw

	// A query request sent to the queue's URL names the queue by its path (the AWS
	// SDK for Java 1.x's form); without QueueUrl or such a path it is refused.
	for path, want := range map[string]int{"/000000000000/answers": 200, "/": 400} {
		resp, b := raw(path, "application/x-www-form-urlencoded", "", "Action=SendMessage&MessageBody=via+path&Version=2012-11-05")
		if resp.StatusCode != want || want == 400 && !strings.Contains(b, "<Code>ValidationException</Code><Message>1 validation error detected: Value null at 'queueUrl' failed to satisfy constraint: Member must not be null</Message>") {
			t.Fatalf("query SendMessage to %s: %d %s", path, resp.StatusCode, b)
		}
	}

	// SendMessage without a body (the SDK for Go would not send it: raw JSON).
	resp, got := raw("/", "application/x-amz-json-1.0", "AmazonSQS.SendMessage", `{"QueueUrl":"`+url+`"}`)
	if resp.StatusCode != 400 || !strings.Contains(got, `"message":"The request must contain the parameter MessageBody."`) ||
		resp.Header.Get("x-amzn-query-error") != "MissingParameter;Sender" {
		t.Fatalf("SendMessage without a body: %d %s %v", resp.StatusCode, got, resp.Header)
	}
}

// ListQueues and ListDeadLetterSourceQueues take MaxResults 1 to 1000: 0 answered an
// empty page with an empty NextToken, and -1 meant no limit.
func TestListMaxResultsRange(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q1", nil)
	e.queue("q2", nil)
	const msg = "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."
	for _, n := range []int32{0, -1, 1001} {
		_, err := e.sqs.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(n)})
		wantError(t, err, "InvalidParameterValue", 400, msg)
		_, err = e.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(url), MaxResults: aws.Int32(n)})
		wantError(t, err, "InvalidParameterValue", 400, msg)
	}
	out := apptest.Must(e.sqs.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1)}))
	if len(out.QueueUrls) != 1 || out.NextToken == nil {
		t.Fatalf("page 1: %+v", out)
	}
	out = apptest.Must(e.sqs.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1000), NextToken: out.NextToken}))
	if len(out.QueueUrls) != 1 || !strings.HasSuffix(out.QueueUrls[0], "/q2") {
		t.Fatalf("page 2: %+v", out)
	}
}

// ListDeadLetterSourceQueues pages as ListQueues does: MaxResults source queues per
// page in name order, a NextToken only with MaxResults and only when another source
// follows (it ignored NextToken and answered every source at once).
func TestListDeadLetterSourceQueuesPages(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("dlq", nil)
	arn := apptest.Must(e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlq), AttributeNames: []types.QueueAttributeName{"QueueArn"}})).Attributes["QueueArn"]
	redrive := map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"3"}`}
	for _, name := range []string{"s5", "s1", "other", "s3", "s2", "s4", "zzz"} {
		if strings.HasPrefix(name, "s") {
			e.queue(name, redrive)
		} else {
			e.queue(name, nil)
		}
	}
	var pages [][]string
	var token *string
	for {
		out := apptest.Must(e.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq), MaxResults: aws.Int32(2), NextToken: token}))
		var names []string
		for _, u := range out.QueueUrls {
			names = append(names, u[strings.LastIndex(u, "/")+1:])
		}
		pages = append(pages, names)
		if token = out.NextToken; token == nil || len(pages) > 5 {
			break
		}
	}
	if got := fmt.Sprint(pages); got != "[[s1 s2] [s3 s4] [s5]]" {
		t.Fatalf("pages %s, want [[s1 s2] [s3 s4] [s5]]", got)
	}
	all := apptest.Must(e.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)}))
	if len(all.QueueUrls) != 5 || all.NextToken != nil {
		t.Fatalf("without MaxResults: %d queues, NextToken %v", len(all.QueueUrls), all.NextToken)
	}
	_, err := e.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq), NextToken: aws.String("not a token!")})
	wantError(t, err, "InvalidParameterValue", 400, "Invalid NextToken value.")
}

// A Number attribute is a decimal number: NaN, Infinity and hexadecimal forms, which
// Go's float parser takes, are refused as SQS refuses any value it cannot read as one.
func TestNumberAttributeIsDecimal(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	for _, v := range []string{"NaN", "Infinity", "-inf", "0x1p3", "1e", "."} {
		_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
			MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String(v)}}})
		wantError(t, err, "InvalidParameterValue", 400, "Can't cast the value of message (user) attribute 'n' to a number.")
	}
	for _, v := range []string{"-1.5e-3", "+7", ".5", "5.", "12345678901234567890"} {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
			MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String(v)}}}))
	}
}

// A NextToken is Palisade's own: one made up (here the base64 of a queue name, which
// earlier versions would have read as a position to resume after) is refused, and one
// handed out stays good across a restart (the key comes from the master key).
func TestNextTokensAreAuthenticated(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	c := sqs.NewFromConfig(p.RootConfig())
	for _, n := range []string{"a", "b", "c"} {
		apptest.Must(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n)}))
	}
	_, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1), NextToken: aws.String(base64.RawURLEncoding.EncodeToString([]byte("a")))})
	wantError(t, err, "InvalidParameterValue", 400, "Invalid NextToken value.")
	page := apptest.Must(c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1)}))
	// Another listing's token is not a position here.
	url := apptest.Must(c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("a")})).QueueUrl
	_, err = c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: url, MaxResults: aws.Int32(1), NextToken: page.NextToken})
	wantError(t, err, "InvalidParameterValue", 400, "Invalid NextToken value.")
	p.Stop()
	p = apptest.StartIn(t, dir)
	c = sqs.NewFromConfig(p.RootConfig())
	next := apptest.Must(c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1), NextToken: page.NextToken}))
	if len(next.QueueUrls) != 1 || !strings.HasSuffix(next.QueueUrls[0], "/b") {
		t.Fatalf("after a restart, the second page is %v", next.QueueUrls)
	}
}

// A Number attribute holds up to 38 significant digits, between 10^-128 and 10^+126
// (the SQS Developer Guide's range); leading and trailing zeros do not count.
func TestNumberAttributeRange(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	send := func(v string) error {
		_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
			MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String(v)}}})
		return err
	}
	digits38 := strings.Repeat("9", 38)
	for _, v := range []string{digits38, "-" + digits38, "0." + digits38, "000" + digits38 + "000", "1" + strings.Repeat("0", 125),
		"9.99e125", "1e-128", "-1E-128", "0.0001e-124", "0", "0e999999999999999999999", "-0.000"} {
		if err := send(v); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
	}
	for _, v := range []string{digits38 + "9", "1." + digits38, "1e126", "1" + strings.Repeat("0", 126), "-1e126", "1e-129", "0.1e-128",
		"1e99999999999999999999"} {
		wantError(t, send(v), "InvalidParameterValue", 400, "Can't cast the value of message (user) attribute 'n' to a number.")
	}
}

// A receipt handle another queue issued is ReceiptHandleIsInvalid for DeleteMessage and
// ChangeMessageVisibility, alone or in a batch, and the message stays where it is.
func TestReceiptHandleOfAnotherQueue(t *testing.T) {
	e := newEnv(t)
	a, b := e.queue("a", nil), e.queue("b", nil)
	e.send(a, "m")
	h := e.receive(a, 1)[0].ReceiptHandle
	msg := `The receipt handle "` + aws.ToString(h) + `" is not valid for this queue.`
	_, err := e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(b), ReceiptHandle: h})
	wantError(t, err, "ReceiptHandleIsInvalid", 404, msg)
	_, err = e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(b), ReceiptHandle: h, VisibilityTimeout: 0})
	wantError(t, err, "ReceiptHandleIsInvalid", 404, msg)
	del := apptest.Must(e.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(b),
		Entries: []types.DeleteMessageBatchRequestEntry{{Id: aws.String("x"), ReceiptHandle: h}}}))
	chg := apptest.Must(e.sqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(b),
		Entries: []types.ChangeMessageVisibilityBatchRequestEntry{{Id: aws.String("x"), ReceiptHandle: h}}}))
	for _, f := range [][]types.BatchResultErrorEntry{del.Failed, chg.Failed} {
		if len(f) != 1 || aws.ToString(f[0].Code) != "ReceiptHandleIsInvalid" || aws.ToString(f[0].Message) != msg || !f[0].SenderFault {
			t.Fatalf("batch failures %+v", f)
		}
	}
	if n := e.attr(a, "ApproximateNumberOfMessagesNotVisible"); n != "1" {
		t.Fatalf("the message's own queue has %s in flight", n)
	}
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(a), ReceiptHandle: h}))
}

// TagQueue refuses to take a queue past 50 tags, leaving its tags as they were.
func TestTagQueueQuota(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	tags := func(from, n int) map[string]string {
		m := map[string]string{}
		for i := from; i < from+n; i++ {
			m[fmt.Sprint("k", i)] = "v"
		}
		return m
	}
	apptest.Must(e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: tags(0, 49)}))
	_, err := e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: tags(49, 2)})
	wantError(t, err, "InvalidParameterValue", 400, "Too many tags added for queue q.")
	// Overwriting a tag adds none.
	apptest.Must(e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: tags(48, 2)}))
	if got := apptest.Must(e.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})).Tags; len(got) != 50 {
		t.Fatalf("%d tags", len(got))
	}
}
