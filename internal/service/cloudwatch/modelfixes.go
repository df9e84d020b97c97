package cloudwatch

import (
	api "github.com/palisade/palisade/internal/api/cloudwatch"
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
