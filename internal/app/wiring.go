package app

import (
	"net/http"
	"slices"
	"time"

	"github.com/palisade/palisade/internal/service/iam"
	"github.com/palisade/palisade/internal/service/organizations"
	"github.com/palisade/palisade/internal/service/sts"
	"github.com/palisade/palisade/internal/store"
)

// iamDirectory lets STS read IAM's roles, identity providers and managed policies
// through STS's own interface.
type iamDirectory struct{}

func (iamDirectory) Role(tx *store.Tx, account, name string) (*sts.Role, error) {
	r, err := iam.LookupRole(tx, account, name)
	if err != nil || r == nil {
		return nil, err
	}
	return &sts.Role{ARN: r.ARN, ID: r.ID, Name: r.Name, Trust: r.Trust, MaxSession: r.MaxSession, ServiceLinked: r.ServiceLinked}, nil
}

func (iamDirectory) OIDCProvider(tx *store.Tx, account, issuer string) (*sts.OIDCProvider, error) {
	p, err := iam.LookupOIDCProvider(tx, account, issuer)
	if err != nil || p == nil {
		return nil, err
	}
	return &sts.OIDCProvider{ARN: p.ARN, URL: p.URL, ClientIDs: p.ClientIDs, Thumbprints: p.Thumbprints}, nil
}

func (iamDirectory) SAMLProvider(tx *store.Tx, account, arn string) (*sts.SAMLProvider, error) {
	p, err := iam.LookupSAMLProvider(tx, account, arn)
	if err != nil || p == nil {
		return nil, err
	}
	return &sts.SAMLProvider{ARN: p.ARN, Name: p.Name, Metadata: p.Metadata, ValidUntil: p.ValidUntil}, nil
}

func (iamDirectory) ManagedPolicy(tx *store.Tx, account, arn string) (bool, error) {
	d, err := iam.Grants{}.ManagedPolicy(tx, account, arn)
	return d != nil, err
}

// stsOutbound lets STS sign GetWebIdentityToken's JWTs with the keys IAM keeps for
// an account's outbound identity federation.
type stsOutbound struct{ sealer *store.Sealer }

func (o stsOutbound) Issuer(tx *store.Tx, account string) (*sts.OutboundIssuer, error) {
	i, err := iam.LookupOutbound(tx, o.sealer, account)
	if err != nil || i == nil {
		return nil, err
	}
	return &sts.OutboundIssuer{Enabled: i.Enabled, Path: iam.OutboundPrefix + i.IssuerID, RSA: i.RSA, EC: i.EC,
		KeyIDRSA: iam.KeyIDRSA, KeyIDEC: iam.KeyIDEC}, nil
}

func (stsOutbound) PrincipalTags(tx *store.Tx, account, arn string) (map[string]string, error) {
	return iam.PrincipalTags(tx, account, arn)
}

// publicRoutes are the documents served without authentication: SNS's signing
// certificate and the outbound federation issuers' OIDC discovery documents and key
// sets, all public by nature (a relying party fetches them anonymously).
func (a *App) publicRoutes() map[string]http.Handler {
	routes := a.SNS.PublicRoutes()
	for k, v := range iam.OutboundRoutes(a.Store, a.Sealer) {
		routes[k] = v
	}
	return routes
}

// iamRoles lets Organizations create the access role of a new member account.
type iamRoles struct{}

func (iamRoles) CreateAccountRole(tx *store.Tx, account, name, trust string, policyARNs []string, now time.Time) (bool, error) {
	return iam.CreateAccountRole(tx, account, name, trust, policyARNs, now)
}

func (iamRoles) CreateServiceLinkedRole(tx *store.Tx, account, service, description string, now time.Time) (bool, error) {
	return iam.CreateServiceLinkedRole(tx, account, service, description, now)
}

// iamOrganizations is Organizations as IAM's centralized root access sees it.
type iamOrganizations struct{}

func (iamOrganizations) Organization(tx *store.Tx, account string) (iam.Org, bool, error) {
	info, err := organizations.Source{}.AccountOrg(tx, account)
	if err != nil || info == nil {
		return iam.Org{}, false, err
	}
	all, trusted, _, err := organizations.Source{}.TrustedAccess(tx, account, "iam.amazonaws.com")
	if err != nil {
		return iam.Org{}, false, err
	}
	return iam.Org{ID: info.ID, ManagementAccount: info.ManagementAccount, AllFeatures: all, IAMTrusted: trusted}, true, nil
}

func (iamOrganizations) ReportScope(tx *store.Tx, account, entityPath, policyID string) (iam.OrgScope, error) {
	sc, err := organizations.Source{}.ReportScope(tx, account, entityPath, policyID)
	out := iam.OrgScope{PathFound: sc.PathFound, PolicyFound: sc.PolicyFound, Policy: sc.Policy, Levels: sc.Levels}
	for _, a := range sc.Accounts {
		out.Accounts = append(out.Accounts, iam.OrgAccount{ID: a.ID, Path: a.Path})
	}
	return out, err
}

// stsOrganizations is Organizations and IAM's centralized root access as STS's
// AssumeRoot sees them.
type stsOrganizations struct{}

func (stsOrganizations) RootOrg(tx *store.Tx, account string) (sts.RootOrg, bool, error) {
	o, ok, err := iamOrganizations{}.Organization(tx, account)
	if err != nil || !ok {
		return sts.RootOrg{}, false, err
	}
	features, err := iam.RootFeatures(tx, o.ID)
	if err != nil {
		return sts.RootOrg{}, false, err
	}
	info, err := organizations.Source{}.AccountOrg(tx, account)
	if err != nil || info == nil {
		return sts.RootOrg{}, false, err
	}
	return sts.RootOrg{ID: o.ID, ManagementAccount: o.ManagementAccount, AllFeatures: o.AllFeatures, IAMTrusted: o.IAMTrusted,
		RootSessions: slices.Contains(features, iam.FeatureRootSessions), Path: info.Path}, true, nil
}
