// Package app assembles Palisade from its parts: it opens the data directory (master
// key, store, admin token), bootstraps the default account and its root key, restores
// the clock, registers every service with the server, and shuts it all down in order.
// `palisade serve` and the in-process test servers both start here, so tests exercise
// exactly what users run.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudwatch"
	"github.com/palisade/palisade/internal/service/iam"
	"github.com/palisade/palisade/internal/service/kms"
	"github.com/palisade/palisade/internal/service/logs"
	"github.com/palisade/palisade/internal/service/organizations"
	"github.com/palisade/palisade/internal/service/s3"
	"github.com/palisade/palisade/internal/service/sns"
	"github.com/palisade/palisade/internal/service/sqs"
	"github.com/palisade/palisade/internal/service/sts"
	"github.com/palisade/palisade/internal/store"
)

// DefaultAccount is the account created on first start.
const DefaultAccount = "000000000000"

// Environment variables read at start-up.
const (
	EnvRootAccessKeyID     = "PALISADE_ROOT_ACCESS_KEY_ID"
	EnvRootSecretAccessKey = "PALISADE_ROOT_SECRET_ACCESS_KEY"
	EnvAdminToken          = "PALISADE_ADMIN_TOKEN"
)

// Options configure an App.
type Options struct {
	DataDir string
	Region  string
	Logger  *slog.Logger
	// RootAccessKeyID and RootSecretAccessKey, when both set, become the default
	// account's root key (replacing a stored one). Otherwise a stored key is kept, or a
	// new one made on first start.
	RootAccessKeyID     string
	RootSecretAccessKey string
	// AdminToken, when set, guards the admin API instead of <data-dir>/admin-token.
	AdminToken string
}

// FromEnv returns the options with the root key and admin token from the environment.
func (o Options) FromEnv() Options {
	o.RootAccessKeyID = os.Getenv(EnvRootAccessKeyID)
	o.RootSecretAccessKey = os.Getenv(EnvRootSecretAccessKey)
	o.AdminToken = os.Getenv(EnvAdminToken)
	return o
}

// App is an assembled Palisade.
type App struct {
	Server   *server.Server
	Store    *store.DB
	Keys     *auth.Keys
	Sessions *auth.Sessions
	Sealer   *store.Sealer
	Usage    *iam.Usage
	Authz    *authz.Authorizer
	KMS      *kms.KMS
	S3       *s3.Service
	Clock    *clock.Clock
	// Events runs the consumers of the event log (CloudTrail delivery).
	Events     *events.Log
	CloudTrail *cloudtrail.CloudTrail
	Root       auth.Credential
	AdminToken string
	Options    Options

	// Logs is CloudWatch Logs, also reached in-process (CloudTrail delivers to it).
	Logs *logs.Logs
	// CloudWatch is metrics and alarms.
	CloudWatch *cloudwatch.CloudWatch
	// SNS and SQS are notifications and queues.
	SNS *sns.SNS
	SQS *sqs.SQS

	// stop ends the background work (KMS's scheduled deletions and rotations, Logs
	// Insights queries, alarm evaluation, SNS deliveries); background waits for it.
	stop       context.CancelFunc
	background sync.WaitGroup
}

// settingsNS holds Palisade's own settings.
const settingsNS = "palisade/settings"

// Open assembles Palisade on a data directory, creating it on first start.
func Open(opts Options) (*App, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if (opts.RootAccessKeyID == "") != (opts.RootSecretAccessKey == "") {
		return nil, fmt.Errorf("set both %s and %s, or neither", EnvRootAccessKeyID, EnvRootSecretAccessKey)
	}
	if opts.RootAccessKeyID != "" && !auth.ValidAccessKeyID(opts.RootAccessKeyID) {
		return nil, fmt.Errorf("%s must be AKIA followed by 16 upper-case letters or digits", EnvRootAccessKeyID)
	}
	if opts.RootSecretAccessKey != "" && !auth.ValidSecret(opts.RootSecretAccessKey) {
		return nil, fmt.Errorf("%s must be 40 printable characters without spaces", EnvRootSecretAccessKey)
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	sealer, err := store.LoadSealer(opts.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(opts.DataDir)
	if err != nil {
		return nil, err
	}
	db.SetTokenKey(sealer.MACKey("svckit/page-token"))
	a := &App{Store: db, Keys: auth.NewKeys(db, sealer), Sessions: auth.NewSessions(sealer), Sealer: sealer, Usage: iam.NewUsage(db), Clock: &clock.Clock{}, Options: opts}
	// The event log hooks the store's commits: before any Update.
	a.Events = events.New(db, a.Clock, opts.Logger)
	ok := false
	defer func() {
		if !ok {
			db.Close()
		}
	}()
	if err := a.bootstrap(); err != nil {
		return nil, err
	}
	if a.AdminToken, err = adminToken(opts); err != nil {
		return nil, err
	}
	if err := writeCredentials(filepath.Join(opts.DataDir, "credentials"), a.Root, opts.Region); err != nil {
		return nil, err
	}
	a.Authz = authz.New(iam.Grants{})
	a.KMS = kms.New(kms.Deps{Store: db, Sealer: sealer, Authz: a.Authz, Roles: kmsRoles{}, Clock: a.Clock, Logger: opts.Logger})
	a.Authz.SetSealer(sealer)
	a.Authz.SetStore(db)
	a.Authz.SetOrganizations(organizations.Source{})
	a.S3, err = s3.New(s3.Deps{DataDir: opts.DataDir, Store: db, Sealer: sealer, Clock: a.Clock, Authz: a.Authz,
		KMS: kms.ForService(a.KMS, "s3"), Logger: opts.Logger, Destinations: s3Destinations{a}})
	if err != nil {
		return nil, err
	}
	a.build()
	a.CloudTrail = cloudtrail.New(cloudtrail.Deps{Store: db, Events: a.Events, Clock: a.Clock, Sealer: sealer, Logger: opts.Logger,
		Authz: a.Authz, Buckets: ctBuckets{a}, Keys: ctKeys{a}, Organizations: ctOrganizations{}, Roles: ctRoles{},
		LogGroups: ctLogGroups{a}, Topics: ctTopics{a}})
	a.Server, err = server.New(server.Config{
		Store: db, Keys: a.Keys, Sessions: a.Sessions, Clock: a.Clock, Logger: opts.Logger, Region: opts.Region, Authz: a.Authz,
		AdminToken: a.AdminToken, OnClockAdvance: a.saveClock, OnAuthenticated: a.Usage.Record, Public: a.publicRoutes(),
		DataEventsWanted: a.CloudTrail.DataEventsWanted,
	}, a.Services()...)
	if err != nil {
		a.S3.Close()
		return nil, err
	}
	a.S3.Attach(a.Server)
	if err := a.Events.Start(); err != nil {
		a.S3.Close()
		return nil, err
	}
	a.CloudTrail.Start()
	ok = true
	a.startWorkers()
	return a, nil
}

// build constructs the services that hold state of their own (caches, background
// work) and wires the ones that call each other through interfaces they own.
func (a *App) build() {
	log := a.Options.Logger
	a.SQS = sqs.New(sqs.Deps{Store: a.Store, Clock: a.Clock, Logger: log, Authz: a.Authz, KMS: kms.ForService(a.KMS, "sqs"), NewCall: a.newCall,
		Metrics: serviceMetrics{a, "AWS/SQS", "QueueName"}})
	a.SNS = sns.New(sns.Deps{Store: a.Store, Clock: a.Clock, Logger: log, Authz: a.Authz, Sealer: a.Sealer,
		OutboxDir: filepath.Join(a.Options.DataDir, "outbox"), Queues: queueSender{a.SQS, a.Clock}, Region: a.Options.Region,
		KMS: kms.ForService(a.KMS, "sns"), NewCall: a.newCall, Metrics: serviceMetrics{a, "AWS/SNS", "TopicName"}, Roles: ctRoles{},
		Logs: snsFeedbackLogs{a}})
	a.CloudWatch = cloudwatch.New(cloudwatch.Deps{Store: a.Store, Clock: a.Clock, Logger: log, Notifier: alarmNotifier{a.SNS, a.Clock}})
	a.Logs = logs.New(logs.Deps{Store: a.Store, Clock: a.Clock, Logger: log, Authz: a.Authz, Metrics: metricSink{a.CloudWatch},
		KMS: kms.ForService(a.KMS, "logs"), NewCall: a.newCall, DataDir: a.Options.DataDir, Buckets: logsBuckets{a}})
}

// newCall is Server.NewCall for services built before the server: the calls their
// background deliveries run as.
func (a *App) newCall(ctx context.Context, service, op string, p auth.Principal, account, region string) (*server.Call, error) {
	return a.Server.NewCall(ctx, service, op, p, account, region)
}

// startWorkers runs the services' background work (KMS's scheduled deletions and
// rotations, Logs Insights queries, alarm evaluation, SNS deliveries, SQS message move
// tasks) until Close.
func (a *App) startWorkers() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	for _, run := range []func(context.Context){a.KMS.Run, a.Logs.Run, a.CloudWatch.Run, a.SNS.Run, a.SQS.Run} {
		a.background.Add(1)
		go func() {
			defer a.background.Done()
			run(ctx)
		}()
	}
}

// Services lists every service Palisade serves, wired to the parts of the app they
// need. Adding a service is one line here.
func (a *App) Services() []server.Service {
	return []server.Service{
		iam.Service(iam.Deps{Keys: a.Keys, Sealer: a.Sealer, Usage: a.Usage, Orgs: iamOrganizations{}}),
		a.KMS.Service(),
		a.CloudTrail.Service(),
		organizations.Service(organizations.Deps{Roles: iamRoles{}, Keys: a.Keys, Store: a.Store, OnChange: a.Authz.OrgChanged}),
		sts.Service(sts.Deps{Sessions: a.Sessions, Keys: a.Keys, Directory: iamDirectory{}, MFA: iam.NewMFA(a.Sealer), Authz: a.Authz, Store: a.Store, Orgs: stsOrganizations{},
			Outbound: stsOutbound{a.Sealer}}),
		a.S3.API(),
		a.S3.ControlAPI(),
		a.Logs.Service(),
		a.CloudWatch.Service(),
		a.SNS.Service(),
		a.SQS.Service(),
	}
}

// Close stops the background work (KMS's schedule, Logs Insights queries, alarm
// evaluation, SNS deliveries, event-log consumers, CloudTrail's uploads) and closes
// the store after queued writes commit. Stop the HTTP server first.
func (a *App) Close() error {
	if a.stop != nil {
		a.stop()
		a.background.Wait()
	}
	a.CloudTrail.Stop()
	a.Events.Stop()
	a.S3.Close()
	return a.Store.Close()
}

// bootstrap creates the default account's root key on first start (or installs the one
// from the options) and restores the clock offset.
func (a *App) bootstrap() error {
	ctx := context.Background()
	var rootID string
	var offset time.Duration
	err := a.Store.View(ctx, func(tx *store.Tx) error {
		v, found, err := tx.Get(settingsNS, "root-access-key/"+DefaultAccount)
		if err != nil {
			return err
		}
		if found {
			rootID = string(v)
		}
		v, found, err = tx.Get(settingsNS, "clock-offset")
		if err != nil || !found {
			return err
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("stored clock offset %q: %w", v, err)
		}
		offset = time.Duration(n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	a.Clock.SetOffset(offset)

	want := a.Options.RootAccessKeyID
	if rootID != "" && (want == "" || want == rootID) {
		c, found, err := a.Keys.Lookup(ctx, rootID)
		if err != nil {
			return fmt.Errorf("root key: %w", err)
		}
		if found && (want == "" || string(c.Secret) == a.Options.RootSecretAccessKey) {
			a.Root = *c
			return nil
		}
	}
	cred := &auth.Credential{
		AccessKeyID: want, Secret: []byte(a.Options.RootSecretAccessKey), Active: true,
		Principal: auth.RootPrincipal(DefaultAccount), Created: a.Clock.Now(),
	}
	if want == "" {
		cred.AccessKeyID, cred.Secret = auth.NewKeyID("AKIA", DefaultAccount), []byte(auth.NewSecret())
	}
	err = a.Store.Update(ctx, func(tx *store.Tx) error {
		if rootID != "" && rootID != cred.AccessKeyID {
			if err := a.Keys.Delete(tx, rootID); err != nil {
				return err
			}
		}
		if err := a.Keys.Put(tx, cred); err != nil {
			return err
		}
		return tx.Put(settingsNS, "root-access-key/"+DefaultAccount, []byte(cred.AccessKeyID))
	})
	if err != nil {
		return fmt.Errorf("store root key: %w", err)
	}
	a.Root = *cred
	return nil
}

// saveClock persists the clock offset; the admin API calls it before acknowledging.
func (a *App) saveClock(ctx context.Context, offset time.Duration) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error {
		return tx.Put(settingsNS, "clock-offset", []byte(strconv.FormatInt(int64(offset), 10)))
	})
}

// adminToken returns the token from the options, else from <data-dir>/admin-token,
// created on first start.
func adminToken(opts Options) (string, error) {
	if opts.AdminToken != "" {
		return opts.AdminToken, nil
	}
	path := filepath.Join(opts.DataDir, "admin-token")
	b, err := os.ReadFile(path)
	if err == nil {
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("%s is empty", path)
		}
		return tok, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("admin token: %w", err)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	tok := hex.EncodeToString(raw)
	if err := writeFileAtomic(path, []byte(tok+"\n")); err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	return tok, nil
}

// writeCredentials writes the root key as an AWS shared-credentials file with the
// profile "palisade".
func writeCredentials(path string, c auth.Credential, region string) error {
	content := fmt.Sprintf("# Written by palisade serve: the root access key of account %s.\n[palisade]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = %s\n",
		c.Principal.Account, c.AccessKeyID, c.Secret, region)
	if err := writeFileAtomic(path, []byte(content)); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	return nil
}

// writeFileAtomic writes a 0600 file through a temporary file and a rename, so a crash
// never leaves half a secret behind.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
