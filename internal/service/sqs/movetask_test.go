package sqs_test

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
)

const arnPrefix = "arn:aws:sqs:us-east-1:000000000000:"

func (e *env) tasks(source string, n int32) []types.ListMessageMoveTasksResultEntry {
	e.Helper()
	return apptest.Must(e.sqs.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(arnPrefix + source), MaxResults: aws.Int32(n)})).Results
}

func (e *env) bodies(url string) []string {
	e.Helper()
	var out []string
	for _, m := range e.receive(url, 10) {
		out = append(out, aws.ToString(m.Body))
	}
	sort.Strings(out)
	return out
}

// TestMessageMoveTasks redrives a dead-letter queue back to the queues its messages
// came from, and to a destination at a fixed rate on Palisade's clock, with AWS's
// errors.
func TestMessageMoveTasks(t *testing.T) {
	e := newEnv(t)
	dlq := e.queue("dlq", nil)
	redrive := map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + arnPrefix + `dlq","maxReceiveCount":"1"}`}
	src1, src2 := e.queue("src1", redrive), e.queue("src2", redrive)
	other := e.queue("other", nil)
	first := aws.ToString(e.send(src1, "a1").MessageId)
	e.send(src1, "a2")
	e.send(src2, "b1")
	// A first receive counts one; the next moves the messages to the dead-letter queue.
	for _, u := range []string{src1, src2} {
		e.receive(u, 10)
		if got := e.receive(u, 10); len(got) != 0 {
			t.Fatalf("%d messages left in the source", len(got))
		}
	}

	start := func(source string, dest *string, rate *int32) (string, error) {
		out, err := e.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + source), DestinationArn: dest,
			MaxNumberOfMessagesPerSecond: rate})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.TaskHandle), nil
	}
	// Back to each message's own source.
	if _, err := start("dlq", nil, nil); err != nil {
		t.Fatal(err)
	}
	e.p.SQS.RunMoveTasks(ctx)
	res := e.tasks("dlq", 10)
	if len(res) != 1 || res[0].Status == nil || *res[0].Status != "COMPLETED" || res[0].ApproximateNumberOfMessagesMoved != 3 ||
		aws.ToInt64(res[0].ApproximateNumberOfMessagesToMove) != 3 || res[0].TaskHandle != nil || res[0].DestinationArn != nil ||
		res[0].MaxNumberOfMessagesPerSecond != nil || aws.ToString(res[0].SourceArn) != arnPrefix+"dlq" || res[0].StartedTimestamp == 0 {
		t.Fatalf("completed task %+v %s %d", res, aws.ToString(res[0].Status), aws.ToInt64(res[0].ApproximateNumberOfMessagesToMove))
	}
	back := e.receive(src1, 10)
	if len(back) != 2 || aws.ToString(back[0].MessageId) == first || aws.ToString(back[1].MessageId) == first {
		t.Fatalf("src1 got %+v back: redriven messages are new messages", back)
	}
	if got := []string{aws.ToString(back[0].Body), aws.ToString(back[1].Body)}; !(got[0] == "a1" && got[1] == "a2" || got[0] == "a2" && got[1] == "a1") {
		t.Fatalf("src1 got %v back", got)
	}
	if got := e.bodies(src2); len(got) != 1 || got[0] != "b1" {
		t.Fatalf("src2 got %v back", got)
	}

	// AWS's refusals.
	_, err := start("src1", nil, nil)
	wantError(t, err, "InvalidParameterValue", 400, "Source queue must be configured as a Dead Letter Queue.")
	_, err = start("nope", nil, nil)
	wantError(t, err, "ResourceNotFoundException", 404, "The resource that you specified for the SourceArn parameter doesn't exist.")
	_, err = start("dlq", aws.String(arnPrefix+"nope"), nil)
	wantError(t, err, "ResourceNotFoundException", 404, "The resource that you specified for the DestinationArn parameter doesn't exist.")
	_, err = start("dlq", nil, aws.Int32(501))
	wantError(t, err, "InvalidParameterValue", 400, "")
	e.queue("line.fifo", map[string]string{"FifoQueue": "true"})
	_, err = start("dlq", aws.String(arnPrefix+"line.fifo"), nil)
	wantError(t, err, "InvalidParameterValue", 400, "The source queue and the destination queue must be of the same queue type.")

	// To a destination at one message per second of Palisade's clock.
	for _, b := range []string{"c1", "c2", "c3", "c4", "c5"} {
		e.send(dlq, b)
	}
	h, err := start("dlq", aws.String(arnPrefix+"other"), aws.Int32(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = start("dlq", nil, nil)
	wantError(t, err, "InvalidParameterValue", 400, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	if res := e.tasks("dlq", 1); len(res) != 1 || aws.ToString(res[0].TaskHandle) != h || aws.ToString(res[0].Status) != "RUNNING" ||
		aws.ToInt64(res[0].ApproximateNumberOfMessagesToMove) != 5 || aws.ToInt32(res[0].MaxNumberOfMessagesPerSecond) != 1 {
		t.Fatalf("running task %+v", res)
	}
	e.p.AdvanceClock(2 * time.Second)
	e.p.SQS.RunMoveTasks(ctx)
	moved := e.tasks("dlq", 1)[0].ApproximateNumberOfMessagesMoved
	if moved < 2 || moved > 4 {
		t.Fatalf("%d moved after two seconds at one per second", moved)
	}
	cancel := apptest.Must(e.sqs.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(h)}))
	e.p.SQS.RunMoveTasks(ctx)
	res = e.tasks("dlq", 2)
	if len(res) != 2 || aws.ToString(res[0].Status) != "CANCELLED" || res[0].TaskHandle != nil || aws.ToString(res[0].DestinationArn) != arnPrefix+"other" ||
		res[0].ApproximateNumberOfMessagesMoved != cancel.ApproximateNumberOfMessagesMoved || aws.ToString(res[1].Status) != "COMPLETED" {
		t.Fatalf("cancelled task %+v (cancel said %d)", res, cancel.ApproximateNumberOfMessagesMoved)
	}
	n := int(res[0].ApproximateNumberOfMessagesMoved)
	if got := e.bodies(other); len(got) != n {
		t.Fatalf("destination holds %v, task moved %d", got, n)
	}
	_, err = e.sqs.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(h)})
	wantError(t, err, "ResourceNotFoundException", 404, "Task does not exist.")
	_, err = e.sqs.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String("not-a-handle")})
	wantError(t, err, "InvalidParameterValue", 400, "Value for parameter TaskHandle is invalid.")

	// Messages sent to the dead-letter queue directly have no source to return to.
	if _, err := start("dlq", nil, nil); err != nil {
		t.Fatal(err)
	}
	e.p.SQS.RunMoveTasks(ctx)
	if res := e.tasks("dlq", 1); aws.ToString(res[0].Status) != "FAILED" || aws.ToString(res[0].FailureReason) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("task without origins %+v", res[0])
	}
}

// Starting a redrive needs, besides sqs:StartMessageMoveTask, the permissions AWS
// documents on the dead-letter queue and the destination; the call is recorded.
func TestMessageMoveTaskAuthorization(t *testing.T) {
	e := newEnv(t)
	e.queue("dlq", nil)
	e.queue("src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arnPrefix + `dlq","maxReceiveCount":"1"}`})
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := sqs.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	allow := func(actions string) {
		apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + actions + `],"Resource":"*"}]}`)}))
	}
	start := func() error {
		_, err := bob.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "dlq")})
		return err
	}
	// SQS answers a denial with its query protocol's AccessDenied (403), which the SDK
	// reads from x-amzn-query-error, naming the action in lower case.
	denied := func(err error, action, resource string) {
		t.Helper()
		var ae smithy.APIError
		var re *awshttp.ResponseError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !errors.As(err, &re) || re.HTTPStatusCode() != 403 ||
			re.Response.Header.Get("x-amzn-query-error") != "AccessDenied;Sender" ||
			!strings.HasPrefix(ae.ErrorMessage(), "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: "+strings.ToLower(action)+" on resource: "+resource) {
			t.Fatalf("want the denial of %s on %s, got %v", action, resource, err)
		}
	}
	denied(start(), "sqs:StartMessageMoveTask", arnPrefix+"dlq")
	allow(`"sqs:StartMessageMoveTask"`)
	denied(start(), "sqs:ReceiveMessage", arnPrefix+"dlq")
	allow(`"sqs:StartMessageMoveTask","sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"`)
	denied(start(), "sqs:SendMessage", arnPrefix+"src")
	allow(`"sqs:StartMessageMoveTask","sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:SendMessage"`)
	if err := start(); err != nil {
		t.Fatal(err)
	}
	_, err := bob.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(arnPrefix + "dlq")})
	denied(err, "sqs:ListMessageMoveTasks", arnPrefix+"dlq")

	// CloudTrail has the allowed start and the three denied ones.
	events := apptest.Must(cloudtrail.NewFromConfig(e.p.RootConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("StartMessageMoveTask")}}}))
	var codes []string
	for _, ev := range events.Events {
		var rec struct{ ErrorCode string }
		_ = json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec)
		codes = append(codes, rec.ErrorCode)
	}
	sort.Strings(codes)
	if strings.Join(codes, ",") != ",AccessDenied,AccessDenied,AccessDenied" {
		t.Fatalf("CloudTrail's StartMessageMoveTask records: %q", codes)
	}
}
