package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/audit"
	s3svc "github.com/palisade/palisade/internal/service/s3"
)

// mpBody is a two-part body (5 MiB of fill and a tail).
func mpBody(fill byte, tail string) [][]byte {
	return [][]byte{bytes.Repeat([]byte{fill}, 5<<20), []byte(tail)}
}

func wholeMD5(parts [][]byte) string {
	return fmt.Sprintf(`"%x"`, md5.Sum(bytes.Join(parts, nil)))
}

// CopyObject reads a source it must digest whole (a multipart source; a checksum the
// source lacks) in its prep, outside the store's write transaction: another call's
// write commits while the copy's source is being read, and the answer is the one the
// transaction alone gave (the data's MD5, a composite CRC32 made full-object). SSE-C
// sources are read there too, with the request's copy-source key; SSE-KMS sources stay
// in the transaction, whose kms:Decrypt is recorded once.
func TestCopyDigestOutsideTransaction(t *testing.T) {
	e := newEnv(t)
	e.bucket("cp-prep")
	e.allowSSEC("cp-prep")
	b := aws.String("cp-prep")
	parts := mpBody('a', "tail")
	must(e.upload("cp-prep", "src", parts, types.ChecksumAlgorithmCrc32))
	var hooked []string
	var writeErr error
	defer s3svc.SetCopyDigestHook(func(bucket, key string) {
		if bucket != "cp-prep" {
			return
		}
		hooked = append(hooked, key)
		// Had prep held the write transaction, this write would wait for it.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, writeErr = e.s3.PutObject(wctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("meanwhile-" + key), Body: strings.NewReader("x")})
	})()

	cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst"), CopySource: aws.String("cp-prep/src")})).CopyObjectResult
	if writeErr != nil || len(hooked) != 1 {
		t.Fatalf("write during the digest: %v (hook ran for %v)", writeErr, hooked)
	}
	crc := crc32.ChecksumIEEE(bytes.Join(parts, nil))
	wantCRC := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	if *cp.ETag != wholeMD5(parts) || aws.ToString(cp.ChecksumCRC32) != wantCRC || cp.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("copy %s %v %v, want %s %s FULL_OBJECT", *cp.ETag, aws.ToString(cp.ChecksumCRC32), cp.ChecksumType, wholeMD5(parts), wantCRC)
	}
	must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("meanwhile-src")}))

	// A checksum the single-part source lacks.
	e.put("cp-prep", "one", "single part")
	sum := sha256.Sum256([]byte("single part"))
	cp = must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst-sha"), CopySource: aws.String("cp-prep/one"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})).CopyObjectResult
	if len(hooked) != 2 || aws.ToString(cp.ChecksumSHA256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("hook ran for %v, sha256 %v", hooked, aws.ToString(cp.ChecksumSHA256))
	}
	// A checksum the source has is not read for.
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst-crc"), CopySource: aws.String("cp-prep/one"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme}))
	if len(hooked) != 2 {
		t.Fatalf("hook ran for %v", hooked)
	}

	// SSE-C: the copy-source key from the request; the wrong one is still the
	// transaction's 400.
	key := bytes.Repeat([]byte("k"), 32)
	kb, km := base64.StdEncoding.EncodeToString(key), md5.Sum(key)
	kmd5 := base64.StdEncoding.EncodeToString(km[:])
	cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("ssec"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(kb), SSECustomerKeyMD5: aws.String(kmd5)}))
	var done []types.CompletedPart
	for i, p := range parts {
		up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("ssec"), UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader(p), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(kb), SSECustomerKeyMD5: aws.String(kmd5)}))
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
	}
	must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("ssec"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}, SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(kb), SSECustomerKeyMD5: aws.String(kmd5)}))
	cp = must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst-ssec"), CopySource: aws.String("cp-prep/ssec"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(kb), CopySourceSSECustomerKeyMD5: aws.String(kmd5)})).CopyObjectResult
	if len(hooked) != 3 || *cp.ETag != wholeMD5(parts) {
		t.Fatalf("hook ran for %v, SSE-C copy ETag %s", hooked, *cp.ETag)
	}
	other := bytes.Repeat([]byte("o"), 32)
	om := md5.Sum(other)
	_, err := e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst-ssec2"), CopySource: aws.String("cp-prep/ssec"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(other)),
		CopySourceSSECustomerKeyMD5: aws.String(base64.StdEncoding.EncodeToString(om[:]))})
	wantErr(t, err, "InvalidRequest", 400, "The provided encryption parameters did not match the ones used originally.")
	if len(hooked) != 3 {
		t.Fatalf("hook ran for %v", hooked)
	}

	// SSE-KMS: digested in the transaction, with one kms:Decrypt recorded.
	k := kms.NewFromConfig(e.p.RootConfig())
	kid := must(k.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	cr = must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("kms"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: kid}))
	done = nil
	for i, p := range parts {
		up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("kms"), UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}))
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
	}
	must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("kms"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}))
	decrypts := func() int {
		n := 0
		for _, ev := range e.events(audit.Source) {
			var r audit.Record
			json.Unmarshal(ev.Data, &r)
			if r.EventSource == "kms.amazonaws.com" && r.EventName == "Decrypt" {
				n++
			}
		}
		return n
	}
	before := decrypts()
	cp = must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst-kms"), CopySource: aws.String("cp-prep/kms")})).CopyObjectResult
	if len(hooked) != 3 || *cp.ETag != wholeMD5(parts) {
		t.Fatalf("hook ran for %v, SSE-KMS copy ETag %s", hooked, *cp.ETag)
	}
	if n := decrypts() - before; n != 1 {
		t.Fatalf("%d kms:Decrypt records for one copy", n)
	}
}

// A source written between CopyObject's prep and its transaction is copied as the
// transaction finds it: the copy's ETag and checksums are the new version's, not the
// digests prep made of the old one.
func TestCopyDigestSourceOverwritten(t *testing.T) {
	e := newEnv(t)
	e.bucket("cp-race")
	b := aws.String("cp-race")
	oldParts, newParts := mpBody('a', "old"), mpBody('b', "new")
	must(e.upload("cp-race", "mp", oldParts, ""))
	e.put("cp-race", "one", "old body")
	overwrite := map[string]func(){
		"mp":  func() { must(e.upload("cp-race", "mp", newParts, "")) },
		"one": func() { e.put("cp-race", "one", "new body") },
	}
	defer s3svc.SetCopyDigestHook(func(bucket, key string) {
		if f := overwrite[key]; bucket == "cp-race" && f != nil {
			delete(overwrite, key)
			f()
		}
	})()

	cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("mp-copy"), CopySource: aws.String("cp-race/mp")})).CopyObjectResult
	if *cp.ETag != wholeMD5(newParts) {
		t.Fatalf("copy ETag %s, want the new version's %s (old %s)", *cp.ETag, wholeMD5(newParts), wholeMD5(oldParts))
	}
	if got := e.get("cp-race", "mp-copy"); got != string(bytes.Join(newParts, nil)) {
		t.Fatalf("copied body is not the new version's (%d bytes)", len(got))
	}

	cp = must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("one-copy"), CopySource: aws.String("cp-race/one"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})).CopyObjectResult
	sum := sha256.Sum256([]byte("new body"))
	if aws.ToString(cp.ChecksumSHA256) != base64.StdEncoding.EncodeToString(sum[:]) || e.get("cp-race", "one-copy") != "new body" {
		t.Fatalf("copy sha256 %v, want the new version's", aws.ToString(cp.ChecksumSHA256))
	}
	if len(overwrite) != 0 {
		t.Fatalf("prep did not read %v", overwrite)
	}
}
