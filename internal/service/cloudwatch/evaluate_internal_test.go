package cloudwatch

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/store"
)

// An alarm that cannot be evaluated (here one stored before PutMetricAlarm limited
// its range) is retried at every interval; its error is logged once, not at every
// retry, and again only if it changes.
func TestFailingAlarmLoggedOnce(t *testing.T) {
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	cw := New(Deps{Store: db, Clock: &clock.Clock{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	a := &alarmRec{Name: "too-long", Namespace: "CIS", MetricName: "X", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 1 << 30, DatapointsToAlarm: 1, ComparisonOperator: "GreaterThanThreshold", State: "INSUFFICIENT_DATA"}
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		if err := putAlarm(tx, "000000000000", "us-east-1", a); err != nil {
			return err
		}
		return tx.Put(alarmIndex, indexKey("000000000000", "us-east-1", a.Name), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		cw.EvaluateAll(context.Background())
	}
	if n := strings.Count(logs.String(), "evaluate alarm"); n != 1 {
		t.Fatalf("%d log lines for one failing alarm over three evaluations:\n%s", n, logs.String())
	}
}
