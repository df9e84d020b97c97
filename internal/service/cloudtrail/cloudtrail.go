// Package cloudtrail serves AWS CloudTrail: trails (create, update, delete, describe,
// status, start and stop logging, event and insight selectors, tags), event history
// (LookupEvents over the last 90 days of management events) and the public keys that
// sign digest files (ListPublicKeys).
//
// The records themselves are built by the server for every call (internal/audit) and
// appended to the durable event log with the call's state change. This package
// consumes that log (internal/events): one consumer indexes management events for
// LookupEvents; another composes, every five minutes of Palisade's clock, each trail's
// gzipped log files and, every hour, its signed digest files, committing them to an
// outbox together with its cursor, so a record is in exactly one delivered file
// whatever crashes. A third, while a trail has Insights on, counts write management
// calls and errors per API and minute and appends Insights events to the log when a
// minute departs from its 7-day baseline (insights.go), which delivery writes to the
// trails' CloudTrail-Insight folders. An uploader then writes the outbox to S3 as
// cloudtrail.amazonaws.com (Buckets), idempotently, and GetTrailStatus reports how
// that went.
package cloudtrail

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// ServicePrincipal is the principal CloudTrail writes to buckets, keys and log groups
// as.
const ServicePrincipal = "cloudtrail.amazonaws.com"

// Buckets is what CloudTrail needs from S3; app wires it to S3. Until it is wired,
// trails are created without bucket checks and delivered files wait in the outbox.
type Buckets interface {
	// ServiceAllowed reports whether the bucket exists and whether S3 would let the AWS
	// service principal perform action ("s3:GetBucketAcl", "s3:PutObject") on the
	// bucket, or on the object key when key is not empty, as it decides a request:
	// under the bucket's policy (and ACLs, Block Public Access), with the condition keys
	// given (s3:x-amz-acl, aws:SourceArn, aws:SourceAccount). It reads in tx (a
	// CloudTrail call's own transaction) and must not write.
	ServiceAllowed(tx *store.Tx, bucket, key, action, principal string, conditions map[string][]string) (exists, allowed bool, err error)
	// PutObject writes an object as an AWS service principal, as CloudTrail's
	// deliveries do: authorized by the bucket's policy for that principal, with the
	// canned ACL, user metadata (x-amz-meta-*), and SSE-KMS under KMSKeyID with the
	// encryption context when KMSKeyID is set (else the bucket's default encryption,
	// SSE-S3 unless the owner chose otherwise). Writing the same key with the same body
	// again must be harmless: delivery retries after a crash. Errors are S3's own
	// (NoSuchBucket, AccessDenied).
	PutObject(ctx context.Context, o Object) error
}

// Object is one delivered file.
type Object struct {
	// SourceAccount and SourceARN are the trail's account and ARN (aws:SourceAccount,
	// aws:SourceArn).
	SourceAccount, SourceARN string
	Bucket, Key              string
	Body                     io.Reader
	Size                     int64
	ContentType              string
	Metadata                 map[string]string
	Principal                string
	ACL                      string
	KMSKeyID                 string
	// EncryptionContext goes with SSE-KMS: aws:cloudtrail:arn, which CloudTrail's
	// documented key policy conditions on.
	EncryptionContext map[string]string
}

// Keys is what CloudTrail needs from KMS to check a trail's key; app wires it to KMS.
// Its methods read in the transaction given and must not write.
type Keys interface {
	// ResolveKey turns a key ID, key ARN, alias name or alias ARN, as seen from an
	// account and region, into the key's ARN; ok is false when there is no such key.
	ResolveKey(tx *store.Tx, account, region, keyID string) (arn string, ok bool, err error)
	// ServiceAllowed reports whether KMS would let the AWS service principal perform
	// action (kms:GenerateDataKey) on the key with the condition keys given
	// (kms:EncryptionContext:aws:cloudtrail:arn, aws:SourceArn, aws:SourceAccount).
	ServiceAllowed(tx *store.Tx, keyARN, action, principal string, conditions map[string][]string) (bool, error)
}

// Organizations is what CloudTrail needs for organization trails; app wires it to
// Organizations. It reads in the transaction given and must not write.
type Organizations interface {
	// Organization returns the organization an account belongs to; ok is false when it
	// belongs to none.
	Organization(tx *store.Tx, account string) (org Org, ok bool, err error)
	// Memberships lists the organizations an account has belonged to, oldest first,
	// its current one last; a record of sequence n was made in the first whose Until
	// is 0 or not below n, and in none when no such one exists.
	Memberships(tx *store.Tx, account string) ([]Membership, error)
}

// Membership is an organization an account belonged to for the event-log records up
// to Until (0: the account's current organization).
type Membership struct {
	OrgID string
	Until int64
}

// Org describes an organization.
type Org struct {
	ID                string // o-…
	ManagementAccount string
	AllFeatures       bool
	// TrustedAccess is true when CloudTrail's trusted access is enabled.
	TrustedAccess bool
}

// LogGroups is what CloudTrail needs from CloudWatch Logs to deliver a trail's events
// to its log group; CloudWatch Logs implements it (PutEventsAsService). CloudTrail
// authorizes each delivery itself, as the role the trail names (Roles), before it
// calls PutEvents.
type LogGroups interface {
	// PutEvents writes events to a stream of a log group of an account and region,
	// creating the stream if needed, without an authorization check. Errors are
	// CloudWatch Logs' own (ResourceNotFoundException when the group does not exist).
	PutEvents(ctx context.Context, account, region, group, stream string, events []LogEvent) error
	// Exists reports whether an account has a log group of that name in a region,
	// reading in tx (a CloudTrail call's own transaction).
	Exists(tx *store.Tx, account, region, group string) (bool, error)
}

// Topics is what CloudTrail needs from SNS to notify a trail's topic of each log file
// it delivers; SNS implements it (PublishAsService), publishing as
// cloudtrail.amazonaws.com with the trail's ARN and account as aws:SourceArn and
// aws:SourceAccount. Both read (and Publish writes) in tx; the error is SNS's own
// (NotFound, AuthorizationError) when the topic is gone or its policy refuses.
type Topics interface {
	CheckPublish(tx *store.Tx, topicARN, trailARN, account string, now time.Time) error
	Publish(tx *store.Tx, topicARN, trailARN, account, message string, now time.Time) error
}

// LogEvent is one CloudWatch Logs event: a CloudTrail record as its message.
type LogEvent struct {
	Time    time.Time
	Message string
}

// Roles is what CloudTrail needs from IAM to act as the role of a trail's CloudWatch
// Logs delivery; app wires it to IAM. It reads in the transaction given.
type Roles interface {
	// Role returns the role with an ARN (path included): its unique ID (AROA…) and
	// trust policy; ok is false when there is none.
	Role(tx *store.Tx, arn string) (id, trust string, ok bool, err error)
}

// Deps are CloudTrail's dependencies. Events, Store, Clock and Sealer are required;
// the other services may be nil until they exist. Authz and Roles check the role of
// CloudWatch Logs delivery; without them a trail cannot name one.
type Deps struct {
	Store         *store.DB
	Events        *events.Log
	Clock         *clock.Clock
	Sealer        *store.Sealer
	Logger        *slog.Logger
	Authz         *authz.Authorizer
	Buckets       Buckets
	Keys          Keys
	Organizations Organizations
	LogGroups     LogGroups
	Roles         Roles
	Topics        Topics
}

// deliveryBatch is the most records one delivery step reads.
const deliveryBatch = 5000

// CloudTrail is the service with its background work.
type CloudTrail struct {
	deps     Deps
	signer   *signer
	uploader *uploader
	data     dataWatch
}

// New builds CloudTrail and registers its event-log consumers with deps.Events.
func New(deps Deps) *CloudTrail {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	ct := &CloudTrail{deps: deps}
	ct.signer = &signer{sealer: deps.Sealer}
	ct.uploader = newUploader(ct)
	deps.Events.Add(&insights{ct: ct}, events.Options{Batch: insightsBatch})
	deps.Events.Add(&delivery{ct: ct, batch: deliveryBatch}, events.Options{Batch: deliveryBatch})
	return ct
}

// Start runs the uploader; the event-log consumers run with the event log.
func (ct *CloudTrail) Start() { ct.uploader.start() }

// Stop stops the uploader.
func (ct *CloudTrail) Stop() { ct.uploader.stop() }

// Service returns CloudTrail for the server.
func (ct *CloudTrail) Service() server.Service {
	return server.Service{
		Model: api.Service,
		Handlers: []server.Handler{
			server.Write("CreateTrail", watched(ct, ct.createTrail)),
			server.Write("UpdateTrail", watched(ct, ct.updateTrail)),
			server.Write("DeleteTrail", watched(ct, ct.deleteTrail)),
			server.Read("DescribeTrails", ct.describeTrails),
			server.Read("GetTrail", ct.getTrail),
			server.Read("ListTrails", ct.listTrails),
			server.Read("GetTrailStatus", ct.getTrailStatus),
			server.Write("StartLogging", watched(ct, ct.startLogging)),
			server.Write("StopLogging", watched(ct, ct.stopLogging)),
			server.Write("PutEventSelectors", watched(ct, ct.putEventSelectors)),
			server.Read("GetEventSelectors", ct.getEventSelectors),
			server.Write("PutInsightSelectors", ct.putInsightSelectors),
			server.Read("GetInsightSelectors", ct.getInsightSelectors),
			server.Write("AddTags", ct.addTags),
			server.Write("RemoveTags", ct.removeTags),
			server.Read("ListTags", ct.listTags),
			server.Read("LookupEvents", ct.lookupEvents),
			server.Read("ListPublicKeys", ct.listPublicKeys),
		},
		Vars:   trailVar,
		Checks: checks,
	}
}

// checks authorizes ListTags on each trail it names; the other operations use the
// reference's templates (with trailVar). A trail given a role to deliver to CloudWatch
// Logs with passes that role to CloudTrail, which needs iam:PassRole on it
// (AWSCloudTrail_FullAccess grants it with iam:PassedToService
// cloudtrail.amazonaws.com for that reason).
func checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	if op == "CreateTrail" || op == "UpdateTrail" {
		chks, err := c.DefaultChecks(in)
		if role, _ := in["CloudWatchLogsRoleArn"].(string); err == nil && role != "" {
			chk := authz.Check{Action: "iam:PassRole", Resource: role,
				Context: map[string][]string{"iam:passedtoservice": {"cloudtrail.amazonaws.com"}}}
			if parts := strings.SplitN(role, ":", 6); len(parts) == 6 && parts[2] == "iam" {
				chk.ResourceAccount = parts[4]
			}
			chks = append(chks, chk)
		}
		return chks, err
	}
	if op != "ListTags" {
		return c.DefaultChecks(in)
	}
	var out []authz.Check
	ids, _ := in["ResourceIdList"].([]any)
	for _, id := range ids {
		if s, ok := id.(string); ok {
			out = append(out, authz.Check{Action: "cloudtrail:ListTags", Resource: s})
		}
	}
	return out, nil
}

// trailVar fills ${TrailName} in the authorization reference's trail ARN from the
// operation's trail name or ARN.
func trailVar(c *server.Call, name string, in map[string]any) (string, bool) {
	if name != "TrailName" {
		return "", false
	}
	for _, k := range []string{"Name", "TrailName", "ResourceId"} {
		if v, ok := in[k].(string); ok && v != "" {
			if _, _, n, ok := parseTrailARN(v); ok {
				return n, true
			}
			return v, true
		}
	}
	return "", false
}
