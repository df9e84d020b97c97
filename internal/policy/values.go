package policy

import (
	"encoding/base64"
	"strings"
)

// valueProblem reports a condition value IAM cannot read, as the legacy parsing
// error IAM gives for a date it cannot read. AWS was recorded refusing to store
// (MalformedPolicyDocument) IpAddress "not-an-ip", "2001:db8::5/64", "192.0.2.0/33",
// "::ffff:192.0.2.1", ArnLike "not-an-arn" and BinaryEquals "no-binary", and STS
// refusing BinaryEquals "no-binary" in a session policy while it took the others
// (radkawar/stackd testdata/aws/iam/condition_ip.json, condition_values.json); the
// message was not recorded. Values holding a policy variable are read when
// evaluated.
func valueProblem(doc *Document, kind Kind) *Error {
	if !kind.iam() && kind != KindSession {
		return nil
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		for _, c := range st.Conditions {
			_, base, _ := splitOperator(c.Operator)
			for _, v := range c.Values {
				if !valueReadable(base, v, kind) {
					return malformed(MsgLegacy, st.Start)
				}
			}
		}
	}
	return nil
}

func valueReadable(op, v string, kind Kind) bool {
	if op == "BinaryEquals" {
		_, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			_, err = base64.RawStdEncoding.DecodeString(v)
		}
		return err == nil
	}
	if !kind.iam() || kind == KindSession || strings.Contains(v, "${") {
		return true
	}
	switch op {
	case "IpAddress", "NotIpAddress":
		_, ok := parsePolicyIP(strings.TrimSpace(v))
		return ok
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return arnValue(v)
	}
	return true
}
