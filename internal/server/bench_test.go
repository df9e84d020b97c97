package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/server"
)

// BenchmarkGetCallerIdentity measures a signed sts:GetCallerIdentity through the whole
// stack over loopback: HTTP, SigV4 verification, routing, decoding, the handler, the
// CloudTrail record's durable commit, encoding. Each request is freshly signed by the
// SDK's signer, as a client would.
func BenchmarkGetCallerIdentity(b *testing.B) {
	p := apptest.Start(b)
	body := "Action=GetCallerIdentity&Version=2011-06-15"
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
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			signer.SignHTTP(context.Background(), creds, req, hash, "sts", apptest.Region, time.Now())
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

// benchPolicies are the ten AWS managed policies of the authorization benchmark's user:
// large real documents (ReadOnlyAccess alone lists thousands of actions).
var benchPolicies = []string{"ReadOnlyAccess", "SecurityAudit", "job-function/ViewOnlyAccess", "IAMReadOnlyAccess", "AmazonS3ReadOnlyAccess",
	"AmazonS3FullAccess", "CloudWatchLogsFullAccess", "AWSCloudTrail_FullAccess", "AmazonGuardDutyFullAccess", "AmazonMacieFullAccess"}

// BenchmarkAuthzOverhead measures a signed iam:GetUser through the whole stack by a
// user with ten managed policies, authorized (the server of the app: IAM resolves the
// user's ARN, tags and boundary, the engine evaluates the ten policies) and with
// authorization bypassed (a second server on the same store, keys and services with
// Config.Authz nil). The difference is authorization's cost per request; ns/op counts
// both calls of a pair.
func BenchmarkAuthzOverhead(b *testing.B) {
	p := apptest.Start(b)
	ctx := context.Background()
	c := iam.NewFromConfig(p.RootConfig())
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench"), Path: aws.String("/load/")}); err != nil {
		b.Fatal(err)
	}
	for _, name := range benchPolicies {
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bench"), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + name)}); err != nil {
			b.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
	bypass, err := server.New(server.Config{Store: p.Store, Keys: p.Keys, Clock: p.Clock, Region: apptest.Region}, p.App.Services()...)
	if err != nil {
		b.Fatal(err)
	}
	bypassedSrv := httptest.NewServer(bypass)
	defer bypassedSrv.Close()

	body := "Action=GetUser&UserName=bench&Version=2010-05-08"
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	signer := v4.NewSigner()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	call := func(b *testing.B, url string) time.Duration {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		signer.SignHTTP(context.Background(), creds, req, hash, "iam", apptest.Region, time.Now())
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	// Each iteration makes one call to each server, alternating which goes first, so
	// both see the same machine: the load of a shared machine moves both alike.
	for _, par := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", par), func(b *testing.B) {
			var authorized, bypassed atomic.Int64
			var n atomic.Int64
			pair := func() {
				i := n.Add(1)
				if i%2 == 0 {
					authorized.Add(int64(call(b, p.URL)))
					bypassed.Add(int64(call(b, bypassedSrv.URL)))
				} else {
					bypassed.Add(int64(call(b, bypassedSrv.URL)))
					authorized.Add(int64(call(b, p.URL)))
				}
			}
			if par == 1 {
				for b.Loop() {
					pair()
				}
			} else {
				b.SetParallelism(par)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						pair()
					}
				})
			}
			a, y := float64(authorized.Load())/float64(n.Load()), float64(bypassed.Load())/float64(n.Load())
			b.ReportMetric(a/1e3, "authorized-µs/call")
			b.ReportMetric(y/1e3, "bypassed-µs/call")
			b.ReportMetric((a-y)/y*100, "overhead-%")
		})
	}
}
