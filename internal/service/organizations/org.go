package organizations

import (
	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// managementEmail stands for the management account's email address, which Palisade
// does not know (AWS accounts have one from sign-up).
func managementEmail(account string) string { return "management+" + account + "@example.com" }

func (s *svc) createOrganization(c *server.Call, in *api.CreateOrganizationRequest) (*api.CreateOrganizationResponse, error) {
	m, err := load[memberRec](c.Tx, tMembers, c.Account)
	if err != nil {
		return nil, err
	}
	if m != nil {
		return nil, api.NewAlreadyInOrganizationException("The AWS account is already a member of an organization.")
	}
	fs := "ALL"
	if in.FeatureSet != nil {
		fs = *in.FeatureSet
	}
	now := c.Now.UTC()
	o := &orgRec{ID: newID("o-", 10), Master: c.Account, MasterEmail: managementEmail(c.Account), FeatureSet: fs, RootID: newID("r-", 4), Created: now}
	if err := c.Tx.PutJSON(ns(tOrgs), o.ID, o); err != nil {
		return nil, err
	}
	master := &memberRec{ID: c.Account, Org: o.ID, Name: "Management Account", Email: o.MasterEmail, Parent: o.RootID, JoinedMethod: "INVITED", Joined: now}
	if err := c.Tx.PutJSON(ns(tMembers), c.Account, master); err != nil {
		return nil, err
	}
	if err := s.serviceRole(c, c.Account); err != nil {
		return nil, err
	}
	s.changed(c)
	return &api.CreateOrganizationResponse{Organization: o.out()}, nil
}

func (o *orgRec) out() *api.Organization {
	// AvailablePolicyTypes is deprecated and always lists SCPs as enabled.
	return &api.Organization{Id: ptr(o.ID), Arn: ptr(o.arn()), FeatureSet: ptr(o.FeatureSet),
		MasterAccountArn: ptr("arn:aws:organizations::" + o.Master + ":account/" + o.ID + "/" + o.Master),
		MasterAccountId:  ptr(o.Master), MasterAccountEmail: ptr(o.MasterEmail),
		AvailablePolicyTypes: []api.PolicyTypeSummary{{Type: ptr(typeSCP), Status: ptr("ENABLED")}}}
}

func (s *svc) describeOrganization(c *server.Call, _ *model.Empty) (*api.DescribeOrganizationResponse, error) {
	o, _, err := s.membership(c)
	if err != nil {
		return nil, err
	}
	return &api.DescribeOrganizationResponse{Organization: o.out()}, nil
}

func (s *svc) deleteOrganization(c *server.Call, _ *model.Empty) (*model.Empty, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	ms, err := members(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	if len(ms) > 1 {
		return nil, api.NewOrganizationNotEmptyException("To delete an organization you must first remove all member accounts (except the master).")
	}
	units, err := ous(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if _, err := c.Tx.Delete(ns(tOUs), u.ID); err != nil {
			return nil, err
		}
	}
	pols, err := scan[policyRec](c.Tx, tPolicies, "")
	if err != nil {
		return nil, err
	}
	for _, p := range pols {
		if p.Org == o.ID {
			if _, err := c.Tx.Delete(ns(tPolicies), p.ID); err != nil {
				return nil, err
			}
		}
	}
	// The organization's CreateAccount requests go with it: no organization could
	// describe or list them again (they were kept for good).
	reqs, err := scan[statusRec](c.Tx, tStatuses, "")
	if err != nil {
		return nil, err
	}
	for _, st := range reqs {
		if st.Org == o.ID {
			if _, err := c.Tx.Delete(ns(tStatuses), st.ID); err != nil {
				return nil, err
			}
		}
	}
	for _, kind := range []string{tAttached, tTargets} {
		ks, err := keys(c.Tx, kind, o.ID+"/")
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			if _, err := c.Tx.Delete(ns(kind), o.ID+"/"+k); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range []struct{ kind, key string }{{tMembers, o.Master}, {tOrgs, o.ID}} {
		if _, err := c.Tx.Delete(ns(k.kind), k.key); err != nil {
			return nil, err
		}
	}
	s.changed(c)
	return &model.Empty{}, nil
}

func (o *orgRec) root() api.Root {
	return api.Root{Id: ptr(o.RootID), Arn: ptr(o.rootARN()), Name: ptr("Root"), PolicyTypes: o.policyTypes()}
}

func (s *svc) listRoots(c *server.Call, in *api.ListRootsRequest) (*api.ListRootsResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	roots, next, err := page([]api.Root{o.root()}, func(r api.Root) string { return *r.Id }, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListRootsResponse{Roots: roots, NextToken: next}, nil
}

// servedType refuses the policy types this subset does not serve.
func servedType(o *orgRec, typ string) error {
	if typ != typeSCP && typ != typeRCP || o.FeatureSet != "ALL" {
		return api.NewPolicyTypeNotAvailableForOrganizationException("You can't use the specified policy type with the feature set currently enabled for this organization.")
	}
	return nil
}

// enablePolicyType enables SCPs or RCPs in the root and, as AWS does, attaches the
// AWS managed full-access policy of that type to the root, every OU and every
// account.
func (s *svc) enablePolicyType(c *server.Call, in *api.EnablePolicyTypeRequest) (*api.EnablePolicyTypeResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if in.RootId != o.RootID {
		return nil, errRootNotFound()
	}
	if err := servedType(o, in.PolicyType); err != nil {
		return nil, err
	}
	if o.enabled(in.PolicyType) {
		return nil, api.NewPolicyTypeAlreadyEnabledException("The specified policy type is already enabled.")
	}
	if o.Types == nil {
		o.Types = map[string]string{}
	}
	o.Types[in.PolicyType] = "ENABLED"
	if err := c.Tx.PutJSON(ns(tOrgs), o.ID, o); err != nil {
		return nil, err
	}
	targets := []string{o.RootID}
	units, err := ous(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		targets = append(targets, u.ID)
	}
	ms, err := members(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		targets = append(targets, m.ID)
	}
	for _, t := range targets {
		if err := attach(c, o, defaultPolicy[in.PolicyType], t); err != nil {
			return nil, err
		}
	}
	s.changed(c)
	r := o.root()
	return &api.EnablePolicyTypeResponse{Root: &r}, nil
}

// disablePolicyType detaches every policy of the type and stops enforcing it.
func (s *svc) disablePolicyType(c *server.Call, in *api.DisablePolicyTypeRequest) (*api.DisablePolicyTypeResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if in.RootId != o.RootID {
		return nil, errRootNotFound()
	}
	if !o.enabled(in.PolicyType) {
		return nil, api.NewPolicyTypeNotEnabledException("This operation can be performed only for enabled policy types.")
	}
	ks, err := keys(c.Tx, tAttached, o.ID+"/")
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		target, pid, _ := cut2(k)
		p, err := s.policy(c, o, pid)
		if err != nil {
			return nil, err
		}
		if p.Type == in.PolicyType {
			if err := detach(c, o, pid, target); err != nil {
				return nil, err
			}
		}
	}
	delete(o.Types, in.PolicyType)
	if err := c.Tx.PutJSON(ns(tOrgs), o.ID, o); err != nil {
		return nil, err
	}
	s.changed(c)
	r := o.root()
	return &api.DisablePolicyTypeResponse{Root: &r}, nil
}
