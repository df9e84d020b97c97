package authz

import "strings"

// FillARN substitutes the ${Variable}s of a resource type's ARN template with values
// from lookup. It fails when a variable has no value, so a caller can fall back to "*"
// or to another resource type.
func FillARN(template string, lookup func(name string) (string, bool)) (string, bool) {
	var b strings.Builder
	rest := template
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), true
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", false
		}
		b.WriteString(rest[:i])
		v, ok := lookup(rest[i+2 : i+j])
		if !ok {
			return "", false
		}
		b.WriteString(v)
		rest = rest[i+j+1:]
	}
}

// ReadOnlyAction reports whether CloudTrail would mark the action read-only, by its
// access level; unknown actions are not read-only.
func ReadOnlyAction(name string) bool {
	a, ok := LookupAction(name)
	return ok && a.Access.ReadOnly()
}
