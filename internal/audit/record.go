// Package audit builds CloudTrail records: one per API call, allowed or denied, in the
// exact JSON shape CloudTrail delivers. The server appends each record to the event log
// in the same transaction as the call's state change, so a call that was acknowledged
// always has its record and a record never describes a change that did not happen.
//
// Build turns the facts of one call (Call) into its records: one for the caller's
// account and, for a cross-account call, one for each resource owner, sharing a
// sharedEventID. Identity renders a principal as CloudTrail's userIdentity for every
// identity type; Params renders a model value as requestParameters/responseElements
// with each service's naming, timestamp style and hidden secrets (params.go); the few
// operations whose readOnly flag or responseElements differ from what their handler's
// registration says are listed in rules.go.
package audit

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
)

// Source and Kind of CloudTrail records in the event log.
const (
	Source = "cloudtrail"
	Kind   = "AwsApiCall"
)

// EventVersion is the eventVersion of the records Palisade writes: the version AWS's
// API call records carry today, management and data events alike (recorded 2026,
// stackd testdata/aws/cloudtrail/service_management_events.json,
// owned_s3_delivery.json).
const EventVersion = "1.11"

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
	APIVersion          string          `json:"apiVersion,omitempty"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	SharedEventID       string          `json:"sharedEventID,omitempty"`
	// ServiceEventDetails describe what a service did on its own (AwsServiceEvent
	// records, such as KMS's RotateKey).
	ServiceEventDetails map[string]any `json:"serviceEventDetails,omitempty"`
	EventCategory       string         `json:"eventCategory"`
	TLSDetails          *TLSDetails    `json:"tlsDetails,omitempty"`
}

// UserIdentity is CloudTrail's description of the caller. Which fields appear depends
// on the identity type, as in AWS's records: see Identity.
type UserIdentity struct {
	// Type is empty for what a service did on its own (KMS's RotateKey and
	// SynchronizeMultiRegionKey records: {"accountId", "invokedBy"} only).
	Type             string          `json:"type,omitempty"`
	PrincipalID      *string         `json:"principalId,omitempty"`
	ARN              string          `json:"arn,omitempty"`
	AccountID        string          `json:"accountId,omitempty"`
	AccessKeyID      string          `json:"accessKeyId,omitempty"`
	UserName         string          `json:"userName,omitempty"`
	SessionContext   *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy        string          `json:"invokedBy,omitempty"`
	IdentityProvider string          `json:"identityProvider,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer       SessionIssuer       `json:"sessionIssuer"`
	WebIDFederationData WebIDFederationData `json:"webIdFederationData"`
	Attributes          SessionAttributes   `json:"attributes"`
	// AssumedRoot is "true" for the root session STS AssumeRoot opened, so that its
	// calls can be told from the root user's own (IAM User Guide, "Track privileged
	// tasks in AWS CloudTrail"; its place in the record there, after attributes).
	AssumedRoot    string `json:"assumedRoot,omitempty"`
	SourceIdentity string `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the identity the credentials were obtained from; empty (an empty
// JSON object) for GetSessionToken sessions of users and root.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// WebIDFederationData names the OIDC provider of a web-identity session (with its
// attributes, an empty object here: Palisade does not report token claims there);
// an empty object otherwise.
type WebIDFederationData struct {
	FederatedProvider string            `json:"federatedProvider,omitempty"`
	Attributes        map[string]string `json:"attributes,omitempty"`
}

// MarshalJSON writes the attributes object whenever there is a provider.
func (w WebIDFederationData) MarshalJSON() ([]byte, error) {
	if w.FederatedProvider == "" {
		return []byte("{}"), nil
	}
	attrs := w.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	return MarshalJSON(struct {
		FederatedProvider string            `json:"federatedProvider"`
		Attributes        map[string]string `json:"attributes"`
	}{w.FederatedProvider, attrs})
}

// SessionAttributes are when the session was created and whether MFA was used.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// Resource is one entry of a record's resources list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
	// ARNPrefix names what a call read or changed under a prefix instead of one ARN:
	// S3's listings and DeleteObjects name "arn:aws:s3:::bucket/".
	ARNPrefix string `json:"ARNPrefix,omitempty"`
	// AccountFirst writes the entry as KMS and S3 write theirs — accountId, type, then
	// ARN or ARNPrefix — where STS and IAM write ARN, accountId, type.
	AccountFirst bool `json:"-"`
	// OwnerHidden writes "accountId": "" for a resource owned by another account than
	// the caller's whose owner CloudTrail keeps out of the caller's record (S3's data
	// events denied to another account's caller).
	OwnerHidden bool `json:"-"`
}

// TLSDetails describes the connection's TLS, when there was one.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

func ptr(s string) *string { return &s }

// Identity describes a principal as CloudTrail's userIdentity does, for every identity
// type AWS records (the shapes of AWS's "CloudTrail userIdentity element" page):
//
//	Root            type, principalId (account), arn, accountId, accessKeyId
//	IAMUser         … and userName
//	AssumedRole     type, principalId (ROLEID:session), arn, accountId, accessKeyId,
//	                sessionContext {sessionIssuer (the role), webIdFederationData,
//	                attributes {creationDate, mfaAuthenticated}, sourceIdentity}
//	FederatedUser   the same with the user (or root) as sessionIssuer
//	AWSService      type, invokedBy (the service principal, the principal's ARN)
//	WebIdentityUser type, principalId, userName, identityProvider (the provider's ARN)
//	SAMLUser        type, principalId, userName, identityProvider (the provider's ID)
//	Anonymous       type AWSAccount, principalId "", accountId "anonymous" (S3)
//
// Users and root signing with GetSessionToken credentials get a sessionContext whose
// sessionIssuer is empty; sessions from AssumeRoleWithWebIdentity name the OIDC
// provider in webIdFederationData. The session comes from auth.Session (STS).
func Identity(p auth.Principal) UserIdentity {
	switch p.Type {
	case auth.Anonymous:
		return UserIdentity{Type: "AWSAccount", PrincipalID: ptr(""), AccountID: "anonymous"}
	case auth.AWSService:
		return UserIdentity{Type: "AWSService", InvokedBy: p.ARN}
	case auth.WebIdentityUser:
		// An IAM OIDC provider is named by its ARN, and principalId starts with it
		// (provider:audience:subject), as AWS's records of GitHub Actions and EKS
		// sessions show; a built-in provider (accounts.google.com) by its name.
		id := p.UserID
		if _, key, ok := strings.Cut(p.ARN, ":oidc-provider/"); ok {
			if rest, ok := strings.CutPrefix(p.UserID, key+":"); ok {
				id = p.ARN + ":" + rest
			}
		}
		return UserIdentity{Type: string(p.Type), PrincipalID: ptr(id), UserName: p.UserName, IdentityProvider: p.ARN}
	case auth.SAMLUser:
		// identityProvider is the provider's ID, the name qualifier that starts
		// principalId (IAM User Guide: "<id of identity provider>:<canonical id of
		// user>").
		idp, _, _ := strings.Cut(p.UserID, ":")
		return UserIdentity{Type: string(p.Type), PrincipalID: ptr(p.UserID), UserName: p.UserName, IdentityProvider: idp}
	}
	u := UserIdentity{Type: string(p.Type), PrincipalID: ptr(p.UserID), ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKeyID}
	if p.Type == auth.IAMUser {
		u.UserName = p.UserName
	}
	if s := p.Session; s != nil {
		sc := &SessionContext{
			Attributes:     SessionAttributes{CreationDate: FormatTime(s.Issued), MFAAuthenticated: boolString(s.MFA)},
			SourceIdentity: s.SourceIdentity,
		}
		lastPart := func(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }
		switch p.Type {
		case auth.AssumedRole:
			roleID, _, _ := strings.Cut(p.UserID, ":")
			sc.SessionIssuer = SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: s.IssuerARN, AccountID: p.Account, UserName: lastPart(s.IssuerARN)}
		case auth.FederatedUser:
			if s.IssuerID != "" {
				sc.SessionIssuer = SessionIssuer{Type: "IAMUser", PrincipalID: s.IssuerID, ARN: s.IssuerARN, AccountID: p.Account, UserName: lastPart(s.IssuerARN)}
			} else {
				sc.SessionIssuer = SessionIssuer{Type: "Root", PrincipalID: p.Account, ARN: "arn:aws:iam::" + p.Account + ":root", AccountID: p.Account}
			}
		}
		if s.Op == "AssumeRoot" {
			sc.AssumedRoot = "true"
		}
		if s.Op == "AssumeRoleWithWebIdentity" && s.FederatedProvider != "" {
			sc.WebIDFederationData = WebIDFederationData{FederatedProvider: s.FederatedProvider}
		}
		u.SessionContext = sc
	}
	return u
}

// OwnerIdentity is how a resource owner's copy of a cross-account record names the
// caller: "Account number and principal ID (if a user), or AWS service principal"
// (IAM User Guide, logging temporary credentials).
func OwnerIdentity(p auth.Principal) UserIdentity {
	switch p.Type {
	case auth.AWSService, auth.Anonymous, auth.WebIdentityUser, auth.SAMLUser:
		return Identity(p)
	}
	return UserIdentity{Type: "AWSAccount", PrincipalID: ptr(p.UserID), AccountID: p.Account}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Hidden is what CloudTrail writes in place of a secret it keeps the field for.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// FormatTime prints a time as CloudTrail does: UTC, second precision, Z suffix.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// EventSource is the eventSource of a service: its endpoint prefix and amazonaws.com.
// S3 Control's calls are recorded as S3's (recorded, 2026: stackd
// testdata/aws/s3/abac_audit_replay.json, TagResource and ListTagsForResource).
func EventSource(svc *model.Service) string {
	prefix := svc.EndpointPrefix
	switch svc.Name {
	case "cloudwatch":
		prefix = "monitoring"
	case "s3control":
		prefix = "s3"
	}
	return strings.ToLower(prefix) + ".amazonaws.com"
}
