package kms

import (
	"errors"
	"regexp"
	"strings"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// A grant's grantee and retiring principal are bound as KMS binds them: a role
// session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or a role ARN names the
// role as it is when the grant is made, by its unique ID. KMS answered so in 2026
// (stackd testdata/aws/kms/grants.json, lifecycle_*): the grant covers later sessions
// of that name, none of a role made again under the same name, and once the role is
// deleted ListGrants shows the principal as "AROA…:SESSION".

// sessionIDRE is a role session named by its role's unique ID, as KMS accepts it in
// place of the session's ARN ("AROA…:SESSION").
var sessionIDRE = regexp.MustCompile(`^AROA[A-Z0-9]{16,}:[\w+=,.@-]+$`)

// errNoSuchRoleID is a principal named by a role's unique ID that no role has: each
// operation words it its own way.
var errNoSuchRoleID = errors.New("kms: no role has this unique ID")

// bound is a grant principal: its ARN as given (or, for a unique ID, the session's
// ARN) and, for a role or role session, the unique ID it is bound to ("AROA…" or
// "AROA…:SESSION").
type bound struct {
	arn, id string
}

// arnAccount is the account field of an ARN ("" when s is not one).
func arnAccount(s string) string {
	p := strings.SplitN(s, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return ""
	}
	return p[4]
}

// bind resolves a principal a grant names, or a List operation filters by. idAccount
// is the account a bare unique ID is looked up in. A session ARN whose role has a path
// is not a session ARN ("ARN is not valid: …"), a session of a role that does not
// exist is "ARN does not refer to a valid principal: …" (grants.json,
// session_role_path, missing_role); a unique ID no role has is errNoSuchRoleID. Other
// principals (users, accounts, federated users, a role that does not exist) are
// taken as given.
func (k *KMS) bind(tx *store.Tx, s, idAccount string) (bound, error) {
	if k.roles == nil {
		return bound{arn: s}, nil
	}
	if sessionIDRE.MatchString(s) {
		roleID, session, _ := strings.Cut(s, ":")
		arn, ok, err := k.roles.RoleByID(tx, idAccount, roleID)
		if err != nil {
			return bound{}, err
		}
		if !ok {
			return bound{}, errNoSuchRoleID
		}
		return bound{arn: "arn:aws:sts::" + idAccount + ":assumed-role/" + arn[strings.LastIndexByte(arn, '/')+1:] + "/" + session, id: s}, nil
	}
	account := arnAccount(s)
	if rest, ok := strings.CutPrefix(s, "arn:aws:sts::"+account+":assumed-role/"); ok {
		role, session, _ := strings.Cut(rest, "/")
		if role == "" || session == "" || strings.Contains(session, "/") {
			return bound{}, api.NewInvalidArnException("ARN is not valid: " + s)
		}
		_, id, ok, err := k.roles.RoleByName(tx, account, role)
		if err != nil {
			return bound{}, err
		}
		if !ok {
			return bound{}, errNotPrincipal(s)
		}
		return bound{arn: s, id: id + ":" + session}, nil
	}
	if rest, ok := strings.CutPrefix(s, "arn:aws:iam::"+account+":role/"); ok {
		_, id, ok, err := k.roles.RoleByName(tx, account, rest[strings.LastIndexByte(rest, '/')+1:])
		if err != nil || !ok {
			return bound{arn: s}, err
		}
		return bound{arn: s, id: id}, nil
	}
	return bound{arn: s}, nil
}

func errNotPrincipal(arn string) error {
	return api.NewInvalidArnException("ARN does not refer to a valid principal: " + arn)
}

// same reports whether a stored principal (ARN and bound ID) is b: by unique ID when
// it is bound, else by ARN (other principals, and grants stored before principals
// were bound).
func (b bound) same(arn, id string) bool {
	if id != "" {
		return b.id == id
	}
	return b.arn == arn
}

// shown is a stored principal as ListGrants shows it: its ARN while the role it is
// bound to exists, else the unique ID it is bound to.
func (k *KMS) shown(tx *store.Tx, arn, id string) (string, error) {
	if id == "" || k.roles == nil {
		return arn, nil
	}
	roleID, _, _ := strings.Cut(id, ":")
	_, ok, err := k.roles.RoleByID(tx, arnAccount(arn), roleID)
	if err != nil || ok {
		return arn, err
	}
	return id, nil
}

// How a grant's principal covers a caller.
const (
	coversNone   = iota
	coversRole   // the caller is a session of the role the grant names
	coversDirect // the grant names the caller itself
)

// covers says how a grant principal (ARN and bound ID) covers the caller: a grant to a
// role covers its sessions, a grant to a role session only sessions of that name of
// the same role (grants.json, session_sibling, session_repeated_name).
func covers(arn, id string, p auth.Principal) int {
	if id != "" {
		if p.Type != auth.AssumedRole || p.Account != arnAccount(arn) {
			return coversNone
		}
		if strings.Contains(id, ":") {
			if p.UserID == id {
				return coversDirect
			}
			return coversNone
		}
		if roleID, _, _ := strings.Cut(p.UserID, ":"); roleID == id {
			return coversRole
		}
		return coversNone
	}
	if arn == "" {
		return coversNone
	}
	if arn == p.ARN {
		return coversDirect
	}
	if p.Type == auth.AssumedRole {
		// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION ↔ arn:aws:iam::ACCOUNT:role/PATH/ROLE
		rest, ok := strings.CutPrefix(p.ARN, "arn:aws:sts::"+p.Account+":assumed-role/")
		role, _, _ := strings.Cut(rest, "/")
		prefix := "arn:aws:iam::" + p.Account + ":role/"
		if ok && strings.HasPrefix(arn, prefix) && (strings.HasSuffix(arn, "/"+role) || arn == prefix+role) {
			return coversRole
		}
	}
	return coversNone
}

// grantBlock is what keeps a grant that covers the caller from allowing it (ok false:
// nothing), given the decision of the key policy and IAM policies d, which denied
// implicitly. As KMS answered in 2026 (grants.json):
//
//   - A grant made in the grantee's own account (the key's, or the grantee's account
//     creating it as the key policy lets it) stands for a permission of that account.
//     One to the caller itself (its session, a federated user, a user) allows whatever
//     the caller's session policy or permissions boundary allow (session_*,
//     federated_*, cross_trusted_session_*); one to its role is limited by both, as
//     the role's own permissions are (role_implicit_session_deny,
//     role_implicit_boundary_deny, cross_trusted_role_implicit_session_deny).
//   - A grant the key's account makes to another account's principal allows on the
//     key's side only: the caller's own policies must allow too (cross_owner_*,
//     cross_retire_*). KMS names the session policy first for a grant to the role, the
//     identity-based policies first for one to the session.
//
// Explicit denies were decided before (a grant allows nothing a policy denies).
func grantBlock(d *authz.Decision, level int, ownAccount bool) (policy.PolicyType, bool) {
	ty := &d.Result.Types
	identity := !ty[policy.TypeIdentity].Applies || ty[policy.TypeIdentity].Allowed
	boundary := !ty[policy.TypeBoundary].Applies || ty[policy.TypeBoundary].Allowed
	session := !ty[policy.TypeSession].Applies || ty[policy.TypeSession].Allowed
	var order []policy.PolicyType
	switch {
	case ownAccount && level == coversDirect:
		return 0, false
	case ownAccount:
		order = []policy.PolicyType{policy.TypeBoundary, policy.TypeSession}
	case level == coversRole:
		order = []policy.PolicyType{policy.TypeBoundary, policy.TypeSession, policy.TypeIdentity}
	default:
		order = []policy.PolicyType{policy.TypeIdentity, policy.TypeBoundary, policy.TypeSession}
	}
	ok := map[policy.PolicyType]bool{policy.TypeIdentity: identity, policy.TypeBoundary: boundary, policy.TypeSession: session}
	for _, t := range order {
		if !ok[t] {
			return t, true
		}
	}
	return 0, false
}

// grantDenied is KMS's refusal of a caller a grant covers but t blocks. Across
// accounts KMS does not name the key: "… on this resource because …" (grants.json,
// cross_*).
func grantDenied(c *server.Call, action string, r *keyRec, t policy.PolicyType) *model.Error {
	where := "resource: " + r.arn()
	if r.Account != c.Principal.Account {
		where = "this resource"
	}
	return c.AccessDenied("User: " + c.Principal.ARN + " is not authorized to perform: " + action + " on " + where +
		" because no " + t.Phrase() + " allows the " + action + " action")
}
