package s3

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// Object Lock keeps object versions write-once: a version under retention (until its
// retain-until date, by Palisade's clock) or under a legal hold cannot be deleted, a
// COMPLIANCE retention can only be extended, a GOVERNANCE one shortened or removed
// only by a caller allowed s3:BypassGovernanceRetention who sends
// x-amz-bypass-governance-retention: true (recorded, 2026:
// object_lock_controls_replay.json, object_lock_authority_replay.json). Event holds
// (EventHold, DefaultEventHold) are not served: the model Palisade is generated from
// has no such members.

// The lock headers of a write are judged by lockRequest, not the generic validation:
// S3 names the header and its value (recorded, 2026: object_lock_controls_replay.json,
// put-put-invalid-legal: InvalidArgument, x-amz-object-lock-legal-hold, INVALID). The
// members' shapes are copied: the read outputs share them.
func init() {
	for _, op := range []string{"PutObject", "CopyObject", "CreateMultipartUpload"} {
		for _, name := range []string{"ObjectLockMode", "ObjectLockLegalHoldStatus"} {
			m := api.Service.Operations[op].Input.ByName[name]
			sh := cloneShape(m.Shape)
			sh.Enum = nil
			m.Shape = sh
		}
	}
}

// lockRule is a bucket's default retention.
type lockRule struct {
	Mode  string `json:"m"`
	Days  int32  `json:"d,omitempty"`
	Years int32  `json:"y,omitempty"`
}

// until is the retain-until date of a version written at t: calendar days or years
// after it (recorded, 2026: object_lock_controls_replay.json, "Days/Years use
// calendar AddDate").
func (r *lockRule) until(t time.Time) time.Time {
	return t.UTC().Truncate(time.Millisecond).AddDate(int(r.Years), 0, int(r.Days))
}

// objLock is the protection of one object version: a retention (Mode and Until, both
// or neither) and a legal hold ("" when never set, else ON or OFF: a version whose
// hold was turned off answers OFF, one never held 404).
type objLock struct {
	Mode  string     `json:"m,omitempty"`
	Until *time.Time `json:"u,omitempty"`
	Hold  string     `json:"h,omitempty"`
	// RetSet and HoldSet are when the retention and the legal hold were last set
	// (Unix milliseconds), for CloudTrail's objectRetentionInfo.
	RetSet  int64 `json:"rs,omitempty"`
	HoldSet int64 `json:"hs,omitempty"`
}

// retained reports whether the version's retention is in force at now.
func (l *objLock) retained(now time.Time) bool {
	return l != nil && l.Until != nil && l.Until.After(now)
}

// errLockMissing is S3's answer to a retention or legal hold asked of a bucket without
// Object Lock (the status and code recorded; the message as S3 words it).
func errLockMissing() *model.Error {
	return errInvalidRequest("Bucket is missing Object Lock Configuration")
}

// errLocked is S3's refusal of what would undo a version's protection (the message as
// S3 words it, "Access Denied because object protected by object lock.").
func errLocked() *model.Error {
	return api.NewAccessDenied("Access Denied because object protected by object lock.")
}

// bypassSent reports whether the request sent x-amz-bypass-governance-retention: true.
func bypassSent(c *server.Call) bool {
	return c.HTTP != nil && strings.EqualFold(strings.TrimSpace(c.HTTP.Header.Get("x-amz-bypass-governance-retention")), "true")
}

// lockRequest is the protection an object write (PutObject, CopyObject,
// CreateMultipartUpload) gives its new version: what its x-amz-object-lock-* headers
// ask, else the bucket's default retention counted from now. Any lock header replaces
// the default, even a legal hold alone (recorded, 2026: object_lock_controls_replay.json,
// put-legal-off-with-default: no retention). digest is PutObject's demand that a write
// that would be protected, by its headers or the bucket's default, carry Content-MD5
// or a checksum (put-put-explicit-no-checksum, put-put-legal-no-checksum,
// put-default-checksum-absent).
func lockRequest(c *server.Call, b *bucketRec, mode *string, until *time.Time, hold *string, digest bool) (*objLock, error) {
	if mode == nil && until == nil && hold == nil {
		if b.ObjectLock && b.LockRule != nil {
			if digest && c.HTTP != nil && !sentDigest(c.HTTP) {
				return nil, errLockDigest()
			}
			u := b.LockRule.until(c.Now)
			return &objLock{Mode: b.LockRule.Mode, Until: &u, RetSet: c.Now.UnixMilli()}, nil
		}
		return nil, nil
	}
	if !b.ObjectLock {
		return nil, errLockMissing()
	}
	// The argument each half names is the other one, missing, with no value
	// (recorded: put-put-incomplete-mode, put-put-incomplete-date); the message is S3's.
	if mode != nil && until == nil || mode == nil && until != nil {
		missing := "x-amz-object-lock-retain-until-date"
		if mode == nil {
			missing = "x-amz-object-lock-mode"
		}
		return nil, model.NewError(400, "InvalidArgument", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied").With("ArgumentName", missing)
	}
	l := &objLock{}
	if mode != nil {
		if *mode != "GOVERNANCE" && *mode != "COMPLIANCE" {
			return nil, errInvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", *mode)
		}
		if !until.After(c.Now) {
			v := until.UTC().Format(time.RFC3339)
			if c.HTTP != nil && c.HTTP.Header.Get("x-amz-object-lock-retain-until-date") != "" {
				v = c.HTTP.Header.Get("x-amz-object-lock-retain-until-date")
			}
			return nil, errInvalidArgument("The retain until date must be in the future!", "x-amz-object-lock-retain-until-date", v)
		}
		u := until.UTC()
		l.Mode, l.Until, l.RetSet = *mode, &u, c.Now.UnixMilli()
	}
	if hold != nil {
		if *hold != "ON" && *hold != "OFF" {
			// (recorded: put-put-invalid-legal; the message is inferred.)
			return nil, errInvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", *hold)
		}
		l.Hold, l.HoldSet = *hold, c.Now.UnixMilli()
	}
	if digest && c.HTTP != nil && !sentDigest(c.HTTP) {
		return nil, errLockDigest()
	}
	return l, nil
}

func errLockDigest() *model.Error {
	return errInvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
}

// sentDigest reports whether a request declares a digest of its body: Content-MD5, an
// x-amz-checksum-* header, or one named by x-amz-sdk-checksum-algorithm or its trailer.
func sentDigest(r *http.Request) bool {
	if r.Header.Get("Content-MD5") != "" || r.Header.Get("X-Amz-Sdk-Checksum-Algorithm") != "" || trailerChecksum(r) {
		return true
	}
	for _, a := range checksumAlgs {
		if r.Header.Get(checksumHeader(a)) != "" {
			return true
		}
	}
	return false
}

// checkLockedDelete refuses the permanent deletion of a version a legal hold or a
// retention in force protects; a GOVERNANCE retention gives way to the bypass header
// (its permission is weighed with the call's checks), a COMPLIANCE one and a legal
// hold never (recorded, 2026: object_lock_controls_replay.json,
// delete-fixed-protected, delete-legal-hold-bypass, compliance-delete-bypass,
// expired-compliance-still-legal-hold, expired-compliance-delete-no-bypass).
func checkLockedDelete(c *server.Call, o *objRec) error {
	l := o.Lock
	if l == nil || o.DeleteMarker {
		return nil
	}
	if l.Hold == "ON" {
		return errLocked()
	}
	if l.retained(c.Now) && (l.Mode != "GOVERNANCE" || !bypassSent(c)) {
		return errLocked()
	}
	return nil
}

// lockChecks adds to an operation's checks what Object Lock asks of the caller
// (recorded, 2026: object_lock_authority_replay.json): a write that sets a retention
// needs s3:PutObjectRetention as well, one that sets a legal hold
// s3:PutObjectLegalHold (explicit-retention-without-grant, copy-legal-denied,
// mpu-retention-denied...); the bypass header needs s3:BypassGovernanceRetention
// whether or not anything is protected (unprotected-header-no-bypass-action,
// shorten-header-no-action); and the s3:object-lock-* condition keys describe the
// protection asked — for a write without lock headers, the bucket's default
// (condition-mode-implicit, implicit-days-key-presence-s3:PutObject).
func (s *Service) lockChecks(c *server.Call, op string, b *bucketRec, in map[string]any, chk authz.Check, chks []authz.Check) []authz.Check {
	if !b.ObjectLock {
		return chks
	}
	ctx := chk.Context
	extra := func(action string) {
		x := chk
		x.Action = action
		chks = append(chks, x)
	}
	retention := func(mode string, until time.Time) {
		ctx["s3:object-lock-mode"] = []string{mode}
		ctx["s3:object-lock-retain-until-date"] = []string{until.UTC().Format("2006-01-02T15:04:05.000Z")}
		// Whole days left, rounded down (recorded: remaining-day-rounding, 2 days and
		// a minute is not more than 2, 3 days and a minute is).
		days := int64(until.Sub(c.Now) / (24 * time.Hour))
		if days < 0 {
			days = 0
		}
		ctx["s3:object-lock-remaining-retention-days"] = []string{strconv.FormatInt(days, 10)}
	}
	switch op {
	case "PutObject", "CopyObject", "CreateMultipartUpload":
		mode, hasMode := in["ObjectLockMode"].(string)
		until, hasUntil := timeMember(in["ObjectLockRetainUntilDate"])
		hold, hasHold := in["ObjectLockLegalHoldStatus"].(string)
		switch {
		case hasMode || hasUntil:
			if hasMode && hasUntil {
				retention(mode, until)
			}
			extra("s3:PutObjectRetention")
		case !hasHold && b.LockRule != nil:
			retention(b.LockRule.Mode, b.LockRule.until(c.Now))
		}
		if hasHold {
			ctx["s3:object-lock-legal-hold"] = []string{hold}
			extra("s3:PutObjectLegalHold")
		}
	case "PutObjectRetention":
		if r, ok := in["Retention"].(map[string]any); ok {
			mode, hasMode := r["Mode"].(string)
			until, hasUntil := timeMember(r["RetainUntilDate"])
			if hasMode && hasUntil {
				retention(mode, until)
			}
		}
		if bypassSent(c) {
			extra("s3:BypassGovernanceRetention")
		}
	case "PutObjectLegalHold":
		if h, ok := in["LegalHold"].(map[string]any); ok {
			if st, ok := h["Status"].(string); ok {
				ctx["s3:object-lock-legal-hold"] = []string{st}
			}
		}
	case "DeleteObject":
		if bypassSent(c) {
			extra("s3:BypassGovernanceRetention")
		}
	}
	return chks
}

// timeMember reads a decoded timestamp member.
func timeMember(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case *time.Time:
		if t != nil {
			return *t, true
		}
	}
	return time.Time{}, false
}

// lockHeaders answers a GET or HEAD with the version's protection, each part only to
// a caller allowed to read it: the retention to s3:GetObjectRetention, the legal hold
// to s3:GetObjectLegalHold; S3 leaves out what the caller may not read (recorded,
// 2026: object_lock_authority_replay.json, payload-head, retention-head, legal-head,
// full-head).
func (s *Service) lockHeaders(c *server.Call, b *bucketRec, o *objRec, mode **string, until **time.Time, hold **string) error {
	l := o.Lock
	if l == nil || o.DeleteMarker {
		return nil
	}
	retentionInfo(c, l, true, true)
	may := func(action string) (bool, error) {
		rp, err := s.resourcePolicy(c.Tx, b, o)
		if err != nil {
			return false, err
		}
		ctx := s.requestKeys(c, nil)
		ctx["s3:resourceaccount"] = []string{b.Owner}
		addBucketTags(ctx, b)
		// Through an access point, its policy is weighed too.
		return s.allowed(c, authz.Check{Action: action, Resource: b.arn() + "/" + o.Key, ResourceAccount: b.Owner, ResourcePolicy: rp.policy, Context: ctx})
	}
	if l.Until != nil {
		ok, err := may("s3:GetObjectRetention")
		if err != nil {
			return err
		}
		if ok {
			*mode, *until = ptr(l.Mode), ptr(*l.Until)
		}
	}
	if l.Hold != "" {
		ok, err := may("s3:GetObjectLegalHold")
		if err != nil {
			return err
		}
		if ok {
			*hold = ptr(l.Hold)
		}
	}
	return nil
}

func (s *Service) objectLockHandlers() []server.Handler {
	return []server.Handler{
		server.Read("GetObjectLockConfiguration", func(c *server.Call, in *api.GetObjectLockConfigurationRequest) (*api.GetObjectLockConfigurationOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if !b.ObjectLock {
				return nil, model.NewError(404, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket").With("BucketName", b.Name)
			}
			cfg := &api.ObjectLockConfiguration{ObjectLockEnabled: ptr("Enabled")}
			if r := b.LockRule; r != nil {
				d := &api.DefaultRetention{Mode: ptr(r.Mode)}
				if r.Days > 0 {
					d.Days = ptr(r.Days)
				}
				if r.Years > 0 {
					d.Years = ptr(r.Years)
				}
				cfg.Rule = &api.ObjectLockRule{DefaultRetention: d}
			}
			return &api.GetObjectLockConfigurationOutput{ObjectLockConfiguration: cfg}, nil
		}),
		server.Write("PutObjectLockConfiguration", func(c *server.Call, in *api.PutObjectLockConfigurationRequest) (*api.PutObjectLockConfigurationOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if err := checkLockConfiguration(in.ObjectLockConfiguration); err != nil {
				return nil, err
			}
			if !b.ObjectLock && b.Versioning != "Enabled" {
				// Object Lock may be turned on for a bucket only while its versioning
				// is enabled (recorded, 2026: object_lock_controls_replay.json,
				// enable-existing-unversioned and enable-existing-suspended: 409
				// InvalidBucketState; the message is S3's documented one).
				return nil, model.NewError(409, "InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
			}
			// Object Lock is turned on for good (versioning may no longer be
			// suspended), as a bucket created with it has it (recorded, 2026:
			// object_lock_authority_replay.json, existing-enable-lock-only-True); a
			// configuration without a rule removes the default retention
			// (object_lock_controls_replay.json, remove-default, removed-default-read).
			b.ObjectLock, b.LockRule = true, nil
			if r := in.ObjectLockConfiguration.Rule; r != nil {
				d := r.DefaultRetention
				b.LockRule = &lockRule{Mode: *d.Mode}
				if d.Days != nil {
					b.LockRule.Days = *d.Days
				}
				if d.Years != nil {
					b.LockRule.Years = *d.Years
				}
			}
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			if err := changed(c, b, itemBucket, changeUpdate); err != nil {
				return nil, err
			}
			return &api.PutObjectLockConfigurationOutput{}, nil
		}),
		server.Read("GetObjectRetention", func(c *server.Call, in *api.GetObjectRetentionRequest) (*api.GetObjectRetentionOutput, error) {
			b, o, err := s.lockedVersion(c, in.Bucket, in.Key, str(in.VersionId))
			if err != nil {
				return nil, err
			}
			// An expired retention still reads back (recorded:
			// compliance-expired-retention); a removed one is gone (removed-retention-retention).
			if o.Lock == nil || o.Lock.Until == nil {
				return nil, errNoLockConfiguration()
			}
			s.objectResources(c, b, o.Key)
			retentionInfo(c, o.Lock, true, false)
			recordSize(c, o)
			return &api.GetObjectRetentionOutput{Retention: &api.ObjectLockRetention{Mode: ptr(o.Lock.Mode), RetainUntilDate: ptr(*o.Lock.Until)}}, nil
		}),
		server.Read("GetObjectLegalHold", func(c *server.Call, in *api.GetObjectLegalHoldRequest) (*api.GetObjectLegalHoldOutput, error) {
			b, o, err := s.lockedVersion(c, in.Bucket, in.Key, str(in.VersionId))
			if err != nil {
				return nil, err
			}
			if o.Lock == nil || o.Lock.Hold == "" {
				return nil, errNoLockConfiguration()
			}
			s.objectResources(c, b, o.Key)
			retentionInfo(c, o.Lock, false, true)
			recordSize(c, o)
			return &api.GetObjectLegalHoldOutput{LegalHold: &api.ObjectLockLegalHold{Status: ptr(o.Lock.Hold)}}, nil
		}),
		server.Write("PutObjectRetention", func(c *server.Call, in *api.PutObjectRetentionRequest) (*api.PutObjectRetentionOutput, error) {
			b, o, err := s.lockedVersion(c, in.Bucket, in.Key, str(in.VersionId))
			if err != nil {
				return nil, err
			}
			l, err := retentionChange(c, o.Lock, in.Retention)
			if err != nil {
				return nil, err
			}
			o.Lock = l
			if err := s.rewriteVersion(c.Tx, b, o); err != nil {
				return nil, err
			}
			if err := s.notifyRetention(c, b, o); err != nil {
				return nil, err
			}
			s.objectResources(c, b, o.Key)
			retentionInfo(c, o.Lock, true, true)
			answerVersion(c, b, o)
			return &api.PutObjectRetentionOutput{RequestCharged: charged(c, b)}, nil
		}),
		server.Write("PutObjectLegalHold", func(c *server.Call, in *api.PutObjectLegalHoldRequest) (*api.PutObjectLegalHoldOutput, error) {
			b, o, err := s.lockedVersion(c, in.Bucket, in.Key, str(in.VersionId))
			if err != nil {
				return nil, err
			}
			// (recorded: empty-legal-hold, invalid-legal-hold: MalformedXML.)
			if in.LegalHold == nil || in.LegalHold.Status == nil || (*in.LegalHold.Status != "ON" && *in.LegalHold.Status != "OFF") {
				return nil, errMalformedXML()
			}
			l := objLock{}
			if o.Lock != nil {
				l = *o.Lock
			}
			l.Hold, l.HoldSet = *in.LegalHold.Status, c.Now.UnixMilli()
			o.Lock = &l
			if err := s.rewriteVersion(c.Tx, b, o); err != nil {
				return nil, err
			}
			s.objectResources(c, b, o.Key)
			retentionInfo(c, o.Lock, false, true)
			recordSize(c, o)
			answerVersion(c, b, o)
			return &api.PutObjectLegalHoldOutput{RequestCharged: charged(c, b)}, nil
		}),
	}
}

// retentionInfo puts in the call's CloudTrail record the protection of the version it
// acted on, as S3 records it in additionalEventData.objectRetentionInfo: the
// retention, the legal hold, or both, by operation, whatever the caller may read
// (recorded, 2026: object_lock_audit_replay.json — both for PutObject, GetObject,
// HeadObject and PutObjectRetention, the retention alone for GetObjectRetention, the
// legal hold alone for GetObjectLegalHold and PutObjectLegalHold).
func retentionInfo(c *server.Call, l *objLock, retention, hold bool) {
	if l == nil || c.AdditionalEventData == nil {
		return
	}
	info := map[string]any{}
	if retention && l.Until != nil {
		info["retentionInfo"] = map[string]any{"lastModifiedTime": l.RetSet, "retainUntilMode": l.Mode, "retainUntilTime": l.Until.UnixMilli()}
	}
	if hold && l.Hold != "" {
		info["legalHoldInfo"] = map[string]any{"isUnderLegalHold": l.Hold == "ON", "lastModifiedTime": l.HoldSet}
	}
	if len(info) > 0 {
		c.AdditionalEventData["objectRetentionInfo"] = info
	}
}

// lockOps are the object-level Object Lock operations, whose CloudTrail records have
// no turnAroundTime (recorded, 2026: object_lock_audit_replay.json,
// repeat-audit-get-retention, -put-retention, -get-legal, -put-legal).
var lockOps = map[string]bool{"GetObjectRetention": true, "PutObjectRetention": true, "GetObjectLegalHold": true, "PutObjectLegalHold": true}

// recordSize puts the version's size in the call's record, as S3 records it for the
// retention and legal hold calls but PutObjectRetention (recorded, 2026:
// object_lock_audit_replay.json: objectSize 29 but on repeat-audit-put-retention).
func recordSize(c *server.Call, o *objRec) {
	if c.AdditionalEventData != nil {
		c.AdditionalEventData["objectSize"] = o.Size
	}
}

// answerVersion sends the version a retention or legal hold was set on, which S3
// answers in x-amz-version-id and records as the call's responseElements though the
// model has no such output (recorded, 2026: object_lock_controls_replay.json,
// set-explicit-off; object_lock_audit_replay.json, repeat-audit-put-retention).
func answerVersion(c *server.Call, b *bucketRec, o *objRec) {
	v := versionHeader(b, o)
	if v == nil {
		return
	}
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Header["x-amz-version-id"] = []string{*v}
	c.ResponseElements = headerObject("x-amz-version-id", *v)
}

func errNoLockConfiguration() *model.Error {
	return model.NewError(404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
}

// lockedVersion is the version a retention or legal hold call acts on: on a bucket
// without Object Lock none (recorded, 2026: object_lock_controls_replay.json,
// unlocked-bucket-retention, retention-prior-null), a delete marker 405 saying so,
// with the marker's version when named and "null" for the current one
// (retention-current-marker, retention-explicit-marker, set-hold-marker), a missing
// key 404 NoSuchKey (retention-missing-key).
func (s *Service) lockedVersion(c *server.Call, bucket, key, version string) (*bucketRec, *objRec, error) {
	b, err := loadBucket(c.Tx, bucket)
	if err != nil {
		return nil, nil, err
	}
	if !b.ObjectLock {
		return nil, nil, errLockMissing()
	}
	// The bucket's name, not an access point's the request may have used.
	name := b.Name
	b, o, err := s.existingVersion(c.Tx, bucket, key, version, true, c.HTTP.Method)
	if me, ok := err.(*model.Error); ok && me.Code == "NoSuchKey" {
		if l, lerr := latest(c.Tx, name, key); lerr == nil && l != nil && l.DeleteMarker {
			return nil, nil, errMethodNotAllowed(c.HTTP.Method).WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", "null")
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if o.DeleteMarker {
		return nil, nil, errMethodNotAllowed(c.HTTP.Method).WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", o.VersionID)
	}
	return b, o, nil
}

// retentionChange is a version's protection after PutObjectRetention asks for r (nil
// or empty: none), or S3's refusal (recorded, 2026: object_lock_controls_replay.json,
// fixed-*, compliance-*, governance-*): a retention in force may always be
// extended in its mode; shortening, removing or changing a GOVERNANCE one takes the
// bypass header (and its permission, weighed with the call's checks); a COMPLIANCE
// one is never shortened, removed or changed. An expired retention protects nothing.
func retentionChange(c *server.Call, cur *objLock, r *api.ObjectLockRetention) (*objLock, error) {
	next := objLock{}
	if cur != nil {
		next.Hold, next.HoldSet = cur.Hold, cur.HoldSet
	}
	if r != nil && (r.Mode != nil || r.RetainUntilDate != nil) {
		if r.Mode == nil || r.RetainUntilDate == nil || (*r.Mode != "GOVERNANCE" && *r.Mode != "COMPLIANCE") {
			// A mode or a date alone, or another mode (recorded: fixed-invalid-mode-only,
			// fixed-invalid-date-only, fixed-invalid-invalid-mode).
			return nil, errMalformedXML()
		}
		if !r.RetainUntilDate.After(c.Now) {
			// Named as S3's Java service prints a date (recorded:
			// fixed-invalid-past-date, "Mon Sep 21 00:06:23 PDT 2026").
			return nil, errInvalidArgument("The retain until date must be in the future!", "RetainUntilDate", javaDate(*r.RetainUntilDate))
		}
		u := r.RetainUntilDate.UTC()
		next.Mode, next.Until, next.RetSet = *r.Mode, &u, c.Now.UnixMilli()
	}
	if cur.retained(c.Now) {
		keeps := next.Until != nil && next.Mode == cur.Mode && !next.Until.Before(*cur.Until)
		switch {
		case keeps:
		case cur.Mode == "GOVERNANCE" && bypassSent(c):
		default:
			return nil, errLocked()
		}
	}
	if next.Until == nil && next.Hold == "" {
		return nil, nil
	}
	return &next, nil
}

// pacific is the zone S3's Java service prints dates in.
var pacific = func() *time.Location {
	if l, err := time.LoadLocation("America/Los_Angeles"); err == nil {
		return l
	}
	return time.UTC
}()

// javaDate prints t as java.util.Date.toString does in S3's zone.
func javaDate(t time.Time) string {
	return t.In(pacific).Format("Mon Jan 02 15:04:05 MST 2006")
}

// checkLockConfiguration refuses an Object Lock configuration as S3 does (recorded,
// 2026: object_lock_controls_replay.json, config-* and default-invalid-*): Object Lock
// must be Enabled, a rule must hold a default retention with a mode and exactly one
// positive period (a mode alone is InvalidRequest; the messages are inferred).
func checkLockConfiguration(cfg *api.ObjectLockConfiguration) error {
	if cfg == nil || cfg.ObjectLockEnabled == nil || *cfg.ObjectLockEnabled != "Enabled" {
		return errMalformedXML()
	}
	if cfg.Rule == nil {
		return nil
	}
	d := cfg.Rule.DefaultRetention
	switch {
	case d == nil, d.Days != nil && d.Years != nil:
		return errMalformedXML()
	case d.Days == nil && d.Years == nil:
		if d.Mode != nil {
			return errInvalidRequest("Default retention period must be specified")
		}
		return errMalformedXML()
	case d.Mode == nil:
		return errMalformedXML()
	case d.Days != nil && *d.Days <= 0:
		return errInvalidArgument("Default retention period must be a positive integer value.", "Days", strconv.Itoa(int(*d.Days)))
	case d.Years != nil && *d.Years <= 0:
		return errInvalidArgument("Default retention period must be a positive integer value.", "Years", strconv.Itoa(int(*d.Years)))
	case d.Days != nil && *d.Days > 36500:
		// At most 100 years (recorded: config-bound-Days-36500/36501,
		// config-bound-Years-100/101; the message is inferred).
		return errInvalidArgument("Default retention period is too large.", "Days", strconv.Itoa(int(*d.Days)))
	case d.Years != nil && *d.Years > 100:
		return errInvalidArgument("Default retention period is too large.", "Years", strconv.Itoa(int(*d.Years)))
	}
	return nil
}
