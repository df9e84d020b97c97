package cloudtrail_test

import (
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
	"github.com/palisade/palisade/internal/store"
)

// BenchmarkBacklogCatchUp measures how fast a restarted Palisade works through a
// backlog its consumers have not seen: b.N CloudTrail records (copies of a real
// CreateUser record, each with its own event ID) are committed while a trail with
// validation logs and Palisade is down; then Palisade starts on the same data
// directory, and the time until the last record is in a log file written to the
// trail's S3 bucket is reported as records per second (and until delivery's cursor
// passed it, as composed/s).
func BenchmarkBacklogCatchUp(b *testing.B) {
	dir := b.TempDir()
	p := apptest.StartIn(b, dir)
	cttest.Bucket(b, p.RootConfig(), "bkt")
	c := cloudtrail.NewFromConfig(p.RootConfig())
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), EnableLogFileValidation: aws.Bool(true)}); err != nil {
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
	cttest.Settle(b, p)
	now := p.Clock.Now()
	p.Stop()

	db, err := store.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	const chunk = 1000
	for i := 0; i < b.N; i += chunk {
		n := min(chunk, b.N-i)
		err := db.Update(ctx, func(tx *store.Tx) error {
			for j := 0; j < n; j++ {
				template["eventID"] = auth.NewUUID()
				data, _ := json.Marshal(template)
				if err := tx.AppendEvent(&store.Event{Time: now.UnixMilli(), Account: account, Region: "us-east-1", Source: audit.Source, Kind: audit.Kind, Data: data}); err != nil {
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
	db.View(ctx, func(tx *store.Tx) error { last, _ = tx.LastEventSeq(); return nil })
	db.Close()

	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	p = apptest.StartIn(b, dir)
	composed := waitCursor(b, p.Store, "cloudtrail-delivery", last).Sub(start)
	for {
		files, err := p.CloudTrail.PendingFiles(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(files) == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	delivered := time.Since(start)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	c = cloudtrail.NewFromConfig(p.RootConfig())
	if st := apptest.Must(c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})); st.LatestDeliveryError != nil {
		b.Fatalf("delivery failed: %s", *st.LatestDeliveryError)
	}
	b.ReportMetric(float64(b.N)/composed.Seconds(), "composed/s")
	b.ReportMetric(float64(b.N)/delivered.Seconds(), "delivered/s")
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
				template["eventID"] = auth.NewUUID()
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
