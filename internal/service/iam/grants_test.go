package iam_test

import (
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	iampkg "github.com/palisade/palisade/internal/service/iam"
	"github.com/palisade/palisade/internal/store"
)

func TestPrincipalGrants(t *testing.T) {
	e := newEnv(t)
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("g"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})).User
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("g"), PolicyName: aws.String("own"), PolicyDocument: aws.String(allowAll)}))
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("g"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("g")}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`)}))
	r := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)})).Role
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")}))

	grants := func(p auth.Principal) (g *authz.Grants) {
		err := e.p.Store.View(ctx, func(tx *store.Tx) (err error) {
			g, err = iampkg.PrincipalGrants(tx, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := grants(auth.Principal{Type: auth.IAMUser, Account: account, UserID: *u.UserId, ARN: *u.Arn})
	var names []string
	for _, d := range g.Identity {
		names = append(names, d.Name)
	}
	sort.Strings(names)
	want := []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "group/devs/deny", "user/g/own"}
	if len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Fatalf("identity policies %v", names)
	}
	if g.Boundary == nil || g.Boundary.Name != "arn:aws:iam::aws:policy/PowerUserAccess" || len(g.Tags) != 1 {
		t.Fatalf("boundary %+v tags %+v", g.Boundary, g.Tags)
	}
	rg := grants(auth.Principal{Type: auth.AssumedRole, Account: account, UserID: *r.RoleId + ":session"})
	if len(rg.Identity) != 1 || rg.Identity[0].Name != "arn:aws:iam::aws:policy/SecurityAudit" || rg.Boundary != nil || rg.IssuerARN != *r.Arn {
		t.Fatalf("role grants %+v", rg)
	}
	if root := grants(auth.RootPrincipal(account)); len(root.Identity) != 0 {
		t.Fatalf("root grants %+v", root)
	}
}
