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
