package sqs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Answers of SQS recorded in 2026 (us-east-1, boto3 1.43) in
// github.com/radkawar/stackd, testdata/aws/sqs/request_metrics.json; each case sends
// the recorded request over JSON and compares status, query error code and the
// recorded body (IDs, handles and timestamps left out).
func TestRecorded2026(t *testing.T) {
	e := newEnv(t)
	std := e.queue("rec-std", nil)
	fifo := e.queue("rec.fifo", map[string]string{"FifoQueue": "true"})
	content := e.queue("rec-content.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, c := range []struct {
		name, target, body string
		status             int
		queryErr           string   // x-amzn-query-error
		want               []string // fragments of the answer
		wantBody           string   // the whole answer, when recorded whole
	}{
		{name: "attribute-number-submitted-format", target: "SendMessage",
			body:   `{"QueueUrl":"` + std + `","MessageBody":"A","MessageAttributes":{"num":{"DataType":"Number.int","StringValue":"000123.4500"}}}`,
			status: 200, want: []string{`"MD5OfMessageBody":"7fc56270e7a70fa81a5935b72eacbe29"`, `"MD5OfMessageAttributes":"d878de3c66fcb643fde306daeda01d30"`}},
		// The value is received normalized, and its MD5 is of the normalized value.
		{name: "identities-number", target: "ReceiveMessage",
			body:   `{"QueueUrl":"` + std + `","MaxNumberOfMessages":10,"MessageAttributeNames":["All"]}`,
			status: 200, want: []string{`"MD5OfMessageAttributes":"8bcb3750cfbee5f94c88a9d69942fe4f"`, `"MessageAttributes":{"num":{"StringValue":"123.45","DataType":"Number.int"}}`}},
		{name: "empty-short-0", target: "ReceiveMessage", body: `{"QueueUrl":"` + std + `","MaxNumberOfMessages":10,"WaitTimeSeconds":0}`,
			status: 200, wantBody: `{}`},
		{name: "attribute-string-utf8", target: "SendMessage",
			body:   `{"QueueUrl":"` + std + `","MessageBody":"A","MessageAttributes":{"longname":{"DataType":"String.custom","StringValue":"é🙂"}}}`,
			status: 200, want: []string{`"MD5OfMessageAttributes":"4db851db483784dcb2a7076005c3a509"`}},
		{name: "attribute-binary-raw", target: "SendMessage",
			body:   `{"QueueUrl":"` + std + `","MessageBody":"A","MessageAttributes":{"bin":{"DataType":"Binary.custom","BinaryValue":"AAH+/xA="}}}`,
			status: 200, want: []string{`"MD5OfMessageAttributes":"0cc390915bb7a6a60beacb42d8ddb935"`}},
		{name: "system-attribute-trace", target: "SendMessage",
			body:   `{"QueueUrl":"` + std + `","MessageBody":"A","MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1-65000000-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0"}}}`,
			status: 200, want: []string{`"MD5OfMessageSystemAttributes":"73bc8bd4ef10cb55cd193d2c2313e2bd"`}},
		{name: "standard-partial-success", target: "SendMessageBatch",
			body:   `{"QueueUrl":"` + std + `","Entries":[{"Id":"good13","MessageBody":"ppppppppppppp"},{"Id":"bad","MessageBody":"zzzz","DelaySeconds":901}]}`,
			status: 200, want: []string{`"Id":"good13"`, `"MD5OfMessageBody":"75beb1c4d7f97a8462d8878e721b2357"`,
				`{"Id":"bad","SenderFault":true,"Code":"InvalidParameterValue","Message":"Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."}`}},
		{name: "body-whole-request-rejected-duplicate-entry-ids", target: "SendMessageBatch",
			body:   `{"QueueUrl":"` + std + `","Entries":[{"Id":"same","MessageBody":"w"},{"Id":"same","MessageBody":"ww"}]}`,
			status: 400, queryErr: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender", want: []string{`"message":"Id same repeated."`}},
		{name: "zero-success-delete-batch", target: "DeleteMessageBatch",
			body:   `{"QueueUrl":"` + std + `","Entries":[{"Id":"1","ReceiptHandle":"invalid-handle-1"},{"Id":"2","ReceiptHandle":"invalid-handle-2"}]}`,
			status: 200, want: []string{`{"Id":"1","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"The input receipt handle is invalid."}`,
				`{"Id":"2","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"The input receipt handle is invalid."}`}},
		{name: "fifo-partial-success", target: "SendMessageBatch",
			body:   `{"QueueUrl":"` + fifo + `","Entries":[{"Id":"good","MessageBody":"ppppppppppppp","MessageGroupId":"g","MessageDeduplicationId":"partial"},{"Id":"bad","MessageBody":"zzzz","MessageGroupId":"g","MessageDeduplicationId":"bad","DelaySeconds":901}]}`,
			status: 400, queryErr: "InvalidParameterValue;Sender",
			want: []string{`"message":"Value 901 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."`}},
		{name: "batch_explicit_delay_one", target: "SendMessageBatch",
			body:   `{"QueueUrl":"` + fifo + `","Entries":[{"Id":"a","MessageBody":"b11","MessageGroupId":"g","MessageDeduplicationId":"d1","DelaySeconds":1},{"Id":"b","MessageBody":"b13","MessageGroupId":"g","MessageDeduplicationId":"d2"}]}`,
			status: 400, queryErr: "InvalidParameterValue;Sender"},
		{name: "batch_explicit_delay_zero", target: "SendMessageBatch",
			body:   `{"QueueUrl":"` + fifo + `","Entries":[{"Id":"a","MessageBody":"b5","MessageGroupId":"g","MessageDeduplicationId":"z1","DelaySeconds":0},{"Id":"b","MessageBody":"b7","MessageGroupId":"g","MessageDeduplicationId":"z2"}]}`,
			status: 200, want: []string{`"Id":"a"`, `"Id":"b"`, `"Failed":[]`}},
		{name: "single_explicit_delay_zero", target: "SendMessage",
			body:   `{"QueueUrl":"` + fifo + `","MessageBody":"b17","MessageGroupId":"g","MessageDeduplicationId":"z3","DelaySeconds":0}`,
			status: 200, want: []string{`"SequenceNumber"`}},
		{name: "single_missing_group", target: "SendMessage",
			body:   `{"QueueUrl":"` + fifo + `","MessageBody":"x","MessageDeduplicationId":"m1"}`,
			status: 400, queryErr: "MissingParameter;Sender"},
		{name: "batch_missing_group", target: "SendMessageBatch",
			body:   `{"QueueUrl":"` + fifo + `","Entries":[{"Id":"a","MessageBody":"x","MessageDeduplicationId":"m2"},{"Id":"b","MessageBody":"y","MessageGroupId":"g","MessageDeduplicationId":"m3"}]}`,
			status: 400, queryErr: "InvalidParameterValue;Sender"},
		{name: "single_missing_dedup", target: "SendMessage", body: `{"QueueUrl":"` + fifo + `","MessageBody":"x","MessageGroupId":"g"}`,
			status: 400, queryErr: "InvalidParameterValue;Sender"},
		{name: "content-new", target: "SendMessage",
			body:   `{"QueueUrl":"` + content + `","MessageBody":"hello","MessageGroupId":"g","MessageAttributes":{"tag":{"DataType":"String","StringValue":"one"}}}`,
			status: 200, want: []string{`"MD5OfMessageBody":"5d41402abc4b2a76b9719d911017c592"`, `"MD5OfMessageAttributes":"0c5a8880fe44ffd58b3f7117d182b347"`}},
		// A duplicate by content answers the first message's ID with the MD5s of what
		// was sent this time.
		{name: "content-duplicate-changed-attribute", target: "SendMessage",
			body:   `{"QueueUrl":"` + content + `","MessageBody":"hello","MessageGroupId":"g","MessageAttributes":{"tag":{"DataType":"String","StringValue":"different"}}}`,
			status: 200, want: []string{`"MD5OfMessageAttributes":"57985e0b4e13ac8d12df05ce8f8df31c"`}},
		{name: "identities-content", target: "ReceiveMessage",
			body:   `{"QueueUrl":"` + content + `","MaxNumberOfMessages":10,"MessageAttributeNames":["All"],"MessageSystemAttributeNames":["All"]}`,
			status: 200, want: []string{`"MessageDeduplicationId":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"`}},
	} {
		resp, body := e.raw("/", "application/x-amz-json-1.0", "AmazonSQS."+c.target, c.body)
		if resp.StatusCode != c.status || resp.Header.Get("x-amzn-query-error") != c.queryErr {
			t.Errorf("%s: %d %q %s, want %d %q", c.name, resp.StatusCode, resp.Header.Get("x-amzn-query-error"), body, c.status, c.queryErr)
			continue
		}
		if c.wantBody != "" && body != c.wantBody {
			t.Errorf("%s: %s, want %s", c.name, body, c.wantBody)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: %s lacks %s", c.name, body, w)
			}
		}
	}
	// The FIFO batches refused as a whole enqueued nothing.
	if n := e.attr(fifo, "ApproximateNumberOfMessages"); n != "3" {
		t.Errorf("the FIFO queue holds %s messages, want 3", n)
	}
}

// A queue policy is kept as SQS re-serializes it: without whitespace, the Condition
// block's operators in the order SQS's Java map iterates them, whatever order they
// were sent in (github.com/radkawar/stackd, testdata/aws/sns/regional_sqs.json,
// policy-correct-…-wrapped-readback and actor-policy-readback-ctx-default-opt-list-generic).
func TestRecorded2026PolicyReadback(t *testing.T) {
	e := newEnv(t)
	url := e.queue("stackd-policy", nil)
	arn := "arn:aws:sqs:us-east-1:000000000000:stackd-policy"
	topic := "arn:aws:sns:us-east-1:000000000000:stackd-sns-regsqs-0afa19b5cca8-standard"
	for _, c := range []struct{ sent, want string }{
		{`{"Version": "2012-10-17", "Statement": [{"Sid": "OwnedTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "` + arn + `", "Condition": {"ArnEquals": {"aws:SourceArn": "` + topic + `"}, "StringEquals": {"aws:SourceAccount": "000000000000"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Sid":"OwnedTopic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn + `","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"},"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}]}`},
		{`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "` + arn + `", "Condition": {"ArnEquals": {"aws:SourceArn": "` + topic + `"}, "StringEquals": {"aws:SourceAccount": "000000000000"}, "ForAnyValue:StringEquals": {"aws:PrincipalServiceNamesList": "sns.amazonaws.com"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"` + arn + `","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"},"ForAnyValue:StringEquals":{"aws:PrincipalServiceNamesList":"sns.amazonaws.com"},"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}]}`},
		{`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["sns.amazonaws.com", "sns.us-east-1.amazonaws.com"]}, "Action": "sqs:SendMessage", "Resource": "` + arn + `", "Condition": {"ArnEquals": {"aws:SourceArn": "` + topic + `"}, "StringEquals": {"aws:SourceAccount": "000000000000", "aws:PrincipalServiceName": "sns.amazonaws.com"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com","sns.us-east-1.amazonaws.com"]},"Action":"sqs:SendMessage","Resource":"` + arn + `","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000","aws:PrincipalServiceName":"sns.amazonaws.com"},"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}]}`},
	} {
		apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": c.sent}}))
		if got := e.attr(url, "Policy"); got != c.want {
			t.Errorf("policy read back as\n%s\nwant\n%s", got, c.want)
		}
	}
	// CreateQueue stores it the same way, and takes the same document again.
	doc := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "sqs:*", "Resource": "*"}}`
	created := e.queue("stackd-policy-created", map[string]string{"Policy": doc})
	if got := e.attr(created, "Policy"); got != `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sqs:*","Resource":"*"}}` {
		t.Errorf("created with policy %s", got)
	}
	e.queue("stackd-policy-created", map[string]string{"Policy": doc})
}

// cache_scope.json (and cache_scope_initial.json): which sessions of one role reuse
// the data key another obtained for an SSE-KMS queue. The role's policy lets KMS
// refuse sessions by their name, tag or source identity; on a warm queue those
// still send, as do sessions whose session policy is the warm one's but for
// whitespace, while a narrower or reordered session policy, or managed policy ARNs
// in another order, calls KMS and is refused. On a fresh queue KMS decides each.
func TestRecorded2026DataKeyCacheScope(t *testing.T) {
	e := newEnv(t)
	key := aws.ToString(apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.Arn)
	warm := e.queue("cache-worker-warm", map[string]string{"KmsMasterKeyId": key})
	fresh := e.queue("cache-worker-fresh", map[string]string{"KmsMasterKeyId": key})
	iamc := iam.NewFromConfig(e.p.RootConfig())
	role := aws.ToString(apptest.Must(iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("cache-worker"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`)})).Role.Arn)
	sqsAllow := `{"Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage"],"Resource":"*"}`
	kmsAllow := `{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"` + key + `"}`
	apptest.Must(iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("cache-worker"), PolicyName: aws.String("work"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + sqsAllow + `,` + kmsAllow + `,` +
			`{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringLike":{"aws:userid":"*:name-denied"}}},` +
			`{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/kms":"denied"}}},` +
			`{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"denied"}}}]}`)}))
	managed := func(name, doc string) string {
		return aws.ToString(apptest.Must(iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})).Policy.Arn)
	}
	allowedARN := managed("cache-worker-allowed", `{"Version":"2012-10-17","Statement":[`+sqsAllow+`,`+kmsAllow+`]}`)
	limitedARN := managed("cache-worker-limited", `{"Version":"2012-10-17","Statement":[`+sqsAllow+`]}`)
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("assumer")}))
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"` + role + `"}]}`)}))
	ak := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("assumer")})).AccessKey
	stsc := sts.NewFromConfig(e.p.Config(aws.ToString(ak.AccessKeyId), aws.ToString(ak.SecretAccessKey), ""))
	type scope struct {
		policy string
		arns   []string
		tag    bool
		source bool
	}
	session := func(name string, sc scope) *sqs.Client {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String(name)}
		if sc.policy != "" {
			in.Policy = aws.String(sc.policy)
		}
		for _, a := range sc.arns {
			in.PolicyArns = append(in.PolicyArns, ststypes.PolicyDescriptorType{Arn: aws.String(a)})
		}
		if sc.tag {
			in.Tags = []ststypes.Tag{{Key: aws.String("kms"), Value: aws.String("denied")}}
		}
		if sc.source {
			in.SourceIdentity = aws.String("denied")
		}
		c := apptest.Must(stsc.AssumeRole(ctx, in)).Credentials
		return sqs.NewFromConfig(e.p.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	}
	allowed := `{"Version": "2012-10-17", "Statement": [` + sqsAllow + `, ` + kmsAllow + `]}`
	whitespace := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    " + sqsAllow + ",\n    " + kmsAllow + "\n  ]\n}"
	reordered := `{"Statement": [` + kmsAllow + `, ` + sqsAllow + `], "Version": "2012-10-17"}`
	limited := `{"Version": "2012-10-17", "Statement": [` + sqsAllow + `]}`
	sessions := map[string]*sqs.Client{
		"unscoped":          session("shared", scope{}),
		"inline_allowed":    session("shared", scope{policy: allowed}),
		"inline_limited":    session("shared", scope{policy: limited}),
		"inline_same":       session("name-denied", scope{policy: allowed}),
		"inline_whitespace": session("name-denied", scope{policy: whitespace}),
		"inline_reordered":  session("name-denied", scope{policy: reordered}),
		"managed_allowed":   session("shared", scope{arns: []string{allowedARN}}),
		"managed_limited":   session("shared", scope{arns: []string{limitedARN}}),
		"managed_same":      session("name-denied", scope{arns: []string{allowedARN}}),
		"managed_pair":      session("shared", scope{arns: []string{allowedARN, limitedARN}}),
		"managed_reversed":  session("name-denied", scope{arns: []string{limitedARN, allowedARN}}),
		"name_denied":       session("name-denied", scope{}),
		"tag_denied":        session("shared", scope{tag: true}),
		"source_denied":     session("shared", scope{source: true}),
	}
	send := func(caller, url string) error {
		_, err := sessions[caller].SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(caller)})
		return err
	}
	// The fresh queue first: KMS refuses the denied sessions; an empty queue needs no
	// key to receive from; a message sealed for another principal does.
	for _, caller := range []string{"name_denied", "tag_denied", "source_denied", "inline_limited", "managed_limited"} {
		wantError(t, send(caller, fresh), "KMS.AccessDeniedException", 400, "")
		if _, err := sessions[caller].ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(fresh)}); err != nil {
			t.Errorf("%s_fresh_receive: %v", caller, err)
		}
	}
	e.send(fresh, "seed")
	_, err := sessions["name_denied"].ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(fresh)})
	wantError(t, err, "KMS.AccessDeniedException", 400, "")
	// The warm queue, in the recording's order.
	for _, c := range []struct {
		caller string
		ok     bool
	}{
		{"unscoped", true}, {"inline_allowed", true}, {"inline_limited", false}, {"inline_same", true}, {"inline_whitespace", true},
		{"inline_reordered", false}, {"managed_allowed", true}, {"managed_limited", false}, {"managed_same", true}, {"managed_pair", true},
		{"managed_reversed", false}, {"name_denied", true}, {"tag_denied", true}, {"source_denied", true},
	} {
		err := send(c.caller, warm)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s_send: %v", c.caller, err)
		case !c.ok:
			wantError(t, err, "KMS.AccessDeniedException", 400, "")
		}
	}
}

// forwarding.json, the kms_* cases: KMS's key policy sees SQS's calls for a caller
// as forwarded by SQS. A deny unless aws:CalledViaLast is sqs.amazonaws.com, or
// when aws:ViaAWSService is false, refuses the caller's own GenerateDataKey but not
// SQS's; a deny when aws:PrincipalIsAWSService is false refuses both.
func TestRecorded2026ForwardedKMSConditions(t *testing.T) {
	e := newEnv(t)
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Delegated")}))
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Delegated"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","kms:*"],"Resource":"*"}]}`)}))
	ak := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Delegated")})).AccessKey
	cfg := e.p.Config(aws.ToString(ak.AccessKeyId), aws.ToString(ak.SecretAccessKey), "")
	user, userKMS := sqs.NewFromConfig(cfg), kms.NewFromConfig(cfg)
	rootKMS := kms.NewFromConfig(e.p.RootConfig())
	for _, c := range []struct {
		name, condition string
		viaSQS          bool
	}{
		{"last", `{"StringNotEqualsIfExists":{"aws:CalledViaLast":"sqs.amazonaws.com"}}`, true},
		{"first", `{"StringNotEqualsIfExists":{"aws:CalledViaFirst":"sqs.amazonaws.com"}}`, true},
		{"via", `{"Bool":{"aws:ViaAWSService":"false"}}`, true},
		{"principal", `{"Bool":{"aws:PrincipalIsAWSService":"false"}}`, false},
	} {
		key := aws.ToString(apptest.Must(rootKMS.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},` +
			`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/Delegated"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*","Condition":` + c.condition + `}]}`)})).KeyMetadata.Arn)
		_, err := userKMS.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(key), KeySpec: "AES_256"})
		wantError(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/Delegated is not authorized to perform: kms:GenerateDataKey on resource: "+key+" with an explicit deny in a resource-based policy")
		url := e.queue("kms-"+c.name, map[string]string{"KmsMasterKeyId": key})
		_, err = user.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("encrypted")})
		if !c.viaSQS {
			wantError(t, err, "KMS.AccessDeniedException", 400, "")
			continue
		}
		if err != nil {
			t.Fatalf("kms_%s_send: %v", c.name, err)
		}
		got := apptest.Must(user.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})).Messages
		if len(got) != 1 || aws.ToString(got[0].Body) != "encrypted" {
			t.Errorf("kms_%s_receive: %+v", c.name, got)
		}
	}
}

// forwarding_redrive.json: a dead-letter queue's policy denying the caller's own
// receives, whatever aws:CalledVia*, aws:ViaAWSService say, refuses its
// StartMessageMoveTask too, naming sqs:receivemessage (or sqs:getqueueattributes)
// on the dead-letter queue, in a resource-based policy that the message leaves
// unnamed; nothing is moved.
func TestRecorded2026RedriveNotForwarded(t *testing.T) {
	e := newEnv(t)
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Delegated")}))
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Delegated"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)}))
	ak := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Delegated")})).AccessKey
	user := sqs.NewFromConfig(e.p.Config(aws.ToString(ak.AccessKeyId), aws.ToString(ak.SecretAccessKey), ""))
	const prefix = "arn:aws:sqs:us-east-1:000000000000:"
	for _, c := range []struct{ name, action, condition string }{
		{"last", "ReceiveMessage", `{"StringNotEqualsIfExists":{"aws:CalledViaLast":"sqs.amazonaws.com"}}`},
		{"first", "ReceiveMessage", `{"StringNotEqualsIfExists":{"aws:CalledViaFirst":"sqs.amazonaws.com"}}`},
		{"chain", "ReceiveMessage", `{"ForAllValues:StringNotEquals":{"aws:CalledVia":"sqs.amazonaws.com"}}`},
		{"via", "ReceiveMessage", `{"Bool":{"aws:ViaAWSService":"false"}}`},
		{"attributes", "GetQueueAttributes", `{"Bool":{"aws:ViaAWSService":"false"}}`},
	} {
		dead := prefix + c.name + "-dead"
		deadURL := e.queue(c.name+"-dead", map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:` + c.action +
			`","Resource":"` + dead + `","Condition":` + c.condition + `}]}`})
		e.queue(c.name+"-source", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dead + `","maxReceiveCount":"1"}`})
		want := "User: arn:aws:iam::000000000000:user/Delegated is not authorized to perform: sqs:" + strings.ToLower(c.action) + " on resource: " + dead +
			" with an explicit deny in a resource-based policy"
		_, err := user.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dead)})
		wantError(t, err, "AccessDenied", 403, want)
		if c.action == "ReceiveMessage" {
			_, err = user.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(deadURL)})
			wantError(t, err, "AccessDenied", 403, want)
		}
	}
}

// startOfMinute moves Palisade's clock to one second past the next minute, so a
// test's calls fall in one minute; it returns that minute.
func (e *env) startOfMinute() time.Time {
	now := e.p.Clock.Now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	e.p.AdvanceClock(next.Sub(now) + time.Second)
	return next.UTC()
}

// stat is a minute's datapoint as GetMetricStatistics gives it.
type stat struct {
	n, sum, lo, hi float64
	unit           string
}

// metricStat waits for the AWS/SQS datapoint of queue's metric in minute and returns
// it (SQS publishes on its worker's passes, as AWS publishes after the minute).
func (e *env) metricStat(cw *cloudwatch.Client, queue, metric string, minute time.Time) stat {
	e.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := apptest.Must(cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String(metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(queue)}}, StartTime: aws.Time(minute), EndTime: aws.Time(minute.Add(time.Minute)),
			Period: aws.Int32(60), Statistics: []cwtypes.Statistic{"Sum", "SampleCount", "Minimum", "Maximum", "Average"}}))
		if len(out.Datapoints) == 1 {
			d := out.Datapoints[0]
			if !aws.ToTime(d.Timestamp).Equal(minute) {
				e.Fatalf("%s %s: timestamp %v, want %v", queue, metric, aws.ToTime(d.Timestamp), minute)
			}
			return stat{aws.ToFloat64(d.SampleCount), aws.ToFloat64(d.Sum), aws.ToFloat64(d.Minimum), aws.ToFloat64(d.Maximum), string(d.Unit)}
		}
		if time.Now().After(deadline) {
			e.Fatalf("%s %s: no datapoint for %v", queue, metric, minute)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// AWS/SQS counters, replayed from radkawar/stackd testdata/aws/sqs/metrics.json
// (recorded 2026): each call is one sample of the messages it sent, received or
// deleted, in the minute of the call, unit Count, dimension QueueName alone.
func TestRecorded2026QueueCounters(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	minute := e.startOfMinute()
	attrs := map[string]string{"MessageRetentionPeriod": "300", "VisibilityTimeout": "180"}

	// individual: three sends, three single receives, four deletes (one repeated).
	ind := e.queue("counter-individual", attrs)
	for _, b := range []string{"individual-0", "individual-1", "individual-2"} {
		e.send(ind, b)
	}
	var handles []string
	for range 3 {
		handles = append(handles, *e.receive(ind, 1)[0].ReceiptHandle)
	}
	handles = append(handles, handles[0])
	for _, h := range handles {
		apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(ind), ReceiptHandle: aws.String(h)}))
	}

	// batch: batches of 1 and 5; deletes of 6 (and an invalid entry) then 2 again.
	batch := e.queue("counter-batch", attrs)
	for _, n := range []int{1, 5} {
		var entries []types.SendMessageBatchRequestEntry
		for i := range n {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), MessageBody: aws.String("batch")})
		}
		apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(batch), Entries: entries}))
	}
	var all []string
	for len(all) < 6 {
		for _, m := range e.receive(batch, 2) {
			all = append(all, *m.ReceiptHandle)
		}
	}
	del := func(hs []string, invalid bool) {
		var entries []types.DeleteMessageBatchRequestEntry
		for i, h := range hs {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(string(rune('0' + i))), ReceiptHandle: aws.String(h)})
		}
		if invalid {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String("invalid"), ReceiptHandle: aws.String("invalid-handle")})
		}
		apptest.Must(e.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(batch), Entries: entries}))
	}
	del(all, true)
	del(all[:2], false)

	// dedup: an original, an accepted duplicate, a batch of a duplicate and two new.
	dedup := e.queue("counter-dedup.fifo", map[string]string{"MessageRetentionPeriod": "300", "VisibilityTimeout": "180", "FifoQueue": "true"})
	fifoSend := func(body, id string) {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dedup), MessageBody: aws.String(body), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(id)}))
	}
	fifoSend("original", "original")
	fifoSend("different-body-same-dedup", "original")
	var entries []types.SendMessageBatchRequestEntry
	for _, id := range []string{"original", "new1", "new2"} {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("e" + id), MessageBody: aws.String(id), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(id)})
	}
	apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(dedup), Entries: entries}))
	if got := len(e.receive(dedup, 3)); got != 3 {
		t.Fatalf("dedup receive: %d messages", got)
	}

	// replay: a FIFO receive attempt answered again counts again.
	replay := e.queue("counter-replay.fifo", map[string]string{"MessageRetentionPeriod": "300", "VisibilityTimeout": "180", "FifoQueue": "true"})
	entries = nil
	for _, b := range []string{"replay-0", "replay-1"} {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(b), MessageBody: aws.String(b), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(b)})
	}
	apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(replay), Entries: entries}))
	attempt := func(in *sqs.ReceiveMessageInput) { in.ReceiveRequestAttemptId = aws.String("counter-attempt") }
	e.receive(replay, 10, attempt)
	e.receive(replay, 10, attempt)

	for _, c := range []struct {
		queue, metric string
		want          stat
	}{
		{"counter-individual", "NumberOfMessagesSent", stat{3, 3, 1, 1, "Count"}},
		{"counter-individual", "NumberOfMessagesReceived", stat{3, 3, 1, 1, "Count"}},
		{"counter-individual", "NumberOfMessagesDeleted", stat{4, 4, 1, 1, "Count"}},
		{"counter-batch", "NumberOfMessagesSent", stat{2, 6, 1, 5, "Count"}},
		{"counter-batch", "NumberOfMessagesDeleted", stat{2, 8, 2, 6, "Count"}},
		{"counter-dedup.fifo", "NumberOfMessagesSent", stat{3, 5, 1, 3, "Count"}},
		{"counter-dedup.fifo", "NumberOfMessagesReceived", stat{1, 3, 3, 3, "Count"}},
		{"counter-replay.fifo", "NumberOfMessagesSent", stat{1, 2, 2, 2, "Count"}},
		{"counter-replay.fifo", "NumberOfMessagesReceived", stat{2, 4, 2, 2, "Count"}},
		// Inferred from the user guide: one byte-sized sample per message.
		{"counter-individual", "SentMessageSize", stat{3, 36, 12, 12, "Bytes"}},
	} {
		if got := e.metricStat(cw, c.queue, c.metric, minute); got != c.want {
			t.Errorf("%s %s = %+v, want %+v", c.queue, c.metric, got, c.want)
		}
	}
	out := apptest.Must(cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("NumberOfMessagesSent"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("QueueName"), Value: aws.String("counter-batch")}}}))
	if len(out.Metrics) != 1 || len(out.Metrics[0].Dimensions) != 1 || aws.ToString(out.Metrics[0].Dimensions[0].Value) != "counter-batch" {
		t.Errorf("ListMetrics = %+v", out.Metrics)
	}
}

// AWS/SQS gauges, replayed from the conclusions of radkawar/stackd
// testdata/aws/sqs/queue_metrics.json (recorded 2026): one sample a minute
// (SampleCount 1); age counts in-flight messages, not delayed ones, and from the end of
// a delay; a FIFO queue reports its groups in flight, a fair queue its quiet groups.
func TestRecorded2026QueueGauges(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	e.startOfMinute()
	attrs := map[string]string{"MessageRetentionPeriod": "3600", "VisibilityTimeout": "1200"}
	state := e.queue("gauge-state", attrs)
	delay := e.queue("gauge-delay", attrs)
	solo := e.queue("gauge-delay-solo", attrs)
	fifo := e.queue("gauge-fifo.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "1200"})
	fair := e.queue("gauge-fair", attrs)
	e.send(state, "state-old")
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(delay), MessageBody: aws.String("delayed"), DelaySeconds: 900}))
	apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(solo), MessageBody: aws.String("solo"), DelaySeconds: 120}))
	var entries []types.SendMessageBatchRequestEntry
	for i := range 6 {
		id := string(rune('0' + i))
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("fifo-" + id), MessageGroupId: aws.String("group-" + string(rune('0'+i/2)))})
	}
	apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(fifo), Entries: entries}))
	if n := len(e.receive(fifo, 10)); n != 6 {
		t.Fatalf("fifo receive: %d", n)
	}
	for _, g := range []string{"tenant-a", "tenant-b"} {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(fair), MessageBody: aws.String(g), MessageGroupId: aws.String(g)}))
	}
	e.p.AdvanceClock(100 * time.Second) // the old message is 100 s old
	e.receive(state, 1, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 420 })
	e.send(state, "state-young")
	e.p.AdvanceClock(time.Minute)
	minute := e.p.Clock.Now().Truncate(time.Minute).UTC()
	for _, c := range []struct {
		queue, metric string
		want          float64
	}{
		{"gauge-state", "ApproximateNumberOfMessagesVisible", 1},
		{"gauge-state", "ApproximateNumberOfMessagesNotVisible", 1},
		{"gauge-delay", "ApproximateNumberOfMessagesDelayed", 1},
		{"gauge-delay", "ApproximateNumberOfMessagesVisible", 0},
		{"gauge-delay", "ApproximateAgeOfOldestMessage", 0}, // only delayed messages
		{"gauge-fifo.fifo", "ApproximateNumberOfGroupsWithInflightMessages", 3},
		{"gauge-fifo.fifo", "ApproximateNumberOfMessagesNotVisible", 6},
		{"gauge-fair", "ApproximateNumberOfNoisyGroups", 0},
		{"gauge-fair", "ApproximateNumberOfMessagesVisibleInQuietGroups", 2},
	} {
		got := e.metricStat(cw, c.queue, c.metric, minute)
		if got.n != 1 || got.sum != c.want || got.lo != c.want || got.hi != c.want {
			t.Errorf("%s %s = %+v, want one sample of %v", c.queue, c.metric, got, c.want)
		}
	}
	// The held old message (in flight) sets the age, not the younger visible one.
	if age := e.metricStat(cw, "gauge-state", "ApproximateAgeOfOldestMessage", minute); age.sum < 150 || age.unit != "Seconds" {
		t.Errorf("state age = %+v, want the old in-flight message's (≥ 150 s)", age)
	}
	// A delay's end starts the age: 120 s of delay, about 220 s since the send.
	e.p.AdvanceClock(time.Minute)
	next := e.p.Clock.Now().Truncate(time.Minute).UTC()
	if age := e.metricStat(cw, "gauge-delay-solo", "ApproximateAgeOfOldestMessage", next); age.sum < 60 || age.sum > 150 {
		t.Errorf("delay age = %+v, want from the end of the delay", age)
	}
	// No FIFO queue metric on a standard queue, no fair metric on a FIFO queue.
	for q, m := range map[string]string{"gauge-state": "ApproximateNumberOfGroupsWithInflightMessages", "gauge-fifo.fifo": "ApproximateNumberOfNoisyGroups"} {
		out := apptest.Must(cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String(m),
			Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("QueueName"), Value: aws.String(q)}}}))
		if len(out.Metrics) != 0 {
			t.Errorf("%s has %s", q, m)
		}
	}
}

// An active queue reports its counters as 0 in a minute without calls, but not
// SentMessageSize; a FIFO queue also NumberOfDeduplicatedSentMessages (recorded,
// 2026: radkawar/stackd testdata/aws/sqs/request_metrics.json, idle zeros).
func TestRecorded2026IdleCounters(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	e.startOfMinute()
	e.queue("idle-std", nil)
	fifo := e.queue("idle.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for range 2 {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("same"), MessageGroupId: aws.String("g")}))
	}
	busy := e.p.Clock.Now().Truncate(time.Minute).UTC()
	e.p.AdvanceClock(time.Minute) // gauges of the next minute; counters of busy settle
	idle := e.p.Clock.Now().Truncate(time.Minute).UTC()
	e.metricStat(cw, "idle-std", "ApproximateNumberOfMessagesVisible", idle)
	e.p.AdvanceClock(time.Minute) // idle is over
	for _, m := range []string{"NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted", "NumberOfEmptyReceives"} {
		if got := e.metricStat(cw, "idle-std", m, idle); got != (stat{1, 0, 0, 0, "Count"}) {
			t.Errorf("idle %s = %+v, want one 0 sample", m, got)
		}
	}
	if got := e.metricStat(cw, "idle.fifo", "NumberOfDeduplicatedSentMessages", idle); got != (stat{1, 0, 0, 0, "Count"}) {
		t.Errorf("idle fifo deduplicated = %+v", got)
	}
	// The busy minute's counters are the calls' samples, without a zero among them.
	if got := e.metricStat(cw, "idle.fifo", "NumberOfMessagesSent", busy); got != (stat{2, 2, 1, 1, "Count"}) {
		t.Errorf("busy sent = %+v", got)
	}
	if got := e.metricStat(cw, "idle.fifo", "NumberOfDeduplicatedSentMessages", busy); got != (stat{2, 1, 0, 1, "Count"}) {
		t.Errorf("busy deduplicated = %+v", got)
	}
	out := apptest.Must(cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("SentMessageSize"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String("idle-std")}}, StartTime: aws.Time(busy), EndTime: aws.Time(idle.Add(time.Minute)),
		Period: aws.Int32(60), Statistics: []cwtypes.Statistic{"SampleCount"}}))
	if len(out.Datapoints) != 0 {
		t.Errorf("idle SentMessageSize = %+v, want none", out.Datapoints)
	}
}

// A message received more than three times no longer holds the age up; a message
// redriven to a dead-letter queue ages there from its arrival, its receives counted
// from then (recorded, 2026: sqs/queue_metrics.json, "Standard poison boundary",
// "Automatic DLQ transfer").
func TestRecorded2026PoisonAndDeadLetterAge(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	e.startOfMinute()
	poison := e.queue("age-poison", nil)
	e.send(poison, "poison-old")
	e.p.AdvanceClock(5 * time.Minute)
	e.send(poison, "young")
	release := func(m types.Message) {
		apptest.Must(e.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(poison), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}))
	}
	// Both once, the young one then held in flight.
	for _, m := range e.receive(poison, 10, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 3600 }) {
		if aws.ToString(m.Body) == "poison-old" {
			release(m)
		}
	}
	again := func(n int) {
		for range n {
			m := e.receive(poison, 1)[0]
			if aws.ToString(m.Body) != "poison-old" {
				t.Fatalf("received %q", aws.ToString(m.Body))
			}
			release(m)
		}
	}
	again(2)
	e.p.AdvanceClock(time.Minute)
	minute := e.p.Clock.Now().Truncate(time.Minute).UTC()
	if age := e.metricStat(cw, "age-poison", "ApproximateAgeOfOldestMessage", minute); age.sum < 300 {
		t.Errorf("after three receives age = %v, want the old message's", age.sum)
	}
	again(1)
	e.p.AdvanceClock(time.Minute)
	minute = e.p.Clock.Now().Truncate(time.Minute).UTC()
	if age := e.metricStat(cw, "age-poison", "ApproximateAgeOfOldestMessage", minute); age.sum >= 300 {
		t.Errorf("after four receives age = %v, want the younger message's", age.sum)
	}

	dlq := e.queue("age-dead", nil)
	src := e.queue("age-source", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + e.attr(dlq, "QueueArn") + `","maxReceiveCount":"5"}`, "VisibilityTimeout": "0"})
	e.send(src, "to-dlq")
	e.p.AdvanceClock(10 * time.Minute)
	for range 5 {
		e.receive(src, 1)
	}
	if n := len(e.receive(src, 1)); n != 0 {
		t.Fatalf("sixth receive got %d messages", n)
	}
	e.p.AdvanceClock(time.Minute)
	minute = e.p.Clock.Now().Truncate(time.Minute).UTC()
	if age := e.metricStat(cw, "age-dead", "ApproximateAgeOfOldestMessage", minute); age.sum > 120 {
		t.Errorf("DLQ age = %v, want from the transfer, not the send", age.sum)
	}
}

// Request contributions, replayed from radkawar/stackd
// testdata/aws/sqs/request_metrics.json (recorded 2026, findings): SentMessageSize
// per message from the submitted parts, a zero sample for an HTTP 200 batch that
// sent or deleted nothing, one EmptyReceives sample per empty receive, and the sizes
// of a batch refused whole.
func TestRecorded2026RequestContributions(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	minute := e.startOfMinute()
	str := func(typ, v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String(typ), StringValue: aws.String(v)}
	}
	sizes := e.queue("req-sizes", nil)
	sendWith := func(attrs map[string]types.MessageAttributeValue, sys map[string]types.MessageSystemAttributeValue) {
		apptest.Must(e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(sizes), MessageBody: aws.String("x"), MessageAttributes: attrs, MessageSystemAttributes: sys}))
	}
	sendWith(map[string]types.MessageAttributeValue{"attrname": str("String.suffix", "valueé")}, nil)                                                                 // 1+8+13+7 = 29 (é is two bytes)
	sendWith(map[string]types.MessageAttributeValue{"bin": {DataType: aws.String("Binary.suffix"), BinaryValue: []byte("12345")}}, nil)                               // 1+3+13+5 = 22
	sendWith(map[string]types.MessageAttributeValue{"num": str("Number.int", "000123.4500")}, nil)                                                                    // 1+3+10+11 = 25
	sendWith(nil, map[string]types.MessageSystemAttributeValue{"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String(strings.Repeat("t", 74))}}) // 1+14+6+74 = 95
	if got := e.metricStat(cw, "req-sizes", "SentMessageSize", minute); got != (stat{4, 29 + 22 + 25 + 95, 22, 95, "Bytes"}) {
		t.Errorf("SentMessageSize = %+v", got)
	}

	// A batch whose every entry failed is a 0 sample of Sent, and no size.
	invalid := e.queue("req-invalid", nil)
	apptest.Must(e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(invalid), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("1234567"), DelaySeconds: 901}, {Id: aws.String("b"), MessageBody: aws.String("12345678901"), DelaySeconds: 901}}}))
	e.send(invalid, "1234567")
	if got := e.metricStat(cw, "req-invalid", "NumberOfMessagesSent", minute); got != (stat{2, 1, 0, 1, "Count"}) {
		t.Errorf("Sent = %+v, want the failed batch's 0 and the send's 1", got)
	}
	if got := e.metricStat(cw, "req-invalid", "SentMessageSize", minute); got != (stat{1, 7, 7, 7, "Bytes"}) {
		t.Errorf("SentMessageSize = %+v", got)
	}
	// A delete and a batch of two failed deletes: Sum 1, SampleCount 2.
	h := e.receive(invalid, 1)[0].ReceiptHandle
	apptest.Must(e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(invalid), ReceiptHandle: h}))
	apptest.Must(e.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(invalid), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: aws.String("invalid-a")}, {Id: aws.String("b"), ReceiptHandle: aws.String("invalid-b")}}}))
	if got := e.metricStat(cw, "req-invalid", "NumberOfMessagesDeleted", minute); got != (stat{2, 1, 0, 1, "Count"}) {
		t.Errorf("Deleted = %+v", got)
	}

	// Empty receives: one sample of 1 each; the nonempty receive adds none.
	empty := e.queue("req-empty", nil)
	e.receive(empty, 1)
	e.receive(empty, 1)
	e.send(empty, "x")
	e.receive(empty, 1)
	if got := e.metricStat(cw, "req-empty", "NumberOfEmptyReceives", minute); got != (stat{2, 2, 1, 1, "Count"}) {
		t.Errorf("EmptyReceives = %+v", got)
	}
	if got := e.metricStat(cw, "req-empty", "NumberOfMessagesReceived", minute); got != (stat{1, 1, 1, 1, "Count"}) {
		t.Errorf("Received = %+v", got)
	}

	// Batches refused whole still count their entries' sizes: eleven entries, all;
	// a repeated ID, its last entry; a FIFO entry without its group, all.
	refused := e.queue("req-refused", nil)
	var eleven []types.SendMessageBatchRequestEntry
	for i := 1; i <= 11; i++ {
		eleven = append(eleven, types.SendMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), MessageBody: aws.String(strings.Repeat("b", i))})
	}
	_, err := e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(refused), Entries: eleven})
	wantError(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, "")
	if got := e.metricStat(cw, "req-refused", "SentMessageSize", minute); got != (stat{11, 66, 1, 11, "Bytes"}) {
		t.Errorf("eleven = %+v", got)
	}
	dupID := e.queue("req-dupid", nil)
	_, err = e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(dupID), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("same"), MessageBody: aws.String(strings.Repeat("b", 41))}, {Id: aws.String("same"), MessageBody: aws.String(strings.Repeat("b", 17))}}})
	wantError(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, "")
	if got := e.metricStat(cw, "req-dupid", "SentMessageSize", minute); got != (stat{1, 17, 17, 17, "Bytes"}) {
		t.Errorf("repeated ID = %+v", got)
	}
	nogroup := e.queue("req-nogroup.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	_, err = e.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(nogroup), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String(strings.Repeat("b", 17))}, {Id: aws.String("b"), MessageBody: aws.String(strings.Repeat("b", 23)), MessageGroupId: aws.String("g")}}})
	if err == nil {
		t.Fatal("a FIFO batch entry without its group was accepted")
	}
	if got := e.metricStat(cw, "req-nogroup.fifo", "SentMessageSize", minute); got != (stat{2, 40, 17, 23, "Bytes"}) {
		t.Errorf("missing group = %+v", got)
	}
}
