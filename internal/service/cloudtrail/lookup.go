package cloudtrail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Event history: LookupEvents over the last 90 days of an account's management events
// in a region, read straight from the event log, newest first, through the store's
// index of events by source, account and region. Each record is walked field by field
// (facts.go) and filtered by the lookup attribute and the time range; the event ID and
// event name are first looked for in the raw bytes, so non-matching records are mostly
// skipped without parsing. No consumer maintains a separate index: indexing every
// record cost a quarter of the request throughput (docs/PERFORMANCE.md).

// Retention is how far back event history reaches.
const Retention = 90 * 24 * time.Hour

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
		{"policyArn", "AWS::IAM::Policy"}, {"policyName", "AWS::IAM::Policy"}, {"instanceProfileName", "AWS::IAM::InstanceProfile"}, {"accessKeyId", "AWS::IAM::AccessKey"},
		{"serialNumber", "AWS::IAM::MFADevice"}, {"openIDConnectProviderArn", "AWS::IAM::OIDCProvider"}, {"sAMLProviderArn", "AWS::IAM::SAMLProvider"}},
	"cloudtrail.amazonaws.com": {{"name", "AWS::CloudTrail::Trail"}, {"trailName", "AWS::CloudTrail::Trail"}, {"resourceId", "AWS::CloudTrail::Trail"}},
	"s3.amazonaws.com":         {{"bucketName", "AWS::S3::Bucket"}},
	"kms.amazonaws.com":        {{"keyId", "AWS::KMS::Key"}, {"aliasName", "AWS::KMS::Alias"}},
	"sts.amazonaws.com":        {{"roleArn", "AWS::IAM::Role"}},
	// CloudWatch Logs' group by its name, a DescribeLogGroups prefix, or the ARN the
	// tagging calls take (recorded 2026, logs_controls.json: TagResource,
	// ListTagsForResource); the ARN of its resource-policy calls names none.
	"logs.amazonaws.com": {{"logGroupName", "AWS::Logs::LogGroup"}, {"logGroupNamePrefix", "AWS::Logs::LogGroup"}, {"resourceArn", "AWS::Logs::LogGroup"}},
	"sqs.amazonaws.com":  {{"queueUrl", "AWS::SQS::Queue"}},
}

// resources are an event's resources as event history reports them: those in the
// record, and those its parameters and response name, in the order of their types.
// A read names none (STS's excepted, whose credentials handed out are resources;
// inferred), though its parameters or record do: recorded 2026 for IAM's
// ListAccessKeys, ListRolePolicies and GetRole and Organizations' DescribeOrganization
// (stackd testdata/aws/cloudtrail/iam_history.json, service_management_events.json),
// where writes list theirs by type (AWS::IAM::AccessKey before AWS::IAM::User,
// AWS::IAM::Policy, the policyName of PutRolePolicy, before AWS::IAM::Role).
//
// CloudWatch Logs' are named by their parameters alone, reads' too, and not by the
// record's resources (recorded 2026, logs_controls.json: GetLogEvents' record names
// the stream, its history the group; DescribeLogStreams' history names the group).
// SQS's queues likewise, by URL only, though the record names the queue's ARN
// (recorded 2026, service_management_events.json: CreateQueue, SetQueueAttributes,
// DeleteQueue).
func (r *recordFacts) resources() []api.Resource {
	logs := r.EventSource == "logs.amazonaws.com"
	byParams := logs || r.EventSource == "sqs.amazonaws.com"
	if r.ReadOnly != nil && *r.ReadOnly && r.EventSource != "sts.amazonaws.com" && !logs {
		return nil
	}
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
				if p[0] == string(k) && !(logs && p[0] == "resourceArn" && strings.Contains(r.EventName, "ResourcePolic")) {
					add(p[1], str(v))
				}
			}
			return true
		})
	}
	for _, res := range r.Resources {
		if !byParams {
			add(res.Type, res.ARN)
		}
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
			case "user", "role":
				// A user or role created: its name, ID and ARN (recorded 2026 for
				// CreateRole: the role's name, roleId and ARN, in that order; CreateUser
				// names three users).
				if r.EventSource == "iam.amazonaws.com" {
					typ := "AWS::IAM::User"
					if string(k) == "role" {
						typ = "AWS::IAM::Role"
					}
					members(v, func(k, v []byte) bool {
						switch string(k) {
						case "userName", "userId", "roleName", "roleId", "arn":
							add(typ, str(v))
						}
						return true
					})
				}
			case "queueUrl":
				// The queue SQS's CreateQueue made, by its URL, as its parameters name
				// one (recorded 2026, service_management_events.json).
				if r.EventSource == "sqs.amazonaws.com" {
					add("AWS::SQS::Queue", str(v))
				}
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
	slices.SortStableFunc(out, func(a, b api.Resource) int { return strings.Compare(*a.ResourceType, *b.ResourceType) })
	return out
}

// lookupToken is the NextToken of LookupEvents: the sequence of the last event of the
// page, and a hash of the query it belongs to.
type lookupToken struct {
	Before int64  `json:"b"`
	Query  string `json:"q"`
}

// clockSlack bounds how much earlier than its neighbours in the log an event's time
// can be (a call's time is taken when it starts, its place when it commits), so a scan
// going back in the log stops past the start of the range only that much later.
const clockSlack = 5 * time.Minute

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
	insight := in.EventCategory != nil && *in.EventCategory == "insight"
	attr, value := "", ""
	if len(in.LookupAttributes) == 1 {
		attr, value = in.LookupAttributes[0].AttributeKey, in.LookupAttributes[0].AttributeValue
		if attr == "ReadOnly" && value != "true" && value != "false" {
			return nil, api.NewInvalidLookupAttributesException("The value of the ReadOnly attribute must be true or false.")
		}
	}
	// The token is bound to the query as asked, not to the range it resolved to: an
	// open range ends now and a start before the 90 days kept starts 90 days ago, and
	// both move on between pages (the next page is asked a second later, or after the
	// clock was advanced). Its events are bounded by the token's sequence instead.
	qsum := sha256.Sum256([]byte(fmt.Sprint(attr, "\x00", value, "\x00", unixOrNone(in.StartTime), "\x00", unixOrNone(in.EndTime), "\x00", c.Account, c.Region, "\x00", insight)))
	query := hex.EncodeToString(qsum[:8])
	var before int64
	if in.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		var tok lookupToken
		if err != nil || json.Unmarshal(raw, &tok) != nil || tok.Query != query || tok.Before <= 0 {
			return nil, api.NewInvalidNextTokenException("Invalid NextToken.")
		}
		before = tok.Before
	}
	// Raw prefilters: records that cannot match are skipped unparsed.
	var needle []byte
	switch attr {
	case "EventId":
		needle = []byte(`"eventID":` + quote(value))
	case "EventName":
		needle = []byte(`"eventName":` + quote(value))
	case "EventSource":
		needle = []byte(`"eventSource":` + quote(value))
	case "AccessKeyId":
		needle = []byte(`"accessKeyId":` + quote(value))
	case "Username", "ResourceName":
		// The value is in the record somewhere (a name, an ARN's last part, a
		// parameter), written as is unless JSON escapes it.
		if q := quote(value); q == `"`+value+`"` {
			needle = []byte(value)
		}
	}
	startMs, endMs, stopMs := start.UnixMilli(), end.UnixMilli(), start.Add(-clockSlack).UnixMilli()
	if in.EndTime == nil {
		// Open-ended: a call that started after this one but committed before its
		// snapshot is listed too (later pages, bounded by sequence, would never reach it).
		endMs = math.MaxInt64
	}
	var lastSeq int64
	more := false
	var ferr error
	if insight {
		// Insights events are logged after their eventTime (a minute's activity is
		// judged once the minute is over), never before it, so the scan stops at the
		// same bound.
		err := c.Tx.EventsDesc(insightSource, c.Account, c.Region, before, func(e *store.Event) bool {
			if e.Time < stopMs {
				return false
			}
			if needle != nil && !bytes.Contains(e.Data, needle) {
				return true
			}
			ev, ok, err := insightEvent(e, attr, value)
			if err != nil {
				ferr = err
				return false
			}
			if !ok || ev.EventTime.UnixMilli() < startMs || ev.EventTime.UnixMilli() > endMs {
				return true
			}
			if len(out.Events) == max {
				more = true
				return false
			}
			out.Events = append(out.Events, ev)
			lastSeq = e.Seq
			return true
		})
		if err == nil {
			err = ferr
		}
		if err != nil {
			return nil, err
		}
		if more {
			b, _ := json.Marshal(lookupToken{Before: lastSeq, Query: query})
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString(b))
		}
		return out, nil
	}
	err := c.Tx.EventsDesc(audit.Source, c.Account, c.Region, before, func(e *store.Event) bool {
		if e.Time < stopMs {
			return false
		}
		if e.Time < startMs || e.Time > endMs || needle != nil && !bytes.Contains(e.Data, needle) {
			return true
		}
		var r recordFacts
		if err := parseFacts(e.Data, &r, true); err != nil {
			ferr = fmt.Errorf("cloudtrail: record %d: %w", e.Seq, err)
			return false
		}
		if !r.management() || attr != "" && !r.has(attr, value) {
			return true
		}
		if len(out.Events) == max {
			more = true
			return false
		}
		out.Events = append(out.Events, r.event(e))
		lastSeq = e.Seq
		return true
	})
	if err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	if more {
		b, _ := json.Marshal(lookupToken{Before: lastSeq, Query: query})
		out.NextToken = ptr(base64.RawURLEncoding.EncodeToString(b))
	}
	return out, nil
}

// unixOrNone is a time of a query for its NextToken: "-" when the query left it out.
func unixOrNone(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmt.Sprint(t.Unix())
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// has reports whether a record has a lookup attribute's value.
func (r *recordFacts) has(attr, value string) bool {
	switch attr {
	case "EventId":
		return r.EventID == value
	case "EventName":
		return r.EventName == value
	case "EventSource":
		return r.EventSource == value
	case "Username":
		return r.username() == value
	case "AccessKeyId":
		return r.UserIdentity.AccessKeyID == value
	case "ReadOnly":
		return fmt.Sprint(r.ReadOnly != nil && *r.ReadOnly) == value
	case "ResourceName", "ResourceType":
		for _, res := range r.resources() {
			if attr == "ResourceName" && deref(res.ResourceName) == value || attr == "ResourceType" && deref(res.ResourceType) == value {
				return true
			}
		}
	}
	return false
}

// event is a record as LookupEvents returns it.
func (r *recordFacts) event(e *store.Event) api.Event {
	at, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		at = time.UnixMilli(e.Time)
	}
	res := r.resources()
	if res == nil {
		res = []api.Resource{}
	}
	return api.Event{
		EventId: ptr(r.EventID), EventName: ptr(r.EventName), ReadOnly: ptr(fmt.Sprint(r.ReadOnly != nil && *r.ReadOnly)),
		EventTime: ptr(at.UTC()), EventSource: ptr(r.EventSource), Username: optional(r.username()),
		AccessKeyId: optional(r.UserIdentity.AccessKeyID), Resources: res, CloudTrailEvent: ptr(string(e.Data)),
	}
}

// insightEvent is an Insights event as LookupEvents returns it, if it has the lookup
// attribute's value: Insights events are looked up by EventId, EventName and
// EventSource (the API the insight is about) only (CloudTrail User Guide, "Viewing
// Insights events with the AWS CLI").
func insightEvent(e *store.Event, attr, value string) (api.Event, bool, error) {
	var id, source, name, at string
	err := members(e.Data, func(k, raw []byte) bool {
		switch string(k) {
		case "eventID":
			id = str(raw)
		case "eventTime":
			at = str(raw)
		case "insightDetails":
			members(raw, func(k, v []byte) bool {
				switch string(k) {
				case "eventSource":
					source = str(v)
				case "eventName":
					name = str(v)
				}
				return true
			})
		}
		return true
	})
	if err != nil {
		return api.Event{}, false, fmt.Errorf("cloudtrail: insights event %d: %w", e.Seq, err)
	}
	switch attr {
	case "":
	case "EventId":
		if id != value {
			return api.Event{}, false, nil
		}
	case "EventName":
		if name != value {
			return api.Event{}, false, nil
		}
	case "EventSource":
		if source != value {
			return api.Event{}, false, nil
		}
	default:
		return api.Event{}, false, nil
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t = time.UnixMilli(e.Time)
	}
	return api.Event{EventId: ptr(id), EventName: ptr(name), EventSource: ptr(source), EventTime: ptr(t.UTC()),
		Resources: []api.Resource{}, CloudTrailEvent: ptr(string(e.Data))}, true, nil
}
