package iam_test

import (
	"encoding/xml"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The tests in this file replay answers AWS gave in 2026 to IAM query requests as
// their parameters were spelled on the wire (radkawar/stackd testdata/aws/iam/, each
// case naming its file); the SDK would not send these spellings.

// queryAnswer is the outcome of one raw query request.
type queryAnswer struct {
	Status int
	Code   string // "Success" for a 200
	Msg    string
	Body   string
}

// rawQuery sends IAM's query parameters form-encoded, signed by the root key, in the
// order given (pairs of name and value).
func rawQuery(t *testing.T, e *env, action string, params ...string) queryAnswer {
	t.Helper()
	var b strings.Builder
	b.WriteString("Action=" + action + "&Version=2010-05-08")
	for i := 0; i+1 < len(params); i += 2 {
		b.WriteString("&" + url.QueryEscape(params[i]) + "=" + url.QueryEscape(params[i+1]))
	}
	status, raw := postIAM(t, e, b.String())
	a := queryAnswer{Status: status, Code: "Success", Body: string(raw)}
	if status != 200 {
		var er struct {
			Error struct{ Code, Message string }
		}
		if err := xml.Unmarshal(raw, &er); err != nil {
			t.Fatalf("%s: unparseable error %q", action, raw)
		}
		a.Code, a.Msg = er.Error.Code, er.Error.Message
	}
	return a
}

// TestRecordedQueryNumbers replays pagination_inputs.json: MaxItems as the query
// string spells it. Leading zeros and a plus sign are an integer; spaces, a fraction,
// an exponent or a value past 2^31-1 are MalformedInput; 0 and 1001 are in integer
// form but out of range, ValidationError. (credential_inputs.json recorded the same
// answers for CreateServiceSpecificCredential's CredentialAgeDays.)
func TestRecordedQueryNumbers(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"pa", "pb", "pc"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n), Path: aws.String("/pages/")}))
	}
	for _, c := range []struct{ value, code string }{
		{"1", "Success"}, {"01", "Success"}, {"+1", "Success"},
		{" 1 ", "MalformedInput"}, {"\t1\n", "MalformedInput"}, {"1.0", "MalformedInput"}, {"1e0", "MalformedInput"},
		{"2147483648", "MalformedInput"}, {"", "MalformedInput"},
		{"0", "ValidationError"}, {"1001", "ValidationError"}, {"-1", "ValidationError"},
	} {
		a := rawQuery(t, e, "ListUsers", "PathPrefix", "/pages/", "MaxItems", c.value)
		if a.Code != c.code || (a.Code != "Success" && a.Status != 400) {
			t.Errorf("MaxItems=%q: %d %s %q, want %s", c.value, a.Status, a.Code, a.Msg, c.code)
		}
		if a.Code == "Success" && (strings.Count(a.Body, "<UserName>") != 1 || !strings.Contains(a.Body, "<IsTruncated>true</IsTruncated>")) {
			t.Errorf("MaxItems=%q: want one user and truncated, got %s", c.value, a.Body)
		}
	}
	// The marker of a first page continues under any spelling of MaxItems.
	first := must(e.iam.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/pages/"), MaxItems: aws.Int32(1)}))
	a := rawQuery(t, e, "ListUsers", "PathPrefix", "/pages/", "MaxItems", "+1", "Marker", aws.ToString(first.Marker))
	if a.Code != "Success" || strings.Contains(a.Body, "<UserName>"+aws.ToString(first.Users[0].UserName)+"<") {
		t.Errorf("next page: %s", a.Body)
	}
}

// TestRecordedQueryBooleans replays credential_inputs.json's boolean_inputs and
// pagination_inputs.json: ListServiceSpecificCredentials' AllUsers takes exactly
// true, false, 1 and 0; other spellings (other cases, spaces, empty, null) are
// MalformedInput. (AWS's caller was denied AllUsers=true and =1 alike; here the root
// user may list, so 1 is seen to mean true by what it lists.)
func TestRecordedQueryBooleans(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))
	must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	for _, c := range []struct {
		value, code string
		listed      bool
	}{
		{"true", "Success", true}, {"1", "Success", true}, {"false", "Success", false}, {"0", "Success", false},
		{" true", "MalformedInput", false}, {"true ", "MalformedInput", false}, {"\ttrue\n", "MalformedInput", false},
		{"True", "MalformedInput", false}, {"TRUE", "MalformedInput", false}, {"False", "MalformedInput", false},
		{"FALSE", "MalformedInput", false}, {"", "MalformedInput", false}, {"null", "MalformedInput", false},
		{"anything", "MalformedInput", false},
	} {
		a := rawQuery(t, e, "ListServiceSpecificCredentials", "AllUsers", c.value)
		if a.Code != c.code || (a.Code != "Success" && a.Status != 400) {
			t.Errorf("AllUsers=%q: %d %s %q, want %s", c.value, a.Status, a.Code, a.Msg, c.code)
			continue
		}
		if a.Code == "Success" && strings.Contains(a.Body, "<UserName>git</UserName>") != c.listed {
			t.Errorf("AllUsers=%q: listed git's credential %v, want %v", c.value, !c.listed, c.listed)
		}
	}
	// AllUsers=false beside UserName, with the other spellings of MaxItems, pages the
	// named user's credentials (pagination_inputs.json, credentials_*).
	must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("cassandra.amazonaws.com")}))
	a := rawQuery(t, e, "ListServiceSpecificCredentials", "UserName", "git", "AllUsers", "false", "MaxItems", "1")
	if a.Code != "Success" || !strings.Contains(a.Body, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("first page: %s", a.Body)
	}
	marker := a.Body[strings.Index(a.Body, "<Marker>")+len("<Marker>") : strings.Index(a.Body, "</Marker>")]
	for _, all := range []string{"false", "0"} {
		a := rawQuery(t, e, "ListServiceSpecificCredentials", "UserName", "git", "AllUsers", all, "MaxItems", "1", "Marker", marker)
		if a.Code != "Success" || strings.Count(a.Body, "<ServiceSpecificCredentialId>") != 1 || !strings.Contains(a.Body, "<IsTruncated>false</IsTruncated>") {
			t.Errorf("AllUsers=%s next page: %s", all, a.Body)
		}
	}
}

// TestRecordedQueryListIndices replays query_collections.json:
// GetContextKeysForCustomPolicy's PolicyInputList.member.N. N may have leading zeros
// but no sign or letters, is at least 1, and may not jump more than 10 past the
// previous index (or past 1 for the first), whatever order the parameters come in.
func TestRecordedQueryListIndices(t *testing.T) {
	e := newEnv(t)
	const doc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	for _, c := range []struct {
		idx       []string
		code, msg string
	}{
		{[]string{"1"}, "Success", ""},
		{[]string{"01"}, "Success", ""},
		{[]string{"+1"}, "MalformedInput", "Start of list found where not expected"},
		{[]string{"one"}, "MalformedInput", "Start of list found where not expected"},
		{[]string{"0"}, "MalformedInput", "0 is not a valid index"},
		{[]string{"-1"}, "MalformedInput", "Key -1 may not have a leading '-'"},
		{[]string{"12"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"33"}, "MalformedInput", "Excessively sparse input would skip 32 list elements"},
		{[]string{"1", "12"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"12", "1"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"1", "22", "43"}, "MalformedInput", "Excessively sparse input would skip 21 list elements"},
		{[]string{"22", "1"}, "MalformedInput", "Excessively sparse input would skip 21 list elements"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "21"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "22"}, "MalformedInput", "Excessively sparse input would skip 12 list elements"},
	} {
		var params []string
		for _, i := range c.idx {
			params = append(params, "PolicyInputList.member."+i, doc)
		}
		a := rawQuery(t, e, "GetContextKeysForCustomPolicy", params...)
		if a.Code != c.code || a.Msg != c.msg || (a.Code != "Success" && a.Status != 400) {
			t.Errorf("%v: %d %s %q, want %s %q", c.idx, a.Status, a.Code, a.Msg, c.code, c.msg)
		}
	}
}

// lastAccessRig is last_access.json's setup: a user "target" with an inline policy
// that denies all of SQS, in two groups, with a managed policy "shared" attached to
// it, to one of its groups and to a role.
func lastAccessRig(e *env) {
	e.Helper()
	doc := func(stmts string) *string { return aws.String(`{"Version":"2012-10-17","Statement":[` + stmts + `]}`) }
	for _, u := range []string{"target", "member", "empty"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u), Path: aws.String("/la/")}))
	}
	for _, g := range []string{"zgroup", "agroup"} {
		must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(g), Path: aws.String("/la/")}))
	}
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("role"), Path: aws.String("/la/"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	shared := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("shared"), Path: aws.String("/la/"),
		PolicyDocument: doc(`{"Effect":"Allow","Action":["sqs:SendMessage","s3:GetObject"],"Resource":"*"}`)})).Policy.Arn
	must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("unused"), Path: aws.String("/la/"),
		PolicyDocument: doc(`{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}`)}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("target"), PolicyName: aws.String("z-direct"),
		PolicyDocument: doc(`{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser","iam:PassRole","ec2:DescribeInstances"],"Resource":"*"},{"Effect":"Deny","Action":"sqs:*","Resource":"*"}`)}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("zgroup"), PolicyName: aws.String("a-group"),
		PolicyDocument: doc(`{"Effect":"Allow","Action":"lambda:ListFunctions","Resource":"*"}`)}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("agroup"), PolicyName: aws.String("z-group"),
		PolicyDocument: doc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}`)}))
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("role"), PolicyName: aws.String("role-inline"),
		PolicyDocument: doc(`{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"},{"Effect":"Allow","Action":["iam:GenerateServiceLastAccessedDetails","iam:GetServiceLastAccessedDetails","iam:GetServiceLastAccessedDetailsWithEntities","iam:ListPoliciesGrantingServiceAccess"],"Resource":"*"}`)}))
	for _, m := range [][2]string{{"zgroup", "target"}, {"zgroup", "member"}, {"agroup", "target"}} {
		must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(m[0]), UserName: aws.String(m[1])}))
	}
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("target"), PolicyArn: shared}))
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("zgroup"), PolicyArn: shared}))
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("role"), PolicyArn: shared}))
}

// reportServices generates arn's service-level report and lists its namespaces.
func reportServices(t *testing.T, e *env, arn string) (string, string) {
	t.Helper()
	job := must(e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn)})).JobId
	out := must(e.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job}))
	var ns []string
	for _, s := range out.ServicesLastAccessed {
		ns = append(ns, aws.ToString(s.ServiceNamespace))
	}
	return strings.Join(ns, ","), aws.ToString(job)
}

// TestRecordedServiceLastAccessed replays last_access.json's reports: which services
// a user's, group's, role's and policy's report lists, and the entities of one.
func TestRecordedServiceLastAccessed(t *testing.T) {
	e := newEnv(t)
	lastAccessRig(e)
	arn := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/la/" + name }
	for _, c := range []struct{ arn, want string }{
		// The target's own inline policy denies sqs:*: SQS, allowed by "shared"
		// twice over, is not in its report (get_user_first).
		{arn("user", "target"), "ec2,iam,lambda,s3"},
		{arn("group", "zgroup"), "lambda,s3,sqs"},
		{arn("role", "role"), "iam,kms,s3,sqs"},
		{arn("policy", "shared"), "s3,sqs"},
		{arn("policy", "unused"), "sns"},
		{arn("user", "empty"), ""},
	} {
		if got, _ := reportServices(t, e, c.arn); got != c.want {
			t.Errorf("%s: services %q, want %q", c.arn, got, c.want)
		}
	}
	// The "selection" policy of an otherwise empty user, rewritten between reports
	// (initial_get_selection_*).
	for _, c := range []struct{ doc, want string }{
		{`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`, ""},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}`, ""},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"nobody"}}}`, "s3"},
		{`{"Effect":"Allow","Action":"s3:StackdUnmodeledAction","Resource":"*"}`, ""},
		{`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`, "iam"},
	} {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("empty"), PolicyName: aws.String("selection"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + c.doc + `]}`)}))
		if got, _ := reportServices(t, e, arn("user", "empty")); got != c.want {
			t.Errorf("selection %s: services %q, want %q", c.doc, got, c.want)
		}
	}
	// A policy allowing "*" reaches every service IAM reports on, by IAM's names
	// (last_access_service_names.json: 455, from a2c to xray).
	all := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("names"), Path: aws.String("/la/"), PolicyDocument: aws.String(allowAll)})).Policy.Arn
	job := must(e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: all})).JobId
	names := must(e.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job, MaxItems: aws.Int32(1000)})).ServicesLastAccessed
	byNS := map[string]string{}
	for _, s := range names {
		byNS[aws.ToString(s.ServiceNamespace)] = aws.ToString(s.ServiceName)
	}
	if len(names) != 455 || aws.ToString(names[0].ServiceNamespace) != "a2c" || aws.ToString(names[454].ServiceNamespace) != "xray" ||
		byNS["iam"] != "AWS Identity and Access Management" || byNS["lambda"] != "AWS Lambda" || byNS["apigateway"] != "Manage - Amazon API Gateway" {
		t.Errorf("allow *: %d services, iam %q, lambda %q", len(names), byNS["iam"], byNS["lambda"])
	}
	// A namespace IAM does not know is refused, in IAM's words (entities_*_stackdunmodeled).
	_, shared := reportServices(t, e, arn("policy", "shared"))
	_, err := e.iam.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(shared), ServiceNamespace: aws.String("stackdunmodeled")})
	wantErr(t, err, "InvalidInput", 400, "Service namepace stackdunmodeled is either invalid or unsupported.")
	ents := must(e.iam.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(shared), ServiceNamespace: aws.String("s3")}))
	var ents2 []string
	for _, d := range ents.EntityDetailsList {
		ents2 = append(ents2, string(d.EntityInfo.Type)+":"+aws.ToString(d.EntityInfo.Name))
	}
	if got := strings.Join(ents2, ","); got != "USER:member,USER:target,ROLE:role" {
		t.Errorf("policy's s3 entities %s (entities_policy_s3)", got)
	}
	for _, ns := range []string{"iam", "dynamodb"} {
		ents := must(e.iam.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(shared), ServiceNamespace: aws.String(ns)}))
		if len(ents.EntityDetailsList) != 0 {
			t.Errorf("policy's %s entities %v (entities_policy_iam)", ns, ents.EntityDetailsList)
		}
	}
}

// TestRecordedPoliciesGrantingServiceAccess replays last_access.json's grants_* and
// initial_selection_* cases: a managed policy attached to the user and to its group
// is named once; services outside Palisade's catalog (lambda, dynamodb) are answered;
// a Deny in another policy does not take a granting policy off the list; namespaces
// IAM does not know, in any case, are InvalidInput, and so is a policy's ARN. (IAM's
// order of the policies varied between identical calls: not compared.)
func TestRecordedPoliciesGrantingServiceAccess(t *testing.T) {
	e := newEnv(t)
	lastAccessRig(e)
	arn := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/la/" + name }
	nss := []string{"sqs", "s3", "iam", "lambda", "ec2", "dynamodb"}
	for _, c := range []struct{ arn, want string }{
		{arn("user", "target"), "sqs=shared s3=shared,z-direct iam=z-direct,z-group lambda=a-group ec2=z-direct dynamodb="},
		{arn("group", "zgroup"), "sqs=shared s3=shared iam= lambda=a-group ec2= dynamodb="},
		{arn("role", "role"), "sqs=shared s3=shared iam=role-inline lambda= ec2= dynamodb="},
	} {
		out := must(e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(c.arn), ServiceNamespaces: nss}))
		var got []string
		for _, entry := range out.PoliciesGrantingServiceAccess {
			var names []string
			for _, p := range entry.Policies {
				names = append(names, aws.ToString(p.PolicyName))
			}
			slices.Sort(names)
			got = append(got, aws.ToString(entry.ServiceNamespace)+"="+strings.Join(names, ","))
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.arn, g, c.want)
		}
	}
	// initial_selection_cross_policy_deny: a separate policy denying s3:* does not
	// change what grants.
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("empty"), PolicyName: aws.String("selection"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("empty"), PolicyName: aws.String("separate-deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)}))
	out := must(e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn("user", "empty")), ServiceNamespaces: []string{"s3"}}))
	if p := out.PoliciesGrantingServiceAccess[0].Policies; len(p) != 1 || aws.ToString(p[0].PolicyName) != "selection" {
		t.Errorf("cross-policy deny: %+v", p)
	}
	// selection_*, resource_selection_*: one policy, rewritten.
	must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("empty"), PolicyName: aws.String("separate-deny")}))
	for _, c := range []struct{ stmts, want string }{
		{`{"Effect":"Allow","Action":"s3:StackdUnmodeledAction","Resource":"*"}`, "s3"},
		{`{"Effect":"Allow","Action":"S3:GETOBJECT","Resource":"*"}`, "s3"},
		{`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`, "sqs,iam"},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:iam::` + account + `:user/nobody"}`, ""},
		{`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"*"}`, ""},
		{`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`, "iam"},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-a"}`, "s3"},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"nobody"}}}`, "s3"},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-a/*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bucket-a/*"}`, "s3"},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-a/*"},{"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bucket-a/*"}`, "s3"},
		{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}`, ""},
	} {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("empty"), PolicyName: aws.String("selection"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + c.stmts + `]}`)}))
		out := must(e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn("user", "empty")), ServiceNamespaces: []string{"s3", "sqs", "iam"}}))
		var got []string
		for _, entry := range out.PoliciesGrantingServiceAccess {
			if len(entry.Policies) > 0 {
				got = append(got, aws.ToString(entry.ServiceNamespace))
			}
		}
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("%s: granting %q, want %q", c.stmts, g, c.want)
		}
	}
	// selection_allow_and_deny: the policy's own Deny takes back its Allow.
	out = must(e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn("user", "empty")), ServiceNamespaces: []string{"s3"}}))
	if p := out.PoliciesGrantingServiceAccess[0].Policies; len(p) != 0 {
		t.Errorf("allow and deny in one policy: %+v", p)
	}
	out = must(e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn("user", "target")), ServiceNamespaces: []string{"execute-api"}}))
	if len(out.PoliciesGrantingServiceAccess) != 1 || len(out.PoliciesGrantingServiceAccess[0].Policies) != 0 {
		t.Errorf("execute-api: %+v (grants_namespaces_hyphen)", out.PoliciesGrantingServiceAccess)
	}
	for _, c := range []struct {
		nss []string
		msg string
	}{
		{[]string{"s3", "sqs", "iam", "stackdunmodeled"}, "Invalid service namespace: [stackdunmodeled]"},
		{[]string{"S3", "IAM"}, "Invalid service namespace: [S3, IAM]"},
		{[]string{"stackd_unknown"}, "Invalid service namespace: [stackd_unknown]"},
	} {
		_, err := e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn("user", "target")), ServiceNamespaces: c.nss})
		wantErr(t, err, "InvalidInput", 400, c.msg)
	}
	_, err := e.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn("policy", "shared")), ServiceNamespaces: nss})
	wantErr(t, err, "InvalidInput", 400, "Invalid Entity Arn: "+arn("policy", "shared")+" is not supported.")
}

// TestRecordedAuthorizationDetailsMarker replays account_reporting.json's
// invalid_marker: a made-up Marker beside a Filter.
func TestRecordedAuthorizationDetailsMarker(t *testing.T) {
	e := newEnv(t)
	_, err := e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeUser}, Marker: aws.String("not-an-aws-marker")})
	wantErr(t, err, "ValidationError", 400, "Marker and Filter do not match")
}

// TestRecordedLastAccessedSnapshot replays last_access_pending_policy_20260927.json:
// a report is of the policy as it was when generated (a new default version after
// generating does not change it), pages at 200 by default (not IAM's usual 100),
// and a new report sees the new version.
func TestRecordedLastAccessedSnapshot(t *testing.T) {
	e := newEnv(t)
	p := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("pending"), PolicyDocument: aws.String(allowAll)})).Policy.Arn
	job := must(e.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: p})).JobId
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p, SetAsDefault: true,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}]}`)}))
	out := must(e.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job}))
	if len(out.ServicesLastAccessed) != 200 || !out.IsTruncated || aws.ToString(out.ServicesLastAccessed[199].ServiceNamespace) != "healthlake" {
		t.Errorf("first report: %d services, truncated %v", len(out.ServicesLastAccessed), out.IsTruncated)
	}
	if got, _ := reportServices(t, e, aws.ToString(p)); got != "sns" {
		t.Errorf("regenerated: %s", got)
	}
}

// TestRecordedLastAccessedOwnership replays last_access.json's ownership_* cases: a
// report is readable by the principal that generated it, through any of its access
// keys, and by no one else: not another user, not the account's root, not another
// session of the same role. To them the job does not exist.
func TestRecordedLastAccessedOwnership(t *testing.T) {
	e := newEnv(t)
	const reader = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateServiceLastAccessedDetails","iam:GetServiceLastAccessedDetails","iam:GetServiceLastAccessedDetailsWithEntities","sts:AssumeRole"],"Resource":"*"}]}`
	var stsc *sts.Client // the observer's
	user := func(name string) []*iam.Client {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(reader)}))
		var out []*iam.Client
		for range 2 {
			k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
			c, s := e.as(*k.AccessKeyId, *k.SecretAccessKey)
			out = append(out, c)
			if name == "observer" {
				stsc = s
			}
		}
		return out
	}
	observer, other := user("observer"), user("other")
	target := "arn:aws:iam::" + account + ":user/observer"
	job := must(observer[0].GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(target)})).JobId
	must(observer[1].GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job}))
	must(observer[1].GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job, ServiceNamespace: aws.String("iam")}))
	for who, c := range map[string]*iam.Client{"other user": other[0], "root": e.iam} {
		_, err := c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job})
		if errorCode(t, err) != "NoSuchEntity" {
			t.Errorf("%s read the report: %v", who, err)
		}
		_, err = c.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job, ServiceNamespace: aws.String("iam")})
		wantErr(t, err, "NoSuchEntity", 404, "Job "+aws.ToString(job)+" does not exist.")
	}
	// Two sessions of one role.
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/observer"},"Action":"sts:AssumeRole"}]}`)}))
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(reader)}))
	session := func(name string) *iam.Client {
		cr := must(stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/r"), RoleSessionName: aws.String(name)})).Credentials
		return iam.NewFromConfig(e.p.Config(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	}
	one, two := session("one"), session("two")
	job = must(one.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(target)})).JobId
	must(one.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job}))
	_, err := two.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job})
	wantErr(t, err, "NoSuchEntity", 404, "Job "+aws.ToString(job)+" does not exist.")
}
