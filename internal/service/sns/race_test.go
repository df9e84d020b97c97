package sns_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithy "github.com/aws/smithy-go"
)

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// Publish racing Subscribe, Unsubscribe, SetSubscriptionAttributes (FilterPolicy),
// DeleteQueue of a subscribed queue and DeleteTopic: every call answers success or
// AWS's not-found error, never a 500.
func TestPublishRacingSubscriptionChanges(t *testing.T) {
	e := newEnv(t)
	for round := range 3 {
		topic := e.topic(fmt.Sprintf("race-%d", round), nil)
		var subs []string
		var urls []string
		for i := range 3 {
			url, arn := e.queueFor(fmt.Sprintf("race-%d-%d", round, i), topic, true)
			urls = append(urls, url)
			subs = append(subs, e.subscribe(topic, "sqs", arn, nil))
		}
		ok := func(err error) bool {
			if err == nil {
				return true
			}
			switch errCode(err) {
			case "NotFound", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist":
				return true
			}
			return false
		}
		var wg sync.WaitGroup
		errs := make(chan error, 300)
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 12 {
					var err error
					switch w {
					case 0, 1:
						_, err = e.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(fmt.Sprint("m", w, i)),
							MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("a")}}})
					case 2:
						_, err = e.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
							{Id: aws.String("a"), Message: aws.String("x")}, {Id: aws.String("b"), Message: aws.String("y")}}})
					case 3:
						_, err = e.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &subs[i%len(subs)],
							AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"k":["a"]}`)})
					case 4:
						var out *sns.SubscribeOutput
						out, err = e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"),
							Endpoint: aws.String(fmt.Sprintf("arn:aws:sqs:us-east-1:000000000000:race-%d-%d", round, i%3)), ReturnSubscriptionArn: true})
						if err == nil {
							_, err = e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: out.SubscriptionArn})
						}
					case 5:
						if i == 4 {
							_, err = e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &urls[0]})
						}
						if i == 8 {
							_, err = e.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &topic})
						}
					}
					if !ok(err) {
						errs <- fmt.Errorf("worker %d: %w", w, err)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
	}
}
