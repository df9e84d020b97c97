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
	// AWSAccount is another account, as the owner of a resource sees a cross-account
	// caller in its copy of a CloudTrail record.
	AWSAccount Type = "AWSAccount"
	// WebIdentityUser and SAMLUser are the outside identities behind the unsigned
	// AssumeRoleWithWebIdentity and AssumeRoleWithSAML calls: the STS handler sets the
	// call's principal to the identity it verified.
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
	// Session describes the temporary credentials of role sessions, federated users
	// and GetSessionToken sessions; nil for long-term keys.
	Session *Session `json:"session,omitempty"`
	// IdentityProvider is the provider of a WebIdentityUser (the token's issuer) or a
	// SAMLUser (saml:namequalifier).
	IdentityProvider string `json:"identityProvider,omitempty"`
	// InvokedBy names the AWS service that made the call on the principal's behalf
	// (e.g. "cloudtrail.amazonaws.com"); always set for AWSService principals.
	InvokedBy string `json:"invokedBy,omitempty"`
}

// Session is what CloudTrail's sessionContext reports about temporary credentials.
type Session struct {
	// Issuer is the identity the credentials were obtained from: the role of a role
	// session; the user (or root) of a federation or GetSessionToken session.
	Issuer *Issuer `json:"issuer,omitempty"`
	// Created is when STS issued the credentials (Palisade's clock).
	Created time.Time `json:"created"`
	// MFA is true when the caller authenticated with MFA to obtain them.
	MFA bool `json:"mfa,omitempty"`
	// SourceIdentity is the sts:SourceIdentity set on the session, if any.
	SourceIdentity string `json:"sourceIdentity,omitempty"`
	// WebIdentityProvider and WebIdentityAttributes describe a session obtained with
	// AssumeRoleWithWebIdentity: the provider's principal name (its issuer without
	// https://, or the IAM OIDC provider's ARN) and the token's claims CloudTrail
	// lists (e.g. "accounts.google.com:aud").
	WebIdentityProvider   string            `json:"webIdentityProvider,omitempty"`
	WebIdentityAttributes map[string]string `json:"webIdentityAttributes,omitempty"`
}

// Issuer is the long-term identity behind a session, as CloudTrail's sessionIssuer.
type Issuer struct {
	Type        string `json:"type"` // "Role", "IAMUser" or "Root"
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	Account     string `json:"accountId"`
	// UserName is the role's or user's name; empty for root.
	UserName string `json:"userName,omitempty"`
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
