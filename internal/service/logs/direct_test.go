package logs

import (
	"bytes"
	"os"
	"testing"
)

// Chunks start on directAlign boundaries (direct I/O), also in a file an earlier build
// left at an unaligned length, and read back exactly, whichever way they were written.
func TestChunkFilesAligned(t *testing.T) {
	for _, buffered := range []bool{false, true} {
		f := newChunkFiles(t.TempDir(), nil)
		f.buffered.Store(buffered)
		old := bytes.Repeat([]byte("earlier build "), 300) // 4,200 bytes, unaligned
		if err := os.MkdirAll(f.groupDir("g"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path("g", 7), old, 0o600); err != nil {
			t.Fatal(err)
		}
		type written struct {
			off  int64
			body []byte
		}
		var ws []written
		for k, n := range []int{1, 4095, 4096, 4097, 100_000} {
			// A body without spare capacity, and one unaligned in memory, take the copy.
			body := bytes.Repeat([]byte{byte('a' + k)}, n+1)[1:]
			off, err := f.write("g", 7, body)
			if err != nil {
				t.Fatal(err)
			}
			if off%directAlign != 0 || off < int64(len(old)) {
				t.Fatalf("chunk %d at offset %d: want a multiple of %d past the earlier %d bytes", k, off, directAlign, len(old))
			}
			ws = append(ws, written{off, body})
		}
		if !buffered && f.buffered.Load() {
			t.Log("this file system refuses direct I/O: written through the page cache")
		}
		for k, w := range append(ws, written{0, old}) {
			b, err := f.read("g", 7, w.off, int64(len(w.body)), nil)
			if err != nil || !bytes.Equal(b, w.body) {
				t.Fatalf("buffered %v: chunk %d read back %v, equal %v", buffered, k, err, bytes.Equal(b, w.body))
			}
		}
	}
}
