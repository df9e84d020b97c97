package cloudtrail

import (
	"strconv"
	"time"

	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// loggingNS holds, per trail ARN, the stretches of the event log the trail records:
// a trail logs the events committed between StartLogging and StopLogging (both
// included), whenever the delivery consumer gets to them. A deleted trail's history
// and last configuration move to retiredKey until its last events are delivered, so
// that a trail created again under the same ARN starts with a history of its own.
var loggingNS = store.NS("cloudtrail", "", "", "logging")

// logging is a trail's logging history.
type logging struct {
	Intervals []interval `json:"intervals,omitempty"`
	// Retired is the trail's configuration after DeleteTrail, for delivering what it
	// logged before.
	Retired *trail `json:"retired,omitempty"`
}

// interval is one stretch of logging: events with After < Seq <= Until (Until 0: still
// logging).
type interval struct {
	After   int64     `json:"after"`
	Until   int64     `json:"until,omitempty"`
	Stopped time.Time `json:"stopped,omitempty"`
}

func (l *logging) covers(seq int64) bool {
	for _, iv := range l.Intervals {
		if seq > iv.After && (iv.Until == 0 || seq <= iv.Until) {
			return true
		}
	}
	return false
}

func getLogging(tx *store.Tx, arn string) (*logging, error) {
	var l logging
	_, err := tx.GetJSON(loggingNS, arn, &l)
	return &l, err
}

// markStart opens a logging interval: the events after the last one committed,
// this call's own record (StartLogging) included.
func markStart(tx *store.Tx, t *trail, c *server.Call) error {
	l, err := getLogging(tx, t.ARN)
	if err != nil {
		return err
	}
	last, err := tx.LastEventSeq()
	if err != nil {
		return err
	}
	l.Intervals = append(l.Intervals, interval{After: last})
	t.EpochStart = c.Now
	return tx.PutJSON(loggingNS, t.ARN, l)
}

// markStop closes the open interval after this call's own record (StopLogging,
// DeleteTrail), which the server appends right after the handler returns.
func markStop(tx *store.Tx, t *trail, now time.Time) error {
	l, err := getLogging(tx, t.ARN)
	if err != nil {
		return err
	}
	last, err := tx.LastEventSeq()
	if err != nil {
		return err
	}
	for i := range l.Intervals {
		if l.Intervals[i].Until == 0 {
			l.Intervals[i].Until = last + 1
			l.Intervals[i].Stopped = now
		}
	}
	return tx.PutJSON(loggingNS, t.ARN, l)
}

// retiredKey is where a deleted trail's logging history waits for delivery: its ARN
// and generation after a '#', which no trail ARN holds.
func retiredKey(t *trail) string { return t.ARN + "#" + strconv.FormatInt(t.Gen, 10) }

// retire keeps a deleted trail's configuration for the delivery of its last events,
// under retiredKey.
func retire(tx *store.Tx, t *trail) error {
	l, err := getLogging(tx, t.ARN)
	if err != nil {
		return err
	}
	if _, err := tx.Delete(loggingNS, t.ARN); err != nil {
		return err
	}
	if len(l.Intervals) == 0 {
		return nil
	}
	l.Retired = t
	return tx.PutJSON(loggingNS, retiredKey(t), l)
}
