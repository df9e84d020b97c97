package logs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Chunk bodies live in files under <data-dir>/logs, written concurrently by the
// writers of one stream, and read back after a restart, when nothing is cached.
func TestChunkFilesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	c := cwl.NewFromConfig(p.RootConfig())
	apptest.Must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	for _, s := range []string{"a", "b", "gone"} {
		apptest.Must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s)}))
	}
	base := p.Clock.Now().UnixMilli() - 100_000
	batch := func(stream string, k int) []types.InputLogEvent {
		evs := make([]types.InputLogEvent, 50)
		for i := range evs {
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(base + int64(k*50+i)), Message: aws.String(fmt.Sprintf("%s %d %d", stream, k, i))}
		}
		return evs
	}
	// Eight batches per stream, four at a time into the same stream.
	var wg sync.WaitGroup
	for _, s := range []string{"a", "b"} {
		for k := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s), LogEvents: batch(s, k)}); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("gone"), LogEvents: batch("gone", 0)}))
	apptest.Must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("gone")}))
	// A stream of the same name again: its events are its own, not its predecessor's.
	apptest.Must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("gone")}))
	apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("gone"), LogEvents: batch("gone", 1)}))

	files, _ := filepath.Glob(filepath.Join(dir, "logs", "*", "*"))
	if len(files) < 3 {
		t.Fatalf("chunk files %v, want one per stream written", files)
	}
	p.Stop()

	p = apptest.StartIn(t, dir)
	c = cwl.NewFromConfig(p.RootConfig())
	want := map[string]bool{}
	for _, s := range []string{"a", "b"} {
		for k := range 8 {
			for i := range 50 {
				want[fmt.Sprintf("%s %d %d", s, k, i)] = true
			}
		}
	}
	for i := range 50 {
		want[fmt.Sprintf("gone 1 %d", i)] = true
	}
	got := map[string]bool{}
	var token *string
	for {
		out := apptest.Must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: token, Limit: aws.Int32(300)}))
		for _, e := range out.Events {
			if got[*e.Message] || !want[*e.Message] {
				t.Fatalf("unexpected or repeated event %q", *e.Message)
			}
			got[*e.Message] = true
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d events after the restart, want %d", len(got), len(want))
	}
	out := apptest.Must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a"), StartFromHead: aws.Bool(true)}))
	if len(out.Events) != 400 {
		t.Fatalf("GetLogEvents after the restart: %d events", len(out.Events))
	}
	// Eight chunks, each read into a pooled buffer: every message is its own.
	for j, ev := range out.Events {
		if want := fmt.Sprintf("a %d %d", j/50, j%50); *ev.Message != want {
			t.Fatalf("GetLogEvents event %d: %q, want %q", j, *ev.Message, want)
		}
	}
	// Deleting the group deletes its files (after a grace period for reads in flight).
	apptest.Must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")}))
	if _, err := os.Stat(filepath.Dir(files[0])); err != nil {
		t.Fatalf("group directory removed at once: %v", err)
	}
}

// A deleted stream's file and a deleted group's directory outlive the deletion by a
// grace period for reads in flight; a Palisade stopped within it removes them when it
// starts again.
func TestDeletedFilesRemovedAfterRestart(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	c := cwl.NewFromConfig(p.RootConfig())
	now := p.Clock.Now().UnixMilli()
	glob := func() map[string]bool {
		m := map[string]bool{}
		paths, _ := filepath.Glob(filepath.Join(dir, "logs", "*", "*"))
		for _, f := range paths {
			m[f] = true
		}
		return m
	}
	fileOf := func(group, stream string) string {
		before := glob()
		apptest.Must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}))
		apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String(group + "/" + stream)}}}))
		for f := range glob() {
			if !before[f] {
				return f
			}
		}
		t.Fatalf("no chunk file for %s/%s", group, stream)
		return ""
	}
	for _, g := range []string{"g", "h"} {
		apptest.Must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(g)}))
	}
	deleted, kept, inGroup := fileOf("g", "deleted"), fileOf("g", "kept"), fileOf("h", "x")
	apptest.Must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("deleted")}))
	apptest.Must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("h")}))
	p.Stop()
	for _, f := range []string{deleted, kept, inGroup} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s gone before its grace period: %v", f, err)
		}
	}

	p = apptest.StartIn(t, dir)
	c = cwl.NewFromConfig(p.RootConfig())
	gone := func(f string) bool { _, err := os.Stat(f); return os.IsNotExist(err) }
	for deadline := time.Now().Add(5 * time.Second); !gone(deleted) || !gone(filepath.Dir(inGroup)); {
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: deleted stream's file gone %v, deleted group's directory gone %v", gone(deleted), gone(filepath.Dir(inGroup)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if gone(kept) {
		t.Fatal("the file of a stream still there was removed")
	}
	out := apptest.Must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("kept"), StartFromHead: aws.Bool(true)}))
	if len(out.Events) != 1 || *out.Events[0].Message != "g/kept" {
		t.Fatalf("kept stream's events after the sweep: %+v", out.Events)
	}
	// A stream deleted now still gets its grace period.
	apptest.Must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("kept")}))
	time.Sleep(200 * time.Millisecond)
	if gone(kept) {
		t.Fatal("a stream deleted after the start lost its file at once")
	}
}
