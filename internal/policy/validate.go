package policy

import (
	"errors"
	"strings"
)

// Finding is one result of Validate: the error IAM would return, or a warning
// about a construct IAM accepts but that rarely does what its author meant.
type Finding struct {
	Severity string   `json:"severity"` // "error" or "warning"
	Code     string   `json:"code"`     // MalformedPolicyDocument, LimitExceeded, or a warning code
	Message  string   `json:"message"`
	Pos      Position `json:"position"`
}

// Validate checks one document as Parse does and, when IAM would accept it,
// looks for documented pitfalls. It returns no findings for a clean document.
func Validate(kind Kind, data []byte) []Finding {
	p, err := Parse(kind, "", data)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return []Finding{{Severity: "error", Code: pe.Code, Message: pe.Message, Pos: pe.Pos}}
		}
		return []Finding{{Severity: "error", Code: "MalformedPolicyDocument", Message: err.Error()}}
	}
	return lint(p.Document())
}

func lint(doc *Document) []Finding {
	var out []Finding
	warn := func(st *Statement, code, msg string) {
		out = append(out, Finding{Severity: "warning", Code: code, Message: msg, Pos: st.Start})
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.NotPrincipal && st.Effect == Allow {
			warn(st, "NotPrincipalWithAllow", `NotPrincipal must be used with "Effect":"Deny"; with Allow it grants every other principal, anonymous users included.`)
		}
		for _, c := range st.Conditions {
			set, base, _ := splitOperator(c.Operator)
			if set == "ForAllValues" && st.Effect == Allow {
				warn(st, "ForAllValuesWithAllow", "ForAllValues:"+base+" on "+c.Key+" is true when the key is missing or empty; add a Null check or use ForAnyValue.")
			}
			hasVar := false
			for _, v := range c.Values {
				hasVar = hasVar || strings.Contains(v, "${")
			}
			if !hasVar {
				continue
			}
			switch {
			case doc.Version != "2012-10-17":
				warn(st, "VariableInOldVersion", "policy variables need Version 2012-10-17; here ${...} in "+c.Key+" is matched literally.")
			case !(strings.HasPrefix(base, "String") || strings.HasPrefix(base, "Arn") || base == "Bool"):
				warn(st, "VariableNotSupported", base+" does not support policy variables; ${...} in "+c.Key+" is matched literally.")
			}
		}
		if doc.Version != "2012-10-17" {
			for _, r := range st.Resources {
				if strings.Contains(r, "${") {
					warn(st, "VariableInOldVersion", "policy variables need Version 2012-10-17; here ${...} in "+r+" is matched literally.")
				}
			}
		}
	}
	return out
}
