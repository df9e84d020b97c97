package iam

import (
	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Org is an account's organization as centralized root access needs it.
type Org struct {
	ID                string // o-…
	ManagementAccount string
	AllFeatures       bool
	// IAMTrusted is true when the organization trusts iam.amazonaws.com
	// (Organizations' EnableAWSServiceAccess).
	IAMTrusted bool
}

// Organizations reads, in the call's transaction, the organization an account
// belongs to (ok false for none); app wires it to Organizations.
type Organizations interface {
	Organization(tx *store.Tx, account string) (org Org, ok bool, err error)
	// ReportScope resolves an Organizations access report's entity path and optional
	// SCP ID in the account's organization.
	ReportScope(tx *store.Tx, account, entityPath, policyID string) (OrgScope, error)
}

// The centralized root access features (API reference, EnabledFeatures' valid values).
const (
	FeatureRootCredentialsManagement = "RootCredentialsManagement"
	FeatureRootSessions              = "RootSessions"
)

// rootAccessNS holds, per organization ID, the features its management account
// enabled: they belong to the organization, so a new organization starts with none.
var rootAccessNS = store.NS("iam", "", "", "org-root-access")

type rootAccessRec struct {
	Credentials bool `json:"creds,omitempty"`
	Sessions    bool `json:"sessions,omitempty"`
}

func (r *rootAccessRec) features() []string {
	out := []string{}
	if r.Credentials {
		out = append(out, FeatureRootCredentialsManagement)
	}
	if r.Sessions {
		out = append(out, FeatureRootSessions)
	}
	return out
}

// RootFeatures lists the centralized root access features an organization has
// enabled, for STS (AssumeRoot needs RootSessions).
func RootFeatures(tx *store.Tx, orgID string) ([]string, error) {
	r, err := load[rootAccessRec](tx, rootAccessNS, orgID)
	if err != nil || r == nil {
		return nil, err
	}
	return r.features(), nil
}

func (s *svc) rootAccessHandlers() []server.Handler {
	return []server.Handler{
		server.Read("ListOrganizationsFeatures", s.listOrganizationsFeatures),
		server.Write("EnableOrganizationsRootCredentialsManagement", s.enableOrganizationsRootCredentialsManagement),
		server.Write("DisableOrganizationsRootCredentialsManagement", s.disableOrganizationsRootCredentialsManagement),
		server.Write("EnableOrganizationsRootSessions", s.enableOrganizationsRootSessions),
		server.Write("DisableOrganizationsRootSessions", s.disableOrganizationsRootSessions),
	}
}

// rootAccessOrg is the caller's organization once it may manage centralized root
// access: in an organization with all features, the management account (delegated
// administrators are not served), IAM trusted. The wording of the answers other than
// ServiceAccessNotEnabled is the API reference's description of each error
// (inferred); their order is inferred too.
func (s *svc) rootAccessOrg(c *server.Call) (Org, *rootAccessRec, error) {
	if s.orgs == nil {
		return Org{}, nil, api.NewOrganizationNotFoundException("The request was rejected because no organization is associated with your account.")
	}
	o, ok, err := s.orgs.Organization(c.Tx, c.Account)
	switch {
	case err != nil:
		return Org{}, nil, err
	case !ok:
		return Org{}, nil, api.NewOrganizationNotFoundException("The request was rejected because no organization is associated with your account.")
	case !o.AllFeatures:
		return Org{}, nil, api.NewOrganizationNotInAllFeaturesModeException("The request was rejected because your organization does not have All features enabled.")
	case o.ManagementAccount != c.Account:
		return Org{}, nil, api.NewAccountNotManagementOrDelegatedAdministratorException("The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	case !o.IAMTrusted:
		// (recorded, 2026: root_access.json, features_original_before)
		return Org{}, nil, api.NewServiceAccessNotEnabledException("Trusted Access for IAM not enabled by organization of input account " + c.Account + ".")
	}
	r, err := load[rootAccessRec](c.Tx, rootAccessNS, o.ID)
	if err != nil {
		return Org{}, nil, err
	}
	if r == nil {
		r = &rootAccessRec{}
	}
	return o, r, nil
}

func (s *svc) listOrganizationsFeatures(c *server.Call, _ *api.ListOrganizationsFeaturesRequest) (*api.ListOrganizationsFeaturesResponse, error) {
	o, r, err := s.rootAccessOrg(c)
	if err != nil {
		return nil, err
	}
	return &api.ListOrganizationsFeaturesResponse{OrganizationId: &o.ID, EnabledFeatures: r.features()}, nil
}

// setRootFeature turns one feature on or off and answers the features enabled
// after it; enabling one already enabled (or disabling one that is not) is no error.
func (s *svc) setRootFeature(c *server.Call, set func(*rootAccessRec)) (string, []string, error) {
	o, r, err := s.rootAccessOrg(c)
	if err != nil {
		return "", nil, err
	}
	set(r)
	if err := c.Tx.PutJSON(rootAccessNS, o.ID, r); err != nil {
		return "", nil, err
	}
	return o.ID, r.features(), nil
}

func (s *svc) enableOrganizationsRootCredentialsManagement(c *server.Call, _ *api.EnableOrganizationsRootCredentialsManagementRequest) (*api.EnableOrganizationsRootCredentialsManagementResponse, error) {
	id, f, err := s.setRootFeature(c, func(r *rootAccessRec) { r.Credentials = true })
	if err != nil {
		return nil, err
	}
	return &api.EnableOrganizationsRootCredentialsManagementResponse{OrganizationId: &id, EnabledFeatures: f}, nil
}

func (s *svc) disableOrganizationsRootCredentialsManagement(c *server.Call, _ *api.DisableOrganizationsRootCredentialsManagementRequest) (*api.DisableOrganizationsRootCredentialsManagementResponse, error) {
	id, f, err := s.setRootFeature(c, func(r *rootAccessRec) { r.Credentials = false })
	if err != nil {
		return nil, err
	}
	return &api.DisableOrganizationsRootCredentialsManagementResponse{OrganizationId: &id, EnabledFeatures: f}, nil
}

func (s *svc) enableOrganizationsRootSessions(c *server.Call, _ *api.EnableOrganizationsRootSessionsRequest) (*api.EnableOrganizationsRootSessionsResponse, error) {
	id, f, err := s.setRootFeature(c, func(r *rootAccessRec) { r.Sessions = true })
	if err != nil {
		return nil, err
	}
	return &api.EnableOrganizationsRootSessionsResponse{OrganizationId: &id, EnabledFeatures: f}, nil
}

func (s *svc) disableOrganizationsRootSessions(c *server.Call, _ *api.DisableOrganizationsRootSessionsRequest) (*api.DisableOrganizationsRootSessionsResponse, error) {
	id, f, err := s.setRootFeature(c, func(r *rootAccessRec) { r.Sessions = false })
	if err != nil {
		return nil, err
	}
	return &api.DisableOrganizationsRootSessionsResponse{OrganizationId: &id, EnabledFeatures: f}, nil
}
