package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (cw *CloudWatch) alarmHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutMetricAlarm", cw.putMetricAlarm),
		server.Write("PutCompositeAlarm", cw.putCompositeAlarm),
		server.Read("DescribeAlarms", cw.describeAlarms),
		server.Read("DescribeAlarmsForMetric", cw.describeAlarmsForMetric),
		server.Read("DescribeAlarmHistory", cw.describeAlarmHistory),
		server.Write("DeleteAlarms", cw.deleteAlarms),
		server.Write("SetAlarmState", cw.setAlarmState),
		server.Write("EnableAlarmActions", cw.enableAlarmActions),
		server.Write("DisableAlarmActions", cw.disableAlarmActions),
		server.Write("TagResource", cw.tagResource),
		server.Write("UntagResource", cw.untagResource),
		server.Read("ListTagsForResource", cw.listTagsForResource),
	}
}

// Alarm states.
const (
	stateOK           = "OK"
	stateAlarm        = "ALARM"
	stateInsufficient = "INSUFFICIENT_DATA"
)

// alarmRec is a stored metric alarm: its configuration and its state.
type alarmRec struct {
	Name                    string                `json:"name"`
	Description             string                `json:"description,omitempty"`
	ConfigUpdated           time.Time             `json:"configUpdated"`
	ActionsEnabled          bool                  `json:"actionsEnabled"`
	OKActions               []string              `json:"okActions"`
	AlarmActions            []string              `json:"alarmActions"`
	InsufficientDataActions []string              `json:"insufficientDataActions"`
	MetricName              string                `json:"metricName,omitempty"`
	Namespace               string                `json:"namespace,omitempty"`
	Statistic               string                `json:"statistic,omitempty"`
	ExtendedStatistic       string                `json:"extendedStatistic,omitempty"`
	Dimensions              []api.Dimension       `json:"dimensions,omitempty"`
	Period                  int32                 `json:"period,omitempty"`
	Unit                    string                `json:"unit,omitempty"`
	EvaluationPeriods       int32                 `json:"evaluationPeriods"`
	DatapointsToAlarm       int32                 `json:"datapointsToAlarm,omitempty"`
	Threshold               float64               `json:"threshold"`
	ComparisonOperator      string                `json:"comparisonOperator"`
	TreatMissingData        string                `json:"treatMissingData,omitempty"`
	LowSampleCount          string                `json:"evaluateLowSampleCountPercentile,omitempty"`
	Metrics                 []api.MetricDataQuery `json:"metrics,omitempty"`
	Tags                    []api.Tag             `json:"tags,omitempty"`
	// AlarmRule makes the alarm a composite alarm; the suppressor fields are a
	// composite's ActionsSuppressor and its periods, SuppressedBy and
	// SuppressedReason why its last actions were held back.
	AlarmRule           string `json:"alarmRule,omitempty"`
	Suppressor          string `json:"suppressor,omitempty"`
	SuppressorWait      int32  `json:"suppressorWait,omitempty"`
	SuppressorExtension int32  `json:"suppressorExtension,omitempty"`
	SuppressedBy        string `json:"suppressedBy,omitempty"`
	SuppressedReason    string `json:"suppressedReason,omitempty"`
	SuppressUntil       int64  `json:"suppressUntil,omitempty"` // ms: the end of a wait or extension period
	HeldFrom            string `json:"heldFrom,omitempty"`      // the old state of the held actions' transition

	State             string    `json:"state"`
	StateReason       string    `json:"stateReason"`
	StateReasonData   string    `json:"stateReasonData,omitempty"`
	StateUpdated      time.Time `json:"stateUpdated"`
	StateTransitioned time.Time `json:"stateTransitioned"`
	// LastEval is the slot (Unix ms) of the last evaluation: alarms are evaluated once
	// per minute of Palisade's clock, high-resolution ones every 10 seconds (evalSlot).
	LastEval int64 `json:"lastEval"`
}

func alarmARN(region, account, name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + name
}

func indexKey(account, region, name string) string { return account + "\x00" + region + "\x00" + name }

func loadAlarm(tx *store.Tx, account, region, name string) (*alarmRec, error) {
	a := &alarmRec{}
	ok, err := tx.GetJSON(ns(account, region, tAlarms), name, a)
	if err != nil || !ok {
		return nil, err
	}
	return a, nil
}

func putAlarm(tx *store.Tx, account, region string, a *alarmRec) error {
	return tx.PutJSON(ns(account, region, tAlarms), a.Name, a)
}

func (cw *CloudWatch) wakeEvaluator() {
	select {
	case cw.wake <- struct{}{}:
	default:
	}
}

var comparisons = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to",
	"GreaterThanThreshold":          "greater than",
	"LessThanThreshold":             "less than",
	"LessThanOrEqualToThreshold":    "less than or equal to",
}

var treatments = map[string]bool{"missing": true, "notBreaching": true, "breaching": true, "ignore": true}

// validationError is CloudWatch's ValidationError, which its alarm checks answer with.
func validationError(format string, args ...any) error {
	return model.NewError(400, "ValidationError", format, args...)
}

// errTypeConflict is AWS's answer to putting a metric alarm under a composite's name
// or the other way round (recorded, 2026: alarm_controls.json): one name space holds
// both kinds of alarm.
func errTypeConflict(name string) error {
	return validationError("AlarmName [%s] is already used by another alarm of a different type", name)
}

// sameConfig reports whether an alarm put again is configured as it was: AWS then
// changes nothing, neither AlarmConfigurationUpdatedTimestamp nor the history
// (recorded, 2026: radkawar/stackd testdata/aws/cloudwatch/alarm_idempotence.json,
// exact_repeat_metric and exact_repeat_composite). Tags do not count, as an update
// ignores them.
func sameConfig(old, a *alarmRec) bool {
	config := func(r *alarmRec) string {
		c := *r
		c.ConfigUpdated, c.Tags, c.LastEval = time.Time{}, nil, 0
		c.State, c.StateReason, c.StateReasonData, c.StateUpdated, c.StateTransitioned = "", "", "", time.Time{}, time.Time{}
		c.SuppressedBy, c.SuppressedReason, c.SuppressUntil, c.HeldFrom = "", "", 0, ""
		b, _ := json.Marshal(c)
		return string(b)
	}
	return config(old) == config(a)
}

// maxTags is how many tags an alarm may have.
const maxTags = 50

// checkTagKeys refuses keys in the aws: prefix, in any case, as AWS does for
// PutMetricAlarm's and TagResource's tags (recorded, 2026: alarm_controls.json; for
// PutCompositeAlarm inferred), before anything is stored.
func checkTagKeys(tags []api.Tag) error {
	for _, t := range tags {
		if len(t.Key) >= 4 && strings.EqualFold(t.Key[:4], "aws:") {
			return model.NewError(403, "AccessDenied", "%s", `The provided tag keys must not start with any case of "aws:"`)
		}
	}
	return nil
}

// checkNewTags applies the tag rules of an alarm's creation: AWS refuses 51 tags with
// "The resultant tag set must not have more than 50 user tags." (recorded, 2026:
// alarm_controls.json). An update's tags are not looked at: AWS ignores them.
func checkNewTags(tags []api.Tag) error {
	if err := checkTagKeys(tags); err != nil {
		return err
	}
	keys := map[string]bool{}
	for _, t := range tags {
		keys[t.Key] = true
	}
	if len(keys) > maxTags {
		return validationError("The resultant tag set must not have more than %d user tags.", maxTags)
	}
	return nil
}

func (cw *CloudWatch) putMetricAlarm(c *server.Call, in *api.PutMetricAlarmInput) (*model.Empty, error) {
	a := &alarmRec{
		Name: in.AlarmName, Description: svckit.Str(in.AlarmDescription), ConfigUpdated: c.Now.Truncate(time.Millisecond),
		ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions:      nonNil(in.OKActions), AlarmActions: nonNil(in.AlarmActions), InsufficientDataActions: nonNil(in.InsufficientDataActions),
		MetricName: svckit.Str(in.MetricName), Namespace: svckit.Str(in.Namespace), Statistic: svckit.Str(in.Statistic),
		ExtendedStatistic: svckit.Str(in.ExtendedStatistic), Dimensions: in.Dimensions, Unit: svckit.Str(in.Unit),
		ComparisonOperator: svckit.Str(in.ComparisonOperator), TreatMissingData: svckit.Str(in.TreatMissingData),
		LowSampleCount: svckit.Str(in.EvaluateLowSampleCountPercentile), Metrics: in.Metrics, Tags: in.Tags,
	}
	if in.Period != nil {
		a.Period = *in.Period
	}
	if in.EvaluationPeriods != nil {
		a.EvaluationPeriods = *in.EvaluationPeriods
	}
	if in.DatapointsToAlarm != nil {
		a.DatapointsToAlarm = *in.DatapointsToAlarm
	}
	if in.Threshold != nil {
		a.Threshold = *in.Threshold
	}
	if err := checkAlarm(c, a, in); err != nil {
		return nil, err
	}
	old, err := loadAlarm(c.Tx, c.Account, c.Region, a.Name)
	if err != nil {
		return nil, err
	}
	if old != nil && old.isComposite() {
		return nil, errTypeConflict(a.Name)
	}
	if old == nil {
		if err := checkNewTags(in.Tags); err != nil {
			return nil, err
		}
	} else if sameConfig(old, a) {
		return &model.Empty{}, nil
	}
	summary, kind := a.succeed(old)
	if err := putAlarm(c.Tx, c.Account, c.Region, a); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(alarmIndex, indexKey(c.Account, c.Region, a.Name), nil); err != nil {
		return nil, err
	}
	data := map[string]any{"type": kind, "version": "1.0"}
	if kind == "Create" {
		data["createdAlarm"] = a.out(c.Region, c.Account)
	} else {
		data["updatedAlarm"] = a.out(c.Region, c.Account)
	}
	if err := addHistory(c.Tx, c.Account, c.Region, a, "ConfigurationUpdate", summary, data, c.Now); err != nil {
		return nil, err
	}
	c.Tx.AfterCommit(cw.wakeEvaluator)
	return &model.Empty{}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkAlarm applies PutMetricAlarm's rules. Messages marked inferred follow
// CloudWatch's style where the exact wording is not documented.
func checkAlarm(c *server.Call, a *alarmRec, in *api.PutMetricAlarmInput) error {
	if a.ComparisonOperator == "" {
		return errMissing("The parameter ComparisonOperator is required.")
	}
	if _, ok := comparisons[a.ComparisonOperator]; !ok {
		return errParam("Anomaly detection models and metric math threshold comparison operators are not supported by Palisade: %s", a.ComparisonOperator)
	}
	if in.Threshold == nil {
		return errMissing("The parameter Threshold is required.")
	}
	if !finite(*in.Threshold) {
		// Inferred wording, as PutMetricData's for a value it refuses.
		return errParam("The value %s for parameter Threshold is invalid.", javaDouble(*in.Threshold))
	}
	if in.EvaluationPeriods == nil {
		return errMissing("The parameter EvaluationPeriods is required.")
	}
	if a.EvaluationPeriods < 1 {
		return errParam("The parameter EvaluationPeriods must be greater than or equal to 1.")
	}
	if a.DatapointsToAlarm > a.EvaluationPeriods {
		// Inferred wording.
		return validationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
	}
	if a.TreatMissingData != "" && !treatments[a.TreatMissingData] {
		return validationError("Option unknown: %s. Valid options are: breaching, notBreaching, ignore, missing", a.TreatMissingData)
	}
	if len(a.Metrics) > 0 {
		// AWS's answer to MetricName with Metrics (recorded, 2026: radkawar/stackd
		// testdata/aws/cloudwatch/alarm_controls.json); the same words for the other
		// single-metric parameters, checked in this order, are inferred.
		for _, f := range []struct {
			name string
			set  bool
		}{{"MetricName", a.MetricName != ""}, {"Namespace", a.Namespace != ""}, {"Statistic", a.Statistic != ""},
			{"ExtendedStatistic", a.ExtendedStatistic != ""}, {"Dimensions", len(a.Dimensions) > 0}, {"Period", in.Period != nil}} {
			if f.set {
				return validationError("%s should not be set if list of Metrics is set.", f.name)
			}
		}
		returned := 0
		for _, m := range a.Metrics {
			if m.ReturnData == nil || *m.ReturnData {
				returned++
			}
		}
		if returned != 1 {
			return validationError("Exactly one element of the metrics list should return data.")
		}
		// The evaluator runs these queries every minute: they must be ones
		// GetMetricData runs (an expression it refuses was stored, and the alarm's
		// every evaluation failed). GetMetricData's messages, naming Metrics: inferred.
		if _, err := evalQueries(c.Tx, c.Account, c.Region, "Metrics", a.Metrics, c.Now.Add(-time.Minute), c.Now, c.Now, nil); err != nil {
			return err
		}
	} else {
		if a.MetricName == "" {
			return errMissing("The parameter MetricName is required.")
		}
		if a.Namespace == "" {
			return errMissing("The parameter Namespace is required.")
		}
		if a.Statistic != "" && a.ExtendedStatistic != "" {
			// AWS's answer (recorded, 2026: alarm_controls.json).
			return validationError("PutMetricAlarm request can not be made with both Statistic and ExtendedStatistic parameters. Only one of them should be present")
		}
		if a.Statistic == "" && a.ExtendedStatistic == "" {
			// Inferred wording.
			return errCombination("Exactly one of the parameters Statistic and ExtendedStatistic must be specified.")
		}
		if a.ExtendedStatistic != "" {
			if sp, ok := documentedExtended(a.ExtendedStatistic); !ok || !alarmExtendedOK(sp, a.ExtendedStatistic) {
				// AWS's wording, as moto and LocalStack give it for "90".
				return errParam("The value %s for parameter ExtendedStatistic is not supported.", a.ExtendedStatistic)
			}
		}
		if in.Period == nil {
			return errMissing("The parameter Period is required.")
		}
		if p := a.Period; p != 10 && p != 20 && p != 30 && (p < 60 || p%60 != 0) {
			return errParam("The parameter Period must be 10, 20, 30 or a multiple of 60.")
		}
	}
	if a.rangeTooLong() {
		// Inferred wording. Metric math alarms too: the evaluator reads the whole
		// range, and EvaluationPeriods 2^31-1 exhausted memory at the first evaluation.
		return errParam("The evaluation period multiplied by the period must be less than or equal to %d seconds.", a.rangeLimit())
	}
	return checkActions(c, a)
}

// checkActions applies the rules of an alarm's action lists.
func checkActions(c *server.Call, a *alarmRec) error {
	for _, list := range [][]string{a.OKActions, a.AlarmActions, a.InsufficientDataActions} {
		if len(list) > 5 {
			return errParam("The collection of actions can have at most 5 elements.")
		}
		for _, arn := range list {
			p, ok := svckit.ParseARN(arn)
			if !ok {
				return validationError("Invalid arn syntax: %s", arn)
			}
			if p.Service == "sns" && p.Region != c.Region {
				return validationError("Invalid region %s specified. Only %s is supported.", p.Region, c.Region)
			}
		}
	}
	return nil
}

// out is the alarm as DescribeAlarms returns it.
func (a *alarmRec) out(region, account string) api.MetricAlarm {
	m := api.MetricAlarm{
		AlarmName: svckit.Ptr(a.Name), AlarmArn: svckit.Ptr(alarmARN(region, account, a.Name)),
		AlarmConfigurationUpdatedTimestamp: svckit.Ptr(a.ConfigUpdated), ActionsEnabled: svckit.Ptr(a.ActionsEnabled),
		OKActions: a.OKActions, AlarmActions: a.AlarmActions, InsufficientDataActions: a.InsufficientDataActions,
		StateValue: svckit.Ptr(a.State), StateReason: svckit.Ptr(a.StateReason), StateUpdatedTimestamp: svckit.Ptr(a.StateUpdated),
		StateTransitionedTimestamp: svckit.Ptr(a.StateTransitioned),
		EvaluationPeriods:          svckit.Ptr(a.EvaluationPeriods), Threshold: svckit.Ptr(a.Threshold), ComparisonOperator: svckit.Ptr(a.ComparisonOperator),
		// TreatMissingData is left out when never set, as AWS answers.
		TreatMissingData: svckit.NilIfEmpty(a.TreatMissingData), Dimensions: nonNilDims(a.Dimensions), Metrics: a.Metrics,
	}
	if a.Description != "" {
		m.AlarmDescription = svckit.Ptr(a.Description)
	}
	if a.StateReasonData != "" {
		m.StateReasonData = svckit.Ptr(a.StateReasonData)
	}
	if a.MetricName != "" {
		m.MetricName, m.Namespace, m.Period = svckit.Ptr(a.MetricName), svckit.Ptr(a.Namespace), svckit.Ptr(a.Period)
	}
	if a.Statistic != "" {
		m.Statistic = svckit.Ptr(a.Statistic)
	}
	if a.ExtendedStatistic != "" {
		m.ExtendedStatistic = svckit.Ptr(a.ExtendedStatistic)
	}
	if a.Unit != "" {
		m.Unit = svckit.Ptr(a.Unit)
	}
	if a.DatapointsToAlarm > 0 {
		m.DatapointsToAlarm = svckit.Ptr(a.DatapointsToAlarm)
	}
	if a.LowSampleCount != "" {
		m.EvaluateLowSampleCountPercentile = svckit.Ptr(a.LowSampleCount)
	}
	return m
}

// treatMissing is how the alarm treats missing data: as TreatMissingData says or,
// without it, missing — except that alarms on AWS/DynamoDB metrics ignore missing data
// by default. AWS's answers (recorded, 2026: radkawar/stackd
// testdata/aws/cloudwatch/alarm_namespaces.json) follow the User Guide ("defaults to
// ignore") rather than the API reference ("always ignore ... even if you choose a
// different option"): such an alarm with breaching went to ALARM and with
// notBreaching to OK; a metric math alarm has the default only when every MetricStat
// of its Metrics, returned or not, is in AWS/DynamoDB.
func (a *alarmRec) treatMissing() string {
	if a.TreatMissingData != "" {
		return a.TreatMissingData
	}
	if a.dynamoDBOnly() {
		return "ignore"
	}
	return "missing"
}

// dynamoDBOnly reports whether every metric the alarm reads is in AWS/DynamoDB.
func (a *alarmRec) dynamoDBOnly() bool {
	if len(a.Metrics) == 0 {
		return a.Namespace == "AWS/DynamoDB"
	}
	stats := 0
	for _, q := range a.Metrics {
		if q.MetricStat == nil {
			continue
		}
		stats++
		if q.MetricStat.Metric == nil || svckit.Str(q.MetricStat.Metric.Namespace) != "AWS/DynamoDB" {
			return false
		}
	}
	return stats > 0
}

func (a *alarmRec) datapointsToAlarm() int {
	if a.DatapointsToAlarm > 0 {
		return int(a.DatapointsToAlarm)
	}
	return int(a.EvaluationPeriods)
}

func (cw *CloudWatch) describeAlarms(c *server.Call, in *api.DescribeAlarmsInput) (*api.DescribeAlarmsOutput, error) {
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != nil {
		return nil, errCombination("AlarmNames and AlarmNamePrefix are mutually exclusive.")
	}
	out := &api.DescribeAlarmsOutput{MetricAlarms: []api.MetricAlarm{}, CompositeAlarms: []api.CompositeAlarm{}}
	// AWS: "If you omit this parameter, only metric alarms are returned."
	types := map[string]bool{"MetricAlarm": len(in.AlarmTypes) == 0}
	for _, t := range in.AlarmTypes {
		types[t] = true
	}
	max := 50
	if in.MaxRecords != nil {
		max = int(*in.MaxRecords)
	}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	if family := svckit.Str(in.ChildrenOfAlarmName) + svckit.Str(in.ParentsOfAlarmName); family != "" {
		// AWS: with ChildrenOfAlarmName or ParentsOfAlarmName, "you cannot specify any
		// other parameters in the request except for MaxRecords and NextToken"; both
		// kinds of alarm are returned.
		if in.ChildrenOfAlarmName != nil && in.ParentsOfAlarmName != nil || len(in.AlarmNames) > 0 || in.AlarmNamePrefix != nil ||
			len(in.AlarmTypes) > 0 || in.StateValue != nil || in.ActionPrefix != nil {
			// Inferred wording.
			return nil, validationError("If ChildrenOfAlarmName or ParentsOfAlarmName is specified, no other parameters but MaxRecords and NextToken can be specified.")
		}
		types = map[string]bool{"MetricAlarm": true, "CompositeAlarm": true}
		names = map[string]bool{}
		if in.ChildrenOfAlarmName != nil {
			parent, err := loadAlarm(c.Tx, c.Account, c.Region, *in.ChildrenOfAlarmName)
			if err != nil {
				return nil, err
			}
			if parent == nil || !parent.isComposite() {
				return out, nil
			}
			for _, n := range parent.children(c.Account, c.Region) {
				names[n] = true
			}
		} else {
			ps, err := parents(c.Tx, c.Account, c.Region, *in.ParentsOfAlarmName)
			if err != nil {
				return nil, err
			}
			for _, n := range ps {
				names[n] = true
			}
		}
		if len(names) == 0 {
			return out, nil
		}
	}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tAlarms), svckit.Str(in.AlarmNamePrefix), in.NextToken, max, errBadToken(), func(k string, v []byte, take bool) (bool, error) {
		if len(names) > 0 && !names[k] {
			return false, nil
		}
		a := &alarmRec{}
		if err := decode(v, a); err != nil {
			return false, err
		}
		if !types[a.alarmType()] || in.StateValue != nil && a.State != *in.StateValue || in.ActionPrefix != nil && !hasActionPrefix(a, *in.ActionPrefix) {
			return false, nil
		}
		if !take {
			return true, nil
		}
		if a.isComposite() {
			out.CompositeAlarms = append(out.CompositeAlarms, a.compositeOut(c.Region, c.Account))
		} else {
			out.MetricAlarms = append(out.MetricAlarms, a.out(c.Region, c.Account))
		}
		return true, nil
	})
	return out, err
}

func hasActionPrefix(a *alarmRec, prefix string) bool {
	for _, list := range [][]string{a.OKActions, a.AlarmActions, a.InsufficientDataActions} {
		for _, arn := range list {
			if strings.HasPrefix(arn, prefix) {
				return true
			}
		}
	}
	return false
}

func (cw *CloudWatch) describeAlarmsForMetric(c *server.Call, in *api.DescribeAlarmsForMetricInput) (*api.DescribeAlarmsForMetricOutput, error) {
	out := &api.DescribeAlarmsForMetricOutput{MetricAlarms: []api.MetricAlarm{}}
	want := metricKey(in.Namespace, in.MetricName, in.Dimensions)
	err := svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tAlarms), "", "", func(_ string, v []byte) (bool, error) {
		a := &alarmRec{}
		if err := decode(v, a); err != nil {
			return false, err
		}
		// The metric is its namespace, name and dimensions: without Dimensions only
		// alarms on the metric without dimensions match (API reference: "If the metric
		// has any associated dimensions, you must specify them").
		if a.MetricName == "" || metricKey(a.Namespace, a.MetricName, a.Dimensions) != want ||
			in.Statistic != nil && a.Statistic != *in.Statistic || in.ExtendedStatistic != nil && a.ExtendedStatistic != *in.ExtendedStatistic ||
			in.Period != nil && a.Period != *in.Period || in.Unit != nil && a.Unit != *in.Unit {
			return true, nil
		}
		out.MetricAlarms = append(out.MetricAlarms, a.out(c.Region, c.Account))
		return true, nil
	})
	return out, err
}

func (cw *CloudWatch) deleteAlarms(c *server.Call, in *api.DeleteAlarmsInput) (*model.Empty, error) {
	// Names of no alarm are passed over: AWS deleted the one that existed and
	// answered success, and again when neither did (recorded, 2026:
	// alarm_controls.json, delete-mixed-existing-missing and delete-idempotent).
	found := map[string]*alarmRec{}
	for _, n := range in.AlarmNames {
		a, err := loadAlarm(c.Tx, c.Account, c.Region, n)
		if err != nil {
			return nil, err
		}
		found[n] = a
	}
	if err := checkDelete(c.Tx, c.Account, c.Region, in.AlarmNames); err != nil {
		return nil, err
	}
	// CloudTrail's record names the alarms deleted, not those that did not exist
	// (recorded, 2026: alarm_audit.json, delete-mixed-existing-missing).
	deleted := []string{}
	for _, n := range in.AlarmNames {
		a := found[n]
		if a == nil {
			continue // named twice, or no alarm
		}
		delete(found, n)
		deleted = append(deleted, n)
		if err := setParentLinks(c.Tx, c.Account, c.Region, a, false); err != nil {
			return nil, err
		}
		if _, err := c.Tx.Delete(ns(c.Account, c.Region, tAlarms), n); err != nil {
			return nil, err
		}
		if _, err := c.Tx.Delete(alarmIndex, indexKey(c.Account, c.Region, n)); err != nil {
			return nil, err
		}
		data := map[string]any{"type": "Delete", "version": "1.0"}
		if err := addHistory(c.Tx, c.Account, c.Region, a, "ConfigurationUpdate", "Alarm \""+n+"\" deleted", data, c.Now); err != nil {
			return nil, err
		}
	}
	c.RequestParameters = map[string]any{"alarmNames": deleted}
	return &model.Empty{}, nil
}

func (cw *CloudWatch) setAlarmState(c *server.Call, in *api.SetAlarmStateInput) (*model.Empty, error) {
	a, err := loadAlarm(c.Tx, c.Account, c.Region, in.AlarmName)
	if err != nil {
		return nil, err
	}
	if a == nil {
		// AWS's ResourceNotFound here carries no message (LocalStack's AWS-validated
		// test_set_alarm_invalid_input).
		return nil, api.NewResourceNotFound("")
	}
	data := svckit.Str(in.StateReasonData)
	if data != "" && !json.Valid([]byte(data)) {
		// AWS answers without a message (recorded, 2026: alarm_controls.json).
		return nil, api.NewInvalidFormatFault("")
	}
	if in.StateValue == a.State {
		// Setting the state an alarm is in changes nothing: AWS kept the earlier
		// reason, reason data and timestamps and recorded no history (recorded, 2026:
		// alarm_controls.json, supplement-same-state-*).
		return &model.Empty{}, nil
	}
	// The next evaluation, in the next slot of Palisade's clock, sets the alarm back to
	// the state its data gives (AWS: "the alarm state returns to its actual state").
	a.LastEval = a.evalSlot(c.Now)
	if err := cw.transition(c.Tx, c.Account, c.Region, a, in.StateValue, in.StateReason, data, c.Now); err != nil {
		return nil, err
	}
	return &model.Empty{}, nil
}

func (cw *CloudWatch) setActions(c *server.Call, names []string, enabled bool) error {
	for _, n := range names {
		a, err := loadAlarm(c.Tx, c.Account, c.Region, n)
		if err != nil {
			return err
		}
		if a == nil || a.ActionsEnabled == enabled {
			// Unchanged, nothing is recorded (inferred from an identical
			// PutMetricAlarm's answer).
			continue
		}
		// AWS counts this as a configuration update: AlarmConfigurationUpdatedTimestamp
		// moves and the history gets an "updated" item (recorded, 2026:
		// alarm_controls.json, disable-existing and enable-mixed-missing).
		a.ActionsEnabled = enabled
		a.ConfigUpdated = c.Now.Truncate(time.Millisecond)
		if err := putAlarm(c.Tx, c.Account, c.Region, a); err != nil {
			return err
		}
		data := map[string]any{"type": "Update", "version": "1.0"}
		if !a.isComposite() {
			data["updatedAlarm"] = a.out(c.Region, c.Account)
		}
		if err := addHistory(c.Tx, c.Account, c.Region, a, "ConfigurationUpdate", "Alarm \""+a.Name+"\" updated", data, c.Now); err != nil {
			return err
		}
	}
	return nil
}

func (cw *CloudWatch) enableAlarmActions(c *server.Call, in *api.EnableAlarmActionsInput) (*model.Empty, error) {
	return &model.Empty{}, cw.setActions(c, in.AlarmNames, true)
}

func (cw *CloudWatch) disableAlarmActions(c *server.Call, in *api.DisableAlarmActionsInput) (*model.Empty, error) {
	return &model.Empty{}, cw.setActions(c, in.AlarmNames, false)
}

// alarmByARN resolves the ResourceARN of the tagging operations (alarms only).
func alarmByARN(c *server.Call, arn string) (*alarmRec, error) {
	p, ok := svckit.ParseARN(arn)
	name, isAlarm := strings.CutPrefix(p.Resource, "alarm:")
	if !ok || p.Service != "cloudwatch" || !isAlarm || p.Account != c.Account || p.Region != c.Region {
		return nil, api.NewResourceNotFoundException("")
	}
	a, err := loadAlarm(c.Tx, c.Account, c.Region, name)
	if err == nil && a == nil {
		// AWS answers without a message (recorded, 2026: alarm_controls.json).
		err = api.NewResourceNotFoundException("")
	}
	return a, err
}

func (cw *CloudWatch) tagResource(c *server.Call, in *api.TagResourceInput) (*api.TagResourceOutput, error) {
	a, err := alarmByARN(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		// CloudTrail records this refusal without the request's parameters
		// (recorded, 2026: alarm_audit.json, reserved-tag-audit-projection).
		c.RequestParameters = json.RawMessage("null")
		return nil, err
	}
	for _, t := range in.Tags {
		replaced := false
		for i := range a.Tags {
			if a.Tags[i].Key == t.Key {
				a.Tags[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			a.Tags = append(a.Tags, t)
		}
	}
	if len(a.Tags) > maxTags {
		// AWS's answer to 51 tags (recorded, 2026: alarm_controls.json).
		return nil, errParam("tags are invalid.")
	}
	return &api.TagResourceOutput{}, putAlarm(c.Tx, c.Account, c.Region, a)
}

func (cw *CloudWatch) untagResource(c *server.Call, in *api.UntagResourceInput) (*api.UntagResourceOutput, error) {
	a, err := alarmByARN(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	var kept []api.Tag
	for _, t := range a.Tags {
		drop := false
		for _, k := range in.TagKeys {
			drop = drop || k == t.Key
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	a.Tags = kept
	return &api.UntagResourceOutput{}, putAlarm(c.Tx, c.Account, c.Region, a)
}

func (cw *CloudWatch) listTagsForResource(c *server.Call, in *api.ListTagsForResourceInput) (*api.ListTagsForResourceOutput, error) {
	a, err := alarmByARN(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags := a.Tags
	if tags == nil {
		tags = []api.Tag{}
	}
	return &api.ListTagsForResourceOutput{Tags: tags}, nil
}

// historyRec is one alarm history item.
type historyRec struct {
	Alarm   string    `json:"alarm"`
	Kind    string    `json:"alarmType,omitempty"` // "" for MetricAlarm
	Type    string    `json:"type"`
	Time    time.Time `json:"time"`
	Summary string    `json:"summary"`
	Data    string    `json:"data"`
}

// historyText is a history item's data already written out, kept as it is.
type historyText string

// addHistory records a history item under a key that sorts newest first. data is
// marshalled unless it is historyText.
func addHistory(tx *store.Tx, account, region string, a *alarmRec, kind, summary string, data any, at time.Time) error {
	b, err := []byte(nil), error(nil)
	if t, ok := data.(historyText); ok {
		b = []byte(t)
	} else if b, err = json.Marshal(data); err != nil {
		return err
	}
	key := fmt.Sprintf("%019d.%s", math.MaxInt64-at.UnixNano(), auth.NewUUID())
	return tx.PutJSON(ns(account, region, tHistory), key, historyRec{Alarm: a.Name, Kind: a.alarmType(), Type: kind, Time: at.Truncate(time.Millisecond), Summary: summary, Data: string(b)})
}

func (cw *CloudWatch) describeAlarmHistory(c *server.Call, in *api.DescribeAlarmHistoryInput) (*api.DescribeAlarmHistoryOutput, error) {
	max := 100
	if in.MaxRecords != nil {
		max = int(*in.MaxRecords)
	}
	// AWS: "If you omit this parameter, only metric alarms are returned."
	types := map[string]bool{"MetricAlarm": len(in.AlarmTypes) == 0}
	for _, t := range in.AlarmTypes {
		types[t] = true
	}
	var items []historyRec
	err := svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tHistory), "", "", func(_ string, v []byte) (bool, error) {
		h := historyRec{}
		if err := decode(v, &h); err != nil {
			return false, err
		}
		if h.Kind == "" {
			h.Kind = "MetricAlarm"
		}
		if !types[h.Kind] || in.AlarmName != nil && h.Alarm != *in.AlarmName || in.HistoryItemType != nil && h.Type != *in.HistoryItemType ||
			in.StartDate != nil && h.Time.Before(*in.StartDate) || in.EndDate != nil && h.Time.After(*in.EndDate) {
			return true, nil
		}
		items = append(items, h)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if svckit.Str(in.ScanBy) == "TimestampAscending" {
		sort.SliceStable(items, func(i, j int) bool { return items[i].Time.Before(items[j].Time) })
	}
	start := 0
	if in.NextToken != nil {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		if _, err := fmt.Sscan(p, &start); !ok || err != nil || start < 0 || start > len(items) {
			// AWS's answer (recorded, 2026: alarm_controls.json, history-invalid-token).
			return nil, api.NewInvalidNextToken("Invalid NextToken : " + *in.NextToken)
		}
	}
	out := &api.DescribeAlarmHistoryOutput{AlarmHistoryItems: []api.AlarmHistoryItem{}}
	end := min(len(items), start+max)
	for _, h := range items[start:end] {
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, api.AlarmHistoryItem{AlarmName: svckit.Ptr(h.Alarm), AlarmType: svckit.Ptr(h.Kind),
			Timestamp: svckit.Ptr(h.Time), HistoryItemType: svckit.Ptr(h.Type), HistorySummary: svckit.Ptr(h.Summary), HistoryData: svckit.Ptr(h.Data)})
	}
	if end < len(items) {
		out.NextToken = svckit.Ptr(svckit.Token(c.Tx, fmt.Sprint(end)))
	}
	return out, nil
}

// succeed starts a new alarm in INSUFFICIENT_DATA, or carries over the state and the
// tags of the alarm it replaces, as AWS does: an update leaves the alarm's state
// unchanged and ignores the request's tags (recorded, 2026: alarm_controls.json,
// update-tagged-with-new-tags and supplement-replace-with-minimal). It returns the
// history item's summary and type.
func (a *alarmRec) succeed(old *alarmRec) (summary, kind string) {
	if old == nil {
		a.State, a.StateReason = stateInsufficient, "Unchecked: Initial alarm creation"
		a.StateUpdated, a.StateTransitioned = a.ConfigUpdated, a.ConfigUpdated
		return "Alarm \"" + a.Name + "\" created", "Create"
	}
	a.State, a.StateReason, a.StateReasonData, a.StateUpdated, a.StateTransitioned = old.State, old.StateReason, old.StateReasonData, old.StateUpdated, old.StateTransitioned
	a.Tags = old.Tags
	return "Alarm \"" + a.Name + "\" updated", "Update"
}
