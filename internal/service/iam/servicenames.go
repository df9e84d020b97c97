package iam

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/policy"
)

// servicenames.tsv is the list of service namespaces IAM's last-accessed reports know,
// each with the name the reports give it, as IAM listed them for a policy allowing
// "*" (recorded, 2026: last_access_service_names.json; 455 services). It is wider than
// the Service Authorization Reference catalog Palisade authorizes with (internal/authz),
// which holds only the services Palisade serves.
//
//go:embed servicenames.tsv
var serviceNamesTSV string

// accessServices maps each namespace of servicenames.tsv to its name; accessNamespaces
// lists them in order.
var accessServices, accessNamespaces = func() (map[string]string, []string) {
	m := map[string]string{}
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(serviceNamesTSV), "\n") {
		ns, name, _ := strings.Cut(line, "\t")
		m[ns] = name
		order = append(order, ns)
	}
	return m, order
}()

// knownNamespace reports whether IAM's last-accessed operations accept a service
// namespace: exactly as listed, "S3" is not "s3" (recorded, 2026: last_access.json,
// grants_namespaces_uppercase).
func knownNamespace(ns string) bool {
	_, ok := accessServices[ns]
	return ok
}

// accessServiceName is the name a last-accessed report gives a namespace.
func accessServiceName(ns string) string {
	if name, ok := accessServices[ns]; ok {
		return name
	}
	if info, ok := authz.LookupService(ns); ok {
		return info.Name
	}
	return ns
}

// allowsNamespace reports whether an Allow statement of doc reaches a namespace as
// ListPoliciesGrantingServiceAccess judges it: an Action whose service prefix matches
// (whether or not the action exists: "s3:StackdUnmodeledAction" counts), or a
// NotAction that does not exclude the whole namespace, on a resource that can be the
// namespace's: "*", an ARN of that service, or a NotResource other than "*" (recorded,
// 2026: last_access.json, selection_unknown_action, selection_not_action,
// selection_impossible_resource, selection_not_resource, resource_selection_*).
func allowsNamespace(doc *policy.Policy, ns string) bool {
	for _, st := range doc.Document().Statements {
		if st.Effect != policy.Allow || !resourceReaches(st, ns) {
			continue
		}
		matched := false
		for _, a := range st.Actions {
			a = strings.ToLower(a)
			prefix, _, found := strings.Cut(a, ":")
			if !found {
				prefix = "*"
			}
			if st.NotAction {
				if a == "*" || actionGlob(a, ns+":*") {
					matched = true
				}
				continue
			}
			if actionGlob(prefix, ns) {
				return true
			}
		}
		if st.NotAction && !matched {
			return true
		}
	}
	return false
}

// resourceReaches reports whether a statement's Resource or NotResource can name a
// resource of the namespace.
func resourceReaches(st policy.Statement, ns string) bool {
	if !st.HasResource {
		return true
	}
	if st.NotResource {
		return !slices.Contains(st.Resources, "*")
	}
	for _, r := range st.Resources {
		if r == "*" {
			return true
		}
		parts := strings.SplitN(r, ":", 4)
		if len(parts) < 3 || actionGlob(strings.ToLower(parts[2]), ns) {
			return true
		}
	}
	return false
}
