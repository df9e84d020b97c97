package logs

import "testing"

// FuzzParseInsights: any query string parses or fails with a MalformedQueryException
// message; it never panics (StartQuery would answer a 500).
func FuzzParseInsights(f *testing.F) {
	for _, q := range []string{
		`fields @timestamp, @message | sort @timestamp desc | limit 20`,
		`parse @message "user=* action=*" as user, action | stats count(*) by user, bin(5m)`,
		`parse @message /(?<user>\S+) did (?<action>\S+)/ | dedup user | limit 3`,
		`filter errorCode like /AccessDenied|Unauthorized/ and not isIpv4InSubnet(sourceIPAddress, "10.0.0.0/8")`,
		`fields substr(concat(a, "-", b), 1, 2) as x, -2 ^ 3 % 2 as y | display x`,
		"stats sum(x)/1024 as mb, pct(y, 95) by dateceil(@t, 10m) | stats max(mb)\n# c",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := parseInsights(q); err != nil {
			if _, ok := err.(*qerr); !ok {
				t.Fatalf("%q: %T %v", q, err, err)
			}
		}
	})
}
