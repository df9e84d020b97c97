// Package audit builds CloudTrail records: one per API call, allowed or denied, in the
// exact JSON shape CloudTrail delivers. The server appends each record to the event log
// in the same transaction as the call's state change, so a call that was acknowledged
// always has its record and a record never describes a change that did not happen.
package audit

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
)

// Source and Kind of CloudTrail records in the event log.
const (
	Source = "cloudtrail"
	Kind   = "AwsApiCall"
)

// Record is a CloudTrail event record. Field order follows CloudTrail's own files.
type Record struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData map[string]any  `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []Resource      `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          *TLSDetails     `json:"tlsDetails,omitempty"`
}

// UserIdentity is CloudTrail's description of the caller.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
	// IdentityProvider names the provider of a WebIdentityUser or SAMLUser.
	IdentityProvider string `json:"identityProvider,omitempty"`
	// SessionContext describes temporary credentials.
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext is CloudTrail's description of the session behind temporary
// credentials: who issued it and when, with or without MFA.
type SessionContext struct {
	SessionIssuer  *SessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes     SessionAttributes `json:"attributes"`
	SourceIdentity string            `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role (or IAM user) a session was made from.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttributes are a session's creation date and MFA state.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// Resource is one entry of a record's resources list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type,omitempty"`
}

// TLSDetails describes the connection's TLS, when there was one.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Identity describes a principal as CloudTrail's userIdentity does.
func Identity(p auth.Principal) UserIdentity {
	u := UserIdentity{Type: string(p.Type), PrincipalID: p.UserID, ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKeyID}
	if p.Type == auth.IAMUser {
		u.UserName = p.UserName
	}
	switch p.Type {
	case auth.Anonymous:
		return UserIdentity{Type: "AWSAccount", PrincipalID: "", AccountID: "anonymous"}
	case auth.WebIdentityUser, auth.SAMLUser:
		return UserIdentity{Type: string(p.Type), PrincipalID: p.UserID, UserName: p.UserName, IdentityProvider: p.ARN}
	}
	if s := p.Session; s != nil {
		sc := &SessionContext{SourceIdentity: s.SourceIdentity,
			Attributes: SessionAttributes{CreationDate: FormatTime(s.Issued), MFAAuthenticated: strconv.FormatBool(s.MFA)}}
		switch p.Type {
		case auth.AssumedRole:
			roleID, _, _ := strings.Cut(p.UserID, ":")
			sc.SessionIssuer = &SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: s.IssuerARN, AccountID: p.Account,
				UserName: s.IssuerARN[strings.LastIndexByte(s.IssuerARN, '/')+1:]}
		case auth.FederatedUser:
			if s.IssuerID != "" {
				sc.SessionIssuer = &SessionIssuer{Type: "IAMUser", PrincipalID: s.IssuerID, ARN: s.IssuerARN, AccountID: p.Account,
					UserName: s.IssuerARN[strings.LastIndexByte(s.IssuerARN, '/')+1:]}
			} else {
				sc.SessionIssuer = &SessionIssuer{Type: "Root", PrincipalID: p.Account, ARN: s.IssuerARN, AccountID: p.Account}
			}
		}
		u.SessionContext = sc
	}
	return u
}

// Hidden is what CloudTrail writes in place of a secret.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Params renders a model value as CloudTrail's requestParameters/responseElements:
// lowerCamel member names, timestamps as CloudTrail prints them, sensitive members
// hidden, blobs omitted. A nil value renders as JSON null.
func Params(s *model.Shape, v map[string]any) json.RawMessage {
	if s == nil || v == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(render(s, v))
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func render(s *model.Shape, v any) any {
	if s.Sensitive {
		return Hidden
	}
	switch s.Type {
	case model.Structure:
		m, _ := v.(map[string]any)
		out := make(map[string]any, len(m))
		for _, mem := range s.Members {
			x, ok := m[mem.Name]
			if !ok || x == nil || mem.IsStreaming() {
				continue
			}
			if mem.Shape.Type == model.Blob {
				// CloudTrail does not log binary payloads (KMS plaintexts and
				// ciphertexts, S3 bodies).
				continue
			}
			out[lowerCamel(mem.Name)] = render(mem.Shape, x)
		}
		return out
	case model.List:
		l, _ := v.([]any)
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = render(s.Member.Shape, e)
		}
		return out
	case model.Map:
		m, _ := v.(map[string]any)
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = render(s.Value.Shape, e)
		}
		return out
	case model.Timestamp:
		if t, ok := v.(time.Time); ok {
			return FormatTime(t)
		}
	}
	return v
}

// lowerCamel lowers the first rune of a member name, as CloudTrail's parameter names
// do: UserName → userName.
func lowerCamel(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// FormatTime prints a time as CloudTrail does: UTC, second precision, Z suffix.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// EventSource is the eventSource of a service: its endpoint prefix and amazonaws.com.
func EventSource(svc *model.Service) string {
	prefix := svc.EndpointPrefix
	if svc.Name == "cloudwatch" {
		prefix = "monitoring"
	}
	return strings.ToLower(prefix) + ".amazonaws.com"
}
