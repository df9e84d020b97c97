package s3

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Object bodies live in files under <data-dir>/s3, encrypted: each file has its own
// random 256-bit key (sealed in the object's record under the object key, see
// encryption.go) and holds the plaintext in 64 KiB chunks, each sealed with AES-256-GCM
// under a nonce made of its index, with the index and a last-chunk flag as associated
// data. Chunks make range reads cheap (only the chunks a range touches are read and
// opened) and memory constant; the flag and the recorded size catch truncation.
//
// Layout:
//
//	<data-dir>/s3/tmp/<random>        bodies being received; never referenced, swept at start
//	<data-dir>/s3/data/<xx>/<random>  committed bodies (xx: the name's first two characters)
const (
	chunkSize  = 64 << 10
	tagSize    = 16
	headerSize = 8
	fileMagic  = "PLS3\x01\x00\x00\x00"
)

// blobs is the directory tree of object bodies.
//
// A body a committed write has replaced or deleted may still be wanted by a reader
// whose snapshot predates that write (a GET in flight). So removal is deferred: the
// name waits out a grace period longer than any read transaction and until no open
// reader holds it (readers acquire names inside their snapshot and release them when
// the response is done).
type blobs struct {
	root string // <data-dir>/s3

	mu      sync.Mutex
	readers map[string]int       // name → open readers
	doomed  map[string]time.Time // name → when its removal was asked
	stop    chan struct{}
	done    chan struct{}
}

// removeGrace outlives any read transaction: GetObject's handler runs for
// milliseconds, and only the snapshot, not the download, must fit in it.
const removeGrace = 10 * time.Second

func newBlobs(dataDir string) (*blobs, error) {
	b := &blobs{root: filepath.Join(dataDir, "s3"), readers: map[string]int{}, doomed: map[string]time.Time{},
		stop: make(chan struct{}), done: make(chan struct{})}
	for _, d := range []string{"tmp", "data"} {
		if err := os.MkdirAll(filepath.Join(b.root, d), 0o700); err != nil {
			return nil, fmt.Errorf("s3: data directory: %w", err)
		}
	}
	// Bodies still in tmp were never committed: a crash interrupted their upload.
	ents, err := os.ReadDir(filepath.Join(b.root, "tmp"))
	if err != nil {
		return nil, fmt.Errorf("s3: data directory: %w", err)
	}
	for _, e := range ents {
		os.Remove(filepath.Join(b.root, "tmp", e.Name()))
	}
	go b.reap()
	return b, nil
}

func (b *blobs) reap() {
	defer close(b.done)
	t := time.NewTicker(removeGrace / 2)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			b.sweep(true)
			return
		case <-t.C:
			b.sweep(false)
		}
	}
}

func (b *blobs) sweep(all bool) {
	b.mu.Lock()
	var gone []string
	for n, at := range b.doomed {
		if b.readers[n] == 0 && (all || time.Since(at) > removeGrace) {
			gone = append(gone, n)
			delete(b.doomed, n)
		}
	}
	b.mu.Unlock()
	for _, n := range gone {
		os.Remove(b.path(n))
	}
}

// close removes what is due and stops the reaper.
func (b *blobs) close() {
	close(b.stop)
	<-b.done
}

// acquire marks bodies as being read, so their removal waits.
func (b *blobs) acquire(names []string) {
	b.mu.Lock()
	for _, n := range names {
		b.readers[n]++
	}
	b.mu.Unlock()
}

func (b *blobs) release(names []string) {
	b.mu.Lock()
	for _, n := range names {
		if b.readers[n]--; b.readers[n] <= 0 {
			delete(b.readers, n)
		}
	}
	b.mu.Unlock()
}

// newName returns a fresh random file name.
func newName() string {
	var r [16]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

func (b *blobs) tmpPath(name string) string { return filepath.Join(b.root, "tmp", name) }

func (b *blobs) dataDir(name string) string { return filepath.Join(b.root, "data", name[:2]) }

func (b *blobs) path(name string) string { return filepath.Join(b.dataDir(name), name) }

// commit moves a received, synced body into the data tree and makes the move durable.
// It runs before the transaction that records the object (off the store's single
// writer, since it waits for a directory fsync), so that the body is durable before
// the commit that references it; a body whose transaction fails is removed at once,
// and a crash in between leaves an unreferenced file.
func (b *blobs) commit(name string) error {
	dir := b.dataDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Rename(b.tmpPath(name), b.path(name)); err != nil {
		return err
	}
	return syncDir(dir)
}

// link gives an existing body a second name (CopyObject: the copy shares the
// ciphertext; its file key is sealed again under the copy's object key).
func (b *blobs) link(from, to string) error {
	dir := b.dataDir(to)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Link(b.path(from), b.path(to)); err != nil {
		return err
	}
	return syncDir(dir)
}

// remove deletes committed bodies once no reader can want them. Call it after the
// commit that dropped their last record.
func (b *blobs) remove(names ...string) {
	now := time.Now()
	b.mu.Lock()
	for _, n := range names {
		b.doomed[n] = now
	}
	b.mu.Unlock()
}

// discard deletes a body no record ever referenced (a failed upload), at once.
func (b *blobs) discard(name string) {
	os.Remove(b.path(name))
	os.Remove(b.tmpPath(name))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// newFileKey returns a random 256-bit key for one body file.
func newFileKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func gcm(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("s3: bad key size: " + err.Error())
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return a
}

func chunkNonce(n *[12]byte, index uint64) { binary.BigEndian.PutUint64(n[4:], index) }

func chunkAAD(a *[9]byte, index uint64, last bool) []byte {
	binary.BigEndian.PutUint64(a[:8], index)
	a[8] = 0
	if last {
		a[8] = 1
	}
	return a[:]
}

// sealWriter encrypts a body as it is written (into a file, or into memory for a body
// small enough to live in its record). It holds back one chunk, since the last chunk
// is sealed differently and only finish knows which one it is.
type sealWriter struct {
	f     io.Writer
	aead  cipher.AEAD
	buf   []byte // plaintext of the chunk being filled
	out   []byte // ciphertext scratch
	index uint64
	size  int64
	err   error
}

func newSealWriter(f io.Writer, key []byte) (*sealWriter, error) {
	if _, err := f.Write([]byte(fileMagic)); err != nil {
		return nil, err
	}
	// buf and out grow with what is written (up to a chunk), so a small body does not
	// pay for a whole chunk's buffers.
	return &sealWriter{f: f, aead: gcm(key)}, nil
}

func (w *sealWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	for len(p) > 0 {
		if len(w.buf) == chunkSize {
			// More data follows, so the held chunk is not the last.
			if w.err = w.flush(false); w.err != nil {
				return 0, w.err
			}
		}
		c := min(chunkSize-len(w.buf), len(p))
		w.buf = append(w.buf, p[:c]...)
		p = p[c:]
	}
	w.size += int64(n)
	return n, nil
}

func (w *sealWriter) flush(last bool) error {
	var nonce [12]byte
	var aad [9]byte
	chunkNonce(&nonce, w.index)
	w.out = w.aead.Seal(w.out[:0], nonce[:], w.buf, chunkAAD(&aad, w.index, last))
	w.index++
	w.buf = w.buf[:0]
	_, err := w.f.Write(w.out)
	return err
}

// finish seals the last chunk (none for an empty body) and syncs a file.
func (w *sealWriter) finish() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		if err := w.flush(true); err != nil {
			return err
		}
	}
	if f, ok := w.f.(*os.File); ok {
		return f.Sync()
	}
	return nil
}

// errCorrupt means a body file does not open under its key: tampered, truncated or
// not the file the record names.
var errCorrupt = errors.New("s3: object body is corrupt")

// segReader reads plaintext bytes [off, end) of one sealed body (a file, or the bytes
// of an inline body).
type segReader struct {
	f        io.ReaderAt
	closer   io.Closer
	aead     cipher.AEAD
	size     int64 // the body's plaintext size
	off, end int64
	chunk    []byte // opened plaintext of the current chunk
	chunkAt  int64  // plaintext offset of chunk[0]
	raw      []byte
}

func openSegment(path string, key []byte, size, off, end int64) (*segReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := sealedReader(f, key, size, off, end)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// sealedReader reads a sealed body from any ReaderAt.
func sealedReader(f io.ReaderAt, key []byte, size, off, end int64) (*segReader, error) {
	var h [headerSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil || string(h[:]) != fileMagic {
		return nil, errCorrupt
	}
	return &segReader{f: f, aead: gcm(key), size: size, off: off, end: end, chunkAt: -1}, nil
}

func (r *segReader) Read(p []byte) (int, error) {
	avail, err := r.next()
	if err != nil {
		return 0, err
	}
	n := copy(p, avail)
	r.off += int64(n)
	return n, nil
}

// WriteTo writes the rest of the range to w straight from the opened chunks, so
// io.Copy needs no buffer of its own.
func (r *segReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		avail, err := r.next()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		n, err := w.Write(avail)
		r.off += int64(n)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
}

// next returns the plaintext from the read offset to the end of its chunk or of the
// range, opening the chunk when needed.
func (r *segReader) next() ([]byte, error) {
	if r.off >= r.end {
		return nil, io.EOF
	}
	if r.chunkAt < 0 || r.off < r.chunkAt || r.off >= r.chunkAt+int64(len(r.chunk)) {
		if err := r.load(r.off / chunkSize); err != nil {
			return nil, err
		}
	}
	avail := r.chunk[r.off-r.chunkAt:]
	if rem := r.end - r.off; int64(len(avail)) > rem {
		avail = avail[:rem]
	}
	return avail, nil
}

func (r *segReader) load(index int64) error {
	i := uint64(index)
	start := index * chunkSize
	plain := min(int64(chunkSize), r.size-start)
	// Sized to the chunk: a small body's read allocates only its own size.
	if int64(cap(r.raw)) < plain+tagSize {
		r.raw = make([]byte, plain+tagSize)
	}
	raw := r.raw[:plain+tagSize]
	if _, err := r.f.ReadAt(raw, headerSize+index*(chunkSize+tagSize)); err != nil {
		return errCorrupt
	}
	var nonce [12]byte
	var aad [9]byte
	chunkNonce(&nonce, i)
	last := start+plain == r.size
	out, err := r.aead.Open(r.chunk[:0], nonce[:], raw, chunkAAD(&aad, i, last))
	if err != nil {
		return errCorrupt
	}
	r.chunk, r.chunkAt = out, start
	return nil
}

func (r *segReader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// multiReader reads a byte range across an object's segments, opening each file
// only when the range reaches it, and closes what it opened.
type multiReader struct {
	open    []func() (*segReader, error)
	cur     *segReader
	files   []*segReader
	release func()
}

// advance opens the next segment when none is being read; io.EOF after the last.
func (m *multiReader) advance() error {
	if m.cur != nil {
		return nil
	}
	if len(m.open) == 0 {
		return io.EOF
	}
	r, err := m.open[0]()
	if err != nil {
		return err
	}
	m.open = m.open[1:]
	m.cur = r
	m.files = append(m.files, r)
	return nil
}

// WriteTo writes the rest of the range to w segment by segment (see segReader.WriteTo).
func (m *multiReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if err := m.advance(); err == io.EOF {
			return total, nil
		} else if err != nil {
			return total, err
		}
		n, err := m.cur.WriteTo(w)
		total += n
		if err != nil {
			return total, err
		}
		m.cur.Close()
		m.cur = nil
	}
}

func (m *multiReader) Read(p []byte) (int, error) {
	for {
		if err := m.advance(); err != nil {
			return 0, err
		}
		n, err := m.cur.Read(p)
		if err == io.EOF {
			m.cur.Close()
			m.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// Close closes every file still open.
func (m *multiReader) Close() error {
	for _, f := range m.files {
		f.Close()
	}
	m.files, m.cur, m.open = nil, nil, nil
	if m.release != nil {
		m.release()
		m.release = nil
	}
	return nil
}
