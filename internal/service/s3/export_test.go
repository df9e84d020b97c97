package s3

// SetCopyDigestHook makes f run in CopyObject's prep, just before it reads a source
// whole; the returned func restores the previous hook. Tests that set it must not
// run in parallel.
func SetCopyDigestHook(f func(bucket, key string)) (restore func()) {
	old := copyDigestHook
	copyDigestHook = f
	return func() { copyDigestHook = old }
}
