package iam

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Managed-policy quotas (IAM User Guide, "IAM and AWS STS quotas").
const (
	maxPolicyVersions   = 5
	maxCustomerPolicies = 1500
)

// policyRec is a customer managed policy with its versions, oldest first.
type policyRec struct {
	entity
	Description string       `json:"description,omitempty"`
	Default     string       `json:"default"`
	Next        int          `json:"next"`
	Versions    []versionRec `json:"versions"`
	// UpdateDate is derived from the versions (updated); the "updated" member of
	// records stored before is ignored.
}

type versionRec struct {
	ID      string    `json:"id"`
	Doc     string    `json:"doc"`
	Created time.Time `json:"created"`
}

func (p *policyRec) arn(account string) string { return iamARN(account, "policy", p.Path, p.Name) }

// updated is the policy's UpdateDate as the IAM API Reference defines it (Policy data
// type): the creation date of its most recent version, which is the policy's own
// creation date while it has one version. Choosing another default version does not
// change it.
func (p *policyRec) updated() time.Time {
	t := p.Created
	for _, v := range p.Versions {
		if v.Created.After(t) {
			t = v.Created
		}
	}
	return t
}

func (p *policyRec) version(id string) *versionRec {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

// managedRef is a managed policy found by ARN: one of AWS's (aws set) or one of the
// account's (rec set).
type managedRef struct {
	arn string
	aws *awsPolicy
	rec *policyRec
}

func (r *managedRef) name() string {
	if r.aws != nil {
		return r.aws.Name
	}
	return r.rec.Name
}

func (r *managedRef) defaultDoc() string {
	if r.aws != nil {
		return r.aws.Document()
	}
	return r.rec.version(r.rec.Default).Doc
}

// resolvePolicy finds the managed policy an ARN names: an AWS managed policy, or a
// customer managed policy of the account (name compared without case, path exactly).
// It returns nil when there is none.
func resolvePolicy(tx *store.Tx, account, arn string) (*managedRef, error) {
	if p := awsManaged(arn); p != nil {
		return &managedRef{arn: p.ARN, aws: p}, nil
	}
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+account+":policy/")
	if !ok {
		return nil, nil
	}
	i := strings.LastIndexByte(rest, '/')
	path, name := "/"+rest[:i+1], rest[i+1:]
	rec, err := load[policyRec](tx, ns(account, tPolicies), lk(name))
	if err != nil || rec == nil || rec.Path != path {
		return nil, err
	}
	return &managedRef{arn: rec.arn(account), rec: rec}, nil
}

// existingPolicy is resolvePolicy answering NoSuchEntity when there is none.
func existingPolicy(tx *store.Tx, account, arn string) (*managedRef, error) {
	r, err := resolvePolicy(tx, account, arn)
	if err == nil && r == nil {
		err = noSuchPolicy(arn)
	}
	return r, err
}

// customerPolicy resolves an ARN for an operation that changes the policy: AWS's own
// policies cannot be changed, and IAM refuses as it refuses any change to another
// account's resource.
func customerPolicy(c *server.Call, arn string) (*policyRec, error) {
	r, err := existingPolicy(c.Tx, c.Account, arn)
	if err != nil {
		return nil, err
	}
	if r.aws != nil {
		return nil, notAuthorized(c, arn)
	}
	return r.rec, nil
}

// notAuthorized is IAM's answer to a change of an AWS managed policy: an access
// denial, worded as for a resource of another account.
func notAuthorized(c *server.Call, arn string) error {
	action := "iam:" + c.Operation.Name
	return model.NewError(403, "AccessDenied", "User: %s is not authorized to perform: %s on resource: policy %s because no resource-based policy allows the %s action",
		c.Principal.ARN, action, arn, action)
}

// policyUse counts a managed policy's attachments and permissions-boundary uses in
// one account.
type policyUse struct {
	Attach   int `json:"a,omitempty"`
	Boundary int `json:"b,omitempty"`
}

func getUse(tx *store.Tx, account, arn string) (policyUse, error) {
	u, err := load[policyUse](tx, ns(account, tPolicyUse), arn)
	if err != nil || u == nil {
		return policyUse{}, err
	}
	return *u, nil
}

func addUse(tx *store.Tx, account, arn string, attach, boundary int) error {
	u, err := getUse(tx, account, arn)
	if err != nil {
		return err
	}
	u.Attach += attach
	u.Boundary += boundary
	if u.Attach <= 0 && u.Boundary <= 0 {
		_, err := tx.Delete(ns(account, tPolicyUse), arn)
		return err
	}
	return tx.PutJSON(ns(account, tPolicyUse), arn, u)
}

// allUses reads the usage of every managed policy used in the account.
func allUses(tx *store.Tx, account string) (map[string]policyUse, error) {
	m := map[string]policyUse{}
	err := scanPrefix(tx, ns(account, tPolicyUse), "", "", func(k string, v []byte) (bool, error) {
		var u policyUse
		if err := json.Unmarshal(v, &u); err != nil {
			return false, err
		}
		m[k] = u
		return true, nil
	})
	return m, err
}

// setBoundary moves a permissions boundary from old to new ("" for none), keeping the
// usage counts, and returns the canonical ARN of the new boundary.
func setBoundary(tx *store.Tx, account, old, new string) (string, error) {
	if new != "" {
		if !isPolicyARN(new) {
			// As AWS answers an ARN naming something other than a policy.
			return "", invalidInput("ARN " + new + " is not valid.")
		}
		r, err := resolvePolicy(tx, account, new)
		if err != nil {
			return "", err
		}
		if r == nil {
			return "", api.NewNoSuchEntityException("Scope ARN: " + new + " does not exist or is not attachable.")
		}
		new = r.arn
		if err := addUse(tx, account, new, 0, 1); err != nil {
			return "", err
		}
	}
	if old != "" {
		if err := addUse(tx, account, old, 0, -1); err != nil {
			return "", err
		}
	}
	return new, nil
}

// isARN reports whether s has the six parts of an ARN.
func isARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Count(s, ":") >= 5
}

// isPolicyARN reports whether s is an ARN of an IAM managed policy (of any account).
func isPolicyARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return isARN(s) && parts[2] == "iam" && strings.HasPrefix(parts[5], "policy/")
}

func boundaryOut(arn string) *api.AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &api.AttachedPermissionsBoundary{PermissionsBoundaryType: ptr(api.PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy), PermissionsBoundaryArn: ptr(arn)}
}

// out is the API view of a managed policy; full adds the description and tags, which
// only CreatePolicy and GetPolicy return.
func (r *managedRef) out(use policyUse, full bool) api.Policy {
	v := api.Policy{
		PolicyName: ptr(r.name()), Arn: ptr(r.arn), IsAttachable: ptr(true),
		AttachmentCount: ptr(int32(use.Attach)), PermissionsBoundaryUsageCount: ptr(int32(use.Boundary)),
	}
	if r.aws != nil {
		v.PolicyId, v.Path, v.DefaultVersionId = ptr(r.aws.id), ptr(r.aws.path), ptr(r.aws.Version)
		v.CreateDate, v.UpdateDate = ptr(r.aws.created), ptr(r.aws.updated)
		if full && r.aws.description != "" {
			v.Description = ptr(r.aws.description)
		}
		return v
	}
	p := r.rec
	v.PolicyId, v.Path, v.DefaultVersionId = ptr(p.ID), ptr(p.Path), ptr(p.Default)
	v.CreateDate, v.UpdateDate = ptr(p.Created), ptr(p.updated())
	if full {
		if p.Description != "" {
			v.Description = ptr(p.Description)
		}
		v.Tags = p.Tags
	}
	return v
}

func (s *svc) policyHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreatePolicy", s.createPolicy),
		server.Read("GetPolicy", s.getPolicy),
		server.Read("ListPolicies", s.listPolicies),
		server.Write("DeletePolicy", s.deletePolicy),
		server.Write("CreatePolicyVersion", s.createPolicyVersion),
		server.Read("GetPolicyVersion", s.getPolicyVersion),
		server.Read("ListPolicyVersions", s.listPolicyVersions),
		server.Write("DeletePolicyVersion", s.deletePolicyVersion),
		server.Write("SetDefaultPolicyVersion", s.setDefaultPolicyVersion),
		server.Write("TagPolicy", s.tagPolicy),
		server.Write("UntagPolicy", s.untagPolicy),
		server.Read("ListPolicyTags", s.listPolicyTags),
	}
}

func (s *svc) createPolicy(c *server.Call, in *api.CreatePolicyRequest) (*api.CreatePolicyResponse, error) {
	doc, err := checkDocument(policy.KindManaged, in.PolicyDocument, true)
	if err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags, "TagsPerPolicy")
	if err != nil {
		return nil, err
	}
	n, err := c.Tx.Count(ns(c.Account, tPolicies))
	if err != nil {
		return nil, err
	}
	if n >= maxCustomerPolicies {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for PoliciesPerAccount: %d", maxCustomerPolicies))
	}
	now := timeUTC(c.Now)
	p := &policyRec{
		entity:      entity{Name: in.PolicyName, Path: pathOr(in.Path), ID: newID("ANPA"), Created: now, Tags: tags},
		Description: str(in.Description), Default: "v1", Next: 2,
		Versions: []versionRec{{ID: "v1", Doc: doc, Created: now}},
	}
	ok, err := insertEntity(c.Tx, c.Account, tPolicies, &p.entity, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("A policy called " + in.PolicyName + " already exists. Duplicate names are not allowed.")
	}
	// CreatePolicy answers without the description (IAM documents this).
	out := (&managedRef{arn: p.arn(c.Account), rec: p}).out(policyUse{}, true)
	out.Description = nil
	return &api.CreatePolicyResponse{Policy: &out}, nil
}

func (s *svc) getPolicy(c *server.Call, in *api.GetPolicyRequest) (*api.GetPolicyResponse, error) {
	r, err := existingPolicy(c.Tx, c.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	use, err := getUse(c.Tx, c.Account, r.arn)
	if err != nil {
		return nil, err
	}
	out := r.out(use, true)
	return &api.GetPolicyResponse{Policy: &out}, nil
}

// listPolicies lists AWS managed policies, then the account's, each by name: the
// marker says which part and where in it ("a" or "l" and the lower-cased name).
func (s *svc) listPolicies(c *server.Call, in *api.ListPoliciesRequest) (*api.ListPoliciesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	scope := api.PolicyScopeTypeAll
	if in.Scope != nil {
		scope = *in.Scope
	}
	uses, err := allUses(c.Tx, c.Account)
	if err != nil {
		return nil, err
	}
	keep := func(r *managedRef) bool {
		// OnlyAttached keeps policies in use, as a permissions policy or a boundary;
		// PolicyUsageFilter says which use, and is ignored without OnlyAttached (as
		// AWS answered: radkawar/stackd testdata/aws/iam/policy_management.json).
		u := uses[r.arn]
		if in.OnlyAttached != nil && *in.OnlyAttached {
			switch {
			case in.PolicyUsageFilter == nil:
				if u.Attach == 0 && u.Boundary == 0 {
					return false
				}
			case *in.PolicyUsageFilter == api.PolicyUsageTypePermissionsPolicy && u.Attach == 0,
				*in.PolicyUsageFilter == api.PolicyUsageTypePermissionsBoundary && u.Boundary == 0:
				return false
			}
		}
		path := ""
		if r.aws != nil {
			path = r.aws.path
		} else {
			path = r.rec.Path
		}
		return in.PathPrefix == nil || hasPathPrefix(path, *in.PathPrefix)
	}
	out := []api.Policy{}
	last, more := "", false
	add := func(key string, r *managedRef) bool {
		if !keep(r) {
			return true
		}
		if len(out) == p.max {
			more = true
			return false
		}
		out = append(out, r.out(uses[r.arn], false))
		last = key
		return true
	}
	part, after := "a", ""
	if p.after != "" {
		part, after = p.after[:1], p.after[1:]
	}
	if part == "a" && scope != api.PolicyScopeTypeLocal {
		for _, ap := range awsCatalog().list {
			if lk(ap.Name) <= after {
				continue
			}
			if !add("a"+lk(ap.Name), &managedRef{arn: ap.ARN, aws: ap}) {
				break
			}
		}
		after = ""
	}
	if !more && scope != api.PolicyScopeTypeAWS {
		err := scanPrefix(c.Tx, ns(c.Account, tPolicies), "", after, func(k string, v []byte) (bool, error) {
			rec := new(policyRec)
			if err := json.Unmarshal(v, rec); err != nil {
				return false, err
			}
			return add("l"+k, &managedRef{arn: rec.arn(c.Account), rec: rec}), nil
		})
		if err != nil {
			return nil, err
		}
	}
	trunc, marker := p.done(last, more)
	return &api.ListPoliciesResponse{Policies: out, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) deletePolicy(c *server.Call, in *api.DeletePolicyRequest) (*model.Empty, error) {
	p, err := customerPolicy(c, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	use, err := getUse(c.Tx, c.Account, p.arn(c.Account))
	if err != nil {
		return nil, err
	}
	if use.Attach > 0 || use.Boundary > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	return &model.Empty{}, deleteEntity(c.Tx, c.Account, tPolicies, &p.entity)
}

func noSuchVersion(arn, id string) error {
	return api.NewNoSuchEntityException("Policy " + arn + " version " + id + " does not exist or is not attachable.")
}

func putPolicy(tx *store.Tx, account string, p *policyRec) error {
	return tx.PutJSON(ns(account, tPolicies), lk(p.Name), p)
}

func (s *svc) createPolicyVersion(c *server.Call, in *api.CreatePolicyVersionRequest) (*api.CreatePolicyVersionResponse, error) {
	p, err := customerPolicy(c, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	doc, err := checkDocument(policy.KindManaged, in.PolicyDocument, true)
	if err != nil {
		return nil, err
	}
	if len(p.Versions) >= maxPolicyVersions {
		return nil, limitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	}
	now := timeUTC(c.Now)
	v := versionRec{ID: "v" + strconv.Itoa(p.Next), Doc: doc, Created: now}
	p.Next++
	p.Versions = append(p.Versions, v)
	def := in.SetAsDefault != nil && *in.SetAsDefault
	if def {
		p.Default = v.ID
	}
	if err := putPolicy(c.Tx, c.Account, p); err != nil {
		return nil, err
	}
	return &api.CreatePolicyVersionResponse{PolicyVersion: &api.PolicyVersion{VersionId: ptr(v.ID), IsDefaultVersion: ptr(def), CreateDate: ptr(now)}}, nil
}

func (s *svc) getPolicyVersion(c *server.Call, in *api.GetPolicyVersionRequest) (*api.GetPolicyVersionResponse, error) {
	r, err := resolvePolicy(c.Tx, c.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if r == nil {
		// A missing policy is worded as a missing version, as AWS answers.
		return nil, noSuchVersion(in.PolicyArn, in.VersionId)
	}
	if r.aws != nil {
		// The catalog holds each AWS policy's default version only.
		if in.VersionId != r.aws.Version {
			return nil, noSuchVersion(r.arn, in.VersionId)
		}
		return &api.GetPolicyVersionResponse{PolicyVersion: &api.PolicyVersion{
			Document: ptr(encodeDocument(r.aws.Document())), VersionId: ptr(r.aws.Version), IsDefaultVersion: ptr(true), CreateDate: ptr(r.aws.updated),
		}}, nil
	}
	v := r.rec.version(in.VersionId)
	if v == nil {
		return nil, noSuchVersion(r.arn, in.VersionId)
	}
	return &api.GetPolicyVersionResponse{PolicyVersion: &api.PolicyVersion{
		Document: ptr(encodeDocument(v.Doc)), VersionId: ptr(v.ID), IsDefaultVersion: ptr(v.ID == r.rec.Default), CreateDate: ptr(v.Created),
	}}, nil
}

// listPolicyVersions lists the versions newest first, without their documents.
func (s *svc) listPolicyVersions(c *server.Call, in *api.ListPolicyVersionsRequest) (*api.ListPolicyVersionsResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	r, err := existingPolicy(c.Tx, c.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var all []api.PolicyVersion
	if r.aws != nil {
		all = []api.PolicyVersion{{VersionId: ptr(r.aws.Version), IsDefaultVersion: ptr(true), CreateDate: ptr(r.aws.updated)}}
	} else {
		for i := len(r.rec.Versions) - 1; i >= 0; i-- {
			v := r.rec.Versions[i]
			all = append(all, api.PolicyVersion{VersionId: ptr(v.ID), IsDefaultVersion: ptr(v.ID == r.rec.Default), CreateDate: ptr(v.Created)})
		}
	}
	versions, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.ListPolicyVersionsResponse{Versions: versions, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) deletePolicyVersion(c *server.Call, in *api.DeletePolicyVersionRequest) (*model.Empty, error) {
	p, err := customerPolicy(c, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if p.version(in.VersionId) == nil {
		return nil, noSuchVersion(p.arn(c.Account), in.VersionId)
	}
	if in.VersionId == p.Default {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	kept := p.Versions[:0]
	for _, v := range p.Versions {
		if v.ID != in.VersionId {
			kept = append(kept, v)
		}
	}
	p.Versions = kept
	return &model.Empty{}, putPolicy(c.Tx, c.Account, p)
}

func (s *svc) setDefaultPolicyVersion(c *server.Call, in *api.SetDefaultPolicyVersionRequest) (*model.Empty, error) {
	if r, err := resolvePolicy(c.Tx, c.Account, in.PolicyArn); err != nil {
		return nil, err
	} else if r == nil {
		// A missing policy is worded as a missing version, as AWS answers.
		return nil, noSuchVersion(in.PolicyArn, in.VersionId)
	}
	p, err := customerPolicy(c, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if p.version(in.VersionId) == nil {
		return nil, noSuchVersion(p.arn(c.Account), in.VersionId)
	}
	p.Default = in.VersionId
	return &model.Empty{}, putPolicy(c.Tx, c.Account, p)
}

func (s *svc) tagPolicy(c *server.Call, in *api.TagPolicyRequest) (*model.Empty, error) {
	p, err := customerPolicy(c, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, tagRecord[policyRec](c.Tx, ns(c.Account, tPolicies), lk(p.Name), nil, in.Tags, "TagsPerPolicy")
}

func (s *svc) untagPolicy(c *server.Call, in *api.UntagPolicyRequest) (*model.Empty, error) {
	p, err := customerPolicy(c, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, untagRecord[policyRec](c.Tx, ns(c.Account, tPolicies), lk(p.Name), nil, in.TagKeys, "TagsPerPolicy")
}

func (s *svc) listPolicyTags(c *server.Call, in *api.ListPolicyTagsRequest) (*api.ListPolicyTagsResponse, error) {
	r, err := existingPolicy(c.Tx, c.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if r.aws != nil {
		// AWS managed policies carry no tags.
		return &api.ListPolicyTagsResponse{Tags: []api.Tag{}, IsTruncated: ptr(false)}, nil
	}
	// AWS lists a policy's tags shortest key first, then by key ("a", "b", "z",
	// "abc"; "A" before "a"), whatever order they were given in.
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	sorted := slices.Clone(r.rec.Tags)
	slices.SortFunc(sorted, func(a, b api.Tag) int {
		if n := cmp.Compare(len(a.Key), len(b.Key)); n != 0 {
			return n
		}
		return strings.Compare(a.Key, b.Key)
	})
	tags, trunc, marker, err := slicePage(sorted, p)
	if err != nil {
		return nil, err
	}
	return &api.ListPolicyTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}
