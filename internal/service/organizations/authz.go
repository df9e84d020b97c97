package organizations

import (
	"strings"

	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Source is Organizations as the authorization layer's source of organization
// paths and policies (authz.OrgSource).
type Source struct{}

// AccountOrg implements authz.OrgSource: the account's organization, its path, and
// per level (root, OUs, the account) the SCPs and RCPs attached there, for the
// policy types the organization has enabled.
func (Source) AccountOrg(tx *store.Tx, account string) (*authz.OrgInfo, error) {
	m, err := load[memberRec](tx, tMembers, account)
	if err != nil || m == nil {
		return nil, err
	}
	o, err := load[orgRec](tx, tOrgs, m.Org)
	if err != nil || o == nil {
		return nil, err
	}
	path, err := ouPath(tx, o.RootID, m.Parent)
	if err != nil {
		return nil, err
	}
	info := &authz.OrgInfo{ID: o.ID, ManagementAccount: o.Master, Path: o.ID + "/" + strings.Join(path, "/") + "/"}
	levels := append(path, account)
	for _, typ := range []string{typeSCP, typeRCP} {
		if !o.enabled(typ) {
			continue
		}
		docs := make([][]authz.PolicyDoc, len(levels))
		for i, target := range levels {
			ids, err := keys(tx, tAttached, o.ID+"/"+target+"/")
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				p, err := loadPolicy(tx, o, id)
				if err != nil {
					continue // a policy deleted under the attachment allows nothing
				}
				if p.Type == typ {
					// AWS names the denying RCP by its ARN (recorded, 2026:
					// resource_controls.json, restricted_*), and an SCP likewise
					// (AWS answers quoted in public issues, 2025-2026).
					docs[i] = append(docs[i], authz.PolicyDoc{Name: o.policyARN(p), Doc: p.Content})
				}
			}
		}
		if typ == typeSCP {
			info.SCPs = docs
		} else {
			info.RCPs = docs
		}
	}
	return info, nil
}

// checks authorizes Organizations calls against the resources their input names:
// the policy, and the root, OU or account targeted (the Service Authorization
// Reference's ARN templates need the organization ID, which the input does not
// carry). organizations:PolicyType comes from the input or the policy.
func (s *svc) checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	action := "organizations:" + op
	m, _ := load[memberRec](c.Tx, tMembers, c.Account)
	var o *orgRec
	if m != nil {
		o, _ = load[orgRec](c.Tx, tOrgs, m.Org)
	}
	ctx := map[string][]string{}
	if o != nil {
		// The management account owns every resource of the organization, AWS
		// managed policies included: a member's reads are of the management
		// account's resources (recorded, 2026: organizations_delegation_authority.json,
		// the "owner" cases; the key inferred). Stated as a key, not as the check's
		// ResourceAccount, so that members' calls stay same-account ones.
		ctx["aws:ResourceAccount"] = []string{o.Master}
	}
	for _, k := range []string{"Type", "PolicyType", "Filter"} {
		if v, ok := in[k].(string); ok && v != "" {
			ctx["organizations:PolicyType"] = []string{v}
		}
	}
	var resources []string
	if o != nil {
		if id, ok := in["PolicyId"].(string); ok {
			if p, err := loadPolicy(c.Tx, o, id); err == nil {
				resources = append(resources, o.policyARN(p))
				ctx["organizations:PolicyType"] = []string{p.Type}
			}
		}
		for _, k := range []string{"TargetId", "AccountId", "ParentId", "RootId", "OrganizationalUnitId", "ChildId", "SourceParentId", "DestinationParentId"} {
			id, ok := in[k].(string)
			if !ok || id == "" {
				continue
			}
			if _, typ, err := target(c, o, id); err == nil {
				resources = append(resources, o.targetARN(id, typ))
			}
		}
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	if len(ctx) == 0 {
		ctx = nil
	}
	var out []authz.Check
	for _, r := range resources {
		out = append(out, authz.Check{Action: action, Resource: r, Context: ctx})
	}
	return out, nil
}
