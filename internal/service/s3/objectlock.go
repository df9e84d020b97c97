package s3

import (
	"net/http"
	"strconv"
	"time"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// Palisade does not implement Object Lock's retention and legal holds: nothing it
// stores is WORM-protected. A bucket may still be created with Object Lock enabled, or
// have it turned on without a default retention (versioning on, not to be suspended). What the operations answer here is what S3
// answers for what Palisade has — a bucket without Object Lock, or one with it but no
// default retention and no object under retention or hold (recorded, 2026:
// object_lock_controls_replay.json) — and every request that would protect an object
// is refused rather than accepted without protection.

// errLockMissing is S3's answer to a retention or legal hold asked of a bucket without
// Object Lock (the status and code recorded; the message as S3 words it).
func errLockMissing() *model.Error {
	return errInvalidRequest("Bucket is missing Object Lock Configuration")
}

// errLockNotImplemented refuses what would need Object Lock's protection.
func errLockNotImplemented(header string) *model.Error {
	return model.NewError(501, "NotImplemented", "A header you provided implies functionality that is not implemented").With("Header", header)
}

// checkLockRequest refuses an object write asking for a retention or a legal hold:
// on a bucket without Object Lock as S3 does, and on one with it because Palisade
// would not hold the object.
func checkLockRequest(b *bucketRec, mode *string, until *time.Time, hold *string) error {
	if mode == nil && until == nil && hold == nil {
		return nil
	}
	if !b.ObjectLock {
		return errLockMissing()
	}
	if hold != nil {
		return errLockNotImplemented("x-amz-object-lock-legal-hold")
	}
	return errLockNotImplemented("x-amz-object-lock-mode")
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
			return &api.GetObjectLockConfigurationOutput{ObjectLockConfiguration: &api.ObjectLockConfiguration{ObjectLockEnabled: ptr("Enabled")}}, nil
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
			if in.ObjectLockConfiguration.Rule == nil {
				// Without a default retention there is nothing to hold: Object Lock is
				// turned on (for good: versioning may no longer be suspended) as a
				// bucket created with it has it, which Palisade serves (recorded, 2026:
				// object_lock_authority_replay.json, existing-enable-lock-only-True).
				if !b.ObjectLock {
					b.ObjectLock = true
					if err := saveBucket(c.Tx, b); err != nil {
						return nil, err
					}
					if err := changed(c, b, itemBucket, changeUpdate); err != nil {
						return nil, err
					}
				}
				return &api.PutObjectLockConfigurationOutput{}, nil
			}
			return nil, errLockNotImplemented("x-amz-object-lock")
		}),
		server.Read("GetObjectRetention", func(c *server.Call, in *api.GetObjectRetentionRequest) (*api.GetObjectRetentionOutput, error) {
			return nil, s.lockRead(c, in.Bucket, in.Key, str(in.VersionId))
		}),
		server.Read("GetObjectLegalHold", func(c *server.Call, in *api.GetObjectLegalHoldRequest) (*api.GetObjectLegalHoldOutput, error) {
			return nil, s.lockRead(c, in.Bucket, in.Key, str(in.VersionId))
		}),
		server.Write("PutObjectRetention", func(c *server.Call, in *api.PutObjectRetentionRequest) (*api.PutObjectRetentionOutput, error) {
			return nil, s.lockWrite(c, in.Bucket, "x-amz-object-lock-mode")
		}),
		server.Write("PutObjectLegalHold", func(c *server.Call, in *api.PutObjectLegalHoldRequest) (*api.PutObjectLegalHoldOutput, error) {
			return nil, s.lockWrite(c, in.Bucket, "x-amz-object-lock-legal-hold")
		}),
	}
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
	}
	return nil
}

// lockRead answers a read of an object's retention or legal hold: a bucket without
// Object Lock has none to read (recorded, 2026: object_lock_controls_replay.json,
// unlocked-bucket-retention, unlocked-bucket-legal-hold), and in one with it no object
// has any (recorded, 2026: object_lock_controls_replay.json,
// prior-enabled-version-retention and prior-enabled-version-legal-hold; the message
// inferred).
func (s *Service) lockRead(c *server.Call, bucket, key, version string) error {
	b, err := loadBucket(c.Tx, bucket)
	if err != nil {
		return err
	}
	if !b.ObjectLock {
		return errLockMissing()
	}
	if _, _, err := s.existingVersion(c.Tx, bucket, key, version, false, http.MethodGet); err != nil {
		return err
	}
	return model.NewError(404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
}

// lockWrite answers a retention or legal hold set on an object (recorded, 2026:
// object_lock_controls_replay.json, retention-prior-null, hold-prior-null).
func (s *Service) lockWrite(c *server.Call, bucket, header string) error {
	b, err := loadBucket(c.Tx, bucket)
	if err != nil {
		return err
	}
	if !b.ObjectLock {
		return errLockMissing()
	}
	return errLockNotImplemented(header)
}
