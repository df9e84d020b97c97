package logs

import (
	"context"
	"sync"
)

// HoldExports makes export tasks wait at stage ("start": before a task leaves
// PENDING; "stream": before each stream's files) until the returned release is called
// or the server stops; release also removes the hold.
func HoldExports(stage string) (release func()) {
	ch := make(chan struct{})
	h := func(ctx context.Context, s string) bool {
		if s != stage {
			return true
		}
		select {
		case <-ch:
			return true
		case <-ctx.Done():
			return false
		}
	}
	exportHook.Store(&h)
	var once sync.Once
	return func() {
		once.Do(func() {
			exportHook.Store(nil)
			close(ch)
		})
	}
}

// SetExportFileBytes sets where exported files end until restore is called.
func SetExportFileBytes(n int) (restore func()) {
	old := exportFileBytes
	exportFileBytes = n
	return func() { exportFileBytes = old }
}
