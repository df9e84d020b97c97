package logs_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Answers of CloudWatch Logs recorded in 2026 (us-east-1, aws CLI) in
// github.com/radkawar/stackd, testdata/aws/logs/: each case names its file and label.
func TestRecorded2026(t *testing.T) {
	e := newEnv(t)
	const g = "/stackd/native-logs-ingestion-owned"
	e.group(g)
	e.stream(g, "owned-bytes")

	// ingestion.json, describe-group-defaults.
	groups, err := e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(g)})
	if err != nil || len(groups.LogGroups) != 1 {
		t.Fatalf("DescribeLogGroups: %v %v", groups, err)
	}
	lg := groups.LogGroups[0]
	if lg.BearerTokenAuthenticationEnabled == nil || *lg.BearerTokenAuthenticationEnabled ||
		lg.DeletionProtectionEnabled == nil || *lg.DeletionProtectionEnabled || lg.LogGroupClass != types.LogGroupClassStandard ||
		aws.ToString(lg.Arn) != "arn:aws:logs:us-east-1:"+account+":log-group:"+g+":*" || aws.ToString(lg.LogGroupArn) != "arn:aws:logs:us-east-1:"+account+":log-group:"+g {
		t.Errorf("describe-group-defaults: %+v", lg)
	}
	// ingestion.json, create-group-duplicate, create-stream-missing-group, delete-missing-stream.
	_, err = e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(g)})
	wantError(t, err, "ResourceAlreadyExistsException", 400, "The specified log group already exists")
	_, err = e.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(g + "-missing"), LogStreamName: aws.String("owned-missing")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")
	_, err = e.logs.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("owned-missing")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log stream does not exist.")

	// ingestion.json, chronological-order-reversed, span-24h-plus-1ms and the byte budget.
	now := e.now()
	put := func(evs ...types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
		return e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("owned-bytes"), LogEvents: evs})
	}
	ev := func(ts int64, msg string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
	}
	_, err = put(ev(now-1000, "reversed-late"), ev(now-2000, "reversed-early"))
	wantError(t, err, "InvalidParameterException", 400, "Log events in a single PutLogEvents request must be in chronological order.")
	_, err = put(ev(now-86400001-1000, "span-over-first"), ev(now-1000, "span-over-last"))
	wantError(t, err, "InvalidParameterException", 400, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	old := now - 16*86400000
	_, err = put(ev(old, strings.Repeat("é", 524276)))
	wantError(t, err, "InvalidParameterException", 400, "Log event too large: 1048578 bytes exceeds limit of 1048576")
	out, err := put(ev(old, strings.Repeat("é", 524275)))
	if err != nil || out.RejectedLogEventsInfo == nil || aws.ToInt32(out.RejectedLogEventsInfo.TooOldLogEventEndIndex) != 1 {
		t.Errorf("byte-utf8-exact-batch-budget: %+v %v", out, err)
	}

	// metric_filter_extractors.json: a metric value or dimension reading an array
	// through [*] is refused; $missing with a space-delimited pattern and
	// emitSystemFieldDimensions are taken, and the latter answered back.
	mt := func(value string, dims map[string]string) []types.MetricTransformation {
		return []types.MetricTransformation{{MetricNamespace: aws.String("Stackd/NativeMetricFilters/owned"), MetricName: aws.String("M"), MetricValue: aws.String(value), Dimensions: dims}}
	}
	_, err = e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("a-wildcard-value"),
		FilterPattern: aws.String(`{ $.kind = "wildcard" && $.items[*].value = * }`), MetricTransformations: mt("$.items[*].value", nil)})
	wantError(t, err, "InvalidParameterException", 400, "Invalid metric transformation: metric value $.items[*].value must be a valid number")
	_, err = e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("b-wildcard-dimension"),
		FilterPattern: aws.String(`{ $.kind = "wildcard" && $.items[*].bucket = * }`), MetricTransformations: mt("1", map[string]string{"Bucket": "$.items[*].bucket"})})
	wantError(t, err, "InvalidParameterException", 400, "Invalid metric transformation: dimension value must be valid selector")
	if _, err := e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("c-space-missing"),
		FilterPattern: aws.String(`[kind,value]`), MetricTransformations: mt("$missing", nil)}); err != nil {
		t.Errorf("undefined-space-selector-admission: %v", err)
	}
	if _, err := e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("d-source-log"),
		FilterPattern: aws.String(`SOURCE_LOG`), MetricTransformations: mt("29", nil), EmitSystemFieldDimensions: []string{"@source.log"}}); err != nil {
		t.Errorf("source-log-dimension-admission: %v", err)
	}
	// metric_filters.json, failed-replacement-pattern.
	_, err = e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("c-space-missing"),
		FilterPattern: aws.String(`{ $.broken = }`), MetricTransformations: mt("1", nil)})
	wantError(t, err, "InvalidParameterException", 400, "Invalid metric filter pattern")
	filters, err := e.logs.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String(g)})
	if err != nil || len(filters.MetricFilters) != 2 {
		t.Fatalf("extractor-control-roundtrip: %v %v", filters, err)
	}
	for _, f := range filters.MetricFilters {
		want := map[string][]string{"c-space-missing": nil, "d-source-log": {"@source.log"}}[aws.ToString(f.FilterName)]
		if f.ApplyOnTransformedLogs || strings.Join(f.EmitSystemFieldDimensions, ",") != strings.Join(want, ",") ||
			aws.ToString(f.FilterPattern) == `{ $.broken = }` {
			t.Errorf("extractor-control-roundtrip: %s %+v", aws.ToString(f.FilterName), f)
		}
	}

	// metric_filters.json, matcher-space-extraction: numbered from 1, quotes dropped,
	// an event with too few fields not matched.
	tm, err := e.logs.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(`[kind = "SPACE", value, bucket]`),
		LogEventMessages: []string{"SPACE 13 A", "SPACE banana A", "SPACE", `SPACE "17.5" A`}})
	if err != nil || len(tm.Matches) != 3 || tm.Matches[2].EventNumber != 4 || tm.Matches[2].ExtractedValues["$value"] != "17.5" ||
		tm.Matches[0].EventNumber != 1 || tm.Matches[1].ExtractedValues["$value"] != "banana" {
		t.Errorf("matcher-space-extraction: %+v %v", tm, err)
	}

	// authentication.json, invalid-credentials.
	bad := cwl.NewFromConfig(e.p.Config("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""))
	_, err = bad.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/stackd/invalid-credentials-probe"), Limit: aws.Int32(1)})
	wantError(t, err, "UnrecognizedClientException", 400, "The security token included in the request is invalid.")
}

// DescribeLogGroups is authorized on a log group without a name (recorded 2026,
// stackd testdata/aws/cloudtrail/logs_controls.json, federated-describe-denied): the
// refusal names it, a policy allowing log-group:* allows the listing, and one naming
// particular groups does not.
func TestRecorded2026DescribeLogGroupsResource(t *testing.T) {
	e := newEnv(t)
	e.group("/stackd/owned")
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("reader")})).AccessKey
	reader := cwl.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	describe := func() error {
		_, err := reader.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/stackd/owned")})
		return err
	}
	wantError(t, describe(), "AccessDeniedException", 400, "User: arn:aws:iam::"+account+":user/reader is not authorized to perform: logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:"+account+
		":log-group::log-stream: because no identity-based policy allows the logs:DescribeLogGroups action")
	allow := func(resource string) {
		apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("describe"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"` + resource + `"}]}`)}))
	}
	allow("arn:aws:logs:us-east-1:" + account + ":log-group:/stackd/*")
	wantError(t, describe(), "AccessDeniedException", 400, "")
	allow("arn:aws:logs:us-east-1:" + account + ":log-group:*")
	if err := describe(); err != nil {
		t.Fatal(err)
	}
}

// GetLogEvents' tokens are "f/" or "b/", 56 digits and "/s", an empty stream's too;
// a token without the suffix (as Palisade handed them out before) still pages; a
// metric filter pattern that opens a JSON pattern without closing it is named as such
// (recorded 2026, stackd testdata/aws/cloudtrail/logs_controls_revision_attempt.json,
// events-get and metric-test-invalid; PutMetricFilter's answer inferred).
func TestRecorded2026TokensAndUnclosedPatterns(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	token := regexp.MustCompile(`^[fb]/[0-9]{56}/s$`)
	get := func(tok *string) *cwl.GetLogEventsOutput {
		return apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
			StartFromHead: aws.Bool(true), Limit: aws.Int32(10), NextToken: tok}))
	}
	empty := get(nil)
	if !token.MatchString(aws.ToString(empty.NextForwardToken)) || !token.MatchString(aws.ToString(empty.NextBackwardToken)) {
		t.Errorf("empty stream's tokens %s %s", aws.ToString(empty.NextForwardToken), aws.ToString(empty.NextBackwardToken))
	}
	e.put("g", "s", e.now()-1000, "a", "b")
	page := get(nil)
	if len(page.Events) != 2 || !token.MatchString(aws.ToString(page.NextForwardToken)) {
		t.Fatalf("page: %d events, token %s", len(page.Events), aws.ToString(page.NextForwardToken))
	}
	old := strings.TrimSuffix(aws.ToString(page.NextBackwardToken), "/s")
	if back := get(&old); len(back.Events) != 0 {
		t.Errorf("a token without /s: %d events", len(back.Events))
	}

	const msg = "If a filter pattern starts with '{' it must end with '}'"
	_, err := e.logs.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("{"), LogEventMessages: []string{"synthetic-rejected-message"}})
	apptest.WantErr(t, err, "InvalidParameterException", 400, msg)
	_, err = e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f"), FilterPattern: aws.String(`{ $.a = 1`),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("m"), MetricNamespace: aws.String("n"), MetricValue: aws.String("1")}}})
	apptest.WantErr(t, err, "InvalidParameterException", 400, msg)
	_, err = e.logs.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("[a,"), LogEventMessages: []string{"x"}})
	apptest.WantErr(t, err, "InvalidParameterException", 400, "Invalid metric filter pattern")
}

// ListLogGroups lists names, ARNs and classes, filtered by up to five patterns ("^" a
// prefix, else a substring), class and tags (API reference); an alternative longer
// than the model's 24 characters is taken, as AWS took one (recorded 2026, stackd
// testdata/aws/cloudtrail/logs_controls_revision_attempt.json, groups-list; AWS's
// empty answer there, 0.3 s after the group was created, is not copied).
func TestListLogGroups(t *testing.T) {
	e := newEnv(t)
	for _, g := range []string{"/aws/lambda/fn", "/app/discovery", "/app/web", "/stackd/stackd-audit-55489713e54d"} {
		e.group(g)
	}
	apptest.Must(e.logs.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/app/web"), Tags: map[string]string{"team": "a"}}))
	names := func(in *cwl.ListLogGroupsInput) []string {
		t.Helper()
		out := apptest.Must(e.logs.ListLogGroups(ctx, in))
		var n []string
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupArn) != "arn:aws:logs:us-east-1:000000000000:log-group:"+aws.ToString(g.LogGroupName) || g.LogGroupClass != types.LogGroupClassStandard {
				t.Errorf("summary %+v", g)
			}
			n = append(n, aws.ToString(g.LogGroupName))
		}
		return n
	}
	for _, c := range []struct {
		in   *cwl.ListLogGroupsInput
		want string
	}{
		{&cwl.ListLogGroupsInput{}, "/app/discovery /app/web /aws/lambda/fn /stackd/stackd-audit-55489713e54d"},
		{&cwl.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/aws/lambda|discovery")}, "/app/discovery /aws/lambda/fn"},
		{&cwl.ListLogGroupsInput{LogGroupNamePattern: aws.String("^web")}, ""},
		{&cwl.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/stackd/stackd-audit-55489713e54d")}, "/stackd/stackd-audit-55489713e54d"},
		{&cwl.ListLogGroupsInput{LogGroupTags: []types.TagFilter{{Key: aws.String("team"), Values: []string{"a"}}}}, "/app/web"},
		{&cwl.ListLogGroupsInput{LogGroupTags: []types.TagFilter{{Key: aws.String("team"), Values: []string{"b"}}}}, ""},
		{&cwl.ListLogGroupsInput{LogGroupClass: types.LogGroupClassInfrequentAccess}, ""},
		{&cwl.ListLogGroupsInput{FieldIndexNames: []string{"requestId"}}, ""},
	} {
		if got := strings.Join(names(c.in), " "); got != c.want {
			t.Errorf("%+v: %q, want %q", c.in, got, c.want)
		}
	}
	page := apptest.Must(e.logs.ListLogGroups(ctx, &cwl.ListLogGroupsInput{Limit: aws.Int32(3)}))
	next := apptest.Must(e.logs.ListLogGroups(ctx, &cwl.ListLogGroupsInput{Limit: aws.Int32(3), NextToken: page.NextToken}))
	if len(page.LogGroups) != 3 || page.NextToken == nil || len(next.LogGroups) != 1 || next.NextToken != nil {
		t.Errorf("pages: %d then %d", len(page.LogGroups), len(next.LogGroups))
	}
	// Characters outside the model's set are refused as Logs refuses invalid input.
	_, err := e.logs.ListLogGroups(ctx, &cwl.ListLogGroupsInput{LogGroupNamePattern: aws.String("a(b)c")})
	apptest.WantErr(t, err, "InvalidParameterException", 400, "")
}
