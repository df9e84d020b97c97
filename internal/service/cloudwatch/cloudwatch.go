// Package cloudwatch serves Amazon CloudWatch metrics and alarms: PutMetricData,
// GetMetricStatistics, GetMetricData, ListMetrics; metric alarms with their state
// machine (OK, ALARM, INSUFFICIENT_DATA) evaluated in the background on Palisade's
// clock, alarm history, SetAlarmState, and alarm actions that publish AWS's alarm
// message to SNS topics. The server answers in every protocol CloudWatch's model
// lists (rpc-v2-cbor, JSON 1.0, query): wire.Detect picks the one each request uses.
//
// Datapoints are kept aggregated per metric, unit and minute (per second for
// high-resolution data): sample count, sum, minimum, maximum and, up to a bound, the
// values themselves for percentiles. CloudWatch Logs' metric filters write through
// PutMetricStatistics inside their own transaction.
package cloudwatch

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Notification is an alarm action's message to an SNS topic.
type Notification struct {
	TopicARN string
	Subject  string
	Message  string
	// Structure is the message as CloudWatch publishes it, with MessageStructure
	// json: Message as its default, and the SMS and email texts, so that SNS
	// delivers each protocol its own (the action history's publishedMessage).
	Structure string
	// SourceAccount and SourceARN identify the alarm (aws:SourceAccount,
	// aws:SourceArn in the topic policy's view).
	SourceAccount string
	SourceARN     string
}

// Notifier publishes alarm notifications to SNS, as the service principal
// cloudwatch.amazonaws.com, inside the transaction that changes the alarm's state,
// and returns the message ID. SNS implements it; app wires it.
type Notifier interface {
	Notify(tx *store.Tx, region string, n Notification) (string, error)
}

// Deps is what CloudWatch needs from the rest of Palisade.
type Deps struct {
	Store  *store.DB
	Clock  *clock.Clock
	Logger *slog.Logger
	// Notifier delivers alarm actions; nil records them as failed.
	Notifier Notifier
	// EvaluationInterval is how often, in real time, alarms are evaluated besides
	// clock advances and alarm changes (default 10 s).
	EvaluationInterval time.Duration
}

// CloudWatch is the metrics and alarms service.
type CloudWatch struct {
	d    Deps
	wake chan struct{}
	// failing holds, per alarm index key, the last evaluation error logged: an alarm
	// that cannot be evaluated is retried every interval, and logging each retry
	// would repeat one line every ten seconds for as long as it exists.
	failing sync.Map
}

// New returns CloudWatch.
func New(d Deps) *CloudWatch {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = &clock.Clock{}
	}
	if d.EvaluationInterval == 0 {
		d.EvaluationInterval = 10 * time.Second
	}
	return &CloudWatch{d: d, wake: make(chan struct{}, 1)}
}

// Service returns the handlers for the server.
func (cw *CloudWatch) Service() server.Service {
	var hs []server.Handler
	hs = append(hs, cw.metricHandlers()...)
	hs = append(hs, cw.alarmHandlers()...)
	// "To be able to associate tags with the alarm when you create the alarm, you must
	// have the cloudwatch:TagResource permission."
	return server.Service{Model: api.Service, Handlers: hs, Checks: checks,
		TagOnCreate: map[string][]string{"PutMetricAlarm": {"cloudwatch:TagResource"}, "PutCompositeAlarm": {"cloudwatch:TagResource"}}}
}

// Run evaluates alarms until ctx ends.
func (cw *CloudWatch) Run(ctx context.Context) { cw.evaluateLoop(ctx) }

// Record kinds: the last part of each namespace.
const (
	tMetrics = "metrics" // metric key → metricRec
	tPoints  = "points"  // metric key \x02 bucket \x00 unit → pointRec
	tAlarms  = "alarms"  // alarm name → alarmRec
	tHistory = "history" // inverted time . seq → historyRec
)

// alarmIndex lists every alarm of every account and region, for the evaluator:
// account \x00 region \x00 name → "".
var alarmIndex = store.NS("cloudwatch", "alarm-index")

func ns(account, region, kind string) string { return store.NS("cloudwatch", account, region, kind) }

func errParam(format string, args ...any) error {
	return api.NewInvalidParameterValueException(fmt.Sprintf(format, args...))
}

func errBadToken() error {
	return api.NewInvalidNextToken("The service couldn't process the NextToken.")
}

func errCombination(format string, args ...any) error {
	return api.NewInvalidParameterCombinationException(fmt.Sprintf(format, args...))
}

func errMissing(format string, args ...any) error {
	return api.NewMissingRequiredParameterException(fmt.Sprintf(format, args...))
}

// metricKey identifies a metric: namespace, name and dimensions (sorted by name).
func metricKey(namespace, name string, dims []api.Dimension) string {
	var b strings.Builder
	b.WriteString(namespace)
	b.WriteByte(0)
	b.WriteString(name)
	b.WriteByte(0)
	for _, d := range sortDims(dims) {
		b.WriteString(d.Name)
		b.WriteByte('=')
		b.WriteString(d.Value)
		b.WriteByte(1)
	}
	return b.String()
}

func sortDims(dims []api.Dimension) []api.Dimension {
	out := append([]api.Dimension(nil), dims...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// regionNames are the names alarm messages use for a region.
var regionNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
	"us-west-2": "US West (Oregon)", "af-south-1": "Africa (Cape Town)", "ap-east-1": "Asia Pacific (Hong Kong)",
	"ap-south-1": "Asia Pacific (Mumbai)", "ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)", "ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
	"ca-central-1": "Canada (Central)", "eu-central-1": "EU (Frankfurt)", "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)",
	"eu-west-3": "EU (Paris)", "eu-north-1": "EU (Stockholm)", "eu-south-1": "EU (Milan)", "me-south-1": "Middle East (Bahrain)",
	"sa-east-1": "South America (Sao Paulo)",
}

func regionName(r string) string {
	if n, ok := regionNames[r]; ok {
		return n
	}
	return r
}

func decode(b []byte, v any) error { return svckit.Decode("cloudwatch", b, v) }
