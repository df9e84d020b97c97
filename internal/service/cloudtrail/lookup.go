package cloudtrail

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Event history: LookupEvents over the last 90 days of an account's management
// events in a region. A consumer of the event log keeps, per account and region, a
// time index (newest first) whose entries carry what the lookup attributes filter on,
// and an index per selective attribute (event ID, name, source, user name, access key,
// resource name and type); a lookup walks the attribute's index, or the time index for
// ReadOnly and for no attribute, and reads matching records from the event log.

// Retention is how far back event history reaches.
const Retention = 90 * 24 * time.Hour

const lookupName = "cloudtrail-lookup"

func lookupNS(account, region, kind string) string {
	return store.NS("cloudtrail", account, region, "lookup-"+kind)
}

// indexedAttributes are the lookup attributes with an index of their own.
var indexedAttributes = []string{"EventId"}

// entry is a time-index entry: what LookupEvents filters and answers without opening
// the record, and where the record is.
type entry struct {
	Seq         int64          `json:"s"`
	Time        int64          `json:"t"` // Unix seconds of eventTime
	EventID     string         `json:"i"`
	EventName   string         `json:"n"`
	EventSource string         `json:"o"`
	ReadOnly    bool           `json:"r,omitempty"`
	Username    string         `json:"u,omitempty"`
	AccessKeyID string         `json:"k,omitempty"`
	Resources   []api.Resource `json:"x,omitempty"`
}

// timeKey orders entries newest first: inverted time, then inverted sequence.
func timeKey(t, seq int64) string {
	return fmt.Sprintf("%016x%016x", math.MaxInt64-t, math.MaxInt64-seq)
}

// lookupRecord is a record as the index reads it.
type lookupRecord = recordFacts

// username is what LookupEvents reports as an event's user: the IAM user's name,
// "root", a role session's name, a federated or outside user's name.
func (r *recordFacts) username() string {
	u := r.UserIdentity
	switch u.Type {
	case "Root":
		return "root"
	case "IAMUser", "WebIdentityUser", "SAMLUser":
		return u.UserName
	case "AssumedRole", "FederatedUser":
		if i := strings.LastIndexByte(u.ARN, '/'); i >= 0 {
			return u.ARN[i+1:]
		}
	}
	return ""
}

// resourceParams map parameter names to the resource types event history reports for
// them, per event source.
var resourceParams = map[string][][2]string{
	"iam.amazonaws.com": {{"userName", "AWS::IAM::User"}, {"groupName", "AWS::IAM::Group"}, {"roleName", "AWS::IAM::Role"},
		{"policyArn", "AWS::IAM::Policy"}, {"instanceProfileName", "AWS::IAM::InstanceProfile"}, {"accessKeyId", "AWS::IAM::AccessKey"},
		{"serialNumber", "AWS::IAM::MFADevice"}, {"openIDConnectProviderArn", "AWS::IAM::OIDCProvider"}, {"sAMLProviderArn", "AWS::IAM::SAMLProvider"}},
	"cloudtrail.amazonaws.com": {{"name", "AWS::CloudTrail::Trail"}, {"trailName", "AWS::CloudTrail::Trail"}, {"resourceId", "AWS::CloudTrail::Trail"}},
	"s3.amazonaws.com":         {{"bucketName", "AWS::S3::Bucket"}},
	"kms.amazonaws.com":        {{"keyId", "AWS::KMS::Key"}, {"aliasName", "AWS::KMS::Alias"}},
	"sts.amazonaws.com":        {{"roleArn", "AWS::IAM::Role"}},
	"logs.amazonaws.com":       {{"logGroupName", "AWS::Logs::LogGroup"}},
}

// resources are an event's resources as event history reports them: those in the
// record, and those its parameters and response name.
func (r *recordFacts) resources() []api.Resource {
	var out []api.Resource
	seen := map[[2]string]bool{}
	add := func(typ, name string) {
		if name == "" || seen[[2]string{typ, name}] {
			return
		}
		seen[[2]string{typ, name}] = true
		out = append(out, api.Resource{ResourceType: ptr(typ), ResourceName: ptr(name)})
	}
	if params := resourceParams[r.EventSource]; len(params) > 0 && len(r.requestParameters) > 0 && r.requestParameters[0] == '{' {
		members(r.requestParameters, func(k, v []byte) bool {
			for _, p := range params {
				if p[0] == string(k) {
					add(p[1], str(v))
				}
			}
			return true
		})
	}
	for _, res := range r.Resources {
		add(res.Type, res.ARN)
	}
	// Credentials handed out (STS) and keys created (IAM) are resources too.
	if len(r.responseElements) > 0 && r.responseElements[0] == '{' {
		members(r.responseElements, func(k, v []byte) bool {
			switch string(k) {
			case "credentials", "accessKey":
				members(v, func(k, v []byte) bool {
					if string(k) == "accessKeyId" {
						add("AWS::IAM::AccessKey", str(v))
					}
					return true
				})
			case "assumedRoleUser":
				members(v, func(k, v []byte) bool {
					if arn := str(v); string(k) == "arn" {
						if i := strings.LastIndexByte(arn, '/'); i >= 0 {
							add("AWS::STS::AssumedRole", arn[i+1:])
						}
					}
					return true
				})
			}
			return true
		})
	}
	return out
}

// attrValues are an entry's values for an indexed attribute.
func (e *entry) attrValues(attr string) []string {
	switch attr {
	case "EventId":
		return []string{e.EventID}
	case "EventName":
		return []string{e.EventName}
	case "EventSource":
		return []string{e.EventSource}
	case "Username":
		return []string{e.Username}
	case "AccessKeyId":
		return []string{e.AccessKeyID}
	case "ReadOnly":
		return []string{fmt.Sprint(e.ReadOnly)}
	case "ResourceName", "ResourceType":
		var out []string
		for _, r := range e.Resources {
			if attr == "ResourceName" {
				out = append(out, deref(r.ResourceName))
			} else {
				out = append(out, deref(r.ResourceType))
			}
		}
		return out
	}
	return nil
}

// lookupIndexer is the consumer that maintains the indexes. Entries older than the
// retention are never returned; it also deletes them, for each account and region it
// indexes, at most once an hour of clock time.
type lookupIndexer struct {
	pruned map[string]time.Time // account/region → last prune
}

// pruneBatch bounds the expired entries one step deletes.
const pruneBatch = 1000

func (l *lookupIndexer) Name() string { return lookupName }

type indexed struct {
	account, region string
	key             string
	entry           []byte
	attrs           [][2]string // attribute, value
}

func (l *lookupIndexer) Consume(view *store.Tx, now time.Time, evs []*store.Event) (events.Step, error) {
	var rows []indexed
	for _, e := range evs {
		if e.Source != audit.Source {
			continue
		}
		var r lookupRecord
		if err := parseFacts(e.Data, &r, true); err != nil {
			return events.Step{}, fmt.Errorf("cloudtrail: record %d: %w", e.Seq, err)
		}
		if !r.management() {
			continue
		}
		at, err := time.Parse(time.RFC3339, r.EventTime)
		if err != nil {
			at = time.UnixMilli(e.Time)
		}
		en := &entry{Seq: e.Seq, Time: at.Unix(), EventID: r.EventID, EventName: r.EventName, EventSource: r.EventSource,
			ReadOnly: r.ReadOnly != nil && *r.ReadOnly, Username: r.username(), AccessKeyID: r.UserIdentity.AccessKeyID, Resources: r.resources()}
		b, err := json.Marshal(en)
		if err != nil {
			return events.Step{}, err
		}
		row := indexed{account: e.Account, region: r.AWSRegion, key: timeKey(en.Time, e.Seq), entry: b}
		for _, attr := range indexedAttributes {
			for _, v := range en.attrValues(attr) {
				if v != "" {
					row.attrs = append(row.attrs, [2]string{attr, v})
				}
			}
		}
		rows = append(rows, row)
	}
	step := events.Step{Consumed: len(evs)}
	if l.pruned == nil {
		l.pruned = map[string]time.Time{}
	}
	var prune [][2]string
	for _, r := range rows {
		k := r.account + "/" + r.region
		if last, ok := l.pruned[k]; !ok || now.Sub(last) > time.Hour {
			l.pruned[k] = now
			prune = append(prune, [2]string{r.account, r.region})
		}
	}
	cutoff := timeKey(now.Add(-Retention).Unix()-1, math.MaxInt64)
	if len(rows) > 0 {
		step.Write = func(tx *store.Tx) error {
			for _, p := range prune {
				if err := pruneExpired(tx, p[0], p[1], cutoff); err != nil {
					return err
				}
			}
			for _, r := range rows {
				if err := tx.Put(lookupNS(r.account, r.region, "time"), r.key, r.entry); err != nil {
					return err
				}
				for _, a := range r.attrs {
					if err := tx.Put(lookupNS(r.account, r.region, a[0]), a[1]+"\x00"+r.key, nil); err != nil {
						return err
					}
				}
			}
			return nil
		}
	}
	return step, nil
}

// pruneExpired deletes the oldest entries of an account and region, those past the
// cutoff key, with their attribute index rows.
func pruneExpired(tx *store.Tx, account, region, cutoff string) error {
	ns := lookupNS(account, region, "time")
	var old []string
	var ents []*entry
	err := scanTime(tx, ns, cutoff, func(k string, e *entry) bool {
		old, ents = append(old, k), append(ents, e)
		return len(old) < pruneBatch
	})
	if err != nil {
		return err
	}
	for i, k := range old {
		if _, err := tx.Delete(ns, k); err != nil {
			return err
		}
		for _, attr := range indexedAttributes {
			for _, v := range ents[i].attrValues(attr) {
				if _, err := tx.Delete(lookupNS(account, region, attr), v+"\x00"+k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// lookupToken is the NextToken of LookupEvents: where the last page ended, and a hash
// of the query it belongs to.
type lookupToken struct {
	After string `json:"a"`
	Query string `json:"q"`
}

func (ct *CloudTrail) lookupEvents(c *server.Call, in *api.LookupEventsRequest) (*api.LookupEventsResponse, error) {
	if len(in.LookupAttributes) > 1 {
		// Wording inferred: AWS documents that the list can hold one item.
		return nil, api.NewInvalidLookupAttributesException("You can specify only one lookup attribute.")
	}
	max := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, api.NewInvalidMaxResultsException("MaxResults must be between 1 and 50.")
		}
		max = int(*in.MaxResults)
	}
	oldest := c.Now.Add(-Retention)
	start, end := oldest, c.Now
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	if start.After(end) {
		return nil, api.NewInvalidTimeRangeException("Start time must be before end time.")
	}
	if start.Before(oldest) {
		start = oldest
	}
	out := &api.LookupEventsResponse{Events: []api.Event{}}
	if in.EventCategory != nil && *in.EventCategory == "insight" {
		return out, nil
	}
	attr, value := "", ""
	if len(in.LookupAttributes) == 1 {
		attr, value = in.LookupAttributes[0].AttributeKey, in.LookupAttributes[0].AttributeValue
		if attr == "ReadOnly" && value != "true" && value != "false" {
			return nil, api.NewInvalidLookupAttributesException("The value of the ReadOnly attribute must be true or false.")
		}
	}
	qsum := sha256.Sum256([]byte(fmt.Sprint(attr, "\x00", value, "\x00", start.Unix(), "\x00", end.Unix(), "\x00", c.Account, c.Region)))
	query := hex.EncodeToString(qsum[:8])
	// Entries between end (newest) and start (oldest), in time-index key order.
	from := timeKey(end.Unix()+1, 0)
	if in.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		var tok lookupToken
		if err != nil || json.Unmarshal(raw, &tok) != nil || tok.Query != query {
			return nil, api.NewInvalidNextTokenException("Invalid NextToken.")
		}
		from = tok.After
	}
	stop := timeKey(start.Unix()-1, math.MaxInt64) // keys from here on are older than start
	var entries []*entry
	var lastKey string
	more := false
	visit := func(key string, e *entry) bool {
		if key >= stop {
			return false
		}
		if len(entries) == max {
			more = true
			return false
		}
		if attr != "" && !indexedAttr(attr) && !hasValue(e.attrValues(attr), value) {
			return true
		}
		entries = append(entries, e)
		lastKey = key
		return true
	}
	var err error
	if indexedAttr(attr) {
		err = ct.scanAttribute(c.Tx, c.Account, c.Region, attr, value, from, visit)
	} else {
		err = scanTime(c.Tx, lookupNS(c.Account, c.Region, "time"), from, visit)
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		ev, err := eventOf(c.Tx, e)
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, ev)
	}
	if more {
		b, _ := json.Marshal(lookupToken{After: lastKey, Query: query})
		out.NextToken = ptr(base64.RawURLEncoding.EncodeToString(b))
	}
	return out, nil
}

func hasValue(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func indexedAttr(attr string) bool {
	for _, a := range indexedAttributes {
		if a == attr {
			return true
		}
	}
	return false
}

// scanTime walks the time index from the key after from.
func scanTime(tx *store.Tx, ns, from string, visit func(string, *entry) bool) error {
	var derr error
	err := tx.Scan(ns, from, 0, func(k string, v []byte) bool {
		var e entry
		if derr = json.Unmarshal(v, &e); derr != nil {
			return false
		}
		return visit(k, &e)
	})
	if err != nil {
		return err
	}
	return derr
}

// scanAttribute walks an attribute's index for a value, newest first, after from.
func (ct *CloudTrail) scanAttribute(tx *store.Tx, account, region, attr, value, from string, visit func(string, *entry) bool) error {
	ns := lookupNS(account, region, attr)
	prefix := value + "\x00"
	timeNS := lookupNS(account, region, "time")
	var ierr error
	err := tx.Scan(ns, prefix+from, 0, func(k string, _ []byte) bool {
		key, ok := strings.CutPrefix(k, prefix)
		if !ok {
			return false
		}
		var e entry
		found, err := tx.GetJSON(timeNS, key, &e)
		if err != nil {
			ierr = err
			return false
		}
		if !found {
			return true
		}
		return visit(key, &e)
	})
	if err != nil {
		return err
	}
	return ierr
}

// eventOf reads an entry's record from the event log.
func eventOf(tx *store.Tx, e *entry) (api.Event, error) {
	var data []byte
	err := tx.Events(e.Seq-1, 1, func(ev *store.Event) bool {
		if ev.Seq == e.Seq {
			data = ev.Data
		}
		return false
	})
	if err != nil {
		return api.Event{}, err
	}
	out := api.Event{
		EventId: ptr(e.EventID), EventName: ptr(e.EventName), ReadOnly: ptr(fmt.Sprint(e.ReadOnly)),
		EventTime: ptr(time.Unix(e.Time, 0).UTC()), EventSource: ptr(e.EventSource),
		Username: optional(e.Username), AccessKeyId: optional(e.AccessKeyID), Resources: e.Resources,
		CloudTrailEvent: ptr(string(data)),
	}
	if out.Resources == nil {
		out.Resources = []api.Resource{}
	}
	return out, nil
}
