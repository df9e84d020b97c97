package logs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// chunkFiles holds the bodies of PutLogEvents' chunks in files under
// <data-dir>/logs: one append-only file per log stream, <gen>/<stream ID>, gen being
// the group's generation (a UUID, so accounts, regions and a group re-created under
// the same name never share a directory). A chunk's record in the store names its
// offset and length in the file.
//
// A body is written and flushed to disk before the transaction that records its chunk
// begins (PutLogEvents is a Prepared handler), so the store's single writer never
// waits for it and an acknowledged chunk survives a crash: the record commits only
// after its bytes are durable. Bytes whose transaction failed, or never ran (a crash
// between the flush and the commit), are referenced by nothing and only take space.
// Reading a chunk is one read(2) from the page cache into a fresh buffer, where a
// blob in SQLite is copied three times (overflow pages, the driver, database/sql).
type chunkFiles struct {
	root string

	mu   sync.Mutex
	next map[string]int64 // file → offset of its next chunk (the bytes reserved so far)
}

// removeGrace outlives any read snapshot that may still plan to read a deleted
// stream's chunks (a FilterLogEvents in flight).
const removeGrace = 10 * time.Second

func newChunkFiles(dataDir string) *chunkFiles {
	return &chunkFiles{root: filepath.Join(dataDir, "logs"), next: map[string]int64{}}
}

func (f *chunkFiles) groupDir(gen string) string { return filepath.Join(f.root, gen) }

func (f *chunkFiles) path(gen string, stream int64) string {
	return filepath.Join(f.groupDir(gen), strconv.FormatInt(stream, 10))
}

// reserve returns the offset at which a body of n bytes goes in the stream's file,
// creating the file (durably: its directory entry is flushed) on first use.
func (f *chunkFiles) reserve(gen string, stream int64, n int) (string, int64, error) {
	p := f.path(gen, stream)
	f.mu.Lock()
	defer f.mu.Unlock()
	off, ok := f.next[p]
	if !ok {
		st, err := os.Stat(p)
		switch {
		case err == nil:
			off = st.Size()
		case errors.Is(err, os.ErrNotExist):
			if err := f.create(gen, p); err != nil {
				return "", 0, err
			}
		default:
			return "", 0, err
		}
	}
	f.next[p] = off + int64(n)
	return p, off, nil
}

// create makes an empty stream file and flushes the directory entries leading to it.
func (f *chunkFiles) create(gen, p string) error {
	dir := f.groupDir(gen)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(f.root, 0o700); err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(f.root)); err != nil {
			return err
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		if err := syncDir(f.root); err != nil {
			return err
		}
	}
	fl, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := fl.Close(); err != nil {
		return err
	}
	return syncDir(dir)
}

// write stores a chunk body in its stream's file and flushes it to disk; it returns
// the body's offset. Writers of one stream run concurrently, each in its reserved range.
func (f *chunkFiles) write(gen string, stream int64, body []byte) (int64, error) {
	p, off, err := f.reserve(gen, stream, len(body))
	if err != nil {
		return 0, fmt.Errorf("logs: chunk file: %w", err)
	}
	fl, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return 0, fmt.Errorf("logs: chunk file: %w", err)
	}
	defer fl.Close()
	if _, err := fl.WriteAt(body, off); err != nil {
		return 0, fmt.Errorf("logs: chunk file: %w", err)
	}
	if err := fl.Sync(); err != nil {
		return 0, fmt.Errorf("logs: chunk file: %w", err)
	}
	return off, nil
}

// read returns n bytes at off in a stream's file, in *buf if set (sized n).
func (f *chunkFiles) read(gen string, stream, off, n int64, buf *[]byte) ([]byte, error) {
	fl, err := os.Open(f.path(gen, stream))
	if err != nil {
		return nil, fmt.Errorf("logs: chunk file: %w", err)
	}
	defer fl.Close()
	var b []byte
	if buf != nil {
		b = *buf
	} else {
		b = make([]byte, n)
	}
	if m, err := fl.ReadAt(b, off); m < len(b) {
		return nil, fmt.Errorf("logs: chunk file %s at %d: %w", fl.Name(), off, err)
	}
	return b, nil
}

// removeStream deletes a stream's file once no read snapshot can want it. Call it
// after the commit that deleted the stream.
func (f *chunkFiles) removeStream(gen string, stream int64) {
	f.removeLater(f.path(gen, stream))
}

// removeGroup deletes a group's directory, as removeStream.
func (f *chunkFiles) removeGroup(gen string) { f.removeLater(f.groupDir(gen)) }

func (f *chunkFiles) removeLater(p string) {
	f.mu.Lock()
	for k := range f.next {
		if k == p || filepath.Dir(k) == p {
			delete(f.next, k)
		}
	}
	f.mu.Unlock()
	time.AfterFunc(removeGrace, func() { os.RemoveAll(p) })
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
