package s3

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxBuckets is the default quota of general purpose buckets per account.
const maxBuckets = 10000

// validBucketName applies S3's naming rules for general purpose buckets (User Guide,
// "General purpose bucket naming rules").
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(n[0]) || !alnum(n[len(n)-1]) || strings.Contains(n, "..") {
		return false
	}
	if ip := net.ParseIP(n); ip != nil && ip.To4() != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, sfx) {
			return false
		}
	}
	return true
}

func errInvalidBucketName(n string) *model.Error {
	return model.NewError(400, "InvalidBucketName", "The specified bucket is not valid.").With("BucketName", n)
}

// checkRegion refuses a request signed for another region than the bucket's, as S3
// does ("the region 'us-east-1' is wrong; expecting 'eu-west-1'"); the SDKs read the
// Region field and sign again for the right one. A presigned URL gets S3's
// AuthorizationQueryParametersError ("Error parsing the X-Amz-Credential parameter; …"),
// as users recorded it (ai-dock/comfyui#34, HHS/Head-Start-TTADP#370).
func checkRegion(c *server.Call, b *bucketRec) error {
	if c.Auth == nil || c.Region == b.Region {
		return nil
	}
	if c.Auth.Presigned {
		return model.NewError(400, "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", c.Region, b.Region).With("Region", b.Region)
	}
	return model.NewError(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '%s' is wrong; expecting '%s'", c.Region, b.Region).With("Region", b.Region)
}

func (s *Service) bucketHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateBucket", s.createBucket),
		server.Write("DeleteBucket", s.deleteBucket),
		server.Read("HeadBucket", func(c *server.Call, in *api.HeadBucketRequest) (*api.HeadBucketOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			return &api.HeadBucketOutput{BucketRegion: ptr(b.Region), BucketArn: ptr(b.arn()), AccessPointAlias: ptr(isAPAlias(in.Bucket))}, nil
		}),
		server.Read("GetBucketLocation", func(c *server.Call, in *api.GetBucketLocationRequest) (*api.GetBucketLocationOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			out := &api.GetBucketLocationOutput{}
			if b.Region != "us-east-1" {
				out.LocationConstraint = ptr(b.Region)
			}
			return out, nil
		}),
		server.Read("ListBuckets", s.listBuckets),
	}
}

func (s *Service) createBucket(c *server.Call, in *api.CreateBucketRequest) (*api.CreateBucketOutput, error) {
	if c.Principal.Type == auth.Anonymous {
		return nil, errAccessDenied()
	}
	if !validBucketName(in.Bucket) {
		return nil, errInvalidBucketName(in.Bucket)
	}
	region := c.Region
	var tags []api.Tag
	var lc *string
	if cfg := in.CreateBucketConfiguration; cfg != nil {
		if lc = cfg.LocationConstraint; lc != nil && (*lc == "us-east-1" || *lc == "") {
			return nil, model.NewError(400, "InvalidLocationConstraint", "The specified location-constraint is not valid").With("LocationConstraint", *lc)
		}
		if len(cfg.Tags) > 0 {
			if err := checkTags(cfg.Tags, 50); err != nil {
				return nil, err
			}
			tags = cfg.Tags
		}
	}
	if region != "us-east-1" && lc == nil {
		return nil, model.NewError(400, "IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	}
	b := &bucketRec{Name: in.Bucket, Owner: c.Principal.Account, Region: region, Created: timeTrunc(c.Now), Tags: tags,
		Ownership: ownerEnforced, PAB: &pab{true, true, true, true}, SSECBlocked: true}
	if in.ObjectOwnership != nil {
		b.Ownership = *in.ObjectOwnership
	}
	// The ACL is checked against the bucket the request would create, before the
	// name is looked up: a re-creation is refused as a creation would be (recorded,
	// 2026: recreation_controls_replay.json, east-repeat-logdelivery-no-ownership and
	// bpa-repeat-public-read-ignored).
	ai := aclInput{in.ACL, in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP, nil}
	a, err := ai.build(b.Owner, b.Owner)
	if err != nil {
		return nil, err
	}
	if a != nil {
		if !b.aclsEnabled() && !a.onlyOwner(b.Owner) {
			return nil, errACLWithEnforced()
		}
		if a.public() {
			// A new bucket starts with every public access block setting on, so a
			// public ACL on one that accepts ACLs is refused (recorded, 2026:
			// local_acl_authority_replay.json, ObjectWriter and BucketOwnerPreferred
			// with public-read).
			eff, err := effectivePAB(c.Tx, b)
			if err != nil {
				return nil, err
			}
			if eff.BlockPublicAcls {
				return nil, model.NewError(400, "InvalidBucketAclWithBlockPublicAccessError", "Bucket cannot have public ACLs set with BlockPublicAccess enabled")
			}
		}
		if b.aclsEnabled() {
			b.ACL = a
		}
	}
	existing, err := buckets(c.Tx).get(c.Tx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if existing.Owner != c.Principal.Account {
			return nil, model.NewError(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").With("BucketName", in.Bucket)
		}
		if region == "us-east-1" && recreates(existing, in) {
			return s.recreateBucket(c, existing, b.ACL)
		}
		return nil, model.NewError(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", in.Bucket)
	}
	if lc != nil && *lc != region {
		// Looked at after the name: a bucket the account owns is 409 whatever the
		// constraint (recorded, 2026: recreation_controls_replay.json,
		// followup-same-ownership-west-config).
		return nil, model.NewError(400, "IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", *lc)
	}
	n, err := c.Tx.Count(nsOwned(c.Principal.Account))
	if err != nil {
		return nil, err
	}
	if n >= maxBuckets {
		return nil, model.NewError(400, "TooManyBuckets", "You have attempted to create more buckets than allowed")
	}
	if in.ObjectLockEnabledForBucket != nil && *in.ObjectLockEnabledForBucket {
		b.ObjectLock, b.Versioning = true, "Enabled"
	}
	if err := saveBucket(c.Tx, b); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(nsOwned(b.Owner), b.Name, nil); err != nil {
		return nil, err
	}
	loc := "/" + b.Name
	if region != "us-east-1" {
		loc = "http://" + b.Name + ".s3.amazonaws.com/"
	}
	c.ResponseElements = noResponseElements
	return &api.CreateBucketOutput{Location: ptr(loc), BucketArn: ptr(b.arn())}, changed(c, b, itemBucket, changeCreate)
}

// noResponseElements is CreateBucket's CloudTrail responseElements: AWS records none,
// created or re-created (recorded, 2026: recreation_audit_replay.json, create-existing).
var noResponseElements = json.RawMessage(`null`)

// recreates reports whether a CreateBucket sent to us-east-1 for a bucket there the
// caller's account owns re-creates it (the documented legacy 200) rather than being
// BucketAlreadyOwnedByYou: only when it asks for what the bucket has. Its Object
// Ownership (BucketOwnerEnforced when it names none; none when the bucket's controls
// were deleted) and Object Lock (off when it names none) must be the bucket's, it may
// carry no tags nor location, and the bucket's public access block must be absent or
// the all-on one a new bucket gets (recorded, 2026: recreation_authority_replay.json;
// recreation_controls_replay.json; local_acl_authority_replay.json).
func recreates(b *bucketRec, in *api.CreateBucketRequest) bool {
	if b.Region != "us-east-1" {
		return false
	}
	switch {
	case b.Ownership == "" && in.ObjectOwnership != nil:
		return false
	case b.Ownership != "" && b.Ownership != ownerEnforced && (in.ObjectOwnership == nil || *in.ObjectOwnership != b.Ownership):
		return false
	case b.Ownership == ownerEnforced && in.ObjectOwnership != nil && *in.ObjectOwnership != ownerEnforced:
		return false
	}
	if lock := in.ObjectLockEnabledForBucket != nil && *in.ObjectLockEnabledForBucket; lock != b.ObjectLock {
		return false
	}
	if cfg := in.CreateBucketConfiguration; cfg != nil && (cfg.LocationConstraint != nil || len(cfg.Tags) > 0) {
		return false
	}
	return b.PAB == nil || *b.PAB == (pab{true, true, true, true})
}

// recreateBucket re-creates a bucket the caller's account owns: its ACL becomes the
// request's (checked as a creation's), and nothing else changes (recorded, 2026:
// recreation_controls_replay.json, followup-after-reset-*: versions, tags,
// acceleration, public access block and CreationDate stay).
func (s *Service) recreateBucket(c *server.Call, b *bucketRec, a *acl) (*api.CreateBucketOutput, error) {
	b.ACL = nil
	if b.aclsEnabled() {
		b.ACL = a
	}
	if err := saveBucket(c.Tx, b); err != nil {
		return nil, err
	}
	c.ResponseElements = noResponseElements
	return &api.CreateBucketOutput{Location: ptr("/" + b.Name), BucketArn: ptr(b.arn())}, changed(c, b, itemACL, changeUpdate)
}

// hasAny reports whether a namespace holds any key.
func hasAny(tx *store.Tx, ns string) (bool, error) {
	found := false
	err := tx.Scan(ns, "", 1, func(string, []byte) bool { found = true; return false })
	return found, err
}

func (s *Service) deleteBucket(c *server.Call, in *api.DeleteBucketRequest) (*model.Empty, error) {
	b, err := loadBucket(c.Tx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := bucketHasAccessPoints(c.Tx, b.Name); err != nil {
		return nil, err
	}
	for _, ns := range []string{nsCur(b.Name), nsVer(b.Name)} {
		full, err := hasAny(c.Tx, ns)
		if err != nil {
			return nil, err
		}
		if full {
			msg := "The bucket you tried to delete is not empty"
			if b.Versioning != "" {
				msg += ". You must delete all versions in the bucket."
			}
			return nil, model.NewError(409, "BucketNotEmpty", "%s", msg).With("BucketName", b.Name)
		}
	}
	// Multipart uploads in progress go with the bucket.
	var uploads []*uploadRec
	err = c.Tx.Scan(nsUploads(b.Name), "", 0, func(k string, v []byte) bool {
		if u, err := decodeUpload(v); err == nil {
			uploads = append(uploads, u)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for _, u := range uploads {
		if err := s.dropUpload(c.Tx, b, u); err != nil {
			return nil, err
		}
	}
	var aborted []string
	if err := c.Tx.Scan(nsAborted(b.Name), "", 0, func(k string, _ []byte) bool {
		aborted = append(aborted, k)
		return true
	}); err != nil {
		return nil, err
	}
	for _, k := range aborted {
		if _, err := c.Tx.Delete(nsAborted(b.Name), k); err != nil {
			return nil, err
		}
	}
	if err := deleteBucketRec(c.Tx, b.Name); err != nil {
		return nil, err
	}
	if _, err := c.Tx.Delete(nsOwned(b.Owner), b.Name); err != nil {
		return nil, err
	}
	c.Status = 204
	return &model.Empty{}, changed(c, b, itemBucket, changeDelete)
}

func (s *Service) listBuckets(c *server.Call, in *api.ListBucketsRequest) (*api.ListBucketsOutput, error) {
	if c.Principal.Type == auth.Anonymous {
		return nil, errAccessDenied()
	}
	limit := 0
	if in.MaxBuckets != nil {
		if *in.MaxBuckets < 1 || *in.MaxBuckets > 10000 {
			return nil, errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", "")
		}
		limit = int(*in.MaxBuckets)
	}
	after := ""
	if in.ContinuationToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.ContinuationToken)
		if err != nil {
			return nil, errInvalidArgument("The continuation token provided is incorrect", "continuation-token", *in.ContinuationToken)
		}
		after = string(raw)
	}
	prefix := str(in.Prefix)
	out := &api.ListBucketsOutput{Owner: owner(c.Principal.Account), Buckets: []api.Bucket{}}
	if in.Prefix != nil {
		out.Prefix = in.Prefix
	}
	var names []string
	err := c.Tx.Scan(nsOwned(c.Principal.Account), after, 0, func(k string, _ []byte) bool {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := load[bucketRec](c.Tx, nsBuckets, n)
		if err != nil {
			return nil, err
		}
		if b == nil || (in.BucketRegion != nil && b.Region != *in.BucketRegion) {
			continue
		}
		if limit > 0 && len(out.Buckets) == limit {
			out.ContinuationToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(*out.Buckets[len(out.Buckets)-1].Name)))
			break
		}
		out.Buckets = append(out.Buckets, api.Bucket{Name: ptr(b.Name), CreationDate: ptr(b.Created), BucketRegion: ptr(b.Region), BucketArn: ptr(b.arn())})
	}
	return out, nil
}
