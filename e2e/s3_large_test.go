package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// largeSize is the object TestS3LargeObjectConstantMemory moves: 64 MiB by default,
// PALISADE_S3_LARGE_MIB=1024 for the 1 GiB run recorded in docs/PERFORMANCE.md.
func largeSize(t *testing.T) int64 {
	if v := os.Getenv("PALISADE_S3_LARGE_MIB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 16 {
			t.Fatalf("PALISADE_S3_LARGE_MIB=%q: want a number of MiB, at least 16", v)
		}
		return int64(n) << 20
	}
	return 64 << 20
}

// stream is a deterministic pseudo-random body (AES-CTR keystream) of n bytes from
// offset off of the keystream. It costs no memory and can seek (the SDK reads a body
// twice: to sign its SHA-256, then to send it), so the client holds no copy of what
// it uploads.
func stream(seed byte, off, n int64) io.ReadSeeker {
	block, _ := aes.NewCipher(bytes.Repeat([]byte{seed}, 16))
	return &keystream{block: block, base: off, n: n}
}

type keystream struct {
	block  cipher.Block
	base   int64 // keystream offset of the body's first byte
	n, pos int64
	ctr    cipher.Stream
}

func (k *keystream) Read(p []byte) (int, error) {
	if k.pos >= k.n {
		return 0, io.EOF
	}
	if k.ctr == nil {
		abs := k.base + k.pos
		iv := make([]byte, 16)
		binary.BigEndian.PutUint64(iv[8:], uint64(abs/16))
		k.ctr = cipher.NewCTR(k.block, iv)
		var skip [16]byte
		k.ctr.XORKeyStream(skip[:abs%16], skip[:abs%16])
	}
	p = p[:min(int64(len(p)), k.n-k.pos)]
	clear(p)
	k.ctr.XORKeyStream(p, p)
	k.pos += int64(len(p))
	return len(p), nil
}

func (k *keystream) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += k.pos
	case io.SeekEnd:
		off += k.n
	}
	if off < 0 || off > k.n {
		return 0, fmt.Errorf("seek to %d of %d", off, k.n)
	}
	k.pos, k.ctr = off, nil
	return off, nil
}

// rss reads a process's resident set size and its peak, in KiB.
func rss(t *testing.T, pid int) (cur, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			cur, _ = strconv.ParseInt(f[1], 10, 64)
		}
		if len(f) >= 2 && f[0] == "VmHWM:" {
			peak, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return cur, peak
}

// A large object goes up as a multipart upload (4 parts in flight) and comes back
// as one GET, while the server's resident memory is sampled: it must not grow with
// the object. The body is checked end to end by SHA-256.
func TestS3LargeObjectConstantMemory(t *testing.T) {
	size := largeSize(t)
	s := start(t, t.TempDir(), withRootKey()...)
	pid := s.cmd.Process.Pid
	client := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(rootAK, rootSK, "")}, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("large")}); err != nil {
		t.Fatal(err)
	}
	// Warm up (first requests allocate pools), then take the baseline.
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("large"), Key: aws.String("warm"), Body: stream(1, 0, 8<<20)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	base, _ := rss(t, pid)

	var mu sync.Mutex
	var maxRSS int64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
				if cur, _ := rss(t, pid); cur > 0 {
					mu.Lock()
					maxRSS = max(maxRSS, cur)
					mu.Unlock()
				}
			}
		}
	}()

	const partSize = 16 << 20
	began := time.Now()
	up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("large"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	nparts := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, nparts)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var perr error
	for i := range nparts {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			off := int64(i) * partSize
			n := min(int64(partSize), size-off)
			out, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("large"), Key: aws.String("big"), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: stream(7, off, n), ContentLength: aws.Int64(n)})
			if err != nil {
				mu.Lock()
				perr = err
				mu.Unlock()
				return
			}
			parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag}
		}(i)
	}
	wg.Wait()
	if perr != nil {
		t.Fatal(perr)
	}
	if _, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("large"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	upTime := time.Since(began)

	began = time.Now()
	g, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("large"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, g.Body)
	g.Body.Close()
	if err != nil || n != size {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
	downTime := time.Since(began)
	close(done)
	want := sha256.New()
	io.Copy(want, stream(7, 0, size))
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("downloaded body differs from the uploaded one")
	}
	_, peak := rss(t, pid)
	mu.Lock()
	growth := maxRSS - base
	mu.Unlock()
	t.Logf("object %d MiB: upload %.1fs (%.0f MB/s), download %.1fs (%.0f MB/s); server RSS baseline %d MiB, max sampled %d MiB (+%d MiB), VmHWM %d MiB",
		size>>20, upTime.Seconds(), float64(size)/1e6/upTime.Seconds(), downTime.Seconds(), float64(size)/1e6/downTime.Seconds(),
		base>>10, maxRSS>>10, growth>>10, peak>>10)
	// Four 16 MiB parts in flight, each streamed through fixed buffers: the server
	// must stay far below the object's size.
	if growth > 96<<10 {
		t.Fatalf("server memory grew by %d MiB moving a %d MiB object", growth>>10, size>>20)
	}
}
