package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/store"
)

var ctx = context.Background()

// copier writes one key per consumed event and fails loudly on a duplicate: the key is
// inserted, never overwritten.
type copier struct {
	name    string
	failing atomic.Int32 // fail this many Writes first
	dupes   atomic.Int32
	steps   atomic.Int32
}

func (c *copier) Name() string { return c.name }

func (c *copier) Consume(view *store.Tx, now time.Time, evs []*store.Event) (Step, error) {
	c.steps.Add(1)
	return Step{Consumed: len(evs), Write: func(tx *store.Tx) error {
		if c.failing.Load() > 0 {
			c.failing.Add(-1)
			return errors.New("injected failure")
		}
		for _, e := range evs {
			ok, err := tx.Insert("test/copied", fmt.Sprintf("%012d", e.Seq), e.Data)
			if err != nil {
				return err
			}
			if !ok {
				c.dupes.Add(1)
			}
		}
		return nil
	}}, nil
}

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(&store.Event{Time: 1, Source: "test", Kind: "k", Data: []byte(strconv.Itoa(i))})
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	db.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.Count("test/copied")
		return err
	})
	return n
}

func settle(t *testing.T, l *Log) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := l.Settle(c); err != nil {
		t.Fatal(err)
	}
}

// startLog opens a store and runs a log with one consumer on it, both closed when the
// test ends.
func startLog(t *testing.T, clk *clock.Clock, c Consumer, opts Options) (*store.DB, *Log) {
	t.Helper()
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := New(db, clk, nil)
	l.Add(c, opts)
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return db, l
}

// Events are consumed exactly once: across a stop and a start on the same store, in
// batches, with a failing write in the middle that commits nothing and is retried.
func TestExactlyOnceAcrossRestartsAndFailures(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock.Clock{}
	l := New(db, clk, nil)
	c := &copier{name: "copier"}
	l.Add(c, Options{Batch: 7})
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	appendN(t, db, 50)
	settle(t, l)
	if n := count(t, db); n != 50 {
		t.Fatalf("%d events copied, want 50", n)
	}
	l.Stop()

	// Events committed while no consumer runs are picked up at the next start.
	appendN(t, db, 30)
	db.Close()
	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l = New(db, clk, nil)
	c2 := &copier{name: "copier"}
	c2.failing.Store(2)
	l.Add(c2, Options{Batch: 7})
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	appendN(t, db, 20)
	settle(t, l)
	if n := count(t, db); n != 100 {
		t.Fatalf("%d events copied, want 100", n)
	}
	if c.dupes.Load()+c2.dupes.Load() != 0 {
		t.Fatalf("%d events consumed twice", c.dupes.Load()+c2.dupes.Load())
	}
	if c2.failing.Load() != 0 {
		t.Fatal("the injected failures did not happen")
	}
	var cur, last int64
	db.View(ctx, func(tx *store.Tx) error {
		cur, _ = Cursor(tx, "copier")
		last, _ = tx.LastEventSeq()
		return nil
	})
	if cur != last {
		t.Fatalf("cursor %d, last event %d", cur, last)
	}
}

// ticker consumes everything at five-minute clock boundaries only.
type ticker struct {
	next  time.Time
	runs  atomic.Int32
	taken atomic.Int32
}

func (k *ticker) Name() string { return "ticker" }

func (k *ticker) Consume(view *store.Tx, now time.Time, evs []*store.Event) (Step, error) {
	if k.next.IsZero() {
		k.next = now.Add(5 * time.Minute)
	}
	if now.Before(k.next) {
		return Step{Next: k.next, Hold: true}, nil
	}
	k.runs.Add(1)
	k.taken.Add(int32(len(evs)))
	k.next = now.Add(5 * time.Minute)
	return Step{Consumed: len(evs), Next: k.next, Hold: true}, nil
}

// A consumer that batches by time holds new events until its next run and runs at once
// when the clock is advanced past it.
func TestClockDrivenConsumer(t *testing.T) {
	clk := &clock.Clock{}
	k := &ticker{}
	db, l := startLog(t, clk, k, Options{})
	appendN(t, db, 5)
	settle(t, l)
	if k.runs.Load() != 0 || k.taken.Load() != 0 {
		t.Fatalf("ran before its time: %d runs, %d events", k.runs.Load(), k.taken.Load())
	}
	clk.Advance(5 * time.Minute)
	settle(t, l)
	if k.runs.Load() != 1 || k.taken.Load() != 5 {
		t.Fatalf("after the advance: %d runs, %d events", k.runs.Load(), k.taken.Load())
	}
	appendN(t, db, 3)
	settle(t, l)
	if k.taken.Load() != 5 {
		t.Fatal("consumed new events before the next tick")
	}
	clk.Advance(6 * time.Minute)
	settle(t, l)
	if k.runs.Load() != 2 || k.taken.Load() != 8 {
		t.Fatalf("after the second advance: %d runs, %d events", k.runs.Load(), k.taken.Load())
	}
}

// picky is a copier that needs only the events with a sequence above from.
type picky struct {
	copier
	from atomic.Int64
}

func (p *picky) Interested(view *store.Tx, after, last int64) (bool, error) {
	return last > p.from.Load(), nil
}

// A Selective consumer that needs none of the events after its cursor is not handed
// them: its cursor moves past them unread.
func TestSelectiveConsumerSkips(t *testing.T) {
	p := &picky{copier: copier{name: "picky"}}
	p.from.Store(1 << 40)
	db, l := startLog(t, &clock.Clock{}, p, Options{Batch: 7})
	appendN(t, db, 20)
	settle(t, l)
	var cur int64
	db.View(ctx, func(tx *store.Tx) error { cur, _ = Cursor(tx, "picky"); return nil })
	if n := count(t, db); n != 0 || cur != 20 {
		t.Fatalf("%d events handed over, cursor %d; want none and 20", n, cur)
	}
	p.from.Store(0)
	appendN(t, db, 10)
	settle(t, l)
	if n := count(t, db); n != 10 {
		t.Fatalf("%d events handed over once wanted, want 10", n)
	}
}

// Consumers behind the events the tail still holds in memory read them back from the
// store, and then go on from memory: each event exactly once either way.
func TestTailFallsBackToTheStore(t *testing.T) {
	defer func(n int) { tailBytes = n }(tailBytes)
	tailBytes = 8 // a few events
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := New(db, &clock.Clock{}, nil)
	c := &copier{name: "copier"}
	l.Add(c, Options{Batch: 5})
	appendN(t, db, 40) // before Start: the tail has lost most of them
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	settle(t, l)
	appendN(t, db, 40)
	settle(t, l)
	if n := count(t, db); n != 80 || c.dupes.Load() != 0 {
		t.Fatalf("%d events copied (%d twice), want 80", n, c.dupes.Load())
	}
	if _, ok := l.tail.get(0, 80, 100); ok {
		t.Fatal("the tail claims events it dropped")
	}
	got, ok := l.tail.get(l.tail.base, 80, 100)
	if !ok || len(got) == 0 || len(got) > 8 || got[len(got)-1].Seq != 80 || got[0].Seq != l.tail.base+1 {
		t.Fatalf("tail after %d holds %d events (ok %v)", l.tail.base, len(got), ok)
	}
}

// Commits do not wake a consumer that holds new events until a later time (it would
// only go back to sleep, once per commit); an advance of the clock still does.
func TestHeldConsumerSleepsThroughCommits(t *testing.T) {
	clk := &clock.Clock{}
	k := &ticker{}
	db, l := startLog(t, clk, k, Options{})
	settle(t, l)
	r := l.runners[0]
	idleAt := func() time.Time {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.idleAt
	}
	before := idleAt()
	appendN(t, db, 5)
	time.Sleep(20 * time.Millisecond)
	if after := idleAt(); !after.Equal(before) {
		t.Fatalf("a commit woke the holding consumer (idle since %v, then %v)", before, after)
	}
	clk.Advance(5 * time.Minute)
	settle(t, l)
	if k.runs.Load() != 1 || k.taken.Load() != 5 {
		t.Fatalf("after the advance: %d runs, %d events", k.runs.Load(), k.taken.Load())
	}
}

// A full tail stays within its bound, keeps the newest events in order, and takes a
// commit's events without copying itself: it dropped one event per commit and moved the
// whole slice into a new one each time (4% of a server's CPU under KMS load).
func TestFullTailAddsWithoutCopying(t *testing.T) {
	defer func(n int) { tailBytes = n }(tailBytes)
	tailBytes = 1000
	tl := &tail{valid: true}
	seq := int64(0)
	next := func() []*store.Event {
		seq++
		return []*store.Event{{Seq: seq, Data: make([]byte, 10)}}
	}
	for range 500 {
		tl.add(next())
	}
	check := func() {
		t.Helper()
		if tl.bytes > tailBytes || len(tl.evs)*10 != tl.bytes || len(tl.evs) < 75 {
			t.Fatalf("tail holds %d events, %d bytes (bound %d)", len(tl.evs), tl.bytes, tailBytes)
		}
		for i, e := range tl.evs {
			if e.Seq != tl.base+int64(i)+1 {
				t.Fatalf("tail[%d] is event %d after base %d", i, e.Seq, tl.base)
			}
		}
		if tl.evs[len(tl.evs)-1].Seq != seq {
			t.Fatalf("newest held %d, want %d", tl.evs[len(tl.evs)-1].Seq, seq)
		}
	}
	check()
	batches := make([][]*store.Event, 2000)
	for i := range batches {
		batches[i] = next()
	}
	seq -= int64(len(batches))
	i := 0
	allocs := testing.AllocsPerRun(len(batches)-1, func() {
		tl.add(batches[i])
		i++
		seq++
	})
	if allocs != 0 {
		t.Fatalf("adding to a full tail allocates %v times per commit", allocs)
	}
	check()
}
