package authz

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// PolicyDoc is one identity-based policy of a principal: its name (a managed policy's
// ARN, or "user/NAME/POLICY" for an inline one) and its JSON document.
type PolicyDoc struct {
	Name string
	Doc  string
}

// Grants is what the identity store (IAM) holds about a principal.
type Grants struct {
	Identity []PolicyDoc
	Boundary *PolicyDoc
	// Tags are the principal's tags, for aws:PrincipalTag/*.
	Tags map[string]string
	// IssuerARN is the role ARN (with its path) of a role session.
	IssuerARN string
}

// GrantSource reads a principal's grants inside the call's transaction. IAM implements
// it; app wires it in.
type GrantSource interface {
	PrincipalGrants(tx *store.Tx, p auth.Principal) (*Grants, error)
}

// Caller is the authenticated side of a request: who, from where, when.
type Caller struct {
	Principal auth.Principal
	SourceIP  string
	UserAgent string
	Region    string
	// Now is Palisade's clock, for aws:CurrentTime and aws:EpochTime.
	Now    time.Time
	Secure bool
}

// Check is one authorization question: may the caller perform Action on Resource?
type Check struct {
	Action   string // "service:Action"
	Resource string // ARN, or "*" for actions without resource-level permissions
	// ResourceAccount is the account owning the resource; "" means the caller's.
	ResourceAccount string
	// Context holds request-specific condition keys (aws:RequestTag/k, s3:prefix,
	// kms:EncryptionContext:k...), keys in any case.
	Context map[string][]string
	// ResourcePolicy is the resource's own policy (bucket, key, queue, topic...).
	ResourcePolicy *policy.Policy
	// ResourceMustAllow: the resource policy alone decides for the resource owner's
	// principals too (KMS key policies, role trust policies).
	ResourceMustAllow bool
	// MessageResource is how the service names the resource in its AccessDenied
	// message when that is not the ARN (IAM says "user alice", "policy path /"); ""
	// means Resource.
	MessageResource string
	// HideResource leaves the resource out of the AccessDenied message ("… is not
	// authorized to perform: kms:TagResource because …"), as AWS words a check on a
	// resource the request is creating and cannot name yet.
	HideResource bool
	// OrAction is an action that, allowed, passes the check too when Action is denied
	// (logs:TagLogGroup for logs:TagResource); a denial is worded for Action.
	OrAction string
	// NoRCPs exempts the resource from resource control policies: AWS managed KMS keys,
	// which RCPs do not restrict (recorded, 2026: radkawar/stackd
	// testdata/aws/iam/resource_control_current.json, from the Organizations User Guide).
	NoRCPs bool
}

// Authorizer answers Checks with the policy engine, caching compiled documents by
// content and each principal's compiled identity policies until IAM changes.
type Authorizer struct {
	grants GrantSource

	docs  sync.Map // [32]byte(kind+doc) → *policy.Policy
	docsN atomic.Int64

	orgs   OrgSource
	sealer *store.Sealer

	orgMu   sync.RWMutex
	orgSets map[string]*orgSet // by account
	orgGen  atomic.Uint64

	mu   sync.RWMutex
	sets map[string]*principalSet // by identity (see principalSet)
	gens sync.Map                 // account → *atomic.Uint64
	// loading holds the identities (and, under orgLoading, the accounts) whose
	// cache entry a background load is filling.
	loading    map[string]bool
	orgLoading map[string]bool

	// db, when set, is where cache entries are loaded from (see SetStore).
	db *store.DB
}

type principalSet struct {
	gen      uint64
	identity *policy.Group
	boundary *policy.Policy
	tags     map[string]string
	issuer   string
	// keys are the condition keys (lower case) the set's policies refer to, in
	// conditions and policy variables: the only parts of a request's context a
	// decision can depend on.
	keys []string

	memoMu sync.RWMutex
	memo   map[string]policy.Result
}

// memoSize bounds a principal's remembered decisions; the memo starts over when full.
const memoSize = 4096

// memoKey identifies a decision of the set's policies alone: action, resource,
// resource account, and the values of the context keys the policies use (time keys
// included, so a time condition is re-evaluated as the clock moves).
func (ps *principalSet) memoKey(b *strings.Builder, chk *Check, resAccount string, ctx policy.Context) string {
	b.WriteString(chk.Action)
	b.WriteByte(0)
	b.WriteString(chk.Resource)
	b.WriteByte(0)
	b.WriteString(resAccount)
	for _, k := range ps.keys {
		b.WriteByte(0)
		vals, ok := ctx.Lookup(k)
		if !ok {
			b.WriteByte(1) // absent differs from empty
			continue
		}
		for _, v := range vals {
			b.WriteByte(2)
			b.WriteString(v)
		}
	}
	return b.String()
}

// docsSize bounds the compiled documents kept. Session policies and resource policies
// are any caller's to vary, so without a bound a client could grow the cache for the
// life of the process; when full it starts over, as a principal's memo does.
const docsSize = 8192

// New returns an Authorizer reading grants from src (nil: no principal has any).
func New(src GrantSource) *Authorizer {
	return &Authorizer{grants: src, sets: map[string]*principalSet{}, orgSets: map[string]*orgSet{},
		loading: map[string]bool{}, orgLoading: map[string]bool{}}
}

// SetStore makes the authorizer fill its caches of principals' policies and of
// organizations from transactions of its own on db (app wires the server's store).
//
// A cache entry is tagged with the generation current when it was read, and used only
// while that generation is: so what it holds must be at least as new as every change
// the generation counts. A call's own transaction cannot promise that: a read call's
// snapshot is fixed by its first read (often in a service's checks, before the
// decision), so a change can commit and bump the generation between that snapshot
// and the decision, and an entry built from the snapshot would carry the old policies
// under the new generation, deciding every later call on them: a detached policy
// still allowing after the detach was acknowledged. (A write call's transaction may
// also hold the uncommitted writes of its group.) So on a miss the call decides on
// what its own transaction reads, uncached, and a background load reads the entry in
// a transaction begun after its generation was read, as KMS's key cache does (a
// nested read transaction could exhaust the store's readers). Without a store the
// authorizer caches what calls read, for tests of the engine alone.
func (a *Authorizer) SetStore(db *store.DB) { a.db = db }

// gen is the account's generation counter: cached sets of an older generation are
// stale. Read on every decision, so lock-free once the account has one.
func (a *Authorizer) gen(account string) *atomic.Uint64 {
	if g, ok := a.gens.Load(account); ok {
		return g.(*atomic.Uint64)
	}
	g, _ := a.gens.LoadOrStore(account, &atomic.Uint64{})
	return g.(*atomic.Uint64)
}

// Changed drops what is cached for an account's principals: IAM's state changed.
func (a *Authorizer) Changed(account string) { a.gen(account).Add(1) }

// Compile parses a document once and returns the cached compiled policy. Documents
// stored by IAM were validated when they were stored, so quotas and store-time
// checks are not applied again.
func (a *Authorizer) Compile(kind policy.Kind, name, doc string) (*policy.Policy, error) {
	key := sha256.Sum256([]byte(strconv.Itoa(int(kind)) + "\x00" + name + "\x00" + doc))
	if p, ok := a.docs.Load(key); ok {
		return p.(*policy.Policy), nil
	}
	p, err := policy.ParseLenient(kind, name, []byte(doc))
	if err != nil {
		return nil, err
	}
	if _, loaded := a.docs.LoadOrStore(key, p); !loaded && a.docsN.Add(1) > docsSize {
		a.docs.Clear()
		a.docsN.Store(0)
	}
	return p, nil
}

func (a *Authorizer) principalSet(tx *store.Tx, p auth.Principal) (*principalSet, error) {
	gen := a.gen(p.Account).Load()
	// Grants are an identity's: a role's for all of its sessions, an IAM user's for
	// the federated users it makes. Keying by that identity's unique ID keeps one
	// entry per role however many sessions there are, and never mixes up a role
	// deleted and made again, or the federated users of two IAM users.
	key := p.ARN + "\x00" + p.UserID
	switch {
	case p.Type == auth.AssumedRole:
		roleID, _, _ := strings.Cut(p.UserID, ":")
		key = "role\x00" + p.Account + "\x00" + roleID
	case p.Type == auth.FederatedUser && p.Session != nil:
		key = "federated\x00" + p.Account + "\x00" + p.Session.IssuerID
	}
	a.mu.RLock()
	ps, ok := a.sets[key]
	busy := a.loading[key]
	a.mu.RUnlock()
	if ok && ps.gen == gen {
		return ps, nil
	}
	ps, err := a.buildSet(tx, p, gen)
	if err != nil {
		return nil, err
	}
	if a.db == nil || !a.readsGrants(p) {
		a.mu.Lock()
		a.sets[key] = ps
		a.mu.Unlock()
		return ps, nil
	}
	// The set read in the call's transaction decides this call only (see SetStore).
	if !busy {
		a.mu.Lock()
		if !a.loading[key] {
			a.loading[key] = true
			go a.loadSet(key, p, gen)
		}
		a.mu.Unlock()
	}
	return ps, nil
}

// readsGrants reports whether p's set is read from the grant source (else it is the
// same whatever the store holds).
func (a *Authorizer) readsGrants(p auth.Principal) bool {
	if p.Type == auth.FederatedUser && (p.Session == nil || p.Session.IssuerID == "") {
		return false
	}
	return a.grants != nil && (p.Type == auth.IAMUser || p.Type == auth.AssumedRole || p.Type == auth.FederatedUser)
}

// loadSet caches p's set read in a transaction of its own, begun after gen was read.
func (a *Authorizer) loadSet(key string, p auth.Principal, gen uint64) {
	ps, err := readFresh(a.db, func(tx *store.Tx) (*principalSet, error) { return a.buildSet(tx, p, gen) })
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.loading, key)
	if err == nil && a.gen(p.Account).Load() == gen {
		a.sets[key] = ps
	}
}

// readFresh returns what build reads in a read transaction of its own, for a
// background load (a panic in build becomes an error).
func readFresh[T any](db *store.DB, build func(*store.Tx) (T, error)) (T, error) {
	var v T
	err := db.View(context.Background(), func(tx *store.Tx) error {
		return recovered(func() (err error) {
			v, err = build(tx)
			return err
		})
	})
	return v, err
}

// recovered runs fn, turning a panic into an error: a background load must not end
// the process over what a call would have answered with an error.
func recovered(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("authz: panic while loading: %v", r)
		}
	}()
	return fn()
}

// buildSet reads and compiles p's identity policies in tx, as of generation gen.
func (a *Authorizer) buildSet(tx *store.Tx, p auth.Principal, gen uint64) (*principalSet, error) {
	ps := &principalSet{gen: gen}
	if p.Type == auth.FederatedUser && (p.Session == nil || p.Session.IssuerID == "") {
		// A federated user of the root user: the session policy alone limits it.
		ps.identity = policy.NewGroup(allowAll)
	} else if a.readsGrants(p) {
		gp := p
		if p.Type == auth.FederatedUser {
			// A federated user has the policies of the IAM user who federated it.
			gp = auth.Principal{Type: auth.IAMUser, Account: p.Account, ARN: p.Session.IssuerARN, UserID: p.Session.IssuerID}
		}
		g, err := a.grants.PrincipalGrants(tx, gp)
		if err != nil {
			return nil, fmt.Errorf("authz: grants of %s: %w", p.ARN, err)
		}
		var pols []*policy.Policy
		for _, d := range g.Identity {
			c, err := a.Compile(policy.KindManaged, d.Name, d.Doc)
			if err != nil {
				return nil, fmt.Errorf("authz: stored policy %s: %w", d.Name, err)
			}
			pols = append(pols, c)
		}
		ps.identity = policy.NewGroup(pols...)
		if g.Boundary != nil {
			b, err := a.Compile(policy.KindBoundary, g.Boundary.Name, g.Boundary.Doc)
			if err != nil {
				return nil, fmt.Errorf("authz: stored boundary %s: %w", g.Boundary.Name, err)
			}
			ps.boundary = b
			pols = append(pols, b)
		}
		seen := map[string]bool{}
		for _, p := range pols {
			for _, k := range p.ContextKeys() {
				if lk := strings.ToLower(k); !seen[lk] {
					seen[lk] = true
					ps.keys = append(ps.keys, lk)
				}
			}
		}
		ps.tags = g.Tags
		ps.issuer = g.IssuerARN
		if p.Type == auth.FederatedUser {
			ps.issuer = p.Session.IssuerARN
		}
	} else {
		ps.identity = policy.NewGroup()
	}
	return ps, nil
}

// Decision is the engine's answer with the request it was asked, for messages.
type Decision struct {
	policy.Result
	Request policy.Request
	// messageResource and hideResource are the Check's.
	messageResource string
	hideResource    bool
	// caller and ctx back Request.Context: one allocation per decision.
	caller Caller
	ctx    requestContext
}

// Allowed reports whether the check passed.
func (d *Decision) Allowed() bool { return d.Result.Decision == policy.Allowed }

// SameOrganization reports whether the caller's account and the resource's account
// are in one organization (S3 words its denials to such callers as to its own
// account's).
func (d *Decision) SameOrganization() bool {
	o, r := d.ctx.org, d.ctx.resourceOrg
	return o != nil && r != nil && o.info.ID == r.info.ID
}

// Message is AWS's AccessDenied message for a denied check. An explicit deny names
// the managed policy that denied, as AWS does for identity-based policies and
// permissions boundaries ("with an explicit deny in an identity-based policy:
// arn:aws:iam::123456789012:policy/Deny"); inline policies have no ARN to name.
func (d *Decision) Message() string {
	req := d.Request
	if d.messageResource != "" {
		req.Resource = d.messageResource
	}
	if d.hideResource {
		req.Resource = ""
	}
	msg := d.Result.Message(&req)
	if d.Result.Decision != policy.ExplicitDeny {
		return msg
	}
	t, _ := d.Result.BlockedBy.First()
	for _, m := range d.Result.Matched {
		if m.Type == t && m.Effect == policy.Deny {
			// AWS names the identity-based policy that denies, never the resource
			// whose policy does (recorded, 2026: radkawar/stackd
			// testdata/aws/sqs/forwarding.json, KMS's and SQS's "... with an
			// explicit deny in a resource-based policy").
			if strings.HasPrefix(m.Policy, "arn:") && t != policy.TypeResource {
				msg += ": " + m.Policy
			}
			break
		}
	}
	return msg
}

// Decide evaluates one check for a caller, reading the caller's grants in tx.
func (a *Authorizer) Decide(tx *store.Tx, c *Caller, chk *Check) (*Decision, error) {
	p := c.Principal
	ps, err := a.principalSet(tx, p)
	if err != nil {
		return nil, err
	}
	pp := enginePrincipal(p, ps.issuer)
	resAccount := chk.ResourceAccount
	if resAccount == "" {
		resAccount = p.Account
	}
	d := &Decision{messageResource: chk.MessageResource, hideResource: chk.HideResource, caller: *c}
	d.ctx = requestContext{caller: &d.caller, tags: ps.tags, extra: chk.Context}
	d.Request = policy.Request{
		Principal: pp, Action: chk.Action, Resource: chk.Resource, ResourceAccount: resAccount,
		Context: &d.ctx,
	}
	set := &policy.PolicySet{Identity: ps.identity, Boundary: ps.boundary, Resource: chk.ResourcePolicy, ResourceMustAllow: chk.ResourceMustAllow}
	if p.Session != nil {
		if err := a.applySession(tx, p, set, &d.ctx); err != nil {
			return nil, err
		}
	}
	if err := a.applyOrganizations(tx, p, resAccount, chk.Action, chk.NoRCPs, set, &d.ctx); err != nil {
		return nil, err
	}
	if chk.ResourcePolicy != nil || p.Session != nil || len(set.SCPs) > 0 || len(set.RCPs) > 0 {
		policy.EvaluateInto(&d.Result, &d.Request, set)
		return d, nil
	}
	// Otherwise the decision is a function of the principal's policies (fixed until
	// IAM changes), the action, the resource and the keys the policies use:
	// remembered per principal, as a principal repeats its calls. Sessions, resource
	// policies and organization policies bring inputs the memo key does not cover.
	var b strings.Builder
	key := ps.memoKey(&b, chk, resAccount, &d.ctx)
	ps.memoMu.RLock()
	r, ok := ps.memo[key]
	ps.memoMu.RUnlock()
	if ok {
		d.Result = r
		return d, nil
	}
	d.Result = policy.Evaluate(&d.Request, set)
	ps.memoMu.Lock()
	if ps.memo == nil || len(ps.memo) >= memoSize {
		ps.memo = make(map[string]policy.Result)
	}
	ps.memo[key] = d.Result
	ps.memoMu.Unlock()
	return d, nil
}

func enginePrincipal(p auth.Principal, issuer string) policy.Principal {
	ep := policy.Principal{ARN: p.ARN, Account: p.Account, UserID: p.UserID, IssuerARN: issuer}
	if p.Session != nil {
		ep.ServiceLinked = p.Session.ServiceLinked
	}
	switch p.Type {
	case auth.Root:
		ep.Type = policy.PrincipalRoot
	case auth.IAMUser:
		ep.Type = policy.PrincipalUser
	case auth.AssumedRole:
		ep.Type = policy.PrincipalRoleSession
	case auth.FederatedUser:
		ep.Type = policy.PrincipalFederatedUser
	case auth.AWSService:
		ep.Type = policy.PrincipalService
	case auth.WebIdentityUser, auth.SAMLUser:
		// The provider's user is matched by a trust policy's "Federated" element,
		// which names the provider: the principal's ARN is the provider's.
		ep.Type, ep.Account = policy.PrincipalFederatedProvider, ""
	default:
		ep.Type = policy.PrincipalAnonymous
	}
	return ep
}

// requestContext supplies condition keys: the global keys from the caller, the
// principal's tags, and the check's own keys. Keys arrive lower-cased.
type requestContext struct {
	caller *Caller
	tags   map[string]string
	extra  map[string][]string
	// org and resourceOrg place the principal's and the resource's accounts in
	// their organizations (nil outside one).
	org, resourceOrg *orgSet
}

func (r *requestContext) Lookup(key string) ([]string, bool) {
	// The check's own keys come first: a service may state a global key for the
	// request it authorizes (STS states aws:MultiFactorAuthPresent from the MFA code
	// an AssumeRole call carries).
	if v, ok := r.extra[key]; ok {
		return v, true
	}
	c := r.caller
	if v, ok := r.sessionKey(key); ok {
		return v, true
	}
	switch key {
	case "aws:sourceip":
		if c.SourceIP == "" {
			return nil, false
		}
		return []string{c.SourceIP}, true
	case "aws:currenttime":
		return []string{c.Now.UTC().Format("2006-01-02T15:04:05Z")}, true
	case "aws:epochtime":
		return []string{strconv.FormatInt(c.Now.Unix(), 10)}, true
	case "aws:securetransport":
		return []string{strconv.FormatBool(c.Secure)}, true
	case "aws:requestedregion":
		if c.Region == "" {
			return nil, false
		}
		return []string{c.Region}, true
	case "aws:useragent":
		return []string{c.UserAgent}, true
	case "aws:viaawsservice":
		return []string{"false"}, true
	case "aws:principaltype":
		return []string{principalTypeKey(c.Principal.Type)}, true
	case "aws:principalorgid":
		if r.org == nil {
			return nil, false
		}
		return []string{r.org.info.ID}, true
	case "aws:principalorgpaths":
		if r.org == nil {
			return nil, false
		}
		return []string{r.org.info.Path}, true
	case "aws:resourceorgid":
		if r.resourceOrg == nil {
			return nil, false
		}
		return []string{r.resourceOrg.info.ID}, true
	case "aws:resourceorgpaths":
		if r.resourceOrg == nil {
			return nil, false
		}
		return []string{r.resourceOrg.info.Path}, true
	}
	if t, ok := strings.CutPrefix(key, "aws:principaltag/"); ok {
		for k, v := range r.tags {
			if strings.EqualFold(k, t) {
				return []string{v}, true
			}
		}
		return nil, false
	}
	for k, v := range r.extra {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	// aws:PrincipalArn, aws:username, aws:userid, aws:PrincipalAccount: the engine
	// derives them from the principal.
	return nil, false
}

// principalTypeKey is aws:PrincipalType's value.
func principalTypeKey(t auth.Type) string {
	switch t {
	case auth.Root:
		return "Account"
	case auth.IAMUser:
		return "User"
	case auth.AssumedRole:
		return "AssumedRole"
	case auth.FederatedUser:
		return "FederatedUser"
	case auth.Anonymous:
		return "Anonymous"
	}
	return string(t)
}
