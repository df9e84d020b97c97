package logs

import (
	"unicode/utf8"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/model"
)

// maxNameLen is the length AWS allows a log group or log stream name.
const maxNameLen = 512

// The CloudWatch Logs model is stricter than CloudWatch Logs in two places, and the
// generic validation that reads it would answer before the service can answer as AWS
// does:
//
//   - MetricNamespace's pattern [^:*$]* refuses ':', which AWS takes in a metric
//     filter's namespace ("A.B-c_d/1#2:metricNamespace", LocalStack's AWS-validated
//     test_put_metric_filter_with_special_namespace). '*' and '$' stay refused: no
//     recorded answer says otherwise.
//   - A log group or stream name over 512 characters is not the generic "failed to
//     satisfy constraint" message: AWS answers InvalidParameterException "Invalid
//     LogGroup or LogStream, both must have length less than or equal to 512."
//     (recorded for CreateLogGroup and DeleteMetricFilter). The request members
//     logGroupName and logStreamName get a copy of their shape without the maximum,
//     and nameLengths answers instead. Prefixes and lists keep the model's rule.
func init() {
	ns := api.Service.Operations["PutMetricFilter"].Input.ByName["metricTransformations"].Shape.Member.Shape.ByName["metricNamespace"].Shape
	ns.Pattern = "[^*$]*"
	unbounded := map[*model.Shape]*model.Shape{}
	for _, op := range api.Service.Operations {
		if op.Input == nil {
			continue
		}
		for _, name := range []string{"logGroupName", "logStreamName"} {
			m := op.Input.ByName[name]
			if m == nil || m.Shape.Max == nil || *m.Shape.Max != maxNameLen {
				continue
			}
			s := unbounded[m.Shape]
			if s == nil {
				s = &model.Shape{Name: m.Shape.Name, Type: m.Shape.Type, Min: m.Shape.Min, Pattern: m.Shape.Pattern}
				unbounded[m.Shape] = s
			}
			m.Shape = s
		}
	}
}

// nameLengths answers a request whose log group or stream name is longer than AWS
// allows, as AWS does (see init). It runs before authorization, where the model's
// length check would have.
func nameLengths(in map[string]any) error {
	for _, name := range []string{"logGroupName", "logStreamName"} {
		if s, _ := in[name].(string); utf8.RuneCountInString(s) > maxNameLen {
			return errParam("Invalid LogGroup or LogStream, both must have length less than or equal to 512.")
		}
	}
	return nil
}
