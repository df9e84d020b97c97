package iam_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// The tests in this file replay answers AWS gave in 2026, recorded in the public
// repository radkawar/stackd under testdata/aws/iam/ (each case names its file).
// The condition files were recorded as TagUser on a user, called by a role session
// whose session policy either allows TagUser under the condition ("deny": false) or
// allows it and denies it under the condition ("deny": true).

// conditionRig is that setup: a caller that may assume an actor role allowed to tag
// users, and the user tagged.
type conditionRig struct {
	e      *env
	caller *sts.Client
	role   string
}

func newConditionRig(e *env) *conditionRig {
	e.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("condition-target")}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")})).AccessKey
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	r := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("actor"), AssumeRolePolicyDocument: aws.String(trust)})).Role
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("actor"), PolicyName: aws.String("tag"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagUser","Resource":"*"}]}`)}))
	_, caller := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	return &conditionRig{e: e, caller: caller, role: *r.Arn}
}

// tag calls TagUser under a session policy holding cond and returns AWS's code for
// the outcome: "Success", or the error code (an AssumeRole error is prefixed
// "AssumeRole:", as the recordings write it).
func (rig *conditionRig) tag(cond string, deny bool, tags ...string) string {
	rig.e.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":` + cond + `}]}`
	if deny {
		doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagUser","Resource":"*"},` +
			`{"Effect":"Deny","Action":"iam:TagUser","Resource":"*","Condition":` + cond + `}]}`
	}
	out, err := rig.caller.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(rig.role), RoleSessionName: aws.String("recorded"), Policy: aws.String(doc)})
	if err != nil {
		return "AssumeRole:" + errorCode(rig.e, err)
	}
	c := out.Credentials
	client := iam.NewFromConfig(rig.e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	list := []types.Tag{}
	for i := 0; i+1 < len(tags); i += 2 {
		list = append(list, types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	_, err = client.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("condition-target"), Tags: list})
	if err != nil {
		return errorCode(rig.e, err)
	}
	return "Success"
}

func errorCode(t testing.TB, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.ErrorCode()
}

// TestRecorded2026Conditions replays observations of condition_ip.json,
// condition_values.json, condition_sets.json and condition_strings.json: what AWS
// answered for each condition, request tags and deny flag.
func TestRecorded2026Conditions(t *testing.T) {
	e := newEnv(t)
	rig := newConditionRig(e)
	const user = "arn:aws:iam::123456789012:user/test"
	cases := []struct {
		file string
		cond string
		deny bool
		tags []string
		want string
	}{
		// IP addresses as IAM reads them.
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.000.002.0/24"}}`, false, []string{"value", "192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.0/+24"}}`, false, []string{"value", "192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.0/024"}}`, false, []string{"value", "192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.5/24"}}`, false, []string{"value", "192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, false, []string{"value", "192.000.002.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, false, []string{"value", "::ffff:192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, false, []string{"value", "::FFFF:c000:201"}, "Success"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, false, []string{"value", "192.0.513"}, "AccessDenied"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, true, []string{"value", "192.0.513"}, "Success"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, false, []string{"value", "3221225985"}, "AccessDenied"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"192.0.2.0/24"}}`, false, []string{"value", "192.0.2.1/32"}, "AccessDenied"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"2001:db8::/64"}}`, false, []string{"value", "2001:db8:::1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"2001:db8::1/128"}}`, false, []string{"value", "2001:db8::1:"}, "Success"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"2001:db8::1/128"}}`, false, []string{"value", ":2001:db8::1"}, "Success"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"::/0"}}`, false, []string{"value", "2001::db8::1"}, "AccessDenied"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"2001:db8::/64"}}`, false, []string{"value", "2001:db8::192.0.2.1"}, "AccessDenied"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"::/0"}}`, false, []string{"value", ":::"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"::/0"}}`, false, []string{"value", "192.0.2.1"}, "AccessDenied"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"192.0.2.0/0"}}`, false, []string{"value", "2001:db8::1"}, "AccessDenied"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"2001:db8::5/64"}}`, false, []string{"value", "2001:db8::1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"2001:db8::4/127"}}`, false, []string{"value", "2001:db8::5"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":"::ffff:c000:200/120"}}`, false, []string{"value", "::ffff:c000:201"}, "AccessDenied"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":"::ffff:192.0.2.0/120"}}`, false, []string{"value", "192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"IpAddress":{"aws:RequestTag/value":["not-an-ip","192.0.2.0/24"]}}`, false, []string{"value", "192.0.2.1"}, "Success"},
		{"condition_ip.json", `{"NotIpAddress":{"aws:RequestTag/value":["not-an-ip","192.0.2.0/24"]}}`, false, []string{"value", "192.0.3.1"}, "Success"},
		// Values of the other operators.
		{"condition_values.json", `{"Bool":{"aws:RequestTag/value":"false"}}`, false, []string{"value", "yes"}, "Success"},
		{"condition_values.json", `{"Bool":{"aws:RequestTag/value":"false"}}`, false, []string{"value", " true "}, "Success"},
		{"condition_values.json", `{"Bool":{"aws:RequestTag/value":"true"}}`, false, []string{"value", "TRUE"}, "Success"},
		{"condition_values.json", `{"Bool":{"aws:RequestTag/value":"yes"}}`, false, []string{"value", "false"}, "Success"},
		{"condition_values.json", `{"NumericEquals":{"aws:RequestTag/value":"1"}}`, false, []string{"value", "+1"}, "Success"},
		{"condition_values.json", `{"NumericNotEquals":{"aws:RequestTag/value":"1"}}`, false, []string{"value", "no-number"}, "Success"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/value":"arn:aws:iam::*:user/*"}}`, true, []string{"value", "not-an-arn"}, "Success"},
		{"condition_values.json", `{"ArnNotLike":{"aws:RequestTag/value":"arn:aws:iam::*:user/*"}}`, false, []string{"value", "not-an-arn"}, "AccessDenied"},
		{"condition_values.json", `{"ArnNotLike":{"aws:RequestTag/value":"arn:aws:iam::*:user/*"}}`, true, []string{"value", "not-an-arn"}, "Success"},
		{"condition_values.json", `{"ArnNotLike":{"aws:RequestTag/value":"arn:aws:iam::*:user/*"}}`, false, []string{"value", ""}, "AccessDenied"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/value":"not-an-arn"}}`, false, []string{"value", user}, "AccessDenied"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/value":"not-an-arn"}}`, true, []string{"value", user}, "AccessDenied"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/value":"not-an-arn"}}`, true, []string{"value", "not-an-arn"}, "Success"},
		{"condition_values.json", `{"ArnNotLike":{"aws:RequestTag/value":"not-an-arn"}}`, true, []string{"value", user}, "AccessDenied"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/value":["arn:aws:iam::*:user/*","not-an-arn"]}}`, false, []string{"value", user}, "Success"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/value":["not-an-arn","arn:aws:iam::*:user/*"]}}`, false, []string{"value", user}, "AccessDenied"},
		{"condition_values.json", `{"ArnNotLike":{"aws:RequestTag/value":["arn:aws:iam::*:user/*","not-an-arn"]}}`, true, []string{"value", user}, "Success"},
		{"condition_values.json", `{"ArnNotLike":{"aws:RequestTag/value":["arn:aws:iam::*:role/*","not-an-arn"]}}`, true, []string{"value", user}, "AccessDenied"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/resource":"${aws:RequestTag/pattern}"}}`, true, []string{"pattern", "not-an-arn", "resource", user}, "AccessDenied"},
		{"condition_values.json", `{"ArnLike":{"aws:RequestTag/resource":"${aws:RequestTag/pattern}"}}`, true, []string{"pattern", "not-an-arn", "resource", "not-an-arn"}, "Success"},
		{"condition_values.json", `{"BinaryEquals":{"aws:RequestTag/value":"no-binary"}}`, false, []string{"value", "YQ=="}, "AssumeRole:MalformedPolicyDocument"},
		{"condition_values.json", `{"Null":{"aws:RequestTag/value":"yes"}}`, false, []string{"value", "present"}, "Success"},
		// Single- and multivalued keys.
		{"condition_sets.json", `{"StringEquals":{"aws:TagKeys":"team"}}`, false, []string{"team", "capture"}, "AccessDenied"},
		{"condition_sets.json", `{"StringEquals":{"aws:TagKeys":"team"}}`, true, []string{"team", "capture"}, "Success"},
		{"condition_sets.json", `{"StringNotEquals":{"aws:TagKeys":"team"}}`, false, []string{"env", "capture"}, "AccessDenied"},
		{"condition_sets.json", `{"StringNotEqualsIfExists":{"aws:TagKeys":"team"}}`, true, []string{"env", "capture"}, "Success"},
		{"condition_sets.json", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}`, false, []string{"team", "capture", "env", "capture"}, "Success"},
		{"condition_sets.json", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"team"}}`, false, []string{"env", "capture"}, "Success"},
		{"condition_sets.json", `{"ForAllValues:StringEquals":{"aws:RequestTag/team":"capture"}}`, false, []string{"team", ""}, "AccessDenied"},
		{"condition_sets.json", `{"ForAnyValue:StringEquals":{"aws:RequestTag/team":""}}`, false, []string{"team", ""}, "Success"},
		{"condition_sets.json", `{"Null":{"aws:RequestTag/team":"true"}}`, false, []string{"team", ""}, "AccessDenied"},
		{"condition_sets.json", `{"StringEquals":{"aws:RequestTag/team":"${aws:TagKeys}"}}`, false, []string{"team", "team"}, "AccessDenied"},
		{"condition_sets.json", `{"StringNotEquals":{"aws:RequestTag/team":"${aws:TagKeys, 'fallback'}"}}`, false, []string{"team", "fallback"}, "Success"},
		// Case and wildcards.
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"prod"}}`, false, []string{"value", "PrOd"}, "Success"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"K"}}`, false, []string{"value", "\u212a"}, "Success"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"s"}}`, false, []string{"value", "\u017f"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"I"}}`, false, []string{"value", "\u0131"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"i"}}`, false, []string{"value", "\u0130"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\u00df"}}`, false, []string{"value", "\u1e9e"}, "Success"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\u00df"}}`, false, []string{"value", "SS"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\u03a3"}}`, false, []string{"value", "\u03c2"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\u03a3"}}`, false, []string{"value", "\u03c3"}, "Success"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\u039f\u03a3"}}`, false, []string{"value", "\u03bf\u03c2"}, "Success"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\u039f\u03a3"}}`, false, []string{"value", "\u03bf\u03c3"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\ud801\udc00"}}`, false, []string{"value", "\U00010428"}, "AccessDenied"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"\ud801\udc00\u03a3"}}`, false, []string{"value", "\U00010400\u03c2"}, "Success"},
		{"condition_strings.json", `{"StringEqualsIgnoreCase":{"aws:RequestTag/value":"A\u03a3\ud801\udc00"}}`, false, []string{"value", "a\u03c3\U00010400"}, "Success"},
		{"condition_strings.json", `{"StringLike":{"aws:RequestTag/value":"?"}}`, false, []string{"value", "\U00010400"}, "AccessDenied"},
		{"condition_strings.json", `{"StringLike":{"aws:RequestTag/value":"??"}}`, false, []string{"value", "\U00010400"}, "Success"},
		{"condition_strings.json", `{"StringLike":{"aws:RequestTag/value":"a*?b"}}`, false, []string{"value", "a\U00010400b"}, "Success"},
		{"condition_strings.json", `{"StringLike":{"aws:RequestTag/value":"\ud801\udc00?"}}`, false, []string{"value", "\U00010400\U00010428"}, "AccessDenied"},
		{"condition_strings.json", `{"StringLike":{"aws:RequestTag/value":"a?b"}}`, false, []string{"value", "a:b"}, "Success"},
		{"condition_strings.json", `{"StringLike":{"aws:RequestTag/value":"a[b]"}}`, false, []string{"value", "ab"}, "AccessDenied"},
		{"condition_strings.json", `{"ForAnyValue:StringEqualsIgnoreCase":{"aws:TagKeys":"\u039f\u03a3"}}`, false, []string{"\u03bf\u03c2", "capture"}, "Success"},
		{"condition_strings.json", `{"ForAnyValue:StringLike":{"aws:TagKeys":"a?"}}`, false, []string{"a\U00010400", "capture"}, "AccessDenied"},
	}
	for _, c := range cases {
		if got := rig.tag(c.cond, c.deny, c.tags...); got != c.want {
			t.Errorf("%s: %s deny=%v tags %q: %s, want %s", c.file, c.cond, c.deny, c.tags, got, c.want)
		}
	}
}

// TestRecorded2026StoredConditionValues: condition values IAM refuses to store, and
// those it takes (the "policy_storage" observations of condition_ip.json and
// condition_values.json).
func TestRecorded2026StoredConditionValues(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	cases := []struct {
		op, value string
		ok        bool
	}{
		{"IpAddress", "192.0.2.5/24", true},
		{"IpAddress", "192.000.002.0/24", true},
		{"IpAddress", "192.0.2.0/+24", true},
		{"IpAddress", "::ffff:c000:200/120", true},
		{"IpAddress", "2001:DB8::/064", true},
		{"IpAddress", "2001:db8:::1/128", true},
		{"IpAddress", "2001:db8::1:/128", true},
		{"IpAddress", "2001:db8::4/127", true},
		{"IpAddress", "::ffff:192.0.2.0/120", false},
		{"IpAddress", "::ffff:192.0.2.1", false},
		{"IpAddress", "::192.0.2.0/120", false},
		{"IpAddress", "2001:db8::5/64", false},
		{"IpAddress", "2001:db8::1/0", false},
		{"IpAddress", "2001:db8::192.0.2.0/120", false},
		{"IpAddress", "192.0.2.0/33", false},
		{"IpAddress", "2001:db8::/129", false},
		{"IpAddress", "not-an-ip", false},
		{"ArnLike", "not-an-arn", false},
		{"BinaryEquals", "no-binary", false},
		{"Bool", "yes", true},
		{"Null", "yes", true},
	}
	for _, c := range cases {
		doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"` +
			c.op + `":{"aws:RequestTag/value":"` + c.value + `"}}}}`
		_, err := e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		switch {
		case c.ok && err != nil:
			t.Errorf("%s %q: %v, want success", c.op, c.value, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "MalformedPolicyDocument")):
			t.Errorf("%s %q: %v, want MalformedPolicyDocument", c.op, c.value, err)
		}
	}
}

// TestRecorded2026SimulatorInputs: the simulator reads "ip" context values with
// IAM's address grammar and simulates documents IAM would not store
// (condition_ip.json and condition_strings.json, "simulation").
func TestRecorded2026SimulatorInputs(t *testing.T) {
	e := newEnv(t)
	simulate := func(doc, ip string) (string, error) {
		out, err := e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"},
			ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: types.ContextKeyTypeEnumIp, ContextKeyValues: []string{ip}}}})
		if err != nil {
			return "", err
		}
		return string(out.EvaluationResults[0].EvalDecision), nil
	}
	ipDoc := func(cidr string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"` + cidr + `"}}}]}`
	}
	for _, c := range []struct{ cidr, ip, want string }{
		{"2001:db8::1/128", "2001:db8:::1", "allowed"},
		{"2001:db8::1/128", "2001:db8:0:0:0:0:0:1:", "allowed"},
		{"0:2001:db8::1/128", ":2001:db8::1", "allowed"},
		{"::/0", ":::", "allowed"},
		{"192.0.2.0/24", "192.000.002.1", "allowed"},
		{"192.0.2.0/24", "::ffff:192.0.2.1", "allowed"},
	} {
		if d, err := simulate(ipDoc(c.cidr), c.ip); err != nil || d != c.want {
			t.Errorf("%s in %s: %s %v, want %s", c.ip, c.cidr, d, err, c.want)
		}
	}
	for _, ip := range []string{"2001:db8::::1", "2001::db8::1", "::ffff:::192.0.2.1", "fe80::1%eth0", "[2001:db8::1]", " 192.0.2.1 ", "2001:db8::192.0.2.1"} {
		_, err := simulate(ipDoc("::/0"), ip)
		wantErr(t, err, "InvalidInput", 400, "")
	}
	// "İ" (written \u0130) in a simulated document, which IAM would not store.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:SourceIp":"\u0130"}}}]}`
	if d, err := simulate(doc, "::ffff:192.0.2.1"); err != nil || d != "implicitDeny" {
		t.Errorf("document with U+0130: %s %v, want implicitDeny", d, err)
	}
}

// stepCode is the TOTP code of seed at the 30-second step offset steps from now.
func stepCode(t *testing.T, seed string, offset int64) string {
	return code(t, seed, time.Now().Add(time.Duration(offset)*30*time.Second))
}

// settleStep waits until the current 30-second step has at least five seconds left,
// so that codes computed for offsets from now keep their offsets while checked.
func settleStep() {
	if left := 30 - time.Now().Unix()%30; left < 5 {
		time.Sleep(time.Duration(left) * time.Second)
	}
}

// TestRecorded2026MFA replays mfa.json, mfa_pair_window.json, mfa_resync_anchor.json,
// mfa_reuse.json, mfa_synchronization_codes.json and mfa_authentication_drift.json:
// IAM's and STS's answers for virtual MFA devices.
func TestRecorded2026MFA(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"owner", "other"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u), Path: aws.String("/org-access/")}))
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("owner")})).AccessKey
	_, ownerSTS := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	create := func(name string) (string, string) {
		d := must(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name), Path: aws.String("/devices/"),
			Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("probe")}}})).VirtualMFADevice
		return *d.SerialNumber, string(d.Base32StringSeed)
	}
	pair := func(seed string, second int64) (*string, *string) {
		return aws.String(stepCode(t, seed, second-1)), aws.String(stepCode(t, seed, second))
	}
	enable := func(user, serial, seed string, second int64) error {
		c1, c2 := pair(seed, second)
		_, err := e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial), AuthenticationCode1: c1, AuthenticationCode2: c2})
		return err
	}
	resync := func(user, serial, seed string, second int64) error {
		c1, c2 := pair(seed, second)
		_, err := e.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial), AuthenticationCode1: c1, AuthenticationCode2: c2})
		return err
	}
	session := func(serial, seed string, offset int64) error {
		_, err := ownerSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900), SerialNumber: aws.String(serial), TokenCode: aws.String(stepCode(t, seed, offset))})
		return err
	}
	const invalidPass = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	const unassociated = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."

	// mfa.json.
	serial, seed := create("phone")
	if serial != "arn:aws:iam::"+account+":mfa/devices/phone" {
		t.Fatalf("serial %s", serial)
	}
	_, err := e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone"), Path: aws.String("/devices/")})
	wantErr(t, err, "EntityAlreadyExists", 409, "MFA device already exists.")
	_, err = e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("owner"), SerialNumber: aws.String(serial)})
	wantErr(t, err, "NoSuchEntity", 404, "MFA Device invalid for user.")
	wantErr(t, resync("owner", serial, seed, 0), "NoSuchEntity", 404, "MFA Device invalid for user.")
	same := aws.String(stepCode(t, seed, 0))
	_, err = e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("owner"), SerialNumber: aws.String(serial), AuthenticationCode1: same, AuthenticationCode2: same})
	wantErr(t, err, "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
	settleStep()
	c1, c2 := pair(seed, 0)
	_, err = e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("owner"), SerialNumber: aws.String(serial), AuthenticationCode1: c2, AuthenticationCode2: c1})
	wantErr(t, err, "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
	noErr(t, enable("owner", serial, seed, 0))
	wantErr(t, enable("owner", serial, seed, 2), "EntityAlreadyExists", 409, "MFA Device for user owner already exists.")
	wantErr(t, enable("other", serial, seed, 2), "EntityAlreadyExists", 409, "MFA Device is already in use.")
	_, err = e.iam.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("owner"), SerialNumber: aws.String(serial)})
	wantErr(t, err, "ValidationError", 400, "The MFA device serial number sent in the request is invalid or not supported by this API. Currently, only hardware FIDO security keys are supported. Please use the compatible device or API.")
	_, err = e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantErr(t, err, "DeleteConflict", 409, "MFA VirtualDevice in use. Must deactivate first.")
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("owner")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove tokens from principal first.")
	_, err = e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("other"), SerialNumber: aws.String(serial)})
	wantErr(t, err, "NoSuchEntity", 404, "MFA Device invalid for user.")

	// STS: two steps either way, each code once and in any order, the enabling pair's
	// codes included (mfa.json, mfa_authentication_drift.json, mfa_reuse.json,
	// mfa_synchronization_codes.json).
	settleStep()
	noErr(t, session(serial, seed, 2))
	noErr(t, session(serial, seed, -2))
	noErr(t, session(serial, seed, 0))
	wantErr(t, session(serial, seed, -2), "AccessDenied", 403, invalidPass)
	wantErr(t, session(serial, seed, 10), "AccessDenied", 403, invalidPass)
	wantErr(t, session(serial, seed, -10), "AccessDenied", 403, invalidPass)

	// ResyncMFADevice: a later pair each time (mfa.json, mfa_reuse.json).
	noErr(t, resync("owner", serial, seed, 10))
	wantErr(t, resync("owner", serial, seed, 0), "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
	noErr(t, resync("owner", serial, seed, 20))
	wantErr(t, resync("owner", serial, seed, 21), "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")

	must(e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("owner"), SerialNumber: aws.String(serial)}))
	wantErr(t, session(serial, seed, 1), "AccessDenied", 403, unassociated)
	if vs := must(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})).VirtualMFADevices; len(vs) != 1 || *vs[0].SerialNumber != serial {
		t.Fatalf("unassigned %+v", vs)
	}

	// mfa_pair_window.json: the enabling pair may be up to 999 steps from now.
	for _, c := range []struct {
		second int64
		ok     bool
	}{{1000, true}, {1001, false}, {-998, true}, {-999, false}} {
		s, sd := create("window" + strings.ReplaceAll(strconv.FormatInt(c.second, 10), "-", "m"))
		err := enable("other", s, sd, c.second)
		if c.ok {
			noErr(t, err)
			must(e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("other"), SerialNumber: aws.String(s)}))
		} else {
			wantErr(t, err, "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
		}
	}

	// mfa_resync_anchor.json: the window follows the device's clock, across
	// deactivation.
	s, sd := create("anchor")
	noErr(t, enable("other", s, sd, 600))
	noErr(t, resync("other", s, sd, 1200))
	noErr(t, resync("other", s, sd, 1800))
	noErr(t, resync("other", s, sd, 1802))
	must(e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("other"), SerialNumber: aws.String(s)}))
	noErr(t, enable("other", s, sd, 1804))
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecorded2026PolicyManagement replays policy_management.json: four policies —
// unused; attached to a user, a group and a role; the user's boundary; attached to
// the group and the role's boundary.
func TestRecorded2026PolicyManagement(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	arn := map[string]*string{}
	for _, n := range []string{"attached", "both", "boundary", "unused"} {
		arn[n] = must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(n), PolicyDocument: aws.String(allowAll)})).Policy.Arn
	}
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn["attached"]}))
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arn["attached"]}))
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn["attached"]}))
	must(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: arn["boundary"]}))
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arn["both"]}))
	must(e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: arn["both"]}))

	const pp, pb = types.PolicyUsageTypePermissionsPolicy, types.PolicyUsageTypePermissionsBoundary
	for _, c := range []struct {
		only  bool
		usage types.PolicyUsageType
		want  string
	}{
		{false, "", "attached both boundary unused"}, {false, pp, "attached both boundary unused"}, {false, pb, "attached both boundary unused"},
		{true, "", "attached both boundary"}, {true, pp, "attached both"}, {true, pb, "both boundary"},
	} {
		var names []string
		for _, p := range must(e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: c.only, PolicyUsageFilter: c.usage})).Policies {
			names = append(names, *p.PolicyName)
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("ListPolicies OnlyAttached=%v usage %q: %s, want %s", c.only, c.usage, got, c.want)
		}
	}
	for _, c := range []struct {
		policy string
		filter types.EntityType
		usage  types.PolicyUsageType
		want   [3]int // users, groups, roles
	}{
		{"unused", "", "", [3]int{0, 0, 0}},
		{"attached", "", "", [3]int{1, 1, 1}}, {"attached", "", pp, [3]int{1, 1, 1}}, {"attached", "", pb, [3]int{0, 0, 0}},
		{"boundary", "", "", [3]int{1, 0, 0}}, {"boundary", "", pp, [3]int{0, 0, 0}}, {"boundary", "", pb, [3]int{1, 0, 0}},
		{"both", "", "", [3]int{0, 1, 1}}, {"both", "", pp, [3]int{0, 1, 0}}, {"both", "", pb, [3]int{0, 0, 1}},
		{"both", types.EntityTypeUser, "", [3]int{0, 0, 0}},
		{"both", types.EntityTypeGroup, "", [3]int{0, 1, 0}}, {"both", types.EntityTypeGroup, pb, [3]int{0, 0, 0}},
		{"both", types.EntityTypeRole, "", [3]int{0, 0, 1}}, {"both", types.EntityTypeRole, pp, [3]int{0, 0, 0}}, {"both", types.EntityTypeRole, pb, [3]int{0, 0, 1}},
		{"both", types.EntityTypeLocalManagedPolicy, "", [3]int{0, 0, 0}}, {"both", types.EntityTypeAWSManagedPolicy, "", [3]int{0, 0, 0}},
	} {
		out := must(e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn[c.policy], EntityFilter: c.filter, PolicyUsageFilter: c.usage}))
		if got := [3]int{len(out.PolicyUsers), len(out.PolicyGroups), len(out.PolicyRoles)}; got != c.want {
			t.Errorf("ListEntitiesForPolicy %s filter %q usage %q: %v, want %v", c.policy, c.filter, c.usage, got, c.want)
		}
	}
	for n, want := range map[string][2]int32{"unused": {0, 0}, "attached": {3, 0}, "boundary": {0, 1}, "both": {1, 1}} {
		p := must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn[n]})).Policy
		if *p.AttachmentCount != want[0] || *p.PermissionsBoundaryUsageCount != want[1] {
			t.Errorf("%s counts %d %d, want %v", n, *p.AttachmentCount, *p.PermissionsBoundaryUsageCount, want)
		}
	}

	// Inline policies: a put under another case replaces the document and keeps
	// the name; a get answers with the name asked.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("MixedName"), PolicyDocument: aws.String(allowAll)}))
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("MIXEDNAME"), PolicyDocument: aws.String(deny)}))
	if names := must(e.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("r")})).PolicyNames; len(names) != 1 || names[0] != "MixedName" {
		t.Errorf("names %v", names)
	}
	g := must(e.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("MIXEDNAME")}))
	if *g.PolicyName != "MIXEDNAME" || decode(t, g.PolicyDocument) != deny {
		t.Errorf("get %s %s", *g.PolicyName, decode(t, g.PolicyDocument))
	}
	must(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("MIXEDNAME")}))

	_, err := e.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn["unused"]})
	wantErr(t, err, "NoSuchEntity", 404, "")
	must(e.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r")}))
	_, err = e.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r")})
	wantErr(t, err, "NoSuchEntity", 404, "")
	must(e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")}))
	_, err = e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")})
	wantErr(t, err, "NoSuchEntity", 404, "")
}

// TestRecorded2026Inputs replays identity_inputs.json, resource_inputs.json and the
// empty-tags observations of condition_sets.json.
func TestRecorded2026Inputs(t *testing.T) {
	e := newEnv(t)
	// identity_inputs.json: paths and names of users and groups.
	for i, c := range []struct {
		path string
		ok   bool
	}{{"/team/", true}, {"/team", false}, {"team/", false}, {"/ space/", false}, {"/del\u007f/", false}, {"/\u00e9/", false},
		{"//", false}, {"/a//b/", true}, {"/team/\n", false}, {"/line\n/", false}} {
		_, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u" + strconv.Itoa(i)), Path: aws.String(c.path)})
		_, gerr := e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g" + strconv.Itoa(i)), Path: aws.String(c.path)})
		if c.ok {
			noErr(t, err)
			noErr(t, gerr)
		} else {
			wantErr(t, err, "ValidationError", 400, "")
			wantErr(t, gerr, "ValidationError", 400, "")
		}
	}
	noErr(t, func() error {
		_, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("n", 64))})
		return err
	}())
	for _, name := range []string{strings.Repeat("n", 65), "name\n", "name\u00e9"} {
		_, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		wantErr(t, err, "ValidationError", 400, "")
	}

	// resource_inputs.json: role descriptions count characters; session durations.
	_, err := e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2), Description: aws.String(strings.Repeat("\u00e9", 1000))})
	noErr(t, err)
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(trustEC2), Description: aws.String(strings.Repeat("\u00e9", 1001))})
	wantErr(t, err, "ValidationError", 400, "")
	_, err = e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(43201)})
	wantErr(t, err, "ValidationError", 400, "")
	_, err = e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(43200)})
	noErr(t, err)

	// resource_inputs.json: UpdateAccessKey takes Active and Inactive only.
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u0")})).AccessKey
	for _, c := range []struct {
		status types.StatusType
		code   string
	}{{"Expired", "InvalidInput"}, {types.StatusTypeInactive, ""}, {"Expired", "InvalidInput"}, {types.StatusTypeActive, ""}} {
		_, err := e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("u0"), AccessKeyId: k.AccessKeyId, Status: c.status})
		if c.code == "" {
			noErr(t, err)
		} else {
			wantErr(t, err, c.code, 400, "")
		}
	}

	// resource_inputs.json: OIDC provider tag keys keep their case; empty lists are
	// InvalidInput.
	oidc := must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.com"), ThumbprintList: []string{strings.Repeat("a", 40)}})).OpenIDConnectProviderArn
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	must(e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, Tags: []types.Tag{tag("Team", "first"), tag("team", "second")}}))
	_, err = e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, Tags: []types.Tag{}})
	wantErr(t, err, "InvalidInput", 400, "")
	_, err = e.iam.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, TagKeys: []string{}})
	wantErr(t, err, "InvalidInput", 400, "")
	must(e.iam.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, TagKeys: []string{"TEAM"}}))
	must(e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, Tags: []types.Tag{tag("team", "updated")}}))
	must(e.iam.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, TagKeys: []string{"Team"}}))
	wantTags(t, "OIDC provider", must(e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: oidc})).Tags, "team=updated")

	// condition_sets.json: TagUser without tags is authorized first, then
	// InvalidInput.
	rig := newConditionRig(e)
	if got := rig.tag(`{"StringEquals":{"aws:TagKeys":"team"}}`, false); got != "AccessDenied" {
		t.Errorf("no tags, allow on a condition: %s, want AccessDenied", got)
	}
	if got := rig.tag(`{"StringEquals":{"aws:TagKeys":"team"}}`, true); got != "InvalidInput" {
		t.Errorf("no tags, deny on a condition: %s, want InvalidInput", got)
	}
	if got := rig.tag(`{"StringNotEquals":{"aws:TagKeys":"team"}}`, false); got != "InvalidInput" {
		t.Errorf("no tags, allow on a negated condition: %s, want InvalidInput", got)
	}
}

// TestRecorded2026Simulations replays conditions.json: SimulateCustomPolicy's
// decisions, positions and resource-specific results.
func TestRecorded2026Simulations(t *testing.T) {
	e := newEnv(t)
	type rsr struct {
		name, decision string
		matched        int
	}
	const obj = "arn:aws:s3:::stackd-policy-parity/object"
	cases := []struct {
		name      string
		doc       string
		resources []string
		entries   []types.ContextEntry
		decision  string
		resource  string
		positions [][2]int32 // start and end columns (line 1) of the matched statements
		rs        []rsr
	}{
		{"explicit_deny_precedence", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`,
			[]string{obj}, nil, "explicitDeny", obj, [][2]int32{{95, 152}}, []rsr{{obj, "explicitDeny", 1}}},
		{"string_not_equals_absent_key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"blocked"}}}]}`,
			[]string{obj}, nil, "allowed", obj, [][2]int32{{38, 163}}, []rsr{{obj, "allowed", 1}}},
		{"for_all_values_absent_key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["owner","team"]}}}]}`,
			[]string{obj}, nil, "allowed", obj, [][2]int32{{38, 170}}, []rsr{{obj, "allowed", 1}}},
		{"negated_if_exists_absent_key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalTag/team":"trusted"}}}]}`,
			[]string{obj}, nil, "explicitDeny", obj, [][2]int32{{95, 228}}, []rsr{{obj, "explicitDeny", 1}}},
		{"resource_wildcard_colon_and_slash", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::stackd-policy-parity/folder/*/object"}]}`,
			[]string{"arn:aws:s3:::stackd-policy-parity/folder/a:b/object", "arn:aws:s3:::stackd-policy-parity/folder/a/b/object", "arn:aws:s3:::stackd-policy-parity/folder/a/object/child"},
			nil, "implicitDeny", "arn:aws:s3:::${BucketName}/${ObjectName}", [][2]int32{{38, 143}},
			[]rsr{{"arn:aws:s3:::stackd-policy-parity/folder/a:b/object", "allowed", 1}, {"arn:aws:s3:::stackd-policy-parity/folder/a/b/object", "allowed", 1}, {"arn:aws:s3:::stackd-policy-parity/folder/a/object/child", "implicitDeny", 0}}},
		{"resource_trailing_wildcard_colon", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::stackd-policy-parity*"}]}`,
			[]string{obj, "arn:aws:s3:::stackd-policy-parity:suffix/object", "arn:aws:s3:::stackd-policy-parity-other/object", "arn:aws:s3:::stackd-policy-unmatched/object"},
			nil, "implicitDeny", "arn:aws:s3:::${BucketName}/${ObjectName}", [][2]int32{{38, 128}},
			[]rsr{{obj, "allowed", 1}, {"arn:aws:s3:::stackd-policy-parity:suffix/object", "allowed", 1}, {"arn:aws:s3:::stackd-policy-parity-other/object", "allowed", 1}, {"arn:aws:s3:::stackd-policy-unmatched/object", "implicitDeny", 0}}},
		{"mixed_allow_explicit_and_implicit_deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::stackd-policy-parity/allowed"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::stackd-policy-parity/blocked"}]}`,
			[]string{"arn:aws:s3:::stackd-policy-parity/allowed", "arn:aws:s3:::stackd-policy-parity/blocked", "arn:aws:s3:::stackd-policy-parity/unspecified"},
			nil, "explicitDeny", "arn:aws:s3:::${BucketName}/${ObjectName}", [][2]int32{{38, 135}, {135, 232}},
			[]rsr{{"arn:aws:s3:::stackd-policy-parity/allowed", "allowed", 1}, {"arn:aws:s3:::stackd-policy-parity/blocked", "explicitDeny", 1}, {"arn:aws:s3:::stackd-policy-parity/unspecified", "implicitDeny", 0}}},
		{"for_all_values_present_mixed_set", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["owner","team"]}}}]}`,
			[]string{obj}, []types.ContextEntry{{ContextKeyName: aws.String("aws:TagKeys"), ContextKeyType: types.ContextKeyTypeEnumStringList, ContextKeyValues: []string{"owner", "unexpected"}}},
			"implicitDeny", obj, nil, []rsr{{obj, "implicitDeny", 0}}},
	}
	for _, c := range cases {
		out := must(e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{c.doc}, ActionNames: []string{"s3:GetObject"},
			ResourceArns: c.resources, ContextEntries: c.entries})).EvaluationResults
		if len(out) != 1 {
			t.Fatalf("%s: %d results", c.name, len(out))
		}
		r := out[0]
		if string(r.EvalDecision) != c.decision || aws.ToString(r.EvalResourceName) != c.resource || len(r.MatchedStatements) != len(c.positions) ||
			r.EvalDecisionDetails == nil || len(r.EvalDecisionDetails) != 0 || r.MissingContextValues == nil || len(r.ResourceSpecificResults) != len(c.rs) {
			t.Errorf("%s: %s %s %d statements, %d resource results", c.name, r.EvalDecision, aws.ToString(r.EvalResourceName), len(r.MatchedStatements), len(r.ResourceSpecificResults))
			continue
		}
		for i, p := range c.positions {
			if st := r.MatchedStatements[i]; st.StartPosition.Column != p[0] || st.EndPosition.Column != p[1] || st.StartPosition.Line != 1 {
				t.Errorf("%s: statement %d at %d-%d, want %v", c.name, i, st.StartPosition.Column, st.EndPosition.Column, p)
			}
		}
		for i, want := range c.rs {
			got := r.ResourceSpecificResults[i]
			if aws.ToString(got.EvalResourceName) != want.name || string(got.EvalResourceDecision) != want.decision || len(got.MatchedStatements) != want.matched ||
				got.MissingContextValues != nil || got.EvalDecisionDetails != nil {
				t.Errorf("%s: resource result %d %+v, want %+v", c.name, i, got, want)
			}
		}
	}
}

// TestRecorded2026CredentialReport replays credential_report.json: times in Z form,
// a user's keys in access key ID order, users by name without case, the root
// user's password_enabled a boolean.
func TestRecorded2026CredentialReport(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"b-Keys", "A-keys"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u), Path: aws.String("/credential-report/")}))
	}
	k1 := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("b-Keys")})).AccessKey
	k2 := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("b-Keys")})).AccessKey
	must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("b-Keys"), AccessKeyId: k1.AccessKeyId, Status: types.StatusTypeInactive}))
	_, err := e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantErr(t, err, "ReportNotPresent", 410, "")
	gen := must(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeStarted || aws.ToString(gen.Description) != "No report exists. Starting a new report generation task" {
		t.Fatalf("generate %s %q", gen.State, aws.ToString(gen.Description))
	}
	content := must(e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})).Content
	if bytes.HasSuffix(content, []byte("\n")) || bytes.Contains(content, []byte("\r")) {
		t.Errorf("the report ends with a newline or holds CRs")
	}
	rows, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("report %q %v", rows, err)
	}
	if rows[1][3] != "false" || rows[2][0] != "A-keys" || rows[3][0] != "b-Keys" {
		t.Fatalf("rows %q", rows)
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", rows[2][2]); err != nil || !strings.HasSuffix(rows[2][2], "Z") {
		t.Fatalf("user_creation_time %q", rows[2][2])
	}
	first, second := "true", "false" // access_key_1 and _2 active, in key ID order
	if *k1.AccessKeyId < *k2.AccessKeyId {
		first, second = "false", "true"
	}
	if rows[3][8] != first || rows[3][13] != second {
		t.Fatalf("keys %q (k1 %s inactive, k2 %s)", rows[3], *k1.AccessKeyId, *k2.AccessKeyId)
	}
}

// rootAccessUser creates a user under /org-access/ with an inline policy and returns
// its IAM client, as root_access.json's fixtures were made.
func rootAccessUser(e *env, name, policy string) *iam.Client {
	e.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/org-access/")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("ReportPermissions"), PolicyDocument: aws.String(policy)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	c, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	return c
}

// TestRecordedRootAccessFeatures replays root_access.json's IAM cases (2026): a
// management account of an all-features organization that has not trusted IAM.
func TestRecordedRootAccessFeatures(t *testing.T) {
	e := newEnv(t)
	org := organizations.NewFromConfig(e.p.RootConfig())
	must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"}))
	notEnabled := "Trusted Access for IAM not enabled by organization of input account " + account + "."

	_, err := e.iam.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantErr(t, err, "ServiceAccessNotEnabledException", 400, notEnabled) // features_original_before

	observer := rootAccessUser(e, "stackd-root-access-fixture-explicit_deny_observer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListOrganizationsFeatures","iam:GetAccountProperties"],"Resource":"*"},{"Effect":"Deny","Action":["iam:EnableOrganizationsRootCredentialsManagement","iam:DisableOrganizationsRootCredentialsManagement","iam:EnableOrganizationsRootSessions","iam:DisableOrganizationsRootSessions","organizations:*","sts:AssumeRoot"],"Resource":"*"}]}`)
	_, err = observer.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantErr(t, err, "ServiceAccessNotEnabledException", 400, notEnabled) // features_explicit_deny_observer

	noGrants := rootAccessUser(e, "stackd-root-access-fixture-no_grants", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:*","Resource":"*"}]}`)
	_, err = noGrants.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/org-access/stackd-root-access-fixture-no_grants is not authorized to perform: iam:ListOrganizationsFeatures on resource: * because no identity-based policy allows the iam:ListOrganizationsFeatures action")

	scoped := rootAccessUser(e, "stackd-root-access-fixture-scoped_reads", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListOrganizationsFeatures","iam:GetAccountProperties"],"Resource":"arn:aws:iam::`+account+`:root"}]}`)
	_, err = scoped.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/org-access/stackd-root-access-fixture-scoped_reads is not authorized to perform: iam:ListOrganizationsFeatures on resource: * because no identity-based policy allows the iam:ListOrganizationsFeatures action")

	deny := func(action string) string {
		return "User: arn:aws:iam::" + account + ":user/org-access/stackd-root-access-fixture-explicit_deny_observer is not authorized to perform: iam:" + action + " on resource: * with an explicit deny in an identity-based policy"
	}
	_, err = observer.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
	wantErr(t, err, "AccessDenied", 403, deny("EnableOrganizationsRootCredentialsManagement"))
	_, err = observer.DisableOrganizationsRootCredentialsManagement(ctx, &iam.DisableOrganizationsRootCredentialsManagementInput{})
	wantErr(t, err, "AccessDenied", 403, deny("DisableOrganizationsRootCredentialsManagement"))
	_, err = observer.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	wantErr(t, err, "AccessDenied", 403, deny("EnableOrganizationsRootSessions"))
	_, err = observer.DisableOrganizationsRootSessions(ctx, &iam.DisableOrganizationsRootSessionsInput{})
	wantErr(t, err, "AccessDenied", 403, deny("DisableOrganizationsRootSessions"))
	_, err = e.iam.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	wantErr(t, err, "ServiceAccessNotEnabledException", 400, notEnabled)
}

// TestRootAccessFeatureLifecycle follows the API reference (not recorded): once IAM
// is trusted, the management account turns each feature on and off, every answer
// naming the organization and the features enabled after the call.
func TestRootAccessFeatureLifecycle(t *testing.T) {
	e := newEnv(t)
	_, err := e.iam.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantErr(t, err, "OrganizationNotFoundException", 400, "")
	org := organizations.NewFromConfig(e.p.RootConfig())
	orgID := *must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"})).Organization.Id
	must(org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}))

	want := func(gotID *string, got []types.FeatureType, features ...string) {
		t.Helper()
		var names []string
		for _, f := range got {
			names = append(names, string(f))
		}
		if aws.ToString(gotID) != orgID || strings.Join(names, ",") != strings.Join(features, ",") {
			t.Fatalf("got %s %v, want %s %v", aws.ToString(gotID), got, orgID, features)
		}
	}
	l := must(e.iam.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{}))
	want(l.OrganizationId, l.EnabledFeatures)
	c := must(e.iam.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{}))
	want(c.OrganizationId, c.EnabledFeatures, "RootCredentialsManagement")
	s := must(e.iam.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{}))
	want(s.OrganizationId, s.EnabledFeatures, "RootCredentialsManagement", "RootSessions")
	s = must(e.iam.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{}))
	want(s.OrganizationId, s.EnabledFeatures, "RootCredentialsManagement", "RootSessions")
	dc := must(e.iam.DisableOrganizationsRootCredentialsManagement(ctx, &iam.DisableOrganizationsRootCredentialsManagementInput{}))
	want(dc.OrganizationId, dc.EnabledFeatures, "RootSessions")
	l = must(e.iam.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{}))
	want(l.OrganizationId, l.EnabledFeatures, "RootSessions")
	ds := must(e.iam.DisableOrganizationsRootSessions(ctx, &iam.DisableOrganizationsRootSessionsInput{}))
	want(ds.OrganizationId, ds.EnabledFeatures)

	// A member account manages nothing: only the management account (or a delegated
	// administrator, not served) may.
	st := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("m"), Email: aws.String("m@example.com")})).CreateAccountStatus
	member := *must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId
	mc := iam.NewFromConfig(e.p.AccountConfig(member))
	_, err = mc.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantErr(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "")
	_, err = mc.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	wantErr(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "")
}

// TestRecordedRootTaskPolicies replays root_access.json's GetPolicy and
// GetPolicyVersion of the AWS managed root-task policies (2026).
func TestRecordedRootTaskPolicies(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, id, created, description string
		first                          string // the first action the policy's first statement spares
	}{
		{"IAMAuditRootUserCredentials", "ANPAZKAPJZG4BDSCREYVS", "2024-11-06T22:27:58Z", "Provides access required to check the presence of root user credentials such as root user password and root user access keys using the Security Token Service (STS) AssumeRoot API. Use this managed policy only with the STS AssumeRoot action.", "iam:ListAccessKeys"},
		{"IAMCreateRootUserPassword", "ANPAZKAPJZG4OEGTN7YT5", "2024-11-06T22:32:59Z", "Provides access required to create a root user password using the Security Token Service (STS) AssumeRoot API.  Use this managed policy only with the STS AssumeRoot action. ", "iam:CreateLoginProfile"},
		{"IAMDeleteRootUserCredentials", "ANPAZKAPJZG4CX73XKORQ", "2024-11-06T22:47:58Z", "Provides access required to delete all root user credentials such as root password and root access keys using the Security Token Service (STS) AssumeRoot API.  Use this managed policy only with the STS AssumeRoot action.", "iam:DeleteAccessKey"},
		{"S3UnlockBucketPolicy", "ANPAZKAPJZG4OALTIPZOF", "2024-11-06T21:55:56Z", "Provides access required to unlock a S3 bucket policy using the Security Token Service (STS) AssumeRoot API. Use this managed policy only with the STS AssumeRoot action.", "s3:DeleteBucketPolicy"},
		{"SQSUnlockQueuePolicy", "ANPAZKAPJZG4HPZI4FDUV", "2024-11-06T21:51:02Z", "Provides access required to unlock a SQS queue policy using the Security Token Service (STS) AssumeRoot API. Use this managed policy only with the STS AssumeRoot action.", "sqs:SetQueueAttributes"},
	} {
		arn := "arn:aws:iam::aws:policy/root-task/" + c.name
		p := must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy
		if aws.ToString(p.PolicyName) != c.name || aws.ToString(p.Path) != "/root-task/" || aws.ToString(p.DefaultVersionId) != "v1" ||
			aws.ToString(p.Description) != c.description || p.CreateDate.UTC().Format(time.RFC3339) != c.created ||
			p.UpdateDate.UTC().Format(time.RFC3339) != c.created || !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Errorf("%s: %+v", c.name, p)
		}
		if aws.ToString(p.PolicyId) != c.id {
			t.Errorf("%s: PolicyId %s, want %s", c.name, aws.ToString(p.PolicyId), c.id)
		}
		v := must(e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})).PolicyVersion
		var doc struct {
			Statement []struct {
				Sid, Effect string
				NotAction   []string
			}
		}
		if err := json.Unmarshal([]byte(decode(t, v.Document)), &doc); err != nil || !v.IsDefaultVersion || len(doc.Statement) == 0 ||
			doc.Statement[0].Sid != "DenyAllOtherActionsOnAnyResource" || doc.Statement[0].Effect != "Deny" || doc.Statement[0].NotAction[0] != c.first {
			t.Errorf("%s: document %s (%v)", c.name, decode(t, v.Document), err)
		}
	}
}

// fetchJSON GETs a public document of the endpoint without credentials.
func fetchJSON(t testing.TB, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestRecorded2026OutboundFederationLifecycle replays outbound_issuance.json and
// outbound_lifecycle.json: the account's switch and its answers, an issuer and key
// set that stay the same across disable and re-enable, and the public discovery
// documents (served without credentials, as AWS serves them).
func TestRecorded2026OutboundFederationLifecycle(t *testing.T) {
	e := newEnv(t)
	acct := "000000000000"
	// info_initial, disable_again.
	_, err := e.iam.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	wantErr(t, err, "FeatureDisabled", 404, "Outbound identity federation is disabled for account "+acct)
	_, err = e.iam.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	wantErr(t, err, "FeatureDisabled", 404, "Outbound identity federation is already disabled for account "+acct)

	issuer := aws.ToString(must(e.iam.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})).IssuerIdentifier)
	if !strings.HasPrefix(issuer, e.p.URL+"/_palisade/iam/outbound/") {
		t.Fatalf("issuer %q", issuer)
	}
	_, err = e.iam.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	wantErr(t, err, "FeatureEnabled", 409, "Outbound identity federation is already enabled for account "+acct)
	info := must(e.iam.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{}))
	if aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Fatalf("info %q %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}

	var conf map[string]any
	if st := fetchJSON(t, issuer+"/.well-known/openid-configuration", &conf); st != 200 {
		t.Fatalf("openid-configuration: %d", st)
	}
	if conf["issuer"] != issuer || conf["jwks_uri"] != issuer+"/.well-known/jwks.json" {
		t.Fatalf("openid-configuration %v", conf)
	}
	if got, _ := json.Marshal(conf["id_token_signing_alg_values_supported"]); string(got) != `["RS256","ES384"]` {
		t.Fatalf("algorithms %s", got)
	}
	type jwks struct {
		Keys []map[string]string `json:"keys"`
	}
	var before jwks
	fetchJSON(t, issuer+"/.well-known/jwks.json", &before)
	if len(before.Keys) != 2 || before.Keys[0]["kid"] != "RSA_0" || before.Keys[0]["alg"] != "RS256" || before.Keys[0]["use"] != "sig" ||
		before.Keys[1]["kid"] != "EC384_0" || before.Keys[1]["crv"] != "P-384" || before.Keys[1]["alg"] != "ES384" {
		t.Fatalf("jwks %v", before.Keys)
	}
	for _, k := range before.Keys {
		if k["d"] != "" {
			t.Fatal("the key set holds a private key")
		}
	}

	must(e.iam.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{}))
	_, err = e.iam.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	wantErr(t, err, "FeatureDisabled", 404, "Outbound identity federation is disabled for account "+acct)
	var disabled jwks // keys_disabled: still served
	if st := fetchJSON(t, issuer+"/.well-known/jwks.json", &disabled); st != 200 || disabled.Keys[0]["n"] != before.Keys[0]["n"] {
		t.Fatalf("jwks while disabled: %d", st)
	}
	again := aws.ToString(must(e.iam.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})).IssuerIdentifier)
	var after jwks
	fetchJSON(t, issuer+"/.well-known/jwks.json", &after)
	if again != issuer || after.Keys[0]["n"] != before.Keys[0]["n"] || after.Keys[1]["x"] != before.Keys[1]["x"] {
		t.Fatal("issuer or keys changed across disable and re-enable")
	}
	// An issuer no account has is unknown; nothing else under the prefix is served.
	for _, u := range []string{e.p.URL + "/_palisade/iam/outbound/nope/.well-known/jwks.json", issuer + "/.well-known/other", issuer} {
		if st := fetchJSON(t, u, &conf); st != 404 {
			t.Fatalf("%s: %d", u, st)
		}
	}
}

// TestRecorded2026OutboundFederationAccess replays outbound_identity.json's IAM
// cases: the info is authorized on "*" (a policy scoped to the user's own ARN does
// not allow it).
func TestRecorded2026OutboundFederationAccess(t *testing.T) {
	e := newEnv(t)
	for name, doc := range map[string]string{
		"no_grants":   "",
		"scoped_user": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","iam:GetOutboundWebIdentityFederationInfo"],"Resource":"arn:aws:iam::000000000000:user/org-access/stackd-outbound-fixture-scoped_user"}]}`,
	} {
		user := "stackd-outbound-fixture-" + name
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user), Path: aws.String("/org-access/")}))
		if doc != "" {
			must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("ReportPermissions"), PolicyDocument: aws.String(doc)}))
		}
		k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})).AccessKey
		c, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
		_, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
		wantErr(t, err, "AccessDenied", 403, "")
		var ae smithy.APIError
		errors.As(err, &ae)
		want := "User: arn:aws:iam::000000000000:user/org-access/" + user + " is not authorized to perform: iam:GetOutboundWebIdentityFederationInfo on resource: * because no identity-based policy allows the iam:GetOutboundWebIdentityFederationInfo action"
		if !strings.HasPrefix(ae.ErrorMessage(), want) {
			t.Fatalf("%s:\n got %q\nwant %q", name, ae.ErrorMessage(), want)
		}
	}
	// plain_info: allowed, the feature off.
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("plain")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("plain"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetOutboundWebIdentityFederationInfo","Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("plain")})).AccessKey
	c, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	_, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	wantErr(t, err, "FeatureDisabled", 404, "Outbound identity federation is disabled for account 000000000000")
}

// orgReport generates an Organizations access report and reads it back, as the
// recordings poll it.
func orgReport(t *testing.T, c *iam.Client, path string, policy *string, get func(*iam.GetOrganizationsAccessReportInput)) *iam.GetOrganizationsAccessReportOutput {
	t.Helper()
	id := must(c.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path), OrganizationsPolicyId: policy})).JobId
	in := &iam.GetOrganizationsAccessReportInput{JobId: id}
	if get != nil {
		get(in)
	}
	return must(c.GetOrganizationsAccessReport(ctx, in))
}

// namespaces lists a report's services as "ns" or "ns:ACCOUNTS@PATH/REGION" once used.
func namespaces(details []types.AccessDetail) string {
	var out []string
	for _, d := range details {
		s := aws.ToString(d.ServiceNamespace)
		if d.LastAuthenticatedTime != nil {
			s += ":" + strconv.Itoa(int(aws.ToInt32(d.TotalAuthenticatedEntities))) + "@" + aws.ToString(d.EntityPath) + "/" + aws.ToString(d.Region)
		} else if aws.ToInt32(d.TotalAuthenticatedEntities) != 0 || d.EntityPath != nil || (s == "iam") != (aws.ToString(d.Region) == "us-east-1") {
			s += ":unexpected"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// TestRecordedOrganizationsAccessReport replays organizations_access.json (2026):
// reports on an OU with and without an SCP of its own, their jobs' owners, sorting,
// pagination, and the validation and job failures AWS answered.
func TestRecordedOrganizationsAccessReport(t *testing.T) {
	e := newEnv(t)
	org, orgID, root, ou := orgWithOU(e, "stackd-org-access-fixture")
	policy := must(org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("stackd-org-access-fixture"), Description: aws.String("d"), Type: "SERVICE_CONTROL_POLICY",
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser","sqs:SendMessage"],"Resource":"*"}]}`)})).Policy.PolicySummary.Id
	must(org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: policy, TargetId: aws.String(ou)}))
	path := orgID + "/" + root + "/" + ou

	// generate_owned_selected_policy, get_owned_selected_policy_poll_1: the services
	// the SCP allows, none used.
	r := orgReport(t, e.iam, path, policy, nil)
	if r.JobStatus != types.JobStatusTypeCompleted || r.JobCompletionDate == nil || r.ErrorDetails != nil || r.IsTruncated ||
		aws.ToInt32(r.NumberOfServicesAccessible) != 3 || aws.ToInt32(r.NumberOfServicesNotAccessed) != 3 || namespaces(r.AccessDetails) != "iam,s3,sqs" {
		t.Fatalf("selected policy report: %+v %s", r, namespaces(r.AccessDetails))
	}
	for i, want := range []string{"AWS Identity and Access Management", "Amazon S3", "Amazon SQS"} {
		if got := aws.ToString(r.AccessDetails[i].ServiceName); got != want {
			t.Fatalf("ServiceName %q, want %q", got, want)
		}
	}
	job := must(e.iam.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path), OrganizationsPolicyId: policy})).JobId
	// get_owned_ou_no_policy_poll_6, and organizations_access_metadata_20260927.json's
	// metadata_names_poll_5: without a policy, every service FullAWSAccess (at the root
	// and on the OU) allows, in namespace order, none used.
	all := orgReport(t, e.iam, path, nil, func(in *iam.GetOrganizationsAccessReportInput) {
		in.MaxItems, in.SortKey = aws.Int32(1000), "SERVICE_NAMESPACE_ASCENDING"
	})
	names := strings.Split(namespaces(all.AccessDetails), ",")
	if n := aws.ToInt32(all.NumberOfServicesAccessible); n < 10 || int(n) != len(names) || aws.ToInt32(all.NumberOfServicesNotAccessed) != n ||
		!slices.IsSorted(names) || strings.Contains(strings.Join(names, ","), ":") || all.IsTruncated {
		t.Fatalf("no policy: %d %v", n, names)
	}

	// sort_*: each descending order is the ascending one reversed.
	for key, want := range map[types.SortKeyType]string{
		"SERVICE_NAMESPACE_ASCENDING": "iam,s3", "SERVICE_NAMESPACE_DESCENDING": "sqs,s3",
		"LAST_AUTHENTICATED_TIME_ASCENDING": "s3,sqs", "LAST_AUTHENTICATED_TIME_DESCENDING": "iam,sqs",
	} {
		p := must(e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, MaxItems: aws.Int32(2), SortKey: key}))
		if got := namespaces(p.AccessDetails); got != want || !p.IsTruncated || p.Marker == nil {
			t.Fatalf("%s: got %s truncated %v, want %s", key, got, p.IsTruncated, want)
		}
	}
	// pagination_first, pagination_same, pagination_changed_sort, pagination_changed_job.
	first := must(e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, MaxItems: aws.Int32(1)}))
	if namespaces(first.AccessDetails) != "iam" || !first.IsTruncated {
		t.Fatalf("pagination_first: %s", namespaces(first.AccessDetails))
	}
	same := must(e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, MaxItems: aws.Int32(2), SortKey: "SERVICE_NAMESPACE_ASCENDING", Marker: first.Marker}))
	if namespaces(same.AccessDetails) != "s3,sqs" || same.IsTruncated || same.Marker != nil {
		t.Fatalf("pagination_same: %s", namespaces(same.AccessDetails))
	}
	_, err := e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, MaxItems: aws.Int32(2), SortKey: "SERVICE_NAMESPACE_DESCENDING", Marker: first.Marker})
	wantErr(t, err, "InvalidInput", 400, "The marker passed in the request was invalid.")
	noPolicy := must(e.iam.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path)})).JobId
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: noPolicy, MaxItems: aws.Int32(2), SortKey: "SERVICE_NAMESPACE_ASCENDING", Marker: first.Marker})
	wantErr(t, err, "InvalidInput", 400, "The marker passed in the request was invalid.")

	// get_validation_*.
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantErr(t, err, "NoSuchEntity", 404, "Job 00000000-0000-0000-0000-000000000000 does not exist.")
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String("bad")})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value at 'jobId' failed to satisfy constraint: Member must have length greater than or equal to 36")
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String(strings.Repeat("x", 36))})
	wantErr(t, err, "NoSuchEntity", 404, "Job "+strings.Repeat("x", 36)+" does not exist.")
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, Marker: aws.String("invalid")})
	wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, MaxItems: aws.Int32(0)})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, MaxItems: aws.Int32(1001)})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
	// (get_validation_empty_sort is not replayed: the SDK does not send an empty enum.)
	for _, key := range []types.SortKeyType{"INVALID"} {
		_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job, SortKey: key})
		wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value at 'sortKey' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_NAMESPACE_DESCENDING, SERVICE_NAMESPACE_ASCENDING, LAST_AUTHENTICATED_TIME_DESCENDING, LAST_AUTHENTICATED_TIME_ASCENDING]")
	}

	// path_*, policy_id_*.
	_, err = e.iam.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("bad"), OrganizationsPolicyId: policy})
	wantErr(t, err, "ValidationError", 400, `2 validation errors detected: Value at 'entityPath' failed to satisfy constraint: Member must have length greater than or equal to 19; Value at 'entityPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*`)
	failed := func(path string, policy *string, code, msg string) {
		t.Helper()
		r := orgReport(t, e.iam, path, policy, nil)
		if r.JobStatus != types.JobStatusTypeFailed || r.JobCompletionDate == nil || r.ErrorDetails == nil || *r.ErrorDetails.Code != code || *r.ErrorDetails.Message != msg ||
			r.AccessDetails != nil || r.NumberOfServicesAccessible != nil || r.IsTruncated {
			t.Fatalf("%s: %+v", path, r)
		}
	}
	badPath := "The entity with the specified path does not exist in your organization."
	failed(orgID+"/"+root+"/"+root[:6]+"-99999999", policy, "INVALID_ORGANIZATIONS_ENTITY_PATH", badPath)
	failed(orgID+"/r-zzzz/"+ou, policy, "INVALID_ORGANIZATIONS_ENTITY_PATH", badPath)
	failed(path+"/", policy, "INVALID_ORGANIZATIONS_ENTITY_PATH", badPath)
	failed(path+"/999999999999", policy, "INVALID_ORGANIZATIONS_ENTITY_PATH", badPath)
	failed(path, aws.String("p-notexist0"), "INVALID_ORGANIZATIONS_POLICY", "The policy with the specified ID does not exist in your organization.")
	_, err = e.iam.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("o-zzzzzzzzzz/" + root + "/" + ou), OrganizationsPolicyId: policy})
	wantErr(t, err, "AccessDenied", 403, "The organization ID in the specified entity path is different than your organization ID.")
	for _, id := range []string{"bad", ""} {
		_, err = e.iam.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path), OrganizationsPolicyId: aws.String(id)})
		wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value at 'organizationsPolicyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^p-[0-9a-zA-Z_]{8,128}$")
	}

	// get_observer_iam_only_*, get_admin_job_iam_only, ownership_*: a user allowed
	// only IAM's two actions gets a FAILED job; a job is its generating user's alone.
	reporter := rootAccessUser(e, "stackd-org-access-fixture-reporter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateOrganizationsAccessReport","iam:GetOrganizationsAccessReport"],"Resource":"*"}]}`)
	denied := must(reporter.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path), OrganizationsPolicyId: policy})).JobId
	d := must(reporter.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: denied}))
	if d.JobStatus != types.JobStatusTypeFailed || *d.ErrorDetails.Code != "ORGANIZATIONS_REPORT_ACCESS_DENIED" ||
		*d.ErrorDetails.Message != "Requester is not authorized to perform the required AWS Organizations Describe* and List* actions." {
		t.Fatalf("observer job: %+v", d)
	}
	_, err = reporter.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: job})
	wantErr(t, err, "NoSuchEntity", 404, "Job "+*job+" does not exist.")
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("stackd-org-access-fixture-reporter")})).AccessKey
	otherKey, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	must(otherKey.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: denied}))
	other := rootAccessUser(e, "stackd-org-access-fixture-other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	_, err = other.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: denied})
	wantErr(t, err, "NoSuchEntity", 404, "Job "+*denied+" does not exist.")
	_, err = e.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: denied})
	wantErr(t, err, "NoSuchEntity", 404, "Job "+*denied+" does not exist.")
	// With Organizations' reads too, the report completes (inferred: AWS answered the
	// earlier, failed job again for the same request).
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("stackd-org-access-fixture-reporter"), PolicyName: aws.String("ReportPermissions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateOrganizationsAccessReport","iam:GetOrganizationsAccessReport"],"Resource":"*"},{"Effect":"Allow","Action":["organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`)}))
	if r := orgReport(t, reporter, path, policy, nil); r.JobStatus != types.JobStatusTypeCompleted {
		t.Fatalf("full reads: %+v", r)
	}
	// iam:OrganizationsPolicyId is the request's SCP (Service Authorization Reference).
	scoped := rootAccessUser(e, "stackd-org-access-fixture-scoped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GenerateOrganizationsAccessReport","Resource":"*","Condition":{"StringEquals":{"iam:OrganizationsPolicyId":"`+*policy+`"}}}]}`)
	must(scoped.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path), OrganizationsPolicyId: policy}))
	_, err = scoped.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path)})
	wantErr(t, err, "AccessDenied", 403, "")
}

// TestOrganizationsAccessReportUse follows the API reference beyond the recording
// (whose accounts made no calls): a service a member account under the entity used
// counts that account, with when, where and its path; SCPs at every level decide
// which services a report without a policy lists.
func TestOrganizationsAccessReportUse(t *testing.T) {
	e := newEnv(t)
	org, orgID, root, ou := orgWithOU(e, "ou")
	st := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("m"), Email: aws.String("m@example.com")})).CreateAccountStatus
	member := *must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId
	must(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)}))
	path := orgID + "/" + root + "/" + ou
	must(iam.NewFromConfig(e.p.AccountConfig(member)).ListUsers(ctx, &iam.ListUsersInput{}))

	policy := must(org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String("d"), Type: "SERVICE_CONTROL_POLICY",
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser"],"Resource":"*"}]}`)})).Policy.PolicySummary.Id
	r := orgReport(t, e.iam, path, policy, nil)
	want := "iam:1@" + path + "/" + member + "/us-east-1,s3"
	if got := namespaces(r.AccessDetails); got != want || aws.ToInt32(r.NumberOfServicesAccessible) != 2 || aws.ToInt32(r.NumberOfServicesNotAccessed) != 1 {
		t.Fatalf("got %s (%d/%d), want %s", got, aws.ToInt32(r.NumberOfServicesAccessible), aws.ToInt32(r.NumberOfServicesNotAccessed), want)
	}
	// The account's own path reaches it too; the root's other OU does not.
	if got := namespaces(orgReport(t, e.iam, path+"/"+member, policy, nil).AccessDetails); got != want {
		t.Fatalf("account path: got %s", got)
	}
	other := *must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("other")})).OrganizationalUnit.Id
	if got := namespaces(orgReport(t, e.iam, orgID+"/"+root+"/"+other, policy, nil).AccessDetails); got != "iam,s3" {
		t.Fatalf("other OU: got %s", got)
	}
	// Sorted by last access, the used service comes last ascending, first descending.
	if got := namespaces(orgReport(t, e.iam, path, policy, func(in *iam.GetOrganizationsAccessReportInput) { in.SortKey = "LAST_AUTHENTICATED_TIME_DESCENDING" }).AccessDetails); got != want {
		t.Fatalf("descending: got %s", got)
	}

	// A member account may not read the organization: its job fails.
	mc := iam.NewFromConfig(e.p.AccountConfig(member))
	r = orgReport(t, mc, path, nil, nil)
	if r.JobStatus != types.JobStatusTypeFailed || *r.ErrorDetails.Code != "ORGANIZATIONS_REPORT_ACCESS_DENIED" {
		t.Fatalf("member: %+v", r)
	}

	// Without a policy: every level's SCPs. FullAWSAccess everywhere allows all;
	// replacing it on the OU with the policy leaves the policy's services.
	all := orgReport(t, e.iam, path, nil, nil)
	if n := aws.ToInt32(all.NumberOfServicesAccessible); n < 10 || !strings.Contains(namespaces(all.AccessDetails), ",sts,") {
		t.Fatalf("no policy: %d %s", n, namespaces(all.AccessDetails))
	}
	must(org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: policy, TargetId: aws.String(ou)}))
	must(org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(ou)}))
	if got := namespaces(orgReport(t, e.iam, path, nil, nil).AccessDetails); got != want {
		t.Fatalf("OU's SCPs: got %s, want %s", got, want)
	}

}

// orgWithOU makes the caller's account an all-features organization's management
// account with SCPs enabled and one OU under the root; it returns the organization's
// client, its ID, the root's ID and the OU's.
func orgWithOU(e *env, ouName string) (*organizations.Client, string, string, string) {
	e.Helper()
	org := organizations.NewFromConfig(e.p.RootConfig())
	orgID := *must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"})).Organization.Id
	root := *must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: "SERVICE_CONTROL_POLICY"}))
	ou := *must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(ouName)})).OrganizationalUnit.Id
	return org, orgID, root, ou
}
