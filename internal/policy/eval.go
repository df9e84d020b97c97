package policy

import (
	"strings"
	"sync"
	"unsafe"
)

// Context supplies the request's condition keys. Lookup is always called with the
// key in lower case (keys are case-insensitive in AWS), so an implementation can
// store its keys lower-cased and answer without allocating. ok is false when the
// request has no such key; a present key with no values is an empty set.
type Context interface {
	Lookup(key string) (values []string, ok bool)
}

// MapContext is a ready-made Context. Build it with NewMapContext, or fill it with
// lower-case keys yourself.
type MapContext map[string][]string

// NewMapContext copies m with its keys lower-cased.
func NewMapContext(m map[string][]string) MapContext {
	c := make(MapContext, len(m))
	for k, v := range m {
		c[strings.ToLower(k)] = v
	}
	return c
}

// Lookup implements Context.
func (c MapContext) Lookup(key string) ([]string, bool) {
	v, ok := c[key]
	return v, ok
}

// Request is one authorization question: may Principal perform Action on Resource?
type Request struct {
	Principal Principal
	Action    string // "service:Action"; case-insensitive
	Resource  string // the resource ARN, or "*" for actions without resource-level permissions
	// ResourceAccount owns the resource; "" means the principal's own account.
	// When it differs from the principal's account the request is cross-account
	// and both sides must allow.
	ResourceAccount string
	// Context holds condition keys; may be nil. Keys derived from Principal
	// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
	// aws:userid, aws:PrincipalIsAWSService, aws:PrincipalServiceName) and
	// aws:ResourceAccount are supplied by the engine when Context lacks them.
	Context Context
}

// PolicySet is every policy that applies to one request. Nil and empty fields
// mean "none of that type".
type PolicySet struct {
	// Identity holds the caller's identity-based policies: for a user its inline,
	// managed and groups' policies; for a role session the role's; for a
	// federated user the federating user's.
	Identity *Group
	// Resource is the resource's policy (bucket policy, key policy, trust policy...).
	Resource *Policy
	// ResourceMustAllow marks resource policies that must allow on their own even
	// in the same account: role trust policies and KMS key policies.
	ResourceMustAllow bool
	// Boundary is the caller's permissions boundary.
	Boundary *Policy
	// Session is the session policy of a role session or federated user. A
	// federated user with no session policy has no identity-based permissions
	// (IAM User Guide, "Permissions for GetFederationToken"). For a root user's
	// session (STS AssumeRoot) it is the task policy, which only denies: the root
	// user needs no allow, and AWS's task policies have no Allow statement.
	Session *Policy
	// SessionGroup, when set, stands for Session when a session has several session
	// policies (an inline one and managed ones passed by ARN): together they are the
	// session policy, and any of them can allow.
	SessionGroup *Group
	// VPCEndpoint is the policy of the VPC endpoint the request came through.
	VPCEndpoint *Policy
	// SCPs and RCPs hold one list per level of the organization path, root first:
	// each level must allow. SCPs limit the principal's account, RCPs the
	// resource's.
	SCPs [][]*Policy
	RCPs [][]*Policy
	// The management account is not restricted by SCPs (for its principals) nor
	// RCPs (for its resources).
	PrincipalInManagementAccount bool
	ResourceInManagementAccount  bool
}

// Decision is the outcome of an evaluation.
type Decision uint8

// The three outcomes IAM distinguishes.
const (
	ImplicitDeny Decision = iota
	Allowed
	ExplicitDeny
)

// String returns the names the CLI prints: "implicitDeny", "allowed", "explicitDeny".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// PolicyType names a kind of policy in a decision, in the order AWS evaluates them.
type PolicyType uint8

// The policy types.
const (
	TypeRCP PolicyType = iota
	TypeSCP
	TypeVPCEndpoint
	TypeResource
	TypeIdentity
	TypeBoundary
	TypeSession
	NumPolicyTypes
)

var policyTypeNames = [NumPolicyTypes]string{"rcp", "scp", "vpcEndpoint", "resource", "identity", "boundary", "session"}

// How AWS names each type in AccessDenied messages.
var policyTypePhrases = [NumPolicyTypes]string{"resource control policy", "service control policy", "VPC endpoint policy",
	"resource-based policy", "identity-based policy", "permissions boundary", "session policy"}

// String returns the short name used in CLI output ("scp", "identity", ...).
func (t PolicyType) String() string {
	if t < NumPolicyTypes {
		return policyTypeNames[t]
	}
	return "unknown"
}

// Phrase returns the type as AWS words it in AccessDenied messages, e.g.
// "service control policy".
func (t PolicyType) Phrase() string {
	if t < NumPolicyTypes {
		return policyTypePhrases[t]
	}
	return ""
}

// TypeSet is a set of policy types.
type TypeSet uint16

// Has reports whether t is in the set.
func (s TypeSet) Has(t PolicyType) bool { return s&(1<<t) != 0 }

// List returns the members in evaluation order.
func (s TypeSet) List() []PolicyType {
	var out []PolicyType
	for t := PolicyType(0); t < NumPolicyTypes; t++ {
		if s.Has(t) {
			out = append(out, t)
		}
	}
	return out
}

// First returns the earliest member in evaluation order; ok is false when empty.
func (s TypeSet) First() (PolicyType, bool) {
	for t := PolicyType(0); t < NumPolicyTypes; t++ {
		if s.Has(t) {
			return t, true
		}
	}
	return 0, false
}

// TypeDetail is what one policy type said, as the IAM simulator reports per type.
type TypeDetail struct {
	Applies bool // the type took part in this decision
	Allowed bool // it allows (for SCPs and RCPs: every level allows)
	Denied  bool // one of its statements explicitly denies
}

// MatchedStatement identifies a statement that applied to the request.
type MatchedStatement struct {
	Type        PolicyType
	Policy      string // the policy's name
	PolicyIndex int    // position in PolicySet.Identity, or within an SCP/RCP level
	Level       int    // SCP/RCP level, root = 0
	Statement   int    // index in the document's Statement list
	Sid         string
	Effect      Effect
	Start, End  Position
}

// Result is the decision and what led to it.
type Result struct {
	Decision Decision
	// BlockedBy holds, for a denial, the types that denied: for an explicit deny
	// those with a matching Deny statement, for an implicit deny those whose
	// missing Allow blocked the request.
	BlockedBy TypeSet
	Types     [NumPolicyTypes]TypeDetail
	// ResourceGrant says how the resource policy's Principal matched the caller:
	// "none", "account", "issuer" (role or federating user) or "direct".
	ResourceGrant string
	Matched       []MatchedStatement
	// MissingContextKeys lists condition keys that statements needed but the
	// request did not supply, spelled as in the policy.
	MissingContextKeys []string
}

// Reason words the decision like AWS's AccessDenied messages, for example
// "because no identity-based policy allows the s3:GetObject action" or "with an
// explicit deny in a service control policy"; "" when allowed, and for an implicit
// denial of sts:AssumeRole, whose message STS ends at the role's ARN whichever policy
// failed to allow it (every AWS answer quoted in public issues, same-account and
// cross-account, 2020–2025).
func (r *Result) Reason(action string) string {
	t, ok := r.BlockedBy.First()
	if !ok || r.Decision == Allowed {
		return ""
	}
	if r.Decision == ExplicitDeny {
		article := "a "
		if t == TypeIdentity {
			article = "an "
		}
		return "with an explicit deny in " + article + t.Phrase()
	}
	if action == "sts:AssumeRole" {
		return ""
	}
	return "because no " + t.Phrase() + " allows the " + action + " action"
}

// Message is the full AccessDenied message AWS would return, e.g. "User:
// arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers on
// resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows
// the iam:ListUsers action".
func (r *Result) Message(req *Request) string {
	who := req.Principal.ARN
	if req.Principal.Type == PrincipalAnonymous {
		who = "anonymous"
	}
	msg := "User: " + who + " is not authorized to perform: " + req.Action
	if req.Resource != "" {
		// A request on no resource yet (one being created) is worded without it.
		msg += " on resource: " + req.Resource
	}
	if reason := r.Reason(req.Action); reason != "" {
		msg += " " + reason
	}
	return msg
}

// reset empties r for reuse, keeping its slices' capacity.
func (r *Result) reset() {
	*r = Result{Matched: r.Matched[:0], MissingContextKeys: r.MissingContextKeys[:0]}
}

// Evaluate decides req against ps following the IAM User Guide's "Policy
// evaluation logic" (explicit deny, RCPs, SCPs, resource-based policies,
// identity-based policies, permissions boundaries, session policies; and
// "Cross-account policy evaluation logic").
func Evaluate(req *Request, ps *PolicySet) Result {
	var r Result
	EvaluateInto(&r, req, ps)
	return r
}

// EvaluateInto is Evaluate writing into r and reusing its slices, so a caller that
// keeps a Result per worker evaluates without allocating.
func EvaluateInto(r *Result, req *Request, ps *PolicySet) {
	st := statePool.Get().(*evalState)
	st.init(req, ps, r)
	st.run()
	buf := st.buf
	*st = evalState{buf: buf[:0]}
	statePool.Put(st)
}

var statePool = sync.Pool{New: func() any { return new(evalState) }}

// The keys the engine derives from the request when the context lacks them.
const (
	dPrincipalArn = iota
	dPrincipalAccount
	dPrincipalType
	dUsername
	dUserID
	dIsService
	dServiceName
	dResourceAccount
	numDerived
)

var derivedKeys = [numDerived]string{"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username",
	"aws:userid", "aws:principalisawsservice", "aws:principalservicename", "aws:resourceaccount"}

type evalState struct {
	req     *Request
	ps      *PolicySet
	res     *Result
	service string // lower-case service prefix of the action
	action  string // lower-case action
	buf     []byte // backs action when the request's action has upper case
	hasBnd  bool
	derived [numDerived][1]string
	dSet    [numDerived]bool
}

func (st *evalState) init(req *Request, ps *PolicySet, r *Result) {
	st.req, st.ps, st.res = req, ps, r
	r.reset()
	st.action = lowerInto(&st.buf, req.Action)
	st.service, _, _ = strings.Cut(st.action, ":")
	st.hasBnd = ps.Boundary != nil
	p := &req.Principal
	set := func(i int, v string) {
		if v != "" {
			st.derived[i][0], st.dSet[i] = v, true
		}
	}
	switch p.Type {
	case PrincipalRoot:
		set(dPrincipalArn, p.ARN)
		set(dPrincipalType, "Account")
	case PrincipalUser:
		set(dPrincipalArn, p.ARN)
		set(dPrincipalType, "User")
		set(dUsername, p.userName())
	case PrincipalRoleSession:
		set(dPrincipalArn, p.IssuerARN)
		set(dPrincipalType, "AssumedRole")
	case PrincipalFederatedUser:
		set(dPrincipalArn, p.ARN)
		set(dPrincipalType, "FederatedUser")
	case PrincipalAnonymous:
		set(dPrincipalType, "Anonymous")
		set(dUserID, "anonymous")
	case PrincipalService:
		set(dServiceName, p.ARN)
	}
	if p.Type != PrincipalService && p.Type != PrincipalAnonymous && p.Type != PrincipalFederatedProvider {
		set(dPrincipalAccount, p.Account)
	}
	set(dUserID, p.UserID)
	if p.Type == PrincipalService {
		set(dIsService, "true")
	} else {
		set(dIsService, "false")
	}
	if req.ResourceAccount != "" {
		set(dResourceAccount, req.ResourceAccount)
	} else if p.Type.iamPrincipal() || p.Type == PrincipalRoot {
		set(dResourceAccount, p.Account)
	}
}

// lowerInto lower-cases ASCII s, reusing *buf so the pooled state makes it free.
func lowerInto(buf *[]byte, s string) string {
	i := 0
	for i < len(s) && !(s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := append((*buf)[:0], s...)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	*buf = b
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (st *evalState) lookup(key string) ([]string, bool) {
	if c := st.req.Context; c != nil {
		if v, ok := c.Lookup(key); ok {
			return v, true
		}
	}
	if strings.HasPrefix(key, "aws:") {
		for i := range derivedKeys {
			if st.dSet[i] && derivedKeys[i] == key {
				return st.derived[i][:], true
			}
		}
	}
	return nil, false
}

// resolveVar implements resolver: a variable takes a single-valued key's value;
// multivalued keys cannot be used as variables.
func (st *evalState) resolveVar(key string) (string, bool) {
	v, ok := st.lookup(key)
	if !ok || len(v) != 1 {
		st.noteMissing(key)
		return "", false
	}
	return v[0], true
}

func (st *evalState) noteMissing(key string) {
	for _, k := range st.res.MissingContextKeys {
		if strings.EqualFold(k, key) {
			return
		}
	}
	st.res.MissingContextKeys = append(st.res.MissingContextKeys, key)
}

// outcome is what one policy (or a group of policies of one type) said.
type outcome struct {
	allow, deny bool
	grant       grant
}

func (o *outcome) add(x outcome) {
	o.allow = o.allow || x.allow
	o.deny = o.deny || x.deny
	if x.grant > o.grant {
		o.grant = x.grant
	}
}

func (st *evalState) evalPolicy(p *Policy, t PolicyType, index, level int) outcome {
	pols := [1]*Policy{p}
	return st.evalIndex(&p.idx, pols[:], t, index, level)
}

func refLess(a, b stmtRef) bool { return a.p < b.p || (a.p == b.p && a.s < b.s) }

// evalIndex visits the statements that can match the action, in (policy,
// statement) order. base is added to policy numbers for explanations.
func (st *evalState) evalIndex(x *index, pols []*Policy, t PolicyType, base, level int) outcome {
	var o outcome
	var letter []stmtRef
	if n := len(st.service) + 2; len(st.action) >= n {
		letter = x.byLetter[st.action[:n]]
	}
	lists := [4][]stmtRef{x.exact[st.action], letter, x.byService[st.service], x.always}
	last := stmtRef{p: -1, s: -1}
	for {
		// Merge the sorted lists; a statement with several actions can be in
		// more than one.
		k := -1
		for j := range lists {
			if len(lists[j]) > 0 && (k < 0 || refLess(lists[j][0], lists[k][0])) {
				k = j
			}
		}
		if k < 0 {
			break
		}
		ref := lists[k][0]
		lists[k] = lists[k][1:]
		if ref.p == last.p && ref.s == last.s {
			continue
		}
		last = ref
		p := pols[ref.p]
		s := ref.st
		ok, g := st.applies(s)
		if !ok {
			continue
		}
		if s.effect == Deny {
			o.deny = true
		} else {
			o.allow = true
			if g > o.grant {
				o.grant = g
			}
		}
		st.res.Matched = append(st.res.Matched, MatchedStatement{Type: t, Policy: p.name, PolicyIndex: base + int(ref.p), Level: level,
			Statement: s.idx, Sid: s.sid, Effect: s.effect, Start: s.start, End: s.end})
	}
	return o
}

func (st *evalState) applies(s *cstmt) (bool, grant) {
	req := st.req
	m := false
	for i := range s.actions {
		if ok, _ := s.actions[i].match(st.action, false, st); ok {
			m = true
			break
		}
	}
	if m == s.notAction {
		return false, grantNone
	}
	if s.hasResource {
		m = false
		// An entry whose variable has no value matches no resource, for Resource
		// and NotResource alike (IAM User Guide, "Policy variables with no
		// value"); the statement's other entries still count.
		for i := range s.resources {
			if ok, _ := s.resources[i].match(req.Resource, st); ok {
				m = true
				break
			}
		}
		if m == s.notResource {
			return false, grantNone
		}
	}
	g := grantNone
	if cp := s.principal; cp != nil {
		p := &req.Principal
		if s.notPrincipal {
			// A Deny with NotPrincipal always denies IAM users and roles that have a
			// permissions boundary (IAM User Guide, "Permissions boundaries for IAM
			// entities").
			exempt := cp.excludes(p) && !(s.effect == Deny && st.hasBnd && p.Type.iamPrincipal())
			if exempt {
				return false, grantNone
			}
			g = grantDirect
		} else if g = cp.match(p); g == grantNone {
			return false, grantNone
		}
	}
	all := true
	for i := range s.conds {
		c := &s.conds[i]
		vals, present := st.lookup(c.key)
		ok, errs := c.eval(vals, present, st)
		// A missing key is reported when its absence made the condition fail: not for
		// negated operators or ForAllValues, which an absent key satisfies (AWS's
		// simulator lists none for StringNotEquals and ForAllValues:StringEquals on
		// absent keys: radkawar/stackd testdata/aws/iam/conditions.json).
		if !present && c.family != opNull && !c.ifExists && !ok {
			st.noteMissing(c.rawKey)
		}
		if errs {
			// A condition that cannot be evaluated is held against the caller: it
			// keeps an Allow from applying and lets a Deny apply.
			ok = s.effect == Deny
		}
		all = ok && all
	}
	return all, g
}

// evalLevels evaluates SCPs or RCPs: allow means every level allows.
func (st *evalState) evalLevels(levels [][]*Policy, t PolicyType) outcome {
	o := outcome{allow: true}
	for lvl, list := range levels {
		var lo outcome
		for i, p := range list {
			if p != nil {
				lo.add(st.evalPolicy(p, t, i, lvl))
			}
		}
		o.deny = o.deny || lo.deny
		o.allow = o.allow && lo.allow
	}
	return o
}

func (st *evalState) run() {
	req, ps, r := st.req, st.ps, st.res
	p := &req.Principal
	iam := p.Type.iamPrincipal()
	var out [NumPolicyTypes]outcome
	var applies [NumPolicyTypes]bool

	if len(ps.RCPs) > 0 && !ps.ResourceInManagementAccount && !p.ServiceLinked {
		applies[TypeRCP], out[TypeRCP] = true, st.evalLevels(ps.RCPs, TypeRCP)
	}
	if len(ps.SCPs) > 0 && !ps.PrincipalInManagementAccount && !p.ServiceLinked && (iam || p.Type == PrincipalRoot) {
		applies[TypeSCP], out[TypeSCP] = true, st.evalLevels(ps.SCPs, TypeSCP)
	}
	if ps.VPCEndpoint != nil {
		applies[TypeVPCEndpoint], out[TypeVPCEndpoint] = true, st.evalPolicy(ps.VPCEndpoint, TypeVPCEndpoint, 0, 0)
	}
	if ps.Resource != nil {
		applies[TypeResource], out[TypeResource] = true, st.evalPolicy(ps.Resource, TypeResource, 0, 0)
	}
	if iam {
		applies[TypeIdentity] = true
		if g := ps.Identity; g != nil {
			out[TypeIdentity] = st.evalIndex(&g.idx, g.policies, TypeIdentity, 0, 0)
		}
		if ps.Boundary != nil {
			applies[TypeBoundary], out[TypeBoundary] = true, st.evalPolicy(ps.Boundary, TypeBoundary, 0, 0)
		}
		if g := ps.SessionGroup; g != nil && p.Type != PrincipalUser {
			applies[TypeSession], out[TypeSession] = true, st.evalIndex(&g.idx, g.policies, TypeSession, 0, 0)
		} else if ps.Session != nil && p.Type != PrincipalUser {
			applies[TypeSession], out[TypeSession] = true, st.evalPolicy(ps.Session, TypeSession, 0, 0)
		} else if p.Type == PrincipalFederatedUser {
			applies[TypeSession] = true // no session policy: nothing allowed
		}
	} else if p.Type == PrincipalRoot {
		if g := ps.SessionGroup; g != nil {
			applies[TypeSession], out[TypeSession] = true, st.evalIndex(&g.idx, g.policies, TypeSession, 0, 0)
		} else if ps.Session != nil {
			applies[TypeSession], out[TypeSession] = true, st.evalPolicy(ps.Session, TypeSession, 0, 0)
		}
	}

	var deny, block TypeSet
	for t := PolicyType(0); t < NumPolicyTypes; t++ {
		r.Types[t] = TypeDetail{Applies: applies[t], Allowed: out[t].allow, Denied: out[t].deny}
		if applies[t] && out[t].deny {
			deny |= 1 << t
		}
	}
	g := out[TypeResource].grant
	r.ResourceGrant = grantNames[g]
	if deny != 0 {
		r.Decision, r.BlockedBy = ExplicitDeny, deny
		return
	}
	for _, t := range [...]PolicyType{TypeRCP, TypeSCP, TypeVPCEndpoint} {
		if applies[t] && !out[t].allow {
			block |= 1 << t
		}
	}
	sameAccount := req.ResourceAccount == "" || req.ResourceAccount == p.Account
	switch {
	case p.Type == PrincipalRoot:
		if (!sameAccount || ps.ResourceMustAllow) && g == grantNone {
			block |= 1 << TypeResource
		}
	case !iam:
		// Services, anonymous callers and identity providers have no identity
		// policies: only a resource-based policy can allow them.
		if g == grantNone {
			block |= 1 << TypeResource
		}
	default:
		identityOK := out[TypeIdentity].allow
		boundaryOK := !applies[TypeBoundary] || out[TypeBoundary].allow
		sessionOK := !applies[TypeSession] || out[TypeSession].allow
		if sameAccount {
			if g < grantIssuer && !identityOK {
				block |= 1 << TypeIdentity
			}
			if g < grantDirect && !boundaryOK {
				block |= 1 << TypeBoundary
			}
			if g < grantDirect && !sessionOK {
				block |= 1 << TypeSession
			}
			if ps.ResourceMustAllow && g == grantNone {
				block |= 1 << TypeResource
			}
		} else {
			if g == grantNone {
				block |= 1 << TypeResource
			}
			if !identityOK {
				block |= 1 << TypeIdentity
			}
			if !boundaryOK {
				block |= 1 << TypeBoundary
			}
			if !sessionOK {
				block |= 1 << TypeSession
			}
		}
	}
	if block != 0 {
		r.Decision, r.BlockedBy = ImplicitDeny, block
		return
	}
	r.Decision = Allowed
}
