// Package s3 serves Amazon S3: buckets (regions, naming rules, ownership), objects
// (put, get with ranges and conditions, head, delete, copy, listings, multipart
// uploads, versioning, tagging, checksums), and S3's security features: bucket
// policies and ACLs evaluated by the policy engine, Object Ownership, Block Public
// Access at bucket and account level, the "is this bucket public" evaluation,
// server-side encryption (SSE-S3, SSE-KMS through the KMS interface, SSE-C) with
// bodies always encrypted on disk, and server access logs.
//
// Bucket names are global, so buckets live in one namespace keyed by name
// (store.NS("s3", "", "", "buckets")); each record names its owner account and region.
// Objects live in per-bucket namespaces: "cur" holds the current version of each key
// (what GET and the listings read), "ver" every version and delete marker ordered
// newest first (key + NUL + version ID). Bodies are files under <data-dir>/s3 (see
// blob.go); a PUT streams its body to a temporary file before its transaction and
// commits the file with the record (server.Prepared).
package s3

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// KMS is what S3 needs from Palisade's KMS: data keys for SSE-KMS, made and opened
// for the caller of the S3 call, authorized as KMS authorizes requests that come
// through S3.
type KMS interface {
	// GenerateDataKey makes an AES-256 data key under keyID (key ID, ARN, alias name or
	// alias ARN; "" means the account's aws/s3 managed key, created on first use) for
	// the call's caller, authorizing kms:GenerateDataKey as KMS would for a request
	// made via s3.<region>.amazonaws.com (kms:ViaService), with encCtx as the
	// encryption context. It returns the plaintext key, the ciphertext blob and the
	// key's ARN.
	GenerateDataKey(c *server.Call, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error)
	// Decrypt decrypts a data key blob for the call's caller, authorizing kms:Decrypt
	// the same way.
	Decrypt(c *server.Call, blob []byte, encCtx map[string]string) (plaintext []byte, keyARN string, err error)
}

// Deps is what S3 needs from the rest of Palisade.
type Deps struct {
	// DataDir holds object bodies under DataDir/s3.
	DataDir string
	Store   *store.DB
	// Sealer seals SSE-S3 object keys under the master key.
	Sealer *store.Sealer
	Clock  *clock.Clock
	// Authz compiles bucket policies (cached by content) and decides for calls made
	// outside a request (PutObjectAsService).
	Authz *authz.Authorizer
	// KMS serves SSE-KMS; nil refuses SSE-KMS requests.
	KMS    KMS
	Logger *slog.Logger

	// Destinations delivers event notifications (notify.go); nil refuses them.
	Destinations Destinations
}

// Service is S3. Build it with New, register API() with the server, and Close it
// after the server has stopped.
type Service struct {
	d     Deps
	blobs *blobs
	ids   seqGen
	srv   *server.Server
	log   *accessLogger
	objs  callObjects
	cur   *objectCache
	notes *notifier
	cycle *cycler
}

// bucketCaches holds a bucket cache (see bucketCache) per store: a process may open
// several (tests run many servers at once), and an entry is about one store's state.
var bucketCaches sync.Map // *store.DB → *bucketCache

// buckets is the bucket cache of tx's store.
func buckets(tx *store.Tx) *bucketCache {
	if c, ok := bucketCaches.Load(tx.DB()); ok {
		return c.(*bucketCache)
	}
	c, _ := bucketCaches.LoadOrStore(tx.DB(), newBucketCache())
	return c.(*bucketCache)
}

// New opens S3's data directory (sweeping bodies a crash left half-received).
func New(d Deps) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	b, err := newBlobs(d.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Service{d: d, blobs: b, cur: newObjectCache()}
	s.log = newAccessLogger(s)
	s.notes = newNotifier(s)
	s.cycle = newCycler(s)
	return s, nil
}

// Attach gives S3 the server, for calls made outside a request (log delivery,
// PutObjectAsService), and starts the background work (server access log delivery on
// the clock's schedule).
func (s *Service) Attach(srv *server.Server) {
	s.srv = srv
	s.log.start()
	s.notes.start()
	s.cycle.start()
}

// Close stops the background work and removes bodies whose removal was pending.
func (s *Service) Close() {
	s.log.stop()
	s.notes.stop()
	s.cycle.stop()
	s.blobs.close()
	bucketCaches.Delete(s.d.Store)
}

// API returns S3 for the server.
func (s *Service) API() server.Service {
	var hs []server.Handler
	for _, group := range [][]server.Handler{
		s.bucketHandlers(), s.objectHandlers(), s.listHandlers(), s.multipartHandlers(),
		s.configHandlers(), s.aclHandlers(), s.policyHandlers(), s.taggingHandlers(), s.abacHandlers(), s.objectLockHandlers(), s.requestPaymentHandlers(), s.corsHandlers(),
		s.notifyHandlers(), s.lifecycleHandlers(),
	} {
		hs = append(hs, group...)
	}
	return server.Service{
		Model: api.Service, Handlers: hs, Actions: actions, Checks: s.checks, Denied: denied,
		DataEvents: dataEvents, Done: s.done, CheckBody: checkBody, BracketsUserAgent: true, Record: s.record, Preflight: s.preflight, CORSHeaders: s.corsResponse,
		EventNames: map[string]string{"ListObjectsV2": "ListObjects",
			"GetBucketNotificationConfiguration": "GetBucketNotification", "PutBucketNotificationConfiguration": "PutBucketNotification",
			// The bucket-level public access block operations are recorded under their
			// IAM action names (recorded, 2026: access_controls_audit_replay.json).
			"GetPublicAccessBlock": "GetBucketPublicAccessBlock", "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
			"DeletePublicAccessBlock": "DeleteBucketPublicAccessBlock",
			// And Object Lock's (recorded, 2026: object_lock_audit_replay.json).
			"GetObjectLockConfiguration": "GetBucketObjectLockConfiguration", "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
			"GetObjectRetention": "GetObjectLockRetention", "PutObjectRetention": "PutObjectLockRetention",
			"GetObjectLegalHold": "GetObjectLockLegalHold", "PutObjectLegalHold": "PutObjectLockLegalHold",
			// CloudTrail names the lifecycle calls by their older API (CloudTrail User
			// Guide, "Amazon S3 bucket-level actions tracked by CloudTrail logging").
			"GetBucketLifecycleConfiguration": "GetBucketLifecycle", "PutBucketLifecycleConfiguration": "PutBucketLifecycle"},
	}
}

// done is the server's Done hook: the call's access log record, and the end of what
// the call kept between its checks and its handler.
func (s *Service) done(d *server.Completed) {
	s.objs.drop(d.Call)
	s.log.record(d)
}

// Namespaces. Buckets are global; objects are per bucket.
var (
	nsBuckets = store.NS("s3", "", "", "buckets") // name → bucketRec
	nsAccount = store.NS("s3", "", "", "account") // account → accountRec (public access block)
)

func nsOwned(account string) string  { return store.NS("s3", account, "", "owned") }  // bucket name → ""
func nsCur(bucket string) string     { return store.NS("s3", "", "", "cur", bucket) } // key → objRec
func nsVer(bucket string) string     { return store.NS("s3", "", "", "ver", bucket) } // key NUL versionID → objRec
func nsUploads(bucket string) string { return store.NS("s3", "", "", "mpu", bucket) } // key NUL uploadID → uploadRec
func nsParts(uploadID string) string { return store.NS("s3", "", "", "parts", uploadID) }

// nsAborted holds the uploads aborted by AbortMultipartUpload, key NUL uploadID →
// abort time: S3 still knows them (abortedUpload).
func nsAborted(bucket string) string { return store.NS("s3", "", "", "mpu-aborted", bucket) }

// nsInline held small bodies in the store's kv table, sealed exactly as body files
// are: name → bytes. Bodies written since live in the blobs table (see inlineNS);
// those written before are still read and deleted here.
var nsInline = store.NS("s3", "", "", "inline")

// inlineNS is the blobs-table namespace of one small body, stored under inlineKey: a
// namespace of its own, so that deleting it (DeleteBlobs by prefix) touches one row.
// The blobs table keeps values out of its key index; in kv (WITHOUT ROWID) bodies sat
// in the same B-tree as every object record, and each record lookup read through them.
func inlineNS(name string) string { return store.NS("s3", "", "", "inline", name) }

// inlineKey is not "": DeleteBlobs(ns, "") does not match an empty key.
const inlineKey = "body"

// putInline stores the small sealed body of o called name in the blobs table, in row
// (see segment.Row).
func putInline(tx *store.Tx, o *objRec, row, name string, data []byte) error {
	if err := tx.PutBlob(inlineNS(row), inlineKey, data); err != nil {
		return err
	}
	o.keepBody(name, data)
	return nil
}

// getInline reads an inline body of o: from the bodies that came with o (a record
// from the object cache carries all of its own), else from tx — the snapshot o was
// read from.
func getInline(tx *store.Tx, o *objRec, sg segment) ([]byte, bool, error) {
	if data, ok := o.bodies[sg.File]; ok {
		return data, true, nil
	}
	if sg.Blob {
		return tx.GetBlob(inlineNS(sg.row()), inlineKey)
	}
	return tx.Get(nsInline, sg.File)
}

// dropInline deletes a segment's body from the store.
func dropInline(tx *store.Tx, sg segment) error {
	if sg.Blob {
		_, err := tx.DeleteBlobs(inlineNS(sg.row()), "")
		return err
	}
	_, err := tx.Delete(nsInline, sg.File)
	return err
}

// nsLogQueue queues server access log records: target NUL time+sequence → logEntry.
var nsLogQueue = store.NS("s3", "", "", "logq")

// bucketRec is a bucket with its whole configuration.
type bucketRec struct {
	Name    string    `json:"name"`
	Owner   string    `json:"owner"` // account ID
	Region  string    `json:"region"`
	Created time.Time `json:"created"`

	Versioning string `json:"versioning,omitempty"` // "", Enabled, Suspended
	MFADelete  string `json:"mfaDelete,omitempty"`
	Policy     string `json:"policy,omitempty"`
	// ACL is the bucket ACL; nil is the owner's FULL_CONTROL alone.
	ACL       *acl   `json:"acl,omitempty"`
	Ownership string `json:"ownership,omitempty"` // "" = no ownership controls
	// PAB is the bucket's public access block; nil when deleted (or never set).
	PAB        *pab              `json:"pab,omitempty"`
	Encryption *encryptionConfig `json:"encryption,omitempty"`
	// SSECBlocked refuses new SSE-C objects (BlockedEncryptionTypes SSE-C): set on
	// every bucket created since April 2026 and by any encryption configuration that
	// does not name NONE. Buckets recorded before have it unset, as AWS left SSE-C
	// allowed on existing buckets that held SSE-C objects.
	SSECBlocked bool           `json:"noSSEC,omitempty"`
	Tags        []api.Tag      `json:"tags,omitempty"`
	Logging     *loggingConfig `json:"logging,omitempty"`
	ObjectLock  bool           `json:"objectLock,omitempty"`
	// LockRule is the Object Lock default retention (objectlock.go).
	LockRule *lockRule `json:"lockRule,omitempty"`
	// RequesterPays: other accounts pay for their requests (requestpayment.go).
	RequesterPays bool `json:"requesterPays,omitempty"`
	// CORS is the bucket's CORS configuration's rules (cors.go).
	CORS []api.CORSRule `json:"cors,omitempty"`
	// ABAC: the bucket's tags are its aws:ResourceTag and s3:BucketTag condition keys
	// (abac.go).
	ABAC bool `json:"abac,omitempty"`
	// Notify is the bucket's event notification configuration (notify.go).
	Notify *notifyConfig `json:"notify,omitempty"`
	// Lifecycle is the bucket's lifecycle configuration (lifecycle.go).
	Lifecycle *lifecycleConfig `json:"lifecycle,omitempty"`
}

func (b *bucketRec) arn() string { return "arn:aws:s3:::" + b.Name }

// versioned reports whether new writes get version IDs.
func (b *bucketRec) versioned() bool { return b.Versioning == "Enabled" }

// accountRec is S3's per-account state (the account-level public access block that
// s3control serves in AWS).
type accountRec struct {
	PAB *pab `json:"pab,omitempty"`
}

// objRec is one version of an object, or a delete marker.
type objRec struct {
	Key          string    `json:"k"`
	VersionID    string    `json:"v"`            // "null" for the null version
	Sort         string    `json:"sk,omitempty"` // a null version's place among versions
	DeleteMarker bool      `json:"dm,omitempty"`
	LastModified time.Time `json:"t"`
	Owner        string    `json:"o"` // account
	// Write identifies the write that made this version (a fresh version-ID-like
	// stamp; empty in records older than it), so that a multipart upload can tell
	// whether its key was written after it began (see uploadRec.Base).
	Write string `json:"w,omitempty"`
	// Upload is the ID of the multipart upload this version completed ("" for none),
	// so that completing it again answers as the first completion did.
	Upload string `json:"u,omitempty"`

	Size int64  `json:"n"`
	ETag string `json:"e,omitempty"` // hex, without quotes; "-N" for multipart
	// MD5 is the data's MD5 (hex) where the ETag is not (a single-part object under
	// SSE-C or SSE-KMS), for a copy that is not encrypted so.
	MD5          string            `json:"md5,omitempty"`
	ContentType  string            `json:"ct,omitempty"`
	Headers      map[string]string `json:"h,omitempty"`  // Cache-Control, Content-Disposition, ...
	Meta         map[string]string `json:"m,omitempty"`  // x-amz-meta-*
	Tags         []api.Tag         `json:"tg,omitempty"` // in the order given
	StorageClass string            `json:"sc,omitempty"`
	Restore      *restoreRec       `json:"rst,omitempty"` // RestoreObject (restore.go)
	Checksums    map[string]string `json:"cs,omitempty"`
	ChecksumType string            `json:"cst,omitempty"`
	Parts        []partInfo        `json:"p,omitempty"` // multipart objects
	Segments     []segment         `json:"s,omitempty"`
	Enc          encInfo           `json:"enc"`
	ACL          *acl              `json:"acl,omitempty"`
	Redirect     string            `json:"wr,omitempty"`
	Lock         *objLock          `json:"lk,omitempty"` // Object Lock retention and legal hold

	// bodies, not stored, are sealed inline bodies by name known with the record: all
	// of them for a record from the object cache, those it stored for a record this
	// call writes (read-only; shared with the cache).
	bodies map[string][]byte
	// cacheRaw, not stored, is the current-object record as a read-only call read it
	// from its snapshot, for filling the object cache once its bodies are read.
	cacheRaw []byte
}

// keepBody notes an inline body o's write stored, for the object cache.
func (o *objRec) keepBody(name string, data []byte) {
	if o == nil {
		return
	}
	if o.bodies == nil {
		o.bodies = map[string][]byte{}
	}
	o.bodies[name] = data
}

// segment is one body file of an object: a whole PUT, or one part of a multipart
// upload. Key is the file's key sealed under the object key.
type segment struct {
	File string `json:"f"`
	Size int64  `json:"n"`
	Key  []byte `json:"k"`
	// Inline bodies (at most inlineMax bytes) are kept sealed in the store instead of
	// in a file: a small PUT then costs no file operations and no fsync of its own.
	Inline bool `json:"i,omitempty"`
	// Blob marks an inline body in the blobs table (inlineNS(File)); without it, an
	// inline body is in kv under nsInline/File (records written before the move).
	Blob bool `json:"b,omitempty"`
	// Row is the blobs-table row an inline body is stored in when that is not its own
	// name (empty: File). A PUT that replaces the small body of a key in a bucket that
	// never had versioning writes the new body into the old body's row: SQLite then
	// rewrites that row's pages in place instead of adding a row and a key-index entry
	// and freeing the old row's pages (12 WAL frames a 4 KiB PUT down to 8). The body
	// keeps a fresh name, so a name's bytes still never change (see objectCache).
	Row string `json:"r,omitempty"`
}

// row is the blobs-table row of an inline body.
func (sg segment) row() string {
	if sg.Row != "" {
		return sg.Row
	}
	return sg.File
}

// partInfo is what a completed part leaves in its object: its size, ETag and
// checksums (GetObject?partNumber, GetObjectAttributes).
type partInfo struct {
	Size      int64             `json:"n"`
	ETag      string            `json:"e"`
	Checksums map[string]string `json:"cs,omitempty"`
}

func (o *objRec) etag() string { return `"` + o.ETag + `"` }

// files lists the names of an object's body files (not its inline bodies).
func (o *objRec) files() []string {
	var out []string
	for _, sg := range o.Segments {
		if !sg.Inline {
			out = append(out, sg.File)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
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

func putJSON(tx *store.Tx, namespace, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(namespace, key, b)
}

// Errors S3 answers with that the model has no shape for, or whose message S3 words
// in a fixed way. Messages are S3's (API reference, "Error responses").
func errNoSuchBucket(bucket string) *model.Error {
	return api.NewNoSuchBucket("The specified bucket does not exist").With("BucketName", bucket)
}

func errNoSuchKey(key string) *model.Error {
	return api.NewNoSuchKey("The specified key does not exist.").With("Key", key)
}

func errNoSuchVersion(key, version string) *model.Error {
	return model.NewError(404, "NoSuchVersion", "The specified version does not exist.").With("Key", key).With("VersionId", version)
}

// errEmptyVersionID is S3's answer to a versionId given empty (?versionId=, or
// ?versionId= in x-amz-copy-source), recorded from AWS for GetObject, GetObjectAcl,
// PutObjectAcl, CopyObject and UploadPartCopy: not the current version, but 400.
func errEmptyVersionID(argument string) *model.Error {
	return errInvalidArgument("Version id cannot be the empty string", argument, "")
}

func errInvalidArgument(msg, name, value string) *model.Error {
	e := model.NewError(400, "InvalidArgument", "%s", msg)
	if name != "" {
		e.With("ArgumentName", name).With("ArgumentValue", value)
	}
	return e
}

func errInvalidRequest(msg string) *model.Error { return api.NewInvalidRequest(msg) }

func errAccessDenied() *model.Error { return api.NewAccessDenied("Access Denied") }

func errMalformedXML() *model.Error {
	return model.NewError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// errMethodNotAllowed is S3's answer to an operation on a delete marker, naming the
// HTTP method and the marker.
func errMethodNotAllowed(method string) *model.Error {
	return model.NewError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		With("Method", method).With("ResourceType", "DeleteMarker")
}

func errPreconditionFailed(cond string) *model.Error {
	return model.NewError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").With("Condition", cond)
}

// loadBucket reads a bucket; NoSuchBucket when there is none. The record is the
// caller's to change (a copy of the cached one).
func loadBucket(tx *store.Tx, name string) (*bucketRec, error) {
	if b, ok, err := loadAPBucket(tx, name); ok {
		return b, err
	}
	b, err := buckets(tx).get(tx, name)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errNoSuchBucket(name)
	}
	return b, nil
}

// saveBucket stores a bucket's record.
func saveBucket(tx *store.Tx, b *bucketRec) error {
	buckets(tx).changed(tx)
	return putJSON(tx, nsBuckets, b.Name, b)
}

// deleteBucketRec removes a bucket's record.
func deleteBucketRec(tx *store.Tx, name string) error {
	buckets(tx).changed(tx)
	_, err := tx.Delete(nsBuckets, name)
	return err
}

// owner is an Owner element for an account.
func owner(account string) *api.Owner { return &api.Owner{ID: ptr(canonicalID(account))} }

// httpDateTrunc drops sub-second precision: S3's Last-Modified has none in headers,
// and listings must agree with them.
func timeTrunc(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
