package organizations

import (
	"sort"
	"time"

	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// trustedServices are the service principals AWS lets an organization trust
// ("AWS services that you can use with AWS Organizations", Organizations User Guide);
// others are InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL, as AWS answers
// for them. CloudFormation StackSets is trusted as
// member.org.stacksets.cloudformation.amazonaws.com: AWS refuses the bare
// stacksets.cloudformation.amazonaws.com.
var trustedServices = map[string]bool{}

func init() {
	for _, p := range []string{
		"access-analyzer.amazonaws.com", "account.amazonaws.com", "auditmanager.amazonaws.com",
		"aws-artifact-account-sync.amazonaws.com", "backup.amazonaws.com", "cloudtrail.amazonaws.com",
		"compute-optimizer.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
		"controltower.amazonaws.com", "detective.amazonaws.com", "devops-guru.amazonaws.com",
		"ds.amazonaws.com", "fms.amazonaws.com", "guardduty.amazonaws.com",
		"malware-protection.guardduty.amazonaws.com", "health.amazonaws.com", "iam.amazonaws.com",
		"inspector2.amazonaws.com", "ipam.amazonaws.com", "license-manager.amazonaws.com",
		"license-manager.member-account.amazonaws.com", "license-manager-linux-subscriptions.amazonaws.com",
		"license-management.marketplace.amazonaws.com", "macie.amazonaws.com",
		"member.org.stacksets.cloudformation.amazonaws.com", "mgn.amazonaws.com", "ram.amazonaws.com",
		"reporting.trustedadvisor.amazonaws.com", "reachabilityanalyzer.networkinsights.amazonaws.com",
		"securityhub.amazonaws.com", "securitylake.amazonaws.com", "servicecatalog.amazonaws.com",
		"servicequotas.amazonaws.com", "sso.amazonaws.com", "ssm.amazonaws.com",
		"storage-lens.s3.amazonaws.com", "tagpolicies.tag.amazonaws.com", "wellarchitected.amazonaws.com",
	} {
		trustedServices[p] = true
	}
}

// trustable is the management account's organization, with all features, and a
// service principal it may trust.
func (s *svc) trustable(c *server.Call, principal string) (*orgRec, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if !trustedServices[principal] {
		return nil, invalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	if o.FeatureSet != "ALL" {
		// AWS requires all features; the error for an organization without them is not
		// documented (inferred: the constraint Organizations reports for feature sets).
		return nil, api.NewConstraintViolationException("The organization must have all features enabled to perform this operation.")
	}
	return o, nil
}

// enableAWSServiceAccess trusts a service: enabling one already trusted changes
// nothing (its date stays), as on AWS.
func (s *svc) enableAWSServiceAccess(c *server.Call, in *api.EnableAWSServiceAccessRequest) (*model.Empty, error) {
	o, err := s.trustable(c, in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	if _, ok := o.Services[in.ServicePrincipal]; ok {
		return &model.Empty{}, nil
	}
	if o.Services == nil {
		o.Services = map[string]time.Time{}
	}
	o.Services[in.ServicePrincipal] = c.Now.UTC()
	return &model.Empty{}, s.saveOrg(c, o)
}

// disableAWSServiceAccess stops trusting a service; one not trusted is no error.
func (s *svc) disableAWSServiceAccess(c *server.Call, in *api.DisableAWSServiceAccessRequest) (*model.Empty, error) {
	o, err := s.trustable(c, in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	if _, ok := o.Services[in.ServicePrincipal]; !ok {
		return &model.Empty{}, nil
	}
	delete(o.Services, in.ServicePrincipal)
	return &model.Empty{}, s.saveOrg(c, o)
}

func (s *svc) saveOrg(c *server.Call, o *orgRec) error {
	if err := c.Tx.PutJSON(ns(tOrgs), o.ID, o); err != nil {
		return err
	}
	s.changed(c)
	return nil
}

func (s *svc) listAWSServiceAccess(c *server.Call, in *api.ListAWSServiceAccessForOrganizationRequest) (*api.ListAWSServiceAccessForOrganizationResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(o.Services))
	for p := range o.Services {
		names = append(names, p)
	}
	sort.Strings(names)
	all := make([]api.EnabledServicePrincipal, len(names))
	for i, p := range names {
		all[i] = api.EnabledServicePrincipal{ServicePrincipal: ptr(p), DateEnabled: ptr(o.Services[p])}
	}
	items, next, err := page(all, func(p api.EnabledServicePrincipal) string { return *p.ServicePrincipal }, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListAWSServiceAccessForOrganizationResponse{EnabledServicePrincipals: items, NextToken: next}, nil
}

// TrustedAccess reports whether the organization an account belongs to has all
// features and trusts a service principal (EnableAWSServiceAccess); ok is false when
// the account belongs to no organization.
func (Source) TrustedAccess(tx *store.Tx, account, principal string) (allFeatures, trusted, ok bool, err error) {
	m, err := load[memberRec](tx, tMembers, account)
	if err != nil || m == nil {
		return false, false, false, err
	}
	o, err := load[orgRec](tx, tOrgs, m.Org)
	if err != nil || o == nil {
		return false, false, false, err
	}
	_, trusted = o.Services[principal]
	return o.FeatureSet == "ALL", trusted, true, nil
}
