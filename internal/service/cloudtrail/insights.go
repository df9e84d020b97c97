package cloudtrail

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/store"
)

// Insights: a consumer of the event log that counts, per account, Region, event
// source and event name and per minute of Palisade's clock, the write management API
// calls (ApiCallRateInsight) and the management API calls that failed with an error
// code (ApiErrorRateInsight), and writes CloudTrail Insights events when a minute
// departs from the baseline. AWS does not publish its model; Palisade's rule is:
//
//   - the baseline is the average count per minute over the 7 days (10,080 minutes)
//     before the minute, minutes not counted being zero;
//   - a minute is unusual when its count is at least InsightMinCount plus
//     InsightFactor times the baseline;
//   - an insight starts (a Start event at the start of that minute) at an unusual
//     minute of an API that has no insight in progress, and ends (an End event, at the
//     start of the first minute that is not unusual by the Start's baseline) the first
//     minute after it that is not.
//
// Counting runs only while a logging trail has Insights on (events.Selective), off
// the calls' path: the records are read back from the log, a minute after they were
// committed. Counts are kept per minute that had calls, for 7 days. The events go to
// the log under their own source (insightSource), which event history
// (EventCategory=insight) and delivery (the CloudTrail-Insight folder) read.

const (
	// InsightMinCount is the fewest calls (or errors) in one minute to one API that
	// can be unusual.
	InsightMinCount = 10
	// InsightFactor is how many times the baseline average, over InsightMinCount, a
	// minute's count must reach to be unusual.
	InsightFactor = 3
	// InsightBaseline is the period a baseline averages.
	InsightBaseline = 7 * 24 * time.Hour

	baselineMinutes = int64(InsightBaseline / time.Minute)
	insightSource   = "cloudtrail-insight"
	insightKind     = "AwsCloudTrailInsight"
	insightsName    = "cloudtrail-insights"
	insightsBatch   = 5000
	// maxAttributed caps the distinct identities, user agents and error codes a
	// minute's count keeps apart; the rest count in the total only.
	maxAttributed = 20
	// topAttributions is how many values an attribution lists (AWS: five).
	topAttributions = 5
	pruneInterval   = time.Hour
	callRate        = "ApiCallRateInsight"
	errorRate       = "ApiErrorRateInsight"
)

var (
	// insightCountsNS: "KEY|MINUTE" → minuteCount (MINUTE: Unix minutes, 10 digits).
	insightCountsNS = store.NS("cloudtrail", "", "", "insight-counts")
	// insightPendingNS: "MINUTE|KEY" for the minutes counted but not yet judged.
	insightPendingNS = store.NS("cloudtrail", "", "", "insight-pending")
	// insightActiveNS: KEY → the insight in progress.
	insightActiveNS = store.NS("cloudtrail", "", "", "insight-active")
	insightStateNS  = store.NS("cloudtrail", "", "", "insight-state")
)

// insightKey names what is counted: ACCOUNT|REGION|TYPE|SOURCE|NAME.
type insightKey struct{ Account, Region, Type, Source, Name string }

func (k insightKey) String() string {
	return k.Account + "|" + k.Region + "|" + k.Type + "|" + k.Source + "|" + k.Name
}

func parseInsightKey(s string) (insightKey, bool) {
	p := strings.SplitN(s, "|", 5)
	if len(p) != 5 {
		return insightKey{}, false
	}
	return insightKey{p[0], p[1], p[2], p[3], p[4]}, true
}

func minuteStr(m int64) string { return fmt.Sprintf("%010d", m) }

// minuteCount is one key's count in one minute, with who, with what tool and with
// which error code.
type minuteCount struct {
	N      int            `json:"n"`
	Users  map[string]int `json:"u,omitempty"`
	Agents map[string]int `json:"a,omitempty"`
	Errors map[string]int `json:"e,omitempty"`
}

func bump(m *map[string]int, k string, n int) {
	if *m == nil {
		*m = map[string]int{}
	}
	if _, ok := (*m)[k]; ok || len(*m) < maxAttributed {
		(*m)[k] += n
	}
}

func (m *minuteCount) add(o *minuteCount) {
	m.N += o.N
	for k, n := range o.Users {
		bump(&m.Users, k, n)
	}
	for k, n := range o.Agents {
		bump(&m.Agents, k, n)
	}
	for k, n := range o.Errors {
		bump(&m.Errors, k, n)
	}
}

// activeInsight is an insight in progress.
type activeInsight struct {
	SharedEventID string  `json:"sharedEventId"`
	Start         int64   `json:"start"` // Unix minute
	Next          int64   `json:"next"`  // the next minute to judge
	Baseline      float64 `json:"baseline"`
	// BaselineCounts are the baseline's totals (averaged over baselineMinutes).
	BaselineCounts minuteCount `json:"baselineCounts"`
	// Total is the insight's count so far.
	Total minuteCount `json:"total"`
}

func (a *activeInsight) threshold() float64 { return InsightMinCount + InsightFactor*a.Baseline }

type insightState struct {
	// Evaluated is the last minute judged.
	Evaluated int64 `json:"evaluated"`
	// Pruned is when counts older than the baseline were last removed.
	Pruned time.Time `json:"pruned"`
}

// managementInsights are the Insights types a trail has on for management events,
// with when each was turned on.
func (t *trail) managementInsights() map[string]time.Time {
	var out map[string]time.Time
	for _, s := range t.InsightSelectors {
		typ := deref(s.InsightType)
		mgmt := len(s.EventCategories) == 0
		for _, c := range s.EventCategories {
			mgmt = mgmt || c == "Management"
		}
		if !mgmt {
			continue
		}
		if out == nil {
			out = map[string]time.Time{}
		}
		out[typ] = t.InsightsSince[typ]
	}
	return out
}

// insights is the consumer.
type insights struct{ ct *CloudTrail }

func (in *insights) Name() string { return insightsName }

// watchers are the logging trails with Insights on management events.
func watchers(tx *store.Tx) ([]*trail, error) {
	var out []*trail
	err := allTrails(tx, func(t *trail) bool {
		if t.Logging && len(t.managementInsights()) > 0 {
			out = append(out, t)
		}
		return true
	})
	return out, err
}

// Interested implements events.Selective: records are counted only while a trail
// watches.
func (in *insights) Interested(view *store.Tx, after, last int64) (bool, error) {
	ws, err := watchers(view)
	return len(ws) > 0, err
}

// coverage answers whether a trail watching Insights covers an account and Region.
type coverage struct {
	ct   *CloudTrail
	view *store.Tx
	ws   []*trail
	orgs map[string]string
	memo map[[2]string]bool
}

func (c *coverage) org(account string) (string, error) {
	if id, ok := c.orgs[account]; ok {
		return id, nil
	}
	id := ""
	if o := c.ct.deps.Organizations; o != nil {
		org, ok, err := o.Organization(c.view, account)
		if err != nil {
			return "", err
		}
		if ok {
			id = org.ID
		}
	}
	c.orgs[account] = id
	return id, nil
}

// reaches reports whether t watches an account's Region.
func (c *coverage) reaches(t *trail, account, region string) (bool, error) {
	if !t.IsMultiRegion && region != t.HomeRegion {
		return false, nil
	}
	if account == t.Account {
		return true, nil
	}
	if !t.IsOrganization {
		return false, nil
	}
	org, err := c.org(account)
	return org != "" && org == t.OrgID, err
}

func (c *coverage) covered(account, region string) (bool, error) {
	k := [2]string{account, region}
	if v, ok := c.memo[k]; ok {
		return v, nil
	}
	v := false
	for _, t := range c.ws {
		ok, err := c.reaches(t, account, region)
		if err != nil {
			return false, err
		}
		if ok {
			v = true
			break
		}
	}
	c.memo[k] = v
	return v, nil
}

// enabled reports whether a trail watching the key's account and Region had the
// key's Insights type on at a time.
func (c *coverage) enabled(k insightKey, at time.Time) (bool, error) {
	for _, t := range c.ws {
		since, ok := t.managementInsights()[k.Type]
		if !ok || since.After(at) {
			continue
		}
		ok, err := c.reaches(t, k.Account, k.Region)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// insightFacts are what counting reads of a record.
type insightFacts struct {
	source, name, eventType, category, errorCode, eventTime, region, arn, agent string
	readOnly, management                                                        *bool
}

func parseInsightFacts(data []byte, f *insightFacts) error {
	return members(data, func(k, raw []byte) bool {
		switch string(k) {
		case "eventSource":
			f.source = str(raw)
		case "eventName":
			f.name = str(raw)
		case "eventType":
			f.eventType = str(raw)
		case "eventCategory":
			f.category = str(raw)
		case "errorCode":
			f.errorCode = str(raw)
		case "eventTime":
			f.eventTime = str(raw)
		case "awsRegion":
			f.region = str(raw)
		case "userAgent":
			f.agent = str(raw)
		case "readOnly":
			f.readOnly = boolPtr(raw)
		case "managementEvent":
			f.management = boolPtr(raw)
		case "userIdentity":
			members(raw, func(k, v []byte) bool {
				if string(k) == "arn" {
					f.arn = str(v)
				}
				return true
			})
		}
		return true
	})
}

func (in *insights) Consume(view *store.Tx, now time.Time, evs []*store.Event) (events.Step, error) {
	var st insightState
	if _, err := view.GetJSON(insightStateNS, "state", &st); err != nil {
		return events.Step{}, err
	}
	nowMin := now.Unix() / 60
	ws, err := watchers(view)
	if err != nil {
		return events.Step{}, err
	}
	w := &insightWrite{rows: map[string]*minuteCount{}, active: map[string]*activeInsight{}}
	if len(ws) == 0 {
		// Nothing watches: insights in progress are forgotten (no End is written for
		// a trail that no longer asks for Insights), and counting starts again when a
		// trail turns Insights on. Counts stay for the baseline until they age out.
		if err := scanKeys(view, insightActiveNS, func(k string) { w.dropActive = append(w.dropActive, k) }); err != nil {
			return events.Step{}, err
		}
		if err := scanKeys(view, insightPendingNS, func(k string) { w.dropPending = append(w.dropPending, k) }); err != nil {
			return events.Step{}, err
		}
		if st.Evaluated != nowMin-1 || len(w.dropActive)+len(w.dropPending) > 0 {
			st.Evaluated = nowMin - 1
			w.state = &st
		}
		// Hold: a trail turning Insights on is seen within a minute, or at the next
		// clock move, without the consumer waking on every commit meanwhile.
		return events.Step{Consumed: len(evs), Write: w.write(), Next: now.Add(time.Minute), Hold: true}, nil
	}
	if st.Evaluated == 0 || st.Evaluated < nowMin-baselineMinutes {
		st.Evaluated = nowMin - 1
	}
	cov := &coverage{ct: in.ct, view: view, ws: ws, orgs: map[string]string{}, memo: map[[2]string]bool{}}
	delta := map[string]map[int64]*minuteCount{}
	count := func(k insightKey, minute int64, f *insightFacts) {
		ks := k.String()
		byMin := delta[ks]
		if byMin == nil {
			byMin = map[int64]*minuteCount{}
			delta[ks] = byMin
		}
		mc := byMin[minute]
		if mc == nil {
			mc = &minuteCount{}
			byMin[minute] = mc
		}
		mc.N++
		if f.arn != "" {
			bump(&mc.Users, f.arn, 1)
		}
		if f.agent != "" {
			bump(&mc.Agents, f.agent, 1)
		}
		code := f.errorCode
		if code == "" {
			code = "null"
		}
		bump(&mc.Errors, code, 1)
	}
	for _, e := range evs {
		if e.Source != audit.Source {
			continue
		}
		var f insightFacts
		if err := parseInsightFacts(e.Data, &f); err != nil {
			return events.Step{}, fmt.Errorf("cloudtrail: record %d: %w", e.Seq, err)
		}
		// Management API calls only: not data events, not console sign-ins or
		// service events.
		if f.management != nil && !*f.management || f.category != "" && f.category != "Management" || f.eventType != "AwsApiCall" {
			continue
		}
		call := f.readOnly != nil && !*f.readOnly
		errored := f.errorCode != ""
		if !call && !errored {
			continue
		}
		if ok, err := cov.covered(e.Account, f.region); err != nil {
			return events.Step{}, err
		} else if !ok {
			continue
		}
		at, err := time.Parse(time.RFC3339, f.eventTime)
		if err != nil {
			at = time.UnixMilli(e.Time)
		}
		minute := at.Unix() / 60
		if call {
			count(insightKey{e.Account, f.region, callRate, f.source, f.name}, minute, &f)
		}
		if errored {
			count(insightKey{e.Account, f.region, errorRate, f.source, f.name}, minute, &f)
		}
	}
	// Merge this step's counts into the stored ones.
	pending := map[string][]int64{} // key → minutes to judge
	for ks, byMin := range delta {
		for minute, d := range byMin {
			rk := ks + "|" + minuteStr(minute)
			row := &minuteCount{}
			if _, err := view.GetJSON(insightCountsNS, rk, row); err != nil {
				return events.Step{}, err
			}
			row.add(d)
			w.rows[rk] = row
			if minute > st.Evaluated {
				w.newPending = append(w.newPending, minuteStr(minute)+"|"+ks)
				pending[ks] = append(pending[ks], minute)
			}
		}
	}
	step := events.Step{Consumed: len(evs), Next: time.Unix((nowMin+1)*60, 0), Hold: true}
	if len(evs) == insightsBatch {
		// More records wait: judge minutes once they are all counted.
		step.Write = w.write()
		return step, nil
	}
	// Judge every minute before the current one.
	if err := view.Scan(insightPendingNS, "", 0, func(k string, _ []byte) bool {
		i := strings.IndexByte(k, '|')
		if i < 0 {
			return true
		}
		minute, err := strconv.ParseInt(k[:i], 10, 64)
		if err != nil {
			return true
		}
		if minute >= nowMin {
			return false // keys are in minute order
		}
		pending[k[i+1:]] = append(pending[k[i+1:]], minute)
		w.dropPending = append(w.dropPending, k)
		return true
	}); err != nil {
		return events.Step{}, err
	}
	actives := map[string]*activeInsight{}
	var derr error
	if err := view.Scan(insightActiveNS, "", 0, func(k string, v []byte) bool {
		a := &activeInsight{}
		if derr = json.Unmarshal(v, a); derr != nil {
			return false
		}
		actives[k] = a
		return true
	}); err != nil || derr != nil {
		return events.Step{}, fmt.Errorf("cloudtrail: insights: %w", errorsJoin(err, derr))
	}
	keys := make([]string, 0, len(pending)+len(actives))
	for k := range pending {
		keys = append(keys, k)
	}
	for k := range actives {
		if _, ok := pending[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	j := &judge{view: view, w: w, cov: cov, now: now, nowMin: nowMin}
	for _, ks := range keys {
		if err := j.key(ks, pending[ks], actives[ks]); err != nil {
			return events.Step{}, err
		}
	}
	// Newer pending minutes of this step are kept; older ones were judged.
	kept := w.newPending[:0]
	for _, p := range w.newPending {
		if m, _ := strconv.ParseInt(p[:10], 10, 64); m >= nowMin {
			kept = append(kept, p)
		}
	}
	w.newPending = kept
	if st.Evaluated != nowMin-1 {
		st.Evaluated = nowMin - 1
		w.state = &st
	}
	if now.Sub(st.Pruned) >= pruneInterval {
		oldest := nowMin - baselineMinutes
		if err := view.Scan(insightCountsNS, "", 0, func(k string, _ []byte) bool {
			if m, err := strconv.ParseInt(k[len(k)-10:], 10, 64); err == nil && m < oldest {
				w.prune = append(w.prune, k)
			}
			return true
		}); err != nil {
			return events.Step{}, err
		}
		st.Pruned = now
		w.state = &st
	}
	step.Write = w.write()
	return step, nil
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func scanKeys(tx *store.Tx, ns string, fn func(string)) error {
	return tx.Scan(ns, "", 0, func(k string, _ []byte) bool { fn(k); return true })
}

// judge decides the insights of one step.
type judge struct {
	view   *store.Tx
	w      *insightWrite
	cov    *coverage
	now    time.Time
	nowMin int64
}

// row is a key's count in a minute, as this step leaves it.
func (j *judge) row(ks string, minute int64) (*minuteCount, error) {
	rk := ks + "|" + minuteStr(minute)
	if r, ok := j.w.rows[rk]; ok {
		return r, nil
	}
	r := &minuteCount{}
	_, err := j.view.GetJSON(insightCountsNS, rk, r)
	return r, err
}

// baseline is the key's total over the baselineMinutes before a minute.
func (j *judge) baseline(ks string, minute int64) (minuteCount, error) {
	var total minuteCount
	from := minute - baselineMinutes
	seen := map[string]bool{}
	var derr error
	err := j.view.Scan(insightCountsNS, ks+"|"+minuteStr(from-1), 0, func(k string, v []byte) bool {
		if !strings.HasPrefix(k, ks+"|") || len(k) != len(ks)+11 {
			return false
		}
		m, err := strconv.ParseInt(k[len(ks)+1:], 10, 64)
		if err != nil || m >= minute {
			return false
		}
		seen[k] = true
		r := &minuteCount{}
		if mine, ok := j.w.rows[k]; ok {
			r = mine
		} else if derr = json.Unmarshal(v, r); derr != nil {
			return false
		}
		total.add(r)
		return true
	})
	if err != nil || derr != nil {
		return total, errorsJoin(err, derr)
	}
	for k, r := range j.w.rows {
		if seen[k] || !strings.HasPrefix(k, ks+"|") || len(k) != len(ks)+11 {
			continue
		}
		if m, err := strconv.ParseInt(k[len(ks)+1:], 10, 64); err == nil && m >= from && m < minute {
			total.add(r)
		}
	}
	return total, nil
}

// key judges one key's minutes (sorted or not) before the current one, continuing
// its insight in progress if any.
func (j *judge) key(ks string, minutes []int64, a *activeInsight) error {
	k, ok := parseInsightKey(ks)
	if !ok {
		return nil
	}
	had := a != nil
	sort.Slice(minutes, func(x, y int) bool { return minutes[x] < minutes[y] })
	minutes = slices.Compact(minutes)
	i := 0
	for {
		if a != nil {
			m := a.Next
			if m >= j.nowMin {
				break
			}
			r, err := j.row(ks, m)
			if err != nil {
				return err
			}
			if float64(r.N) >= a.threshold() {
				a.Total.add(r)
				a.Next++
				continue
			}
			if err := j.emit(k, a, "End", m); err != nil {
				return err
			}
			for i < len(minutes) && minutes[i] <= m {
				i++
			}
			a = nil
			continue
		}
		if i >= len(minutes) {
			break
		}
		m := minutes[i]
		i++
		if m >= j.nowMin {
			break
		}
		r, err := j.row(ks, m)
		if err != nil {
			return err
		}
		if r.N < InsightMinCount {
			continue
		}
		base, err := j.baseline(ks, m)
		if err != nil {
			return err
		}
		cand := &activeInsight{Start: m, Next: m + 1, Baseline: float64(base.N) / float64(baselineMinutes), BaselineCounts: base}
		if float64(r.N) < cand.threshold() {
			continue
		}
		if ok, err := j.cov.enabled(k, time.Unix(m*60, 0)); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		cand.SharedEventID = auth.NewUUID()
		cand.Total.add(r) // a copy: the row's maps are written as they are
		if err := j.emit(k, cand, "Start", m); err != nil {
			return err
		}
		a = cand
	}
	if a != nil {
		j.w.active[ks] = a
	} else if had {
		j.w.dropActive = append(j.w.dropActive, ks)
	}
	return nil
}

// emit appends an Insights event: the Start of an insight (its first minute's
// statistics) or its End at minute m (the statistics over the insight).
func (j *judge) emit(k insightKey, a *activeInsight, state string, m int64) error {
	duration := m - a.Start
	insight := float64(a.Total.N)
	if state == "Start" {
		duration = 1
	} else if duration > 0 {
		insight /= float64(duration)
	}
	at := a.Start
	if state == "End" {
		at = m
	}
	base := float64(baselineMinutes)
	attrs := []insightAttribution{
		attribution("userIdentityArn", a.Total.Users, float64(duration), a.BaselineCounts.Users, base),
		attribution("userAgent", a.Total.Agents, float64(duration), a.BaselineCounts.Agents, base),
		attribution("errorCode", a.Total.Errors, float64(duration), a.BaselineCounts.Errors, base),
	}
	rec := insightRecord{
		EventVersion: "1.08", EventTime: audit.FormatTime(time.Unix(at*60, 0)), AWSRegion: k.Region, EventID: auth.NewUUID(),
		EventType: insightKind, RecipientAccountID: k.Account, SharedEventID: a.SharedEventID, EventCategory: "Insight",
	}
	rec.InsightDetails.State = state
	rec.InsightDetails.EventSource = k.Source
	rec.InsightDetails.EventName = k.Name
	rec.InsightDetails.InsightType = k.Type
	s := &rec.InsightDetails.InsightContext.Statistics
	s.Baseline.Average = round10(a.Baseline)
	s.Insight.Average = round10(insight)
	s.InsightDuration = duration
	s.BaselineDuration = baselineMinutes
	rec.InsightDetails.InsightContext.Attributions = attrs
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	j.w.events = append(j.w.events, &store.Event{Time: j.now.UnixMilli(), Account: k.Account, Region: k.Region, Source: insightSource, Kind: insightKind, Data: data})
	return nil
}

// insightRecord is an Insights event (CloudTrail User Guide, "CloudTrail record
// contents for Insights events for trails" and "CloudTrail Insights insightDetails
// element").
type insightRecord struct {
	EventVersion       string `json:"eventVersion"`
	EventTime          string `json:"eventTime"`
	AWSRegion          string `json:"awsRegion"`
	EventID            string `json:"eventID"`
	EventType          string `json:"eventType"`
	RecipientAccountID string `json:"recipientAccountId"`
	SharedEventID      string `json:"sharedEventID"`
	InsightDetails     struct {
		State          string `json:"state"`
		EventSource    string `json:"eventSource"`
		EventName      string `json:"eventName"`
		InsightType    string `json:"insightType"`
		InsightContext struct {
			Statistics struct {
				Baseline struct {
					Average float64 `json:"average"`
				} `json:"baseline"`
				Insight struct {
					Average float64 `json:"average"`
				} `json:"insight"`
				InsightDuration  int64 `json:"insightDuration"`
				BaselineDuration int64 `json:"baselineDuration"`
			} `json:"statistics"`
			Attributions []insightAttribution `json:"attributions"`
		} `json:"insightContext"`
	} `json:"insightDetails"`
	EventCategory string `json:"eventCategory"`
}

type insightAttribution struct {
	Attribute string         `json:"attribute"`
	Insight   []insightValue `json:"insight"`
	Baseline  []insightValue `json:"baseline"`
}

type insightValue struct {
	Value   string  `json:"value"`
	Average float64 `json:"average"`
}

// attribution lists the top values of an attribute during the insight and the
// baseline, by their average per minute, highest first.
func attribution(name string, insight map[string]int, insightMinutes float64, baseline map[string]int, baselineMinutes float64) insightAttribution {
	return insightAttribution{Attribute: name, Insight: top(insight, insightMinutes), Baseline: top(baseline, baselineMinutes)}
}

func top(counts map[string]int, minutes float64) []insightValue {
	out := []insightValue{}
	for v, n := range counts {
		out = append(out, insightValue{Value: v, Average: round10(float64(n) / minutes)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Average != out[j].Average {
			return out[i].Average > out[j].Average
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > topAttributions {
		out = out[:topAttributions]
	}
	return out
}

// round10 keeps ten decimal places, as AWS's averages show (0.0017857143).
func round10(f float64) float64 { return math.Round(f*1e10) / 1e10 }

// insightWrite is one step's transaction.
type insightWrite struct {
	rows        map[string]*minuteCount
	newPending  []string
	dropPending []string
	active      map[string]*activeInsight
	dropActive  []string
	prune       []string
	events      []*store.Event
	state       *insightState
}

func (w *insightWrite) write() func(tx *store.Tx) error {
	if len(w.rows) == 0 && len(w.newPending) == 0 && len(w.dropPending) == 0 && len(w.active) == 0 &&
		len(w.dropActive) == 0 && len(w.prune) == 0 && len(w.events) == 0 && w.state == nil {
		return nil
	}
	return func(tx *store.Tx) error {
		for k, r := range w.rows {
			if err := tx.PutJSON(insightCountsNS, k, r); err != nil {
				return err
			}
		}
		for _, k := range w.prune {
			if _, ok := w.rows[k]; ok {
				continue
			}
			if _, err := tx.Delete(insightCountsNS, k); err != nil {
				return err
			}
		}
		for _, k := range w.dropPending {
			if _, err := tx.Delete(insightPendingNS, k); err != nil {
				return err
			}
		}
		for _, k := range w.newPending {
			if err := tx.Put(insightPendingNS, k, nil); err != nil {
				return err
			}
		}
		for _, k := range w.dropActive {
			if _, err := tx.Delete(insightActiveNS, k); err != nil {
				return err
			}
		}
		for k, a := range w.active {
			if err := tx.PutJSON(insightActiveNS, k, a); err != nil {
				return err
			}
		}
		for _, e := range w.events {
			if err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		if w.state != nil {
			return tx.PutJSON(insightStateNS, "state", w.state)
		}
		return nil
	}
}
