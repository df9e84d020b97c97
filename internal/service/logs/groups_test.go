package logs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/palisade/palisade/internal/app/apptest"
)

func TestLogGroups(t *testing.T) {
	e := newEnv(t)
	key := e.logsKey(true)
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app/web"), KmsKeyId: aws.String(key),
		Tags: map[string]string{"team": "red"}}))
	_, err := e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app/web")})
	wantError(t, err, "ResourceAlreadyExistsException", 400, "The specified log group already exists")
	_, err = e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name")})
	wantError(t, err, "InvalidParameterException", 400, "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
	_, err = e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("x"), KmsKeyId: aws.String("alias/mine")})
	wantError(t, err, "InvalidParameterException", 400, "")

	for i := range 3 {
		e.group(fmt.Sprintf("/app/job%d", i))
	}
	e.group("other")

	out := apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/")}))
	if len(out.LogGroups) != 4 || out.NextToken != nil {
		t.Fatalf("prefix: %d groups", len(out.LogGroups))
	}
	web := out.LogGroups[3]
	if aws.ToString(web.LogGroupName) != "/app/web" || aws.ToString(web.KmsKeyId) != key ||
		aws.ToString(web.Arn) != "arn:aws:logs:us-east-1:"+account+":log-group:/app/web:*" ||
		aws.ToString(web.LogGroupArn) != "arn:aws:logs:us-east-1:"+account+":log-group:/app/web" || web.RetentionInDays != nil {
		t.Fatalf("group %+v", web)
	}
	// Pagination.
	var names []string
	var token *string
	for {
		page := apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(2), NextToken: token}))
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "/app/job0,/app/job1,/app/job2,/app/web,other" {
		t.Fatalf("pages: %v", names)
	}
	out = apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("job1")}))
	if len(out.LogGroups) != 1 {
		t.Fatalf("pattern: %d", len(out.LogGroups))
	}
	_, err = e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("JOB1"), LogGroupNamePrefix: aws.String("/app")})
	wantError(t, err, "InvalidParameterException", 400, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")

	// Retention.
	_, err = e.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("other"), RetentionInDays: aws.Int32(2)})
	wantError(t, err, "InvalidParameterException", 400, "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	apptest.Must(e.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("other"), RetentionInDays: aws.Int32(7)}))
	out = apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("other")}))
	if aws.ToInt32(out.LogGroups[0].RetentionInDays) != 7 {
		t.Fatalf("retention %+v", out.LogGroups[0])
	}
	apptest.Must(e.logs.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("other")}))
	_, err = e.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("missing"), RetentionInDays: aws.Int32(7)})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")

	// KMS keys: the key policy must let CloudWatch Logs use the key for the group.
	denied := "The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:000000000000:log-group:other'"
	_, err = e.logs.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("other"), KmsKeyId: aws.String(e.logsKey(false))})
	wantError(t, err, "AccessDeniedException", 400, denied)
	_, err = e.logs.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("other"),
		KmsKeyId: aws.String("arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab")})
	wantError(t, err, "AccessDeniedException", 400, denied)
	apptest.Must(e.logs.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("other"), KmsKeyId: aws.String(key)}))
	_, err = e.logs.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("other"), KmsKeyId: aws.String("arn:aws:kms:us-east-1:000000000000:alias/x")})
	wantError(t, err, "InvalidParameterException", 400, "")
	apptest.Must(e.logs.DisassociateKmsKey(ctx, &cwl.DisassociateKmsKeyInput{LogGroupName: aws.String("other")}))
	out = apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("other")}))
	if out.LogGroups[0].KmsKeyId != nil {
		t.Fatal("key not disassociated")
	}

	// Tags, by name and by ARN.
	arn := "arn:aws:logs:us-east-1:" + account + ":log-group:/app/web"
	apptest.Must(e.logs.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "prod"}}))
	tags := apptest.Must(e.logs.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})).Tags
	if len(tags) != 2 || tags["team"] != "red" || tags["env"] != "prod" {
		t.Fatalf("tags %v", tags)
	}
	apptest.Must(e.logs.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}))
	//lint:ignore SA1019 the deprecated tagging operations are served too
	apptest.Must(e.logs.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("/app/web"), Tags: map[string]string{"a": "1"}}))
	//lint:ignore SA1019 the deprecated tagging operations are served too
	old := apptest.Must(e.logs.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("/app/web")})).Tags
	if len(old) != 2 || old["env"] != "prod" || old["a"] != "1" {
		t.Fatalf("tags %v", old)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	_, err = e.logs.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	wantError(t, err, "TooManyTagsException", 400, "")

	// Deletion.
	apptest.Must(e.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/app/web")}))
	_, err = e.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/app/web")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")
	// A name can be reused, without the old group's streams.
	e.group("/app/web")
	streams := apptest.Must(e.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/app/web")}))
	if len(streams.LogStreams) != 0 {
		t.Fatal("streams survived their group")
	}
}

func TestLogStreams(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "b")
	e.stream("g", "a")
	e.stream("g", "c")
	_, err := e.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
	wantError(t, err, "ResourceAlreadyExistsException", 400, "The specified log stream already exists")
	_, err = e.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("a")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")
	_, err = e.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
	wantError(t, err, "InvalidParameterException", 400, "")

	now := e.now()
	e.put("g", "c", now-3000, "old")
	e.put("g", "a", now-1000, "newest")
	e.put("g", "b", now-2000, "middle")

	names := func(in *cwl.DescribeLogStreamsInput) string {
		var out []string
		for _, s := range apptest.Must(e.logs.DescribeLogStreams(ctx, in)).LogStreams {
			out = append(out, aws.ToString(s.LogStreamName))
		}
		return strings.Join(out, ",")
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")}); got != "a,b,c" {
		t.Fatalf("by name: %s", got)
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: "LastEventTime", Descending: aws.Bool(true)}); got != "a,b,c" {
		t.Fatalf("by last event, descending: %s", got)
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: "LastEventTime"}); got != "c,b,a" {
		t.Fatalf("by last event: %s", got)
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:g"), LogStreamNamePrefix: aws.String("b")}); got != "b" {
		t.Fatalf("by identifier and prefix: %s", got)
	}
	_, err = e.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: "LastEventTime", LogStreamNamePrefix: aws.String("a")})
	wantError(t, err, "InvalidParameterException", 400, "Cannot order by LastEventTime with a logStreamNamePrefix.")
	page := apptest.Must(e.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(2)}))
	if len(page.LogStreams) != 2 || page.NextToken == nil {
		t.Fatal("first page")
	}
	page = apptest.Must(e.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(2), NextToken: page.NextToken}))
	if len(page.LogStreams) != 1 || aws.ToString(page.LogStreams[0].LogStreamName) != "c" || page.NextToken != nil {
		t.Fatal("second page")
	}
	s := page.LogStreams[0]
	if aws.ToInt64(s.FirstEventTimestamp) != now-3000 || aws.ToInt64(s.LastEventTimestamp) != now-3000 || s.LastIngestionTime == nil ||
		aws.ToString(s.Arn) != "arn:aws:logs:us-east-1:"+account+":log-group:g:log-stream:c" || len(aws.ToString(s.UploadSequenceToken)) != 56 {
		t.Fatalf("stream %+v", s)
	}

	apptest.Must(e.logs.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("c")}))
	_, err = e.logs.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("c")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log stream does not exist.")
	ev := apptest.Must(e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")}))
	if got := filtered(ev.Events); !equal(got, []string{"middle", "newest"}) {
		t.Fatalf("events after deleting a stream: %v", got)
	}
}

// logsKey creates a KMS key whose policy lets the account administer it and, when
// forLogs, lets CloudWatch Logs use it for the account's log groups (the key policy
// the CloudWatch Logs User Guide gives).
func (e *env) logsKey(forLogs bool) string {
	e.Helper()
	stmts := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}`
	if forLogs {
		stmts += `,{"Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Resource":"*",
			"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:us-east-1:000000000000:log-group:*"}}}`
	}
	k := apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + stmts + `]}`)}))
	return aws.ToString(k.KeyMetadata.Arn)
}

// Log group names can't start with aws/, in any case; AWS's answer was recorded for
// lowercase names. /aws/… is allowed (Lambda's groups are named so).
func TestLogGroupReservedPrefix(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"aws/cwagent", "AWS/x", "Aws/batch/job"} {
		_, err := e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(name)})
		wantError(t, err, "InvalidParameterException", 400, "Log groups starting with AWS/ are reserved for AWS.")
	}
	e.group("/aws/lambda/f")
	e.group("awsx/y")
}

// logGroupNamePattern is a case-sensitive substring search, and its answer carries
// only the group's name, creation time, arn (and metricFilterCount, as AWS answered).
func TestDescribeLogGroupsPattern(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"DataLogs", "aws.DataLogs", "GroupDataLogs", "datalogs", "Data/log/s", "Groupdata"} {
		e.group(n)
	}
	apptest.Must(e.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("DataLogs"), RetentionInDays: aws.Int32(7)}))
	out := apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("DataLogs")}))
	var names []string
	for _, g := range out.LogGroups {
		names = append(names, aws.ToString(g.LogGroupName))
	}
	if strings.Join(names, ",") != "DataLogs,GroupDataLogs,aws.DataLogs" {
		t.Fatalf("pattern DataLogs: %v", names)
	}
	g := out.LogGroups[0]
	if aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:"+account+":log-group:DataLogs:*" || g.CreationTime == nil || aws.ToInt32(g.MetricFilterCount) != 0 || g.MetricFilterCount == nil ||
		g.RetentionInDays != nil || g.StoredBytes != nil || g.LogGroupArn != nil || g.LogGroupClass != "" || g.DeletionProtectionEnabled != nil {
		t.Fatalf("pattern answer %+v", g)
	}
	// By prefix, every field.
	out = apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("DataLogs")}))
	g = out.LogGroups[0]
	if aws.ToInt32(g.RetentionInDays) != 7 || g.StoredBytes == nil || g.LogGroupArn == nil || g.LogGroupClass != "STANDARD" {
		t.Fatalf("prefix answer %+v", g)
	}
}
