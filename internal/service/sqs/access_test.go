package sqs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// account returns the configuration of a new access key of another account's root
// user.
func (e *env) account(id string) aws.Config {
	e.Helper()
	return e.p.AccountConfig(id)
}

// A queue policy grants another account only the actions that can be shared: "Cross-
// account permissions don't apply to" AddPermission, DeleteQueue, ListQueueTags,
// RemovePermission, SetQueueAttributes, TagQueue, UntagQueue… (SQS Developer Guide,
// "Limitations of Amazon SQS custom policies"). A policy allowing sqs:* to another
// account let it delete the queue and rewrite its policy.
func TestOwnerOnlyActionsAcrossAccounts(t *testing.T) {
	e := newEnv(t)
	url := e.queue("shared", nil)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:000000000000:shared"}]}`
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": policy}}))
	other := sqs.NewFromConfig(e.account("111122223333"))
	q := aws.String(url)

	// The shareable actions are granted.
	apptest.Must(other.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("shared"), QueueOwnerAWSAccountId: aws.String("000000000000")}))
	apptest.Must(other.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("x")}))
	apptest.Must(other.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q, AttributeNames: []types.QueueAttributeName{"All"}}))
	apptest.Must(other.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: q}))

	denied := func(action string, err error) {
		t.Helper()
		wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::111122223333:root is not authorized to perform: sqs:"+strings.ToLower(action)+
			" on resource: arn:aws:sqs:us-east-1:000000000000:shared because no resource-based policy allows the sqs:"+strings.ToLower(action)+" action")
	}
	_, err := other.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: q})
	denied("DeleteQueue", err)
	_, err = other.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q, Attributes: map[string]string{"Policy": ""}})
	denied("SetQueueAttributes", err)
	_, err = other.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: q, Label: aws.String("mine"), AWSAccountIds: []string{"111122223333"}, Actions: []string{"*"}})
	denied("AddPermission", err)
	_, err = other.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: q, Label: aws.String("mine")})
	denied("RemovePermission", err)
	_, err = other.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: q, Tags: map[string]string{"k": "v"}})
	denied("TagQueue", err)
	_, err = other.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: q, TagKeys: []string{"k"}})
	denied("UntagQueue", err)
	_, err = other.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: q})
	denied("ListQueueTags", err)

	if got := e.attr(url, "Policy"); got != policy {
		t.Fatalf("policy after the other account's calls: %s", got)
	}
	// The owner still does all of them.
	apptest.Must(e.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: q, Tags: map[string]string{"k": "v"}}))
	apptest.Must(e.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: q}))
}

// SQS's AccessDenied names the action in lower case, as AWS was recorded answering
// (aws/serverless-application-model#3633: "… is not authorized to perform:
// sqs:sendmessage on resource: … because no identity-based policy allows the
// sqs:sendmessage action" for SendMessageBatch).
func TestAccessDeniedWording(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	stranger := sqs.NewFromConfig(e.account("444455556666"))
	_, err := stranger.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url),
		Entries: []types.SendMessageBatchRequestEntry{{Id: aws.String("1"), MessageBody: aws.String("x")}}})
	wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::444455556666:root is not authorized to perform: sqs:sendmessage on resource: "+
		"arn:aws:sqs:us-east-1:000000000000:q because no resource-based policy allows the sqs:sendmessage action")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:q"},` +
		`{"Effect":"Deny","Principal":"*","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:q"}]}`
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": deny}}))
	// (What follows "resource-based policy" is the engine's, not checked here.)
	explicit := func(err error, who string) {
		t.Helper()
		wantError(t, err, "AccessDenied", 403, "")
		want := "User: " + who + " is not authorized to perform: sqs:receivemessage on resource: arn:aws:sqs:us-east-1:000000000000:q with an explicit deny in a resource-based policy"
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("explicit deny: %v\nwant %s", err, want)
		}
	}
	_, err = stranger.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	explicit(err, "arn:aws:iam::444455556666:root")
	// A Deny in the queue policy binds the owner too.
	_, err = e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	explicit(err, "arn:aws:iam::000000000000:root")
}

// A queue policy is held to SQS's policy quotas (SQS Developer Guide, "Amazon SQS
// policy quotas": 8,192 bytes, 20 statements, 7 actions per statement), refused with
// OverLimit (403) in the words AWS was recorded answering.
func TestPolicyQuotas(t *testing.T) {
	e := newEnv(t)
	url := e.queue("lim", nil)
	const arn = "arn:aws:sqs:us-east-1:000000000000:lim"
	set := func(p string) error {
		_, err := e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": p}})
		return err
	}
	statements := func(n int) string {
		var sts []string
		for i := range n {
			sts = append(sts, fmt.Sprintf(`{"Sid":"s%d","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sqs:SendMessage","Resource":"%s"}`, i, arn))
		}
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`
	}
	wantError(t, set(statements(21)), "OverLimit", 403, "21 statements were found in the submitted policy, max allowed is 20")
	apptest.Must(struct{}{}, set(statements(20)))
	actions := func(n int) string {
		names := []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl",
			"PurgeQueue", "ListDeadLetterSourceQueues", "SetQueueAttributes", "DeleteQueue"}[:n]
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["sqs:` + strings.Join(names, `","sqs:`) + `"],"Resource":"` + arn + `"}]}`
	}
	wantError(t, set(actions(10)), "OverLimit", 403, "10 actions were found in a statement from the submitted policy, max allowed is 7")
	apptest.Must(struct{}{}, set(actions(7)))
	sized := func(n int) string {
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`
		return strings.Replace(doc, `"Sid":""`, `"Sid":"`+strings.Repeat("a", n-len(doc))+`"`, 1)
	}
	wantError(t, set(sized(8193)), "OverLimit", 403, "Submitted policy is over max allowed size.")
	apptest.Must(struct{}{}, set(sized(8192)))
	_, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("lim2"), Attributes: map[string]string{"Policy": statements(21)}})
	wantError(t, err, "OverLimit", 403, "21 statements were found in the submitted policy, max allowed is 20")

	// AddPermission's statements count too.
	apptest.Must(struct{}{}, set(statements(19)))
	add := func(label string) error {
		_, err := e.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String(label), AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
		return err
	}
	apptest.Must(struct{}{}, add("twentieth"))
	wantError(t, add("twenty-first"), "OverLimit", 403, "21 statements were found in the submitted policy, max allowed is 20")
	if p := e.attr(url, "Policy"); strings.Contains(p, "twenty-first") {
		t.Fatalf("refused AddPermission was stored: %s", p)
	}
}

// Setting KmsMasterKeyId on a queue (SSE-SQS by default) turns SSE-SQS off, as it does
// at CreateQueue: the queue reported both KmsMasterKeyId and SqsManagedSseEnabled=true.
func TestSetKmsKeyReplacesSSESQS(t *testing.T) {
	e := newEnv(t)
	url := e.queue("q", nil)
	if got := e.attr(url, "SqsManagedSseEnabled"); got != "true" {
		t.Fatalf("new queue SqsManagedSseEnabled %q", got)
	}
	apptest.Must(e.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sqs"}}))
	if got := e.attr(url, "SqsManagedSseEnabled"); got != "false" {
		t.Fatalf("SqsManagedSseEnabled after KmsMasterKeyId was set: %q", got)
	}
	if got := e.attr(url, "KmsDataKeyReusePeriodSeconds"); got != "300" {
		t.Fatalf("KmsDataKeyReusePeriodSeconds after KmsMasterKeyId was set: %q", got)
	}
	e.send(url, "sealed")
	if got := e.receive(url, 1); len(got) != 1 || aws.ToString(got[0].Body) != "sealed" {
		t.Fatalf("received %+v", got)
	}
}
