package sqs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Answers taken from LocalStack's AWS-validated SQS tests and snapshots; each check
// names the test it follows.

// A deleted queue's name is held for 60 seconds of Palisade's clock
// (test_create_queue_recently_deleted).
func TestQueueDeletedRecently(t *testing.T) {
	e := newEnv(t)
	url := e.queue("gone", nil)
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}))
	const msg = "You must wait 60 seconds after deleting a queue before you can create another with the same name."
	_, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("gone")})
	wantError(t, err, "AWS.SimpleQueueService.QueueDeletedRecently", 400, msg)
	// Meanwhile the queue does not exist, and other names are free.
	_, err = e.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("gone")})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")
	e.queue("gone-too", nil)

	e.p.AdvanceClock(59 * time.Second)
	resp, body := e.query("/", "Action=CreateQueue&QueueName=gone")
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.QueueDeletedRecently</Code>") ||
		!strings.Contains(body, "<Message>"+msg+"</Message>") {
		t.Fatalf("query CreateQueue after 59 s: %d %s", resp.StatusCode, body)
	}
	e.p.AdvanceClock(time.Second)
	if again := e.queue("gone", nil); again != url {
		t.Fatalf("recreated at %s, want %s", again, url)
	}
	if n := e.attr(url, "ApproximateNumberOfMessages"); n != "0" {
		t.Fatalf("the recreated queue has %s messages", n)
	}
}

// An empty tag map and an empty selection of message attributes are answered as {}
// over JSON (test_tag_untag_queue, test_receive_message_message_attribute_names_filters).
func TestEmptyMapsAnswered(t *testing.T) {
	e := newEnv(t)
	url := e.queue("maps", map[string]string{"VisibilityTimeout": "0"})
	apptest.Must(e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"a": "1"}}))
	apptest.Must(e.sqs.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"a"}}))
	resp, body := e.raw("/", "application/x-amz-json-1.0", "AmazonSQS.ListQueueTags", `{"QueueUrl":"`+url+`"}`)
	if resp.StatusCode != 200 || body != `{"Tags":{}}` {
		t.Fatalf("ListQueueTags without tags: %d %s", resp.StatusCode, body)
	}

	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("msg"),
		MessageAttributes: map[string]types.MessageAttributeValue{"Hello": {DataType: aws.String("String"), StringValue: aws.String("There")}}}))
	for _, c := range []struct {
		names []string
		empty bool // answered as {}, or left out
	}{
		{[]string{"Foo", "Help"}, true},
		{[]string{"AWS."}, false},
		{[]string{"..foo"}, false},
		{nil, false},
	} {
		msgs := e.receive(url, 1, func(in *sqs.ReceiveMessageInput) { in.MessageAttributeNames = c.names })
		if len(msgs) != 1 {
			t.Fatalf("%v: %d messages", c.names, len(msgs))
		}
		got := msgs[0].MessageAttributes
		if (got != nil) != c.empty || len(got) != 0 || msgs[0].MD5OfMessageAttributes != nil {
			t.Fatalf("%v selected %#v (MD5 %v), want empty map %v", c.names, got, msgs[0].MD5OfMessageAttributes, c.empty)
		}
	}
}

// AddPermission writes SQS's policy form: version 2008-10-17, members in SQS's order,
// a principal or action given once as a string (test_sqs_permission_lifecycle).
func TestAddPermissionPolicyForm(t *testing.T) {
	e := newEnv(t)
	url := e.queue("perm", nil)
	policy := func() string {
		out := apptest.Must(e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNamePolicy}}))
		return out.Attributes["Policy"]
	}
	add := func(label string, accounts, actions []string) {
		apptest.Must(e.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String(label),
			AWSAccountIds: accounts, Actions: actions}))
	}
	const head = `{"Version":"2008-10-17","Id":"arn:aws:sqs:us-east-1:000000000000:perm/SQSDefaultPolicy","Statement":[`
	const resource = `"Resource":"arn:aws:sqs:us-east-1:000000000000:perm"}`
	add("crossaccountpermission", []string{"000000000000", "668614515564"}, []string{"ReceiveMessage"})
	want := head + `{"Sid":"crossaccountpermission","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:root","arn:aws:iam::668614515564:root"]},"Action":"SQS:ReceiveMessage",` + resource + `]}`
	if got := policy(); got != want {
		t.Fatalf("policy\n got %s\nwant %s", got, want)
	}
	add("second", []string{"000000000000"}, []string{"SendMessage", "ReceiveMessage"})
	want = head + `{"Sid":"crossaccountpermission","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:root","arn:aws:iam::668614515564:root"]},"Action":"SQS:ReceiveMessage",` + resource +
		`,{"Sid":"second","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["SQS:SendMessage","SQS:ReceiveMessage"],` + resource + `]}`
	if got := policy(); got != want {
		t.Fatalf("policy\n got %s\nwant %s", got, want)
	}
	apptest.Must(e.sqs.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("crossaccountpermission")}))
	want = head + `{"Sid":"second","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["SQS:SendMessage","SQS:ReceiveMessage"],` + resource + `]}`
	if got := policy(); got != want {
		t.Fatalf("after RemovePermission\n got %s\nwant %s", got, want)
	}
	apptest.Must(e.sqs.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("second")}))
	if got := policy(); got != "" {
		t.Fatalf("policy left after the last RemovePermission: %s", got)
	}
	_, err := e.sqs.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("second")})
	wantError(t, err, "InvalidParameterValue", 400, "Value second for parameter Label is invalid. Reason: can't find label.")

	// A statement added to a policy set by SetQueueAttributes keeps the policy's own
	// version and statements.
	own := `{"Version":"2012-10-17","Statement":{"Sid":"own","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:perm","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:sns:*:000000000000:a&b"}}}}`
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": own}}))
	add("added", []string{"000000000000"}, []string{"ReceiveMessage"})
	want = `{"Version":"2012-10-17","Statement":[{"Sid":"own","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:perm","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:sns:*:000000000000:a&b"}}},` +
		`{"Sid":"added","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"SQS:ReceiveMessage",` + resource + `]}`
	if got := policy(); got != want {
		t.Fatalf("added to a set policy\n got %s\nwant %s", got, want)
	}
}

// Message attribute names and string values (test_send_message_with_invalid_string_attributes,
// test_invalid_string_attributes_cause_invalid_parameter_value_error).
func TestMessageAttributeNamesAndValues(t *testing.T) {
	e := newEnv(t)
	url := e.queue("attrs", nil)
	send := func(name, value string) error {
		_, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("test"),
			MessageAttributes: map[string]types.MessageAttributeValue{name: {DataType: aws.String("String"), StringValue: aws.String(value)}}})
		return err
	}
	apptest.Must(struct{}{}, send("attr.1øßä", "Valida"))
	msgs := e.receive(url, 1, func(in *sqs.ReceiveMessageInput) { in.MessageAttributeNames = []string{"All"} })
	if len(msgs) != 1 || aws.ToString(msgs[0].MessageAttributes["attr.1øßä"].StringValue) != "Valida" {
		t.Fatalf("received %+v", msgs)
	}
	for _, name := range []string{".-Invalid-attr", "Invalid.", "a..b", "aWs.x", "AMAZON.x", "Invalid-§-attr", "Invalid-!-attr", strings.Repeat("L", 257)} {
		wantError(t, send(name, "Valid"), "InvalidParameterValue", 400, "Message (user) attribute name '"+name+"' is invalid.")
	}
	wantError(t, send("attr1", "Invalid-\x08,\x0b"), "InvalidParameterValue", 400,
		"Message (user) attribute 'attr1' value contains invalid characters.")
	// Tab, newline and carriage return are a body's characters, and an attribute's.
	apptest.Must(struct{}{}, send("attr1", "a\tb\r\nc"))
}

// Over query SQS words NonExistentQueue "… for this wsdl version." (test_non_existent_queue,
// TestSqsQueryApi::test_get_on_deleted_queue_fails); over JSON it does not.
func TestNonExistentQueueOverQuery(t *testing.T) {
	e := newEnv(t)
	const want = "<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>"
	resp, body := e.query("/", "Action=GetQueueUrl&QueueName=nope")
	if resp.StatusCode != 400 || !strings.Contains(body, want) {
		t.Fatalf("query GetQueueUrl: %d %s", resp.StatusCode, body)
	}
	url := e.queue("q", nil)
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}))
	resp, body = e.query("/000000000000/q", "Action=GetQueueAttributes&AttributeName.1=QueueArn")
	if resp.StatusCode != 400 || !strings.Contains(body, want) {
		t.Fatalf("query GetQueueAttributes of a deleted queue: %d %s", resp.StatusCode, body)
	}
	_, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url)})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")
}
