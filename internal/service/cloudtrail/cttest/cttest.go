// Package cttest holds what tests of CloudTrail delivery share: buckets with
// CloudTrail's documented policy, and reading delivered files back through S3 as a
// client downloads them.
package cttest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/cloudtrail"
)

var ctx = context.Background()

// S3 returns a path-style S3 client for a configuration.
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// Bucket creates a bucket with CloudTrail's documented bucket policy (Policy).
func Bucket(t testing.TB, cfg aws.Config, name string, accounts ...string) {
	t.Helper()
	if _, err := S3(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	Policy(t, cfg, name, accounts...)
}

// Policy puts CloudTrail's documented bucket policy on a bucket: cloudtrail.amazonaws.com
// may read its ACL and put objects with the bucket-owner-full-control ACL on behalf of
// the accounts given (aws:SourceAccount; 000000000000 when none).
func Policy(t testing.TB, cfg aws.Config, name string, accounts ...string) {
	t.Helper()
	if len(accounts) == 0 {
		accounts = []string{"000000000000"}
	}
	src, _ := json.Marshal(accounts)
	_, err := S3(cfg).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + name + `",
		 "Condition":{"StringEquals":{"aws:SourceAccount":` + string(src) + `}}},
		{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + name + `/*",
		 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":` + string(src) + `}}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
}

// Settle waits for the event-log consumers to catch up and the files they composed to
// be written to S3.
func Settle(t testing.TB, p *apptest.Palisade) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := p.Events.Settle(c); err != nil {
		t.Fatal(err)
	}
	p.CloudTrail.Upload()
}

// Files reads every object of a bucket through S3, in key order, but the empty ones
// named like folders: Kind is "digest" under CloudTrail-Digest/, else "log"; Metadata
// is the object's user metadata.
func Files(t testing.TB, cfg aws.Config, bucket string) []cloudtrail.File {
	t.Helper()
	c := S3(cfg)
	var out []cloudtrail.File
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			if strings.HasSuffix(*o.Key, "/") {
				// The empty objects CreateTrail's bucket check leaves are no files.
				continue
			}
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			kind := "log"
			if strings.Contains(*o.Key, "/CloudTrail-Digest/") {
				kind = "digest"
			}
			out = append(out, cloudtrail.File{Kind: kind, Bucket: bucket, Key: *o.Key, Body: body, Metadata: got.Metadata})
		}
	}
	return out
}

// WriteDir writes files under dir as aws s3 cp --recursive would (the bucket's root
// is dir), with each digest's signature beside it in KEY.sig, as palisade trail
// validate reads it.
func WriteDir(t testing.TB, dir string, files []cloudtrail.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		if sig := f.Metadata["signature"]; sig != "" {
			if err := os.WriteFile(p+".sig", []byte(sig), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Gunzip returns the content of a gzipped file.
func Gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Gzip compresses b as a delivered file is.
func Gzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
