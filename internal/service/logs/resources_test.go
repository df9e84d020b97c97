package logs_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
)

// policyUser is an IAM user with at most one inline policy (allow replaces it) and a
// Logs client signing as that user.
type policyUser struct {
	e    *env
	iam  *iam.Client
	name string
	logs *cwl.Client
}

func (e *env) policyUser(name string) *policyUser {
	e.Helper()
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return &policyUser{e: e, iam: iamc, name: name, logs: cwl.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))}
}

func (u *policyUser) allow(action, resource string, condition string) {
	u.e.Helper()
	if condition != "" {
		condition = `,"Condition":` + condition
	}
	apptest.Must(u.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(u.name), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"` + condition + `}]}`)}))
}

func denial(user, action, resource string) string {
	return "User: arn:aws:iam::" + account + ":user/" + user + " is not authorized to perform: " + action + " on resource: " + resource +
		" because no identity-based policy allows the " + action + " action"
}

const groupPrefix = "arn:aws:logs:us-east-1:" + account + ":log-group:"

// The operations CloudWatch Logs authorizes on ARN:log-stream: (public error messages;
// see onStreams in logs.go): a policy naming log-group:NAME:* allows them, one naming
// the bare log-group:NAME does not, and the refusal names ARN:log-stream:.
func TestGroupOperationsOnStreamsResource(t *testing.T) {
	e := newEnv(t)
	u := e.policyUser("ops")
	cases := []struct {
		action string
		group  string
		call   func(group string) error
	}{
		{"logs:CreateLogGroup", "/new/app", func(g string) error {
			_, err := u.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(g)})
			return err
		}},
		{"logs:DeleteLogGroup", "/del/app", func(g string) error {
			_, err := u.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String(g)})
			return err
		}},
		{"logs:PutRetentionPolicy", "/ret/app", func(g string) error {
			_, err := u.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String(g), RetentionInDays: aws.Int32(7)})
			return err
		}},
		{"logs:DescribeLogStreams", "/desc/app", func(g string) error {
			_, err := u.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String(g)})
			return err
		}},
	}
	for _, c := range cases {
		if c.action != "logs:CreateLogGroup" {
			e.group(c.group)
		}
		u.allow(c.action, groupPrefix+c.group, "")
		wantError(t, c.call(c.group), "AccessDeniedException", 400, denial("ops", c.action, groupPrefix+c.group+":log-stream:"))
		u.allow(c.action, groupPrefix+c.group+":*", "")
		if err := c.call(c.group); err != nil {
			t.Fatalf("%s with a policy on %s:*: %v", c.action, c.group, err)
		}
	}
	// DescribeLogStreams names its group by identifier too: the same resource.
	e.group("/ident/app")
	u.allow("logs:DescribeLogStreams", groupPrefix+"/ident/app", "")
	_, err := u.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(groupPrefix + "/ident/app")})
	wantError(t, err, "AccessDeniedException", 400, denial("ops", "logs:DescribeLogStreams", groupPrefix+"/ident/app:log-stream:"))
}

// The group's tags are aws:ResourceTag/* on ARN:log-stream: as on the group.
func TestStreamsResourceCarriesGroupTags(t *testing.T) {
	e := newEnv(t)
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("red"), Tags: map[string]string{"team": "red"}}))
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("blue"), Tags: map[string]string{"team": "blue"}}))
	u := e.policyUser("tagged")
	u.allow("logs:PutRetentionPolicy", groupPrefix+"*", `{"StringEquals":{"aws:ResourceTag/team":"red"}}`)
	put := func(g string) error {
		_, err := u.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String(g), RetentionInDays: aws.Int32(7)})
		return err
	}
	if err := put("red"); err != nil {
		t.Fatal(err)
	}
	wantError(t, put("blue"), "AccessDeniedException", 400, denial("tagged", "logs:PutRetentionPolicy", groupPrefix+"blue:log-stream:"))
}

// CreateLogGroup with tags needs logs:TagResource (or logs:TagLogGroup) on the group's
// ARN, the form the tagging APIs are authorized on (recorded 2026,
// logs_controls.json, federated-tags-denied), besides logs:CreateLogGroup on
// ARN:log-stream:.
func TestCreateLogGroupTagsResource(t *testing.T) {
	e := newEnv(t)
	u := e.policyUser("creator")
	apptest.Must(u.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("creator"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"` + groupPrefix + `t:*"},` +
			`{"Effect":"Allow","Action":"logs:TagResource","Resource":"` + groupPrefix + `t:*"}]}`)}))
	create := func() error {
		_, err := u.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("t"), Tags: map[string]string{"team": "red"}})
		return err
	}
	wantError(t, create(), "AccessDeniedException", 400, denial("creator", "logs:TagResource", groupPrefix+"t"))
	apptest.Must(u.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("creator"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"` + groupPrefix + `t:*"},` +
			`{"Effect":"Allow","Action":"logs:TagLogGroup","Resource":"` + groupPrefix + `t","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}`)}))
	if err := create(); err != nil {
		t.Fatal(err)
	}
}

// Operations whose resource stays the reference's bare group ARN: the resourceArn
// tagging APIs (recorded 2026, logs_controls.json, federated-tags-denied), and those
// public messages show both ways (PutMetricFilter, FilterLogEvents).
func TestGroupOperationsOnGroupResource(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	u := e.policyUser("bare")
	u.allow("logs:TagResource", groupPrefix+"g:*", "")
	_, err := u.logs.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupPrefix + "g"), Tags: map[string]string{"k": "v"}})
	wantError(t, err, "AccessDeniedException", 400, denial("bare", "logs:TagResource", groupPrefix+"g"))
	u.allow("logs:TagResource", groupPrefix+"g", "")
	apptest.Must(u.logs.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupPrefix + "g"), Tags: map[string]string{"k": "v"}}))

	u.allow("logs:PutMetricFilter", groupPrefix+"g", "")
	apptest.Must(u.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f"), FilterPattern: aws.String("x"),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("1")}}}))
}
