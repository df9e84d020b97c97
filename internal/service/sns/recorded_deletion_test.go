package sns_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
)

// TestRecordedDeletion pins what DeleteTopic leaves behind, as far as AWS answered it
// the same way every time (recorded, 2026: radkawar/stackd testdata/aws/sns/deletion.json).
//
// Stable on AWS, and pinned: the deleted topic's GetTopicAttributes and
// ListSubscriptionsByTopic are NotFound 404 "Topic does not exist" at once and at
// every probe after (deleted-topic-*-at-0/5/15/30); DeleteTopic again succeeds
// (delete-topic-repeat-absent); CreateTopic under the same name answers the same ARN
// with a topic of its own: the default policy, DisplayName "", all counts 0, no
// members (topic-recreate-same-name, recreated-topic-*-before-subscribe); Subscribe of
// the same endpoint there is a new subscription ARN, listed alone
// (subscribe-recreated-same-endpoint, recreated-topic-members-after-subscribe), whose
// deliveries name it in UnsubscribeURL; an unsubscribed ARN is NotFound "Subscription
// does not exist", and Unsubscribe again succeeds (old-after-explicit-unsubscribe,
// unsubscribe-current-repeat).
//
// Not mimicked, on purpose: AWS deletes a topic's subscriptions asynchronously. In the
// recording the old subscription stayed readable (retained-subscription-at-*, 2 to 70 s
// after DeleteTopic) and was delivered a Publish to the re-created topic (37.8 s and
// 74.2 s after), although the new topic never listed it. The recording bounds none of
// it ("not a claim that asynchronous cascade never completes"), so Palisade answers
// the end state the API reference describes ("Deletes a topic and all its
// subscriptions") at once: the old ARN is NotFound and a re-created topic delivers
// only to its own subscriptions.
func TestRecordedDeletion(t *testing.T) {
	e := newEnv(t)
	const name = "deletion"
	topic := e.topic(name, map[string]string{"DisplayName": "first"})
	url, qarn := e.queueFor(name, topic, true)
	// The first incarnation's own policy, which the re-created topic must not inherit.
	own := `{"Version":"2012-10-17","Statement":[{"Sid":"first","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"SNS:Publish","Resource":"` + topic + `"}]}`
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"), AttributeValue: aws.String(own)}))
	old := e.subscribe(topic, "sqs", qarn, nil) // subscribe-original
	receive := func() []map[string]string { return takeEnvelopes(t, e.sqs, url) }
	publish := func(msg string) string {
		t.Helper()
		return aws.ToString(apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(msg)})).MessageId)
	}
	unsubscribedBy := func(m map[string]string) string {
		_, arn, _ := strings.Cut(m["UnsubscribeURL"], "SubscriptionArn=")
		return arn
	}

	id := publish("original") // publish-original-positive-control
	if got := receive(); len(got) != 1 || got[0]["MessageId"] != id || unsubscribedBy(got[0]) != old {
		t.Fatalf("original-positive-control-receive-0: %v", got)
	}

	apptest.Must(e.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topic)})) // delete-topic-original
	_, err := e.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	wantError(t, err, "NotFound", 404, "Topic does not exist") // deleted-topic-attributes-at-0
	_, err = e.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	wantError(t, err, "NotFound", 404, "Topic does not exist") // deleted-topic-members-at-0
	// Nothing is delivered for a deleted topic: a Publish to it is refused (not in the
	// recording, which published only to live incarnations).
	_, err = e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("to-deleted")})
	wantError(t, err, "NotFound", 404, "Topic does not exist")
	// AWS still answered the old subscription here (retained-subscription-at-0); see above.
	_, err = e.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(old)})
	wantError(t, err, "NotFound", 404, "Subscription does not exist")

	apptest.Must(e.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topic)})) // delete-topic-repeat-absent

	if again := e.topic(name, nil); again != topic { // topic-recreate-same-name
		t.Fatalf("topic-recreate-same-name: %s, want %s", again, topic)
	}
	a := apptest.Must(e.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})).Attributes
	def := `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"000000000000"}}}]}`
	for k, v := range map[string]string{"Policy": def, "DisplayName": "", "Owner": "000000000000", "SubscriptionsPending": "0", "SubscriptionsConfirmed": "0", "SubscriptionsDeleted": "0"} {
		if a[k] != v {
			t.Errorf("recreated-topic-attributes-before-subscribe: %s = %q, want %q", k, a[k], v)
		}
	}
	members := func() []string {
		t.Helper()
		out := apptest.Must(e.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)}))
		if out.NextToken != nil {
			t.Errorf("members: NextToken %q", aws.ToString(out.NextToken))
		}
		var arns []string
		for _, s := range out.Subscriptions {
			arns = append(arns, aws.ToString(s.SubscriptionArn))
		}
		return arns
	}
	if got := members(); len(got) != 0 { // recreated-topic-members-before-subscribe
		t.Errorf("recreated-topic-members-before-subscribe: %v", got)
	}
	// AWS delivered this one to the old subscription (recreated-before-resubscribe-receive-0).
	publish("recreated-before-resubscribe")
	if got := receive(); len(got) != 0 {
		t.Errorf("recreated-before-resubscribe: delivered %v", got)
	}

	current := e.subscribe(topic, "sqs", qarn, nil) // subscribe-recreated-same-endpoint
	if current == old {
		t.Fatalf("subscribe-recreated-same-endpoint: the old ARN %s again", current)
	}
	if got := members(); len(got) != 1 || got[0] != current { // recreated-topic-members-after-subscribe
		t.Errorf("recreated-topic-members-after-subscribe: %v", got)
	}
	sa := apptest.Must(e.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(current)})).Attributes
	if sa["TopicArn"] != topic || sa["Endpoint"] != qarn || sa["PendingConfirmation"] != "false" || sa["ConfirmationWasAuthenticated"] != "true" || sa["RawMessageDelivery"] != "false" {
		t.Errorf("current-subscription-after-resubscribe: %v", sa)
	}
	// AWS delivered this one twice, to the new and the old subscription
	// (recreated-after-resubscribe-receive-0/1); Palisade to the new one only.
	id = publish("recreated-after-resubscribe")
	if got := receive(); len(got) != 1 || got[0]["MessageId"] != id || unsubscribedBy(got[0]) != current {
		t.Errorf("recreated-after-resubscribe-receive-0: %v", got)
	}

	apptest.Must(e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(old)})) // unsubscribe-retained-old
	_, err = e.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(old)})
	wantError(t, err, "NotFound", 404, "Subscription does not exist") // old-after-explicit-unsubscribe
	if got := members(); len(got) != 1 || got[0] != current {         // current-members-after-old-unsubscribe
		t.Errorf("current-members-after-old-unsubscribe: %v", got)
	}
	id = publish("current-after-old-unsubscribe")
	if got := receive(); len(got) != 1 || got[0]["MessageId"] != id || unsubscribedBy(got[0]) != current {
		t.Errorf("current-after-old-unsubscribe-receive-0: %v", got)
	}

	apptest.Must(e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(current)})) // unsubscribe-current
	_, err = e.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(current)})
	wantError(t, err, "NotFound", 404, "Subscription does not exist") // current-after-explicit-unsubscribe
	if got := members(); len(got) != 0 {                              // recreated-topic-members-after-current-unsubscribe
		t.Errorf("recreated-topic-members-after-current-unsubscribe: %v", got)
	}
	apptest.Must(e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(current)})) // unsubscribe-current-repeat

	apptest.Must(e.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topic)})) // cleanup-delete-topic
	_, err = e.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	wantError(t, err, "NotFound", 404, "Topic does not exist") // cleanup-topic-absent
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}))
	_, err = e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: nil})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.") // cleanup-queue-absent-0
}
