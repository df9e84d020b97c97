package policy

import (
	"testing"
	"time"
)

// The one date grammar (date.go): what IAM accepts in Date* conditions and the
// instant evaluation compares. Cases marked "recorded" are AWS's CreatePolicy
// answers (testdata/recorded_create_policy.json); the instants follow Joda-Time's
// parser, which those answers identify.
func TestDateGrammar(t *testing.T) {
	cases := []struct {
		in   string
		want string // RFC 3339 in UTC with milliseconds; "" = refused
	}{
		// Epoch seconds: any signed 64-bit integer, before any date reading.
		{"1577836800", "2020-01-01T00:00:00.000Z"},
		{"-292275054", "1960-09-27T04:29:06.000Z"}, // recorded accepted
		{"2020", "1970-01-01T00:33:40.000Z"},       // a year alone is epoch seconds
		{"+60", "1970-01-01T00:01:00.000Z"},
		{"9223372036854775807", "max"},
		{"9223372036854775808", ""}, // recorded refused
		// The W3C profile.
		{"2020-01-01", "2020-01-01T00:00:00.000Z"},
		{"2020-06", "2020-06-01T00:00:00.000Z"},
		{"2020-06-15T10:20Z", "2020-06-15T10:20:00.000Z"},
		{"2017-07-01T00:00:00Z", "2017-07-01T00:00:00.000Z"}, // recorded accepted
		{"2016-12-13T21:20:37.593194+00:00", "2016-12-13T21:20:37.593Z"},
		{"2020-01-01T05:30:00+05:30", "2020-01-01T00:00:00.000Z"},
		{"2019-12-31T19:00:00-05:00", "2020-01-01T00:00:00.000Z"},
		{"2020-01-01T00:00:00.5Z", "2020-01-01T00:00:00.500Z"},
		{"2020-01-01T00:00:00,25Z", "2020-01-01T00:00:00.250Z"},
		{"2020-01-01T00:00:00.999999999Z", "2020-01-01T00:00:00.999Z"},
		{"2020-01-01t00:00:00z", "2020-01-01T00:00:00.000Z"},
		{"2020-01-01T00:00:00", "2020-01-01T00:00:00.000Z"}, // no offset: UTC
		// Joda's further forms, as IAM accepts them.
		{"01T", "0001-01-01T00:00:00.000Z"},                                // recorded accepted
		{"2016-12-13t2:00:00.593194+23", "2016-12-12T03:00:00.593Z"},       // recorded accepted
		{"2016-366", "2016-12-31T00:00:00.000Z"},                           // ordinal day
		{"2016-012", "2016-01-12T00:00:00.000Z"},                           // three digits: ordinal
		{"2016-W05-3", "2016-02-03T00:00:00.000Z"},                         // ISO week date
		{"2016-W05", "2016-02-04T00:00:00.000Z"},                           // no day: Thursday
		{"2015-W53-7", "2016-01-03T00:00:00.000Z"},                         // 2015 has 53 weeks
		{"T10:15", "1970-01-01T10:15:00.000Z"},                             // time only
		{"2016-12-13T10.5", "2016-12-13T10:30:00.000Z"},                    // fraction of an hour
		{"2016-12-13T10:15.5", "2016-12-13T10:15:30.000Z"},                 // fraction of a minute
		{"2016-12-13T10:00+0530", "2016-12-13T04:30:00.000Z"},              // offset without colon
		{"2016-12-13T10:00+05:30:15.5", "2016-12-13T04:29:44.500Z"},        // offset seconds
		{"2016-12-13T", "2016-12-13T00:00:00.000Z"},                        // T without time
		{"2016-12-13TZ", "2016-12-13T00:00:00.000Z"},                       // T and offset only
		{"-0001-03-01", "-0001-03-01T00:00:00.000Z"},                       // signed year
		{"292278993-12-31T23:59:59.999Z", "292278993-12-31T23:59:59.999Z"}, // Joda's last year
		{"2016-02-29", "2016-02-29T00:00:00.000Z"},
		// Refused.
		{"sdfdsf", ""},                              // recorded refused
		{"234-13", ""},                              // recorded refused: month 13
		{"2016-12-13t2:00:00.593194+1", ""},         // recorded refused: one-digit offset
		{"2016-12-13t2:00:00.1999999999+10:59", ""}, // recorded refused: ten fraction digits
		{"2015-02-29", ""}, {"2015-366", ""}, {"2016-W53", ""}, {"2016-W05-8", ""},
		{"2016-12-13T24:00", ""}, {"2016-12-13T10:60", ""}, {"2016-12-13 10:00", ""},
		{"", ""}, {" 2020-01-01", ""}, {"2020-01-01T10:00+05:3000", ""}, {"2020-01-01T10:00+05:30:00.1234", ""},
		{"2020-01-01T10:00+", ""}, {"2020-1-", ""}, {"2020-01-01T10:", ""}, {"1.5", ""}, {"1e9", ""},
		{"-292275055-01-01", ""}, {"292278994", "epoch 292278994"}, // a 9-digit string is no year
	}
	for _, c := range cases {
		v, ok := parseDate(c.in)
		if IsDate(c.in) != ok || ok != (c.want != "") {
			t.Errorf("%q: accepted = %v, want %v", c.in, ok, c.want != "")
			continue
		}
		if !ok {
			continue
		}
		want, special := map[string]dateValue{
			"max":                           {sec: 1<<63 - 1},
			"-0001-03-01T00:00:00.000Z":     {sec: time.Date(-1, 3, 1, 0, 0, 0, 0, time.UTC).Unix()},
			"292278993-12-31T23:59:59.999Z": {sec: time.Date(292278993, 12, 31, 23, 59, 59, 0, time.UTC).Unix(), ms: 999},
			"epoch 292278994":               {sec: 292278994},
		}[c.want]
		if !special {
			w, err := time.Parse("2006-01-02T15:04:05.000Z07:00", c.want)
			if err != nil {
				t.Fatal(err)
			}
			want = dateValue{sec: w.Unix(), ms: int64(w.Nanosecond() / 1e6)}
		}
		if v != want {
			t.Errorf("%q: got %+v (%s), want %s", c.in, v, time.Unix(v.sec, v.ms*1e6).UTC(), c.want)
		}
	}
}

// Numeric* values are integers or decimals ("Condition operators / Numeric"); Go's
// own float syntax beyond that (inf, NaN, hexadecimal, underscores) is no number.
func TestNumberGrammar(t *testing.T) {
	for s, want := range map[string]bool{
		"10": true, "-3": true, "+3": true, "1.5": true, ".5": true, "5.": true, "1e3": true, "1E-3": true, "1e999": true,
		"inf": false, "+Inf": false, "Infinity": false, "NaN": false, "nan": false, "0x10": false, "0x1p4": false,
		"1_000": false, "": false, ".": false, "-": false, "1e": false, " 1": false, "1 ": false, "1.5.2": false, "e3": false,
	} {
		if got := IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
