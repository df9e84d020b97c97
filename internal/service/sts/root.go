package sts

import (
	"slices"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// RootOrg is an account's organization as AssumeRoot needs it.
type RootOrg struct {
	ID                string
	ManagementAccount string
	AllFeatures       bool
	IAMTrusted        bool // Organizations trusts iam.amazonaws.com
	RootSessions      bool // IAM's EnableOrganizationsRootSessions
	// Path is the account's place in the organization: o-…/r-…/ou-…/ (the
	// ou_path claim of GetWebIdentityToken's tokens).
	Path string
}

// Organizations reads, in the call's transaction, the organization an account
// belongs to (ok false for none); app wires it to Organizations and IAM.
type Organizations interface {
	RootOrg(tx *store.Tx, account string) (org RootOrg, ok bool, err error)
}

// rootTaskPolicies are the AWS managed policies a root session may be scoped to
// (AssumeRoot's TaskPolicyArn, API reference); any other is refused
// (recorded, 2026: root_access.json, assume_root_invalid_task_policy).
var rootTaskPolicies = []string{
	"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
	"arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword",
	"arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
	"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
	"arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy",
}

// rootSessionSeconds is AssumeRoot's longest (and default) session: 15 minutes.
const rootSessionSeconds = 900

// parseTargetPrincipal reads AssumeRoot's TargetPrincipal: a 12-digit account ID or
// that account's root ARN. Anything else — an IAM user's ARN among them — is refused
// (recorded, 2026: root_access.json, assume_root_owned_user_arn).
func parseTargetPrincipal(s string) (string, bool) {
	account := strings.TrimSuffix(strings.TrimPrefix(s, "arn:aws:iam::"), ":root")
	if account != s && (!strings.HasPrefix(s, "arn:aws:iam::") || !strings.HasSuffix(s, ":root")) {
		return "", false
	}
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return "", false
	}
	return account, true
}

// assumeRoot opens a privileged session as a member account's root user, limited by
// an AWS managed task policy, for the management account of the organization (a
// delegated administrator for IAM is not served). AWS answers every refusal past the
// input checks with the same AccessDenied, naming the target's root and no reason —
// the explicitly denied caller and the management account targeting itself alike
// (recorded, 2026: root_access.json, assume_root_observer_denied,
// assume_root_management_id); Palisade answers it for each unmet condition of the
// API reference too (inferred: a target outside the organization, root sessions not
// enabled, IAM not trusted, a caller that is no management account, root user
// credentials or a root session calling).
func (s *svc) assumeRoot(c *server.Call, in *api.AssumeRootRequest) (*api.AssumeRootResponse, error) {
	if in.TaskPolicyArn == nil || in.TaskPolicyArn.Arn == nil {
		return nil, errValidation("1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null")
	}
	target, ok := parseTargetPrincipal(in.TargetPrincipal)
	if !ok {
		return nil, errValidation("Request must contain a valid target principal")
	}
	task := *in.TaskPolicyArn.Arn
	if !slices.Contains(rootTaskPolicies, task) {
		return nil, errValidation("Request must contain valid AWS managed task policy ARN")
	}
	caller := c.Principal
	rootARN := "arn:aws:iam::" + target + ":root"
	refused := accessDenied("User: " + caller.ARN + " is not authorized to perform: sts:AssumeRoot on resource: " + rootARN)
	// The caller's own policies decide, as for an action in its account: the member's
	// root user has no resource policy that could grant across accounts.
	chk := authz.Check{Action: "sts:AssumeRoot", Resource: rootARN, ResourceAccount: caller.Account,
		Context: map[string][]string{"sts:TaskPolicyArn": {task}}}
	if err := c.Authorize(chk); err != nil {
		if denied(err) {
			return nil, refused
		}
		return nil, err
	}
	if caller.Type == auth.Root || target == caller.Account || s.Orgs == nil {
		return nil, refused
	}
	org, ok, err := s.Orgs.RootOrg(c.Tx, caller.Account)
	if err != nil {
		return nil, err
	}
	if !ok || org.ManagementAccount != caller.Account || !org.AllFeatures || !org.IAMTrusted || !org.RootSessions {
		return nil, refused
	}
	torg, ok, err := s.Orgs.RootOrg(c.Tx, target)
	if err != nil {
		return nil, err
	}
	if !ok || torg.ID != org.ID {
		return nil, refused
	}
	if err := s.regionDisabled(c, target); err != nil {
		return nil, err
	}
	// The model allows 0 to 900 seconds; 0 is read as the default (inferred).
	d := time.Duration(rootSessionSeconds) * time.Second
	if in.DurationSeconds != nil && *in.DurationSeconds > 0 {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	sess := &auth.Session{Op: "AssumeRoot", PolicyARNs: []string{task}}
	sess.Issued = c.Now.UTC().Truncate(time.Second)
	sess.Expires = sess.Issued.Add(d)
	if cs := caller.Session; cs != nil {
		sess.SourceIdentity = cs.SourceIdentity
	}
	p := auth.RootPrincipal(target)
	p.Session = sess
	tmp, err := s.Sessions.Issue(p)
	if err != nil {
		return nil, err
	}
	out := &api.AssumeRootResponse{Credentials: credentials(tmp)}
	if sess.SourceIdentity != "" {
		out.SourceIdentity = &sess.SourceIdentity
	}
	return out, nil
}
