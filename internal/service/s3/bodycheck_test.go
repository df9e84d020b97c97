package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func b64MD5(body string) string {
	sum := md5.Sum([]byte(body))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func b64CRC32(body string) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE([]byte(body)))
	return base64.StdEncoding.EncodeToString(b[:])
}

func b64SHA256(body string) string {
	sum := sha256.Sum256([]byte(body))
	return base64.StdEncoding.EncodeToString(sum[:])
}

const missingChecksum = "<Message>Missing required header for this request: Content-MD5 OR x-amz-checksum-*</Message>"

// DeleteObjects and PutBucketTagging are refused without Content-MD5 or an
// x-amz-checksum-* header, as S3 answered them (versity/versitygw#1040, #1521);
// PutObjectTagging and PutBucketVersioning are not (#1662; minio/minio#9852). The SDK
// sends a checksum of its own and is served.
func TestDocumentChecksumRequired(t *testing.T) {
	e := newEnv(t)
	e.bucket("doc-required")
	e.put("doc-required", "k", "body")
	del := `<Delete><Object><Key>k</Key></Object></Delete>`
	status, body := e.signed("POST", "/doc-required?delete", nil, del)
	wantBody(t, status, body, 400, "<Code>InvalidRequest</Code>", missingChecksum)
	if got := e.get("doc-required", "k"); got != "body" {
		t.Fatalf("the refused DeleteObjects deleted the key: %q", got)
	}
	tagging := `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`
	status, body = e.signed("PUT", "/doc-required?tagging", nil, tagging)
	wantBody(t, status, body, 400, "<Code>InvalidRequest</Code>", missingChecksum)
	// x-amz-sdk-checksum-algorithm names an algorithm but carries no value.
	status, body = e.signed("PUT", "/doc-required?tagging", map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}, tagging)
	wantBody(t, status, body, 400, missingChecksum)

	status, body = e.signed("PUT", "/doc-required/k?tagging", nil, tagging)
	wantBody(t, status, body, 200)
	status, body = e.signed("PUT", "/doc-required?versioning", nil, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)
	wantBody(t, status, body, 200)

	// Either header will do.
	status, body = e.signed("PUT", "/doc-required?tagging", map[string]string{"Content-MD5": b64MD5(tagging)}, tagging)
	wantBody(t, status, body, 204)
	status, body = e.signed("PUT", "/doc-required?tagging", map[string]string{"x-amz-checksum-sha256": b64SHA256(tagging)}, tagging)
	wantBody(t, status, body, 204)

	// The SDK's defaults (CRC32), an algorithm chosen, and a client that sends
	// checksums only where the model requires them.
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("doc-required"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}}))
	for i, cl := range []*s3.Client{e.s3, s3Client(e.p.RootConfig(), func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })} {
		key := []string{"one", "two"}[i]
		e.put("doc-required", key, "x")
		out := must(cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("doc-required"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
			Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String(key)}}}}))
		if len(out.Deleted) != 1 || len(out.Errors) != 0 {
			t.Fatalf("DeleteObjects through the SDK: %+v", out)
		}
	}
	out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("doc-required"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}}))
	if len(out.Deleted) != 1 {
		t.Fatalf("DeleteObjects with the SDK's default checksum: %+v", out)
	}
}

// The Content-MD5 or x-amz-checksum-* sent with an XML or JSON body is checked against
// it, with the answers S3 gives for object bodies, before the document is read: a
// body damaged in transit is BadDigest, not MalformedXML. DeleteObjects' BadDigest
// gives the expected digest as it was sent (base64), as S3 answered it
// (minio/minio-js#982).
func TestDocumentChecksumsVerified(t *testing.T) {
	e := newEnv(t)
	e.bucket("doc-verified")
	e.put("doc-verified", "k", "body")
	del := `<Delete><Object><Key>k</Key></Object></Delete>`
	other := `<Delete><Object><Key>other</Key></Object></Delete>`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		body    string
		parts   []string
	}{
		{"wrong Content-MD5", map[string]string{"Content-MD5": b64MD5(other)}, del, []string{"<Code>BadDigest</Code>",
			"<Message>The Content-MD5 you specified did not match what we received.</Message>",
			"<ExpectedDigest>" + b64MD5(other) + "</ExpectedDigest>", "<CalculatedDigest>" + b64MD5(del) + "</CalculatedDigest>"}},
		{"damaged body", map[string]string{"Content-MD5": b64MD5(del)}, del[:20], []string{"<Code>BadDigest</Code>"}},
		{"malformed Content-MD5", map[string]string{"Content-MD5": "not-md5"}, del, []string{"<Code>InvalidDigest</Code>",
			"<Message>The Content-MD5 you specified was invalid.</Message>"}},
		{"wrong CRC32", map[string]string{"x-amz-checksum-crc32": b64CRC32(other)}, del, []string{"<Code>BadDigest</Code>",
			"<Message>The CRC32 you specified did not match the calculated checksum.</Message>"}},
		{"malformed CRC32", map[string]string{"x-amz-checksum-crc32": "short==="}, del, []string{"<Code>InvalidRequest</Code>",
			"<Message>Value for x-amz-checksum-crc32 header is invalid.</Message>"}},
		{"two checksums", map[string]string{"x-amz-checksum-crc32": b64CRC32(del), "x-amz-checksum-sha256": b64SHA256(del)}, del,
			[]string{"<Code>InvalidRequest</Code>", "<Message>Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.</Message>"}},
	} {
		status, body := e.signed("POST", "/doc-verified?delete", tc.headers, tc.body)
		if status != 400 {
			t.Fatalf("%s: %d %s", tc.name, status, body)
		}
		wantBody(t, status, body, 400, tc.parts...)
	}
	if got := e.get("doc-verified", "k"); got != "body" {
		t.Fatalf("a refused DeleteObjects deleted the key: %q", got)
	}
	status, body := e.signed("POST", "/doc-verified?delete", map[string]string{"x-amz-checksum-crc32": b64CRC32(del)}, del)
	wantBody(t, status, body, 200, "<Deleted><Key>k</Key></Deleted>")

	// Operations that need no checksum still have the one sent checked.
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::doc-verified/*"}]}`
	status, body = e.signed("PUT", "/doc-verified?policy", map[string]string{"Content-MD5": b64MD5(policy + " ")}, policy)
	wantBody(t, status, body, 400, "<Code>BadDigest</Code>")
	status, body = e.signed("PUT", "/doc-verified?policy", map[string]string{"x-amz-checksum-crc32": b64CRC32(policy)}, policy)
	if status >= 300 {
		t.Fatalf("PutBucketPolicy with its CRC32: %d %s", status, body)
	}
	versioning := `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`
	status, body = e.signed("PUT", "/doc-verified?versioning", map[string]string{"x-amz-checksum-sha256": b64SHA256(versioning + " ")}, versioning)
	wantBody(t, status, body, 400, "<Message>The SHA256 you specified did not match the calculated checksum.</Message>")
	if v := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("doc-verified")})); v.Status != "" {
		t.Fatalf("a refused PutBucketVersioning changed the bucket: %q", v.Status)
	}
	// The object path keeps its own answers: hex ExpectedDigest.
	wrong := md5.Sum([]byte("other"))
	_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("doc-verified"), Key: aws.String("o"), Body: bytes.NewReader([]byte("body")),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(wrong[:]))})
	if err == nil || !strings.Contains(err.Error(), "BadDigest") {
		t.Fatalf("PutObject with a wrong Content-MD5: %v", err)
	}
}

// CompleteMultipartUpload's x-amz-checksum-* headers carry the whole object's
// checksum, not the XML body's: they are checked against the object, not the body.
func TestCompleteUploadChecksumIsTheObjects(t *testing.T) {
	e := newEnv(t)
	e.bucket("doc-complete")
	p1, p2 := strings.Repeat("a", 5<<20), "tail"
	cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("doc-complete"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ChecksumType: types.ChecksumTypeFullObject}))
	var done []types.CompletedPart
	for i, p := range []string{p1, p2} {
		up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("doc-complete"), Key: aws.String("k"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32})
	}
	out := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("doc-complete"), Key: aws.String("k"),
		UploadId: cr.UploadId, ChecksumType: types.ChecksumTypeFullObject, ChecksumCRC32: aws.String(b64CRC32(p1 + p2)),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}))
	if aws.ToString(out.ChecksumCRC32) != b64CRC32(p1+p2) {
		t.Fatalf("full-object CRC32 %q, want %q", aws.ToString(out.ChecksumCRC32), b64CRC32(p1+p2))
	}
}
