// Command logs measures CloudWatch Logs ingestion and search on any endpoint with the
// AWS SDK for Go v2 (every request signed): PutLogEvents events per second (batches of
// 10,000 events, C streams in parallel), then FilterLogEvents over everything ingested,
// paginated to the end, as events scanned per second. It prints one JSON line per
// measurement. bench/logs/run.sh runs it against Palisade and moto in the same run;
// -url null measures the client alone against a server that answers at once.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func main() {
	label := flag.String("label", "", "name of the target in the output")
	url := flag.String("url", "", "endpoint")
	ak := flag.String("ak", "", "access key ID")
	sk := flag.String("sk", "", "secret access key")
	total := flag.Int("events", 1_000_000, "events to ingest")
	batch := flag.Int("batch", 8_000, "events per PutLogEvents (8,000 of these messages stay under the 1 MiB batch limit)")
	streams := flag.Int("c", 1, "streams written in parallel")
	patterns := flag.String("patterns", "ERROR", "filter patterns to time, separated by |")
	groupName := flag.String("group", "", "log group (default: a new one)")
	filterOnly := flag.Bool("filter-only", false, "only time the filters, over the group's existing events (after a restart: nothing cached)")
	raw := flag.Bool("raw", false, "PutLogEvents with request bodies serialized before timing, each request hashed and signed (SigV4, the SDK's signer) when sent: a client far cheaper than the SDK's")
	flag.Parse()
	ctx := context.Background()
	if *url == "null" {
		// The client's own cost: a server that reads each request and answers {} at
		// once. No server can ingest faster than this.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Write([]byte("{}"))
		}))
		defer srv.Close()
		*url, *patterns = srv.URL, ""
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(*ak, *sk, ""),
		BaseEndpoint: url, RetryMaxAttempts: 1}
	client := cwl.NewFromConfig(cfg)
	group := *groupName
	if group == "" {
		group = fmt.Sprintf("bench-%d", time.Now().UnixNano())
	}
	if *filterOnly {
		filter(ctx, client, *label, group, *total, *patterns)
		return
	}
	must(client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: &group}))
	for s := range *streams {
		must(client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String(fmt.Sprint("s", s))}))
	}

	// Events end a second ago, one millisecond apart: within PutLogEvents' 24 hours
	// and 14 days.
	base := time.Now().Add(-time.Second).UnixMilli() - int64(*total)
	per := *total / *streams
	var bodies [][][]byte
	if *raw {
		bodies = make([][][]byte, *streams)
		for s := range *streams {
			for off := 0; off < per; off += *batch {
				bodies[s] = append(bodies[s], rawBody(group, fmt.Sprint("s", s), base, s*per+off, min(*batch, per-off)))
			}
		}
	}
	rc := &rawClient{url: *url, creds: aws.Credentials{AccessKeyID: *ak, SecretAccessKey: *sk}, signer: v4.NewSigner(),
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *streams}}}
	start := time.Now()
	var wg sync.WaitGroup
	for s := range *streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if *raw {
				for _, b := range bodies[s] {
					rc.put(b)
				}
				return
			}
			for off := 0; off < per; off += *batch {
				n := min(*batch, per-off)
				evs := make([]types.InputLogEvent, n)
				for i := range evs {
					k := s*per + off + i
					evs[i] = types.InputLogEvent{Timestamp: aws.Int64(base + int64(k)), Message: aws.String(message(k))}
				}
				must(client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String(fmt.Sprint("s", s)), LogEvents: evs}))
			}
		}()
	}
	wg.Wait()
	put := time.Since(start)
	report(map[string]any{"label": *label, "op": "PutLogEvents", "raw": *raw, "events": per * *streams, "streams": *streams, "batch": *batch,
		"seconds": put.Seconds(), "events_per_s": float64(per**streams) / put.Seconds()})

	filter(ctx, client, *label, group, per**streams, *patterns)
}

// filter times FilterLogEvents over the whole group, paginated to the end, once per
// pattern.
func filter(ctx context.Context, client *cwl.Client, label, group string, events int, patterns string) {
	for _, p := range strings.Split(patterns, "|") {
		if p == "" {
			continue
		}
		start := time.Now()
		matched, pages := 0, 0
		var token *string
		for {
			out := must(client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(p), NextToken: token}))
			matched += len(out.Events)
			pages++
			if token = out.NextToken; token == nil {
				break
			}
		}
		d := time.Since(start)
		report(map[string]any{"label": label, "op": "FilterLogEvents", "pattern": p, "events": events, "matched": matched, "pages": pages,
			"seconds": d.Seconds(), "scanned_per_s": float64(events) / d.Seconds()})
	}
}

// message is event k: an access-log-like line, one in a thousand an ERROR.
func message(k int) string {
	level, status := "INFO", 200
	if k%1000 == 999 {
		level, status = "ERROR", 500
	}
	return fmt.Sprintf("2026-11-27T10:00:00.%03dZ %s request id=%08d path=/api/v1/items/%d status=%d latency=%dms", k%1000, level, k, k%5000, status, k%97)
}

// rawBody is the JSON PutLogEvents request the SDK would send for events k..k+n-1.
func rawBody(group, stream string, base int64, k, n int) []byte {
	type ev struct {
		Message   string `json:"message"`
		Timestamp int64  `json:"timestamp"`
	}
	evs := make([]ev, n)
	for i := range evs {
		evs[i] = ev{Message: message(k + i), Timestamp: base + int64(k+i)}
	}
	b, _ := json.Marshal(map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": evs})
	return b
}

// rawClient sends prepared PutLogEvents bodies, each hashed and signed as it is sent.
type rawClient struct {
	url    string
	creds  aws.Credentials
	signer *v4.Signer
	http   *http.Client
}

func (c *rawClient) put(body []byte) {
	req, _ := http.NewRequest(http.MethodPost, c.url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), "logs", "us-east-1", time.Now()); err != nil {
		must(0, err)
	}
	resp, err := c.http.Do(req)
	must(0, err)
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		must(0, fmt.Errorf("PutLogEvents: %d %s", resp.StatusCode, out))
	}
}

func report(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func must[T any](v T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	return v
}
