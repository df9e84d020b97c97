package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
)

// A request that creates a resource and tags it needs the service's tagging action
// as well (each service's API reference: "To be able to tag a queue on creation, you
// must have the sqs:CreateQueue and sqs:TagQueue permissions", and so on), and the
// creating action sees the request's tags as aws:RequestTag/* and aws:TagKeys.
func TestTagOnCreateNeedsTheTaggingAction(t *testing.T) {
	p := apptest.Start(t)
	ctx := context.Background()
	root := iam.NewFromConfig(p.RootConfig())
	apptest.Must(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("tagger")}))
	key := apptest.Must(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("tagger")})).AccessKey
	cfg := p.Config(*key.AccessKeyId, *key.SecretAccessKey, "")
	put := func(name, doc string) {
		t.Helper()
		apptest.Must(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("tagger"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))
	}
	// Creating is allowed only with the tag team=red: a create whose tags the
	// creating action cannot see is denied as the creating action.
	put("create", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateUser","kms:CreateKey","sqs:CreateQueue","sns:CreateTopic","logs:CreateLogGroup","cloudwatch:PutMetricAlarm"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}`)

	users := iam.NewFromConfig(cfg)
	keys := kms.NewFromConfig(cfg)
	queues := sqs.NewFromConfig(cfg)
	topics := sns.NewFromConfig(cfg)
	groups := cwl.NewFromConfig(cfg)
	alarms := cw.NewFromConfig(cfg)
	me := arn("user/tagger")
	denied := func(action, resource string) string {
		msg := "User: " + me + " is not authorized to perform: " + action
		if resource != "" {
			msg += " on resource: " + resource
		}
		return msg + " because no identity-based policy allows the " + action + " action"
	}
	region, queueARN := apptest.Region, "arn:aws:sqs:"+apptest.Region+":"+acct+":"
	creates := []struct {
		name   string
		create func(team string) error
		code   string
		status int
		action string // the tagging action
		res    string // the resource its denial names ("" none)
	}{
		{"iam:CreateUser", func(team string) error {
			_, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u-" + team), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(team)}}})
			return err
		}, "AccessDenied", http.StatusForbidden, "iam:TagUser", arn("user/u-red")},
		{"kms:CreateKey", func(team string) error {
			_, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String(team)}}})
			return err
		}, "AccessDeniedException", http.StatusBadRequest, "kms:TagResource", ""},
		{"sqs:CreateQueue", func(team string) error {
			_, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q-" + team), Tags: map[string]string{"team": team}})
			return err
		}, "AccessDenied", http.StatusForbidden, "sqs:tagqueue", queueARN + "q-red"},
		{"sns:CreateTopic", func(team string) error {
			_, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t-" + team), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String(team)}}})
			return err
		}, "AuthorizationError", http.StatusForbidden, "sns:TagResource", "arn:aws:sns:" + region + ":" + acct + ":t-red"},
		{"logs:CreateLogGroup", func(team string) error {
			_, err := groups.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g-" + team), Tags: map[string]string{"team": team}})
			return err
		}, "AccessDeniedException", http.StatusBadRequest, "logs:TagResource", "arn:aws:logs:" + region + ":" + acct + ":log-group:g-red"},
		{"cloudwatch:PutMetricAlarm", func(team string) error {
			_, err := alarms.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("a-" + team), Namespace: aws.String("N"), MetricName: aws.String("M"),
				Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
				ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, Tags: []cwtypes.Tag{{Key: aws.String("team"), Value: aws.String(team)}}})
			return err
		}, "AccessDenied", http.StatusForbidden, "cloudwatch:TagResource", "arn:aws:cloudwatch:" + region + ":" + acct + ":alarm:a-red"},
	}
	for _, c := range creates {
		// The creating action's condition sees the tags: blue is denied as the create.
		err := c.create("blue")
		var ae smithy.APIError
		if !errors.As(err, &ae) || !strings.Contains(strings.ToLower(ae.ErrorMessage()), "perform: "+strings.ToLower(c.name)+" ") {
			t.Fatalf("%s with team=blue: %v, want a denial of the create itself", c.name, err)
		}
		// red passes the create's condition and stops at the tagging action.
		apptest.WantErr(t, c.create("red"), c.code, c.status, denied(c.action, c.res))
	}

	// The tagging actions granted (KMS's on every key of the account and Region, as
	// its guide asks; CloudWatch Logs' through the older logs:TagLogGroup, which it
	// takes as well), the same creates succeed.
	put("tag", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:TagUser","sqs:TagQueue","sns:TagResource","logs:TagLogGroup","cloudwatch:TagResource"],"Resource":"*"},
		{"Effect":"Allow","Action":"kms:TagResource","Resource":"arn:aws:kms:`+region+`:`+acct+`:key/*"}]}`)
	for _, c := range creates {
		if err := c.create("red"); err != nil {
			t.Fatalf("%s with its tagging action allowed: %v", c.name, err)
		}
	}

	// kms:TagResource on one key does not cover a key being created.
	put("tag", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:TagResource","Resource":"arn:aws:kms:`+region+`:`+acct+`:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}`)
	apptest.WantErr(t, creates[1].create("red"), "AccessDeniedException", http.StatusBadRequest, denied("kms:TagResource", ""))

	// A create without tags asks for no tagging permission.
	put("create", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:CreateQueue","kms:CreateKey"],"Resource":"*"}]}`)
	if _, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("untagged")}); err != nil {
		t.Fatalf("untagged CreateQueue: %v", err)
	}
	if _, err := keys.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatalf("untagged CreateKey: %v", err)
	}
	// An explicit deny of the tagging action stops a tagged create.
	put("deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:TagQueue","Resource":"*"},{"Effect":"Deny","Action":"sqs:TagQueue","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"prod"}}}]}`)
	if _, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dev"), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatalf("CreateQueue env=dev: %v", err)
	}
	_, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("prod"), Tags: map[string]string{"env": "prod"}})
	apptest.WantErr(t, err, "AccessDenied", http.StatusForbidden,
		"User: "+me+" is not authorized to perform: sqs:tagqueue on resource: "+queueARN+"prod with an explicit deny in an identity-based policy")
	if _, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u-blue")}); err == nil {
		t.Fatal("a denied create left its user behind")
	}
}

// A queue's, topic's and log group's tags are aws:ResourceTag/* for the calls on them
// (and on a group's streams), as for KMS keys, IAM entities and alarms.
func TestResourceTagsDecide(t *testing.T) {
	p := apptest.Start(t)
	ctx := context.Background()
	root := iam.NewFromConfig(p.RootConfig())
	apptest.Must(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("abac")}))
	key := apptest.Must(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("abac")})).AccessKey
	apptest.Must(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("abac"), PolicyName: aws.String("abac"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage","sns:Publish","logs:PutRetentionPolicy","logs:CreateLogStream"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}]}`)}))
	cfg := p.Config(*key.AccessKeyId, *key.SecretAccessKey, "")
	rq, rt, rl := sqs.NewFromConfig(p.RootConfig()), sns.NewFromConfig(p.RootConfig()), cwl.NewFromConfig(p.RootConfig())
	q, tp, lg := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg), cwl.NewFromConfig(cfg)
	for _, team := range []string{"red", "blue"} {
		url := apptest.Must(rq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(team), Tags: map[string]string{"team": team}})).QueueUrl
		topic := apptest.Must(rt.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(team), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String(team)}}})).TopicArn
		apptest.Must(rl.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(team), Tags: map[string]string{"team": team}}))
		_, errQ := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("m")})
		_, errT := tp.Publish(ctx, &sns.PublishInput{TopicArn: topic, Message: aws.String("m")})
		_, errL := lg.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String(team), RetentionInDays: aws.Int32(7)})
		_, errS := lg.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(team), LogStreamName: aws.String("s")})
		for name, err := range map[string]error{"SendMessage": errQ, "Publish": errT, "PutRetentionPolicy": errL, "CreateLogStream": errS} {
			if (err == nil) != (team == "red") {
				t.Errorf("%s on the %s resource: %v", name, team, err)
			}
		}
	}
}
