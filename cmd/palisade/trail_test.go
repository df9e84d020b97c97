package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

func runTrail(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newTrailCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

// palisade trail validate on a directory of delivered files: all valid; then a
// modified log file and a deleted one are INVALID and the command fails.
func TestTrailValidate(t *testing.T) {
	ctx := context.Background()
	p := apptest.Start(t)
	ct := cloudtrail.NewFromConfig(p.RootConfig())
	cttest.Bucket(t, p.RootConfig(), "bkt")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	c := iam.NewFromConfig(p.RootConfig())
	for _, u := range []string{"a1", "a2"} {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
		p.Clock.Advance(10 * time.Minute)
		cttest.Settle(t, p)
	}
	p.Clock.Advance(2 * time.Hour)
	cttest.Settle(t, p)
	files := cttest.Files(t, p.RootConfig(), "bkt")
	dir := t.TempDir()
	cttest.WriteDir(t, dir, files)
	var logs []string
	newest := ""
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Key))
		if f.Kind == "log" {
			logs = append(logs, path)
		} else {
			newest = path
		}
	}
	keys, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(p.Clock.Now().Add(-5 * time.Hour)), EndTime: aws.Time(p.Clock.Now())})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ PublicKeyList []map[string]string }
	for _, k := range keys.PublicKeyList {
		doc.PublicKeyList = append(doc.PublicKeyList, map[string]string{"Value": base64.StdEncoding.EncodeToString(k.Value), "Fingerprint": *k.Fingerprint})
	}
	keysFile := filepath.Join(t.TempDir(), "keys.json")
	b, _ := json.Marshal(doc)
	os.WriteFile(keysFile, b, 0o644)

	// Three digests: the chain's starting digest and two hourly ones.
	out, err := runTrail(t, "validate", dir, "--public-keys", keysFile)
	if err != nil || !strings.Contains(out, "3/3 digest files valid") || !strings.Contains(out, "2/2 log files valid") || strings.Contains(out, "INVALID") {
		t.Fatalf("untouched: %v\n%s", err, out)
	}
	// Without the newest digest's signature, it is noted, not failed.
	os.Remove(newest + ".sig")
	if out, err := runTrail(t, "validate", dir, "--public-keys", keysFile); err != nil || !strings.Contains(out, "signature not checked") {
		t.Fatalf("without the sidecar: %v\n%s", err, out)
	}
	zw := gzip.NewWriter(must(os.Create(logs[0])))
	zw.Write([]byte(`{"Records":[]}`))
	zw.Close()
	os.Remove(logs[1])
	out, err = runTrail(t, "validate", dir, "--public-keys", keysFile)
	if err == nil || !strings.Contains(out, "INVALID: hash value doesn't match") || !strings.Contains(out, "INVALID: not found") || !strings.Contains(out, "0/2 log files valid, 2/2 log files INVALID") {
		t.Fatalf("tampered: %v\n%s", err, out)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
