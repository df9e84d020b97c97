package sns_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
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
