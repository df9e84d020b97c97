package filterpattern

import (
	"strings"
	"testing"
)

// The conformance table: every example of AWS's filter pattern pages, each as a
// (pattern, event, match?) case. Sources:
//
//	[A] "Filter pattern syntax for metric filters, subscription filters, and filter
//	    log events" (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
//	    the 2023 revision published on GitHub as awsdocs/amazon-cloudwatch-logs-user-guide)
//	[B] the earlier "Filter and Pattern Syntax" revision of the same page
//	[C] the current page's "Supported regular expressions (regex) syntax" section
//	    (operators ^ $ ? [ ] { } | \ * + . ; no parentheses; %something!% rejected)
//
// Cases marked "ours" are not on the pages: they pin the behaviour where the pages
// are silent or contradict themselves (noted in place).
type conformanceCase struct {
	source  string
	pattern string
	event   string
	match   bool
}

const (
	err400 = "[ERROR 400] BAD REQUEST"
	err401 = "[ERROR 401] UNAUTHORIZED REQUEST"
	err419 = "[ERROR 419] MISSING ARGUMENTS"
	err420 = "[ERROR 420] INVALID ARGUMENTS"
	err500 = "[ERROR 500] INTERNAL SERVER ERROR"

	orEv1 = "ERROR WARN message"
	orEv2 = "ERROR message"
	orEv3 = "WARN message"

	// [B]'s JSON example, with the ThisFlag member [A] dropped.
	jsonEx = `{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "ThisFlag": true}`
	// The compound-conditions example of both revisions.
	jsonCompound = `{"user": {"id": 1, "email": "John.Stiles@example.com"}, "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}], "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}`

	apache1 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	apache2 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	apache3 = `127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`
	apache4 = `127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	apache5 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
)

var conformance = []conformanceCase{
	// Terms in unstructured events.
	{"A match a single term", `ERROR`, err400, true},
	{"A match a single term", `ERROR`, err401, true},
	{"A match a single term", `ERROR`, err419, true},
	{"A match a single term", `ERROR`, err420, true},
	{"A match multiple terms", `ERROR ARGUMENTS`, err419, true},
	{"A match multiple terms", `ERROR ARGUMENTS`, err420, true},
	{"A match multiple terms", `ERROR ARGUMENTS`, err400, false},
	{"A match multiple terms", `ERROR ARGUMENTS`, err401, false},
	{"A match single and multiple terms", `?ERROR ?ARGUMENTS`, err400, true},
	{"A match single and multiple terms", `?ERROR ?ARGUMENTS`, err401, true},
	{"A match single and multiple terms", `?ERROR ?ARGUMENTS`, err419, true},
	{"A match single and multiple terms", `?ERROR ?ARGUMENTS`, err420, true},
	{"A match exact phrases", `"INTERNAL SERVER ERROR"`, err500, true},
	{"A match exact phrases", `"INTERNAL SERVER ERROR"`, err400, false},
	{"A include and exclude terms", `ERROR -ARGUMENTS`, err400, true},
	{"A include and exclude terms", `ERROR -ARGUMENTS`, err401, true},
	{"A include and exclude terms", `ERROR -ARGUMENTS`, err419, false},
	{"A include and exclude terms", `ERROR -ARGUMENTS`, err420, false},
	{"A match everything", `" "`, err400, true},
	{"A match everything", `" "`, "nospaces", true},
	{"B match everything", `""`, "anything at all", true},
	{"B single term", `ERROR`, "[ERROR] A fatal exception has occurred", true},
	{"B single term", `ERROR`, "Exiting with ERRORCODE: -1", true},
	{"B include a term and exclude a term", `"ERROR" - "Exiting"`, "Exiting with ERRORCODE: -1", false},
	{"B include a term and exclude a term", `"ERROR" - "Exiting"`, "[ERROR] A fatal exception has occurred", true},
	{"B multiple terms", `ERROR Exception`, "[ERROR] Caught IllegalArgumentException", true},
	{"B multiple terms", `ERROR Exception`, "[ERROR] Unhandled Exception", true},
	{"B multiple terms", `Failed to process the request`, "[WARN] Failed to process the request", true},
	{"B multiple terms", `Failed to process the request`, "[ERROR] Unable to continue: Failed to process the request", true},
	{"B OR pattern matching", `ERROR`, orEv1, true},
	{"B OR pattern matching", `ERROR`, orEv2, true},
	{"B OR pattern matching", `ERROR`, orEv3, false},
	{"B OR pattern matching", `?ERROR ?WARN`, orEv1, true},
	{"B OR pattern matching", `?ERROR ?WARN`, orEv2, true},
	{"B OR pattern matching", `?ERROR ?WARN`, orEv3, true},
	{"B OR pattern matching", `ERROR WARN`, orEv1, true},
	{"B OR pattern matching", `ERROR WARN`, orEv2, false},
	{"B OR pattern matching", `ERROR WARN`, orEv3, false},
	{"B OR pattern matching", `ERROR -WARN`, orEv1, false},
	{"B OR pattern matching", `ERROR -WARN`, orEv2, true},
	{"B OR pattern matching", `ERROR -WARN`, orEv3, false},
	{"ours: terms are case-sensitive", `ERROR`, "error: lower case", false},
	{"ours: a ?term beside a plain term does not widen the match", `ERROR ?WARN`, orEv3, false},

	// OR in space-delimited and JSON patterns.
	{"B OR space-delimited", `[w1=ERROR, w2]`, orEv2, true},
	{"B OR space-delimited", `[w1=ERROR, w2]`, orEv1, false},
	{"B OR space-delimited", `[w1=ERROR, w2]`, orEv3, false},
	{"B OR space-delimited", `[w1=ERROR || w1=WARN, w2]`, orEv2, true},
	{"B OR space-delimited", `[w1=ERROR || w1=WARN, w2]`, orEv3, true},
	{"B OR space-delimited", `[w1=ERROR || w1=WARN, w2]`, orEv1, false},
	// [B] says [w1!=ERROR&&w1!=WARN, w2] matches "ERROR WARN message", which its own
	// [w1=ERROR, w2] example contradicts (three fields, two slots): we keep the field
	// count rule, so it matches a two-field line whose first word is neither.
	{"B OR space-delimited (ours where B contradicts itself)", `[w1!=ERROR&&w1!=WARN, w2]`, orEv1, false},
	{"B OR space-delimited (ours where B contradicts itself)", `[w1!=ERROR&&w1!=WARN, w2]`, orEv2, false},
	{"B OR space-delimited (ours where B contradicts itself)", `[w1!=ERROR&&w1!=WARN, w2]`, "INFO message", true},
	{"B OR JSON", `{$.foo = bar}`, `{"foo": "bar"}`, true},
	{"B OR JSON", `{$.foo = bar}`, `{"foo": "baz"}`, false},
	{"B OR JSON", `{$.foo = baz }`, `{"foo": "baz"}`, true},
	{"B OR JSON", `{$.foo = bar || $.foo = baz }`, `{"foo": "bar"}`, true},
	{"B OR JSON", `{$.foo = bar || $.foo = baz }`, `{"foo": "baz"}`, true},
	{"ours: JSON patterns match only JSON events", `{$.foo = bar}`, `foo bar`, false},

	// JSON examples.
	{"A/B JSON string", `{ $.eventType = "UpdateTrail" }`, jsonEx, true},
	{"A/B JSON wildcard", `{ $.sourceIPAddress != 123.123.* }`, jsonEx, true},
	{"A/B JSON wildcard", `{ $.sourceIPAddress != 111.111.* }`, jsonEx, false},
	{"A/B JSON array element", `{ $.arrayKey[0] = "value" }`, jsonEx, true},
	{"A/B JSON array element", `{ $.arrayKey[1] = "value" }`, jsonEx, false},
	{"A/B JSON object in array", `{ $.objectList[1].id = 2 }`, jsonEx, true},
	{"A/B JSON object in array", `{ $.objectList[0].id = 2 }`, jsonEx, false},
	{"A/B JSON IS NULL", `{ $.SomeObject IS NULL }`, jsonEx, true},
	{"A/B JSON IS NULL", `{ $.eventType IS NULL }`, jsonEx, false},
	{"A/B JSON NOT EXISTS", `{ $.SomeOtherObject NOT EXISTS }`, jsonEx, true},
	{"A/B JSON NOT EXISTS", `{ $.SomeObject NOT EXISTS }`, jsonEx, false},
	{"B JSON IS TRUE", `{ $.ThisFlag IS TRUE }`, jsonEx, true},
	{"B JSON IS FALSE", `{ $.ThisFlag IS FALSE }`, jsonEx, false},
	{"B JSON IS FALSE", `{ $.ThisFlag IS FALSE }`, `{"ThisFlag": false}`, true},
	{"B JSON wildcard at start", `{ $.name = *Event }`, `{"name": "PutEvent"}`, true},
	{"B JSON wildcard at end", `{ $.name = Event* }`, `{"name": "EventName"}`, true},
	{"B JSON a middle * is itself", `{ $.name = "Ev*ent" }`, `{"name": "Evolvent"}`, false},
	{"B JSON a middle * is itself", `{ $.name = "Ev*ent" }`, `{"name": "Ev*ent"}`, true},
	{"A/B JSON compound &&", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, jsonCompound, true},
	{"A/B JSON compound doesn't match", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, jsonCompound, false},
	{"B JSON precedence", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, jsonCompound, true},
	{"B JSON precedence", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, jsonCompound, false},
	{"A JSON ||", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`, jsonCompound, true},
	{"A JSON && doesn't match", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }`, jsonCompound, false},
	{"ours: nested arrays", `{ $.coordinates[2][0] = 7 }`, jsonCompound, true},
	{"A/B selector at an array matches nothing", `{$.users = 1}`, `{"users": [1, 2, 3]}`, false},
	{"A/B selector at an array matches nothing", `{$.users != 1}`, `{"users": [1, 2, 3]}`, false},
	{"B numeric", `{ $.latency >= 500 }`, `{"latency": 500}`, true},
	{"B numeric", `{ $.latency >= 500 }`, `{"latency": 499.9}`, false},
	{"B numeric", `{ $.numbers[0] < 10e3 }`, `{"numbers": [9999]}`, true},
	{"B numeric", `{ $.numbers[0] < 10e3 }`, `{"numbers": [10000]}`, false},
	{"B numeric", `{ $.numbers[0] < 10e-3 }`, `{"numbers": [0.001]}`, true},
	{"B numeric", `{ $.processes[4].averageRuntime <= 55.5 }`, `{"processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}]}`, true},
	{"B numeric", `{ $.errorCode = 400 }`, `{"errorCode": 400}`, true},
	{"B numeric", `{ $.errorCode = 400 }`, `{"errorCode": 4e2}`, true},
	{"B numeric", `{ $.errorCode != 500 }`, `{"errorCode": 400}`, true},
	{"B numeric", `{ $.errorCode != 500 }`, `{"errorCode": 500}`, false},
	{"B numeric", `{ $.latency > +1000 }`, `{"latency": 1001}`, true},
	{"A numeric", `{ $.bandwidth > 75 }`, `{"bandwidth": 76}`, true},
	{"A numeric", `{ $.latency < 50 }`, `{"latency": 50}`, false},
	{"A numeric", `{ $.refreshRate >= 60 }`, `{"refreshRate": 60}`, true},
	{"A numeric", `{ $.responseTime <= 5 }`, `{"responseTime": 6}`, false},
	{"A numeric", `{ $.errorCode = 400}`, `{"errorCode": 400}`, true},
	{"A numeric", `{ $.number[0] = 1e-3 }`, `{"number": [0.001]}`, true},
	{"A numeric", `{ $.number[0] != 1e+3 }`, `{"number": [1000]}`, false},
	{"ours: a missing member matches no comparison", `{ $.latency < 50 }`, `{"other": 1}`, false},
	{"ours: a missing member matches no comparison", `{ $.eventType != "X" }`, `{"other": 1}`, false},
	{"A dimensions example", `{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }`, jsonEx, true},
	{"A/B metric value from a field", `{ $.latency = * }`, `{"latency": 50, "requestType": "GET"}`, true},
	{"A/B metric value from a field", `{ $.latency = * }`, `{"requestType": "GET"}`, false},

	// Space-delimited events.
	{"B all fields", `[ip, user, username, timestamp, request, status_code, bytes]`, apache1, true},
	{"B ellipsis", `[..., status_code, bytes]`, apache1, true},
	{"B ellipsis", `[ip, user, ..., status_code, bytes]`, apache2, true},
	{"B ellipsis", `[ip, user, ...]`, apache3, true},
	{"B conditions", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, apache1, true},
	{"B conditions", `[ip, user, username, timestamp, request, status_code, bytes > 5000]`, apache1, false},
	{"B conditions", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, apache1, true},
	{"B conditions", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, apache2, false},
	{"B conditions", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, apache1, false},
	{"B conditions", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, apache5, true},
	{"B conditions", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apache5, true},
	{"B conditions", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apache1, false},
	{"B &&", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, apache5, true},
	{"B ||", `[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, apache5, true},
	{"B ||", `[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, apache1, false},
	{"B extracted fields", `[..., request=*.html*, status_code=4*,]`, apache5, true},
	{"A space-delimited filter", `[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`, apache4, true},
	{"A ellipsis", `[..., request =*.html*, status_code = 4*, bytes]`, apache4, true},
	{"A ||", `[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]`, apache4, true},
	{"A dimensions", `[ip, server, username, timestamp, request, status_code, bytes > 1000]`, apache4, true},
	{"A match terms in order", `[w1=ERROR, w2]`, "ERROR something", true},
	{"A match terms in order", `[w1=ERROR, w2]`, "WARNING something", false},
	{"A && and ||", `[w1=ERROR || W1=WARNING, w2]`, "WARNING something", true},
	{"A exclude terms", `[w1!=ERROR && w1!=WARNING, w2]`, "WARNING something", false},
	{"A exclude terms", `[w1!=ERROR && w1!=WARNING, w2]`, "INFO something", true},

	// Regular expressions [C].
	{"C regex term", `%ERROR%`, err400, true},
	{"C regex alternation", `%gray|grey%`, "the grey cat", true},
	{"C regex alternation", `%gray|grey%`, "the green cat", false},
	{"C regex escape", `%10\.10\.0\.1%`, "from 10.10.0.1 port 22", true},
	{"C regex escape", `%10\.10\.0\.1%`, "from 10110001 port 22", false},
	{"C regex optional", `%colou?r%`, "color", true},
	{"C regex optional", `%colou?r%`, "colour", true},
	{"C regex anchors", `%^ERROR%`, "ERROR at start", true},
	{"C regex anchors", `%^ERROR%`, "not at start ERROR", false},
	{"C regex anchors", `%done$%`, "all done", true},
	{"C regex classes and counts", `%ERROR 4[0-9]{2}%`, err419, true},
	{"C regex classes and counts", `%ERROR 4[0-9]{2}%`, err500, false},
	{"C regex + and .", `%ARG.+S%`, err420, true},
	{"C regex in JSON", `{ $.eventType = %Update.*% }`, jsonEx, true},
	{"C regex in JSON", `{ $.eventType != %^Update% }`, jsonEx, false},
	{"C regex in space-delimited", `[w1=%ERR[A-Z]+%, w2]`, "ERROR something", true},
	{"C regex in space-delimited", `[w1=%ERR[A-Z]+%, w2]`, "ERR something", false},
}

func TestConformance(t *testing.T) {
	for _, c := range conformance {
		t.Run(c.source+": "+c.pattern+" ~ "+shorten(c.event), func(t *testing.T) {
			p, err := Parse(c.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.pattern, err)
			}
			if got := p.Match(c.event); got != c.match {
				t.Fatalf("Match(%q) = %v, want %v", c.event, got, c.match)
			}
			r, ok := p.Evaluate(c.event)
			if ok != c.match || ok && r == nil {
				t.Fatalf("Evaluate(%q) = %v, want %v", c.event, ok, c.match)
			}
		})
	}
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Patterns AWS refuses.
func TestInvalidPatterns(t *testing.T) {
	for _, p := range []string{
		// GitHub awsdocs issue 21: pasting [B]'s `status_code = 4* && bytes > 1000` into
		// CloudWatch gives "Invalid filter pattern" (bytes is not one of its fields).
		`[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`,
		`%something!%`,                 // [C]
		`%(ab)%`,                       // [C]: no parentheses
		`%é%`,                          // [C]: no multi-byte characters
		`{ $.SomeObject IS NOT NULL }`, // [A]: IS NOT is not supported
		`{ $.SomeObject EXISTS }`,      // [A]: EXISTS is not supported
		`{ $.a = }`,
		`{ $.a < abc }`,
		`{ a = 1 }`,
		`{ $.a = 1`,
		`[a, b`,
		`{ ($.a = 1 }`,
		`"unterminated`,
		`{ $.a = %x% && $.b = %y% && $.c = %z% }`, // more than two regex
		`{ $.[0] = 1 }`,
		`[..., a, ...]`,
	} {
		if _, err := Parse(p); err == nil {
			t.Errorf("Parse(%q) accepted a pattern AWS refuses", p)
		}
	}
}

// The extracted values of [A] and [B] (TestMetricFilter's extractedValues), and the
// metric value and dimension lookups.
func TestExtractedValues(t *testing.T) {
	p := MustParse(`[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`)
	r, ok := p.Evaluate(apache4)
	if !ok {
		t.Fatal("no match")
	}
	want := map[string]string{"$bytes": "1534", "$status_code": "404", "$request": "GET /index.html HTTP/1.0",
		"$timestamp": "10/Oct/2000:13:25:15 -0700", "$username": "frank", "$user": "Prod", "$ip": "127.0.0.1"}
	assertFields(t, r.Fields, want)

	r, _ = MustParse(`[..., request=*.html*, status_code=4*,]`).Evaluate(apache5)
	assertFields(t, r.Fields, map[string]string{"$status_code": "404", "$request": "GET /index.html HTTP/1.0", "$7": "1534",
		"$4": "10/Oct/2000:13:25:15 -0700", "$3": "frank", "$2": "-", "$1": "127.0.0.1"})

	r, _ = MustParse(`[ip, server, username, timestamp, request, status_code, bytes > 1000]`).Evaluate(apache4)
	if v, ok := r.Lookup("$server"); !ok || v != "Prod" {
		t.Fatalf("dimension $server = %q, %v", v, ok)
	}
	r, _ = MustParse(`{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }`).Evaluate(jsonEx)
	if v, ok := r.Lookup("$.eventType"); !ok || v != "UpdateTrail" {
		t.Fatalf("dimension $.eventType = %q, %v", v, ok)
	}
	if len(r.Fields) != 0 {
		t.Fatalf("JSON patterns extract no fields, got %v", r.Fields)
	}
	r, _ = MustParse(`{ $.latency = * }`).Evaluate(`{"latency": 50, "requestType": "GET"}`)
	if v, ok := r.Lookup("$.latency"); !ok || v != "50" {
		t.Fatalf("metric value $.latency = %q, %v", v, ok)
	}
	if _, ok := r.Lookup("$.missing"); ok {
		t.Fatal("a missing member resolved")
	}
	// A terms pattern can still read a JSON event's members (a metric value of $.x on
	// a pattern of plain terms).
	r, _ = MustParse(`GET`).Evaluate(`{"latency": 7, "requestType": "GET"}`)
	if v, ok := r.Lookup("$.latency"); !ok || v != "7" {
		t.Fatalf("lookup through a terms pattern = %q, %v", v, ok)
	}
}

func assertFields(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("field %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

func TestMatchAllAndKinds(t *testing.T) {
	for _, s := range []string{"", "  ", `""`, `" "`} {
		if p := MustParse(s); !p.MatchAll() || p.Kind() != KindTerms {
			t.Errorf("%q should match everything", s)
		}
	}
	if MustParse(`{ $.a = 1 }`).Kind() != KindJSON || MustParse(`[a, b]`).Kind() != KindDelimited {
		t.Fatal("kinds")
	}
	if n := MustParse(`{ $.a = %x% || $.b = %y% }`).RegexCount(); n != 2 {
		t.Fatalf("regex count %d", n)
	}
	if !strings.Contains(MustParse(`ERROR`).String(), "ERROR") {
		t.Fatal("String")
	}
}
