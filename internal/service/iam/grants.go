package iam

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/store"
)

// PrincipalGrants reads, in tx, the policies that apply to an authenticated principal:
// an IAM user, or an assumed role's session (the role's policies; session policies
// are the session's own). The root user and principals IAM does not hold get empty
// grants. The authorization layer compiles them (caching by document) and evaluates;
// it reaches this through an interface of its own, wired in app.
func PrincipalGrants(tx *store.Tx, p auth.Principal) (*authz.Grants, error) {
	g := &authz.Grants{Tags: map[string]string{}}
	var kind, id string
	switch p.Type {
	case auth.IAMUser:
		kind, id = kUser, p.UserID
	case auth.AssumedRole:
		roleID, _, _ := strings.Cut(p.UserID, ":") // ROLEID:SESSION
		kind, id = kRole, roleID
	default:
		return g, nil
	}
	var boundary string
	var tags []api.Tag
	var name string
	if kind == kUser {
		u, err := loadByID[userRec](tx, p.Account, tUsers, id)
		if err != nil || u == nil {
			return g, err
		}
		name, boundary, tags = u.Name, u.Boundary, u.Tags
	} else {
		r, err := loadByID[roleRec](tx, p.Account, tRoles, id)
		if err != nil || r == nil {
			return g, err
		}
		name, boundary, tags = r.Name, r.Boundary, r.Tags
		g.IssuerARN = r.arn(p.Account)
	}
	for _, t := range tags {
		g.Tags[t.Key] = t.Value
	}
	if err := addGrants(g, tx, p.Account, kind, id, name); err != nil {
		return nil, err
	}
	if kind == kUser {
		groups, err := userGroups(tx, p.Account, id)
		if err != nil {
			return nil, err
		}
		for _, gr := range groups {
			if err := addGrants(g, tx, p.Account, kGroup, gr.ID, gr.Name); err != nil {
				return nil, err
			}
		}
	}
	if boundary != "" {
		r, err := resolvePolicy(tx, p.Account, boundary)
		if err != nil {
			return nil, err
		}
		if r != nil {
			g.Boundary = &authz.PolicyDoc{Name: r.arn, Doc: r.defaultDoc()}
		}
	}
	return g, nil
}

// add appends an entity's inline and attached managed policies.
func addGrants(g *authz.Grants, tx *store.Tx, account, kind, id, name string) error {
	inline, err := inlinePolicies(tx, account, kind, id)
	if err != nil {
		return err
	}
	for _, p := range inline {
		g.Identity = append(g.Identity, authz.PolicyDoc{Name: kind + "/" + name + "/" + p.Name, Doc: p.Doc})
	}
	arns, err := attachedARNs(tx, account, kind, id)
	if err != nil {
		return err
	}
	for _, arn := range arns {
		r, err := resolvePolicy(tx, account, arn)
		if err != nil {
			return err
		}
		if r != nil {
			g.Identity = append(g.Identity, authz.PolicyDoc{Name: r.arn, Doc: r.defaultDoc()})
		}
	}
	return nil
}
