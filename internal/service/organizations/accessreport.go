package organizations

import (
	"strings"

	"github.com/palisade/palisade/internal/store"
)

// ReportScope is what IAM's GenerateOrganizationsAccessReport covers: the accounts
// under an entity path and the SCPs that decide which services they may use.
type ReportScope struct {
	// OrgID is the caller's organization ("" for none).
	OrgID string
	// PathFound is false when the path names no root, OU or account of the
	// organization, each under the one before it.
	PathFound bool
	// PolicyFound is false when a policy ID was given and names no policy.
	PolicyFound bool
	// Policy is the given policy's document.
	Policy string
	// Levels are, from the root down to the entity itself, the SCP documents
	// attached at each level (nil when SCPs are not enabled).
	Levels [][]string
	// Accounts are the member accounts the path reaches.
	Accounts []ReportAccount
}

// ReportAccount is a member account and its path, "o-…/r-…/ou-…/ACCOUNT".
type ReportAccount struct{ ID, Path string }

// ReportScope resolves entityPath ("o-…/r-…[/ou-…]…[/ACCOUNT]") and policyID in the
// organization of account.
func (Source) ReportScope(tx *store.Tx, account, entityPath, policyID string) (ReportScope, error) {
	var sc ReportScope
	m, err := load[memberRec](tx, tMembers, account)
	if err != nil || m == nil {
		return sc, err
	}
	o, err := load[orgRec](tx, tOrgs, m.Org)
	if err != nil || o == nil {
		return sc, err
	}
	sc.OrgID = o.ID
	if policyID != "" {
		if p, err := loadPolicy(tx, o, policyID); err == nil && p.Type == typeSCP {
			sc.PolicyFound, sc.Policy = true, p.Content
		}
	} else {
		sc.PolicyFound = true
	}
	// A trailing slash leaves an empty last segment, which names nothing (recorded,
	// 2026: organizations_access.json, path_trailing_slash).
	segs := strings.Split(entityPath, "/")
	if len(segs) < 2 || segs[0] != o.ID || segs[1] != o.RootID {
		return sc, nil
	}
	levels := segs[1:]
	for i := 1; i < len(levels); i++ {
		id, parent := levels[i], levels[i-1]
		if u, err := load[ouRec](tx, tOUs, id); err != nil {
			return sc, err
		} else if u != nil && u.Org == o.ID && u.Parent == parent {
			continue
		}
		a, err := load[memberRec](tx, tMembers, id)
		if err != nil {
			return sc, err
		}
		if a == nil || a.Org != o.ID || a.Parent != parent || i != len(levels)-1 {
			return sc, nil
		}
	}
	sc.PathFound = true
	members, err := scan[memberRec](tx, tMembers, "")
	if err != nil {
		return sc, err
	}
	for _, a := range members {
		if a.Org != o.ID {
			continue
		}
		path, err := ouPath(tx, o.RootID, a.Parent)
		if err != nil {
			return sc, err
		}
		full := strings.Join(append(path, a.ID), "/")
		if strings.HasPrefix(full+"/", strings.Join(levels, "/")+"/") {
			sc.Accounts = append(sc.Accounts, ReportAccount{ID: a.ID, Path: o.ID + "/" + full})
		}
	}
	if o.enabled(typeSCP) {
		for _, target := range levels {
			ids, err := keys(tx, tAttached, o.ID+"/"+target+"/")
			if err != nil {
				return sc, err
			}
			var docs []string
			for _, id := range ids {
				if p, err := loadPolicy(tx, o, id); err == nil && p.Type == typeSCP {
					docs = append(docs, p.Content)
				}
			}
			sc.Levels = append(sc.Levels, docs)
		}
	}
	return sc, nil
}
