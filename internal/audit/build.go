package audit

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
)

// Call is what a record is built from: the facts of one API call.
type Call struct {
	Principal auth.Principal
	// Account is the account the call was made in; it receives the record.
	Account   string
	Service   *model.Service
	Operation string
	// Region is the region the call was made in; GlobalService records carry
	// us-east-1, where AWS's global endpoints live.
	Region        string
	GlobalService bool
	Time          time.Time
	SourceIP      string
	UserAgent     string
	RequestID     string
	// HandlerReadOnly is the handler's registration (server.Read).
	HandlerReadOnly bool
	// DataEvent marks a data event (S3's object operations): managementEvent false,
	// eventCategory "Data", logged only by trails whose selectors ask for it.
	DataEvent bool
	// Input and Output are the request and response values; Input may be nil when the
	// request could not be decoded, Output is ignored for failed calls.
	Input, Output map[string]any
	InputShape    *model.Shape
	OutputShape   *model.Shape
	// ErrorCode and ErrorMessage describe a failed or denied call.
	ErrorCode, ErrorMessage string
	// Denied marks a call refused by authorization (ErrorCode is then the service's
	// access-denied code).
	Denied bool
	// RequestParameters and ResponseElements, when set, replace the rendered ones (for
	// services whose records do not mirror their API, such as S3's).
	RequestParameters, ResponseElements any
	Resources                           []Resource
	AdditionalEventData                 map[string]any
	TLS                                 *TLSDetails
	// SharedWith are other accounts the call concerns (the owner of a role assumed
	// across accounts, of a KMS key used from another account): each receives a copy
	// of the record, the copies sharing a sharedEventID.
	SharedWith []string
	// InRegions are further records of a successful call in Regions of its account
	// other than its own (see InRegion).
	InRegions []InRegion
}

// InRegion is a further record a successful call writes in another Region of the
// caller's account, for operations AWS logs in each Region whose resources they
// change (KMS's UpdatePrimaryRegion in both keys' Regions, ReplicateKey's CreateKey
// in the replica's). The record is the call's own but for the fields set here. It
// goes to the caller's account only: none of these operations works across accounts.
type InRegion struct {
	Region string
	// Operation, when set, is the record's eventName in place of the call's; Input
	// and Output are then rendered with that operation's shapes.
	Operation string
	// InvokedBy, when set, is the userIdentity's invokedBy: the service that acted
	// in that Region on the caller's behalf.
	InvokedBy string
	// Input and Output, when set (or when Operation is), are rendered into
	// requestParameters and responseElements in place of the call's.
	Input, Output map[string]any
	// RequestParameters and ResponseElements, when set, replace the rendered ones,
	// as Call's do.
	RequestParameters, ResponseElements any
	// Resources, when set, replace the call's.
	Resources []Resource
}

// Build returns the call's records: the caller's account's first, then one per
// account in SharedWith (other than the caller's), in which the caller appears as
// OwnerIdentity describes.
func Build(c *Call) []Record {
	source := EventSource(c.Service)
	region := c.Region
	if c.GlobalService {
		region = "us-east-1"
	}
	readOnly := IsReadOnly(source, c.Operation, c.HandlerReadOnly)
	errorCode := c.ErrorCode
	params := func() json.RawMessage {
		return Params(c.Service.Name, c.InputShape, withDefaults(source, c.Operation, c.InputShape, withoutOmitted(source, c.Operation, c.Input)))
	}
	bare := c.Denied && c.ErrorCode != "" && deniedBare[source]
	if bare {
		errorCode = "AccessDenied"
	}
	if bare || paramsHidden[source+" "+c.Operation] {
		params = func() json.RawMessage { return null }
	}
	rec := Record{
		EventVersion:        EventVersion,
		UserIdentity:        Identity(c.Principal),
		EventTime:           FormatTime(c.Time),
		EventSource:         source,
		EventName:           c.Operation,
		AWSRegion:           region,
		SourceIPAddress:     c.SourceIP,
		UserAgent:           truncate(c.UserAgent, MaxUserAgent),
		ErrorCode:           errorCode,
		ErrorMessage:        truncate(c.ErrorMessage, MaxErrorMessage),
		RequestParameters:   limit(override(c.RequestParameters, params), MaxParams),
		ResponseElements:    null,
		AdditionalEventData: additional(c.AdditionalEventData),
		RequestID:           c.RequestID,
		EventID:             auth.NewUUID(),
		ReadOnly:            readOnly,
		Resources:           c.Resources,
		EventType:           Kind,
		ManagementEvent:     true,
		RecipientAccountID:  c.Account,
		EventCategory:       "Management",
		TLSDetails:          c.TLS,
	}
	if c.DataEvent {
		rec.ManagementEvent, rec.EventCategory = false, "Data"
	}
	if withAPIVersion[source] && !bare {
		rec.APIVersion = strings.ReplaceAll(c.Service.APIVersion, "-", "")
	}
	if rec.Resources == nil {
		rec.Resources = derivedResources(source, c)
	}
	if c.ErrorCode == "" && HasResponse(source, c.Operation, c.HandlerReadOnly) {
		rec.ResponseElements = limit(override(c.ResponseElements, func() json.RawMessage { return Params(c.Service.Name, c.OutputShape, c.Output) }), MaxParams)
	}
	out := []Record{rec}
	var shared string
	for _, acct := range c.SharedWith {
		if acct == "" || acct == c.Account || seen(out, acct) {
			continue
		}
		if shared == "" {
			shared = auth.NewUUID()
			out[0].SharedEventID = shared
		}
		cp := rec
		cp.Resources = ownerResources(rec.Resources)
		cp.UserIdentity = OwnerIdentity(c.Principal)
		cp.EventID = auth.NewUUID()
		cp.RecipientAccountID = acct
		cp.SharedEventID = shared
		out = append(out, cp)
	}
	if c.ErrorCode == "" {
		for _, e := range c.InRegions {
			out = append(out, inRegion(c, rec, e))
		}
	}
	return out
}

// inRegion is the record e describes: rec with e's Region and fields.
func inRegion(c *Call, rec Record, e InRegion) Record {
	source := rec.EventSource
	r := rec
	r.AWSRegion = e.Region
	r.EventID = auth.NewUUID()
	op, in, out := c.Operation, c.InputShape, c.OutputShape
	if e.Operation != "" {
		op, in, out = e.Operation, nil, nil
		if o := c.Service.Operations[op]; o != nil {
			in, out = o.Input, o.Output
		}
		r.EventName = op
		r.ReadOnly = IsReadOnly(source, op, c.HandlerReadOnly)
	}
	if e.Operation != "" || e.Input != nil || e.RequestParameters != nil {
		r.RequestParameters = limit(override(e.RequestParameters, func() json.RawMessage {
			return Params(c.Service.Name, in, withDefaults(source, op, in, e.Input))
		}), MaxParams)
	}
	if e.Operation != "" || e.Output != nil || e.ResponseElements != nil {
		r.ResponseElements = null
		if HasResponse(source, op, c.HandlerReadOnly) {
			r.ResponseElements = limit(override(e.ResponseElements, func() json.RawMessage { return Params(c.Service.Name, out, e.Output) }), MaxParams)
		}
	}
	if e.Resources != nil {
		r.Resources = e.Resources
	}
	if e.InvokedBy != "" {
		r.UserIdentity.InvokedBy = e.InvokedBy
	}
	return r
}

// ownerResources are a record's resources as a resource owner's copy shows them:
// with the owner's account ID, which the caller's copy may hide.
func ownerResources(rs []Resource) []Resource {
	for i := range rs {
		if rs[i].OwnerHidden {
			out := slices.Clone(rs)
			for j := range out {
				out[j].OwnerHidden = false
			}
			return out
		}
	}
	return rs
}

func seen(recs []Record, acct string) bool {
	for _, r := range recs {
		if r.RecipientAccountID == acct {
			return true
		}
	}
	return false
}

func override(v any, render func() json.RawMessage) json.RawMessage {
	if v == nil {
		return render()
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := MarshalJSON(v)
	if err != nil {
		return null
	}
	return b
}

func additional(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	b, err := MarshalJSON(m)
	if err != nil || len(b) > MaxAdditionalData {
		return map[string]any{"omitted": true, "originalSize": len(b)}
	}
	return m
}

// limit replaces a field over its size limit with a marker of what was left out.
// AWS documents the limits but not the marker; this one is Palisade's.
func limit(b json.RawMessage, max int) json.RawMessage {
	if len(b) <= max {
		return b
	}
	return json.RawMessage(`{"omitted":true,"originalSize":` + strconv.Itoa(len(b)) + `}`)
}

// truncate cuts s to at most max bytes on a rune boundary.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// MarshalJSON encodes v as encoding/json does but without escaping <, > and &, as AWS's
// JSON (CloudTrail records, S3's rendering of requests) leaves them.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
