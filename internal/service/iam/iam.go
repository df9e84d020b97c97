// Package iam serves AWS Identity and Access Management: users, groups, roles, instance
// profiles, managed and inline policies (with the catalog of AWS managed policies),
// access keys, console passwords and the account password policy, virtual MFA devices,
// OIDC and SAML providers, account aliases and the account reports (credential report,
// account summary, authorization details, service last accessed).
//
// IAM is global: its state lives in namespaces keyed by account only
// (store.NS("iam", account, "", kind)). Names are unique case-insensitively, as in IAM,
// so records are keyed by the lower-cased name and keep the name as given. Relations
// (group members, attachments, inline policies, keys) are keyed by the entity's unique
// ID, so renaming a user or a group moves one record, not its relations.
package iam

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Deps is what IAM needs from the rest of Palisade.
type Deps struct {
	// Keys is the access-key store the server authenticates with: keys IAM creates
	// must sign requests at once.
	Keys *auth.Keys
	// Sealer seals secrets at rest (virtual MFA seeds).
	Sealer *store.Sealer
	// Usage records when keys and principals were last used; the server feeds it
	// through Usage.Record. Nil disables last-used data (it reads as never used).
	Usage *Usage
	// Orgs places accounts in their organizations for centralized root access; nil
	// answers every account as outside one.
	Orgs Organizations
}

type svc struct {
	keys   *auth.Keys
	sealer *store.Sealer
	usage  *Usage
	orgs   Organizations
}

// Service returns IAM for the server.
func Service(d Deps) server.Service {
	s := &svc{keys: d.Keys, sealer: d.Sealer, usage: d.Usage, orgs: d.Orgs}
	var hs []server.Handler
	for _, group := range [][]server.Handler{
		s.userHandlers(), s.groupHandlers(), s.roleHandlers(), s.instanceProfileHandlers(),
		s.policyHandlers(), s.inlineHandlers(), s.attachHandlers(), s.accessKeyHandlers(),
		s.loginHandlers(), s.mfaHandlers(), s.reportHandlers(), s.accountHandlers(), s.outboundHandlers(),
		s.providerHandlers(), s.simulatorHandlers(), s.sshKeyHandlers(), s.serviceCredHandlers(),
		s.signingCertHandlers(), s.serverCertHandlers(), s.rootAccessHandlers(),
	} {
		hs = append(hs, group...)
	}
	return server.Service{Model: api.Service, Handlers: hs, Global: true, Checks: s.checks, InvalidatesAuthz: true, TagOnCreate: tagOnCreate,
		RecordsShapeNames: true}
}

// Record kinds: the last part of each namespace.
const (
	tUsers     = "users"             // lower(name) → userRec
	tGroups    = "groups"            // lower(name) → groupRec
	tRoles     = "roles"             // lower(name) → roleRec
	tPolicies  = "policies"          // lower(name) → policyRec (customer managed)
	tProfiles  = "instance-profiles" // lower(name) → profileRec
	tIDs       = "ids"               // unique ID → idRec (kind and lower(name))
	tInline    = "inline"            // kind/entityID/policyName → inlineRec
	tAttached  = "attached"          // kind/entityID/policyARN → ""
	tPolicyUse = "policy-use"        // policyARN → policyUse (attachment and boundary counts)
	tPolicyEnt = "policy-entities"   // policyARN|kind/entityID → ""
	tMembers   = "members"           // g/groupID/userID and u/userID/groupID → ""
	tRoleProfs = "role-profiles"     // roleID/profileID → ""
	tUserKeys  = "user-keys"         // userID/accessKeyID → ""
	tLogins    = "login-profiles"    // userID → loginRec
	tMFA       = "mfa"               // lower(serial) → mfaRec
	tUserMFA   = "user-mfa"          // userID/serial → ""
	tMFALock   = "mfa-lock"          // lower(serial) → mfaLock of a deleted device
	tAccount   = "account"           // password-policy, alias, credential-report, created
	tOIDC      = "oidc-providers"    // lower(url host+path) → oidcRec
	tSAML      = "saml-providers"    // lower(name) → samlRec
	tJobs      = "access-jobs"       // job ID → accessJob
	tSSHKeys   = "ssh-keys"          // userID/keyID → sshKeyRec
	tSvcCreds  = "service-creds"     // userID/credID → svcCredRec
	tSignCerts = "signing-certs"     // owner/certID → signingCertRec (owner: user ID, or "root")
	tCertIDs   = "signing-cert-ids"  // certID → owner (IDs are unique in the account)
	tSrvCerts  = "server-certs"      // lower(name) → serverCertRec
)

// The kinds of principal entity, as used in relation keys.
const (
	kUser  = "user"
	kGroup = "group"
	kRole  = "role"
	// kServerCert is the resource type of server certificates in ARNs and checks.
	kServerCert = "server-certificate"
)

func ns(account, kind string) string { return store.NS("iam", account, "", kind) }

// lk is the key of a case-insensitively unique name.
func lk(name string) string { return strings.ToLower(name) }

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// pathOr is the entity path, "/" when none is given.
func pathOr(p *string) string {
	if p == nil || *p == "" {
		return "/"
	}
	return *p
}

// newID returns an IAM unique ID: a four-letter prefix naming the kind (AIDA users,
// AGPA groups, AROA roles, ANPA policies, AIPA instance profiles) and 17 characters.
func newID(prefix string) string { return auth.NewID(prefix, 17) }

// iamARN builds arn:aws:iam::ACCOUNT:KIND PATH NAME; path starts and ends with "/".
func iamARN(account, kind, path, name string) string {
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// timeUTC drops the monotonic clock reading and sub-second precision, as IAM's
// timestamps have none.
func timeUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// entity is what users, groups, roles, policies and instance profiles share.
type entity struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Tags    []api.Tag `json:"tags,omitempty"`
}

func (e *entity) tagList() *[]api.Tag { return &e.Tags }

// idRec resolves a unique ID to its record.
type idRec struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
}

// load reads the JSON record at ns/key; nil when there is none.
func load[T any](tx *store.Tx, namespace, key string) (*T, error) {
	v := new(T)
	ok, err := tx.GetJSON(namespace, key, v)
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

// loadByID reads the record of kind table whose unique ID is id; nil when none.
func loadByID[T any](tx *store.Tx, account, table, id string) (*T, error) {
	r, err := load[idRec](tx, ns(account, tIDs), id)
	if err != nil || r == nil || r.Kind != table {
		return nil, err
	}
	return load[T](tx, ns(account, table), r.Key)
}

// insertEntity stores a new entity record under its lower-cased name and indexes its
// ID; it reports false when the name is taken.
func insertEntity(tx *store.Tx, account, table string, e *entity, rec any) (bool, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	ok, err := tx.Insert(ns(account, table), lk(e.Name), b)
	if err != nil || !ok {
		return false, err
	}
	return true, tx.PutJSON(ns(account, tIDs), e.ID, idRec{Kind: table, Key: lk(e.Name)})
}

// accountQuotas are IAM's default quotas of entities per account (IAM User Guide, "IAM
// and AWS STS quotas"), with the names its LimitExceeded messages quote.
var accountQuotas = map[string]struct {
	name string
	max  int
}{
	tUsers:    {"UsersPerAccount", 5000},
	tGroups:   {"GroupsPerAccount", 300},
	tRoles:    {"RolesPerAccount", 1000},
	tProfiles: {"InstanceProfilesPerAccount", 1000},
	// "Cannot exceed quota for ServerCertificatesPerAccount: 20", as users report it.
	tSrvCerts: {"ServerCertificatesPerAccount", 20},
}

// checkAccountQuota refuses a new entity of kind table when the account already holds
// its quota of them: LimitExceeded "Cannot exceed quota for InstanceProfilesPerAccount:
// 1000", as IAM answers.
func checkAccountQuota(tx *store.Tx, account, table string) error {
	q := accountQuotas[table]
	n, err := tx.Count(ns(account, table))
	if err != nil {
		return err
	}
	if n >= q.max {
		return limitExceeded(fmt.Sprintf("Cannot exceed quota for %s: %d", q.name, q.max))
	}
	return nil
}

// deleteEntity removes an entity record and its ID index.
func deleteEntity(tx *store.Tx, account, table string, e *entity) error {
	if _, err := tx.Delete(ns(account, table), lk(e.Name)); err != nil {
		return err
	}
	_, err := tx.Delete(ns(account, tIDs), e.ID)
	return err
}

// exists reports whether any key of namespace starts with prefix.
func exists(tx *store.Tx, namespace, prefix string) (bool, error) {
	found := false
	err := scanPrefix(tx, namespace, prefix, "", func(string, []byte) (bool, error) {
		found = true
		return false, nil
	})
	return found, err
}

// countPrefix counts the keys of namespace that start with prefix.
func countPrefix(tx *store.Tx, namespace, prefix string) (int, error) {
	n := 0
	err := scanPrefix(tx, namespace, prefix, "", func(string, []byte) (bool, error) {
		n++
		return true, nil
	})
	return n, err
}

// scanPrefix visits, in key order, the keys of namespace that start with prefix and
// sort after `after` ("" for all), until fn returns false or an error.
func scanPrefix(tx *store.Tx, namespace, prefix, after string, fn func(key string, val []byte) (bool, error)) error {
	start := prefix
	if after > start {
		start = after
	}
	var ferr error
	err := tx.Scan(namespace, start, 0, func(k string, v []byte) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		var more bool
		more, ferr = fn(k, v)
		return ferr == nil && more
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// suffixes returns the rest of every key of namespace after prefix, in order.
func suffixes(tx *store.Tx, namespace, prefix string) ([]string, error) {
	var out []string
	err := scanPrefix(tx, namespace, prefix, "", func(k string, _ []byte) (bool, error) {
		out = append(out, k[len(prefix):])
		return true, nil
	})
	return out, err
}

// pager is one page request: IAM's Marker and MaxItems (1–1000, default 100).
// Markers are svckit page tokens (the position and a MAC), so a made-up or altered
// Marker is refused instead of read as a position.
type pager struct {
	tx    *store.Tx
	after string
	max   int
}

// errMarker is the answer to a Marker this server did not hand out. IAM's own wording
// for it is not documented; this is the generic validation error.
func errMarker() error {
	return errValidation("Invalid Marker.")
}

func newPager(tx *store.Tx, marker *string, maxItems *int32) (pager, error) {
	p := pager{tx: tx, max: 100}
	if maxItems != nil {
		p.max = int(*maxItems)
	}
	if marker != nil && *marker != "" {
		pos, ok := svckit.ParseToken(tx, *marker)
		if !ok || pos == "" {
			return p, errMarker()
		}
		p.after = pos
	}
	return p, nil
}

// done returns IsTruncated and Marker for a page that ended at lastKey: Marker only
// when more items follow, as IAM answers.
func (p pager) done(lastKey string, more bool) (*bool, *string) {
	if !more {
		return ptr(false), nil
	}
	return ptr(true), ptr(svckit.Token(p.tx, lastKey))
}

// page lists the records under prefix in key order, from the marker, keeping those
// keep accepts (nil keeps all), converting each with conv.
func page[T, Out any](tx *store.Tx, namespace, prefix string, p pager, keep func(*T) bool, conv func(*T) (Out, error)) ([]Out, *bool, *string, error) {
	out := []Out{}
	last, more := "", false
	err := scanPrefix(tx, namespace, prefix, p.after, func(k string, v []byte) (bool, error) {
		rec := new(T)
		if err := json.Unmarshal(v, rec); err != nil {
			return false, fmt.Errorf("iam: decode %s/%s: %w", namespace, k, err)
		}
		if keep != nil && !keep(rec) {
			return true, nil
		}
		if len(out) == p.max {
			more = true
			return false, nil
		}
		o, err := conv(rec)
		if err != nil {
			return false, err
		}
		out = append(out, o)
		last = k
		return true, nil
	})
	trunc, marker := p.done(last, more)
	return out, trunc, marker, err
}

// slicePage pages an in-memory list: the marker is the index of the next item.
func slicePage[T any](items []T, p pager) ([]T, *bool, *string, error) {
	start, end, trunc, marker, err := pageBounds(len(items), p)
	if err != nil {
		return nil, nil, nil, err
	}
	return append([]T{}, items[start:end]...), trunc, marker, nil
}

// pageBounds is the page [start, end) of n items the pager asks for, with its
// IsTruncated and Marker, for lists computed item by item.
func pageBounds(n int, p pager) (start, end int, trunc *bool, marker *string, err error) {
	if p.after != "" {
		i, err := strconv.Atoi(p.after)
		if err != nil || i < 0 || i > n {
			return 0, 0, nil, nil, errMarker()
		}
		start = i
	}
	end = min(start+p.max, n)
	trunc, marker = p.done(strconv.Itoa(end), end < n)
	return start, end, trunc, marker, nil
}

// errValidation is IAM's ValidationError (400), which the model does not name: the
// query protocol's generic client error.
func errValidation(msg string) error {
	return model.NewError(400, "ValidationError", "%s", msg)
}

// noSuch* and exists* are IAM's NoSuchEntity and EntityAlreadyExists messages.
func noSuchUser(name string) error {
	return api.NewNoSuchEntityException("The user with name " + name + " cannot be found.")
}

func noSuchGroup(name string) error {
	return api.NewNoSuchEntityException("The group with name " + name + " cannot be found.")
}

func noSuchRole(name string) error {
	return api.NewNoSuchEntityException("The role with name " + name + " cannot be found.")
}

func noSuchProfile(name string) error {
	return api.NewNoSuchEntityException("Instance Profile " + name + " cannot be found.")
}

func noSuchPolicy(arn string) error {
	return api.NewNoSuchEntityException("Policy " + arn + " was not found.")
}

func notAttachable(arn string) error {
	return api.NewNoSuchEntityException("Policy " + arn + " does not exist or is not attachable.")
}

func deleteConflict(msg string) error { return api.NewDeleteConflictException(msg) }

func limitExceeded(msg string) error { return api.NewLimitExceededException(msg) }

func invalidInput(msg string) error { return api.NewInvalidInputException(msg) }

// tagOnCreate: creating an entity with tags also needs the permission to tag it (a
// CreateRole with Tags is denied "… not authorized to perform: iam:TagRole on
// resource: arn:aws:iam::…:role/NAME …", as AWS was recorded answering; the other
// entity types follow it by their tagging actions).
var tagOnCreate = map[string][]string{
	"CreateUser":                  {"iam:TagUser"},
	"CreateRole":                  {"iam:TagRole"},
	"CreatePolicy":                {"iam:TagPolicy"},
	"CreateInstanceProfile":       {"iam:TagInstanceProfile"},
	"CreateOpenIDConnectProvider": {"iam:TagOpenIDConnectProvider"},
	"CreateSAMLProvider":          {"iam:TagSAMLProvider"},
	"CreateVirtualMFADevice":      {"iam:TagMFADevice"},
	"UploadServerCertificate":     {"iam:TagServerCertificate"},
}
