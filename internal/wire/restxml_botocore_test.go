package wire_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	s3api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

// botocoreS3 drives the test server with boto3, whose RestXMLParser differs from the Go
// SDK's in details (it keeps an S3 error's extra fields, reads GetBucketLocation's bare
// root, URL-decodes listings it asked to be encoded). It prints one JSON object.
const botocoreS3 = `
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                  request_checksum_calculation="when_required", response_checksum_validation="when_required"))
out = {}
def err(fn, **kw):
    try:
        fn(**kw)
        return None
    except ClientError as e:
        return {"error": e.response["Error"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "host_id": e.response["ResponseMetadata"].get("HostId"), "request_id": e.response["ResponseMetadata"].get("RequestId")}

r = s3.put_object(Bucket="b", Key="dir/a b.txt", Body=b"hello from boto", Metadata={"Owner": "alice"}, ContentType="text/plain")
out["put_etag"] = r["ETag"]
g = s3.get_object(Bucket="b", Key="dir/a b.txt")
out["get"] = {"body": g["Body"].read().decode(), "length": g["ContentLength"], "etag": g["ETag"],
              "modified": g["LastModified"].isoformat(), "metadata": g["Metadata"], "type": g["ContentType"]}
out["get_missing"] = err(s3.get_object, Bucket="b", Key="missing")
out["head_missing"] = err(s3.head_object, Bucket="b", Key="missing")
l = s3.list_objects_v2(Bucket="b", Prefix="dir/")
out["list"] = {"keys": [c["Key"] for c in l["Contents"]], "prefixes": [p["Prefix"] for p in l.get("CommonPrefixes", [])],
               "truncated": l["IsTruncated"], "count": l["KeyCount"], "sizes": [c["Size"] for c in l["Contents"]]}
b = s3.list_buckets()
out["buckets"] = [x["Name"] for x in b["Buckets"]]
a = s3.get_bucket_acl(Bucket="b")
out["acl"] = [{"type": x["Grantee"]["Type"], "perm": x["Permission"]} for x in a["Grants"]]
out["location"] = s3.get_bucket_location(Bucket="b")["LocationConstraint"]
out["location_us_east_1"] = s3.get_bucket_location(Bucket="use1")["LocationConstraint"]
out["policy"] = s3.get_bucket_policy(Bucket="b")["Policy"]
d = s3.delete_objects(Bucket="b", Delete={"Objects": [{"Key": "x"}, {"Key": "y"}], "Quiet": True})
out["deleted"] = [x["Key"] for x in d.get("Deleted", [])]
out["method_not_allowed"] = err(s3.list_objects_v2, Bucket="b", Prefix="nope")
print(json.dumps(out))
`

func TestRestXMLS3Botocore(t *testing.T) {
	modified := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	var stored []byte
	srv := wiretest.Server(t, s3api.Service, map[string]wiretest.Handler{
		"PutObject": func(in map[string]any) (map[string]any, *model.Error) {
			var req s3api.PutObjectRequest
			mustUnmarshalInto(t, in, &req)
			stored, _ = io.ReadAll(req.Body)
			if req.Key != "dir/a b.txt" || req.Metadata["owner"] != "alice" || *req.ContentType != "text/plain" {
				t.Errorf("decoded %+v", req)
			}
			return model.Marshal(&s3api.PutObjectOutput{ETag: aws.String(`"e1"`)}), nil
		},
		"GetObject": func(in map[string]any) (map[string]any, *model.Error) {
			if in["Key"] == "missing" {
				return nil, s3api.NewNoSuchKey("The specified key does not exist.").With("Key", "missing")
			}
			return model.Marshal(&s3api.GetObjectOutput{Body: bytes.NewReader(stored), ContentLength: aws.Int64(int64(len(stored))), ETag: aws.String(`"e1"`),
				LastModified: &modified, Metadata: map[string]string{"owner": "alice"}, ContentType: aws.String("text/plain")}), nil
		},
		"HeadObject": func(in map[string]any) (map[string]any, *model.Error) {
			return nil, s3api.NewNoSuchKey("The specified key does not exist.")
		},
		"ListObjectsV2": func(in map[string]any) (map[string]any, *model.Error) {
			if in["Prefix"] == "nope" {
				return nil, model.NewError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.").With("Method", "GET").With("ResourceType", "BUCKET")
			}
			// boto3 asks for url encoding and decodes what it asked for.
			if in["EncodingType"] != "url" {
				t.Errorf("boto3 sent encoding-type %v", in["EncodingType"])
			}
			return model.Marshal(&s3api.ListObjectsV2Output{Name: aws.String("b"), Prefix: aws.String("dir/"), EncodingType: aws.String("url"), KeyCount: aws.Int32(2), IsTruncated: aws.Bool(false),
				Contents:       []s3api.Object{{Key: aws.String("dir/a%20b.txt"), Size: aws.Int64(15)}, {Key: aws.String("dir/c%2Bd"), Size: aws.Int64(0)}},
				CommonPrefixes: []s3api.CommonPrefix{{Prefix: aws.String("dir/sub/")}}}), nil
		},
		"ListBuckets": func(in map[string]any) (map[string]any, *model.Error) {
			return model.Marshal(&s3api.ListBucketsOutput{Buckets: []s3api.Bucket{{Name: aws.String("b"), CreationDate: &modified}, {Name: aws.String("c"), CreationDate: &modified}}}), nil
		},
		"GetBucketAcl": func(in map[string]any) (map[string]any, *model.Error) {
			return model.Marshal(&s3api.GetBucketAclOutput{Owner: &s3api.Owner{ID: aws.String("o")}, Grants: []s3api.Grant{
				{Grantee: &s3api.Grantee{Type: "CanonicalUser", ID: aws.String("o")}, Permission: aws.String("FULL_CONTROL")},
				{Grantee: &s3api.Grantee{Type: "Group", URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: aws.String("READ")}}}), nil
		},
		"GetBucketLocation": func(in map[string]any) (map[string]any, *model.Error) {
			if in["Bucket"] == "use1" {
				return map[string]any{}, nil // us-east-1: an empty LocationConstraint element
			}
			return map[string]any{"LocationConstraint": "eu-west-1"}, nil
		},
		"GetBucketPolicy": func(in map[string]any) (map[string]any, *model.Error) {
			return map[string]any{"Policy": `{"Version":"2012-10-17"}`}, nil
		},
		"DeleteObjects": func(in map[string]any) (map[string]any, *model.Error) {
			var req s3api.DeleteObjectsRequest
			mustUnmarshalInto(t, in, &req)
			if len(req.Delete.Objects) != 2 || !*req.Delete.Quiet {
				t.Errorf("decoded %+v", req.Delete)
			}
			return model.Marshal(&s3api.DeleteObjectsOutput{Deleted: []s3api.DeletedObject{{Key: aws.String("x")}}}), nil
		},
	})
	cmd := exec.Command("python3", "-c", botocoreS3, srv.URL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, stderr.String())
	}
	type clientError struct {
		Error     map[string]string `json:"error"`
		Status    int               `json:"status"`
		HostID    string            `json:"host_id"`
		RequestID string            `json:"request_id"`
	}
	var got struct {
		PutETag string `json:"put_etag"`
		Get     struct {
			Body     string            `json:"body"`
			Length   int               `json:"length"`
			ETag     string            `json:"etag"`
			Modified string            `json:"modified"`
			Metadata map[string]string `json:"metadata"`
			Type     string            `json:"type"`
		} `json:"get"`
		GetMissing  clientError `json:"get_missing"`
		HeadMissing clientError `json:"head_missing"`
		List        struct {
			Keys      []string `json:"keys"`
			Prefixes  []string `json:"prefixes"`
			Truncated bool     `json:"truncated"`
			Count     int      `json:"count"`
			Sizes     []int    `json:"sizes"`
		} `json:"list"`
		Buckets []string `json:"buckets"`
		ACL     []struct {
			Type string `json:"type"`
			Perm string `json:"perm"`
		} `json:"acl"`
		Location         string      `json:"location"`
		LocationUSEast1  *string     `json:"location_us_east_1"`
		Policy           string      `json:"policy"`
		Deleted          []string    `json:"deleted"`
		MethodNotAllowed clientError `json:"method_not_allowed"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if got.PutETag != `"e1"` || string(stored) != "hello from boto" {
		t.Errorf("put: %q stored %q", got.PutETag, stored)
	}
	if g := got.Get; g.Body != "hello from boto" || g.Length != 15 || g.ETag != `"e1"` || g.Modified != "2024-02-03T04:05:06+00:00" ||
		g.Metadata["owner"] != "alice" || g.Type != "text/plain" {
		t.Errorf("get: %+v", g)
	}
	if e := got.GetMissing; e.Status != 404 || e.Error["Code"] != "NoSuchKey" || e.Error["Message"] != "The specified key does not exist." ||
		e.Error["Key"] != "missing" || e.HostID != "wiretest" || e.RequestID != "00000000-0000-4000-8000-000000000000" {
		t.Errorf("get missing: %+v", e)
	}
	if e := got.HeadMissing; e.Status != 404 || e.Error["Code"] != "404" || e.Error["Message"] != "Not Found" || e.RequestID != "00000000-0000-4000-8000-000000000000" {
		t.Errorf("head missing: %+v", e)
	}
	if l := got.List; strings.Join(l.Keys, "|") != "dir/a b.txt|dir/c+d" || strings.Join(l.Prefixes, "|") != "dir/sub/" || l.Truncated || l.Count != 2 || l.Sizes[0] != 15 {
		t.Errorf("list: %+v", l)
	}
	if strings.Join(got.Buckets, ",") != "b,c" {
		t.Errorf("buckets: %v", got.Buckets)
	}
	if len(got.ACL) != 2 || got.ACL[0].Type != "CanonicalUser" || got.ACL[1].Type != "Group" || got.ACL[1].Perm != "READ" {
		t.Errorf("acl: %+v", got.ACL)
	}
	if got.LocationUSEast1 != nil {
		t.Errorf("us-east-1 location %q, want None", *got.LocationUSEast1)
	}
	if got.Location != "eu-west-1" || got.Policy != `{"Version":"2012-10-17"}` || strings.Join(got.Deleted, ",") != "x" {
		t.Errorf("location %q policy %q deleted %v", got.Location, got.Policy, got.Deleted)
	}
	if e := got.MethodNotAllowed; e.Status != 405 || e.Error["Code"] != "MethodNotAllowed" || e.Error["Method"] != "GET" || e.Error["ResourceType"] != "BUCKET" {
		t.Errorf("method not allowed: %+v", e)
	}
}
