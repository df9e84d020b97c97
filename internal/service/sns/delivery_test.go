package sns_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
)

// confirmedHTTP subscribes the receiver to topic with attrs and confirms it; it
// returns the subscription ARN. The receiver has then got n+1 messages.
func (e *env) confirmedHTTP(topic string, r *receiver, attrs map[string]string, n int) string {
	e.Helper()
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r.srv.URL + "/hook"), Attributes: attrs}))
	conf := r.wait(e.T, n+1)[n]
	return aws.ToString(apptest.Must(e.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(conf["Token"])})).SubscriptionArn)
}

// After an HTTP/HTTPS endpoint is unsubscribed, SNS POSTs it a signed
// UnsubscribeConfirmation whose token (or SubscribeURL) restores the subscription
// (AWS, "HTTP/HTTPS unsubscribe confirmation JSON format").
func TestUnsubscribeConfirmation(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("t", nil)
	r := newReceiver(t)
	sub := e.confirmedHTTP(topic, r, nil, 0)
	apptest.Must(e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(sub)}))
	u := r.wait(t, 2)[1]
	r.mu.Lock()
	head, body := r.heads[1], r.bodies[1]
	r.mu.Unlock()
	wantMsg := "You have chosen to deactivate subscription " + sub + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
	if u["Type"] != "UnsubscribeConfirmation" || u["Message"] != wantMsg || u["TopicArn"] != topic || len(u["Token"]) != 256 ||
		!strings.HasSuffix(u["SubscribeURL"], "/?Action=ConfirmSubscription&TopicArn="+topic+"&Token="+u["Token"]) ||
		head.Get("x-amz-sns-message-type") != "UnsubscribeConfirmation" || head.Get("x-amz-sns-message-id") != u["MessageId"] ||
		head.Get("x-amz-sns-topic-arn") != topic || head.Get("x-amz-sns-subscription-arn") != sub {
		t.Fatalf("unsubscribe confirmation %v\n%v", u, head)
	}
	// AWS's keys, in AWS's order.
	var keys []string
	for _, line := range strings.Split(body, "\n") {
		if k, _, ok := strings.Cut(strings.TrimSpace(line), " : "); ok {
			keys = append(keys, strings.Trim(k, `"`))
		}
	}
	if got := strings.Join(keys, ","); got != "Type,MessageId,Token,TopicArn,Message,SubscribeURL,Timestamp,SignatureVersion,Signature,SigningCertURL" {
		t.Fatalf("keys %s", got)
	}
	verify(t, u)
	if subs := apptest.Must(e.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})).Subscriptions; len(subs) != 0 {
		t.Fatalf("still subscribed: %+v", subs)
	}
	// The token restores the subscription, confirmed.
	back := aws.ToString(apptest.Must(e.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(u["Token"])})).SubscriptionArn)
	if back != sub {
		t.Fatalf("restored as %s, was %s", back, sub)
	}
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("again")}))
	if n := r.wait(t, 3)[2]; n["Type"] != "Notification" || n["Message"] != "again" {
		t.Fatalf("after restoring: %v", n)
	}
	// Unsubscribing again sends another, with a token of its own.
	apptest.Must(e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(sub)}))
	if u2 := r.wait(t, 4)[3]; u2["Type"] != "UnsubscribeConfirmation" || u2["Token"] == u["Token"] {
		t.Fatalf("second unsubscribe confirmation %v", u2)
	}
	// A token that restored its subscription restores nothing again: it is that
	// subscription's, unsubscribed since, which SNS answers as it does the
	// confirmation token of an unsubscribed subscription (recorded in 2026: radkawar/stackd
	// testdata/aws/sns/confirmation_lifetime.json).
	_, err := e.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(u["Token"])})
	wantError(t, err, "NotFound", 404, "Subscription does not exist")
}

// SNS retries 5xx answers and 429; any other error answer is a permanent failure
// (AWS, "Amazon SNS message delivery retries").
func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, tc := range []struct {
		code  int
		retry bool
	}{{404, false}, {400, false}, {429, true}, {503, true}} {
		e := newEnv(t)
		topic := e.topic("t", nil)
		r := newReceiver(t)
		e.confirmedHTTP(topic, r, nil, 0)
		r.mu.Lock()
		r.fail, r.failCode, r.tries = 1, tc.code, 0
		r.mu.Unlock()
		apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m")}))
		deadline := time.Now().Add(10 * time.Second)
		for {
			r.mu.Lock()
			tries := r.tries
			r.mu.Unlock()
			if tries > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		e.p.AdvanceClock(21 * time.Second)
		time.Sleep(500 * time.Millisecond)
		r.mu.Lock()
		tries, got := r.tries, len(r.got)
		r.mu.Unlock()
		if tc.retry && (tries != 2 || got != 2) || !tc.retry && (tries != 1 || got != 1) {
			t.Errorf("%d: %d requests, %d delivered; retried %v", tc.code, tries, got, tc.retry)
		}
	}
}

// A delivery policy's requestPolicy.headerContentType (a topic's
// http.defaultRequestPolicy) sets the Content-Type of HTTP/HTTPS deliveries, and a
// topic's disableSubscriptionOverrides makes its policy apply to every subscription
// (AWS, "Creating an HTTP/S delivery policy", SetTopicAttributes delivery policy JSON
// format).
func TestDeliveryPolicyRequestPolicy(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("t", nil)
	r := newReceiver(t)
	sub := e.confirmedHTTP(topic, r, map[string]string{"DeliveryPolicy": `{"requestPolicy":{"headerContentType":"application/json"}}`}, 0)
	contentType := func(n int) string {
		r.wait(t, n+1)
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.heads[n].Get("Content-Type")
	}
	if ct := contentType(0); ct != "text/plain; charset=UTF-8" {
		t.Fatalf("confirmation Content-Type %q", ct)
	}
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("1")}))
	if ct := contentType(1); ct != "application/json" {
		t.Fatalf("subscription request policy: Content-Type %q", ct)
	}
	// The topic's default request policy applies where the subscription sets none.
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("DeliveryPolicy"),
		AttributeValue: aws.String(`{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3},"defaultRequestPolicy":{"headerContentType":"text/plain"}}}`)}))
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("2")}))
	if ct := contentType(2); ct != "application/json" {
		t.Fatalf("the subscription's policy overrides the topic's: Content-Type %q", ct)
	}
	apptest.Must(e.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub), AttributeName: aws.String("DeliveryPolicy"),
		AttributeValue: aws.String(`{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3}}`)}))
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("3")}))
	if ct := contentType(3); ct != "text/plain" {
		t.Fatalf("topic request policy: Content-Type %q", ct)
	}
	apptest.Must(e.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub), AttributeName: aws.String("DeliveryPolicy"),
		AttributeValue: aws.String(`{"requestPolicy":{"headerContentType":"application/json"}}`)}))
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("DeliveryPolicy"),
		AttributeValue: aws.String(`{"http":{"disableSubscriptionOverrides":true,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`)}))
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("4")}))
	if ct := contentType(4); ct != "text/plain; charset=UTF-8" {
		t.Fatalf("disableSubscriptionOverrides: Content-Type %q", ct)
	}
}

// An HTTP notification that still fails when its retries are spent goes to the
// subscription's dead-letter queue only when SNS may send there: the queue's policy
// must allow sns.amazonaws.com, and an encrypted queue's key must too (the AWS
// managed key aws/sqs does not) — otherwise the redrive fails and is counted as
// such ("Amazon SNS dead-letter queues (DLQs)").
func TestHTTPRedriveToDLQ(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	now := e.p.Clock.Now()
	e.p.AdvanceClock(now.Truncate(time.Minute).Add(time.Minute).Sub(now) + time.Second)
	policy := `{"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0, "numMaxDelayRetries": 0, "backoffFunction": "linear"}}}`
	for _, c := range []struct {
		name     string
		attrs    func(queue, topic string) map[string]string
		redriven bool
		sse      bool // the topic is encrypted: its outbox holds the message sealed
	}{
		{"dlq-open", func(q, topic string) map[string]string { return map[string]string{"Policy": snsMaySend(q, topic)} }, true, false},
		{"dlq-closed", func(q, topic string) map[string]string { return nil }, false, false},
		{"dlq-aws-sqs", func(q, topic string) map[string]string {
			return map[string]string{"Policy": snsMaySend(q, topic), "KmsMasterKeyId": "alias/aws/sqs"}
		}, false, false},
		{"dlq-cmk", func(q, topic string) map[string]string {
			return map[string]string{"Policy": snsMaySend(q, topic), "KmsMasterKeyId": e.keyFor("sns.amazonaws.com")}
		}, true, false},
		{"dlq-sse-topic", func(q, topic string) map[string]string { return map[string]string{"Policy": snsMaySend(q, topic)} }, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			attrs := map[string]string{"DeliveryPolicy": policy}
			if c.sse {
				attrs["KmsMasterKeyId"] = e.keyFor("")
			}
			topic := e.topic(c.name, attrs)
			url := aws.ToString(apptest.Must(e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(c.name + "-q"), Attributes: c.attrs(c.name+"-q", topic)})).QueueUrl)
			r := newReceiver(t)
			sub := e.confirmedHTTP(topic, r, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:` + c.name + `-q"}`}, 0)
			r.mu.Lock()
			r.fail, r.failCode = 1, 503
			r.mu.Unlock()
			minute := e.p.Clock.Now().Truncate(time.Minute).UTC()
			apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("dead letter " + c.name)}))
			yes, no := snsStat{1, 1, 1, 1}, snsStat{1, 0, 0, 0}
			want := map[string]snsStat{"NumberOfNotificationsRedrivenToDlq": yes, "NumberOfNotificationsFailedToRedriveToDlq": no}
			if !c.redriven {
				want = map[string]snsStat{"NumberOfNotificationsRedrivenToDlq": no, "NumberOfNotificationsFailedToRedriveToDlq": yes}
			}
			for metric, w := range want {
				if got, ok := e.topicStat(cw, c.name, metric, minute); !ok || got != w {
					t.Errorf("%s = %+v (found %v), want %+v", metric, got, ok, w)
				}
			}
			msgs := e.drain(url)
			if !c.redriven {
				if len(msgs) != 0 {
					t.Fatalf("the DLQ got %d messages", len(msgs))
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("the DLQ holds %d messages, want 1", len(msgs))
			}
			env := envelope(t, aws.ToString(msgs[0].Body))
			if env["Type"] != "Notification" || env["Message"] != "dead letter "+c.name || !strings.HasSuffix(env["UnsubscribeURL"], "SubscriptionArn="+sub) {
				t.Errorf("the DLQ's message: %s", aws.ToString(msgs[0].Body))
			}
		})
	}
}
