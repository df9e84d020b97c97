package sns

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

type metricKey struct {
	account, region, topic, name string
	minute                       int64
}

type metricAgg struct{ n, sum, lo, hi float64 }

// metrics gathers committed samples until the next flush. SNS reports no sample in
// a minute without activity (recorded, 2026: sns/metrics.json,
// idle_bucket_absent_for_all_queried_metrics), so nothing is published for idle
// topics.
type metrics struct {
	mu      sync.Mutex
	pending map[metricKey]*metricAgg
}

// sample counts one sample of a topic's metric once tx commits: each Publish is one
// sample of NumberOfMessagesPublished and of PublishSize, a PublishBatch one of its
// published entries; each subscription a message reaches one of
// NumberOfNotificationsFailed, 0 unless it failed (recorded, 2026: sns/metrics.json,
// metric_bucket_summary).
func (s *SNS) sample(tx *store.Tx, t topicRef, now time.Time, name string, v float64) {
	if s.d.Metrics == nil {
		return
	}
	k := metricKey{t.Account, t.Region, t.Name, name, now.Truncate(time.Minute).UnixMilli()}
	add := func() {
		s.m.mu.Lock()
		defer s.m.mu.Unlock()
		a, ok := s.m.pending[k]
		if !ok {
			a = &metricAgg{lo: v, hi: v}
			s.m.pending[k] = a
		}
		a.n++
		a.sum += v
		a.lo, a.hi = min(a.lo, v), max(a.hi, v)
	}
	if tx == nil {
		add()
		return
	}
	tx.AfterCommit(add)
}

// PublishSize counts the message and its attributes' names, types and values, not
// the subject (recorded, 2026: sns/metrics.json, 31 bytes for a 31-byte body with or
// without a subject, 62 with attributes kind=keep and detail=é界).
func (m *message) size(published string) int {
	n := len(published)
	for name, a := range m.attrs {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// filterMetrics are the metrics a subscription's filter policy rejecting m adds: the
// reason, and NumberOfNotificationsFilteredOut unless the message had no attributes
// to match or a body that is not JSON (recorded, 2026: sns/metrics.json, 12:08 and
// 12:10 buckets).
func filterMetrics(sub *subRec, m *message) []string {
	if sub.Attributes["FilterPolicyScope"] == "MessageBody" {
		if _, err := parseBody(m.text(sub.Protocol)); err != nil {
			return []string{"NumberOfNotificationsFilteredOut-InvalidMessageBody"}
		}
		return []string{"NumberOfNotificationsFilteredOut", "NumberOfNotificationsFilteredOut-MessageBody"}
	}
	if len(m.attrs) == 0 {
		return []string{"NumberOfNotificationsFilteredOut-NoMessageAttributes"}
	}
	if invalidForFilter(m.attrs) {
		// Not in the total either (recorded, 2026: metric_filter_attributes.json).
		return []string{"NumberOfNotificationsFilteredOut-InvalidAttributes"}
	}
	return []string{"NumberOfNotificationsFilteredOut", "NumberOfNotificationsFilteredOut-MessageAttributes"}
}

// metricsLoop publishes the gathered samples each second of real time and at each
// advance of Palisade's clock, and once more when ctx ends.
func (s *SNS) metricsLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changed := s.d.Clock.Changed()
		select {
		case <-ctx.Done():
			s.flushMetrics(context.WithoutCancel(ctx))
			return
		case <-changed:
		case <-tick.C:
		}
		s.flushMetrics(ctx)
	}
}

func (s *SNS) flushMetrics(ctx context.Context) {
	s.m.mu.Lock()
	pending := s.m.pending
	if len(pending) == 0 {
		s.m.mu.Unlock()
		return
	}
	s.m.pending = map[metricKey]*metricAgg{}
	s.m.mu.Unlock()
	by := map[[2]string][]svckit.MetricSample{}
	for k, a := range pending {
		unit := "Count"
		if k.name == "PublishSize" {
			unit = "Bytes"
		}
		ar := [2]string{k.account, k.region}
		by[ar] = append(by[ar], svckit.MetricSample{Resource: k.topic, Name: k.name, Unit: unit, Minute: time.UnixMilli(k.minute).UTC(),
			SampleCount: a.n, Sum: a.sum, Minimum: a.lo, Maximum: a.hi})
	}
	err := s.d.Store.Update(ctx, func(tx *store.Tx) error {
		for ar, data := range by {
			if err := s.d.Metrics.PutMetrics(tx, ar[0], ar[1], data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		s.d.Logger.Error("sns: publish metrics", "err", err)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// deliveryOutcome counts one attempt of a delivery through the outbox (HTTP/S,
// email), as AWS does (recorded, 2026: sns/http_metrics.json): every attempt of a
// notification or a subscription confirmation is a sample of
// NumberOfNotificationsFailed, 1 when the endpoint failed (a retried 503 twice, once
// per attempt), 0 when it answered, with a NumberOfNotificationsDelivered of 1. An
// answer SNS does not retry (a 400) counts as delivered, not failed. now is the
// attempt's time on Palisade's clock, whose minute the samples fall in.
func (s *SNS) deliveryOutcome(tx *store.Tx, d *delivery, err error, now time.Time) {
	if d.Kind != "Notification" && d.Kind != "SubscriptionConfirmation" {
		return
	}
	t := topicRef{Account: d.Account, Region: d.Region, Name: d.Topic}
	failed := err != nil && !errors.Is(err, errPermanent)
	if !failed {
		s.sample(tx, t, now, "NumberOfNotificationsDelivered", 1)
	}
	s.sample(tx, t, now, "NumberOfNotificationsFailed", b2f(failed))
}
