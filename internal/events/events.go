// Package events runs durable consumers over the store's event log: CloudTrail
// delivery and event history, and later CloudWatch Logs, Config, GuardDuty. Each
// consumer reads the log in order from its own cursor, kept in the store and advanced
// in the same transaction as the consumer's own output, so across crashes and restarts
// every event is consumed exactly once: either the output and the new cursor are both
// committed, or neither is and the events are read again.
//
// A consumer is woken when a commit appends events (store.DB.OnCommit), when the admin
// API moves the clock (clock.Clock.Changed) and at the clock time it asked to run at
// next (deliveries every five minutes, digests every hour), so time-driven work
// happens at once after `palisade clock advance`.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/store"
)

// cursorsNS holds each consumer's cursor: the sequence of the last event it consumed.
const cursorsNS = "events/cursors"

// Consumer processes the event log.
type Consumer interface {
	// Name identifies the consumer's cursor; never rename a consumer that has shipped.
	Name() string
	// Consume is called with the events after the cursor (at most the consumer's
	// batch, possibly none when the clock woke it), read from view, a snapshot in which
	// the consumer may read its own state; now is Palisade's clock. It returns what to
	// commit. It must not write: the write goes in Step.Write.
	Consume(view *store.Tx, now time.Time, evs []*store.Event) (Step, error)
}

// Selective is a consumer that may not need every event: before reading the events
// after its cursor, the runner asks it, in the same snapshot, whether it needs any of
// those up to last (the newest committed). When it does not, Consume is called with no
// events and the cursor moves to last when the step commits: the events are never
// read (CloudTrail delivery while no trail logs).
type Selective interface {
	Interested(view *store.Tx, after, last int64) (bool, error)
}

// Step is what one Consume call commits and when the consumer wants to run again.
type Step struct {
	// Consumed is how many of the events (a prefix) the step accounts for; the cursor
	// moves past them when Write commits.
	Consumed int
	// Write, if set, runs in the write transaction that advances the cursor. It runs as
	// one of the store's serialized writes: keep it to writes prepared in Consume.
	Write func(tx *store.Tx) error
	// Next is the clock time to run at even without new events; zero for none.
	Next time.Time
	// Hold asks not to be called for new events before Next: consumers that batch by
	// time (five-minute log files) would otherwise be woken by every commit.
	Hold bool
}

// Options tune a consumer.
type Options struct {
	// Batch is the most events handed to one Consume call (default 1000).
	Batch int
}

// ErrConflict is returned when a consumer's cursor moved under it: another process
// consumes the same log (not supported), or the store was restored.
var ErrConflict = errors.New("events: cursor moved under its consumer")

// Log runs consumers over a store's event log.
type Log struct {
	db     *store.DB
	clock  *clock.Clock
	logger *slog.Logger

	last    atomic.Int64 // highest committed event sequence seen
	tail    tail
	mu      sync.Mutex
	runners []*runner
	stop    chan struct{}
	wg      sync.WaitGroup
	started bool
}

// New returns the event log of db. It sets db.OnCommit, so call it before the store's
// first Update that appends events, and only once per store.
func New(db *store.DB, clk *clock.Clock, logger *slog.Logger) *Log {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{db: db, clock: clk, logger: logger, stop: make(chan struct{})}
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		l.tail.base, err = tx.LastEventSeq()
		return err
	}); err == nil {
		l.tail.valid = true
	}
	db.OnCommit = l.committed
	return l
}

// committed is store.DB.OnCommit: it runs inside the store's commit and must not block.
func (l *Log) committed(evs []*store.Event) {
	l.tail.add(evs)
	l.seen(evs[len(evs)-1].Seq)
}

// seen notes the highest committed sequence and wakes the consumers.
func (l *Log) seen(seq int64) {
	for {
		cur := l.last.Load()
		if seq <= cur || l.last.CompareAndSwap(cur, seq) {
			break
		}
	}
	l.mu.Lock()
	rs := l.runners
	l.mu.Unlock()
	now := l.clock.Now()
	for _, r := range rs {
		// A runner holding new events until a time not yet reached would wake only to
		// sleep again, on every commit; its own timer wakes it. It reads l.last after
		// taking r.mu to change hold, so one that stops holding sees these events.
		r.mu.Lock()
		held := r.hold && now.Before(r.next)
		r.mu.Unlock()
		if !held {
			r.poke()
		}
	}
}

// Add registers a consumer; consumers added after Start start at once.
func (l *Log) Add(c Consumer, opts Options) {
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	r := &runner{log: l, c: c, batch: opts.Batch, wake: make(chan struct{}, 1)}
	l.mu.Lock()
	l.runners = append(l.runners, r)
	started := l.started
	l.mu.Unlock()
	if started {
		l.wg.Add(1)
		go r.run()
	}
}

// Start runs every consumer in its own goroutine.
func (l *Log) Start() error {
	var last int64
	if err := l.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		last, err = tx.LastEventSeq()
		return err
	}); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	l.seen(last)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		return nil
	}
	l.started = true
	for _, r := range l.runners {
		l.wg.Add(1)
		go r.run()
	}
	return nil
}

// Stop stops every consumer and waits for them; a step in progress finishes (commits
// or not) first. The store must stay open until Stop returns.
func (l *Log) Stop() {
	l.mu.Lock()
	if !l.started {
		l.mu.Unlock()
		return
	}
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// Settle waits until every consumer has caught up: it has consumed every event
// committed before the call, or it holds them until a clock time not yet reached, and
// nothing it asked to run by now is pending. Tests and benchmarks use it after moving
// the clock.
func (l *Log) Settle(ctx context.Context) error {
	now := l.clock.Now()
	l.mu.Lock()
	rs := append([]*runner(nil), l.runners...)
	l.mu.Unlock()
	for _, r := range rs {
		for !r.settled(now) {
			r.poke()
			select {
			case <-ctx.Done():
				return fmt.Errorf("events: %s not settled: %w", r.c.Name(), ctx.Err())
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	return nil
}

// Cursor returns a consumer's stored cursor (0 before its first step).
func Cursor(tx *store.Tx, name string) (int64, error) {
	v, ok, err := tx.Get(cursorsNS, name)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(string(v), 10, 64)
}

type runner struct {
	log   *Log
	c     Consumer
	batch int
	wake  chan struct{}

	mu     sync.Mutex
	cursor int64
	next   time.Time
	hold   bool
	// idleAt is the clock time at which the runner last found nothing to do and went
	// to wait; zero while it works or fails.
	idleAt time.Time
}

func (r *runner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// settled reports whether the runner, since the clock read now, found nothing to do:
// every event committed by then consumed or held for later, nothing due.
func (r *runner) settled(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.idleAt.IsZero() && !r.idleAt.Before(now)
}

func (r *runner) run() {
	defer r.log.wg.Done()
	l := r.log
	var cursor int64
	err := l.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		cursor, err = Cursor(tx, r.c.Name())
		return err
	})
	if err != nil {
		l.logger.Error("event consumer cannot read its cursor", "consumer", r.c.Name(), "err", err)
		return
	}
	r.mu.Lock()
	r.cursor = cursor
	r.mu.Unlock()
	force := true // run once at start: time may have passed while Palisade was down
	for {
		changed := l.clock.Changed()
		now := l.clock.Now()
		r.mu.Lock()
		next, hold := r.next, r.hold
		r.mu.Unlock()
		due := !next.IsZero() && !now.Before(next)
		pending := l.last.Load() > cursor && (!hold || due)
		if force || due || pending {
			more, err := r.step(&cursor, now)
			if err != nil {
				l.logger.Error("event consumer step failed", "consumer", r.c.Name(), "err", err)
				// A failing consumer retries once a second, whatever wakes it.
				select {
				case <-l.stop:
					return
				case <-time.After(time.Second):
				}
				force = true
				continue
			}
			force = more
			continue
		}
		var timer *time.Timer
		var fired <-chan time.Time
		if !next.IsZero() {
			timer = time.NewTimer(next.Sub(now) + time.Millisecond)
			fired = timer.C
		}
		r.mu.Lock()
		r.idleAt = now
		r.mu.Unlock()
		select {
		case <-l.stop:
			return
		case <-r.wake:
		case <-changed:
		case <-fired:
		}
		if timer != nil {
			timer.Stop()
		}
		r.mu.Lock()
		r.idleAt = time.Time{}
		r.mu.Unlock()
	}
}

// step runs one Consume and commits it; more reports a full batch (run again at once).
func (r *runner) step(cursor *int64, now time.Time) (more bool, err error) {
	l := r.log
	var st Step
	var evs []*store.Event
	var skipTo int64 // the events up to it are not needed
	err = l.db.View(context.Background(), func(tx *store.Tx) error {
		last, err := tx.LastEventSeq()
		if err != nil {
			return err
		}
		if s, ok := r.c.(Selective); ok {
			if last > *cursor {
				want, err := s.Interested(tx, *cursor, last)
				if err != nil {
					return err
				}
				if !want {
					skipTo = last
				}
			}
		}
		if skipTo == 0 {
			// The newest events come from memory; a consumer further behind reads
			// them back. Either way only events this snapshot sees (up to last), so
			// the consumer's reads of its state in tx agree with them.
			var ok bool
			if evs, ok = l.tail.get(*cursor, last, r.batch); !ok {
				if err := tx.Events(*cursor, r.batch, func(e *store.Event) bool {
					evs = append(evs, e)
					return true
				}); err != nil {
					return err
				}
			}
		}
		st, err = r.c.Consume(tx, now, evs)
		return err
	})
	if err != nil {
		return false, err
	}
	if st.Consumed < 0 || st.Consumed > len(evs) {
		return false, fmt.Errorf("events: %s consumed %d of %d events", r.c.Name(), st.Consumed, len(evs))
	}
	newCursor := *cursor
	if st.Consumed > 0 {
		newCursor = evs[st.Consumed-1].Seq
	}
	if skipTo > newCursor {
		newCursor = skipTo
	}
	if newCursor != *cursor || st.Write != nil {
		err = l.db.Update(context.Background(), func(tx *store.Tx) error {
			stored, err := Cursor(tx, r.c.Name())
			if err != nil {
				return err
			}
			if stored != *cursor {
				return fmt.Errorf("%w: %s at %d, expected %d", ErrConflict, r.c.Name(), stored, *cursor)
			}
			if st.Write != nil {
				if err := st.Write(tx); err != nil {
					return err
				}
			}
			if newCursor != *cursor {
				return tx.Put(cursorsNS, r.c.Name(), []byte(strconv.FormatInt(newCursor, 10)))
			}
			return nil
		})
		if err != nil {
			return false, err
		}
	}
	*cursor = newCursor
	r.mu.Lock()
	r.cursor, r.next, r.hold = newCursor, st.Next, st.Hold
	r.mu.Unlock()
	return len(evs) == r.batch && st.Consumed == len(evs), nil
}

// tailBytes bounds the event data the tail keeps in memory (a variable for tests).
var tailBytes = 32 << 20

// tail keeps the newest committed events in memory, as the writer commits them, so
// that consumers keeping up with the log are handed them without reading them back.
type tail struct {
	mu    sync.Mutex
	valid bool
	base  int64 // every committed event with Seq > base is in evs
	evs   []*store.Event
	bytes int
}

func (t *tail) add(evs []*store.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.valid {
		return
	}
	for _, e := range evs {
		if e.Seq > t.base && (len(t.evs) == 0 || e.Seq > t.evs[len(t.evs)-1].Seq) {
			t.evs = append(t.evs, e)
			t.bytes += len(e.Data)
		}
	}
	if t.bytes <= tailBytes {
		return
	}
	// Over the bound, drop the oldest down to three quarters of it: dropping just enough
	// would move the whole slice on every commit once the tail is full.
	drop := 0
	for t.bytes > tailBytes-tailBytes/4 && drop < len(t.evs) {
		t.bytes -= len(t.evs[drop].Data)
		t.base = t.evs[drop].Seq
		drop++
	}
	n := copy(t.evs, t.evs[drop:])
	clear(t.evs[n:]) // let the dropped events go
	t.evs = t.evs[:n]
}

// get returns the events with after < Seq <= upTo, at most limit of them; ok is false
// when the tail does not hold all of them (it lost older ones, or was never valid).
func (t *tail) get(after, upTo int64, limit int) (out []*store.Event, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.valid || after < t.base {
		return nil, false
	}
	i := sort.Search(len(t.evs), func(i int) bool { return t.evs[i].Seq > after })
	for ; i < len(t.evs) && len(out) < limit && t.evs[i].Seq <= upTo; i++ {
		out = append(out, t.evs[i])
	}
	return out, true
}
