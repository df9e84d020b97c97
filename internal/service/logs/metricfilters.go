package logs

import (
	"sort"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/filterpattern"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
	"github.com/palisade/palisade/internal/wire"
)

func (l *Logs) metricFilterHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutMetricFilter", l.putMetricFilter),
		server.Read("DescribeMetricFilters", l.describeMetricFilters),
		server.Write("DeleteMetricFilter", l.deleteMetricFilter),
		server.Read("TestMetricFilter", l.testMetricFilter),
	}
}

// filterRec is a stored metric filter.
type filterRec struct {
	Name            string                     `json:"name"`
	Pattern         string                     `json:"pattern"`
	Transformations []api.MetricTransformation `json:"transformations"`
	Created         int64                      `json:"created"`
	// SystemDimensions is the filter's emitSystemFieldDimensions, kept and
	// answered as given (Palisade emits no such dimension).
	SystemDimensions []string `json:"sysdims,omitempty"`
}

// Quotas (CloudWatch Logs quotas): metric filters per log group, regex patterns per
// log group.
const (
	maxFiltersPerGroup = 100
	maxRegexPerGroup   = 5
)

func errBadPattern() error { return errParam("Invalid metric filter pattern") }

// badPatternError is the refusal of a pattern the parser rejected: an unclosed JSON
// pattern is named as such (recorded 2026, radkawar/stackd
// testdata/aws/cloudtrail/logs_controls_revision_attempt.json, TestMetricFilter "{";
// FilterLogEvents words it alike; PutMetricFilter's answer inferred).
func badPatternError(fp string) error {
	if t := strings.TrimSpace(fp); strings.HasPrefix(t, "{") && !strings.HasSuffix(t, "}") {
		return errParam("If a filter pattern starts with '{' it must end with '}'")
	}
	return errBadPattern()
}

// checkWildcardRefs refuses a metric value or dimension that reads a JSON array
// through [*]: one event would give it several values. The wording is AWS's, as
// recorded (it answers so though the pattern itself takes [*]).
func checkWildcardRefs(t api.MetricTransformation) error {
	if strings.HasPrefix(t.MetricValue, "$.") && strings.Contains(t.MetricValue, "[*]") {
		return errParam("Invalid metric transformation: metric value " + t.MetricValue + " must be a valid number")
	}
	for _, v := range t.Dimensions {
		if strings.HasPrefix(v, "$.") && strings.Contains(v, "[*]") {
			return errParam("Invalid metric transformation: dimension value must be valid selector")
		}
	}
	return nil
}

// checkTransformation applies AWS's rules on a transformation: dimensions only with
// JSON or space-delimited patterns, at most three, and not with a default value.
func checkTransformation(p *filterpattern.Pattern, t api.MetricTransformation) error {
	if len(t.Dimensions) > 0 {
		if p.Kind() == filterpattern.KindTerms {
			return errParam("The specified filter pattern does not support dimensions")
		}
		if len(t.Dimensions) > 3 {
			// Wording inferred: AWS allows "up to three dimensions".
			return api.NewLimitExceededException("A metric filter can have at most 3 dimensions.")
		}
		if t.DefaultValue != nil {
			// AWS: "If you assign dimensions to metrics that metric filters generate,
			// you can't specify default values for those metrics." Wording inferred.
			return errParam("Metric filters with dimensions can't have a default value.")
		}
	}
	if !strings.HasPrefix(t.MetricValue, "$") {
		if f, err := strconv.ParseFloat(t.MetricValue, 64); err != nil || !svckit.MetricValueOK(f) {
			return errParam("Invalid metric value: " + t.MetricValue)
		}
	}
	if t.DefaultValue != nil && !svckit.MetricValueOK(*t.DefaultValue) {
		// Wording inferred, as for the metric value.
		return errParam("Invalid default value: " + smithyFloat(*t.DefaultValue))
	}
	return nil
}

// smithyFloat spells a number as the request carried it: the non-finite values as
// Smithy's JSON protocols write them.
func smithyFloat(f float64) string {
	if name, ok := wire.SpecialFloat(f); ok {
		return name
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (l *Logs) putMetricFilter(c *server.Call, in *api.PutMetricFilterRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	for _, t := range in.MetricTransformations {
		if err := checkWildcardRefs(t); err != nil {
			return nil, err
		}
	}
	p, err := l.pattern(in.FilterPattern)
	if err != nil {
		return nil, badPatternError(in.FilterPattern)
	}
	for _, t := range in.MetricTransformations {
		if err := checkTransformation(p, t); err != nil {
			return nil, err
		}
	}
	key := streamKey(g.Name, in.FilterName)
	existing := &filterRec{}
	found, err := c.Tx.GetJSON(ns(c.Account, c.Region, tFilters), key, existing)
	if err != nil {
		return nil, err
	}
	filters, err := l.groupFilters(c.Tx, c.Account, c.Region, g.Name)
	if err != nil {
		return nil, err
	}
	regex := p.RegexCount()
	for _, f := range filters {
		if f.rec.Name != in.FilterName {
			regex += f.pat.RegexCount()
		}
	}
	if regex > maxRegexPerGroup {
		return nil, api.NewLimitExceededException("Resource limit exceeded.")
	}
	if !found {
		if g.Filters >= maxFiltersPerGroup {
			return nil, api.NewLimitExceededException("Resource limit exceeded.")
		}
		g.Filters++
		if err := putGroup(c.Tx, c.Account, c.Region, g); err != nil {
			return nil, err
		}
	}
	rec := &filterRec{Name: in.FilterName, Pattern: in.FilterPattern, Transformations: in.MetricTransformations, Created: ms(c.Now),
		SystemDimensions: in.EmitSystemFieldDimensions}
	if found {
		rec.Created = existing.Created
	}
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, c.Region, tFilters), key, rec)
}

func (f *filterRec) out(group string) api.MetricFilter {
	return api.MetricFilter{
		FilterName: svckit.Ptr(f.Name), FilterPattern: svckit.Ptr(f.Pattern), MetricTransformations: f.Transformations,
		CreationTime: svckit.Ptr(f.Created), LogGroupName: svckit.Ptr(group), ApplyOnTransformedLogs: svckit.Ptr(false),
		EmitSystemFieldDimensions: f.SystemDimensions,
	}
}

func (l *Logs) describeMetricFilters(c *server.Call, in *api.DescribeMetricFiltersRequest) (*api.DescribeMetricFiltersResponse, error) {
	if (in.MetricName == nil) != (in.MetricNamespace == nil) {
		// Wording inferred: the API reference requires both or neither.
		return nil, errParam("If you specify metricName, you must also specify metricNamespace, and vice versa.")
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	prefix := ""
	if in.LogGroupName != nil {
		if _, err := loadGroup(c.Tx, c.Account, c.Region, *in.LogGroupName); err != nil {
			return nil, err
		}
		prefix = *in.LogGroupName + sep + svckit.Str(in.FilterNamePrefix)
	}
	out := &api.DescribeMetricFiltersResponse{MetricFilters: []api.MetricFilter{}}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tFilters), prefix, in.NextToken, limit, errBadToken(), func(k string, v []byte, take bool) (bool, error) {
		f := &filterRec{}
		if err := decode(v, f); err != nil {
			return false, err
		}
		if in.MetricName != nil && !f.publishes(*in.MetricNamespace, *in.MetricName) {
			return false, nil
		}
		group, name, _ := strings.Cut(k, sep)
		if in.LogGroupName == nil && !strings.HasPrefix(name, svckit.Str(in.FilterNamePrefix)) {
			// Without a group the prefix applies to every group's filters, as AWS
			// answers (the API reference says it needs the group).
			return false, nil
		}
		if !take {
			return true, nil
		}
		out.MetricFilters = append(out.MetricFilters, f.out(group))
		return true, nil
	})
	return out, err
}

func (f *filterRec) publishes(namespace, name string) bool {
	for _, t := range f.Transformations {
		if t.MetricNamespace == namespace && t.MetricName == name {
			return true
		}
	}
	return false
}

func (l *Logs) deleteMetricFilter(c *server.Call, in *api.DeleteMetricFilterRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Delete(ns(c.Account, c.Region, tFilters), streamKey(g.Name, in.FilterName))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewResourceNotFoundException("The specified metric filter does not exist.")
	}
	g.Filters--
	return &model.Empty{}, putGroup(c.Tx, c.Account, c.Region, g)
}

func (l *Logs) testMetricFilter(c *server.Call, in *api.TestMetricFilterRequest) (*api.TestMetricFilterResponse, error) {
	p, err := l.pattern(in.FilterPattern)
	if err != nil {
		return nil, badPatternError(in.FilterPattern)
	}
	out := &api.TestMetricFilterResponse{Matches: []api.MetricFilterMatchRecord{}}
	for i, msg := range in.LogEventMessages {
		r, ok := p.Evaluate(msg)
		if !ok {
			continue
		}
		out.Matches = append(out.Matches, api.MetricFilterMatchRecord{EventNumber: svckit.Ptr(int64(i + 1)), EventMessage: svckit.Ptr(msg), ExtractedValues: r.Fields})
	}
	return out, nil
}

type compiledFilter struct {
	rec *filterRec
	pat *filterpattern.Pattern
}

func (l *Logs) groupFilters(tx *store.Tx, account, region, group string) ([]compiledFilter, error) {
	var out []compiledFilter
	err := svckit.ScanPrefix(tx, ns(account, region, tFilters), group+sep, "", func(_ string, v []byte) (bool, error) {
		f := &filterRec{}
		if err := decode(v, f); err != nil {
			return false, err
		}
		p, err := l.pattern(f.Pattern)
		if err != nil {
			// Stored patterns parsed when they were stored.
			return false, err
		}
		out = append(out, compiledFilter{rec: f, pat: p})
		return true, nil
	})
	return out, err
}

// aggKey identifies one datapoint of a metric filter's output: metric, dimension
// values and minute.
type aggKey struct {
	transform int
	dims      string
	minute    int64
}

// applyMetricFilters turns a group's accepted events into metric datapoints, one per
// metric, dimension values and minute of event time (AWS: "The metric value is
// aggregated and reported every minute"). An event that does not match adds the
// default value, when the transformation has one.
func (l *Logs) applyMetricFilters(tx *store.Tx, account, region string, g *groupRec, events []event) error {
	if l.d.Metrics == nil || g.Filters == 0 {
		return nil
	}
	filters, err := l.groupFilters(tx, account, region, g.Name)
	if err != nil {
		return err
	}
	var data []MetricDatum
	for _, f := range filters {
		agg := map[aggKey]*MetricDatum{}
		var order []aggKey
		add := func(k aggKey, t api.MetricTransformation, dims map[string]string, v float64) {
			d, ok := agg[k]
			if !ok {
				d = &MetricDatum{Namespace: t.MetricNamespace, MetricName: t.MetricName, Dimensions: dims,
					Unit: svckit.Str(t.Unit), Timestamp: time.UnixMilli(k.minute).UTC(), Minimum: v, Maximum: v}
				agg[k] = d
				order = append(order, k)
			}
			d.SampleCount++
			d.Sum += v
			d.Minimum = min(d.Minimum, v)
			d.Maximum = max(d.Maximum, v)
		}
		for _, e := range events {
			minute := e.ts - e.ts%60000
			r, matched := f.pat.Evaluate(e.msg)
			for ti, t := range f.rec.Transformations {
				if !matched {
					if t.DefaultValue != nil {
						add(aggKey{ti, "", minute}, t, nil, *t.DefaultValue)
					}
					continue
				}
				v, ok := metricValue(r, t.MetricValue)
				if !ok {
					continue
				}
				dims, dimKey, ok := dimensions(r, t.Dimensions)
				if !ok {
					continue
				}
				add(aggKey{ti, dimKey, minute}, t, dims, v)
			}
		}
		for _, k := range order {
			data = append(data, *agg[k])
		}
	}
	if len(data) == 0 {
		return nil
	}
	return l.d.Metrics.PutMetricStatistics(tx, account, region, data)
}

// metricValue is a transformation's value for a matched event: a number, or a
// reference ($.selector, $field) to a numeric value of the event.
func metricValue(r *filterpattern.Result, spec string) (float64, bool) {
	s := spec
	if strings.HasPrefix(spec, "$") {
		v, ok := r.Lookup(spec)
		if !ok {
			return 0, false
		}
		s = v
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && svckit.MetricValueOK(f)
}

// dimensions resolves a transformation's dimensions for a matched event; an event
// that lacks one of them publishes nothing.
func dimensions(r *filterpattern.Result, spec map[string]string) (map[string]string, string, bool) {
	if len(spec) == 0 {
		return nil, "", true
	}
	out := make(map[string]string, len(spec))
	var key strings.Builder
	names := make([]string, 0, len(spec))
	for n := range spec {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, ok := r.Lookup(spec[n])
		if !ok || v == "" {
			return nil, "", false
		}
		out[n] = v
		key.WriteString(n + "=" + v + sep)
	}
	return out, key.String(), true
}
