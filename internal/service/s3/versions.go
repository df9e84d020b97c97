package s3

import (
	"encoding/json"
	"strings"

	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Version records are keyed key NUL sortID, where sortID sorts newer versions first:
// for versioned writes it is the version ID itself; a null version (written while
// versioning was off or suspended) gets a fresh sortID and VersionID "null".

func verKey(key, sortID string) string { return key + "\x00" + sortID }

// sortID is where a version record sits among its key's versions.
func (o *objRec) sortID() string {
	if o.Sort != "" {
		return o.Sort
	}
	return o.VersionID
}

// versionsOf calls fn for each version of key, newest first, until it returns false.
func versionsOf(tx *store.Tx, bucket, key string, fn func(o *objRec) (bool, error)) error {
	prefix := key + "\x00"
	var ferr error
	err := tx.Scan(nsVer(bucket), prefix, 0, func(k string, v []byte) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		o := &objRec{}
		if ferr = json.Unmarshal(v, o); ferr != nil {
			return false
		}
		var more bool
		more, ferr = fn(o)
		return ferr == nil && more
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// findVersion returns a key's current object (version "") or the named version (a
// delete marker included); nil when there is none.
func (s *Service) findVersion(tx *store.Tx, b *bucketRec, key, version string) (*objRec, error) {
	if version == "" {
		return load[objRec](tx, nsCur(b.Name), key)
	}
	if version != "null" {
		return load[objRec](tx, nsVer(b.Name), verKey(key, version))
	}
	var found *objRec
	err := versionsOf(tx, b.Name, key, func(o *objRec) (bool, error) {
		if o.VersionID == "null" {
			found = o
			return false, nil
		}
		return true, nil
	})
	return found, err
}

// latest returns a key's newest version, delete marker or not; nil when none.
func latest(tx *store.Tx, bucket, key string) (*objRec, error) {
	var found *objRec
	err := versionsOf(tx, bucket, key, func(o *objRec) (bool, error) {
		found = o
		return false, nil
	})
	return found, err
}

// existingVersion loads a bucket and an object version for an operation on an
// existing object: NoSuchBucket, NoSuchKey, NoSuchVersion as S3 answers them. A delete
// marker is refused the way S3 refuses it (MethodNotAllowed when named by version,
// NoSuchKey when current) unless markerOK.
func (s *Service) existingVersion(tx *store.Tx, bucket, key, version string, markerOK bool, method string) (*bucketRec, *objRec, error) {
	b, err := loadBucket(tx, bucket)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.findVersion(tx, b, key, version)
	if err != nil {
		return nil, nil, err
	}
	if o == nil {
		if version != "" {
			if !validVersionID(version) {
				return nil, nil, errInvalidArgument("Invalid version id specified", "versionId", version)
			}
			return nil, nil, errNoSuchVersion(key, version)
		}
		return nil, nil, errNoSuchKey(key)
	}
	if o.DeleteMarker && !markerOK {
		return nil, nil, errMethodNotAllowed(method)
	}
	return b, o, nil
}

// validVersionID reports whether v is a version ID Palisade could have minted (its
// check characters match). It is asked only of IDs that name no version: stored
// versions are found whatever their form (IDs minted before the check existed too).
func validVersionID(v string) bool {
	if v == "null" {
		return true
	}
	if len(v) != 32 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !strings.ContainsRune(alphabet, rune(v[i])) {
			return false
		}
	}
	return versionCheck(v[:28]) == v[28:]
}

// writeVersion records a new version (object or delete marker) of o.Key as the
// bucket's versioning state says: a new version ID when versioning is enabled, the
// null version otherwise (replacing the previous null version, whose bodies are
// removed after the commit). It maintains the current-object record. cur is the key's
// current object when the caller has read it (nil: none), so it is not read again.
func (s *Service) writeVersion(tx *store.Tx, b *bucketRec, o *objRec, cur ...*objRec) error {
	o.Write = s.ids.newVersionID()
	if b.versioned() {
		o.VersionID = s.ids.newVersionID()
		o.Sort = ""
	} else {
		var old *objRec
		var err error
		switch {
		case b.Versioning == "" && len(cur) > 0:
			old = cur[0]
		case b.Versioning == "":
			// A bucket that never had versioning holds only null versions, each
			// its key's current object.
			old, err = load[objRec](tx, nsCur(b.Name), o.Key)
		default:
			old, err = s.findVersion(tx, b, o.Key, "null")
		}
		if err != nil {
			return err
		}
		o.VersionID = "null"
		o.Sort = s.ids.newVersionID()
		if old != nil {
			if b.Versioning == "" {
				// The key's only version: the new one takes its place.
				o.Sort = old.sortID()
			} else if _, err := tx.Delete(nsVer(b.Name), verKey(o.Key, old.sortID())); err != nil {
				return err
			}
			if err := s.dropReplaced(tx, old, o); err != nil {
				return err
			}
		}
	}
	// One encoding serves both records (this runs on the store's single writer).
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := tx.Put(nsVer(b.Name), verKey(o.Key, o.sortID()), raw); err != nil {
		return err
	}
	if o.DeleteMarker {
		return s.delCur(tx, b.Name, o.Key)
	}
	return s.putCurRaw(tx, b.Name, o, raw)
}

// rewriteVersion stores a changed version (ACL, tags) in place.
func (s *Service) rewriteVersion(tx *store.Tx, b *bucketRec, o *objRec) error {
	if err := putJSON(tx, nsVer(b.Name), verKey(o.Key, o.sortID()), o); err != nil {
		return err
	}
	cur, err := load[objRec](tx, nsCur(b.Name), o.Key)
	if err != nil {
		return err
	}
	if cur != nil && cur.sortID() == o.sortID() {
		return s.putCur(tx, b.Name, o)
	}
	return nil
}

// deleteVersion removes one version permanently and, when it was the current one,
// makes the next newest current (none if that is a delete marker).
func (s *Service) deleteVersion(tx *store.Tx, b *bucketRec, o *objRec) error {
	if _, err := tx.Delete(nsVer(b.Name), verKey(o.Key, o.sortID())); err != nil {
		return err
	}
	if err := s.dropBodies(tx, o); err != nil {
		return err
	}
	next, err := latest(tx, b.Name, o.Key)
	if err != nil {
		return err
	}
	if next == nil || next.DeleteMarker {
		return s.delCur(tx, b.Name, o.Key)
	}
	return s.putCur(tx, b.Name, next)
}

// putCur stores a key's current-object record (and tells the object cache, on commit).
func (s *Service) putCur(tx *store.Tx, bucket string, o *objRec) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return s.putCurRaw(tx, bucket, o, raw)
}

// putCurRaw is putCur with the record already encoded.
func (s *Service) putCurRaw(tx *store.Tx, bucket string, o *objRec, raw []byte) error {
	if err := tx.Put(nsCur(bucket), o.Key, raw); err != nil {
		return err
	}
	s.cur.wrote(tx, bucket, o.Key, o, raw)
	return nil
}

// delCur removes a key's current-object record: it has no current object now.
func (s *Service) delCur(tx *store.Tx, bucket, key string) error {
	if _, err := tx.Delete(nsCur(bucket), key); err != nil {
		return err
	}
	s.cur.wrote(tx, bucket, key, nil, nil)
	return nil
}

// readVersion is findVersion for a call's own transaction: a read-only call finds the
// current object in the object cache, or reads it and fills the cache.
func (s *Service) readVersion(c *server.Call, b *bucketRec, key, version string) (*objRec, error) {
	if version != "" || !c.Tx.ReadOnly() {
		return s.findVersion(c.Tx, b, key, version)
	}
	if o, ok := s.cur.get(b.Name, key); ok {
		return o, nil
	}
	// The call took its generation before its first store read (see startView).
	cv := s.objs.view(c, s.cur)
	raw, ok, err := c.Tx.Get(nsCur(b.Name), key)
	if err != nil || !ok {
		return nil, err
	}
	o := &objRec{}
	if err := json.Unmarshal(raw, o); err != nil {
		return nil, err
	}
	// A record with inline bodies is cached once they are read too (Service.body).
	o.cacheRaw = raw
	s.cur.fill(cv.gen, b.Name, key, raw, o, nil)
	return o, nil
}

// currentForWrite is the current object of bucket/key (nil: none) for a write
// transaction: from the object cache while no write of this transaction has been
// registered (store.Tx.HooksPending: the cache then holds the committed state the
// transaction began from), otherwise from the store. A PUT that replaces a small
// object so reads neither its record nor JSON.
func (s *Service) currentForWrite(tx *store.Tx, bucket, key string) (*objRec, error) {
	if !tx.ReadOnly() && !tx.HooksPending() {
		if o, ok := s.cur.get(bucket, key); ok {
			return o, nil
		}
	}
	return load[objRec](tx, nsCur(bucket), key)
}

// startView notes the object and bucket caches' generations for a read-only call
// before its transaction reads anything, so that what it reads may fill the caches.
func (s *Service) startView(c *server.Call) {
	if c.Tx != nil && c.Tx.ReadOnly() {
		if v := s.objs.view(c, s.cur); v.tx == nil {
			v.tx = c.Tx
			buckets(c.Tx).begin(c.Tx)
		}
	}
}

// dropBodies removes a version's bodies: inline ones in the transaction (a reader's
// snapshot still has them), files once the transaction has committed and no reader
// holds them.
func (s *Service) dropBodies(tx *store.Tx, o *objRec) error {
	return s.dropSegments(tx, o.Segments)
}

// dropReplaced removes the bodies of old, which o replaces, except the blobs-table
// rows o's own bodies were written into (segment.Row).
func (s *Service) dropReplaced(tx *store.Tx, old, o *objRec) error {
	var drop []segment
	for _, sg := range old.Segments {
		if sg.Inline && sg.Blob && storesRow(o.Segments, sg.row()) {
			continue
		}
		drop = append(drop, sg)
	}
	return s.dropSegments(tx, drop)
}

// storesRow reports whether one of segs is an inline body stored in the given row.
func storesRow(segs []segment, row string) bool {
	for _, sg := range segs {
		if sg.Inline && sg.Blob && sg.row() == row {
			return true
		}
	}
	return false
}

func (s *Service) dropSegments(tx *store.Tx, segs []segment) error {
	var files []string
	for _, sg := range segs {
		if sg.Inline {
			if err := dropInline(tx, sg); err != nil {
				return err
			}
			continue
		}
		files = append(files, sg.File)
	}
	if len(files) > 0 {
		tx.AfterCommit(func() { s.blobs.remove(files...) })
	}
	return nil
}
