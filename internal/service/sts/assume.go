package sts

import (
	"errors"
	"slices"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
)

// Messages AWS sends for AssumeRole.
const (
	msgRootAssume     = "Roles may not be assumed by root accounts."
	msgMaxSession     = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgChainedSession = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
	msgMFAIncomplete  = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
	msgMFAInvalid     = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	// msgMFAUnassociated is AWS's answer for a device that is not enabled for the
	// caller (radkawar/stackd testdata/aws/iam/mfa.json, after DeactivateMFADevice).
	msgMFAUnassociated = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgBadARN          = "Request ARN is invalid"

	msgTransitiveConflict = "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."
)

// roleRef is a role ARN taken apart.
type roleRef struct {
	arn, account, path, name string
}

// parseRoleARN reads arn:aws:iam::ACCOUNT:role/PATH/NAME. AWS words its refusal in
// two ways: a string that is no ARN at all (fewer than six parts, or no partition,
// service or resource) is "ARN is invalid", naming it; an ARN that names no role is
// "Request ARN is invalid".
func parseRoleARN(arn string) (roleRef, error) {
	if f := strings.SplitN(arn, ":", 6); len(f) < 6 || f[0] != "arn" || f[1] == "" || f[2] == "" || f[5] == "" {
		return roleRef{}, errValidation(arn + " is invalid")
	}
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return roleRef{}, errValidation(msgBadARN)
	}
	account, res, ok := strings.Cut(rest, ":")
	if !ok || len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return roleRef{}, errValidation(msgBadARN)
	}
	pathName, ok := strings.CutPrefix(res, "role/")
	if !ok || pathName == "" || strings.HasSuffix(pathName, "/") {
		return roleRef{}, errValidation(msgBadARN)
	}
	i := strings.LastIndexByte(pathName, '/')
	return roleRef{arn: arn, account: account, path: "/" + pathName[:i+1], name: pathName[i+1:]}, nil
}

// role loads the role an ARN names, nil when there is none (or its path differs):
// the trust check then denies, as AWS answers a missing role with AccessDenied.
func (s *svc) role(c *server.Call, ref roleRef) (*Role, error) {
	r, err := s.Directory.Role(c.Tx, ref.account, ref.name)
	if err != nil || r == nil {
		return nil, err
	}
	if r.ARN != "arn:aws:iam::"+ref.account+":role"+ref.path+ref.name {
		return nil, nil
	}
	return r, nil
}

// trustCheck is the authorization question of assuming a role: the action on the
// role, with the trust policy as a resource policy that must allow on its own. A
// missing role or an unreadable trust policy allows nothing.
func (s *svc) trustCheck(action string, ref roleRef, r *Role, ctx map[string][]string) (authz.Check, error) {
	chk := authz.Check{Action: action, Resource: ref.arn, ResourceAccount: ref.account, ResourceMustAllow: true, Context: ctx}
	if r != nil && s.Authz != nil {
		p, err := s.Authz.Compile(policy.KindTrust, "trust", r.Trust)
		if err != nil {
			return chk, err
		}
		chk.ResourcePolicy = p
	}
	return chk, nil
}

// request is what an AssumeRole* call asks for, common to the three.
type request struct {
	ref            roleRef
	role           *Role
	sessionName    string
	policy         string
	policyARNs     []string
	tags           []auth.Tag
	transitive     []string
	sourceIdentity string
}

// sessionPolicies validates the inline session policy with the engine and checks
// that the managed ones exist in the role's account.
func (s *svc) sessionPolicies(c *server.Call, account string, doc *string, arns []api.PolicyDescriptorType) (string, []string, error) {
	var out []string
	for _, d := range arns {
		arn := str(d.Arn)
		ok, err := s.Directory.ManagedPolicy(c.Tx, account, arn)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			// Inferred wording, in IAM's style for a policy that cannot be used.
			return "", nil, api.NewMalformedPolicyDocumentException("Policy " + arn + " does not exist or is not attachable.")
		}
		out = append(out, arn)
	}
	if doc == nil {
		return "", out, nil
	}
	if _, err := policy.Parse(policy.KindSession, "sessionPolicy", []byte(*doc)); err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return "", nil, api.NewMalformedPolicyDocumentException(pe.Message)
		}
		return "", nil, api.NewMalformedPolicyDocumentException(err.Error())
	}
	return *doc, out, nil
}

// tagContext is the request-tag context of a call that passes session tags.
func tagContext(ctx map[string][]string, tags []auth.Tag, transitive []string) {
	if len(tags) == 0 {
		return
	}
	var keys []string
	for _, t := range tags {
		ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	ctx["aws:TagKeys"] = keys
	if len(transitive) > 0 {
		ctx["sts:TransitiveTagKeys"] = transitive
	}
}

// authorize asks the trust checks of an AssumeRole* call: the operation itself, and
// sts:TagSession and sts:SetSourceIdentity when the call passes tags or a source
// identity (IAM User Guide, "Passing session tags", "Monitor and control actions
// taken with assumed roles").
func (s *svc) authorize(c *server.Call, action string, rq *request, ctx map[string][]string) error {
	chk, err := s.trustCheck(action, rq.ref, rq.role, ctx)
	if err != nil {
		return err
	}
	chks := []authz.Check{chk}
	if len(ctx["aws:TagKeys"]) > 0 {
		t := chk
		t.Action = "sts:TagSession"
		chks = append(chks, t)
	}
	if rq.sourceIdentity != "" {
		t := chk
		t.Action = "sts:SetSourceIdentity"
		chks = append(chks, t)
	}
	for _, k := range chks {
		if err := c.Authorize(k); err != nil {
			return err
		}
	}
	return nil
}

// issueRoleSession makes the credentials of a role session and the parts of the
// response all AssumeRole* operations share.
func (s *svc) issueRoleSession(c *server.Call, rq *request, sess *auth.Session, d time.Duration) (*api.Credentials, *api.AssumedRoleUser, *int32, error) {
	r := rq.role
	sess.Issued = c.Now.UTC().Truncate(time.Second)
	sess.Expires = sess.Issued.Add(d)
	sess.Policy, sess.PolicyARNs, sess.Tags, sess.TransitiveTagKeys = rq.policy, rq.policyARNs, rq.tags, rq.transitive
	sess.SourceIdentity, sess.IssuerARN, sess.ServiceLinked = rq.sourceIdentity, r.ARN, r.ServiceLinked
	p := auth.Principal{
		Type: auth.AssumedRole, Account: rq.ref.account, UserName: rq.sessionName,
		ARN:    "arn:aws:sts::" + rq.ref.account + ":assumed-role/" + r.Name + "/" + rq.sessionName,
		UserID: r.ID + ":" + rq.sessionName, Session: sess,
	}
	tmp, err := s.Sessions.Issue(p)
	if err != nil {
		return nil, nil, nil, err
	}
	var packed *int32
	if rq.policy != "" || len(rq.policyARNs) > 0 || len(rq.tags) > 0 {
		pct, ok := packedSize(rq.policy, rq.policyARNs, rq.tags)
		if !ok {
			return nil, nil, nil, errPacked(pct)
		}
		packed = &pct
	}
	c.Resources = append(c.Resources, auditResource(r.ARN, rq.ref.account, "AWS::IAM::Role"))
	return credentials(tmp), &api.AssumedRoleUser{AssumedRoleId: p.UserID, Arn: p.ARN}, packed, nil
}

func credentials(t auth.Temporary) *api.Credentials {
	return &api.Credentials{AccessKeyId: t.AccessKeyID, SecretAccessKey: t.Secret, SessionToken: t.Token, Expiration: t.Expires}
}

func (s *svc) assumeRole(c *server.Call, in *api.AssumeRoleRequest) (*api.AssumeRoleResponse, error) {
	caller := c.Principal
	if caller.Type == auth.Root {
		return nil, accessDenied(msgRootAssume)
	}
	ref, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	if err := s.regionDisabled(c, ref.account); err != nil {
		return nil, err
	}
	// MFA: the code this request carries, or the caller's own MFA session.
	mfa, mfaTime := false, time.Time{}
	if cs := caller.Session; cs != nil && cs.MFA {
		mfa, mfaTime = true, cs.MFATime
	}
	if in.SerialNumber != nil || in.TokenCode != nil {
		if in.SerialNumber == nil || in.TokenCode == nil {
			return nil, accessDenied(msgMFAIncomplete)
		}
		if err := s.checkMFA(c, caller, *in.SerialNumber, *in.TokenCode); err != nil {
			return nil, err
		}
		mfa, mfaTime = true, c.Now.UTC().Truncate(time.Second)
	}
	rq := &request{ref: ref, sessionName: in.RoleSessionName}
	if rq.role, err = s.role(c, ref); err != nil {
		return nil, err
	}
	chained := caller.Type == auth.AssumedRole
	reqTags, reqTransitive, err := sessionTags(in.Tags, in.TransitiveTagKeys)
	if err != nil {
		return nil, err
	}
	tags, transitive := reqTags, reqTransitive
	rq.sourceIdentity = str(in.SourceIdentity)
	if cs := caller.Session; chained && cs != nil {
		// Role chaining: transitive tags pass on and cannot be changed; the source
		// identity is fixed for the chain.
		if conflict(cs, reqTags) {
			return nil, errInvalidParam(msgTransitiveConflict)
		}
		tags, transitive = inherit(cs, tags, transitive)
		if cs.SourceIdentity != "" {
			if rq.sourceIdentity != "" && rq.sourceIdentity != cs.SourceIdentity {
				// Inferred wording: AWS documents that the source identity cannot change.
				return nil, accessDenied("The source identity " + cs.SourceIdentity + " of the session cannot be changed.")
			}
			rq.sourceIdentity = cs.SourceIdentity
		}
	}
	rq.tags, rq.transitive = tags, transitive
	if rq.policy, rq.policyARNs, err = s.sessionPolicies(c, ref.account, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}

	ctx := map[string][]string{"sts:RoleSessionName": {in.RoleSessionName}}
	if in.ExternalId != nil {
		ctx["sts:ExternalId"] = []string{*in.ExternalId}
	}
	if in.SourceIdentity != nil {
		ctx["sts:SourceIdentity"] = []string{*in.SourceIdentity}
	}
	if mfa || caller.Session != nil {
		ctx["aws:MultiFactorAuthPresent"] = []string{boolStr(mfa)}
	}
	if mfa {
		ctx["aws:MultiFactorAuthAge"] = []string{itoa(int64(c.Now.Sub(mfaTime).Seconds()))}
	}
	tagContext(ctx, reqTags, reqTransitive)
	if err := s.authorize(c, "sts:AssumeRole", rq, ctx); err != nil {
		return nil, err
	}

	var d time.Duration
	switch {
	case chained && in.DurationSeconds != nil && *in.DurationSeconds > 3600:
		return nil, errValidation(msgChainedSession)
	case chained:
		d, err = duration(in.DurationSeconds, 3600, 3600, msgChainedSession)
	default:
		d, err = duration(in.DurationSeconds, 3600, rq.role.MaxSession, msgMaxSession)
	}
	if err != nil {
		return nil, err
	}
	sess := &auth.Session{Op: "AssumeRole", MFA: mfa, MFATime: mfaTime, Chained: chained}
	creds, user, packed, err := s.issueRoleSession(c, rq, sess, d)
	if err != nil {
		return nil, err
	}
	out := &api.AssumeRoleResponse{Credentials: creds, AssumedRoleUser: user, PackedPolicySize: packed}
	if rq.sourceIdentity != "" {
		out.SourceIdentity = &rq.sourceIdentity
	}
	return out, nil
}

// conflict reports whether a chained request passes a tag whose key (without case)
// is a transitive key of the calling session: AWS refuses it rather than let the
// chain change the tag.
func conflict(cs *auth.Session, tags []auth.Tag) bool {
	for _, k := range cs.TransitiveTagKeys {
		for _, t := range tags {
			if strings.EqualFold(t.Key, k) {
				return true
			}
		}
	}
	return false
}

// inherit adds the caller session's transitive tags to a chained session's tags
// (conflict has refused requests that pass them again): they keep their values,
// and stay transitive.
func inherit(cs *auth.Session, tags []auth.Tag, transitive []string) ([]auth.Tag, []string) {
	// Clipped: the request's own slices still give the trust policy its request tags.
	tags, transitive = slices.Clip(tags), slices.Clip(transitive)
	for _, k := range cs.TransitiveTagKeys {
		for _, t := range cs.Tags {
			if strings.EqualFold(t.Key, k) {
				tags = append(tags, t)
				transitive = append(transitive, t.Key)
			}
		}
	}
	return tags, transitive
}

// denied reports whether err is an AccessDenied answer (the trust check failed).
func denied(err error) bool {
	var me *model.Error
	return errors.As(err, &me) && me.Code == "AccessDenied"
}
