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
	// index maps a lower-case service prefix to the statements whose Action names
	// that service; always holds those that may match any action ("*", NotAction).
	// Both are in document order, so evaluation visits only the statements that can
	// match and cost grows with the statements of one service, not the document.
	index  map[string][]int32
	always []int32
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
	doc, err := parseDocument(data, kind)
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
	p := &Policy{name: name, kind: kind, doc: doc, stmts: make([]cstmt, len(doc.Statements)), index: map[string][]int32{}}
	for i := range doc.Statements {
		s := &doc.Statements[i]
		c := &p.stmts[i]
		*c = cstmt{idx: i, effect: s.Effect, sid: s.Sid, notAction: s.NotAction, hasResource: s.HasResource,
			notResource: s.NotResource, notPrincipal: s.NotPrincipal, start: s.Start, end: s.End}
		always := s.NotAction
		var services []string
		for _, a := range s.Actions {
			c.actions = append(c.actions, compilePattern(a, true, false))
			svc, _, ok := strings.Cut(a, ":")
			if !ok || strings.ContainsAny(svc, "*?") {
				always = true
				continue
			}
			svc = strings.ToLower(svc)
			if !contains(services, svc) {
				services = append(services, svc)
			}
		}
		if always {
			p.always = append(p.always, int32(i))
		} else {
			for _, svc := range services {
				p.index[svc] = append(p.index[svc], int32(i))
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
