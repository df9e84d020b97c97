package s3

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Events of restores and Object Lock retentions. RestoreObject answers at once and its
// restore completes later on Palisade's clock (restore.go): ObjectRestore:Completed and
// ObjectRestore:Delete are made by S3, not by a request, when their time comes. Each is
// written to a schedule (nsEventDue) in the transaction that makes it due, and a worker
// woken by the clock, by new entries and at start turns each due entry into its
// records in one transaction with the entry's removal, so each is queued once, across
// restarts, an event that fell due while Palisade was stopped included.

// eventOrigin is who made an event, as its record names them.
type eventOrigin struct {
	at                               time.Time
	principal, ip, requestID, hostID string
}

// callOrigin is the origin of the events a request makes.
func callOrigin(c *server.Call) *eventOrigin {
	ip := c.SourceIP
	if ip == "" {
		ip = c.Principal.ARN
	}
	return &eventOrigin{at: c.Now, principal: eventPrincipal(c.Principal), ip: ip, requestID: c.RequestID, hostID: c.HostID}
}

// s3Origin is the origin of an event S3 makes for bucket b at at: the bucket owner as
// an Amazon customer, S3 as the source, a request ID of its own (recorded, 2026:
// restore_delivery_replay.json, ObjectRestore:Completed: "AmazonCustomer:" and the
// owner, sourceIPAddress "s3.amazonaws.com", a request ID unlike the restoring call's,
// an x-amz-id-2 of 88 characters).
func s3Origin(b *bucketRec, at time.Time) *eventOrigin {
	id := make([]byte, 8)
	rand.Read(id)
	host := make([]byte, 64)
	rand.Read(host)
	return &eventOrigin{at: at, principal: "AmazonCustomer:" + customerID(b.Owner), ip: "s3.amazonaws.com",
		requestID: strings.ToUpper(hex.EncodeToString(id)), hostID: base64.StdEncoding.EncodeToString(host)}
}

// writeNumber is the number a version's write was stamped with (objRec.Write: the
// version-ID-like ID whose first 11 characters sort later writes first, ids.go).
func writeNumber(w string) (uint64, bool) {
	if len(w) < 11 {
		return 0, false
	}
	var n uint64
	for i := range 11 {
		d := strings.IndexByte(alphabet, w[i])
		if d < 0 {
			return 0, false
		}
		n = n*62 + uint64(d)
	}
	return math.MaxUint64 - n, true
}

// versionSequencer is the sequencer of the event that created o, which its restore
// events carry again (recorded, 2026: restore_delivery_replay.json: "every
// Post/Completed must reuse" the sequencer of the object's ObjectCreated:Put). A
// version written before writes were stamped gets a fresh one.
func (s *Service) versionSequencer(c *server.Call, o *objRec) string {
	if n, ok := writeNumber(o.Write); ok {
		return fmt.Sprintf("%018X", n)
	}
	return s.sequencer(c)
}

// restoreEvent is what restore records say of the version: key, size, ETag, version
// and its creation sequencer (recorded, 2026: restore_delivery_replay.json).
func (s *Service) restoreEvent(c *server.Call, b *bucketRec, o *objRec) objectEvent {
	oe := objectEvent{key: o.Key, size: &o.Size, etag: o.ETag, sequencer: s.versionSequencer(c, o)}
	if b.Versioning != "" {
		oe.version = o.VersionID
	}
	return oe
}

// notifyRestore follows an accepted RestoreObject on o: ObjectRestore:Post, whether
// a restore began (202) or a restored copy was kept longer (200) (recorded, 2026:
// restore_delivery_replay.json, already-restored-same, -extend, -shorten: "All
// measured already-restored 200 calls require both positive Post channels"), and the
// restore's next event scheduled: its completion while it runs, else its copy's
// expiry. Both are scheduled whether or not the bucket notifies now: a configuration
// put in the meantime hears of them.
func (s *Service) notifyRestore(c *server.Call, b *bucketRec, o *objRec) error {
	ongoing, expiry, ok := restoreState(o, c.Now)
	switch {
	case ongoing:
		if err := s.notes.due.schedule(c.Tx, o.Restore.Due, dueRestoreCompleted, b, o); err != nil {
			return err
		}
	case ok:
		if err := s.notes.due.schedule(c.Tx, expiry, dueRestoreExpired, b, o); err != nil {
			return err
		}
	}
	if b.Notify == nil {
		return nil
	}
	return s.enqueueEvent(c, b, "ObjectRestore:Post", s.restoreEvent(c, b, o))
}

// notifyRetention queues ObjectRetention:Put for PutObjectRetention on o, a retention
// set again unchanged included: key, size, ETag and version, no sequencer, and the
// retention set, none when it was removed (recorded, 2026:
// object_lock_delivery_replay.json, fixed-set, fixed-noop, fixed-clear-bypass). The
// retention follows "s3", mode before date, as AWS's SDK for Java reads the record
// (inferred: the recording sorts its members). PutObjectLegalHold makes no event: S3
// has no legal hold event type (API Reference, QueueConfiguration: Events).
func (s *Service) notifyRetention(c *server.Call, b *bucketRec, o *objRec) error {
	if b.Notify == nil {
		return nil
	}
	oe := objectEvent{key: o.Key, size: &o.Size, etag: o.ETag}
	if b.Versioning != "" {
		oe.version = o.VersionID
	}
	if l := o.Lock; l != nil && l.Until != nil {
		oe.extra = `,"objectRetentionEventData":{"mode":` + quoteJSON(l.Mode) +
			`,"retainUntilDate":` + quoteJSON(l.Until.UTC().Format(eventTimeFormat)) + `}`
	}
	return s.enqueueEvent(c, b, "ObjectRetention:Put", oe)
}

// nsEventDue holds the events S3 makes when their time comes, across buckets:
// "<due Unix nanoseconds, 20 digits>/<digest of event, bucket, key, version>" →
// dueEntry, so one ordered scan finds what is due and scheduling one event twice
// leaves one entry. Entries are hints: when one falls due, the version is read again
// and the event made only if the version still waits for it then.
var nsEventDue = store.NS("s3", "", "", "eventdue")

// The events scheduled.
const (
	dueRestoreCompleted = "ObjectRestore:Completed"
	dueRestoreExpired   = "ObjectRestore:Delete"
)

// lastDue is the last time an entry may fall due: Unix nanoseconds must fit an int64.
var lastDue = time.Unix(0, math.MaxInt64)

type dueEntry struct {
	Event   string `json:"e"`
	Bucket  string `json:"b"`
	Key     string `json:"k"`
	Version string `json:"v"`
}

// dueEvents makes the scheduled events in the background.
type dueEvents struct {
	s *Service
	*worker
}

func newDueEvents(s *Service) *dueEvents {
	return &dueEvents{s: s, worker: newWorker()}
}

// schedule writes in tx that event falls due for o at at, and wakes the worker once tx
// commits.
func (d *dueEvents) schedule(tx *store.Tx, at time.Time, event string, b *bucketRec, o *objRec) error {
	if at.After(lastDue) {
		// Never due: a copy restored for up to 2147483647 days (recorded, 2026:
		// restore_replay.json, days-maxint) expires after the last time the
		// schedule's keys can say.
		return nil
	}
	sum := sha256.Sum256([]byte(event + "\x00" + b.Name + "\x00" + o.Key + "\x00" + o.VersionID))
	key := fmt.Sprintf("%020d/%s", at.UnixNano(), hex.EncodeToString(sum[:16]))
	if err := putJSON(tx, nsEventDue, key, dueEntry{Event: event, Bucket: b.Name, Key: o.Key, Version: o.VersionID}); err != nil {
		return err
	}
	tx.AfterCommit(d.poke)
	return nil
}

func (d *dueEvents) start() { d.worker.run(d.loop) }

// loop makes what falls due, sleeping until the next entry's time on Palisade's clock,
// the clock is moved, or an entry is scheduled.
func (d *dueEvents) loop() {
	clk := d.s.d.Clock
	for {
		changed := clk.Changed()
		next, err := d.runDue()
		wait := time.Hour
		if err != nil {
			d.s.d.Logger.Error("s3: scheduled event notifications", "err", err)
			wait = notifyRetry
		} else if !next.IsZero() {
			wait = min(wait, max(next.Sub(clk.Now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-d.quit:
			t.Stop()
			return
		case <-changed:
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// runDue makes every event due now and returns when the next falls due (zero when
// none is scheduled).
func (d *dueEvents) runDue() (time.Time, error) {
	ctx := context.Background()
	for {
		select {
		case <-d.quit:
			return time.Time{}, nil
		default:
		}
		now := d.s.d.Clock.Now()
		bound := fmt.Sprintf("%020d/", now.UnixNano()+1)
		var keys []string
		var next time.Time
		err := d.s.d.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(nsEventDue, "", 0, func(k string, _ []byte) bool {
				if k >= bound {
					next = time.Unix(0, dueAt(k))
					return false
				}
				keys = append(keys, k)
				return len(keys) < 64
			})
		})
		if err != nil || len(keys) == 0 {
			return next, err
		}
		err = d.s.d.Store.Update(ctx, func(tx *store.Tx) error {
			for _, k := range keys {
				if err := d.fire(tx, k, now); err != nil {
					return err
				}
				if _, err := tx.Delete(nsEventDue, k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return time.Time{}, err
		}
	}
}

func dueAt(key string) int64 {
	var ns int64
	fmt.Sscanf(key[:min(20, len(key))], "%d", &ns)
	return ns
}

// fire makes the event of one due entry, if its version still waits for it: a
// restore completing at the entry's time, or a restored copy expiring then.
func (d *dueEvents) fire(tx *store.Tx, key string, now time.Time) error {
	var e dueEntry
	if ok, err := tx.GetJSON(nsEventDue, key, &e); err != nil || !ok {
		return err
	}
	at := dueAt(key)
	b, err := buckets(tx).get(tx, e.Bucket)
	if err != nil || b == nil {
		return err
	}
	o, err := d.s.findVersion(tx, b, e.Key, e.Version)
	if err != nil || o == nil || o.DeleteMarker || o.Restore == nil {
		return err
	}
	r := o.Restore
	switch e.Event {
	case dueRestoreCompleted:
		if r.Due.UnixNano() != at {
			return nil // sped up to another time, or another restore
		}
		if err := d.schedule(tx, r.expiry(), dueRestoreExpired, b, o); err != nil {
			return err
		}
		if b.Notify == nil {
			return nil
		}
		// The completion, at the restore's own time whenever it is made, carries
		// the copy's expiry and the object's storage class (recorded, 2026:
		// restore_delivery_replay.json: "Completion timestamps equal the accepted
		// call plus five minutes, not the advanced drain horizon").
		oe := d.s.restoreEvent(nil, b, o)
		oe.by = s3Origin(b, r.Due)
		oe.extra = `,"glacierEventData":{"restoreEventData":{"lifecycleRestorationExpiryTime":` +
			quoteJSON(r.expiry().UTC().Format(eventTimeFormat)) + `,"lifecycleRestoreStorageClass":` + quoteJSON(o.StorageClass) + `}}`
		return d.s.enqueueIn(tx, now, nil, b, e.Event, oe)
	case dueRestoreExpired:
		x := r.expiry()
		if x.UnixNano() != at || r.Due.After(x) {
			return nil // kept longer, or another restore
		}
		if b.Notify == nil {
			return nil
		}
		// S3 notifies the expiry of a restored copy (User Guide, "Event message
		// structure": "object restoration delete events"; "Using EventBridge":
		// Object Restore Expired); the record is the completion's without
		// glacierEventData (inferred: the recording did not wait for an expiry).
		oe := d.s.restoreEvent(nil, b, o)
		oe.by = s3Origin(b, x)
		return d.s.enqueueIn(tx, now, nil, b, e.Event, oe)
	}
	return nil
}
