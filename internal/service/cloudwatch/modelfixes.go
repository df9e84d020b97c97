package cloudwatch

import (
	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/model"
)

// CloudWatch lists SetAlarmState's (and DescribeAlarms') StateValue set in its own
// order in a validation message, "[INSUFFICIENT_DATA, ALARM, OK]" (LocalStack's
// AWS-validated test_set_alarm_invalid_input), where the model has [OK, ALARM,
// INSUFFICIENT_DATA]; the shared validation words the message from the model, so the
// model takes AWS's order. Other sets keep the model's order (no recorded answer).
// That an enumeration violation is ValidationError, not CloudWatch's usual
// InvalidParameterValue, is wire.ValidationError's rule.
func init() {
	api.Service.Shapes["StateValue"].Enum = []string{"INSUFFICIENT_DATA", "ALARM", "OK"}
}

// GetMetricStatistics' Statistics and ListMetrics' RecentlyActive are the
// exceptions: AWS answers a value outside their sets with InvalidParameterValue in
// words of its own ("The parameter Statistics.member.1.<list element> must be a value
// in the set [SampleCount, Average, Sum, Minimum, Maximum].", "Request parameter
// recentlyActive value is invalid"; recorded, 2026), so the model leaves their values
// to the handlers. Statistic, which alarms share, keeps its enumeration: only the
// Statistics list takes a member without one.
func init() {
	list := api.Service.Shapes["Statistics"]
	member := *list.Member
	member.Shape = &model.Shape{Name: "StatisticsMember", Type: model.String}
	list.Member = &member
	api.Service.Shapes["RecentlyActive"].Enum = nil
}
