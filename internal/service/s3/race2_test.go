package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/palisade/palisade/internal/app/apptest"
)

// bodies remembers every body written, by ETag, so that a reader can check what it
// got against the ETag it got it with.
type bodies struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *bodies) make(r *rand.Rand, size int) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte('a' + r.IntN(26))
	}
	sum := md5.Sum(data)
	b.mu.Lock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[`"`+hex.EncodeToString(sum[:])+`"`] = data
	b.mu.Unlock()
	return data
}

func (b *bodies) add(etag string, data []byte) {
	b.mu.Lock()
	b.m[etag] = data
	b.mu.Unlock()
}

func (b *bodies) get(etag string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[etag]
	return d, ok
}

// check reads a GetObject answer and compares it with the body its ETag names, over
// the range it says it sent.
func (b *bodies) check(out *s3.GetObjectOutput) string {
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		return "reading the body: " + err.Error()
	}
	want, ok := b.get(aws.ToString(out.ETag))
	if !ok {
		return "unknown ETag " + aws.ToString(out.ETag)
	}
	if cr := aws.ToString(out.ContentRange); cr != "" {
		var from, to, size int
		if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &from, &to, &size); err != nil || size != len(want) || to >= size {
			return fmt.Sprintf("Content-Range %q for a body of %d bytes", cr, len(want))
		}
		want = want[from : to+1]
	}
	if !bytes.Equal(got, want) {
		return fmt.Sprintf("body of %d bytes does not match ETag %s (%d bytes)", len(got), aws.ToString(out.ETag), len(want))
	}
	return ""
}

// readOK reports whether err is an answer a read racing writes may get.
func readOK(err error, allowed ...string) bool {
	c := errCode(err)
	if c == "" {
		return true
	}
	for _, a := range allowed {
		if c == a {
			return true
		}
	}
	return false
}

// Reads of one key — whole, ranged, by part number, HEAD — racing overwrites (small and
// file-backed bodies, multipart objects, copies), deletes and copies from it, in a
// bucket without versioning, with versioning and with versioning suspended: every
// answer is whole and matches its ETag, no call fails but as S3 would, and the store
// is left with each record's bodies and no others.
func TestReadsRacingWritesUnversioned(t *testing.T) { readsRacingWrites(t, "") }
func TestReadsRacingWritesVersioned(t *testing.T)   { readsRacingWrites(t, "Enabled") }
func TestReadsRacingWritesSuspended(t *testing.T)   { readsRacingWrites(t, "Suspended") }

func readsRacingWrites(t *testing.T, mode string) {
	e := newEnv(t)
	var bs bodies
	name := "race-rw-" + strings.ToLower(mode)
	if mode == "" {
		name += "none"
	}
	e.bucket(name)
	if mode != "" {
		must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	}
	if mode == "Suspended" {
		must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}))
	}
	r := rand.New(rand.NewPCG(1, 2))
	src := bs.make(r, 3000)
	e.put(name, "src", string(src))
	readers := []func() string{
		func() string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
			if err != nil {
				return okOr("GetObject", err, "NoSuchKey")
			}
			return bs.check(out)
		},
		func() string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Range: aws.String("bytes=100-70000")})
			if err != nil {
				return okOr("GetObject range", err, "NoSuchKey", "InvalidRange")
			}
			return bs.check(out)
		},
		func() string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Range: aws.String("bytes=-1000")})
			if err != nil {
				return okOr("GetObject suffix range", err, "NoSuchKey")
			}
			return bs.check(out)
		},
		func() string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k"), PartNumber: aws.Int32(1)})
			if err != nil {
				return okOr("GetObject partNumber", err, "NoSuchKey")
			}
			return bs.check(out)
		},
		func() string {
			_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
			return okOr("HeadObject", err, "NotFound")
		},
		func() string {
			out, err := e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(name), Key: aws.String("copy"), CopySource: aws.String(name + "/k")})
			if err != nil {
				return okOr("CopyObject from k", err, "NoSuchKey")
			}
			got, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("copy"), IfMatch: out.CopyObjectResult.ETag})
			if err != nil {
				return okOr("GetObject copy", err, "PreconditionFailed", "NoSuchKey")
			}
			return bs.check(got)
		},
		func() string {
			_, err := e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
			return okOr("ListObjectsV2", err)
		},
		func() string {
			_, err := e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(name)})
			return okOr("ListObjectVersions", err)
		},
	}
	var i int
	var imu sync.Mutex
	stop := apptest.Race(4, func(int) string {
		imu.Lock()
		f := readers[i%len(readers)]
		i++
		imu.Unlock()
		return f()
	})
	wr := rand.New(rand.NewPCG(3, 4))
	for n := range 30 {
		var err error
		switch n % 6 {
		case 0, 1:
			data := bs.make(wr, 10+wr.IntN(3000))
			_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: bytes.NewReader(data)})
		case 2:
			data := bs.make(wr, 70<<10+wr.IntN(100<<10))
			_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: bytes.NewReader(data)})
		case 3:
			_, err = e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
		case 4:
			_, err = e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(name), Key: aws.String("k"), CopySource: aws.String(name + "/src")})
		case 5:
			cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(name), Key: aws.String("k")}))
			data := bs.make(wr, 100+wr.IntN(1000))
			ps := md5.Sum(data)
			etag := md5.Sum(ps[:])
			bs.add(`"`+hex.EncodeToString(etag[:])+`-1"`, data)
			up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(name), Key: aws.String("k"), UploadId: cr.UploadId,
				PartNumber: aws.Int32(1), Body: bytes.NewReader(data)}))
			_, err = e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(name), Key: aws.String("k"), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}})
		}
		if err != nil {
			stop()
			t.Fatalf("%s: write %d: %v", name, n, err)
		}
	}
	if msg := stop(); msg != "" {
		t.Fatalf("%s: %s", name, msg)
	}
	for _, p := range storeState(t, e.p) {
		t.Error(p)
	}
}

// okOr is "" for no error or an allowed one, else a description of err.
func okOr(op string, err error, allowed ...string) string {
	if readOK(err, allowed...) {
		return ""
	}
	return op + ": " + err.Error()
}
