package cloudwatch_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// PutMetricAlarm and DeleteAlarms racing the clock's evaluation, PutMetricData
// racing GetMetricData: no call fails, and a deleted alarm stays deleted.
func TestAlarmsAndMetricsRacingEvaluation(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	start := e.p.Clock.Now().Truncate(time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // the clock and the evaluator
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.p.AdvanceClock(time.Minute)
			e.p.CloudWatch.EvaluateAll(ctx)
		}
	}()
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 15 {
				name := fmt.Sprintf("a%d", w)
				var err error
				switch i % 3 {
				case 0, 1:
					_, err = e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: &name, MetricName: aws.String("M"), Namespace: aws.String("Race"),
						Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(float64(i)),
						ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold})
				case 2:
					_, err = e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{name}})
				}
				if err != nil {
					errs <- err
				}
				if _, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("Race"), MetricData: []types.MetricDatum{
					{MetricName: aws.String("M"), Value: aws.Float64(float64(i)), Timestamp: aws.Time(e.p.Clock.Now())}}}); err != nil {
					errs <- err
				}
				if _, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(e.p.Clock.Now().Add(time.Minute)),
					MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("q"), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
						Metric: &types.Metric{Namespace: aws.String("Race"), MetricName: aws.String("M")}}}}}); err != nil {
					errs <- err
				}
				if _, err := e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, err := e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.MetricAlarms {
		t.Errorf("alarm %s outlived its deletion", aws.ToString(a.AlarmName))
	}
}
