package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

// Nothing acknowledged is lost: kill -9 Palisade while clients create users, restart it,
// and every creation a client saw succeed is there, with exactly one CloudTrail record.
func TestKillNineLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, withRootKey()...)
	cfg := s.rootConfig()
	client := iam.NewFromConfig(cfg)

	acked := createUsersUntilKilled(t, s, client, "crash", 1500*time.Millisecond, nil)
	t.Logf("%d creations acknowledged before kill -9", len(acked))

	s.launch()
	for _, name := range acked {
		if _, err := client.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatalf("acknowledged user %s lost: %v", name, err)
		}
	}
	s.stop()

	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	records := map[string]int{}
	db.View(context.Background(), func(tx *store.Tx) error {
		return tx.Events(0, 1<<30, func(e *store.Event) bool {
			var r audit.Record
			if e.Source == audit.Source && json.Unmarshal(e.Data, &r) == nil && r.EventName == "CreateUser" && r.ErrorCode == "" {
				var p struct{ UserName string }
				json.Unmarshal(r.RequestParameters, &p)
				records[p.UserName]++
			}
			return true
		})
	})
	for _, name := range acked {
		if records[name] != 1 {
			t.Fatalf("user %s has %d CloudTrail records, want exactly 1", name, records[name])
		}
	}
}

// createUsersUntilKilled runs 16 clients creating users named prefix-W-I against s and
// kills s with SIGKILL after d. It returns the names whose creation was acknowledged,
// failing the test when fewer than 50 were: too light a load to prove anything.
// alongside, when set, runs beside the clients until the kill.
func createUsersUntilKilled(t *testing.T, s *server, client *iam.Client, prefix string, d time.Duration, alongside func(ctx context.Context)) []string {
	t.Helper()
	var mu sync.Mutex
	var acked []string
	loadUntilKilled(t, s, 16, d, alongside, func(ctx context.Context, w, i int) {
		name := fmt.Sprintf("%s-%d-%d", prefix, w, i)
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err == nil {
			mu.Lock()
			acked = append(acked, name)
			mu.Unlock()
		}
	})
	if len(acked) < 50 {
		t.Fatalf("only %d calls acknowledged before the kill: the load was too light to prove anything", len(acked))
	}
	return acked
}

// loadUntilKilled runs call(ctx, w, i) for i = 0, 1, … on each of n clients w against
// s, with alongside (when set) beside them, kills s with SIGKILL after d and returns
// once every client has stopped. What was acknowledged is for call to note.
func loadUntilKilled(t *testing.T, s *server, n int, d time.Duration, alongside func(ctx context.Context), call func(ctx context.Context, w, i int)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				call(ctx, w, i)
			}
		}()
	}
	if alongside != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			alongside(ctx)
		}()
	}
	time.Sleep(d)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
	s.cmd = nil
	cancel()
	wg.Wait()
}
