package policy

import (
	"reflect"
	"testing"
)

type evalCase struct {
	name, section string
	principal     string
	action        string
	resource      string
	resAccount    string
	ctx           map[string][]string
	set           func(t *testing.T) *PolicySet
	decision      Decision
	blocked       []PolicyType
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			action, resource := c.action, c.resource
			if action == "" {
				action = "s3:GetObject"
			}
			if resource == "" {
				resource = object
			}
			req := &Request{Principal: principal(t, c.principal), Action: action, Resource: resource,
				ResourceAccount: c.resAccount, Context: NewMapContext(c.ctx)}
			res := Evaluate(req, c.set(t))
			if res.Decision != c.decision || !reflect.DeepEqual(res.BlockedBy.List(), c.blocked) {
				t.Fatalf("[%s]\ngot  %v blocked by %v (grant %s, matched %+v)\nwant %v blocked by %v",
					c.section, res.Decision, res.BlockedBy.List(), res.ResourceGrant, res.Matched, c.decision, c.blocked)
			}
			if res.Decision == Allowed && len(res.Matched) == 0 && req.Principal.Type != PrincipalRoot {
				t.Fatal("an allow names no statement")
			}
		})
	}
}

func ids(ps ...*Policy) *Group { return NewGroup(ps...) }

func TestSingleAccountEvaluation(t *testing.T) {
	const section = "Policy evaluation logic / Policy evaluation for requests within a single account"
	runEvalCases(t, []evalCase{
		{name: "identity policy allows", section: section, principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "p", allow("s3:GetObject", bucket+"/*")))}
			}, decision: Allowed},
		{name: "nothing allows", section: "How AWS enforcement code logic evaluates requests (implicit deny)", principal: alice,
			set: func(t *testing.T) *PolicySet { return &PolicySet{} }, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "explicit deny overrides allow", section: "How AWS enforcement code logic evaluates requests (deny evaluation)", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*")), pol(t, KindManaged, "d", deny("s3:GetObject", "*")))}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "resource policy alone allows the user", section: section + " (either policy may allow)", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "b", allowTo(`{"AWS":"`+alice+`"}`, "s3:GetObject", bucket+"/*"))}
			}, decision: Allowed},
		{name: "resource policy deny overrides identity allow", section: section, principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))),
					Resource: pol(t, KindResource, "b", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`)}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "account principal in same account delegates to identity policies", section: "AWS JSON policy elements: Principal / AWS account principals", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "b", allowTo(`{"AWS":"111122223333"}`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "account principal plus identity allow", section: "AWS JSON policy elements: Principal / AWS account principals", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:GetObject", "*"))),
					Resource: pol(t, KindResource, "b", allowTo(`{"AWS":"111122223333"}`, "s3:GetObject", "*"))}
			}, decision: Allowed},
		{name: "root user has full access", section: "How AWS enforcement code logic evaluates requests (root user)", principal: rootARN,
			set: func(t *testing.T) *PolicySet { return &PolicySet{} }, decision: Allowed},
		{name: "root user is denied by a resource policy", section: "How AWS enforcement code logic evaluates requests (deny evaluation)", principal: rootARN,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "b", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`)}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeResource}},
		// A root session of STS AssumeRoot: the task policy's denies limit the root
		// user, and having no Allow it takes nothing away from what it does not deny.
		{name: "root session: the task policy does not deny", section: "STS AssumeRoot (task policy)", principal: rootARN, action: "s3:DeleteBucketPolicy", resource: "arn:aws:s3:::b",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Session: pol(t, KindSession, "task", `{"Effect":"Deny","NotAction":["s3:DeleteBucketPolicy","s3:GetBucketPolicy"],"Resource":"*"}`)}
			}, decision: Allowed},
		{name: "root session: the task policy denies", section: "STS AssumeRoot (task policy)", principal: rootARN, action: "s3:GetObject",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Session: pol(t, KindSession, "task", `{"Effect":"Deny","NotAction":["s3:DeleteBucketPolicy","s3:GetBucketPolicy"],"Resource":"*"}`)}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeSession}},
		{name: "NotAction allows everything else", section: "IAM JSON policy elements: NotAction", principal: alice, action: "s3:PutObject",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`))}
			}, decision: Allowed},
		{name: "NotAction excludes its actions", section: "IAM JSON policy elements: NotAction", principal: alice, action: "iam:CreateUser", resource: "arn:aws:iam::111122223333:user/x",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "Deny with NotResource", section: "IAM JSON policy elements: NotResource", principal: alice, resource: "arn:aws:s3:::other/key",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"),
					`{"Effect":"Deny","Action":"s3:*","NotResource":["`+bucket+`","`+bucket+`/*"]}`))}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "Deny with NotResource spares the named bucket", section: "IAM JSON policy elements: NotResource", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"),
					`{"Effect":"Deny","Action":"s3:*","NotResource":["`+bucket+`","`+bucket+`/*"]}`))}
			}, decision: Allowed},
		{name: "action names are case-insensitive", section: "IAM JSON policy elements: Action", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("S3:getobject", "*")))}
			}, decision: Allowed},
		{name: "resource ARNs are case-sensitive", section: "IAM JSON policy elements: Resource", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:GetObject", "arn:aws:s3:::AMZN-S3-DEMO-BUCKET/*")))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "resource with policy variable", section: "Policy variables / Resource element", principal: alice, resource: "arn:aws:s3:::b/home/alice/f",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "arn:aws:s3:::b/home/${aws:username}/*")))}
			}, decision: Allowed},
		{name: "resource with unresolved variable never matches", section: "Policy variables / Policy variables with no value", principal: session, resource: "arn:aws:s3:::b/home/app/f",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "arn:aws:s3:::b/home/${aws:username}/*")))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "an unresolved resource leaves the statement's other resources", section: "Policy variables / Policy variables with no value", principal: session, resource: "arn:aws:s3:::b/shared/f",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a",
					`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/home/${aws:username}/*","arn:aws:s3:::b/shared/*"]}`))}
			}, decision: Allowed},
		{name: "Deny NotResource with an unresolved variable excludes nothing", section: "Policy variables / Policy variables with no value", principal: session, resource: "arn:aws:s3:::other/x",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"),
					`{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/${aws:username}/*"}`))}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "Deny StringNotEquals against an unset principal tag denies", section: "Policy variables / Policy variables with no value (example)", principal: session,
			ctx: map[string][]string{"s3:ExistingObjectTag/Team": {"red"}},
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"),
					`{"Effect":"Deny","Action":"s3:GetObject","Resource":"`+bucket+`/*","Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}`))}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "Deny StringNotEquals against a matching principal tag", section: "Policy variables / Policy variables with no value (example)", principal: session,
			ctx: map[string][]string{"s3:ExistingObjectTag/Team": {"red"}, "aws:PrincipalTag/Team": {"red"}},
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"),
					`{"Effect":"Deny","Action":"s3:GetObject","Resource":"`+bucket+`/*","Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}`))}
			}, decision: Allowed},
		{name: "wildcard stays within an ARN segment", section: "IAM JSON policy elements: Resource (wildcards per segment)", principal: alice,
			action: "sqs:SendMessage", resource: "arn:aws:sqs:us-east-2:999999999999:queue",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("sqs:*", "arn:aws:sqs:*:111122223333*")))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
	})
}

func TestBoundariesAndSessions(t *testing.T) {
	const pb = "Permissions boundaries for IAM entities"
	const ed = "How AWS enforcement code logic evaluates requests / Resource-based policies"
	shirley := func(t *testing.T) *PolicySet {
		return &PolicySet{
			Identity: ids(pol(t, KindManaged, "p", `{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}`, allow("s3:*", "*"))),
			Boundary: pol(t, KindBoundary, "b", `{"Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"}`),
		}
	}
	narrowBoundary := func(t *testing.T) *Policy { return pol(t, KindBoundary, "b", allow("ec2:*", "*")) }
	runEvalCases(t, []evalCase{
		{name: "boundary blocks what identity allows", section: pb + " (ShirleyRodriguez example)", principal: alice, action: "iam:CreateUser", resource: "arn:aws:iam::111122223333:user/x",
			set: shirley, decision: ImplicitDeny, blocked: []PolicyType{TypeBoundary}},
		{name: "both allow", section: pb, principal: alice, set: shirley, decision: Allowed},
		{name: "boundary grants nothing by itself", section: pb, principal: alice, action: "ec2:RunInstances", resource: "*",
			set: shirley, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "resource policy naming the user is not limited by the boundary", section: ed + " (IAM users)", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Boundary: narrowBoundary(t), Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+alice+`"}`, "s3:GetObject", "*"))}
			}, decision: Allowed},
		{name: "resource policy naming the role is limited by the boundary", section: ed + " (IAM roles)", principal: session,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Boundary: narrowBoundary(t), Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+roleARN+`"}`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeBoundary}},
		{name: "resource policy naming the role needs no identity allow", section: ed + " (IAM roles)", principal: session,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+roleARN+`"}`, "s3:GetObject", "*"))}
			}, decision: Allowed},
		{name: "resource policy naming the session is not limited", section: ed + " (IAM role sessions)", principal: session,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Boundary: narrowBoundary(t), Session: pol(t, KindSession, "s", allow("ec2:*", "*")),
					Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+session+`"}`, "s3:GetObject", "*"))}
			}, decision: Allowed},
		{name: "resource policy naming the role is limited by the session policy", section: ed + " (IAM roles)", principal: session,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Session: pol(t, KindSession, "s", allow("ec2:*", "*")),
					Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+roleARN+`"}`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeSession}},
		{name: "session policy narrows the role", section: "Session policies (AssumeRole)", principal: session, action: "s3:PutObject",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindRoleInline, "r", allow("s3:*", "*"))), Session: pol(t, KindSession, "s", allow("s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeSession}},
		{name: "several session policies: any of them allows", section: "Session policies (inline and managed)", principal: session, action: "s3:PutObject",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindRoleInline, "r", allow("s3:*", "*"))),
					SessionGroup: ids(pol(t, KindSession, "inline", allow("s3:GetObject", "*")), pol(t, KindSession, "managed", allow("s3:PutObject", "*")))}
			}, decision: Allowed},
		{name: "several session policies: none allows", section: "Session policies (inline and managed)", principal: session, action: "s3:DeleteObject",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindRoleInline, "r", allow("s3:*", "*"))),
					SessionGroup: ids(pol(t, KindSession, "inline", allow("s3:GetObject", "*")), pol(t, KindSession, "managed", allow("s3:PutObject", "*")))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeSession}},
		{name: "no session policy: the role's permissions", section: "Permissions for AssumeRole", principal: session,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindRoleInline, "r", allow("s3:*", "*")))}
			}, decision: Allowed},
		{name: "federated user without session policy has no permissions", section: "Permissions for GetFederationToken", principal: fedUser,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindUserInline, "u", allow("s3:*", "*")))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeSession}},
		{name: "federated user: intersection of user and session policy", section: "Permissions for GetFederationToken", principal: fedUser,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindUserInline, "u", allow("s3:*", "*"))), Session: pol(t, KindSession, "s", allow("s3:Get*", "*"))}
			}, decision: Allowed},
		{name: "federated user named by a resource policy", section: "Permissions for GetFederationToken", principal: fedUser,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+fedUser+`"}`, "s3:GetObject", "*"))}
			}, decision: Allowed},
		{name: "Deny NotPrincipal excludes the named user and account", section: "AWS JSON policy elements: NotPrincipal", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))),
					Resource: pol(t, KindResource, "r", `{"Effect":"Deny","NotPrincipal":{"AWS":["`+alice+`","`+rootARN+`"]},"Action":"s3:*","Resource":"*"}`)}
			}, decision: Allowed},
		{name: "Deny NotPrincipal without the account denies", section: "AWS JSON policy elements: NotPrincipal", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))),
					Resource: pol(t, KindResource, "r", `{"Effect":"Deny","NotPrincipal":{"AWS":["`+alice+`"]},"Action":"s3:*","Resource":"*"}`)}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "Deny NotPrincipal for a role session needs session, role and account", section: "AWS JSON policy elements: NotPrincipal", principal: session,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))),
					Resource: pol(t, KindResource, "r", `{"Effect":"Deny","NotPrincipal":{"AWS":["`+session+`","`+roleARN+`","`+rootARN+`"]},"Action":"s3:*","Resource":"*"}`)}
			}, decision: Allowed},
		{name: "Deny NotPrincipal always denies a principal with a boundary", section: pb + " (Important: NotPrincipal with Deny)", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))), Boundary: pol(t, KindBoundary, "b", allow("s3:*", "*")),
					Resource: pol(t, KindResource, "r", `{"Effect":"Deny","NotPrincipal":{"AWS":["`+alice+`","`+rootARN+`"]},"Action":"s3:*","Resource":"*"}`)}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeResource}},
	})
}

func TestOrganizationPolicies(t *testing.T) {
	const scp = "Service control policies (SCPs) / SCP evaluation"
	const rcp = "Resource control policies (RCPs) / RCP evaluation"
	full := func(t *testing.T, kind Kind) *Policy { return pol(t, kind, "FullAWSAccess", allow("*", "*")) }
	rcpFull := func(t *testing.T) *Policy {
		return pol(t, KindRCP, "RCPFullAWSAccess", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`)
	}
	admin := func(t *testing.T) *Group { return ids(pol(t, KindManaged, "admin", allow("*", "*"))) }
	runEvalCases(t, []evalCase{
		{name: "every level must allow", section: scp, principal: alice, action: "ec2:RunInstances", resource: "*",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), SCPs: [][]*Policy{{full(t, KindSCP)}, {pol(t, KindSCP, "ou", allow("s3:*", "*"))}}}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeSCP}},
		{name: "allowed at every level", section: scp, principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), SCPs: [][]*Policy{{full(t, KindSCP)}, {pol(t, KindSCP, "ou", allow("s3:*", "*"))}}}
			}, decision: Allowed},
		{name: "SCP deny", section: scp, principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), SCPs: [][]*Policy{{full(t, KindSCP), pol(t, KindSCP, "deny", deny("s3:*", "*"))}}}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeSCP}},
		{name: "SCPs grant nothing", section: scp, principal: alice,
			set:      func(t *testing.T) *PolicySet { return &PolicySet{SCPs: [][]*Policy{{full(t, KindSCP)}}} },
			decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "SCPs restrict the member account's root user", section: scp + " (root user)", principal: rootARN,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{SCPs: [][]*Policy{{full(t, KindSCP), pol(t, KindSCP, "deny", deny("s3:*", "*"))}}}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeSCP}},
		{name: "management account is exempt", section: scp + " (management account)", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), PrincipalInManagementAccount: true,
					SCPs: [][]*Policy{{pol(t, KindSCP, "deny", deny("s3:*", "*"))}}}
			}, decision: Allowed},
		{name: "service-linked roles are exempt", section: scp + " (service-linked roles)", principal: "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForSupport/x",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), SCPs: [][]*Policy{{pol(t, KindSCP, "deny", deny("s3:*", "*"))}}}
			}, decision: Allowed},
		{name: "RCP denies outsiders", section: rcp, principal: other, resAccount: "111122223333",
			ctx: map[string][]string{"aws:PrincipalOrgID": {"o-other"}},
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))),
					Resource: pol(t, KindResource, "r", allowTo(`"*"`, "s3:GetObject", "*")),
					RCPs:     [][]*Policy{{rcpFull(t), pol(t, KindRCP, "perimeter", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-mine"}}}`)}}}
			}, decision: ExplicitDeny, blocked: []PolicyType{TypeRCP}},
		{name: "RCP lets insiders through", section: rcp, principal: alice,
			ctx: map[string][]string{"aws:PrincipalOrgID": {"o-mine"}},
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:*", "*"))),
					RCPs: [][]*Policy{{rcpFull(t), pol(t, KindRCP, "perimeter", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-mine"}}}`)}}}
			}, decision: Allowed},
		{name: "RCP level without allow", section: rcp, principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), RCPs: [][]*Policy{{rcpFull(t)}, {}}}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeRCP}},
		{name: "RCPs skip the management account's resources", section: rcp + " (management account)", principal: alice,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), ResourceInManagementAccount: true,
					RCPs: [][]*Policy{{pol(t, KindRCP, "d", `{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`)}}}
			}, decision: Allowed},
		{name: "VPC endpoint policy must allow", section: "VPC endpoint policies (Control access to VPC endpoints using endpoint policies)", principal: alice, action: "s3:PutObject",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: admin(t), VPCEndpoint: pol(t, KindVPCEndpoint, "vpce", allowTo(`"*"`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeVPCEndpoint}},
	})
}

func TestCrossAccountAndOtherPrincipals(t *testing.T) {
	const ca = "Cross-account policy evaluation logic"
	const pr = "AWS JSON policy elements: Principal"
	runEvalCases(t, []evalCase{
		{name: "both sides allow", section: ca, principal: other, resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:GetObject", "*"))),
					Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"444455556666"}`, "s3:GetObject", "*"))}
			}, decision: Allowed},
		{name: "no resource policy", section: ca, principal: other, resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:GetObject", "*")))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "resource policy names the user, identity silent", section: ca, principal: other, resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+other+`"}`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "boundary applies across accounts too", section: ca, principal: other, resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Identity: ids(pol(t, KindManaged, "a", allow("s3:GetObject", "*"))), Boundary: pol(t, KindBoundary, "b", allow("ec2:*", "*")),
					Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"`+other+`"}`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeBoundary}},
		{name: "root of another account needs the resource policy", section: ca, principal: "arn:aws:iam::444455556666:root", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet { return &PolicySet{} }, decision: ImplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "anonymous allowed by Principal *", section: pr + " / Anonymous (public) principals", principal: "anonymous", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`"*"`, "s3:GetObject", bucket+"/*"))}
			}, decision: Allowed},
		{name: "anonymous allowed by AWS *", section: pr + " / Anonymous (public) principals", principal: "anonymous", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"*"}`, "s3:GetObject", bucket+"/*"))}
			}, decision: Allowed},
		{name: "anonymous, other action", section: pr + " / Anonymous (public) principals", principal: "anonymous", action: "s3:PutObject", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`"*"`, "s3:GetObject", bucket+"/*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "anonymous is not an account principal", section: pr + " / AWS account principals", principal: "anonymous", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"AWS":"111122223333"}`, "s3:GetObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "service principal", section: pr + " / AWS service principals", principal: "cloudtrail.amazonaws.com", action: "s3:PutObject", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", "*"))}
			}, decision: Allowed},
		{name: "other service principal", section: pr + " / AWS service principals", principal: "config.amazonaws.com", action: "s3:PutObject", resAccount: "111122223333",
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{Resource: pol(t, KindResource, "r", allowTo(`{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", "*"))}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeResource}},
		{name: "trust policy naming the user suffices", section: "Policy evaluation logic (role trust policies must allow)", principal: alice, action: "sts:AssumeRole", resource: roleARN,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{ResourceMustAllow: true, Resource: pol(t, KindTrust, "trust",
					`{"Effect":"Allow","Principal":{"AWS":"`+alice+`"},"Action":"sts:AssumeRole"}`)}
			}, decision: Allowed},
		{name: "trust policy naming the account needs identity allow", section: "Policy evaluation logic (role trust policies must allow)", principal: alice, action: "sts:AssumeRole", resource: roleARN,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{ResourceMustAllow: true, Resource: pol(t, KindTrust, "trust",
					`{"Effect":"Allow","Principal":{"AWS":"`+rootARN+`"},"Action":"sts:AssumeRole"}`)}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeIdentity}},
		{name: "trust policy that does not allow", section: "Policy evaluation logic (role trust policies must allow)", principal: alice, action: "sts:AssumeRole", resource: roleARN,
			set: func(t *testing.T) *PolicySet {
				return &PolicySet{ResourceMustAllow: true, Identity: ids(pol(t, KindManaged, "a", allow("sts:AssumeRole", "*"))),
					Resource: pol(t, KindTrust, "trust", `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`)}
			}, decision: ImplicitDeny, blocked: []PolicyType{TypeResource}},
	})
}

func TestExplanations(t *testing.T) {
	src := "{\n\"Version\":\"2012-10-17\",\n\"Statement\":[\n{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"blue\"}}},\n{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"s3:Delete*\",\"Resource\":\"*\"}]}"
	p, err := Parse(KindManaged, "arn:aws:iam::111122223333:policy/p", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Principal: principal(t, alice), Action: "s3:GetObject", Resource: object}
	res := Evaluate(req, &PolicySet{Identity: ids(p)})
	if res.Decision != ImplicitDeny || !reflect.DeepEqual(res.MissingContextKeys, []string{"aws:PrincipalTag/team"}) {
		t.Fatalf("got %v, missing %v", res.Decision, res.MissingContextKeys)
	}
	if got, want := res.Message(req), "User: "+alice+" is not authorized to perform: s3:GetObject on resource: "+object+" because no identity-based policy allows the s3:GetObject action"; got != want {
		t.Fatalf("message\ngot  %s\nwant %s", got, want)
	}
	req.Action = "s3:DeleteObject"
	res = Evaluate(req, &PolicySet{Identity: ids(p)})
	if len(res.Matched) != 1 {
		t.Fatalf("matched %+v", res.Matched)
	}
	m := res.Matched[0]
	if m.Sid != "NoDelete" || m.Statement != 1 || m.Type != TypeIdentity || m.Policy != p.Name() || m.Start.Line != 5 || m.Effect != Deny {
		t.Fatalf("matched %+v", m)
	}
	if got := res.Reason(req.Action); got != "with an explicit deny in an identity-based policy" {
		t.Fatal(got)
	}
	scp := &PolicySet{Identity: ids(p), SCPs: [][]*Policy{{pol(t, KindSCP, "s", allow("ec2:*", "*"))}}}
	req.Action = "s3:GetObject"
	req.Context = NewMapContext(map[string][]string{"aws:PrincipalTag/team": {"blue"}})
	res = Evaluate(req, scp)
	if got := res.Reason(req.Action); got != "because no service control policy allows the s3:GetObject action" {
		t.Fatal(got)
	}
	if !res.Types[TypeSCP].Applies || res.Types[TypeSCP].Allowed || !res.Types[TypeIdentity].Allowed {
		t.Fatalf("types %+v", res.Types)
	}
	// STS ends an implicit sts:AssumeRole denial at the role's ARN, with no reason.
	role := "arn:aws:iam::123456789012:role/r"
	req = &Request{Principal: principal(t, alice), Action: "sts:AssumeRole", Resource: role}
	res = Evaluate(req, &PolicySet{Identity: ids(p)})
	if got, want := res.Message(req), "User: "+alice+" is not authorized to perform: sts:AssumeRole on resource: "+role; res.Decision != ImplicitDeny || got != want {
		t.Fatalf("%v message\ngot  %s\nwant %s", res.Decision, got, want)
	}
}

// A statement indexed under one service must still be found through the
// "always" list when it uses NotAction, and indexing must not change decisions.
func TestIndexMatchesLinearScan(t *testing.T) {
	p := pol(t, KindManaged, "p",
		allow("ec2:Describe*", "*"),
		`{"Effect":"Deny","NotAction":["s3:*","ec2:*"],"Resource":"*"}`,
		allow("s3:List*", "*"),
		allow("*", "arn:aws:s3:::public/*"),
		deny("EC2:TerminateInstances", "*"),
	)
	cases := map[string]Decision{
		"ec2:DescribeInstances":  Allowed,
		"ec2:TerminateInstances": ExplicitDeny,
		"s3:ListBucket":          Allowed,
		"iam:ListUsers":          ExplicitDeny,
		"s3:GetObject":           ImplicitDeny,
	}
	for action, want := range cases {
		res := Evaluate(&Request{Principal: principal(t, alice), Action: action, Resource: "arn:aws:s3:::private/x"}, &PolicySet{Identity: ids(p)})
		if res.Decision != want {
			t.Errorf("%s: %v, want %v", action, res.Decision, want)
		}
	}
}
