package wire

import (
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// The ec2 protocol is the query protocol's decoder with EC2's names (see queryProtocol)
// and EC2's own error vocabulary, which predates AWS's shared validators: a missing
// parameter is MissingParameter, a bad value InvalidParameterValue, a parameter the
// action does not take UnknownParameter, each with EC2's wording.

// ec2ParamName is a member's parameter name: its queryName, else its locationName
// capitalized, else its name.
func ec2ParamName(m *model.Member) string {
	if m.QueryName != "" {
		return m.QueryName
	}
	if m.LocationName != "" {
		return strings.ToUpper(m.LocationName[:1]) + m.LocationName[1:]
	}
	return m.Name
}

// ec2CommonParams are the parameters every EC2 request may carry besides its action's
// own: the action and version, and the signature version 2 and presigned version 4
// authentication parameters.
var ec2CommonParams = map[string]bool{
	"Action": true, "Version": true, "AWSAccessKeyId": true, "Signature": true, "SignatureMethod": true,
	"SignatureVersion": true, "Timestamp": true, "Expires": true, "SecurityToken": true,
}

// ec2UnknownParameter is EC2's answer to a parameter no member claims, or nil.
func ec2UnknownParameter(keys []string, used map[string]bool) *model.Error {
	for _, k := range keys {
		if used[k] || ec2CommonParams[k] || strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		return model.NewError(400, "UnknownParameter", "The parameter %s is not recognized", k)
	}
	return nil
}

// ec2InvalidValue phrases a bad value as EC2 does: "Value (x) for parameter groupId is
// invalid." followed by what the model wanted, when known.
func ec2InvalidValue(v model.Violation) *model.Error {
	msg := "Value (" + strings.TrimSuffix(strings.TrimPrefix(v.Value, "'"), "'") + ") for parameter " + v.Path + " is invalid."
	if v.Constraint != "" {
		msg += " " + v.Constraint
	}
	return model.NewError(400, "InvalidParameterValue", "%s", msg)
}

// ec2Validate checks an ec2 input: the first absent required parameter, by its wire
// path, then the model's other constraints.
func ec2Validate(s *model.Shape, in map[string]any) *model.Error {
	if name, ok := ec2Missing(s, in, ""); ok {
		return model.NewError(400, "MissingParameter", "The request must contain the parameter %s", name)
	}
	if vs := model.Validate(s, in); len(vs) > 0 {
		return ec2InvalidValue(vs[0])
	}
	return nil
}

func ec2Missing(s *model.Shape, in map[string]any, prefix string) (string, bool) {
	for _, m := range s.Members {
		name := prefix + ec2ParamName(m)
		v, ok := in[m.Name]
		if !ok || v == nil {
			if m.Required {
				return name, true
			}
			continue
		}
		switch m.Shape.Type {
		case model.Structure:
			if sv, ok := v.(map[string]any); ok {
				if n, ok := ec2Missing(m.Shape, sv, name+"."); ok {
					return n, true
				}
			}
		case model.List:
			l, _ := v.([]any)
			if m.Shape.Member.Shape.Type != model.Structure {
				continue
			}
			for i, e := range l {
				if sv, ok := e.(map[string]any); ok {
					if n, ok := ec2Missing(m.Shape.Member.Shape, sv, name+"."+strconv.Itoa(i+1)+"."); ok {
						return n, true
					}
				}
			}
		}
	}
	return "", false
}
