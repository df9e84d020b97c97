package s3_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/palisade/palisade/internal/audit"
)

// The CloudTrail records of S3 calls, field by field, as AWS wrote them (recorded
// 2026, radkawar/stackd testdata/aws/s3/: multipart_attributes_audit_replay.json,
// access_controls_audit_replay.json, customer_encryption_audit_replay.json,
// cors_audit_replay.json).

// trailRecords returns the call records of an event name, oldest first.
func (e *env) trailRecords(name string) []audit.Record {
	e.Helper()
	var out []audit.Record
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		if err := json.Unmarshal(ev.Data, &r); err != nil {
			e.Fatal(err)
		}
		if r.EventName == name {
			out = append(out, r)
		}
	}
	return out
}

// lastRecord is the latest record of an event name.
func (e *env) lastRecord(name string) audit.Record {
	e.Helper()
	rs := e.trailRecords(name)
	if len(rs) == 0 {
		e.Fatalf("no %s record", name)
	}
	return rs[len(rs)-1]
}

// params decodes a record's requestParameters, leaving out the Go SDK's x-id query
// parameter (AWS records every query parameter; the recordings' boto3 sent none) and
// checking Host is the endpoint's.
func (e *env) params(r audit.Record) map[string]any {
	e.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.RequestParameters, &m); err != nil {
		e.Fatalf("%s requestParameters %s: %v", r.EventName, r.RequestParameters, err)
	}
	u, _ := url.Parse(e.p.URL)
	if m["Host"] != u.Host {
		e.Errorf("%s Host %v, want %s", r.EventName, m["Host"], u.Host)
	}
	delete(m, "Host")
	delete(m, "x-id")
	return m
}

func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func sameJSON(t *testing.T, what string, got map[string]any, want string) {
	t.Helper()
	if w := jsonMap(t, want); !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("%s:\n got %s\nwant %s", what, g, want)
	}
}

// hostID is the x-amz-id-2 S3 answered with.
func hostID(md middleware.Metadata) string {
	id, _ := s3.GetHostIDMetadata(md)
	return id
}

// timing checks the exchange fields every S3 record carries.
func timing(t *testing.T, r audit.Record, status int, turnAround bool) {
	t.Helper()
	d := r.AdditionalEventData
	if d["httpStatusCode"] != float64(status) {
		t.Errorf("%s httpStatusCode %v, want %d", r.EventName, d["httpStatusCode"], status)
	}
	start, _ := d["startTime"].(float64)
	end, _ := d["endTime"].(float64)
	if start <= 0 || end < start {
		t.Errorf("%s startTime %v endTime %v", r.EventName, d["startTime"], d["endTime"])
	}
	if _, ok := d["turnAroundTime"]; ok != turnAround {
		t.Errorf("%s turnAroundTime present %v, want %v", r.EventName, ok, turnAround)
	}
	if id, _ := d["x-amz-id-2"].(string); id == "" {
		t.Errorf("%s has no x-amz-id-2: %v", r.EventName, d)
	}
}

func TestTrailObjectAttributesRecords(t *testing.T) {
	e := newEnv(t)
	const b = "attributes-audit-replay"
	e.bucket(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	e.dataTrail()
	e.put(b, "ordinary", "owned ordinary attributes audit\n")
	e.put(b, "deleted", "owned marker predecessor")
	marker := must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("deleted")}))

	// case-ordinary-etag-only: the sub-resource "attributes" with "" and no header
	// for the attributes asked for; no responseElements.
	got := must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("ordinary"), ObjectAttributes: []types.ObjectAttributes{"ETag"}}))
	r := e.lastRecord("GetObjectAttributes")
	sameJSON(t, "GetObjectAttributes requestParameters", e.params(r), `{"attributes":"","bucketName":"attributes-audit-replay","key":"ordinary"}`)
	if string(r.ResponseElements) != "null" || !r.ReadOnly || r.ManagementEvent || r.EventCategory != "Data" {
		t.Errorf("GetObjectAttributes record %+v", r)
	}
	timing(t, r, 200, true)
	if r.AdditionalEventData["x-amz-id-2"] != hostID(got.ResultMetadata) {
		t.Errorf("x-amz-id-2 %v, answered %q", r.AdditionalEventData["x-amz-id-2"], hostID(got.ResultMetadata))
	}

	// case-missing and case-explicit-delete-marker: the error, its status, and the
	// version asked for under its query name.
	_, err := e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("missing"), ObjectAttributes: []types.ObjectAttributes{"ETag"}})
	wantErr(t, err, "NoSuchKey", 404, "")
	r = e.lastRecord("GetObjectAttributes")
	if r.ErrorCode != "NoSuchKey" || r.ErrorMessage != "The specified key does not exist." {
		t.Errorf("error %q %q", r.ErrorCode, r.ErrorMessage)
	}
	sameJSON(t, "missing requestParameters", e.params(r), `{"attributes":"","bucketName":"attributes-audit-replay","key":"missing"}`)
	timing(t, r, 404, true)
	_, err = e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("deleted"), VersionId: marker.VersionId, ObjectAttributes: []types.ObjectAttributes{"ETag"}})
	wantErr(t, err, "MethodNotAllowed", 405, "")
	r = e.lastRecord("GetObjectAttributes")
	sameJSON(t, "marker requestParameters", e.params(r), `{"attributes":"","bucketName":"attributes-audit-replay","key":"deleted","versionId":"`+*marker.VersionId+`"}`)
	timing(t, r, 405, true)

	// case-invalid-completion: the XML body under its root element's name, one part
	// as an object, PartNumber a number, the xmlns attribute kept; objectSize -1.
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("invalid-completion")}))
	must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("invalid-completion"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("owned admitted part")}))
	_, err = e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("invalid-completion"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: aws.String(`"00000000000000000000000000000000"`), PartNumber: aws.Int32(1)}}}})
	wantErr(t, err, "InvalidPart", 400, "")
	r = e.lastRecord("CompleteMultipartUpload")
	sameJSON(t, "CompleteMultipartUpload requestParameters", e.params(r), `{"CompleteMultipartUpload":{"Part":{"ETag":"\"00000000000000000000000000000000\"","PartNumber":1},"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"},
		"bucketName":"attributes-audit-replay","key":"invalid-completion","uploadId":"`+*up.UploadId+`"}`)
	timing(t, r, 400, true)
	if r.AdditionalEventData["objectSize"] != float64(-1) || r.AdditionalEventData["bytesTransferredIn"] == float64(0) {
		t.Errorf("CompleteMultipartUpload additionalEventData %v", r.AdditionalEventData)
	}
	// A completion that succeeds answers as PutObject does (inferred from the failed
	// one's record, which carries the same headers).
	done := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("invalid-completion"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: aws.String(`"d5ebeecc7430ca43644a696dd1732270"`), PartNumber: aws.Int32(1)}}}}))
	r = e.lastRecord("CompleteMultipartUpload")
	if string(r.ResponseElements) != `{"x-amz-server-side-encryption":"AES256","x-amz-version-id":"`+*done.VersionId+`"}` {
		t.Errorf("CompleteMultipartUpload responseElements %s", r.ResponseElements)
	}
	timing(t, r, 200, true)
}

func TestTrailAccessControlRecords(t *testing.T) {
	e := newEnv(t)
	const b = "access-audit-replay"
	e.bucket(b)
	e.dataTrail()
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(b),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	r := e.lastRecord("PutBucketOwnershipControls")
	// The SDK's checksum header is not recorded.
	sameJSON(t, "PutBucketOwnershipControls requestParameters", e.params(r), `{"OwnershipControls":{"Rule":{"ObjectOwnership":"ObjectWriter"},"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"},
		"bucketName":"access-audit-replay","ownershipControls":""}`)
	timing(t, r, 200, true)
	if n, _ := r.AdditionalEventData["bytesTransferredIn"].(float64); n < 100 {
		t.Errorf("bytesTransferredIn %v: the XML body's length", r.AdditionalEventData["bytesTransferredIn"])
	}

	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	r = e.lastRecord("PutBucketPublicAccessBlock")
	sameJSON(t, "PutBucketPublicAccessBlock requestParameters", e.params(r), `{"PublicAccessBlockConfiguration":{"BlockPublicAcls":false,"BlockPublicPolicy":false,
		"IgnorePublicAcls":false,"RestrictPublicBuckets":false,"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"},"bucketName":"access-audit-replay","publicAccessBlock":""}`)
	timing(t, r, 200, false)

	_, err := e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "")
	r = e.lastRecord("GetBucketPolicyStatus")
	sameJSON(t, "GetBucketPolicyStatus requestParameters", e.params(r), `{"bucketName":"access-audit-replay","policyStatus":""}`)
	timing(t, r, 404, false)
	// Management events name the bucket and its owner.
	if len(r.Resources) != 1 || r.Resources[0].ARN != "arn:aws:s3:::access-audit-replay" || r.Resources[0].Type != "AWS::S3::Bucket" || r.Resources[0].AccountID != account {
		t.Errorf("GetBucketPolicyStatus resources %+v", r.Resources)
	}

	// Canned ACLs by their header; an ACL document as XML with its xsi attributes.
	must(e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(b), ACL: types.BucketCannedACLPrivate}))
	r = e.lastRecord("PutBucketAcl")
	sameJSON(t, "PutBucketAcl requestParameters", e.params(r), `{"acl":"","bucketName":"access-audit-replay","x-amz-acl":"private"}`)
	timing(t, r, 200, false)
	if r.AdditionalEventData["aclRequired"] != "Yes" || !r.ManagementEvent {
		t.Errorf("PutBucketAcl record %+v", r)
	}
	e.put(b, "harmless", "owned native access audit fixture\n")
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(b), Key: aws.String("harmless"), ACL: types.ObjectCannedACLPrivate}))
	r = e.lastRecord("PutObjectAcl")
	sameJSON(t, "PutObjectAcl requestParameters", e.params(r), `{"acl":"","bucketName":"access-audit-replay","key":"harmless","x-amz-acl":"private"}`)
	owner := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(b), Key: aws.String("harmless")})).Owner
	r = e.lastRecord("GetObjectAcl")
	sameJSON(t, "GetObjectAcl requestParameters", e.params(r), `{"acl":"","bucketName":"access-audit-replay","key":"harmless"}`)
	if string(r.ResponseElements) != "null" || r.EventCategory != "Data" {
		t.Errorf("GetObjectAcl record %+v", r)
	}
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(b), Key: aws.String("harmless"), AccessControlPolicy: &types.AccessControlPolicy{
		Owner:  &types.Owner{ID: owner.ID},
		Grants: []types.Grant{{Grantee: &types.Grantee{ID: owner.ID, Type: types.TypeCanonicalUser}, Permission: types.PermissionFullControl}}}}))
	r = e.lastRecord("PutObjectAcl")
	sameJSON(t, "PutObjectAcl document requestParameters", e.params(r), `{"AccessControlPolicy":{"AccessControlList":{"Grant":{"Grantee":{"ID":"`+*owner.ID+`",
		"xmlns:xsi":"http://www.w3.org/2001/XMLSchema-instance","xsi:type":"CanonicalUser"},"Permission":"FULL_CONTROL"}},"Owner":{"ID":"`+*owner.ID+`"},
		"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"},"acl":"","bucketName":"access-audit-replay","key":"harmless"}`)
}

// CreateBucket: the ownership header, no responseElements, no resources, no
// turnAroundTime; a denied one keeps its parameters (recorded 2026:
// recreation_audit_replay.json, create-existing and fresh-deny-plain).
func TestTrailCreateBucketRecords(t *testing.T) {
	e := newEnv(t)
	e.dataTrail()
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("recreation-authority-existing"), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	r := e.lastRecord("CreateBucket")
	sameJSON(t, "CreateBucket requestParameters", e.params(r), `{"bucketName":"recreation-authority-existing","x-amz-object-ownership":"BucketOwnerPreferred"}`)
	if string(r.ResponseElements) != "null" || len(r.Resources) != 0 || r.ReadOnly || !r.ManagementEvent {
		t.Errorf("CreateBucket record %s %+v", r.ResponseElements, r)
	}
	timing(t, r, 200, false)
	deny := e.user("deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:CreateBucket","Resource":"*"}]}`)
	_, err := deny.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("recreation-authority-f2")})
	wantErr(t, err, "AccessDenied", 403, "")
	r = e.lastRecord("CreateBucket")
	sameJSON(t, "denied CreateBucket requestParameters", e.params(r), `{"bucketName":"recreation-authority-f2"}`)
	if r.ErrorCode != "AccessDenied" || !strings.Contains(r.ErrorMessage, "is not authorized to perform: s3:CreateBucket") || string(r.ResponseElements) != "null" {
		t.Errorf("denied CreateBucket record %+v", r)
	}
	timing(t, r, 403, false)
}

// PutBucketLogging: an empty element is "", and no turnAroundTime (recorded 2026:
// logging_audit_replay.json, restore baseline after permission admission).
func TestTrailLoggingRecords(t *testing.T) {
	e := newEnv(t)
	e.bucket("logging-native-simple")
	e.bucket("logging-native-dest1")
	e.dataTrail()
	must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logging-native-simple"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("logging-native-dest1"), TargetPrefix: aws.String("simple/"),
			TargetObjectKeyFormat: &types.TargetObjectKeyFormat{SimplePrefix: &types.SimplePrefix{}}}}}))
	r := e.lastRecord("PutBucketLogging")
	sameJSON(t, "PutBucketLogging requestParameters", e.params(r), `{"logging":"","bucketName":"logging-native-simple","BucketLoggingStatus":{
		"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","LoggingEnabled":{"TargetPrefix":"simple/","TargetObjectKeyFormat":{"SimplePrefix":""},"TargetBucket":"logging-native-dest1"}}}`)
	timing(t, r, 200, false)
	if string(r.ResponseElements) != "null" || len(r.Resources) != 1 || r.Resources[0].ARN != "arn:aws:s3:::logging-native-simple" {
		t.Errorf("PutBucketLogging record %s %+v", r.ResponseElements, r.Resources)
	}
}

// A presigned request is recorded with its query parameters but the signature, as
// AuthenticationMethod QueryString (inferred).
func TestTrailPresignedRecords(t *testing.T) {
	e := newEnv(t)
	e.bucket("presigned")
	e.dataTrail()
	e.put("presigned", "k", "hello")
	req := must(s3.NewPresignClient(e.s3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presigned"), Key: aws.String("k")}))
	resp := must(http.Get(req.URL))
	if resp.StatusCode != 200 {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, readAll(resp))
	}
	resp.Body.Close()
	r := e.lastRecord("GetObject")
	p := e.params(r)
	if p["X-Amz-Expires"] != "900" || p["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256" || p["X-Amz-Signature"] != nil || p["key"] != "k" ||
		!strings.HasPrefix(p["X-Amz-Credential"].(string), "AKIA") {
		t.Errorf("presigned requestParameters %v", p)
	}
	if r.AdditionalEventData["AuthenticationMethod"] != "QueryString" || r.AdditionalEventData["objectSize"] != float64(5) {
		t.Errorf("presigned additionalEventData %v", r.AdditionalEventData)
	}
}

// Another account's management call the bucket policy does not allow is recorded
// for the bucket owner too, under a shared event ID (recorded 2026:
// logging_audit_replay.json, member without grant Get logging).
func TestTrailDeniedManagementCopy(t *testing.T) {
	e := newEnv(t)
	e.bucket("logging-native-simple")
	e.dataTrail()
	other := e.otherAccount("222233334444")
	_, err := other.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logging-native-simple")})
	wantErr(t, err, "AccessDenied", 403, "")
	var owner, caller *audit.Record
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		json.Unmarshal(ev.Data, &r)
		if r.EventName != "GetBucketLogging" {
			continue
		}
		switch r.RecipientAccountID {
		case account:
			owner = &r
		case "222233334444":
			caller = &r
		}
	}
	if owner == nil || caller == nil || owner.SharedEventID == "" || owner.SharedEventID != caller.SharedEventID || owner.ErrorCode != "AccessDenied" {
		t.Fatalf("records: owner %+v caller %+v", owner, caller)
	}
	sameJSON(t, "owner's requestParameters", e.params(*owner), `{"logging":"","bucketName":"logging-native-simple"}`)
	if len(owner.Resources) != 1 || owner.Resources[0].AccountID != account {
		t.Errorf("owner's resources %+v", owner.Resources)
	}
}

// XML bodies: a repeated element is an array, a single one a value, integers numbers
// (the rules of cors_audit_replay.json's PutBucketCors records, checked here on
// PutBucketTagging and in TestCORSTrailRecords on PutBucketCors itself).
func TestTrailXMLBodyRecords(t *testing.T) {
	e := newEnv(t)
	const b = "cors-audit-replay"
	e.bucket(b)
	e.dataTrail()
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("17")}, {Key: aws.String("empty"), Value: aws.String("")}}}}))
	r := e.lastRecord("PutBucketTagging")
	sameJSON(t, "PutBucketTagging requestParameters", e.params(r), `{"bucketName":"cors-audit-replay","tagging":"",
		"Tagging":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","TagSet":{"Tag":[{"Key":"team","Value":17},{"Key":"empty","Value":""}]}}}`)
	timing(t, r, 204, false)
	if r.ReadOnly || !r.ManagementEvent || string(r.ResponseElements) != "null" {
		t.Errorf("PutBucketTagging record %+v", r)
	}
	must(e.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)}))
	r = e.lastRecord("DeleteBucketTagging")
	sameJSON(t, "DeleteBucketTagging requestParameters", e.params(r), `{"bucketName":"cors-audit-replay","tagging":""}`)
	timing(t, r, 204, false)

	e.put(b, "a", "1")
	must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Quiet: aws.Bool(false),
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}}}}))
	// DeleteObjects is the exception: its body is neither recorded nor counted
	// (recorded 2026: object_lock_audit_replay.json, repeat-audit-batch-partial-failure).
	r = e.lastRecord("DeleteObjects")
	sameJSON(t, "DeleteObjects requestParameters", e.params(r), `{"bucketName":"cors-audit-replay","delete":""}`)
	if r.EventCategory != "Data" || r.AdditionalEventData["bytesTransferredIn"] != float64(0) || string(r.ResponseElements) != "null" ||
		len(r.Resources) != 2 || r.Resources[1].ARNPrefix != "arn:aws:s3:::cors-audit-replay/" {
		t.Errorf("DeleteObjects record %s %v %+v", r.ResponseElements, r.AdditionalEventData, r.Resources)
	}
	timing(t, r, 200, false)
}

// Listings name their parameters as the HTTP request does (list-type, max-keys,
// encoding-type), and a HEAD of a version carries its size and no turnAroundTime
// (recorded 2026: object_lock_audit_replay.json, repeat-audit-payload-head); the
// SDK's checksum headers are not recorded (repeat-audit-default-write).
func TestTrailQueryRecords(t *testing.T) {
	e := newEnv(t)
	const b = "object-lock-audit-replay"
	e.bucket(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	e.dataTrail()
	put := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("repeat-explicit"), Body: strings.NewReader("object-lock-native-authority\n"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme}))
	r := e.lastRecord("PutObject")
	sameJSON(t, "PutObject requestParameters", e.params(r), `{"bucketName":"object-lock-audit-replay","key":"repeat-explicit"}`)
	if string(r.ResponseElements) != `{"x-amz-server-side-encryption":"AES256","x-amz-version-id":"`+*put.VersionId+`"}` ||
		r.AdditionalEventData["SSEApplied"] != "Default_SSE_S3" || r.AdditionalEventData["objectSize"] != float64(29) {
		t.Errorf("PutObject record %s %v", r.ResponseElements, r.AdditionalEventData)
	}
	timing(t, r, 200, true)
	must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("repeat-explicit"), VersionId: put.VersionId}))
	r = e.lastRecord("HeadObject")
	sameJSON(t, "HeadObject requestParameters", e.params(r), `{"bucketName":"object-lock-audit-replay","key":"repeat-explicit","versionId":"`+*put.VersionId+`"}`)
	if r.AdditionalEventData["objectSize"] != float64(29) || string(r.ResponseElements) != "null" {
		t.Errorf("HeadObject record %s %v", r.ResponseElements, r.AdditionalEventData)
	}
	timing(t, r, 200, false)

	must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("repeat-"), Delimiter: aws.String("/"),
		MaxKeys: aws.Int32(5), EncodingType: types.EncodingTypeUrl}))
	r = e.lastRecord("ListObjects")
	sameJSON(t, "ListObjectsV2 requestParameters", e.params(r), `{"bucketName":"object-lock-audit-replay","list-type":"2","prefix":"repeat-",
		"delimiter":"/","max-keys":"5","encoding-type":"url"}`)
	if !r.ReadOnly || r.EventCategory != "Data" || string(r.ResponseElements) != "null" {
		t.Errorf("ListObjects record %+v", r)
	}
	timing(t, r, 200, true)
	must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String("repeat-")}))
	sameJSON(t, "ListObjectVersions requestParameters", e.params(e.lastRecord("ListObjectVersions")), `{"bucketName":"object-lock-audit-replay","versions":"","prefix":"repeat-"}`)
}

func TestTrailCustomerEncryptionRecords(t *testing.T) {
	e := newEnv(t)
	const b = "customer-audit-replay"
	e.bucket(b)
	e.allowSSEC(b)
	e.dataTrail()
	const payload = "synthetic customer encryption payload"
	key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	sum := "tP/LI3N87DFaSk0aoqYgzg=="
	ssec := func(k string) *s3.PutObjectInput {
		return &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytes.NewReader([]byte(payload)),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(sum)}
	}
	// deny removal settled: the algorithm and never the key or its MD5; the
	// algorithm answered as responseElements; SSE_C applied.
	must(e.s3.PutObject(ctx, ssec("admission")))
	r := e.lastRecord("PutObject")
	sameJSON(t, "SSE-C PutObject requestParameters", e.params(r), `{"bucketName":"customer-audit-replay","x-amz-server-side-encryption-customer-algorithm":"AES256","key":"admission"}`)
	if string(r.ResponseElements) != `{"x-amz-server-side-encryption-customer-algorithm":"AES256"}` {
		t.Errorf("responseElements %s", r.ResponseElements)
	}
	d := r.AdditionalEventData
	if d["SSEApplied"] != "SSE_C" || d["objectSize"] != float64(len(payload)) || d["bytesTransferredIn"] != float64(len(payload)) {
		t.Errorf("additionalEventData %v", d)
	}
	timing(t, r, 200, true)
	// audit valid read: the object's size; no SSEApplied, no responseElements.
	must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("admission"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(sum)}))
	r = e.lastRecord("GetObject")
	sameJSON(t, "SSE-C GetObject requestParameters", e.params(r), `{"bucketName":"customer-audit-replay","x-amz-server-side-encryption-customer-algorithm":"AES256","key":"admission"}`)
	if d := r.AdditionalEventData; d["objectSize"] != float64(len(payload)) || d["SSEApplied"] != nil || string(r.ResponseElements) != "null" {
		t.Errorf("GetObject record %s %v", r.ResponseElements, d)
	}
	// The ordinary write gets the bucket's default; an explicit AES256 is SSE_S3.
	e.put(b, "ordinary", payload)
	if got := e.lastRecord("PutObject").AdditionalEventData["SSEApplied"]; got != "Default_SSE_S3" {
		t.Errorf("ordinary write SSEApplied %v", got)
	}
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("explicit"), Body: strings.NewReader(payload), ServerSideEncryption: types.ServerSideEncryptionAes256}))
	r = e.lastRecord("PutObject")
	if r.AdditionalEventData["SSEApplied"] != "SSE_S3" || e.params(r)["x-amz-server-side-encryption"] != "AES256" {
		t.Errorf("explicit write %s %v", r.RequestParameters, r.AdditionalEventData)
	}
	// deny valid SSE-C: a policy's refusal keeps objectSize; nothing was read and no
	// turnAroundTime is given.
	must(0, e.policy(b, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::customer-audit-replay/*"}]}`))
	_, err := e.s3.PutObject(ctx, ssec("admission"))
	wantErr(t, err, "AccessDenied", 403, "")
	r = e.lastRecord("PutObject")
	d = r.AdditionalEventData
	if r.ErrorCode != "AccessDenied" || d["objectSize"] != float64(len(payload)) || d["bytesTransferredIn"] != float64(0) || string(r.ResponseElements) != "null" {
		t.Errorf("denied PutObject %s %v", r.ResponseElements, d)
	}
	sameJSON(t, "denied PutObject requestParameters", e.params(r), `{"bucketName":"customer-audit-replay","x-amz-server-side-encryption-customer-algorithm":"AES256","key":"admission"}`)
	timing(t, r, 403, false)
}

// bytesTransferredOut is the length of the body S3 answered with: an XML document, an
// error's included, 0 for an empty answer (recorded 2026: logging_audit_replay.json —
// GetBucketLogging 319 bytes, a denied one 514, PutBucketLogging 0;
// multipart_attributes_audit_replay.json — GetObjectAttributes' NoSuchKey 259, its
// document without the XML declaration; HeadObject 0).
func TestTrailBytesTransferredOut(t *testing.T) {
	e := newEnv(t)
	const b = "logging-native-simple"
	e.bucket(b)
	e.bucket("logging-native-dest1")
	e.dataTrail()
	sent := func(name string) any {
		t.Helper()
		return e.lastRecord(name).AdditionalEventData["bytesTransferredOut"]
	}
	must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(b), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("logging-native-dest1"), TargetPrefix: aws.String("simple/"),
			TargetObjectKeyFormat: &types.TargetObjectKeyFormat{SimplePrefix: &types.SimplePrefix{}}}}}))
	if n := sent("PutBucketLogging"); n != float64(0) {
		t.Errorf("PutBucketLogging bytesTransferredOut %v, want 0", n)
	}

	// The recording's document, with this test's target bucket (9 bytes shorter than
	// the recorded one's name).
	status, body := e.signed("GET", "/"+b+"?logging", nil, "")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LoggingEnabled>` +
		`<TargetBucket>logging-native-dest1</TargetBucket><TargetPrefix>simple/</TargetPrefix><TargetObjectKeyFormat><SimplePrefix/></TargetObjectKeyFormat>` +
		`</LoggingEnabled></BucketLoggingStatus>`
	if status != 200 || body != want {
		t.Errorf("GetBucketLogging: %d\n got %s\nwant %s", status, body, want)
	}
	if n := sent("GetBucketLogging"); n != float64(len(body)) || len(body) != 319-9 {
		t.Errorf("GetBucketLogging bytesTransferredOut %v, body %d bytes", n, len(body))
	}

	// A refusal counts its error document.
	status, body = e.anon("GET", "/"+b+"?logging", nil)
	if status != 403 || !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>AccessDenied</Code>") {
		t.Fatalf("anonymous GetBucketLogging: %d %s", status, body)
	}
	if r := e.lastRecord("GetBucketLogging"); r.ErrorCode != "AccessDenied" || r.AdditionalEventData["bytesTransferredOut"] != float64(len(body)) {
		t.Errorf("denied GetBucketLogging: %s, bytesTransferredOut %v, body %d bytes", r.ErrorCode, r.AdditionalEventData["bytesTransferredOut"], len(body))
	}

	// A listing (a data event) counts its document.
	e.put(b, "k", "hello")
	status, body = e.signed("GET", "/"+b+"?list-type=2", nil, "")
	if n := sent("ListObjects"); status != 200 || n != float64(len(body)) || len(body) < 200 {
		t.Errorf("ListObjectsV2: %d, bytesTransferredOut %v, body %d bytes", status, n, len(body))
	}

	// GetObjectAttributes' errors have no XML declaration.
	status, body = e.signed("GET", "/"+b+"/missing?attributes", map[string]string{"x-amz-object-attributes": "ETag"}, "")
	if status != 404 || !strings.HasPrefix(body, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing</Key><RequestId>") {
		t.Errorf("GetObjectAttributes of a missing key: %d %s", status, body)
	}
	if n := sent("GetObjectAttributes"); n != float64(len(body)) {
		t.Errorf("GetObjectAttributes bytesTransferredOut %v, body %d bytes", n, len(body))
	}

	// HEAD answers no body; GetObject counts the object's bytes sent.
	must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k")}))
	if n := sent("HeadObject"); n != float64(0) {
		t.Errorf("HeadObject bytesTransferredOut %v, want 0", n)
	}
	e.get(b, "k")
	if n := sent("GetObject"); n != float64(5) {
		t.Errorf("GetObject bytesTransferredOut %v, want 5", n)
	}
}
