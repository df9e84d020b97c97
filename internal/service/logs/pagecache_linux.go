package logs

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCached tells the kernel it may drop the page-cache pages wholly inside
// [off, off+n) of f. The pages must be clean (written and flushed) to go; advice
// the kernel does not take costs nothing but the call.
func dropCached(f *os.File, off, n int64) {
	if n > 0 {
		_ = unix.Fadvise(int(f.Fd()), off, n, unix.FADV_DONTNEED)
	}
}
