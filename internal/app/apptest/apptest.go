// Package apptest starts a complete in-process Palisade for tests: the real store on a
// temporary directory, the real server behind a loopback HTTP listener, and AWS SDK for
// Go v2 configurations signed with the root key. Nothing is mocked.
package apptest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/palisade/palisade/internal/app"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
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
		HTTPClient:       HTTPClient,
	}
}

// RootConfig returns an SDK configuration signed with the root key.
func (p *Palisade) RootConfig() aws.Config { return p.Config(RootAccessKeyID, RootSecret, "") }

// AccountConfig gives another account's root user a new access key, installed in the
// store as Organizations' CreateAccount would leave one, and returns an SDK
// configuration signed with it: tests of cross-account behaviour need a second account
// without going through Organizations.
func (p *Palisade) AccountConfig(id string) aws.Config {
	p.t.Helper()
	cred := &auth.Credential{AccessKeyID: auth.NewID("AKIA", 16), Secret: []byte(auth.NewSecret()), Active: true,
		Principal: auth.RootPrincipal(id), Created: time.Now()}
	if err := p.Store.Update(context.Background(), func(tx *store.Tx) error { return p.Keys.Put(tx, cred) }); err != nil {
		p.t.Fatal(err)
	}
	return p.Config(cred.AccessKeyID, string(cred.Secret), "")
}

// Context is a background context for SDK calls.
func Context() context.Context { return context.Background() }

// AdvanceClock moves the server's clock forward, as the admin API does.
func (p *Palisade) AdvanceClock(d time.Duration) { p.Clock.Advance(d) }
