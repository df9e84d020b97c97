package logs

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"
)

// Compressed chunk bodies come back byte for byte, large or small; a body
// compression would not shrink is left as it is; a damaged one is an error, not a panic.
func TestCompressChunk(t *testing.T) {
	var evs []event
	for i := range 8000 {
		evs = append(evs, event{ts: int64(i), msg: fmt.Sprintf("2026-11-29T10:00:00.%03dZ INFO request id=%08d status=200", i%1000, i)})
	}
	big := appendChunk(nil, evs, 0)
	small := appendChunk(nil, evs[:20], 0)
	random := make([]byte, 300<<10)
	rand.Read(random)
	for name, body := range map[string][]byte{"batch": big, "small": small} {
		z, ok := compressChunk(nil, body)
		if !ok || len(z) >= len(body)/2 {
			t.Fatalf("%s: compressed %d bytes to %d (ok %v)", name, len(body), len(z), ok)
		}
		buf := getBuf(0)
		for _, into := range []*[]byte{nil, buf} {
			got, err := decompressChunk(z, into)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("%s: decompressed %d bytes (err %v), want the %d put in", name, len(got), err, len(body))
			}
		}
		for _, cut := range []int{0, 1, len(z) / 2, len(z) - 1} {
			if _, err := decompressChunk(z[:cut], nil); err == nil {
				t.Errorf("%s cut to %d bytes: decompressed without error", name, cut)
			}
		}
	}
	if _, ok := compressChunk(nil, random); ok {
		t.Error("random bytes reported as compressed smaller")
	}
}
