package iam

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxAttached is IAM's default quota of managed policies attached to one user, group
// or role.
const maxAttached = 10

// quotaNames name the attachment quotas in LimitExceeded messages.
var quotaNames = map[string]string{kUser: "PoliciesPerUser", kGroup: "PoliciesPerGroup", kRole: "PoliciesPerRole"}

func (s *svc) attachHandlers() []server.Handler {
	return []server.Handler{
		server.Write("AttachUserPolicy", func(c *server.Call, in *api.AttachUserPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, attachTo(c, kUser, in.UserName, in.PolicyArn)
		}),
		server.Write("AttachGroupPolicy", func(c *server.Call, in *api.AttachGroupPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, attachTo(c, kGroup, in.GroupName, in.PolicyArn)
		}),
		server.Write("AttachRolePolicy", func(c *server.Call, in *api.AttachRolePolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, attachTo(c, kRole, in.RoleName, in.PolicyArn)
		}),
		server.Write("DetachUserPolicy", func(c *server.Call, in *api.DetachUserPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, detachFrom(c, kUser, in.UserName, in.PolicyArn)
		}),
		server.Write("DetachGroupPolicy", func(c *server.Call, in *api.DetachGroupPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, detachFrom(c, kGroup, in.GroupName, in.PolicyArn)
		}),
		server.Write("DetachRolePolicy", func(c *server.Call, in *api.DetachRolePolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, detachFrom(c, kRole, in.RoleName, in.PolicyArn)
		}),
		server.Read("ListAttachedUserPolicies", func(c *server.Call, in *api.ListAttachedUserPoliciesRequest) (*api.ListAttachedUserPoliciesResponse, error) {
			ps, trunc, marker, err := listAttached(c, kUser, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
			return &api.ListAttachedUserPoliciesResponse{AttachedPolicies: ps, IsTruncated: trunc, Marker: marker}, err
		}),
		server.Read("ListAttachedGroupPolicies", func(c *server.Call, in *api.ListAttachedGroupPoliciesRequest) (*api.ListAttachedGroupPoliciesResponse, error) {
			ps, trunc, marker, err := listAttached(c, kGroup, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
			return &api.ListAttachedGroupPoliciesResponse{AttachedPolicies: ps, IsTruncated: trunc, Marker: marker}, err
		}),
		server.Read("ListAttachedRolePolicies", func(c *server.Call, in *api.ListAttachedRolePoliciesRequest) (*api.ListAttachedRolePoliciesResponse, error) {
			ps, trunc, marker, err := listAttached(c, kRole, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
			return &api.ListAttachedRolePoliciesResponse{AttachedPolicies: ps, IsTruncated: trunc, Marker: marker}, err
		}),
		server.Read("ListEntitiesForPolicy", s.listEntitiesForPolicy),
	}
}

// principalID resolves a user, group or role name to its unique ID. forChange refuses
// service-linked roles, which only their service may change.
func principalID(tx *store.Tx, account, kind, name string, forChange bool) (string, error) {
	if kind == kRole && forChange {
		r, err := loadModifiableRole(tx, account, name)
		if err != nil {
			return "", err
		}
		return r.ID, nil
	}
	e, err := entityByName(tx, account, kind, name)
	if err != nil {
		return "", err
	}
	return e.ID, nil
}

// entityByName loads the shared part of a user, group or role, or IAM's NoSuchEntity.
func entityByName(tx *store.Tx, account, kind, name string) (*entity, error) {
	switch kind {
	case kUser:
		u, err := loadUser(tx, account, name)
		if err != nil {
			return nil, err
		}
		return &u.entity, nil
	case kGroup:
		g, err := loadGroup(tx, account, name)
		if err != nil {
			return nil, err
		}
		return &g.entity, nil
	}
	r, err := loadRole(tx, account, name)
	if err != nil {
		return nil, err
	}
	return &r.entity, nil
}

// attach records an attachment (idempotently) with its reverse index and usage count.
func attach(tx *store.Tx, account, kind, id, arn string) error {
	ok, err := tx.Insert(ns(account, tAttached), kind+"/"+id+"/"+arn, nil)
	if err != nil || !ok {
		return err
	}
	if err := tx.Put(ns(account, tPolicyEnt), arn+"|"+kind+"/"+id, nil); err != nil {
		return err
	}
	return addUse(tx, account, arn, 1, 0)
}

// detach removes an attachment; it reports whether there was one.
func detach(tx *store.Tx, account, kind, id, arn string) (bool, error) {
	ok, err := tx.Delete(ns(account, tAttached), kind+"/"+id+"/"+arn)
	if err != nil || !ok {
		return false, err
	}
	if _, err := tx.Delete(ns(account, tPolicyEnt), arn+"|"+kind+"/"+id); err != nil {
		return false, err
	}
	return true, addUse(tx, account, arn, -1, 0)
}

// attachedARNs lists the ARNs of the managed policies attached to an entity.
func attachedARNs(tx *store.Tx, account, kind, id string) ([]string, error) {
	return suffixes(tx, ns(account, tAttached), kind+"/"+id+"/")
}

// detachAll detaches every managed policy from an entity.
func detachAll(tx *store.Tx, account, kind, id string) error {
	arns, err := attachedARNs(tx, account, kind, id)
	if err != nil {
		return err
	}
	for _, arn := range arns {
		if _, err := detach(tx, account, kind, id, arn); err != nil {
			return err
		}
	}
	return nil
}

// attachTo is Attach{User,Group,Role}Policy: attaching an attached policy again
// changes nothing.
func attachTo(c *server.Call, kind, name, arn string) error {
	if err := checkARN(arn); err != nil {
		return err
	}
	id, err := principalID(c.Tx, c.Account, kind, name, true)
	if err != nil {
		return err
	}
	r, err := resolvePolicy(c.Tx, c.Account, arn)
	if err != nil {
		return err
	}
	if r == nil {
		return notAttachable(arn)
	}
	if _, ok, err := c.Tx.Get(ns(c.Account, tAttached), kind+"/"+id+"/"+r.arn); err != nil || ok {
		return err
	}
	n, err := countPrefix(c.Tx, ns(c.Account, tAttached), kind+"/"+id+"/")
	if err != nil {
		return err
	}
	if n >= maxAttached {
		return limitExceeded(fmt.Sprintf("Cannot exceed quota for %s: %d", quotaNames[kind], maxAttached))
	}
	return attach(c.Tx, c.Account, kind, id, r.arn)
}

// checkARN refuses a PolicyArn that is not an ARN at all (a policy name, say) with
// AWS's ValidationError; an ARN of no policy is NoSuchEntity further on.
func checkARN(arn string) error {
	if !isARN(arn) {
		return errValidation("ARN " + arn + " is not valid.")
	}
	return nil
}

func detachFrom(c *server.Call, kind, name, arn string) error {
	if err := checkARN(arn); err != nil {
		return err
	}
	id, err := principalID(c.Tx, c.Account, kind, name, true)
	if err != nil {
		return err
	}
	ok, err := detach(c.Tx, c.Account, kind, id, arn)
	if err != nil {
		return err
	}
	if !ok {
		return noSuchPolicy(arn)
	}
	return nil
}

func listAttached(c *server.Call, kind, name string, pathPrefix, marker *string, maxItems *int32) ([]api.AttachedPolicy, *bool, *string, error) {
	p, err := newPager(c.Tx, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := principalID(c.Tx, c.Account, kind, name, false)
	if err != nil {
		return nil, nil, nil, err
	}
	arns, err := attachedARNs(c.Tx, c.Account, kind, id)
	if err != nil {
		return nil, nil, nil, err
	}
	all := []api.AttachedPolicy{}
	for _, arn := range arns {
		r, err := resolvePolicy(c.Tx, c.Account, arn)
		if err != nil {
			return nil, nil, nil, err
		}
		if r == nil {
			continue
		}
		if pathPrefix != nil && !hasPathPrefix(policyPath(r), *pathPrefix) {
			continue
		}
		all = append(all, api.AttachedPolicy{PolicyName: ptr(r.name()), PolicyArn: ptr(r.arn)})
	}
	return slicePage(all, p)
}

func policyPath(r *managedRef) string {
	if r.aws != nil {
		return r.aws.path
	}
	return r.rec.Path
}

// policyEntity is one user, group or role a policy is attached to (or bounds).
type policyEntity struct {
	kind, name, id, path string
}

func (s *svc) listEntitiesForPolicy(c *server.Call, in *api.ListEntitiesForPolicyRequest) (*api.ListEntitiesForPolicyResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	r, err := resolvePolicy(c.Tx, c.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if r == nil {
		// Worded as AttachUserPolicy words it, as AWS answers.
		return nil, notAttachable(in.PolicyArn)
	}
	var ents []policyEntity
	if in.PolicyUsageFilter == nil || *in.PolicyUsageFilter == api.PolicyUsageTypePermissionsPolicy {
		keys, err := suffixes(c.Tx, ns(c.Account, tPolicyEnt), r.arn+"|")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			kind, id, _ := strings.Cut(k, "/")
			e, err := entityByID(c.Tx, c.Account, kind, id)
			if err != nil {
				return nil, err
			}
			if e != nil {
				ents = append(ents, policyEntity{kind, e.Name, e.ID, e.Path})
			}
		}
	}
	// Without PolicyUsageFilter, the entities the policy bounds are listed with those
	// it is attached to (policy_management.json in radkawar/stackd).
	if in.PolicyUsageFilter == nil || *in.PolicyUsageFilter == api.PolicyUsageTypePermissionsBoundary {
		bounded, err := boundedBy(c.Tx, c.Account, r.arn)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, e := range ents {
			seen[e.kind+"/"+e.id] = true
		}
		for _, e := range bounded {
			if !seen[e.kind+"/"+e.id] {
				ents = append(ents, e)
			}
		}
	}
	filter := map[string]string{api.EntityTypeUser: kUser, api.EntityTypeGroup: kGroup, api.EntityTypeRole: kRole}
	kept := ents[:0]
	for _, e := range ents {
		if in.EntityFilter != nil && filter[*in.EntityFilter] != e.kind {
			continue
		}
		if in.PathPrefix != nil && !hasPathPrefix(e.path, *in.PathPrefix) {
			continue
		}
		kept = append(kept, e)
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].kind != kept[j].kind {
			return kept[i].kind < kept[j].kind
		}
		return lk(kept[i].name) < lk(kept[j].name)
	})
	pg, trunc, marker, err := slicePage(kept, p)
	if err != nil {
		return nil, err
	}
	out := &api.ListEntitiesForPolicyResponse{PolicyGroups: []api.PolicyGroup{}, PolicyUsers: []api.PolicyUser{}, PolicyRoles: []api.PolicyRole{}, IsTruncated: trunc, Marker: marker}
	for _, e := range pg {
		switch e.kind {
		case kUser:
			out.PolicyUsers = append(out.PolicyUsers, api.PolicyUser{UserName: ptr(e.name), UserId: ptr(e.id)})
		case kGroup:
			out.PolicyGroups = append(out.PolicyGroups, api.PolicyGroup{GroupName: ptr(e.name), GroupId: ptr(e.id)})
		case kRole:
			out.PolicyRoles = append(out.PolicyRoles, api.PolicyRole{RoleName: ptr(e.name), RoleId: ptr(e.id)})
		}
	}
	return out, nil
}

// entityByID loads the shared part of a user, group or role by unique ID; nil when gone.
func entityByID(tx *store.Tx, account, kind, id string) (*entity, error) {
	switch kind {
	case kUser:
		u, err := loadByID[userRec](tx, account, tUsers, id)
		if u == nil {
			return nil, err
		}
		return &u.entity, err
	case kGroup:
		g, err := loadByID[groupRec](tx, account, tGroups, id)
		if g == nil {
			return nil, err
		}
		return &g.entity, err
	}
	r, err := loadByID[roleRec](tx, account, tRoles, id)
	if r == nil {
		return nil, err
	}
	return &r.entity, err
}

// boundedBy lists the users and roles whose permissions boundary is arn.
func boundedBy(tx *store.Tx, account, arn string) ([]policyEntity, error) {
	var out []policyEntity
	err := scanPrefix(tx, ns(account, tUsers), "", "", func(_ string, v []byte) (bool, error) {
		var u userRec
		if err := json.Unmarshal(v, &u); err != nil {
			return false, err
		}
		if u.Boundary == arn {
			out = append(out, policyEntity{kUser, u.Name, u.ID, u.Path})
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	err = scanPrefix(tx, ns(account, tRoles), "", "", func(_ string, v []byte) (bool, error) {
		var r roleRec
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		if r.Boundary == arn {
			out = append(out, policyEntity{kRole, r.Name, r.ID, r.Path})
		}
		return true, nil
	})
	return out, err
}
