package cloudwatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
	"github.com/palisade/palisade/internal/wire"
)

// evaluateLoop evaluates every alarm now, then whenever Palisade's clock is advanced,
// an alarm changes, or EvaluationInterval of real time passes.
func (cw *CloudWatch) evaluateLoop(ctx context.Context) {
	tick := time.NewTicker(cw.d.EvaluationInterval)
	defer tick.Stop()
	for {
		changed := cw.d.Clock.Changed()
		cw.EvaluateAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-cw.wake:
		case <-tick.C:
		}
	}
}

// EvaluateAll evaluates every alarm whose last evaluation is in an earlier minute of
// Palisade's clock, committing state changes, history and actions alarm by alarm.
func (cw *CloudWatch) EvaluateAll(ctx context.Context) {
	var keys []string
	err := cw.d.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(alarmIndex, "", 0, func(k string, _ []byte) bool {
			keys = append(keys, k)
			return true
		})
	})
	if err != nil {
		if ctx.Err() == nil {
			cw.d.Logger.Error("cloudwatch: list alarms", "err", err)
		}
		return
	}
	// Alarms deleted since their failure was logged are forgotten.
	cw.failing.Range(func(k, _ any) bool {
		if !slices.Contains(keys, k.(string)) {
			cw.failing.Delete(k)
		}
		return true
	})
	for _, k := range keys {
		parts := strings.SplitN(k, "\x00", 3)
		if len(parts) != 3 || ctx.Err() != nil {
			continue
		}
		err := cw.d.Store.Update(ctx, func(tx *store.Tx) error {
			return cw.evaluate(tx, parts[0], parts[1], parts[2], cw.d.Clock.Now())
		})
		switch {
		case err == nil:
			cw.failing.Delete(k)
		case ctx.Err() == nil:
			if last, ok := cw.failing.Swap(k, err.Error()); !ok || last != err.Error() {
				cw.d.Logger.Error("cloudwatch: evaluate alarm", "alarm", parts[2], "err", err)
			}
		}
	}
}

func minuteOf(t time.Time) int64 { return t.UnixMilli() - mod(t.UnixMilli(), minuteMs) }

// datapoint is one evaluation period's value, or a missing one.
type datapoint struct {
	start   time.Time
	value   float64
	count   float64
	present bool
}

// highResolution reports whether the alarm's period is under a minute (10, 20 or 30
// seconds): a high-resolution alarm.
func (a *alarmRec) highResolution() bool { return a.period() < time.Minute }

// evalSlot is the start (Unix ms) of the evaluation slot now falls in: an alarm is
// evaluated once per slot of Palisade's clock, a minute, or for a high-resolution
// alarm 10 seconds ("If the alarm period is 10 seconds or 30 seconds, the alarm is
// evaluated every 10 seconds", user guide; recorded, 2026: alarm_evaluation.json,
// cadence_seconds 10, queryDates 10 seconds apart).
func (a *alarmRec) evalSlot(now time.Time) int64 {
	if a.highResolution() {
		return now.UnixMilli() - mod(now.UnixMilli(), 10_000)
	}
	return minuteOf(now)
}

// rangeEnd is where the evaluation range of the evaluation in slot ends: the slot's
// start, or for a high-resolution alarm on a metric 10 seconds before it, on a period
// boundary. AWS's 10-second metric alarms evaluated at 05:42:57.551 and 05:43:07.551
// decided on the periods up to 05:42:30 and 05:42:40, where its 10-second metric math
// alarm evaluated at 06:43:18.195 decided on 06:43:00's (recorded, 2026:
// alarm_evaluation.json, dense-*, sparse-*, percentile-* and expression-* cases;
// alarm_namespaces.json); the alignment of 20- and 30-second periods is inferred.
func (a *alarmRec) rangeEnd(slot int64) time.Time {
	end := time.UnixMilli(slot).UTC()
	if a.highResolution() {
		if len(a.Metrics) == 0 {
			end = end.Add(-10 * time.Second)
		}
		end = end.Truncate(a.period())
	}
	return end
}

// evaluate computes an alarm's state at now and moves it there. The evaluation range
// is the alarm's last EvaluationPeriods periods ending where rangeEnd says.
func (cw *CloudWatch) evaluate(tx *store.Tx, account, region, name string, now time.Time) error {
	a, err := loadAlarm(tx, account, region, name)
	if err != nil || a == nil {
		return err
	}
	if a.isComposite() {
		return cw.endSuppression(tx, account, region, a, now)
	}
	slot := a.evalSlot(now)
	if a.LastEval >= slot {
		return nil
	}
	a.LastEval = slot
	rng, points, err := alarmDatapoints(tx, account, region, a, a.rangeEnd(slot))
	if err != nil {
		return err
	}
	state, reason, data := decideIn(a, rng, points, now)
	if state == "" || state == a.State {
		return putAlarm(tx, account, region, a)
	}
	return cw.transition(tx, account, region, a, state, reason, data, now)
}

// extraPeriods is how many periods before the evaluation periods an evaluation looks
// at. AWS: "CloudWatch attempts to retrieve a higher number of data points than the
// number specified as Evaluation Periods" (the evaluation range), by an amount that
// depends on the period; two more is inferred. It lets data that arrives late (a
// CloudTrail record delivered to CloudWatch Logs minutes after the call) still count.
const extraPeriods = 2

// extra is how many periods before its evaluation periods the alarm's evaluation
// looks at: extraPeriods, or for a high-resolution alarm twice its evaluation periods.
// AWS's 10-second alarms of 3 evaluation periods looked 9 periods back: a datapoint 8
// periods before the newest evaluated one still counted, one 9 before did not; those
// of one period showed no datapoint 3 periods before the evaluated one in their reason
// data (recorded, 2026: alarm_evaluation.json, dense-oldest-breach-expires,
// sparse-old-good-expires, expression-101, percentile-ignore-101). Other evaluation
// periods and 20- and 30-second periods are inferred.
func (a *alarmRec) extra() int {
	if a.highResolution() {
		return 2 * int(a.EvaluationPeriods)
	}
	return extraPeriods
}

// alarmDatapoints returns the datapoints an evaluation decides on, as AWS's
// evaluation range describes: when the range holds at least EvaluationPeriods
// datapoints, the most recent of them (missing ones do not matter); otherwise those
// it holds and, for the rest, the most recent missing periods, which TreatMissingData
// then decides.
func alarmDatapoints(tx *store.Tx, account, region string, a *alarmRec, end time.Time) (rng, points []datapoint, err error) {
	n := int(a.EvaluationPeriods)
	rng, err = rangeDatapoints(tx, account, region, a, end, n+a.extra())
	if err != nil {
		return nil, nil, err
	}
	return rng, pickDatapoints(rng, n), nil
}

// pickDatapoints chooses the n datapoints an evaluation decides on from its range
// (oldest first), as alarmDatapoints describes.
func pickDatapoints(rng []datapoint, n int) []datapoint {
	present := 0
	for _, p := range rng {
		if p.present {
			present++
		}
	}
	missing := max(0, n-present)
	var out []datapoint
	for i := len(rng) - 1; i >= 0 && len(out) < n; i-- {
		if rng[i].present {
			out = append(out, rng[i])
		} else if missing > 0 {
			out = append(out, rng[i])
			missing--
		}
	}
	slices.Reverse(out)
	return out
}

// period is the length of the alarm's evaluation periods: its Period, or for metric
// math the period of its first MetricStat query (else an expression's Period, else a
// minute).
func (a *alarmRec) period() time.Duration {
	if len(a.Metrics) == 0 {
		return time.Duration(a.Period) * time.Second
	}
	var period time.Duration
	for _, q := range a.Metrics {
		if q.MetricStat != nil {
			period = time.Duration(q.MetricStat.Period) * time.Second
			break
		}
		if q.Period != nil {
			period = time.Duration(*q.Period) * time.Second
		}
	}
	if period <= 0 {
		period = time.Minute
	}
	return period
}

// rangeLimit is how long an alarm's evaluation range (EvaluationPeriods times the
// period) may be, in seconds: a day, or a week for periods of an hour or more
// (PutMetricAlarm's API reference).
func (a *alarmRec) rangeLimit() int64 {
	if a.period() >= time.Hour {
		return 7 * 86400
	}
	return 86400
}

func (a *alarmRec) rangeTooLong() bool {
	return int64(a.period()/time.Second)*int64(a.EvaluationPeriods) > a.rangeLimit()
}

// rangeDatapoints returns the alarm's last n periods ending at end, present or not.
func rangeDatapoints(tx *store.Tx, account, region string, a *alarmRec, end time.Time, n int) ([]datapoint, error) {
	if a.rangeTooLong() {
		// Only an alarm stored before PutMetricAlarm checked this for metric math:
		// its range would not fit in memory (EvaluationPeriods up to 2^31-1).
		return nil, fmt.Errorf("cloudwatch: alarm %s evaluates %d periods of %s, beyond CloudWatch's limit", a.Name, a.EvaluationPeriods, a.period())
	}
	period := a.period()
	var s *series
	if len(a.Metrics) > 0 {
		start := end.Add(-time.Duration(n) * period)
		results, err := evalQueries(tx, account, region, "Metrics", a.Metrics, start, end, time.Time{}, nil)
		if err != nil {
			return nil, err
		}
		for _, q := range a.Metrics {
			if q.ReturnData == nil || *q.ReturnData {
				s = results[q.Id]
			}
		}
	} else {
		start := end.Add(-time.Duration(n) * period)
		times, aggs, _, err := readWindows(tx, account, region, metricKey(a.Namespace, a.MetricName, a.Dimensions), start, end, period, a.Unit)
		if err != nil {
			return nil, err
		}
		stat := a.Statistic
		if stat == "" {
			stat = a.ExtendedStatistic
		}
		s = &series{}
		for i, agg := range aggs {
			// As in GetMetricData, values put only with counts of 0 are no datapoint.
			if v, ok := statistic(agg, stat); ok && agg.N > 0 {
				s.times, s.values, s.counts = append(s.times, times[i]), append(s.values, v), append(s.counts, agg.N)
			}
		}
	}
	points := make([]datapoint, n)
	start := end.Add(-time.Duration(n) * period)
	for i := range points {
		points[i].start = start.Add(time.Duration(i) * period)
	}
	if s != nil {
		for i, t := range s.times {
			k := int(t.Sub(start) / period)
			if k >= 0 && k < n {
				points[k] = datapoint{start: points[k].start, value: s.values[i], count: s.counts[i], present: true}
			}
		}
	}
	return points, nil
}

func breaches(op string, v, threshold float64) bool {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	case "GreaterThanThreshold":
		return v > threshold
	case "LessThanThreshold":
		return v < threshold
	}
	return v <= threshold
}

// decide applies the alarm's rules to its datapoints, as AWS's "How alarm state is
// evaluated when data is missing" tabulates them: M of N breaching (missing data
// counted as TreatMissingData says) is ALARM; otherwise a datapoint within the
// threshold makes it OK. Without one, only breaching datapoints and missing ones that
// are left missing or ignored: with "missing", ALARM when the oldest evaluated
// datapoint is a breaching one (the table's "X - - - -" row: "the oldest evaluated data
// point is breaching and there aren't any non-breaching data points"; evaluated as
// evaluated() picks them), else
// INSUFFICIENT_DATA; with "ignore", no change. It returns "" for no change.
func decide(a *alarmRec, points []datapoint, now time.Time) (state, reason, data string) {
	return decideIn(a, points, points, now)
}

// decideIn is decide with the evaluation range the points were picked from, which
// the reason data shows.
func decideIn(a *alarmRec, rng, points []datapoint, now time.Time) (state, reason, data string) {
	m := a.datapointsToAlarm()
	treat := a.treatMissing()
	present, breaching, within := 0, 0, 0
	var shown []datapoint
	for i := len(points) - 1; i >= 0; i-- {
		p := points[i]
		switch {
		case p.present:
			present++
			if breaches(a.ComparisonOperator, p.value, a.Threshold) {
				breaching++
			} else {
				within++
			}
			shown = append(shown, p)
		case treat == "breaching":
			breaching++
		case treat == "notBreaching":
			within++
		}
	}
	if present > 0 && a.tooFewSamples(shown) {
		return "", "", ""
	}
	if breaching < m && within == 0 {
		// The oldest datapoint an ALARM would rest on: of the present ones and the
		// newest missing ones, M in all. AWS's 10-second alarm of 3 periods with one
		// breaching datapoint went to ALARM once a missing period followed it when 2
		// were needed, and once two had when 3 were (recorded, 2026:
		// alarm_evaluation.json, isolated-premature-m2 and -m3).
		ev := evaluated(points, shown, m)
		oldestBreaching := present > 0 && ev[len(ev)-1].present
		switch {
		case treat == "ignore":
			return "", "", ""
		case present == 0 || !oldestBreaching:
			// With some datapoints, the count of unknown ones is inferred wording.
			return stateInsufficient, insufficientReason(len(points) - present), reasonData(a, rng, evaluated(points, shown, m), now)
		}
	}
	if present == 0 && len(points) > 0 {
		// Every datapoint missing and treated as breaching or not: AWS's reason for
		// one period (recorded, 2026: radkawar/stackd
		// testdata/aws/cloudwatch/alarm_namespaces.json and alarm_query_admission.json);
		// the plural forms are inferred.
		n := len(points)
		state, as := stateOK, "NonBreaching"
		if breaching >= m {
			state, as = stateAlarm, "Breaching"
		}
		verb := "was"
		if n != 1 {
			verb = "were"
		}
		return state, fmt.Sprintf("Threshold Crossed: no datapoints were received for %d period%s and %d missing datapoint%s %s treated as [%s].",
			n, plural(n), n, plural(n), verb, as), reasonData(a, rng, evaluated(points, nil, n), now)
	}
	// An M out of N reason counts and lists the datapoints on the side of the new
	// state (the breaching ones for ALARM, the others for OK), says how many missing
	// ones TreatMissingData counted, and names the transition as OK -> ALARM or
	// ALARM -> OK whatever the state was (recorded, 2026: alarm_evaluation.json, from
	// INSUFFICIENT_DATA too: dense-real-over-ignore, isolated-premature-m2).
	op := comparisons[a.ComparisonOperator]
	side := func(breach bool) []datapoint {
		var out []datapoint
		for _, p := range shown {
			if breaches(a.ComparisonOperator, p.value, a.Threshold) == breach {
				out = append(out, p)
			}
		}
		return out
	}
	missingClause := ""
	if n := len(points) - present; n > 0 && (treat == "breaching" || treat == "notBreaching") {
		as := "Breaching"
		if treat == "notBreaching" {
			as = "NonBreaching"
		}
		missingClause = fmt.Sprintf(" and %d missing datapoint%s %s treated as [%s]", n, plural(n), wasWere(n), as)
	}
	var listed []datapoint
	need := m
	// "1 datapoint [...] was …" is the reason of an alarm of one period that was given
	// no DatapointsToAlarm; given one, AWS writes "1 out of the last 1 datapoints …"
	// (recorded, 2026: alarm_evaluation.json, expression-* and percentile-*).
	single := len(points) == 1 && a.DatapointsToAlarm == 0
	if breaching >= m || within == 0 {
		state, listed = stateAlarm, side(true)
		if single {
			reason = fmt.Sprintf("Threshold Crossed: 1 datapoint %s was %s the threshold (%s).", formatPoints(listed), op, javaDouble(a.Threshold))
		} else {
			reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s %s %s the threshold (%s)%s (minimum %d datapoint%s for OK -> ALARM transition).",
				len(listed), len(points), formatPoints(listed), wasWere(len(listed)), op, javaDouble(a.Threshold), missingClause, m, plural(m))
		}
	} else {
		state, listed, need = stateOK, side(false), len(points)-m+1
		if single {
			reason = fmt.Sprintf("Threshold Crossed: 1 datapoint %s was not %s the threshold (%s).", formatPoints(listed), op, javaDouble(a.Threshold))
		} else {
			reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s %s not %s the threshold (%s)%s (minimum %d datapoint%s for ALARM -> OK transition).",
				len(listed), len(points), formatPoints(listed), wasWere(len(listed)), op, javaDouble(a.Threshold), missingClause, need, plural(need))
		}
	}
	return state, reason, reasonData(a, rng, evaluated(points, listed, need), now)
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// evaluated are the datapoints a reason data's evaluatedDatapoints shows, newest
// first: the listed ones, and the newest missing ones up to need (the datapoints the
// transition needs: M for ALARM and INSUFFICIENT_DATA, N-M+1 for OK). AWS's 10-second
// alarms of 3 periods showed [missing 05:44:00, 100 at 05:42:40] for an ALARM needing
// 2, and two missing periods for INSUFFICIENT_DATA with 2 to alarm (recorded, 2026:
// alarm_evaluation.json, dense-last-breach-ages, isolated-premature-m2).
func evaluated(points, listed []datapoint, need int) []datapoint {
	out := slices.Clone(listed)
	for i := len(points) - 1; i >= 0 && len(out) < need; i-- {
		if !points[i].present {
			out = append(out, points[i])
		}
	}
	slices.SortStableFunc(out, func(x, y datapoint) int { return y.start.Compare(x.start) })
	return out
}

// tooFewSamples applies EvaluateLowSampleCountPercentile ignore ("Percentile-based
// CloudWatch alarms and low data samples"): a percentile alarm's state does not change
// while its evaluated datapoints hold fewer than 10/(1-percentile) samples, or
// 10/percentile for percentiles below p50. Counting the samples of all evaluated
// datapoints together, and leaving an evaluation without any datapoint to
// TreatMissingData, are inferred.
func (a *alarmRec) tooFewSamples(shown []datapoint) bool {
	m := percentileRE.FindStringSubmatch(a.ExtendedStatistic)
	if a.LowSampleCount != "ignore" || m == nil {
		return false
	}
	q, _ := strconv.ParseFloat(m[1], 64)
	// In percent, so that p90 needs exactly 100 samples.
	need := 1000 / (100 - q)
	if q < 50 {
		need = 1000 / q
	}
	samples := 0.0
	for _, p := range shown {
		samples += p.count
	}
	return samples < need
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func insufficientReason(n int) string {
	if n == 1 {
		return "Insufficient Data: 1 datapoint was unknown."
	}
	return fmt.Sprintf("Insufficient Data: %d datapoints were unknown.", n)
}

// formatPoints lists datapoints, newest first, as alarm reasons do:
// [1.0 (27/11/26 10:05:00), ...].
func formatPoints(ps []datapoint) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = javaDouble(p.value) + " (" + p.start.UTC().Format("02/01/06 15:04:05") + ")"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

const awsTime = "2006-01-02T15:04:05.000-0700"

// reasonData is the StateReasonData JSON of an evaluation: the evaluation range's
// datapoints from the first present one (startDate) to the last, oldest first with
// null for the missing periods between them, and the evaluated datapoints, newest
// first (recorded, 2026: alarm_evaluation.json, sparse-real-over-breaching:
// "startDate":"…05:50:50…","recentDatapoints":[0,null,100,null,100]).
func reasonData(a *alarmRec, rng, evaluated []datapoint, now time.Time) string {
	var b bytes.Buffer
	b.WriteString(`{"version":"1.0","queryDate":"` + now.UTC().Format(awsTime) + `"`)
	first, last := -1, -1
	for i, p := range rng {
		if p.present {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		// Without any datapoint AWS writes no startDate (recorded, 2026:
		// alarm_namespaces.json).
		b.WriteString(`,"startDate":"` + rng[first].start.UTC().Format(awsTime) + `"`)
	}
	// The alarm's unit, then its statistic, a percentile's too, under "statistic"
	// (recorded, 2026: alarm_evaluation.json, "unit":"Count","statistic":"Average" and
	// "statistic":"p90").
	if a.Unit != "" {
		b.WriteString(`,"unit":"` + a.Unit + `"`)
	}
	if a.Statistic != "" {
		b.WriteString(`,"statistic":"` + a.Statistic + `"`)
	} else if a.ExtendedStatistic != "" {
		b.WriteString(`,"statistic":"` + a.ExtendedStatistic + `"`)
	}
	// A metric math alarm's period is its queries' (AWS: "period":10 for MetricStats
	// of 10 seconds; recorded, 2026: alarm_query_admission.json).
	fmt.Fprintf(&b, `,"period":%d,"recentDatapoints":[`, int(a.period()/time.Second))
	if first >= 0 {
		for i, p := range rng[first : last+1] {
			if i > 0 {
				b.WriteByte(',')
			}
			if !p.present {
				b.WriteString("null")
				continue
			}
			b.WriteString(javaDouble(p.value))
		}
	}
	b.WriteString(`],"threshold":` + javaDouble(a.Threshold))
	if len(evaluated) > 0 {
		b.WriteString(`,"evaluatedDatapoints":[`)
		for i, p := range evaluated {
			if i > 0 {
				b.WriteByte(',')
			}
			switch {
			case !p.present:
				b.WriteString(`{"timestamp":"` + p.start.UTC().Format(awsTime) + `"}`)
			case len(a.Metrics) > 0:
				// A metric math alarm's datapoints have no sample count (recorded,
				// 2026: alarm_evaluation.json, expression-*).
				b.WriteString(`{"timestamp":"` + p.start.UTC().Format(awsTime) + `","value":` + javaDouble(p.value) + `}`)
			default:
				b.WriteString(`{"timestamp":"` + p.start.UTC().Format(awsTime) + `","sampleCount":` + javaDouble(p.count) + `,"value":` + javaDouble(p.value) + `}`)
			}
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}

// javaDouble formats a number as Java's Double.toString does, as AWS's alarm texts
// show them: 1.0, 0.5, 1.0E7.
func javaDouble(f float64) string {
	if name, ok := wire.SpecialFloat(f); ok {
		return name
	}
	if f == 0 {
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1E+07, 1.5E-05
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// transition moves an alarm to a state: its record, a StateUpdate history item,
// when actions are enabled the actions of the new state, and the evaluation of the
// composite alarms that reference it.
func (cw *CloudWatch) transition(tx *store.Tx, account, region string, a *alarmRec, state, reason, data string, now time.Time) error {
	return cw.transitionIn(tx, account, region, a, state, reason, data, now, map[string]bool{})
}

// transitionIn is transition within a cascade of composite evaluations; visited holds
// the composites already evaluated in it.
func (cw *CloudWatch) transitionIn(tx *store.Tx, account, region string, a *alarmRec, state, reason, data string, now time.Time, visited map[string]bool) error {
	old := a.State
	// AWS's history shows the old state's reason data too (the aws CLI's
	// describe-alarm-history example).
	oldState := historyState(old, a.StateReason, a.StateReasonData)
	a.State, a.StateReason, a.StateReasonData = state, reason, data
	a.StateUpdated = now.Truncate(time.Millisecond)
	if old != state {
		a.StateTransitioned = a.StateUpdated
	}
	if err := putAlarm(tx, account, region, a); err != nil {
		return err
	}
	hist := historyText(`{"version":"1.0","oldState":` + oldState + `,"newState":` + historyState(state, reason, data) + `}`)
	if err := addHistory(tx, account, region, a, "StateUpdate", "Alarm updated from "+old+" to "+state, hist, now); err != nil {
		return err
	}
	if old == state {
		return nil
	}
	if err := cw.runActions(tx, account, region, a, old, now); err != nil {
		return err
	}
	return cw.evaluateParents(tx, account, region, a, now, visited)
}

// runActions executes the actions of the state an alarm has just entered.
func (cw *CloudWatch) runActions(tx *store.Tx, account, region string, a *alarmRec, old string, now time.Time) error {
	if !a.ActionsEnabled {
		return nil
	}
	if a.isComposite() {
		held, err := cw.holdActions(tx, account, region, a, old, now)
		if err != nil || held {
			return err
		}
	}
	return cw.executeActions(tx, account, region, a, old, now)
}

// executeActions runs the actions of the alarm's current state.
func (cw *CloudWatch) executeActions(tx *store.Tx, account, region string, a *alarmRec, old string, now time.Time) error {
	state := a.State
	var actions []string
	switch state {
	case stateAlarm:
		actions = a.AlarmActions
	case stateOK:
		actions = a.OKActions
	default:
		actions = a.InsufficientDataActions
	}
	for _, arn := range actions {
		if err := cw.runAction(tx, account, region, a, arn, old, now); err != nil {
			return err
		}
	}
	return nil
}

// runAction executes one alarm action: SNS topics get AWS's alarm message; other
// kinds (Auto Scaling, EC2, Systems Manager) are not served and record a failure.
func (cw *CloudWatch) runAction(tx *store.Tx, account, region string, a *alarmRec, arn, oldState string, now time.Time) error {
	p, _ := svckit.ParseARN(arn)
	var err error
	msg := alarmMessage(a, account, region, oldState, now)
	if a.isComposite() {
		msg = compositeMessage(a, account, region, oldState)
	}
	structure := publishedMessage(a, account, region, oldState, msg)
	if p.Service != "sns" {
		err = fmt.Errorf("the action kind %s is not served by Palisade", p.Service)
	} else if cw.d.Notifier == nil {
		err = fmt.Errorf("SNS is not available")
	} else {
		// A failed delivery must not undo the state change: the publish runs in its
		// own savepoint.
		err = tx.Savepoint(func() error {
			_, perr := cw.d.Notifier.Notify(tx, region, Notification{
				TopicARN: arn, Subject: alarmSubject(a.State, a.Name, region), Message: msg, Structure: structure,
				SourceAccount: account, SourceARN: alarmARN(region, account, a.Name),
			})
			return perr
		})
	}
	// AWS's history data: these keys in this order, the message structure as a JSON
	// string (recorded, 2026: sns_publications.json, action-history-*).
	var data any = historyText(`{"actionState":"Succeeded","stateUpdateTimestamp":` + strconv.FormatInt(a.StateUpdated.UnixMilli(), 10) +
		`,"notificationResource":` + jsonString(arn) + `,"publishedMessage":` + jsonString(structure) +
		`,"error":null,"muteWindowEndTimestamp":null}`)
	summary := "Successfully executed action " + arn
	if err != nil {
		// AWS shows the message of the service's error alone: `Received error: "null
		// (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; …)"`.
		text := err.Error()
		var me *model.Error
		if errors.As(err, &me) && me.Message != "" {
			text = me.Message
		}
		summary = "Failed to execute action " + arn + ". Received error: \"" + text + "\""
		if me != nil && me.Code == "AuthorizationError" {
			// A topic policy that does not let CloudWatch publish: AWS's summary
			// names the action alone and the error CloudWatch's principal (recorded,
			// 2026: sns_publications.json, dependency_evidence).
			text = "CloudWatch Alarms is not authorized to perform: SNS:Publish on resource:" + arn
			summary = "Failed to execute action " + arn
		}
		// The keys of the success's data, publishedMessage null (recorded, 2026:
		// alarm_delivery.json, a Lambda action refused for want of permission).
		data = historyText(`{"actionState":"Failed","stateUpdateTimestamp":` + strconv.FormatInt(a.StateUpdated.UnixMilli(), 10) +
			`,"notificationResource":` + jsonString(arn) + `,"publishedMessage":null,"error":` + jsonString(text) + `,"muteWindowEndTimestamp":null}`)
	}
	return addHistory(tx, account, region, a, "Action", summary, data, now)
}

// alarmMessage is the JSON CloudWatch publishes to an alarm's SNS topics, its fields
// in AWS's order.
func alarmMessage(a *alarmRec, account, region, oldState string, now time.Time) string {
	var b bytes.Buffer
	str, list := jsonString, jsonList
	b.WriteString(`{"AlarmName":` + str(a.Name) + `,"AlarmDescription":` + a.descriptionJSON() + `,"AWSAccountId":` + str(account) +
		`,"AlarmConfigurationUpdatedTimestamp":` + str(a.ConfigUpdated.UTC().Format(awsTime)) +
		`,"NewStateValue":` + str(a.State) + `,"NewStateReason":` + str(a.StateReason) +
		`,"StateChangeTime":` + str(a.StateUpdated.UTC().Format(awsTime)) + `,"Region":` + str(regionName(region)) +
		`,"AlarmArn":` + str(alarmARN(region, account, a.Name)) + `,"OldStateValue":` + str(oldState) +
		`,"ActionExecutedAfterMuteWindow":false,"OKActions":` + list(a.OKActions) + `,"AlarmActions":` + list(a.AlarmActions) + `,"InsufficientDataActions":` + list(a.InsufficientDataActions) +
		`,"Trigger":{`)
	if a.MetricName != "" {
		unit := "null"
		if a.Unit != "" {
			unit = str(a.Unit)
		}
		dims := make([]string, len(a.Dimensions))
		for i, d := range a.Dimensions {
			dims[i] = `{"value":` + str(d.Value) + `,"name":` + str(d.Name) + `}`
		}
		statType, stat := "Statistic", strings.ToUpper(a.Statistic)
		if a.ExtendedStatistic != "" {
			statType, stat = "ExtendedStatistic", a.ExtendedStatistic
		}
		b.WriteString(`"MetricName":` + str(a.MetricName) + `,"Namespace":` + str(a.Namespace) + `,"StatisticType":` + str(statType) +
			`,"Statistic":` + str(stat) + `,"Unit":` + unit + `,"Dimensions":[` + strings.Join(dims, ",") + `],"Period":` + strconv.Itoa(int(a.Period)) + `,"EvaluationPeriods":` + strconv.Itoa(int(a.EvaluationPeriods)))
	} else {
		// A metric math alarm's trigger leads with the period (the first MetricStat's,
		// inferred: the recording's queries all had 60) and ends with its queries
		// (recorded, 2026: sns_publications.json, metric-query).
		b.WriteString(`"Period":` + strconv.Itoa(int(a.period()/time.Second)) + `,"EvaluationPeriods":` + strconv.Itoa(int(a.EvaluationPeriods)))
	}
	if a.DatapointsToAlarm > 0 {
		b.WriteString(`,"DatapointsToAlarm":` + strconv.Itoa(int(a.DatapointsToAlarm)))
	}
	b.WriteString(`,"ComparisonOperator":` + str(a.ComparisonOperator) + `,"Threshold":` + javaDouble(a.Threshold) +
		`,"TreatMissingData":` + str(a.treatMissing()) + `,"EvaluateLowSampleCountPercentile":` + str(a.LowSampleCount))
	if a.MetricName == "" {
		b.WriteString(`,"Metrics":` + metricsForMessage(a.Metrics))
	}
	b.WriteString(`}}`)
	return b.String()
}

// jsonString and jsonList write the JSON of a string and of a list of strings ([] for
// none), for the alarm messages, which keep AWS's field order.
func jsonString(s string) string { out, _ := json.Marshal(s); return string(out) }

// historyState is a state in a StateUpdate history item as AWS writes it: its keys
// in this order and the reason data as it was given, spaces and all ("stateReasonData":{
// "z": 2, "a": [1] } for SetAlarmState's "{ \"z\": 2, \"a\": [1] }"; recorded, 2026:
// radkawar/stackd testdata/aws/cloudwatch/alarm_controls.json). No reason data, no
// key.
func historyState(value, reason, data string) string {
	out := `{"stateValue":` + jsonString(value) + `,"stateReason":` + jsonString(reason)
	if data != "" && json.Valid([]byte(data)) {
		out += `,"stateReasonData":` + data
	}
	return out + "}"
}

func jsonList(l []string) string { out, _ := json.Marshal(nonNil(l)); return string(out) }

// descriptionJSON is an alarm message's AlarmDescription: null when there is none.
func (a *alarmRec) descriptionJSON() string {
	if a.Description == "" {
		return "null"
	}
	return jsonString(a.Description)
}

// metricsForMessage is a metric math alarm's queries as its message gives them: keys
// in AWS's order (the model's members by name, then AccountId and Period), a
// metric's dimensions always present (recorded, 2026: sns_publications.json).
func metricsForMessage(qs []api.MetricDataQuery) string {
	str := jsonString
	parts := make([]string, len(qs))
	for i, q := range qs {
		var f []string
		if q.Expression != nil {
			f = append(f, `"Expression":`+str(*q.Expression))
		}
		f = append(f, `"Id":`+str(q.Id))
		if q.Label != nil {
			f = append(f, `"Label":`+str(*q.Label))
		}
		if ms := q.MetricStat; ms != nil {
			m := ms.Metric
			if m == nil {
				m = &api.Metric{}
			}
			dims := make([]string, len(m.Dimensions))
			for j, d := range m.Dimensions {
				dims[j] = `{"Name":` + str(d.Name) + `,"Value":` + str(d.Value) + `}`
			}
			stat := `"MetricStat":{"Metric":{"Dimensions":[` + strings.Join(dims, ",") + `],"MetricName":` + str(svckit.Str(m.MetricName)) +
				`,"Namespace":` + str(svckit.Str(m.Namespace)) + `},"Period":` + strconv.Itoa(int(ms.Period)) + `,"Stat":` + str(ms.Stat)
			if ms.Unit != nil {
				stat += `,"Unit":` + str(*ms.Unit)
			}
			f = append(f, stat+"}")
		}
		f = append(f, `"ReturnData":`+strconv.FormatBool(q.ReturnData == nil || *q.ReturnData))
		if q.AccountId != nil {
			f = append(f, `"AccountId":`+str(*q.AccountId))
		}
		if q.Period != nil {
			f = append(f, `"Period":`+strconv.Itoa(int(*q.Period)))
		}
		parts[i] = "{" + strings.Join(f, ",") + "}"
	}
	return "[" + strings.Join(parts, ",") + "]"
}
