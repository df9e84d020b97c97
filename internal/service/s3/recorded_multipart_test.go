package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Cases replayed from radkawar/stackd testdata/aws/s3/multipart_*_replay.json
// (AWS, us-east-1, September 2026).

// answerHeaders captures the raw headers of the answer into *h, for the fields the
// SDK's output does not tell apart from absent.
func answerHeaders(h *http.Header) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("answerHeaders", func(c context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(c, in)
				if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
					*h = r.Header.Clone()
				}
				return out, md, err
			}), middleware.After)
		})
	}
}

// checksumHeaders are the x-amz-checksum-* headers of an answer.
func checksumHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if len(k) > len("X-Amz-Checksum-") && http.CanonicalHeaderKey(k[:len("X-Amz-Checksum-")]) == "X-Amz-Checksum-" && len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

// mpuChecksumBody is the 34-byte part the checksum recordings upload; its CRC32 is
// CT60Ng==, its CRC64NVME 3PNWhFLsJFg=, its MD5 d2ce1424...
var mpuChecksumBody = []byte("original multipart checksum bytes\n")

const mpuChecksumETag = `"d2ce142480199cab298233c85b76ea67"`

// An upload begun without a checksum algorithm: a part is answered with the checksum
// it was sent, or none; ListParts shows no part checksums; the completion may not
// name one (InvalidPart, even the part's own), and the object gets the CRC64NVME of
// its whole body, whatever checksums its parts came with (recorded, 2026:
// multipart_checksums_replay.json, raw-default-no-checksum,
// raw-default-transport-crc64-manifest, init-None-None; multipart_controls_replay.json,
// baseline-complete-sorted, no-checksum-upload).
func TestRecordedMultipartWithoutAlgorithm(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu-no-alg")
	b := aws.String("mpu-no-alg")
	var h http.Header

	k := aws.String("raw-default")
	cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k}))
	up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(mpuChecksumBody)}, answerHeaders(&h)))
	if *up.ETag != mpuChecksumETag || len(checksumHeaders(h)) != 0 {
		t.Fatalf("a part sent without a checksum: %s %v", *up.ETag, checksumHeaders(h))
	}
	lp := must(e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: k, UploadId: cr.UploadId}))
	if p := lp.Parts[0]; p.ChecksumCRC32 != nil || p.ChecksumCRC64NVME != nil || lp.ChecksumAlgorithm != "" || lp.ChecksumType != "" {
		t.Fatalf("ListParts of an upload without a checksum algorithm: %+v %q %q", p, lp.ChecksumAlgorithm, lp.ChecksumType)
	}
	_, err := e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{
		Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag, ChecksumCRC64NVME: aws.String("3PNWhFLsJFg=")}}}})
	wantErr(t, err, "InvalidPart", 400, "")
	out := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{
		Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}}))
	if aws.ToString(out.ChecksumCRC64NVME) != "3PNWhFLsJFg=" || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("completion: %v %q", out.ChecksumCRC64NVME, out.ChecksumType)
	}

	// The part's own CRC64NVME, sent and answered, still may not be named.
	k = aws.String("transport-crc64")
	cr = must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k}))
	up = must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(mpuChecksumBody), ChecksumCRC64NVME: aws.String("3PNWhFLsJFg=")}))
	if aws.ToString(up.ChecksumCRC64NVME) != "3PNWhFLsJFg=" {
		t.Fatalf("a part sent with its CRC64NVME: %v", up.ChecksumCRC64NVME)
	}
	_, err = e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{
		Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag, ChecksumCRC64NVME: up.ChecksumCRC64NVME}}}})
	wantErr(t, err, "InvalidPart", 400, "")

	// Parts sent with CRC32s are answered with them alone, and the object still has
	// the CRC64NVME of all its bytes.
	k = aws.String("baseline")
	cr = must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k}))
	p1 := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(bytes.Repeat([]byte("B"), 5<<20)),
		ChecksumCRC32: aws.String("QoZTGg==")}, answerHeaders(&h)))
	if cs := checksumHeaders(h); len(cs) != 1 || cs["X-Amz-Checksum-Crc32"] != "QoZTGg==" {
		t.Fatalf("a part sent with a CRC32: %v", cs)
	}
	p2 := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(2), Body: bytes.NewReader([]byte("final-part\x00\xff\n")),
		ChecksumCRC32: aws.String("y0ReAw==")}))
	out = must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{
		Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}}}}))
	if *out.ETag != `"e1cbd78373e702a76ebeb3afba939912-2"` || aws.ToString(out.ChecksumCRC64NVME) != "kXn25MjY4hQ=" || out.ChecksumCRC32 != nil || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("completion of parts sent with CRC32s: %s %v %v %q", *out.ETag, out.ChecksumCRC64NVME, out.ChecksumCRC32, out.ChecksumType)
	}
	g := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k, ChecksumMode: types.ChecksumModeEnabled}))
	if aws.ToString(g.ChecksumCRC64NVME) != "kXn25MjY4hQ=" || g.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("HeadObject: %v %q", g.ChecksumCRC64NVME, g.ChecksumType)
	}
}

// A FULL_OBJECT upload computes a part's checksum when the part is sent without it,
// and lets the completion leave part checksums out but not name wrong ones; a
// COMPOSITE upload still refuses a part without its checksum. A completion naming
// the other checksum type is InvalidRequest (recorded, 2026:
// multipart_checksums_replay.json, part-boundaries-CRC32.omitted,
// full-object-entirely-omitted-CRC32, part-boundaries-SHA256.omitted,
// complete-CRC32-wrong-part-checksum, complete-CRC64NVME-wrong-part-checksum,
// complete-CRC32-wrong-checksum-type, complete-SHA256-wrong-checksum-type).
func TestRecordedMultipartFullObjectParts(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu-full-object")
	b := aws.String("mpu-full-object")
	begin := func(key string, alg types.ChecksumAlgorithm, typ types.ChecksumType) *string {
		return must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ})).UploadId
	}
	part := func(key string, id *string, in s3.UploadPartInput) (*s3.UploadPartOutput, error) {
		in.Bucket, in.Key, in.UploadId, in.PartNumber, in.Body = b, aws.String(key), id, aws.Int32(1), bytes.NewReader(mpuChecksumBody)
		return e.s3.UploadPart(ctx, &in)
	}
	complete := func(key string, id *string, cp types.CompletedPart, in s3.CompleteMultipartUploadInput) (*s3.CompleteMultipartUploadOutput, error) {
		cp.PartNumber, cp.ETag = aws.Int32(1), aws.String(mpuChecksumETag)
		in.Bucket, in.Key, in.UploadId, in.MultipartUpload = b, aws.String(key), id, &types.CompletedMultipartUpload{Parts: []types.CompletedPart{cp}}
		return e.s3.CompleteMultipartUpload(ctx, &in)
	}

	id := begin("omitted", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject)
	up := must(part("omitted", id, s3.UploadPartInput{}))
	if aws.ToString(up.ChecksumCRC32) != "CT60Ng==" {
		t.Fatalf("a FULL_OBJECT part sent without its checksum: %v", up.ChecksumCRC32)
	}
	lp := must(e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("omitted"), UploadId: id}))
	if aws.ToString(lp.Parts[0].ChecksumCRC32) != "CT60Ng==" {
		t.Fatalf("ListParts: %v", lp.Parts[0].ChecksumCRC32)
	}
	_, err := complete("omitted", id, types.CompletedPart{}, s3.CompleteMultipartUploadInput{ChecksumType: types.ChecksumTypeComposite})
	wantErr(t, err, "InvalidRequest", 400, "The upload was created using the FULL_OBJECT checksum mode. The complete request must use the same checksum mode.")
	out := must(complete("omitted", id, types.CompletedPart{}, s3.CompleteMultipartUploadInput{}))
	if aws.ToString(out.ChecksumCRC32) != "CT60Ng==" || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("completion without part checksums: %v %q", out.ChecksumCRC32, out.ChecksumType)
	}

	for _, c := range []struct {
		alg         types.ChecksumAlgorithm
		right, pick types.CompletedPart
	}{
		{types.ChecksumAlgorithmCrc32, types.CompletedPart{ChecksumCRC32: aws.String("CT60Ng==")}, types.CompletedPart{ChecksumCRC32: aws.String("tirjWA==")}},
		{types.ChecksumAlgorithmCrc64nvme, types.CompletedPart{ChecksumCRC64NVME: aws.String("3PNWhFLsJFg=")}, types.CompletedPart{ChecksumCRC64NVME: aws.String("VL/TFmUk6PI=")}},
	} {
		key := "wrong-part-" + string(c.alg)
		id := begin(key, c.alg, types.ChecksumTypeFullObject)
		must(part(key, id, s3.UploadPartInput{ChecksumCRC32: c.right.ChecksumCRC32, ChecksumCRC64NVME: c.right.ChecksumCRC64NVME}))
		_, err := complete(key, id, c.pick, s3.CompleteMultipartUploadInput{})
		wantErr(t, err, "InvalidPart", 400, "")
		must(complete(key, id, c.right, s3.CompleteMultipartUploadInput{ChecksumType: types.ChecksumTypeFullObject, MpuObjectSize: aws.Int64(34)}))
	}

	id = begin("composite", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite)
	_, err = part("composite", id, s3.UploadPartInput{})
	wantErr(t, err, "InvalidRequest", 400, "")
	sha := aws.String("M0gCMF3MUcfElfg4c4UvpgV8u7AteipVMo+Pi8mCE9M=")
	must(part("composite", id, s3.UploadPartInput{ChecksumSHA256: sha}))
	_, err = complete("composite", id, types.CompletedPart{ChecksumSHA256: sha}, s3.CompleteMultipartUploadInput{ChecksumType: types.ChecksumTypeFullObject})
	wantErr(t, err, "InvalidRequest", 400, "The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.")
	out = must(complete("composite", id, types.CompletedPart{ChecksumSHA256: sha}, s3.CompleteMultipartUploadInput{ChecksumType: types.ChecksumTypeComposite,
		ChecksumSHA256: aws.String("9AuRjLTbsiPKqvcuc1gMiuOiJbE4gbr1mcLijBhc/dw=-1")}))
	if aws.ToString(out.ChecksumSHA256) != "9AuRjLTbsiPKqvcuc1gMiuOiJbE4gbr1mcLijBhc/dw=-1" {
		t.Fatalf("composite completion: %v", out.ChecksumSHA256)
	}
}

// Reads of a composite multipart object by part and by range, and the pages of its
// parts in GetObjectAttributes (recorded, 2026: multipart_read_bounds_replay.json,
// part-number-and-range, attribute-pagination).
func TestRecordedMultipartReadBounds(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu-read-bounds")
	b := aws.String("mpu-read-bounds")
	upload := func(key string, parts ...[]byte) {
		cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(key), ChecksumAlgorithm: "SHA256", ChecksumType: "COMPOSITE"}))
		var done []types.CompletedPart
		for i, p := range parts {
			n := aws.Int32(int32(i + 1))
			up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String(key), UploadId: cr.UploadId, PartNumber: n, Body: bytes.NewReader(p), ChecksumAlgorithm: "SHA256"}))
			done = append(done, types.CompletedPart{PartNumber: n, ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256})
		}
		must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String(key), UploadId: cr.UploadId, ChecksumType: "COMPOSITE",
			MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}))
	}
	upload("composite", bytes.Repeat([]byte("A"), 5<<20), []byte("BCDEFGHIJ"))
	upload("empty-composite", []byte{})
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("single"), Body: bytes.NewReader([]byte("0123456789")), ChecksumAlgorithm: "SHA256"}))

	for _, key := range []string{"single", "composite", "empty-composite"} {
		for _, n := range []int32{0, 10001} {
			_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key), PartNumber: aws.Int32(n), ChecksumMode: "ENABLED"})
			wantErr(t, err, "InvalidArgument", 400, "")
		}
	}

	// An empty part read by number: 200 without Content-Range, with the part's checksum.
	var h http.Header
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("empty-composite"), PartNumber: aws.Int32(1), ChecksumMode: "ENABLED"}, answerHeaders(&h)))
	g.Body.Close()
	if h.Get("Content-Range") != "" || aws.ToInt32(g.PartsCount) != 1 || aws.ToString(g.ChecksumSHA256) != "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" || g.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("empty part 1: %q %v %v %q", h.Get("Content-Range"), g.PartsCount, g.ChecksumSHA256, g.ChecksumType)
	}

	// A range that is exactly a part shows the part's checksum, one of the whole
	// object the object's, any other none — on GET and HEAD.
	for _, c := range []struct{ rng, sum string }{
		{"bytes=0-5242879", "275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI="},
		{"bytes=5242880-5242888", "RagcEhZfZM7P3wIgm6o0g0CwPCYC8mw55YQ0kBLrbXU="},
		{"bytes=0-5242888", "oBlgUl6FPf0a/Ro/UxDq5cpf1opWgKmAb3N88S93Pbs=-2"},
		{"bytes=0-2", ""},
		{"bytes=5242878-5242882", ""},
	} {
		g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("composite"), Range: aws.String(c.rng), ChecksumMode: "ENABLED"}, answerHeaders(&h)))
		g.Body.Close()
		hd := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("composite"), Range: aws.String(c.rng), ChecksumMode: "ENABLED"}))
		for _, got := range []struct {
			sum *string
			typ types.ChecksumType
		}{{g.ChecksumSHA256, g.ChecksumType}, {hd.ChecksumSHA256, hd.ChecksumType}} {
			if aws.ToString(got.sum) != c.sum || (c.sum != "") != (got.typ == types.ChecksumTypeComposite) {
				t.Fatalf("%s: checksum %v %q, want %q", c.rng, got.sum, got.typ, c.sum)
			}
		}
		if g.PartsCount != nil || hd.PartsCount != nil || h.Get("Content-Range") == "" {
			t.Fatalf("%s: parts count %v %v, Content-Range %q", c.rng, g.PartsCount, hd.PartsCount, h.Get("Content-Range"))
		}
	}

	page := func(max *int32, marker *string) *types.GetObjectAttributesParts {
		return must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("composite"), MaxParts: max, PartNumberMarker: marker,
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectParts}})).ObjectParts
	}
	for _, c := range []struct {
		max        *int32
		marker     *string
		next, want string // NextPartNumberMarker; MaxParts IsTruncated len(Parts)
	}{
		{aws.Int32(0), nil, "0", "0 false 0"},
		{aws.Int32(-1), nil, "-1", "-1 true 0"},
		{aws.Int32(1001), nil, "2", "1001 false 2"},
		{aws.Int32(1), aws.String("1"), "2", "1 false 1"},
		{aws.Int32(1), aws.String("2"), "0", "1 false 0"},
		{aws.Int32(1), aws.String("10001"), "0", "1 false 0"},
	} {
		p := page(c.max, c.marker)
		if got := fmt.Sprint(aws.ToInt32(p.MaxParts), aws.ToBool(p.IsTruncated), len(p.Parts)); aws.ToString(p.NextPartNumberMarker) != c.next || got != c.want || aws.ToInt32(p.TotalPartsCount) != 2 {
			t.Fatalf("MaxParts %v marker %v: next %v, %s, total %v; want next %s, %s", aws.ToInt32(c.max), aws.ToString(c.marker), aws.ToString(p.NextPartNumberMarker), got, aws.ToInt32(p.TotalPartsCount), c.next, c.want)
		}
	}
}

// The null version through versioning's states: an unversioned bucket's object is
// read by versionId=null without a version header; once versioning is on it is
// named "null"; a deleted version is NoSuchVersion (with Key and VersionId) and
// deleting it again succeeds; a write to a suspended bucket names no version though
// its reads say "null" (recorded, 2026: versioning_null.json).
func TestRecordedNullVersion(t *testing.T) {
	e := newEnv(t)
	e.bucket("version-null")
	b, k := aws.String("version-null"), aws.String("package.zip")
	var h http.Header
	reads := func(state, want string) {
		t.Helper()
		for _, v := range []*string{nil, aws.String("null")} {
			g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k, VersionId: v}, answerHeaders(&h)))
			g.Body.Close()
			if got, ok := h["X-Amz-Version-Id"]; ok != (want != "") || ok && got[0] != want {
				t.Fatalf("%s GetObject versionId %v: x-amz-version-id %v, want %q", state, aws.ToString(v), got, want)
			}
			must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k, VersionId: v}, answerHeaders(&h)))
			if got, ok := h["X-Amz-Version-Id"]; ok != (want != "") || ok && got[0] != want {
				t.Fatalf("%s HeadObject versionId %v: x-amz-version-id %v, want %q", state, aws.ToString(v), got, want)
			}
		}
	}
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader([]byte("before-versioning"))}))
	reads("unversioned", "")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	reads("enabled", "null")

	v1 := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader([]byte("version-one"))})).VersionId
	for range 2 {
		d := must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: v1}))
		if aws.ToString(d.VersionId) != *v1 {
			t.Fatalf("delete of version %s answered %v", *v1, d.VersionId)
		}
	}
	code, body := e.anonSigned("GET", "/version-null/package.zip?versionId="+*v1)
	if code != 404 || !strings.Contains(body, "<Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message><Key>package.zip</Key><VersionId>"+*v1+"</VersionId>") {
		t.Fatalf("GET of a deleted version: %d %s", code, body)
	}
	_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k, VersionId: v1})
	wantErr(t, err, "NotFound", 404, "")
	for _, method := range []string{"GET", "DELETE"} {
		code, body := e.anonSigned(method, "/version-null/package.zip?versionId=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		if code != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code><Message>Invalid version id specified</Message><ArgumentName>versionId</ArgumentName><ArgumentValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</ArgumentValue>") {
			t.Fatalf("%s of a version S3 could not have minted: %d %s", method, code, body)
		}
	}

	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}))
	p := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader([]byte("after-suspension"))}, answerHeaders(&h)))
	if p.VersionId != nil || h.Get("X-Amz-Version-Id") != "" {
		t.Fatalf("a write to a suspended bucket named version %v", aws.ToString(p.VersionId))
	}
	reads("suspended", "null")
	do := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: k, VersionId: aws.String("null")}}}}))
	if len(do.Deleted) != 1 || aws.ToString(do.Deleted[0].VersionId) != "null" || do.Deleted[0].DeleteMarker != nil {
		t.Fatalf("DeleteObjects of the null version: %+v", do.Deleted)
	}
}

// A multipart object read by its parts' ordinals (not the numbers they were uploaded
// under), counted but not listed by GetObjectAttributes unless its checksum is
// composite, and copied by CopyObject into one piece: the data's MD5 as its
// ETag, no parts, a composite checksum turned into the full-object one (recorded,
// 2026: multipart_readers_replay.json, sparse-selection, composite-read-and-copy).
func TestRecordedMultipartReaders(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu-readers")
	b := aws.String("mpu-readers")
	tail := []byte("final-part\x00\xff\n")
	upload := func(key string, alg types.ChecksumAlgorithm, nums ...int32) {
		in := &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(key), Metadata: map[string]string{"origin": "multipart"}, ContentType: aws.String("application/multipart-readers")}
		if alg != "" {
			in.ChecksumAlgorithm, in.ChecksumType = alg, types.ChecksumTypeComposite
		}
		cr := must(e.s3.CreateMultipartUpload(ctx, in))
		var done []types.CompletedPart
		for i, n := range nums {
			body := bytes.Repeat([]byte("A"), 5<<20)
			if i == len(nums)-1 {
				body = tail
			}
			up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String(key), UploadId: cr.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(body), ChecksumAlgorithm: alg}))
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256})
		}
		must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String(key), UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}))
	}
	upload("reader-gap", "", 1, 3)
	upload("reader-composite", types.ChecksumAlgorithmSha256, 1, 2)
	all := []types.ObjectAttributes{"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}

	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("reader-gap"), PartNumber: aws.Int32(2), ChecksumMode: "ENABLED"}))
	if body := readBody(g.Body); body != string(tail) || aws.ToString(g.ContentRange) != "bytes 5242880-5242892/5242893" || aws.ToInt32(g.PartsCount) != 2 {
		t.Fatalf("part 2 of parts uploaded as 1 and 3: %q %v %v", body, aws.ToString(g.ContentRange), g.PartsCount)
	}
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("reader-gap"), PartNumber: aws.Int32(3)})
	wantErr(t, err, "InvalidPartNumber", 416, "")
	must(e.upload("mpu-readers", "reader-full", [][]byte{bytes.Repeat([]byte("A"), 5<<20), tail}, types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject))
	for _, key := range []string{"reader-gap", "reader-full"} {
		for _, max := range []*int32{nil, aws.Int32(1)} {
			a := must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String(key), MaxParts: max, ObjectAttributes: all}))
			if p := a.ObjectParts; p == nil || aws.ToInt32(p.TotalPartsCount) != 2 || p.Parts != nil || p.MaxParts != nil || p.NextPartNumberMarker != nil || p.IsTruncated != nil {
				t.Fatalf("ObjectParts of the full-object %s: %+v", key, p)
			}
		}
	}
	if a := must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("reader-composite"), ObjectAttributes: all})); len(a.ObjectParts.Parts) != 2 {
		t.Fatalf("ObjectParts of a composite upload: %+v", a.ObjectParts)
	}

	for _, c := range []struct{ src, sha256, crc64 string }{
		{"reader-gap", "", "HQzKL9La9XM="},
		{"reader-composite", "Wt4j3KNLA1DVXicRQeGZ68QNgMIRA/Z0+X5iPmd2ZOA=", ""},
	} {
		cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(c.src + "-copy"), CopySource: aws.String("mpu-readers/" + c.src)})).CopyObjectResult
		if *cp.ETag != `"ddf784a20eb976e765af0935c4462bd1"` || cp.ChecksumType != types.ChecksumTypeFullObject || aws.ToString(cp.ChecksumSHA256) != c.sha256 || aws.ToString(cp.ChecksumCRC64NVME) != c.crc64 {
			t.Fatalf("copy of %s: %s %q sha256 %v crc64 %v", c.src, *cp.ETag, cp.ChecksumType, aws.ToString(cp.ChecksumSHA256), aws.ToString(cp.ChecksumCRC64NVME))
		}
		h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(c.src + "-copy"), PartNumber: aws.Int32(1), ChecksumMode: "ENABLED"}))
		if h.PartsCount != nil || aws.ToString(h.ContentRange) != "bytes 0-5242892/5242893" || aws.ToString(h.ChecksumSHA256) != c.sha256 || aws.ToString(h.ChecksumCRC64NVME) != c.crc64 || h.Metadata["origin"] != "multipart" {
			t.Fatalf("part 1 of the copy of %s: %v %v %v %v %v", c.src, h.PartsCount, aws.ToString(h.ContentRange), aws.ToString(h.ChecksumSHA256), aws.ToString(h.ChecksumCRC64NVME), h.Metadata)
		}
		a := must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String(c.src + "-copy"), ObjectAttributes: all}))
		if a.ObjectParts != nil || aws.ToString(a.ETag) != "ddf784a20eb976e765af0935c4462bd1" {
			t.Fatalf("attributes of the copy of %s: %+v %v", c.src, a.ObjectParts, aws.ToString(a.ETag))
		}
		if got := e.get("mpu-readers", c.src+"-copy"); got != strings.Repeat("A", 5<<20)+string(tail) {
			t.Fatalf("copy of %s: body of %d bytes", c.src, len(got))
		}
	}
}

// An aborted upload is still known to S3: aborting it again is 204, and a listing
// continues after it as an upload-id marker, while its parts, new parts and its
// completion are NoSuchUpload (recorded, 2026: multipart_controls_replay.json,
// abort-existing, abort-repeated, list-after-abort, upload-after-abort,
// complete-after-abort; multipart_raw_replay.json, upload-marker-deleted).
func TestRecordedMultipartAbortedUpload(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu-aborted")
	b, k := aws.String("mpu-aborted"), aws.String("a same")
	var ids []*string
	for range 3 {
		ids = append(ids, must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})).UploadId)
	}
	last := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("z last")})).UploadId
	for range 2 {
		must(e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: ids[1]}))
	}
	_, err := e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: k, UploadId: ids[1]})
	wantErr(t, err, "NoSuchUpload", 404, "")
	_, err = e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: ids[1], PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("tiny"))})
	wantErr(t, err, "NoSuchUpload", 404, "")
	_, err = e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: ids[1], MultipartUpload: &types.CompletedMultipartUpload{
		Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"9d5ed678fe57bcca610140957afab571"`)}}}})
	wantErr(t, err, "NoSuchUpload", 404, "")
	l := must(e.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b, KeyMarker: k, UploadIdMarker: ids[1]}))
	if len(l.Uploads) != 2 || *l.Uploads[0].UploadId != *ids[2] || *l.Uploads[1].UploadId != *last || aws.ToString(l.UploadIdMarker) != *ids[1] {
		t.Fatalf("listing after an aborted upload's marker: %+v", l.Uploads)
	}
	// An upload never begun, or aborted in a bucket since deleted, is still unknown.
	_, err = e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: aws.String("never-begun")})
	wantErr(t, err, "NoSuchUpload", 404, "")
	for _, id := range []*string{ids[0], ids[2], last} {
		key := k
		if id == last {
			key = aws.String("z last")
		}
		must(e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: key, UploadId: id}))
	}
	must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}))
	e.bucket("mpu-aborted")
	_, err = e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: ids[1]})
	wantErr(t, err, "NoSuchUpload", 404, "")
}

// x-amz-object-attributes sent empty is InvalidArgument naming the header; left out,
// InvalidRequest (recorded, 2026: multipart_raw_replay.json, single-attrs-,
// single-attrs-omitted).
func TestRecordedObjectAttributesHeader(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpu-attrs-header")
	e.put("mpu-attrs-header", "single", "0123456789")
	status, body := e.signed("GET", "/mpu-attrs-header/single?attributes=", map[string]string{"x-amz-object-attributes": ""}, "")
	if status != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code>") || !strings.Contains(body, "<ArgumentName>x-amz-object-attributes</ArgumentName><ArgumentValue></ArgumentValue>") {
		t.Fatalf("empty x-amz-object-attributes: %d %s", status, body)
	}
	status, body = e.signed("GET", "/mpu-attrs-header/single?attributes=", nil, "")
	if status != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code>") {
		t.Fatalf("no x-amz-object-attributes: %d %s", status, body)
	}
}

// DeleteObject with a version ID and If-Match is 501 NotImplemented, whether the
// ETag matches or not, and the version stays (recorded, 2026:
// conditional_versions.json, null/historical-wildcard/delete).
func TestRecordedConditionalVersionDelete(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-versions")
	b, k := aws.String("cond-versions"), aws.String("null/own")
	null := e.put("cond-versions", "null/own", "null:null/own")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1 := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("new:null/own")}))
	for _, c := range []struct{ version, etag *string }{
		{aws.String("null"), null.ETag}, {aws.String("null"), aws.String("*")}, {aws.String("null"), aws.String(`"00000000000000000000000000000000"`)},
		{v1.VersionId, v1.ETag},
	} {
		_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: c.version, IfMatch: c.etag})
		wantErr(t, err, "NotImplemented", 501, "A header you provided implies functionality that is not implemented")
	}
	status, body := e.signed("DELETE", "/cond-versions/null/own?versionId=null", map[string]string{"If-Match": "*"}, "")
	if status != 501 || !strings.Contains(body, "<Header>If-Match</Header>") || !strings.Contains(body, "Conditional delete operations are not allowed when a version ID is included in the request parameters.") {
		t.Fatalf("raw conditional version delete: %d %s", status, body)
	}
	if l := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})); len(l.Versions) != 2 || len(l.DeleteMarkers) != 0 {
		t.Fatalf("versions after refused conditional deletes: %d versions, %d markers", len(l.Versions), len(l.DeleteMarkers))
	}
}

// DeleteObjects: an entry naming a version and an ETag is NotImplemented and the
// version stays; an ETag (not *) without a version also needs s3:GetObject on the
// key, and * does not (recorded, 2026: conditional_versions.json, batch phase
// deny-GetObject).
func TestRecordedConditionalBatchDelete(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-batch")
	b := aws.String("cond-batch")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	u := e.user("Delegated", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	must(0, e.policy("cond-batch", `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::`+account+`:user/Delegated"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cond-batch/batch/*"}]}`))
	put := func(key string) *s3.PutObjectOutput {
		return must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader("body of " + key)}))
	}
	old := put("batch/historical-current")
	cur := put("batch/historical-current")
	implicit := put("batch/implicit-current")
	put("batch/implicit-wildcard")
	out := must(u.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("batch/historical-current"), VersionId: old.VersionId, ETag: old.ETag},
		{Key: aws.String("batch/historical-current"), VersionId: cur.VersionId, ETag: aws.String("*")},
		{Key: aws.String("batch/implicit-current"), ETag: implicit.ETag},
		{Key: aws.String("batch/implicit-wildcard"), ETag: aws.String("*")},
	}}}))
	if len(out.Deleted) != 1 || *out.Deleted[0].Key != "batch/implicit-wildcard" || !aws.ToBool(out.Deleted[0].DeleteMarker) {
		t.Fatalf("deleted: %+v", out.Deleted)
	}
	want := map[string]string{
		"batch/historical-current " + *old.VersionId: "NotImplemented A form field you provided implies functionality that is not implemented",
		"batch/historical-current " + *cur.VersionId: "NotImplemented A form field you provided implies functionality that is not implemented",
		"batch/implicit-current ":                    "AccessDenied User: arn:aws:iam::" + account + ":user/Delegated is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::cond-batch/batch/implicit-current\" with an explicit deny in a resource-based policy",
	}
	for _, er := range out.Errors {
		k := *er.Key + " " + aws.ToString(er.VersionId)
		if got := *er.Code + " " + *er.Message; want[k] != got {
			t.Fatalf("error for %s: %s, want %s", k, got, want[k])
		}
		delete(want, k)
	}
	if len(want) != 0 {
		t.Fatalf("errors missing: %v", want)
	}
	if l := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b, Prefix: aws.String("batch/historical")})); len(l.Versions) != 2 {
		t.Fatalf("versions of a key whose conditional version deletes were refused: %d", len(l.Versions))
	}

	// DeleteObject alike (deny-GetObject/implicit-wrong/delete; the wildcard and an
	// unconditional delete need no s3:GetObject).
	single := put("batch/single")
	_, err := u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("batch/single"), IfMatch: aws.String(`"00000000000000000000000000000000"`)})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/Delegated is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::cond-batch/batch/single\" with an explicit deny in a resource-based policy")
	_, err = u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("batch/single"), IfMatch: single.ETag})
	wantErr(t, err, "AccessDenied", 403, "")
	if d := must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("batch/single"), IfMatch: aws.String("*")})); !aws.ToBool(d.DeleteMarker) {
		t.Fatal("If-Match: * needs no s3:GetObject")
	}
	must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("batch/single")}))
}
