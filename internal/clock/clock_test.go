package clock

import (
	"testing"
	"time"
)

func TestAdvance(t *testing.T) {
	var c Clock
	if d := time.Since(c.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("zero clock is %v off real time", d)
	}
	ch := c.Changed()
	now := c.Advance(24 * time.Hour)
	select {
	case <-ch:
	default:
		t.Fatal("Changed not signalled by Advance")
	}
	if d := time.Until(now); d < 24*time.Hour-time.Second || d > 24*time.Hour+time.Second {
		t.Fatalf("advanced by %v", d)
	}
	c.Advance(-48 * time.Hour)
	if c.Offset() != 24*time.Hour {
		t.Fatalf("a negative advance moved the clock back: %v", c.Offset())
	}
	if c.Now().Location() != time.UTC {
		t.Fatal("not UTC")
	}
}
