package iam

import (
	"encoding/json"
	"fmt"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// inlineRec is an inline policy embedded in a user, group or role. Size is the
// document's size as IAM's quota counts it: the quota applies to the sum over all of
// an entity's inline policies.
type inlineRec struct {
	Name string `json:"name"`
	// Listed is the name lists show when a later put gave the policy another case
	// of its name (see putInline); empty when it is Name.
	Listed string `json:"listed,omitempty"`
	Doc    string `json:"doc"`
	Size   int    `json:"size"`
}

func (r *inlineRec) listed() string {
	if r.Listed != "" {
		return r.Listed
	}
	return r.Name
}

// inlineKinds: the policy kind (grammar and quota) of each entity's inline policies.
var inlineKinds = map[string]policy.Kind{kUser: policy.KindUserInline, kGroup: policy.KindGroupInline, kRole: policy.KindRoleInline}

func inlinePrefix(kind, id string) string { return kind + "/" + id + "/" }

func (s *svc) inlineHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutUserPolicy", func(c *server.Call, in *api.PutUserPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, putInline(c, kUser, in.UserName, in.PolicyName, in.PolicyDocument)
		}),
		server.Write("PutGroupPolicy", func(c *server.Call, in *api.PutGroupPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, putInline(c, kGroup, in.GroupName, in.PolicyName, in.PolicyDocument)
		}),
		server.Write("PutRolePolicy", func(c *server.Call, in *api.PutRolePolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, putInline(c, kRole, in.RoleName, in.PolicyName, in.PolicyDocument)
		}),
		server.Read("GetUserPolicy", func(c *server.Call, in *api.GetUserPolicyRequest) (*api.GetUserPolicyResponse, error) {
			p, err := getInline(c, kUser, in.UserName, in.PolicyName)
			if err != nil {
				return nil, err
			}
			return &api.GetUserPolicyResponse{UserName: in.UserName, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Doc)}, nil
		}),
		server.Read("GetGroupPolicy", func(c *server.Call, in *api.GetGroupPolicyRequest) (*api.GetGroupPolicyResponse, error) {
			p, err := getInline(c, kGroup, in.GroupName, in.PolicyName)
			if err != nil {
				return nil, err
			}
			return &api.GetGroupPolicyResponse{GroupName: in.GroupName, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Doc)}, nil
		}),
		server.Read("GetRolePolicy", func(c *server.Call, in *api.GetRolePolicyRequest) (*api.GetRolePolicyResponse, error) {
			p, err := getInline(c, kRole, in.RoleName, in.PolicyName)
			if err != nil {
				return nil, err
			}
			return &api.GetRolePolicyResponse{RoleName: in.RoleName, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Doc)}, nil
		}),
		server.Write("DeleteUserPolicy", func(c *server.Call, in *api.DeleteUserPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, deleteInline(c, kUser, in.UserName, in.PolicyName)
		}),
		server.Write("DeleteGroupPolicy", func(c *server.Call, in *api.DeleteGroupPolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, deleteInline(c, kGroup, in.GroupName, in.PolicyName)
		}),
		server.Write("DeleteRolePolicy", func(c *server.Call, in *api.DeleteRolePolicyRequest) (*model.Empty, error) {
			return &model.Empty{}, deleteInline(c, kRole, in.RoleName, in.PolicyName)
		}),
		server.Read("ListUserPolicies", func(c *server.Call, in *api.ListUserPoliciesRequest) (*api.ListUserPoliciesResponse, error) {
			names, trunc, marker, err := listInline(c, kUser, in.UserName, in.Marker, in.MaxItems)
			return &api.ListUserPoliciesResponse{PolicyNames: names, IsTruncated: trunc, Marker: marker}, err
		}),
		server.Read("ListGroupPolicies", func(c *server.Call, in *api.ListGroupPoliciesRequest) (*api.ListGroupPoliciesResponse, error) {
			names, trunc, marker, err := listInline(c, kGroup, in.GroupName, in.Marker, in.MaxItems)
			return &api.ListGroupPoliciesResponse{PolicyNames: names, IsTruncated: trunc, Marker: marker}, err
		}),
		server.Read("ListRolePolicies", func(c *server.Call, in *api.ListRolePoliciesRequest) (*api.ListRolePoliciesResponse, error) {
			names, trunc, marker, err := listInline(c, kRole, in.RoleName, in.Marker, in.MaxItems)
			return &api.ListRolePoliciesResponse{PolicyNames: names, IsTruncated: trunc, Marker: marker}, err
		}),
	}
}

// putInline stores (or replaces) an inline policy. Its names are unique without case,
// like every IAM name. The size quota is on the sum of the entity's inline policies.
func putInline(c *server.Call, kind, owner, name, doc string) error {
	id, err := principalID(c.Tx, c.Account, kind, owner, true)
	if err != nil {
		return err
	}
	pk := inlineKinds[kind]
	doc, err = checkDocument(pk, doc, false)
	if err != nil {
		return err
	}
	size := policy.Size([]byte(doc), pk)
	total := size
	// Replacing a policy under another case of its name keeps the name lists show
	// and takes the new one for Get*Policy (after puts of "MixedName" then
	// "MIXEDNAME", ListUserPolicies says "MixedName" and GetUserPolicy "MIXEDNAME";
	// radkawar/stackd testdata/aws/iam/policy_management.json).
	listed := name
	err = scanPrefix(c.Tx, ns(c.Account, tInline), inlinePrefix(kind, id), "", func(k string, v []byte) (bool, error) {
		var p inlineRec
		if err := json.Unmarshal(v, &p); err != nil {
			return false, err
		}
		if lk(p.Name) != lk(name) {
			total += p.Size
		} else {
			listed = p.listed()
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if max := pk.MaxSize(); total > max {
		return limitExceeded(fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", max, kind, owner))
	}
	return c.Tx.PutJSON(ns(c.Account, tInline), inlinePrefix(kind, id)+lk(name), inlineRec{Name: name, Listed: listedAs(listed, name), Doc: doc, Size: size})
}

func noSuchInline(kind, name string) error {
	return api.NewNoSuchEntityException("The " + kind + " policy with name " + name + " cannot be found.")
}

func getInline(c *server.Call, kind, owner, name string) (*inlineRec, error) {
	id, err := principalID(c.Tx, c.Account, kind, owner, false)
	if err != nil {
		return nil, err
	}
	p, err := load[inlineRec](c.Tx, ns(c.Account, tInline), inlinePrefix(kind, id)+lk(name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noSuchInline(kind, name)
	}
	return p, nil
}

func deleteInline(c *server.Call, kind, owner, name string) error {
	id, err := principalID(c.Tx, c.Account, kind, owner, true)
	if err != nil {
		return err
	}
	ok, err := c.Tx.Delete(ns(c.Account, tInline), inlinePrefix(kind, id)+lk(name))
	if err != nil {
		return err
	}
	if !ok {
		return noSuchInline(kind, name)
	}
	return nil
}

func listInline(c *server.Call, kind, owner string, marker *string, maxItems *int32) ([]string, *bool, *string, error) {
	p, err := newPager(c.Tx, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := principalID(c.Tx, c.Account, kind, owner, false)
	if err != nil {
		return nil, nil, nil, err
	}
	return page(c.Tx, ns(c.Account, tInline), inlinePrefix(kind, id), p, nil,
		func(r *inlineRec) (string, error) { return r.listed(), nil })
}

// inlinePolicies returns an entity's inline policies in name order.
func inlinePolicies(tx *store.Tx, account, kind, id string) ([]inlineRec, error) {
	var out []inlineRec
	err := scanPrefix(tx, ns(account, tInline), inlinePrefix(kind, id), "", func(_ string, v []byte) (bool, error) {
		var p inlineRec
		if err := json.Unmarshal(v, &p); err != nil {
			return false, err
		}
		out = append(out, p)
		return true, nil
	})
	return out, err
}

// deleteInlineAll removes every inline policy of an entity.
func deleteInlineAll(tx *store.Tx, account, kind, id string) error {
	keys, err := suffixes(tx, ns(account, tInline), inlinePrefix(kind, id))
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.Delete(ns(account, tInline), inlinePrefix(kind, id)+k); err != nil {
			return err
		}
	}
	return nil
}

func listedAs(listed, name string) string {
	if listed == name {
		return ""
	}
	return listed
}
