package s3_test

import (
	"encoding/json"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
	s3svc "github.com/palisade/palisade/internal/service/s3"
)

// queue creates a queue and returns its URL and ARN; policy, when not "", is its
// policy with QUEUE standing for its ARN.
func (e *env) queue(q *sqs.Client, name, policy string) (string, string) {
	e.Helper()
	url := *must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})).QueueUrl
	arn := "arn:aws:sqs:us-east-1:" + account + ":" + name
	if policy != "" {
		must(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url,
			Attributes: map[string]string{"Policy": strings.ReplaceAll(policy, "QUEUE", arn)}}))
	}
	return url, arn
}

// s3QueuePolicy lets S3 send for one bucket of the account, as the User Guide's
// "Granting permissions to publish event notification messages to a destination" does.
func s3QueuePolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"sqs:SendMessage","Resource":"QUEUE","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::` + bucket +
		`"},"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
}

// receive waits for one message on the queue and deletes it.
func receive(t *testing.T, q *sqs.Client, url string) string {
	t.Helper()
	for range 10 {
		out := must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 1, MaxNumberOfMessages: 1}))
		if len(out.Messages) == 1 {
			must(q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: out.Messages[0].ReceiptHandle}))
			return *out.Messages[0].Body
		}
	}
	t.Fatal("no message")
	return ""
}

func quiet(t *testing.T, q *sqs.Client, url string) {
	t.Helper()
	out := must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 1}))
	if len(out.Messages) > 0 {
		t.Fatalf("unexpected message %s", *out.Messages[0].Body)
	}
}

type eventRecord struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      map[string]string `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ResponseElements  map[string]string `json:"responseElements"`
	S3                struct {
		SchemaVersion   string `json:"s3SchemaVersion"`
		ConfigurationID string `json:"configurationId"`
		Bucket          struct {
			Name          string            `json:"name"`
			OwnerIdentity map[string]string `json:"ownerIdentity"`
			ARN           string            `json:"arn"`
		} `json:"bucket"`
		Object map[string]any `json:"object"`
	} `json:"s3"`
}

func records(t *testing.T, body string) eventRecord {
	t.Helper()
	var m struct{ Records []eventRecord }
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m.Records) != 1 {
		t.Fatalf("not one event record: %s", body)
	}
	return m.Records[0]
}

func TestNotificationConfigurationRoundTrip(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-rt")
	out := must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-rt")}))
	if len(out.QueueConfigurations)+len(out.TopicConfigurations) != 0 || out.EventBridgeConfiguration != nil {
		t.Fatalf("fresh bucket: %+v", out)
	}
	_, arn := e.queue(q, "rt", s3QueuePolicy("notify-rt"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-rt"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("logs"), QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"},
				Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
					{Name: "prefix", Value: aws.String("AWSLogs/")}, {Name: "suffix", Value: aws.String(".json.gz")}}}}},
			{QueueArn: &arn, Events: []types.Event{"s3:ObjectRemoved:Delete"}},
		}}}))
	out = must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-rt")}))
	if len(out.QueueConfigurations) != 2 {
		t.Fatalf("got %+v", out)
	}
	c0, c1 := out.QueueConfigurations[0], out.QueueConfigurations[1]
	if *c0.Id != "logs" || *c0.QueueArn != arn || c0.Events[0] != "s3:ObjectCreated:*" ||
		c0.Filter.Key.FilterRules[0].Name != "Prefix" || *c0.Filter.Key.FilterRules[1].Value != ".json.gz" {
		t.Fatalf("first: %+v %+v", c0, c0.Filter.Key.FilterRules)
	}
	if c1.Id == nil || *c1.Id == "" || c1.Filter != nil {
		t.Fatalf("S3 names a configuration given without an Id: %+v", c1)
	}
	// An empty configuration turns notifications off.
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-rt"),
		NotificationConfiguration: &types.NotificationConfiguration{}}))
	out = must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-rt")}))
	if len(out.QueueConfigurations) != 0 {
		t.Fatalf("after clearing: %+v", out)
	}
}

// putNotificationRaw sends a PutBucketNotificationConfiguration document as root and
// returns the status and body, for what the SDK's error drops (ArgumentName1...).
func (e *env) putNotificationRaw(bucket, doc string) (int, string) {
	e.Helper()
	return e.signedRaw("PUT", "/"+bucket+"?notification", nil, doc)
}

func queueDoc(arn, events string) string {
	return `<NotificationConfiguration><QueueConfiguration><Queue>` + arn + `</Queue>` + events + `</QueueConfiguration></NotificationConfiguration>`
}

func TestNotificationDestinationValidation(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-val")
	_, open := e.queue(q, "nopolicy", "")
	status, body := e.putNotificationRaw("notify-val", queueDoc(open, "<Event>s3:ObjectCreated:*</Event>"))
	if status != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code>") ||
		!strings.Contains(body, "<Message>Unable to validate the following destination configurations</Message>") ||
		!strings.Contains(body, "<ArgumentName1>"+open+"</ArgumentName1>") ||
		!strings.Contains(body, "<ArgumentValue1>Permissions on the destination queue do not allow S3 to publish notifications from this bucket</ArgumentValue1>") {
		t.Fatalf("queue without a policy for S3: %d %s", status, body)
	}
	missing := "arn:aws:sqs:us-east-1:" + account + ":nothere"
	status, body = e.putNotificationRaw("notify-val", queueDoc(missing, "<Event>s3:ObjectCreated:*</Event>"))
	if status != 400 || !strings.Contains(body, "<ArgumentValue1>The destination queue does not exist</ArgumentValue1>") {
		t.Fatalf("missing queue: %d %s", status, body)
	}
	// aws:SourceArn names another bucket: S3 may not send for this one.
	_, other := e.queue(q, "otherbucket", s3QueuePolicy("some-other-bucket"))
	_, err := e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-val"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: &other, Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	wantErr(t, err, "InvalidArgument", 400, "Unable to validate the following destination configurations")
	// SkipDestinationValidation stores it all the same.
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-val"),
		SkipDestinationValidation: aws.Bool(true),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: &other, Events: []types.Event{"s3:ObjectCreated:*"}}}}}))

	_, good := e.queue(q, "good", s3QueuePolicy("notify-val"))
	put := func(qc ...types.QueueConfiguration) error {
		_, err := e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-val"),
			NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: qc}})
		return err
	}
	prefixed := func(p string, ev ...types.Event) types.QueueConfiguration {
		qc := types.QueueConfiguration{QueueArn: &good, Events: ev}
		if p != "" {
			qc.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{{Name: "prefix", Value: aws.String(p)}}}}
		}
		return qc
	}
	// Overlapping prefixes for a common event type (a wildcard over Put) are refused;
	// disjoint prefixes, or distinct event types, are not.
	wantErr(t, put(prefixed("logs/", "s3:ObjectCreated:*"), prefixed("logs/2026/", "s3:ObjectCreated:Put")), "InvalidArgument", 400,
		"Configurations overlap. Configurations on the same bucket cannot share a common event type.")
	must(0, put(prefixed("logs/", "s3:ObjectCreated:*"), prefixed("data/", "s3:ObjectCreated:Put"), prefixed("logs/", "s3:ObjectRemoved:*")))
	suffixed := func(p, suf string) types.QueueConfiguration {
		qc := prefixed(p, "s3:ObjectCreated:*")
		qc.Filter.Key.FilterRules = append(qc.Filter.Key.FilterRules, types.FilterRule{Name: "suffix", Value: aws.String(suf)})
		return qc
	}
	// Overlapping prefixes with suffixes that cannot both end a key do not overlap.
	must(0, put(suffixed("img/", ".jpg"), suffixed("img/", ".png")))
	wantErr(t, put(suffixed("img/", ".jpg"), suffixed("img/2026/", "a.jpg")), "InvalidArgument", 400, "")
	wantErr(t, put(prefixed("", "s3:ObjectCreated:Nope")), "InvalidArgument", 400, "The event is not supported for notifications")
	// Destinations are in the bucket's Region only.
	west := "arn:aws:sqs:us-west-2:" + account + ":good"
	wantErr(t, put(types.QueueConfiguration{QueueArn: &west, Events: []types.Event{"s3:ObjectCreated:*"}}), "InvalidArgument", 400,
		"The notification destination service region is not valid for the bucket location constraint")
	// Lambda functions are not served: S3 cannot invoke the function.
	_, err = e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-val"),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{
			{LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:" + account + ":function:f"), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	wantErr(t, err, "InvalidArgument", 400, "Unable to validate the following destination configurations")
	// The refused calls left the last configuration accepted.
	out := must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-val")}))
	if len(out.QueueConfigurations) != 2 {
		t.Fatalf("got %+v", out.QueueConfigurations)
	}
}

func TestNotificationDeliveryToQueue(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-q")
	url, arn := e.queue(q, "events", s3QueuePolicy("notify-q"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-q"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("created"), QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"},
				Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
					{Name: "prefix", Value: aws.String("in/")}}}}},
			{Id: aws.String("removed"), QueueArn: &arn, Events: []types.Event{"s3:ObjectRemoved:*"}},
		}}}))
	var test map[string]string
	if err := json.Unmarshal([]byte(receive(t, q, url)), &test); err != nil || test["Service"] != "Amazon S3" ||
		test["Event"] != "s3:TestEvent" || test["Bucket"] != "notify-q" || test["RequestId"] == "" {
		t.Fatalf("test event: %v %v", test, err)
	}
	// Putting the same destinations again sends no second test event.
	cfg := must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-q")}))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-q"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: cfg.QueueConfigurations}}))

	e.put("notify-q", "elsewhere.txt", "x") // outside the prefix
	put := e.put("notify-q", "in/a b+c.txt", "hello")
	r := records(t, receive(t, q, url))
	if r.EventVersion != "2.6" || r.EventSource != "aws:s3" || r.AWSRegion != "us-east-1" || r.EventName != "ObjectCreated:Put" ||
		r.S3.SchemaVersion != "1.0" || r.S3.ConfigurationID != "created" || r.S3.Bucket.Name != "notify-q" ||
		r.S3.Bucket.ARN != "arn:aws:s3:::notify-q" || r.S3.Bucket.OwnerIdentity["principalId"] == "" ||
		r.ResponseElements["x-amz-request-id"] == "" || r.ResponseElements["x-amz-id-2"] == "" ||
		r.RequestParameters["sourceIPAddress"] == "" || r.UserIdentity["principalId"] == "" {
		t.Fatalf("record: %+v", r)
	}
	o := r.S3.Object
	if o["key"] != "in/a+b%2Bc.txt" || o["size"] != float64(5) || `"`+o["eTag"].(string)+`"` != *put.ETag || o["sequencer"] == nil || o["versionId"] != nil {
		t.Fatalf("object: %v", o)
	}
	if len(r.EventTime) != len("2026-09-21T15:04:37.498Z") || !strings.HasSuffix(r.EventTime, "Z") {
		t.Fatalf("eventTime %q", r.EventTime)
	}
	first := o["sequencer"].(string)
	// A write refused (its condition failed) makes no event: the next is the copy's.
	_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("notify-q"), Key: aws.String("in/a b+c.txt"), IfNoneMatch: aws.String("*"), Body: strings.NewReader("y")})
	wantErr(t, err, "PreconditionFailed", 412, "")

	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("notify-q"), Key: aws.String("in/copy"), CopySource: aws.String("notify-q/elsewhere.txt")}))
	r = records(t, receive(t, q, url))
	if r.EventName != "ObjectCreated:Copy" || r.S3.Object["key"] != "in/copy" || r.S3.Object["sequencer"].(string) <= first {
		t.Fatalf("copy: %+v", r)
	}
	mp := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("notify-q"), Key: aws.String("in/mp")}))
	part := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("notify-q"), Key: aws.String("in/mp"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")}))
	must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("notify-q"), Key: aws.String("in/mp"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}))
	if r = records(t, receive(t, q, url)); r.EventName != "ObjectCreated:CompleteMultipartUpload" || r.S3.Object["size"] != float64(4) {
		t.Fatalf("complete: %+v", r)
	}
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("notify-q"), Key: aws.String("in/copy")}))
	r = records(t, receive(t, q, url))
	if r.EventName != "ObjectRemoved:Delete" || r.S3.ConfigurationID != "removed" || r.S3.Object["key"] != "in/copy" ||
		r.S3.Object["size"] != nil || r.S3.Object["eTag"] != nil || r.S3.Object["sequencer"] == nil {
		t.Fatalf("delete: %+v", r)
	}
	// A versioned bucket's delete leaves a marker; DeleteObjects notifies per key.
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("notify-q"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v := e.put("notify-q", "in/v", "v1")
	if r = records(t, receive(t, q, url)); r.S3.Object["versionId"] != *v.VersionId {
		t.Fatalf("versioned put: %+v", r)
	}
	must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("notify-q"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("in/v")}, {Key: aws.String("in/mp"), VersionId: aws.String("null")}}}}))
	got := map[string]eventRecord{}
	for range 2 {
		r := records(t, receive(t, q, url))
		got[r.S3.Object["key"].(string)] = r
	}
	if r := got["in/v"]; r.EventName != "ObjectRemoved:DeleteMarkerCreated" || r.S3.Object["versionId"] == nil || r.S3.Object["versionId"] == *v.VersionId {
		t.Fatalf("marker: %+v", r)
	}
	if r := got["in/mp"]; r.EventName != "ObjectRemoved:Delete" || r.S3.Object["versionId"] != "null" {
		t.Fatalf("version delete: %+v", r)
	}
	quiet(t, q, url)
}

// An IAM user's writes name the user's unique ID, and the queue's policy is weighed
// again at delivery: once it no longer admits S3, events are dropped.
func TestNotificationPrincipalAndRevokedPolicy(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("notify-user"), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	url, arn := e.queue(q, "user", s3QueuePolicy("notify-user"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-user"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:Put", "s3:ObjectTagging:*", "s3:ObjectAcl:Put"}}}}}))
	receive(t, q, url) // the test event
	u := e.user("writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"*"}]}`)
	must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("notify-user"), Key: aws.String("k"), Body: strings.NewReader("x")}))
	r := records(t, receive(t, q, url))
	if !strings.HasPrefix(r.UserIdentity["principalId"], "AWS:AIDA") {
		t.Fatalf("principal: %v", r.UserIdentity)
	}
	must(u.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("notify-user"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}))
	if r = records(t, receive(t, q, url)); r.EventName != "ObjectTagging:Put" || r.S3.Object["size"] != nil || r.S3.Object["eTag"] == nil {
		t.Fatalf("tagging: %+v", r)
	}
	// An ACL set again as it is makes no event; a change does (recorded, 2026:
	// acl_notifications_replay.json).
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("notify-user"), Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate}))
	ownerID := *must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("notify-user"), Key: aws.String("k")})).Owner.ID
	quiet(t, q, url)
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("notify-user"), Key: aws.String("k"),
		GrantFullControl: aws.String(`id="` + ownerID + `"`), GrantReadACP: aws.String(`uri="http://acs.amazonaws.com/groups/s3/LogDelivery"`)}))
	if r = records(t, receive(t, q, url)); r.EventName != "ObjectAcl:Put" {
		t.Fatalf("acl: %+v", r)
	}
	must(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Policy": ""}}))
	e.put("notify-user", "k2", "y")
	quiet(t, q, url)
}

func TestNotificationDeliveryToTopic(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	n := sns.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-t")
	topic := *must(n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("s3events")})).TopicArn
	// The default topic policy does not admit S3: validation fails until the topic's
	// policy names it.
	_, err := e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-t"),
		NotificationConfiguration: &types.NotificationConfiguration{TopicConfigurations: []types.TopicConfiguration{
			{TopicArn: &topic, Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	wantErr(t, err, "InvalidArgument", 400, "Unable to validate the following destination configurations")
	must(n.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &topic, AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
			`"Action":"SNS:Publish","Resource":"` + topic + `","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:*:*:notify-t"},` +
			`"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`)}))
	url, qarn := e.queue(q, "fromtopic", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"QUEUE"}]}`)
	must(n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &qarn}))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-t"),
		NotificationConfiguration: &types.NotificationConfiguration{TopicConfigurations: []types.TopicConfiguration{
			{Id: aws.String("to-topic"), TopicArn: &topic, Events: []types.Event{"s3:ObjectCreated:*"}}}}}))
	var env struct{ Type, Subject, Message, TopicArn string }
	json.Unmarshal([]byte(receive(t, q, url)), &env)
	if env.Subject != "Amazon S3 Notification" || !strings.Contains(env.Message, `"Event":"s3:TestEvent"`) || env.TopicArn != topic {
		t.Fatalf("test event through the topic: %+v", env)
	}
	e.put("notify-t", "obj", "z")
	json.Unmarshal([]byte(receive(t, q, url)), &env)
	if env.Subject != "Amazon S3 Notification" {
		t.Fatalf("envelope: %+v", env)
	}
	if r := records(t, env.Message); r.EventName != "ObjectCreated:Put" || r.S3.ConfigurationID != "to-topic" {
		t.Fatalf("record: %+v", r)
	}
}

// The notification calls are authorized as s3:GetBucketNotification and
// s3:PutBucketNotification.
func TestNotificationAuthorization(t *testing.T) {
	e := newEnv(t)
	e.bucket("notify-authz")
	u := e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketNotification","Resource":"arn:aws:s3:::notify-authz"}]}`)
	must(u.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-authz")}))
	_, err := u.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-authz"),
		NotificationConfiguration: &types.NotificationConfiguration{}})
	wantErr(t, err, "AccessDenied", 403, "")
}

// The calls are recorded as PutBucketNotification and GetBucketNotification, and a
// change is a resource-change event for Config carrying the configuration.
func TestNotificationRecordsAndConfigEvent(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-rec")
	_, arn := e.queue(q, "rec", s3QueuePolicy("notify-rec"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-rec"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("c"), QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"}}}}}))
	must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-rec")}))
	r := e.lastRecord("PutBucketNotification")
	p := e.params(r)
	if p["bucketName"] != "notify-rec" || r.EventCategory != "Management" || r.ErrorCode != "" {
		t.Fatalf("PutBucketNotification record %+v %v", r, p)
	}
	if _, ok := p["notification"]; !ok {
		t.Fatalf("PutBucketNotification requestParameters %v", p)
	}
	if g := e.lastRecord("GetBucketNotification"); e.params(g)["bucketName"] != "notify-rec" {
		t.Fatalf("GetBucketNotification record %+v", g)
	}
	var found bool
	for _, ev := range e.events(s3svc.EventSource) {
		var rc s3svc.ResourceChange
		json.Unmarshal(ev.Data, &rc)
		if rc.EventName == "PutBucketNotificationConfiguration" {
			found = true
			n := rc.Configuration.Notifications
			if rc.ConfigurationItem != "BucketNotificationConfiguration" || rc.ChangeType != "UPDATE" || len(n) != 1 ||
				n[0].ARN != arn || n[0].Type != "QueueConfiguration" || n[0].ID != "c" {
				t.Fatalf("resource change %+v", rc)
			}
		}
	}
	if !found {
		t.Fatal("no resource-change event")
	}
}

// The detection pipeline: CloudTrail's log files written into the bucket notify the
// queue, naming the service as the writer.
func TestNotificationOfServiceWrites(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-trail")
	must(0, e.policy("notify-trail", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},`+
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::notify-trail/AWSLogs/*"}]}`))
	url, arn := e.queue(q, "siem", s3QueuePolicy("notify-trail"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-trail"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"}}}}}))
	receive(t, q, url)
	key := "AWSLogs/" + account + "/CloudTrail/us-east-1/2026/11/30/x.json.gz"
	must(0, e.p.S3.PutObjectAsService(ctx, "notify-trail", key, strings.NewReader("log"),
		s3svc.ServicePut{Principal: "cloudtrail.amazonaws.com", SourceAccount: account}))
	r := records(t, receive(t, q, url))
	if r.EventName != "ObjectCreated:Put" || r.S3.Object["key"] != key || r.UserIdentity["principalId"] != "AWS:cloudtrail.amazonaws.com" {
		t.Fatalf("service write: %+v", r)
	}
}

// A queue encrypted under a customer key takes S3's messages only when the key policy
// lets S3 use the key, as for SNS (User Guide, "Granting permissions to publish event
// notification messages to a destination", AWS KMS key policy).
func TestNotificationToEncryptedQueue(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	kc := kms.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-kms")
	key := must(kc.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	url, arn := e.queue(q, "sealed", s3QueuePolicy("notify-kms"))
	must(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"KmsMasterKeyId": *key.KeyId}}))
	put := func() error {
		_, err := e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-kms"),
			NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
				{QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"}}}}})
		return err
	}
	wantErr(t, put(), "InvalidArgument", 400, "Unable to validate the following destination configurations")
	must(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, PolicyName: aws.String("default"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}]}`)}))
	must(0, put())
	receive(t, q, url)
	e.put("notify-kms", "k", "v")
	if r := records(t, receive(t, q, url)); r.EventName != "ObjectCreated:Put" {
		t.Fatalf("%+v", r)
	}
}

// Events of acknowledged writes survive a restart (queued with the write, delivered
// after), and the configuration with them; an EventBridge configuration is kept too.
func TestNotificationAcrossRestart(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	e.bucket("notify-restart")
	url, arn := e.queue(q, "durable", s3QueuePolicy("notify-restart"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notify-restart"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{},
			QueueConfigurations: []types.QueueConfiguration{{QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"}}}}}))
	receive(t, q, url)
	for i := range 20 {
		e.put("notify-restart", "k"+strconv.Itoa(i), "v")
	}
	e.p.Stop()
	e.p = apptest.StartIn(t, e.p.DataDir)
	e.s3, q = s3Client(e.p.RootConfig()), sqs.NewFromConfig(e.p.RootConfig())
	e.put("notify-restart", "after", "v")
	seen := map[string]bool{}
	for range 21 {
		seen[records(t, receive(t, q, url)).S3.Object["key"].(string)] = true
	}
	if len(seen) != 21 {
		t.Fatalf("got %d distinct events: %v", len(seen), seen)
	}
	quiet(t, q, url)
	out := must(e.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notify-restart")}))
	if out.EventBridgeConfiguration == nil || len(out.QueueConfigurations) != 1 {
		t.Fatalf("after restart: %+v", out)
	}
}

// The classic detection pipeline end to end: a trail delivers its log files into a
// bucket, the bucket notifies a queue, a reader finds each file's key there.
func TestNotificationCloudTrailPipeline(t *testing.T) {
	e := newEnv(t)
	q := sqs.NewFromConfig(e.p.RootConfig())
	cttest.Bucket(e, e.p.RootConfig(), "pipeline-logs")
	url, arn := e.queue(q, "siem", s3QueuePolicy("pipeline-logs"))
	must(e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("pipeline-logs"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("siem"), QueueArn: &arn, Events: []types.Event{"s3:ObjectCreated:*"},
				Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
					{Name: "prefix", Value: aws.String("AWSLogs/" + account + "/CloudTrail/")}}}}}}}}))
	receive(t, q, url)
	trails := cloudtrail.NewFromConfig(e.p.RootConfig())
	must(trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("pipeline-logs")}))
	must(trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	e.bucket("something-happened")
	e.p.AdvanceClock(10 * time.Minute)
	cttest.Settle(e, e.p)
	var logs []string
	for _, f := range cttest.Files(e, e.p.RootConfig(), "pipeline-logs") {
		if f.Kind == "log" {
			logs = append(logs, f.Key)
		}
	}
	if len(logs) == 0 {
		t.Fatal("the trail delivered no log file")
	}
	// Every object the trail writes is announced: its log files, and the empty
	// object of its bucket check.
	got := map[string]bool{}
	for len(got) < len(logs)+1 {
		r := records(t, receive(t, q, url))
		if r.EventName != "ObjectCreated:Put" || r.UserIdentity["principalId"] != "AWS:cloudtrail.amazonaws.com" || r.S3.ConfigurationID != "siem" {
			t.Fatalf("record %+v", r)
		}
		got[r.S3.Object["key"].(string)] = true
	}
	for _, k := range append(logs, "AWSLogs/"+account+"/CloudTrail/") {
		if !got[eventKeyOf(k)] {
			t.Fatalf("no event for %s: %v", k, got)
		}
	}
	quiet(t, q, url)
}

// eventKeyOf is a key as event records write it (URL-encoded, "/" kept).
func eventKeyOf(k string) string {
	return strings.ReplaceAll(neturl.QueryEscape(k), "%2F", "/")
}
