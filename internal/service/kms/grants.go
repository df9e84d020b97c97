package kms

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// grantRec is a grant as stored, under "<key ID>/<grant ID>".
type grantRec struct {
	ID          string                `json:"id"`
	KeyID       string                `json:"keyId"`
	Name        string                `json:"name,omitempty"`
	Created     time.Time             `json:"created"`
	Grantee     string                `json:"grantee"`
	Retiring    string                `json:"retiring,omitempty"`
	Issuing     string                `json:"issuing"`
	Operations  []string              `json:"operations"`
	Constraints *api.GrantConstraints `json:"constraints,omitempty"`
	// GranteeID and RetiringID are the unique IDs a role or role session principal
	// is bound to (see bind); "" for other principals and grants stored before.
	GranteeID  string `json:"granteeId,omitempty"`
	RetiringID string `json:"retiringId,omitempty"`
}

// issuedBy reports whether account made the grant.
func (g *grantRec) issuedBy(account string) bool { return g.Issuing == "arn:aws:iam::"+account+":root" }

// satisfied checks a grant's encryption context constraint for an operation. The
// constraint does not apply to DescribeKey and RetireGrant, which take no context,
// nor to CreateGrant, where it bounds the new grant's constraints instead
// (childGrant.allowedBy).
func (g *grantRec) satisfied(op string, encCtx map[string]string) bool {
	c := g.Constraints
	if c == nil || op == "DescribeKey" || op == "RetireGrant" || op == "CreateGrant" {
		return true
	}
	if c.EncryptionContextEquals != nil && !contextEquals(encCtx, c.EncryptionContextEquals) {
		return false
	}
	return contextIncludes(encCtx, c.EncryptionContextSubset)
}

// contextIncludes reports whether every pair of want is in have. In a grant
// constraint "the key in each key-value pair is not case sensitive, but the value
// is case sensitive" (API reference, GrantConstraints).
func contextIncludes(have, want map[string]string) bool {
	for wk, wv := range want {
		found := false
		for hk, hv := range have {
			if hv == wv && strings.EqualFold(hk, wk) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// contextEquals is contextIncludes both ways: the same pairs, keys compared
// without case.
func contextEquals(a, b map[string]string) bool {
	return len(a) == len(b) && contextIncludes(a, b) && contextIncludes(b, a)
}

// childGrant is the grant a CreateGrant request would make, for checking it
// against the grant of a grantee that creates it.
type childGrant struct {
	ops         []string
	constraints *api.GrantConstraints
}

// allowedBy reports whether a grantee's grant g (which lists CreateGrant) lets it
// create this grant: "the grant only allows the grantee principal to create grants
// that are equally restrictive or more restrictive" — a subset of g's operations,
// and constraints at least as strict (Developer Guide, "Grants": a child may add
// pairs to an EncryptionContextSubset or turn it into an EncryptionContextEquals,
// not the reverse). nil (not a CreateGrant) is always allowed.
func (n *childGrant) allowedBy(g *grantRec) bool {
	if n == nil {
		return true
	}
	if !subset(n.ops, g.Operations) {
		return false
	}
	p, c := g.Constraints, n.constraints
	if p == nil {
		return true
	}
	if c == nil {
		c = &api.GrantConstraints{}
	}
	if p.EncryptionContextEquals != nil && (c.EncryptionContextEquals == nil || !contextEquals(c.EncryptionContextEquals, p.EncryptionContextEquals)) {
		return false
	}
	if p.EncryptionContextSubset != nil {
		switch {
		case c.EncryptionContextEquals != nil:
			return contextIncludes(c.EncryptionContextEquals, p.EncryptionContextSubset)
		case c.EncryptionContextSubset != nil:
			return contextIncludes(c.EncryptionContextSubset, p.EncryptionContextSubset)
		}
		return false
	}
	return true
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// eachGrant visits a key's grants in grant ID order until fn returns false.
func (k *KMS) eachGrant(tx *store.Tx, r *keyRec, fn func(*grantRec) bool) error {
	prefix := r.ID + "/"
	var derr error
	err := tx.Scan(ns(r.Account, r.Region, tGrants), prefix, 0, func(key string, v []byte) bool {
		if !strings.HasPrefix(key, prefix) {
			return false
		}
		var g grantRec
		if derr = json.Unmarshal(v, &g); derr != nil {
			return false
		}
		return fn(&g)
	})
	if derr != nil {
		return derr
	}
	return err
}

// A grant token names its grant: KMS accepts it in place of waiting for the grant to
// propagate. Palisade's grants take effect at once, so tokens are only checked for
// form, and RetireGrant finds its grant by one.
type grantToken struct {
	Account, Region, KeyID, GrantID string
}

func (t grantToken) String() string {
	raw := "pkms1|" + t.Account + "|" + t.Region + "|" + t.KeyID + "|" + t.GrantID + "|" + newHexID()[:32]
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseGrantToken(s string) (grantToken, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return grantToken{}, false
	}
	p := strings.Split(string(raw), "|")
	if len(p) != 6 || p[0] != "pkms1" || !uuidRE.MatchString(p[3]) || len(p[4]) != 64 {
		return grantToken{}, false
	}
	return grantToken{Account: p[1], Region: p[2], KeyID: p[3], GrantID: p[4]}, true
}

func errGrantToken() error { return api.NewInvalidGrantTokenException("The grant token is not valid.") }

func checkGrantTokens(v any) error {
	list, _ := v.([]any)
	for _, t := range list {
		if s, _ := t.(string); s != "" {
			if _, ok := parseGrantToken(s); !ok {
				return errGrantToken()
			}
		}
	}
	return nil
}

// createGrantContext adds CreateGrant's condition keys and returns the grant the
// request would make.
func createGrantContext(in map[string]any, ctx map[string][]string) *childGrant {
	child := &childGrant{}
	if list, ok := in["Operations"].([]any); ok {
		for _, o := range list {
			if s, ok := o.(string); ok {
				child.ops = append(child.ops, s)
			}
		}
	}
	ctx["kms:grantoperations"] = child.ops
	if s, ok := in["GranteePrincipal"].(string); ok {
		ctx["kms:granteeprincipal"] = []string{s}
	}
	if s, ok := in["RetiringPrincipal"].(string); ok {
		ctx["kms:retiringprincipal"] = []string{s}
	}
	ctx["kms:grantisforawsresource"] = []string{"false"}
	if c, ok := in["Constraints"].(map[string]any); ok {
		gc := &api.GrantConstraints{}
		for _, t := range []string{"EncryptionContextEquals", "EncryptionContextSubset"} {
			if m, ok := c[t]; ok {
				ctx["kms:grantconstrainttype"] = []string{t}
				addEncContext(ctx, encContext(m))
				if t == "EncryptionContextEquals" {
					gc.EncryptionContextEquals = encContext(m)
				} else {
					gc.EncryptionContextSubset = encContext(m)
				}
			}
		}
		if gc.EncryptionContextEquals != nil || gc.EncryptionContextSubset != nil {
			child.constraints = gc
		}
	}
	return child
}

func (k *KMS) grantHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateGrant", k.createGrant),
		server.Read("ListGrants", k.listGrants),
		server.Read("ListRetirableGrants", k.listRetirableGrants),
		server.Write("RetireGrant", k.retireGrant),
		server.Write("RevokeGrant", k.revokeGrant),
	}
}

func (k *KMS) createGrant(c *server.Call, in *api.CreateGrantRequest) (*api.CreateGrantResponse, error) {
	r := keyFrom(c, ctxKey)
	// The Developer Guide's key state table: CreateGrant needs an enabled key
	// (DisabledException "… is disabled.", KMSInvalidStateException "… is pending
	// import." or "… is pending deletion.").
	if r.State != stateEnabled {
		return nil, errState(r)
	}
	if err := checkGrantOperations(r, in.Operations); err != nil {
		return nil, err
	}
	if in.Constraints != nil && in.Constraints.EncryptionContextEquals == nil && in.Constraints.EncryptionContextSubset == nil {
		in.Constraints = nil
	}
	if in.Constraints != nil && (r.Spec != api.KeySpecSYMMETRICDEFAULT || r.Usage != api.KeyUsageTypeENCRYPTDECRYPT) {
		// Encryption context constraints need a key whose operations take a context
		// (KMS's words for HMAC, RSA and ECC keys: stackd testdata/aws/kms/hmac.json,
		// rsa.json and ecc.json, constrained_grant).
		return nil, errValidation("EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key.")
	}
	grantee, err := k.bind(c.Tx, in.GranteePrincipal, r.Account)
	if errors.Is(err, errNoSuchRoleID) {
		// KMS's words for a unique ID no role has (grants.json,
		// lifecycle_create_deleted_id); the retiring principal's are inferred.
		err = api.NewInvalidArnException("GranteePrincipal does not refer to a valid principal.")
	}
	if err != nil {
		return nil, err
	}
	var retiring bound
	if in.RetiringPrincipal != nil {
		retiring, err = k.bind(c.Tx, *in.RetiringPrincipal, r.Account)
		if errors.Is(err, errNoSuchRoleID) {
			err = api.NewInvalidArnException("RetiringPrincipal does not refer to a valid principal.")
		}
		if err != nil {
			return nil, err
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	ops := slices.Clone(in.Operations)
	sort.Strings(ops)
	ops = slices.Compact(ops)
	tok := func(id string) *string {
		return ptr(grantToken{Account: r.Account, Region: r.Region, KeyID: r.ID, GrantID: id}.String())
	}
	// A grant with the same name and parameters is the same grant: KMS returns its
	// ID again (CreateGrant is idempotent by Name), principals compared as bound (a
	// role session by its ARN or its role's unique ID: grants.json,
	// lifecycle_named_id_retry).
	var same *grantRec
	if in.Name != nil {
		err := k.eachGrant(c.Tx, r, func(g *grantRec) bool {
			if g.Name == *in.Name && grantee.same(g.Grantee, g.GranteeID) && retiring.same(g.Retiring, g.RetiringID) &&
				slices.Equal(g.Operations, ops) && sameConstraints(g.Constraints, in.Constraints) {
				same = g
				return false
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	if same != nil {
		grantResponse(c, r, same.ID)
		return &api.CreateGrantResponse{GrantId: ptr(same.ID), GrantToken: tok(same.ID)}, nil
	}
	g := &grantRec{
		ID: newHexID(), KeyID: r.ID, Name: str(in.Name), Created: keyTime(c.Now), Grantee: grantee.arn, GranteeID: grantee.id,
		Retiring: retiring.arn, RetiringID: retiring.id, Issuing: "arn:aws:iam::" + c.Principal.Account + ":root", Operations: ops, Constraints: in.Constraints,
	}
	if err := c.Tx.PutJSON(ns(r.Account, r.Region, tGrants), r.ID+"/"+g.ID, g); err != nil {
		return nil, err
	}
	k.resources(c, r)
	grantResponse(c, r, g.ID)
	return &api.CreateGrantResponse{GrantId: ptr(g.ID), GrantToken: tok(g.ID)}, nil
}

// Operations every key's grants may allow, then those of each type and usage
// (Developer Guide, "Key type reference"), in the order KMS lists them when it
// refuses an operation: for an HMAC key it answered "Valid operations are
// [CreateGrant, RetireGrant, DescribeKey, GenerateMac, VerifyMac]" (stackd
// testdata/aws/kms/hmac.json, encryption_grant); the order of the other lists is
// inferred.
var (
	grantOpsAnyKey = []string{"CreateGrant", "RetireGrant", "DescribeKey"}
	grantOpsSym    = []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
		"GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"}
	grantOpsByUsage = map[string][]string{
		api.KeyUsageTypeENCRYPTDECRYPT:    {"Decrypt", "Encrypt", "GetPublicKey", "ReEncryptFrom", "ReEncryptTo"},
		api.KeyUsageTypeSIGNVERIFY:        {"GetPublicKey", "Sign", "Verify"},
		api.KeyUsageTypeKEYAGREEMENT:      {"DeriveSharedSecret", "GetPublicKey"},
		api.KeyUsageTypeGENERATEVERIFYMAC: {"GenerateMac", "VerifyMac"},
	}
)

// checkGrantOperations refuses a grant for operations the key does not support:
// the API reference (CreateGrant, Operations) says "you cannot create a grant for a
// symmetric encryption KMS key that allows the Sign operation, or a grant for an
// asymmetric KMS key that allows the GenerateDataKey operation. If you try, KMS
// returns a ValidationError exception." A grant of CreateGrant alone is refused in
// KMS's words (quoted in ansible/ansible#31960). The refusal of other operations is
// worded as KMS answered it for an HMAC key ("a symmetric KMS key", HMAC keys being
// symmetric); "an asymmetric KMS key" for key pairs is inferred.
func checkGrantOperations(r *keyRec, ops []string) error {
	if len(ops) > 0 && !slices.ContainsFunc(ops, func(o string) bool { return o != "CreateGrant" }) {
		return errValidation("Grants must not contain only the CreateGrant operation.")
	}
	valid := grantOpsByUsage[r.Usage]
	if r.Spec == api.KeySpecSYMMETRICDEFAULT {
		valid = grantOpsSym
	}
	var bad []string
	for _, o := range ops {
		if !slices.Contains(grantOpsAnyKey, o) && !slices.Contains(valid, o) && !slices.Contains(bad, o) {
			bad = append(bad, o)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	family := "a symmetric"
	if specs[r.Spec].asymmetric() {
		family = "an asymmetric"
	}
	return errValidation("Operations [%s] are not supported when creating a grant for %s KMS key with key usage %s. Valid operations are [%s]",
		strings.Join(bad, ", "), family, r.Usage, strings.Join(append(slices.Clone(grantOpsAnyKey), valid...), ", "))
}

func sameConstraints(a, b *api.GrantConstraints) bool {
	if a == nil || b == nil {
		return a == b
	}
	return maps.Equal(a.EncryptionContextEquals, b.EncryptionContextEquals) && maps.Equal(a.EncryptionContextSubset, b.EncryptionContextSubset)
}

// grantEntry is a grant as the List operations show it: a principal whose role was
// deleted as the unique ID it is bound to (grants.json, lifecycle_list_deleted).
func (k *KMS) grantEntry(tx *store.Tx, g *grantRec) (api.GrantListEntry, error) {
	grantee, err := k.shown(tx, g.Grantee, g.GranteeID)
	if err != nil {
		return api.GrantListEntry{}, err
	}
	e := api.GrantListEntry{
		KeyId: ptr(g.KeyID), GrantId: ptr(g.ID), CreationDate: ptr(g.Created), GranteePrincipal: ptr(grantee),
		IssuingAccount: ptr(g.Issuing), Operations: g.Operations, Constraints: g.Constraints,
	}
	if g.Name != "" {
		e.Name = ptr(g.Name)
	}
	if g.Retiring != "" {
		retiring, err := k.shown(tx, g.Retiring, g.RetiringID)
		if err != nil {
			return api.GrantListEntry{}, err
		}
		e.RetiringPrincipal = ptr(retiring)
	}
	return e, nil
}

// page is one List* request's Limit and Marker. A marker is an opaque token over the
// last item's store key (or index), MAC'd as svckit.Token does, so a marker Palisade
// did not hand out (made up or altered) is InvalidMarkerException rather than a
// position to resume after.
type page struct {
	after string
	limit int
}

func newPage(tx *store.Tx, limit *int32, marker *string, def int) (page, error) {
	p := page{limit: def}
	if limit != nil {
		p.limit = int(*limit)
	}
	if marker != nil {
		pos, ok := svckit.ParseToken(tx, *marker)
		if !ok {
			return p, errInvalidMarker()
		}
		p.after = pos
	}
	return p, nil
}

// nextMarker is the NextMarker of a page that ends after pos.
func nextMarker(tx *store.Tx, pos string) *string {
	return ptr(svckit.Token(tx, pos))
}

// errInvalidMarker is KMS's answer to a Marker it did not hand out: no message, as
// KMS answered ListKeyRotations (stackd testdata/aws/kms/rotation.json,
// invalid_marker; the other List operations are inferred to answer alike).
func errInvalidMarker() error {
	return api.NewInvalidMarkerException("")
}

func (k *KMS) listGrants(c *server.Call, in *api.ListGrantsRequest) (*api.ListGrantsResponse, error) {
	r := keyFrom(c, ctxKey)
	if in.GrantId != nil && len(*in.GrantId) != 64 {
		return nil, api.NewInvalidGrantIdException("Invalid grant ID " + *in.GrantId)
	}
	p, err := newPage(c.Tx, in.Limit, in.Marker, 50)
	if err != nil {
		return nil, err
	}
	var grantee bound
	if in.GranteePrincipal != nil {
		grantee, err = k.bind(c.Tx, *in.GranteePrincipal, r.Account)
		if errors.Is(err, errNoSuchRoleID) {
			// grants.json, lifecycle_filter_deleted_id.
			err = api.NewInvalidArnException("Input does not refer to a valid principal")
		}
		if err != nil {
			return nil, err
		}
	}
	out := &api.ListGrantsResponse{Grants: []api.GrantListEntry{}, Truncated: ptr(false)}
	var eerr error
	err = k.eachGrant(c.Tx, r, func(g *grantRec) bool {
		if g.ID <= p.after || in.GrantId != nil && g.ID != *in.GrantId || in.GranteePrincipal != nil && !grantee.same(g.Grantee, g.GranteeID) {
			return true
		}
		if len(out.Grants) == p.limit {
			out.Truncated, out.NextMarker = ptr(true), nextMarker(c.Tx, *out.Grants[len(out.Grants)-1].GrantId)
			return false
		}
		var e api.GrantListEntry
		if e, eerr = k.grantEntry(c.Tx, g); eerr != nil {
			return false
		}
		out.Grants = append(out.Grants, e)
		return true
	})
	if eerr != nil {
		return nil, eerr
	}
	return out, err
}

func (k *KMS) listRetirableGrants(c *server.Call, in *api.ListRetirableGrantsRequest) (*api.ListGrantsResponse, error) {
	p, err := newPage(c.Tx, in.Limit, in.Marker, 50)
	if err != nil {
		return nil, err
	}
	retiring, err := k.bind(c.Tx, in.RetiringPrincipal, c.Account)
	if errors.Is(err, errNoSuchRoleID) {
		// grants.json, lifecycle_retirable_deleted_id.
		err = api.NewNotFoundException("Retiring principal " + in.RetiringPrincipal + " could not be found")
	}
	if err != nil {
		return nil, err
	}
	out := &api.ListGrantsResponse{Grants: []api.GrantListEntry{}, Truncated: ptr(false)}
	var derr error
	var last string
	err = c.Tx.Scan(ns(c.Account, c.Region, tGrants), p.after, 0, func(key string, v []byte) bool {
		var g grantRec
		if derr = json.Unmarshal(v, &g); derr != nil {
			return false
		}
		if g.Retiring == "" || !retiring.same(g.Retiring, g.RetiringID) {
			return true
		}
		if len(out.Grants) == p.limit {
			out.Truncated, out.NextMarker = ptr(true), nextMarker(c.Tx, last)
			return false
		}
		var e api.GrantListEntry
		if e, derr = k.grantEntry(c.Tx, &g); derr != nil {
			return false
		}
		out.Grants = append(out.Grants, e)
		last = key
		return true
	})
	if derr != nil {
		return nil, derr
	}
	return out, err
}

// grantTarget is the grant a RetireGrant names, by token or by key ARN and grant ID.
func (k *KMS) grantTarget(c *server.Call, in map[string]any) (*keyRec, *grantRec, error) {
	s := func(n string) string { v, _ := in[n].(string); return v }
	var r *keyRec
	var id string
	if tok := s("GrantToken"); tok != "" {
		t, ok := parseGrantToken(tok)
		if !ok {
			return nil, nil, errGrantToken()
		}
		rec, err := k.loadKey(c.Tx, t.Account, t.Region, t.KeyID, c.Now)
		if err != nil {
			return nil, nil, err
		}
		r, id = rec, t.GrantID
	} else {
		if s("KeyId") == "" || s("GrantId") == "" {
			return nil, nil, errValidation("Grant token OR (grant ID, key ID) must be specified")
		}
		rec, err := k.keyOf(c, s("KeyId"), false)
		if err != nil {
			return nil, nil, err
		}
		r, id = rec, s("GrantId")
	}
	g, err := k.grant(c.Tx, r, id)
	return r, g, err
}

func (k *KMS) grant(tx *store.Tx, r *keyRec, id string) (*grantRec, error) {
	if len(id) != 64 {
		return nil, api.NewInvalidGrantIdException("Invalid grant ID " + id)
	}
	g, err := load[grantRec](tx, ns(r.Account, r.Region, tGrants), r.ID+"/"+id)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, api.NewNotFoundException("Grant ID " + id + " not found")
	}
	return g, nil
}

// retireChecks: the grant's retiring principal, or its grantee when the grant lists
// RetireGrant, retires it without any policy in the key's account; anyone else needs
// kms:RetireGrant in the key policy. A retiring principal or grantee that is a role
// covers the role's sessions, and retires as a grant to the role allows (grantBlock):
// limited by the session's session policy and boundary, and, across accounts, by the
// caller's own policies (stackd testdata/aws/kms/grants.json, cross_retire_*).
func (k *KMS) retireChecks(c *server.Call, in map[string]any) ([]authz.Check, error) {
	r, g, err := k.grantTarget(c, in)
	if err != nil {
		return nil, err
	}
	withKey(c, ctxKey, r)
	c.Context = contextWithGrant(c, g)
	level := covers(g.Retiring, g.RetiringID, c.Principal)
	if slices.Contains(g.Operations, "RetireGrant") {
		level = max(level, covers(g.Grantee, g.GranteeID, c.Principal))
	}
	same := r.Account == c.Principal.Account
	if level == coversDirect && same {
		return []authz.Check{}, nil
	}
	ctx := opContext(c, "RetireGrant", in, r)
	if level == coversNone || k.az == nil {
		return k.keyCheck(c, "kms:RetireGrant", "", r, ctx, nil, nil)
	}
	pol, err := k.compiledPolicy(r)
	if err != nil {
		return nil, err
	}
	chk := authz.Check{Action: "kms:RetireGrant", Resource: r.arn(), ResourceAccount: r.Account, Context: ctx, ResourcePolicy: pol, ResourceMustAllow: true}
	d, err := k.az.Decide(c.Tx, callerOf(c), &chk)
	if err != nil {
		return nil, err
	}
	if d.Result.Decision != policy.ImplicitDeny {
		return []authz.Check{chk}, nil
	}
	if t, blocked := grantBlock(d, level, same || g.issuedBy(c.Principal.Account)); blocked {
		return nil, grantDenied(c, "kms:RetireGrant", r, t)
	}
	return []authz.Check{}, nil
}

// grantResponse is CreateGrant's responseElements: the grant's ID and, since
// December 2022, the key's ARN; never the grant token (KMS Developer Guide,
// ct-creategrant, whose examples show grantId and keyId alone).
func grantResponse(c *server.Call, r *keyRec, id string) {
	c.ResponseElements = map[string]any{"grantId": id, "keyId": r.arn()}
}

func (k *KMS) retireGrant(c *server.Call, in *api.RetireGrantRequest) (*model.Empty, error) {
	r, g := keyFrom(c, ctxKey), grantFrom(c)
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	_, err := c.Tx.Delete(ns(r.Account, r.Region, tGrants), r.ID+"/"+g.ID)
	k.resources(c, r)
	// The grant is named by its ID here, its token left out of requestParameters
	// (KMS Developer Guide, ct-retire-grant; internal/audit's paramsOmitted).
	c.AdditionalEventData = map[string]any{"grantId": g.ID}
	return &model.Empty{}, err
}

func (k *KMS) revokeGrant(c *server.Call, in *api.RevokeGrantRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	g, err := k.grant(c.Tx, r, in.GrantId)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(r.Account, r.Region, tGrants), r.ID+"/"+g.ID)
	k.resources(c, r)
	return &model.Empty{}, err
}
