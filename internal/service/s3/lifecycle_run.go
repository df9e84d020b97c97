package s3

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Lifecycle execution. S3 evaluates lifecycle rules once a day at midnight UTC and acts
// on what is due then (User Guide, "Expiring objects"; recorded expectations, 2026:
// lifecycle_execution_replay.json, "strict next UTC midnight"). The cycler does the
// same on Palisade's clock: it wakes at start, at each admin clock advance and at each
// midnight of real time, and runs every bucket's rules for each midnight since the
// last one it ran them for (kept per bucket in nsLifecycle), in order — so what fell
// due while Palisade was stopped, or across a clock jump, happens at once, day by day.
// What is due is computed from the objects and the rules as they are, never from a
// per-object schedule, so a run that crashes half-way is simply done again. Each key's
// actions commit in one transaction together with their event notifications and
// access log records; lifecycle actions leave no CloudTrail record (AWS records none:
// User Guide, "Lifecycle and logging").

// lifecycleRetry is how long (real time) the cycler waits after a failed pass.
const lifecycleRetry = 5 * time.Second

type cycler struct {
	s *Service
	*worker

	mu sync.Mutex // one pass at a time
}

func newCycler(s *Service) *cycler {
	return &cycler{s: s, worker: newWorker()}
}

func (l *cycler) start() { l.worker.run(l.loop) }

func (l *cycler) loop() {
	for {
		changed := l.s.d.Clock.Changed()
		now := l.s.d.Clock.Now()
		wait := time.Minute
		if err := l.pass(context.Background(), now); err != nil {
			l.s.d.Logger.Error("s3: lifecycle", "err", err)
			wait = lifecycleRetry
		}
		if d := nextMidnight(now).Sub(now); d < wait {
			wait = d
		}
		timer := time.NewTimer(wait)
		select {
		case <-l.quit:
			timer.Stop()
			return
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// lcDay is an nsLifecycle value: the last midnight a bucket's rules were run for.
type lcDay struct {
	Day time.Time `json:"day"`
}

func putLCDay(tx *store.Tx, bucket string, day time.Time) error {
	return tx.PutJSON(nsLifecycle, bucket, lcDay{Day: day})
}

// pass carries out, for every bucket with a lifecycle configuration, the runs of each
// midnight up to now that it has not had.
func (l *cycler) pass(ctx context.Context, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	type entry struct {
		name string
		last time.Time
	}
	var due []entry
	today := now.UTC().Truncate(24 * time.Hour)
	err := l.s.d.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(nsLifecycle, "", 0, func(k string, v []byte) bool {
			var d lcDay
			if json.Unmarshal(v, &d) != nil || d.Day.IsZero() {
				// An entry without a day: run from today.
				d.Day = today.Add(-24 * time.Hour)
			}
			if d.Day.Before(today) {
				due = append(due, entry{k, d.Day})
			}
			return true
		})
	})
	if err != nil {
		return err
	}
	for _, e := range due {
		if err := l.days(ctx, e.name, e.last, today); err != nil {
			return err
		}
	}
	return nil
}

// days runs a bucket's rules for each midnight after last up to today, in order: S3
// takes at most one action on a version per daily run (recorded expectation, 2026:
// lifecycle_execution_replay.json, one-action-per-version-per-day-daywise-reopen and
// -large-clock-advance: a transition one day, the delete marker the next, also after a
// jump of weeks). Midnights on which nothing can fall due are skipped.
func (l *cycler) days(ctx context.Context, name string, last, today time.Time) error {
	for d := last.Add(24 * time.Hour); !d.After(today); {
		select {
		case <-l.quit:
			return nil
		default:
		}
		acted, next, gone, err := l.bucket(ctx, name, d)
		if err != nil {
			return err
		}
		if gone {
			return nil
		}
		ran := d
		if !acted && (next.IsZero() || next.After(today)) {
			// Nothing changed and nothing falls due up to today: the runs in
			// between would find nothing either.
			ran = today
		}
		if err := l.s.d.Store.Update(ctx, func(tx *store.Tx) error {
			if _, ok, err := tx.Get(nsLifecycle, name); err != nil || !ok {
				return err
			}
			return putLCDay(tx, name, ran)
		}); err != nil {
			return err
		}
		switch {
		case ran.Equal(today):
			return nil
		case !acted && next.After(d):
			d = next
		default:
			d = d.Add(24 * time.Hour)
		}
	}
	return nil
}

// bucket runs one bucket's rules for the midnight at: it finds in a snapshot the keys
// and uploads with something due, then acts on each in a transaction of its own,
// deciding again there on what it reads. next is the earliest later midnight at which
// something not yet due falls due (zero: none known).
func (l *cycler) bucket(ctx context.Context, name string, at time.Time) (acted bool, next time.Time, gone bool, err error) {
	s := l.s
	var keys, uploads []string
	err = s.d.Store.View(ctx, func(tx *store.Tx) error {
		b, err := buckets(tx).get(tx, name)
		if err != nil {
			return err
		}
		if b == nil || b.Lifecycle == nil {
			gone = true
			return nil
		}
		var group []*objRec
		key := ""
		flush := func() {
			if len(group) > 0 && len(planKey(b, group, at, &next)) > 0 {
				keys = append(keys, key)
			}
			group = nil
		}
		var ferr error
		err = tx.Scan(nsVer(name), "", 0, func(k string, v []byte) bool {
			o := &objRec{}
			if ferr = json.Unmarshal(v, o); ferr != nil {
				return false
			}
			if k, _, _ := strings.Cut(k, "\x00"); k != key || group == nil {
				flush()
				key = k
			}
			group = append(group, o)
			return true
		})
		if err == nil {
			err = ferr
		}
		if err != nil {
			return err
		}
		flush()
		return tx.Scan(nsUploads(name), "", 0, func(k string, v []byte) bool {
			u := &uploadRec{}
			if ferr = json.Unmarshal(v, u); ferr != nil {
				return false
			}
			if abortDue(b, u, at, &next) {
				uploads = append(uploads, k)
			}
			return true
		})
	})
	if err != nil || gone {
		if gone {
			err = s.d.Store.Update(ctx, func(tx *store.Tx) error {
				b, err := buckets(tx).get(tx, name)
				if err != nil || b != nil && b.Lifecycle != nil {
					return err
				}
				_, err = tx.Delete(nsLifecycle, name)
				return err
			})
		}
		return false, time.Time{}, gone, err
	}
	for _, key := range keys {
		if err := l.act(ctx, name, at, func(c *server.Call, b *bucketRec) error {
			var versions []*objRec
			if err := versionsOf(c.Tx, name, key, func(o *objRec) (bool, error) {
				versions = append(versions, o)
				return true, nil
			}); err != nil {
				return err
			}
			for _, a := range planKey(b, versions, at, nil) {
				if err := s.lifecycleAction(c, b, a); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return false, next, false, err
		}
	}
	for _, k := range uploads {
		if err := l.act(ctx, name, at, func(c *server.Call, b *bucketRec) error {
			u, err := load[uploadRec](c.Tx, nsUploads(name), k)
			if err != nil || u == nil || !abortDue(b, u, at, nil) {
				return err
			}
			if err := s.dropUpload(c.Tx, b, u); err != nil {
				return err
			}
			if err := lifecycleLog(c, b, "S3.DELETE.UPLOAD", u.Key, 0, ""); err != nil {
				return err
			}
			// Known as aborted afterwards, as an AbortMultipartUpload leaves it.
			return putJSON(c.Tx, nsAborted(b.Name), verKey(u.Key, u.UploadID), c.Now)
		}); err != nil {
			return false, next, false, err
		}
	}
	return len(keys)+len(uploads) > 0, next, false, nil
}

// act runs fn in a transaction of its own, with a call made as S3 itself (for the
// event notifications it queues; no CloudTrail record is written for it).
func (l *cycler) act(ctx context.Context, name string, now time.Time, fn func(c *server.Call, b *bucketRec) error) error {
	s := l.s
	return s.d.Store.Update(ctx, func(tx *store.Tx) error {
		b, err := buckets(tx).get(tx, name)
		if err != nil || b == nil || b.Lifecycle == nil {
			return err
		}
		p := auth.Principal{Type: auth.AWSService, ARN: ServicePrincipal, UserID: ServicePrincipal}
		var c *server.Call
		if s.srv != nil {
			if c, err = s.srv.NewCall(ctx, "s3", "DeleteObject", p, b.Owner, b.Region); err != nil {
				return err
			}
		} else {
			c = &server.Call{Context: ctx, RequestID: auth.NewUUID(), Principal: p, Account: b.Owner, Region: b.Region}
		}
		c.Tx, c.Now = tx, now
		c.SourceIP = ServicePrincipal
		return fn(c, b)
	})
}

// abortDue: an enabled rule with AbortIncompleteMultipartUpload selects the upload's
// key and its days have passed since it began (rounded up to midnight) by at; a later
// abort is noted in next.
func abortDue(b *bucketRec, u *uploadRec, at time.Time, next *time.Time) bool {
	for i := range b.Lifecycle.Rules {
		r := &b.Lifecycle.Rules[i]
		a := r.AbortIncompleteMultipartUpload
		if r.Status != "Enabled" || a == nil || a.DaysAfterInitiation == nil || !strings.HasPrefix(u.Key, ruleFilter(r).prefix) {
			continue
		}
		if due := afterDays(u.Initiated, *a.DaysAfterInitiation); !due.After(at) {
			return true
		} else {
			noteNext(next, due)
		}
	}
	return false
}

// noteNext keeps in next the earliest of the due times it is given.
func noteNext(next *time.Time, due time.Time) {
	if next != nil && !due.IsZero() && (next.IsZero() || due.Before(*next)) {
		*next = due
	}
}

// abortRule is the x-amz-abort-date and x-amz-abort-rule-id CreateMultipartUpload
// answers for an upload of key begun at t: the earliest abort of the enabled rules that
// select it.
func abortRule(b *bucketRec, key string, t time.Time) (*time.Time, *string) {
	if b.Lifecycle == nil {
		return nil, nil
	}
	var at time.Time
	var id string
	for i := range b.Lifecycle.Rules {
		r := &b.Lifecycle.Rules[i]
		a := r.AbortIncompleteMultipartUpload
		if r.Status != "Enabled" || a == nil || a.DaysAfterInitiation == nil || !strings.HasPrefix(key, ruleFilter(r).prefix) {
			continue
		}
		if d := afterDays(t, *a.DaysAfterInitiation); at.IsZero() || d.Before(at) {
			at, id = d, str(r.ID)
		}
	}
	if at.IsZero() {
		return nil, nil
	}
	return &at, &id
}

type lcKind int

const (
	lcExpire     lcKind = iota // the current version: a delete marker, or removal when unversioned
	lcRemove                   // a noncurrent version or an expired delete marker, for good
	lcTransition               // a storage class change
)

type lcAction struct {
	kind  lcKind
	o     *objRec
	class string
}

// classRank orders the storage classes lifecycle moves objects down through (User
// Guide, "Transitioning objects using Amazon S3 Lifecycle": the waterfall); a
// transition never moves an object up.
var classRank = map[string]int{"": 0, "STANDARD": 0, "REDUCED_REDUNDANCY": 0, "INTELLIGENT_TIERING": 1, "STANDARD_IA": 1,
	"ONEZONE_IA": 2, "GLACIER_IR": 3, "GLACIER": 4, "DEEP_ARCHIVE": 5}

// canMove reports whether lifecycle moves an object from one class to another: down
// the waterfall, except that S3 One Zone-IA goes only to the Glacier Flexible
// Retrieval and Deep Archive classes (User Guide, "Supported lifecycle transitions";
// recorded expectation, 2026: lifecycle_execution_replay.json, no-one-zone-to-instant),
// and STANDARD_IA may go to INTELLIGENT_TIERING.
func canMove(from, to string) bool {
	switch {
	case from == "ONEZONE_IA":
		return to == "GLACIER" || to == "DEEP_ARCHIVE"
	case from == "STANDARD_IA" && to == "INTELLIGENT_TIERING":
		return true
	}
	return classRank[to] > classRank[from]
}

// protected: Object Lock keeps the version (a retention in force or a legal hold);
// lifecycle never removes it (User Guide, "Object Lock considerations").
func protected(o *objRec, now time.Time) bool {
	return o.Lock != nil && (o.Lock.retained(now) || o.Lock.Hold == "ON")
}

// notBefore is t, or the first midnight after since when that is later: rules are
// evaluated at midnights, so nothing created during a day is acted on before the next
// (recorded expectation, 2026: lifecycle_execution_replay.json, a past Date expires an
// object written at noon at the following midnight).
func notBefore(t, since time.Time) time.Time {
	if m := nextMidnight(since); m.After(t) {
		return m
	}
	return t
}

// planKey is what b's rules make due at now for one key, its versions newest first: at
// most one action for each version (see cycler.days). Due times still to come are
// noted in next.
func planKey(b *bucketRec, versions []*objRec, now time.Time, next *time.Time) []lcAction {
	if b.Lifecycle == nil || len(versions) == 0 {
		return nil
	}
	var rules []*api.LifecycleRule
	for i := range b.Lifecycle.Rules {
		if r := &b.Lifecycle.Rules[i]; r.Status == "Enabled" {
			rules = append(rules, r)
		}
	}
	var acts []lcAction
	cur := versions[0]
	switch {
	case !cur.DeleteMarker:
		expired := false
		for _, r := range rules {
			if t := expiry(r, cur); !t.IsZero() && ruleFilter(r).matches(cur) {
				if due := notBefore(t, cur.LastModified); !due.After(now) {
					expired = true
				} else {
					noteNext(next, due)
				}
			}
		}
		class := transitionTo(b, rules, cur, cur.LastModified, now, false, 0, next)
		// Permanent deletion wins over a transition due the same day (unversioned,
		// or the null version a suspended bucket's marker replaces: recorded
		// expectation age-transition-loses-to-permanent-deletion); a transition wins
		// over a delete marker, which comes at the next run (User Guide, "Lifecycle
		// configuration conflicts"; one-action-per-version-per-day-daywise-reopen).
		permanent := b.Versioning == "" || b.Versioning == "Suspended" && cur.VersionID == "null"
		switch {
		case expired && (permanent || class == ""):
			acts = append(acts, lcAction{kind: lcExpire, o: cur})
		case class != "":
			acts = append(acts, lcAction{kind: lcTransition, o: cur, class: class})
			if expired {
				noteNext(next, now.Add(24*time.Hour))
			}
		}
	case len(versions) == 1:
		// An expired object delete marker: the key's only version. A rule with
		// ExpiredObjectDeleteMarker removes it at the next run; one that expires
		// current versions after Days removes it once it is that old (User Guide,
		// "Removing expired object delete markers": "When you specify the Days tag,
		// Amazon S3 automatically performs ExpiredObjectDeleteMarker cleanup when the
		// delete markers are old enough").
		for _, r := range rules {
			e := r.Expiration
			if e == nil || !ruleFilter(r).matches(cur) {
				continue
			}
			var due time.Time
			switch {
			case e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker:
				due = nextMidnight(cur.LastModified)
			case e.Days != nil:
				due = afterDays(cur.LastModified, *e.Days)
			case e.Date != nil:
				due = notBefore(e.Date.UTC(), cur.LastModified)
			default:
				continue
			}
			if !due.After(now) {
				acts = append(acts, lcAction{kind: lcRemove, o: cur})
				break
			}
			noteNext(next, due)
		}
	}
	newer := 0 // noncurrent versions newer than the one at hand
	for i := 1; i < len(versions); i++ {
		o := versions[i]
		if o.DeleteMarker {
			// Noncurrent delete markers are left as they are (inferred).
			continue
		}
		// A version is noncurrent since its successor was written.
		since := versions[i-1].LastModified
		n := newer
		newer++
		expired := false
		for _, r := range rules {
			x := r.NoncurrentVersionExpiration
			if x == nil || x.NoncurrentDays == nil || !ruleFilter(r).matches(o) {
				continue
			}
			if keep := x.NewerNoncurrentVersions; keep != nil && n < int(*keep) {
				continue
			}
			if due := afterDays(since, *x.NoncurrentDays); !due.After(now) {
				expired = true
			} else {
				noteNext(next, due)
			}
		}
		if expired && !protected(o, now) {
			// Permanent deletion wins over a transition (noncurrent-successor-clock-
			// retention-and-permanent-delete-precedence).
			acts = append(acts, lcAction{kind: lcRemove, o: o})
			continue
		}
		if class := transitionTo(b, rules, o, since, now, true, n, next); class != "" {
			acts = append(acts, lcAction{kind: lcTransition, o: o, class: class})
		}
	}
	return acts
}

// transitionTo is the coldest storage class a due transition moves o to ("" for none):
// current versions by Transitions counted from creation, noncurrent ones by
// NoncurrentVersionTransitions counted from since, keeping the newer versions a rule
// asks to keep (n of them are newer than o). Transitions still to come are noted in
// next.
func transitionTo(b *bucketRec, rules []*api.LifecycleRule, o *objRec, since, now time.Time, noncurrent bool, n int, next *time.Time) string {
	best := ""
	consider := func(f filterSpec, class string, due time.Time) {
		if !canMove(o.StorageClass, class) || best != "" && classRank[class] <= classRank[best] || !transitionSize(b, f, o, class) {
			return
		}
		if due.After(now) {
			noteNext(next, due)
			return
		}
		best = class
	}
	for _, r := range rules {
		f := ruleFilter(r)
		if !f.matches(o) {
			continue
		}
		if noncurrent {
			for _, t := range r.NoncurrentVersionTransitions {
				if keep := t.NewerNoncurrentVersions; keep != nil && n < int(*keep) {
					continue
				}
				consider(f, str(t.StorageClass), afterDays(since, *t.NoncurrentDays))
			}
			continue
		}
		for _, t := range r.Transitions {
			due := time.Time{}
			if t.Days != nil {
				due = afterDays(since, *t.Days)
			} else if t.Date != nil {
				due = notBefore(t.Date.UTC(), since)
			}
			consider(f, str(t.StorageClass), due)
		}
	}
	return best
}

// transitionSize applies the configuration's minimum object size for transitions
// (API Reference, PutBucketLifecycleConfiguration,
// x-amz-transition-default-minimum-object-size): all_storage_classes_128K keeps
// objects under 128 KiB where they are, varies_by_storage_class lets them go to
// GLACIER and DEEP_ARCHIVE only; a rule with its own ObjectSizeGreaterThan decides by
// that instead (User Guide: a size filter allows smaller objects to transition).
func transitionSize(b *bucketRec, f filterSpec, o *objRec, class string) bool {
	const min = 128 * 1024
	if f.gt != nil || o.Size >= min {
		return true
	}
	return b.Lifecycle.minSize() == "varies_by_storage_class" && (class == "GLACIER" || class == "DEEP_ARCHIVE")
}

// lifecycleAction carries out one action in c's transaction, with its event
// notifications (User Guide, "Event notification types": s3:LifecycleExpiration:Delete,
// s3:LifecycleExpiration:DeleteMarkerCreated, s3:LifecycleTransition).
func (s *Service) lifecycleAction(c *server.Call, b *bucketRec, a lcAction) error {
	o := a.o
	switch a.kind {
	case lcExpire:
		if b.Versioning == "" {
			if err := s.deleteVersion(c.Tx, b, o); err != nil {
				return err
			}
			if err := lifecycleLog(c, b, "S3.EXPIRE.OBJECT", o.Key, o.Size, ""); err != nil {
				return err
			}
			return s.lifecycleEvent(c, b, "LifecycleExpiration:Delete", objectEvent{key: o.Key})
		}
		// A delete marker, the null version's in a suspended bucket, replacing the
		// null version there (User Guide, "Expiring objects").
		marker := &objRec{Key: o.Key, DeleteMarker: true, LastModified: timeTrunc(c.Now), Owner: b.Owner}
		if err := s.writeVersion(c.Tx, b, marker); err != nil {
			return err
		}
		if err := lifecycleLog(c, b, "S3.CREATE.DELETEMARKER", o.Key, 0, marker.VersionID); err != nil {
			return err
		}
		return s.lifecycleEvent(c, b, "LifecycleExpiration:DeleteMarkerCreated", objectEvent{key: o.Key, version: marker.VersionID})
	case lcRemove:
		if protected(o, c.Now) {
			return nil
		}
		if err := s.deleteVersion(c.Tx, b, o); err != nil {
			return err
		}
		if err := lifecycleLog(c, b, "S3.EXPIRE.OBJECT", o.Key, o.Size, o.VersionID); err != nil {
			return err
		}
		return s.lifecycleEvent(c, b, "LifecycleExpiration:Delete", objectEvent{key: o.Key, version: o.VersionID})
	case lcTransition:
		o.StorageClass, o.Restore = a.class, nil
		if err := s.rewriteVersion(c.Tx, b, o); err != nil {
			return err
		}
		version := ""
		if b.Versioning != "" {
			version = o.VersionID
		}
		if err := lifecycleLog(c, b, transitionLogOps[a.class], o.Key, o.Size, version); err != nil {
			return err
		}
		oe := objectEvent{key: o.Key, size: &o.Size, etag: o.ETag}
		if b.Versioning != "" {
			oe.version = o.VersionID
		}
		return s.lifecycleEvent(c, b, "LifecycleTransition", oe, a.class)
	}
	return nil
}

// lifecycleEvent queues the event notification of a lifecycle action for each
// destination of b that wants it, in the action's transaction, through the notifier's
// outbox as the object events are. The record is the object events' but for what S3
// writes of its own actions (User Guide, "Event message structure" and "Using Lifecycle
// event notifications"; recorded expectation, 2026: lifecycle_execution_replay.json,
// transactional-lifecycle-queue-eventbridge-and-no-fabricated-cloudtrail): the
// principal is s3.amazonaws.com itself, and a transition says where the object went in
// lifecycleEventData.
func (s *Service) lifecycleEvent(c *server.Call, b *bucketRec, event string, oe objectEvent, class ...string) error {
	if b.Notify == nil {
		return nil
	}
	oe.sequencer = s.sequencer(c)
	queued := false
	for _, group := range [][]notifyTarget{b.Notify.Queues, b.Notify.Topics} {
		for _, t := range group {
			if !t.wants(event, oe.key) {
				continue
			}
			body := strings.Replace(record(c, b, event, t.ID, oe), `"principalId":`+quoteJSON(eventPrincipal(c.Principal)),
				`"principalId":`+quoteJSON(ServicePrincipal), 1)
			if len(class) > 0 {
				body = strings.TrimSuffix(body, "}]}") + `,"lifecycleEventData":{"transitionEventData":{"destinationStorageClass":` + quoteJSON(class[0]) + `}}}]}`
			}
			n := Notice{Destination: t.ARN, Bucket: b.arn(), Owner: b.Owner, Subject: notifySubject, Body: body}
			if err := s.notes.enqueue(c.Tx, &n, c.Now); err != nil {
				return err
			}
			queued = true
		}
	}
	if queued {
		c.Tx.AfterCommit(s.notes.poke)
	}
	return nil
}

// transitionLogOps name transitions in server access logs (User Guide, "How S3
// Lifecycle interacts with other bucket configurations", Lifecycle and logging).
var transitionLogOps = map[string]string{"STANDARD_IA": "S3.TRANSITION_SIA.OBJECT", "ONEZONE_IA": "S3.TRANSITION_ZIA.OBJECT",
	"INTELLIGENT_TIERING": "S3.TRANSITION_INT.OBJECT", "GLACIER_IR": "S3.TRANSITION_GIR.OBJECT", "GLACIER": "S3.TRANSITION.OBJECT",
	"DEEP_ARCHIVE": "S3.TRANSITION_GDA.OBJECT"}

// lifecycleLogSeq numbers the access log records lifecycle queues; its high bit keeps
// them apart from the request records' numbers in the queue's keys.
var lifecycleLogSeq atomic.Uint64

// lifecycleLog queues the server access log record of a lifecycle action in the
// action's transaction, when the bucket logs: S3 logs lifecycle actions, though
// CloudTrail does not see them (User Guide, "Lifecycle and logging"). The record names
// S3 itself as the requester and has no request (the requester's name, "AmazonS3", is
// inferred).
func lifecycleLog(c *server.Call, b *bucketRec, op, key string, size int64, version string) error {
	if b.Logging == nil {
		return nil
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	sz := "-"
	if size > 0 {
		sz = strconv.FormatInt(size, 10)
	}
	var hostID [32]byte
	rand.Read(hostID[:])
	line := strings.Join([]string{canonicalID(b.Owner), b.Name, "[" + c.Now.UTC().Format("02/Jan/2006:15:04:05 -0700") + "]", "-", "AmazonS3",
		c.RequestID, op, logEscape(key), "-", "-", "-", "-", sz, "-", "-", `"-"`, `"-"`, dash(version), hex.EncodeToString(hostID[:]),
		"-", "-", "-", "-", "-", "-", "-"}, " ")
	var k [16]byte
	binary.BigEndian.PutUint64(k[:8], uint64(c.Now.UnixMilli()))
	binary.BigEndian.PutUint64(k[8:], 1<<63|lifecycleLogSeq.Add(1))
	return putJSON(c.Tx, nsLogQueue, b.Logging.TargetBucket+"\x00"+hex.EncodeToString(k[:]),
		logEntry{Source: b.Name, Account: b.Owner, Region: b.Region, Time: c.Now.UnixMilli(), Line: line})
}
