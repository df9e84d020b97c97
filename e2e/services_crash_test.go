package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Nothing acknowledged is lost in S3, SQS and KMS either: kill -9 Palisade while
// clients put small and file-backed objects, overwrite one hot key each, send messages
// and encrypt, restart it, and every acknowledged object reads back byte for byte (a
// hot key holds its last acknowledged body or a later one), every acknowledged
// message is received, and every acknowledged ciphertext decrypts.
func TestKillNineKeepsAcknowledgedObjectsMessagesAndCiphertexts(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, withRootKey()...)
	cfg := s.rootConfig()
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	sqsc, kmsc := sqs.NewFromConfig(cfg), kms.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("crash")})
	if err != nil {
		t.Fatal(err)
	}
	key, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	// body is the content of object name: large ones (every fourth) go to files.
	body := func(name string, i int) []byte {
		n := 1 << 10
		if i%4 == 3 {
			n = 100 << 10
		}
		return bytes.Repeat([]byte(name+";"), n/len(name)+1)[:n]
	}
	var mu sync.Mutex
	objects := map[string]int{}        // acknowledged object → i
	hot := map[int]int{}               // client → last acknowledged overwrite of its hot key
	messages := map[string]bool{}      // acknowledged message bodies
	ciphertexts := map[string][]byte{} // plaintext → acknowledged ciphertext
	loadUntilKilled(t, s, 12, 1500*time.Millisecond, nil, func(ctx context.Context, w, i int) {
		name := fmt.Sprintf("o-%d-%d", w, i)
		switch i % 4 {
		case 0, 3:
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(name), Body: bytes.NewReader(body(name, i))}); err == nil {
				mu.Lock()
				objects[name] = i
				mu.Unlock()
			}
		case 1:
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(fmt.Sprintf("hot-%d", w)),
				Body: strings.NewReader(strconv.Itoa(i))}); err == nil {
				mu.Lock()
				hot[w] = i
				mu.Unlock()
			}
		case 2:
			if i%8 == 2 {
				if _, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(name)}); err == nil {
					mu.Lock()
					messages[name] = true
					mu.Unlock()
				}
				return
			}
			if out, err := kmsc.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte(name)}); err == nil {
				mu.Lock()
				ciphertexts[name] = out.CiphertextBlob
				mu.Unlock()
			}
		}
	})
	t.Logf("acknowledged before kill -9: %d objects, %d hot-key overwrites, %d messages, %d ciphertexts", len(objects), len(hot), len(messages), len(ciphertexts))
	if len(objects) < 50 || len(messages) < 5 || len(ciphertexts) < 10 {
		t.Fatal("the load was too light to prove anything")
	}

	s.launch()
	// Bodies the kill interrupted were never referenced: the restart sweeps them.
	if left, err := os.ReadDir(filepath.Join(dir, "s3", "tmp")); err != nil || len(left) != 0 {
		t.Fatalf("%d half-received bodies left after the restart (%v)", len(left), err)
	}
	for name, i := range objects {
		out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(name)})
		if err != nil {
			t.Fatalf("acknowledged object %s lost: %v", name, err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, body(name, i)) {
			t.Fatalf("acknowledged object %s reads back %d bytes (%v), want its %d", name, len(got), err, len(body(name, i)))
		}
	}
	for w, i := range hot {
		out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(fmt.Sprintf("hot-%d", w))})
		if err != nil {
			t.Fatalf("hot key %d lost: %v", w, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if n, err := strconv.Atoi(string(got)); err != nil || n < i {
			t.Fatalf("hot key %d holds %q, want its last acknowledged overwrite %d or a later one", w, got, i)
		}
	}
	received := map[string]bool{}
	for range 1000 {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			received[*m.Body] = true
		}
	}
	for m := range messages {
		if !received[m] {
			t.Fatalf("acknowledged message %s lost (%d received)", m, len(received))
		}
	}
	for pt, blob := range ciphertexts {
		out, err := kmsc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if err != nil || string(out.Plaintext) != pt {
			t.Fatalf("acknowledged ciphertext of %s does not decrypt: %v", pt, err)
		}
	}
	s.stop()
}
