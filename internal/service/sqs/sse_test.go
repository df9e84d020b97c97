package sqs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// A queue with SSE-KMS keeps bodies encrypted at rest; producers need
// kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt, checked once per data
// key reuse period; KMS's refusals are SQS's KMS.* errors.
func TestSSEKMS(t *testing.T) {
	e := newEnv(t)
	key := apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	url := e.queue("secret", map[string]string{"KmsMasterKeyId": aws.ToString(key.KeyId), "KmsDataKeyReusePeriodSeconds": "60"})
	if e.attr(url, "SqsManagedSseEnabled") != "false" || e.attr(url, "KmsDataKeyReusePeriodSeconds") != "60" {
		t.Fatal("queue attributes")
	}
	e.send(url, "classified body")
	// The store holds no plaintext body.
	err := e.p.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Scan(store.NS("sqs", "000000000000", "us-east-1", "messages", "secret"), "", 0, func(_ string, v []byte) bool {
			if strings.Contains(string(v), "classified") || !strings.Contains(string(v), `"sealed"`) {
				t.Errorf("stored message %s", v)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := e.receive(url, 1)
	if len(got) != 1 || aws.ToString(got[0].Body) != "classified body" {
		t.Fatalf("received %+v", got)
	}
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got[0].ReceiptHandle}))

	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	policy := func(actions string) {
		apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*"` + actions + `],"Resource":"*"}]}`)}))
	}
	policy("")
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := sqs.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err = bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantError(t, err, "KMS.AccessDeniedException", 400, "")
	if !strings.HasPrefix(err.Error(), "operation error SQS: SendMessage") || !strings.Contains(err.Error(), "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: kms:GenerateDataKey on resource: "+aws.ToString(key.Arn)) ||
		!strings.Contains(err.Error(), "(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ") {
		t.Fatalf("send without KMS permissions: %v", err)
	}
	// GenerateDataKey alone is not enough to send: producers need Decrypt too.
	policy(`,"kms:GenerateDataKey"`)
	_, err = bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantError(t, err, "KMS.AccessDeniedException", 400, "")
	policy(`,"kms:GenerateDataKey","kms:Decrypt"`)
	apptest.Must(bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("from bob")}))

	// Within the reuse period the data key is reused without asking KMS: a revoked
	// permission takes effect when the period ends.
	policy("")
	apptest.Must(bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("still bob")}))
	e.p.AdvanceClock(61 * time.Second)
	_, err = bob.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantError(t, err, "KMS.AccessDeniedException", 400, "")
	_, err = bob.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	wantError(t, err, "KMS.AccessDeniedException", 400, "")
	if !strings.Contains(err.Error(), "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS;") {
		t.Fatalf("receive without kms:Decrypt: %v", err)
	}
	// A refused receive leaves the messages visible.
	if got := e.receive(url, 10); len(got) != 2 || aws.ToString(got[0].Body) != "from bob" || aws.ToString(got[1].Body) != "still bob" {
		t.Fatalf("after a refused receive: %+v", got)
	}

	// A disabled key refuses new data keys.
	apptest.Must(kms.NewFromConfig(e.p.RootConfig()).DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))
	e.p.AdvanceClock(61 * time.Second)
	_, err = e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantError(t, err, "KMS.DisabledException", 400, "")

	// The AWS managed key aws/sqs is created on first use.
	managed := e.queue("managed", map[string]string{"KmsMasterKeyId": "alias/aws/sqs"})
	e.send(managed, "m")
	if got := e.receive(managed, 1); len(got) != 1 || aws.ToString(got[0].Body) != "m" {
		t.Fatalf("managed key: %+v", got)
	}
	if _, err := kms.NewFromConfig(e.p.RootConfig()).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sqs")}); err != nil {
		t.Fatal(err)
	}
}
