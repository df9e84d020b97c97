package cloudtrail_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

// filesOf returns the records delivered for a trail (under its key prefix, the
// trail's name), by file key without the prefix.
func filesOf(t *testing.T, files []ct.File, trail string) map[string][]map[string]any {
	t.Helper()
	var mine []ct.File
	for _, f := range files {
		if k, ok := strings.CutPrefix(f.Key, trail+"/"); ok {
			f.Key = k
			mine = append(mine, f)
		}
	}
	return records(t, mine)
}

func allNames(recs map[string][]map[string]any) map[string]int {
	out := map[string]int{}
	for _, rs := range recs {
		for _, r := range rs {
			out[r["eventName"].(string)]++
		}
	}
	return out
}

// Which trail logs what: regions, global services, selectors, logging windows,
// deleted trails' last events, and two accounts writing into one bucket.
func TestDeliveryRouting(t *testing.T) {
	e := newEnv(t)
	west := e.in("us-west-2")
	e.bucket("shared-bucket", account, "111111111111")
	create := func(c *cloudtrail.Client, name string, in cloudtrail.CreateTrailInput) {
		in.Name, in.S3BucketName, in.S3KeyPrefix = aws.String(name), aws.String("shared-bucket"), aws.String(name)
		apptest.Must(c.CreateTrail(ctx, &in))
		apptest.Must(c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}))
	}
	create(e.ct, "all", cloudtrail.CreateTrailInput{IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)})
	create(e.ct, "east", cloudtrail.CreateTrailInput{})
	create(e.ct, "noglobal", cloudtrail.CreateTrailInput{IncludeGlobalServiceEvents: aws.Bool(false)})
	create(west, "westonly", cloudtrail.CreateTrailInput{})
	create(e.ct, "reads", cloudtrail.CreateTrailInput{})
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("reads"),
		EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeReadOnly}}}))

	other := e.account("111111111111")
	otherCT := cloudtrail.NewFromConfig(other)
	apptest.Must(otherCT.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("theirs"), S3BucketName: aws.String("shared-bucket"), S3KeyPrefix: aws.String("theirs")}))
	apptest.Must(otherCT.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("theirs")}))
	apptest.Must(iam.NewFromConfig(other).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("theirs-user")}))

	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("global")}))       // IAM: us-east-1, global
	apptest.Must(west.ListTrails(ctx, &cloudtrail.ListTrailsInput{}))                               // us-west-2, read
	apptest.Must(e.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))                       // us-east-1, read
	apptest.Must(west.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("westonly")})) // westonly's last event
	apptest.Must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))                       // after westonly stopped
	apptest.Must(e.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("east")}))     // east's last event
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after-delete")}))
	e.advance(5 * time.Minute)
	files := e.files()

	all := filesOf(t, files, "all")
	for key, recs := range all {
		region := strings.Split(key, "/")[3]
		for _, r := range recs {
			if r["awsRegion"] != region || r["recipientAccountId"] != account {
				t.Errorf("%s holds a record of %v/%v", key, r["recipientAccountId"], r["awsRegion"])
			}
		}
	}
	if n := allNames(all); n["ListTrails"] != 1 || n["CreateUser"] != 2 || n["DescribeTrails"] != 2 || n["CreateTrail"] != 4 {
		t.Errorf("multi-region trail logged %v", n)
	}
	if n := allNames(filesOf(t, files, "east")); n["ListTrails"] != 0 || n["CreateUser"] != 1 || n["DeleteTrail"] != 1 || n["DescribeTrails"] != 1 {
		t.Errorf("deleted single-region trail logged %v", n)
	}
	if n := allNames(filesOf(t, files, "noglobal")); n["CreateUser"] != 0 || n["DescribeTrails"] != 1 {
		t.Errorf("trail without global services logged %v", n)
	}
	if n := allNames(filesOf(t, files, "westonly")); n["ListTrails"] != 1 || n["StopLogging"] != 1 || n["DescribeTrails"] != 0 || n["CreateUser"] != 0 {
		t.Errorf("us-west-2 trail logged %v", n)
	}
	if n := allNames(filesOf(t, files, "reads")); n["DescribeTrails"] != 1 || n["CreateUser"] != 0 || n["PutEventSelectors"] != 0 {
		t.Errorf("read-only trail logged %v", n)
	}
	theirs := filesOf(t, files, "theirs")
	for key, recs := range theirs {
		if !strings.HasPrefix(key, "AWSLogs/111111111111/CloudTrail/us-east-1/") {
			t.Errorf("the other account's file %s", key)
		}
		for _, r := range recs {
			if r["recipientAccountId"] != "111111111111" {
				t.Errorf("the other account's trail logged %v", r["recipientAccountId"])
			}
		}
	}
	if n := allNames(theirs); n["CreateUser"] != 1 {
		t.Errorf("the other account's trail logged %v", n)
	}
	for _, f := range files {
		if f.Bucket != "shared-bucket" {
			t.Errorf("file for bucket %s", f.Bucket)
		}
	}

	// The deleted trail and the stopped one deliver nothing more.
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("later")}))
	apptest.Must(west.ListTrails(ctx, &cloudtrail.ListTrailsInput{}))
	e.advance(5 * time.Minute)
	later := newFiles(files, e.files())
	if n := allNames(filesOf(t, later, "east")); len(n) != 0 {
		t.Errorf("deleted trail still logs %v", n)
	}
	if n := allNames(filesOf(t, later, "westonly")); len(n) != 0 {
		t.Errorf("stopped trail still logs %v", n)
	}
	if n := allNames(filesOf(t, later, "all")); n["CreateUser"] != 1 || n["ListTrails"] != 1 {
		t.Errorf("multi-region trail then logged %v", n)
	}
}

// Stopping a trail with validation delivers a final digest; starting it again starts
// a new chain.
func TestStopAndRestartChains(t *testing.T) {
	e := newEnv(t)
	// Five minutes past an hour, so that each logging period below spans exactly one
	// hour boundary, whatever the time the test runs at.
	now := e.p.Clock.Now()
	e.p.Clock.Advance(now.Truncate(time.Hour).Add(65 * time.Minute).Sub(now))
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), EnableLogFileValidation: aws.Bool(true)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	e.advance(90 * time.Minute)
	apptest.Must(e.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}))
	e.advance(10 * time.Minute)
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	e.advance(70 * time.Minute)
	var chain []ct.Digest
	for _, f := range e.files() {
		if f.Kind == "digest" {
			var d ct.Digest
			json.Unmarshal(cttest.Gunzip(t, f.Body), &d)
			chain = append(chain, d)
		}
	}
	// The first chain's starting digest (digest_starting.json), hourly digest and final
	// digest at the stop (listing the StopLogging file); the second chain, started in
	// the second the final digest is named by, starts with its first hourly digest.
	if len(chain) != 4 {
		for _, d := range chain {
			t.Log(d.DigestStartTime, d.DigestEndTime, d.PreviousDigestS3Object != nil, len(d.LogFiles), d.DigestS3Object)
		}
		t.Fatalf("%d digests", len(chain))
	}
	prev := func(i int) string { return aws.ToString(chain[i].PreviousDigestS3Object) }
	if prev(0) != "" || len(chain[0].LogFiles) != 0 || prev(1) != chain[0].DigestS3Object || prev(2) != chain[1].DigestS3Object || prev(3) != "" {
		t.Errorf("chains: %q %q %q %q", prev(0), prev(1), prev(2), prev(3))
	}
	if len(chain[2].LogFiles) == 0 {
		t.Error("the final digest lists no file: the StopLogging record was delivered")
	}
}
