package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/trace"
	"strings"
	"testing"
)

// --trace writes an execution trace that holds the regions marked while it ran, and
// stops cleanly; a path it cannot create is refused with the flag's name.
func TestTraceRecordsRegions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.out")
	stop, err := startTrace(path)
	if err != nil {
		t.Fatal(err)
	}
	trace.StartRegion(context.Background(), "store: COMMIT").End()
	stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("store: COMMIT")) {
		t.Fatalf("the trace (%d bytes) does not name the region marked while it ran", len(b))
	}
	if trace.IsEnabled() {
		t.Fatal("tracing still on after stop")
	}
	_, err = startTrace(filepath.Join(t.TempDir(), "missing", "trace.out"))
	if err == nil || !strings.HasPrefix(err.Error(), "--trace: ") {
		t.Fatalf("unwritable path: %v", err)
	}
}
