package cloudwatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Composite alarms are alarmRecs with an AlarmRule, stored beside metric alarms (one
// name space per account and region, as on AWS). They are not on the evaluator's
// index: a composite is evaluated when it is put and, inside the same transaction,
// whenever an alarm its rule references changes state, so a chain of composites
// settles in the transaction of the change that started it. A composite is ALARM when
// its rule is true and OK otherwise; INSUFFICIENT_DATA only until its first
// evaluation (AWS: "this initial time after creation is the only time that the alarm
// can be in INSUFFICIENT_DATA state").

// tParents indexes the composites that reference an alarm:
// child name \x00 composite name → "".
const tParents = "parents"

// Quotas AWS documents for PutCompositeAlarm: "The rule expression of a composite
// alarm can include as many as 100 underlying alarms. Any single alarm can be included
// in the rule expressions of as many as 150 composite alarms."
const (
	maxRuleAlarms = 100
	maxParents    = 150
)

func (a *alarmRec) isComposite() bool { return a.AlarmRule != "" }

func (a *alarmRec) alarmType() string {
	if a.isComposite() {
		return "CompositeAlarm"
	}
	return "MetricAlarm"
}

// refName resolves a rule's reference (a name, or the ARN of an alarm of this account
// and region) to an alarm name; ok is false for another account's or region's ARN.
func refName(account, region, ref string) (string, bool) {
	if !strings.HasPrefix(ref, "arn:") {
		return ref, true
	}
	p, ok := svckit.ParseARN(ref)
	name, isAlarm := strings.CutPrefix(p.Resource, "alarm:")
	if !ok || !isAlarm || p.Service != "cloudwatch" || p.Account != account || p.Region != region {
		return "", false
	}
	return name, true
}

// children lists the names of the alarms a composite's rule references.
func (a *alarmRec) children(account, region string) []string {
	rule, err := parseRule(a.AlarmRule)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, ref := range rule.refs() {
		if n, ok := refName(account, region, ref); ok && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func parentKey(child, parent string) string { return child + "\x00" + parent }

// parents lists the composites whose rules reference name.
func parents(tx *store.Tx, account, region, name string) ([]string, error) {
	var out []string
	err := svckit.ScanPrefix(tx, ns(account, region, tParents), name+"\x00", "", func(k string, _ []byte) (bool, error) {
		out = append(out, strings.TrimPrefix(k, name+"\x00"))
		return true, nil
	})
	return out, err
}

// setParentLinks adds or removes the links from a composite's children, and its
// suppressor, to it; a composite with a suppressor is on the evaluator's index, which
// ends its wait and extension periods.
func setParentLinks(tx *store.Tx, account, region string, a *alarmRec, put bool) error {
	links := a.children(account, region)
	if n, ok := refName(account, region, a.Suppressor); ok && a.Suppressor != "" {
		links = append(links, n)
		var err error
		if put {
			err = tx.Put(alarmIndex, indexKey(account, region, a.Name), nil)
		} else {
			_, err = tx.Delete(alarmIndex, indexKey(account, region, a.Name))
		}
		if err != nil {
			return err
		}
	}
	for _, child := range links {
		var err error
		if put {
			err = tx.Put(ns(account, region, tParents), parentKey(child, a.Name), nil)
		} else {
			_, err = tx.Delete(ns(account, region, tParents), parentKey(child, a.Name))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (cw *CloudWatch) putCompositeAlarm(c *server.Call, in *api.PutCompositeAlarmInput) (*model.Empty, error) {
	if strings.TrimSpace(in.AlarmRule) != in.AlarmRule || in.AlarmRule == "" {
		// Inferred wording: AWS rejects a rule with leading or trailing white space.
		return nil, validationError("AlarmRule must not contain leading or trailing whitespace or be null")
	}
	rule, err := parseRule(in.AlarmRule)
	if err != nil {
		return nil, validationError("%s", err.Error())
	}
	a := &alarmRec{
		Name: in.AlarmName, Description: svckit.Str(in.AlarmDescription), ConfigUpdated: c.Now.Truncate(time.Millisecond),
		ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled, AlarmRule: in.AlarmRule,
		OKActions: nonNil(in.OKActions), AlarmActions: nonNil(in.AlarmActions), InsufficientDataActions: nonNil(in.InsufficientDataActions),
		Tags: in.Tags, Suppressor: svckit.Str(in.ActionsSuppressor),
	}
	if err := checkActions(c, a); err != nil {
		return nil, err
	}
	if a.Suppressor != "" {
		if in.ActionsSuppressorWaitPeriod == nil || in.ActionsSuppressorExtensionPeriod == nil {
			// AWS: "WaitPeriod is required only when ActionsSuppressor is specified."
			return nil, validationError("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is specified.")
		}
		a.SuppressorWait, a.SuppressorExtension = *in.ActionsSuppressorWaitPeriod, *in.ActionsSuppressorExtensionPeriod
		if _, ok := refName(c.Account, c.Region, a.Suppressor); !ok {
			return nil, validationError("Could not save the composite alarm as the actions suppressor %s does not exist", a.Suppressor)
		}
	}
	refs := rule.refs()
	if len(refs) > maxRuleAlarms {
		// Inferred wording.
		return nil, api.NewLimitExceededFault(fmt.Sprintf("The alarm rule can reference at most %d alarms.", maxRuleAlarms))
	}
	var missing []string
	for _, ref := range refs {
		// An ARN of another Region or account is refused as such, and the composite
		// itself as its own child (recorded, 2026: alarm_composites.json,
		// language/28/foreign-account-arn, language/29/foreign-region-arn,
		// language/30/self-cycle).
		arn := ref
		if p, isARN := svckit.ParseARN(ref); isARN && strings.HasPrefix(ref, "arn:") {
			switch {
			case p.Service == "cloudwatch" && p.Region != c.Region:
				return nil, validationError("Error in AlarmRule [Wrong ARN region, it was %s but %s was expected instead]", p.Region, c.Region)
			case p.Service == "cloudwatch" && p.Account != c.Account:
				return nil, validationError("A composite alarm cannot have a child relation with alarms from another AWS account")
			}
		} else {
			arn = alarmARN(c.Region, c.Account, ref)
		}
		name, ok := refName(c.Account, c.Region, ref)
		if ok && name == a.Name {
			return nil, validationError("A composite alarm cannot have a child relation with itself via its AlarmRule, as it would introduce a circular dependency")
		}
		var child *alarmRec
		if ok {
			if child, err = loadAlarm(c.Tx, c.Account, c.Region, name); err != nil {
				return nil, err
			}
		}
		if child == nil {
			// Named by ARN (recorded, 2026: alarm_composites.json, language/13/missing-name).
			missing = append(missing, arn)
			continue
		}
		ps, err := parents(c.Tx, c.Account, c.Region, name)
		if err != nil {
			return nil, err
		}
		if len(ps) >= maxParents && !contains(ps, a.Name) {
			// Inferred wording.
			return nil, api.NewLimitExceededFault(fmt.Sprintf("The alarm %s is already referenced by %d composite alarms.", name, maxParents))
		}
	}
	if len(missing) > 0 {
		// AWS's message, as CloudFormation reports it ("Could not save the composite
		// alarm as alarms [...] in the alarm rule do not exist").
		return nil, validationError("Could not save the composite alarm as alarms [%s] in the alarm rule do not exist", strings.Join(missing, ", "))
	}
	if a.Suppressor != "" {
		name, _ := refName(c.Account, c.Region, a.Suppressor)
		s, err := loadAlarm(c.Tx, c.Account, c.Region, name)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, validationError("Could not save the composite alarm as the actions suppressor %s does not exist", a.Suppressor)
		}
	}
	old, err := loadAlarm(c.Tx, c.Account, c.Region, a.Name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		if !old.isComposite() {
			return nil, errTypeConflict(a.Name)
		}
		if sameConfig(old, a) {
			return &model.Empty{}, nil
		}
		if err := setParentLinks(c.Tx, c.Account, c.Region, old, false); err != nil {
			return nil, err
		}
	}
	if old == nil {
		if err := checkNewTags(in.Tags); err != nil {
			return nil, err
		}
	}
	summary, kind := a.succeed(old)
	if err := putAlarm(c.Tx, c.Account, c.Region, a); err != nil {
		return nil, err
	}
	if err := setParentLinks(c.Tx, c.Account, c.Region, a, true); err != nil {
		return nil, err
	}
	data, err := compositeConfigHistory(c.Tx, c.Account, c.Region, kind, old, a)
	if err != nil {
		return nil, err
	}
	if err := addHistory(c.Tx, c.Account, c.Region, a, "ConfigurationUpdate", summary, data, c.Now); err != nil {
		return nil, err
	}
	// AWS: "When this operation creates an alarm, the alarm state is immediately set
	// to INSUFFICIENT_DATA. The alarm is then evaluated and its state is set
	// appropriately."
	return &model.Empty{}, cw.evaluateComposite(c.Tx, c.Account, c.Region, a, "", c.Now, map[string]bool{})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// evaluateComposite computes a composite's state from its children's and moves it
// there. trigger names the child whose change caused the evaluation ("" when the
// composite was put); visited stops a cycle of composites ("the evaluation of
// composite alarms stops if CloudWatch detects a cycle in the evaluation path").
func (cw *CloudWatch) evaluateComposite(tx *store.Tx, account, region string, a *alarmRec, trigger string, now time.Time, visited map[string]bool) error {
	if visited[a.Name] {
		return nil
	}
	visited[a.Name] = true
	rule, err := parseRule(a.AlarmRule)
	if err != nil {
		// Only a rule an earlier Palisade stored can fail here (PutCompositeAlarm
		// refuses the others): the composite is left as it is rather than failing the
		// transition of the child that asked for it.
		return nil
	}
	states := map[string]*alarmRec{}
	lookup := func(ref string) *alarmRec {
		name, ok := refName(account, region, ref)
		if !ok {
			return nil
		}
		if s, ok := states[name]; ok {
			return s
		}
		s, _ := loadAlarm(tx, account, region, name)
		states[name] = s
		return s
	}
	value := rule.eval(func(ref string) string {
		if s := lookup(ref); s != nil {
			return s.State
		}
		return ""
	})
	state := stateOK
	if value {
		state = stateAlarm
	}
	if state == a.State {
		return nil
	}
	// The triggering child: the one whose change caused this evaluation or, when the
	// composite was put, a referenced alarm in the composite's new state, the one that
	// changed last (recorded, 2026: alarm_composites.json, dependencies/8-17: A in
	// ALARM for a quorum that is met, B in OK for one that is not), else the one that
	// changed last.
	var child *alarmRec
	if trigger != "" {
		child = lookup(trigger)
	} else {
		var any *alarmRec
		for _, ref := range rule.refs() {
			s := lookup(ref)
			if s == nil {
				continue
			}
			if any == nil || s.StateUpdated.After(any.StateUpdated) {
				any = s
			}
			if s.State == state && (child == nil || s.StateUpdated.After(child.StateUpdated)) {
				child = s
			}
		}
		if child == nil {
			child = any
		}
	}
	reason, data := "", `{"triggeringAlarms":[]}`
	if child != nil {
		arn := alarmARN(region, account, child.Name)
		b, _ := json.Marshal(map[string]any{"triggeringAlarms": []any{map[string]any{"arn": arn,
			"state": map[string]any{"value": child.State, "timestamp": child.StateUpdated.UTC().Format(awsTime)}}}})
		data = string(b)
		// AWS's reason, as its notifications show it: "arn:aws:cloudwatch:…:alarm:x
		// transitioned to ALARM at Wednesday 10 November, 2021 02:45:55 UTC".
		reason = arn + " transitioned to " + child.State + " at " + child.StateUpdated.UTC().Format("Monday 2 January, 2006 15:04:05 UTC")
	}
	switch {
	case trigger == "" && a.State == stateInsufficient:
		// A new composite: AWS's reason whatever its rule names (recorded, 2026:
		// alarm_controls.json create-composite; alarm_composites.json dependencies/8).
		reason = alarmARN(region, account, a.Name) + " was created and its alarm rule evaluates to " + state
	case trigger == "":
		// A composite put again (recorded, 2026: alarm_composites.json,
		// dependencies/11, language/51).
		reason = alarmARN(region, account, a.Name) + " was updated and its new alarm rule evaluates to " + state
	case child == nil:
		// Inferred wording.
		reason = "The rule " + a.AlarmRule + " evaluated to " + strings.ToUpper(fmt.Sprint(value))
	}
	return cw.transitionIn(tx, account, region, a, state, reason, data, now, visited)
}

// evaluateParents evaluates the composites that reference a, after a changed state.
func (cw *CloudWatch) evaluateParents(tx *store.Tx, account, region string, a *alarmRec, now time.Time, visited map[string]bool) error {
	ps, err := parents(tx, account, region, a.Name)
	if err != nil {
		return err
	}
	for _, p := range ps {
		pa, err := loadAlarm(tx, account, region, p)
		if err != nil {
			return err
		}
		if pa == nil || !pa.isComposite() {
			continue
		}
		if n, ok := refName(account, region, pa.Suppressor); ok && pa.Suppressor != "" && n == a.Name {
			if err := cw.suppressorChanged(tx, account, region, pa, a, now); err != nil {
				return err
			}
		}
		if err := cw.evaluateComposite(tx, account, region, pa, a.Name, now, visited); err != nil {
			return err
		}
	}
	return nil
}

// Action suppression, as AWS's CompositeAlarm documents ActionsSuppressedBy: while
// the ActionsSuppressor alarm is in ALARM the composite's actions are suppressed
// (Alarm); after a state change while it is not, the composite waits up to
// ActionsSuppressorWaitPeriod seconds for it to go into ALARM (WaitPeriod); after it
// leaves ALARM, up to ActionsSuppressorExtensionPeriod seconds (ExtensionPeriod).
// When a wait or extension period ends with the composite still in the state whose
// actions were held, they run then (the evaluator checks each minute of Palisade's
// clock, or sooner on a clock advance); a new state change replaces held actions.
// A change of suppression outside a state change — an extension period beginning,
// a wait or extension period ending — is the composite's StateUpdatedTimestamp, at
// the instant it happens (a period's end, however late the evaluator sees it), and
// the reasons are AWS's (recorded, 2026: radkawar/stackd
// testdata/aws/cloudwatch/alarm_composites.json, suppression/*).

// suppressorOf is a composite's suppressor (nil when there is none).
func suppressorOf(tx *store.Tx, account, region string, a *alarmRec) (*alarmRec, error) {
	if a.Suppressor == "" {
		return nil, nil
	}
	name, ok := refName(account, region, a.Suppressor)
	if !ok {
		return nil, nil
	}
	return loadAlarm(tx, account, region, name)
}

// suppress records why a composite's actions are suppressed, and until when; s is
// the suppressor, for Alarm.
func (a *alarmRec) suppress(by string, until int64, s *alarmRec, region, account string) {
	a.SuppressedBy, a.SuppressUntil = by, until
	switch by {
	case "Alarm":
		a.SuppressedReason = "Actions suppressed by " + alarmARN(region, account, s.Name) + " that transitioned to ALARM at " +
			s.StateUpdated.UTC().Format("Monday 2 January, 2006 15:04:05 UTC")
	case "WaitPeriod", "ExtensionPeriod":
		a.SuppressedReason = "Actions suppressed by " + by
	default:
		a.SuppressedReason, a.HeldFrom = "", ""
	}
}

// holdActions decides whether the actions of a composite's new state are suppressed,
// recording why; held says they are.
func (cw *CloudWatch) holdActions(tx *store.Tx, account, region string, a *alarmRec, old string, now time.Time) (held bool, err error) {
	s, err := suppressorOf(tx, account, region, a)
	if err != nil {
		return false, err
	}
	switch {
	case s == nil:
		a.suppress("", 0, nil, region, account)
	case s.State == stateAlarm:
		a.suppress("Alarm", 0, s, region, account)
	case a.SuppressorWait > 0:
		a.suppress("WaitPeriod", now.Add(time.Duration(a.SuppressorWait)*time.Second).UnixMilli(), s, region, account)
	default:
		a.suppress("", 0, nil, region, account)
	}
	if a.SuppressedBy != "" {
		a.HeldFrom = old
	}
	return a.SuppressedBy != "", putAlarm(tx, account, region, a)
}

// suppressorChanged moves a composite's suppression along after its suppressor s
// changed state.
func (cw *CloudWatch) suppressorChanged(tx *store.Tx, account, region string, a *alarmRec, s *alarmRec, now time.Time) error {
	switch {
	case s.State == stateAlarm && a.SuppressedBy == "WaitPeriod":
		a.suppress("Alarm", 0, s, region, account)
	case s.State != stateAlarm && a.SuppressedBy == "Alarm":
		if a.SuppressorExtension == 0 {
			return cw.releaseActions(tx, account, region, a, now)
		}
		a.suppress("ExtensionPeriod", now.Add(time.Duration(a.SuppressorExtension)*time.Second).UnixMilli(), s, region, account)
	default:
		return nil
	}
	a.StateUpdated = now.Truncate(time.Millisecond)
	return putAlarm(tx, account, region, a)
}

// endSuppression runs a composite's held actions when its wait or extension period
// has ended.
func (cw *CloudWatch) endSuppression(tx *store.Tx, account, region string, a *alarmRec, now time.Time) error {
	if a.SuppressUntil == 0 || now.UnixMilli() < a.SuppressUntil {
		return nil
	}
	return cw.releaseActions(tx, account, region, a, time.UnixMilli(a.SuppressUntil).UTC())
}

// releaseActions ends a composite's suppression at now and runs the actions it held.
func (cw *CloudWatch) releaseActions(tx *store.Tx, account, region string, a *alarmRec, now time.Time) error {
	from := a.HeldFrom
	a.suppress("", 0, nil, region, account)
	a.StateUpdated = now.Truncate(time.Millisecond)
	if err := putAlarm(tx, account, region, a); err != nil {
		return err
	}
	if from == "" || from == a.State || !a.ActionsEnabled {
		return nil
	}
	return cw.executeActions(tx, account, region, a, from, now)
}

// compositeOut is the composite as DescribeAlarms returns it.
func (a *alarmRec) compositeOut(region, account string) api.CompositeAlarm {
	m := api.CompositeAlarm{
		AlarmName: svckit.Ptr(a.Name), AlarmArn: svckit.Ptr(alarmARN(region, account, a.Name)), AlarmRule: svckit.Ptr(a.AlarmRule),
		AlarmConfigurationUpdatedTimestamp: svckit.Ptr(a.ConfigUpdated), ActionsEnabled: svckit.Ptr(a.ActionsEnabled),
		OKActions: a.OKActions, AlarmActions: a.AlarmActions, InsufficientDataActions: a.InsufficientDataActions,
		StateValue: svckit.Ptr(a.State), StateReason: svckit.Ptr(a.StateReason), StateUpdatedTimestamp: svckit.Ptr(a.StateUpdated),
		StateTransitionedTimestamp: svckit.Ptr(a.StateTransitioned),
	}
	if a.Description != "" {
		m.AlarmDescription = svckit.Ptr(a.Description)
	}
	if a.StateReasonData != "" {
		m.StateReasonData = svckit.Ptr(a.StateReasonData)
	}
	if a.Suppressor != "" {
		// As the caller named it, by name or by ARN (recorded, 2026:
		// alarm_composites.json, language/51 and language/53).
		m.ActionsSuppressor = svckit.Ptr(a.Suppressor)
		m.ActionsSuppressorWaitPeriod, m.ActionsSuppressorExtensionPeriod = svckit.Ptr(a.SuppressorWait), svckit.Ptr(a.SuppressorExtension)
	}
	if a.SuppressedBy != "" {
		m.ActionsSuppressedBy, m.ActionsSuppressedReason = svckit.Ptr(a.SuppressedBy), svckit.Ptr(a.SuppressedReason)
	}
	return m
}

// compositeMessage is the JSON CloudWatch publishes when a composite alarm changes
// state, in the field order of AWS's documented schema ("Schema when a composite
// alarm changes state") with ActionExecutedAfterMuteWindow where AWS puts it
// (recorded, 2026: sns_publications.json, composite).
func compositeMessage(a *alarmRec, account, region, oldState string) string {
	var b bytes.Buffer
	str, list := jsonString, jsonList
	b.WriteString(`{"AlarmName":` + str(a.Name) + `,"AlarmDescription":` + a.descriptionJSON() + `,"AWSAccountId":` + str(account) +
		`,"NewStateValue":` + str(a.State) + `,"NewStateReason":` + str(a.StateReason) +
		`,"StateChangeTime":` + str(a.StateUpdated.UTC().Format(awsTime)) + `,"Region":` + str(regionName(region)) +
		`,"AlarmArn":` + str(alarmARN(region, account, a.Name)) +
		`,"OKActions":` + list(a.OKActions) + `,"AlarmActions":` + list(a.AlarmActions) + `,"InsufficientDataActions":` + list(a.InsufficientDataActions) +
		`,"ActionExecutedAfterMuteWindow":false,"OldStateValue":` + str(oldState) + `,"AlarmRule":` + str(a.AlarmRule) + `,"TriggeringChildren":[`)
	for i, t := range triggering(a) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Arn":` + str(t.ARN) + `,"State":{"Value":` + str(t.State.Value) + `,"Timestamp":` + str(t.State.Timestamp) + `}}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

// checkDelete applies DeleteAlarms' composite rules: at most one composite per call
// (AWS: "you can't delete two composite alarms with one operation"), and no alarm a
// remaining composite references (AWS's message: "Cannot delete a,b as there are
// composite alarm(s) depending on them.").
func checkDelete(tx *store.Tx, account, region string, names []string) error {
	deleting := map[string]bool{}
	for _, n := range names {
		deleting[n] = true
	}
	composites := 0
	var blocked []string
	for _, n := range names {
		a, err := loadAlarm(tx, account, region, n)
		if err != nil {
			return err
		}
		if a != nil && a.isComposite() {
			composites++
		}
		ps, err := parents(tx, account, region, n)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !deleting[p] {
				blocked = append(blocked, n)
				break
			}
		}
	}
	if composites > 1 {
		// Inferred wording.
		return validationError("You can delete at most one composite alarm in a DeleteAlarms call.")
	}
	switch len(blocked) {
	case 0:
		return nil
	case 1:
		return validationError("Cannot delete %s as there are composite alarm(s) depending on it.", blocked[0])
	}
	return validationError("Cannot delete %s as there are composite alarm(s) depending on them.", strings.Join(blocked, ","))
}

// jsonField is one member of a JSON object written in a fixed order.
type jsonField struct {
	key   string
	value any
}

func writeObject(fields []jsonField) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(plainJSON(f.key))
		b.WriteByte(':')
		if raw, ok := f.value.(json.RawMessage); ok {
			b.Write(raw)
			continue
		}
		b.WriteString(plainJSON(f.value))
	}
	b.WriteByte('}')
	return b.String()
}

// plainJSON is v in JSON without HTML escaping: a rule's or a name's & < > as written.
func plainJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// childStates is a composite's childStates in its configuration history: each child
// its rule names that exists, with its state.
func childStates(tx *store.Tx, account, region string, a *alarmRec) (json.RawMessage, error) {
	var out []string
	for _, name := range a.children(account, region) {
		child, err := loadAlarm(tx, account, region, name)
		if err != nil {
			return nil, err
		}
		if child == nil {
			continue
		}
		out = append(out, writeObject([]jsonField{{"arn", alarmARN(region, account, name)}, {"state", json.RawMessage(writeObject([]jsonField{
			{"value", child.State}, {"transitionTimestamp", child.StateTransitioned.UTC().Format(awsTime)}, {"timestamp", child.StateUpdated.UTC().Format(awsTime)}}))}}))
	}
	return json.RawMessage("[" + strings.Join(out, ",") + "]"), nil
}

// compositeConfig is a composite as its configuration history shows it, in AWS's
// order, children's states included.
func compositeConfig(tx *store.Tx, account, region string, a *alarmRec) ([]jsonField, error) {
	children, err := childStates(tx, account, region, a)
	if err != nil {
		return nil, err
	}
	fields := []jsonField{{"alarmName", a.Name}, {"alarmArn", alarmARN(region, account, a.Name)}}
	if a.Description != "" {
		fields = append(fields, jsonField{"alarmDescription", a.Description}) // placement inferred
	}
	return append(fields,
		jsonField{"alarmConfigurationUpdatedTimestamp", a.ConfigUpdated.UTC().Format(awsTime)}, jsonField{"alarmRule", a.AlarmRule},
		jsonField{"stateValue", a.State}, jsonField{"stateUpdatedTimestamp", a.StateUpdated.UTC().Format(awsTime)},
		jsonField{"actionsEnabled", a.ActionsEnabled}, jsonField{"alarmActions", nonNil(a.AlarmActions)},
		jsonField{"insufficientDataActions", nonNil(a.InsufficientDataActions)}, jsonField{"childStates", children},
		jsonField{"okactions", nonNil(a.OKActions)}), nil
}

// compositeConfigHistory is the HistoryData of a composite's ConfigurationUpdate:
// the composite created, or updated with the fields that changed as they were
// (originalUpdatedFields), as AWS writes them (recorded, 2026: radkawar/stackd
// testdata/aws/cloudwatch/alarm_composites.json, cycles/7 and cycles/8). The state
// shown is the one before the new rule is evaluated.
func compositeConfigHistory(tx *store.Tx, account, region, kind string, old, a *alarmRec) (historyText, error) {
	config, err := compositeConfig(tx, account, region, a)
	if err != nil {
		return "", err
	}
	if old == nil {
		return historyText(writeObject([]jsonField{{"version", "1.0"}, {"type", kind}, {"createdAlarm", json.RawMessage(writeObject(config))}})), nil
	}
	before, err := compositeConfig(tx, account, region, old)
	if err != nil {
		return "", err
	}
	current := map[string]string{}
	for _, f := range config {
		v, _ := json.Marshal(f.value)
		current[f.key] = string(v)
	}
	changed := []jsonField{}
	for _, f := range before {
		v, _ := json.Marshal(f.value)
		if f.key != "stateValue" && f.key != "stateUpdatedTimestamp" && current[f.key] != string(v) {
			changed = append(changed, f)
		}
	}
	return historyText(writeObject([]jsonField{{"version", "1.0"}, {"type", kind}, {"updatedAlarm", json.RawMessage(writeObject(config))},
		{"originalUpdatedFields", json.RawMessage(writeObject(changed))}})), nil
}
