package cloudtrail_test

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/events"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/store"
)

// BenchmarkBacklogCatchUp measures how fast the consumers work through a backlog, as
// after a restart with events the consumers have not seen: with the consumers
// stopped, b.N CloudTrail records (copies of a real CreateUser record, each with its
// own event ID) are committed while a trail with validation logs; then fresh consumers
// start on the same store and the time until delivery's cursor reaches the last record
// is reported as records per second.
func BenchmarkBacklogCatchUp(b *testing.B) {
	p := apptest.Start(b)
	c := cloudtrail.NewFromConfig(p.RootConfig())
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("b"), EnableLogFileValidation: aws.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		b.Fatal(err)
	}
	if _, err := iam.NewFromConfig(p.RootConfig()).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("template")}); err != nil {
		b.Fatal(err)
	}
	var template map[string]any
	p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(ev *store.Event) bool {
			var r map[string]any
			if json.Unmarshal(ev.Data, &r) == nil && r["eventName"] == "CreateUser" {
				template = r
			}
			return true
		})
	})
	settleB(b, p.Events)
	p.CloudTrail.Stop()
	p.Events.Stop()
	const chunk = 1000
	for i := 0; i < b.N; i += chunk {
		n := min(chunk, b.N-i)
		err := p.Store.Update(ctx, func(tx *store.Tx) error {
			for j := 0; j < n; j++ {
				template["eventID"] = audit.NewID()
				data, _ := json.Marshal(template)
				if err := tx.AppendEvent(&store.Event{Time: p.Clock.Now().UnixMilli(), Account: account, Region: "us-east-1", Source: audit.Source, Kind: audit.Kind, Data: data}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	var last int64
	p.Store.View(ctx, func(tx *store.Tx) error { last, _ = tx.LastEventSeq(); return nil })
	p.Clock.Advance(5 * time.Minute)
	log := events.New(p.Store, p.Clock, nil)
	ct.New(ct.Deps{Store: p.Store, Events: log, Clock: p.Clock, Sealer: p.Sealer})
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	if err := log.Start(); err != nil {
		b.Fatal(err)
	}
	defer log.Stop()
	delivery := waitCursor(b, p.Store, "cloudtrail-delivery", last).Sub(start)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/delivery.Seconds(), "delivered/s")
	// The machine is shared: CPU time per record says what the work costs whatever
	// else runs.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/record")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func waitCursor(b *testing.B, db *store.DB, name string, last int64) time.Time {
	for {
		var cur int64
		db.View(ctx, func(tx *store.Tx) error { cur, _ = events.Cursor(tx, name); return nil })
		if cur >= last {
			return time.Now()
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func settleB(b *testing.B, l *events.Log) {
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := l.Settle(c); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLookupEvents measures event history on a history of 100,000 records: the
// newest page (what the console shows) and a lookup no record matches, which reads
// the whole history (the worst case), reported as records scanned per second.
func BenchmarkLookupEvents(b *testing.B) {
	p := apptest.Start(b)
	if _, err := iam.NewFromConfig(p.RootConfig()).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("template")}); err != nil {
		b.Fatal(err)
	}
	var template map[string]any
	p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(ev *store.Event) bool {
			json.Unmarshal(ev.Data, &template)
			return true
		})
	})
	const history = 100000
	for i := 0; i < history; i += 1000 {
		p.Store.Update(ctx, func(tx *store.Tx) error {
			for j := 0; j < 1000; j++ {
				template["eventID"] = audit.NewID()
				data, _ := json.Marshal(template)
				if err := tx.AppendEvent(&store.Event{Time: p.Clock.Now().UnixMilli(), Account: account, Region: "us-east-1", Source: audit.Source, Kind: audit.Kind, Data: data}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	c := cloudtrail.NewFromConfig(p.RootConfig())
	b.Run("newest-page", func(b *testing.B) {
		for b.Loop() {
			out, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
			if err != nil || len(out.Events) != 50 {
				b.Fatal(err)
			}
		}
	})
	b.Run("no-match", func(b *testing.B) {
		for b.Loop() {
			out, err := c.LookupEvents(ctx, attr("Username", "nobody"))
			if err != nil || len(out.Events) != 0 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(history*b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
