// Package kms serves AWS Key Management Service with real cryptography: customer and
// AWS managed keys (AES-256-GCM symmetric keys, RSA, NIST and secp256k1 ECC, HMAC),
// their key policies, grants, aliases, tags, rotation, deletion on Palisade's clock,
// imported key material and multi-Region keys (mrk.go: related keys in several
// Regions of an account, each a record in its Region, sharing material and rotation).
//
// Keys live in namespaces keyed by account and region (store.NS("kms", account,
// region, kind)). Key material is generated here, sealed under Palisade's master key
// (store.Sealer) with the key ARN and material ID as associated data, and never leaves
// the package except as the outputs the API defines (public keys, data keys). Every
// call is authorized before its handler by the Checks hook: the key policy is a
// resource policy that must allow on its own (authz.Check.ResourceMustAllow), grants
// allow what they list unless a policy explicitly denies (a grant to a role within
// its sessions' session policies and boundary; one the key's account makes to another
// account's principal only with that principal's own policies: grantBlock), and the
// request's kms:* condition keys come from the input.
//
// Time-driven work (scheduled deletion, automatic rotation, expiry of imported
// material) is indexed in one global schedule namespace and done by Run, which wakes
// when the next entry falls due on Palisade's clock or when an admin moves the clock.
package kms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Deps is what KMS needs from the rest of Palisade.
type Deps struct {
	Store *store.DB
	// Sealer seals key material at rest under the master key.
	Sealer *store.Sealer
	// Authz compiles key policies (with its cache) and decides grant users' checks;
	// it must be the server's authorizer.
	Authz *authz.Authorizer
	// Roles reads IAM's roles, for grants to roles and role sessions; nil leaves
	// grant principals unchecked and bound by name only.
	Roles Roles
	// Clock is Palisade's clock, for the background work.
	Clock  *clock.Clock
	Logger *slog.Logger
}

// Roles is what KMS reads of IAM's roles, in the call's transaction: a grant to a
// role or a role session binds the role's unique ID, as KMS does, so a role deleted and
// made again under the same name does not inherit its grants.
type Roles interface {
	// RoleByName returns the ARN (with its path) and unique ID (AROA…) of the
	// account's role of that name; ok is false when the account has none.
	RoleByName(tx *store.Tx, account, name string) (arn, id string, ok bool, err error)
	// RoleByID returns the ARN of the account's role whose unique ID is id; ok is
	// false when it has none (the role was deleted).
	RoleByID(tx *store.Tx, account, id string) (arn string, ok bool, err error)
}

// KMS is the key service: its API (Service), its background work (Run) and the seam
// other services encrypt through (ForService).
type KMS struct {
	db     *store.DB
	sealer *store.Sealer
	az     *authz.Authorizer
	roles  Roles
	clock  *clock.Clock
	log    *slog.Logger

	// wake tells Run that the schedule changed (a new earlier entry).
	wake chan struct{}
	// cache holds keys for read-only calls.
	cache keyCache
	// createMu serializes the creation of AWS managed keys outside a write
	// transaction, so two first uses do not make two keys.
	createMu sync.Mutex
}

// New assembles KMS. Call Run in a goroutine for the time-driven work.
func New(d Deps) *KMS {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = &clock.Clock{}
	}
	return &KMS{db: d.Store, sealer: d.Sealer, az: d.Authz, roles: d.Roles, clock: d.Clock, log: d.Logger, wake: make(chan struct{}, 1)}
}

// Service returns KMS's handlers for the server.
func (k *KMS) Service() server.Service {
	var hs []server.Handler
	for _, g := range [][]server.Handler{
		k.keyHandlers(), k.cryptoHandlers(), k.policyHandlers(), k.grantHandlers(),
		k.aliasHandlers(), k.rotationHandlers(), k.importHandlers(), k.mrkHandlers(),
	} {
		hs = append(hs, g...)
	}
	// CreateKey's Tags need kms:TagResource in an IAM policy as well, covering every
	// key of the account and Region (KMS API Reference, CreateKey).
	return server.Service{Model: api.Service, Handlers: hs, Checks: k.checks,
		TagOnCreate: map[string][]string{"CreateKey": {"kms:TagResource"}}}
}

// Record kinds: the last part of each namespace.
const (
	tKeys    = "keys"    // key ID → keyRec
	tAliases = "aliases" // alias name → aliasRec
	tGrants  = "grants"  // keyID/grantID → grantRec
)

func ns(account, region, kind string) string { return store.NS("kms", account, region, kind) }

// Key states, usages, origins and managers as the API spells them.
const (
	stateEnabled  = api.KeyStateEnabled
	stateDisabled = api.KeyStateDisabled
	statePending  = api.KeyStatePendingDeletion
	stateImport   = api.KeyStatePendingImport
	// A multi-Region key's states: a new replica is Creating, both keys of a primary
	// change Updating, a primary deleted before its replicas PendingReplicaDeletion.
	stateCreating       = api.KeyStateCreating
	stateUpdating       = api.KeyStateUpdating
	statePendingReplica = api.KeyStatePendingReplicaDeletion
	managerCust         = api.KeyManagerTypeCUSTOMER
	managerAWS          = api.KeyManagerTypeAWS
	originKMS           = api.OriginTypeAWSKMS
	originExternal      = api.OriginTypeEXTERNAL
)

// keyRec is a KMS key as stored.
type keyRec struct {
	ID            string     `json:"id"`
	Account       string     `json:"account"`
	Region        string     `json:"region"`
	Created       time.Time  `json:"created"`
	Description   string     `json:"description"`
	Usage         string     `json:"usage"`
	Spec          string     `json:"spec"`
	Origin        string     `json:"origin"`
	Manager       string     `json:"manager"`
	State         string     `json:"state"`
	DeletionDate  *time.Time `json:"deletionDate,omitempty"`
	PendingWindow int32      `json:"pendingWindow,omitempty"`
	Policy        string     `json:"policy"`
	Tags          []api.Tag  `json:"tags,omitempty"`
	// Rotation is set while automatic rotation is enabled.
	Rotation *rotationRec `json:"rotation,omitempty"`
	// OnDemand counts on-demand rotations (AWS allows 25 per key).
	OnDemand int `json:"onDemand,omitempty"`
	// Materials holds every key material the key has had, oldest first; Current
	// names the one new ciphertexts and signatures use.
	Materials []material `json:"materials,omitempty"`
	Current   string     `json:"current,omitempty"`
	// ValidTo and Expiration describe imported key material.
	ValidTo    *time.Time `json:"validTo,omitempty"`
	Expiration string     `json:"expiration,omitempty"`
	// Imported is the fingerprint of the key material imported into an EXTERNAL
	// key, kept after the material is deleted so that only the same material can be
	// imported again, as AWS requires.
	Imported string `json:"imported,omitempty"`
	// Primary and Replicas are a multi-Region key's Regions, the same in every related
	// key's record (mrk.go).
	Primary  string   `json:"primary,omitempty"`
	Replicas []string `json:"replicas,omitempty"`
	// Until is when a Creating or Updating key becomes Enabled.
	Until *time.Time `json:"until,omitempty"`
}

type rotationRec struct {
	PeriodDays int32     `json:"periodDays"`
	Next       time.Time `json:"next"`
}

// material is one version of a key's material, sealed.
type material struct {
	ID      string    `json:"id"`
	Sealed  []byte    `json:"sealed"`
	Created time.Time `json:"created"`
	// Rotation is "" for the key's first material, else AUTOMATIC or ON_DEMAND.
	Rotation string `json:"rotation,omitempty"`
	// Pending marks imported material waiting for RotateKeyOnDemand (ImportKeyMaterial
	// with ImportType NEW_KEY_MATERIAL): never used, not even to decrypt.
	Pending bool `json:"pending,omitempty"`
	// Expiration and ValidTo are an imported material's own terms, which
	// ListKeyRotations shows; the key's (keyRec) are its current material's.
	Expiration string     `json:"expiration,omitempty"`
	ValidTo    *time.Time `json:"validTo,omitempty"`
	// Description is the KeyMaterialDescription it was imported with.
	Description string `json:"description,omitempty"`
}

func (r *keyRec) arn() string { return keyARN(r.Region, r.Account, r.ID) }

func keyARN(region, account, id string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + id
}

func aliasARN(region, account, name string) string {
	return "arn:aws:kms:" + region + ":" + account + ":" + name
}

// sealContext binds sealed material to its key and version.
func sealContext(arn, materialID string) string { return "kms/" + arn + "/" + materialID }

// currentMaterial returns the material new operations use; nil when the key has none
// (an EXTERNAL key pending import, whose Current may still name the material a
// multi-Region replica waits for).
func (r *keyRec) currentMaterial() *material {
	for i := range r.Materials {
		if r.Materials[i].ID == r.Current && r.Materials[i].Sealed != nil {
			return &r.Materials[i]
		}
	}
	return nil
}

func (r *keyRec) materialByID(id string) *material {
	for i := range r.Materials {
		if r.Materials[i].ID == id && !r.Materials[i].Pending && r.Materials[i].Sealed != nil {
			return &r.Materials[i]
		}
	}
	return nil
}

// aliasRec is an alias as stored.
type aliasRec struct {
	Name    string    `json:"name"`
	KeyID   string    `json:"keyId"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// newHexID returns 64 random hex digits: key material IDs and grant IDs look so.
func newHexID() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// keyTime drops sub-millisecond precision, which KMS's timestamps do not have.
func keyTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func load[T any](tx *store.Tx, namespace, key string) (*T, error) {
	v := new(T)
	ok, err := tx.GetJSON(namespace, key, v)
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

// putKey stores a key; every write of a key goes through putKey or deleteKey, which
// keep the cache right. A multi-Region primary's write reaches its replicas.
func (k *KMS) putKey(tx *store.Tx, r *keyRec) error {
	if err := k.putOne(tx, r); err != nil {
		return err
	}
	return k.syncReplicas(tx, r)
}

func (k *KMS) putOne(tx *store.Tx, r *keyRec) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	k.cache.changed(tx, r.Account, r.Region, r.ID, data)
	return tx.Put(ns(r.Account, r.Region, tKeys), r.ID, data)
}

// errValidation is KMS's ValidationException, which the model does not list but KMS
// returns for invalid parameter combinations.
func errValidation(format string, args ...any) error {
	return &model.Error{Code: "ValidationException", Message: fmt.Sprintf(format, args...), Status: 400, Sender: true}
}

// Error messages AWS uses, confirmed from real responses quoted in public issues:
// "Key 'arn…' does not exist", "arn… is disabled.", "arn… is pending deletion.",
// "arn… key usage is SIGN_VERIFY which is not valid for Encrypt.".
func errKeyNotFound(arn string) error {
	return api.NewNotFoundException("Key '" + arn + "' does not exist")
}

func errAliasNotFound(arn string) error {
	return api.NewNotFoundException("Alias " + arn + " is not found.")
}

func errInvalidKeyID(id string) error { return api.NewNotFoundException("Invalid keyId '" + id + "'") }

// errState is the error for a key that exists but cannot be used in its state.
func errState(r *keyRec) error {
	switch r.State {
	case stateDisabled:
		return api.NewDisabledException(r.arn() + " is disabled.")
	case statePending:
		return api.NewKMSInvalidStateException(r.arn() + " is pending deletion.")
	case stateImport:
		return api.NewKMSInvalidStateException(r.arn() + " is pending import.")
	case statePendingReplica:
		// Recorded 2026: multi_region.json, tag_deleting_us-west-2.
		return api.NewKMSInvalidStateException(r.arn() + " is pending replica deletion.")
	}
	return api.NewKMSInvalidStateException(r.arn() + " is " + strings.ToLower(r.State) + ".")
}

// usable checks that a key can perform cryptographic operations: enabled, with
// material, of the usage the operation needs.
func usable(r *keyRec, usage, op string) error {
	if r.State != stateEnabled {
		return errState(r)
	}
	if r.Usage != usage {
		return api.NewInvalidKeyUsageException(r.arn() + " key usage is " + r.Usage + " which is not valid for " + op + ".")
	}
	return nil
}

// notDeleting refuses management changes on a key pending deletion (and, for the
// operations that need material, pending import).
func notDeleting(r *keyRec) error {
	if r.State == statePending || r.State == statePendingReplica {
		return errState(r)
	}
	return nil
}

func dryRun(p *bool) error {
	if p != nil && *p {
		return api.NewDryRunOperationException("The request would have succeeded, but the DryRun option is set.")
	}
	return nil
}

// keyCtx carries the key the Checks hook resolved to the handler, so a call reads
// its key once.
type keyCtx struct{ name string }

func withKey(c *server.Call, name string, r *keyRec) {
	c.Context = context.WithValue(c.Context, keyCtx{name}, r)
}

func keyFrom(c *server.Call, name string) *keyRec {
	r, _ := c.Value(keyCtx{name}).(*keyRec)
	return r
}

type grantCtx struct{}

func contextWithGrant(c *server.Call, g *grantRec) context.Context {
	return context.WithValue(c.Context, grantCtx{}, g)
}

func grantFrom(c *server.Call) *grantRec {
	g, _ := c.Value(grantCtx{}).(*grantRec)
	return g
}

// resources names the key in the call's CloudTrail record, as KMS's records do.
func (k *KMS) resources(c *server.Call, r *keyRec) {
	c.Resources = keyResources(r)
}

// keyIDResponse names r's key ARN as the record's responseElements.keyId. KMS's
// records of these operations do so since December 2022, "even though this operation
// does not return the key ARN" (KMS Developer Guide: ct-enablekey, ct-disablekey,
// ct-enablekeyrotation, ct-untagresource, ct-createalias, ct-updatealias,
// ct-deletealias, ct-creategrant, ct-delete-key). The guide's pages for
// DisableKeyRotation, TagResource, UpdateKeyDescription, PutKeyPolicy, RetireGrant
// and RevokeGrant do not say so and show responseElements null: those stay null.
func keyIDResponse(c *server.Call, r *keyRec) {
	c.ResponseElements = map[string]any{"keyId": r.arn()}
}

// keyResources are a record's resources for a call on r.
func keyResources(r *keyRec) []audit.Resource {
	return []audit.Resource{{ARN: r.arn(), AccountID: r.Account, Type: "AWS::KMS::Key", AccountFirst: true}}
}
