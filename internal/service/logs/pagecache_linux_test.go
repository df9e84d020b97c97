package logs

import (
	"bytes"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// resident reports, per 4 KiB page of the file's first n bytes, whether it is in the
// page cache (mincore of a read-only mapping).
func resident(t *testing.T, path string, n int) []bool {
	t.Helper()
	fl, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	m, err := unix.Mmap(int(fl.Fd()), 0, n, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	vec := make([]byte, (n+os.Getpagesize()-1)/os.Getpagesize())
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(n), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	out := make([]bool, len(vec))
	for i, v := range vec {
		out[i] = v&1 != 0
	}
	return out
}

// The page cache keeps the newest chunks written, within the budget, across streams;
// older ones are advised away once written, and again after a search reads them.
func TestChunkPagesBeyondBudgetDropped(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("chunk sizes below assume 4 KiB pages")
	}
	f := newChunkFiles(t.TempDir(), nil)
	const chunk = 64 << 10
	f.budget = 3 * chunk
	body := func(k int) []byte { return bytes.Repeat([]byte{byte('a' + k)}, chunk) }
	// Stream 1 gets chunks 0–5, stream 2 one chunk between its fourth and fifth.
	var offs []int64
	for k := range 6 {
		if k == 4 {
			if _, err := f.write("g", 2, body(9)); err != nil {
				t.Fatal(err)
			}
		}
		off, err := f.write("g", 1, body(k))
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, off)
	}
	if f.writtenBytes > f.budget {
		t.Fatalf("%d bytes counted as cached, budget %d", f.writtenBytes, f.budget)
	}
	// Seven chunks written, three kept — the newest: stream 1's 4 and 5 and stream
	// 2's — so stream 1's 0–3 go.
	res := resident(t, f.path("g", 1), 6*chunk)
	perChunk := chunk / 4096
	for k := range 6 {
		want := k >= 4
		for _, r := range res[k*perChunk : (k+1)*perChunk] {
			if r != want {
				t.Fatalf("stream 1 chunk %d resident %v, want %v (pages %v)", k, r, want, res)
			}
		}
	}
	for _, r := range resident(t, f.path("g", 2), chunk) {
		if !r {
			t.Fatal("stream 2's chunk, among the newest, was dropped")
		}
	}
	// Reading an old chunk gives its bytes and leaves the cache as it was; reading a
	// new one keeps it.
	b, err := f.read("g", 1, offs[1], chunk, nil)
	if err != nil || !bytes.Equal(b, body(1)) {
		t.Fatalf("read chunk 1: %v, right bytes %v", err, bytes.Equal(b, body(1)))
	}
	if _, err := f.read("g", 1, offs[5], chunk, nil); err != nil {
		t.Fatal(err)
	}
	res = resident(t, f.path("g", 1), 6*chunk)
	if res[perChunk] || !res[5*perChunk] {
		t.Fatalf("after reads: chunk 1 resident %v (want false), chunk 5 %v (want true)", res[perChunk], res[5*perChunk])
	}
}
