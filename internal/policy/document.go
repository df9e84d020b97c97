package policy

import (
	"strconv"
	"strings"
)

// Effect is a statement's Effect element.
type Effect uint8

// The two effects. The zero value is not a valid effect.
const (
	Allow Effect = iota + 1
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return ""
}

// Document is a parsed policy document, element by element. Single strings are
// normalised to one-element lists, so a Document prints back canonically with
// Marshal. It must be treated as read-only once parsed: compiled policies share it.
type Document struct {
	Version    string // "2012-10-17", "2008-10-17" or "" when absent
	ID         string
	Statements []Statement
}

// Statement is one element of the Statement list.
type Statement struct {
	Sid    string
	Effect Effect
	// Principal holds the Principal element, or the NotPrincipal element when
	// NotPrincipal is true; nil when the statement has neither.
	Principal    *Principals
	NotPrincipal bool
	// Actions holds Action, or NotAction when NotAction is true.
	Actions   []string
	NotAction bool
	// Resources holds Resource, or NotResource when NotResource is true; HasResource
	// is false when the statement has neither (trust policies).
	Resources   []string
	NotResource bool
	HasResource bool
	Conditions  []Condition
	// Start and End delimit the statement object in the source document (End is
	// just past its closing brace).
	Start, End Position
}

// Principals is the value of a Principal or NotPrincipal element. All is true for
// "*" (and for {"AWS": "*"}, which AWS treats the same way).
type Principals struct {
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one (operator, key) pair of a Condition block with its values, in
// document order. Non-string JSON values (true, 10) keep their literal text.
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Error is a rejected policy document, carrying the error code and message the AWS
// API returns for it (MalformedPolicyDocument for nearly everything, LimitExceeded
// for size) and, when known, where in the document the problem is.
type Error struct {
	Code    string
	Message string
	Pos     Position // zero when the problem has no single place
}

// Error implements error as "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The messages IAM returns in MalformedPolicyDocument errors. They are compared
// byte for byte by clients and tests, so they are kept verbatim, including IAM's
// own inconsistencies ("Actions/Condition", "can not", the double space).
const (
	MsgSyntax           = "Syntax errors in policy."
	MsgVersion          = "Policy document must be version 2012-10-17 or greater."
	MsgLegacy           = "The policy failed legacy parsing"
	MsgSidUnique        = "Statement IDs (SID) in a single policy must be unique."
	MsgSidAlnum         = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	MsgNoActions        = "Policy statement must contain actions."
	MsgNoResources      = "Policy statement must contain resources."
	MsgVendor           = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	MsgOneColon         = "Actions/Condition can contain only one colon."
	MsgResourceVendor   = "Resource vendor must be fully qualified and cannot contain regexes."
	MsgPrincipalForbid  = "Policy document should not specify a principal."
	MsgPrincipalMissing = "Missing required field Principal"
	MsgResourceForbid   = "Has prohibited field Resource."
	MsgTrustActions     = "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"
	MsgWildcardPrinc    = "Unsupported Wildcard In Principal"
	MsgIAMPath          = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
)

// MsgResourceFormat is IAM's message for a Resource that is neither "*" nor an ARN.
func MsgResourceFormat(r string) string { return "Resource " + r + ` must be in ARN format or "*".` }

// MsgVendorInvalid is IAM's message for an action whose service prefix has
// characters outside [A-Za-z0-9.-].
func MsgVendorInvalid(v string) string { return "Vendor " + v + " is not valid" }

// MsgIAMRegion is IAM's message for an IAM resource ARN with a region.
func MsgIAMRegion(r string) string {
	return "IAM resource " + r + " cannot contain region information."
}

// MsgS3Region is IAM's message for an S3 resource ARN with a region.
func MsgS3Region(r string) string { return "Resource " + r + " can not contain region information." }

// MsgPartition is IAM's message for an unknown partition.
func MsgPartition(part, arn string) string {
	return `Partition "` + part + `" is not valid for resource "` + arn + `".`
}

func malformed(msg string, p Position) *Error {
	return &Error{Code: "MalformedPolicyDocument", Message: msg, Pos: p}
}

var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

var conditionOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

// splitOperator separates "ForAnyValue:StringLikeIfExists" into its parts; base is
// "" when the operator is not one IAM knows.
func splitOperator(op string) (set string, base string, ifExists bool) {
	rest := op
	for _, p := range [...]string{"ForAnyValue:", "ForAllValues:"} {
		if strings.HasPrefix(rest, p) {
			set, rest = p[:len(p)-1], rest[len(p):]
			break
		}
	}
	if strings.HasSuffix(rest, "IfExists") && rest != "IfExists" {
		rest, ifExists = strings.TrimSuffix(rest, "IfExists"), true
	}
	for _, o := range conditionOperators {
		if o == rest {
			if o == "Null" && ifExists {
				return set, "", false
			}
			return set, o, ifExists
		}
	}
	return set, "", ifExists
}

// parseDocument turns JSON into a Document, returning IAM's error for the first
// problem in the order IAM reports them (syntax, version, legacy parsing, Sid,
// actions, resources, vendors, kind-specific rules).
func parseDocument(data []byte, kind Kind, quota bool) (*Document, error) {
	return parseDocumentAs(data, kind, quota, true)
}

// parseDocumentAs is parseDocument; without stored, the checks IAM makes only on
// documents it keeps (characters, condition values) are left out, as the policy
// simulator reads its inputs.
func parseDocumentAs(data []byte, kind Kind, quota, stored bool) (*Document, error) {
	if max := kind.MaxSize(); quota && max > 0 && Size(data, kind) > max {
		return nil, sizeError(kind, max)
	}
	root, err := decodeJSON(data)
	if err != nil {
		je := err.(*jsonError)
		return nil, malformed(MsgSyntax, je.pos)
	}
	// IAM name requirements: a document holds only tab, LF, CR and U+0020..U+00FF,
	// whether written literally or as \u escapes, so check the decoded text. STS
	// takes other characters in session policies (recorded with "Σ" and "𐐀" in
	// radkawar/stackd testdata/aws/iam/condition_strings.json).
	if kind.iam() && kind != KindSession && stored {
		if v := badChars(root); v != nil {
			return nil, malformed(MsgSyntax, v.start)
		}
	}
	doc, legacy, err := buildDocument(root)
	if err != nil {
		return nil, err
	}
	if err := checkDocument(doc, kind, legacy); err != nil {
		return nil, err
	}
	if stored {
		if err := valueProblem(doc, kind); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func badChars(v *jvalue) *jvalue {
	bad := func(s string) bool {
		for _, r := range s {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r > 0xFF {
				return true
			}
		}
		return false
	}
	if v.kind == jString && bad(v.str) {
		return v
	}
	for _, e := range v.elems {
		if b := badChars(e); b != nil {
			return b
		}
	}
	for _, m := range v.members {
		if bad(m.key) {
			return v
		}
		if b := badChars(m.val); b != nil {
			return b
		}
	}
	return nil
}

func sizeError(kind Kind, max int) *Error {
	msg := "Cannot exceed quota for PolicySize: " + strconv.Itoa(max)
	switch kind {
	case KindTrust:
		msg = "Cannot exceed quota for ACLSizePerRole: " + strconv.Itoa(max)
	case KindUserInline, KindGroupInline, KindRoleInline:
		msg = "Maximum policy size of " + strconv.Itoa(max) + " bytes exceeded."
	case KindSession:
		msg = "Member must have length less than or equal to " + strconv.Itoa(max)
	}
	return &Error{Code: "LimitExceeded", Message: msg}
}

// buildDocument checks the JSON shape (IAM's "Syntax errors in policy." class of
// problems) and converts it into a Document. legacy is the first problem only IAM's
// legacy parser reports (an Effect in the wrong case): IAM reports it after the
// Version check, so the caller does too.
func buildDocument(root *jvalue) (doc *Document, legacy *Error, err error) {
	syntax := func(v *jvalue) error { return malformed(MsgSyntax, v.start) }
	if root.kind != jObject {
		return nil, nil, syntax(root)
	}
	doc = &Document{}
	var stmts *jvalue
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if m.val.kind != jString || (m.val.str != "2012-10-17" && m.val.str != "2008-10-17") {
				return nil, nil, syntax(m.val)
			}
			doc.Version = m.val.str
		case "Id":
			if m.val.kind != jString {
				return nil, nil, syntax(m.val)
			}
			doc.ID = m.val.str
		case "Statement":
			stmts = m.val
		default:
			return nil, nil, malformed(MsgSyntax, m.keyPos)
		}
	}
	if stmts == nil {
		return nil, nil, syntax(root)
	}
	var list []*jvalue
	switch stmts.kind {
	case jObject:
		list = []*jvalue{stmts}
	case jArray:
		list = stmts.elems
	default:
		return nil, nil, syntax(stmts)
	}
	if len(list) == 0 {
		return nil, nil, syntax(stmts)
	}
	doc.Statements = make([]Statement, len(list))
	for i, sv := range list {
		l, err := buildStatement(sv, &doc.Statements[i])
		if err != nil {
			return nil, nil, err
		}
		if legacy == nil {
			legacy = l
		}
	}
	return doc, legacy, nil
}

func stringList(v *jvalue) ([]string, bool) {
	switch v.kind {
	case jString:
		return []string{v.str}, true
	case jArray:
		out := make([]string, len(v.elems))
		for i, e := range v.elems {
			if e.kind != jString {
				return nil, false
			}
			out[i] = e.str
		}
		return out, true
	}
	return nil, false
}

func buildStatement(v *jvalue, st *Statement) (legacy *Error, err error) {
	if v.kind != jObject {
		return nil, malformed(MsgSyntax, v.start)
	}
	st.Start, st.End = v.start, v.end
	var seenAction, seenResource, seenPrincipal bool
	for _, m := range v.members {
		bad := malformed(MsgSyntax, m.val.start)
		switch m.key {
		case "Sid":
			if m.val.kind != jString {
				return nil, bad
			}
			st.Sid = m.val.str
		case "Effect":
			if m.val.kind != jString {
				return nil, bad
			}
			switch {
			case m.val.str == "Allow":
				st.Effect = Allow
			case m.val.str == "Deny":
				st.Effect = Deny
			case strings.EqualFold(m.val.str, "allow"), strings.EqualFold(m.val.str, "deny"):
				// IAM's syntax check is case-insensitive, its legacy parser is not
				// (and runs after the Version check).
				st.Effect = Allow
				if legacy == nil {
					legacy = malformed(MsgLegacy, m.val.start)
				}
			default:
				return nil, bad
			}
		case "Action", "NotAction":
			l, err := exclusiveList(m, &seenAction)
			if err != nil {
				return nil, err
			}
			st.Actions, st.NotAction = l, m.key == "NotAction"
		case "Resource", "NotResource":
			l, err := exclusiveList(m, &seenResource)
			if err != nil {
				return nil, err
			}
			st.Resources, st.NotResource, st.HasResource = l, m.key == "NotResource", true
		case "Principal", "NotPrincipal":
			if seenPrincipal {
				return nil, malformed(MsgSyntax, m.keyPos)
			}
			seenPrincipal = true
			p, err := buildPrincipals(m.val)
			if err != nil {
				return nil, err
			}
			st.Principal, st.NotPrincipal = p, m.key == "NotPrincipal"
		case "Condition":
			if m.val.kind != jObject {
				return nil, bad
			}
			for _, om := range m.val.members {
				if om.val.kind != jObject {
					return nil, malformed(MsgSyntax, om.val.start)
				}
				if _, base, _ := splitOperator(om.key); base == "" && len(om.val.members) > 0 {
					return nil, malformed(MsgSyntax, om.keyPos)
				}
				for _, km := range om.val.members {
					vals, ok := conditionValues(km.val)
					if !ok {
						return nil, malformed(MsgSyntax, km.val.start)
					}
					st.Conditions = append(st.Conditions, Condition{Operator: om.key, Key: km.key, Values: vals})
				}
			}
		default:
			return nil, malformed(MsgSyntax, m.keyPos)
		}
	}
	if st.Effect == 0 {
		return nil, malformed(MsgSyntax, v.start)
	}
	return legacy, nil
}

// exclusiveList reads Action/NotAction or Resource/NotResource: a string or a
// list of strings, and only one of the pair per statement.
func exclusiveList(m jmember, seen *bool) ([]string, error) {
	if *seen {
		return nil, malformed(MsgSyntax, m.keyPos)
	}
	*seen = true
	l, ok := stringList(m.val)
	if !ok {
		return nil, malformed(MsgSyntax, m.val.start)
	}
	return l, nil
}

func conditionValues(v *jvalue) ([]string, bool) {
	switch v.kind {
	case jString, jBool, jNumber:
		return []string{v.str}, true
	case jArray:
		out := make([]string, len(v.elems))
		for i, e := range v.elems {
			if e.kind != jString && e.kind != jBool && e.kind != jNumber {
				return nil, false
			}
			out[i] = e.str
		}
		return out, true
	}
	return nil, false
}

func buildPrincipals(v *jvalue) (*Principals, error) {
	p := &Principals{}
	if v.kind == jString {
		if v.str != "*" {
			return nil, malformed(MsgSyntax, v.start)
		}
		p.All = true
		return p, nil
	}
	if v.kind != jObject || len(v.members) == 0 {
		return nil, malformed(MsgSyntax, v.start)
	}
	for _, m := range v.members {
		l, ok := stringList(m.val)
		if !ok {
			return nil, malformed(MsgSyntax, m.val.start)
		}
		switch m.key {
		case "AWS":
			for _, s := range l {
				if s == "*" {
					p.All = true
				}
			}
			p.AWS = l
		case "Service":
			p.Service = l
		case "Federated":
			p.Federated = l
		case "CanonicalUser":
			p.CanonicalUser = l
		default:
			return nil, malformed(MsgSyntax, m.keyPos)
		}
	}
	return p, nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// checkDocument applies IAM's semantic checks after the shape is known good.
func checkDocument(doc *Document, kind Kind, legacy *Error) error {
	if (kind == KindManaged || kind == KindBoundary) && doc.Version != "2012-10-17" {
		return malformed(MsgVersion, Position{})
	}
	if legacy != nil {
		return legacy
	}
	// Legacy parsing: date values and ARN shapes IAM's old parser refuses.
	for i := range doc.Statements {
		st := &doc.Statements[i]
		for _, c := range st.Conditions {
			if _, base, _ := splitOperator(c.Operator); strings.HasPrefix(base, "Date") {
				for _, v := range c.Values {
					if !IsDate(v) {
						return malformed(MsgLegacy, st.Start)
					}
				}
			}
		}
		for _, r := range st.Resources {
			if legacyARN(r, kind) {
				return malformed(MsgLegacy, st.Start)
			}
		}
	}
	seen := map[string]bool{}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.Sid == "" {
			continue
		}
		if seen[st.Sid] {
			return malformed(MsgSidUnique, st.Start)
		}
		seen[st.Sid] = true
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if kind.iam() && !isAlnum(st.Sid) {
			return malformed(MsgSidAlnum, st.Start)
		}
		if st.Principal != nil && kind.forbidsPrincipal() {
			return malformed(MsgPrincipalForbid, st.Start)
		}
		if st.Principal == nil && kind.needsPrincipal() {
			return malformed(MsgPrincipalMissing, st.Start)
		}
		if len(st.Actions) == 0 {
			return malformed(MsgNoActions, st.Start)
		}
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		for _, r := range st.Resources {
			if msg := resourceProblem(r); msg != "" {
				return malformed(msg, st.Start)
			}
		}
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if kind == KindTrust {
			if st.HasResource {
				return malformed(MsgResourceForbid, st.Start)
			}
		} else if !st.HasResource || len(st.Resources) == 0 {
			return malformed(MsgNoResources, st.Start)
		}
		for _, a := range st.Actions {
			if msg := actionProblem(a); msg != "" {
				return malformed(msg, st.Start)
			}
		}
		// IAM accepts condition keys without a service prefix ("a", recorded
		// against CreatePolicy); other services' policies keep the check.
		if !kind.iam() {
			for _, c := range st.Conditions {
				if !strings.Contains(c.Key, ":") {
					return malformed(MsgVendor, st.Start)
				}
			}
		}
		if kind == KindTrust {
			if st.NotAction {
				return malformed(MsgTrustActions, st.Start)
			}
			for _, a := range st.Actions {
				if !trustAction(a) {
					return malformed(MsgTrustActions, st.Start)
				}
			}
			if p := st.Principal; p != nil && !p.All {
				for _, a := range p.AWS {
					if strings.ContainsAny(a, "*?") {
						return malformed(MsgWildcardPrinc, st.Start)
					}
				}
			}
		}
	}
	return nil
}

// legacyARN reports a resource IAM's legacy parser refuses: an ARN of a known
// partition with an empty service ("arn:aws::x", "arn:aws::::x") or with "::" and
// fewer than six parts ("arn:aws:s3::bucket"). A resource of an unknown partition
// is left to the partition check, which IAM reports instead (both recorded against
// CreatePolicy). Other services' policies keep the plain "::" rule: their answers
// for these were not recorded.
func legacyARN(r string, kind Kind) bool {
	if r == "*" || !strings.Contains(r, "::") {
		return false
	}
	if !kind.iam() {
		return strings.Count(r, ":") < 5
	}
	_, rest, _ := strings.Cut(r, ":")
	part, rest, _ := strings.Cut(rest, ":")
	if part != "*" && !contains(partitions, part) {
		return false
	}
	return strings.HasPrefix(rest, ":") || strings.Count(r, ":") < 5
}

// trustAction lists what a trust policy may grant: the actions that act on a role
// as their resource. IAM's message names only three of them, but it accepts these.
func trustAction(a string) bool {
	switch strings.ToLower(a) {
	case "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
		"sts:tagsession", "sts:setsourceidentity", "sts:setcontext", "sts:*":
		return true
	}
	return false
}

func actionProblem(a string) string {
	if a == "*" {
		return ""
	}
	vendor, rest, ok := strings.Cut(a, ":")
	if !ok {
		return MsgVendor
	}
	if strings.Contains(rest, ":") {
		return MsgOneColon
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '.') {
			return MsgVendorInvalid(vendor)
		}
	}
	return ""
}

// resourceProblem reproduces IAM's Resource checks: "*" or arn:partition:service:...,
// no region for IAM and S3 (bar S3 access points), IAM paths of a known type.
func resourceProblem(r string) string {
	if r == "*" {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return MsgResourceFormat(r)
	}
	part, rest, hasService := strings.Cut(rest, ":")
	if part != "*" && !contains(partitions, part) {
		p := strings.Split(rest, ":")
		get := func(i int) string {
			if i < len(p) && (p[i] != "" || len(p) > 1) {
				return p[i]
			}
			return "*"
		}
		last := "*"
		if len(p) > 3 {
			last = strings.Join(p[3:], ":")
		}
		return MsgPartition(part, "arn:"+part+":"+get(0)+":"+get(1)+":"+get(2)+":"+last)
	}
	if !hasService {
		return MsgResourceVendor
	}
	service, rest, _ := strings.Cut(rest, ":")
	region, rest, _ := strings.Cut(rest, ":")
	_, id, _ := strings.Cut(rest, ":")
	switch service {
	case "iam":
		if region != "" {
			return MsgIAMRegion(r)
		}
		if id != "*" && id != "root" && !hasAnyPrefix(id, "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
			"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/") {
			return MsgIAMPath
		}
	case "s3":
		if region != "" && !strings.HasPrefix(id, "accesspoint/") {
			return MsgS3Region(r)
		}
	}
	return ""
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
