package s3_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// putLifecycle sends a raw lifecycle configuration with its Content-MD5.
func (e *env) putLifecycle(bucket, rules string) (int, string) {
	e.Helper()
	doc := `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + rules + `</LifecycleConfiguration>`
	return e.signed("PUT", "/"+bucket+"?lifecycle", map[string]string{"Content-MD5": b64MD5(doc)}, doc)
}

// noon moves Palisade's clock to the next 12:00 UTC and returns it.
func noon(e *env) time.Time {
	now := e.p.Clock.Now()
	at := now.Truncate(24 * time.Hour).Add(12 * time.Hour)
	if !at.After(now) {
		at = at.Add(24 * time.Hour)
	}
	return e.p.Clock.Advance(at.Sub(now))
}

// moveTo moves the clock to at and runs the lifecycle rules as the midnight run does.
func moveTo(e *env, at time.Time) {
	e.Helper()
	if d := at.Sub(e.p.Clock.Now()); d > 0 {
		e.p.Clock.Advance(d)
	}
	if err := e.p.S3.RunLifecycle(); err != nil {
		e.Fatal(err)
	}
}

func lifecycleRules(rules ...types.LifecycleRule) *s3.PutBucketLifecycleConfigurationInput {
	return &s3.PutBucketLifecycleConfigurationInput{LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}
}

func (e *env) setLifecycle(bucket string, rules ...types.LifecycleRule) {
	e.Helper()
	in := lifecycleRules(rules...)
	in.Bucket = aws.String(bucket)
	must(e.s3.PutBucketLifecycleConfiguration(ctx, in))
}

// Configuration calls as recorded (2026: lifecycle_control_replay.json, configuration).
func TestLifecycleConfiguration(t *testing.T) {
	e := newEnv(t)
	e.bucket("lc-config")
	_, err := e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")})
	if errCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("get-absent: %v", err)
	}
	status, body := e.signed("GET", "/lc-config?lifecycle", nil, "")
	wantBody(t, status, body, 404, "<Code>NoSuchLifecycleConfiguration</Code>", "<BucketName>lc-config</BucketName>")
	for range 2 { // delete-absent, delete-absent-again
		status, body = e.signed("DELETE", "/lc-config?lifecycle", nil, "")
		wantBody(t, status, body, 204)
	}

	// legacy-empty-prefix: the rule's own Prefix is kept as given.
	out := must(e.s3.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("base"), Status: types.ExpirationStatusEnabled,
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}, Prefix: aws.String("")}}}}))
	if out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Fatalf("put answers %q", out.TransitionDefaultMinimumObjectSize)
	}
	got := must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
	//lint:ignore SA1019 the legacy Prefix is what this case reads back
	if len(got.Rules) != 1 || aws.ToString(got.Rules[0].ID) != "base" || got.Rules[0].Prefix == nil || *got.Rules[0].Prefix != "" ||
		got.Rules[0].Filter != nil || aws.ToInt32(got.Rules[0].Expiration.Days) != 30 || got.TransitionDefaultMinimumObjectSize != "all_storage_classes_128K" {
		t.Fatalf("legacy-empty-prefix-readback: %+v", got.Rules)
	}

	// empty-filter: an empty Filter reads back empty.
	status, body = e.putLifecycle("lc-config", `<Rule><ID>base</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>`)
	wantBody(t, status, body, 200)
	status, body = e.signed("GET", "/lc-config?lifecycle", nil, "")
	wantBody(t, status, body, 200, "<Filter", "<ID>base</ID>")
	if strings.Contains(body, "<Prefix") {
		t.Fatalf("empty-filter-readback: %s", body)
	}

	// and-prefix-tag-size, read back whole.
	e.setLifecycle("lc-config", types.LifecycleRule{ID: aws.String("base"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("logs/"),
			Tags:                  []types.Tag{{Key: aws.String("kind"), Value: aws.String("x")}, {Key: aws.String("tier"), Value: aws.String("y")}},
			ObjectSizeGreaterThan: aws.Int64(0), ObjectSizeLessThan: aws.Int64(131072)}},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}})
	got = must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
	if a := got.Rules[0].Filter.And; a == nil || aws.ToString(a.Prefix) != "logs/" || len(a.Tags) != 2 || aws.ToInt64(a.ObjectSizeLessThan) != 131072 {
		t.Fatalf("and-prefix-tag-size-readback: %+v", got.Rules[0].Filter)
	}

	// Refusals leave the configuration as it was.
	rule := func(filter, action string) string {
		return `<Rule><ID>base</ID>` + filter + `<Status>Enabled</Status>` + action + `</Rule>`
	}
	days := `<Expiration><Days>30</Days></Expiration>`
	for _, c := range []struct {
		label, rules string
		status       int
		parts        []string
	}{
		{"ordered-generated-ids", `<Rule><Prefix>legacy/</Prefix><Status>Enabled</Status>` + days + `</Rule>` +
			`<Rule><ID>second</ID><Filter><Prefix>second/</Prefix></Filter><Status>Enabled</Status>` + days + `</Rule>`, 400, []string{"<Code>InvalidRequest</Code>"}},
		{"omitted-filter", rule("", days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"prefix-plus-filter", rule(`<Filter></Filter><Prefix>legacy/</Prefix>`, days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"and-empty", rule(`<Filter><And></And></Filter>`, days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"and-single-prefix", rule(`<Filter><And><Prefix>p/</Prefix></And></Filter>`, days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"and-duplicate-tag-key", rule(`<Filter><And><Tag><Key>k</Key><Value>a</Value></Tag><Tag><Key>k</Key><Value>b</Value></Tag></And></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"filter-multiple-conditions-without-and", rule(`<Filter><Prefix>p/</Prefix><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></Filter>`, days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"size-less-zero", rule(`<Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"size-negative", rule(`<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"size-range-equal", rule(`<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"size-range-reversed", rule(`<Filter><And><ObjectSizeGreaterThan>11</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"no-action", rule(`<Filter></Filter>`, ""), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"disabled-no-action", `<Rule><ID>base</ID><Filter></Filter><Status>Disabled</Status></Rule>`, 400, []string{"<Code>InvalidRequest</Code>"}},
		{"invalid-status", `<Rule><ID>base</ID><Filter></Filter><Status>enabled</Status>` + days + `</Rule>`, 400, []string{"<Code>MalformedXML</Code>"}},
		{"id-over-255", `<Rule><ID>` + strings.Repeat("x", 256) + `</ID><Filter></Filter><Status>Enabled</Status>` + days + `</Rule>`, 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>ID</ArgumentName>", "<ArgumentValue>" + strings.Repeat("x", 256) + "</ArgumentValue>"}},
		{"expiration-empty", rule(`<Filter></Filter>`, `<Expiration></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"expiration-zero-days", rule(`<Filter></Filter>`, `<Expiration><Days>0</Days></Expiration>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Days</ArgumentName>", "<ArgumentValue>0</ArgumentValue>"}},
		{"expiration-negative-days", rule(`<Filter></Filter>`, `<Expiration><Days>-1</Days></Expiration>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentValue>-1</ArgumentValue>"}},
		{"expiration-date-nonmidnight", rule(`<Filter></Filter>`, `<Expiration><Date>2030-01-02T12:00:00Z</Date></Expiration>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Date</ArgumentName>"}},
		{"expiration-date-plus-days", rule(`<Filter></Filter>`, `<Expiration><Date>2030-01-02T00:00:00Z</Date><Days>1</Days></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"expired-marker-plus-days", rule(`<Filter></Filter>`, `<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"expired-marker-tag", rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>`, `<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"abort-zero", rule(`<Filter></Filter>`, `<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>DaysAfterInitiation</ArgumentName>", "<ArgumentValue>0</ArgumentValue>"}},
		{"abort-tag", rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>`, `<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"abort-size", rule(`<Filter><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></Filter>`, `<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"transition-colder-to-warmer", rule(`<Filter></Filter>`, `<Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition>`+
			`<Transition><Days>100</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`), 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentValue>100</ArgumentValue>"}},
		{"transition-date-plus-days", rule(`<Filter></Filter>`, `<Transition><Date>2030-01-02T00:00:00Z</Date><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"transition-mixed-date-days", rule(`<Filter></Filter>`, `<Transition><Date>2030-01-02T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>`+
			`<Transition><Days>100</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"expiration-before-transition", rule(`<Filter></Filter>`, `<Expiration><Days>10</Days></Expiration><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Days</ArgumentName>", "<ArgumentValue>10</ArgumentValue>"}},
		{"expiration-same-day-transition", rule(`<Filter></Filter>`, `<Expiration><Days>30</Days></Expiration><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentValue>30</ArgumentValue>"}},
		{"expiration-date-transition-days", rule(`<Filter></Filter>`, `<Expiration><Date>2030-01-02T00:00:00Z</Date></Expiration><Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidRequest</Code>"}},
		{"noncurrent-zero", rule(`<Filter></Filter>`, `<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>NoncurrentDays</ArgumentName>", "<ArgumentValue>0</ArgumentValue>"}},
		{"noncurrent-newer-no-days", rule(`<Filter></Filter>`, `<NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>`), 400,
			[]string{"<Code>MalformedXML</Code>"}},
		{"noncurrent-newer-zero", rule(`<Filter></Filter>`, `<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>NewerNoncurrentVersions</ArgumentName>"}},
		{"noncurrent-newer-legacy-prefix", `<Rule><ID>base</ID><Prefix></Prefix><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`, 400,
			[]string{"<Code>InvalidRequest</Code>"}},
		{"noncurrent-transition-spacing-short", rule(`<Filter></Filter>`, `<NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>`+
			`<NoncurrentVersionTransition><NoncurrentDays>2</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>NoncurrentDays</ArgumentName>", "<ArgumentValue>2</ArgumentValue>"}},
		{"noncurrent-expiration-before-transition", rule(`<Filter></Filter>`, `<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>`+
			`<NoncurrentVersionTransition><NoncurrentDays>2</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>NoncurrentDays</ArgumentName>", "<ArgumentValue>1</ArgumentValue>"}},
		{"duplicate-rule-id", rule(`<Filter></Filter>`, days) + rule(`<Filter><Prefix>b/</Prefix></Filter>`, days), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>ID</ArgumentName>", "<ArgumentValue>base</ArgumentValue>"}},
		{"empty-rules", ``, 400, []string{"<Code>MalformedXML</Code>"}},
		{"transition-reduced-redundancy", rule(`<Filter></Filter>`, `<Transition><Days>0</Days><StorageClass>REDUCED_REDUNDANCY</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>StorageClass</ArgumentName>", "<ArgumentValue>REDUCED_REDUNDANCY</ArgumentValue>"}},
		{"transition-express-onezone", rule(`<Filter></Filter>`, `<Transition><Days>0</Days><StorageClass>EXPRESS_ONEZONE</StorageClass></Transition>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"transition-glacier-ir-deep-short-spacing", rule(`<Filter></Filter>`, `<Transition><Days>0</Days><StorageClass>GLACIER_IR</StorageClass></Transition>`+
			`<Transition><Days>89</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>`), 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentValue>89</ArgumentValue>"}},
		{"transition-nonmidnight-date", rule(`<Filter></Filter>`, `<Transition><Date>2030-01-02T01:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Date</ArgumentName>", "<ArgumentValue>Tue Jan 01 17:00:00 PST 2030</ArgumentValue>"}},
		{"transition-negative-days", rule(`<Filter></Filter>`, `<Transition><Days>-1</Days><StorageClass>GLACIER</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Days</ArgumentName>", "<ArgumentValue>-1</ArgumentValue>"}},
		{"expired-marker-false-tag", rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>`, `<Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"expired-marker-size", rule(`<Filter><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></Filter>`, `<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"wire-empty-tag-key", rule(`<Filter><Tag><Key></Key><Value>v</Value></Tag></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"size-over-upper-bound", rule(`<Filter><ObjectSizeGreaterThan>1099511627776001</ObjectSizeGreaterThan></Filter>`, days), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"expiration-days-over-int32", rule(`<Filter />`, `<Expiration><Days>2147483648</Days></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"wire-expiration-days-fractional", rule(`<Filter />`, `<Expiration><Days>1.5</Days></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"and-single-tag", rule(`<Filter><And><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>`, days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"and-single-size", rule(`<Filter><And><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></And></Filter>`, days), 400, []string{"<Code>MalformedXML</Code>"}},
		{"abort-and-tag", rule(`<Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>`,
			days+`<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"disabled-invalid-days", `<Rule><ID>base</ID><Filter></Filter><Status>Disabled</Status><Expiration><Days>0</Days></Expiration></Rule>`, 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Days</ArgumentName>"}},
		{"transition-duplicate-class", rule(`<Filter></Filter>`, `<Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition>`+
			`<Transition><Days>100</Days><StorageClass>GLACIER</StorageClass></Transition>`), 400, []string{"<Code>InvalidRequest</Code>"}},
		{"transition-same-day-different-class", rule(`<Filter></Filter>`, `<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`+
			`<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>`), 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentValue>30</ArgumentValue>"}},
		{"wire-missing-status", `<Rule><ID>base</ID><Filter /><Expiration><Days>30</Days></Expiration></Rule>`, 400, []string{"<Code>MalformedXML</Code>"}},
		{"wire-date-malformed", rule(`<Filter />`, `<Expiration><Date>not-a-date</Date></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"wire-date-date-only", rule(`<Filter />`, `<Expiration><Date>2030-01-02</Date></Expiration>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"wire-date-fractional", rule(`<Filter />`, `<Expiration><Date>2030-01-02T00:00:00.001Z</Date></Expiration>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>Date</ArgumentName>", "<ArgumentValue>Tue Jan 01 16:00:00 PST 2030</ArgumentValue>"}},
		{"transition-standard", rule(`<Filter></Filter>`, `<Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>`), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>StorageClass</ArgumentName>", "<ArgumentValue>STANDARD</ArgumentValue>"}},
		{"transition-unknown-class", rule(`<Filter></Filter>`, `<Transition><Days>1</Days><StorageClass>BOGUS</StorageClass></Transition>`), 400, []string{"<Code>MalformedXML</Code>"}},
		{"transition-ia-glacier-short-spacing", rule(`<Filter></Filter>`, `<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`+
			`<Transition><Days>59</Days><StorageClass>GLACIER</StorageClass></Transition>`), 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentName>Days</ArgumentName>", "<ArgumentValue>59</ArgumentValue>"}},
		{"transition-glacier-deep-short-spacing", rule(`<Filter></Filter>`, `<Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition>`+
			`<Transition><Days>89</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>`), 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentValue>89</ArgumentValue>"}},
		{"over-1000-rules", strings.Repeat(`<Rule><Filter></Filter><Status>Enabled</Status>`+days+`</Rule>`, 1001), 400, []string{"<Code>MalformedXML</Code>"}},
	} {
		status, body := e.putLifecycle("lc-config", c.rules)
		if status != c.status {
			t.Fatalf("%s: %d %s", c.label, status, body)
		}
		for _, p := range c.parts {
			if !strings.Contains(body, p) {
				t.Fatalf("%s: body lacks %s: %s", c.label, p, body)
			}
		}
		got := must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
		if len(got.Rules) != 1 || got.Rules[0].Filter == nil || got.Rules[0].Filter.And == nil {
			t.Fatalf("%s changed the configuration: %+v", c.label, got.Rules)
		}
	}

	// Accepted transitions (transition-glacier-zero, transition-ia-before30,
	// transition-onezone-before30, transition-ia-glacier-at-spacing).
	for _, tr := range []string{
		`<Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition>`,
		`<Transition><Days>29</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`,
		`<Transition><Days>29</Days><StorageClass>ONEZONE_IA</StorageClass></Transition>`,
		`<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Transition><Days>60</Days><StorageClass>GLACIER</StorageClass></Transition>`,
		`<Transition><Days>90</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition><Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition>`,
		`<Transition><Date>2030-01-02T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>`,
		`<Expiration><Days>31</Days></Expiration><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`,
		`<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>`,
		`<NoncurrentVersionTransition><NoncurrentDays>0</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>`,
		`<NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>`,
		`<Transition><Days>0</Days><StorageClass>GLACIER_IR</StorageClass></Transition><Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition>`,
		`<Expiration><Days>2147483647</Days></Expiration>`,
	} {
		status, body = e.putLifecycle("lc-config", rule(`<Filter></Filter>`, tr))
		wantBody(t, status, body, 200)
	}
	status, body = e.putLifecycle("lc-config", rule(`<Filter><Tag><Key>kind</Key><Value></Value></Tag></Filter>`, days))
	wantBody(t, status, body, 200)
	status, body = e.signed("GET", "/lc-config?lifecycle", nil, "")
	wantBody(t, status, body, 200, "<Tag><Key>kind</Key><Value></Value></Tag>")

	// exactly-1000-rules.
	status, body = e.putLifecycle("lc-config", strings.Repeat(`<Rule><Filter></Filter><Status>Disabled</Status>`+days+`</Rule>`, 1000))
	wantBody(t, status, body, 200)
	if got := must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")})); len(got.Rules) != 1000 {
		t.Fatalf("exactly-1000-rules-readback: %d rules", len(got.Rules))
	}

	// size-at-upper-bound.
	status, body = e.putLifecycle("lc-config", rule(`<Filter><ObjectSizeGreaterThan>1099511627776000</ObjectSizeGreaterThan></Filter>`, days))
	wantBody(t, status, body, 200)
	// header-varies-on-fresh-config: the minimum size is kept with the configuration;
	// a configuration put without it has the default again (header-omitted-after-delete).
	in := lifecycleRules(types.LifecycleRule{ID: aws.String("base"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}})
	in.Bucket, in.TransitionDefaultMinimumObjectSize = aws.String("lc-config"), types.TransitionDefaultMinimumObjectSizeVariesByStorageClass
	if out := must(e.s3.PutBucketLifecycleConfiguration(ctx, in)); out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeVariesByStorageClass {
		t.Fatalf("header-varies-on-fresh-config: %q", out.TransitionDefaultMinimumObjectSize)
	}
	if got := must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")})); got.TransitionDefaultMinimumObjectSize != "varies_by_storage_class" {
		t.Fatalf("header-varies-on-fresh-config-readback: %q", got.TransitionDefaultMinimumObjectSize)
	}
	in.TransitionDefaultMinimumObjectSize = ""
	if out := must(e.s3.PutBucketLifecycleConfiguration(ctx, in)); out.TransitionDefaultMinimumObjectSize != "all_storage_classes_128K" {
		t.Fatalf("header-omitted: %q", out.TransitionDefaultMinimumObjectSize)
	}

	// Rules all in the legacy form, IDs given or not (supplement).
	status, body = e.putLifecycle("lc-config", `<Rule><Prefix>a/</Prefix><Status>Enabled</Status>`+days+`</Rule>`+
		`<Rule><ID>second</ID><Prefix>b/</Prefix><Status>Enabled</Status>`+days+`</Rule><Rule><Prefix>c/</Prefix><Status>Enabled</Status>`+days+`</Rule>`)
	wantBody(t, status, body, 200)
	got = must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
	if len(got.Rules) != 3 || aws.ToString(got.Rules[1].ID) != "second" || aws.ToString(got.Rules[0].ID) == "" || aws.ToString(got.Rules[2].ID) == "" || got.Rules[0].Filter != nil {
		t.Fatalf("legacy rules: %+v", got.Rules)
	}

	// header-invalid, header-empty.
	for _, v := range []string{"invalid", ""} {
		doc := `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + rule(`<Filter />`, days) + `</LifecycleConfiguration>`
		status, body = e.signed("PUT", "/lc-config?lifecycle", map[string]string{"Content-MD5": b64MD5(doc), "x-amz-transition-default-minimum-object-size": v}, doc)
		wantBody(t, status, body, 400, "<Code>InvalidRequest</Code>")
	}

	// empty-id: S3 names the rule, and the name stays.
	status, body = e.putLifecycle("lc-config", `<Rule><ID></ID><Filter></Filter><Status>Enabled</Status>`+days+`</Rule>`)
	wantBody(t, status, body, 200)
	first := must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
	second := must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
	if id := aws.ToString(first.Rules[0].ID); id == "" || id != aws.ToString(second.Rules[0].ID) {
		t.Fatalf("generated IDs %q %q", id, aws.ToString(second.Rules[0].ID))
	}
	// expiration-date-offset-midnight: a midnight UTC given with an offset.
	status, body = e.putLifecycle("lc-config", rule(`<Filter></Filter>`, `<Expiration><Date>2030-01-02T02:00:00+02:00</Date></Expiration>`))
	wantBody(t, status, body, 200)
	got = must(e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}))
	if d := got.Rules[0].Expiration.Date; d == nil || !d.Equal(time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("offset-midnight-readback: %v", d)
	}
	status, body = e.signed("GET", "/lc-config?lifecycle", nil, "")
	wantBody(t, status, body, 200, "<Date>2030-01-02T00:00:00")
	status, body = e.putLifecycle("lc-config", rule(`<Filter></Filter>`, `<Transition><Date>2030-01-02T02:00:00+02:00</Date><StorageClass>GLACIER</StorageClass></Transition>`))
	wantBody(t, status, body, 200)
	status, body = e.signed("GET", "/lc-config?lifecycle", nil, "")
	wantBody(t, status, body, 200, "<Date>2030-01-02T00:00:00")

	// Without Content-MD5 or a checksum (API Reference: required).
	doc := `<LifecycleConfiguration>` + rule(`<Filter></Filter>`, days) + `</LifecycleConfiguration>`
	status, body = e.signed("PUT", "/lc-config?lifecycle", nil, doc)
	wantBody(t, status, body, 400, "<Code>InvalidRequest</Code>", missingChecksum)

	status, body = e.signed("DELETE", "/lc-config?lifecycle", nil, "")
	wantBody(t, status, body, 204)
	if _, err := e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-config")}); errCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("after delete: %v", err)
	}
}

// s3:PutLifecycleConfiguration covers Put and Delete, s3:GetLifecycleConfiguration Get
// (Service Authorization Reference).
func TestLifecycleAuthorization(t *testing.T) {
	e := newEnv(t)
	e.bucket("lc-authz")
	reader := e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetLifecycleConfiguration","Resource":"*"}]}`)
	writer := e.user("writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutLifecycleConfiguration","Resource":"arn:aws:s3:::lc-authz"}]}`)
	in := lifecycleRules(types.LifecycleRule{ID: aws.String("r"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	in.Bucket = aws.String("lc-authz")
	if _, err := reader.PutBucketLifecycleConfiguration(ctx, in); errCode(err) != "AccessDenied" {
		t.Fatalf("reader put: %v", err)
	}
	must(writer.PutBucketLifecycleConfiguration(ctx, in))
	if _, err := writer.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-authz")}); errCode(err) != "AccessDenied" {
		t.Fatalf("writer get: %v", err)
	}
	must(reader.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-authz")}))
	if _, err := reader.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lc-authz")}); errCode(err) != "AccessDenied" {
		t.Fatalf("reader delete: %v", err)
	}
	must(writer.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lc-authz")}))

	// Another account, through the bucket policy only (lifecycle_header_authority_replay.json:
	// cross-account GET/PUT/DELETE succeed with the owner's grant and are denied
	// without it; a wrong ExpectedBucketOwner is AccessDenied).
	other := e.otherAccount("111122223333")
	in.Bucket = aws.String("lc-authz")
	if _, err := other.PutBucketLifecycleConfiguration(ctx, in); errCode(err) != "AccessDenied" {
		t.Fatalf("ungranted put: %v", err)
	}
	must(0, e.policy("lc-authz", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},`+
		`"Action":["s3:GetLifecycleConfiguration","s3:PutLifecycleConfiguration"],"Resource":"arn:aws:s3:::lc-authz"}]}`))
	must(other.PutBucketLifecycleConfiguration(ctx, in))
	must(other.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-authz")}))
	if _, err := e.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-authz"),
		ExpectedBucketOwner: aws.String("111122223333")}); errCode(err) != "AccessDenied" {
		t.Fatalf("wrong-owner get: %v", err)
	}
	if _, err := e.s3.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lc-authz"), ExpectedBucketOwner: aws.String("111122223333")}); errCode(err) != "AccessDenied" {
		t.Fatalf("wrong-owner delete: %v", err)
	}
	must(other.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lc-authz")}))
}

// x-amz-expiration (recorded, 2026: lifecycle_header_authority_replay.json,
// current-versioned-suspended-expiration-headers).
func TestLifecycleExpirationHeader(t *testing.T) {
	e := newEnv(t)
	e.bucket("lc-header")
	pre := e.put("lc-header", "object", "body")
	if pre.Expiration != nil {
		t.Fatalf("preconfig-put: %q", *pre.Expiration)
	}
	if h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-header"), Key: aws.String("object")})); h.Expiration != nil {
		t.Fatalf("preconfig-head: %q", *h.Expiration)
	}
	e.setLifecycle("lc-header", types.LifecycleRule{ID: aws.String(`a b"&,/%é`), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(10)}})
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-header"), Key: aws.String("object")}))
	want := `expiry-date="` + h.LastModified.UTC().AddDate(0, 0, 10).Truncate(24*time.Hour).Add(24*time.Hour).Format(http.TimeFormat) + `", rule-id="a b%22&,/%25%c3%a9"`
	if aws.ToString(h.Expiration) != want {
		t.Fatalf("escaped-days-positive: %q, want %q", aws.ToString(h.Expiration), want)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-header"), Key: aws.String("object")}))
	g.Body.Close()
	if aws.ToString(g.Expiration) != want {
		t.Fatalf("escaped-days-get: %q", aws.ToString(g.Expiration))
	}
	if p := e.put("lc-header", "put", "body"); p.Expiration == nil || !strings.HasSuffix(*p.Expiration, `rule-id="a b%22&,/%25%c3%a9"`) {
		t.Fatalf("configured-put: %v", p.Expiration)
	}
	// copy, complete-mpu answer it; create-mpu does not.
	cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("lc-header"), Key: aws.String("copy"), CopySource: aws.String("lc-header/object")}))
	if cp.Expiration == nil || !strings.HasSuffix(*cp.Expiration, `rule-id="a b%22&,/%25%c3%a9"`) {
		t.Fatalf("copy: %v", cp.Expiration)
	}
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lc-header"), Key: aws.String("mpu")}))
	part := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("lc-header"), Key: aws.String("mpu"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")}))
	done := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("lc-header"), Key: aws.String("mpu"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}))
	if done.Expiration == nil {
		t.Fatal("complete-mpu: no expiration")
	}

	// The earliest deadline wins among rules; a Date is its own midnight.
	e.setLifecycle("lc-header",
		types.LifecycleRule{ID: aws.String("later"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(400)}},
		types.LifecycleRule{ID: aws.String("date"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("obj")},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))}},
		types.LifecycleRule{ID: aws.String("off"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	h = must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-header"), Key: aws.String("object")}))
	if !strings.Contains(aws.ToString(h.Expiration), `rule-id="later"`) {
		t.Fatalf("min deadline: %q", aws.ToString(h.Expiration))
	}

	// A tag and size filter follows the object's tags (tag-size-positive,
	// tag-unmatched-control, remove-tag, restore-tag); sizes bound exclusively
	// (size-equal-lower-head, size-equal-upper-head).
	e.setLifecycle("lc-header", types.LifecycleRule{ID: aws.String("tag-size"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String(""), Tags: []types.Tag{{Key: aws.String("expire"), Value: aws.String("yes")}},
			ObjectSizeGreaterThan: aws.Int64(3), ObjectSizeLessThan: aws.Int64(5)}}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)}})
	head := func(key string) *string {
		return must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-header"), Key: aws.String(key)})).Expiration
	}
	tagging := &types.Tagging{TagSet: []types.Tag{{Key: aws.String("expire"), Value: aws.String("yes")}}}
	must(e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("lc-header"), Key: aws.String("object"), Tagging: tagging}))
	if x := head("object"); x == nil || !strings.Contains(*x, `rule-id="tag-size"`) {
		t.Fatalf("tag-size-positive: %v", x)
	}
	if x := head("copy"); x != nil {
		t.Fatalf("tag-unmatched-control: %q", *x)
	}
	must(e.s3.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("lc-header"), Key: aws.String("object")}))
	if x := head("object"); x != nil {
		t.Fatalf("removed-tag-head: %q", *x)
	}
	for _, f := range []*types.LifecycleRuleFilter{{ObjectSizeGreaterThan: aws.Int64(4)}, {ObjectSizeLessThan: aws.Int64(4)}} {
		e.setLifecycle("lc-header", types.LifecycleRule{ID: aws.String("size-boundary"), Status: types.ExpirationStatusEnabled, Filter: f,
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)}})
		if x := head("object"); x != nil {
			t.Fatalf("size boundary %+v: %q", f, *x)
		}
	}

	// In a versioned bucket: the current version read without a version ID only.
	e.bucket("lc-header-v")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lc-header-v"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1 := e.put("lc-header-v", "k", "one").VersionId
	e.setLifecycle("lc-header-v", types.LifecycleRule{ID: aws.String("x"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(5)}})
	if h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-header-v"), Key: aws.String("k")})); h.Expiration == nil {
		t.Fatal("implicit latest: no expiration")
	}
	if h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-header-v"), Key: aws.String("k"), VersionId: v1})); h.Expiration != nil {
		t.Fatalf("explicit current version: %q", *h.Expiration)
	}
}

// Expiration on the clock (lifecycle_execution_replay.json,
// nonversioned-past-date-disabled-rule-and-strict-next-midnight): rules act at the
// first midnight after an object is due, never before.
func TestLifecycleExpiresOnTheClock(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-current")
	for _, k := range []string{"age", "past", "disabled"} {
		e.put("lc-current", k, "payload")
	}
	e.setLifecycle("lc-current",
		types.LifecycleRule{ID: aws.String("age"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("age")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
		types.LifecycleRule{ID: aws.String("age-transition-loses-to-permanent-deletion"), Status: types.ExpirationStatusEnabled,
			Filter:      &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("age"), ObjectSizeGreaterThan: aws.Int64(0)}},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}},
		types.LifecycleRule{ID: aws.String("past"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("past")},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))}},
		types.LifecycleRule{ID: aws.String("disabled"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("disabled")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	// A bucket policy denying s3:DeleteObject does not stop lifecycle.
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("lc-current"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::lc-current/*"}]}`)}))

	moveTo(e, day.Add(24*time.Hour-time.Second))
	if e.get("lc-current", "past") != "payload" {
		t.Fatal("past expired before midnight")
	}
	moveTo(e, day.Add(24*time.Hour))
	if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-current"), Key: aws.String("past")}); errCode(err) != "NoSuchKey" {
		t.Fatalf("past at midnight: %v", err)
	}
	moveTo(e, day.Add(48*time.Hour-time.Second))
	if e.get("lc-current", "age") != "payload" {
		t.Fatal("age expired early")
	}
	moveTo(e, day.Add(48*time.Hour))
	if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-current"), Key: aws.String("age")}); errCode(err) != "NoSuchKey" {
		t.Fatalf("age at its midnight: %v", err)
	}
	list := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lc-current")}))
	if len(list.Contents) != 1 || *list.Contents[0].Key != "disabled" {
		t.Fatalf("left: %+v", list.Contents)
	}
}

// Versioned buckets (lifecycle_execution_replay.json,
// enabled-expiry-preserves-data-and-only-cleans-sole-marker,
// suspended-expiry-replaces-null-without-deleting-numbered-history).
func TestLifecycleVersionedExpiry(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-enabled")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lc-enabled"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1 := e.put("lc-enabled", "key", "payload").VersionId
	e.setLifecycle("lc-enabled", types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	moveTo(e, day.Add(24*time.Hour))
	if e.get("lc-enabled", "key") != "payload" {
		t.Fatal("expired early")
	}
	moveTo(e, day.Add(48*time.Hour))
	if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-enabled"), Key: aws.String("key")}); errCode(err) != "NoSuchKey" {
		t.Fatalf("after expiry: %v", err)
	}
	vs := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lc-enabled")}))
	if len(vs.Versions) != 1 || *vs.Versions[0].VersionId != *v1 || len(vs.DeleteMarkers) != 1 || !*vs.DeleteMarkers[0].IsLatest {
		t.Fatalf("versions %+v markers %+v", vs.Versions, vs.DeleteMarkers)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-enabled"), Key: aws.String("key"), VersionId: v1}))
	g.Body.Close()
	// The marker is not an expired object delete marker while v1 is there.
	e.setLifecycle("lc-enabled", types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}})
	moveTo(e, day.Add(96*time.Hour))
	vs = must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lc-enabled")}))
	if len(vs.Versions) != 1 || len(vs.DeleteMarkers) != 1 {
		t.Fatalf("marker removed beside a version: %+v %+v", vs.Versions, vs.DeleteMarkers)
	}
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lc-enabled"), Key: aws.String("key"), VersionId: v1}))
	moveTo(e, day.Add(120*time.Hour))
	vs = must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lc-enabled")}))
	if len(vs.Versions)+len(vs.DeleteMarkers) != 0 {
		t.Fatalf("sole marker kept: %+v", vs.DeleteMarkers)
	}

	// Suspended: the expiry's marker is the null version and replaces it.
	e.bucket("lc-suspended")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lc-suspended"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	numbered := e.put("lc-suspended", "key", "numbered").VersionId
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lc-suspended"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}))
	e.put("lc-suspended", "key", "null-data")
	e.setLifecycle("lc-suspended", types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}})
	moveTo(e, e.p.Clock.Now().Truncate(24*time.Hour).Add(48*time.Hour))
	vs = must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lc-suspended")}))
	if len(vs.Versions) != 1 || *vs.Versions[0].VersionId != *numbered || len(vs.DeleteMarkers) != 1 || *vs.DeleteMarkers[0].VersionId != "null" {
		t.Fatalf("suspended: %+v %+v", vs.Versions, vs.DeleteMarkers)
	}
	if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-suspended"), Key: aws.String("key"), VersionId: aws.String("null")}); errCode(err) != "MethodNotAllowed" {
		t.Fatalf("null is a marker: %v", err)
	}
}

// Noncurrent versions expire NoncurrentDays after their successor was written, the
// newest NewerNoncurrentVersions kept (lifecycle_execution_replay.json,
// noncurrent-successor-clock-retention-and-permanent-delete-precedence); Object Lock
// keeps what it protects.
func TestLifecycleNoncurrentAndObjectLock(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lc-successor"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	v1 := e.put("lc-successor", "key", "one").VersionId
	e.setLifecycle("lc-successor", types.LifecycleRule{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled,
		Filter:                      &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(0)},
		NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1), NewerNoncurrentVersions: aws.Int32(1)}})
	moveTo(e, day.Add(4*24*time.Hour+12*time.Hour))
	v2 := e.put("lc-successor", "key", "two").VersionId // v1 noncurrent since then
	moveTo(e, day.Add(5*24*time.Hour+12*time.Hour))
	v3 := e.put("lc-successor", "key", "three").VersionId // v2 noncurrent since then
	versions := func() []string {
		var ids []string
		for _, v := range must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lc-successor")})).Versions {
			ids = append(ids, *v.VersionId)
		}
		return ids
	}
	moveTo(e, day.Add(6*24*time.Hour-time.Second))
	if ids := versions(); len(ids) != 3 {
		t.Fatalf("before midnight: %v", ids)
	}
	// At the midnight after a day noncurrent, v1 has one newer noncurrent version
	// (v2, kept as that one) and goes.
	moveTo(e, day.Add(6*24*time.Hour))
	if ids := versions(); len(ids) != 2 || ids[0] != *v3 || ids[1] != *v2 {
		t.Fatalf("at midnight: %v (v1 %s)", ids, *v1)
	}

	// A version under a legal hold is not removed.
	must(e.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lc-successor"), Key: aws.String("key"), VersionId: v2,
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	e.put("lc-successor", "key", "four")
	moveTo(e, day.Add(10*24*time.Hour))
	ids := versions()
	held := false
	for _, id := range ids {
		held = held || id == *v2
	}
	if !held || len(ids) != 3 {
		t.Fatalf("held version removed: %v", ids)
	}
}

// Transitions change the storage class; GLACIER objects then need RestoreObject.
// Objects under 128 KiB stay where they are by default.
func TestLifecycleTransitions(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-transition")
	big := strings.Repeat("a", 128*1024)
	e.put("lc-transition", "big", big)
	e.put("lc-transition", "small", strings.Repeat("a", 128*1024-1))
	e.setLifecycle("lc-transition", types.LifecycleRule{ID: aws.String("cold"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}})
	moveTo(e, day.Add(48*time.Hour))
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-transition"), Key: aws.String("big")}))
	if h.StorageClass != types.StorageClassGlacier {
		t.Fatalf("big: %q", h.StorageClass)
	}
	if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-transition"), Key: aws.String("big")}); errCode(err) != "InvalidObjectState" {
		t.Fatalf("archived read: %v", err)
	}
	// RestoreObject brings a copy back (restore.go; lifecycle_execution_replay.json,
	// kms-encrypted-multipart-preserves-bytes-parts-checksums-tags-and-restore-gate).
	if status, _, err := e.restore("lc-transition", "big", "", restoreReq(1, types.TierExpedited)); err != nil || status != 202 {
		t.Fatalf("restore: %d %v", status, err)
	}
	e.p.Clock.Advance(6 * time.Minute)
	if got := e.get("lc-transition", "big"); got != big {
		t.Fatalf("restored read: %d bytes", len(got))
	}
	if h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-transition"), Key: aws.String("small")})); h.StorageClass != "" {
		t.Fatalf("small: %q", h.StorageClass)
	}
}

// Sizes and classes (lifecycle_execution_replay.json, the lifecycle-size scenario): a
// rule's own size filter lets small objects go; a transition never goes back up the
// waterfall, and One Zone-IA does not go to Glacier Instant Retrieval.
func TestLifecycleTransitionClasses(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-size")
	put := func(key, body string, class types.StorageClass) {
		must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lc-size"), Key: aws.String(key), Body: strings.NewReader(body), StorageClass: class}))
	}
	put("custom-small", "payload", "")
	put("excluded-equal", "1234567", "")
	put("cold", "payload", types.StorageClassDeepArchive)
	put("one-zone", "payload", types.StorageClassOnezoneIa)
	rule := func(id, prefix string, gt, lt *int64, class types.TransitionStorageClass) types.LifecycleRule {
		return types.LifecycleRule{ID: aws.String(id), Status: types.ExpirationStatusEnabled,
			Filter:      &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String(prefix), ObjectSizeGreaterThan: gt, ObjectSizeLessThan: lt}},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: class}}}
	}
	e.setLifecycle("lc-size",
		rule("custom", "custom-", aws.Int64(0), aws.Int64(8), types.TransitionStorageClassGlacier),
		rule("exclusive", "excluded-", aws.Int64(7), nil, types.TransitionStorageClassGlacier),
		rule("not-backwards", "cold", aws.Int64(0), nil, types.TransitionStorageClassGlacier),
		rule("no-one-zone-to-instant", "one-zone", aws.Int64(0), nil, types.TransitionStorageClassGlacierIr))
	moveTo(e, day.Add(48*time.Hour))
	for key, want := range map[string]types.StorageClass{"custom-small": "GLACIER", "excluded-equal": "", "cold": "DEEP_ARCHIVE", "one-zone": "ONEZONE_IA"} {
		if got := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-size"), Key: aws.String(key)})).StorageClass; got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	e.setLifecycle("lc-size", types.LifecycleRule{ID: aws.String("forward"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(0)}, Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassDeepArchive}}})
	moveTo(e, day.Add(72*time.Hour))
	for _, key := range []string{"custom-small", "one-zone"} {
		if got := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-size"), Key: aws.String(key)})).StorageClass; got != types.StorageClassDeepArchive {
			t.Errorf("forward %s: %q", key, got)
		}
	}
}

// Incomplete multipart uploads are aborted DaysAfterInitiation after they began.
func TestLifecycleAbortsUploads(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-mpu")
	e.setLifecycle("lc-mpu", types.LifecycleRule{ID: aws.String("abort"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}})
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lc-mpu"), Key: aws.String("tmp/x")}))
	kept := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lc-mpu"), Key: aws.String("keep/x")}))
	// CreateMultipartUpload names the rule and the date (API Reference:
	// x-amz-abort-date, x-amz-abort-rule-id).
	if up.AbortDate == nil || !up.AbortDate.Equal(day.Add(72*time.Hour)) || aws.ToString(up.AbortRuleId) != "abort" || kept.AbortDate != nil {
		t.Fatalf("abort headers: %v %v / %v", up.AbortDate, aws.ToString(up.AbortRuleId), kept.AbortDate)
	}
	moveTo(e, day.Add(72*time.Hour-time.Second))
	if n := len(must(e.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("lc-mpu")})).Uploads); n != 2 {
		t.Fatalf("early: %d uploads", n)
	}
	moveTo(e, day.Add(72*time.Hour))
	ups := must(e.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("lc-mpu")})).Uploads
	if len(ups) != 1 || *ups[0].UploadId != *kept.UploadId {
		t.Fatalf("left: %+v", ups)
	}
	if _, err := e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("lc-mpu"), Key: aws.String("tmp/x"), UploadId: up.UploadId}); errCode(err) != "NoSuchUpload" {
		t.Fatalf("aborted upload: %v", err)
	}
}

// precedenceRules: expiration and two transitions all due the same day
// (lifecycle_execution_replay.json, one-action-per-version-per-day-*).
func precedenceRules(e *env, bucket string) *string {
	e.Helper()
	e.bucket(bucket)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1 := e.put(bucket, "key", "payload").VersionId
	sized := &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(0)}
	e.setLifecycle(bucket,
		types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}},
		types.LifecycleRule{ID: aws.String("ia"), Status: types.ExpirationStatusEnabled, Filter: sized,
			Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa}}},
		types.LifecycleRule{ID: aws.String("archive"), Status: types.ExpirationStatusEnabled, Filter: sized,
			Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassGlacier}}})
	return v1
}

func (e *env) versionsAndMarkers(bucket string) (versions, markers []string) {
	e.Helper()
	out := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)}))
	for _, v := range out.Versions {
		versions = append(versions, aws.ToString(v.VersionId)+"/"+string(v.StorageClass)+"/"+map[bool]string{true: "latest", false: "old"}[aws.ToBool(v.IsLatest)])
	}
	for _, m := range out.DeleteMarkers {
		markers = append(markers, aws.ToString(m.VersionId))
	}
	return versions, markers
}

// One action per version per day: the transition (to GLACIER, the colder of the two)
// wins over the delete marker, which comes at the next midnight.
func TestLifecycleOneActionPerDay(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	v1 := precedenceRules(e, "lc-daywise")
	moveTo(e, day.Add(31*24*time.Hour))
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lc-daywise"), Key: aws.String("key")}))
	if h.StorageClass != types.StorageClassGlacier || aws.ToString(h.VersionId) != *v1 {
		t.Fatalf("first day: %q %q", h.StorageClass, aws.ToString(h.VersionId))
	}
	moveTo(e, day.Add(32*24*time.Hour))
	vs, ms := e.versionsAndMarkers("lc-daywise")
	if len(vs) != 1 || vs[0] != *v1+"/GLACIER/old" || len(ms) != 1 {
		t.Fatalf("second day: %v %v", vs, ms)
	}
	if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-daywise"), Key: aws.String("key"), VersionId: v1}); errCode(err) != "InvalidObjectState" {
		t.Fatalf("archived noncurrent read: %v", err)
	}
}

// A clock moved weeks at once runs each midnight in turn: both actions are taken, on
// two days.
func TestLifecycleLargeClockAdvance(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	v1 := precedenceRules(e, "lc-jump")
	moveTo(e, day.Add(33*24*time.Hour))
	vs, ms := e.versionsAndMarkers("lc-jump")
	if len(vs) != 1 || vs[0] != *v1+"/GLACIER/old" || len(ms) != 1 {
		t.Fatalf("after the jump: %v %v", vs, ms)
	}
}

// Object Lock keeps versions from noncurrent expiration while a retention is in force
// or a legal hold is on, but not from the delete marker of a current version's
// expiration (lifecycle_execution_replay.json,
// object-lock-protects-permanent-deletion-not-current-marker).
func TestLifecycleObjectLockRetention(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lc-lock"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	until := day.Add(4 * 24 * time.Hour)
	put := func(key string, in *s3.PutObjectInput) *string {
		in.Bucket, in.Key, in.Body, in.ChecksumAlgorithm = aws.String("lc-lock"), aws.String(key), strings.NewReader("payload"), types.ChecksumAlgorithmCrc64nvme
		return must(e.s3.PutObject(ctx, in)).VersionId
	}
	gov := put("governance", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &until})
	comp := put("compliance", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: &until})
	legal := put("legal", &s3.PutObjectInput{ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	e.setLifecycle("lc-lock",
		types.LifecycleRule{ID: aws.String("current"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))}},
		types.LifecycleRule{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}})
	moveTo(e, day.Add(24*time.Hour))
	for _, k := range []string{"governance", "compliance", "legal"} {
		if _, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-lock"), Key: aws.String(k)}); errCode(err) != "NoSuchKey" {
			t.Fatalf("%s behind its marker: %v", k, err)
		}
	}
	version := func(key string, v *string) error {
		out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lc-lock"), Key: aws.String(key), VersionId: v})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	moveTo(e, day.Add(3*24*time.Hour))
	for k, v := range map[string]*string{"governance": gov, "compliance": comp, "legal": legal} {
		if err := version(k, v); err != nil {
			t.Fatalf("%s removed while protected: %v", k, err)
		}
	}
	moveTo(e, until)
	for k, v := range map[string]*string{"governance": gov, "compliance": comp} {
		if err := version(k, v); errCode(err) != "NoSuchVersion" {
			t.Fatalf("%s kept after its retention: %v", k, err)
		}
	}
	if err := version("legal", legal); err != nil {
		t.Fatalf("held version removed: %v", err)
	}
	must(e.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lc-lock"), Key: aws.String("legal"), VersionId: legal,
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	moveTo(e, until.Add(24*time.Hour))
	if err := version("legal", legal); errCode(err) != "NoSuchVersion" {
		t.Fatalf("released version kept: %v", err)
	}
}

// A bucket whose rules have nothing due for weeks is run up to today at once, not
// rescanned on every wake until its next due day.
func TestLifecycleIdleDays(t *testing.T) {
	e := newEnv(t)
	day := noon(e).Truncate(24 * time.Hour)
	e.bucket("lc-idle")
	e.put("lc-idle", "log", "payload")
	e.setLifecycle("lc-idle", types.LifecycleRule{ID: aws.String("year"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(365)}})
	moveTo(e, day.Add(3*24*time.Hour))
	if got := must(e.p.S3.LifecycleDay("lc-idle")); !got.Equal(day.Add(3 * 24 * time.Hour)) {
		t.Fatalf("last run day %v, want %v", got, day.Add(3*24*time.Hour))
	}
	if e.get("lc-idle", "log") != "payload" {
		t.Fatal("expired early")
	}
}
