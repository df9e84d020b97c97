package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/store"
)

// Delivery: the consumer that turns the event log into each trail's log and digest
// files. Every five minutes of Palisade's clock it takes every record committed since
// its cursor, gives each to the trails that log it (account, region, selectors,
// logging interval), and writes one gzipped {"Records":[...]} file per trail, region
// and account; every hour of a trail's logging with validation on it writes the signed
// digest of the files delivered in that hour. Files, digest chain state and cursor
// commit in one transaction into the outbox; the uploader puts them in S3.

const (
	// DeliveryInterval is how often log files are delivered (clock time).
	DeliveryInterval = 5 * time.Minute
	// DigestInterval is the period a digest file covers.
	DigestInterval = time.Hour
	// maxFileRecords caps the records of one log file; more make several files.
	maxFileRecords = 10000
	deliveryName   = "cloudtrail-delivery"
)

var (
	streamsNS = store.NS("cloudtrail", "", "", "streams")
	// chainEndsNS holds, by stream key, the second a chain's final digest is named by
	// (20060102T150405Z), so that a chain starting again in that second does not name
	// its starting digest the same.
	chainEndsNS = store.NS("cloudtrail", "", "", "chainends")
	outboxNS    = store.NS("cloudtrail", "", "", "outbox")
	// outboxBodiesNS holds each outbox item's file, under the item's key, as bytes:
	// the uploader scans the items without decoding their files.
	outboxBodiesNS = store.NS("cloudtrail", "", "", "outbox-bodies")
)

// stream is the digest chain of one trail, region and account.
type stream struct {
	Trail string `json:"trail"`
	// Gen is the trail's generation: a chain belongs to one trail, not to every trail
	// ever created under its ARN.
	Gen     int64  `json:"gen,omitempty"`
	Region  string `json:"region"`
	Account string `json:"account"`
	Epoch   int    `json:"epoch"`
	// Start is the start of the digest period in progress.
	Start   time.Time     `json:"start"`
	Prev    *prevDigest   `json:"prev,omitempty"`
	Pending []pendingFile `json:"pending,omitempty"`
	// NoStart marks a chain that starts with its first hourly digest, not a
	// starting digest (see startingDigest).
	NoStart bool `json:"noStart,omitempty"`
}

type prevDigest struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	Hash      string `json:"hash"`
	Signature string `json:"signature"`
}

type pendingFile struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Hash      string    `json:"hash"`
	Oldest    string    `json:"oldest"`
	Newest    string    `json:"newest"`
	Delivered time.Time `json:"delivered"`
}

// streamKey is a chain's key: the trail's id (trail.id), region and account.
func streamKey(trailID, region, account string) string {
	return trailID + "|" + region + "|" + account
}

// outboxItem is a delivered file (or batch of CloudWatch Logs events) waiting for
// upload.
type outboxItem struct {
	Kind     string            `json:"kind"` // "log", "digest", "cwlogs" or "marker" (the bucket check's empty object)
	Trail    string            `json:"trail"`
	Gen      int64             `json:"gen,omitempty"` // the trail's generation
	Account  string            `json:"account"`       // the trail's account
	Region   string            `json:"region"`
	Bucket   string            `json:"bucket,omitempty"`
	Key      string            `json:"key,omitempty"`
	Body     []byte            `json:"-"` // in outboxBodiesNS
	Metadata map[string]string `json:"metadata,omitempty"`
	KMSKeyID string            `json:"kmsKeyId,omitempty"`
	Composed time.Time         `json:"composed"`
	// CloudWatch Logs delivery.
	LogGroupARN string     `json:"logGroupArn,omitempty"`
	RoleARN     string     `json:"roleArn,omitempty"`
	LogStream   string     `json:"logStream,omitempty"`
	Events      []LogEvent `json:"events,omitempty"`
}

// delivery is the consumer.
type delivery struct {
	ct   *CloudTrail
	next time.Time // next log delivery; zero before the first step
	// batch is the consumer's batch size: a full batch means more events wait.
	batch int
}

func (d *delivery) Name() string { return deliveryName }

// Interested implements events.Selective: delivery needs the events after its cursor
// only when a trail's logging interval covers one of them.
func (d *delivery) Interested(view *store.Tx, after, last int64) (bool, error) {
	want := false
	var derr error
	err := view.Scan(loggingNS, "", 0, func(_ string, v []byte) bool {
		var l logging
		if derr = json.Unmarshal(v, &l); derr != nil {
			return false
		}
		for _, iv := range l.Intervals {
			if iv.After < last && (iv.Until == 0 || iv.Until > after) {
				want = true
				return false
			}
		}
		return true
	})
	if err != nil {
		return false, err
	}
	return want, derr
}

// config is a trail as delivery sees it: its configuration and logging history (kept
// in loggingNS under key).
type config struct {
	t   *trail
	log *logging
	key string
}

func (d *delivery) Consume(view *store.Tx, now time.Time, evs []*store.Event) (events.Step, error) {
	if d.next.IsZero() {
		d.next = now
	}
	cursor, err := events.Cursor(view, deliveryName)
	if err != nil {
		return events.Step{}, err
	}
	configs, err := loadConfigs(view)
	if err != nil {
		return events.Step{}, err
	}
	streams, err := loadStreams(view)
	if err != nil {
		return events.Step{}, err
	}
	due := !now.Before(d.next)
	p := &plan{d: d, view: view, now: now, configs: configs, streams: streams, groups: map[string]*group{}, orgs: map[string][]Membership{}}
	consumed := 0
	if due {
		if err := p.deliver(evs, d.next); err != nil {
			return events.Step{}, err
		}
		consumed = len(evs)
		if consumed > 0 {
			cursor = evs[consumed-1].Seq
		}
	}
	if err := p.digests(cursor); err != nil {
		return events.Step{}, err
	}
	if due {
		d.next = now.Add(DeliveryInterval)
		if len(evs) == d.batch {
			d.next = now // a full batch: the rest of the backlog goes out at once
		}
	}
	next := d.next
	for _, s := range p.streams {
		if c, ok := configs[trailID(s.Trail, s.Gen)]; ok && c.t.LogFileValidation && !s.Start.IsZero() {
			if end := s.Start.Add(DigestInterval); end.Before(next) {
				next = end
			}
		}
	}
	step := events.Step{Consumed: consumed, Next: next, Hold: true, Write: p.write(cursor)}
	return step, nil
}

// loadConfigs returns the trails and the deleted trails still to deliver, by id: a
// trail's logging history is under its ARN, a deleted trail's under retiredKey (or,
// stored before generations were kept, under its ARN while no trail has it).
func loadConfigs(tx *store.Tx) (map[string]*config, error) {
	configs := map[string]*config{}
	live := map[string]*config{} // by ARN
	if err := allTrails(tx, func(t *trail) bool {
		c := &config{t: t, log: &logging{}, key: t.ARN}
		configs[t.id()], live[t.ARN] = c, c
		return true
	}); err != nil {
		return nil, err
	}
	var derr error
	err := tx.Scan(loggingNS, "", 0, func(k string, v []byte) bool {
		var l logging
		if derr = json.Unmarshal(v, &l); derr != nil {
			return false
		}
		if c, ok := live[k]; ok {
			c.log = &l
		} else if l.Retired != nil {
			configs[l.Retired.id()] = &config{t: l.Retired, log: &l, key: k}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return configs, derr
}

func loadStreams(tx *store.Tx) (map[string]*stream, error) {
	out := map[string]*stream{}
	var derr error
	err := tx.Scan(streamsNS, "", 0, func(k string, v []byte) bool {
		var s stream
		if derr = json.Unmarshal(v, &s); derr != nil {
			return false
		}
		out[k] = &s
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, derr
}

// plan collects one step's output.
type plan struct {
	d       *delivery
	view    *store.Tx
	now     time.Time
	configs map[string]*config
	streams map[string]*stream
	groups  map[string]*group
	orgs    map[string][]Membership // account → its organizations over time
	items   []*outboxItem
	touched map[string]bool   // streams to write
	keys    []*signingKey     // signing keys made
	retired []string          // logging records (loggingNS keys) whose intervals ended
	dropped []string          // streams of retired trails, done
	ends    map[string]string // chain ends to write (chainEndsNS)
	// covering is route's buffer of the trails logging a record.
	covering []*config
}

// group is the records of one log file in the making.
type group struct {
	c              *config
	region, acct   string
	records        [][]byte
	oldest, newest string
	// insight is a file of Insights events, in the CloudTrail-Insight folder.
	insight bool
	// window is the end of the five minutes its events happened in, which names the
	// file; zero names it by the delivery.
	window time.Time
}

// eventWindow is the end of the five-minute window an event time (CloudTrail's
// format) falls in. AWS names a log file by it, not by the delivery: files written at
// 19:25:58 and 19:28:15 are …T1930Z…, late events of the window before go out at
// 19:27:06 in a …T1925Z… file, and a …T1935Z… file was written at 19:30:48 (recorded
// 2026, stackd testdata/aws/cloudtrail/service_selectors_delivery.json, the objects
// of the read trail).
func eventWindow(eventTime string) time.Time {
	t, err := time.Parse(time.RFC3339, eventTime)
	if err != nil {
		return time.Time{}
	}
	return t.UTC().Truncate(DeliveryInterval).Add(DeliveryInterval)
}

// deliver routes the events into log files delivered at the five-minute slots of
// Palisade's clock from the first one due: an event goes out in the first slot at or
// after its commit, so when the clock has moved hours ahead what was logged before
// the move is delivered as AWS would have delivered it, minutes after the calls, and
// is listed in the digest of that hour. The last slot is now.
func (p *plan) deliver(evs []*store.Event, first time.Time) error {
	now := p.now
	at := first
	if at.IsZero() || at.After(now) {
		at = now
	}
	for i := 0; i < len(evs); {
		j := len(evs)
		if at.Before(now) {
			for j = i; j < len(evs) && evs[j].Time <= at.UnixMilli(); j++ {
			}
		}
		p.now = at
		for _, e := range evs[i:j] {
			if e.Source == audit.Source || e.Source == insightSource {
				if err := p.route(e); err != nil {
					return err
				}
			}
		}
		if err := p.files(); err != nil {
			return err
		}
		if i = j; i == len(evs) {
			break
		}
		// The next slot holding an event, no later than now.
		next := at.Add(DeliveryInterval)
		if et := time.UnixMilli(evs[i].Time); et.After(next) {
			next = at.Add(et.Sub(at).Truncate(DeliveryInterval))
			if next.Before(et) {
				next = next.Add(DeliveryInterval)
			}
		}
		if next.After(now) {
			next = now
		}
		at = next
	}
	p.now = now
	return nil
}

// route gives a record to every trail that logs it.
func (p *plan) route(e *store.Event) error {
	// Most records, when few trails log, are logged by none: decide that before
	// parsing them.
	covering := p.covering[:0]
	for _, c := range p.configs {
		if c.log.covers(e.Seq) {
			covering = append(covering, c)
		}
	}
	p.covering = covering
	if len(covering) == 0 {
		return nil
	}
	if e.Source == insightSource {
		return p.routeInsight(e, covering)
	}
	var f recordFacts
	if err := parseFacts(e.Data, &f, false); err != nil {
		return fmt.Errorf("cloudtrail: record %d: %w", e.Seq, err)
	}
	for _, c := range covering {
		ok, err := p.logs(c.t.at(e.Seq), &f, e.Account, e.Seq)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		window := eventWindow(f.EventTime)
		k := streamKey(c.t.id(), f.AWSRegion, e.Account) + "|" + window.Format(time.RFC3339)
		g := p.groups[k]
		if g == nil || len(g.records) == maxFileRecords {
			if g != nil {
				if err := p.file(g); err != nil {
					return err
				}
			}
			g = &group{c: c, region: f.AWSRegion, acct: e.Account, window: window}
			p.groups[k] = g
		}
		g.records = append(g.records, e.Data)
		if g.oldest == "" || f.EventTime < g.oldest {
			g.oldest = f.EventTime
		}
		if f.EventTime > g.newest {
			g.newest = f.EventTime
		}
	}
	return nil
}

// logs reports whether a trail records an event of an account, seq its sequence: an
// organization trail records a member account's events made while it was a member,
// however late they are delivered.
func (p *plan) logs(t *trail, f *recordFacts, account string, seq int64) (bool, error) {
	if ok, err := p.reaches(t, f, account, seq); !ok || err != nil {
		return false, err
	}
	return t.selects(f), nil
}

// reaches reports whether a trail covers an account's event (of sequence seq) by its
// account or organization, Region and global services, whatever its selectors.
func (p *plan) reaches(t *trail, f *recordFacts, account string, seq int64) (bool, error) {
	if account != t.Account {
		if !t.IsOrganization {
			return false, nil
		}
		org, err := p.orgOf(account, seq)
		if err != nil || org != t.OrgID {
			return false, err
		}
	}
	if !t.IsMultiRegion && f.AWSRegion != t.HomeRegion {
		return false, nil
	}
	if f.globalService() && !t.IncludeGlobalServiceEvents {
		return false, nil
	}
	return true, nil
}

// routeInsight gives an Insights event to every trail that logs it: one covering its
// account and Region (and global services, for an insight about one) that had the
// event's Insights type on since before the event, into the trail's CloudTrail-Insight
// files.
func (p *plan) routeInsight(e *store.Event, covering []*config) error {
	var f recordFacts
	typ := ""
	if err := members(e.Data, func(k, raw []byte) bool {
		switch string(k) {
		case "awsRegion":
			f.AWSRegion = str(raw)
		case "eventTime":
			f.EventTime = str(raw)
		case "insightDetails":
			members(raw, func(k, v []byte) bool {
				switch string(k) {
				case "eventSource":
					f.EventSource = str(v)
				case "insightType":
					typ = str(v)
				}
				return true
			})
		}
		return true
	}); err != nil {
		return fmt.Errorf("cloudtrail: insights event %d: %w", e.Seq, err)
	}
	at, _ := time.Parse(time.RFC3339, f.EventTime)
	for _, c := range covering {
		t := c.t.at(e.Seq)
		since, on := t.managementInsights()[typ]
		if !on || since.After(at) {
			continue
		}
		ok, err := p.reaches(t, &f, e.Account, e.Seq)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		k := streamKey(c.t.id(), f.AWSRegion, e.Account) + "|insight"
		g := p.groups[k]
		if g == nil || len(g.records) == maxFileRecords {
			if g != nil {
				if err := p.file(g); err != nil {
					return err
				}
			}
			g = &group{c: c, region: f.AWSRegion, acct: e.Account, insight: true}
			p.groups[k] = g
		}
		g.records = append(g.records, e.Data)
	}
	return nil
}

func (p *plan) orgOf(account string, seq int64) (string, error) {
	ms, ok := p.orgs[account]
	if !ok {
		if o := p.d.ct.deps.Organizations; o != nil {
			var err error
			if ms, err = o.Memberships(p.view, account); err != nil {
				return "", err
			}
		}
		p.orgs[account] = ms
	}
	for _, m := range ms {
		if m.Until == 0 || seq <= m.Until {
			return m.OrgID, nil
		}
	}
	return "", nil
}

// files closes every group into its log file.
func (p *plan) files() error {
	keys := make([]string, 0, len(p.groups))
	for k := range p.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := p.file(p.groups[k]); err != nil {
			return err
		}
	}
	p.groups = map[string]*group{}
	return nil
}

// logPrefix is [prefix/]AWSLogs/[o-id/]ACCOUNT/.
func logPrefix(t *trail, account string) string {
	org := ""
	if t.IsOrganization && t.OrgID != "" {
		org = t.OrgID + "/"
	}
	return keyPrefix(t.S3KeyPrefix) + "AWSLogs/" + org + account + "/"
}

const fileIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// fileID is the 16 random characters that end a log file's name.
func fileID() string {
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = fileIDAlphabet[int(b[i])%len(fileIDAlphabet)]
	}
	return string(b)
}

func (p *plan) file(g *group) error {
	if len(g.records) == 0 {
		return nil
	}
	t := g.c.t
	body, sum, err := logFile(g.records)
	if err != nil {
		return err
	}
	now := p.now.UTC()
	if !g.window.IsZero() {
		now = g.window
	}
	folder := "CloudTrail"
	if g.insight {
		folder = "CloudTrail-Insight"
	}
	key := logPrefix(t, g.acct) + folder + "/" + g.region + "/" + now.Format("2006/01/02") + "/" +
		g.acct + "_" + folder + "_" + g.region + "_" + now.Format("20060102T1504Z") + "_" + fileID() + ".json.gz"
	p.items = append(p.items, &outboxItem{Kind: "log", Trail: t.ARN, Gen: t.Gen, Account: t.Account, Region: g.region, Bucket: t.S3BucketName, Key: key,
		Body: body, KMSKeyID: t.KMSKeyID, Composed: p.now})
	if t.CWLogGroupARN != "" {
		evs := make([]LogEvent, len(g.records))
		for i, r := range g.records {
			var f struct {
				EventTime string `json:"eventTime"`
			}
			json.Unmarshal(r, &f)
			at, _ := time.Parse(time.RFC3339, f.EventTime)
			evs[i] = LogEvent{Time: at, Message: string(r)}
		}
		p.items = append(p.items, &outboxItem{Kind: "cwlogs", Trail: t.ARN, Gen: t.Gen, Account: t.Account, Region: g.region, Composed: p.now,
			LogGroupARN: t.CWLogGroupARN, RoleARN: t.CWRoleARN, LogStream: logStream(t, g.acct, g.region), Events: evs})
	}
	g.records = nil
	if !t.LogFileValidation || g.insight {
		// Digest files list the trail's log files; AWS documents none for Insights
		// files, which validate-logs does not look for.
		return nil
	}
	start := p.now
	if g.region == t.HomeRegion && g.acct == t.Account {
		start = t.EpochStart // the home chain starts with the epoch
	}
	s := p.stream(t, g.region, g.acct, start)
	s.Pending = append(s.Pending, pendingFile{Bucket: t.S3BucketName, Key: key, Hash: hex.EncodeToString(sum[:]), Oldest: g.oldest, Newest: g.newest, Delivered: p.now})
	return nil
}

// stream returns the chain of a trail, region and account, making it (in the trail's
// current epoch, its first period starting at start) if there is none.
func (p *plan) stream(t *trail, region, account string, start time.Time) *stream {
	k := streamKey(t.id(), region, account)
	s, ok := p.streams[k]
	if !ok {
		if start.IsZero() || start.After(p.now) {
			start = p.now
		}
		s = &stream{Trail: t.ARN, Gen: t.Gen, Region: region, Account: account, Epoch: t.Epoch, Start: start}
		p.streams[k] = s
	}
	p.touch(k)
	return s
}

func (p *plan) touch(k string) {
	if p.touched == nil {
		p.touched = map[string]bool{}
	}
	p.touched[k] = true
}

// gzipWriters are reused: a compressor's state is far larger than most files.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// gzipTo compresses what write writes, as a delivered file is compressed (fastest
// level: the files are read by machines, and compressing runs beside the calls).
func gzipTo(write func(w io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if err := write(zw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gzipBytes(b []byte) ([]byte, error) {
	return gzipTo(func(w io.Writer) error { _, err := w.Write(b); return err })
}

// logFile composes a log file, {"Records":[...]}, in one pass: its gzipped bytes and
// the SHA-256 of its content (a digest lists the hash of the uncompressed file).
func logFile(records [][]byte) (body []byte, sum [sha256.Size]byte, err error) {
	h := sha256.New()
	body, err = gzipTo(func(zw io.Writer) error {
		w := io.MultiWriter(zw, h)
		if _, err := io.WriteString(w, `{"Records":[`); err != nil {
			return err
		}
		for i, r := range records {
			if i > 0 {
				if _, err := w.Write(comma); err != nil {
					return err
				}
			}
			if _, err := w.Write(r); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "]}")
		return err
	})
	h.Sum(sum[:0])
	return body, sum, err
}

var comma = []byte{','}

// digests writes every digest that is due: each full hour of a chain, the final digest
// of a chain whose epoch ended (logging stopped, validation restarted, trail deleted),
// and a starting chain for the home region of every trail logging with validation.
func (p *plan) digests(cursor int64) error {
	for _, c := range p.configs {
		t := c.t
		if t.Logging && t.LogFileValidation {
			// The home region's chain starts with the epoch, files or not.
			p.stream(t, t.HomeRegion, t.Account, t.EpochStart)
		}
		if len(c.log.Intervals) > 0 && !t.Logging && allClosed(c.log, cursor) {
			p.retired = append(p.retired, c.key)
		}
	}
	keys := make([]string, 0, len(p.streams))
	for k := range p.streams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := p.streams[k]
		c, ok := p.configs[trailID(s.Trail, s.Gen)]
		if !ok {
			p.dropped = append(p.dropped, k)
			continue
		}
		t := c.t
		ended := s.Epoch != t.Epoch || !t.LogFileValidation || (!t.Logging && allClosed(c.log, cursor))
		if !ended {
			if err := p.startingDigest(k, s, t); err != nil {
				return err
			}
		}
		for !s.Start.IsZero() && !s.Start.Add(DigestInterval).After(p.now) {
			if err := p.digest(k, s, t, s.Start.Add(DigestInterval)); err != nil {
				return err
			}
		}
		if ended {
			if s.Start.Before(p.now) || len(s.Pending) > 0 {
				// The final digest of the chain covers the rest of its files.
				if err := p.digest(k, s, t, p.now); err != nil {
					return err
				}
			}
			if t.Logging && t.LogFileValidation {
				// A new epoch: a new chain starts with a starting digest.
				start := t.EpochStart
				if start.IsZero() || start.After(p.now) {
					start = p.now
				}
				p.ended(k, s)
				*s = stream{Trail: s.Trail, Gen: s.Gen, Region: s.Region, Account: s.Account, Epoch: t.Epoch, Start: start}
				p.touch(k)
				if err := p.startingDigest(k, s, t); err != nil {
					return err
				}
			} else {
				p.ended(k, s)
				p.dropped = append(p.dropped, k)
			}
		}
	}
	return nil
}

// ended notes the second a chain's final digest is named by.
func (p *plan) ended(k string, s *stream) {
	if s.Prev == nil {
		return
	}
	if p.ends == nil {
		p.ends = map[string]string{}
	}
	p.ends[k] = digestSecond(s.Prev.Key)
}

// digestSecond is the time a digest file is named by, 20060102T150405Z.
func digestSecond(key string) string {
	key = strings.TrimSuffix(key, ".json.gz")
	return key[strings.LastIndexByte(key, '_')+1:]
}

// startingDigest writes the digest a trail's home chain starts with, before its first
// hourly one: the hour before the chain's start, listing no files and no previous
// digest, named by the start (recorded 2026, stackd
// testdata/aws/cloudtrail/digest_starting.json: logging started at 15:29:23, a digest
// for 14:29:23-15:29:23, then one for 15:29:23-16:29:23 that names it as previous).
// Chains of other Regions and accounts start with their first hourly digest (AWS's
// not recorded).
func (p *plan) startingDigest(k string, s *stream, t *trail) error {
	if s.Prev != nil || s.NoStart || s.Region != t.HomeRegion || s.Account != t.Account || s.Start.IsZero() {
		return nil
	}
	// A chain started again in the second the previous chain's final digest is named
	// by starts with its first hourly digest instead, not to replace that digest.
	last, ok := p.ends[k]
	if !ok {
		b, found, err := p.view.Get(chainEndsNS, k)
		if err != nil {
			return err
		}
		last, ok = string(b), found
	}
	if ok && last == s.Start.UTC().Format("20060102T150405Z") {
		s.NoStart = true
		p.touch(k)
		return nil
	}
	start, pending := s.Start, s.Pending
	s.Start, s.Pending = start.Add(-DigestInterval), nil
	err := p.digest(k, s, t, start)
	s.Pending = append(s.Pending, pending...)
	return err
}

// allClosed reports whether every logging interval has ended and been consumed.
func allClosed(l *logging, cursor int64) bool {
	for _, iv := range l.Intervals {
		if iv.Until == 0 || iv.Until > cursor {
			return false
		}
	}
	return true
}

// digest writes the digest of a chain's period ending at end, with the files
// delivered before end.
func (p *plan) digest(k string, s *stream, t *trail, end time.Time) error {
	var files []pendingFile
	var rest []pendingFile
	for _, f := range s.Pending {
		if f.Delivered.Before(end) || !end.Before(p.now) {
			files = append(files, f)
		} else {
			rest = append(rest, f)
		}
	}
	end = end.UTC().Truncate(time.Second)
	key := logPrefix(t, s.Account) + "CloudTrail-Digest/" + s.Region + "/" + end.Format("2006/01/02") + "/" +
		s.Account + "_CloudTrail-Digest_" + s.Region + "_" + t.Name + "_" + t.HomeRegion + "_" + end.Format("20060102T150405Z") + ".json.gz"
	sk, err := p.signingKey(s.Region, end)
	if err != nil {
		return err
	}
	d := &Digest{
		AWSAccountID: s.Account, DigestStartTime: audit.FormatTime(s.Start), DigestEndTime: audit.FormatTime(end),
		DigestS3Bucket: t.S3BucketName, DigestS3Object: key, DigestPublicKeyFingerprint: sk.Fingerprint,
		DigestSignatureAlgorithm: DigestSignatureAlgorithm, LogFiles: []DigestLogFile{},
	}
	if prev := s.Prev; prev != nil {
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = ptr(prev.Bucket), ptr(prev.Key)
		d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm, d.PreviousDigestSignature = ptr(prev.Hash), ptr("SHA-256"), ptr(prev.Signature)
	}
	var oldest, newest string
	for _, f := range files {
		d.LogFiles = append(d.LogFiles, DigestLogFile{S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.Hash, HashAlgorithm: "SHA-256", NewestEventTime: f.Newest, OldestEventTime: f.Oldest})
		if oldest == "" || f.Oldest < oldest {
			oldest = f.Oldest
		}
		if f.Newest > newest {
			newest = f.Newest
		}
	}
	if oldest != "" {
		d.OldestEventTime, d.NewestEventTime = ptr(oldest), ptr(newest)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	sig, err := p.d.ct.signer.sign(sk, StringToSign(d, raw))
	if err != nil {
		return err
	}
	body, err := gzipBytes(raw)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	// No KMS key: a trail's key encrypts its log files, not its digests, which are
	// SSE-S3 (CloudTrail User Guide, "Encrypting CloudTrail log files with KMS keys").
	p.items = append(p.items, &outboxItem{Kind: "digest", Trail: t.ARN, Gen: t.Gen, Account: t.Account, Region: s.Region, Bucket: t.S3BucketName, Key: key, Body: body,
		Metadata: map[string]string{"signature": sig, "signature-algorithm": DigestSignatureAlgorithm}, Composed: p.now})
	s.Prev = &prevDigest{Bucket: t.S3BucketName, Key: key, Hash: hex.EncodeToString(sum[:]), Signature: sig}
	s.Pending = rest
	s.Start = end
	p.touch(k)
	return nil
}

// signingKey returns the region's key for a time, making one if none covers it.
func (p *plan) signingKey(region string, at time.Time) (*signingKey, error) {
	keys, err := regionKeys(p.view, region)
	if err != nil {
		return nil, err
	}
	for _, k := range p.keys {
		if k.Region == region {
			keys = append(keys, k)
		}
	}
	k, made, err := p.d.ct.signer.keyAt(keys, region, at)
	if err != nil {
		return nil, err
	}
	if made {
		p.keys = append(p.keys, k)
	}
	return k, nil
}

// write is the step's transaction: the outbox, the chains, new signing keys, and the
// logging histories that are fully delivered.
func (p *plan) write(cursor int64) func(tx *store.Tx) error {
	if len(p.items) == 0 && len(p.touched) == 0 && len(p.keys) == 0 && len(p.retired) == 0 && len(p.dropped) == 0 && len(p.ends) == 0 {
		return nil
	}
	return func(tx *store.Tx) error {
		for i, it := range p.items {
			b, err := json.Marshal(it)
			if err != nil {
				return err
			}
			// Keys order the uploads by when they were made; a step at the same
			// nanosecond as an earlier one still waiting (the system clock stepped back
			// across a restart) takes the next free suffix instead of replacing it.
			k := fmt.Sprintf("%020d-%06d", p.now.UnixNano(), i)
			for {
				ok, err := tx.Insert(outboxNS, k, b)
				if err != nil {
					return err
				}
				if ok {
					break
				}
				k += "+"
			}
			if it.Body != nil {
				if err := tx.Put(outboxBodiesNS, k, it.Body); err != nil {
					return err
				}
			}
		}
		for _, k := range p.keys {
			if err := tx.PutJSON(signingKeysNS, signingKeyID(k.Region, k.Start), k); err != nil {
				return err
			}
		}
		for k := range p.touched {
			if err := tx.PutJSON(streamsNS, k, p.streams[k]); err != nil {
				return err
			}
		}
		for _, k := range p.dropped {
			if _, err := tx.Delete(streamsNS, k); err != nil {
				return err
			}
		}
		for k, end := range p.ends {
			if err := tx.Put(chainEndsNS, k, []byte(end)); err != nil {
				return err
			}
		}
		for _, key := range p.retired {
			// Re-read: StartLogging may have opened a new interval since the snapshot
			// (DeleteTrail moved the record away, and a trail created again may have
			// started one under the ARN).
			l, err := getLogging(tx, key)
			if err != nil {
				return err
			}
			kept := l.Intervals[:0]
			for _, iv := range l.Intervals {
				if iv.Until == 0 || iv.Until > cursor {
					kept = append(kept, iv)
				}
			}
			l.Intervals = kept
			if len(kept) == 0 {
				if _, err := tx.Delete(loggingNS, key); err != nil {
					return err
				}
				continue
			}
			if err := tx.PutJSON(loggingNS, key, l); err != nil {
				return err
			}
		}
		if len(p.items) > 0 {
			tx.AfterCommit(p.d.ct.uploader.poke)
		}
		return nil
	}
}
