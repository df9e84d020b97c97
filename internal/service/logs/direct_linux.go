package logs

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// errNoDirect: the file system does not do direct I/O.
var errNoDirect = errors.New("direct I/O not supported")

// openDirect opens a stream file for direct writes.
func openDirect(p string) (*os.File, error) {
	fl, err := os.OpenFile(p, os.O_WRONLY|syscall.O_DIRECT, 0)
	if errors.Is(err, syscall.EINVAL) {
		return nil, errNoDirect
	}
	return fl, err
}

// aligned reports whether b starts on a directAlign boundary, as direct I/O wants of
// the memory it transfers.
func aligned(b []byte) bool {
	return len(b) > 0 && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%directAlign == 0
}

// alignedIn returns the first n bytes of buf (which has n+directAlign) that start on
// a directAlign boundary.
func alignedIn(buf []byte, n int) []byte {
	skip := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) % directAlign)
	return buf[skip : skip+n]
}
