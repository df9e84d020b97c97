package iam

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// resolver resolves IAM's ARN template variables and finds the entities checks act
// on, for one call, loading each entity once.
type resolver struct {
	c        *server.Call
	in       map[string]any
	entities map[string]*target // kind/lower(name) → the entity; nil when there is none
}

func (r *resolver) str(k string) string { s, _ := r.in[k].(string); return s }

// entity is the stored user, group, role or instance profile of that name, or nil.
func (r *resolver) entity(kind, name string) *target {
	key := kind + "/" + lk(name)
	if t, ok := r.entities[key]; ok {
		return t
	}
	if r.entities == nil {
		r.entities = map[string]*target{}
	}
	var t *target
	tx, ns := r.c.Tx, func(table string) string { return ns(r.c.Account, table) }
	switch kind {
	case kUser:
		if u, _ := load[userRec](tx, ns(tUsers), lk(name)); u != nil {
			t = &target{kind: kind, name: u.Name, path: u.Path, tags: u.Tags, boundary: u.Boundary}
		}
	case kRole:
		if x, _ := load[roleRec](tx, ns(tRoles), lk(name)); x != nil {
			t = &target{kind: kind, name: x.Name, path: x.Path, tags: x.Tags, boundary: x.Boundary}
		}
	case kGroup:
		if g, _ := load[groupRec](tx, ns(tGroups), lk(name)); g != nil {
			t = &target{kind: kind, name: g.Name, path: g.Path}
		}
	case "instance-profile":
		if p, _ := load[profileRec](tx, ns(tProfiles), lk(name)); p != nil {
			t = &target{kind: kind, name: p.Name, path: p.Path, tags: p.Tags}
		}
	case kServerCert:
		if p, _ := load[serverCertRec](tx, ns(tSrvCerts), lk(name)); p != nil {
			t = &target{kind: kind, name: p.Name, path: p.Path, tags: p.Tags}
		}
	}
	r.entities[key] = t
	return t
}

// vars resolves the IAM resource ARN variables that need stored state: an entity's
// path. Operations that name no user act on the caller's own user (ListAccessKeys,
// CreateAccessKey, ChangePassword...), so ${UserNameWithPath} falls back to it.
func (r *resolver) vars(name string) (string, bool) {
	str := r.str
	switch name {
	case "UserNameWithPath":
		n := str("UserName")
		if n == "" && r.c.Principal.Type == auth.IAMUser {
			n = r.c.Principal.UserName
		}
		return r.entityPath(kUser, n)
	case "GroupNameWithPath":
		return r.entityPath(kGroup, str("GroupName"))
	case "RoleNameWithPath":
		return r.entityPath(kRole, str("RoleName"))
	case "InstanceProfileNameWithPath":
		return r.entityPath("instance-profile", str("InstanceProfileName"))
	case "CertificateNameWithPath":
		return r.entityPath(kServerCert, str("ServerCertificateName"))
	case "PolicyNameWithPath":
		if arn := str("PolicyArn"); arn != "" {
			_, rest, ok := strings.Cut(arn, ":policy/")
			return rest, ok
		}
		if n := str("PolicyName"); n != "" {
			return strings.TrimPrefix(pathOr(ptr(str("Path"))), "/") + n, true
		}
	case "MfaTokenIdWithPath":
		if sn := str("SerialNumber"); sn != "" {
			_, rest, ok := strings.Cut(sn, ":mfa/")
			return rest, ok
		}
		if n := str("VirtualMFADeviceName"); n != "" {
			return strings.TrimPrefix(pathOr(ptr(str("Path"))), "/") + n, true
		}
	case "OidcProviderName":
		if arn := str("OpenIDConnectProviderArn"); arn != "" {
			_, rest, ok := strings.Cut(arn, ":oidc-provider/")
			return rest, ok
		}
		// CreateOpenIDConnectProvider: the provider the URL names.
		if k, err := oidcKey(str("Url")); err == nil {
			return k, true
		}
	case "SamlProviderName":
		if arn := str("SAMLProviderArn"); arn != "" {
			_, rest, ok := strings.Cut(arn, ":saml-provider/")
			return rest, ok
		}
		if n := str("Name"); n != "" {
			return n, true
		}
	}
	return "", false
}

// entityPath is an entity's "path/name" as its ARN has it: the stored entity's path
// when it exists, else the path the request gives (CreateUser...), else "/".
func (r *resolver) entityPath(kind, name string) (string, bool) {
	if name == "" {
		return "", false
	}
	path := pathOr(ptr(r.str("Path")))
	if t := r.entity(kind, name); t != nil {
		path, name = t.path, t.name // as stored: names match without case
	}
	return strings.TrimPrefix(path, "/") + name, true
}

// listKinds are the list operations IAM authorizes on the ARN prefix of the path
// they list ("arn:aws:iam::123456789012:user/" for ListUsers, as its AccessDenied
// message shows), so a policy scoped to a path also scopes the listing.
var listKinds = map[string]string{
	"ListUsers": "user", "ListGroups": "group", "ListRoles": "role", "ListInstanceProfiles": "instance-profile",
	"ListVirtualMFADevices": "mfa",
}

// checks builds the checks of an IAM operation: the reference's action on the
// resources IAM evaluates, IAM's condition keys (iam:PolicyARN,
// iam:PermissionsBoundary, iam:AWSServiceName, the target's aws:ResourceTag/* and
// iam:ResourceTag/*), and the words IAM's AccessDenied message uses for the resource.
func (s *svc) checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	if op == "ChangePassword" && c.Principal.Type == auth.IAMUser {
		// The password policy's AllowUsersToChangePassword lets every user change its
		// own password without a policy that allows iam:ChangePassword.
		if pp, err := loadPasswordPolicy(c.Tx, c.Account); err == nil && pp != nil && pp.AllowChange {
			return nil, nil
		}
	}
	r := &resolver{c: c, in: in}
	chks, err := s.resourceChecks(r, op)
	if err != nil {
		return nil, err
	}
	info, _ := authz.LookupAction("iam:" + op)
	for i := range chks {
		ch := &chks[i]
		if ch.Action != info.FullName() {
			continue // a further action's check (iam:PassRole) carries its own keys
		}
		if keys := r.conditionKeys(info, ch.Resource); len(keys) > 0 {
			ch.Context = merged(ch.Context, keys)
		}
		if ch.MessageResource == "" {
			ch.MessageResource = messageResource(op, ch.Resource)
		}
	}
	return chks, nil
}

// resourceChecks are the operation's checks before condition keys: the reference's
// ARN templates (DefaultChecks) but where IAM evaluates another resource.
func (s *svc) resourceChecks(r *resolver, op string) ([]authz.Check, error) {
	c, str := r.c, r.str
	action := "iam:" + op
	one := func(resource string) []authz.Check {
		return []authz.Check{{Action: action, Resource: resource}}
	}
	prefix := str("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	if kind, ok := listKinds[op]; ok {
		return one("arn:aws:iam::" + c.Account + ":" + kind + prefix), nil
	}
	switch op {
	case "ListPolicies":
		// IAM's message names the path listed, not an ARN ("on resource: policy path
		// /"); the action has no resource-level permissions.
		return []authz.Check{{Action: action, Resource: "*", MessageResource: "policy path " + prefix}}, nil
	case "GenerateServiceLastAccessedDetails", "ListPoliciesGrantingServiceAccess":
		return one(str("Arn")), nil
	case "SimulatePrincipalPolicy", "GetContextKeysForPrincipalPolicy":
		return one(str("PolicySourceArn")), nil
	case "GetAccessKeyLastUsed":
		// The key's owner is the resource, whoever asks.
		if info, ok, err := s.keys.Info(c.Tx, str("AccessKeyId")); err != nil {
			return nil, err
		} else if ok && info.Principal.Account == c.Account && (info.Principal.Type == auth.IAMUser || info.Principal.Type == auth.Root) {
			return one(info.Principal.ARN), nil
		}
		return one("*"), nil
	case "CreateServiceLinkedRole":
		name := ""
		if svc, ok := slrServices[str("AWSServiceName")]; ok {
			name = "AWSServiceRoleFor" + svc.role
			if sfx := str("CustomSuffix"); sfx != "" {
				name += "_" + sfx
			}
		}
		return one(iamARN(c.Account, "role", "/aws-service-role/"+str("AWSServiceName")+"/", name)), nil
	case "GetServiceLinkedRoleDeletionStatus":
		// task/aws-service-role/SERVICE/ROLE/ID names the deleted role.
		parts := strings.Split(str("DeletionTaskId"), "/")
		if len(parts) == 5 && parts[0] == "task" {
			return one(iamARN(c.Account, "role", "/"+parts[1]+"/"+parts[2]+"/", parts[3])), nil
		}
		return one("*"), nil
	}
	chks, err := c.DefaultChecksWith(r.in, r.vars)
	if err != nil {
		return nil, err
	}
	if c.Principal.Type == auth.Root && str("UserName") == "" {
		// The root user acting on its own credentials (ListAccessKeys,
		// DeleteLoginProfile... with no UserName) is the resource: AWS's root-task
		// policies for AssumeRoot sessions deny these actions on any resource but
		// arn:aws:iam::*:root (recorded, 2026: root_access.json, the policies' documents).
		if info, ok := authz.LookupAction(action); ok && actsOnUser(info) {
			for i := range chks {
				if chks[i].Action == action && chks[i].Resource == "*" {
					chks[i].Resource = "arn:aws:iam::" + c.Account + ":root"
				}
			}
		}
	}
	if arn := str("PolicyArn"); arn != "" {
		// The policy as named, with its own account: AWS's managed policies are
		// arn:aws:iam::aws:policy/..., not the caller's.
		for i := range chks {
			if strings.Contains(chks[i].Resource, ":policy/") {
				chks[i].Resource = arn
			}
		}
	}
	switch op {
	case "UpdateUser", "UpdateGroup", "UpdateServerCertificate":
		// Renaming or moving needs the action on the old and the new ARN (IAM API
		// Reference, UpdateUser, UpdateGroup and UpdateServerCertificate).
		kind, member := kUser, "UserName"
		switch op {
		case "UpdateGroup":
			kind, member = kGroup, "GroupName"
		case "UpdateServerCertificate":
			kind, member = kServerCert, "ServerCertificateName"
		}
		newName, newPath := str("New"+member), str("NewPath")
		if newName == "" && newPath == "" || len(chks) != 1 {
			break
		}
		t := r.entity(kind, str(member))
		if t == nil {
			break // the handler answers NoSuchEntity
		}
		if newName == "" {
			newName = t.name
		}
		if newPath == "" {
			newPath = t.path
		}
		chks = append(chks, authz.Check{Action: action, Resource: iamARN(c.Account, kind, newPath, newName), Context: chks[0].Context})
	case "AddRoleToInstanceProfile":
		// "The caller of this operation must be granted the PassRole permission on
		// the IAM role" (IAM API Reference); the role goes to EC2 instances.
		t := r.entity(kRole, str("RoleName"))
		if t == nil {
			break // the handler answers NoSuchEntity
		}
		chks = append(chks, authz.Check{Action: "iam:PassRole", Resource: iamARN(c.Account, kRole, t.path, t.name), Context: map[string][]string{
			"iam:passedtoservice":       {"ec2.amazonaws.com"},
			"iam:associatedresourcearn": {"arn:aws:ec2:*:" + c.Account + ":instance/*"},
		}})
	}
	return chks, nil
}

// conditionKeys are the IAM condition keys of one check: those the action lists in
// the reference, with the request's or the target entity's values.
func (r *resolver) conditionKeys(info *authz.Action, resource string) map[string][]string {
	keys := map[string][]string{}
	lists := func(key string) bool {
		for _, k := range info.ConditionKeys {
			if strings.EqualFold(k, key) {
				return true
			}
		}
		return false
	}
	str := r.str
	t := r.lookupTarget(resource)
	if lists("iam:PolicyARN") && str("PolicyArn") != "" {
		keys["iam:policyarn"] = []string{str("PolicyArn")}
	}
	if lists("iam:PermissionsBoundary") {
		// The boundary the request sets, else the one the entity has: "Filters access
		// if the specified policy is set as permissions boundary on the IAM entity".
		if b := str("PermissionsBoundary"); b != "" {
			keys["iam:permissionsboundary"] = []string{b}
		} else if t != nil && t.boundary != "" {
			keys["iam:permissionsboundary"] = []string{t.boundary}
		}
	}
	if lists("iam:OrganizationsPolicyId") && str("OrganizationsPolicyId") != "" {
		// GenerateOrganizationsAccessReport's SCP, as the reference lists the key.
		keys["iam:organizationspolicyid"] = []string{str("OrganizationsPolicyId")}
	}
	if lists("iam:AWSServiceName") && str("AWSServiceName") != "" {
		keys["iam:awsservicename"] = []string{str("AWSServiceName")}
	}
	if t != nil {
		for _, tag := range t.tags {
			keys["aws:resourcetag/"+strings.ToLower(tag.Key)] = []string{tag.Value}
			if t.kind == kUser || t.kind == kRole {
				keys["iam:resourcetag/"+strings.ToLower(tag.Key)] = []string{tag.Value}
			}
		}
	}
	return keys
}

// target is the stored entity a check's resource ARN names.
type target struct {
	kind, name, path string
	tags             []api.Tag
	boundary         string
}

// lookupTarget finds the existing IAM entity an ARN of the account names (nil when
// there is none: a resource being created, or another account's).
func (r *resolver) lookupTarget(arn string) *target {
	tx, account := r.c.Tx, r.c.Account
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+account+":")
	if !ok {
		if awsManaged(arn) != nil {
			return &target{kind: "policy"}
		}
		return nil
	}
	kind, _, _ := strings.Cut(rest, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	if name == "" {
		return nil
	}
	switch kind {
	case kUser, kRole, kGroup, "instance-profile", kServerCert:
		if t := r.entity(kind, name); t != nil && iamARN(account, kind, t.path, t.name) == arn {
			return t
		}
	case "policy":
		if p, _ := resolvePolicy(tx, account, arn); p != nil {
			t := &target{kind: kind}
			if p.rec != nil {
				t.tags = p.rec.Tags
			}
			return t
		}
	case "mfa":
		if m, _ := loadMFA(tx, account, arn); m != nil {
			return &target{kind: kind, tags: m.Tags}
		}
	case "oidc-provider":
		if o, _ := loadOIDC(tx, account, arn); o != nil {
			return &target{kind: kind, tags: o.Tags}
		}
	case "saml-provider":
		if p, _ := loadSAML(tx, account, arn); p != nil {
			return &target{kind: kind, tags: p.Tags}
		}
	}
	return nil
}

// messageResource is how IAM's AccessDenied message names a resource: the entity's
// kind and name for operations on an existing user, group, role or instance profile
// ("on resource: user alice"), "policy ARN" for a managed policy, "policy NAME" for
// the one CreatePolicy makes, and the ARN for the entity a Create or a
// Put*PermissionsBoundary acts on (AWS's messages as users report them; "" keeps the
// ARN).
func messageResource(op, arn string) string {
	_, rest, ok := strings.Cut(arn, ":iam::")
	if !ok {
		return ""
	}
	_, rest, _ = strings.Cut(rest, ":")
	kind, _, _ := strings.Cut(rest, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	if name == "" {
		return ""
	}
	switch kind {
	case kUser, kRole, kGroup:
		switch op {
		case "CreateUser", "CreateRole", "CreateGroup", "CreateServiceLinkedRole", "PutUserPermissionsBoundary", "PutRolePermissionsBoundary":
			return ""
		}
		return kind + " " + name
	case "instance-profile":
		if op == "CreateInstanceProfile" {
			return ""
		}
		return "instance profile " + name
	case "policy":
		if op == "CreatePolicy" {
			return "policy " + name
		}
		return "policy " + arn
	}
	return ""
}

// merged returns a copy of ctx with keys added.
func merged(ctx, keys map[string][]string) map[string][]string {
	out := make(map[string][]string, len(ctx)+len(keys))
	for k, v := range ctx {
		out[k] = v
	}
	for k, v := range keys {
		out[k] = v
	}
	return out
}

// Grants is IAM as the authorization layer's source of principals' policies.
type Grants struct{}

// PrincipalGrants implements authz.GrantSource.
func (Grants) PrincipalGrants(tx *store.Tx, p auth.Principal) (*authz.Grants, error) {
	return PrincipalGrants(tx, p)
}

// actsOnUser reports whether an action's resource is an IAM user.
func actsOnUser(info *authz.Action) bool {
	for _, r := range info.Resources {
		if r.Type == "user" {
			return true
		}
	}
	return false
}
