package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/palisade/palisade/internal/app"
)

func init() {
	var (
		addr, dataDir, region, logLevel, logFormat, cpuProfile, traceFile string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Palisade: AWS's security services on one endpoint",
		Long: `Serve AWS's security services on one HTTP endpoint.

On first start Palisade creates the account 000000000000 and its root access key and
writes them to <data-dir>/credentials as the profile "palisade". Set
PALISADE_ROOT_ACCESS_KEY_ID and PALISADE_ROOT_SECRET_ACCESS_KEY to choose the root key,
PALISADE_ADMIN_TOKEN to choose the admin API's bearer token (else <data-dir>/admin-token),
and PALISADE_MASTER_KEY (32 bytes, base64) to keep the key that seals secrets at rest
outside the data directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(logLevel, logFormat)
			if err != nil {
				return err
			}
			for _, rec := range []struct {
				path  string
				start func(string) (func(), error)
			}{{cpuProfile, startCPUProfile}, {traceFile, startTrace}} {
				if rec.path == "" {
					continue
				}
				stop, err := rec.start(rec.path)
				if err != nil {
					return err
				}
				defer stop()
			}
			return serve(addr, dataDir, region, logger)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:4566", "address to listen on")
	f.StringVar(&dataDir, "data-dir", ".palisade", "directory that keeps Palisade's state")
	f.StringVar(&region, "region", "us-east-1", "default region")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "text or json")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (for go tool pprof)")
	f.StringVar(&traceFile, "trace", "", "write an execution trace of the whole run to this file (for go tool trace: each call's steps are user regions)")
	addCommand(cmd)
}

// startCPUProfile profiles the server until the returned stop runs (at a clean
// shutdown), so a load run can be profiled on the real binary rather than in-process
// next to its client.
func startCPUProfile(path string) (stop func(), err error) {
	return record("--cpuprofile", path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startTrace records a Go execution trace until the returned stop runs. A call's steps
// (reading its body, decoding, authenticating, preparing, the store's view, transaction
// and COMMIT, encoding) are user regions, so `go tool trace` shows where a call's time
// goes, waits included, which a CPU profile does not.
func startTrace(path string) (stop func(), err error) {
	return record("--trace", path, trace.Start, trace.Stop)
}

// record writes what start begins into a new file at path until the returned stop runs.
func record(flag, path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return func() { end(); f.Close() }, nil
}

func newLogger(level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

func serve(addr, dataDir, region string, logger *slog.Logger) error {
	a, err := app.Open(app.Options{DataDir: dataDir, Region: region, Logger: logger}.FromEnv())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		a.Close()
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	banner(ln.Addr().String(), dataDir, region)
	logger.Info("serving", "addr", ln.Addr().String(), "data_dir", dataDir, "services", strings.Join(a.Server.Services(), ","))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-errc:
		a.Close()
		return fmt.Errorf("serve: %w", err)
	case s := <-sig:
		logger.Info("shutting down", "signal", s.String())
	}
	// In-flight requests finish (their transactions commit) before the store closes.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shutdownErr := srv.Shutdown(ctx)
	if err := a.Close(); err != nil {
		return err
	}
	if shutdownErr != nil && !errors.Is(shutdownErr, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	logger.Info("stopped")
	return nil
}

func banner(addr, dataDir, region string) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	url := "http://" + addr
	fmt.Printf(`Palisade is serving on %s (account %s, region %s)
State is in %s. To call it with the aws CLI:

  export AWS_SHARED_CREDENTIALS_FILE=%s AWS_PROFILE=palisade AWS_DEFAULT_REGION=%s
  aws --endpoint-url %s sts get-caller-identity

`, url, app.DefaultAccount, region, abs, filepath.Join(abs, "credentials"), region, url)
}
