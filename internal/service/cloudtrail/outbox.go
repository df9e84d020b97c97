package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// statusNS holds what delivery reports per trail ARN: the latest delivery times and
// errors GetTrailStatus shows.
var statusNS = store.NS("cloudtrail", "", "", "status")

type status struct {
	LatestDeliveryTime        *time.Time `json:"latestDeliveryTime,omitempty"`
	LatestDeliveryAttemptTime *time.Time `json:"latestDeliveryAttemptTime,omitempty"`
	LatestDeliveryError       string     `json:"latestDeliveryError,omitempty"`
	LatestDigestDeliveryTime  *time.Time `json:"latestDigestDeliveryTime,omitempty"`
	LatestDigestDeliveryError string     `json:"latestDigestDeliveryError,omitempty"`
	LatestCloudWatchLogsTime  *time.Time `json:"latestCloudWatchLogsTime,omitempty"`
	LatestCloudWatchLogsError string     `json:"latestCloudWatchLogsError,omitempty"`
	LatestDeliverySucceededAt *time.Time `json:"latestDeliverySucceededAt,omitempty"`
	// The trail's SNS notifications of delivered log files.
	LatestNotificationTime        *time.Time `json:"latestNotificationTime,omitempty"`
	LatestNotificationAttemptTime *time.Time `json:"latestNotificationAttemptTime,omitempty"`
	LatestNotificationError       string     `json:"latestNotificationError,omitempty"`
}

// retryInterval is how long (real time) the uploader waits before retrying a failed
// upload, unless the clock moves or new files arrive first.
const retryInterval = 10 * time.Second

// uploader writes the outbox to S3 and CloudWatch Logs in order, deleting each item
// once written. A crash between the write and the delete writes the item again on
// restart: the same key with the same bytes, so no record is duplicated.
type uploader struct {
	ct   *CloudTrail
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
	// mu makes passes one at a time: the background loop's and Upload's.
	mu sync.Mutex
}

func newUploader(ct *CloudTrail) *uploader {
	return &uploader{ct: ct, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

func (u *uploader) poke() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

func (u *uploader) start() { go u.run() }

func (u *uploader) stop() {
	u.once.Do(func() { close(u.quit) })
	<-u.done
}

func (u *uploader) run() {
	defer close(u.done)
	for {
		changed := u.ct.deps.Clock.Changed()
		failed := u.pass()
		var timer *time.Timer
		var retry <-chan time.Time
		if failed {
			timer = time.NewTimer(retryInterval)
			retry = timer.C
		}
		select {
		case <-u.quit:
			return
		case <-u.wake:
		case <-changed:
		case <-retry:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// pass uploads what the outbox holds; it reports whether something failed.
func (u *uploader) pass() (failed bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.ct.deps.Buckets == nil && u.ct.deps.LogGroups == nil {
		return false
	}
	ctx := context.Background()
	// Trails whose earlier item for the same destination (S3, CloudWatch Logs)
	// failed this pass: each destination keeps its order, and one failing does not
	// hold the other back.
	skip := map[string]bool{}
	after := ""
	for {
		var keys []string
		var items []*outboxItem
		err := u.ct.deps.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(outboxNS, after, 64, func(k string, v []byte) bool {
				var it outboxItem
				if json.Unmarshal(v, &it) == nil {
					keys, items = append(keys, k), append(items, &it)
				}
				return true
			})
		})
		if err != nil || len(keys) == 0 {
			return failed || err != nil
		}
		for i, it := range items {
			after = keys[i]
			dest := trailID(it.Trail, it.Gen) + "|" + it.destination()
			if skip[dest] {
				continue
			}
			if err := u.ct.deps.Store.View(ctx, func(tx *store.Tx) error {
				var err error
				it.Body, _, err = tx.Get(outboxBodiesNS, keys[i])
				return err
			}); err != nil {
				u.ct.deps.Logger.Error("cloudtrail outbox", "err", err)
				return true
			}
			err := u.upload(ctx, it)
			if it.Kind == "marker" && !errors.Is(err, errNotWired) {
				// An empty object the bucket check leaves is written once, or not at
				// all when the bucket refuses it since: it holds nothing back.
				err = nil
			}
			if err := u.settle(ctx, keys[i], it, err); err != nil {
				u.ct.deps.Logger.Error("cloudtrail outbox", "err", err)
				return true
			}
			if err != nil {
				skip[dest] = true
				failed = true
			}
		}
	}
}

// destination is where an item goes: "s3" or "cwlogs".
func (it *outboxItem) destination() string {
	if it.Kind == "cwlogs" {
		return "cwlogs"
	}
	return "s3"
}

func (u *uploader) upload(ctx context.Context, it *outboxItem) error {
	if it.Kind == "cwlogs" {
		if u.ct.deps.LogGroups == nil {
			return errNotWired
		}
		return u.deliverLogs(ctx, it)
	}
	if u.ct.deps.Buckets == nil {
		return errNotWired
	}
	o := Object{
		SourceAccount: it.Account, SourceARN: it.Trail, Bucket: it.Bucket, Key: it.Key,
		Body: bytes.NewReader(it.Body), Size: int64(len(it.Body)), ContentType: "application/json", Metadata: it.Metadata,
		Principal: ServicePrincipal, ACL: "bucket-owner-full-control", KMSKeyID: it.KMSKeyID,
	}
	if strings.HasSuffix(it.Key, ".gz") || it.Kind == "marker" {
		// Log, digest and Insights files, and the empty objects the bucket check
		// leaves, are stored with Content-Encoding gzip (recorded 2026, stackd
		// testdata/aws/cloudtrail/owned_s3_delivery.json, digest_starting.json,
		// owned_service_principal.json).
		o.ContentEncoding = "gzip"
	}
	if it.KMSKeyID != "" {
		o.EncryptionContext = map[string]string{"aws:cloudtrail:arn": it.Trail}
	}
	return u.ct.deps.Buckets.PutObject(ctx, o)
}

var errNotWired = errors.New("not available")

// errorCode is what GetTrailStatus shows for a failed delivery: the destination's
// error code (NoSuchBucket, AccessDenied…).
func errorCode(err error) string {
	var me *model.Error
	if errors.As(err, &me) {
		return me.Code
	}
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		return coded.ErrorCode()
	}
	return err.Error()
}

// settle records an upload's outcome: the item leaves the outbox on success, and the
// trail's status says when delivery last succeeded or why it failed.
func (u *uploader) settle(ctx context.Context, key string, it *outboxItem, uerr error) error {
	if errors.Is(uerr, errNotWired) {
		return nil
	}
	now := u.ct.deps.Clock.Now()
	return u.ct.deps.Store.Update(ctx, func(tx *store.Tx) error {
		if uerr == nil {
			if _, err := tx.Delete(outboxNS, key); err != nil {
				return err
			}
			if _, err := tx.Delete(outboxBodiesNS, key); err != nil {
				return err
			}
		}
		// The status is the trail's: a deleted trail's last files tell nothing about
		// a trail created since under its name.
		t, ok, err := getTrail(tx, it.Trail)
		if err != nil || !ok || t.Gen != it.Gen {
			return err
		}
		var st status
		if _, err := tx.GetJSON(statusNS, it.Trail, &st); err != nil {
			return err
		}
		code := ""
		if uerr != nil {
			code = errorCode(uerr)
		}
		switch it.Kind {
		case "log":
			st.LatestDeliveryAttemptTime = &now
			st.LatestDeliveryError = code
			if uerr == nil {
				st.LatestDeliveryTime, st.LatestDeliverySucceededAt = &now, &now
				if err := u.notify(tx, t, it, &st, now); err != nil {
					return err
				}
			}
		case "digest":
			st.LatestDigestDeliveryError = code
			if uerr == nil {
				st.LatestDigestDeliveryTime = &now
			}
		case "cwlogs":
			st.LatestCloudWatchLogsError = code
			if uerr == nil {
				st.LatestCloudWatchLogsTime = &now
			}
		}
		return tx.PutJSON(statusNS, it.Trail, st)
	})
}

// notify publishes a delivered log file to the trail's SNS topic, in the transaction
// that takes the file out of the outbox, so each file is announced once:
// {"s3Bucket":…,"s3ObjectKey":[…]}, the message CloudTrail sends. A topic that is gone
// or refuses is recorded in the trail's status (LatestNotificationError), as CloudTrail
// reports it, and the file stays delivered.
func (u *uploader) notify(tx *store.Tx, t *trail, it *outboxItem, st *status, now time.Time) error {
	if t.SnsTopicARN == "" || u.ct.deps.Topics == nil {
		return nil
	}
	msg, err := json.Marshal(struct {
		Bucket string   `json:"s3Bucket"`
		Keys   []string `json:"s3ObjectKey"`
	}{it.Bucket, []string{it.Key}})
	if err != nil {
		return err
	}
	st.LatestNotificationAttemptTime = &now
	perr := tx.Savepoint(func() error {
		return u.ct.deps.Topics.Publish(tx, t.SnsTopicARN, t.ARN, t.Account, string(msg), now)
	})
	var me *model.Error
	switch {
	case perr == nil:
		st.LatestNotificationTime, st.LatestNotificationError = &now, ""
	case errors.As(perr, &me):
		st.LatestNotificationError = me.Code
	default:
		return perr
	}
	return nil
}

func isoOrEmpty(t *time.Time) *string {
	if t == nil {
		return ptr("")
	}
	return ptr(audit.FormatTime(*t))
}

func (ct *CloudTrail) getTrailStatus(c *server.Call, in *api.GetTrailStatusRequest) (*api.GetTrailStatusResponse, error) {
	t, err := ct.lookup(c, in.Name, readByARN)
	if err != nil {
		return nil, err
	}
	var st status
	if _, err := c.Tx.GetJSON(statusNS, t.ARN, &st); err != nil {
		return nil, err
	}
	out := &api.GetTrailStatusResponse{
		IsLogging: ptr(t.Logging), StartLoggingTime: t.StartLoggingTime, StopLoggingTime: t.StopLoggingTime,
		LatestDeliveryTime: st.LatestDeliveryTime, LatestDigestDeliveryTime: st.LatestDigestDeliveryTime,
		LatestCloudWatchLogsDeliveryTime: st.LatestCloudWatchLogsTime,
		LatestDeliveryError:              optional(st.LatestDeliveryError), LatestDigestDeliveryError: optional(st.LatestDigestDeliveryError),
		LatestCloudWatchLogsDeliveryError: optional(st.LatestCloudWatchLogsError),
		// The fields AWS documents as no longer in use, which it still returns as
		// strings ("" when unset).
		TimeLoggingStarted: isoOrEmpty(t.StartLoggingTime), TimeLoggingStopped: isoOrEmpty(t.StopLoggingTime),
		LatestDeliveryAttemptTime: isoOrEmpty(st.LatestDeliveryAttemptTime), LatestDeliveryAttemptSucceeded: isoOrEmpty(st.LatestDeliverySucceededAt),
		LatestNotificationTime: st.LatestNotificationTime, LatestNotificationError: optional(st.LatestNotificationError),
		LatestNotificationAttemptTime: isoOrEmpty(st.LatestNotificationAttemptTime), LatestNotificationAttemptSucceeded: isoOrEmpty(st.LatestNotificationTime),
	}
	if t.CWLogGroupARN == "" {
		// A trail that no longer delivers to CloudWatch Logs says nothing of its
		// deliveries there (recorded 2026, stackd
		// testdata/aws/cloudtrail/logs_destination.json, removed-status-0).
		out.LatestCloudWatchLogsDeliveryTime, out.LatestCloudWatchLogsDeliveryError = nil, nil
	}
	return out, nil
}

// Upload writes what the outbox holds now, as the background uploader does, and
// returns once it has tried every item: tests and tools that need delivered files at
// a known point call it after the event log has settled. It reports whether an upload
// failed (GetTrailStatus says why).
func (ct *CloudTrail) Upload() (failed bool) { return ct.uploader.pass() }

// File is a file delivery composed: where it goes and what it holds.
type File struct {
	Kind     string // "log" or "digest"
	Trail    string // the trail's ARN
	Bucket   string
	Key      string
	Body     []byte // gzipped
	Metadata map[string]string
	KMSKeyID string
}

// PendingFiles returns the files delivery composed that are not written to S3 yet, in
// delivery order: every file while S3 is not wired.
func (ct *CloudTrail) PendingFiles(ctx context.Context) ([]File, error) {
	var out []File
	err := ct.deps.Store.View(ctx, func(tx *store.Tx) error {
		var derr error
		var keys []string
		err := tx.Scan(outboxNS, "", 0, func(k string, v []byte) bool {
			var it outboxItem
			if derr = json.Unmarshal(v, &it); derr != nil {
				return false
			}
			if it.Kind != "cwlogs" {
				keys = append(keys, k)
				out = append(out, File{Kind: it.Kind, Trail: it.Trail, Bucket: it.Bucket, Key: it.Key, Metadata: it.Metadata, KMSKeyID: it.KMSKeyID})
			}
			return true
		})
		if err != nil || derr != nil {
			return errors.Join(err, derr)
		}
		for i, k := range keys {
			if out[i].Body, _, err = tx.Get(outboxBodiesNS, k); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
