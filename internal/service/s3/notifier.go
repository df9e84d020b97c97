package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// nsNotifyQ holds event notifications waiting for delivery, across buckets: a
// monotonic stamp (hex) . ID → Notice. Each is written in the transaction of the write
// that caused it and removed in the transaction that delivers it, so an acknowledged
// write's notification is delivered once, whatever crashes between.
var nsNotifyQ = store.NS("s3", "", "", "notifyq")

// notifyRetry is how long (real time) delivery waits after a failure S3 may recover
// from (the store busy) before trying again, unless new events arrive first.
const notifyRetry = 5 * time.Second

// notifier delivers nsNotifyQ in order, in the background.
type notifier struct {
	s *Service
	*worker

	mu   sync.Mutex
	last int64 // the last stamp handed out

	due *dueEvents // events S3 makes when their time comes (notify_due.go)
}

func newNotifier(s *Service) *notifier {
	n := &notifier{s: s, worker: newWorker()}
	n.due = newDueEvents(s)
	return n
}

// next is a stamp greater than any before it in this process, and than now in
// nanoseconds: it orders the outbox and is the records' sequencer.
func (n *notifier) next(now time.Time) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	v := now.UnixNano()
	if v <= n.last {
		v = n.last + 1
	}
	n.last = v
	return v
}

// sequencer is a record's s3.object.sequencer: hexadecimal, growing with each event
// (User Guide, "Event message structure": compare sequencers of one key to order its
// events). It comes from the generator that stamps each version's write (objRec.Write),
// so that a version's creation sequencer, which its later restore events repeat
// (versionSequencer), orders with the deletes that follow it.
func (s *Service) sequencer(c *server.Call) string { return fmt.Sprintf("%018X", s.ids.next()) }

func (n *notifier) enqueue(tx *store.Tx, note *Notice, now time.Time) error {
	return tx.PutJSON(nsNotifyQ, fmt.Sprintf("%016x.%s", n.next(now), auth.NewUUID()), note)
}

func (n *notifier) start() {
	n.worker.run(n.loop)
	n.poke() // what a previous run left queued
	n.due.start()
}

func (n *notifier) stop() {
	n.due.stop()
	n.worker.stop()
}

func (n *notifier) loop() {
	for {
		var retry <-chan time.Time
		var timer *time.Timer
		select {
		case <-n.quit:
			return
		default:
		}
		if n.pass() {
			timer = time.NewTimer(notifyRetry)
			retry = timer.C
		}
		select {
		case <-n.quit:
			if timer != nil {
				timer.Stop()
			}
			return
		case <-n.wake:
		case <-retry:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// pass delivers what the outbox holds, in order; it reports whether it stopped on a
// failure to retry. A destination gone or refusing S3 drops the notification, as S3
// does (User Guide: events are delivered only while the destination lets S3 send).
func (n *notifier) pass() (failed bool) {
	ctx := context.Background()
	for {
		var keys []string
		var notes []Notice
		err := n.s.d.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(nsNotifyQ, "", 64, func(k string, v []byte) bool {
				var note Notice
				if json.Unmarshal(v, &note) == nil {
					keys, notes = append(keys, k), append(notes, note)
				}
				return true
			})
		})
		if err != nil {
			n.s.d.Logger.Error("s3: notification outbox", "err", err)
			return true
		}
		if len(keys) == 0 {
			return false
		}
		for i, note := range notes {
			select {
			case <-n.quit:
				return false
			default:
			}
			err := n.s.d.Store.Update(ctx, func(tx *store.Tx) error {
				if ok, err := tx.Delete(nsNotifyQ, keys[i]); err != nil || !ok {
					return err
				}
				if n.s.d.Destinations == nil {
					return nil
				}
				err := tx.Savepoint(func() error { return n.s.d.Destinations.Send(tx, note) })
				if errors.Is(err, ErrNoDestination) || errors.Is(err, ErrDestinationDenied) {
					n.s.d.Logger.Warn("s3: event notification not delivered", "destination", note.Destination, "bucket", note.Bucket, "err", err)
					return nil
				}
				return err
			})
			if err != nil {
				n.s.d.Logger.Error("s3: event notification delivery", "destination", note.Destination, "err", err)
				return true
			}
		}
	}
}
