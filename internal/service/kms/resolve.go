package kms

import (
	"context"
	"regexp"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// ref is a parsed key identifier: a key ID, key ARN, alias name or alias ARN.
type ref struct {
	account, region string
	keyID           string // set when the identifier names a key
	alias           string // "alias/…" when it names an alias
}

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// keyIDRE is what KMS takes for a key ID: a UUID, or a multi-Region key's
	// mrk- ID (which names no key here, but is not malformed).
	keyIDRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	arnRE   = regexp.MustCompile(`^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):(key/.+|alias/.+)$`)
	aliasRE = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)
)

// parseRef reads a key identifier in the caller's account and region; aliases are
// refused when the operation takes key IDs and ARNs only.
func parseRef(c *server.Call, id string, aliases bool) (ref, error) {
	r := ref{account: c.Account, region: c.Region}
	if m := arnRE.FindStringSubmatch(id); m != nil {
		if m[1] != c.Region {
			// KMS is regional: another Region's ARN names nothing here.
			return r, api.NewNotFoundException("Invalid arn " + m[1])
		}
		r.region, r.account = m[1], m[2]
		id = m[3]
		if kid, ok := strings.CutPrefix(id, "key/"); ok {
			if !keyIDRE.MatchString(kid) {
				return r, errInvalidKeyID(kid)
			}
			r.keyID = kid
			return r, nil
		}
	} else if strings.HasPrefix(id, "arn:") {
		return r, errInvalidKeyID(id)
	}
	if strings.HasPrefix(id, "alias/") {
		if !aliases || !aliasRE.MatchString(id) {
			return r, errInvalidKeyID(id)
		}
		r.alias = id
		return r, nil
	}
	if !keyIDRE.MatchString(id) {
		return r, errInvalidKeyID(id)
	}
	r.keyID = id
	return r, nil
}

// resolve finds the key a ref names. A predefined AWS alias (alias/aws/s3…) that has
// no key yet gets its AWS managed key, as KMS creates one on first use.
func (k *KMS) resolve(c *server.Call, r ref) (*keyRec, error) {
	if r.alias != "" {
		a, err := load[aliasRec](c.Tx, ns(r.account, r.region, tAliases), r.alias)
		if err != nil {
			return nil, err
		}
		if a == nil {
			if svc, ok := managedService(r.alias); ok && r.account == c.Account && r.region == c.Region {
				return k.managedKey(c, svc)
			}
			return nil, errAliasNotFound(aliasARN(r.region, r.account, r.alias))
		}
		r.keyID = a.KeyID
	}
	return k.loadKey(c.Tx, r.account, r.region, r.keyID, c.Now)
}

// loadKey reads a key; one whose deletion date has passed is gone even if the
// background work has not removed it yet.
func (k *KMS) loadKey(tx *store.Tx, account, region, id string, now time.Time) (*keyRec, error) {
	rec, err := k.readKey(tx, account, region, id)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.State == statePending && rec.DeletionDate != nil && !now.Before(*rec.DeletionDate) {
		return nil, errKeyNotFound(keyARN(region, account, id))
	}
	rec.settle(now)
	return rec, nil
}

// keyOf parses and resolves an identifier in one step.
func (k *KMS) keyOf(c *server.Call, id string, aliases bool) (*keyRec, error) {
	r, err := parseRef(c, id, aliases)
	if err != nil {
		return nil, err
	}
	return k.resolve(c, r)
}

// update runs fn in a write transaction: the call's own when it has one, else a
// new one (a read-only call that must create an AWS managed key).
func (k *KMS) update(c *server.Call, fn func(tx *store.Tx) error) error {
	if !c.Tx.ReadOnly() {
		return fn(c.Tx)
	}
	return k.db.Update(context.WithoutCancel(c.Context), fn)
}
