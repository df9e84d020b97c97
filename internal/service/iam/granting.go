package iam

import (
	"slices"
	"sort"
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// grantingPolicy is one permissions policy an identity holds, as
// ListPoliciesGrantingServiceAccess names it.
type grantingPolicy struct {
	out api.PolicyGrantingServiceAccess
	doc *policy.Policy // nil when the document does not parse (then it grants nothing)
	src string         // the document
}

// deniesNothingIn reports whether a policy has no Deny statement, or an Allow with
// NotAction (whose reach allowedServices cannot narrow): then the Allow check alone
// decides.
func deniesNothingIn(doc *policy.Policy) bool {
	deny := false
	for _, st := range doc.Document().Statements {
		if st.Effect == policy.Allow && st.NotAction {
			return true
		}
		deny = deny || st.Effect != policy.Allow
	}
	return !deny
}

// identityPolicies lists the permissions policies of a user (its own, then those of
// its groups by group name), a group or a role (their own): for each holder its inline
// policies by name, then its managed policies by ARN. Permissions boundaries are not
// among them.
func identityPolicies(tx *store.Tx, account, kind string, e *entity) ([]grantingPolicy, error) {
	type holder struct {
		kind string
		e    *entity
	}
	holders := []holder{{kind, e}}
	if kind == kUser {
		groups, err := userGroups(tx, account, e.ID)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			holders = append(holders, holder{kGroup, &g.entity})
		}
	}
	var out []grantingPolicy
	for _, h := range holders {
		inline, err := inlinePolicies(tx, account, h.kind, h.e.ID)
		if err != nil {
			return nil, err
		}
		sort.Slice(inline, func(i, j int) bool { return inline[i].Name < inline[j].Name })
		for _, p := range inline {
			name := p.Name
			if p.Listed != "" {
				name = p.Listed
			}
			doc, _ := policy.ParseLenient(inlineKinds[h.kind], name, []byte(p.Doc))
			out = append(out, grantingPolicy{api.PolicyGrantingServiceAccess{PolicyName: name, PolicyType: api.PolicyTypeINLINE,
				EntityType: ptr(strings.ToUpper(h.kind)), EntityName: ptr(h.e.Name)}, doc, p.Doc})
		}
		arns, err := attachedARNs(tx, account, h.kind, h.e.ID)
		if err != nil {
			return nil, err
		}
		sort.Strings(arns)
		for _, arn := range arns {
			r, err := resolvePolicy(tx, account, arn)
			if err != nil {
				return nil, err
			}
			if r == nil {
				continue
			}
			doc, _ := policy.ParseLenient(policy.KindManaged, r.name(), []byte(r.defaultDoc()))
			out = append(out, grantingPolicy{api.PolicyGrantingServiceAccess{PolicyName: r.name(), PolicyType: api.PolicyTypeMANAGED,
				PolicyArn: ptr(r.arn)}, doc, r.defaultDoc()})
		}
	}
	return out, nil
}

// listPoliciesGrantingServiceAccess answers, for each service namespace asked, the
// identity's permissions policies with an Allow statement whose Action or NotAction
// reaches the namespace on a resource it can have (allowsNamespace), unless the
// policy's own unconditional Deny on every resource takes that back. Conditions,
// Denies in other policies, boundaries, SCPs and resource policies are not weighed,
// as the API reference describes it ("It only applies permissions policy logic"). A
// namespace IAM does not report on is refused. Each entry names a policy once (a
// managed policy attached to a user and to its group too); the order of the
// policies is Palisade's (see identityPolicies): IAM's varied between two identical
// calls (recorded, 2026: last_access.json, grants_user_graph, grants_boundary_ignored).
func (s *svc) listPoliciesGrantingServiceAccess(c *server.Call, in *api.ListPoliciesGrantingServiceAccessRequest) (*api.ListPoliciesGrantingServiceAccessResponse, error) {
	// Nothing is ever truncated, so no marker Palisade handed out can come back; a
	// made-up one is refused as IAM's listings refuse it.
	if _, err := newPager(c.Tx, in.Marker, nil); err != nil {
		return nil, err
	}
	var unknown []string
	for _, namespace := range in.ServiceNamespaces {
		if !knownNamespace(namespace) {
			unknown = append(unknown, namespace)
		}
	}
	if len(unknown) > 0 {
		// Namespaces are case-sensitive (recorded, 2026: last_access.json,
		// grants_namespaces_unknown, grants_namespaces_uppercase: "[S3, IAM]").
		return nil, invalidInput("Invalid service namespace: [" + strings.Join(unknown, ", ") + "]")
	}
	if err := accessARNFault(c, in.Arn, true); err != nil {
		return nil, err
	}
	rest, ok := strings.CutPrefix(in.Arn, "arn:aws:iam::"+c.Account+":")
	kind, pathName, _ := strings.Cut(rest, "/")
	name := pathName[strings.LastIndexByte(pathName, '/')+1:]
	if ok && kind == "policy" {
		// (recorded, 2026: last_access.json, grants_policy_invalid)
		return nil, invalidInput("Invalid Entity Arn: " + in.Arn + " is not supported.")
	}
	if !ok || name == "" || (kind != kUser && kind != kGroup && kind != kRole) {
		return nil, invalidInput("Invalid ARN " + in.Arn + ".")
	}
	e, err := entityByName(c.Tx, c.Account, kind, name)
	if err != nil {
		return nil, noSuchARN(in.Arn, err)
	}
	held, err := identityPolicies(c.Tx, c.Account, kind, e)
	if err != nil {
		return nil, err
	}
	out := &api.ListPoliciesGrantingServiceAccessResponse{IsTruncated: ptr(false),
		PoliciesGrantingServiceAccess: make([]api.ListPoliciesGrantingServiceAccessEntry, 0, len(in.ServiceNamespaces))}
	for _, namespace := range in.ServiceNamespaces {
		entry := api.ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: ptr(namespace), Policies: []api.PolicyGrantingServiceAccess{}}
		seen := map[string]bool{}
		for _, p := range held {
			key := str(p.out.PolicyArn) + "|" + str(p.out.EntityType) + "|" + str(p.out.EntityName) + "|" + p.out.PolicyName
			if p.doc == nil || seen[key] {
				continue
			}
			grants := allowsNamespace(p.doc, namespace)
			if grants && !deniesNothingIn(p.doc) && !slices.Contains(allowedServices([]string{p.src}), namespace) {
				// The policy's own unconditional Deny takes back what it allows: Allow
				// s3:GetObject with Deny s3:* grants nothing, while a Deny in another
				// policy leaves it listed (recorded, 2026: last_access.json,
				// selection_allow_and_deny, initial_selection_cross_policy_deny).
				grants = false
			}
			if grants {
				seen[key] = true
				entry.Policies = append(entry.Policies, p.out)
			}
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, entry)
	}
	return out, nil
}
