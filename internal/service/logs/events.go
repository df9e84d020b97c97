package logs

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/filterpattern"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (l *Logs) eventHandlers() []server.Handler {
	return []server.Handler{
		// CloudTrail does not record PutLogEvents (AWS's list of logged CloudWatch
		// Logs actions leaves it out). Its events go straight into the struct; its
		// authorization reads only the group and stream names. GetLogEvents and
		// FilterLogEvents are recorded as management events (recorded 2026, stackd
		// testdata/aws/cloudtrail/logs_controls.json: "events-get", "events-filter").
		server.PreparedWhen("PutLogEvents", needsPrepare, l.preparePut, l.putLogEvents).NotRecorded().TypedInput("logEvents"),
		server.Read("GetLogEvents", l.getLogEvents),
		server.Read("FilterLogEvents", l.filterLogEvents),
	}
}

// PutLogEvents' limits (API reference, PutLogEvents).
const (
	maxBatchBytes  = 1_048_576 // message bytes in UTF-8 plus eventOverhead per event
	eventOverhead  = 26
	maxEventBytes  = 1_048_576 // "Each log event can be no larger than 1 MB."
	maxFuture      = 2 * time.Hour
	maxPast        = 14 * 24 * time.Hour
	maxBatchSpan   = 24 * time.Hour
	pageEvents     = 10_000
	pageBytes      = 1_048_576
	dayMillis      = int64(24 * time.Hour / time.Millisecond)
	noEnd          = math.MaxInt64
	retentionGrace = 0
)

// putPrep is a PutLogEvents batch checked and, when the stream has a chunk file,
// already durable in it: what the transaction records if the group and stream are
// still the ones the batch was checked against.
type putPrep struct {
	gen       string
	stream    int64
	retention int32
	kmsKey    string
	out       *api.PutLogEventsResponse
	accepted  []event
	st        *stored
}

// preparePut does PutLogEvents' work that needs no transaction, off the store's
// single writer: decoding-side checks, the batch rules, encoding the chunk and, unless
// it is small enough to go into the transaction (inlineChunkMax), writing it to the
// stream's file with an fsync.
func (l *Logs) preparePut(c *server.Call, in *api.PutLogEventsRequest) (*putPrep, error) {
	var g *groupRec
	var s *streamRec
	err := l.d.Store.View(c.Context, func(tx *store.Tx) error {
		var err error
		if g, err = loadGroup(tx, c.Account, c.Region, in.LogGroupName); err != nil {
			return err
		}
		s, err = loadStream(tx, c.Account, c.Region, in.LogGroupName, in.LogStreamName)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, accepted, err := checkBatch(inputEvents(in), c.Now, g.Retention)
	if err != nil {
		return nil, err
	}
	p := &putPrep{gen: g.Gen, stream: s.ID, retention: g.Retention, kmsKey: g.KmsKeyID, out: out, accepted: accepted}
	if len(accepted) == 0 || l.files == nil {
		return p, nil
	}
	// The chunk is encoded (and sealed) in reused buffers and, once in its file, not
	// kept: a megabyte of fresh memory per batch cost more than everything else
	// PutLogEvents does (page faults on this kind of machine), so the cache holds the
	// chunks searches read back, not every chunk written.
	st := &stored{}
	var key *dataKey
	if l.encrypts(g) {
		// Without a data key in reuse, KMS is asked in the transaction and the chunk
		// goes to the store there.
		k, ok := l.cachedKey(c.Account, c.Region, g, c.Now)
		if !ok {
			return p, nil
		}
		key, st.key = &k, k.blob
	}
	plain := getBuf(chunkSize(accepted))
	defer putBuf(plain)
	body := appendChunk((*plain)[:0], accepted, accepted[0].ts)
	packed := getBuf(0)
	defer putBuf(packed)
	if z, ok := compressChunk((*packed)[:0], body); ok {
		*packed, body, st.z = z, z, true
	}
	if key != nil {
		sealed := getBuf(len(body) + sealOverhead)
		defer putBuf(sealed)
		if body, err = seal((*sealed)[:0], key.plain, body); err != nil {
			return nil, err
		}
	}
	if len(body) <= inlineChunkMax {
		st.inline = append([]byte(nil), body...) // body is in a pooled buffer
		p.st = st
		return p, nil
	}
	if st.off, err = l.files.write(g.Gen, s.ID, body); err != nil {
		return nil, err
	}
	st.size = int64(len(body))
	p.st = st
	return p, nil
}

// needsPrepare tells whether a batch is prepared before its transaction: one within
// inlineChunkMax is checked, encoded and stored in the transaction alone (ingest),
// which reads the group and stream anyway, where preparing it would cost two read
// snapshots (authorization, then the group and stream) for work the transaction does
// in microseconds.
func needsPrepare(in *api.PutLogEventsRequest) bool { return rawBatchSize(in) > inlineChunkMax }

// rawBatchSize is a batch's size as PutLogEvents counts it (messages plus
// eventOverhead each), which also bounds its chunk before compression.
func rawBatchSize(in *api.PutLogEventsRequest) int {
	n := 0
	for _, e := range in.LogEvents {
		n += len(e.Message) + eventOverhead
	}
	return n
}

func inputEvents(in *api.PutLogEventsRequest) []event {
	events := make([]event, len(in.LogEvents))
	for i, e := range in.LogEvents {
		events[i] = event{ts: e.Timestamp, msg: e.Message}
	}
	return events
}

func (l *Logs) putLogEvents(c *server.Call, in *api.PutLogEventsRequest, p *putPrep) (*api.PutLogEventsResponse, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	s, err := loadStream(c.Tx, c.Account, c.Region, in.LogGroupName, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	if p == nil || p.gen != g.Gen || p.stream != s.ID || p.retention != g.Retention || p.kmsKey != g.KmsKeyID {
		// The group or stream changed since the batch was prepared: start over here.
		return l.ingest(c.Tx, c.Account, c.Region, g, s, inputEvents(in), c.Now)
	}
	return l.record(c.Tx, c.Account, c.Region, g, s, p.out, p.accepted, p.st, c.Now)
}

// ingest applies PutLogEvents' rules to a batch, stores the accepted events as one
// chunk, runs the group's metric filters on them, and answers as PutLogEvents does.
func (l *Logs) ingest(tx *store.Tx, account, region string, g *groupRec, s *streamRec, events []event, now time.Time) (*api.PutLogEventsResponse, error) {
	out, accepted, err := checkBatch(events, now, g.Retention)
	if err != nil {
		return nil, err
	}
	return l.record(tx, account, region, g, s, out, accepted, nil, now)
}

// checkBatch applies PutLogEvents' rules to a batch for a group with the given
// retention: the error that rejects the whole batch, or the answer's
// rejectedLogEventsInfo and the events accepted.
func checkBatch(events []event, now time.Time, retention int32) (*api.PutLogEventsResponse, []event, error) {
	size := 0
	for i, e := range events {
		if i > 0 && e.ts < events[i-1].ts {
			return nil, nil, errParam("Log events in a single PutLogEvents request must be in chronological order.")
		}
		if n := len(e.msg) + eventOverhead; n > maxEventBytes {
			// Wording inferred from the batch limit's ("Upload too large: ...").
			return nil, nil, errParam("Log event too large: " + strconv.Itoa(n) + " bytes exceeds limit of " + strconv.Itoa(maxEventBytes))
		}
		size += len(e.msg) + eventOverhead
	}
	if size > maxBatchBytes {
		return nil, nil, errParam("Upload too large: " + strconv.Itoa(size) + " bytes exceeds limit of " + strconv.Itoa(maxBatchBytes))
	}
	nowMs := ms(now)
	tooNew, tooOld, expired := -1, -1, -1
	oldCut := nowMs - int64(maxPast/time.Millisecond)
	retCut := int64(math.MinInt64)
	if retention > 0 {
		retCut = nowMs - int64(retention)*dayMillis
	}
	first, last := 0, len(events) // the accepted events are events[first:last]
	for i, e := range events {
		switch {
		case e.ts > nowMs+int64(maxFuture/time.Millisecond):
			if tooNew < 0 {
				tooNew, last = i, min(last, i)
			}
		case e.ts < retCut && retCut > oldCut:
			expired, first = i, i+1
		case e.ts < oldCut:
			// tooOldLogEventEndIndex is exclusive (API reference, RejectedLogEventsInfo):
			// AWS answered 1 for a batch of one event too old (aws/aws-for-fluent-bit#523).
			tooOld, first = i+1, i+1
		}
	}
	out := &api.PutLogEventsResponse{}
	if tooNew >= 0 || tooOld >= 0 || expired >= 0 {
		r := &api.RejectedLogEventsInfo{}
		if tooNew >= 0 {
			r.TooNewLogEventStartIndex = svckit.Ptr(int32(tooNew))
		}
		if tooOld >= 0 {
			r.TooOldLogEventEndIndex = svckit.Ptr(int32(tooOld))
		}
		if expired >= 0 {
			r.ExpiredLogEventEndIndex = svckit.Ptr(int32(expired))
		}
		out.RejectedLogEventsInfo = r
	}
	accepted := events[min(first, last):last]
	if len(accepted) > 0 && accepted[len(accepted)-1].ts-accepted[0].ts > int64(maxBatchSpan/time.Millisecond) {
		return nil, nil, errParam("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return out, accepted, nil
}

// record stores a checked batch's accepted events as the stream's next chunk (its
// body already in the stream's file when st is set), runs the group's metric filters
// on them, and completes the answer.
func (l *Logs) record(tx *store.Tx, account, region string, g *groupRec, s *streamRec, out *api.PutLogEventsResponse, accepted []event, st *stored, now time.Time) (*api.PutLogEventsResponse, error) {
	if len(accepted) > 0 {
		m, err := l.writeChunk(tx, account, region, g, s, accepted, st, ms(now))
		if err != nil {
			return nil, err
		}
		if err := putStream(tx, account, region, g.Name, s); err != nil {
			return nil, err
		}
		g.Stored += m.Bytes
		if err := putGroup(tx, account, region, g); err != nil {
			return nil, err
		}
		if err := l.applyMetricFilters(tx, account, region, g, accepted); err != nil {
			return nil, err
		}
	}
	out.NextSequenceToken = svckit.Ptr(sequenceToken(s))
	return out, nil
}

// retentionCutoff is the earliest timestamp still visible in a group.
func retentionCutoff(g *groupRec, now time.Time) int64 {
	if g.Retention == 0 {
		return math.MinInt64
	}
	return ms(now) - int64(g.Retention)*dayMillis
}

// found is a matched event, before it becomes an API shape.
type found struct {
	p      pos
	stream string
	msg    string
	ingest int64
}

func (l *Logs) filterLogEvents(c *server.Call, in *api.FilterLogEventsRequest) (*api.FilterLogEventsResponse, error) {
	g, err := groupOf(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	name := g.Name
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != nil {
		// Wording inferred: the API reference says the two can't be combined.
		return nil, errParam("You cannot specify both LogStreamNames and LogStreamNamePrefix.")
	}
	var pat *filterpattern.Pattern
	if fp := svckit.Str(in.FilterPattern); fp != "" {
		if pat, err = l.pattern(fp); err != nil {
			if t := strings.TrimSpace(fp); strings.HasPrefix(t, "{") && !strings.HasSuffix(t, "}") {
				// AWS's recorded answer (jorgebastida/awslogs issue 210).
				return nil, errParam("If a filter pattern starts with '{' it must end with '}'")
			}
			return nil, errParam("Invalid filter pattern")
		}
		if pat.MatchAll() {
			pat = nil
		}
	}
	from, to := int64(math.MinInt64), int64(noEnd)
	if in.StartTime != nil {
		from = *in.StartTime
	}
	if in.EndTime != nil {
		to = *in.EndTime
	}
	from = max(from, retentionCutoff(g, c.Now))
	limit := pageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	var after *pos
	if in.NextToken != nil {
		tok, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		p, ok2 := parsePos(tok)
		if !ok || !ok2 {
			return nil, errBadToken()
		}
		after = &p
		from = max(from, p.ts)
	}
	var plan []*chunkMeta
	if len(in.LogStreamNames) > 0 {
		for _, sn := range in.LogStreamNames {
			p, err := chunkPlan(c.Tx, c.Account, c.Region, streamKey(name, sn)+sep, from, to)
			if err != nil {
				return nil, err
			}
			plan = append(plan, p...)
		}
		sort.Slice(plan, func(i, j int) bool { return plan[i].Min < plan[j].Min })
	} else {
		plan, err = chunkPlan(c.Tx, c.Account, c.Region, name+sep+svckit.Str(in.LogStreamNamePrefix), from, to)
		if err != nil {
			return nil, err
		}
	}
	res, more, err := l.scanChunks(c.Tx, c.Account, c.Region, g, plan, pat, from, to, after, limit)
	if err != nil {
		return nil, err
	}
	out := &api.FilterLogEventsResponse{Events: make([]api.FilteredLogEvent, 0, len(res)), SearchedLogStreams: []api.SearchedLogStream{}}
	bytes := 0
	for i, f := range res {
		bytes += len(f.msg) + eventOverhead
		if bytes > pageBytes && i > 0 {
			more = true
			res = res[:i]
			break
		}
		out.Events = append(out.Events, api.FilteredLogEvent{
			LogStreamName: svckit.Ptr(f.stream), Timestamp: svckit.Ptr(f.p.ts), Message: svckit.Ptr(f.msg),
			IngestionTime: svckit.Ptr(f.ingest), EventId: svckit.Ptr(f.p.String()),
		})
	}
	if more && len(res) > 0 {
		out.NextToken = svckit.Ptr(svckit.Token(c.Tx, res[len(res)-1].p.String()))
	}
	return out, nil
}

// scanChunks reads the planned chunks in order of their first timestamp and returns
// the first `limit` matching events in event order after `after`; more says whether
// matching events may remain. It stops reading once no unread chunk can hold an
// event before the limit-th match.
func (l *Logs) scanChunks(tx *store.Tx, account, region string, g *groupRec, plan []*chunkMeta, pat *filterpattern.Pattern, from, to int64, after *pos, limit int) (res []found, more bool, err error) {
	for i, m := range plan {
		if len(res) >= limit && m.Min > res[limit-1].p.ts {
			return res, true, nil
		}
		r, err := l.readChunk(tx, account, region, g, m, true)
		if err != nil {
			return nil, false, err
		}
		added := false
		for {
			ts, msg, ok := r.next()
			if !ok {
				break
			}
			if ts < from || ts > to {
				continue
			}
			p := pos{ts: ts, stream: m.ID, seq: m.Seq, idx: r.idx}
			if after != nil && !after.less(p) {
				continue
			}
			if pat != nil && !pat.Match(msg) {
				continue
			}
			res = append(res, found{p: p, stream: m.Stream, msg: strings.Clone(msg), ingest: m.Ingest})
			added = true
		}
		r.release()
		if added && (len(plan) > 1 || i > 0) {
			sort.Slice(res, func(a, b int) bool { return res[a].p.less(res[b].p) })
		}
		if len(res) > limit {
			res, more = res[:limit], true
		}
	}
	return res, more, nil
}

func (l *Logs) getLogEvents(c *server.Call, in *api.GetLogEventsRequest) (*api.GetLogEventsResponse, error) {
	g, err := groupOf(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	name := g.Name
	s, err := loadStream(c.Tx, c.Account, c.Region, name, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	from, to := int64(math.MinInt64), int64(noEnd)
	if in.StartTime != nil {
		from = *in.StartTime
	}
	if in.EndTime != nil {
		to = *in.EndTime - 1 // GetLogEvents' endTime is exclusive
	}
	from = max(from, retentionCutoff(g, c.Now))
	limit := pageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	forward := in.StartFromHead != nil && *in.StartFromHead
	var tokPos *pos
	tok := svckit.Str(in.NextToken)
	if tok != "" {
		dir, rest, ok := strings.Cut(tok, "/")
		// Tokens handed out before they ended in "/s" are still taken.
		p, ok2 := parsePos(strings.TrimSuffix(rest, "/s"))
		if !ok || !ok2 || dir != "f" && dir != "b" {
			return nil, errBadToken()
		}
		forward, tokPos = dir == "f", &p
	}
	plan, err := chunkPlan(c.Tx, c.Account, c.Region, streamKey(name, s.Name)+sep, from, to)
	if err != nil {
		return nil, err
	}
	var all []found
	// Messages alias the chunks until the page is built: only its events are copied.
	var readers []*chunkReader
	defer func() {
		for _, r := range readers {
			r.release()
		}
	}()
	for _, m := range plan {
		if tokPos != nil && (forward && m.Max < tokPos.ts || !forward && m.Min > tokPos.ts) {
			continue
		}
		r, err := l.readChunk(c.Tx, c.Account, c.Region, g, m, true)
		if err != nil {
			return nil, err
		}
		readers = append(readers, r)
		for {
			ts, msg, ok := r.next()
			if !ok {
				break
			}
			p := pos{ts: ts, stream: m.ID, seq: m.Seq, idx: r.idx}
			if ts < from || ts > to || tokPos != nil && (forward && !tokPos.less(p) || !forward && !p.less(*tokPos)) {
				continue
			}
			all = append(all, found{p: p, msg: msg, ingest: m.Ingest})
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].p.less(all[b].p) })
	if forward {
		all = all[:min(limit, len(all))]
	} else if len(all) > limit {
		all = all[len(all)-limit:]
	}
	// 1 MB per page: keep the events nearest the starting point.
	bytes := 0
	for i := range all {
		j := i
		if !forward {
			j = len(all) - 1 - i
		}
		bytes += len(all[j].msg) + eventOverhead
		if bytes > pageBytes && i > 0 {
			if forward {
				all = all[:i]
			} else {
				all = all[j+1:]
			}
			break
		}
	}
	out := &api.GetLogEventsResponse{Events: make([]api.OutputLogEvent, len(all))}
	for i, f := range all {
		out.Events[i] = api.OutputLogEvent{Timestamp: svckit.Ptr(f.p.ts), Message: svckit.Ptr(strings.Clone(f.msg)), IngestionTime: svckit.Ptr(f.ingest)}
	}
	// Tokens are a direction, 56 digits and "/s", as AWS writes them (recorded 2026,
	// radkawar/stackd testdata/aws/cloudtrail/logs_controls_revision_attempt.json:
	// "f/39928672321674014630619371910996892874884003100926902271/s").
	tokenAt := func(dir string, p pos) string { return dir + "/" + p.String() + "/s" }
	zero := pos{stream: s.ID}
	fwd, back := tokenAt("f", zero), tokenAt("b", zero)
	if tokPos != nil {
		fwd, back = tokenAt("f", *tokPos), tokenAt("b", *tokPos)
	}
	if len(all) > 0 {
		fwd, back = tokenAt("f", all[len(all)-1].p), tokenAt("b", all[0].p)
	}
	out.NextForwardToken, out.NextBackwardToken = &fwd, &back
	return out, nil
}
