package cloudtrail_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/auth"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/store"
)

var ctx = context.Background()

const account = "000000000000"

type env struct {
	*testing.T
	p   *apptest.Palisade
	ct  *cloudtrail.Client
	iam *iam.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	return &env{T: t, p: p, ct: cloudtrail.NewFromConfig(p.RootConfig()), iam: iam.NewFromConfig(p.RootConfig())}
}

// in returns a CloudTrail client for another region.
func (e *env) in(region string) *cloudtrail.Client {
	cfg := e.p.RootConfig()
	cfg.Region = region
	return cloudtrail.NewFromConfig(cfg)
}

// account makes another account with a root key and returns its configuration.
func (e *env) account(id string) aws.Config {
	e.Helper()
	cred := &auth.Credential{AccessKeyID: auth.NewID("AKIA", 16), Secret: []byte(auth.NewSecret()), Active: true, Principal: auth.RootPrincipal(id), Created: time.Now()}
	if err := e.p.Store.Update(ctx, func(tx *store.Tx) error { return e.p.Keys.Put(tx, cred) }); err != nil {
		e.Fatal(err)
	}
	return e.p.Config(cred.AccessKeyID, string(cred.Secret), "")
}

// advance moves the clock and waits for the consumers to catch up.
func (e *env) advance(d time.Duration) {
	e.Helper()
	e.p.Clock.Advance(d)
	e.settle()
}

func (e *env) settle() {
	e.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := e.p.Events.Settle(c); err != nil {
		e.Fatal(err)
	}
}

// files returns the delivered files not yet uploaded.
func (e *env) files() []ct.File {
	e.Helper()
	fs, err := e.p.CloudTrail.PendingFiles(ctx)
	if err != nil {
		e.Fatal(err)
	}
	return fs
}

// records returns the records of the delivered log files, by file key.
func records(t *testing.T, files []ct.File) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, f := range files {
		if f.Kind != "log" {
			continue
		}
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(gunzip(t, f.Body), &doc); err != nil {
			t.Fatalf("%s: %v", f.Key, err)
		}
		out[f.Key] = doc.Records
	}
	return out
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// writeDir writes files under dir as aws s3 cp --recursive would (bucket root = dir),
// with each digest's signature in KEY.sig.
func writeDir(t *testing.T, dir string, files []ct.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		if sig := f.Metadata["signature"]; sig != "" {
			if err := os.WriteFile(p+".sig", []byte(sig), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return v
}

// wantErr asserts an AWS error code and, when msg is not "", its exact message.
func wantErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func countName(all map[string][]map[string]any, name string) int {
	n := 0
	for _, recs := range all {
		for _, r := range recs {
			if r["eventName"] == name {
				n++
			}
		}
	}
	return n
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	err := zw.Close()
	return buf.Bytes(), err
}
