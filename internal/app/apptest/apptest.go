// Package apptest starts a complete in-process Palisade for tests: the real store on a
// temporary directory, the real server behind a loopback HTTP listener, and AWS SDK for
// Go v2 configurations signed with the root key. Nothing is mocked.
package apptest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/palisade/palisade/internal/app"
)

// Root credentials every test server starts with.
const (
	RootAccessKeyID = "AKIAPALISADETEST0001"
	RootSecret      = "paLisadeTestRootSecretKey000000000000000"
	AdminToken      = "test-admin-token"
	Region          = "us-east-1"
)

// Palisade is a running test server.
type Palisade struct {
	*app.App
	URL     string
	DataDir string
	srv     *httptest.Server
	t       testing.TB
}

// Start runs Palisade on a fresh data directory until the test ends.
func Start(t testing.TB) *Palisade {
	t.Helper()
	return StartIn(t, t.TempDir())
}

// StartIn runs Palisade on an existing data directory (to test restarts).
func StartIn(t testing.TB, dir string) *Palisade {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("PALISADE_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a, err := app.Open(app.Options{
		DataDir: dir, Logger: logger,
		RootAccessKeyID: RootAccessKeyID, RootSecretAccessKey: RootSecret, AdminToken: AdminToken,
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Palisade{App: a, DataDir: dir, t: t}
	p.srv = httptest.NewServer(a.Server)
	p.URL = p.srv.URL
	t.Cleanup(p.Stop)
	return p
}

// Stop shuts the server down and closes the store; safe to call twice.
func (p *Palisade) Stop() {
	if p.srv == nil {
		return
	}
	p.srv.Close()
	p.srv = nil
	if err := p.App.Close(); err != nil {
		p.t.Errorf("close: %v", err)
	}
}

// Config returns an SDK configuration for the given keys against this server.
func (p *Palisade) Config(accessKeyID, secret, sessionToken string) aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKeyID, secret, sessionToken),
		BaseEndpoint:     aws.String(p.URL),
		RetryMaxAttempts: 1,
	}
}

// RootConfig returns an SDK configuration signed with the root key.
func (p *Palisade) RootConfig() aws.Config { return p.Config(RootAccessKeyID, RootSecret, "") }

// Context is a background context for SDK calls.
func Context() context.Context { return context.Background() }

// Must returns v, failing the test (through a panic the testing package reports with
// the caller's line) when err is set.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// WantError asserts an AWS error with the code, the HTTP status (0: any) and, when msg
// is not "", the exact message.
func WantError(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), msg)
	}
	var re *smithyhttp.ResponseError
	if status != 0 && errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("%s: status %d, want %d", code, re.HTTPStatusCode(), status)
	}
}

// AdvanceClock moves the server's clock forward, as the admin API does.
func (p *Palisade) AdvanceClock(d time.Duration) { p.Clock.Advance(d) }
