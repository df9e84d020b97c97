package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/store"
)

// ServicePut describes an object an AWS service writes into a customer's bucket
// (CloudTrail log files and digests, Config snapshots, access logs).
type ServicePut struct {
	// Principal is the service principal writing, e.g. "cloudtrail.amazonaws.com".
	Principal string
	// SourceAccount and SourceArn are aws:SourceAccount and aws:SourceArn, which
	// bucket policies use to admit a service only on behalf of one account or
	// resource (a trail's ARN).
	SourceAccount string
	SourceArn     string
	// ACL is the canned ACL the service sets (CloudTrail sends
	// "bucket-owner-full-control", which its documented bucket policy requires through
	// s3:x-amz-acl); "" for none.
	ACL string
	// KMSKeyID selects SSE-KMS with this key (ID, ARN or alias; the service
	// principal then needs kms:GenerateDataKey on it); "" uses the bucket's default
	// encryption.
	KMSKeyID string
	// EncryptionContext is added to the SSE-KMS encryption context (CloudTrail adds
	// aws:cloudtrail:arn, which its documented key policy conditions on); S3 adds
	// aws:s3:arn itself.
	EncryptionContext map[string]string
	ContentType       string
	// ContentEncoding is stored as the object's Content-Encoding ("gzip" for
	// CloudTrail's files).
	ContentEncoding string
	Metadata        map[string]string

	// accessLog marks a server access log: S3 writes it with SSE-S3 whatever the
	// bucket's default, and never into a bucket with Object Lock.
	accessLog bool
}

// ErrNotAttached is returned by PutObjectAsService before Attach.
var ErrNotAttached = errors.New("s3: service not attached to a server")

// errLogTargetLocked refuses a server access log to a bucket with Object Lock.
var errLogTargetLocked = errors.New("s3: access log target bucket has Object Lock")

// PutObjectAsService writes an object into bucket as an AWS service principal, outside
// any client call: the body is streamed to disk first, then one transaction checks
// s3:PutObject against the bucket policy (and ACL) for the principal with
// aws:SourceAccount, aws:SourceArn and s3:x-amz-acl, encrypts the object (SSE-KMS
// through KMS as the principal when KMSKeyID is set, else the bucket's default) and
// commits it. A denial is an *model.Error with code AccessDenied; a missing bucket,
// NoSuchBucket. It is safe for concurrent use by background consumers.
func (s *Service) PutObjectAsService(ctx context.Context, bucket, key string, body io.Reader, o ServicePut) error {
	return s.putAsService(ctx, bucket, key, body, o)
}

func (s *Service) putAsService(ctx context.Context, bucket, key string, body io.Reader, o ServicePut) error {
	if s.srv == nil {
		return ErrNotAttached
	}
	if err := checkKey(key); err != nil {
		return err
	}
	p := auth.Principal{Type: auth.AWSService, ARN: o.Principal, UserID: o.Principal}
	var region string
	err := s.d.Store.View(ctx, func(tx *store.Tx) error {
		b, err := loadBucket(tx, bucket)
		if err == nil {
			region = b.Region
		}
		return err
	})
	if err != nil {
		return err
	}
	c, err := s.srv.NewCall(ctx, "s3", "PutObject", p, "", region)
	if err != nil {
		return err
	}
	c.SourceAccount, c.SourceArn = o.SourceAccount, o.SourceArn
	r, err := s.receive(c, body, bodyClaims{})
	if err != nil {
		return err
	}
	defer r.Close()
	return s.d.Store.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		c.Tx = tx
		defer func() { c.Tx = nil }()
		return tx.Savepoint(func() error {
			b, err := loadBucket(tx, bucket)
			if err != nil {
				return err
			}
			if o.accessLog && b.ObjectLock {
				// Server access logs are not delivered into a bucket with Object Lock
				// (User Guide, "Object Lock considerations": such a bucket "can't be
				// used as destination buckets for server access logs";
				// "Troubleshoot server access logging": "Object Lock blocks server
				// access log delivery").
				return errLogTargetLocked
			}
			c.Account = b.Owner
			c.Now = s.d.Clock.Now()
			rp, err := s.resourcePolicy(tx, b, nil)
			if err != nil {
				return err
			}
			ctxKeys := map[string][]string{"s3:resourceaccount": {b.Owner}}
			if o.SourceAccount != "" {
				ctxKeys["aws:sourceaccount"] = []string{o.SourceAccount}
			}
			if o.SourceArn != "" {
				ctxKeys["aws:sourcearn"] = []string{o.SourceArn}
			}
			if o.ACL != "" {
				ctxKeys["s3:x-amz-acl"] = []string{o.ACL}
			}
			if err := c.Authorize(authz.Check{Action: "s3:PutObject", Resource: b.arn() + "/" + key, ResourceAccount: b.Owner,
				ResourcePolicy: rp.policy, Context: ctxKeys}); err != nil {
				return err
			}
			obj := &objRec{Key: key, LastModified: timeTrunc(c.Now), Owner: b.Owner, Size: r.size, ETag: r.etag(),
				ContentType: o.ContentType, Meta: o.Metadata, Checksums: r.checksums, ChecksumType: typeFullObject}
			if o.ContentEncoding != "" {
				obj.Headers = storedHeaders(nil, nil, &o.ContentEncoding, nil, nil)
			}
			if o.ACL != "" && b.aclsEnabled() {
				a, err := cannedACL(o.ACL, b.Owner, b.Owner)
				if err != nil {
					return err
				}
				obj.ACL = a
			}
			sse := sseRequest{}
			if o.KMSKeyID != "" {
				sse.Mode, sse.KMSKeyID = ptr(sseKMS), ptr(o.KMSKeyID)
				if len(o.EncryptionContext) > 0 {
					b, _ := json.Marshal(o.EncryptionContext)
					sse.Context = ptr(base64.StdEncoding.EncodeToString(b))
				}
			} else if o.accessLog {
				sse.Mode = ptr(sseS3)
			}
			objKey, enc, err := s.newObjectKey(c, b, key, sse)
			if err != nil {
				return err
			}
			obj.Enc = enc
			// The bucket's default retention protects what a service writes as what
			// anyone writes: a CloudTrail log file in a bucket with a COMPLIANCE
			// default is WORM like any other new version ("How S3 Object Lock works":
			// the default applies to every new object version; inferred for service
			// writes, which send no lock headers).
			if obj.Lock, err = lockRequest(c, b, nil, nil, nil, false); err != nil {
				return err
			}
			obj.Segments = []segment{r.segment(objKey)}
			if err := r.commit(c, obj); err != nil {
				return err
			}
			if err := s.writeVersion(tx, b, obj); err != nil {
				return err
			}
			return s.notifyObject(c, b, obj)
		})
	})
}
