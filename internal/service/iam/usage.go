package iam

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Usage records when access keys, principals and roles were last used: the data
// behind GetAccessKeyLastUsed, the credential report's last-used columns, RoleLastUsed
// and service last-accessed reports. The server tells it of every authenticated
// request (Record). The newest use is kept in memory and written to the store at most
// once per key per SaveEvery (AWS itself updates this data loosely, within hours), so
// a request never waits for it and a busy key does not write on every call.
type Usage struct {
	db *store.DB
	// SaveEvery is the shortest real-time interval between two writes of the same
	// record; a restart loses at most that much.
	SaveEvery time.Duration

	mu    sync.Mutex
	last  map[string]useRec    // namespace + "\x00" + key → newest use
	saved map[string]time.Time // same keys → real time of the last write
	// gone holds the records of deleted entities (namespace + "\x00" + key ID or
	// entity): a use noted by a call that authenticated before the deletion must not
	// write them back. IDs are never reused.
	gone map[string]bool
}

// useRec is one last-use record.
type useRec struct {
	At      time.Time `json:"at"`
	Region  string    `json:"region"`
	Service string    `json:"service,omitempty"`
	// ARN is the principal that used it (service usage of a role: the session's role).
	ARN string `json:"arn,omitempty"`
}

// Usage namespaces.
const (
	tKeyUse     = "key-usage"     // access key ID → useRec
	tServiceUse = "service-usage" // entity|service → useRec (entity: user/ID, role/ID, root)
	tRoleUse    = "role-usage"    // role ID → useRec
)

// NewUsage returns a usage recorder writing to db.
func NewUsage(db *store.DB) *Usage {
	return &Usage{db: db, SaveEvery: time.Minute, last: map[string]useRec{}, saved: map[string]time.Time{}, gone: map[string]bool{}}
}

// Record notes that p made a request to service in region at Palisade time at. It
// matches server.Config.OnAuthenticated.
func (u *Usage) Record(p auth.Principal, service, region string, at time.Time) {
	if u == nil || p.Account == "" {
		return
	}
	at = timeUTC(at)
	use := useRec{At: at, Region: region, Service: service}
	if p.AccessKeyID != "" && !auth.IsTemporaryKeyID(p.AccessKeyID) {
		// Temporary keys are not IAM's: GetAccessKeyLastUsed knows only long-term keys.
		u.note(ns(p.Account, tKeyUse), p.AccessKeyID, p.AccessKeyID, use)
	}
	entity := ""
	switch p.Type {
	case auth.Root:
		entity = "root"
	case auth.IAMUser:
		entity = "user/" + p.UserID
	case auth.AssumedRole:
		roleID, _, _ := strings.Cut(p.UserID, ":")
		entity = "role/" + roleID
		u.note(ns(p.Account, tRoleUse), roleID, roleID, useRec{At: at, Region: region})
	}
	if entity != "" {
		u.note(ns(p.Account, tServiceUse), entity+"|"+service, entity, useRec{At: at, Region: region, Service: service, ARN: p.ARN})
	}
}

// note records use under namespace/key, whose entity (the key itself, or the part
// before "|") is what a deletion forgets.
func (u *Usage) note(namespace, key, entity string, use useRec) {
	id := namespace + "\x00" + key
	now := time.Now()
	u.mu.Lock()
	if u.gone[namespace+"\x00"+entity] {
		u.mu.Unlock()
		return
	}
	if prev, ok := u.last[id]; ok && prev.At.After(use.At) {
		u.mu.Unlock()
		return
	}
	u.last[id] = use
	due := now.Sub(u.saved[id]) >= u.SaveEvery
	if due {
		u.saved[id] = now
	}
	u.mu.Unlock()
	if due {
		gone := namespace + "\x00" + entity
		go u.db.Update(context.Background(), func(tx *store.Tx) error {
			// A deletion committed since this use was noted has forgotten it (its hook
			// ran before this transaction began).
			u.mu.Lock()
			forgotten := u.gone[gone]
			u.mu.Unlock()
			if forgotten {
				return nil
			}
			return tx.PutJSON(namespace, key, use)
		})
	}
}

// forgetKey removes an access key's last-use record in tx, which deletes the key.
func (u *Usage) forgetKey(tx *store.Tx, account, keyID string) error {
	return u.forget(tx, ns(account, tKeyUse), keyID, "")
}

// forgetEntity removes the service last-use records of an entity ("user/ID",
// "role/ID") in tx, which deletes it, and a role's last-use record (roleID, or "").
func (u *Usage) forgetEntity(tx *store.Tx, account, entity, roleID string) error {
	if err := u.forget(tx, ns(account, tServiceUse), entity, "|"); err != nil {
		return err
	}
	if roleID == "" {
		return nil
	}
	return u.forget(tx, ns(account, tRoleUse), roleID, "")
}

// forget deletes the records of namespace whose key is entity (sep "") or starts with
// entity+sep, in tx; once tx commits, memory drops them and ignores later uses.
func (u *Usage) forget(tx *store.Tx, namespace, entity, sep string) error {
	if u == nil {
		return nil
	}
	if sep == "" {
		if _, err := tx.Delete(namespace, entity); err != nil {
			return err
		}
	} else if _, err := svckit.DeletePrefix(tx, namespace, entity+sep); err != nil {
		return err
	}
	tx.AfterCommit(func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.gone[namespace+"\x00"+entity] = true
		prefix := namespace + "\x00" + entity
		for id := range u.last {
			if id == prefix || sep != "" && strings.HasPrefix(id, prefix+sep) {
				delete(u.last, id)
				delete(u.saved, id)
			}
		}
	})
	return nil
}

// get returns the newest known use of a record: memory first (newer than the store),
// then the store.
func (u *Usage) get(tx *store.Tx, namespace, key string) (useRec, bool) {
	if u == nil {
		return useRec{}, false
	}
	u.mu.Lock()
	use, ok := u.last[namespace+"\x00"+key]
	u.mu.Unlock()
	if ok {
		return use, true
	}
	rec, err := load[useRec](tx, namespace, key)
	if err != nil || rec == nil {
		return useRec{}, false
	}
	return *rec, true
}

// keyLastUsed is when an access key last signed a request.
func (u *Usage) keyLastUsed(tx *store.Tx, account, id string) (useRec, bool) {
	return u.get(tx, ns(account, tKeyUse), id)
}

// roleLastUsed is when a session of the role last made a request.
func (u *Usage) roleLastUsed(tx *store.Tx, account, roleID string) (time.Time, string, bool) {
	use, ok := u.get(tx, ns(account, tRoleUse), roleID)
	return use.At, use.Region, ok
}

// serviceUse is when an entity ("user/ID", "role/ID", "root") last used a service.
func (u *Usage) serviceUse(tx *store.Tx, account, entity, service string) (useRec, bool) {
	return u.get(tx, ns(account, tServiceUse), entity+"|"+service)
}

// accountServiceUse is the newest use of a service by any principal of an account
// (root, users, roles), memory and store together.
func (u *Usage) accountServiceUse(tx *store.Tx, account, service string) (useRec, bool, error) {
	if u == nil {
		return useRec{}, false, nil
	}
	namespace := ns(account, tServiceUse)
	var newest useRec
	found := false
	take := func(use useRec) {
		if !found || use.At.After(newest.At) {
			newest, found = use, true
		}
	}
	u.mu.Lock()
	for id, use := range u.last {
		ns, key, _ := strings.Cut(id, "\x00")
		if ns == namespace && strings.HasSuffix(key, "|"+service) && !u.gone[ns+"\x00"+key[:strings.IndexByte(key, '|')]] {
			take(use)
		}
	}
	u.mu.Unlock()
	err := tx.Scan(namespace, "", 0, func(key string, val []byte) bool {
		if strings.HasSuffix(key, "|"+service) {
			var use useRec
			if json.Unmarshal(val, &use) == nil {
				take(use)
			}
		}
		return true
	})
	return newest, found, err
}
