package app

import (
	"context"

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
