package s3_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/palisade/palisade/internal/app/apptest"
)

// BenchmarkPutObject4K and BenchmarkGetObject4K measure small objects through the
// whole stack in one process (the SDK as client); bench/s3 measures against moto.
func BenchmarkPutObject4K(b *testing.B) {
	p := apptest.Start(b)
	c := s3Client(p.RootConfig())
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}))
	body := make([]byte, 4096)
	rand.Read(body)
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := fmt.Sprint("k", n.Add(1)%256)
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGetObject4K(b *testing.B) {
	p := apptest.Start(b)
	c := s3Client(p.RootConfig())
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}))
	body := make([]byte, 4096)
	rand.Read(body)
	for i := range 256 {
		must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("k", i)), Body: bytes.NewReader(body)}))
	}
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("k", n.Add(1)%256))})
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
	})
}

// BenchmarkPutObject4M measures a large body's path (hashes, encryption, file, fsync).
func BenchmarkPutObject4M(b *testing.B) {
	p := apptest.Start(b)
	c := s3Client(p.RootConfig())
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}))
	body := make([]byte, 4<<20)
	rand.Read(body)
	b.SetBytes(int64(len(body)))
	for i := 0; b.Loop(); i++ {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("k", i%8)), Body: bytes.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
	}
}
