package policy

import "strings"

// Kind says where a policy document is attached. It decides which elements are
// required or forbidden, the size quota and how characters are counted, exactly as
// the API that stores that kind of policy does (see the IAM User Guide, "IAM and AWS
// STS quotas", and the AWS Organizations User Guide, "SCP syntax" / "RCP syntax").
type Kind uint8

// The kinds of policy document. The zero value is a customer-managed identity policy.
const (
	KindManaged     Kind = iota // managed identity-based policy (CreatePolicy): 6,144 non-whitespace characters
	KindUserInline              // inline policy of a user (PutUserPolicy): 2,048 non-whitespace characters
	KindGroupInline             // inline policy of a group (PutGroupPolicy): 5,120 non-whitespace characters
	KindRoleInline              // inline policy of a role (PutRolePolicy): 10,240 non-whitespace characters
	KindBoundary                // managed policy used as a permissions boundary: 6,144
	KindSession                 // session policy passed to AssumeRole* or GetFederationToken: 2,048 characters
	KindTrust                   // role trust policy (AssumeRolePolicyDocument): 2,048 non-whitespace characters (default quota)
	KindResource                // resource-based policy of another service (bucket, key, queue...): the service enforces its own size
	KindSCP                     // service control policy: 5,120 characters, whitespace included
	KindRCP                     // resource control policy: 5,120 characters, whitespace included
	KindVPCEndpoint             // VPC endpoint policy: 20,480 characters
	numKinds
)

var kindNames = [numKinds]string{"managed", "user-inline", "group-inline", "role-inline", "boundary", "session", "trust", "resource", "scp", "rcp", "vpc-endpoint"}

// String returns the name ParseKind accepts.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind maps a name such as "managed", "trust" or "scp" (case-insensitive) to
// its Kind; ok is false for an unknown name.
func ParseKind(name string) (Kind, bool) {
	for i, n := range kindNames {
		if strings.EqualFold(n, name) {
			return Kind(i), true
		}
	}
	return 0, false
}

// MaxSize is the kind's size quota in characters, 0 when the engine enforces none.
// For the inline kinds IAM applies the quota to the sum of all inline policies of
// the entity; the caller adds up Size over them and compares with MaxSize.
func (k Kind) MaxSize() int {
	switch k {
	case KindManaged, KindBoundary:
		return 6144
	case KindUserInline, KindSession, KindTrust:
		return 2048
	case KindGroupInline, KindSCP, KindRCP:
		return 5120
	case KindRoleInline:
		return 10240
	case KindVPCEndpoint:
		return 20480
	}
	return 0
}

// countsWhitespace reports whether whitespace counts against the quota: IAM does
// not count it, Organizations and STS count every character.
func (k Kind) countsWhitespace() bool {
	return k == KindSCP || k == KindRCP || k == KindSession || k == KindVPCEndpoint
}

// iam reports whether IAM itself stores the document, so IAM's character set and
// Sid grammar apply.
func (k Kind) iam() bool {
	return k <= KindTrust
}

// forbidsPrincipal: identity-like documents name no principal, it is implied.
func (k Kind) forbidsPrincipal() bool {
	return k <= KindSession || k == KindSCP
}

// needsPrincipal: resource-like documents must say whom they apply to.
func (k Kind) needsPrincipal() bool {
	return k == KindTrust || k == KindResource || k == KindRCP || k == KindVPCEndpoint
}

// Size is the length of a document as the kind's quota counts it: characters, with
// whitespace outside string literals left out for the IAM kinds.
func Size(data []byte, k Kind) int {
	n := 0
	inStr, esc := false, false
	for _, c := range data {
		if c&0xC0 == 0x80 { // UTF-8 continuation byte: part of a counted character
			continue
		}
		if !k.countsWhitespace() && !inStr && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		n++
		switch {
		case esc:
			esc = false
		case c == '\\' && inStr:
			esc = true
		case c == '"':
			inStr = !inStr
		}
	}
	return n
}
