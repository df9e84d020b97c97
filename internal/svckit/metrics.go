package svckit

import (
	"time"

	"github.com/palisade/palisade/internal/store"
)

// MetricSample is one resource's metric for one minute, as a statistic set: what SQS
// and SNS publish to CloudWatch in their namespaces (AWS/SQS by QueueName, AWS/SNS by
// TopicName), Resource being the dimension's value.
type MetricSample struct {
	Resource, Name, Unit string
	Minute               time.Time
	SampleCount, Sum     float64
	Minimum, Maximum     float64
}

// MetricSink receives a service's CloudWatch datapoints in the transaction at hand;
// app wires CloudWatch behind it, with the service's namespace and dimension.
type MetricSink interface {
	PutMetrics(tx *store.Tx, account, region string, data []MetricSample) error
}
