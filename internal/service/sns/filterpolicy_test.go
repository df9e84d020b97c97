package sns_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
)

// at is where SNS's reader says it stopped: the source redacted, as SNS's Jackson
// answers since 2025; the columns are those SNS recorded.
func at(col int) string {
	return fmt.Sprintf("\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: %d]", col)
}

// TestFilterPolicyFaults subscribes with each malformed policy SNS was seen to
// refuse (LocalStack's AWS-validated snapshots, TestSNSFilterPolicyConditions) and
// expects SNS's reason and the column where its reader stopped.
func TestFilterPolicyFaults(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("faults", nil)
	_, qarn := e.queueFor("faults-q", topic, true)
	cases := []struct {
		policy, msg string
		col         int
	}{
		// test_validate_policy
		{`{"key":[["value"]]}`, "Match value must be String, number, true, false, or null", 10},
		{`{"key":[{"wrong-operator":true}]}`, "Unrecognized match type wrong-operator", 31},
		{`{"key":[{"suffix":"value","prefix":"value2"}]}`, "Only one key allowed in match expression", 37},
		// test_validate_policy_string_operators
		{`{"key":[{"suffix":100}]}`, "suffix match pattern must be a string", 22},
		{`{"key":[{"suffix":null}]}`, "suffix match pattern must be a string", 23},
		{`{"key":{"suffix":"value"}}`, `"suffix" must be an object or an array`, 19},
		{`{"key":[{"suffix":[]}]}`, "suffix match pattern must be a string", 20},
		{`{"key":[{"suffix":["test","test2"]}]}`, "suffix match pattern must be a string", 20},
		{`{"key":{"suffix":"value","prefix":"value"}}`, `"suffix" must be an object or an array`, 19},
		{`{"key":{"not-an-operator":"value"}}`, `"not-an-operator" must be an object or an array`, 28},
		// test_validate_policy_numeric_operator
		{`{"key":[{"numeric":[]}]}`, "Invalid member in numeric match: ]", 22},
		{`{"key":[{"numeric":["operator"]}]}`, "Unrecognized numeric range operator: operator", 32},
		{`{"key":[{"numeric":[1,"<="]}]}`, "Invalid member in numeric match: 1", 22},
		{`{"key":[{"numeric":["=","000"]}]}`, "Value of equals must be numeric", 26},
		{`{"key":[{"numeric":[">="]}]}`, "Value of >= must be numeric", 26},
		{`{"key":[{"numeric":["<",100,">",10]}]}`, "Too many elements in numeric expression", 30},
		{`{"key":[{"numeric":[">=",1,">",2]}]}`, "Bad numeric range operator: >", 31},
		{`{"key":[{"numeric":[">",3,"<",1]}]}`, "Bottom must be less than top", 33},
		{`{"key":[{"numeric":[">",20,"<="]}]}`, "Value of <= must be numeric", 33},
		{`{"key":[{"numeric":[">",20,30]}]}`, "Bad value in numeric range: 30", 30},
		{`{"key":[{"numeric":[">",20,"test"]}]}`, "Bad numeric range operator: test", 34},
		{`{"key":[{"numeric":[">","20","<","30"]}]}`, "Value of > must be numeric", 26},
		{`{"key":[{"numeric":[">",20,"<","30"]}]}`, "Value of < must be numeric", 33},
		{`{"key":[{"numeric":[">",20,"<",30,"<",50]}]}`, "Too many terms in numeric range expression", 36},
		// test_validate_policy_exists_operator
		{`{"key":[{"exists":null}]}`, "exists match pattern must be either true or false.", 23},
		{`{"key":[{"exists":"no"}]}`, "exists match pattern must be either true or false.", 20},
		// test_validate_policy_nested_anything_but_operator
		{`{"key":[{"anything-but":{"wrong-operator":null}}]}`, "Unsupported anything-but pattern: wrong-operator", 47},
		{`{"key":[{"anything-but":{"exists":false}}]}`, "Unsupported anything-but pattern: exists", 40},
		{`{"key":[{"anything-but":{"prefix":false}}]}`, "prefix match pattern must be a string", 40},
	}
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) {
			_, err := e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
				Attributes: map[string]string{"FilterPolicy": c.policy}})
			wantError(t, err, "InvalidParameter", 400, "Invalid parameter: Attributes Reason: FilterPolicy: "+c.msg+at(c.col))
		})
	}

	// The reader counts lines and UTF-16 columns, past whitespace it skipped.
	_, err := e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
		Attributes: map[string]string{"FilterPolicy": "{\n  \"clé\": [ {\"numeric\": [\">\", 5, \"<\", 1]} ]\n}"}})
	wantError(t, err, "InvalidParameter", 400, "Invalid parameter: Attributes Reason: FilterPolicy: Bottom must be less than top"+
		"\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 2, column: 40]")

	// SetSubscriptionAttributes words them without "Attributes Reason:" (test_sub_filter_policy_nested_property_constraints).
	sub := e.subscribe(topic, "sqs", qarn, nil)
	set := func(name, value string) error {
		_, err := e.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub),
			AttributeName: aws.String(name), AttributeValue: aws.String(value)})
		return err
	}
	wantError(t, set("FilterPolicy", `{"key_a":"value_one"}`), "InvalidParameter", 400,
		`Invalid parameter: FilterPolicy: "key_a" must be an object or an array`+at(11))
	// A key that is an object is a nested policy only once the whole policy reads.
	wantError(t, set("FilterPolicy", `{"a":{"b":["c"]}}`), "InvalidParameter", 400,
		"Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy")
	// JSON that does not parse: Jackson's own words (test_validate_set_sub_attributes,
	// test_subscribe_invalid_filter_policy).
	wantError(t, set("FilterPolicy", `{invalidjson}`), "InvalidParameter", 400,
		"Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name"+at(2))
	wantError(t, set("RedrivePolicy", `{invalidjson}`), "InvalidParameter", 400,
		"Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name"+at(2))
	_, err = e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
		Attributes: map[string]string{"FilterPolicy": "invalid-policy"}})
	wantError(t, err, "InvalidParameter", 400, "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON. Unrecognized token 'invalid': "+
		"was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"+at(8))

	// Valid ranges and anything-but with a prefix still compile and filter.
	for _, p := range []string{`{"key":[{"numeric":[">",0,"<=",100]}]}`, `{"key":[{"numeric":["=",3.5]}]}`,
		`{"key":[{"anything-but":{"prefix":"x"}}]}`, `{"key":[{"anything-but":["a","b"]}]}`} {
		if err := set("FilterPolicy", p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
}

// TestARNFormat: an ARN of fewer than six elements is refused with the count
// (test_publish_wrong_arn_format, test_create_topic_with_attributes,
// test_subscribe_with_invalid_topic, test_unsubscribe_wrong_arn_format,
// test_delete_subscriptions_on_delete_topic).
func TestARNFormat(t *testing.T) {
	e := newEnv(t)
	elems := func(param string, n int) string {
		return fmt.Sprintf("Invalid parameter: %s Reason: An ARN must have at least 6 elements, not %d", param, n)
	}
	_, err := e.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("randomstring")})
	wantError(t, err, "InvalidParameter", 400, elems("TopicArn", 1))
	for arn, n := range map[string]int{"randomstring": 1, "random:string": 2, "": 1} {
		_, err = e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m")})
		wantError(t, err, "InvalidParameter", 400, elems("TopicArn", n))
	}
	_, err = e.sns.Publish(ctx, &sns.PublishInput{TargetArn: aws.String("a:b:c"), Message: aws.String("m")})
	wantError(t, err, "InvalidParameter", 400, elems("TargetArn", 3))
	for arn, n := range map[string]int{"randomstring": 1, "arn:aws:sns:us-east-1:random": 5} {
		_, err = e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
		wantError(t, err, "InvalidParameter", 400, elems("TopicArn", n))
		_, err = e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn)})
		wantError(t, err, "InvalidParameter", 400, elems("SubscriptionArn", n))
	}
	_, err = e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("arn:aws:sns:us-east-1:111111111111:random")})
	wantError(t, err, "InvalidParameter", 400, "Invalid parameter: SubscriptionId")
	// What Subscribe answers for an unconfirmed subscription is not an ARN.
	_, err = e.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String("pending confirmation")})
	wantError(t, err, "InvalidParameter", 400, elems("SubscriptionArn", 1))
	_, err = e.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(strings.Repeat("x:", 4))})
	wantError(t, err, "InvalidParameter", 400, elems("ResourceArn", 5))
	apptest.Must(e.sns.ListTopics(ctx, &sns.ListTopicsInput{}))
}
