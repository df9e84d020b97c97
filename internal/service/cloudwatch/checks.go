package cloudwatch

import (
	"strings"

	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/svckit"
)

// checks authorizes alarm operations on each alarm they name: AlarmNames (one check
// per alarm), AlarmName, or the ResourceARN of the tagging operations. Listing without
// names (DescribeAlarms, DescribeAlarmHistory) is checked on "alarm:*", as AWS's
// AccessDenied shows ("not authorized to perform: cloudwatch:DescribeAlarms on
// resource: arn:aws:cloudwatch:us-east-1:…:alarm:*", aws-samples/amazon-cloudwatch-
// auto-alarms issue 1). A stored alarm's tags are aws:ResourceTag/*; PutMetricAlarm's
// actions are cloudwatch:AlarmActions. Metric operations use the reference's defaults.
func checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	var names []string
	resource := ""
	switch {
	case in["AlarmNames"] != nil:
		list, _ := in["AlarmNames"].([]any)
		for _, v := range list {
			s, _ := v.(string)
			names = append(names, s)
		}
	case in["AlarmName"] != nil:
		s, _ := in["AlarmName"].(string)
		names = []string{s}
	case in["ResourceARN"] != nil:
		resource, _ = in["ResourceARN"].(string)
		if a, ok := svckit.ParseARN(resource); ok && a.Account == c.Account && a.Region == c.Region {
			if n, ok := strings.CutPrefix(a.Resource, "alarm:"); ok {
				names = []string{n}
			}
		}
	case op == "DescribeAlarms" || op == "DescribeAlarmHistory":
		return []authz.Check{{Action: "cloudwatch:" + op, Resource: alarmARN(c.Region, c.Account, "*")}}, nil
	default:
		return c.DefaultChecks(in)
	}
	if len(names) == 0 {
		return []authz.Check{{Action: "cloudwatch:" + op, Resource: resource}}, nil
	}
	chks := make([]authz.Check, len(names))
	for i, n := range names {
		chk := authz.Check{Action: "cloudwatch:" + op, Resource: alarmARN(c.Region, c.Account, n), Context: map[string][]string{}}
		a, err := loadAlarm(c.Tx, c.Account, c.Region, n)
		if err != nil {
			return nil, err
		}
		if a != nil {
			for _, t := range a.Tags {
				chk.Context["aws:ResourceTag/"+t.Key] = []string{t.Value}
			}
		}
		if op == "PutMetricAlarm" || op == "PutCompositeAlarm" {
			for _, k := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
				list, _ := in[k].([]any)
				for _, v := range list {
					s, _ := v.(string)
					chk.Context["cloudwatch:AlarmActions"] = append(chk.Context["cloudwatch:AlarmActions"], s)
				}
			}
		}
		chks[i] = chk
	}
	return chks, nil
}
