package s3

import (
	"encoding/json"
	"slices"
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	ctl "github.com/palisade/palisade/internal/api/s3control"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// S3 Control's TagResource, UntagResource and ListTagsForResource on general purpose
// buckets (ResourceArn arn:aws:s3:::BUCKET). The tags are the bucket's, the ones
// GetBucketTagging reads and PutBucketTagging replaces: TagResource adds to them or
// changes values, UntagResource takes keys away, and both work whether or not ABAC is
// enabled, which is how an ABAC bucket's tags change (recorded, 2026:
// abac_controls_replay.json, merge-disabled, legacy-sees-merge, merge-enabled,
// untag-enabled; abac_tag_transitions_replay.json). Keys are told apart with their
// case: "project" and "Project" are two tags (abac_authorization_replay.json,
// case-distinct-tag-storage, remove-exact-lower-key).

// tagOps are the S3 Control operations on resource tags, authorized as s3:<Operation>.
var tagOps = map[string]bool{"TagResource": true, "UntagResource": true, "ListTagsForResource": true}

// The model's constraints are S3 Control's own checks here, with its own answers: an
// account ID that is no account ID is AccessDenied naming it, a tag that breaks the
// rules is InvalidTag, too many tags TooManyTags, no tags or keys InvalidTag (recorded,
// 2026: abac_controls_replay.json, route-invalid-account, control-*, quota-*,
// empty-*-request). The bucket ARN does not match the model's pattern at all. The
// account ID's shape is copied: the public access block operations keep theirs.
func init() {
	for _, op := range []string{"TagResource", "UntagResource", "ListTagsForResource"} {
		in := ctl.Service.Operations[op].Input
		acct := in.ByName["AccountId"]
		sh := cloneShape(acct.Shape)
		sh.Pattern, sh.Min, sh.Max = "", nil, nil
		acct.Shape = sh
		arn := in.ByName["ResourceArn"].Shape
		arn.Pattern, arn.Min, arn.Max = "", nil, nil
		for _, name := range []string{"Tags", "TagKeys"} {
			m := in.ByName[name]
			if m == nil {
				continue
			}
			in.Required = slices.DeleteFunc(slices.Clone(in.Required), func(n string) bool { return n == name })
			m.Required = false
			m.Shape.Min, m.Shape.Max = nil, nil
			el := m.Shape.Member.Shape
			if el.Type == model.Structure {
				el.Required = nil
				for _, kv := range el.Members {
					kv.Required = false
					kv.Shape.Min, kv.Shape.Max, kv.Shape.Pattern = nil, nil, ""
				}
			} else {
				el.Min, el.Max, el.Pattern = nil, nil, ""
			}
		}
	}
}

// tagTarget is what a ResourceArn names: a general purpose bucket, or a resource of
// another type S3 Control tags that Palisade does not serve.
type tagTarget struct {
	bucket string // the bucket's name, for a bucket ARN
	other  bool   // an access point, Storage Lens group, Access Grants or directory bucket ARN
}

// parseTagARN reads a ResourceArn. Other forms are refused as S3 Control refuses a
// regional bucket ARN, an account-scoped one and an object's: InvalidURI naming the
// path (recorded, 2026: abac_controls_replay.json, route-regional-arn,
// route-account-arn, route-object-arn; the message is not recorded: S3's for a URI it
// cannot read). Access points take tags through these operations
// (accesspoint_tags.go); so do Storage Lens groups, Access Grants and directory
// buckets in AWS, which Palisade has none of, so such an ARN names a resource that
// does not exist (inferred). Batch Operations jobs
// and Storage Lens configurations have their own tagging operations and are refused
// as the other forms are (inferred).
func parseTagARN(arn string) (tagTarget, error) {
	if name, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok && name != "" && !strings.ContainsAny(name, "/:") {
		return tagTarget{bucket: name}, nil
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[1] == "aws" && parts[3] != "" && isAccountID(parts[4]) {
		typ, id, _ := strings.Cut(parts[5], "/")
		switch {
		case parts[2] == "s3" && id != "" && (typ == "accesspoint" || typ == "storage-lens-group" || typ == "access-grants"):
			return tagTarget{other: true}, nil
		case parts[2] == "s3express" && typ == "bucket" && id != "":
			return tagTarget{other: true}, nil
		}
	}
	return tagTarget{}, model.NewError(400, "InvalidURI", "Couldn't parse the specified URI.").With("URI", "tags/"+arn)
}

func errNoSuchResource() *model.Error {
	return model.NewError(404, "NoSuchResource", "The specified resource doesn't exist.")
}

// tagBucket resolves the bucket a tag operation acts on and holds the request to
// S3 Control's rules: the account ID must be an account ID (AccessDenied naming it),
// the bucket must exist (NoSuchResource), be owned by that account (InvalidRequest)
// and live in the Region called (InvalidRequest naming it) (recorded, 2026:
// abac_controls_replay.json and abac_audit_replay.json, route-invalid-account,
// route-absent, route-wrong-account, route-wrong-region). The account must also be
// the caller's, as for the account's public access block (inferred: another account's
// bucket is refused as S3 Control refuses another account's settings); cross-account
// tagging is not served.
func tagBucket(c *server.Call, id, arn string) (*bucketRec, error) {
	if !isAccountID(id) {
		return nil, errAccessDenied().With("AccountId", id)
	}
	t, err := parseTagARN(arn)
	if err != nil {
		return nil, err
	}
	if t.other {
		return nil, errNoSuchResource()
	}
	b, err := buckets(c.Tx).get(c.Tx, t.bucket)
	if err != nil {
		return nil, err
	}
	if b == nil {
		// The record still names the bucket, in the account given (recorded, 2026:
		// abac_audit_replay.json, route-absent).
		c.Resources = []audit.Resource{{AccountID: id, Type: "AWS::S3::Bucket", ARN: arn, AccountFirst: true}}
		return nil, errNoSuchResource()
	}
	// The bucket is the record's resource from here on, also when the call is
	// refused (recorded, 2026: abac_audit_replay.json, route-wrong-region,
	// route-wrong-account).
	bucketResource(c, c.Operation.Name, b)
	if b.Owner != id {
		return nil, model.NewError(400, "InvalidRequest", "The specified AWS account ID does not own this S3 general purpose bucket. Use the account ID of the S3 bucket owner, then try again.")
	}
	if id != c.Principal.Account {
		return nil, errAccessDenied()
	}
	if c.Region != b.Region {
		return nil, model.NewError(400, "InvalidRequest", "Try the request again using the bucket's region: %s.", b.Region)
	}
	return b, nil
}

// tagChecks authorizes a tag operation: its action on the bucket, under the bucket
// policy, with S3's request keys; TagResource's tags are aws:RequestTag/<key> and
// aws:TagKeys, UntagResource's keys aws:TagKeys; and with ABAC enabled the bucket's
// present tags are aws:ResourceTag and s3:BucketTag, as on every other call to the
// bucket (recorded, 2026: abac_authorization_replay.json, tag-request-*,
// untag-request-*, untag-requesttag-absent, tag-case-insensitive-condition-key,
// disabled-tag-resource-context-*, enabled-tag-resource-context-*,
// enabled-list-tags-context-*).
func (s *Service) tagChecks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	eventData(c, in)
	id, _ := in["AccountId"].(string)
	arn, _ := in["ResourceArn"].(string)
	if a, ok, err := tagAP(c, id, arn); ok {
		if err != nil {
			return nil, err
		}
		return s.apTagChecks(c, op, in, a)
	}
	b, err := tagBucket(c, id, arn)
	if err != nil {
		return nil, err
	}
	ctx := s.requestKeys(c, nil)
	ctx["s3:resourceaccount"] = []string{b.Owner}
	addBucketTags(ctx, b)
	addTagCallKeys(ctx, op, in)
	rp, err := s.resourcePolicy(c.Tx, b, nil)
	if err != nil {
		return nil, err
	}
	if err := restrictPublic(c, b, rp); err != nil {
		return nil, err
	}
	return []authz.Check{{Action: "s3:" + op, Resource: b.arn(), ResourceAccount: b.Owner, ResourcePolicy: rp.policy, Context: ctx}}, nil
}

// addTagCallKeys gives an S3 Control tag call's check its request keys: TagResource's
// tags as aws:RequestTag/* and aws:TagKeys, UntagResource's keys as aws:TagKeys.
func addTagCallKeys(ctx map[string][]string, op string, in map[string]any) {
	switch op {
	case "TagResource":
		addRequestTags(ctx, in["Tags"])
	case "UntagResource":
		keys, _ := in["TagKeys"].([]any)
		for _, k := range keys {
			if s, ok := k.(string); ok {
				ctx["aws:tagkeys"] = append(ctx["aws:tagkeys"], s)
			}
		}
	}
}

// The answers S3 Control gives a tag set it refuses (recorded, 2026:
// abac_audit_replay.json, empty-tag-request, control-duplicate, control-reserved,
// control-invalid-*, control-long-*, untag-invalid, quota-combined-fifty-one).
func errTagInvalid(msg string) *model.Error { return model.NewError(400, "InvalidTag", "%s", msg) }

const (
	msgTagRequired  = "At least one tag is required."
	msgTagInvalid   = "This request contains a tag key or value that isn't valid. Valid characters include the following: [a-zA-Z+-=._:/]. Tag keys can contain up to 128 characters. Tag values can contain up to 256 characters."
	msgTagReserved  = "User-defined tag keys can't start with \"aws:\". This prefix is reserved for system tags. Remove \"aws:\" from your tag keys and try again."
	msgTagDuplicate = "There are duplicate tag keys in your request. Remove the duplicate tag keys and try again."
	// No recording has the message of an empty UntagResource (its record was not
	// found); this one is inferred from TagResource's.
	msgTagKeyRequired = "At least one tag key is required."
)

// validTagKey reports whether k is a key S3 Control takes: 1 to 128 characters of
// those tags take (counted as bucket tags are).
func validTagKey(k string) bool { return k != "" && utf16Len(k) <= 128 && tagChars(k) }

func (s *Service) tagResource(c *server.Call, in *ctl.TagResourceRequest) (*ctl.TagResourceResult, error) {
	if a, ok, err := tagAP(c, in.AccountId, in.ResourceArn); ok {
		if err != nil {
			return nil, err
		}
		return s.tagAccessPoint(c, a, in.Tags)
	}
	b, err := tagBucket(c, in.AccountId, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errTagInvalid(msgTagRequired)
	}
	seen := map[string]bool{}
	for _, t := range in.Tags {
		switch {
		case !validTagKey(t.Key) || utf16Len(t.Value) > 256 || !tagChars(t.Value):
			return nil, errTagInvalid(msgTagInvalid)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return nil, errTagInvalid(msgTagReserved)
		case seen[t.Key]:
			// The whole request is refused, its other tags with it (recorded, 2026:
			// abac_tag_transitions_replay.json, bucket-tag-duplicate-different and
			// bucket-tag-duplicate-same: the sentinel tag does not appear).
			return nil, errTagInvalid(msgTagDuplicate)
		}
		seen[t.Key] = true
	}
	tags := slices.Clone(b.Tags)
	for _, t := range in.Tags {
		i := slices.IndexFunc(tags, func(x api.Tag) bool { return x.Key == t.Key })
		if i >= 0 {
			tags[i].Value = t.Value
		} else {
			tags = append(tags, api.Tag{Key: t.Key, Value: t.Value})
		}
	}
	// The limit is on the tags the bucket would have: a new key on a bucket with 50
	// is refused, a new value for one of them is not (recorded, 2026:
	// abac_controls_replay.json, quota-combined-fifty-one, quota-update-at-fifty,
	// quota-fifty-one-request, quota-enabled-overflow).
	if len(tags) > 50 {
		return nil, model.NewError(400, "TooManyTags", "The number of tags exceeds the limit of 50 tags. Remove some tags and try again.")
	}
	return &ctl.TagResourceResult{}, s.setBucketTags(c, b, tags)
}

func (s *Service) untagResource(c *server.Call, in *ctl.UntagResourceRequest) (*ctl.UntagResourceResult, error) {
	if a, ok, err := tagAP(c, in.AccountId, in.ResourceArn); ok {
		if err != nil {
			return nil, err
		}
		return s.untagAccessPoint(c, a, in.TagKeys)
	}
	b, err := tagBucket(c, in.AccountId, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errTagInvalid(msgTagKeyRequired)
	}
	seen := map[string]bool{}
	for _, k := range in.TagKeys {
		if !validTagKey(k) {
			return nil, errTagInvalid(msgTagInvalid)
		}
		if seen[k] {
			// A key named twice fails the call and the tags stay as they were. For a
			// bucket AWS answered 500 InternalError (recorded three times, 2026:
			// abac_tag_transitions_replay.json, bucket-untag-duplicate-present,
			// bucket-untag-duplicate-absent, bucket-untag-present-settled); Palisade
			// answers no 500 for bad input, so it answers what an access point's
			// UntagResource answers to the same request: InvalidTag.
			return nil, errTagInvalid(msgTagDuplicate)
		}
		seen[k] = true
	}
	// Keys are matched exactly; unknown keys are no error (recorded, 2026:
	// abac_controls_replay.json, untag-partial-unknown, untag-unknown).
	tags := slices.DeleteFunc(slices.Clone(b.Tags), func(t api.Tag) bool { return seen[t.Key] })
	return &ctl.UntagResourceResult{}, s.setBucketTags(c, b, tags)
}

func (s *Service) listTagsForResource(c *server.Call, in *ctl.ListTagsForResourceRequest) (*ctl.ListTagsForResourceResult, error) {
	if a, ok, err := tagAP(c, in.AccountId, in.ResourceArn); ok {
		if err != nil {
			return nil, err
		}
		return listAccessPointTags(a), nil
	}
	b, err := tagBucket(c, in.AccountId, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &ctl.ListTagsForResourceResult{Tags: []ctl.Tag{}}
	for _, t := range b.Tags {
		out.Tags = append(out.Tags, ctl.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// setBucketTags stores a bucket's new tag set (none: no tag set, which
// GetBucketTagging answers NoSuchTagSet) and, when it differs from the old, tells
// AWS Config as PutBucketTagging does.
func (s *Service) setBucketTags(c *server.Call, b *bucketRec, tags []api.Tag) error {
	if len(tags) == 0 {
		tags = nil
	}
	if slices.Equal(tags, b.Tags) {
		return nil
	}
	b.Tags = tags
	if err := saveBucket(c.Tx, b); err != nil {
		return err
	}
	return changed(c, b, itemTagging, changeUpdate)
}

// controlRecord is S3 Control's Record hook. Its calls are recorded as S3's are
// (eventSource s3.amazonaws.com, requestParameters from the HTTP request,
// additionalEventData describing the exchange, no responseElements); the account's
// public access block operations under their IAM action names, with the Host alone
// (recorded, 2026: stackd testdata/aws/s3control/native_audit_replay.json,
// GetAccountPublicAccessBlock). The tag operations' requestParameters name the bucket,
// the Host, the resource ARN, UntagResource's tagKeys (one key as a string, several
// as a list) and TagResource's XML body with its namespace (recorded, 2026:
// abac_audit_replay.json, merge-disabled, untag-partial-unknown, untag-invalid,
// control-tags-empty).
func (s *Service) controlRecord(c *server.Call, in map[string]any, out any, err error) {
	if c.HTTP == nil {
		return
	}
	s.record(c, in, out, err)
	if apOps[c.Operation.Name] != "" {
		apRecord(c, in)
		return
	}
	if !tagOps[c.Operation.Name] {
		return
	}
	var p jsonObject
	arn, _ := in["ResourceArn"].(string)
	if t, perr := parseTagARN(arn); perr == nil && t.bucket != "" {
		p.add("bucketName", t.bucket)
	}
	p.add("Host", c.Host)
	if arn != "" {
		p.add("resource", arn)
	}
	if keys := c.HTTP.URL.Query()["tagKeys"]; len(keys) == 1 {
		p.add("tagKeys", keys[0])
	} else if len(keys) > 1 {
		raw, _ := json.Marshal(keys)
		p.addRaw("tagKeys", raw)
	}
	if len(c.Body) > 0 {
		if name, v, ok := xmlJSON(c.Body); ok {
			p.addRaw(name, v)
		}
	}
	c.RequestParameters = p.bytes()
}
