package logs

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (l *Logs) queryHandlers() []server.Handler {
	return []server.Handler{
		// Both store the query's state, but the reference classes them as reads.
		server.Write("StartQuery", l.startQuery).ReadOnlyEvent(),
		server.Read("GetQueryResults", l.getQueryResults),
		server.Write("StopQuery", l.stopQuery).ReadOnlyEvent(),
		server.Read("DescribeQueries", l.describeQueries),
	}
}

// Query statuses.
const (
	qScheduled = "Scheduled"
	qRunning   = "Running"
	qComplete  = "Complete"
	qFailed    = "Failed"
	qCancelled = "Cancelled"
)

// queueNS lists queries waiting to run, across accounts and regions: query ID →
// queued. Queries run in the background, so a restart picks up where it stopped.
var queueNS = store.NS("logs", "query-queue")

type queued struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

type queryRec struct {
	ID        string   `json:"id"`
	Query     string   `json:"query"`
	Groups    []string `json:"groups"`
	Start     int64    `json:"start"` // seconds
	End       int64    `json:"end"`
	Limit     int      `json:"limit"`
	Status    string   `json:"status"`
	Created   int64    `json:"created"`
	Duration  int64    `json:"duration"`
	Scanned   float64  `json:"scanned"`
	Matched   float64  `json:"matched"`
	Bytes     float64  `json:"bytes"`
	Principal string   `json:"principal"`
}

func (l *Logs) startQuery(c *server.Call, in *api.StartQueryRequest) (*api.StartQueryResponse, error) {
	var groups []string
	n := 0
	if in.LogGroupName != nil {
		n++
		groups = append(groups, *in.LogGroupName)
	}
	if len(in.LogGroupNames) > 0 {
		n++
		groups = append(groups, in.LogGroupNames...)
	}
	if len(in.LogGroupIdentifiers) > 0 {
		n++
		for _, id := range in.LogGroupIdentifiers {
			g, err := groupName(c, nil, svckit.Ptr(id))
			if err != nil {
				return nil, err
			}
			groups = append(groups, g)
		}
	}
	if n != 1 {
		return nil, errParam("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified.")
	}
	for _, g := range groups {
		if _, err := loadGroup(c.Tx, c.Account, c.Region, g); err != nil {
			return nil, api.NewResourceNotFoundException("Log group '" + g + "' does not exist for account ID '" + c.Account + "' (Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException)")
		}
	}
	if in.EndTime < in.StartTime {
		return nil, errParam("End time should not be before the start time")
	}
	if _, err := parseInsights(in.QueryString); err != nil {
		return nil, api.NewMalformedQueryException(err.Error())
	}
	q := &queryRec{ID: auth.NewUUID(), Query: in.QueryString, Groups: groups, Start: in.StartTime, End: in.EndTime,
		Status: qScheduled, Created: ms(c.Now), Principal: c.Principal.ARN}
	if in.Limit != nil {
		q.Limit = int(*in.Limit)
	}
	if err := c.Tx.PutJSON(ns(c.Account, c.Region, tQueries), q.ID, q); err != nil {
		return nil, err
	}
	if err := c.Tx.PutJSON(queueNS, q.ID, queued{Account: c.Account, Region: c.Region}); err != nil {
		return nil, err
	}
	c.Tx.AfterCommit(l.wakeQueries)
	return &api.StartQueryResponse{QueryId: &q.ID}, nil
}

func (l *Logs) wakeQueries() {
	select {
	case l.queries <- struct{}{}:
	default:
	}
}

func loadQuery(tx *store.Tx, account, region, id string) (*queryRec, error) {
	q := &queryRec{}
	ok, err := tx.GetJSON(ns(account, region, tQueries), id, q)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewResourceNotFoundException("Query does not exist.")
	}
	return q, nil
}

func (l *Logs) getQueryResults(c *server.Call, in *api.GetQueryResultsRequest) (*api.GetQueryResultsResponse, error) {
	q, err := loadQuery(c.Tx, c.Account, c.Region, in.QueryId)
	if err != nil {
		return nil, err
	}
	out := &api.GetQueryResultsResponse{Status: svckit.Ptr(q.Status), Results: [][]api.ResultField{}, QueryLanguage: svckit.Ptr("CWLI"),
		Statistics: &api.QueryStatistics{RecordsMatched: svckit.Ptr(q.Matched), RecordsScanned: svckit.Ptr(q.Scanned), BytesScanned: svckit.Ptr(q.Bytes),
			EstimatedRecordsSkipped: svckit.Ptr(0.0), EstimatedBytesSkipped: svckit.Ptr(0.0), LogGroupsScanned: svckit.Ptr(float64(len(q.Groups)))}}
	if q.Status != qComplete {
		return out, nil
	}
	var rows [][]api.ResultField
	if _, err := c.Tx.GetJSON(ns(c.Account, c.Region, tQueryRes), q.ID, &rows); err != nil {
		return nil, err
	}
	start := 0
	if in.NextToken != nil {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		n, err := strconv.Atoi(p)
		if !ok || err != nil || n < 0 || n > len(rows) {
			return nil, errBadToken()
		}
		start = n
	}
	max := 10000
	if in.MaxItems != nil {
		max = int(*in.MaxItems)
	}
	end := min(len(rows), start+max)
	out.Results = rows[start:end]
	if end < len(rows) {
		out.NextToken = svckit.Ptr(svckit.Token(c.Tx, strconv.Itoa(end)))
	}
	return out, nil
}

func (l *Logs) stopQuery(c *server.Call, in *api.StopQueryRequest) (*api.StopQueryResponse, error) {
	q, err := loadQuery(c.Tx, c.Account, c.Region, in.QueryId)
	if err != nil {
		return nil, err
	}
	if q.Status != qScheduled && q.Status != qRunning {
		return &api.StopQueryResponse{Success: svckit.Ptr(false)}, nil
	}
	q.Status = qCancelled
	if _, err := c.Tx.Delete(queueNS, q.ID); err != nil {
		return nil, err
	}
	return &api.StopQueryResponse{Success: svckit.Ptr(true)}, c.Tx.PutJSON(ns(c.Account, c.Region, tQueries), q.ID, q)
}

func (l *Logs) describeQueries(c *server.Call, in *api.DescribeQueriesRequest) (*api.DescribeQueriesResponse, error) {
	var all []*queryRec
	err := svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tQueries), "", "", func(_ string, v []byte) (bool, error) {
		q := &queryRec{}
		if err := decode(v, q); err != nil {
			return false, err
		}
		if in.Status != nil && q.Status != *in.Status {
			return true, nil
		}
		if in.LogGroupName != nil && !contains(q.Groups, *in.LogGroupName) {
			return true, nil
		}
		all = append(all, q)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Created > all[j].Created })
	max := 1000
	if in.MaxResults != nil {
		max = int(*in.MaxResults)
	}
	out := &api.DescribeQueriesResponse{Queries: []api.QueryInfo{}}
	for _, q := range all[:min(max, len(all))] {
		out.Queries = append(out.Queries, api.QueryInfo{QueryId: svckit.Ptr(q.ID), QueryString: svckit.Ptr(q.described()), Status: svckit.Ptr(q.Status),
			CreateTime: svckit.Ptr(q.Created), LogGroupName: svckit.Ptr(q.Groups[0]), QueryLanguage: svckit.Ptr("CWLI")})
	}
	return out, nil
}

// described is the query string as DescribeQueries shows it: AWS prefixes the query
// with its source and time range in milliseconds, the end inclusive to the last
// millisecond of its second (`SOURCE "g" START=1700000000000 END=1700003600999 | fields
// @message`, LocalStack's AWS-validated test_describe_queries). That recording names
// one group; several are listed the same way, each quoted (inferred).
func (q *queryRec) described() string {
	var b strings.Builder
	b.WriteString("SOURCE")
	for _, g := range q.Groups {
		b.WriteString(` "` + g + `"`)
	}
	fmt.Fprintf(&b, " START=%d END=%d | %s", q.Start*1000, q.End*1000+999, q.Query)
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runQueries runs queued queries until ctx ends.
func (l *Logs) runQueries(ctx context.Context) {
	for {
		l.runPending(ctx)
		select {
		case <-ctx.Done():
			return
		case <-l.queries:
		}
	}
}

func (l *Logs) runPending(ctx context.Context) {
	var pending []string
	var where []queued
	err := l.d.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(queueNS, "", 0, func(k string, v []byte) bool {
			var q queued
			if decode(v, &q) == nil {
				pending = append(pending, k)
				where = append(where, q)
			}
			return true
		})
	})
	if err != nil {
		if ctx.Err() == nil {
			l.d.Logger.Error("logs: query queue", "err", err)
		}
		return
	}
	for i, id := range pending {
		if ctx.Err() != nil {
			return
		}
		l.runQuery(ctx, where[i].Account, where[i].Region, id)
	}
}

// runQuery executes one query on a snapshot and stores its results.
func (l *Logs) runQuery(ctx context.Context, account, region, id string) {
	begin := time.Now()
	var q *queryRec
	var rows [][]api.ResultField
	err := l.d.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		if q, err = loadQuery(tx, account, region, id); err != nil {
			return err
		}
		if q.Status != qScheduled && q.Status != qRunning {
			return nil
		}
		rows, err = l.execute(tx, account, region, q)
		return err
	})
	status := qComplete
	if err != nil {
		l.d.Logger.Warn("logs: query failed", "query", id, "err", err)
		status = qFailed
	}
	err = l.d.Store.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.Delete(queueNS, id); err != nil {
			return err
		}
		cur := &queryRec{}
		if ok, err := tx.GetJSON(ns(account, region, tQueries), id, cur); err != nil || !ok || cur.Status == qCancelled {
			return err
		}
		if q == nil {
			return nil
		}
		q.Status = status
		q.Duration = time.Since(begin).Milliseconds()
		if err := tx.PutJSON(ns(account, region, tQueryRes), id, rows); err != nil {
			return err
		}
		return tx.PutJSON(ns(account, region, tQueries), id, q)
	})
	if err != nil && ctx.Err() == nil {
		l.d.Logger.Error("logs: store query results", "query", id, "err", err)
	}
}

// execute runs a query over its log groups' events in [start, end].
func (l *Logs) execute(tx *store.Tx, account, region string, q *queryRec) ([][]api.ResultField, error) {
	iq, err := parseInsights(q.Query)
	if err != nil {
		return nil, err
	}
	limit := iq.limit
	if limit == 0 {
		limit = q.Limit
	}
	if limit == 0 {
		// StartQuery's limit: "The default is 10,000." (API reference; the limit
		// command's page says the same of a query without one).
		limit = defaultQueryLimit
	}
	sorts := iq.sorts
	if len(sorts) == 0 && iq.stats == nil {
		sorts = []qsort{{field: "@timestamp", desc: true}}
	}
	var matched []qrow
	aggs := newAggregator(iq.stats)
	now := l.d.Clock.Now()
	for _, gname := range q.Groups {
		g, err := loadGroup(tx, account, region, gname)
		if err != nil {
			continue
		}
		from := max(q.Start*1000, retentionCutoff(g, now))
		to := q.End*1000 + 999
		plan, err := chunkPlan(tx, account, region, gname+sep, from, to)
		if err != nil {
			return nil, err
		}
		for _, m := range plan {
			r, err := l.readChunk(tx, account, region, g, m, false)
			if err != nil {
				return nil, err
			}
			for {
				ts, msg, ok := r.next()
				if !ok {
					break
				}
				if ts < from || ts > to {
					continue
				}
				q.Scanned++
				q.Bytes += float64(len(msg))
				row := &eventRow{ts: ts, ingest: m.Ingest, msg: msg, stream: m.Stream, group: account + ":" + gname}
				if !passes(iq.filters, row) {
					continue
				}
				q.Matched++
				if aggs != nil {
					aggs.add(row)
					continue
				}
				row.ptr = base64.RawStdEncoding.EncodeToString([]byte(gname + sep + pos{ts, m.ID, m.Seq, r.idx}.String()))
				row.msg = strings.Clone(msg)
				matched = append(matched, row)
				if len(matched) > 4*limit {
					sortRows(matched, sorts)
					matched = matched[:limit]
				}
			}
		}
	}
	var columns []string
	if aggs != nil {
		matched, columns = aggs.rows()
	} else {
		columns = iq.fields
		if len(columns) == 0 {
			columns = []string{"@timestamp", "@message"}
		}
		columns = append(columns, "@ptr")
	}
	var kept []qrow
	for _, r := range matched {
		if passes(iq.post, r) {
			kept = append(kept, r)
		}
	}
	sortRows(kept, sorts)
	if aggs == nil || iq.limit > 0 {
		kept = kept[:min(limit, len(kept))]
	}
	out := make([][]api.ResultField, 0, len(kept))
	for _, r := range kept {
		var fields []api.ResultField
		for _, col := range columns {
			v, ok := r.get(col)
			if !ok || v == nil {
				continue
			}
			fields = append(fields, api.ResultField{Field: svckit.Ptr(col), Value: svckit.Ptr(formatValue(col, v))})
		}
		out = append(out, fields)
	}
	return out, nil
}

func passes(filters []qexpr, r qrow) bool {
	for _, f := range filters {
		if !truthy(f.eval(r)) {
			return false
		}
	}
	return true
}

// aggregator computes stats ... by ...
type aggregator struct {
	st     *qstats
	groups map[string]*aggGroup
	order  []string
}

type aggGroup struct {
	keys   []any
	counts []float64
	sums   []float64
	mins   []float64
	maxs   []float64
}

func newAggregator(st *qstats) *aggregator {
	if st == nil {
		return nil
	}
	return &aggregator{st: st, groups: map[string]*aggGroup{}}
}

func (a *aggregator) add(r qrow) {
	keys := make([]any, len(a.st.by))
	var kb strings.Builder
	for i, b := range a.st.by {
		var v any
		if b.bin > 0 {
			ts, _ := r.get("@timestamp")
			t := ts.(int64)
			v = t - t%b.bin
		} else {
			v, _ = r.get(b.field)
		}
		keys[i] = v
		kb.WriteString(asText(v) + sep)
	}
	k := kb.String()
	g, ok := a.groups[k]
	if !ok {
		n := len(a.st.aggs)
		g = &aggGroup{keys: keys, counts: make([]float64, n), sums: make([]float64, n), mins: make([]float64, n), maxs: make([]float64, n)}
		for i := range g.mins {
			g.mins[i], g.maxs[i] = math.Inf(1), math.Inf(-1)
		}
		a.groups[k] = g
		a.order = append(a.order, k)
	}
	for i, ag := range a.st.aggs {
		if ag.field == "" {
			g.counts[i]++
			continue
		}
		v, ok := r.get(ag.field)
		if !ok || v == nil {
			continue
		}
		g.counts[i]++
		if f, ok := asNumber(v); ok {
			g.sums[i] += f
			g.mins[i] = min(g.mins[i], f)
			g.maxs[i] = max(g.maxs[i], f)
		}
	}
}

func (a *aggregator) rows() ([]qrow, []string) {
	var cols []string
	for _, b := range a.st.by {
		cols = append(cols, b.name)
	}
	for _, ag := range a.st.aggs {
		cols = append(cols, ag.name)
	}
	var out []qrow
	for _, k := range a.order {
		g := a.groups[k]
		row := mapRow{}
		for i, b := range a.st.by {
			if b.bin > 0 {
				row[b.name] = time.UnixMilli(g.keys[i].(int64)).UTC().Format("2006-01-02 15:04:05.000")
			} else if g.keys[i] != nil {
				row[b.name] = g.keys[i]
			}
		}
		for i, ag := range a.st.aggs {
			switch ag.fn {
			case "count":
				row[ag.name] = g.counts[i]
			case "sum":
				row[ag.name] = g.sums[i]
			case "avg":
				if g.counts[i] > 0 {
					row[ag.name] = g.sums[i] / g.counts[i]
				}
			case "min":
				if g.counts[i] > 0 {
					row[ag.name] = g.mins[i]
				}
			case "max":
				if g.counts[i] > 0 {
					row[ag.name] = g.maxs[i]
				}
			}
		}
		out = append(out, row)
	}
	return out, cols
}
