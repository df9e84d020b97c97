package iam

import (
	"time"

	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/store"
)

// What other services need of IAM's records, read (or, for Organizations, written)
// in their call's transaction. They reach these through interfaces of their own,
// wired in app; the types here are plain data.

// RoleInfo is a role as STS sees it when a caller assumes it.
type RoleInfo struct {
	ARN   string // with its path
	ID    string // AROA…
	Name  string
	Trust string // the trust policy document
	// MaxSession is the role's maximum session duration in seconds.
	MaxSession    int32
	ServiceLinked bool
}

// LookupRole reads a role by name; nil when the account has none of that name.
func LookupRole(tx *store.Tx, account, name string) (*RoleInfo, error) {
	r, err := load[roleRec](tx, ns(account, tRoles), lk(name))
	if err != nil || r == nil {
		return nil, err
	}
	return &RoleInfo{ARN: r.arn(account), ID: r.ID, Name: r.Name, Trust: r.Trust, MaxSession: r.MaxSession, ServiceLinked: r.ServiceLinked != ""}, nil
}

// LookupRoleByID reads a role by its unique ID (AROA…); nil when the account has no
// role with that ID (none was made, or it was deleted: a role made again under the
// same name has another ID).
func LookupRoleByID(tx *store.Tx, account, id string) (*RoleInfo, error) {
	r, err := loadByID[roleRec](tx, account, tRoles, id)
	if err != nil || r == nil {
		return nil, err
	}
	return &RoleInfo{ARN: r.arn(account), ID: r.ID, Name: r.Name, Trust: r.Trust, MaxSession: r.MaxSession, ServiceLinked: r.ServiceLinked != ""}, nil
}

// OIDCProviderInfo is an OpenID Connect provider as STS sees it.
type OIDCProviderInfo struct {
	ARN string
	// URL is the issuer: https:// and the provider's host and path.
	URL         string
	ClientIDs   []string
	Thumbprints []string
}

// LookupOIDCProvider finds the account's provider for an issuer URL (the token's
// iss claim); nil when the account has none.
func LookupOIDCProvider(tx *store.Tx, account, issuer string) (*OIDCProviderInfo, error) {
	key, err := oidcKey(issuer)
	if err != nil {
		return nil, nil
	}
	o, err := load[oidcRec](tx, ns(account, tOIDC), key)
	if err != nil || o == nil {
		return nil, err
	}
	return &OIDCProviderInfo{ARN: oidcARN(account, o.Key), URL: "https://" + o.Key, ClientIDs: o.ClientIDs, Thumbprints: o.Thumbprints}, nil
}

// SAMLProviderInfo is a SAML provider as STS sees it.
type SAMLProviderInfo struct {
	ARN        string
	Name       string
	Metadata   string
	ValidUntil time.Time
}

// LookupSAMLProvider reads a SAML provider by ARN; nil when the account has none.
func LookupSAMLProvider(tx *store.Tx, account, arn string) (*SAMLProviderInfo, error) {
	key := samlFromARN(account, arn)
	if key == "" {
		return nil, nil
	}
	p, err := load[samlRec](tx, ns(account, tSAML), key)
	if err != nil || p == nil {
		return nil, err
	}
	return &SAMLProviderInfo{ARN: samlARN(account, p.Name), Name: p.Name, Metadata: p.Metadata, ValidUntil: p.ValidUntil}, nil
}

// ManagedPolicy reads the default version of a managed policy by ARN (the account's
// own or an AWS managed one); nil when there is none. It serves the managed session
// policies STS passes by ARN.
func (Grants) ManagedPolicy(tx *store.Tx, account, arn string) (*authz.PolicyDoc, error) {
	r, err := resolvePolicy(tx, account, arn)
	if err != nil || r == nil {
		return nil, err
	}
	return &authz.PolicyDoc{Name: r.arn, Doc: r.defaultDoc()}, nil
}

// CreateAccountRole creates a role in an account as AWS creates one for it
// (Organizations' OrganizationAccountAccessRole): with a trust policy, the given
// AWS managed policies attached, and the default maximum session duration. It
// reports false when the account already has a role of that name.
func CreateAccountRole(tx *store.Tx, account, name, trust string, policyARNs []string, now time.Time) (bool, error) {
	r := &roleRec{
		entity: entity{Name: name, Path: "/", ID: newID("AROA"), Created: timeUTC(now)},
		Trust:  trust, MaxSession: defaultMaxSession,
	}
	ok, err := insertEntity(tx, account, tRoles, &r.entity, r)
	if err != nil || !ok {
		return ok, err
	}
	for _, arn := range policyARNs {
		if err := attach(tx, account, kRole, r.ID, arn); err != nil {
			return false, err
		}
	}
	return true, nil
}
