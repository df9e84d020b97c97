package cloudtrail_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/palisade/palisade/internal/app/apptest"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

// The answers in this file are AWS's, recorded in us-east-1 in 2026 (the stackd
// repository's testdata/aws/cloudtrail/*.json, named by each case).

// TestRecordedLookupInputs: LookupEvents' input checks (lookup_validation.json,
// lookup_inputs.json).
func TestRecordedLookupInputs(t *testing.T) {
	e := newEnv(t)
	attr := func(k, v string) []types.LookupAttribute {
		return []types.LookupAttribute{{AttributeKey: types.LookupAttributeKey(k), AttributeValue: aws.String(v)}}
	}
	at := func(s string) *time.Time { v, _ := time.Parse(time.RFC3339, s); return &v }
	for _, tc := range []struct {
		name string
		in   cloudtrail.LookupEventsInput
		code string // "" for success
	}{
		{"max_zero", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}, "InvalidMaxResultsException"},
		{"max_over", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"two_attributes", cloudtrail.LookupEventsInput{LookupAttributes: append(attr("EventName", "CreateUser"), attr("Username", "root")...)}, "InvalidLookupAttributesException"},
		{"start_after_end", cloudtrail.LookupEventsInput{StartTime: at("2031-01-01T01:00:00Z"), EndTime: at("2031-01-01T00:00:00Z")}, "InvalidTimeRangeException"},
		{"broken_token", cloudtrail.LookupEventsInput{NextToken: aws.String("broken")}, "InvalidNextTokenException"},
		{"invalid_category", cloudtrail.LookupEventsInput{EventCategory: "invalid"}, "InvalidEventCategoryException"},
		{"read_true", cloudtrail.LookupEventsInput{LookupAttributes: attr("ReadOnly", "true"), MaxResults: aws.Int32(1)}, ""},
		{"read_True", cloudtrail.LookupEventsInput{LookupAttributes: attr("ReadOnly", "True"), MaxResults: aws.Int32(1)}, "InvalidLookupAttributesException"},
		{"read_other", cloudtrail.LookupEventsInput{LookupAttributes: attr("ReadOnly", "other"), MaxResults: aws.Int32(1)}, "InvalidLookupAttributesException"},
		{"future_start", cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Unix(2100000000, 0)), MaxResults: aws.Int32(1)}, "InvalidTimeRangeException"},
		{"weighted_exact", cloudtrail.LookupEventsInput{LookupAttributes: attr("ResourceName", strings.Repeat("_", 1000)), MaxResults: aws.Int32(1)}, ""},
		{"weighted_over", cloudtrail.LookupEventsInput{LookupAttributes: attr("ResourceName", strings.Repeat("_", 1001)), MaxResults: aws.Int32(1)}, ""},
		{"invalid_resource_type", cloudtrail.LookupEventsInput{LookupAttributes: attr("ResourceType", "Other"), MaxResults: aws.Int32(1)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.ct.LookupEvents(ctx, &tc.in)
			if tc.code != "" {
				apptest.WantErr(t, err, tc.code, 400, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.name != "read_true" && len(out.Events) != 0 {
				t.Errorf("%d events, want none", len(out.Events))
			}
		})
	}
}

// TestRecordedPublicKeys: ListPublicKeys answers a NextToken it never issued with the
// whole list (digest_public_keys.json: {} and {"NextToken": "invalid"} return the same).
func TestRecordedPublicKeys(t *testing.T) {
	e := newEnv(t)
	// A digest makes the Region's first signing key.
	e.bucket("keys-logs")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("keys"), S3BucketName: aws.String("keys-logs"), EnableLogFileValidation: aws.Bool(true)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("keys")}))
	e.advance(time.Hour + 10*time.Minute)
	all := apptest.Must(e.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{}))
	tok := apptest.Must(e.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{NextToken: aws.String("invalid")}))
	if len(all.PublicKeyList) == 0 || len(tok.PublicKeyList) != len(all.PublicKeyList) || *tok.PublicKeyList[0].Fingerprint != *all.PublicKeyList[0].Fingerprint {
		t.Fatalf("with a token %+v, without %+v", tok.PublicKeyList, all.PublicKeyList)
	}
	k := all.PublicKeyList[0]
	if got := k.ValidityEndTime.Sub(*k.ValidityStartTime); got != 30*24*time.Hour {
		t.Errorf("validity %v, want 30 days", got)
	}
}

// TestRecordedTrailAdmission: CreateTrail and UpdateTrail's checks of the bucket
// (organization_admission.json, digest_admission.json, owned_s3_delivery.json).
func TestRecordedTrailAdmission(t *testing.T) {
	e := newEnv(t)
	_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-admission"), S3BucketName: aws.String("org-admission-logs")})
	apptest.WantErr(t, err, "S3BucketDoesNotExistException", 400, "S3 bucket org-admission-logs does not exist!")

	// digest_admission.json: a policy that lets CloudTrail write under
	// AWSLogs/ACCOUNT/CloudTrail/ only admits a trail without validation, and refuses
	// validation at CreateTrail and UpdateTrail, leaving the trail as it was.
	const name = "digest-admission"
	arn := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + name
	policy := func(resource string) {
		apptest.Must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + name + `",
			 "Condition":{"StringEquals":{"aws:SourceArn":"` + arn + `"}}},
			{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + name + `/` + resource + `",
			 "Condition":{"StringEquals":{"aws:SourceArn":"` + arn + `","s3:x-amz-acl":"bucket-owner-full-control"}}}]}`)}))
	}
	apptest.Must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
	policy("AWSLogs/" + account + "/CloudTrail/*")
	_, err = e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(name), EnableLogFileValidation: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false)})
	apptest.WantErr(t, err, "InsufficientS3BucketPolicyException", 400, "Incorrect S3 bucket policy is detected for bucket: "+name)
	_, err = e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	apptest.WantErr(t, err, "TrailNotFoundException", 400, "Unknown trail: "+name+" for the user: "+account)
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(name), EnableLogFileValidation: aws.Bool(false), IncludeGlobalServiceEvents: aws.Bool(false)}))
	// The bucket check leaves an empty object at the prefix it checked
	// (digest_admission.json "list-objects-v2"; owned_service_principal.json for its
	// headers).
	markers := func() string {
		e.settle()
		var keys []string
		for _, o := range apptest.Must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name)})).Contents {
			h := apptest.Must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: o.Key}))
			if *o.Size != 0 || aws.ToString(h.ContentEncoding) != "gzip" || aws.ToString(h.ContentType) != "application/json" || h.ServerSideEncryption != "AES256" {
				t.Errorf("%s: size %d, Content-Encoding %q, Content-Type %q, SSE %q", *o.Key, *o.Size, aws.ToString(h.ContentEncoding), aws.ToString(h.ContentType), h.ServerSideEncryption)
			}
			keys = append(keys, *o.Key)
		}
		return strings.Join(keys, ",")
	}
	if got := markers(); got != "AWSLogs/"+account+"/CloudTrail/" {
		t.Errorf("objects after CreateTrail: %s", got)
	}
	_, err = e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), EnableLogFileValidation: aws.Bool(true)})
	apptest.WantErr(t, err, "InsufficientS3BucketPolicyException", 400, "")
	if got := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})).Trail; *got.LogFileValidationEnabled {
		t.Error("validation enabled by a refused UpdateTrail")
	}
	policy("AWSLogs/" + account + "/*")
	if up := apptest.Must(e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), EnableLogFileValidation: aws.Bool(true)})); !*up.LogFileValidationEnabled {
		t.Error("UpdateTrail did not enable validation")
	}
	if got := markers(); got != "AWSLogs/"+account+"/CloudTrail-Digest/,AWSLogs/"+account+"/CloudTrail/" {
		t.Errorf("objects after enabling validation: %s", got)
	}
	apptest.Must(e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), EnableLogFileValidation: aws.Bool(false)}))

	// owned_s3_delivery.json: the same trail again, StartLogging twice.
	_, err = e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(name)})
	apptest.WantErr(t, err, "TrailAlreadyExistsException", 400, "Trail "+name+" already exists for customer: "+account)
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}))
}

// TestRecordedEventSelectors: PutEventSelectors' checks and the selectors
// GetEventSelectors returns (owned_s3_delivery.json, owned_selector_resource_types.json).
func TestRecordedEventSelectors(t *testing.T) {
	e := newEnv(t)
	e.bucket("selector-logs")
	name := aws.String("selectors")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("selector-logs")}))
	basic := []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false),
		DataResources: []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::source/"}}}}}
	field := func(f string, eq, sw []string) types.AdvancedFieldSelector {
		return types.AdvancedFieldSelector{Field: aws.String(f), Equals: eq, StartsWith: sw}
	}
	advanced := []types.AdvancedEventSelector{{Name: aws.String("OwnedSourceOnly"), FieldSelectors: []types.AdvancedFieldSelector{
		field("eventCategory", []string{"Data"}, nil), field("resources.type", []string{"AWS::S3::Object"}, nil),
		field("resources.ARN", nil, []string{"arn:aws:s3:::source/"})}}}

	put := apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: basic}))
	if s := put.EventSelectors[0]; s.ExcludeManagementEventSources == nil || len(s.ExcludeManagementEventSources) != 0 {
		t.Errorf("basic selector %+v", s)
	}
	padv := apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, AdvancedEventSelectors: advanced}))
	fields := func(s []types.AdvancedEventSelector) string {
		var f []string
		for _, fs := range s[0].FieldSelectors {
			f = append(f, *fs.Field)
		}
		return strings.Join(f, ",")
	}
	// PutEventSelectors answers in the order given, GetEventSelectors by field name.
	if got := fields(padv.AdvancedEventSelectors); got != "eventCategory,resources.type,resources.ARN" {
		t.Errorf("PutEventSelectors fields %s", got)
	}
	if got := fields(apptest.Must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})).AdvancedEventSelectors); got != "eventCategory,resources.ARN,resources.type" {
		t.Errorf("GetEventSelectors fields %s", got)
	}

	for _, tc := range []struct {
		name string
		in   cloudtrail.PutEventSelectorsInput
		msg  string
	}{
		{"reject-both-selector-types", cloudtrail.PutEventSelectorsInput{EventSelectors: basic, AdvancedEventSelectors: advanced},
			"You can select events by using either EventSelectors or AdvancedEventSelectors, but not both."},
		{"reject-empty-basic", cloudtrail.PutEventSelectorsInput{EventSelectors: []types.EventSelector{}}, "Specify a valid number of selectors (1 to 5) for your trail"},
		{"reject-empty-advanced", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []types.AdvancedEventSelector{}}, "Specify between 1 and 500 selectors for your trail."},
		{"reject-invalid-read-write", cloudtrail.PutEventSelectorsInput{EventSelectors: []types.EventSelector{{ReadWriteType: "read-only", IncludeManagementEvents: aws.Bool(false),
			DataResources: basic[0].DataResources}}}, "Value read-only for ReadWriteType is invalid."},
		{"reject-advanced-missing-category", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			field("resources.type", []string{"AWS::S3::Object"}, nil)}}}}, "The following fields are required: [eventCategory]."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.TrailName = name
			_, err := e.ct.PutEventSelectors(ctx, &tc.in)
			apptest.WantErr(t, err, "InvalidEventSelectorsException", 400, tc.msg)
		})
	}
	// The refusals left the selectors as they were (get-selectors-after-rejections).
	if got := apptest.Must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})); len(got.AdvancedEventSelectors) != 1 || *got.AdvancedEventSelectors[0].Name != "OwnedSourceOnly" {
		t.Errorf("selectors after refusals %+v", got)
	}
}

// TestRecordedIAMHistory: what event history shows for IAM calls (iam_history.json's
// replay; service_management_events.json for PutRolePolicy, CreateRole and SQS's
// queue calls): a read names no resources, a write its resources by type; IAM's
// errorCode is the exception's name and its timestamps ISO 8601; records are
// eventVersion 1.11, IAM's without a resources field.
func TestRecordedIAMHistory(t *testing.T) {
	e := newEnv(t)
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/team/")}))
	_, err := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("missing")})
	apptest.WantErr(t, err, "NoSuchEntity", 404, "")
	apptest.Must(e.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	key := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey.AccessKeyId
	apptest.Must(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
	apptest.Must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: key, Status: iamtypes.StatusTypeActive}))
	apptest.Must(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewPath: aws.String("/moved/")}))
	apptest.Must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: key}))
	apptest.Must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
	apptest.Must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	apptest.Must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("owned-sqs-send"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`)}))
	apptest.Must(e.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("exec")}))
	q := sqs.NewFromConfig(e.p.RootConfig())
	url := apptest.Must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("out")})).QueueUrl
	apptest.Must(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"DelaySeconds": "1"}}))
	apptest.Must(q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: url}))

	want := map[string]struct {
		types     string // the lookup resources' types
		errorCode string
	}{
		"GetUser":          {"", "NoSuchEntityException"},
		"ListUsers":        {"", ""},
		"UpdateUser":       {"AWS::IAM::User", ""},
		"DeleteUser":       {"AWS::IAM::User", ""},
		"CreateAccessKey":  {"AWS::IAM::AccessKey,AWS::IAM::User", ""},
		"ListAccessKeys":   {"", ""},
		"UpdateAccessKey":  {"AWS::IAM::AccessKey,AWS::IAM::User", ""},
		"DeleteAccessKey":  {"AWS::IAM::AccessKey,AWS::IAM::User", ""},
		"PutRolePolicy":    {"AWS::IAM::Policy,AWS::IAM::Role", ""},
		"ListRolePolicies": {"", ""},
		// A user or role created: its name, ID and ARN.
		"CreateUser":         {"AWS::IAM::User,AWS::IAM::User,AWS::IAM::User", ""},
		"CreateRole":         {"AWS::IAM::Role,AWS::IAM::Role,AWS::IAM::Role", ""},
		"CreateQueue":        {"AWS::SQS::Queue", ""},
		"SetQueueAttributes": {"AWS::SQS::Queue", ""},
		"DeleteQueue":        {"AWS::SQS::Queue", ""},
	}
	out := apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}))
	seen := 0
	for _, ev := range out.Events {
		if *ev.EventName == "CreateRole" {
			var names []string
			for _, r := range ev.Resources {
				names = append(names, *r.ResourceName)
			}
			if len(names) != 3 || names[0] != "exec" || !strings.HasPrefix(names[1], "AROA") || names[2] != "arn:aws:iam::"+account+":role/exec" {
				t.Errorf("CreateRole's resources %v", names)
			}
			var rec struct {
				ResponseElements struct{ Role struct{ CreateDate string } }
			}
			json.Unmarshal([]byte(*ev.CloudTrailEvent), &rec)
			if _, err := time.Parse("2006-01-02T15:04:05Z", rec.ResponseElements.Role.CreateDate); err != nil {
				t.Errorf("CreateRole's createDate %q", rec.ResponseElements.Role.CreateDate)
			}
		}
		if *ev.EventName == "CreateQueue" && (len(ev.Resources) != 1 || *ev.Resources[0].ResourceName != *url) {
			t.Errorf("CreateQueue's resources %+v", ev.Resources)
		}
		w, ok := want[*ev.EventName]
		if !ok {
			continue
		}
		seen++
		var typs []string
		for _, r := range ev.Resources {
			typs = append(typs, *r.ResourceType)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(*ev.CloudTrailEvent), &rec); err != nil {
			t.Fatal(err)
		}
		errorCode, _ := rec["errorCode"].(string)
		_, hasResources := rec["resources"]
		hasResources = hasResources && rec["eventSource"] == "iam.amazonaws.com"
		if got := strings.Join(typs, ","); got != w.types || errorCode != w.errorCode || hasResources || rec["eventVersion"] != "1.11" ||
			rec["eventCategory"] != "Management" || rec["managementEvent"] != true {
			t.Errorf("%s: resources %q errorCode %q, want %q %q; record %s", *ev.EventName, got, errorCode, w.types, w.errorCode, *ev.CloudTrailEvent)
		}
	}
	if seen != len(want) {
		t.Errorf("%d of %d events found", seen, len(want))
	}
}

// TestRecordedDeliveredObjects: CloudTrail's files are stored as application/json with
// Content-Encoding gzip and SSE-S3 (owned_s3_delivery.json, digest_starting.json), and
// its own records print timestamps in ISO 8601 (owned_service_principal.json:
// LookupEvents' requestParameters).
func TestRecordedDeliveredObjects(t *testing.T) {
	e := newEnv(t)
	e.bucket("delivered-logs")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("delivered"), S3BucketName: aws.String("delivered-logs"),
		S3KeyPrefix: aws.String("owned"), EnableLogFileValidation: aws.Bool(true)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("delivered")}))
	apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Unix(1789319589, 125e6)), EndTime: aws.Time(time.Unix(1789323129, 875e6)),
		LookupAttributes: []types.LookupAttribute{{AttributeKey: "ResourceName", AttributeValue: aws.String("nonexistent")}}, MaxResults: aws.Int32(1)}))
	e.advance(time.Hour + 10*time.Minute)
	kinds := map[string]bool{}
	for _, f := range e.files() {
		h := apptest.Must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(f.Bucket), Key: aws.String(f.Key)}))
		if aws.ToString(h.ContentEncoding) != "gzip" || aws.ToString(h.ContentType) != "application/json" || h.ServerSideEncryption != "AES256" {
			t.Errorf("%s: Content-Encoding %q Content-Type %q SSE %q", f.Key, aws.ToString(h.ContentEncoding), aws.ToString(h.ContentType), h.ServerSideEncryption)
		}
		kinds[f.Kind] = true
	}
	if !kinds["log"] || !kinds["digest"] {
		t.Fatalf("files delivered: %v", kinds)
	}
	out := apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: "EventName", AttributeValue: aws.String("LookupEvents")}}}))
	var rec struct{ RequestParameters json.RawMessage }
	if err := json.Unmarshal([]byte(*out.Events[len(out.Events)-1].CloudTrailEvent), &rec); err != nil {
		t.Fatal(err)
	}
	const want = `{"lookupAttributes":[{"attributeKey":"ResourceName","attributeValue":"nonexistent"}],"startTime":"2026-09-13T17:13:09Z","endTime":"2026-09-13T18:12:09Z","maxResults":1}`
	if string(rec.RequestParameters) != want {
		t.Errorf("LookupEvents requestParameters\n got %s\nwant %s", rec.RequestParameters, want)
	}
}

// TestRecordedStartingDigest: a chain starts with a digest of the hour before logging
// started, listing nothing and naming no previous digest; the next one covers the
// first hour and names it (digest_starting.json).
func TestRecordedStartingDigest(t *testing.T) {
	e := newEnv(t)
	e.bucket("starting-logs")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("starting"), S3BucketName: aws.String("starting-logs"), EnableLogFileValidation: aws.Bool(true)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("starting")}))
	started := *apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("starting")})).StartLoggingTime
	e.advance(time.Hour + 10*time.Minute)
	var chain []ct.Digest
	for _, f := range e.files() {
		if f.Kind == "digest" {
			var d ct.Digest
			if err := json.Unmarshal(cttest.Gunzip(t, f.Body), &d); err != nil {
				t.Fatal(err)
			}
			chain = append(chain, d)
		}
	}
	if len(chain) != 2 {
		t.Fatalf("%d digests", len(chain))
	}
	at := func(s time.Time) string { return s.UTC().Truncate(time.Second).Format(time.RFC3339) }
	first, next := chain[0], chain[1]
	if first.DigestStartTime != at(started.Add(-time.Hour)) || first.DigestEndTime != at(started) || first.PreviousDigestS3Object != nil ||
		first.PreviousDigestSignature != nil || len(first.LogFiles) != 0 || first.NewestEventTime != nil || first.OldestEventTime != nil ||
		!strings.HasSuffix(first.DigestS3Object, "_"+started.UTC().Format("20060102T150405Z")+".json.gz") {
		t.Errorf("starting digest %+v (logging started %s)", first, started)
	}
	if next.DigestStartTime != at(started) || aws.ToString(next.PreviousDigestS3Object) != first.DigestS3Object || aws.ToString(next.PreviousDigestHashAlgorithm) != "SHA-256" {
		t.Errorf("successor %+v", next)
	}
}

// TestRecordedLogsHistory: CloudWatch Logs' records and what event history shows for
// them (logs_controls.json). Reads are recorded, GetLogEvents and FilterLogEvents too,
// and name the group or stream they read; a denied call is errorCode AccessDenied with
// no parameters; TestMetricFilter's sample messages stay out of the trail.
func TestRecordedLogsHistory(t *testing.T) {
	e := newEnv(t)
	l := cwl.NewFromConfig(e.p.RootConfig())
	g := aws.String("/stackd/owned")
	arn := aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:/stackd/owned")
	apptest.Must(l.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: g, Tags: map[string]string{"owner": "audit"}}))
	apptest.Must(l.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: g}))
	apptest.Must(l.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"stage": "changed"}}))
	apptest.Must(l.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: arn}))
	apptest.Must(l.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: aws.String("owned")}))
	apptest.Must(l.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: g, LogStreamNamePrefix: aws.String("owned")}))
	apptest.Must(l.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: aws.String("owned"), StartFromHead: aws.Bool(true), Limit: aws.Int32(10)}))
	apptest.Must(l.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: g, FilterPattern: aws.String("marker"), Limit: aws.Int32(10)}))
	apptest.Must(l.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: g, FilterName: aws.String("owned"), FilterPattern: aws.String("never-match-audit"),
		MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String("Count"), MetricNamespace: aws.String("Audit"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0), Unit: "Count"}}}))
	apptest.Must(l.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("owned"), LogEventMessages: []string{"owned synthetic-message-marker"}}))
	_, err := l.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("{"), LogEventMessages: []string{"synthetic-rejected-message"}})
	apptest.WantErr(t, err, "InvalidParameterException", 400, "")
	_, err = l.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/stackd/owned-missing"), RetentionInDays: aws.Int32(7)})
	apptest.WantErr(t, err, "ResourceNotFoundException", 400, "")
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}))
	key := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("reader")})).AccessKey
	reader := cwl.NewFromConfig(e.p.Config(*key.AccessKeyId, *key.SecretAccessKey, ""))
	_, err = reader.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"denied": "value"}})
	apptest.WantErr(t, err, "AccessDeniedException", 400, "")

	type want struct {
		errorCode, params, resources, lookup string
	}
	group := `[{"accountId":"` + account + `","type":"AWS::Logs::LogGroup","ARN":"` + *arn + `"}]`
	wants := map[string]want{
		"CreateLogGroup ":      {"", `{"logGroupName":"/stackd/owned","tags":{"owner":"audit"}}`, "", "AWS::Logs::LogGroup /stackd/owned"},
		"DescribeLogGroups ":   {"", `{"logGroupNamePrefix":"/stackd/owned"}`, group, "AWS::Logs::LogGroup /stackd/owned"},
		"ListTagsForResource ": {"", `{"resourceArn":"` + *arn + `"}`, "", "AWS::Logs::LogGroup " + *arn},
		"CreateLogStream ":     {"", `{"logGroupName":"/stackd/owned","logStreamName":"owned"}`, "", "AWS::Logs::LogGroup /stackd/owned"},
		"DescribeLogStreams ":  {"", `{"logGroupName":"/stackd/owned","logStreamNamePrefix":"owned"}`, group, "AWS::Logs::LogGroup /stackd/owned"},
		"GetLogEvents ": {"", `{"logGroupName":"/stackd/owned","logStreamName":"owned","limit":10,"startFromHead":true,"unmask":false}`,
			`[{"accountId":"` + account + `","type":"AWS::Logs::LogStream","ARN":"` + *arn + `:log-stream:owned"}]`, "AWS::Logs::LogGroup /stackd/owned"},
		"FilterLogEvents ": {"", `{"logGroupName":"/stackd/owned","filterPattern":"marker","limit":10,"unmask":false}`, group, "AWS::Logs::LogGroup /stackd/owned"},
		"PutMetricFilter ": {"", `{"logGroupName":"/stackd/owned","filterName":"owned","filterPattern":"never-match-audit","metricTransformations":[{"metricName":"Count","metricNamespace":"Audit","metricValue":"1","defaultValue":0.0,"unit":"Count"}],"applyOnTransformedLogs":false}`,
			"", "AWS::Logs::LogGroup /stackd/owned"},
		"TestMetricFilter ":                            {"", "null", "", ""},
		"TestMetricFilter InvalidParameterException":   {"InvalidParameterException", "null", "", ""},
		"PutRetentionPolicy ResourceNotFoundException": {"ResourceNotFoundException", `{"logGroupName":"/stackd/owned-missing","retentionInDays":7}`, "", "AWS::Logs::LogGroup /stackd/owned-missing"},
		"TagResource AccessDenied":                     {"AccessDenied", "null", "", ""},
		"TagResource ":                                 {"", `{"resourceArn":"` + *arn + `","tags":{"stage":"changed"}}`, "", "AWS::Logs::LogGroup " + *arn},
	}
	out := apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: "EventSource", AttributeValue: aws.String("logs.amazonaws.com")}}}))
	seen := 0
	for _, ev := range out.Events {
		var rec struct {
			ErrorCode         string
			RequestParameters json.RawMessage
			Resources         json.RawMessage
			APIVersion        string
		}
		if err := json.Unmarshal([]byte(*ev.CloudTrailEvent), &rec); err != nil {
			t.Fatal(err)
		}
		k := *ev.EventName + " " + rec.ErrorCode
		w, ok := wants[k]
		if !ok {
			continue
		}
		seen++
		var lookup []string
		for _, r := range ev.Resources {
			lookup = append(lookup, *r.ResourceType+" "+*r.ResourceName)
		}
		wantAPI := "20140328"
		if rec.ErrorCode == "AccessDenied" {
			wantAPI = ""
		}
		if rec.ErrorCode != w.errorCode || string(rec.RequestParameters) != w.params || string(rec.Resources) != w.resources || strings.Join(lookup, ",") != w.lookup || rec.APIVersion != wantAPI {
			t.Errorf("%s: errorCode %q params %s resources %s lookup %q apiVersion %q\nwant %q %s %s %q", k, rec.ErrorCode, rec.RequestParameters, rec.Resources, lookup, rec.APIVersion, w.errorCode, w.params, w.resources, w.lookup)
		}
	}
	if seen != len(wants) {
		t.Errorf("%d of %d events found", seen, len(wants))
	}
}

// TestRecordedLogsRoleUpdates: UpdateTrail's empty CloudWatch Logs settings
// (logs_role_updates.json): an empty role alone, or both empty, turns delivery to
// CloudWatch Logs off; one empty beside the other set is refused, leaving the trail as
// it was.
func TestRecordedLogsRoleUpdates(t *testing.T) {
	e := newEnv(t)
	e.bucket("ctlogs")
	groupARN, roleARN := e.logsDelivery("/stackd/owned", "ctlogs", "")
	group, role := aws.String(groupARN), aws.String(roleARN)
	name := aws.String("owned")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("ctlogs"), CloudWatchLogsLogGroupArn: group, CloudWatchLogsRoleArn: role}))
	configured := func() (string, string) {
		tr := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: name})).Trail
		return aws.ToString(tr.CloudWatchLogsLogGroupArn), aws.ToString(tr.CloudWatchLogsRoleArn)
	}
	restore := func() {
		apptest.Must(e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: name, CloudWatchLogsLogGroupArn: group, CloudWatchLogsRoleArn: role}))
	}
	for _, tc := range []struct {
		label       string
		group, role *string
		code        string
	}{
		{"configured-empty-role-only", nil, aws.String(""), ""},
		{"remove-group-only (logs_destination.json)", aws.String(""), nil, ""},
		{"configured-both-empty", aws.String(""), aws.String(""), ""},
		{"configured-empty-group-nonempty-role", aws.String(""), role, "InvalidCloudWatchLogsLogGroupArnException"},
		{"configured-nonempty-group-empty-role", group, aws.String(""), "InvalidCloudWatchLogsRoleArnException"},
	} {
		restore()
		out, err := e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: name, CloudWatchLogsLogGroupArn: tc.group, CloudWatchLogsRoleArn: tc.role})
		g, r := configured()
		if tc.code != "" {
			apptest.WantErr(t, err, tc.code, 400, "You must specify a log group and a role ARN.")
			if g != *group || r != *role {
				t.Errorf("%s: left %q %q", tc.label, g, r)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.label, err)
		}
		if out.CloudWatchLogsLogGroupArn != nil || out.CloudWatchLogsRoleArn != nil || g != "" || r != "" {
			t.Errorf("%s: answered %v %v, trail has %q %q", tc.label, out.CloudWatchLogsLogGroupArn, out.CloudWatchLogsRoleArn, g, r)
		}
	}
}

// TestRecordedLogsDestination: CreateTrail's and UpdateTrail's checks of the CloudWatch
// Logs group and role (logs_destination.json): the two go together in a request, even
// when the trail already has the other, and ARNs that are not ARNs cannot be validated.
func TestRecordedLogsDestination(t *testing.T) {
	e := newEnv(t)
	e.bucket("ctdest")
	group, role := e.logsDelivery("/stackd/owned", "ctdest", "")
	name := aws.String("dest")
	create := func(g, r *string) error {
		_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("ctdest"), CloudWatchLogsLogGroupArn: g, CloudWatchLogsRoleArn: r})
		return err
	}
	const pair = "You must specify a log group and a role ARN."
	apptest.WantErr(t, create(&group, nil), "InvalidCloudWatchLogsRoleArnException", 400, pair)    // create-group-without-role
	apptest.WantErr(t, create(nil, &role), "InvalidCloudWatchLogsLogGroupArnException", 400, pair) // create-role-without-group
	apptest.WantErr(t, create(aws.String("not-an-arn"), &role), "InvalidCloudWatchLogsLogGroupArnException", 400, "CloudTrail cannot validate the specified log group ARN.")
	apptest.WantErr(t, create(&group, aws.String("not-an-arn")), "InvalidCloudWatchLogsRoleArnException", 400, "CloudTrail cannot validate the specified role ARN.")
	apptest.Must(0, create(&group, &role)) // create-configured-trail-0
	update := func(g, r *string) error {
		_, err := e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: name, CloudWatchLogsLogGroupArn: g, CloudWatchLogsRoleArn: r})
		return err
	}
	apptest.Must(0, update(nil, nil)) // update-omitted-destination
	for _, tc := range []struct {
		label string
		g, r  *string
		code  string
		msg   string
	}{
		{"update-group-without-star", aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:/stackd/owned"), nil, "InvalidCloudWatchLogsRoleArnException", pair},
		{"update-missing-group", aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:/stackd/owned-missing:*"), nil, "InvalidCloudWatchLogsRoleArnException", pair},
		{"update-wrong-region", aws.String("arn:aws:logs:us-west-2:" + account + ":log-group:/stackd/owned:*"), nil, "InvalidCloudWatchLogsRoleArnException", pair},
		{"update-missing-role", nil, aws.String(role + "-missing"), "InvalidCloudWatchLogsLogGroupArnException", pair},
		{"update-pair-without-star", aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:/stackd/owned"), &role, "InvalidCloudWatchLogsLogGroupArnException",
			"CloudTrail cannot validate the specified log group ARN."},
		{"update-pair-missing-group", aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:/stackd/owned-missing:*"), &role, "InvalidCloudWatchLogsLogGroupArnException",
			"Access denied. Verify in IAM that the role has adequate permissions."},
		{"update-pair-wrong-region", aws.String("arn:aws:logs:us-west-2:" + account + ":log-group:/stackd/owned:*"), &role, "InvalidCloudWatchLogsLogGroupArnException",
			"You must specify a log group that is in the current region."},
		{"update-pair-missing-role", &group, aws.String(role + "-missing"), "InvalidCloudWatchLogsRoleArnException",
			"Access denied. Verify in IAM that the role has adequate trust relationships."},
	} {
		apptest.WantErr(t, update(tc.g, tc.r), tc.code, 400, tc.msg)
		tr := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: name})).Trail
		if aws.ToString(tr.CloudWatchLogsLogGroupArn) != group || aws.ToString(tr.CloudWatchLogsRoleArn) != role {
			t.Errorf("%s left %v %v", tc.label, tr.CloudWatchLogsLogGroupArn, tr.CloudWatchLogsRoleArn)
		}
	}
	// delivery-status-11, then removed-status-0: the time of the last delivery to
	// CloudWatch Logs goes with the destination.
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("watched")}))
	e.advance(5 * time.Minute)
	if st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})); st.LatestCloudWatchLogsDeliveryTime == nil {
		t.Errorf("delivery-status %+v", st)
	}
	apptest.Must(0, update(aws.String(""), aws.String(""))) // remove-both
	if st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})); st.LatestCloudWatchLogsDeliveryTime != nil {
		t.Errorf("removed-status-0 %+v", st)
	}
}

// TestRecordedSQSDataEvents: SQS's message operations are data events
// (service_data_events.json): out of event history, logged by a trail that selects
// the queue's AWS::SQS::Queue data events, with the queue in resources and message
// bodies hidden.
func TestRecordedSQSDataEvents(t *testing.T) {
	e := newEnv(t)
	e.bucket("sqsdata")
	q := sqs.NewFromConfig(e.p.RootConfig())
	url := apptest.Must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("owned")})).QueueUrl
	queueARN := "arn:aws:sqs:us-east-1:" + account + ":owned"
	name := aws.String("sqsdata")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("sqsdata")}))
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, AdvancedEventSelectors: []types.AdvancedEventSelector{{
		Name: aws.String("owned-sqs"), FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.ARN"), Equals: []string{queueARN}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::SQS::Queue"}}}}}}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}))
	apptest.Must(q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("one"), MessageBody: aws.String("synthetic secret one")}, {Id: aws.String("two"), MessageBody: aws.String("synthetic secret two")}}}))
	apptest.Must(q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("synthetic secret three")}))
	apptest.Must(q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("owned")}))
	// service_selectors_delivery.json, queue-receive and queue-attributes: reads.
	apptest.Must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 1}))
	apptest.Must(q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}}))
	e.advance(5 * time.Minute)

	for _, ev := range apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})).Events {
		if *ev.EventSource == "sqs.amazonaws.com" && *ev.EventName != "CreateQueue" {
			t.Errorf("%s in event history", *ev.EventName)
		}
	}
	found := map[string]bool{}
	for key, recs := range records(t, e.files()) {
		for _, r := range recs {
			if r["eventSource"] != "sqs.amazonaws.com" {
				continue
			}
			name := r["eventName"].(string)
			found[name] = true
			if reads := name == "ReceiveMessage" || name == "GetQueueAttributes" || name == "GetQueueUrl"; r["readOnly"] != reads {
				t.Errorf("%s readOnly %v", name, r["readOnly"])
			}
			b, _ := json.Marshal(r)
			res, _ := json.Marshal(r["resources"])
			if r["eventCategory"] != "Data" || r["managementEvent"] != false ||
				string(res) != `[{"ARN":"`+queueARN+`","accountId":"`+account+`","type":"AWS::SQS::Queue"}]` || strings.Contains(string(b), "synthetic secret") {
				t.Errorf("%s: %s", key, b)
			}
			if strings.HasPrefix(name, "SendMessage") && (!strings.Contains(string(b), `"messageBody":"HIDDEN_DUE_TO_SECURITY_REASONS"`) ||
				!strings.Contains(string(b), `"mD5OfMessageBody"`) || strings.Contains(string(b), `"failed"`)) {
				t.Errorf("%s: %s", name, b)
			}
		}
	}
	if !found["SendMessageBatch"] || !found["SendMessage"] || !found["GetQueueUrl"] || !found["ReceiveMessage"] || !found["GetQueueAttributes"] || found["CreateQueue"] {
		t.Errorf("delivered %v", found)
	}
}

// TestRecordedLambdaSelectorARNs: a selector on Lambda data events names whole
// functions by their unqualified ARN; prefixes pass unchecked, and a refused selector
// leaves the trail's as they were (lambda_resource_arns.json).
func TestRecordedLambdaSelectorARNs(t *testing.T) {
	e := newEnv(t)
	e.bucket("lambda-arns")
	name := aws.String("lambda-arns")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("lambda-arns")}))
	const fn = "arn:aws:lambda:us-east-1:" + account + ":function:stackd-ct-arn"
	put := func(arn types.AdvancedFieldSelector) error {
		arn.Field = aws.String("resources.ARN")
		_, err := e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, AdvancedEventSelectors: []types.AdvancedEventSelector{{
			Name: aws.String("OwnedFunctionOnly"), FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
				{Field: aws.String("resources.type"), Equals: []string{"AWS::Lambda::Function"}}, arn}}}})
		return err
	}
	apptest.Must(0, put(types.AdvancedFieldSelector{Equals: []string{fn}})) // base
	// latest, version, alias, dot-name, slash-name, colon-empty.
	for _, v := range []string{fn + ":$LATEST", fn + ":1", fn + ":alias", fn + ".name", fn + "/child", fn + ":"} {
		apptest.WantErr(t, put(types.AdvancedFieldSelector{Equals: []string{v}}), "InvalidEventSelectorsException", 400,
			"The specified ARN "+v+" is not valid. Verify that the ARN is properly formatted.")
	}
	apptest.WantErr(t, put(types.AdvancedFieldSelector{NotEquals: []string{fn + ":alias"}}), "InvalidEventSelectorsException", 400,
		"The specified ARN "+fn+":alias is not valid. Verify that the ARN is properly formatted.") // alias-not-equals
	got := apptest.Must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})).AdvancedEventSelectors
	if len(got) != 1 || len(got[0].FieldSelectors) != 3 || got[0].FieldSelectors[1].Equals[0] != fn {
		t.Errorf("selectors after refusals %+v", got)
	}
	for _, prefix := range []string{fn, "arn:aws:lambda:us-east-1:" + account + ":function:", fn + ":", fn + ":$LATEST"} { // base-prefix, function-prefix, qualifier-prefix, latest-prefix
		apptest.Must(0, put(types.AdvancedFieldSelector{StartsWith: []string{prefix}}))
	}
}

// TestRecordedLogFileWindows: a log file is named by the end of the five minutes its
// events happened in, not by its delivery, and events of two windows go into two
// files (service_selectors_delivery.json: files written at 19:25:58 are …T1930Z…, late
// events of the window before go out in a …T1925Z… file).
func TestRecordedLogFileWindows(t *testing.T) {
	e := newEnv(t)
	e.bucket("windows")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("windows"), S3BucketName: aws.String("windows")}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("windows")}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("first")}))
	e.p.Clock.Advance(3 * time.Minute)
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("second")}))
	e.advance(10 * time.Minute)
	names := map[string]string{}
	for key, recs := range records(t, e.files()) {
		stamp := key[strings.LastIndex(key, "_CloudTrail_us-east-1_")+len("_CloudTrail_us-east-1_"):]
		stamp = stamp[:strings.IndexByte(stamp, '_')]
		for _, r := range recs {
			at := apptest.Must(time.Parse(time.RFC3339, r["eventTime"].(string)))
			if want := at.Truncate(5 * time.Minute).Add(5 * time.Minute).Format("20060102T1504Z"); stamp != want {
				t.Errorf("%s holds an event of %s", key, at)
			}
			if n, _ := r["requestParameters"].(map[string]any); n != nil && r["eventName"] == "CreateUser" {
				names[n["userName"].(string)] = stamp
			}
		}
	}
	if len(names) != 2 {
		t.Fatalf("CreateUser delivered in %v", names)
	}
}
