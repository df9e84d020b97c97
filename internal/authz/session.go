package authz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// PolicyResolver reads a managed policy by ARN: the managed session policies a
// session carries by ARN are read when a request is authorized, so they follow the
// policy's default version. IAM's GrantSource implements it; without it, managed
// session policies allow nothing.
type PolicyResolver interface {
	ManagedPolicy(tx *store.Tx, account, arn string) (*PolicyDoc, error)
}

// allowAll stands for the identity policies of a federated user of the root user:
// only its session policy limits it.
var allowAll = policy.MustParse(policy.KindManaged, "root", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

// applySession adds what temporary credentials carry to an evaluation: their session
// policies (one inline document and managed policies by ARN, together the session
// policy) and their session tags, which override the principal's own tags of the
// same key for aws:PrincipalTag.
func (a *Authorizer) applySession(tx *store.Tx, p auth.Principal, set *policy.PolicySet, rc *requestContext) error {
	s := p.Session
	var pols []*policy.Policy
	if s.Policy != "" {
		sp, err := a.Compile(policy.KindSession, "sessionPolicy", s.Policy)
		if err != nil {
			return fmt.Errorf("authz: session policy: %w", err)
		}
		pols = append(pols, sp)
	}
	if len(s.PolicyARNs) > 0 {
		res, _ := a.grants.(PolicyResolver)
		for _, arn := range s.PolicyARNs {
			if res == nil {
				continue
			}
			d, err := res.ManagedPolicy(tx, p.Account, arn)
			if err != nil {
				return fmt.Errorf("authz: session policy %s: %w", arn, err)
			}
			if d == nil {
				continue // deleted since: it allows nothing
			}
			mp, err := a.Compile(policy.KindSession, d.Name, d.Doc)
			if err != nil {
				return fmt.Errorf("authz: session policy %s: %w", arn, err)
			}
			pols = append(pols, mp)
		}
		// Session policies were passed: the session is limited even when none of
		// them can be read any more.
		if len(pols) == 0 {
			pols = append(pols, allowNothing)
		}
	}
	switch len(pols) {
	case 0:
	case 1:
		set.Session = pols[0]
	default:
		set.SessionGroup = policy.NewGroup(pols...)
	}
	if len(s.Tags) > 0 {
		tags := make(map[string]string, len(rc.tags)+len(s.Tags))
		for k, v := range rc.tags {
			tags[k] = v
		}
		for _, t := range s.Tags {
			for k := range tags {
				if strings.EqualFold(k, t.Key) {
					delete(tags, k)
				}
			}
			tags[t.Key] = t.Value
		}
		rc.tags = tags
	}
	return nil
}

// allowNothing is a session policy that allows (and denies) nothing: what remains of managed
// session policies that were all deleted.
var allowNothing = policy.MustParse(policy.KindSession, "deleted", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","Resource":"*"}]}`)

// sessionKey answers the global condition keys that only temporary credentials
// have: aws:TokenIssueTime, aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge
// (present only when MFA was used, as AWS documents), aws:SourceIdentity,
// aws:FederatedProvider and aws:AssumedRoot.
func (r *requestContext) sessionKey(key string) ([]string, bool) {
	s := r.caller.Principal.Session
	if s == nil || !strings.HasPrefix(key, "aws:") {
		return nil, false
	}
	switch key {
	case "aws:tokenissuetime":
		return []string{s.Issued.UTC().Format("2006-01-02T15:04:05Z")}, true
	case "aws:multifactorauthpresent":
		return []string{strconv.FormatBool(s.MFA)}, true
	case "aws:multifactorauthage":
		if !s.MFA {
			return nil, false
		}
		age := int64(r.caller.Now.Sub(s.MFATime).Seconds())
		return []string{strconv.FormatInt(max(age, 0), 10)}, true
	case "aws:sourceidentity":
		if s.SourceIdentity == "" {
			return nil, false
		}
		return []string{s.SourceIdentity}, true
	case "aws:assumedroot":
		// Only a root session STS AssumeRoot opened has the key (IAM User Guide,
		// global condition keys: aws:AssumedRoot), so that SCPs can single it out.
		if s.Op != "AssumeRoot" {
			return nil, false
		}
		return []string{"true"}, true
	case "aws:federatedprovider":
		if s.FederatedProvider == "" {
			return nil, false
		}
		return []string{s.FederatedProvider}, true
	}
	return nil, false
}
