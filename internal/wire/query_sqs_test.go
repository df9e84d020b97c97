package wire_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	sqsapi "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

// SQS over query, as botocore's query serializer writes it (aws CLI 2.9): flattened
// lists under their member's name (AttributeName.1), flattened maps of Name/Value
// (Attribute.1.Name), members under their query names (MessageAttribute); answers in
// XML with the same names. The same service still speaks JSON with the JSON names.
func TestQuerySQSFlattenedNames(t *testing.T) {
	srv := wiretest.Server(t, sqsapi.Service, map[string]wiretest.Handler{
		"ReceiveMessage": func(in map[string]any) (map[string]any, *model.Error) {
			var req sqsapi.ReceiveMessageRequest
			if err := model.Unmarshal(in, &req); err != nil {
				t.Fatal(err)
			}
			if req.QueueUrl != "q" || len(req.AttributeNames) != 2 || req.AttributeNames[1] != "Policy" || len(req.MessageAttributeNames) != 1 || req.MessageAttributeNames[0] != "k" {
				t.Errorf("decoded %+v", req)
			}
			out := sqsapi.ReceiveMessageResult{Messages: []sqsapi.Message{{Body: aws.String("b"), Attributes: map[string]string{"SenderId": "s"},
				MessageAttributes: map[string]sqsapi.MessageAttributeValue{"k": {DataType: "String", StringValue: aws.String("v")}}}}}
			return model.Marshal(&out), nil
		},
		"CreateQueue": func(in map[string]any) (map[string]any, *model.Error) {
			var req sqsapi.CreateQueueRequest
			if err := model.Unmarshal(in, &req); err != nil {
				t.Fatal(err)
			}
			if req.QueueName != "n" || req.Attributes["VisibilityTimeout"] != "30" || req.Tags["team"] != "red" {
				t.Errorf("decoded %+v", req)
			}
			return model.Marshal(&sqsapi.CreateQueueResult{QueueUrl: aws.String("u")}), nil
		},
	})
	post := func(form url.Values) string {
		t.Helper()
		resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		return string(b)
	}
	body := post(url.Values{"Action": {"ReceiveMessage"}, "Version": {"2012-11-05"}, "QueueUrl": {"q"},
		"AttributeName.1": {"All"}, "AttributeName.2": {"Policy"}, "MessageAttributeName.1": {"k"}})
	for _, want := range []string{`<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">`, `<ReceiveMessageResult><Message>`,
		`<Attribute><Name>SenderId</Name><Value>s</Value></Attribute>`,
		`<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>`} {
		if !strings.Contains(body, want) {
			t.Errorf("response lacks %s:\n%s", want, body)
		}
	}
	post(url.Values{"Action": {"CreateQueue"}, "Version": {"2012-11-05"}, "QueueName": {"n"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"30"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"red"}})

	// JSON keeps the JSON names.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"QueueName":"n","Attributes":{"VisibilityTimeout":"30"},"tags":{"team":"red"}}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.CreateQueue")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"QueueUrl":"u"`) {
		t.Fatalf("JSON CreateQueue: %d %s", resp.StatusCode, b)
	}
}

// SQS words an unknown action its own way over query (LocalStack's AWS-validated
// test_invalid_action_raises_exception); other query services keep "Could not find
// operation …" (TestQueryRoundTripSTS).
func TestQuerySQSUnknownAction(t *testing.T) {
	srv := wiretest.Server(t, sqsapi.Service, map[string]wiretest.Handler{})
	resp, err := http.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=FooBar&Version=2012-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Type>Sender</Type><Code>InvalidAction</Code><Message>The action FooBar is not valid for this endpoint.</Message>") {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}
