package logs

import (
	"errors"

	"github.com/klauspost/compress/s2"
)

// Chunk bodies in files are compressed with S2 (klauspost/compress, block format).
// Log lines compress to about a quarter, and the time a PutLogEvents call spends
// writing and flushing its chunk — the fsync of an append grows with its bytes —
// shrinks by more than compressing costs when the disk is slow, and by about as much
// when it is fast; a search reads a quarter of the bytes, and the page budget holds
// four times the events (docs/PERFORMANCE.md, "Compressed chunks"). The two halves
// compressed on two goroutines were 5% faster than one block on this machine's two
// vCPUs, so one block it is.

// compressChunk appends body, compressed, to dst (reused: len 0, any capacity) and
// reports false when compression does not make it smaller.
func compressChunk(dst, body []byte) ([]byte, bool) {
	if need := s2.MaxEncodedLen(len(body)); cap(dst) < need {
		dst = make([]byte, need)
	}
	z := s2.Encode(dst[:cap(dst)], body)
	if len(z) >= len(body) {
		return dst[:0], false
	}
	return z, true
}

var errBadChunk = errors.New("logs: malformed compressed chunk")

// decompressChunk decodes a body compressChunk made into *buf when buf is set
// (resized to fit), else into fresh memory.
func decompressChunk(z []byte, buf *[]byte) ([]byte, error) {
	n, err := s2.DecodedLen(z)
	if err != nil {
		return nil, errBadChunk
	}
	var out []byte
	if buf != nil {
		if cap(*buf) < n {
			*buf = make([]byte, n)
		}
		*buf = (*buf)[:n]
		out = *buf
	} else {
		out = make([]byte, n)
	}
	if _, err := s2.Decode(out, z); err != nil {
		return nil, errBadChunk
	}
	return out, nil
}
