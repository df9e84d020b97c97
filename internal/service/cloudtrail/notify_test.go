package cloudtrail_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
)

// A trail with an SNS topic announces each log file it delivers with the message
// CloudTrail sends ({"s3Bucket":…,"s3ObjectKey":[…]}), which reaches a queue
// subscribed to the topic; GetTrailStatus reports the notification, and a topic gone
// since is reported as the notification's error while the files keep being delivered.
func TestLogFileNotifications(t *testing.T) {
	e := newEnv(t)
	e.bucket("notified-logs")
	topics, queues := sns.NewFromConfig(e.p.RootConfig()), sqs.NewFromConfig(e.p.RootConfig())
	topic := apptest.Must(topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("trail-files")})).TopicArn
	e.topicPolicy(*topic)
	q := apptest.Must(queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("trail-files"), Attributes: map[string]string{
		"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage",
			"Resource":"arn:aws:sqs:us-east-1:` + account + `:trail-files","Condition":{"ArnEquals":{"aws:SourceArn":"` + *topic + `"}}}]}`}})).QueueUrl
	apptest.Must(topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + account + ":trail-files"), Attributes: map[string]string{"RawMessageDelivery": "true"}}))
	trail := apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("notified"), S3BucketName: aws.String("notified-logs"), SnsTopicName: aws.String("trail-files")}))
	if aws.ToString(trail.SnsTopicARN) != *topic {
		t.Fatalf("SnsTopicARN %v", aws.ToString(trail.SnsTopicARN))
	}
	// CreateTrail publishes its validation message at once, without counting it as a
	// notification in the trail's status (recorded, 2026:
	// sns/encryption_cloudtrail_source.json, receive-validation-preflight,
	// trail-status-preflight).
	first := apptest.Must(queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q, MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}})).Messages
	if len(first) != 1 || aws.ToString(first[0].Body) != "CloudTrail validation message." || len(first[0].MessageAttributes) != 0 {
		t.Fatalf("messages after CreateTrail %+v", first)
	}
	apptest.Must(queues.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: first[0].ReceiptHandle}))
	if st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("notified")})); st.LatestNotificationTime != nil ||
		aws.ToString(st.LatestNotificationAttemptTime) != "" || aws.ToString(st.LatestNotificationAttemptSucceeded) != "" || st.LatestNotificationError != nil {
		t.Fatalf("status after CreateTrail %+v", st)
	}
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("notified")}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("someone")}))
	e.advance(5 * time.Minute)

	files := e.files()
	delivered := map[string]bool{}
	for _, f := range files {
		delivered[f.Key] = true
	}
	got := apptest.Must(queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q, MaxNumberOfMessages: 10})).Messages
	if len(got) == 0 || len(got) != len(files) {
		t.Fatalf("%d notifications for %d files", len(got), len(files))
	}
	for _, m := range got {
		var n struct {
			Bucket string   `json:"s3Bucket"`
			Keys   []string `json:"s3ObjectKey"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &n); err != nil || n.Bucket != "notified-logs" || len(n.Keys) != 1 || !delivered[n.Keys[0]] {
			t.Fatalf("notification %s", aws.ToString(m.Body))
		}
	}
	st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("notified")}))
	if st.LatestNotificationTime == nil || st.LatestNotificationError != nil || aws.ToString(st.LatestNotificationAttemptSucceeded) == "" {
		t.Fatalf("status %+v", st)
	}

	apptest.Must(topics.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("someone-else")}))
	e.advance(5 * time.Minute)
	st = apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("notified")}))
	if aws.ToString(st.LatestNotificationError) != "NotFound" || st.LatestDeliveryError != nil || len(e.files()) <= len(files) {
		t.Fatalf("after the topic was deleted: status %+v", st)
	}
}
