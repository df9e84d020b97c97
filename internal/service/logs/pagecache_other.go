//go:build !linux

package logs

import "os"

// dropCached does nothing where posix_fadvise is not available.
func dropCached(*os.File, int64, int64) {}
