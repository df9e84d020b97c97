package cloudwatch

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

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

// The tables of AWS's "How alarm state is evaluated when data is missing" (Amazon
// CloudWatch User Guide, alarms-and-missing-data): the five most recent datapoints of
// a range (0 not breaching, X breaching, - missing), oldest first, and the state each
// TreatMissingData gives ("" for the current state retained).
func TestMissingDataTables(t *testing.T) {
	for _, c := range []struct {
		m, n   int32
		points string
		want   [4]string // missing, ignore, breaching, notBreaching
	}{
		{3, 3, "0-X-X", [4]string{"OK", "OK", "OK", "OK"}},
		{3, 3, "0----", [4]string{"OK", "OK", "OK", "OK"}},
		{3, 3, "-----", [4]string{"INSUFFICIENT_DATA", "", "ALARM", "OK"}},
		{3, 3, "0XX-X", [4]string{"ALARM", "ALARM", "ALARM", "ALARM"}},
		{3, 3, "----X", [4]string{"INSUFFICIENT_DATA", "", "ALARM", "OK"}},
		{3, 3, "X----", [4]string{"ALARM", "", "ALARM", "OK"}},
		{2, 3, "0-X-X", [4]string{"ALARM", "ALARM", "ALARM", "ALARM"}},
		{2, 3, "00X0X", [4]string{"ALARM", "ALARM", "ALARM", "ALARM"}},
		{2, 3, "0-X--", [4]string{"OK", "OK", "ALARM", "OK"}},
		{2, 3, "----0", [4]string{"OK", "OK", "ALARM", "OK"}},
		{2, 3, "----X", [4]string{"INSUFFICIENT_DATA", "", "ALARM", "OK"}},
	} {
		for i, treat := range []string{"missing", "ignore", "breaching", "notBreaching"} {
			a := &alarmRec{Name: "a", Statistic: "Sum", Period: 300, EvaluationPeriods: c.n, DatapointsToAlarm: c.m,
				Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: treat, State: "OK"}
			start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
			var rng []datapoint
			for k, ch := range c.points {
				p := datapoint{start: start.Add(time.Duration(k) * 5 * time.Minute)}
				switch ch {
				case '0':
					p.value, p.count, p.present = 0, 1, true
				case 'X':
					p.value, p.count, p.present = 5, 1, true
				}
				rng = append(rng, p)
			}
			got, _, _ := decide(a, pickDatapoints(rng, int(c.n)), start.Add(25*time.Minute))
			if got != c.want[i] {
				t.Errorf("%d of %d, %s, %s: state %q, want %q", c.m, c.n, c.points, treat, got, c.want[i])
			}
		}
	}
}

// Alarms on AWS/DynamoDB metrics ignore missing data unless TreatMissingData says
// otherwise (AWS's answers, radkawar/stackd testdata/aws/cloudwatch/alarm_namespaces.json);
// breaching data decides whatever it says.
func TestDynamoDBAlarmsIgnoreMissingData(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for treat, want := range map[string]string{"": "", "ignore": "", "missing": "INSUFFICIENT_DATA", "breaching": "ALARM", "notBreaching": "OK"} {
		a := &alarmRec{Name: "a", Namespace: "AWS/DynamoDB", MetricName: "ThrottledRequests", Statistic: "Sum", Period: 60,
			EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: treat, State: "OK"}
		if got, _, _ := decide(a, []datapoint{{start: now.Add(-time.Minute)}}, now); got != want && !(want == "OK" && got == "") {
			t.Errorf("TreatMissingData %q, no data: state %q, want %q", treat, got, want)
		}
		a.TreatMissingData = treat
		if got, _, _ := decide(a, []datapoint{{start: now.Add(-time.Minute), value: 5, count: 1, present: true}}, now); got != "ALARM" {
			t.Errorf("TreatMissingData %q, breaching data: state %q", treat, got)
		}
	}
}

// "Percentile-based CloudWatch alarms and low data samples": with
// EvaluateLowSampleCountPercentile ignore, the state does not change while there are
// fewer than 10/(1-percentile) samples (10/percentile below p50).
func TestLowSampleCountPercentile(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		stat, low string
		samples   float64
		want      string
	}{
		{"p90", "ignore", 99, ""},
		{"p90", "ignore", 100, "ALARM"},
		{"p90", "evaluate", 5, "ALARM"},
		{"p90", "", 5, "ALARM"},
		{"p10", "ignore", 99, ""},
		{"p10", "ignore", 100, "ALARM"},
		{"p99", "ignore", 999, ""},
	} {
		a := &alarmRec{Name: "a", Namespace: "App", MetricName: "Latency", ExtendedStatistic: c.stat, Period: 60, EvaluationPeriods: 1,
			Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", LowSampleCount: c.low, State: "OK"}
		got, _, _ := decide(a, []datapoint{{start: now.Add(-time.Minute), value: 5, count: c.samples, present: true}}, now)
		if got != c.want {
			t.Errorf("%s %q with %v samples: state %q, want %q", c.stat, c.low, c.samples, got, c.want)
		}
	}
}
