// Command s3load drives a steady load of signed S3 PutObject or GetObject requests of
// one object size against an endpoint (path-style) and reports requests per second,
// MB/s and latency percentiles as one JSON line. It exists to measure Palisade and
// moto's S3 on the same machine with the same client.
//
//	go run ./bench/s3 -url http://127.0.0.1:4566 -op put -size 4096 -c 16 -d 10s
//
// Every request is freshly signed with the AWS SDK for Go v2's SigV4 signer, with the
// body's SHA-256 as the payload hash (what the SDKs send over plain HTTP), so the
// server can verify the body; the body is the same random bytes each time, hashed once.
// PUTs write keys k<worker>-<n mod 256> (overwrites after the first round); GETs read
// the 256 objects -op fill wrote, spread over the workers.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const keys = 256

func main() {
	url := flag.String("url", "http://127.0.0.1:4566", "endpoint")
	bucket := flag.String("bucket", "bench", "bucket (created by -op fill)")
	op := flag.String("op", "put", "put, get, or fill (create the bucket and the objects get reads)")
	size := flag.Int("size", 4096, "object size in bytes")
	conc := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration")
	warm := flag.Duration("warmup", time.Second, "warm-up before measuring")
	ak := flag.String("ak", "AKIAIOSFODNN7EXAMPLE", "access key ID")
	sk := flag.String("sk", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret access key")
	label := flag.String("label", "", "label for the JSON result line")
	flag.Parse()

	body := make([]byte, *size)
	rand.Read(body)
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	empty := sha256.Sum256(nil)
	emptyHash := hex.EncodeToString(empty[:])
	creds := aws.Credentials{AccessKeyID: *ak, SecretAccessKey: *sk}
	signer := v4.NewSigner()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}, Timeout: 60 * time.Second}

	do := func(method, path string, payload []byte, hash string) (int, int64, error) {
		var rd io.Reader = http.NoBody
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		req, _ := http.NewRequest(method, *url+path, rd)
		req.ContentLength = int64(len(payload))
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if err := signer.SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
			return 0, 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, n, nil
	}

	if *op == "fill" {
		if code, _, err := do("PUT", "/"+*bucket, nil, emptyHash); err != nil || (code != 200 && code != 409) {
			fmt.Fprintln(os.Stderr, "create bucket:", code, err)
			os.Exit(1)
		}
		for i := range keys {
			if code, _, err := do("PUT", fmt.Sprintf("/%s/obj-%d", *bucket, i), body, bodyHash); err != nil || code != 200 {
				fmt.Fprintln(os.Stderr, "fill:", code, err)
				os.Exit(1)
			}
		}
		return
	}

	var measuring atomic.Bool
	var errs, bytesMoved atomic.Int64
	stop := make(chan struct{})
	lat := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				var code int
				var n int64
				var err error
				if *op == "put" {
					code, _, err = do("PUT", fmt.Sprintf("/%s/k%d-%d", *bucket, w, i%keys), body, bodyHash)
					n = int64(len(body))
				} else {
					code, n, err = do("GET", fmt.Sprintf("/%s/obj-%d", *bucket, (w*31+i)%keys), nil, emptyHash)
				}
				if !measuring.Load() {
					continue
				}
				if err != nil || code != 200 || n != int64(*size) {
					errs.Add(1)
					continue
				}
				bytesMoved.Add(n)
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	time.Sleep(*warm)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(*dur)
	measuring.Store(false)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	out, _ := json.Marshal(map[string]any{
		"label": *label, "op": *op, "size": *size, "connections": *conc, "requests": len(all), "errors": errs.Load(),
		"req_per_s": float64(len(all)) / elapsed.Seconds(), "mb_per_s": float64(bytesMoved.Load()) / 1e6 / elapsed.Seconds(),
		"p50_ms": pct(0.5), "p99_ms": pct(0.99),
	})
	fmt.Println(string(out))
}
