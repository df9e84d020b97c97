package auth

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/palisade/palisade/internal/store"
)

// KeyInfo is what is stored about an access key apart from its secret: what IAM lists
// and changes (status, owner) without ever opening the sealed secret.
type KeyInfo struct {
	AccessKeyID string
	Active      bool
	Principal   Principal
	Created     time.Time
}

// Info reads an access key's metadata in tx (so a write transaction sees its own
// changes); ok is false when the key does not exist.
func (k *Keys) Info(tx *store.Tx, id string) (info KeyInfo, ok bool, err error) {
	var sk storedKey
	ok, err = tx.GetJSON(keysNS, id, &sk)
	if err != nil || !ok {
		return KeyInfo{}, ok, err
	}
	return KeyInfo{AccessKeyID: id, Active: sk.Active, Principal: sk.Principal, Created: sk.Created}, true, nil
}

// SetInfo replaces an existing key's status and owner in tx, keeping its sealed
// secret; the cached copy is dropped when tx commits. It reports whether the key
// exists. IAM uses it to deactivate keys and to follow a renamed user.
func (k *Keys) SetInfo(tx *store.Tx, info KeyInfo) (bool, error) {
	var sk storedKey
	ok, err := tx.GetJSON(keysNS, info.AccessKeyID, &sk)
	if err != nil || !ok {
		return ok, err
	}
	sk.Active, sk.Principal = info.Active, info.Principal
	b, err := json.Marshal(sk)
	if err != nil {
		return false, fmt.Errorf("auth: encode key: %w", err)
	}
	tx.AfterCommit(func() { k.Forget(info.AccessKeyID) })
	return true, tx.Put(keysNS, info.AccessKeyID, b)
}
