package logs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Chunk bodies live in files under <data-dir>/logs, written concurrently by the
// writers of one stream, and read back after a restart, when nothing is cached; small
// batches' bodies live in the store instead (inlineChunkMax), with no file at all.
func TestChunkFilesSurviveRestart(t *testing.T) {
	t.Run("files", func(t *testing.T) { chunksSurviveRestart(t, 4096, false) })
	// Batches past inlineChunkMax whose compressed chunk is within it: prepared
	// outside the transaction, stored compressed in it.
	t.Run("compressed in store", func(t *testing.T) { chunksSurviveRestart(t, 2048, true) })
	// Small batches: checked, encoded and stored in the transaction alone.
	t.Run("in store", func(t *testing.T) { chunksSurviveRestart(t, 0, false) })
}

// pad is n bytes of hexadecimal SHA-256 output made from id: messages that S2 shrinks
// by only about half, so 50 of them with n = 4096 make a chunk that goes to a file.
func pad(id string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprint(id, i)))
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()[:n]
}

func chunksSurviveRestart(t *testing.T, padding int, compressible bool) {
	dir := t.TempDir()
	msg := func(stream string, k, i int) string {
		m := fmt.Sprintf("%s %d %d", stream, k, i)
		switch {
		case compressible:
			m += " " + strings.Repeat("INFO request ok ", padding/16)
		case padding > 0:
			m += " " + pad(m, padding)
		}
		return m
	}
	wantFiles := padding > 0 && !compressible
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
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(base + int64(k*50+i)), Message: aws.String(msg(stream, k, i))}
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
	if wantFiles && len(files) < 3 {
		t.Fatalf("chunk files %v, want one per stream written", files)
	}
	if !wantFiles && len(files) != 0 {
		t.Fatalf("chunk files %v for batches stored in the database, want none", files)
	}
	p.Stop()

	p = apptest.StartIn(t, dir)
	c = cwl.NewFromConfig(p.RootConfig())
	want := map[string]bool{}
	for _, s := range []string{"a", "b"} {
		for k := range 8 {
			for i := range 50 {
				want[msg(s, k, i)] = true
			}
		}
	}
	for i := range 50 {
		want[msg("gone", 1, i)] = true
	}
	got := map[string]bool{}
	var token *string
	for {
		out := apptest.Must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: token, Limit: aws.Int32(300)}))
		for _, e := range out.Events {
			if got[*e.Message] || !want[*e.Message] {
				t.Fatalf("unexpected or repeated event %.40q", *e.Message)
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
	// GetLogEvents answers at most a megabyte: the padded events take two pages.
	var events []types.OutputLogEvent
	var next *string
	for {
		out := apptest.Must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a"), StartFromHead: aws.Bool(true), NextToken: next}))
		events = append(events, out.Events...)
		if len(out.Events) == 0 {
			break
		}
		next = out.NextForwardToken
	}
	if len(events) != 400 {
		t.Fatalf("GetLogEvents after the restart: %d events", len(events))
	}
	// Eight chunks, each read into a pooled buffer: every message is its own.
	for j, ev := range events {
		if want := msg("a", j/50, j%50); *ev.Message != want {
			t.Fatalf("GetLogEvents event %d: %.40q, want %.40q", j, *ev.Message, want)
		}
	}
	// Deleting the group deletes its files (after a grace period for reads in flight).
	apptest.Must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")}))
	if !wantFiles {
		return
	}
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
		// A batch large enough for a file (small ones stay in the store).
		evs := make([]types.InputLogEvent, 20)
		for i := range evs {
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String(group + "/" + stream + " " + pad(fmt.Sprint(stream, i), 8192))}
		}
		apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}))
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
	if len(out.Events) != 20 || !strings.HasPrefix(*out.Events[0].Message, "g/kept ") {
		t.Fatalf("kept stream's events after the sweep: %d", len(out.Events))
	}
	// A stream deleted now still gets its grace period.
	apptest.Must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("kept")}))
	time.Sleep(200 * time.Millisecond)
	if gone(kept) {
		t.Fatal("a stream deleted after the start lost its file at once")
	}
}
