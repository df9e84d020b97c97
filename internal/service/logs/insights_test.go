package logs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// query runs a Logs Insights query to completion and returns its rows as
// "field=value" lists.
func (e *env) query(q string, groups ...string) ([]string, *cwl.GetQueryResultsOutput) {
	e.Helper()
	now := e.p.Clock.Now()
	id := apptest.Must(e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupNames: groups, QueryString: aws.String(q),
		StartTime: aws.Int64(now.Add(-time.Hour).Unix()), EndTime: aws.Int64(now.Add(time.Minute).Unix())})).QueryId
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := apptest.Must(e.logs.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: id}))
		if out.Status == types.QueryStatusComplete {
			var rows []string
			for _, r := range out.Results {
				var fields []string
				for _, f := range r {
					if aws.ToString(f.Field) != "@ptr" {
						fields = append(fields, aws.ToString(f.Field)+"="+aws.ToString(f.Value))
					}
				}
				rows = append(rows, strings.Join(fields, " "))
			}
			return rows, out
		}
		if out.Status == types.QueryStatusFailed || time.Now().After(deadline) {
			e.Fatalf("query %q: status %s", q, out.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLogsInsights(t *testing.T) {
	e := newEnv(t)
	e.group("ct")
	e.stream("ct", "s")
	base := e.now() - 60_000
	var msgs []string
	for i := range 6 {
		code := "None"
		if i%3 == 0 {
			code = "AccessDenied"
		}
		msgs = append(msgs, fmt.Sprintf(`{"eventName":"Op%d","errorCode":"%s","user":{"name":"u%d"},"latency":%d}`, i, code, i%2, 10*i))
	}
	e.put("ct", "s", base, msgs...)

	rows, out := e.query(`fields @timestamp, eventName | filter errorCode = "AccessDenied" | sort @timestamp desc | limit 5`, "ct")
	if len(rows) != 2 || !strings.Contains(rows[0], "eventName=Op3") || !strings.Contains(rows[1], "eventName=Op0") {
		t.Fatalf("filter/sort rows %v", rows)
	}
	if !strings.HasPrefix(rows[0], "@timestamp="+time.UnixMilli(base+3).UTC().Format("2006-01-02 15:04:05.000")) {
		t.Fatalf("timestamp format: %s", rows[0])
	}
	if out.Statistics.RecordsScanned != 6 || out.Statistics.RecordsMatched != 2 {
		t.Fatalf("statistics %+v", out.Statistics)
	}
	ptr := false
	for _, f := range out.Results[0] {
		ptr = ptr || aws.ToString(f.Field) == "@ptr" && aws.ToString(f.Value) != ""
	}
	if !ptr {
		t.Fatal("rows carry @ptr")
	}

	rows, _ = e.query(`stats count(*) as n, sum(latency) as total by errorCode | sort n desc`, "ct")
	if len(rows) != 2 || rows[0] != "errorCode=None n=4 total=120" || rows[1] != "errorCode=AccessDenied n=2 total=30" {
		t.Fatalf("stats rows %v", rows)
	}
	rows, _ = e.query(`stats count(*) by user.name | sort user.name`, "ct")
	if len(rows) != 2 || rows[0] != "user.name=u0 count(*)=3" {
		t.Fatalf("stats by nested field %v", rows)
	}
	rows, _ = e.query(`filter latency >= 30 and (eventName like /Op[34]/ or errorCode != "None") | fields eventName | sort eventName asc`, "ct")
	if strings.Join(rows, ",") != "eventName=Op3,eventName=Op4" {
		t.Fatalf("boolean filter rows %v", rows)
	}
	rows, _ = e.query(`stats count(*) as n by bin(1m)`, "ct")
	if len(rows) == 0 || !strings.Contains(rows[0], "n=") {
		t.Fatalf("bin rows %v", rows)
	}

	_, err := e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("ct"), QueryString: aws.String("frobnicate everything"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	wantError(t, err, "MalformedQueryException", 400, "")
	_, err = e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("missing"), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	wantError(t, err, "ResourceNotFoundException", 400, "")
	_, err = e.logs.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantError(t, err, "ResourceNotFoundException", 400, "")

	qs := apptest.Must(e.logs.DescribeQueries(ctx, &cwl.DescribeQueriesInput{LogGroupName: aws.String("ct")}))
	if len(qs.Queries) != 5 || qs.Queries[0].Status != types.QueryStatusComplete {
		t.Fatalf("queries %+v", qs.Queries)
	}
	stop := apptest.Must(e.logs.StopQuery(ctx, &cwl.StopQueryInput{QueryId: qs.Queries[0].QueryId}))
	if stop.Success {
		t.Fatal("stopping a completed query succeeded")
	}
}

// DescribeQueries shows the query prefixed with its source and time range, as AWS
// does (LocalStack's AWS-validated test_describe_queries: `SOURCE "<group>"
// START=<start>000 END=<end>999 | fields @message`).
func TestDescribeQueriesString(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	start, end := e.p.Clock.Now().Add(-time.Hour).Unix(), e.p.Clock.Now().Add(5*time.Minute).Unix()
	apptest.Must(e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(start), EndTime: aws.Int64(end)}))
	qs := apptest.Must(e.logs.DescribeQueries(ctx, &cwl.DescribeQueriesInput{LogGroupName: aws.String("g")}))
	want := fmt.Sprintf(`SOURCE "g" START=%d000 END=%d999 | fields @message`, start, end)
	if len(qs.Queries) != 1 || aws.ToString(qs.Queries[0].QueryString) != want || aws.ToString(qs.Queries[0].LogGroupName) != "g" ||
		qs.Queries[0].QueryLanguage != types.QueryLanguageCwli {
		t.Fatalf("queries %+v, want query string %q", qs.Queries, want)
	}
}

// A query without a limit returns up to 10,000 events, and the limit command takes up
// to 100,000 (User Guide, "limit"; StartQuery's limit: "The default is 10,000.").
func TestInsightsDefaultLimit(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	msgs := make([]string, 1500)
	for i := range msgs {
		msgs[i] = fmt.Sprintf(`{"i":%d}`, i)
	}
	e.put("g", "s", e.now()-60_000, msgs...)
	if rows, _ := e.query(`fields @message`, "g"); len(rows) != 1500 {
		t.Fatalf("a query without limit returned %d of 1500 events", len(rows))
	}
	if rows, _ := e.query(`fields @message | limit 100000`, "g"); len(rows) != 1500 {
		t.Fatalf("limit 100000 returned %d of 1500 events", len(rows))
	}
	_, err := e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String("fields @message | limit 100001"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	wantError(t, err, "MalformedQueryException", 400, "")
}

// sort orders values as the User Guide's "sort" page shows: non-numbers before
// numbers, natural order among non-numbers (digit runs by length, then value).
func TestInsightsSortOrder(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	// The page's example, in ascending order.
	want := []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}
	var msgs []string
	for i := len(want) - 1; i >= 0; i-- {
		msgs = append(msgs, fmt.Sprintf(`{"v":%q}`, want[i]))
	}
	e.put("g", "s", e.now()-60_000, msgs...)
	rows, _ := e.query(`fields v | sort v asc`, "g")
	var got []string
	for _, r := range rows {
		got = append(got, strings.TrimPrefix(r, "v="))
	}
	if !equal(got, want) {
		t.Fatalf("sort v asc:\n got %q\nwant %q", got, want)
	}
	rows, _ = e.query(`fields v | sort v desc | limit 3`, "g")
	if strings.Join(rows, ",") != "v=3,v=2,v=1" {
		t.Fatalf("sort v desc: %v", rows)
	}
}
