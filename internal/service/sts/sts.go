// Package sts serves AWS Security Token Service: temporary credentials for roles
// (AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML), for IAM users
// (GetSessionToken) and for federated users (GetFederationToken), and the identity
// operations (GetCallerIdentity, GetAccessKeyInfo, DecodeAuthorizationMessage).
//
// Temporary credentials hold no state: the session token is the sealed credential
// itself (auth.Sessions), opened by the server on every request. Who may assume a
// role is decided by the policy engine with the role's trust policy as a resource
// policy that must allow on its own, and the caller's own policies (and SCPs) for
// callers of another account. STS reads IAM's roles, providers and MFA devices
// through the Directory and MFAChecker interfaces, wired in app.
package sts

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Role is what STS needs of an IAM role.
type Role struct {
	ARN           string // with its path
	ID            string // AROA…
	Name          string
	Trust         string
	MaxSession    int32 // seconds
	ServiceLinked bool
}

// OIDCProvider is an IAM OpenID Connect provider.
type OIDCProvider struct {
	ARN         string
	URL         string // https://host/path, the issuer
	ClientIDs   []string
	Thumbprints []string
}

// SAMLProvider is an IAM SAML provider.
type SAMLProvider struct {
	ARN        string
	Name       string
	Metadata   string
	ValidUntil time.Time
}

// Directory reads IAM's records in the call's transaction. Each method returns nil
// (and no error) when the record does not exist.
type Directory interface {
	Role(tx *store.Tx, account, name string) (*Role, error)
	OIDCProvider(tx *store.Tx, account, issuer string) (*OIDCProvider, error)
	SAMLProvider(tx *store.Tx, account, arn string) (*SAMLProvider, error)
	// ManagedPolicy reports whether a managed policy ARN can be a session policy in
	// the account (the account's own policies and AWS managed policies).
	ManagedPolicy(tx *store.Tx, account, arn string) (bool, error)
}

// MFAChecker checks an MFA code of an IAM user's device and records its use in tx
// (iam.MFA).
type MFAChecker interface {
	Check(tx *store.Tx, p auth.Principal, serial, code string, now time.Time) (ok, associated bool, err error)
}

// Deps is what STS needs from the rest of Palisade.
type Deps struct {
	Sessions  *auth.Sessions
	Keys      *auth.Keys
	Directory Directory
	MFA       MFAChecker
	// Authz decodes authorization messages.
	Authz *authz.Authorizer
	// Store holds the JWKS documents given through the admin API and records the
	// MFA codes STS accepts.
	Store *store.DB
	// HTTPClient fetches OIDC discovery documents and key sets; nil uses a client
	// with a 5-second timeout that trusts the system roots or the provider's
	// thumbprints.
	HTTPClient *http.Client
	// Orgs places accounts in their organizations for AssumeRoot; nil refuses it.
	Orgs Organizations
	// Outbound reads the accounts' outbound identity federation for
	// GetWebIdentityToken; nil answers it as disabled everywhere.
	Outbound Outbound
}

type svc struct {
	Deps
	keys *keyCache
}

// Service returns STS for the server.
func Service(d Deps) server.Service {
	s := &svc{Deps: d, keys: &keyCache{sets: map[string]*cachedKeys{}, client: d.HTTPClient}}
	return server.Service{
		Model: api.Service,
		Handlers: []server.Handler{
			server.Read("GetCallerIdentity", getCallerIdentity).NoAuthz(),
			server.Read("GetAccessKeyInfo", s.getAccessKeyInfo),
			server.Read("DecodeAuthorizationMessage", s.decodeAuthorizationMessage),
			// STS changes no state (credentials live in their tokens): its calls run on
			// read snapshots, concurrently; only an accepted MFA code is written
			// (checkMFA), so that it is not accepted twice.
			server.Read("AssumeRole", s.assumeRole),
			server.Read("GetSessionToken", s.getSessionToken).NoAuthz(),
			server.Read("GetFederationToken", s.getFederationToken),
			// The identity providers' proofs are checked over the network (OIDC key
			// sets): on a read snapshot, never holding the store's writer.
			server.Read("AssumeRoleWithWebIdentity", s.assumeRoleWithWebIdentity),
			server.Read("AssumeRoleWithSAML", s.assumeRoleWithSAML),
			server.Read("AssumeRoot", s.assumeRoot),
			server.Read("GetWebIdentityToken", s.getWebIdentityToken),
		},
		Checks: checks,
		Admin:  s.adminHandler(),
	}
}

// checks: the AssumeRole operations authorize in their handlers, with the trust
// policy, once the caller's proof (MFA code, web identity token, SAML assertion) is
// known; GetFederationToken's resource is the federated user it names.
func checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	if err := sessionRefuses(c.Principal.Session, op); err != nil {
		return nil, err
	}
	switch op {
	case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "AssumeRoot", "GetWebIdentityToken":
		// GetWebIdentityToken authorizes in its handler, after its own input checks.
		return nil, nil
	case "GetFederationToken":
		if c.Principal.Session != nil {
			return nil, accessDenied("Cannot call GetFederationToken with session credentials")
		}
		name, _ := in["Name"].(string)
		return []authz.Check{{Action: "sts:GetFederationToken", Resource: "arn:aws:sts::" + c.Account + ":federated-user/" + name}}, nil
	}
	return c.DefaultChecks(in)
}

// sessionRefuses applies what AWS documents of user sessions: GetSessionToken
// credentials call no STS operation but AssumeRole and GetCallerIdentity,
// GetFederationToken credentials none but GetCallerIdentity. The answer is worded as
// AWS words it for GetSessionToken.
func sessionRefuses(s *auth.Session, op string) error {
	if s == nil || op == "GetCallerIdentity" || op == "AssumeRole" && s.Op == "GetSessionToken" {
		return nil
	}
	if op == "GetWebIdentityToken" {
		// GetSessionToken sessions may call it, federated users get the handler's own
		// refusal (recorded, 2026: outbound_identity.json, get_session_token_caller,
		// federation_token_caller).
		return nil
	}
	if s.Op == "GetSessionToken" || s.Op == "GetFederationToken" {
		return accessDenied("Cannot call " + op + " with session credentials")
	}
	return nil
}

// getCallerIdentity answers who the caller is. AWS allows it for every authenticated
// caller; no policy can deny it.
func getCallerIdentity(c *server.Call, _ *api.GetCallerIdentityRequest) (*api.GetCallerIdentityResponse, error) {
	p := c.Principal
	return &api.GetCallerIdentityResponse{Account: &p.Account, Arn: &p.ARN, UserId: &p.UserID}, nil
}

// getAccessKeyInfo names the account of an access key: the owner of a stored key,
// else the account the key ID encodes (as AWS decodes any key ID, even one that does
// not exist).
func (s *svc) getAccessKeyInfo(c *server.Call, in *api.GetAccessKeyInfoRequest) (*api.GetAccessKeyInfoResponse, error) {
	if s.Keys != nil {
		info, ok, err := s.Keys.Info(c.Tx, in.AccessKeyId)
		if err != nil {
			return nil, err
		}
		if ok {
			return &api.GetAccessKeyInfoResponse{Account: ptr(info.Principal.Account)}, nil
		}
	}
	acct, ok := auth.AccountFromKeyID(in.AccessKeyId)
	if !ok {
		// Inferred wording: AWS documents no message for a key ID that does not decode.
		return nil, errValidation("The access key ID is not valid.")
	}
	return &api.GetAccessKeyInfoResponse{Account: &acct}, nil
}

// decodeAuthorizationMessage opens an encoded message of an EC2-style denial.
func (s *svc) decodeAuthorizationMessage(c *server.Call, in *api.DecodeAuthorizationMessageRequest) (*api.DecodeAuthorizationMessageResponse, error) {
	if s.Authz == nil {
		return nil, api.NewInvalidAuthorizationMessageException("Invalid Message")
	}
	msg, err := s.Authz.DecodeMessage(in.EncodedMessage)
	if err != nil {
		// Inferred wording: the exception's documentation, not a captured message.
		return nil, api.NewInvalidAuthorizationMessageException("Invalid Message")
	}
	return &api.DecodeAuthorizationMessageResponse{DecodedMessage: &msg}, nil
}

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// errValidation is STS's ValidationError (400), which the model does not name.
func errValidation(msg string) error { return model.NewError(400, "ValidationError", "%s", msg) }

// errInvalidParam is STS's InvalidParameterValue (400), which the model does not name:
// AWS answers it, not ValidationError, for session tags it refuses.
func errInvalidParam(msg string) error {
	return model.NewError(400, "InvalidParameterValue", "%s", msg)
}

// accessDenied is STS's AccessDenied (403) with a message of its own.
func accessDenied(msg string) error {
	return model.NewError(http.StatusForbidden, "AccessDenied", "%s", msg)
}

// optInRegion: STS does not issue credentials in an opt-in region the account has
// not enabled (RegionDisabledException). Palisade has no Account API to opt in: the
// admin API enables a region for an account (see admin.go).
var optInRegion = svckit.OptInRegion

// regionDisabled answers RegionDisabledException when account has not enabled the
// opt-in region the request was sent to.
func (s *svc) regionDisabled(c *server.Call, account string) error {
	if !optInRegion(c.Region) {
		return nil
	}
	if _, ok, err := c.Tx.Get(regionsNS, account+"/"+c.Region); err != nil || ok {
		return err
	}
	return api.NewRegionDisabledException("STS is not activated in this region for account:" + account +
		". Your account administrator can activate STS in this region using the IAM Console.")
}

// regionsNS holds the opt-in regions enabled per account: "ACCOUNT/REGION" → "".
var regionsNS = store.NS("sts", "", "", "enabled-regions")

// duration decides a session's length: the requested seconds or def, which must not
// exceed max (the role's maximum, or the chaining limit).
func duration(req *int32, def, max int32, tooLong string) (time.Duration, error) {
	d := def
	if req != nil {
		d = *req
		if d > max {
			return 0, errValidation(tooLong)
		}
	}
	return time.Duration(min(d, max)) * time.Second, nil
}

// sessionTags validates session tags (at most 50, keys unique without case) and
// the transitive keys, which must name tags of the request.
func sessionTags(tags []api.Tag, transitive []string) ([]auth.Tag, []string, error) {
	var out []auth.Tag
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, nil, errInvalidParam("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		out = append(out, auth.Tag{Key: t.Key, Value: t.Value})
	}
	var keys []string
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return nil, nil, errInvalidParam("The specified transitive tag key must be included in the requested tags.")
		}
		keys = append(keys, k)
	}
	return out, keys, nil
}

// packedSize is PackedPolicySize: the percentage of the packed limit the session
// policies and tags use. AWS compresses them into a binary form it does not
// document; Palisade counts characters against 2,048 per kind, which agrees with
// AWS's limits for plain-text policies (the inline policy and the ARNs share 2,048
// characters, tags have their own quota).
func packedSize(policy string, arns []string, tags []auth.Tag) (int32, bool) {
	n := len(policy)
	for _, a := range arns {
		n += len(a)
	}
	t := 0
	for _, tg := range tags {
		t += len(tg.Key) + len(tg.Value)
	}
	pct := max(float64(n)/2048, float64(t)/2048) * 100
	return int32(math.Ceil(pct)), pct <= 100
}

// keyCache holds OIDC key sets by issuer.
type keyCache struct {
	mu     sync.Mutex
	sets   map[string]*cachedKeys
	client *http.Client
}

func errPacked(pct int32) error {
	return api.NewPackedPolicyTooLargeException(fmt.Sprintf("Packed size of session policies and session tags exceeds the limit by %d%%.", pct-100))
}

func boolStr(b bool) string { return strconv.FormatBool(b) }

func itoa(n int64) string { return strconv.FormatInt(max(n, 0), 10) }

func auditResource(arn, account, typ string) audit.Resource {
	return audit.Resource{ARN: arn, AccountID: account, Type: typ}
}

// checkMFA checks an IAM user's MFA code and records its use in a write
// transaction of its own: STS calls run on read snapshots. A code accepted by a call
// that then fails (a trust policy that denies) stays used, as a one-time code should.
func (s *svc) checkMFA(c *server.Call, p auth.Principal, serial, code string) error {
	if s.MFA == nil || s.Store == nil || p.Type != auth.IAMUser || p.Session != nil {
		return accessDenied(msgMFAUnassociated)
	}
	ok, associated := false, false
	err := s.Store.Update(context.WithoutCancel(c), func(tx *store.Tx) error {
		var err error
		ok, associated, err = s.MFA.Check(tx, p, serial, code, c.Now)
		return err
	})
	switch {
	case err != nil:
		return err
	case !associated:
		return accessDenied(msgMFAUnassociated)
	case !ok:
		return accessDenied(msgMFAInvalid)
	}
	return nil
}
