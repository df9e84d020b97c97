package logs_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/logs"
)

const rpGroup = "/stackd/stackd-audit-f197d9d7d7dc"

var rpARN = "arn:aws:logs:us-east-1:" + account + ":log-group:" + rpGroup

// rpDoc is the recorded policy (stackd testdata/aws/cloudtrail/logs_controls.json,
// resource-policy-put): EventBridge's rule may create streams and put events.
var rpDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` +
	rpARN + `:*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:` + account + `:rule/stackd-audit-f197d9d7d7dc"}}}]}`

// TestResourcePolicyOfGroup replays logs_controls.json's resource-policy cases (put,
// describe, delete by revision) and what the API reference says of revisions.
func TestResourcePolicyOfGroup(t *testing.T) {
	e := newEnv(t)
	e.group(rpGroup)
	before := e.now()
	out := apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc)}))
	p := out.ResourcePolicy
	if aws.ToString(out.RevisionId) != "1" || p == nil || aws.ToString(p.PolicyDocument) != rpDoc || p.PolicyScope != types.PolicyScopeResource ||
		aws.ToString(p.ResourceArn) != rpARN || p.PolicyName != nil || p.RevisionId != nil || aws.ToInt64(p.LastUpdatedTime) < before {
		t.Fatalf("resource-policy-put: %+v %+v", out, p)
	}
	desc := apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{PolicyScope: types.PolicyScopeResource, ResourceArn: aws.String(rpARN)}))
	if len(desc.ResourcePolicies) != 1 || aws.ToString(desc.ResourcePolicies[0].RevisionId) != "1" || aws.ToString(desc.ResourcePolicies[0].ResourceArn) != rpARN ||
		aws.ToString(desc.ResourcePolicies[0].PolicyDocument) != rpDoc || desc.ResourcePolicies[0].PolicyScope != types.PolicyScopeResource {
		t.Fatalf("resource-policies-describe: %+v", desc.ResourcePolicies)
	}
	// Account-scoped listing does not show it.
	if acc := apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{})); len(acc.ResourcePolicies) != 0 {
		t.Errorf("account scope lists the group's policy: %+v", acc.ResourcePolicies)
	}

	// A replacement names the revision it replaces.
	_, err := e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc)})
	wantError(t, err, "OperationAbortedException", 400, "")
	_, err = e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc), ExpectedRevisionId: aws.String("7")})
	wantError(t, err, "OperationAbortedException", 400, "")
	out = apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc), ExpectedRevisionId: aws.String("1")}))
	if aws.ToString(out.RevisionId) != "2" {
		t.Errorf("second revision: %+v", out)
	}
	_, err = e.logs.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{ResourceArn: aws.String(rpARN), ExpectedRevisionId: aws.String("1")})
	wantError(t, err, "OperationAbortedException", 400, "")
	apptest.Must(e.logs.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{ResourceArn: aws.String(rpARN), ExpectedRevisionId: aws.String("2")}))
	_, err = e.logs.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{ResourceArn: aws.String(rpARN), ExpectedRevisionId: aws.String("2")})
	wantError(t, err, "ResourceNotFoundException", 400, "")
	if desc := apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{PolicyScope: types.PolicyScopeResource, ResourceArn: aws.String(rpARN)})); len(desc.ResourcePolicies) != 0 {
		t.Errorf("deleted policy still listed: %+v", desc.ResourcePolicies)
	}

	// A group that does not exist, of another account, or an ARN that is no group's.
	_, err = e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN + "-missing"), PolicyDocument: aws.String(rpDoc)})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")
	_, err = e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:111122223333:log-group:" + rpGroup), PolicyDocument: aws.String(rpDoc)})
	wantError(t, err, "ResourceNotFoundException", 400, "")
	_, err = e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String("arn:aws:sqs:us-east-1:" + account + ":q"), PolicyDocument: aws.String(rpDoc)})
	wantError(t, err, "InvalidParameterException", 400, "")

	// The group's policy goes with the group: a group created again has none, and its
	// first policy is revision 1 again.
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc)}))
	apptest.Must(e.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String(rpGroup)}))
	e.group(rpGroup)
	if desc := apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{PolicyScope: types.PolicyScopeResource})); len(desc.ResourcePolicies) != 0 {
		t.Errorf("policy outlived its group: %+v", desc.ResourcePolicies)
	}
	if out := apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc)})); aws.ToString(out.RevisionId) != "1" {
		t.Errorf("new group's first revision: %+v", out)
	}
}

// TestResourcePolicyOfAccount: named policies, at most 10 per Region, listed by
// DescribeResourcePolicies' default scope; documents validated as IAM policies.
func TestResourcePolicyOfAccount(t *testing.T) {
	e := newEnv(t)
	doc := func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d","Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:%s:log-group:/aws/route53/*"}]}`, i, account)
	}
	for i := range 10 {
		out := apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)), PolicyDocument: aws.String(doc(i))}))
		p := out.ResourcePolicy
		if out.RevisionId != nil || aws.ToString(p.PolicyName) != fmt.Sprintf("p%02d", i) || p.PolicyScope != types.PolicyScopeAccount || p.ResourceArn != nil || p.RevisionId != nil {
			t.Fatalf("put %d: %+v %+v", i, out, p)
		}
	}
	_, err := e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p10"), PolicyDocument: aws.String(doc(10))})
	wantError(t, err, "LimitExceededException", 400, "Resource limit exceeded.")
	// Replacing one is not an eleventh.
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p09"), PolicyDocument: aws.String(doc(99))}))

	first := apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{Limit: aws.Int32(4)}))
	if len(first.ResourcePolicies) != 4 || first.NextToken == nil || aws.ToString(first.ResourcePolicies[0].PolicyName) != "p00" {
		t.Fatalf("first page: %+v", first)
	}
	rest := apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{PolicyScope: types.PolicyScopeAccount, NextToken: first.NextToken}))
	if len(rest.ResourcePolicies) != 6 || rest.NextToken != nil || aws.ToString(rest.ResourcePolicies[5].PolicyDocument) != doc(99) {
		t.Fatalf("second page: %+v", rest)
	}

	apptest.Must(e.logs.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("p00")}))
	_, err = e.logs.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("p00")})
	wantError(t, err, "ResourceNotFoundException", 400, "")
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p10"), PolicyDocument: aws.String(doc(10))}))

	// Documents CloudWatch Logs cannot take: not JSON, no principal, a service named
	// as an AWS principal (AWS's answer as reported in
	// hashicorp/terraform-provider-aws#32260).
	for _, bad := range []string{
		`{"Version":`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"delivery.logs.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`,
	} {
		_, err := e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p01"), PolicyDocument: aws.String(bad)})
		wantError(t, err, "InvalidParameterException", 400, "Could not convert to persistable policy.")
	}
	_, err = e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyDocument: aws.String(doc(1))})
	wantError(t, err, "InvalidParameterException", 400, "")

	// An account-level document holds up to 5,120 characters; a log group's up to the
	// model's 51,200.
	pad := func(n int) string {
		d := doc(1)
		return d[:len(d)-1] + `,"Id":"` + strings.Repeat("x", n-len(d)-8) + `"}`
	}
	if d := pad(5120); len(d) != 5120 {
		t.Fatalf("pad: %d", len(d))
	}
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p01"), PolicyDocument: aws.String(pad(5120))}))
	_, err = e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p01"), PolicyDocument: aws.String(pad(5121))})
	wantError(t, err, "InvalidParameterException", 400, "")
	if !strings.HasSuffix(err.Error(), "at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 5120") {
		t.Errorf("over 5,120 characters: %v", err)
	}
	e.group("/big")
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:/big"), PolicyDocument: aws.String(pad(6000))}))
}

// TestResourcePolicyAuthorizes: a service principal may put events into a group when
// the group's or the account's resource policies allow it, conditions included; a
// deny in any refuses. IAM principals get nothing from them ("Resource policies with
// actions invoked by non-Amazon Web Services service principals ... will not be
// enforced", API reference).
func TestResourcePolicyAuthorizes(t *testing.T) {
	e := newEnv(t)
	e.group(rpGroup)
	l := e.p.App.Logs
	rule := logs.ServiceSource{Service: "events.amazonaws.com", SourceArn: "arn:aws:events:us-east-1:" + account + ":rule/stackd-audit-f197d9d7d7dc", SourceAccount: account}
	put := func(src logs.ServiceSource, stream, msg string) error {
		return l.PutEventsFromService(ctx, src, account, "us-east-1", rpGroup, stream, []logs.Event{{Timestamp: e.now(), Message: msg}})
	}
	streams := func() int {
		return len(apptest.Must(e.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String(rpGroup)})).LogStreams)
	}

	if err := put(rule, "rule", "no policy"); errorCode(err) != "AccessDeniedException" || streams() != 0 {
		t.Fatalf("without a policy: %v, %d streams", err, streams())
	}
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc)}))
	if err := put(rule, "rule", "allowed"); err != nil {
		t.Fatalf("allowed by the group's policy: %v", err)
	}
	got := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String(rpGroup), LogStreamName: aws.String("rule"), StartFromHead: aws.Bool(true)}))
	if msgs := output(got.Events); len(msgs) != 1 || msgs[0] != "allowed" {
		t.Errorf("events: %q", msgs)
	}
	// Another rule, or another service, is not the policy's.
	other := rule
	other.SourceArn += "-other"
	if err := put(other, "other", "x"); errorCode(err) != "AccessDeniedException" {
		t.Errorf("other source: %v", err)
	}
	if err := put(logs.ServiceSource{Service: "route53.amazonaws.com", SourceArn: rule.SourceArn}, "rule", "x"); errorCode(err) != "AccessDeniedException" {
		t.Errorf("other service: %v", err)
	}

	// An account-level policy grants on the groups its resources match, and its deny
	// refuses what the group's policy allows.
	r53 := logs.ServiceSource{Service: "route53.amazonaws.com", SourceAccount: account}
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("route53"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:` + account + `:log-group:/stackd/*","Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`)}))
	if err := put(r53, "r53", "dns"); err != nil {
		t.Errorf("allowed by an account policy: %v", err)
	}
	r53.SourceAccount = "111122223333"
	if err := put(r53, "r53", "dns"); errorCode(err) != "AccessDeniedException" {
		t.Errorf("account policy's condition: %v", err)
	}
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("deny-events"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"events.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`)}))
	if err := put(rule, "rule", "denied"); errorCode(err) != "AccessDeniedException" {
		t.Errorf("a deny in an account policy: %v", err)
	}

	// An IAM user named by the group's policy, with no identity policy of its own,
	// is refused: the policy is for service principals only.
	iamc := iam.NewFromConfig(e.p.RootConfig())
	user := apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("writer")})).User
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("writer")})).AccessKey
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + *user.Arn + `"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` + rpARN + `:*"}]}`
	apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(doc), ExpectedRevisionId: aws.String("1")}))
	writer := cwl.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	_, err := writer.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(rpGroup), LogStreamName: aws.String("user")})
	wantError(t, err, "AccessDeniedException", 400, "")
	_, err = writer.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(rpGroup), LogStreamName: aws.String("rule"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(e.now()), Message: aws.String("x")}}})
	wantError(t, err, "AccessDeniedException", 400, "")
}

// TestResourcePolicyRecords: the calls' CloudTrail records as AWS writes them
// (recorded 2026, stackd testdata/aws/cloudtrail/logs_controls.json): the document as
// sent, PutResourcePolicy's answer in responseElements, the group's ARN as an
// AWS::Logs::ResourcePolicy in resources, and no resource in event history.
func TestResourcePolicyRecords(t *testing.T) {
	e := newEnv(t)
	e.group(rpGroup)
	put := apptest.Must(e.logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{ResourceArn: aws.String(rpARN), PolicyDocument: aws.String(rpDoc)}))
	apptest.Must(e.logs.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{PolicyScope: types.PolicyScopeResource, ResourceArn: aws.String(rpARN)}))
	apptest.Must(e.logs.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{ResourceArn: aws.String(rpARN), ExpectedRevisionId: aws.String("1")}))

	ct := cloudtrail.NewFromConfig(e.p.RootConfig())
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	res := `[{"accountId":"` + account + `","type":"AWS::Logs::ResourcePolicy","ARN":"` + rpARN + `"}]`
	wants := map[string][3]string{
		"PutResourcePolicy": {`{"policyDocument":` + q(rpDoc) + `,"resourceArn":"` + rpARN + `"}`,
			`{"resourcePolicy":{"policyDocument":` + q(rpDoc) + `,"lastUpdatedTime":` + fmt.Sprint(*put.ResourcePolicy.LastUpdatedTime) + `,"policyScope":"RESOURCE","resourceArn":"` + rpARN + `"},"revisionId":"1"}`, res},
		"DescribeResourcePolicies": {`{"resourceArn":"` + rpARN + `","policyScope":"RESOURCE"}`, "null", res},
		"DeleteResourcePolicy":     {`{"resourceArn":"` + rpARN + `","expectedRevisionId":"1"}`, "null", res},
	}
	out := apptest.Must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "EventSource", AttributeValue: aws.String("logs.amazonaws.com")}}}))
	seen := 0
	for _, ev := range out.Events {
		w, ok := wants[*ev.EventName]
		if !ok {
			continue
		}
		seen++
		var rec struct {
			RequestParameters, ResponseElements, Resources json.RawMessage
			APIVersion                                     string
			ManagementEvent                                bool
		}
		if err := json.Unmarshal([]byte(*ev.CloudTrailEvent), &rec); err != nil {
			t.Fatal(err)
		}
		if string(rec.RequestParameters) != w[0] || string(rec.ResponseElements) != w[1] || string(rec.Resources) != w[2] || rec.APIVersion != "20140328" || !rec.ManagementEvent || len(ev.Resources) != 0 {
			t.Errorf("%s:\nparams %s\nresponse %s\nresources %s %+v\nwant %s\n%s\n%s", *ev.EventName, rec.RequestParameters, rec.ResponseElements, rec.Resources, ev.Resources, w[0], w[1], w[2])
		}
	}
	if seen != len(wants) {
		t.Errorf("%d of %d records", seen, len(wants))
	}
}
