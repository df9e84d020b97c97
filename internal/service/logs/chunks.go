package logs

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// A chunk is one accepted batch of one stream: an index record (chunkMeta, small,
// scanned to plan a read) and a blob of its events in timestamp order, each encoded
// as uvarint(timestamp - Min), uvarint(len), message bytes.
type chunkMeta struct {
	Stream string `json:"-"`  // from the key
	ID     int64  `json:"id"` // the stream's ID
	Seq    int64  `json:"q"`  // the chunk's number in its stream
	Min    int64  `json:"min"`
	Max    int64  `json:"max"`
	N      int    `json:"n"`
	Bytes  int64  `json:"b"`
	Ingest int64  `json:"i"`
	// Off and Len locate the body in the stream's chunk file (chunkFiles); Len 0: the
	// body is a store blob under the chunk's key (CloudTrail's deliveries, and chunks
	// written before chunk files existed).
	Off int64 `json:"o,omitempty"`
	Len int64 `json:"l,omitempty"`
	// Key is the encrypted data key the body is sealed with when the group had a KMS
	// key (kmsdata.go); nil: the body is plain.
	Key []byte `json:"k,omitempty"`
	// Z says the body (before any sealing) is compressed (compress.go).
	Z   bool `json:"z,omitempty"`
	key string
}

func chunkKey(group, stream string, min, seq int64) string {
	return fmt.Sprintf("%s%s%s%s%016d.%012d", group, sep, stream, sep, min, seq)
}

// event is one stored event, in or out of a chunk.
type event struct {
	ts  int64
	msg string
}

func encodeChunk(events []event, min int64) []byte {
	return appendChunk(make([]byte, 0, chunkSize(events)), events, min)
}

// chunkSize bounds the encoded size of events.
func chunkSize(events []event) int {
	size := 0
	for _, e := range events {
		size += len(e.msg) + 2*binary.MaxVarintLen64
	}
	return size
}

// appendChunk appends events' encoding to b.
func appendChunk(b []byte, events []event, min int64) []byte {
	for _, e := range events {
		b = binary.AppendUvarint(b, uint64(e.ts-min))
		b = binary.AppendUvarint(b, uint64(len(e.msg)))
		b = append(b, e.msg...)
	}
	return b
}

// chunkReader walks a blob's events. Messages alias the blob (no copy): the blob is
// never written after it is read from the store.
type chunkReader struct {
	b   []byte
	off int
	min int64
	idx int64
	buf *[]byte // the pooled buffer b is in (transient readers)
}

func (r *chunkReader) next() (ts int64, msg string, ok bool) {
	if r.off >= len(r.b) {
		return 0, "", false
	}
	d, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, "", false
	}
	r.off += n
	l, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || r.off+n+int(l) > len(r.b) {
		return 0, "", false
	}
	r.off += n
	if l > 0 {
		msg = unsafe.String(&r.b[r.off], int(l))
	}
	r.off += int(l)
	r.idx++
	return r.min + int64(d), msg, true
}

// stored is a chunk body already durable in its stream's file (PutLogEvents writes it
// before its transaction).
type stored struct {
	off  int64
	size int64  // the body's length in the file
	key  []byte // the data key's blob, when the body is sealed under it
	z    bool   // the body is compressed
	// inline is a small batch's body, for the transaction to store as a blob instead
	// of a file holding it (off and size unused): its commit is then the call's only
	// fsync, where a file costs one of its own first.
	inline []byte
}

// inlineChunkMax is the largest chunk body (as stored: compressed, sealed) kept in the
// store rather than in its stream's file. Agents send small batches often (the
// CloudWatch agent every few seconds); a batch near PutLogEvents' megabyte goes to a
// file, where its bytes are written once instead of twice (WAL, then checkpoint).
const inlineChunkMax = 64 << 10

// writeChunk records a batch (events in timestamp order) as the stream's next chunk,
// its body either already in the stream's file (st), or prepared and small
// (st.inline), or, with st nil, encoded here; the last two are stored as a blob in this
// transaction (a blob is read back through the store's pages, a file in one read), one
// encoded here also cached once the transaction commits.
func (l *Logs) writeChunk(tx *store.Tx, account, region string, g *groupRec, s *streamRec, events []event, st *stored, ingest int64) (*chunkMeta, error) {
	m := &chunkMeta{ID: s.ID, Seq: s.Chunks + 1, Min: events[0].ts, Max: events[len(events)-1].ts, N: len(events), Ingest: ingest}
	for _, e := range events {
		m.Bytes += int64(len(e.msg))
	}
	key := chunkKey(g.Name, s.Name, m.Min, m.Seq)
	m.key = key
	switch {
	case st != nil && st.inline != nil:
		m.Key, m.Z = st.key, st.z
		if err := tx.PutBlob(ns(account, region, tData), key, st.inline); err != nil {
			return nil, err
		}
	case st != nil:
		m.Off, m.Len, m.Key, m.Z = st.off, st.size, st.key, st.z
	default:
		blob := encodeChunk(events, m.Min)
		body := blob
		if l.encrypts(g) {
			k, err := l.groupKey(tx, account, region, g, time.UnixMilli(ingest))
			if err != nil {
				return nil, err
			}
			if body, err = seal(nil, k.plain, blob); err != nil {
				return nil, err
			}
			m.Key = k.blob
		}
		if err := tx.PutBlob(ns(account, region, tData), key, body); err != nil {
			return nil, err
		}
		ck := cacheKey(account, region, g, m)
		tx.AfterCommit(func() { l.cache.put(ck, blob) })
	}
	if err := tx.PutJSON(ns(account, region, tChunks), key, m); err != nil {
		return nil, err
	}
	s.Chunks = m.Seq
	s.Stored += m.Bytes
	if s.First == 0 || m.Min < s.First {
		s.First = m.Min
	}
	if m.Max > s.Last {
		s.Last = m.Max
	}
	s.LastIngest = ingest
	return m, nil
}

// chunkPlan lists the chunks under a key prefix whose time range meets [from, to],
// ordered by their first timestamp.
func chunkPlan(tx *store.Tx, account, region, prefix string, from, to int64) ([]*chunkMeta, error) {
	var out []*chunkMeta
	err := svckit.ScanPrefix(tx, ns(account, region, tChunks), prefix, "", func(k string, v []byte) (bool, error) {
		m := &chunkMeta{}
		if err := decode(v, m); err != nil {
			return false, err
		}
		if m.Max < from || m.Min > to {
			return true, nil
		}
		parts := strings.SplitN(k, sep, 3)
		if len(parts) == 3 {
			m.Stream = parts[1]
		}
		m.key = k
		out = append(out, m)
		return true, nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Min != out[j].Min {
			return out[i].Min < out[j].Min
		}
		return out[i].key < out[j].key
	})
	return out, err
}

// readChunk returns a reader over a chunk's events, from the cache or from disk.
//
// With transient set, a chunk read from its file is read into a pooled buffer, not
// cached, and the caller must call release once done and must copy what it keeps of
// the messages: a search reads many chunks once, and on this kind of machine writing
// into fresh memory (page faults) costs ten times the read itself, so reusing a few
// buffers makes a search of chunks on disk about as fast as one of cached chunks.
// Otherwise the chunk's bytes are fresh, kept in the cache, and messages may alias them.
func (l *Logs) readChunk(tx *store.Tx, account, region string, g *groupRec, m *chunkMeta, transient bool) (*chunkReader, error) {
	// Under a KMS key, the key decides first, cached or not.
	var key []byte
	if m.Key != nil {
		var err error
		if key, err = l.openKey(tx, account, region, g, m.Key); err != nil {
			return nil, err
		}
	}
	ck := cacheKey(account, region, g, m)
	if b, ok := l.cache.get(ck); ok {
		return &chunkReader{b: b, min: m.Min}, nil
	}
	var b []byte
	var buf *[]byte
	if m.Len > 0 {
		if transient {
			buf = getBuf(int(m.Len))
		}
		var err error
		if b, err = l.files.read(g.Gen, m.ID, m.Off, m.Len, buf); err != nil {
			putBuf(buf)
			return nil, err
		}
	} else {
		var ok bool
		var err error
		if b, ok, err = tx.GetBlob(ns(account, region, tData), m.key); err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("logs: chunk %q has no data", m.key)
		}
	}
	if key != nil {
		var dst []byte
		var plainBuf *[]byte
		if transient {
			plainBuf = getBuf(len(b))
			dst = *plainBuf
		}
		plain, err := unseal(key, b, dst)
		putBuf(buf)
		if err != nil {
			putBuf(plainBuf)
			return nil, fmt.Errorf("logs: chunk %q: %w", m.key, err)
		}
		b, buf = plain, plainBuf
	}
	if m.Z {
		var outBuf *[]byte
		if transient {
			outBuf = getBuf(0)
		}
		plain, err := decompressChunk(b, outBuf)
		putBuf(buf)
		if err != nil {
			putBuf(outBuf)
			return nil, fmt.Errorf("logs: chunk %q: %w", m.key, err)
		}
		b, buf = plain, outBuf
	}
	if buf == nil {
		l.cache.put(ck, b)
	}
	return &chunkReader{b: b, min: m.Min, buf: buf}, nil
}

// release gives a transient reader's buffer back; the reader and the messages it
// returned are then invalid.
func (r *chunkReader) release() {
	putBuf(r.buf)
	r.buf, r.b = nil, nil
}

var bufs sync.Pool // of *[]byte

func getBuf(n int) *[]byte {
	if p, ok := bufs.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, max(n, 1<<20+1<<19))
	return &b
}

func putBuf(p *[]byte) {
	if p != nil {
		bufs.Put(p)
	}
}

// pos orders events: timestamp, stream, chunk, index in the chunk. Its 56-digit form
// is the event's eventId and the position in pagination tokens.
type pos struct{ ts, stream, seq, idx int64 }

func (p pos) String() string {
	return fmt.Sprintf("%020d%012d%012d%012d", p.ts, p.stream, p.seq, p.idx)
}

func (p pos) less(q pos) bool {
	if p.ts != q.ts {
		return p.ts < q.ts
	}
	if p.stream != q.stream {
		return p.stream < q.stream
	}
	if p.seq != q.seq {
		return p.seq < q.seq
	}
	return p.idx < q.idx
}

func parsePos(s string) (pos, bool) {
	if len(s) != 56 {
		return pos{}, false
	}
	var p pos
	var err error
	fields := []*int64{&p.ts, &p.stream, &p.seq, &p.idx}
	widths := []int{20, 12, 12, 12}
	off := 0
	for i, f := range fields {
		if *f, err = strconv.ParseInt(s[off:off+widths[i]], 10, 64); err != nil {
			return pos{}, false
		}
		off += widths[i]
	}
	return p, true
}
