package logs

import (
	"context"
	"sort"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/store"
)

// Event is one log event another service hands to CloudWatch Logs.
type Event struct {
	Timestamp int64 // milliseconds since the epoch
	Message   string
}

// PutEventsAsService puts events into a log stream on behalf of an AWS service,
// without an authorization check: the caller has made its own. The stream is created
// if it does not exist. Events are sorted by timestamp and split into batches that
// obey PutLogEvents' limits (10,000 events, 1 MB, 24 hours), each committed in its own
// transaction with its metric filters' datapoints. Events PutLogEvents would reject
// (more than 14 days old, beyond the retention period, more than 2 hours ahead of
// Palisade's clock) are dropped. The error is CloudWatch Logs' own
// (ResourceNotFoundException when the group does not exist) or a store failure.
func (l *Logs) PutEventsAsService(ctx context.Context, account, region, group, stream string, events []Event) error {
	return l.putEvents(ctx, putter{}, account, region, group, stream, events)
}

// PutEventsAs is PutEventsAsService for a principal that must be allowed to call
// logs:CreateLogStream (when the stream is new) and logs:PutLogEvents on the stream
// by its policies, as when CloudTrail delivers with the role a trail names. A denial
// is CloudWatch Logs' AccessDeniedException with AWS's message; nothing is written.
func (l *Logs) PutEventsAs(ctx context.Context, p auth.Principal, region, group, stream string, events []Event) error {
	return l.putEvents(ctx, putter{principal: &p}, p.Account, region, group, stream, events)
}

// putter is who puts events for another service: a principal its policies must
// allow, an AWS service CloudWatch Logs' resource policies must allow, or neither
// (the caller has checked).
type putter struct {
	principal *auth.Principal
	source    *ServiceSource
}

func (l *Logs) check(tx *store.Tx, p putter, account, region, group, action, resource string, now time.Time) error {
	switch {
	case p.principal != nil:
		return l.authorize(tx, *p.principal, region, action, resource, now)
	case p.source != nil:
		return l.authorizeService(tx, p.source, account, region, group, action, resource, now)
	}
	return nil
}

func (l *Logs) putEvents(ctx context.Context, p putter, account, region, group, stream string, events []Event) error {
	batches := splitBatches(sortedEvents(events))
	if len(batches) == 0 {
		batches = [][]event{nil} // still create the stream and check access
	}
	for _, b := range batches {
		err := l.d.Store.Update(ctx, func(tx *store.Tx) error {
			now := l.d.Clock.Now()
			g, err := loadGroup(tx, account, region, group)
			if err != nil {
				return err
			}
			return l.putBatch(tx, p, account, region, g, stream, b, now)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// putBatch puts one batch (in timestamp order, within PutLogEvents' limits) into
// stream of group g in tx: it creates the stream when missing and p may
// logs:CreateLogStream, then needs logs:PutLogEvents on it. An empty batch only
// creates the stream and checks access.
func (l *Logs) putBatch(tx *store.Tx, p putter, account, region string, g *groupRec, stream string, b []event, now time.Time) error {
	arn := streamARN(region, account, g.Name, stream)
	s, err := loadStream(tx, account, region, g.Name, stream)
	if err != nil {
		if err := l.check(tx, p, account, region, g.Name, "logs:CreateLogStream", arn, now); err != nil {
			return err
		}
		var created bool
		if s, created, err = createStream(tx, account, region, g, stream, ms(now)); err != nil || !created {
			return err
		}
	}
	if err := l.check(tx, p, account, region, g.Name, "logs:PutLogEvents", arn, now); err != nil {
		return err
	}
	if len(b) == 0 {
		return nil
	}
	_, err = l.ingest(tx, account, region, g, s, b, now)
	return err
}

func (l *Logs) authorize(tx *store.Tx, p auth.Principal, region, action, resource string, now time.Time) error {
	if l.d.Authz == nil {
		return nil
	}
	d, err := l.d.Authz.Decide(tx, &authz.Caller{Principal: p, Region: region, Now: now}, &authz.Check{Action: action, Resource: resource})
	if err != nil {
		return err
	}
	if !d.Allowed() {
		return api.NewAccessDeniedException(d.Message())
	}
	return nil
}

// sortedEvents is events as the store takes them, in timestamp order (stable).
func sortedEvents(events []Event) []event {
	sorted := make([]event, len(events))
	for i, e := range events {
		sorted[i] = event{ts: e.Timestamp, msg: e.Message}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ts < sorted[j].ts })
	return sorted
}

// splitBatches cuts events (in timestamp order) into batches within PutLogEvents'
// limits.
func splitBatches(events []event) [][]event {
	var out [][]event
	start, size := 0, 0
	for i, e := range events {
		n := len(e.msg) + eventOverhead
		if i > start && (i-start >= pageEvents || size+n > maxBatchBytes || e.ts-events[start].ts > int64(maxBatchSpan/time.Millisecond)) {
			out = append(out, events[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(events) {
		out = append(out, events[start:])
	}
	return out
}
