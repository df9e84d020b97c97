package s3_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// upload runs a multipart upload of parts and returns the completed output.
func (e *env) upload(bucket, key string, parts [][]byte, alg types.ChecksumAlgorithm, typ ...types.ChecksumType) (*s3.CompleteMultipartUploadOutput, error) {
	e.Helper()
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: alg}
	if len(typ) > 0 {
		in.ChecksumType = typ[0]
	}
	cr := must(e.s3.CreateMultipartUpload(ctx, in))
	var done []types.CompletedPart
	for i, p := range parts {
		up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: alg}))
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32, ChecksumSHA256: up.ChecksumSHA256})
	}
	return e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
}

func TestMultipartUpload(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu")
	p1 := bytes.Repeat([]byte("a"), 5<<20)
	p2 := []byte("tail")
	out := must(e.upload("mpu", "obj", [][]byte{p1, p2}, ""))
	s1, s2 := md5.Sum(p1), md5.Sum(p2)
	want := md5.Sum(append(s1[:], s2[:]...))
	if *out.ETag != fmt.Sprintf(`"%x-2"`, want) {
		t.Fatalf("etag %s", *out.ETag)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), Range: aws.String(fmt.Sprintf("bytes=%d-", len(p1)-2))}))
	b, _ := io.ReadAll(g.Body)
	if string(b) != "aatail" {
		t.Fatalf("range across parts %q", b)
	}
	pn := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), PartNumber: aws.Int32(2)}))
	b, _ = io.ReadAll(pn.Body)
	if string(b) != "tail" || *pn.PartsCount != 2 {
		t.Fatalf("part 2 %q %v", b, pn.PartsCount)
	}
	// A COMPOSITE CRC32 is the checksum of the parts' checksums; a FULL_OBJECT one
	// is the CRC of the whole body, combined from the parts' CRCs.
	crc := must(e.upload("mpu", "crc", [][]byte{p1, p2}, types.ChecksumAlgorithmCrc32))
	if crc.ChecksumCRC32 == nil || !strings.HasSuffix(*crc.ChecksumCRC32, "-2") || crc.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("composite crc32 %v type %v", crc.ChecksumCRC32, crc.ChecksumType)
	}
	full := must(e.upload("mpu", "full", [][]byte{p1, p2}, types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject))
	whole := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("whole"), Body: bytes.NewReader(append(append([]byte{}, p1...), p2...)), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	if full.ChecksumCRC32 == nil || *full.ChecksumCRC32 != *whole.ChecksumCRC32 || full.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("full-object crc32 %v, whole body %v", full.ChecksumCRC32, *whole.ChecksumCRC32)
	}

	cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("bad")}))
	small := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("small")}))
	last := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("last")}))
	complete := func(parts ...types.CompletedPart) error {
		_, err := e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	wantErr(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: small.ETag}, types.CompletedPart{PartNumber: aws.Int32(2), ETag: last.ETag}),
		"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.")
	wantErr(t, complete(types.CompletedPart{PartNumber: aws.Int32(2), ETag: last.ETag}, types.CompletedPart{PartNumber: aws.Int32(1), ETag: small.ETag}),
		"InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
	wantErr(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: aws.String(`"0123"`)}),
		"InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	lp := must(e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId, MaxParts: aws.Int32(1)}))
	if len(lp.Parts) != 1 || !*lp.IsTruncated || *lp.NextPartNumberMarker != "1" || *lp.Parts[0].Size != 5 {
		t.Fatalf("list parts %+v", lp)
	}
	lu := must(e.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")}))
	if len(lu.Uploads) != 1 || *lu.Uploads[0].UploadId != *cr.UploadId {
		t.Fatalf("list uploads %+v", lu.Uploads)
	}
	must(e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId}))
	_, err := e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantErr(t, err, "NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	_, err = e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: cr.UploadId, PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	wantErr(t, err, "InvalidArgument", 400, "Part number must be an integer between 1 and 10000, inclusive")
	// A copied part.
	cp := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copied")}))
	copyPart := func(rng string) (*s3.UploadPartCopyOutput, error) {
		return e.s3.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("copied"), UploadId: cp.UploadId, PartNumber: aws.Int32(1),
			CopySource: aws.String("mpu/obj"), CopySourceRange: aws.String(rng)})
	}
	// S3 takes only bytes=first-last, within the source.
	size := int64(len(p1) + len("tail"))
	for _, rng := range []string{"bytes=1-", "bytes=-2", "bytes=5-2"} {
		_, err = copyPart(rng)
		wantErr(t, err, "InvalidArgument", 400, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	}
	_, err = copyPart(fmt.Sprintf("bytes=0-%d", size))
	wantErr(t, err, "InvalidArgument", 400, fmt.Sprintf("Range specified is not valid for source object of size: %d", size))
	_, err = copyPart(fmt.Sprintf("bytes=%d-%d", size, size+10))
	wantErr(t, err, "InvalidRequest", 400, "The specified copy range is invalid for the source object size")
	pc := must(copyPart(fmt.Sprintf("bytes=%d-%d", len(p1)-1, len(p1)+3)))
	must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copied"), UploadId: cp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pc.CopyPartResult.ETag}}}}))
	if got := e.get("mpu", "copied"); got != "atail" {
		t.Fatalf("copied part %q", got)
	}
}
