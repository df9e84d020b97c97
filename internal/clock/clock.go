// Package clock is Palisade's injected time. Everything that depends on time in the
// services (key rotation, credential expiry, log delivery intervals, alarm periods) reads
// a Clock, which the admin API can move forward so tests need not wait. Signature
// freshness is the exception: it is checked against real time, so real clients keep
// working after the clock has moved.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is real time plus an offset that only grows. The zero value is real time.
type Clock struct {
	offset atomic.Int64 // nanoseconds

	mu      sync.Mutex
	waiters []chan struct{}
}

// Now returns the clock's current time, in UTC.
func (c *Clock) Now() time.Time { return time.Now().Add(c.Offset()).UTC() }

// Offset returns how far the clock is ahead of real time.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// SetOffset restores a saved offset (at start-up).
func (c *Clock) SetOffset(d time.Duration) {
	c.offset.Store(int64(d))
	c.notify()
}

// Advance moves the clock forward by d (negative durations are ignored: time in
// Palisade never runs backwards) and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.offset.Add(int64(d))
		c.notify()
	}
	return c.Now()
}

// Changed returns a channel closed at the next Advance or SetOffset, so that background
// work scheduled on the clock (deliveries, rotations) can run at once instead of waiting
// for real time to catch up.
func (c *Clock) Changed() <-chan struct{} {
	ch := make(chan struct{})
	c.mu.Lock()
	c.waiters = append(c.waiters, ch)
	c.mu.Unlock()
	return ch
}

func (c *Clock) notify() {
	c.mu.Lock()
	ws := c.waiters
	c.waiters = nil
	c.mu.Unlock()
	for _, ch := range ws {
		close(ch)
	}
}
