package sqs

import (
	"context"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// inactiveAfter is how long a queue without messages and without calls keeps
// reporting: "queues that are inactive for more than six hours" stop (SQS Developer
// Guide, "Monitoring Amazon SQS queues using CloudWatch").
const inactiveAfter = 6 * time.Hour

type metricKey struct {
	r      queueRef
	name   string
	minute int64
}

type metricAgg struct{ n, sum, lo, hi float64 }

// sample counts one per-call sample of a counter (the number of messages the call
// sent, received or deleted; each message's size), once tx commits. AWS reports each
// call as a sample: three SendMessage calls are SampleCount 3, a batch of 5 one
// sample of 5 (recorded, 2026: sqs/metrics.json).
func (q *SQS) sample(tx *store.Tx, r queueRef, now time.Time, name string, v float64) {
	if q.d.Metrics == nil {
		return
	}
	tx.AfterCommit(func() { q.record(r, now, name, v) })
}

// record counts a sample at once, whatever becomes of the call's transaction.
func (q *SQS) record(r queueRef, now time.Time, name string, v float64) {
	if q.d.Metrics == nil {
		return
	}
	minute := now.Truncate(time.Minute).UnixMilli()
	func() {
		q.mmu.Lock()
		defer q.mmu.Unlock()
		k := metricKey{r, name, minute}
		a, ok := q.pending[k]
		if !ok {
			a = &metricAgg{lo: v, hi: v}
			q.pending[k] = a
		}
		a.n++
		a.sum += v
		a.lo, a.hi = min(a.lo, v), max(a.hi, v)
		q.active[r] = max(q.active[r], now.UnixMilli())
		q.seen[k] = true
	}()
}

// sentSize is a message's SentMessageSize: its body, and each attribute's name, data
// type and value as submitted (a Number's spelling unnormalized), AWSTraceHeader
// included (recorded, 2026: sqs/request_metrics.json, size_rule and size_examples:
// 1+8+13+6 = 28 for a String attribute, 1+14+6+74 = 95 for a trace header).
func sentSize(body string, attrs map[string]api.MessageAttributeValue, trace string) int {
	n := len(body)
	for name, a := range attrs {
		n += len(name) + len(a.DataType) + len(svckit.Str(a.StringValue)) + len(a.BinaryValue)
	}
	if trace != "" {
		n += len("AWSTraceHeader") + len("String") + len(trace)
	}
	return n
}

// refusedBatchSizes counts the SentMessageSize of each entry of a SendMessageBatch
// refused whole before any entry was sent (entry IDs, entry count, a FIFO entry's
// group, deduplication ID or delay): AWS was recorded counting them, the last of
// entries sharing an ID only (recorded, 2026: sqs/request_metrics.json,
// failed_request_exceptions and validation_boundary_controls).
func (q *SQS) refusedBatchSizes(r queueRef, now time.Time, entries []api.SendMessageBatchRequestEntry) {
	last := map[string]int{}
	for i, e := range entries {
		last[e.Id] = i
	}
	for i, e := range entries {
		if last[e.Id] != i {
			continue
		}
		trace, _ := traceHeader(e.MessageSystemAttributes)
		q.record(r, now, "SentMessageSize", float64(sentSize(e.MessageBody, e.MessageAttributes, trace)))
	}
}

// touch marks a queue active ("any API action" on it: SQS Developer Guide,
// "Monitoring Amazon SQS queues using CloudWatch"): at once for a read, once tx
// commits for a write.
func (q *SQS) touch(tx *store.Tx, r queueRef, now time.Time) {
	if q.d.Metrics == nil {
		return
	}
	mark := func() {
		q.mmu.Lock()
		q.active[r] = max(q.active[r], now.UnixMilli())
		q.mmu.Unlock()
	}
	if tx.ReadOnly() {
		mark()
		return
	}
	tx.AfterCommit(mark)
}

var counterUnit = map[string]string{"SentMessageSize": "Bytes"}

// idleCounters are the counters an active queue reports as 0 in a minute without
// calls; SentMessageSize is not among them (recorded, 2026: sqs/request_metrics.json
// idle zeros for Sent, Received, Deleted and EmptyReceives, and Deduplicated for a
// FIFO queue; "no SentMessageSize or standard Deduplicated idle sample").
var idleCounters = []string{"NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted", "NumberOfEmptyReceives"}

// flushMetrics hands the counters gathered since the last flush to CloudWatch.
func (q *SQS) flushMetrics(ctx context.Context) {
	q.mmu.Lock()
	pending := q.pending
	if len(pending) == 0 {
		q.mmu.Unlock()
		return
	}
	q.pending = map[metricKey]*metricAgg{}
	q.mmu.Unlock()
	by := map[[2]string][]svckit.MetricSample{}
	for k, a := range pending {
		unit := counterUnit[k.name]
		if unit == "" {
			unit = "Count"
		}
		ar := [2]string{k.r.Account, k.r.Region}
		by[ar] = append(by[ar], svckit.MetricSample{Resource: k.r.Name, Name: k.name, Unit: unit, Minute: time.UnixMilli(k.minute).UTC(),
			SampleCount: a.n, Sum: a.sum, Minimum: a.lo, Maximum: a.hi})
	}
	err := q.d.Store.Update(ctx, func(tx *store.Tx) error {
		for ar, data := range by {
			if err := q.d.Metrics.PutMetrics(tx, ar[0], ar[1], data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		q.d.Logger.Error("sqs: publish metrics", "err", err)
	}
}

// loadActive learns, once, the queues stored before this process started: each is
// active from its last change, and any holding messages reports regardless.
func (q *SQS) loadActive(ctx context.Context) {
	err := q.d.Store.View(ctx, func(tx *store.Tx) error {
		names, err := tx.Namespaces("sqs/")
		if err != nil {
			return err
		}
		for _, n := range names {
			parts := strings.Split(n, "/")
			if len(parts) != 4 || parts[3] != tQueues {
				continue
			}
			err := tx.Scan(n, "", 0, func(k string, v []byte) bool {
				rec := &queueRec{}
				if decode(v, rec) == nil {
					r := queueRef{Account: parts[1], Region: parts[2], Name: k}
					q.mmu.Lock()
					q.active[r] = max(q.active[r], rec.Modified.UnixMilli())
					q.mmu.Unlock()
				}
				return true
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		q.d.Logger.Error("sqs: list queues for metrics", "err", err)
	}
}

// publishGauges samples every active queue's approximate counts and the age of its
// oldest message for the minute of now (one sample a minute: AWS's gauges are
// reported each minute).
func (q *SQS) publishGauges(ctx context.Context, now time.Time) {
	q.mmu.Lock()
	refs := make(map[queueRef]int64, len(q.active))
	for r, at := range q.active {
		refs[r] = at
	}
	seen := q.seen
	q.seen = map[metricKey]bool{}
	q.mmu.Unlock()
	minute := now.Truncate(time.Minute).UTC()
	nowMs := now.UnixMilli()
	var gone []queueRef
	// The queues are read in a snapshot, so the scan holds up no write; the
	// datapoints are written after.
	by := map[[2]string][]svckit.MetricSample{}
	err := q.d.Store.View(ctx, func(tx *store.Tx) error {
		for r, at := range refs {
			rec, err := loadQueue(tx, r)
			if err != nil {
				return err
			}
			if rec == nil {
				gone = append(gone, r)
				continue
			}
			var n counts
			oldest, oldestPoison := int64(-1), int64(-1)
			fifo := rec.Attributes["FifoQueue"] == "true"
			inflightGroups := map[string]bool{}
			grouped := false // a standard queue with message groups: a fair queue
			cutoff := nowMs - retention(rec)*1000
			err = tx.Scan(msgNS(r.Account, r.Region, r.Name), "", 0, func(_ string, v []byte) bool {
				m := &msgRec{}
				if decode(v, m) != nil || m.Sent < cutoff {
					return true
				}
				grouped = grouped || m.GroupID != ""
				switch {
				case m.VisibleAt <= nowMs:
					n.visible++
				case m.Receives > 0:
					n.inflight++
					inflightGroups[m.GroupID] = true
				default:
					n.delayed++
					return true // not yet in the queue: no age
				}
				// A message received more than three times no longer holds the age
				// up: it follows the next oldest (SQS Developer Guide; recorded, 2026:
				// sqs/queue_metrics.json, poison: still the old message after three
				// receives, the younger one after the fourth).
				o := m.origin()
				switch {
				case m.Receives-m.BaseReceives > 3:
					if oldestPoison < 0 || o < oldestPoison {
						oldestPoison = o
					}
				case oldest < 0 || o < oldest:
					oldest = o
				}
				return true
			})
			if err != nil {
				return err
			}
			if n.visible+n.inflight+n.delayed == 0 && nowMs-at > inactiveAfter.Milliseconds() {
				continue
			}
			if oldest < 0 {
				oldest = oldestPoison
			}
			age := 0.0
			if oldest >= 0 {
				age = float64((nowMs - oldest) / 1000)
			}
			g := func(name, unit string, v float64) svckit.MetricSample {
				return svckit.MetricSample{Resource: r.Name, Name: name, Unit: unit, Minute: minute, SampleCount: 1, Sum: v, Minimum: v, Maximum: v}
			}
			ar := [2]string{r.Account, r.Region}
			by[ar] = append(by[ar],
				g("ApproximateNumberOfMessagesVisible", "Count", float64(n.visible)),
				g("ApproximateNumberOfMessagesNotVisible", "Count", float64(n.inflight)),
				g("ApproximateNumberOfMessagesDelayed", "Count", float64(n.delayed)),
				g("ApproximateAgeOfOldestMessage", "Seconds", age))
			switch {
			case fifo:
				// Six held messages of three groups gave 3 (recorded, 2026:
				// sqs/queue_metrics.json, "FIFO group gauge").
				by[ar] = append(by[ar], g("ApproximateNumberOfGroupsWithInflightMessages", "Count", float64(len(inflightGroups))))
			case grouped:
				// A fair queue's quiet-group gauges. Palisade finds no group noisy
				// (AWS's classifier is not documented; AWS was recorded reporting 0
				// noisy groups throughout, with quiet gauges matching all the work:
				// sqs/queue_metrics.json, "Fair gauges"), so they equal the queue's.
				by[ar] = append(by[ar],
					g("ApproximateNumberOfNoisyGroups", "Count", 0),
					g("ApproximateNumberOfMessagesVisibleInQuietGroups", "Count", float64(n.visible)),
					g("ApproximateNumberOfMessagesNotVisibleInQuietGroups", "Count", float64(n.inflight)),
					g("ApproximateNumberOfMessagesDelayedInQuietGroups", "Count", float64(n.delayed)),
					g("ApproximateAgeOfOldestMessageInQuietGroups", "Seconds", age))
			}
			// The minute just over: its counters without a call are 0.
			prev := minute.Add(-time.Minute)
			idle := idleCounters
			if fifo {
				idle = append(idle[:len(idle):len(idle)], "NumberOfDeduplicatedSentMessages")
			}
			for _, name := range idle {
				if !seen[metricKey{r, name, prev.UnixMilli()}] {
					z := g(name, "Count", 0)
					z.Minute = prev
					by[ar] = append(by[ar], z)
				}
			}
		}
		return nil
	})
	if err == nil && len(by) > 0 {
		err = q.d.Store.Update(ctx, func(tx *store.Tx) error {
			for ar, data := range by {
				if err := q.d.Metrics.PutMetrics(tx, ar[0], ar[1], data); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		if ctx.Err() == nil {
			q.d.Logger.Error("sqs: publish queue gauges", "err", err)
		}
		return
	}
	if len(gone) > 0 {
		q.mmu.Lock()
		for _, r := range gone {
			delete(q.active, r)
		}
		q.mmu.Unlock()
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
