package policy

import (
	"errors"
	"strings"
)

// PrincipalType says who is making a request; it decides which policy types apply
// and how a resource-based policy's Principal element can match.
type PrincipalType uint8

// The kinds of caller.
const (
	PrincipalAnonymous         PrincipalType = iota // unauthenticated: only resource-based policies can allow
	PrincipalRoot                                   // the account root user: allowed unless denied or limited by SCPs/RCPs
	PrincipalUser                                   // an IAM user
	PrincipalRoleSession                            // an assumed-role session (AssumeRole, ...WithSAML, ...WithWebIdentity)
	PrincipalFederatedUser                          // an STS federated user session (GetFederationToken)
	PrincipalService                                // an AWS service principal such as lambda.amazonaws.com
	PrincipalFederatedProvider                      // an identity provider calling AssumeRoleWith*: matched by "Federated"
)

var principalTypeNames = [...]string{"anonymous", "root", "user", "roleSession", "federatedUser", "service", "federatedProvider"}

// String names the type.
func (t PrincipalType) String() string {
	if int(t) < len(principalTypeNames) {
		return principalTypeNames[t]
	}
	return "unknown"
}

// iamPrincipal: callers whose permissions come from identity-based policies.
func (t PrincipalType) iamPrincipal() bool {
	return t == PrincipalUser || t == PrincipalRoleSession || t == PrincipalFederatedUser
}

// Principal is the authenticated caller.
type Principal struct {
	Type PrincipalType
	// ARN is the caller's own ARN: the user, root or session ARN; for a service the
	// service principal name; for a provider its name or SAML provider ARN.
	ARN     string
	Account string
	// IssuerARN is the identity a session was made from: the role's ARN (with its
	// path) for a role session, the IAM user's ARN for a federated user. A
	// resource-based policy that names it grants through the session's boundary
	// and session policy; one that names the session ARN grants directly.
	IssuerARN string
	// UserID is the unique ID reported as aws:userid, when known.
	UserID string
	// CanonicalID is the S3 canonical user ID, matched by "CanonicalUser".
	CanonicalID string
	// ServiceLinked marks a service-linked role's session: SCPs and RCPs do not
	// restrict service-linked roles.
	ServiceLinked bool
}

// ParsePrincipal builds a Principal from what the CLI and tests give: an IAM or STS
// ARN (root, user, assumed-role, federated-user), a service principal name such as
// "lambda.amazonaws.com", or "anonymous". The issuer of a role session is derived
// without its path; the server, which knows the role, should set IssuerARN itself.
func ParsePrincipal(s string) (Principal, error) {
	if s == "" || s == "anonymous" || s == "*" {
		return Principal{Type: PrincipalAnonymous}, nil
	}
	if !strings.HasPrefix(s, "arn:") {
		if strings.Contains(s, ".") && !strings.ContainsAny(s, ":/ ") {
			return Principal{Type: PrincipalService, ARN: s}, nil
		}
		return Principal{}, errors.New("principal " + s + " is neither an ARN, a service principal nor \"anonymous\"")
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || !isAccountID(parts[4]) {
		return Principal{}, errors.New("principal " + s + " is not an IAM or STS ARN")
	}
	part, svc, acct, res := parts[1], parts[2], parts[4], parts[5]
	p := Principal{ARN: s, Account: acct}
	switch {
	case svc == "iam" && res == "root":
		p.Type = PrincipalRoot
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		p.Type = PrincipalUser
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		role, _, ok := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		if !ok || role == "" {
			return Principal{}, errors.New("principal " + s + ": an assumed-role ARN names a role and a session")
		}
		p.Type = PrincipalRoleSession
		p.IssuerARN = "arn:" + part + ":iam::" + acct + ":role/" + role
		p.ServiceLinked = strings.HasPrefix(role, "AWSServiceRoleFor")
	case svc == "sts" && strings.HasPrefix(res, "federated-user/"):
		p.Type = PrincipalFederatedUser
		p.IssuerARN = "arn:" + part + ":iam::" + acct + ":user/" + strings.TrimPrefix(res, "federated-user/")
	case svc == "iam" && strings.HasPrefix(res, "saml-provider/"), svc == "iam" && strings.HasPrefix(res, "oidc-provider/"):
		p.Type, p.Account = PrincipalFederatedProvider, ""
	default:
		return Principal{}, errors.New("principal " + s + " cannot make requests (use a user, root, assumed-role or federated-user ARN)")
	}
	return p, nil
}

// userName is the friendly name of an IAM user: the last element of its path.
func (p *Principal) userName() string {
	if p.Type != PrincipalUser {
		return ""
	}
	return p.ARN[strings.LastIndexByte(p.ARN, '/')+1:]
}

type grant uint8

// How a resource-based policy's Principal matched the caller, weakest first. The
// strength decides which other policy types still limit the grant in the same
// account (IAM User Guide, "How AWS enforcement code logic evaluates requests to
// allow or deny access", section "Resource-based policies").
const (
	grantNone      grant = iota
	grantDelegated       // the caller's account: identity-based policies must also allow
	grantIssuer          // the session's role (or federating user): boundary and session policy still apply
	grantDirect          // the caller itself, "*", a service: allowed on its own
)

var grantNames = [...]string{"none", "account", "issuer", "direct"}

func (cp *cprincipal) match(p *Principal) grant {
	if cp.all {
		return grantDirect
	}
	if p.CanonicalID != "" && contains(cp.canonical, p.CanonicalID) {
		return grantDirect
	}
	switch p.Type {
	case PrincipalAnonymous:
		return grantNone
	case PrincipalService:
		if containsFold(cp.services, p.ARN) {
			return grantDirect
		}
		return grantNone
	case PrincipalFederatedProvider:
		if contains(cp.federated, p.ARN) {
			return grantDirect
		}
		return grantNone
	}
	if contains(cp.arns, p.ARN) || (p.Type == PrincipalRoot && contains(cp.accounts, p.Account)) {
		return grantDirect
	}
	if p.IssuerARN != "" && contains(cp.arns, p.IssuerARN) {
		return grantIssuer
	}
	if contains(cp.accounts, p.Account) {
		return grantDelegated
	}
	return grantNone
}

// excludes reports whether a NotPrincipal element leaves the caller out. AWS
// checks the caller as each identity it acts as (account, then role, then
// session), so all of them must be listed for the caller to be excluded (IAM User
// Guide, "AWS JSON policy elements: NotPrincipal").
func (cp *cprincipal) excludes(p *Principal) bool {
	if cp.all {
		return true
	}
	switch p.Type {
	case PrincipalAnonymous:
		return false
	case PrincipalService:
		return containsFold(cp.services, p.ARN)
	case PrincipalFederatedProvider:
		return contains(cp.federated, p.ARN)
	case PrincipalRoot:
		return contains(cp.accounts, p.Account) || contains(cp.arns, p.ARN)
	}
	if !contains(cp.arns, p.ARN) || !contains(cp.accounts, p.Account) {
		return false
	}
	return p.Type != PrincipalRoleSession || contains(cp.arns, p.IssuerARN)
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
