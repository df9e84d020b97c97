package sts

import (
	"time"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
)

// User session lengths (STS API Reference, GetSessionToken and GetFederationToken):
// 12 hours unless asked, at most one hour for the root user, whose longer requests
// are cut to an hour rather than refused.
const (
	defaultUserSession = 43200
	rootMaxSession     = 3600
)

// userDuration is the length of a GetSessionToken or GetFederationToken session.
func userDuration(p auth.Principal, req *int32) time.Duration {
	d := int32(defaultUserSession)
	if req != nil {
		d = *req
	}
	if p.Type == auth.Root {
		d = min(d, rootMaxSession)
	}
	return time.Duration(d) * time.Second
}

// getSessionToken gives an IAM user (or the root user) temporary credentials of its
// own, with MFA when a code is given: the way to satisfy aws:MultiFactorAuthPresent.
// No policy controls it.
func (s *svc) getSessionToken(c *server.Call, in *api.GetSessionTokenRequest) (*api.GetSessionTokenResponse, error) {
	p := c.Principal
	if p.Session != nil {
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	}
	if err := s.regionDisabled(c, p.Account); err != nil {
		return nil, err
	}
	sess := &auth.Session{Op: "GetSessionToken", IssuerARN: p.ARN}
	if in.SerialNumber != nil || in.TokenCode != nil {
		if in.SerialNumber == nil || in.TokenCode == nil {
			return nil, accessDenied(msgMFAIncomplete)
		}
		if err := s.checkMFA(c, p, *in.SerialNumber, *in.TokenCode); err != nil {
			return nil, err
		}
		sess.MFA, sess.MFATime = true, c.Now.UTC().Truncate(time.Second)
	}
	sess.Issued = c.Now.UTC().Truncate(time.Second)
	sess.Expires = sess.Issued.Add(userDuration(p, in.DurationSeconds))
	p.Session, p.AccessKeyID = sess, ""
	tmp, err := s.Sessions.Issue(p)
	if err != nil {
		return nil, err
	}
	return &api.GetSessionTokenResponse{Credentials: credentials(tmp)}, nil
}

// getFederationToken makes a federated user of the caller: its permissions are the
// intersection of the caller's and the session policies passed (none passed: none).
func (s *svc) getFederationToken(c *server.Call, in *api.GetFederationTokenRequest) (*api.GetFederationTokenResponse, error) {
	p := c.Principal
	if p.Session != nil {
		return nil, accessDenied("Cannot call GetFederationToken with session credentials")
	}
	if err := s.regionDisabled(c, p.Account); err != nil {
		return nil, err
	}
	doc, arns, err := s.sessionPolicies(c, p.Account, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, _, err := sessionTags(in.Tags, nil)
	if err != nil {
		return nil, err
	}
	arn := "arn:aws:sts::" + p.Account + ":federated-user/" + in.Name
	if len(tags) > 0 {
		ctx := map[string][]string{}
		tagContext(ctx, tags, nil)
		if err := c.Authorize(authz.Check{Action: "sts:TagSession", Resource: arn, Context: ctx}); err != nil {
			return nil, err
		}
	}
	now := c.Now.UTC().Truncate(time.Second)
	sess := &auth.Session{Op: "GetFederationToken", Issued: now, Expires: now.Add(userDuration(p, in.DurationSeconds)),
		Policy: doc, PolicyARNs: arns, Tags: tags, IssuerARN: p.ARN}
	if p.Type == auth.IAMUser {
		sess.IssuerID = p.UserID
	}
	fed := auth.Principal{Type: auth.FederatedUser, Account: p.Account, ARN: arn, UserID: p.Account + ":" + in.Name, UserName: in.Name, Session: sess}
	tmp, err := s.Sessions.Issue(fed)
	if err != nil {
		return nil, err
	}
	// Unlike AssumeRole, AWS sends PackedPolicySize even when nothing was passed (0).
	pct, ok := packedSize(doc, arns, tags)
	if !ok {
		return nil, errPacked(pct)
	}
	return &api.GetFederationTokenResponse{Credentials: credentials(tmp), FederatedUser: &api.FederatedUser{FederatedUserId: fed.UserID, Arn: arn},
		PackedPolicySize: &pct}, nil
}
