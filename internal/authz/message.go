package authz

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// SetSealer gives the authorizer the master key's sealer, with which it encodes the
// authorization messages of denied EC2-style calls (EncodeMessage).
func (a *Authorizer) SetSealer(s *store.Sealer) { a.sealer = s }

// messageContext binds sealed authorization messages to their purpose.
const messageContext = "sts/authorization-message/v1"

// ErrBadMessage means an encoded authorization message was not made by this
// Palisade (or was altered).
var ErrBadMessage = errors.New("authz: not an authorization message")

// The decoded message, in the shape STS DecodeAuthorizationMessage returns (IAM User
// Guide, "DecodeAuthorizationMessage": allowed, explicitDeny, matchedStatements,
// failures, context).
type decodedMessage struct {
	Allowed           bool       `json:"allowed"`
	ExplicitDeny      bool       `json:"explicitDeny"`
	MatchedStatements items[stm] `json:"matchedStatements"`
	Failures          items[any] `json:"failures"`
	Context           msgContext `json:"context"`
}

type items[T any] struct {
	Items []T `json:"items"`
}

type stm struct {
	StatementID string `json:"statementId"`
	Effect      string `json:"effect"`
	PolicyType  string `json:"policyType"`
	PolicyName  string `json:"policyName,omitempty"`
}

type msgContext struct {
	Principal  msgPrincipal    `json:"principal"`
	Action     string          `json:"action"`
	Resource   string          `json:"resource"`
	Conditions items[condItem] `json:"conditions"`
}

type msgPrincipal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

type condItem struct {
	Key    string           `json:"key"`
	Values items[valueItem] `json:"values"`
}

type valueItem struct {
	Value string `json:"value"`
}

// contextKeys are the global keys a decoded message lists when the request had them.
var contextKeys = []string{"aws:username", "aws:userid", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
	"aws:RequestedRegion", "aws:SourceIp", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
	"aws:MultiFactorAuthPresent", "aws:TokenIssueTime", "aws:PrincipalOrgID"}

// EncodeMessage returns the encoded authorization message of a denied decision, as
// EC2-style services put in their UnauthorizedOperation errors: the decision, the
// statements that matched and the request context, sealed under the master key so
// that only DecodeAuthorizationMessage reads it. It is "" without a sealer.
func (a *Authorizer) EncodeMessage(c *Caller, chk *Check, d *Decision) string {
	if a.sealer == nil {
		return ""
	}
	m := decodedMessage{Allowed: d.Allowed(), ExplicitDeny: d.Result.Decision == policy.ExplicitDeny}
	m.MatchedStatements.Items = []stm{}
	for _, s := range d.Result.Matched {
		m.MatchedStatements.Items = append(m.MatchedStatements.Items, stm{StatementID: s.Sid, Effect: strings.ToUpper(s.Effect.String()), PolicyType: s.Type.String(), PolicyName: s.Policy})
	}
	m.Failures.Items = []any{}
	p := c.Principal
	m.Context = msgContext{Principal: msgPrincipal{ID: p.UserID, Name: p.UserName, ARN: p.ARN}, Action: chk.Action, Resource: chk.Resource}
	seen := map[string]bool{}
	add := func(key string, vals []string) {
		if seen[strings.ToLower(key)] || len(vals) == 0 {
			return
		}
		seen[strings.ToLower(key)] = true
		ci := condItem{Key: key}
		for _, v := range vals {
			ci.Values.Items = append(ci.Values.Items, valueItem{v})
		}
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, ci)
	}
	var extra []string
	for k := range chk.Context {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		add(k, chk.Context[k])
	}
	for _, k := range contextKeys {
		if v, ok := d.Request.Context.Lookup(strings.ToLower(k)); ok {
			add(k, v)
		} else if v, ok := derived(&d.Request, k); ok {
			add(k, []string{v})
		}
	}
	raw, _ := json.Marshal(m)
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(raw)
	w.Close()
	return base64.RawURLEncoding.EncodeToString(a.sealer.Seal(buf.Bytes(), messageContext))
}

// derived answers the principal keys the engine derives itself, for the message.
func derived(r *policy.Request, key string) (string, bool) {
	p := r.Principal
	switch key {
	case "aws:userid":
		return p.UserID, p.UserID != ""
	case "aws:PrincipalArn":
		if p.IssuerARN != "" {
			return p.IssuerARN, true
		}
		return p.ARN, p.ARN != ""
	case "aws:PrincipalAccount":
		return p.Account, p.Account != ""
	}
	return "", false
}

// DecodeMessage opens an encoded authorization message and returns its JSON.
func (a *Authorizer) DecodeMessage(encoded string) (string, error) {
	if a.sealer == nil {
		return "", ErrBadMessage
	}
	sealed, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", ErrBadMessage
	}
	packed, err := a.sealer.Open(sealed, messageContext)
	if err != nil {
		return "", ErrBadMessage
	}
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(packed)), 1<<20))
	if err != nil {
		return "", ErrBadMessage
	}
	return string(raw), nil
}
