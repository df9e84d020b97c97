package logs

import (
	"context"
	"encoding/base64"
	"fmt"
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

// execute runs a query over its log groups' events in [start, end]. The per-row
// commands before the first stats, sort, dedup or limit run as events are read; the
// rest run over the rows they let through, which enter in the default order
// (@timestamp descending: "If the results are not sorted before being run through
// dedup, then the default descending sort order using @timestamp is used.", "dedup").
func (l *Logs) execute(tx *store.Tx, account, region string, q *queryRec) (_ [][]api.ResultField, err error) {
	// Queries run in the background: a fault in evaluating one fails that query
	// rather than the server.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("logs: query %s: %v", q.ID, p)
		}
	}()
	iq, err := parseInsights(q.Query)
	if err != nil {
		return nil, err
	}
	head := 0
	for head < len(iq.stages) && streaming(iq.stages[head]) {
		head++
	}
	prefix, tail := iq.stages[:head], iq.stages[head:]
	var aggs *aggregator
	if len(tail) > 0 {
		if st, ok := tail[0].(*stStats); ok {
			aggs = newAggregator(st)
			tail = tail[1:]
		}
	}
	// StartQuery's limit applies after the query's own commands, as a last limit (a
	// 2026 us-east-1 report: "the API limit is applied as a trailing stage", so that
	// "| estimate" with it failed as "unexpected symbol found limit"). Without it or a
	// limit command, event queries return 10,000 rows ("The default is 10,000.", API
	// reference; the limit command's page says the same of a query without one).
	finalCap := q.Limit
	if finalCap == 0 && iq.limit == 0 && !iq.hasStats {
		finalCap = defaultQueryLimit
	}
	// While reading, keep only the rows that can still be returned when what follows
	// is at most one sort and limits.
	var keep []qsort
	keepN := 0
	if aggs == nil && !iq.hasStats {
		keepN = finalCap
		simple := true
		for i, s := range tail {
			switch st := s.(type) {
			case *stSort:
				simple = simple && i == 0
				keep = st.keys
			case *stLimit:
				if keepN == 0 || st.n < keepN {
					keepN = st.n
				}
			default:
				simple = false
			}
		}
		keep = append(append([]qsort{}, keep...), qsort{field: "@timestamp", desc: true})
		if !simple {
			keepN = 0
		}
	}
	var matched []qrow
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
				if !applyRow(prefix, row) {
					continue
				}
				q.Matched++
				if aggs != nil {
					aggs.add(row)
					continue
				}
				row.ptr = base64.RawStdEncoding.EncodeToString([]byte(gname + sep + pos{ts, m.ID, m.Seq, r.idx}.String()))
				row.retain()
				matched = append(matched, row)
				if keepN > 0 && len(matched) > 4*keepN {
					sortRows(matched, keep)
					clear(matched[keepN:])
					matched = matched[:keepN]
				}
			}
		}
	}
	if aggs != nil {
		matched = aggs.rows()
	} else {
		sortRows(matched, []qsort{{field: "@timestamp", desc: true}})
	}
	rows := runStages(tail, matched)
	if finalCap > 0 {
		rows = rows[:min(finalCap, len(rows))]
	}
	columns := iq.columns
	if iq.display != nil {
		columns = iq.display
	}
	if !iq.hasStats {
		columns = append(append([]string{}, columns...), "@ptr")
	}
	out := make([][]api.ResultField, 0, len(rows))
	for _, r := range rows {
		var fields []api.ResultField
		for _, col := range columns {
			v, ok := r.get(col)
			if !ok || v == nil {
				continue
			}
			fields = append(fields, api.ResultField{Field: svckit.Ptr(col), Value: svckit.Ptr(formatValue(v))})
		}
		out = append(out, fields)
	}
	return out, nil
}
