package logs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/palisade/palisade/internal/app/apptest"
)

const layout = "2006-01-02 15:04:05.000"

// queryRows runs q and fails unless its rows, joined by " | ", are want.
func (e *env) queryRows(q, want string, groups ...string) {
	e.Helper()
	rows, _ := e.query(q, groups...)
	if got := strings.Join(rows, " | "); got != want {
		e.Fatalf("query %s\n got: %s\nwant: %s", q, got, want)
	}
}

// badQuery asserts StartQuery rejects q with MalformedQueryException and message msg
// ("" for any).
func (e *env) badQuery(q, msg string) {
	e.Helper()
	_, err := e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String(q),
		StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	wantError(e.T, err, "MalformedQueryException", 400, msg)
}

// parse extracts fields with a glob (each * matching as little as it can, the last
// the rest) or a regex's named groups; later commands use them, events that do not
// match stay without them, and they are shown with the default fields (User Guide,
// "parse").
func TestInsightsParse(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	base := e.now() - 60_000
	e.put("g", "s", base,
		"user=alice action=login latency=12",
		"user=bob action=delete latency=40",
		"no fields here",
		"user=alice action=delete latency=8")

	e.queryRows(`parse @message "user=* action=* latency=*" as user, action, latency | filter action = "delete" | sort latency desc | display user, latency`,
		"user=bob latency=40 | user=alice latency=8", "g")
	e.queryRows(`parse @message /user=(?<user>\S+) action=(?<action>\S+)/ | stats count(*) as n by user, action | sort user, action`,
		"n=1 | user=alice action=delete n=1 | user=alice action=login n=1 | user=bob action=delete n=1", "g")
	// Without fields or display, rows carry @timestamp, @message and the extracted
	// fields; an event the pattern misses keeps only the first two.
	rows, _ := e.query(`parse @message "user=* action=*" as who, what | sort @timestamp asc`, "g")
	if len(rows) != 4 || !strings.HasSuffix(rows[0], "@message=user=alice action=login latency=12 who=alice what=login latency=12") ||
		!strings.HasSuffix(rows[2], "@message=no fields here") {
		t.Fatalf("parse default columns: %q", rows)
	}
	// The extracted values are numbers for arithmetic and comparisons.
	e.queryRows(`parse @message "latency=*" as ms | filter ms > 10 | stats sum(ms) as total, avg(ms * 2) as dbl`, "total=52 dbl=52", "g")
	// fields names fields that later commands use.
	e.queryRows(`fields concat(toupper(substr(@message, 5, 1)), substr(@message, 6, 4)) as who | display who | filter who like /^A/ | sort @timestamp | dedup who`,
		"who=Alice", "g")

	// The field defaults to @message; "as" names a regex's groups; parse chains; and
	// the logfmt and csv modes.
	e.queryRows(`parse "user=* action=*" as u, rest | parse rest /(\S+) latency=(\d+)/ as act, ms | filter ms < 20 | sort ms | display u, act, ms`,
		"u=alice act=delete ms=8 | u=alice act=login ms=12", "g")
	e.stream("g", "kv")
	e.put("g", "kv", base+10, `level=error msg="disk \"full\"" dur=12 retry`, `host-1,GET,/api/users,500,0.25`)
	e.queryRows(`parse logfmt as lf | filter lf.level = "error" | display lf.msg, lf.dur, lf.retry`, `lf.msg=disk "full" lf.dur=12 lf.retry=true`, "g")
	e.queryRows(`filter @logStream = "kv" | parse @message csv as host, method, path, status | filter status >= 500 | display host, method, path, status`,
		"host=host-1 method=GET path=/api/users status=500", "g")

	e.badQuery(`parse @message "user=* action=*" as user`,
		"The number of fields in the parse command (1) does not match the number of wildcards in the pattern (2)")
	e.badQuery(`parse @message /user=(\S+)/`, "unexpected symbol found /user=(\\S+)/ at line 1 and position 15")
	e.badQuery(`parse /user=(\S+) (\S+)/ as user`, "The number of fields in the parse command (1) does not match the number of capturing groups in the pattern (2)")
	e.badQuery(`parse @message "user=*"`, "unexpected symbol found <EOF> at line 1 and position 23")
}

// dedup keeps the first row of each combination in the current order (@timestamp
// descending without a sort) and keeps rows missing a field; only limit may follow.
// display is the final projection, the last one counting.
func TestInsightsDedupDisplay(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	base := e.now() - 60_000
	e.put("g", "s", base,
		`{"server":"a","sev":"low","n":1}`,
		`{"server":"b","sev":"low","n":2}`,
		`{"server":"a","sev":"high","n":3}`,
		`{"sev":"low","n":4}`,
		`{"sev":"low","n":5}`,
		`{"server":"b","sev":"low","n":6}`)

	e.queryRows(`fields server, n | dedup server`, "server=b n=6 | n=5 | n=4 | server=a n=3", "g")
	e.queryRows(`fields server, n | sort n asc | dedup server | limit 2`, "server=a n=1 | server=b n=2", "g")
	e.queryRows(`fields server, sev, n | display n | sort n asc | dedup server, sev`, "n=1 | n=2 | n=3 | n=4 | n=5", "g")
	e.queryRows(`fields server, sev | display sev | filter n > 4 | display n, server`, "n=6 server=b | n=5", "g")
	// "The only query command that you can use in a query after the dedup command is
	// limit."; AWS answers "unexpected symbol found sort" for a sort there.
	e.badQuery(`fields server | dedup server | sort server`, "unexpected symbol found sort at line 1 and position 31")
}

// The aggregates of the stats page: count_distinct, pct, stddev, earliest, latest,
// sortsFirst, sortsLast; several by fields; arithmetic over aggregates; and a second
// stats over the first's rows (at most two, sort and limit after the second).
func TestInsightsStatsAggregates(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	base := e.now() - 60_000
	var msgs []string
	for i := range 10 {
		msgs = append(msgs, fmt.Sprintf(`{"svc":"%s","op":"%s","ms":%d,"ip":"10.0.0.%d","code":"c%d"}`,
			[]string{"api", "db"}[i%2], []string{"get", "put", "get", "del", "get"}[i%5], (i+1)*10, i%3, 9-i))
	}
	e.put("g", "s", base, msgs...)

	e.queryRows(`stats count(*) as n, count_distinct(ip) as ips, pct(ms, 50) as p50, pct(ms, 90) as p90, min(ms), max(ms) by svc | sort svc`,
		"svc=api n=5 ips=3 p50=50 p90=90 min(ms)=10 max(ms)=90 | svc=db n=5 ips=3 p50=60 p90=100 min(ms)=20 max(ms)=100", "g")
	e.queryRows(`stats earliest(code) as first, latest(code) as last, sortsFirst(code) as lo, sortsLast(code) as hi, earliest(@timestamp) as t0`,
		fmt.Sprintf("first=c9 last=c0 lo=c0 hi=c9 t0=%d", base), "g")
	e.queryRows(`stats stddev(ms) as sd, sum(ms) / count(*) as mean by svc | sort svc`,
		"svc=api sd=31.622776601683793 mean=50 | svc=db sd=31.622776601683793 mean=60", "g")
	e.queryRows(`stats count(*) as n by svc, op | sort svc, op`,
		"svc=api op=del n=1 | svc=api op=get n=3 | svc=api op=put n=1 | svc=db op=del n=1 | svc=db op=get n=3 | svc=db op=put n=1", "g")
	// "STATS count_distinct(client_ip) AS session_ips, count(*) AS requests BY ...
	// | FILTER session_ips > 1 | STATS count(*) ..., sum(requests) / count(*) ..."
	e.queryRows(`stats count_distinct(ip) as ips, count(*) as requests by svc, op | filter ips > 1 | stats count(*) as groups, sum(requests) / count(*) as avg_requests by svc | sort svc`,
		"svc=api groups=1 avg_requests=3 | svc=db groups=1 avg_requests=3", "g")
	e.queryRows(`stats sum(ms) as total, max(@timestamp) as @t by op | stats max(total) as peak, count(*) as ops by dateceil(@t, 1d) as day | display peak, ops`,
		"peak=330 ops=3", "g")
	e.badQuery(`stats count(*) by svc | stats count(*) | stats count(*)`, "unexpected symbol found stats at line 1 and position 41")
	e.queryRows(`sort ms desc | limit 3 | stats count(*) as n, min(ms) as low`, "n=3 low=80", "g")
	e.badQuery(`stats count(*) as n by svc | sort n | stats max(n)`, "unexpected symbol found stats at line 1 and position 38")
	e.badQuery(`filter count(*) > 1`, "unexpected symbol found count at line 1 and position 7")
	e.badQuery(`stats pct(ms) by svc`, "unexpected symbol found ) at line 1 and position 12")
}

// The functions of "Boolean, comparison, numeric, datetime, and other functions" and
// "String functions" in fields and filter, with aliases and arithmetic.
func TestInsightsFunctions(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	base := e.now() - 60_000
	e.put("g", "s", base, `{"s":"  xyZfooxyZ ","n":-2.5,"ip":"192.0.2.44","ip6":"2001:db8::1","blank":"   ","ms":1700000000123,"when":"2026-11-29T12:00:00Z","flag":true}`)

	e.queryRows(`fields trim(s) as t, ltrim(s) as l, rtrim(s) as r, trim(trim(s), "xyZ") as core, strlen(s) as len, toupper(s) as up, tolower(trim(s)) as low | display t, l, r, core, len, up, low`,
		"t=xyZfooxyZ l=xyZfooxyZ  r=  xyZfooxyZ core=foo len=12 up=  XYZFOOXYZ  low=xyzfooxyz", "g")
	e.queryRows(`fields substr(trim(s), 3, 3) as a, substr(trim(s), 6) as b, replace(s, "xyZ", "-") as c, strcontains(s, "foo") as d, strcontains(s, "FOO") as e2, concat(ip, "/", n) as f | display a, b, c, d, e2, f`,
		"a=foo b=xyZ c=  -foo-  d=1 e2=0 f=192.0.2.44/-2.5", "g")
	e.queryRows(`fields isempty(missing) as a, isempty(s) as b, isblank(blank) as c, isblank(s) as d, coalesce(missing, nope, n) as e2, ispresent(missing) as f | display a, b, c, d, e2, f`,
		"a=1 b=0 c=1 d=0 e2=-2.5 f=0", "g")
	e.queryRows(`fields abs(n) as a, ceil(n) as b, floor(n) as c, greatest(n, 3, 1) as d, least(n, 3, 1) as e2, sqrt(16) as f, log(1) as g, 2 ^ 3 as h, 10 % 3 as i, (n + 0.5) * -2 as j | display a, b, c, d, e2, f, g, h, i, j`,
		"a=2.5 b=-2 c=-3 d=3 e2=-2.5 f=4 g=0 h=8 i=1 j=4", "g")
	t0 := time.UnixMilli(base).UTC()
	floor := func(d time.Duration) string { return t0.Truncate(d).Format(layout) }
	ceil15 := t0.Truncate(15 * time.Minute)
	if !ceil15.Equal(t0) {
		ceil15 = ceil15.Add(15 * time.Minute)
	}
	month := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC).Format(layout)
	e.queryRows(`fields fromMillis(ms) as a, toMillis(@timestamp) as b, datefloor(@timestamp, 1h) as c, dateceil(@timestamp, 15m) as d, datefloor(@timestamp, 1mo) as e2, toMillis(when) as f, bin(1d) as g | display a, b, c, d, e2, f, g`,
		fmt.Sprintf("a=2023-11-14 22:13:20.123 b=%d c=%s d=%s e2=%s f=1795953600000 g=%s", base, floor(time.Hour), ceil15.Format(layout), month, floor(24*time.Hour)), "g")
	e.queryRows(`fields isValidIp(ip) as a, isValidIp(s) as b, isValidIpV4(ip6) as c, isValidIpV6(ip6) as d, isIpv4InSubnet(ip, "192.0.2.0/24") as e2, isIpv4InSubnet(ip, "10.0.0.0/8") as f, isIpInSubnet(ip6, "2001:db8::/32") as g, isIpv6InSubnet(ip, "::/0") as h | display a, b, c, d, e2, f, g, h`,
		"a=1 b=0 c=0 d=1 e2=1 f=0 g=1 h=0", "g")
	e.queryRows(`filter isIpv4InSubnet(ip, "192.0.2.0/24") and strlen(s) - 2 = 10 and not isempty(s) | fields n * 4 as x | display x`, "x=-10", "g")
	e.queryRows(`filter isIpv4InSubnet(ip, "198.51.100.0/24") | display ip`, "", "g")
	// Predicates show as 1 or 0 and count as numbers; a JSON true stays true and
	// equals the literal true.
	e.queryRows(`fields ispresent(ip) as p, n < 0 as neg, flag, flag = true as t, isValidIp(ip) = true as v | stats sum(p) as ps, max(neg) as negs, sortsFirst(flag) as f, min(t) as ts, min(v) as vs`,
		"ps=1 negs=1 f=true ts=1 vs=1", "g")
}

// A query the language does not take fails StartQuery with MalformedQueryException
// "unexpected symbol found <token> at line <n> and position <p>" (positions from 0 in
// their line), never a server error.
func TestInsightsMalformed(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	for q, msg := range map[string]string{
		"frobnicate everything":                          "unexpected symbol found frobnicate at line 1 and position 0",
		"fields @message |":                              "unexpected symbol found <EOF> at line 1 and position 17",
		"":                                               "unexpected symbol found <EOF> at line 1 and position 0",
		"fields @message\n| filter x = ":                 "unexpected symbol found <EOF> at line 2 and position 13",
		"fields @message\n  | sort bin(1d) desc":         "unexpected symbol found ( at line 2 and position 12",
		`filter @message like /error/i`:                  "unexpected symbol found i at line 1 and position 28",
		`filter (a = 1`:                                  "unexpected symbol found <EOF> at line 1 and position 13",
		`fields nosuchfn(@message)`:                      "unexpected symbol found nosuchfn at line 1 and position 7",
		`fields a b`:                                     "unexpected symbol found b at line 1 and position 9",
		`stats count(*) by`:                              "unexpected symbol found <EOF> at line 1 and position 17",
		`fields strlen(@message, 2)`:                     "Invalid number of arguments for function strlen: 2",
		`filter x like "unterminated`:                    `unexpected symbol found "unterminated at line 1 and position 14`,
		`fields datefloor(@timestamp, 5parsecs)`:         "unexpected symbol found 5parsecs at line 1 and position 29",
		`filter @message like /(unclosed/`:               "unexpected symbol found /(unclosed/ at line 1 and position 21",
		"# only a comment\nfields @message | limit 0":    "limit must be a number from 1 to 100000",
		`fields @message | limit many`:                   "unexpected symbol found many at line 1 and position 24",
		`display @message, `:                             "unexpected symbol found <EOF> at line 1 and position 18",
		`filter a = 1 | dedup a | display a`:             "unexpected symbol found display at line 1 and position 25",
		`parse @message "a=*" as a | parse @message x y`: "unexpected symbol found x at line 1 and position 43",
	} {
		e.badQuery(q, msg)
	}
	// Comments and upper-case keywords are part of the language.
	e.stream("g", "s")
	e.put("g", "s", e.now()-1000, `{"Operation":"Get","StatusCode":200}`)
	e.queryRows("# comment\nFIELDS concat(Operation, '-', StatusCode) AS opStatus # trailing\n| STATS count(*) AS n BY opStatus", "opStatus=Get-200 n=1", "g")
}

// Typical detections over CloudTrail events delivered to CloudWatch Logs.
func TestInsightsCloudTrailDetections(t *testing.T) {
	e := newEnv(t)
	e.group("trail")
	e.stream("trail", "111122223333_CloudTrail_us-east-1")
	event := func(user, name, code, ip string, extra string) string {
		errPart := ""
		if code != "" {
			errPart = fmt.Sprintf(`"errorCode":%q,"errorMessage":"denied",`, code)
		}
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/%s","accountId":"111122223333","userName":%q},"eventTime":"2026-11-29T23:00:00Z","eventSource":"iam.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":%q,%s"readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"%s}`,
			user, user, name, ip, errPart, extra)
	}
	login := func(user, result, ip, mfa string) string {
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/%s","userName":%q},"eventTime":"2026-11-29T23:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":%q,"responseElements":{"ConsoleLogin":%q},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?region=us-east-1","MobileVersion":"No","MFAUsed":%q},"eventType":"AwsConsoleSignIn"}`,
			user, user, ip, result, mfa)
	}
	e.put("trail", "111122223333_CloudTrail_us-east-1", e.now()-60_000,
		event("mallory", "ListUsers", "AccessDenied", "203.0.113.9", ""),
		event("mallory", "ListUsers", "AccessDenied", "203.0.113.9", ""),
		event("mallory", "GetSecretValue", "AccessDenied", "203.0.113.10", ""),
		event("mallory", "RunInstances", "Client.UnauthorizedOperation", "203.0.113.10", ""),
		event("alice", "ListUsers", "", "10.1.2.3", ""),
		event("alice", "CreateAccessKey", "", "AWS Internal", ""),
		event("bob", "DeleteTrail", "AccessDenied", "198.51.100.7", ""),
		login("bob", "Failure", "198.51.100.7", "No"),
		login("bob", "Failure", "198.51.100.8", "No"),
		login("bob", "Success", "198.51.100.8", "No"),
		login("alice", "Success", "10.1.2.3", "Yes"),
	)

	e.queryRows(`filter errorCode like /AccessDenied|UnauthorizedOperation/ | stats count(*) as n by userIdentity.arn, eventName | sort n desc, eventName asc`,
		"userIdentity.arn=arn:aws:iam::111122223333:user/mallory eventName=ListUsers n=2 | "+
			"userIdentity.arn=arn:aws:iam::111122223333:user/bob eventName=DeleteTrail n=1 | "+
			"userIdentity.arn=arn:aws:iam::111122223333:user/mallory eventName=GetSecretValue n=1 | "+
			"userIdentity.arn=arn:aws:iam::111122223333:user/mallory eventName=RunInstances n=1", "trail")
	e.queryRows(`filter eventName = "ConsoleLogin" | parse additionalEventData.LoginTo "https://*/*?region=*" as host, path, region | stats count(*) as attempts, sum(strcontains(responseElements.ConsoleLogin, "Failure")) as failures, count_distinct(sourceIPAddress) as ips, latest(responseElements.ConsoleLogin) as last by userIdentity.userName, region | filter failures >= 2 | display userIdentity.userName, region, attempts, failures, ips, last`,
		"userIdentity.userName=bob region=us-east-1 attempts=3 failures=2 ips=2 last=Success", "trail")
	e.queryRows(`filter eventName = "ConsoleLogin" and additionalEventData.MFAUsed != "Yes" and responseElements.ConsoleLogin = "Success" | fields userIdentity.arn as who, sourceIPAddress as ip`,
		"who=arn:aws:iam::111122223333:user/bob ip=198.51.100.8", "trail")
	// Calls from outside the corporate network: only real addresses outside 10/8.
	e.queryRows(`filter isValidIp(sourceIPAddress) and not isIpv4InSubnet(sourceIPAddress, "10.0.0.0/8") | stats count(*) as calls, count_distinct(eventName) as apis, earliest(eventName) as first by sourceIPAddress | sort calls desc, sourceIPAddress asc | limit 2`,
		"sourceIPAddress=198.51.100.7 calls=2 apis=2 first=DeleteTrail | sourceIPAddress=198.51.100.8 calls=2 apis=1 first=ConsoleLogin", "trail")
	e.queryRows(`filter eventName in ["DeleteTrail", "StopLogging", "CreateAccessKey"] | fields userIdentity.userName as user, eventName, coalesce(errorCode, "ok") as outcome | sort @timestamp asc | display user, eventName, outcome`,
		"user=alice eventName=CreateAccessKey outcome=ok | user=bob eventName=DeleteTrail outcome=AccessDenied", "trail")
}

// StartQuery's limit applies after the query's commands, stats included, as a last
// limit would (a 2026 us-east-1 report: "the API limit is applied as a trailing
// stage").
func TestInsightsStartQueryLimitTrails(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	e.put("g", "s", e.now()-60_000, `{"k":"a"}`, `{"k":"b"}`, `{"k":"c"}`, `{"k":"d"}`)
	run := func(q string, limit int32) int {
		now := e.p.Clock.Now()
		id := apptest.Must(e.logs.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String(q), Limit: aws.Int32(limit),
			StartTime: aws.Int64(now.Add(-time.Hour).Unix()), EndTime: aws.Int64(now.Add(time.Minute).Unix())})).QueryId
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			out := apptest.Must(e.logs.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: id}))
			if out.Status == "Complete" {
				return len(out.Results)
			}
		}
		t.Fatalf("query %q did not complete", q)
		return 0
	}
	if n := run(`stats count(*) by k`, 2); n != 2 {
		t.Fatalf("stats with StartQuery limit 2: %d rows", n)
	}
	if n := run(`fields k | limit 3`, 2); n != 2 {
		t.Fatalf("limit 3 with StartQuery limit 2: %d rows", n)
	}
	if n := run(`fields k | limit 1`, 3); n != 1 {
		t.Fatalf("limit 1 with StartQuery limit 3: %d rows", n)
	}
}
