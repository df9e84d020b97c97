package app

import (
	"context"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"

	"github.com/palisade/palisade/internal/service/logs"
	"github.com/palisade/palisade/internal/service/s3"
	"github.com/palisade/palisade/internal/store"
)

// logsBuckets is S3 as CloudWatch Logs' export tasks use it: the same questions
// CloudTrail asks of a bucket (ctBuckets), and writes as the service principal.
type logsBuckets struct{ a *App }

func (b logsBuckets) ServiceAllowed(tx *store.Tx, bucket, key, action, principal string, conditions map[string][]string) (exists, allowed bool, err error) {
	return ctBuckets(b).ServiceAllowed(tx, bucket, key, action, principal, conditions)
}

func (b logsBuckets) PutObject(ctx context.Context, o logs.BucketObject) error {
	return b.a.S3.PutObjectAsService(ctx, o.Bucket, o.Key, o.Body, s3.ServicePut{
		Principal: o.Principal, SourceAccount: o.SourceAccount, SourceArn: o.SourceArn, ACL: o.ACL,
	})
}

// CallerAllowed asks S3's own checks for the caller's request (identity policies, the
// bucket policy and ACL, across accounts), for the action only.
func (b logsBuckets) CallerAllowed(tx *store.Tx, p auth.Principal, account, bucket, key, action string) (bool, error) {
	in := map[string]any{"Bucket": bucket, "Key": key}
	c, chks, err := b.a.serviceChecks(tx, "s3", s3Ops[action], p, account, "", in)
	if err != nil {
		if errorCode(err) == "NoSuchBucket" {
			return false, nil
		}
		return false, err
	}
	var mine []authz.Check
	for _, chk := range chks {
		if chk.Action == action {
			mine = append(mine, chk)
		}
	}
	allowed, err := b.a.allowedAll(tx, c, mine, nil)
	return allowed && len(mine) > 0, err
}
