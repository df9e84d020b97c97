package policy

import "strings"

// Policy is a parsed and compiled policy document, ready to evaluate. It is
// immutable and safe for concurrent use; the intended use is to compile each
// document once (the server caches them by document hash) and evaluate many
// requests against it.
type Policy struct {
	name  string
	kind  Kind
	doc   *Document
	stmts []cstmt
	idx   index
}

// index finds the statements that can match an action. exact maps a lower-case
// action ("s3:getobject") to the statements naming it without wildcards; byLetter
// and byService hold statements with wildcard actions, by the service and the
// action's first letter when it is not a wildcard; always holds those that may
// match any action ("*", NotAction). Lists are sorted by (policy, statement), so evaluation visits only
// the statements that can match, in document order.
type index struct {
	exact     map[string][]stmtRef
	byLetter  map[string][]stmtRef // "s3:g" for "s3:Get*": wildcard actions by their first letter
	byService map[string][]stmtRef // "s3" for "s3:*" and "s3:?et*"
	always    []stmtRef
}

// stmtRef names a statement by policy and index, and points at its compiled
// form so the hot loop does not chase the policy's slices.
type stmtRef struct {
	p, s int32
	st   *cstmt
}

func (x *index) add(p int32, pol *Policy) {
	pairs := [...][2]map[string][]stmtRef{{x.exact, pol.idx.exact}, {x.byLetter, pol.idx.byLetter}, {x.byService, pol.idx.byService}}
	for _, m := range pairs {
		for k, l := range m[1] {
			for _, r := range l {
				m[0][k] = append(m[0][k], stmtRef{p, r.s, r.st})
			}
		}
	}
	for _, r := range pol.idx.always {
		x.always = append(x.always, stmtRef{p, r.s, r.st})
	}
}

func newIndex() index {
	return index{exact: map[string][]stmtRef{}, byLetter: map[string][]stmtRef{}, byService: map[string][]stmtRef{}}
}

// Group is a compiled set of policies of one type, typically all identity-based
// policies of a principal (inline, managed and group policies of a user; the
// policies of a role), indexed together so a decision costs the same few index
// look-ups however many policies the principal has. It is immutable and safe for
// concurrent use; the server caches one per principal.
type Group struct {
	policies []*Policy
	idx      index
}

// NewGroup indexes the policies together; nil entries are skipped.
func NewGroup(policies ...*Policy) *Group {
	g := &Group{idx: newIndex()}
	for _, p := range policies {
		if p != nil {
			g.idx.add(int32(len(g.policies)), p)
			g.policies = append(g.policies, p)
		}
	}
	return g
}

// Policies returns the group's policies in order; MatchedStatement.PolicyIndex
// refers to this order.
func (g *Group) Policies() []*Policy {
	if g == nil {
		return nil
	}
	return g.policies
}

type cstmt struct {
	idx          int
	effect       Effect
	sid          string
	notAction    bool
	actions      []pattern
	hasResource  bool
	notResource  bool
	resources    []arnPattern
	principal    *cprincipal
	notPrincipal bool
	conds        []ccond
	start, end   Position
}

// cprincipal is a Principal element split by what it names, account IDs and
// account root ARNs folded into one list of account numbers.
type cprincipal struct {
	all       bool
	arns      []string
	accounts  []string
	services  []string
	federated []string
	canonical []string
}

// Parse parses, validates and compiles one policy document of the given kind. name
// identifies the policy in explanations (an ARN, a policy name, anything). A
// rejected document yields an *Error carrying IAM's code and message.
func Parse(kind Kind, name string, data []byte) (*Policy, error) {
	doc, err := parseDocument(data, kind, true)
	if err != nil {
		return nil, err
	}
	return compile(kind, name, doc), nil
}

// ParseWithoutQuota is Parse without the kind's size quota, for documents whose
// size was already accepted elsewhere (a policy stored before a quota increase)
// and for synthetic benchmarks. Every other check applies.
func ParseWithoutQuota(kind Kind, name string, data []byte) (*Policy, error) {
	doc, err := parseDocument(data, kind, false)
	if err != nil {
		return nil, err
	}
	return compile(kind, name, doc), nil
}

// ParseLenient is ParseWithoutQuota without the checks IAM makes only when it
// stores a document (characters beyond U+00FF, condition values it cannot read):
// for the policy simulator, which AWS lets evaluate such documents (recorded in
// radkawar/stackd testdata/aws/iam/condition_strings.json, condition_ip.json), and
// for documents already stored.
func ParseLenient(kind Kind, name string, data []byte) (*Policy, error) {
	doc, err := parseDocumentAs(data, kind, false, false)
	if err != nil {
		return nil, err
	}
	return compile(kind, name, doc), nil
}

// MustParse is Parse for documents known to be valid (tests, built-in policies);
// it panics on error.
func MustParse(kind Kind, name string, data string) *Policy {
	p, err := Parse(kind, name, []byte(data))
	if err != nil {
		panic("policy " + name + ": " + err.Error())
	}
	return p
}

// Name returns the name given to Parse.
func (p *Policy) Name() string { return p.name }

// Kind returns the kind given to Parse.
func (p *Policy) Kind() Kind { return p.kind }

// Document returns the parsed document. It is shared and must not be modified.
func (p *Policy) Document() *Document { return p.doc }

func compile(kind Kind, name string, doc *Document) *Policy {
	vars := doc.Version == "2012-10-17" // variables are literal text in older documents
	p := &Policy{name: name, kind: kind, doc: doc, stmts: make([]cstmt, len(doc.Statements)), idx: newIndex()}
	for i := range doc.Statements {
		s := &doc.Statements[i]
		c := &p.stmts[i]
		*c = cstmt{idx: i, effect: s.Effect, sid: s.Sid, notAction: s.NotAction, hasResource: s.HasResource,
			notResource: s.NotResource, notPrincipal: s.NotPrincipal, start: s.Start, end: s.End}
		always := s.NotAction
		var exact, letters, services []string
		add := func(list *[]string, k string) {
			if !contains(*list, k) {
				*list = append(*list, k)
			}
		}
		for _, a := range s.Actions {
			// Actions are case-insensitive: patterns and the request's action are
			// both lower-cased, so matching needs no case folding.
			a = strings.ToLower(a)
			c.actions = append(c.actions, compilePattern(a, true, false))
			svc, name, ok := strings.Cut(a, ":")
			switch {
			case !ok || strings.ContainsAny(svc, "*?"):
				always = true
			case !strings.ContainsAny(name, "*?"):
				add(&exact, a)
			case name[0] != '*' && name[0] != '?':
				add(&letters, a[:len(svc)+2])
			default:
				add(&services, svc)
			}
		}
		ref := stmtRef{0, int32(i), c}
		if always {
			p.idx.always = append(p.idx.always, ref)
		} else {
			for _, a := range exact {
				p.idx.exact[a] = append(p.idx.exact[a], ref)
			}
			for _, l := range letters {
				p.idx.byLetter[l] = append(p.idx.byLetter[l], ref)
			}
			for _, svc := range services {
				p.idx.byService[svc] = append(p.idx.byService[svc], ref)
			}
		}
		for _, r := range s.Resources {
			c.resources = append(c.resources, compileARN(r, vars))
		}
		if s.Principal != nil {
			c.principal = compilePrincipal(s.Principal)
		}
		for _, cond := range s.Conditions {
			c.conds = append(c.conds, compileCondition(cond, vars))
		}
	}
	return p
}

func compilePrincipal(pr *Principals) *cprincipal {
	cp := &cprincipal{all: pr.All, federated: pr.Federated, canonical: pr.CanonicalUser}
	for _, s := range pr.Service {
		cp.services = append(cp.services, strings.ToLower(s))
	}
	for _, a := range pr.AWS {
		if acct, ok := accountOf(a); ok {
			cp.accounts = append(cp.accounts, acct)
		} else {
			cp.arns = append(cp.arns, a)
		}
	}
	return cp
}

// accountOf recognises the two ways to name an account in a Principal: the bare
// 12-digit ID and arn:PARTITION:iam::ID:root. Both delegate to the whole account
// (IAM User Guide, "AWS account principals").
func accountOf(s string) (string, bool) {
	if isAccountID(s) {
		return s, true
	}
	if strings.HasPrefix(s, "arn:") && strings.HasSuffix(s, ":root") {
		parts := strings.Split(s, ":")
		if len(parts) == 6 && parts[2] == "iam" && parts[3] == "" && isAccountID(parts[4]) && parts[5] == "root" {
			return parts[4], true
		}
	}
	return "", false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ContextKeys lists the condition keys the policy refers to, in conditions and in
// policy variables, each once (compared case-insensitively) in order of first
// use: what IAM's GetContextKeysForCustomPolicy returns.
func (p *Policy) ContextKeys() []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if lk := strings.ToLower(k); !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	vars := func(s string) {
		if p.doc.Version != "2012-10-17" {
			return
		}
		for i := strings.Index(s, "${"); i >= 0; i = strings.Index(s, "${") {
			if v, n, ok := parseVariable(s[i:]); ok {
				if v.kind == segVar {
					add(strings.TrimSpace(strings.Split(s[i+2:i+n-1], ",")[0]))
				}
				s = s[i+n:]
			} else {
				s = s[i+2:]
			}
		}
	}
	for i := range p.doc.Statements {
		st := &p.doc.Statements[i]
		for _, r := range st.Resources {
			vars(r)
		}
		for _, c := range st.Conditions {
			add(c.Key)
			for _, v := range c.Values {
				vars(v)
			}
		}
	}
	return out
}

// AllowsAnyAction reports whether an Allow statement of p covers at least one of
// actions ("prefix:Name", any case) through its Action or NotAction element alone:
// its Resource, Principal and Condition elements are not weighed, nor are Deny
// statements. It answers whether the policy can grant any of them at all, as IAM's
// ListPoliciesGrantingServiceAccess does.
func (p *Policy) AllowsAnyAction(actions []string) bool {
	lower := make([]string, len(actions))
	for i, a := range actions {
		lower[i] = strings.ToLower(a) // patterns are compiled lower-cased
	}
	for i := range p.stmts {
		s := &p.stmts[i]
		if s.effect != Allow {
			continue
		}
		for _, a := range lower {
			m := false
			for j := range s.actions {
				if ok, _ := s.actions[j].match(a, false, nil); ok {
					m = true
					break
				}
			}
			if m != s.notAction {
				return true
			}
		}
	}
	return false
}
