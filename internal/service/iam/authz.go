package iam

import (
	"strings"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// vars resolves the IAM resource ARN variables that need stored state: an entity's
// path. Operations that name no user act on the caller's own user (ListAccessKeys,
// CreateAccessKey, ChangePassword...), so ${UserNameWithPath} falls back to it.
func vars(c *server.Call, name string, in map[string]any) (string, bool) {
	str := func(k string) string { s, _ := in[k].(string); return s }
	withPath := func(kind, member string) (string, bool) {
		n := str(member)
		if n == "" {
			if kind == kUser && c.Principal.Type == auth.IAMUser {
				n = c.Principal.UserName
			} else {
				return "", false
			}
		}
		path := str("Path") // CreateUser/Group/Role: the path being created
		if path == "" {
			path = "/"
		}
		if e, err := entityByName(c.Tx, c.Account, kind, n); err == nil && e != nil {
			path = e.Path
		} else if kind == "instance-profile" {
			if p, err := loadProfile(c.Tx, c.Account, n); err == nil && p != nil {
				path = p.Path
			}
		}
		return strings.TrimPrefix(path, "/") + n, true
	}
	switch name {
	case "UserNameWithPath":
		return withPath(kUser, "UserName")
	case "GroupNameWithPath":
		return withPath(kGroup, "GroupName")
	case "RoleNameWithPath":
		return withPath(kRole, "RoleName")
	case "InstanceProfileNameWithPath":
		return withPath("instance-profile", "InstanceProfileName")
	case "PolicyNameWithPath":
		if arn := str("PolicyArn"); arn != "" {
			_, rest, ok := strings.Cut(arn, ":policy/")
			return rest, ok
		}
		if n := str("PolicyName"); n != "" {
			return strings.TrimPrefix(str("Path"), "/") + n, true
		}
	case "MfaTokenIdWithPath":
		if sn := str("SerialNumber"); sn != "" {
			_, rest, ok := strings.Cut(sn, ":mfa/")
			return rest, ok
		}
		if n := str("VirtualMFADeviceName"); n != "" {
			return strings.TrimPrefix(str("Path"), "/") + n, true
		}
	case "OidcProviderName":
		_, rest, ok := strings.Cut(str("OpenIDConnectProviderArn"), ":oidc-provider/")
		return rest, ok
	case "SamlProviderName":
		_, rest, ok := strings.Cut(str("SAMLProviderArn"), ":saml-provider/")
		if !ok && str("Name") != "" {
			return str("Name"), true
		}
		return rest, ok
	}
	return "", false
}

// checks adds IAM's own condition keys to the reference's checks: the managed policy
// an attachment names (iam:PolicyARN) and the boundary a request sets
// (iam:PermissionsBoundary). A policy ARN of an AWS managed policy is its own
// resource, not one in the caller's account.
func checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	if op == "ChangePassword" && c.Principal.Type == auth.IAMUser {
		// The password policy's AllowUsersToChangePassword lets every user change its
		// own password without a policy that allows iam:ChangePassword.
		if pp, err := loadPasswordPolicy(c.Tx, c.Account); err == nil && pp != nil && pp.AllowChange {
			return nil, nil
		}
	}
	chks, err := c.DefaultChecks(in)
	if err != nil {
		return nil, err
	}
	extra := map[string][]string{}
	if arn, _ := in["PolicyArn"].(string); arn != "" {
		extra["iam:PolicyARN"] = []string{arn}
		for i := range chks {
			if strings.Contains(chks[i].Resource, ":policy/") {
				chks[i].Resource = arn
			}
		}
	}
	if b, _ := in["PermissionsBoundary"].(string); b != "" {
		extra["iam:PermissionsBoundary"] = []string{b}
	}
	if len(extra) > 0 {
		for i := range chks {
			ctx := map[string][]string{}
			for k, v := range chks[i].Context {
				ctx[k] = v
			}
			for k, v := range extra {
				ctx[k] = v
			}
			chks[i].Context = ctx
		}
	}
	return chks, nil
}

// Grants is IAM as the authorization layer's source of principals' policies.
type Grants struct{}

// PrincipalGrants implements authz.GrantSource.
func (Grants) PrincipalGrants(tx *store.Tx, p auth.Principal) (*authz.Grants, error) {
	return PrincipalGrants(tx, p)
}
