// Command startup measures how long a server takes from exec to its first answered
// signed sts:GetCallerIdentity, and its resident memory once idle. It runs the server
// command given after "--", so Palisade and moto are measured the same way.
//
//	go run ./bench/startup -url http://127.0.0.1:4566 -- palisade serve --data-dir /tmp/x
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
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:4566", "endpoint the command will serve")
	ak := flag.String("ak", "AKIAIOSFODNN7EXAMPLE", "access key ID")
	sk := flag.String("sk", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret access key")
	idle := flag.Duration("idle", 3*time.Second, "idle time before reading RSS")
	label := flag.String("label", "", "label for the JSON result line")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: startup [flags] -- command args...")
		os.Exit(2)
	}
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: *ak, SecretAccessKey: *sk}
	client := &http.Client{Timeout: time.Second}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer cmd.Process.Kill()
	var first time.Duration
	for time.Since(t0) < 30*time.Second {
		req, _ := http.NewRequest(http.MethodPost, *url+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now())
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				first = time.Since(t0)
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(*idle)
	rss := rssMB(cmd.Process.Pid)
	json.NewEncoder(os.Stdout).Encode(map[string]any{"label": *label, "first_answer_ms": float64(first.Microseconds()) / 1000, "idle_rss_mb": rss})
}

// rssMB reads VmRSS of a process and its children (moto_server forks a reloader-free
// single process, palisade is one process; children are summed to be fair either way).
func rssMB(pid int) float64 {
	total := 0.0
	pids := []int{pid}
	if kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)); err == nil {
		for _, f := range strings.Fields(string(kids)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
	}
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
				total += kb / 1024
			}
		}
	}
	return total
}
