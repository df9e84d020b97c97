//go:build !linux

package logs

import (
	"errors"
	"os"
)

var errNoDirect = errors.New("direct I/O not supported")

// openDirect: direct I/O is used on Linux only.
func openDirect(string) (*os.File, error) { return nil, errNoDirect }

func aligned([]byte) bool { return false }

func alignedIn(buf []byte, n int) []byte { return buf[:n] }
