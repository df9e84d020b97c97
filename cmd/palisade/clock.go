package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/palisade/palisade/internal/app"
)

func init() {
	var endpoint, dataDir string
	clock := &cobra.Command{
		Use:   "clock",
		Short: "Read or advance Palisade's clock through the admin API",
		Long: `Palisade's clock drives everything time-based in the services (rotation, expiry,
delivery intervals). It starts at real time and can only move forward. The admin token
comes from PALISADE_ADMIN_TOKEN or <data-dir>/admin-token.`,
	}
	pf := clock.PersistentFlags()
	pf.StringVar(&endpoint, "endpoint", "http://127.0.0.1:4566", "Palisade's endpoint")
	pf.StringVar(&dataDir, "data-dir", ".palisade", "data directory holding admin-token")
	clock.AddCommand(&cobra.Command{
		Use:   "now",
		Short: "Print Palisade's current time",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return clockCall(endpoint, dataDir, http.MethodGet, nil)
		},
	})
	clock.AddCommand(&cobra.Command{
		Use:   "advance DURATION",
		Short: "Move the clock forward, e.g. 90s, 1h, 36h, 7d",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := parseDuration(args[0])
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]float64{"advance_seconds": d.Seconds()})
			return clockCall(endpoint, dataDir, http.MethodPost, body)
		},
	})
	addCommand(clock)
}

// parseDuration accepts Go durations plus a "d" suffix for days.
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		d, err := time.ParseDuration(days + "h")
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return d * 24, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q: use e.g. 90s, 15m, 1h, 7d", s)
	}
	return d, nil
}

func clockCall(endpoint, dataDir, method string, body []byte) error {
	token := os.Getenv(app.EnvAdminToken)
	if token == "" {
		b, err := os.ReadFile(filepath.Join(dataDir, "admin-token"))
		if err != nil {
			return fmt.Errorf("no admin token: set %s or point --data-dir at the server's: %w", app.EnvAdminToken, err)
		}
		token = strings.TrimSpace(string(b))
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(endpoint, "/")+"/_palisade/clock", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(out)))
	}
	var r struct{ Now string }
	if err := json.Unmarshal(out, &r); err != nil {
		return fmt.Errorf("unexpected answer: %s", out)
	}
	fmt.Println(r.Now)
	return nil
}
