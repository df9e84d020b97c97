package logs

import (
	api "github.com/palisade/palisade/internal/api/logs"
)

// The CloudWatch Logs model's MetricNamespace pattern [^:*$]* refuses ':', which AWS
// takes in a metric filter's namespace ("A.B-c_d/1#2:metricNamespace", LocalStack's
// AWS-validated test_put_metric_filter_with_special_namespace), and the generic
// validation that reads the model would answer before the service could. '*' and '$'
// stay refused: no recorded answer says otherwise. (Names over 512 characters are
// worded as Logs words them by wire.ValidationError.)
func init() {
	ns := api.Service.Operations["PutMetricFilter"].Input.ByName["metricTransformations"].Shape.Member.Shape.ByName["metricNamespace"].Shape
	ns.Pattern = "[^*$]*"
}

// ListLogGroups' logGroupNamePattern: AWS took an alternative of 33 characters where the
// model says 3 to 24 (recorded 2026, radkawar/stackd
// testdata/aws/cloudtrail/logs_controls_revision_attempt.json, groups-list), so the
// upper bound of each alternative goes; the characters and the count of alternatives
// stay as the model has them.
func init() {
	p := api.Service.Operations["ListLogGroups"].Input.ByName["logGroupNamePattern"].Shape
	p.Pattern = `(\^?[\.\-_\/#A-Za-z0-9]{3,})(\|\^?[\.\-_\/#A-Za-z0-9]{3,}){0,4}`
}
