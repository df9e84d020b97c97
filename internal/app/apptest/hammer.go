package apptest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go"
)

// Hammer runs fn on n goroutines (g is the goroutine's number) until the returned
// stop is called; an error whose AWS error code is not in allowed — a 500 is
// InternalFailure, a transport error has no code — fails the test when stop returns.
// Race tests call services this way while changing what the calls depend on.
func Hammer(t testing.TB, n int, allowed []string, fn func(g int) error) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Value
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				err := fn(g)
				if err == nil {
					continue
				}
				var ae smithy.APIError
				if errors.As(err, &ae) {
					ok := false
					for _, c := range allowed {
						ok = ok || ae.ErrorCode() == c
					}
					if ok {
						continue
					}
				}
				bad.CompareAndSwap(nil, err.Error())
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
		if v := bad.Load(); v != nil {
			t.Errorf("a concurrent call failed: %v", v)
		}
	}
}
