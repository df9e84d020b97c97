package kms_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/palisade/palisade/internal/app/apptest"
)

// BenchmarkEncrypt measures a signed kms:Encrypt through the whole stack over
// loopback (HTTP, SigV4, the key policy and IAM, AES-GCM, the CloudTrail record's
// durable commit), each request freshly signed; bench/kms/run.sh compares it with
// peers.
func BenchmarkEncrypt(b *testing.B) {
	p := apptest.Start(b)
	kid := *must(kms.NewFromConfig(p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	body := `{"KeyId":"` + kid + `","Plaintext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","EncryptionContext":{"purpose":"bench"}}`
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: apptest.RootSecret}
	signer := v4.NewSigner()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
			signer.SignHTTP(context.Background(), creds, req, hash, "kms", apptest.Region, time.Now())
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
