package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Server access logging: every call on a bucket with logging enabled leaves a record in
// S3's access log format, queued in the store for the target bucket; the delivery loop
// writes queued records as log objects into the target, as the logging service
// principal, once they are deliveryDelay old on Palisade's clock. It runs when the
// clock is advanced and every deliveryTick of real time.
const (
	logDeliveryPrincipal = "logging.s3.amazonaws.com"
	deliveryDelay        = 5 * time.Minute
	deliveryTick         = 30 * time.Second
	flushEvery           = time.Second
)

// loggingConfig is a bucket's server access logging setting.
type loggingConfig struct {
	TargetBucket string `json:"target"`
	TargetPrefix string `json:"prefix"`
	// Partitioned selects PartitionedPrefix key names; DateSource is EventTime,
	// DeliveryTime, or empty (DeliveryTime) as the configuration gave it.
	Partitioned bool   `json:"partitioned,omitempty"`
	DateSource  string `json:"dateSource,omitempty"`
	// Simple records a SimplePrefix given explicitly, which GetBucketLogging
	// returns; the key names are the same without it.
	Simple bool `json:"simple,omitempty"`
}

// logEntry is one queued record.
type logEntry struct {
	Source  string `json:"b"` // the logged bucket
	Account string `json:"a"` // its owner
	Region  string `json:"r"`
	Time    int64  `json:"t"` // Palisade time, Unix ms
	Line    string `json:"l"`
}

type accessLogger struct {
	s *Service

	mu      sync.Mutex
	configs map[string]*loggingConfig // source bucket → config; nil map until loaded
	pending []pendingLog
	seq     uint64

	stopCh chan struct{}
	done   sync.WaitGroup
}

type pendingLog struct {
	target string
	entry  logEntry
}

func newAccessLogger(s *Service) *accessLogger {
	return &accessLogger{s: s, stopCh: make(chan struct{})}
}

// start loads the buckets' logging settings and starts the flush and delivery loops.
func (l *accessLogger) start() {
	configs := map[string]*loggingConfig{}
	l.s.d.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Scan(nsBuckets, "", 0, func(_ string, v []byte) bool {
			b := &bucketRec{}
			if json.Unmarshal(v, b) == nil && b.Logging != nil {
				configs[b.Name] = b.Logging
			}
			return true
		})
	})
	l.mu.Lock()
	l.configs = configs
	l.mu.Unlock()
	l.done.Add(1)
	go l.loop()
}

func (l *accessLogger) stop() {
	select {
	case <-l.stopCh:
		return
	default:
	}
	close(l.stopCh)
	l.done.Wait()
	l.flush()
}

// setConfig records a bucket's new logging setting once the change commits.
func (l *accessLogger) setConfig(tx *store.Tx, bucket string, cfg *loggingConfig) {
	tx.AfterCommit(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.configs == nil {
			return
		}
		if cfg == nil {
			delete(l.configs, bucket)
		} else {
			l.configs[bucket] = cfg
		}
	})
}

func (l *accessLogger) loop() {
	defer l.done.Done()
	flush := time.NewTicker(flushEvery)
	defer flush.Stop()
	deliver := time.NewTicker(deliveryTick)
	defer deliver.Stop()
	changed := l.s.d.Clock.Changed()
	for {
		select {
		case <-l.stopCh:
			return
		case <-flush.C:
			l.flush()
		case <-deliver.C:
			l.flush()
			l.deliver()
		case <-changed:
			changed = l.s.d.Clock.Changed()
			l.flush()
			l.deliver()
		}
	}
}

// record is the server's Done hook: it formats the call's access log record if its
// bucket has logging enabled, and queues it.
func (l *accessLogger) record(d *server.Completed) {
	bucket, _ := d.Input["Bucket"].(string)
	if bucket == "" {
		return
	}
	l.mu.Lock()
	cfg := l.configs[bucket]
	l.mu.Unlock()
	if cfg == nil {
		return
	}
	c := d.Call
	owner := c.Account
	line := formatRecord(d, bucket)
	l.mu.Lock()
	l.pending = append(l.pending, pendingLog{target: cfg.TargetBucket, entry: logEntry{Source: bucket, Account: owner, Region: c.Region, Time: c.Now.UnixMilli(), Line: line}})
	l.mu.Unlock()
}

// flush writes queued records to the store in one transaction. Access logs are
// best-effort on S3 too: a crash loses at most the last second of them.
func (l *accessLogger) flush() {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	err := l.s.d.Store.Update(context.Background(), func(tx *store.Tx) error {
		for _, p := range batch {
			l.seq++
			var k [16]byte
			binary.BigEndian.PutUint64(k[:8], uint64(p.entry.Time))
			binary.BigEndian.PutUint64(k[8:], l.seq)
			if err := putJSON(tx, nsLogQueue, p.target+"\x00"+hex.EncodeToString(k[:]), p.entry); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		l.s.d.Logger.Error("s3: queue access log records", "err", err)
	}
}

// deliver writes the records that are old enough as log objects, one per target and
// source bucket.
func (l *accessLogger) deliver() {
	now := l.s.d.Clock.Now()
	cutoff := now.Add(-deliveryDelay).UnixMilli()
	type group struct{ target, source string }
	due := map[group][]logEntry{}
	var keys []string
	err := l.s.d.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Scan(nsLogQueue, "", 0, func(k string, v []byte) bool {
			var e logEntry
			if json.Unmarshal(v, &e) != nil || e.Time > cutoff {
				return true
			}
			target, _, _ := strings.Cut(k, "\x00")
			g := group{target, e.Source}
			due[g] = append(due[g], e)
			keys = append(keys, k)
			return true
		})
	})
	if err != nil {
		l.s.d.Logger.Error("s3: read access log queue", "err", err)
		return
	}
	if len(keys) == 0 {
		return
	}
	groups := make([]group, 0, len(due))
	for g := range due {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		return groups[i].target < groups[j].target || groups[i].target == groups[j].target && groups[i].source < groups[j].source
	})
	for _, g := range groups {
		if err := l.deliverOne(g.target, g.source, due[g], now); err != nil {
			l.s.d.Logger.Warn("s3: access log delivery failed", "target", g.target, "source", g.source, "err", err)
		}
	}
	// Delivered or refused, the records leave the queue: S3 does not retry logs its
	// target does not accept.
	err = l.s.d.Store.Update(context.Background(), func(tx *store.Tx) error {
		for _, k := range keys {
			if _, err := tx.Delete(nsLogQueue, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		l.s.d.Logger.Error("s3: dequeue access log records", "err", err)
	}
}

// deliverOne writes one log object: the records of one source bucket.
func (l *accessLogger) deliverOne(target, source string, entries []logEntry, now time.Time) error {
	var cfg *loggingConfig
	var b *bucketRec
	err := l.s.d.Store.View(context.Background(), func(tx *store.Tx) error {
		var err error
		b, err = load[bucketRec](tx, nsBuckets, source)
		return err
	})
	if err != nil {
		return err
	}
	if b != nil && b.Logging != nil && b.Logging.TargetBucket == target {
		cfg = b.Logging
	} else {
		cfg = &loggingConfig{TargetBucket: target}
	}
	var buf bytes.Buffer
	for _, e := range entries {
		buf.WriteString(e.Line)
		buf.WriteByte('\n')
	}
	first := entries[0]
	key := logKey(cfg, first.Account, first.Region, source, time.UnixMilli(first.Time).UTC(), now)
	return l.s.putAsService(context.Background(), target, key, &buf, ServicePut{Principal: logDeliveryPrincipal,
		SourceAccount: first.Account, SourceArn: "arn:aws:s3:::" + source, ContentType: "text/plain", accessLog: true})
}

// logKey names a log object (User Guide, "Log object key format").
func logKey(cfg *loggingConfig, account, region, source string, eventTime, now time.Time) string {
	var r [8]byte
	rand.Read(r[:])
	unique := strings.ToUpper(hex.EncodeToString(r[:]))
	stamp := now.UTC().Format("2006-01-02-15-04-05")
	if !cfg.Partitioned {
		return cfg.TargetPrefix + stamp + "-" + unique
	}
	d := now.UTC()
	if cfg.DateSource == "EventTime" {
		// Named by the events' day, with no time of day (recorded, 2026:
		// logging_delivery_replay.json: ".../2026/09/20/2026-09-20-00-00-00-91B33B7C90A7E308"
		// for requests at 23:40).
		d = eventTime
		stamp = d.Format("2006-01-02") + "-00-00-00"
	}
	return cfg.TargetPrefix + account + "/" + region + "/" + source + "/" + d.Format("2006/01/02") + "/" + stamp + "-" + unique
}

// logOperations names operations as access log records do (REST.<METHOD>.<RESOURCE>).
var logOperations = map[string]string{
	"GetObject": "REST.GET.OBJECT", "PutObject": "REST.PUT.OBJECT", "HeadObject": "REST.HEAD.OBJECT",
	"DeleteObject": "REST.DELETE.OBJECT", "DeleteObjects": "REST.POST.MULTI_OBJECT_DELETE", "CopyObject": "REST.COPY.OBJECT",
	"ListObjects": "REST.GET.BUCKET", "ListObjectsV2": "REST.GET.BUCKET", "ListObjectVersions": "REST.GET.BUCKETVERSIONS",
	"HeadBucket": "REST.HEAD.BUCKET", "DeleteBucket": "REST.DELETE.BUCKET", "GetBucketLocation": "REST.GET.LOCATION",
	"CreateMultipartUpload": "REST.POST.UPLOADS", "UploadPart": "REST.PUT.PART", "UploadPartCopy": "REST.COPY.PART",
	"CompleteMultipartUpload": "REST.POST.UPLOAD", "AbortMultipartUpload": "REST.DELETE.UPLOAD", "ListParts": "REST.GET.UPLOAD",
	"ListMultipartUploads": "REST.GET.UPLOADS", "GetBucketPolicy": "REST.GET.BUCKETPOLICY", "PutBucketPolicy": "REST.PUT.BUCKETPOLICY",
	"DeleteBucketPolicy": "REST.DELETE.BUCKETPOLICY", "GetBucketPolicyStatus": "REST.GET.POLICY_STATUS",
	"GetBucketAcl": "REST.GET.ACL", "PutBucketAcl": "REST.PUT.ACL", "GetObjectAcl": "REST.GET.ACL", "PutObjectAcl": "REST.PUT.ACL",
	"GetBucketVersioning": "REST.GET.VERSIONING", "PutBucketVersioning": "REST.PUT.VERSIONING",
	"GetBucketTagging": "REST.GET.TAGGING", "PutBucketTagging": "REST.PUT.TAGGING", "DeleteBucketTagging": "REST.DELETE.TAGGING",
	"GetObjectTagging": "REST.GET.OBJECT_TAGGING", "PutObjectTagging": "REST.PUT.OBJECT_TAGGING", "DeleteObjectTagging": "REST.DELETE.OBJECT_TAGGING",
	"GetBucketEncryption": "REST.GET.ENCRYPTION", "PutBucketEncryption": "REST.PUT.ENCRYPTION", "DeleteBucketEncryption": "REST.DELETE.ENCRYPTION",
	"GetBucketLogging": "REST.GET.LOGGING_STATUS", "PutBucketLogging": "REST.PUT.LOGGING_STATUS",
	"GetPublicAccessBlock": "REST.GET.PUBLIC_ACCESS_BLOCK", "PutPublicAccessBlock": "REST.PUT.PUBLIC_ACCESS_BLOCK", "DeletePublicAccessBlock": "REST.DELETE.PUBLIC_ACCESS_BLOCK",
	"GetBucketOwnershipControls": "REST.GET.OWNERSHIP_CONTROLS", "PutBucketOwnershipControls": "REST.PUT.OWNERSHIP_CONTROLS", "DeleteBucketOwnershipControls": "REST.DELETE.OWNERSHIP_CONTROLS",
}

// formatRecord renders one access log record (User Guide, "Amazon S3 server access log
// format"): space-separated fields, "-" for none, quoted Request-URI, Referer and
// User-Agent.
func formatRecord(d *server.Completed, bucket string) string {
	c := d.Call
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	num := func(n int64) string {
		if n <= 0 {
			return "-"
		}
		return strconv.FormatInt(n, 10)
	}
	requester := "-"
	switch c.Principal.Type {
	case auth.Anonymous:
	case auth.Root:
		requester = canonicalID(c.Principal.Account)
	default:
		requester = c.Principal.ARN
	}
	key, _ := d.Input["Key"].(string)
	if key != "" {
		key = logEscape(key)
	}
	op := logOperations[c.Operation.Name]
	if op == "" {
		op = "REST." + c.HTTP.Method + "." + strings.ToUpper(c.Operation.Name)
	}
	uri := c.HTTP.Method + " " + c.HTTP.URL.RequestURI() + " " + c.HTTP.Proto
	sigVer, authType := "-", "-"
	if c.Auth != nil {
		sigVer, authType = "SigV4", "AuthHeader"
		if c.Auth.Presigned {
			authType = "QueryString"
		}
	}
	cipher, tlsVer := "-", "-"
	if t := c.HTTP.TLS; t != nil {
		tlsVer = "TLSv" + tlsVersion(t.Version)
	}
	var objSize int64
	if v, ok := d.Input["ContentLength"].(int64); ok && (c.Operation.Name == "PutObject" || c.Operation.Name == "UploadPart") {
		objSize = v
	}
	version := "-"
	if v, ok := d.Input["VersionId"].(string); ok && v != "" {
		version = v
	}
	var hostID [32]byte
	rand.Read(hostID[:])
	fields := []string{
		canonicalID(c.Account), bucket, "[" + c.Now.UTC().Format("02/Jan/2006:15:04:05 -0700") + "]", dash(c.SourceIP), requester,
		c.RequestID, op, dash(key), `"` + uri + `"`, strconv.Itoa(statusOr200(d.Status)), dash(d.ErrorCode), num(d.BytesSent), num(objSize),
		strconv.FormatInt(max(d.Total.Milliseconds(), 0), 10), num(d.TurnAround.Milliseconds()),
		`"` + dash(c.HTTP.Referer()) + `"`, `"` + dash(c.UserAgent) + `"`, version, hex.EncodeToString(hostID[:]),
		sigVer, cipher, authType, dash(c.HTTP.Host), tlsVer, "-", aclRequiredField(c),
	}
	return strings.Join(fields, " ")
}

// aclRequiredField is the access log's "ACL required" field: Yes where the call's
// CloudTrail record says aclRequired, as for an ACL that was set (User Guide, "Amazon S3
// server access log format", and "Access control list (ACL) overview": REST.PUT.ACL;
// stackd's logging_local_replay.json, source-acl-attribution-reaches-delivered-records).
// A read that only an ACL allowed is not yet told apart.
func aclRequiredField(c *server.Call) string {
	if c.AdditionalEventData != nil && c.AdditionalEventData["aclRequired"] == "Yes" {
		return "Yes"
	}
	return "-"
}

func statusOr200(s int) int {
	if s == 0 {
		return 200
	}
	return s
}

// logEscape URL-encodes a key as access logs show it, keeping "/".
func logEscape(k string) string {
	return strings.ReplaceAll(url.PathEscape(k), "%2F", "/")
}

// validTargetGrants reports whether every target grant names a grantee type S3's
// schema knows; the model's check of it is lifted for AccessControlPolicy bodies
// (modelfixes.go), whose answer differs.
func validTargetGrants(st *api.BucketLoggingStatus) bool {
	if st == nil || st.LoggingEnabled == nil {
		return true
	}
	for _, g := range st.LoggingEnabled.TargetGrants {
		if g.Grantee == nil {
			continue
		}
		switch g.Grantee.Type {
		case "CanonicalUser", "Group", "AmazonCustomerByEmail":
		default:
			return false
		}
	}
	return true
}

func (s *Service) loggingHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutBucketLogging", func(c *server.Call, in *api.PutBucketLoggingRequest) (*model.Empty, error) {
			if !validTargetGrants(in.BucketLoggingStatus) {
				return nil, errMalformedXML()
			}
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if in.BucketLoggingStatus == nil {
				return nil, errMalformedXML()
			}
			le := in.BucketLoggingStatus.LoggingEnabled
			if le == nil {
				b.Logging = nil
			} else {
				t, err := load[bucketRec](c.Tx, nsBuckets, le.TargetBucket)
				if err != nil {
					return nil, err
				}
				if t == nil {
					return nil, model.NewError(400, "InvalidTargetBucketForLogging", "The target bucket for logging does not exist").With("TargetBucket", le.TargetBucket)
				}
				if t.Owner != b.Owner {
					return nil, model.NewError(400, "InvalidTargetBucketForLogging", "The owner for the bucket to be logged and the target bucket must be the same.").With("TargetBucket", le.TargetBucket)
				}
				if t.Region != b.Region {
					// (403: recorded, 2026: logging_raw_replay.json, "target wrong region".)
					return nil, model.NewError(403, "CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ").
						With("TargetBucketLocation", t.Region).With("SourceBucketLocation", b.Region)
				}
				if len(le.TargetGrants) > 0 && !t.aclsEnabled() {
					return nil, model.NewError(400, "InvalidTargetBucketForLogging", "Target grants are not supported when the target bucket has the bucket owner enforced setting for Object Ownership.").With("TargetBucket", le.TargetBucket)
				}
				lc := &loggingConfig{TargetBucket: le.TargetBucket, TargetPrefix: le.TargetPrefix}
				// The key format is kept as given: AWS was recorded returning an
				// empty PartitionedPrefix without a PartitionDateSource, an explicit
				// SimplePrefix, and no TargetObjectKeyFormat when none was sent
				// (radkawar/stackd testdata/aws/s3/logging_control_replay.json).
				if f := le.TargetObjectKeyFormat; f != nil && f.PartitionedPrefix != nil && f.SimplePrefix != nil {
					// One format or the other (recorded, 2026: logging_raw_replay.json,
					// "both formats").
					return nil, errMalformedXML()
				} else if f != nil && f.PartitionedPrefix != nil {
					lc.Partitioned = true
					lc.DateSource = str(f.PartitionedPrefix.PartitionDateSource)
				} else if f != nil && f.SimplePrefix != nil {
					lc.Simple = true
				}
				b.Logging = lc
			}
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			s.log.setConfig(c.Tx, b.Name, b.Logging)
			return &model.Empty{}, changed(c, b, itemLogging, changeUpdate)
		}),
		server.Read("GetBucketLogging", func(c *server.Call, in *api.GetBucketLoggingRequest) (*api.GetBucketLoggingOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			out := &api.GetBucketLoggingOutput{}
			if l := b.Logging; l != nil {
				le := &api.LoggingEnabled{TargetBucket: l.TargetBucket, TargetPrefix: l.TargetPrefix}
				if l.Partitioned {
					p := &api.PartitionedPrefix{}
					if l.DateSource != "" {
						p.PartitionDateSource = ptr(l.DateSource)
					}
					le.TargetObjectKeyFormat = &api.TargetObjectKeyFormat{PartitionedPrefix: p}
				} else if l.Simple {
					le.TargetObjectKeyFormat = &api.TargetObjectKeyFormat{SimplePrefix: &api.SimplePrefix{}}
				}
				out.LoggingEnabled = le
			}
			return out, nil
		}),
	}
}
