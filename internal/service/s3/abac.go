package s3

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// Attribute-based access control for general purpose buckets: once enabled on a
// bucket, its tags are offered to policies as aws:ResourceTag/<key> and
// s3:BucketTag/<key> on every request to the bucket and its objects; while disabled
// (the default) neither key exists, so a Null condition on them holds (recorded,
// 2026: abac_authorization_replay.json, disabled-* and enabled-* calls).

func (s *Service) abacHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutBucketAbac", func(c *server.Call, in *api.PutBucketAbacRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			// A status other than Enabled or Disabled, lowercase, empty or missing, is
			// MalformedXML and leaves the status as it was (recorded, 2026:
			// abac_controls_replay.json, status-unknown, status-lowercase,
			// status-empty, status-missing).
			if in.AbacStatus == nil || in.AbacStatus.Status == nil {
				return nil, errMalformedXML()
			}
			switch *in.AbacStatus.Status {
			case api.BucketAbacStatusEnabled:
				b.ABAC = true
			case api.BucketAbacStatusDisabled:
				b.ABAC = false
			default:
				return nil, errMalformedXML()
			}
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, nil
		}),
		server.Read("GetBucketAbac", func(c *server.Call, in *api.GetBucketAbacRequest) (*api.GetBucketAbacOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			st := api.BucketAbacStatusDisabled
			if b.ABAC {
				st = api.BucketAbacStatusEnabled
			}
			return &api.GetBucketAbacOutput{AbacStatus: &api.AbacStatus{Status: ptr(st)}}, nil
		}),
	}
}

// addBucketTags puts b's tags in an authorization context when ABAC is enabled on b.
// Keys are matched without regard to case, values with it (recorded, 2026:
// abac_authorization_replay.json, resource-key-case, bucket-key-case, value-case).
func addBucketTags(ctx map[string][]string, b *bucketRec) {
	if !b.ABAC {
		return
	}
	for _, t := range b.Tags {
		k := strings.ToLower(t.Key)
		ctx["aws:resourcetag/"+k] = []string{t.Value}
		ctx["s3:buckettag/"+k] = []string{t.Value}
	}
}

// errABACTagging refuses PutBucketTagging and DeleteBucketTagging on a bucket with
// ABAC enabled: its tags are then managed through S3 Control's TagResource and
// UntagResource (recorded, 2026: abac_controls_replay.json, legacy-put-enabled,
// legacy-delete-enabled; the tags are left as they were). The message is not
// recorded: this one says what the API reference says.
func errABACTagging() *model.Error {
	return model.NewError(400, "BadRequest", "ABAC is enabled for this bucket. Use TagResource and UntagResource to manage bucket tags.")
}
