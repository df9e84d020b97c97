package sns_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// keyFor creates a KMS key the account administers and, when service is not empty,
// that the service principal may use for data keys (the key policy AWS documents for
// SNS topics and for SQS queues SNS delivers to).
func (e *env) keyFor(service string) string {
	e.Helper()
	stmts := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}`
	if service != "" {
		stmts += `,{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}`
	}
	k := apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + stmts + `]}`)}))
	return aws.ToString(k.KeyMetadata.Arn)
}

// Publishing to an encrypted topic needs the publisher's KMS permissions; SNS
// delivering to an encrypted queue needs the queue key's policy to allow
// sns.amazonaws.com, which the AWS managed key aws/sqs does not.
func TestSSEKMS(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("secret", map[string]string{"KmsMasterKeyId": e.keyFor("")})
	url, qarn := e.queueFor("plain", topic, true)
	e.subscribe(topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("by root")}))
	if got := e.drain(url); len(got) != 1 || aws.ToString(got[0].Body) != "by root" {
		t.Fatalf("delivered %+v", got)
	}

	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}]}`)}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := sns.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err := bob.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("by bob")})
	wantError(t, err, "KMSAccessDenied", 400, "")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.HasPrefix(ae.ErrorMessage(), "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ") {
		t.Fatalf("publisher refused: %q", ae.ErrorMessage())
	}
	if n := len(e.drain(url)); n != 0 {
		t.Fatalf("a refused publication delivered %d messages", n)
	}

	// Queues encrypted with aws/sqs get nothing from SNS; with a key whose policy
	// allows SNS, they do.
	plainTopic := e.topic("plain", nil)
	managed := aws.ToString(apptest.Must(e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("managed"),
		Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "Policy": snsMaySend("managed", plainTopic)}})).QueueUrl)
	custom := aws.ToString(apptest.Must(e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("custom"),
		Attributes: map[string]string{"KmsMasterKeyId": e.keyFor("sns.amazonaws.com"), "Policy": snsMaySend("custom", plainTopic)}})).QueueUrl)
	for _, q := range []string{"managed", "custom"} {
		e.subscribe(plainTopic, "sqs", "arn:aws:sqs:us-east-1:000000000000:"+q, map[string]string{"RawMessageDelivery": "true"})
	}
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(plainTopic), Message: aws.String("hello")}))
	if n := len(e.drain(managed)); n != 0 {
		t.Fatal("SNS delivered to a queue encrypted with aws/sqs")
	}
	if got := e.drain(custom); len(got) != 1 || aws.ToString(got[0].Body) != "hello" {
		t.Fatalf("encrypted queue got %+v", got)
	}
}

func snsMaySend(queue, topic string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:` +
		queue + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}]}`
}

// An encrypted topic's outbox holds its deliveries encrypted under the publisher's
// data key; KMS's refusals are SNS's KMS errors.
func TestSSEKMSOutbox(t *testing.T) {
	e := newEnv(t)
	key := e.keyFor("")
	topic := e.topic("secret", map[string]string{"KmsMasterKeyId": key})
	r := newReceiver(t)
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r.srv.URL)}))
	conf := r.wait(t, 1)[0]
	apptest.Must(e.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(conf["Token"])}))
	r.mu.Lock()
	r.fail = 1
	r.mu.Unlock()
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("launch codes 0000"), Subject: aws.String("top secret")}))
	// The first attempt fails: the retry waits in the outbox, encrypted.
	deadline := time.Now().Add(10 * time.Second)
	var stored []string
	for len(stored) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		r.mu.Lock()
		failed := r.fail == 0
		r.mu.Unlock()
		if !failed {
			continue
		}
		stored = nil
		if err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(store.NS("sns", "outbox"), "", 0, func(_ string, v []byte) bool {
				stored = append(stored, string(v))
				return true
			})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(stored) != 1 || strings.Contains(stored[0], "launch codes") || strings.Contains(stored[0], "top secret") || !strings.Contains(stored[0], `"dataKey":`) {
		t.Fatalf("outbox %q", stored)
	}
	e.p.AdvanceClock(21 * time.Second)
	if got := r.wait(t, 2)[1]; got["Message"] != "launch codes 0000" || got["Subject"] != "top secret" {
		t.Fatalf("delivered %v", got)
	}

	// Disabled, scheduled for deletion, missing: SNS's KMS errors.
	kmsc := kms.NewFromConfig(e.p.RootConfig())
	publish := func() error {
		_, err := e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x")})
		return err
	}
	disabled := e.keyFor("")
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String(disabled)}))
	apptest.Must(kmsc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(disabled)}))
	wantError(t, publish(), "KMSDisabled", 400, "")
	apptest.Must(kmsc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(disabled), PendingWindowInDays: aws.Int32(7)}))
	wantError(t, publish(), "KMSInvalidState", 400, "")
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("KmsMasterKeyId"),
		AttributeValue: aws.String("arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000")}))
	wantError(t, publish(), "KMSNotFound", 400, "")
}
