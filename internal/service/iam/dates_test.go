package iam_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Every date form IAM accepts in a Date* condition ("Condition operators / Date":
// the W3C profile of ISO 8601 or epoch seconds; the further Joda-Time forms IAM was
// recorded accepting) is stored by PutUserPolicy and then decides requests against
// the server's clock: a date in the past passes DateGreaterThan aws:CurrentTime, one
// in the future does not. Before the engine had one date grammar, several of these
// were accepted and then matched nothing.
func TestDateFormsDecide(t *testing.T) {
	e := newEnv(t)
	u := e.newUser("u")
	now := e.p.Clock.Now()

	forms := []struct {
		name string
		at   func(time.Time) string // a JSON value for the instant (rounded as the form must)
	}{
		{"epoch seconds, JSON number", func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }},
		{"epoch seconds, string", func(t time.Time) string { return strconv.Quote(strconv.FormatInt(t.Unix(), 10)) }},
		{"YYYY-MM-DD", func(t time.Time) string { return strconv.Quote(t.Format("2006-01-02")) }},
		{"YYYY-MM", func(t time.Time) string { return strconv.Quote(t.Format("2006-01")) }},
		{"YYYY-MM-DDThh:mmZ", func(t time.Time) string { return strconv.Quote(t.Format("2006-01-02T15:04Z")) }},
		{"YYYY-MM-DDThh:mm:ssZ", func(t time.Time) string { return strconv.Quote(t.Format("2006-01-02T15:04:05Z")) }},
		{"fractional seconds", func(t time.Time) string { return strconv.Quote(t.Format("2006-01-02T15:04:05.000000Z")) }},
		{"offset +05:00", func(t time.Time) string {
			return strconv.Quote(t.In(time.FixedZone("", 5*3600)).Format("2006-01-02T15:04:05-07:00"))
		}},
		{"offset -0800", func(t time.Time) string {
			return strconv.Quote(t.In(time.FixedZone("", -8*3600)).Format("2006-01-02T15:04:05-0700"))
		}},
		{"lower-case t and z", func(t time.Time) string { return strconv.Quote(strings.ToLower(t.Format("2006-01-02T15:04:05Z"))) }},
		{"one-digit hour, hour offset", func(t time.Time) string { return strconv.Quote(t.Format("2006-01-02") + "t1:00:00+01") }},
		{"no offset (UTC)", func(t time.Time) string { return strconv.Quote(t.Format("2006-01-02T15:04:05")) }},
		{"ordinal date", func(t time.Time) string { return strconv.Quote(fmt.Sprintf("%d-%03d", t.Year(), t.YearDay())) }},
		{"week date", func(t time.Time) string {
			y, w := t.ISOWeek()
			return strconv.Quote(fmt.Sprintf("%d-W%02d-%d", y, w, (int(t.Weekday())+6)%7+1))
		}},
	}
	allowed := func(cond string) bool {
		t.Helper()
		if _, err := e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":` + cond + `}]}`)}); err != nil {
			t.Fatalf("PutUserPolicy with %s: %v", cond, err)
		}
		_, err := u.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})
		if err != nil {
			wantErr(t, err, "AccessDenied", 403, "")
		}
		return err == nil
	}
	past, future := now.Add(-70*24*time.Hour), now.Add(70*24*time.Hour)
	for _, f := range forms {
		if !allowed(`{"DateGreaterThan":{"aws:CurrentTime":` + f.at(past) + `}}`) {
			t.Errorf("%s: DateGreaterThan %s (past) denied", f.name, f.at(past))
		}
		if allowed(`{"DateGreaterThan":{"aws:CurrentTime":` + f.at(future) + `}}`) {
			t.Errorf("%s: DateGreaterThan %s (future) allowed", f.name, f.at(future))
		}
		if !allowed(`{"DateLessThan":{"aws:EpochTime":` + f.at(future) + `}}`) {
			t.Errorf("%s: DateLessThan aws:EpochTime %s (future) denied", f.name, f.at(future))
		}
	}
	// A digit string is epoch seconds, never a year: "9999" is 1970-01-01T02:46:39Z.
	if allowed(`{"DateLessThan":{"aws:CurrentTime":"9999"}}`) {
		t.Error(`DateLessThan "9999" allowed: read as a year`)
	}
	// Numeric operators on aws:EpochTime read numbers only; "inf" is none.
	if !allowed(`{"NumericGreaterThan":{"aws:EpochTime":"1e9"}}`) || allowed(`{"NumericLessThan":{"aws:EpochTime":"inf"}}`) {
		t.Error("NumericGreaterThan 1e9 denied or NumericLessThan inf allowed")
	}

	// aws:TokenIssueTime, as the User Guide's "revoke older sessions" deny uses it: a
	// role session issued before the date is denied, one issued after is not.
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).AccessKey
	_, st := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	c := must(st.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/r"), RoleSessionName: aws.String("sess")})).Credentials
	sess := iam.NewFromConfig(e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	for _, f := range forms {
		for _, d := range []struct {
			at   time.Time
			deny bool
		}{{past, false}, {future, true}} {
			must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("revoke"), PolicyDocument: aws.String(
				`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":` + f.at(d.at) + `}}}]}`)}))
			_, err := sess.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})
			if d.deny {
				wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::"+account+":assumed-role/r/sess is not authorized to perform: iam:GetUser on resource: user u with an explicit deny in an identity-based policy")
			} else if err != nil {
				t.Errorf("%s: session denied by DateLessThan aws:TokenIssueTime %s (past): %v", f.name, f.at(d.at), err)
			}
		}
	}
}

// What IAM refuses is what evaluation could not read, and the simulator takes context
// values in the same grammars.
func TestDateAndNumberGrammarAtTheAPI(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	for _, v := range []string{"2016-W53", "2015-02-29", "2016-12-13t2:00:00.593194+1", "tomorrow"} {
		_, err := e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"` + v + `"}}}]}`)})
		wantErr(t, err, "MalformedPolicyDocument", 400, "The policy failed legacy parsing")
	}

	sim := func(typ types.ContextKeyTypeEnum, key, v string) (string, error) {
		r, err := e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2016-01-31"},"NumericLessThan":{"s3:max-keys":"100"}}}]}`},
			ActionNames:     []string{"s3:ListBucket"},
			ContextEntries: []types.ContextEntry{
				{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{"2016-02-01T00:00:00Z"}, ContextKeyType: types.ContextKeyTypeEnumDate},
				{ContextKeyName: aws.String("s3:max-keys"), ContextKeyValues: []string{"10"}, ContextKeyType: types.ContextKeyTypeEnumNumeric},
				{ContextKeyName: aws.String(key), ContextKeyValues: []string{v}, ContextKeyType: typ}}})
		if err != nil {
			return "", err
		}
		return string(r.EvaluationResults[0].EvalDecision), nil
	}
	// A week date is a date: 2016-W05-3 is 3 February 2016, after the policy's date.
	if d := must(sim(types.ContextKeyTypeEnumDate, "aws:CurrentTime", "2016-W05-3")); d != "allowed" {
		t.Fatalf("week date: %s", d)
	}
	if d := must(sim(types.ContextKeyTypeEnumDate, "aws:CurrentTime", "2016-W04-3")); d != "implicitDeny" {
		t.Fatalf("earlier week date: %s", d)
	}
	_, err := sim(types.ContextKeyTypeEnumNumeric, "s3:max-keys", "inf")
	wantErr(t, err, "InvalidInput", 400, "Invalid value inf for context key s3:max-keys of type numeric.")
	_, err = sim(types.ContextKeyTypeEnumDate, "aws:CurrentTime", "2016-W53")
	wantErr(t, err, "InvalidInput", 400, "Invalid value 2016-W53 for context key aws:CurrentTime of type date.")
}
