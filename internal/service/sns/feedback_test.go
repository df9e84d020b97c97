package sns_test

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
)

// feedbackRole makes a role SNS may assume; actions are the CloudWatch Logs actions
// its policy allows on the topic's feedback groups (none: no policy), named as
// recorded (feedback_sampling.json allow-feedback: the group name and anything after).
func (e *env) feedbackRole(name, service, topicName string, actions ...string) string {
	return e.feedbackRoleOn(name, service, "arn:aws:logs:us-east-1:000000000000:log-group:sns/us-east-1/000000000000/"+topicName+"*", actions...)
}

// feedbackRoleOn is feedbackRole with the policy's resource given.
func (e *env) feedbackRoleOn(name, service, resource string, actions ...string) string {
	e.Helper()
	iamc := iam.NewFromConfig(e.p.RootConfig())
	arn := aws.ToString(apptest.Must(iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`)})).Role.Arn)
	if len(actions) > 0 {
		apptest.Must(iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("feedback"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) +
				`"],"Resource":"` + resource + `"}]}`)}))
	}
	return arn
}

var allFeedback = []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}

// feedbackEvents are the messages of a log group's events and the streams they are in;
// nil when the group does not exist.
func (e *env) feedbackEvents(group string) (msgs []string, streams map[string]bool) {
	e.Helper()
	c := cwl.NewFromConfig(e.p.RootConfig())
	out, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil {
		if strings.Contains(err.Error(), "ResourceNotFoundException") {
			return nil, nil
		}
		e.Fatal(err)
	}
	streams = map[string]bool{}
	for _, ev := range out.Events {
		msgs = append(msgs, aws.ToString(ev.Message))
		streams[aws.ToString(ev.LogStreamName)] = true
	}
	return msgs, streams
}

var (
	uuidRE  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	dwellRE = regexp.MustCompile(`"dwellTimeMs":\d+`)
	tsRE    = regexp.MustCompile(`"timestamp":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"`)
)

// shape masks an event's UUIDs, dwell time and timestamp.
func shape(msg string) string {
	return tsRE.ReplaceAllString(dwellRE.ReplaceAllString(uuidRE.ReplaceAllString(msg, "U"), `"dwellTimeMs":D`), `"timestamp":"T"`)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// SQS deliveries write delivery-status logs through the topic's feedback roles
// (recorded, 2026: radkawar/stackd testdata/aws/sns/feedback_sampling.json and
// managed_feedback.json): a success to sns/<region>/<account>/<topic> with the queue's
// request and message IDs, a queue that refuses SNS to …/Failure as
// NonExistentQueue 400; every success without a sample rate, none at rate 0; the
// group and a UUID-named stream created through the role.
func TestFeedbackSQS(t *testing.T) {
	e := newEnv(t)
	role := e.feedbackRole("fb-role", "sns.amazonaws.com", "fbsqs", allFeedback...)
	topic := e.topic("fbsqs", map[string]string{"SQSSuccessFeedbackRoleArn": role, "SQSFailureFeedbackRoleArn": role})
	url, queue := e.queueFor("fbsqs-q", topic, true)
	_, refusing := e.queueFor("fbsqs-refusing", topic, false)
	e.subscribe(topic, "sqs", queue, nil)
	e.subscribe(topic, "sqs", refusing, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn": "` + queue + `"}`})
	id := aws.ToString(apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("positive-logging-authority")})).MessageId)
	got := e.drain(url)
	if len(got) != 2 { // the message and its redrive from the refusing queue
		t.Fatalf("queue got %d messages", len(got))
	}

	const group = "sns/us-east-1/000000000000/fbsqs"
	msgs, streams := e.feedbackEvents(group)
	if len(msgs) != 1 || len(streams) != 1 {
		t.Fatalf("success log: %q in %v", msgs, streams)
	}
	for s := range streams {
		if !uuidRE.MatchString(s) || len(s) != 36 || s[14] != '3' {
			t.Errorf("stream %q is not a version-3 UUID", s)
		}
	}
	// The recorded event's messageMD5Sum for this message (feedback_sampling.json).
	want := `{"notification":{"messageMD5Sum":"4e81fcaeff734cf77c981adc4384c103","messageId":"U","topicArn":"` + topic + `","timestamp":"T"},` +
		`"delivery":{"deliveryId":"U","destination":"` + queue + `","providerResponse":"{\"sqsRequestId\":\"U\",\"sqsMessageId\":\"U\"}",` +
		`"dwellTimeMs":D,"statusCode":200},"status":"SUCCESS"}`
	if shape(msgs[0]) != want {
		t.Errorf("success event\n got %s\nwant %s", msgs[0], want)
	}
	if !strings.Contains(msgs[0], `"messageId":"`+id+`"`) || !strings.Contains(msgs[0], aws.ToString(got[0].MessageId)+`\"}`) &&
		!strings.Contains(msgs[0], aws.ToString(got[1].MessageId)+`\"}`) {
		t.Errorf("success event names another message: %s", msgs[0])
	}
	fails, _ := e.feedbackEvents(group + "/Failure")
	want = `{"notification":{"messageMD5Sum":"4e81fcaeff734cf77c981adc4384c103","messageId":"U","topicArn":"` + topic + `","timestamp":"T"},` +
		`"delivery":{"deliveryId":"U","redrivePolicy":"{\"deadLetterTargetArn\": \"` + queue + `\"}","destination":"` + refusing + `",` +
		`"providerResponse":"{\"ErrorCode\":\"AWS.SimpleQueueService.NonExistentQueue\",\"ErrorMessage\":\"The specified queue does not exist or you do not have access to it.\",\"sqsRequestId\":\"Unrecoverable\"}",` +
		`"dwellTimeMs":D,"statusCode":400},"status":"FAILURE"}`
	if len(fails) != 1 || shape(fails[0]) != want {
		t.Errorf("failure events\n got %q\nwant %s", fails, want)
	}

	// A sample rate of 0 logs no success; failures are always logged.
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic),
		AttributeName: aws.String("SQSSuccessFeedbackSampleRate"), AttributeValue: aws.String("0")}))
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("again")}))
	if msgs, _ := e.feedbackEvents(group); len(msgs) != 1 {
		t.Errorf("rate 0: %d success events", len(msgs))
	}
	if fails, streams := e.feedbackEvents(group + "/Failure"); len(fails) != 2 || len(streams) != 1 {
		t.Errorf("rate 0: %d failure events in %v", len(fails), streams)
	}
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic),
		AttributeName: aws.String("SQSSuccessFeedbackSampleRate"), AttributeValue: aws.String("100")}))
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("third")}))
	if msgs, streams := e.feedbackEvents(group); len(msgs) != 2 || len(streams) != 1 {
		t.Errorf("rate 100: %d success events in %v", len(msgs), streams)
	}
}

// SNS logs only as the role allows (recorded, 2026: managed_feedback.json,
// denied-feedback-authority, restored-feedback-authority): a role without the
// CloudWatch Logs permissions, or one that no longer trusts SNS, logs nothing, and
// the publication is delivered all the same.
func TestFeedbackNeedsTheRole(t *testing.T) {
	e := newEnv(t)
	iamc := iam.NewFromConfig(e.p.RootConfig())
	noPolicy := e.feedbackRole("fb-none", "sns.amazonaws.com", "fbrole")
	noGroup := e.feedbackRole("fb-nogroup", "sns.amazonaws.com", "fbrole", "logs:CreateLogStream", "logs:PutLogEvents")
	trusted := e.feedbackRole("fb-trusted", "sns.amazonaws.com", "fbrole", allFeedback...)
	topic := e.topic("fbrole", map[string]string{"SQSSuccessFeedbackRoleArn": noPolicy})
	url, queue := e.queueFor("fbrole-q", topic, true)
	e.subscribe(topic, "sqs", queue, nil)
	const group = "sns/us-east-1/000000000000/fbrole"
	publish := func(label string, wantEvents int) {
		t.Helper()
		apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(label)}))
		if n := len(e.drain(url)); n != 1 {
			t.Errorf("%s: %d delivered", label, n)
		}
		if msgs, _ := e.feedbackEvents(group); len(msgs) != wantEvents {
			t.Errorf("%s: %d events, want %d", label, len(msgs), wantEvents)
		}
	}
	set := func(role string) {
		t.Helper()
		apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic),
			AttributeName: aws.String("SQSSuccessFeedbackRoleArn"), AttributeValue: aws.String(role)}))
	}
	publish("no-policy", 0)
	set(noGroup)
	publish("no-create-log-group", 0)
	set(trusted)
	publish("allowed", 1)
	// The trust policy is read again at each delivery.
	apptest.Must(iamc.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("fb-trusted"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	publish("trust-revoked", 1)
	// Once the group exists, CreateLogStream and PutLogEvents are enough.
	set(noGroup)
	publish("group-exists", 2)
}

// HTTP/HTTPS attempts are logged one by one (recorded, 2026: external_feedback.json):
// the confirmation without messageMD5Sum, a 503 as FAILURE "Service Unavailable",
// its retry as SUCCESS "OK" with attempts 1, and a 400, which SNS does not retry, as
// SUCCESS "Bad Request".
func TestFeedbackHTTP(t *testing.T) {
	e := newEnv(t)
	// The recorded policy-logs resource (external_feedback.json) names streams only:
	// SNS created the groups through it, CloudWatch Logs authorizing CreateLogGroup on
	// the group's ARN:log-stream:.
	role := e.feedbackRoleOn("fb-http", "sns.amazonaws.com", "arn:aws:logs:us-east-1:000000000000:log-group:sns/us-east-1/000000000000/fbhttp*:*", allFeedback...)
	topic := e.topic("fbhttp", map[string]string{"HTTPSuccessFeedbackRoleArn": role, "HTTPFailureFeedbackRoleArn": role, "HTTPSuccessFeedbackSampleRate": "100"})
	r := newReceiver(t)
	e.confirmedHTTP(topic, r, nil, 0)
	dest := r.srv.URL + "/hook"
	const group = "sns/us-east-1/000000000000/fbhttp"
	wait := func(group string, n int) []string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			msgs, _ := e.feedbackEvents(group)
			if len(msgs) >= n || time.Now().After(deadline) {
				return msgs
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	msgs := wait(group, 1)
	want := `{"notification":{"messageId":"U","topicArn":"` + topic + `","timestamp":"T"},"delivery":{"deliveryId":"U","destination":"` + dest +
		`","providerResponse":"OK","dwellTimeMs":D,"statusCode":200},"status":"SUCCESS"}`
	if len(msgs) != 1 || shape(msgs[0]) != want {
		t.Fatalf("confirmation\n got %q\nwant %s", msgs, want)
	}

	r.mu.Lock()
	r.fail, r.failCode = 1, 503
	r.mu.Unlock()
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m")}))
	fails := wait(group+"/Failure", 1)
	notification := `{"notification":{"messageMD5Sum":"` + md5hex("m") + `","messageId":"U","topicArn":"` + topic + `","timestamp":"T"},"delivery":{"deliveryId":"U","destination":"` + dest + `",`
	want = notification + `"providerResponse":"Service Unavailable","dwellTimeMs":D,"statusCode":503},"status":"FAILURE"}`
	if len(fails) != 1 || shape(fails[0]) != want {
		t.Errorf("503\n got %q\nwant %s", fails, want)
	}
	time.Sleep(200 * time.Millisecond)
	e.p.AdvanceClock(21 * time.Second)
	msgs = wait(group, 2)
	want = notification + `"providerResponse":"OK","dwellTimeMs":D,"attempts":1,"statusCode":200},"status":"SUCCESS"}`
	if len(msgs) != 2 || shape(msgs[1]) != want {
		t.Errorf("retry\n got %q\nwant %s", msgs, want)
	} else if d := dwellRE.FindString(msgs[1]); d < `"dwellTimeMs":21000` || len(d) != len(`"dwellTimeMs":21000`) {
		t.Errorf("retry dwell time: %s", d)
	}

	r.mu.Lock()
	r.fail, r.failCode = 1, 400
	r.mu.Unlock()
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m")}))
	msgs = wait(group, 3)
	want = notification + `"providerResponse":"Bad Request","dwellTimeMs":D,"statusCode":400},"status":"SUCCESS"}`
	if len(msgs) != 3 || shape(msgs[2]) != want {
		t.Errorf("400\n got %q\nwant %s", msgs, want)
	}
	if fails, _ := e.feedbackEvents(group + "/Failure"); len(fails) != 1 {
		t.Errorf("%d failure events", len(fails))
	}
}

// A status log commits with the attempt's outcome in the outbox: across a restart the
// failed attempt's event is kept once, and the retry after the restart adds its own.
func TestFeedbackSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := &env{T: t, p: apptest.StartIn(t, dir)}
	e.sns = sns.NewFromConfig(e.p.RootConfig())
	role := e.feedbackRole("fb-restart", "sns.amazonaws.com", "fbrestart", allFeedback...)
	topic := e.topic("fbrestart", map[string]string{"HTTPSuccessFeedbackRoleArn": role, "HTTPFailureFeedbackRoleArn": role})
	r := newReceiver(t)
	e.confirmedHTTP(topic, r, nil, 0)
	r.mu.Lock()
	r.fail, r.failCode = 1, 500
	r.mu.Unlock()
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m")}))
	const group = "sns/us-east-1/000000000000/fbrestart"
	count := func(group string, n int) int {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			msgs, _ := e.feedbackEvents(group)
			if len(msgs) >= n || time.Now().After(deadline) {
				return len(msgs)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if n := count(group+"/Failure", 1); n != 1 {
		t.Fatalf("%d failure events before the restart", n)
	}
	e.p.Stop()

	e.p = apptest.StartIn(t, dir)
	e.sns = sns.NewFromConfig(e.p.RootConfig())
	e.p.AdvanceClock(21 * time.Second)
	r.wait(t, 2)
	if n := count(group, 2); n != 2 { // the confirmation and the retry
		t.Errorf("%d success events after the restart", n)
	}
	time.Sleep(200 * time.Millisecond)
	if n := count(group+"/Failure", 1); n != 1 {
		t.Errorf("%d failure events after the restart", n)
	}
}
