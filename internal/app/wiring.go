package app

import (
	"github.com/palisade/palisade/internal/service/cloudwatch"
	"github.com/palisade/palisade/internal/service/logs"
	"github.com/palisade/palisade/internal/store"
)

// The adapters below connect services through the small interfaces the calling
// service owns; no service package imports another.

// metricSink hands CloudWatch Logs' metric filter output to CloudWatch.
type metricSink struct{ cw *cloudwatch.CloudWatch }

func (m metricSink) PutMetricStatistics(tx *store.Tx, account, region string, data []logs.MetricDatum) error {
	out := make([]cloudwatch.StatisticDatum, len(data))
	for i, d := range data {
		out[i] = cloudwatch.StatisticDatum{Namespace: d.Namespace, MetricName: d.MetricName, Dimensions: d.Dimensions, Unit: d.Unit,
			Timestamp: d.Timestamp, SampleCount: d.SampleCount, Sum: d.Sum, Minimum: d.Minimum, Maximum: d.Maximum}
	}
	return m.cw.PutStatistics(tx, account, region, out)
}
