// Command load drives a steady HTTP load of one signed AWS request against an endpoint
// and reports throughput and latency percentiles. It exists to measure Palisade and a
// peer (moto) on the same machine, the same request and the same client.
//
//	go run ./bench/load -url http://127.0.0.1:4566 -c 32 -d 10s
//
// The request is sts:GetCallerIdentity (or the STS query given with -body), or with
// -target a JSON-protocol call (such as -service kms -target TrentService.Encrypt
// -body '{"KeyId":…}'), signed with SigV4 by the AWS SDK for Go v2's signer, with
// temporary credentials when -token is given. Each worker re-signs every -resign requests (default 1: every request is
// freshly signed, as a real client does); Palisade verifies every signature either way.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:4566", "endpoint")
	conc := flag.Int("c", 32, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration")
	warm := flag.Duration("warmup", 2*time.Second, "warm-up before measuring")
	ak := flag.String("ak", "AKIAIOSFODNN7EXAMPLE", "access key ID")
	sk := flag.String("sk", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret access key")
	resign := flag.Int("resign", 1, "re-sign the request every N requests")
	label := flag.String("label", "", "label for the JSON result line")
	service := flag.String("service", "sts", "signing name")
	target := flag.String("target", "", "X-Amz-Target of a JSON-protocol request (empty: an STS query request)")
	token := flag.String("token", "", "session token of temporary credentials")
	body0 := flag.String("body", "", "the request body (default: sts:GetCallerIdentity, or {} with -target)")
	pid := flag.Int("pid", 0, "the server's process ID, to report its CPU time per request (Linux)")
	flag.Parse()

	body, contentType := *body0, "application/x-www-form-urlencoded; charset=utf-8"
	if *target != "" {
		contentType = "application/x-amz-json-1.1"
		if body == "" {
			body = "{}"
		}
	} else if body == "" {
		body = "Action=GetCallerIdentity&Version=2011-06-15"
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: *ak, SecretAccessKey: *sk, SessionToken: *token}
	signer := v4.NewSigner()
	tr := &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	var measuring atomic.Bool
	var errs atomic.Int64
	stop := make(chan struct{})
	lat := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var hdr http.Header
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, *url+"/", strings.NewReader(body))
				if i%*resign == 0 {
					req.Header.Set("Content-Type", contentType)
					if *target != "" {
						req.Header.Set("X-Amz-Target", *target)
					}
					signer.SignHTTP(context.Background(), creds, req, hash, *service, "us-east-1", time.Now())
					hdr = req.Header.Clone()
				} else {
					req.Header = hdr.Clone()
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				if !measuring.Load() {
					continue
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				lat[w] = append(lat[w], d)
			}
		}(w)
	}
	time.Sleep(*warm)
	measuring.Store(true)
	t0 := time.Now()
	cpu0 := procCPU(*pid)
	time.Sleep(*dur)
	measuring.Store(false)
	elapsed := time.Since(t0)
	cpu := procCPU(*pid) - cpu0
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
		return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000
	}
	res := map[string]any{
		"label": *label, "requests": len(all), "errors": errs.Load(), "concurrency": *conc,
		"seconds": elapsed.Seconds(), "rps": float64(len(all)) / elapsed.Seconds(),
		"p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "max_ms": pct(1),
	}
	if *pid != 0 && len(all) > 0 {
		// The server's CPU time per request: what a request costs whatever else the
		// shared machine runs.
		res["server_cpu_us_per_req"] = float64(cpu.Microseconds()) / float64(len(all))
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// procCPU is a process's user and system CPU time from /proc (0 without a pid).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which ends with the last ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	var utime, stime int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}
