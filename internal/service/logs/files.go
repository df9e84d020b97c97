package logs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/store"
)

// chunkFiles holds the bodies of PutLogEvents' chunks larger than inlineChunkMax (the
// smaller ones are blobs in the store) in files under
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
// Reading a chunk is one read(2) — from the page cache for the newest chunks, from
// disk for older ones (pageBudget) — where a blob in SQLite is copied three times
// (overflow pages, the driver, database/sql).
//
// A deleted stream's file (or group's directory) goes once no read snapshot can still
// want it, removeGrace after the deletion committed. The deleting transaction also
// records the path in the trash namespace, and sweep removes what a stopped Palisade
// left there, so a restart within the grace does not leave the file behind.
type chunkFiles struct {
	root string
	db   *store.DB

	mu   sync.Mutex
	next map[string]int64 // file → offset of its next chunk (the bytes reserved so far)

	// The page cache holds at most pageBudget bytes of chunks this process wrote:
	// written holds the newest, oldest first (adjacent ranges of a file merged);
	// dropped[file] is the offset below which the file's pages are advised away, so
	// a search reading there drops what it read.
	written      []span
	writtenBytes int64
	dropped      map[string]int64
	budget       int64 // pageBudget; tests shrink it
}

// span is a range of a stream file.
type span struct {
	path   string
	off, n int64
}

// pageBudget bounds the chunks kept in the page cache. Chunks are written once and
// read rarely, mostly the newest (GetLogEvents' tail, a search of the last minutes).
// Keeping every chunk written cost more than anything else PutLogEvents does on a VM
// whose free memory the host reclaims: each page a growing page cache takes is
// faulted in by the host, and a 1 MiB pwrite took 1.7–2.6 ms with fresh pages against
// 0.2–0.3 ms with recycled ones (docs/PERFORMANCE.md, "Drop-behind"). Pages advised
// away are what the next chunks' pages are made of.
const pageBudget = 16 << 20

// removeGrace outlives any read snapshot that may still plan to read a deleted
// stream's chunks (a FilterLogEvents in flight).
const removeGrace = 10 * time.Second

func newChunkFiles(dataDir string, db *store.DB) *chunkFiles {
	return &chunkFiles{root: filepath.Join(dataDir, "logs"), db: db, next: map[string]int64{}, dropped: map[string]int64{}, budget: pageBudget}
}

// trashNS holds the paths (relative to the logs directory) of deleted streams' files
// and groups' directories not yet removed; each value is the deletion's wall-clock
// time in Unix nanoseconds.
var trashNS = store.NS("logs", "", "", "trash")

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
			// What an earlier process wrote is outside this one's budget.
			f.dropped[p] = max(f.dropped[p], off)
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
	for _, s := range f.overBudget(span{p, off, int64(len(body))}) {
		if s.path == p {
			dropCached(fl, s.off, s.n)
		} else if other, err := os.Open(s.path); err == nil { // gone if its stream was deleted
			dropCached(other, s.off, s.n)
			other.Close()
		}
	}
	return off, nil
}

// overBudget records a range just written and flushed, and returns the oldest
// ranges that no longer fit the page budget, to be advised away.
func (f *chunkFiles) overBudget(w span) []span {
	f.mu.Lock()
	defer f.mu.Unlock()
	if last := len(f.written) - 1; last >= 0 && f.written[last].path == w.path && f.written[last].off+f.written[last].n == w.off {
		f.written[last].n += w.n
	} else {
		f.written = append(f.written, w)
	}
	f.writtenBytes += w.n
	var out []span
	for f.writtenBytes > f.budget {
		s := &f.written[0]
		cut := min(s.n, f.writtenBytes-f.budget)
		if _, live := f.next[s.path]; live { // else its stream was deleted: no file, no pages
			out = append(out, span{s.path, s.off, cut})
			f.dropped[s.path] = max(f.dropped[s.path], s.off+cut)
		}
		s.off, s.n = s.off+cut, s.n-cut
		f.writtenBytes -= cut
		if s.n == 0 {
			f.written = f.written[1:]
		}
	}
	return out
}

// outside reports whether [off, off+n) of a file lies below the ranges the page
// budget keeps cached.
func (f *chunkFiles) outside(fl *os.File, off, n int64) bool {
	name := fl.Name()
	f.mu.Lock()
	d, ok := f.dropped[name]
	_, mine := f.next[name]
	f.mu.Unlock()
	if !ok && !mine {
		// A file this process has not written: an earlier one's, all outside the budget.
		st, err := fl.Stat()
		if err != nil {
			return false
		}
		d = st.Size()
		f.mu.Lock()
		f.dropped[name] = max(f.dropped[name], d)
		f.mu.Unlock()
	}
	return off+n <= d
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
	// A search reads each chunk once: one outside the budget goes again after it is
	// read, so a search of old logs reuses pages rather than grow the cache.
	if f.outside(fl, off, n) {
		dropCached(fl, off, n)
	}
	return b, nil
}

// removeStream deletes a stream's file once no read snapshot can want it: call it in
// the transaction that deletes the stream.
func (f *chunkFiles) removeStream(tx *store.Tx, gen string, stream int64) error {
	return f.removeLater(tx, filepath.Join(gen, strconv.FormatInt(stream, 10)))
}

// removeGroup deletes a group's directory, as removeStream.
func (f *chunkFiles) removeGroup(tx *store.Tx, gen string) error { return f.removeLater(tx, gen) }

func (f *chunkFiles) removeLater(tx *store.Tx, rel string) error {
	if err := tx.Put(trashNS, rel, []byte(strconv.FormatInt(time.Now().UnixNano(), 10))); err != nil {
		return err
	}
	p := filepath.Join(f.root, rel)
	tx.AfterCommit(func() {
		f.mu.Lock()
		for k := range f.next {
			if k == p || filepath.Dir(k) == p {
				delete(f.next, k)
			}
		}
		for k := range f.dropped {
			if k == p || filepath.Dir(k) == p {
				delete(f.dropped, k)
			}
		}
		f.mu.Unlock()
		time.AfterFunc(removeGrace, func() { f.remove(rel) })
	})
	return nil
}

// remove deletes a trashed path and then its trash record; a failure leaves the record
// for the next sweep.
func (f *chunkFiles) remove(rel string) {
	if err := os.RemoveAll(filepath.Join(f.root, rel)); err != nil {
		return
	}
	f.db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Delete(trashNS, rel)
		return err
	})
}

// sweep removes what was trashed before started: paths whose grace a stopped Palisade
// did not live to see out. No snapshot of this process can read them, since their
// deletions committed before it began. Later deletions are left to their timers.
func (f *chunkFiles) sweep(ctx context.Context, started time.Time) error {
	var old []string
	err := f.db.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(trashNS, "", 0, func(rel string, v []byte) bool {
			if at, err := strconv.ParseInt(string(v), 10, 64); err != nil || at < started.UnixNano() {
				old = append(old, rel)
			}
			return true
		})
	})
	if err != nil {
		return fmt.Errorf("logs: read the trash: %w", err)
	}
	for _, rel := range old {
		// A record naming anything outside the logs directory is not ours to follow.
		if !filepath.IsLocal(rel) {
			continue
		}
		f.remove(rel)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
