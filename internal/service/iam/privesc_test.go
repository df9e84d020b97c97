package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// The IAM-only privilege escalation paths of Rhino Security Labs' list ("AWS IAM
// Privilege Escalation – Methods and Mitigation"). Each path runs twice against the
// same targets: an attacker holding every other permission of the list but this one
// is refused (AccessDenied) and gains nothing; an attacker holding exactly this one
// permission, scoped to the target, escalates. Escalation is shown by its effect: the
// attacker (or the role it can assume) may now do what only an administrator may.

const adminArn = "arn:aws:iam::aws:policy/AdministratorAccess"

// escalationActions are the IAM actions of the list's IAM-only paths.
var escalationActions = []string{
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:CreateAccessKey", "iam:CreateLoginProfile",
	"iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:AttachRolePolicy",
	"iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy",
}

func allowDoc(actions []string, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"` + resource + `"}]}`
}

// attacker is a user whose only policy allows actions on resource.
type attacker struct {
	name string
	arn  string
	id   string
	iam  *iam.Client
	// loot is what an attack took: a client signed with a stolen key.
	loot *iam.Client
}

func (e *env) attacker(name string, actions []string, resource string) *attacker {
	e.Helper()
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})).User
	if len(actions) > 0 {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("grant"), PolicyDocument: aws.String(allowDoc(actions, resource))}))
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	c, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	return &attacker{name: name, arn: *u.Arn, id: *u.UserId, iam: c}
}

// isAdmin reports whether the client may call iam:ListRoles, which no attacker's own
// policy allows.
func isAdmin(c *iam.Client) bool {
	_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	return err == nil
}

// roleSessionAllowed asks the authorization layer, as the server would for a session
// of the role, whether it may perform action on "*": what AssumeRole (built by STS)
// would hand the attacker.
func (e *env) roleSessionAllowed(roleName, action string) bool {
	e.Helper()
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})).Role
	p := auth.Principal{Type: auth.AssumedRole, Account: account, ARN: "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/attack",
		UserID: *r.RoleId + ":attack", UserName: "attack"}
	var d *authz.Decision
	err := e.p.Store.View(ctx, func(tx *store.Tx) (err error) {
		d, err = e.p.Authz.Decide(tx, &authz.Caller{Principal: p, Now: e.p.Clock.Now()}, &authz.Check{Action: action, Resource: "*"})
		return err
	})
	if err != nil {
		e.Fatal(err)
	}
	return d.Allowed()
}

// trustAllows asks whether the role's trust policy lets the user assume it: the
// resource policy STS's AssumeRole evaluates, which must allow on its own.
func (e *env) trustAllows(roleName string, a *attacker) bool {
	e.Helper()
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})).Role
	trust, err := e.p.Authz.Compile(policy.KindTrust, *r.Arn, decode(e, r.AssumeRolePolicyDocument))
	if err != nil {
		e.Fatal(err)
	}
	p := auth.Principal{Type: auth.IAMUser, Account: account, ARN: a.arn, UserID: a.id, UserName: a.name}
	var d *authz.Decision
	err = e.p.Store.View(ctx, func(tx *store.Tx) (err error) {
		d, err = e.p.Authz.Decide(tx, &authz.Caller{Principal: p, Now: e.p.Clock.Now()},
			&authz.Check{Action: "sts:AssumeRole", Resource: *r.Arn, ResourcePolicy: trust, ResourceMustAllow: true})
		return err
	})
	if err != nil {
		e.Fatal(err)
	}
	return d.Allowed()
}

// escalation is one path: setup prepares the targets, resource scopes the one
// permission, attack tries the path, escalated observes its effect.
type escalation struct {
	action    string
	resource  func(e *env, a string) string // the ARN the permission is scoped to, for attacker a
	setup     func(e *env)
	attack    func(e *env, a *attacker) error
	escalated func(e *env, a *attacker) bool
}

const adminUserPassword = "Admin-Console-Pw-1"

var escalations = []escalation{{
	action:   "iam:CreatePolicyVersion",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":policy/" + a + "-p" },
	attack: func(e *env, a *attacker) error {
		// The attacker's own managed policy, which it may rewrite.
		_, err := a.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/" + a.name + "-p"),
			PolicyDocument: aws.String(allowAll), SetAsDefault: true})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:SetDefaultPolicyVersion",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":policy/" + a + "-p" },
	attack: func(e *env, a *attacker) error {
		// v2, written earlier by an administrator, allows everything.
		_, err := a.iam.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/" + a.name + "-p"), VersionId: aws.String("v2")})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:CreateAccessKey",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":user/admin" },
	attack: func(e *env, a *attacker) error {
		k, err := a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})
		if err == nil {
			a.loot, _ = e.as(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey)
		}
		return err
	},
	// The attacker holds a key that signs as the administrator.
	escalated: func(e *env, a *attacker) bool { return a.loot != nil && isAdmin(a.loot) },
}, {
	action:   "iam:CreateLoginProfile",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":user/admin" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String(adminUserPassword)})
		return err
	},
	escalated: adminPasswordIs(adminUserPassword),
}, {
	action:   "iam:UpdateLoginProfile",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":user/admin" },
	setup: func(e *env) {
		must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String("Admins-Own-Pw-1")}))
	},
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String(adminUserPassword)})
		return err
	},
	escalated: adminPasswordIs(adminUserPassword),
}, {
	action:   "iam:AttachUserPolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":user/" + a },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(a.name), PolicyArn: aws.String(adminArn)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:AttachGroupPolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":group/" + a + "-g" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(a.name + "-g"), PolicyArn: aws.String(adminArn)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:AttachRolePolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":role/assumable" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("assumable"), PolicyArn: aws.String(adminArn)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return e.roleSessionAllowed("assumable", "iam:ListRoles") },
}, {
	action:   "iam:PutUserPolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":user/" + a },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(a.name), PolicyName: aws.String("pwn"), PolicyDocument: aws.String(allowAll)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:PutGroupPolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":group/" + a + "-g" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(a.name + "-g"), PolicyName: aws.String("pwn"), PolicyDocument: aws.String(allowAll)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:PutRolePolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":role/assumable" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("assumable"), PolicyName: aws.String("pwn"), PolicyDocument: aws.String(allowAll)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return e.roleSessionAllowed("assumable", "iam:ListRoles") },
}, {
	action:   "iam:AddUserToGroup",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":group/admins" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("admins"), UserName: aws.String(a.name)})
		return err
	},
	escalated: func(e *env, a *attacker) bool { return isAdmin(a.iam) },
}, {
	action:   "iam:UpdateAssumeRolePolicy",
	resource: func(e *env, a string) string { return "arn:aws:iam::" + account + ":role/admin-role" },
	attack: func(e *env, a *attacker) error {
		_, err := a.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("admin-role"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + a.arn + `"},"Action":"sts:AssumeRole"}]}`)})
		return err
	},
	// The trust policy now lets the attacker assume a role that is an administrator.
	escalated: func(e *env, a *attacker) bool {
		return e.trustAllows("admin-role", a) && e.roleSessionAllowed("admin-role", "iam:ListRoles")
	},
}}

// adminPasswordIs observes that the administrator's console password is the one the
// attacker chose: the administrator's ChangePassword accepts it as the old password.
func adminPasswordIs(pw string) func(e *env, a *attacker) bool {
	return func(e *env, a *attacker) bool {
		admin, _ := e.as(e.adminKey())
		_, err := admin.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(pw), NewPassword: aws.String(pw + "x")})
		if err == nil {
			must(admin.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(pw + "x"), NewPassword: aws.String(pw)}))
		}
		return err == nil
	}
}

var adminKeys = map[*env][2]string{}

func (e *env) adminKey() (string, string) {
	k := adminKeys[e]
	return k[0], k[1]
}

// targets creates what the paths act on: an administrator user with a key, a group
// of administrators, a role that is an administrator and one any attacker may
// assume (its trust names the account), and for each attacker a managed policy
// attached to it (v2 allowing everything, not default) and a group it belongs to.
func (e *env) targets(attackers ...string) {
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String(adminArn)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	adminKeys[e] = [2]string{*k.AccessKeyId, *k.SecretAccessKey}
	e.Cleanup(func() { delete(adminKeys, e) })
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("admins")}))
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String(adminArn)}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin-role"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin-role"), PolicyArn: aws.String(adminArn)}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("assumable"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	for _, a := range attackers {
		arn := *must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(a + "-p"), PolicyDocument: aws.String(allowDoc([]string{"s3:GetObject"}, "*"))})).Policy.Arn
		must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowAll)}))
		must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(a + "-g")}))
	}
}

// enroll attaches an attacker's own policy and group membership, made by an
// administrator: the starting point of the policy and group paths.
func (e *env) enroll(a string) {
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(a), PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/" + a + "-p")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(a + "-g"), UserName: aws.String(a)}))
}

func TestPrivilegeEscalationPaths(t *testing.T) {
	for _, esc := range escalations {
		t.Run(strings.TrimPrefix(esc.action, "iam:"), func(t *testing.T) {
			e := newEnv(t)
			e.targets("without", "with")
			if esc.setup != nil {
				esc.setup(e)
			}

			// Every other escalation permission, on every resource: not enough.
			var others []string
			for _, a := range escalationActions {
				if a != esc.action {
					others = append(others, a)
				}
			}
			without := e.attacker("without", others, "*")
			e.enroll("without")
			err := esc.attack(e, without)
			wantErr(t, err, "AccessDenied", 403, "")
			if !strings.Contains(err.Error(), "is not authorized to perform: "+esc.action+" on resource: ") {
				t.Fatalf("denial does not name %s: %v", esc.action, err)
			}
			if esc.escalated(e, without) || isAdmin(without.iam) {
				t.Fatal("escalated without the permission")
			}

			// Exactly the one permission, scoped to the target: the path works.
			with := e.attacker("with", []string{esc.action}, esc.resource(e, "with"))
			e.enroll("with")
			if esc.escalated(e, with) || isAdmin(with.iam) {
				t.Fatal("administrator before the attack")
			}
			if err := esc.attack(e, with); err != nil {
				t.Fatalf("%s refused with the permission: %v", esc.action, err)
			}
			if !esc.escalated(e, with) {
				t.Fatal("the attack succeeded but did not escalate")
			}
		})
	}
}
