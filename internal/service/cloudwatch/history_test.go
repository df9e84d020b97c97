package cloudwatch_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// A StateUpdate history item's oldState carries the state reason data the alarm had
// before the change, as AWS's DescribeAlarmHistory example shows (aws-cli
// examples/cloudwatch/describe-alarm-history.rst: an OK state left for "testing
// purposes" keeps its stateReasonData under oldState).
func TestHistoryOldStateReasonData(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	apptest.Must(e.cw.PutMetricAlarm(ctx, alarmInput("unauth")))
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("CIS"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("UnauthorizedAPICalls"), Value: aws.Float64(1)}}}))
	e.advance(time.Minute)
	a := e.alarm("unauth")
	if a.StateValue != types.StateValueAlarm || aws.ToString(a.StateReasonData) == "" {
		t.Fatalf("alarm %s %q", a.StateValue, aws.ToString(a.StateReasonData))
	}
	apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("unauth"), StateValue: types.StateValueOk, StateReason: aws.String("testing purposes")}))
	hist := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("unauth"), HistoryItemType: types.HistoryItemTypeStateUpdate, MaxRecords: aws.Int32(1)}))
	var data struct {
		Version  string `json:"version"`
		OldState struct {
			StateValue      string          `json:"stateValue"`
			StateReason     string          `json:"stateReason"`
			StateReasonData json.RawMessage `json:"stateReasonData"`
		} `json:"oldState"`
		NewState map[string]json.RawMessage `json:"newState"`
	}
	raw := aws.ToString(hist.AlarmHistoryItems[0].HistoryData)
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatal(err)
	}
	if data.Version != "1.0" || data.OldState.StateValue != "ALARM" || data.OldState.StateReason != aws.ToString(a.StateReason) {
		t.Fatalf("history data %s", raw)
	}
	var old, want any
	_ = json.Unmarshal(data.OldState.StateReasonData, &old)
	_ = json.Unmarshal([]byte(aws.ToString(a.StateReasonData)), &want)
	if old == nil || !jsonEqual(old, want) {
		t.Fatalf("oldState.stateReasonData %s, want %s", data.OldState.StateReasonData, aws.ToString(a.StateReasonData))
	}
	if _, ok := data.NewState["stateReasonData"]; ok {
		t.Fatalf("newState without reason data: %s", raw)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
