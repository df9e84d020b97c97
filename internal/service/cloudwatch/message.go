package cloudwatch

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// What CloudWatch publishes to an alarm's SNS topic besides the JSON message: the
// subject, and the per-protocol texts of the message structure its action history
// shows under publishedMessage (default, sms, email). Recorded, 2026:
// radkawar/stackd testdata/aws/cloudwatch/sns_publications.json.

const emailTime = "Monday 2 January, 2006 15:04:05 UTC"

// asciiName replaces each run of characters outside printable ASCII with one "_":
// a name of 界é界é… became "…-unicode-_" in the subject and the SMS text (the class
// of characters kept is inferred from that one run).
func asciiName(s string) string {
	var b strings.Builder
	run := false
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			if !run {
				b.WriteByte('_')
			}
			run = true
			continue
		}
		run = false
		b.WriteRune(r)
	}
	return b.String()
}

// alarmSubject is the notification's subject, `ALARM: "name" in US East (N.
// Virginia)`, cut to SNS's 100 characters by shortening the name with "..." (AWS
// kept the first 63 characters of a 220-character name).
func alarmSubject(state, name, region string) string {
	name = asciiName(name)
	head, tail := state+`: "`, `" in `+regionName(region)
	if len(head)+len(name)+len(tail) > 100 {
		keep := max(0, 100-len(head)-len(tail)-3)
		name = name[:min(keep, len(name))] + "..."
	}
	return head + name + tail
}

// alarmSMS is the message's SMS text: the subject's form, the name cut to 90
// characters with its "..." (the limit for other states and Regions is inferred).
func alarmSMS(state, name, region string) string {
	name = asciiName(name)
	if len(name) > 90 {
		name = name[:87] + "..."
	}
	return state + `: "` + name + `" in ` + regionName(region)
}

// publishedMessage is the message structure CloudWatch hands SNS, as the action
// history's publishedMessage shows it: a JSON string of the default (JSON) message,
// the SMS text and the email text.
func publishedMessage(a *alarmRec, account, region, oldState, msg string) string {
	email := metricEmail(a, account, region, oldState)
	if a.isComposite() {
		email = compositeEmail(a, account, region, oldState)
	}
	return `{"default":` + jsonString(msg) + `,"sms":` + jsonString(alarmSMS(a.State, a.Name, region)) + `,"email":` + jsonString(email) + `}`
}

// emailHead is the part of an alarm email from the console link to the alarm's ARN
// (without the composite's rule line, which emailDetails' caller inserts).
func emailLink(a *alarmRec, region string) string {
	return "View this alarm in the AWS Management Console:\nhttps://" + region + ".console.aws.amazon.com/cloudwatch/deeplink.js?region=" + region +
		"#alarmsV2:alarm/" + url.PathEscape(a.Name) + "\n\n"
}

// field is one "- Name:   value" line of an email, its value at the column AWS
// uses for the section.
func field(name string, width int, value string) string {
	label := "- " + name + ":"
	return label + strings.Repeat(" ", max(1, width-len(label))) + value + "\n"
}

func actionsList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func emailActions(a *alarmRec) string {
	return "State Change Actions:\n" + field("OK", 0, actionsList(a.OKActions)) + field("ALARM", 0, actionsList(a.AlarmActions)) +
		field("INSUFFICIENT_DATA", 0, actionsList(a.InsufficientDataActions))
}

// metricEmail is a metric alarm's email text.
func metricEmail(a *alarmRec, account, region, oldState string) string {
	at := a.StateUpdated.UTC().Format(emailTime)
	var b strings.Builder
	b.WriteString("You are receiving this email because your Amazon CloudWatch Alarm \"" + a.Name + "\" in the " + regionName(region) +
		" region has entered the " + a.State + " state, because \"" + a.StateReason + "\" at \"" + at + "\".\n\n")
	b.WriteString(emailLink(a, region))
	b.WriteString("Alarm Details:\n" + field("Name", 30, a.Name) + field("Description", 30, a.Description) +
		field("State Change", 30, oldState+" -> "+a.State) + field("Reason for State Change", 30, a.StateReason) +
		field("Timestamp", 30, at) + field("AWS Account", 30, account) + field("Alarm Arn", 30, alarmARN(region, account, a.Name)) + "\n")
	period := int(a.period() / time.Second)
	n := a.DatapointsToAlarm
	if n == 0 {
		n = a.EvaluationPeriods
	}
	b.WriteString("Threshold:\n- The alarm is in the ALARM state when the metric is " + a.ComparisonOperator + " " + javaDouble(a.Threshold) +
		" for at least " + strconv.Itoa(int(n)) + " of the last " + strconv.Itoa(int(a.EvaluationPeriods)) + " period(s) of " + strconv.Itoa(period) + " seconds. \n\n")
	if a.MetricName != "" {
		// Dimensions as "[Name = Value, …]" is inferred: the recording's alarm had
		// none.
		dims := make([]string, len(a.Dimensions))
		for i, d := range a.Dimensions {
			dims[i] = d.Name + " = " + d.Value
		}
		dimText := ""
		if len(dims) > 0 {
			dimText = "[" + strings.Join(dims, ", ") + "]"
		}
		stat, unit := a.Statistic, a.Unit
		if a.ExtendedStatistic != "" {
			stat = a.ExtendedStatistic
		}
		if unit == "" {
			// Recorded, 2026: sns_publications.json, dependency_evidence.
			unit = "not specified"
		}
		b.WriteString("Monitored Metric:\n" + field("MetricNamespace", 39, a.Namespace) + field("MetricName", 39, a.MetricName) +
			field("Dimensions", 39, dimText) + field("Period", 39, strconv.Itoa(int(a.Period))+" seconds") + field("Statistic", 39, stat) +
			field("Unit", 39, unit) + field("TreatMissingData", 39, a.treatMissing()) + "\n\n")
	} else {
		b.WriteString("Monitored Metrics:\n")
		for _, q := range a.Metrics {
			if q.ReturnData != nil && !*q.ReturnData || q.Expression == nil {
				continue
			}
			b.WriteString(field("MetricExpression", 30, *q.Expression))
			if q.Label != nil {
				b.WriteString(field("MetricLabel", 30, *q.Label))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(emailActions(a))
	return b.String()
}

// compositeEmail is a composite alarm's email text, with its rule and up to ten
// triggering children (the state column's width is inferred from ALARM alone).
func compositeEmail(a *alarmRec, account, region, oldState string) string {
	at := a.StateUpdated.UTC().Format(emailTime)
	var b strings.Builder
	b.WriteString("You are receiving this email because your Amazon CloudWatch Alarm \"" + a.Name + "\" in the " + regionName(region) +
		" region has transitioned to " + a.State + " state on " + at + ", because \"" + a.StateReason + "\".\n\n")
	b.WriteString(emailLink(a, region))
	b.WriteString("Alarm Details:\n" + field("Name", 30, a.Name) + field("Description", 30, a.Description) +
		field("State Change", 30, oldState+" -> "+a.State) + field("Alarm Rule", 30, a.AlarmRule) + field("Reason for State Change", 30, a.StateReason) +
		field("Timestamp", 30, at) + field("AWS Account", 30, account) + field("Alarm Arn", 30, alarmARN(region, account, a.Name)) + "\n")
	b.WriteString("Triggering children (max. 10):\n")
	for i, t := range triggering(a) {
		if i == 10 {
			break
		}
		when := t.State.Timestamp
		if ts, err := time.Parse(awsTime, when); err == nil {
			when = ts.UTC().Format(emailTime)
		}
		b.WriteString("- " + t.ARN + "   " + t.State.Value + strings.Repeat(" ", max(1, 20-len(t.State.Value))) + when + "\n")
	}
	b.WriteString("\n" + emailActions(a))
	return b.String()
}

type triggeringAlarm struct {
	ARN   string `json:"arn"`
	State struct {
		Value     string `json:"value"`
		Timestamp string `json:"timestamp"`
	} `json:"state"`
}

// triggering is the triggering children a composite's reason data names.
func triggering(a *alarmRec) []triggeringAlarm {
	var data struct {
		Triggering []triggeringAlarm `json:"triggeringAlarms"`
	}
	_ = json.Unmarshal([]byte(a.StateReasonData), &data)
	return data.Triggering
}
