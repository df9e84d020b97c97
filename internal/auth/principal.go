// Package auth knows who is calling: it stores access keys (secrets sealed at rest),
// resolves an access key ID to its principal, and describes principals the way
// CloudTrail's userIdentity and STS's GetCallerIdentity do.
package auth

import "time"

// Type is a principal's kind, named as CloudTrail's userIdentity.type names it.
type Type string

// Principal types.
const (
	Root          Type = "Root"
	IAMUser       Type = "IAMUser"
	AssumedRole   Type = "AssumedRole"
	FederatedUser Type = "FederatedUser"
	AWSService    Type = "AWSService"
	Anonymous     Type = "Anonymous"
	// WebIdentityUser and SAMLUser are the callers of AssumeRoleWithWebIdentity and
	// AssumeRoleWithSAML once their token or assertion checked out: an identity
	// provider's user, matched by a trust policy's "Federated" principal.
	WebIdentityUser Type = "WebIdentityUser"
	SAMLUser        Type = "SAMLUser"
)

// Principal is the identity behind a request.
type Principal struct {
	Type    Type   `json:"type"`
	Account string `json:"account"`
	// ARN is the caller's ARN: arn:aws:iam::ACCOUNT:root, ...:user/PATH/NAME,
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION...
	ARN string `json:"arn"`
	// UserID is GetCallerIdentity's UserId and CloudTrail's principalId: the account ID
	// for root, the user's unique ID (AIDA…) for users, ROLEID:SESSION for sessions.
	UserID string `json:"userId"`
	// UserName is the IAM user name (users) or the session name (sessions).
	UserName    string `json:"userName,omitempty"`
	AccessKeyID string `json:"-"`
	// Session is set for temporary credentials: what the session token carries (its
	// kind, expiry, MFA, session policies and tags). Nil for long-term keys.
	Session *Session `json:"-"`
}

// Credential is an access key with its secret and owner. Secret is plaintext in memory
// only; the store holds it sealed.
type Credential struct {
	AccessKeyID string
	Secret      []byte
	Active      bool
	Principal   Principal
	Created     time.Time
}

// GoString keeps the secret out of %#v.
func (c *Credential) GoString() string { return "auth.Credential{" + c.AccessKeyID + "}" }

// String keeps the secret out of %v.
func (c *Credential) String() string { return c.AccessKeyID }

// RootPrincipal returns the root identity of an account.
func RootPrincipal(account string) Principal {
	return Principal{Type: Root, Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account}
}
