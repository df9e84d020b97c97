package cloudwatch

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/model"
)

// awsEnumOrder holds the value sets AWS lists in a different order from the model's,
// as its validation message shows them: SetAlarmState's StateValue is "[INSUFFICIENT_DATA,
// ALARM, OK]" (LocalStack's AWS-validated test_set_alarm_invalid_input), the model's
// [OK, ALARM, INSUFFICIENT_DATA]. Other sets keep the model's order (no recorded answer).
var awsEnumOrder = map[string][]string{
	"StateValue": {"INSUFFICIENT_DATA", "ALARM", "OK"},
}

// inputEnums are the value sets of the enumerated string shapes that requests use,
// taken out of the model by init.
var inputEnums = map[*model.Shape][]string{}

// CloudWatch answers a value outside an enumeration with ValidationError, in every
// protocol (recorded: SetAlarmState's StateValue, 400, "1 validation error detected:
// Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy
// enum value set: [INSUFFICIENT_DATA, ALARM, OK]"), where the generic validation would
// answer InvalidParameterValue with the model's order. So init takes the enumerations
// out of the request shapes and checkEnums applies them before authorization, where
// the generic validation would have. Other constraints stay with the generic
// validation, which runs first.
func init() {
	seen := map[*model.Shape]bool{}
	var walk func(s *model.Shape)
	walk = func(s *model.Shape) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		switch s.Type {
		case model.String:
			if len(s.Enum) > 0 {
				values := s.Enum
				if o, ok := awsEnumOrder[s.Name]; ok {
					values = o
				}
				inputEnums[s] = values
				s.Enum = nil
			}
		case model.Structure:
			for _, m := range s.Members {
				walk(m.Shape)
			}
		case model.List:
			walk(s.Member.Shape)
		case model.Map:
			walk(s.Key.Shape)
			walk(s.Value.Shape)
		}
	}
	for _, op := range api.Service.Operations {
		walk(op.Input)
	}
}

// checkEnums answers the first request member, in model order, whose value is outside
// its enumeration; all such members are named in one message, as AWS's validation
// does.
func checkEnums(op string, in map[string]any) error {
	o := api.Service.Operations[op]
	if o == nil || o.Input == nil {
		return nil
	}
	var vs []model.Violation
	enumStruct(o.Input, in, nil, &vs)
	if len(vs) == 0 {
		return nil
	}
	return model.NewError(400, "ValidationError", "%s", model.ValidationMessage(vs))
}

// enumStruct and enumValue walk a request as model.Validate does, with its paths
// (lowerCamel member names, list items as N.member).
func enumStruct(s *model.Shape, v map[string]any, path []string, vs *[]model.Violation) {
	for _, m := range s.Members {
		if x, ok := v[m.Name]; ok && x != nil {
			enumValue(m.Shape, x, append(path, lowerFirst(m.Name)), vs)
		}
	}
}

func enumValue(s *model.Shape, x any, path []string, vs *[]model.Violation) {
	switch s.Type {
	case model.Structure:
		if m, ok := x.(map[string]any); ok {
			enumStruct(s, m, path, vs)
		}
	case model.List:
		l, _ := x.([]any)
		for i, e := range l {
			if e != nil {
				enumValue(s.Member.Shape, e, append(path, strconv.Itoa(i+1), "member"), vs)
			}
		}
	case model.Map:
		m, _ := x.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			enumValue(s.Key.Shape, k, path, vs)
			if e := m[k]; e != nil {
				enumValue(s.Value.Shape, e, path, vs)
			}
		}
	case model.String:
		values, ok := inputEnums[s]
		str, _ := x.(string)
		if ok && !contains(values, str) {
			*vs = append(*vs, model.Violation{Path: strings.Join(path, "."), Value: "'" + str + "'",
				Constraint: "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"})
		}
	}
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}
