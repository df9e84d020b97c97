package s3

import (
	"encoding/json"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Event log entries S3 appends for the rest of Palisade (docs/ARCHITECTURE.md, "Events").
const (
	// EventSource is the Source of S3's resource-change events.
	EventSource = "s3"
	// EventResourceChange is the Kind of an event describing a bucket created,
	// deleted or reconfigured.
	EventResourceChange = "ResourceChange"
)

// Configuration items, named as AWS Config names a bucket's configuration and
// supplementary configuration.
const (
	itemBucket      = "Bucket"
	itemPolicy      = "BucketPolicy"
	itemACL         = "AccessControlList"
	itemOwnership   = "BucketOwnershipControls"
	itemPAB         = "PublicAccessBlockConfiguration"
	itemEncryption  = "ServerSideEncryptionConfiguration"
	itemVersioning  = "BucketVersioningConfiguration"
	itemTagging     = "BucketTaggingConfiguration"
	itemLogging     = "BucketLoggingConfiguration"
	itemCORS        = "CrossOriginConfiguration" // (inferred: AWS Config's name for it)
	itemAccountPAB  = "AccountPublicAccessBlock"
	changeCreate    = "CREATE"
	changeUpdate    = "UPDATE"
	changeDelete    = "DELETE"
	resourceBucket  = "AWS::S3::Bucket"
	resourceAccount = "AWS::S3::AccountPublicAccessBlock"
)

// ResourceChange is the data of an EventResourceChange event: what changed, who
// changed it, and the bucket's whole configuration after the change (nil for a
// deleted bucket), which AWS Config records as a configuration item.
type ResourceChange struct {
	EventName         string `json:"eventName"`
	ChangeType        string `json:"changeType"` // CREATE, UPDATE, DELETE
	ConfigurationItem string `json:"configurationItem"`
	ResourceType      string `json:"resourceType"`
	ResourceID        string `json:"resourceId"`
	ResourceName      string `json:"resourceName"`
	ARN               string `json:"arn,omitempty"`
	AccountID         string `json:"awsAccountId"`
	Region            string `json:"awsRegion"`
	Time              string `json:"time"`
	RequestID         string `json:"requestId"`
	Principal         string `json:"principal"`
	// Configuration is the bucket's configuration (bucket events).
	Configuration *BucketConfig `json:"configuration"`
	// AccountPublicAccessBlock is the account's setting after the change (account
	// events; nil once deleted).
	AccountPublicAccessBlock *PublicAccess `json:"accountPublicAccessBlock,omitempty"`
}

// BucketConfig is a bucket's configuration as events carry it.
type BucketConfig struct {
	Name              string            `json:"name"`
	Owner             string            `json:"owner"`
	Region            string            `json:"region"`
	CreationTime      string            `json:"creationTime"`
	Versioning        string            `json:"versioning,omitempty"`
	MFADelete         string            `json:"mfaDelete,omitempty"`
	Policy            string            `json:"policy,omitempty"`
	PolicyIsPublic    bool              `json:"policyIsPublic"`
	ObjectOwnership   string            `json:"objectOwnership,omitempty"`
	ACL               []ACLGrant        `json:"acl,omitempty"`
	PublicAccessBlock *PublicAccess     `json:"publicAccessBlock,omitempty"`
	Encryption        *EncryptionRule   `json:"encryption,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	Logging           *LoggingTarget    `json:"logging,omitempty"`
	Notifications     []NotifyRule      `json:"notifications,omitempty"`
	Lifecycle         []LifecycleRule   `json:"lifecycle,omitempty"`
	// CORS is the bucket's CORS rules as put (cors.go).
	CORS []api.CORSRule `json:"cors,omitempty"`
}

// ACLGrant is one grant of a bucket ACL: a canonical user ID or a group URI.
type ACLGrant struct {
	Grantee    string `json:"grantee"`
	Type       string `json:"type"` // CanonicalUser or Group
	Permission string `json:"permission"`
}

// PublicAccess is a public access block's four settings.
type PublicAccess struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// EncryptionRule is a bucket's default encryption.
type EncryptionRule struct {
	SSEAlgorithm     string `json:"sseAlgorithm"`
	KMSMasterKeyID   string `json:"kmsMasterKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled"`
}

// LoggingTarget is where a bucket's server access logs go.
type LoggingTarget struct {
	TargetBucket string `json:"targetBucket"`
	TargetPrefix string `json:"targetPrefix"`
}

// config renders a bucket's configuration for events.
func (b *bucketRec) config() *BucketConfig {
	c := &BucketConfig{Name: b.Name, Owner: b.Owner, Region: b.Region, CreationTime: audit.FormatTime(b.Created),
		Versioning: b.Versioning, MFADelete: b.MFADelete, Policy: b.Policy, ObjectOwnership: b.Ownership, CORS: b.CORS}
	if b.Policy != "" {
		c.PolicyIsPublic = policyIsPublic(b.Policy)
	}
	for _, g := range b.ACL.withOwner(b.Owner).Grants {
		who := g.ID
		if g.Type == "Group" {
			who = g.URI
		}
		c.ACL = append(c.ACL, ACLGrant{Grantee: who, Type: g.Type, Permission: g.Permission})
	}
	if p := b.PAB; p != nil {
		c.PublicAccessBlock = &PublicAccess{p.BlockPublicAcls, p.IgnorePublicAcls, p.BlockPublicPolicy, p.RestrictPublicBuckets}
	}
	if e := b.Encryption; e != nil {
		c.Encryption = &EncryptionRule{SSEAlgorithm: e.Algorithm, KMSMasterKeyID: e.KMSKeyID, BucketKeyEnabled: e.BucketKey}
	}
	if len(b.Tags) > 0 {
		c.Tags = map[string]string{}
		for _, t := range b.Tags {
			c.Tags[t.Key] = t.Value
		}
	}
	if l := b.Logging; l != nil {
		c.Logging = &LoggingTarget{TargetBucket: l.TargetBucket, TargetPrefix: l.TargetPrefix}
	}
	c.Notifications = b.Notify.rules()
	c.Lifecycle = b.Lifecycle.rules()
	return c
}

// changed appends the resource-change event of a bucket configuration change to the
// call's transaction: it becomes visible exactly when the change commits.
func changed(c *server.Call, b *bucketRec, item, change string) error {
	rc := ResourceChange{
		EventName: c.Operation.Name, ChangeType: change, ConfigurationItem: item, ResourceType: resourceBucket,
		ResourceID: b.Name, ResourceName: b.Name, ARN: b.arn(), AccountID: b.Owner, Region: b.Region,
		Time: audit.FormatTime(c.Now), RequestID: c.RequestID, Principal: c.Principal.ARN,
	}
	if change != changeDelete {
		rc.Configuration = b.config()
	}
	return appendChange(c.Tx, c.Now.UnixMilli(), &rc)
}

func appendChange(tx *store.Tx, at int64, rc *ResourceChange) error {
	data, err := json.Marshal(rc)
	if err != nil {
		return err
	}
	return tx.AppendEvent(&store.Event{Time: at, Account: rc.AccountID, Region: rc.Region, Source: EventSource, Kind: EventResourceChange, Data: data})
}
