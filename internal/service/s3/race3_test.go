package s3_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/palisade/palisade/internal/app/apptest"
)

// versionList is the version IDs written so far.
type versionList struct {
	mu  sync.Mutex
	ids []string
}

func (v *versionList) add(id *string) {
	if id == nil {
		return
	}
	v.mu.Lock()
	v.ids = append(v.ids, *id)
	v.mu.Unlock()
}

func (v *versionList) pick(r *rand.Rand) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.ids) == 0 {
		return "null"
	}
	return v.ids[r.IntN(len(v.ids))]
}

// Writers and readers of one key at once, in a bucket with ACLs enabled whose
// versioning is switched on and off meanwhile: PUTs (small and file-backed bodies),
// deletes of the key and of named versions (DeleteObject, DeleteObjects), tagging and
// ACL rewrites, against GETs of the key and of named versions, HEADs, tag reads and
// listings. Every answer is one S3 could give, every body matches its ETag, and the
// store is left consistent.
func TestVersionsRacing(t *testing.T) {
	e := newEnv(t)
	name := "race-versions"
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	var bs bodies
	var vs versionList
	var seed atomic.Uint64
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(seed.Add(1), 7)) }
	key := aws.String("k")
	bucket := aws.String(name)
	writes := []func(r *rand.Rand) string{
		func(r *rand.Rand) string {
			size := 10 + r.IntN(2000)
			if r.IntN(4) == 0 {
				size = 70<<10 + r.IntN(10<<10)
			}
			out, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(bs.make(r, size))})
			if err != nil {
				return okOr("PutObject", err)
			}
			vs.add(out.VersionId)
			return ""
		},
		func(r *rand.Rand) string {
			_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(vs.pick(r))})
			return okOr("DeleteObject version", err)
		},
		func(r *rand.Rand) string {
			out, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key})
			if err == nil {
				vs.add(out.VersionId)
			}
			return okOr("DeleteObject", err)
		},
		func(r *rand.Rand) string {
			out, err := e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
				{Key: key, VersionId: aws.String(vs.pick(r))}, {Key: key}, {Key: key, VersionId: aws.String(vs.pick(r))}}}})
			if err != nil {
				return okOr("DeleteObjects", err)
			}
			for _, e := range out.Errors {
				return "DeleteObjects: " + aws.ToString(e.Code) + " " + aws.ToString(e.Message)
			}
			return ""
		},
		func(r *rand.Rand) string {
			_, err := e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bucket, Key: key,
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("t"), Value: aws.String("v")}}}})
			return okOr("PutObjectTagging", err, "NoSuchKey", "MethodNotAllowed")
		},
		func(r *rand.Rand) string {
			_, err := e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bucket, Key: key, VersionId: aws.String(vs.pick(r)),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("t"), Value: aws.String("w")}}}})
			return okOr("PutObjectTagging version", err, "NoSuchVersion", "MethodNotAllowed", "NoSuchKey")
		},
		func(r *rand.Rand) string {
			_, err := e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bucket, Key: key, ACL: types.ObjectCannedACLBucketOwnerRead})
			return okOr("PutObjectAcl", err, "NoSuchKey", "MethodNotAllowed")
		},
		func(r *rand.Rand) string {
			st := types.BucketVersioningStatusEnabled
			if r.IntN(2) == 0 {
				st = types.BucketVersioningStatusSuspended
			}
			_, err := e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
				VersioningConfiguration: &types.VersioningConfiguration{Status: st}})
			return okOr("PutBucketVersioning", err)
		},
	}
	reads := []func(r *rand.Rand) string{
		func(r *rand.Rand) string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
			if err != nil {
				return okOr("GetObject", err, "NoSuchKey")
			}
			return bs.check(out)
		},
		func(r *rand.Rand) string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(vs.pick(r))})
			if err != nil {
				return okOr("GetObject version", err, "NoSuchVersion", "MethodNotAllowed", "NoSuchKey")
			}
			return bs.check(out)
		},
		func(r *rand.Rand) string {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(vs.pick(r)), Range: aws.String("bytes=5-70000")})
			if err != nil {
				return okOr("GetObject version range", err, "NoSuchVersion", "MethodNotAllowed", "NoSuchKey", "InvalidRange")
			}
			return bs.check(out)
		},
		func(r *rand.Rand) string {
			_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(vs.pick(r))})
			return okOr("HeadObject version", err, "NotFound", "MethodNotAllowed", "NoSuchVersion", "405")
		},
		func(r *rand.Rand) string {
			_, err := e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: key})
			return okOr("GetObjectTagging", err, "NoSuchKey", "MethodNotAllowed")
		},
		func(r *rand.Rand) string {
			_, err := e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bucket, Key: key, VersionId: aws.String(vs.pick(r))})
			return okOr("GetObjectAcl version", err, "NoSuchVersion", "MethodNotAllowed", "NoSuchKey")
		},
		func(r *rand.Rand) string {
			_, err := e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket})
			return okOr("ListObjectVersions", err)
		},
	}
	stopReads := apptest.Race(3, func(int) string {
		r := rng()
		return reads[r.IntN(len(reads))](r)
	})
	msgW := together(3, 40, func() string {
		r := rng()
		return writes[r.IntN(len(writes))](r)
	})
	msgR := stopReads()
	if msgW != "" || msgR != "" {
		t.Fatalf("writers: %s; readers: %s", msgW, msgR)
	}
	for _, p := range storeState(t, e.p) {
		t.Error(p)
	}
}

// together runs fn n times in each of g goroutines and returns the first problem fn
// reported.
func together(g, n int, fn func() string) string {
	var wg sync.WaitGroup
	bad := make(chan string, 1)
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				if msg := fn(); msg != "" {
					select {
					case bad <- msg:
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case msg := <-bad:
		return msg
	default:
		return ""
	}
}

// A bucket is deleted only empty, whatever writes race the delete: PUTs (small and
// file-backed), multipart uploads being completed or aborted, copies into it. Once
// DeleteBucket has succeeded, every write into the bucket fails with NoSuchBucket,
// and no record or body of the bucket is left behind.
func TestDeleteBucketRacingWrites(t *testing.T) {
	e := newEnv(t)
	var seed atomic.Uint64
	for round := range 6 {
		name := fmt.Sprintf("race-delete-writes-%d", round)
		bucket := aws.String(name)
		must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
		e.put(name, "src", "copy source")
		var gone atomic.Bool
		// wrote checks a write's answer: a write sent once DeleteBucket had answered
		// (goneBefore, read before the write was sent) gets only NoSuchBucket. One
		// sent earlier may have committed just before the deletion and be answered
		// after it: it may succeed.
		wrote := func(goneBefore bool, op string, err error, allowed ...string) string {
			if goneBefore && err == nil {
				return op + " succeeded after DeleteBucket"
			}
			return okOr(op, err, append(allowed, "NoSuchBucket")...)
		}
		writes := []func(r *rand.Rand) string{
			func(r *rand.Rand) string {
				size := 10 + r.IntN(100)
				if r.IntN(3) == 0 {
					size = 70 << 10
				}
				before := gone.Load()
				_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(fmt.Sprint("k", r.IntN(3))), Body: bytes.NewReader(make([]byte, size))})
				return wrote(before, "PutObject", err)
			},
			func(r *rand.Rand) string {
				_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(fmt.Sprint("k", r.IntN(3)))})
				return okOr("DeleteObject", err, "NoSuchBucket")
			},
			func(r *rand.Rand) string {
				before := gone.Load()
				_, err := e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("k0"), CopySource: aws.String(name + "/src")})
				return wrote(before, "CopyObject", err, "NoSuchKey")
			},
			func(r *rand.Rand) string {
				key := aws.String(fmt.Sprint("m", r.IntN(2)))
				before := gone.Load()
				cr, err := e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
				if err != nil {
					return wrote(before, "CreateMultipartUpload", err)
				}
				size := 100
				if r.IntN(2) == 0 {
					size = 70 << 10
				}
				before = gone.Load()
				up, err := e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(make([]byte, size))})
				if err != nil {
					return wrote(before, "UploadPart", err, "NoSuchUpload")
				}
				before = gone.Load()
				if r.IntN(3) == 0 {
					_, err = e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: cr.UploadId})
					return wrote(before, "AbortMultipartUpload", err, "NoSuchUpload")
				}
				_, err = e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: cr.UploadId,
					MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}})
				return wrote(before, "CompleteMultipartUpload", err, "NoSuchUpload")
			},
			func(r *rand.Rand) string {
				_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("src")})
				if err != nil {
					return okOr("DeleteObject", err, "NoSuchBucket")
				}
				for _, k := range []string{"m0", "m1"} {
					_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(k)})
					if err != nil {
						return okOr("DeleteObject", err, "NoSuchBucket")
					}
				}
				_, err = e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket})
				if err == nil {
					gone.Store(true)
				}
				return okOr("DeleteBucket", err, "BucketNotEmpty", "NoSuchBucket")
			},
		}
		msg := together(4, 12, func() string {
			r := rand.New(rand.NewPCG(seed.Add(1), 9))
			return writes[r.IntN(len(writes))](r)
		})
		if msg != "" {
			t.Fatalf("round %d: %s", round, msg)
		}
	}
	for _, p := range storeState(t, e.p) {
		t.Error(p)
	}
}

// A listing of versions resumes after its markers even when the version they name
// was deleted meanwhile — the way a paginated "empty this bucket" loop lists a page,
// deletes what it listed, and asks for the next page.
func TestListVersionsAfterMarkerDeleted(t *testing.T) {
	e := newEnv(t)
	name := "race-list-versions"
	bucket := aws.String(name)
	e.bucket(name)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	for _, k := range []string{"a", "a", "a", "b", "b"} {
		e.put(name, k, "body of "+k)
	}
	var listed []string
	in := &s3.ListObjectVersionsInput{Bucket: bucket, MaxKeys: aws.Int32(2)}
	for page := 0; ; page++ {
		out, err := e.s3.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		var del []types.ObjectIdentifier
		for i, v := range out.Versions {
			listed = append(listed, *v.Key)
			del = append(del, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
			// Every version listed before this page is deleted: the first of a key on
			// this page is its latest.
			if want := i == 0 || *out.Versions[i-1].Key != *v.Key; aws.ToBool(v.IsLatest) != want {
				t.Errorf("page %d: %s %s IsLatest %v", page, *v.Key, *v.VersionId, aws.ToBool(v.IsLatest))
			}
		}
		if len(del) > 0 {
			out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: del}}))
			if len(out.Errors) > 0 {
				t.Fatalf("page %d: DeleteObjects: %s", page, *out.Errors[0].Code)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if strings.Join(listed, "") != "aaabb" {
		t.Fatalf("listed %q", listed)
	}
	// A null version named by the marker and deleted since: the key's remaining
	// versions are listed from its newest.
	e.put(name, "c", "versioned")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}))
	e.put(name, "c", "null")
	p1 := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, MaxKeys: aws.Int32(1)}))
	if len(p1.Versions) != 1 || *p1.Versions[0].VersionId != "null" || aws.ToString(p1.NextVersionIdMarker) != "null" {
		t.Fatalf("first page %+v", p1)
	}
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("c"), VersionId: aws.String("null")}))
	p2 := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, KeyMarker: p1.NextKeyMarker, VersionIdMarker: p1.NextVersionIdMarker}))
	if len(p2.Versions) != 1 || *p2.Versions[0].VersionId == "null" || !aws.ToBool(p2.Versions[0].IsLatest) {
		t.Fatalf("after the null marker was deleted: %+v", p2.Versions)
	}
	_, err := e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, KeyMarker: aws.String("c"), VersionIdMarker: aws.String("not-a-version")})
	wantErr(t, err, "InvalidArgument", 400, "Invalid version id specified")
}
