package apptest

import (
	"errors"
	"sync"
	"testing"

	"github.com/aws/smithy-go"
)

// Race runs fn on n goroutines (g is the goroutine's number) until the returned stop
// is called. fn reports a bug by returning a non-empty string, which ends its
// goroutine; stop returns the first one ("" when none). Race tests call services this
// way while changing what the calls depend on.
func Race(n int, fn func(g int) string) (stop func() string) {
	done := make(chan struct{})
	bad := make(chan string, 1)
	var wg sync.WaitGroup
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
				if msg := fn(g); msg != "" {
					select {
					case bad <- msg:
					default:
					}
					return
				}
			}
		}()
	}
	return func() string {
		close(done)
		wg.Wait()
		select {
		case msg := <-bad:
			return msg
		default:
			return ""
		}
	}
}

// Hammer is Race for calls that may fail only with the AWS error codes in allowed: any
// other error — a 500 is InternalFailure, a transport error has no code — fails the
// test when stop returns.
func Hammer(t testing.TB, n int, allowed []string, fn func(g int) error) (stop func()) {
	t.Helper()
	stopRace := Race(n, func(g int) string {
		err := fn(g)
		if err == nil {
			return ""
		}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			for _, c := range allowed {
				if ae.ErrorCode() == c {
					return ""
				}
			}
		}
		return err.Error()
	})
	return func() {
		if msg := stopRace(); msg != "" {
			t.Errorf("a concurrent call failed: %v", msg)
		}
	}
}
