package iam_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The aws CLI's documented examples of simulate-custom-policy ("Example 1: To simulate
// the effects of all IAM policies associated with an IAM user or role", AWS CLI
// Command Reference): a date condition, the date given in ContextEntries.
const dynamoAfter2018 = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

func currentTime(v string) []types.ContextEntry {
	return []types.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{v}, ContextKeyType: types.ContextKeyTypeEnumDate}}
}

func stmt(id, typ string, l1, c1, l2, c2 int32) types.Statement {
	return types.Statement{SourcePolicyId: aws.String(id), SourcePolicyType: types.PolicySourceType(typ),
		StartPosition: &types.Position{Line: l1, Column: c1}, EndPosition: &types.Position{Line: l2, Column: c2}}
}

func sameStatements(t *testing.T, got, want []types.Statement) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("matched statements %s, want %s", showStatements(got), showStatements(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if aws.ToString(g.SourcePolicyId) != aws.ToString(w.SourcePolicyId) || g.SourcePolicyType != w.SourcePolicyType ||
			(w.StartPosition != nil && (*g.StartPosition != *w.StartPosition || *g.EndPosition != *w.EndPosition)) {
			t.Fatalf("matched statements %s, want %s", showStatements(got), showStatements(want))
		}
	}
}

func showStatements(s []types.Statement) string {
	var b strings.Builder
	for _, x := range s {
		b.WriteString(aws.ToString(x.SourcePolicyId) + "/" + string(x.SourcePolicyType))
		if x.StartPosition != nil {
			b.WriteString("@" + itoa(x.StartPosition.Line) + ":" + itoa(x.StartPosition.Column) + "-" + itoa(x.EndPosition.Line) + ":" + itoa(x.EndPosition.Column))
		}
		b.WriteString(" ")
	}
	return "[" + b.String() + "]"
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func TestSimulateCustomPolicy(t *testing.T) {
	e := newEnv(t)
	sim := func(in *iam.SimulateCustomPolicyInput) []types.EvaluationResult {
		t.Helper()
		return must(e.iam.SimulateCustomPolicy(ctx, in)).EvaluationResults
	}
	// Example 1: allowed, the statement named with the position the reference shows.
	r := sim(&iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter2018}, ActionNames: []string{"dynamodb:CreateBackup"}, ContextEntries: currentTime("2019-04-25T11:00:00Z")})
	if len(r) != 1 || *r[0].EvalActionName != "dynamodb:CreateBackup" || *r[0].EvalResourceName != "*" || r[0].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed ||
		r[0].MissingContextValues == nil || len(r[0].MissingContextValues) != 0 || r[0].EvalDecisionDetails != nil || r[0].ResourceSpecificResults != nil {
		t.Fatalf("example 1: %+v", r)
	}
	sameStatements(t, r[0].MatchedStatements, []types.Statement{stmt("PolicyInputList.1", "IAM Policy", 1, 38, 1, 167)})
	// Example 2: the date is before the condition's: implicitly denied, nothing matched.
	r = sim(&iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter2018}, ActionNames: []string{"dynamodb:CreateBackup"}, ContextEntries: currentTime("2014-04-25T11:00:00Z")})
	if r[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r[0].MatchedStatements) != 0 || len(r[0].MissingContextValues) != 0 {
		t.Fatalf("example 2: %+v", r[0])
	}
	// The simulator supplies no keys itself: without the entry the key is missing.
	r = sim(&iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter2018}, ActionNames: []string{"dynamodb:CreateBackup"}})
	if r[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || strings.Join(r[0].MissingContextValues, ",") != "aws:CurrentTime" {
		t.Fatalf("missing key: %+v", r[0])
	}

	// A deny overrides; only the deny is reported. Positions count lines and columns
	// of each document; a statement in a list starts just after the '[' or ',' before
	// it, as AWS reports.
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	deny := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\", \"Resource\": \"*\"}\n  ]\n}"
	r = sim(&iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow, deny}, ActionNames: []string{"s3:GetObject", "s3:DeleteObject"},
		ResourceArns: []string{"arn:aws:s3:::b/k1", "arn:aws:s3:::b/k2"}})
	// One result per action, named by the resource type's ARN template when there are
	// several resources, with one resource-specific result each (as AWS answers:
	// radkawar/stackd testdata/aws/iam/conditions.json).
	if len(r) != 2 {
		t.Fatalf("%d results, want one per action", len(r))
	}
	for i, want := range []string{"allowed", "explicitDeny"} {
		if string(r[i].EvalDecision) != want || len(r[i].ResourceSpecificResults) != 2 || *r[i].EvalResourceName != "arn:aws:s3:::${BucketName}/${ObjectName}" ||
			r[i].ResourceSpecificResults[1].EvalResourceDecision != r[i].EvalDecision || *r[i].ResourceSpecificResults[1].EvalResourceName != "arn:aws:s3:::b/k2" ||
			r[i].EvalDecisionDetails == nil || len(r[i].EvalDecisionDetails) != 0 {
			t.Fatalf("result %d: %+v", i, r[i])
		}
	}
	sameStatements(t, r[0].MatchedStatements, []types.Statement{stmt("PolicyInputList.1", "IAM Policy", 1, 38, 1, 87)})
	sameStatements(t, r[1].MatchedStatements, []types.Statement{stmt("PolicyInputList.2", "IAM Policy", 3, 17, 4, 69)})

	// Pages of MaxItems with a Marker.
	page := must(e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, ActionNames: []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}, MaxItems: aws.Int32(2)}))
	if len(page.EvaluationResults) != 2 || !page.IsTruncated || page.Marker == nil {
		t.Fatalf("page 1: %+v", page)
	}
	page = must(e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, ActionNames: []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}, MaxItems: aws.Int32(2), Marker: page.Marker}))
	if len(page.EvaluationResults) != 1 || page.IsTruncated || *page.EvaluationResults[0].EvalActionName != "s3:ListBucket" {
		t.Fatalf("page 2: %+v", page)
	}

	// A permissions boundary caps what the policies allow.
	bnd := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	r = sim(&iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, PermissionsBoundaryPolicyInputList: []string{bnd}, ActionNames: []string{"s3:GetObject", "s3:PutObject"}})
	if r[0].EvalDecision != "allowed" || !r[0].PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary ||
		r[1].EvalDecision != "implicitDeny" || r[1].PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary || len(r[1].MatchedStatements) != 0 {
		t.Fatalf("boundary: %+v", r)
	}
	sameStatements(t, r[0].MatchedStatements, []types.Statement{stmt("PolicyInputList.1", "IAM Policy", 1, 38, 1, 87), stmt("PermissionsBoundaryPolicyInputList.1", "Permissions Boundary Policy", 1, 38, 1, 90)})
	_, err := e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, PermissionsBoundaryPolicyInputList: []string{bnd, bnd}, ActionNames: []string{"s3:GetObject"}})
	wantErr(t, err, "InvalidInput", 400, "The list of Permissions Boundary policies cannot exceed 1 items.")

	// A malformed policy, a value of the wrong type: InvalidInput.
	_, err = e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`}, ActionNames: []string{"s3:GetObject"}})
	wantErr(t, err, "InvalidInput", 400, "Policy statement must contain actions.")
	_, err = e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, ActionNames: []string{"s3:GetObject"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("s3:max-keys"), ContextKeyValues: []string{"many"}, ContextKeyType: types.ContextKeyTypeEnumNumeric}}})
	wantErr(t, err, "InvalidInput", 400, "")
}

// Resource policies in the simulation: the caller must be named (CallerArn), the
// resource policy can grant on its own in the account, and a resource of another
// account (ResourceOwner) needs both sides ("Cross-account policy evaluation logic").
func TestSimulateResourcePolicy(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}))
	caller := "arn:aws:iam::" + account + ":user/reader"
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + caller + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	none := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`
	get := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	in := func(identity string, owner *string) *iam.SimulateCustomPolicyInput {
		return &iam.SimulateCustomPolicyInput{PolicyInputList: []string{identity}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"},
			ResourcePolicy: aws.String(bucketPolicy), CallerArn: aws.String(caller), ResourceOwner: owner}
	}
	_, err := e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{get}, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: aws.String(bucketPolicy)})
	wantErr(t, err, "InvalidInput", 400, "")

	// Same account: the bucket policy naming the user grants alone.
	r := must(e.iam.SimulateCustomPolicy(ctx, in(none, nil))).EvaluationResults[0]
	if r.EvalDecision != "allowed" || len(r.EvalDecisionDetails) != 0 {
		t.Fatalf("same account: %+v", r)
	}
	sameStatements(t, r.MatchedStatements, []types.Statement{{SourcePolicyId: aws.String("ResourcePolicy"), SourcePolicyType: "Resource Policy"}})

	// Another account's bucket: the identity policy must allow too.
	other := aws.String("arn:aws:iam::111122223333:root")
	r = must(e.iam.SimulateCustomPolicy(ctx, in(none, other))).EvaluationResults[0]
	if r.EvalDecision != "implicitDeny" || r.EvalDecisionDetails["IAM Policy"] != "implicitDeny" || r.EvalDecisionDetails["Resource Policy"] != "allowed" {
		t.Fatalf("cross-account without identity allow: %+v", r)
	}
	r = must(e.iam.SimulateCustomPolicy(ctx, in(get, other))).EvaluationResults[0]
	if r.EvalDecision != "allowed" || r.EvalDecisionDetails["IAM Policy"] != "allowed" || len(r.MatchedStatements) != 2 {
		t.Fatalf("cross-account: %+v", r)
	}
	_, err = e.iam.SimulateCustomPolicy(ctx, in(get, aws.String("111122223333")))
	wantErr(t, err, "InvalidInput", 400, "")
	_, err = e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{get}, ActionNames: []string{"s3:GetObject"},
		CallerArn: aws.String("arn:aws:iam::" + account + ":role/r")})
	wantErr(t, err, "InvalidInput", 400, "")
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev"), Path: aws.String("/eng/")}))
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("own-keys"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/eng/${aws:username}"}]}`)}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("eng")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("eng"), UserName: aws.String("dev")}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("eng"), PolicyName: aws.String("no-secrets"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)}))
	dev := "arn:aws:iam::" + account + ":user/eng/dev"
	sim := func(in *iam.SimulatePrincipalPolicyInput) []types.EvaluationResult {
		t.Helper()
		return must(e.iam.SimulatePrincipalPolicy(ctx, in)).EvaluationResults
	}

	r := sim(&iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dev), ActionNames: []string{"s3:GetObject", "s3:PutObject", "secretsmanager:GetSecretValue"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyValues: []string{"false"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}}})
	if r[0].EvalDecision != "allowed" || r[1].EvalDecision != "implicitDeny" || r[2].EvalDecision != "explicitDeny" {
		t.Fatalf("decisions %s %s %s", r[0].EvalDecision, r[1].EvalDecision, r[2].EvalDecision)
	}
	// Policies are named by their names, the group's too.
	sameStatements(t, r[0].MatchedStatements, []types.Statement{{SourcePolicyId: aws.String("ReadOnlyAccess"), SourcePolicyType: "IAM Policy"}})
	sameStatements(t, r[2].MatchedStatements, []types.Statement{stmt("no-secrets", "IAM Policy", 1, 38, 1, 171)})

	// The simulated user's identity fills ${aws:username}: dev may create its own keys.
	r = sim(&iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dev), ActionNames: []string{"iam:CreateAccessKey"}, ResourceArns: []string{dev, "arn:aws:iam::" + account + ":user/eng/other"}})
	if len(r) != 1 || r[0].EvalDecision != "implicitDeny" || len(r[0].ResourceSpecificResults) != 2 ||
		r[0].ResourceSpecificResults[0].EvalResourceDecision != "allowed" || r[0].ResourceSpecificResults[1].EvalResourceDecision != "implicitDeny" {
		t.Fatalf("own keys: %+v", r)
	}

	// A boundary of the user applies; one given in the request replaces it.
	must(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))
	r = sim(&iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dev), ActionNames: []string{"s3:GetObject", "ec2:DescribeInstances"}})
	if r[0].EvalDecision != "allowed" || !r[0].PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary ||
		r[1].EvalDecision != "implicitDeny" || r[1].PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Fatalf("boundary: %+v", r)
	}
	sameStatements(t, r[0].MatchedStatements, []types.Statement{{SourcePolicyId: aws.String("ReadOnlyAccess"), SourcePolicyType: "IAM Policy"},
		{SourcePolicyId: aws.String("AmazonS3ReadOnlyAccess"), SourcePolicyType: "Permissions Boundary Policy"}})
	r = sim(&iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dev), ActionNames: []string{"ec2:DescribeInstances"},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`}})
	if r[0].EvalDecision != "allowed" {
		t.Fatalf("given boundary: %+v", r[0])
	}

	// A group's own policies; a role's.
	r = sim(&iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":group/eng"), ActionNames: []string{"s3:GetObject", "secretsmanager:GetSecretValue"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyValues: []string{"false"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}}})
	if r[0].EvalDecision != "implicitDeny" || r[1].EvalDecision != "explicitDeny" {
		t.Fatalf("group: %+v", r)
	}
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("auditor"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("auditor"), PolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")}))
	r = sim(&iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/auditor"), ActionNames: []string{"iam:GetAccountAuthorizationDetails", "iam:CreateUser"}})
	if r[0].EvalDecision != "allowed" || r[1].EvalDecision != "implicitDeny" {
		t.Fatalf("role: %+v", r)
	}

	_, err := e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/ghost"), ActionNames: []string{"s3:GetObject"}})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name ghost cannot be found.")
	// The user is found by name whatever path the ARN gives (recorded, 2026:
	// resource_authorization.json, wrong_path).
	must(e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/dev"), ActionNames: []string{"s3:GetObject"}}))
}

func TestGetContextKeys(t *testing.T) {
	e := newEnv(t)
	// The CLI reference's example of get-context-keys-for-custom-policy.
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`
	keys := must(e.iam.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}})).ContextKeyNames
	if strings.Join(keys, ",") != "aws:username,aws:CurrentTime" {
		t.Fatalf("keys %v", keys)
	}
	_, err := e.iam.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{"{"}})
	wantErr(t, err, "InvalidInput", 400, "Syntax errors in policy.")

	// A user's keys include its groups' policies and the extra ones given.
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("k")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("k"), PolicyName: aws.String("ip"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("kg")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("kg"), UserName: aws.String("k")}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("kg"), PolicyName: aws.String("tag"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]}`)}))
	keys = must(e.iam.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/k"), PolicyInputList: []string{doc}})).ContextKeyNames
	if strings.Join(keys, ",") != "aws:SourceIp,aws:ResourceTag/team,aws:PrincipalTag/team,aws:username,aws:CurrentTime" {
		t.Fatalf("principal keys %v", keys)
	}
}

// A simulation evaluates only the page asked for: every action on every resource was
// evaluated for each page, so 3,000 actions on 3,000 resources outlasted a client's
// wait. Pages follow actions, one result per action over every resource (as AWS
// answers: radkawar/stackd testdata/aws/iam/conditions.json).
func TestSimulateEvaluatesOnlyThePage(t *testing.T) {
	e := newEnv(t)
	const n = 3000
	actions := make([]string, n)
	for i := range n {
		actions[i] = "s3:GetObject"
	}
	actions[1000] = "s3:PutObject"
	resources := []string{"arn:aws:s3:::b/k0", "arn:aws:s3:::b/k1", "arn:aws:s3:::b/k2"}
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	in := &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, ActionNames: actions, ResourceArns: resources, MaxItems: aws.Int32(1000)}
	var page *iam.SimulateCustomPolicyOutput
	for range 2 {
		page = must(e.iam.SimulateCustomPolicy(ctx, in))
		if len(page.EvaluationResults) != 1000 || !page.IsTruncated || page.Marker == nil {
			t.Fatalf("page: %d results, truncated %v", len(page.EvaluationResults), page.IsTruncated)
		}
		in.Marker = page.Marker
	}
	r := page.EvaluationResults
	if aws.ToString(r[0].EvalActionName) != "s3:PutObject" || aws.ToString(r[0].EvalResourceName) != "arn:aws:s3:::${BucketName}/${ObjectName}" ||
		r[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r[0].ResourceSpecificResults) != 3 ||
		r[999].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("page 2 starts %+v, ends %+v", r[0], r[999])
	}
	page = must(e.iam.SimulateCustomPolicy(ctx, in))
	if len(page.EvaluationResults) != 1000 || page.IsTruncated {
		t.Fatalf("last page: %d results, truncated %v", len(page.EvaluationResults), page.IsTruncated)
	}
}

// Policy variables with no value and null data sets, asked through the simulator
// (IAM User Guide, "IAM policy elements: Variables and tags / Policy variables with no
// value", and "Single-valued vs. multivalued context keys").
func TestSimulateVariablesWithNoValueAndNullDataSets(t *testing.T) {
	e := newEnv(t)
	decide := func(doc, action, resource string, entries ...types.ContextEntry) types.PolicyEvaluationDecisionType {
		t.Helper()
		r := must(e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc},
			ActionNames: []string{action}, ResourceArns: []string{resource}, ContextEntries: entries})).EvaluationResults
		if len(r) != 1 {
			t.Fatalf("%d results", len(r))
		}
		return r[0].EvalDecision
	}
	str := func(k string, v ...string) types.ContextEntry {
		return types.ContextEntry{ContextKeyName: aws.String(k), ContextKeyValues: v, ContextKeyType: types.ContextKeyTypeEnumString}
	}
	strs := func(k string, v ...string) types.ContextEntry {
		return types.ContextEntry{ContextKeyName: aws.String(k), ContextKeyValues: v, ContextKeyType: types.ContextKeyTypeEnumStringList}
	}
	const obj = "arn:aws:s3:::amzn-s3-demo-bucket/key"
	// The guide's example: "Access is explicitly denied when aws:principaltag/Team is
	// not set", because StringNotEquals matches against the effectively null value.
	teamDeny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*",` +
		`"Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}]}`
	if d := decide(teamDeny, "s3:GetObject", obj, str("s3:ExistingObjectTag/Team", "red")); d != types.PolicyEvaluationDecisionTypeExplicitDeny {
		t.Fatalf("tag not set: %s, want explicitDeny", d)
	}
	if d := decide(teamDeny, "s3:GetObject", obj, str("s3:ExistingObjectTag/Team", "red"), str("aws:PrincipalTag/Team", "red")); d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("tag matches: %s, want allowed", d)
	}
	// "the resource that includes a policy variable with no value will not match any
	// resource": the statement's other resources still match, and in NotResource
	// such an entry excludes nothing.
	twoResources := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":["arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/team}/*","arn:aws:s3:::amzn-s3-demo-bucket/*"]}}`
	if d := decide(twoResources, "s3:GetObject", obj); d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("other resource: %s, want allowed", d)
	}
	notResource := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/team}/*"}]}`
	if d := decide(notResource, "s3:GetObject", obj); d != types.PolicyEvaluationDecisionTypeExplicitDeny {
		t.Fatalf("NotResource: %s, want explicitDeny", d)
	}
	// ForAllValues "also returns true if ... the key values resolve to a null data
	// set, such as an empty string"; ForAnyValue returns false for a null dataset.
	allValues := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",` +
		`"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}}`
	if d := decide(allValues, "s3:GetObject", obj, strs("aws:TagKeys", "")); d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("ForAllValues on an empty string: %s, want allowed", d)
	}
	anyValue := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",` +
		`"Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["*"]}}}}`
	if d := decide(anyValue, "s3:GetObject", obj, strs("aws:TagKeys", "")); d != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Fatalf("ForAnyValue on an empty string: %s, want implicitDeny", d)
	}
	if d := decide(anyValue, "s3:GetObject", obj, strs("aws:TagKeys", "team")); d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("ForAnyValue on a tag key: %s, want allowed", d)
	}
}
