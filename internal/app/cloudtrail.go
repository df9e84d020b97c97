package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/iam"
	"github.com/palisade/palisade/internal/service/organizations"
	"github.com/palisade/palisade/internal/service/s3"
	"github.com/palisade/palisade/internal/service/sns"
	"github.com/palisade/palisade/internal/store"
)

// CloudTrail's dependencies on S3, KMS, IAM and Organizations. The questions CloudTrail
// asks another service ("may cloudtrail.amazonaws.com put objects into this bucket,
// generate data keys under this key?") are answered by that service's own
// authorization: a server.Call for its operation (NewCall), its Checks hook
// (OperationChecks: the bucket policy and ACLs, the key policy and grants), and the
// policy engine, so CloudTrail and the service cannot disagree.

// serviceChecks returns the checks service would make before op's handler for the
// principal and input, reading in tx.
func (a *App) serviceChecks(tx *store.Tx, service, op string, p auth.Principal, account, region string, in map[string]any) (*server.Call, []authz.Check, error) {
	c, err := a.Server.NewCall(context.Background(), service, op, p, account, region)
	if err != nil {
		return nil, nil, err
	}
	c.Tx = tx
	chks, err := c.OperationChecks(in)
	return c, chks, err
}

// allowedAll decides every check for the call's principal, with extra condition keys
// (any case) added to each.
func (a *App) allowedAll(tx *store.Tx, c *server.Call, chks []authz.Check, extra map[string][]string) (bool, error) {
	caller := authz.Caller{Principal: c.Principal, Region: c.Region, Now: c.Now}
	for _, chk := range chks {
		ctx := make(map[string][]string, len(chk.Context)+len(extra))
		for k, v := range chk.Context {
			ctx[k] = v
		}
		for k, v := range extra {
			ctx[strings.ToLower(k)] = v
		}
		chk.Context = ctx
		d, err := a.Authz.Decide(tx, &caller, &chk)
		if err != nil {
			return false, err
		}
		if !d.Allowed() {
			return false, nil
		}
	}
	return true, nil
}

func servicePrincipal(name string) auth.Principal {
	return auth.Principal{Type: auth.AWSService, ARN: name, UserID: name}
}

func errorCode(err error) string {
	var me *model.Error
	if errors.As(err, &me) {
		return me.Code
	}
	return ""
}

// ctBuckets is S3 as CloudTrail's Buckets.
type ctBuckets struct{ a *App }

// s3Ops maps the actions CloudTrail asks about to the operations that need them.
var s3Ops = map[string]string{"s3:GetBucketAcl": "GetBucketAcl", "s3:PutObject": "PutObject"}

func (b ctBuckets) ServiceAllowed(tx *store.Tx, bucket, key, action, principal string, conditions map[string][]string) (exists, allowed bool, err error) {
	op, ok := s3Ops[action]
	if !ok {
		return false, false, errors.New("app: CloudTrail asks S3 about " + action)
	}
	in := map[string]any{"Bucket": bucket}
	if key != "" {
		in["Key"] = key
	}
	if acl := conditions["s3:x-amz-acl"]; len(acl) == 1 {
		in["ACL"] = acl[0]
	}
	c, chks, err := b.a.serviceChecks(tx, "s3", op, servicePrincipal(principal), "", "", in)
	if err != nil {
		if errorCode(err) == "NoSuchBucket" {
			return false, false, nil
		}
		return false, false, err
	}
	// The action asked about only: S3 asks a client for s3:PutObjectAcl as well when
	// a PutObject names an ACL, but not CloudTrail, whose documented bucket policy
	// grants s3:PutObject alone (PutObjectAsService checks the same).
	var mine []authz.Check
	for _, chk := range chks {
		if chk.Action == action {
			mine = append(mine, chk)
		}
	}
	allowed, err = b.a.allowedAll(tx, c, mine, conditions)
	return true, allowed && len(mine) > 0, err
}

func (b ctBuckets) PutObject(ctx context.Context, o cloudtrail.Object) error {
	return b.a.S3.PutObjectAsService(ctx, o.Bucket, o.Key, o.Body, s3.ServicePut{
		Principal: o.Principal, SourceAccount: o.SourceAccount, SourceArn: o.SourceARN, ACL: o.ACL,
		KMSKeyID: o.KMSKeyID, EncryptionContext: o.EncryptionContext, ContentType: o.ContentType, ContentEncoding: o.ContentEncoding,
		Metadata: o.Metadata,
	})
}

// ctKeys is KMS as CloudTrail's Keys.
type ctKeys struct{ a *App }

func (k ctKeys) ResolveKey(tx *store.Tx, account, region, keyID string) (string, bool, error) {
	_, chks, err := k.a.serviceChecks(tx, "kms", "DescribeKey", auth.RootPrincipal(account), account, region, map[string]any{"KeyId": keyID})
	if err != nil {
		if errorCode(err) == "NotFoundException" {
			return "", false, nil
		}
		return "", false, err
	}
	if len(chks) == 0 {
		return "", false, nil
	}
	return chks[0].Resource, true, nil
}

func (k ctKeys) ServiceAllowed(tx *store.Tx, keyARN, action, principal string, conditions map[string][]string) (bool, error) {
	// arn:aws:kms:REGION:ACCOUNT:key/ID
	parts := strings.SplitN(keyARN, ":", 6)
	if len(parts) != 6 {
		return false, nil
	}
	op := strings.TrimPrefix(action, "kms:")
	in := map[string]any{"KeyId": keyARN}
	ec := map[string]any{}
	for k, v := range conditions {
		if name, ok := strings.CutPrefix(strings.ToLower(k), "kms:encryptioncontext:"); ok && len(v) == 1 {
			ec[name] = v[0]
		}
	}
	if len(ec) > 0 {
		in["EncryptionContext"] = ec
	}
	c, chks, err := k.a.serviceChecks(tx, "kms", op, servicePrincipal(principal), parts[4], parts[3], in)
	if err != nil {
		if errorCode(err) != "" {
			return false, nil // the key cannot be used: disabled, pending deletion
		}
		return false, err
	}
	return k.a.allowedAll(tx, c, chks, conditions)
}

// ctOrganizations is Organizations as CloudTrail sees it. Organizations does not serve
// EnableAWSServiceAccess or consolidated-billing organizations yet: every organization
// has all features and CloudTrail's trusted access.
type ctOrganizations struct{}

func (ctOrganizations) Organization(tx *store.Tx, account string) (cloudtrail.Org, bool, error) {
	info, err := organizations.Source{}.AccountOrg(tx, account)
	if err != nil || info == nil {
		return cloudtrail.Org{}, false, err
	}
	all, trusted, _, err := organizations.Source{}.TrustedAccess(tx, account, cloudtrail.ServicePrincipal)
	if err != nil {
		return cloudtrail.Org{}, false, err
	}
	return cloudtrail.Org{ID: info.ID, ManagementAccount: info.ManagementAccount, AllFeatures: all, TrustedAccess: trusted}, true, nil
}

func (ctOrganizations) Memberships(tx *store.Tx, account string) ([]cloudtrail.Membership, error) {
	ms, err := organizations.Source{}.Memberships(tx, account)
	out := make([]cloudtrail.Membership, len(ms))
	for i, m := range ms {
		out[i] = cloudtrail.Membership{OrgID: m.OrgID, Until: m.Until}
	}
	return out, err
}

// ctRoles is IAM's roles as CloudTrail's and SNS's Roles.
type ctRoles struct{}

func (ctRoles) Role(tx *store.Tx, arn string) (id, trust string, ok bool, err error) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	account, res, found2 := strings.Cut(rest, ":role/")
	if !found || !found2 {
		return "", "", false, nil
	}
	r, err := iam.LookupRole(tx, account, res[strings.LastIndexByte(res, '/')+1:])
	if err != nil || r == nil || r.ARN != arn {
		return "", "", false, err
	}
	return r.ID, r.Trust, true, nil
}

// ctTopics is SNS as CloudTrail's Topics: CloudTrail publishes as its service
// principal for the trail (aws:SourceArn, aws:SourceAccount; no aws:SourceOwner, so the
// default topic policy does not admit it and the topic needs CloudTrail's statement).
type ctTopics struct{ a *App }

func (t ctTopics) notification(topicARN, trailARN, account, message string, now time.Time) sns.Notification {
	return sns.Notification{Service: cloudtrail.ServicePrincipal, TopicARN: topicARN, Message: message,
		SourceAccount: account, SourceARN: trailARN, Now: now}
}

func (t ctTopics) CheckPublish(tx *store.Tx, topicARN, trailARN, account string, now time.Time) error {
	return t.a.SNS.CheckPublishAsService(tx, t.notification(topicARN, trailARN, account, "", now))
}

func (t ctTopics) Publish(tx *store.Tx, topicARN, trailARN, account, message string, now time.Time) error {
	_, err := t.a.SNS.PublishAsService(tx, t.notification(topicARN, trailARN, account, message, now))
	return err
}
