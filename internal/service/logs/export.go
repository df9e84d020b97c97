package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Export tasks copy a log group's events into an S3 bucket, as CloudWatch Logs does
// ("Exporting log data to Amazon S3"): CreateExportTask checks the bucket as the
// service principal logs.REGION.amazonaws.com (on behalf of the group: aws:SourceAccount,
// aws:SourceArn), writes <prefix>/aws-logs-write-test and queues the task; a
// background runner, one task at a time, writes one gzip file per stream,
// <prefix>/<taskId>/<streamName>/000000.gz, each line "<ISO time> <message>". Task
// state is in the store: a task a stop interrupted runs again from the start when
// Palisade starts (see runExport).

// Buckets is S3 as export tasks use it; app wires it. Its answers come from S3's own
// authorization (bucket policy and ACL), so Logs and S3 cannot disagree.
type Buckets interface {
	// ServiceAllowed reports whether bucket exists and lets the service principal
	// perform action (s3:GetBucketAcl on the bucket, s3:PutObject on key) with the
	// condition keys, read in tx.
	ServiceAllowed(tx *store.Tx, bucket, key, action, principal string, conditions map[string][]string) (exists, allowed bool, err error)
	// CallerAllowed reports whether p, of account, may perform action on the
	// bucket's key, as S3 would decide for p's own request.
	CallerAllowed(tx *store.Tx, p auth.Principal, account, bucket, key, action string) (bool, error)
	// PutObject writes an object as a service principal outside any call (S3's
	// PutObjectAsService): the bucket policy decides again, and SSE-KMS default
	// encryption asks KMS as the principal.
	PutObject(ctx context.Context, o BucketObject) error
}

// BucketObject is an object an export task writes.
type BucketObject struct {
	Bucket, Key   string
	Body          io.Reader
	Principal     string
	SourceAccount string
	SourceArn     string
	ACL           string
}

// Export task statuses (the model's ExportTaskStatusCode).
const (
	xPending       = "PENDING"
	xRunning       = "RUNNING"
	xCompleted     = "COMPLETED"
	xFailed        = "FAILED"
	xCancelled     = "CANCELLED"
	xPendingCancel = "PENDING_CANCEL"
)

// Status messages. "Completed successfully" and "Cancelled by user" are the ones
// AWS is widely reported answering; the others are inferred.
var exportMessages = map[string]string{
	xPending:       "Pending",
	xRunning:       "Started successfully",
	xCompleted:     "Completed successfully",
	xCancelled:     "Cancelled by user",
	xPendingCancel: "Cancellation pending",
}

const (
	tExports = "exports" // task ID → exportRec
	// defaultExportPrefix is destinationPrefix's default (API reference).
	defaultExportPrefix = "exportedlogs"
	// writeTestKey is the object CloudWatch Logs writes to check it may write to the
	// bucket, with writeTestBody (widely reported; its place under the prefix
	// inferred).
	writeTestKey  = "aws-logs-write-test"
	writeTestBody = "Permission Check Successful"
	// exportACL is the canned ACL the documented bucket policy requires of
	// CloudWatch Logs' writes (s3:x-amz-acl = bucket-owner-full-control).
	exportACL = "bucket-owner-full-control"
)

// exportFileBytes is where an exported file ends (uncompressed, at the end of the
// chunk that reaches it): a larger stream continues in 000001.gz and so on (the size
// is Palisade's; AWS documents none). A variable for tests (hooks_test.go).
var exportFileBytes = 64 << 20

// exportQueueNS lists tasks not yet finished, across accounts and regions: task ID →
// queued. A restart picks them up (see runExport).
var exportQueueNS = store.NS("logs", "export-queue")

type exportRec struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Group     string `json:"group"`
	Prefix    string `json:"streamPrefix,omitempty"`
	From      int64  `json:"from"`
	To        int64  `json:"to"`
	Bucket    string `json:"bucket"`
	Dest      string `json:"destPrefix"`
	Status    string `json:"status"`
	Message   string `json:"message,omitempty"`
	Created   int64  `json:"created"`
	Completed int64  `json:"completed,omitempty"`
}

func (x *exportRec) active() bool {
	return x.Status == xPending || x.Status == xRunning || x.Status == xPendingCancel
}

func (x *exportRec) setStatus(code string, now time.Time) {
	x.Status, x.Message = code, exportMessages[code]
	if code == xCompleted || code == xFailed || code == xCancelled {
		x.Completed = ms(now)
	}
}

func (l *Logs) exportHandlers() []server.Handler {
	return []server.Handler{
		server.Prepared("CreateExportTask", l.prepareExport, l.createExportTask),
		server.Read("DescribeExportTasks", l.describeExportTasks),
		server.Write("CancelExportTask", l.cancelExportTask),
	}
}

func exportPrincipal(region string) string { return "logs." + region + ".amazonaws.com" }

// errBucketCheck is AWS's answer when CloudWatch Logs may not act on the bucket
// (public AWS answers for GetBucketAcl, e.g. DistributedScience/Distributed-CellProfiler
// issue 144; the PutObject wording is inferred from it).
func errBucketCheck(action string) error {
	return errParam(action + " call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.")
}

// prepareExport checks the request on a snapshot, then writes the permission check
// object as CloudWatch Logs does before it answers, outside the store's write
// transaction (S3 commits the object in a transaction of its own): a bucket whose
// policy or default encryption key keeps CloudWatch Logs out fails the call itself.
func (l *Logs) prepareExport(c *server.Call, in *api.CreateExportTaskRequest) (struct{}, error) {
	var g *groupRec
	var dest string
	err := l.d.Store.View(c.Context, func(tx *store.Tx) error {
		c.Tx = tx
		defer func() { c.Tx = nil }()
		var err error
		g, dest, err = l.checkExport(c, in)
		return err
	})
	if err != nil {
		return struct{}{}, err
	}
	err = l.d.Buckets.PutObject(c.Context, l.exportObject(c.Account, c.Region, g.Name, in.Destination, dest+"/"+writeTestKey, []byte(writeTestBody)))
	if err != nil {
		return struct{}{}, errParam(exportFailure(err))
	}
	return struct{}{}, nil
}

func (l *Logs) exportObject(account, region, group, bucket, key string, body []byte) BucketObject {
	return BucketObject{Bucket: bucket, Key: key, Body: bytes.NewReader(body),
		Principal: exportPrincipal(region), SourceAccount: account, SourceArn: groupARN(region, account, group), ACL: exportACL}
}

func (l *Logs) createExportTask(c *server.Call, in *api.CreateExportTaskRequest, _ struct{}) (*api.CreateExportTaskResponse, error) {
	g, dest, err := l.checkExport(c, in)
	if err != nil {
		return nil, err
	}
	x := &exportRec{ID: auth.NewUUID(), Name: svckit.Str(in.TaskName), Group: g.Name, Prefix: svckit.Str(in.LogStreamNamePrefix),
		From: in.From, To: in.To, Bucket: in.Destination, Dest: dest, Created: ms(c.Now)}
	x.setStatus(xPending, c.Now)
	if err := c.Tx.PutJSON(ns(c.Account, c.Region, tExports), x.ID, x); err != nil {
		return nil, err
	}
	if err := c.Tx.PutJSON(exportQueueNS, x.ID, queued{Account: c.Account, Region: c.Region}); err != nil {
		return nil, err
	}
	c.Tx.AfterCommit(l.wakeExports)
	return &api.CreateExportTaskResponse{TaskId: svckit.Ptr(x.ID)}, nil
}

// checkExport validates a CreateExportTask in c.Tx and returns the group and the
// destination prefix.
func (l *Logs) checkExport(c *server.Call, in *api.CreateExportTaskRequest) (*groupRec, string, error) {
	if in.From > in.To {
		// Wording inferred: the API reference says only that events outside
		// [from, to] are not exported.
		return nil, "", errParam(fmt.Sprintf("Specified time range of '%d' and '%d' is not valid. Please make sure the values are non-negative and the start time is before the end time.", in.From, in.To))
	}
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, "", err
	}
	if in.To < g.Created {
		// "You must specify a time that is not earlier than when this log group was
		// created." (API reference, to); the wording is inferred.
		return nil, "", errParam("The specified time range is not valid: 'to' is earlier than the creation time of the log group.")
	}
	dest := svckit.Str(in.DestinationPrefix)
	if dest == "" {
		dest = defaultExportPrefix
	}
	// CloudWatch Logs checks the bucket as its service principal, on behalf of the
	// group's account and ARN: the documented bucket policy conditions on
	// aws:SourceAccount and aws:SourceArn ("Set permissions on an Amazon S3 bucket").
	conds := map[string][]string{"aws:SourceAccount": {c.Account}, "aws:SourceArn": {groupARN(c.Region, c.Account, g.Name)}}
	if l.d.Buckets == nil {
		return nil, "", errNoBucket()
	}
	exists, ok, err := l.d.Buckets.ServiceAllowed(c.Tx, in.Destination, "", "s3:GetBucketAcl", exportPrincipal(c.Region), conds)
	if err != nil {
		return nil, "", err
	}
	if !exists {
		return nil, "", errNoBucket()
	}
	if !ok {
		return nil, "", errBucketCheck("GetBucketAcl")
	}
	putConds := map[string][]string{"s3:x-amz-acl": {exportACL}}
	for k, v := range conds {
		putConds[k] = v
	}
	if _, ok, err = l.d.Buckets.ServiceAllowed(c.Tx, in.Destination, dest+"/"+writeTestKey, "s3:PutObject", exportPrincipal(c.Region), putConds); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, "", errBucketCheck("PutObject")
	}
	// "When you perform a CreateExportTask operation, you must use credentials that
	// have permission to write to the S3 bucket that you specify as the destination."
	// (API reference). AWS's answer when they don't is reported as below
	// (awsdocs/amazon-cloudwatch-logs-user-guide issue 17); its error code is inferred.
	if ok, err := l.d.Buckets.CallerAllowed(c.Tx, c.Principal, c.Account, in.Destination, dest+"/"+writeTestKey, "s3:PutObject"); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, "", errParam("Please ensure that the CreateExportTask caller has been granted s3:PutObject access to the bucket.")
	}
	// "Each account can only have one active (RUNNING or PENDING) export task at a
	// time." (API reference); AWS's answer is the service's usual one.
	busy := false
	err = svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tExports), "", "", func(_ string, v []byte) (bool, error) {
		x := &exportRec{}
		if err := decode(v, x); err != nil {
			return false, err
		}
		busy = x.active()
		return !busy, nil
	})
	if err != nil {
		return nil, "", err
	}
	if busy {
		return nil, "", api.NewLimitExceededException("Resource limit exceeded.")
	}
	return g, dest, nil
}

// errNoBucket: wording as reported of AWS (moto's logs backend, which mirrors it);
// inferred.
func errNoBucket() error {
	return errParam("The given bucket does not exist. Please make sure the bucket is valid.")
}

func loadExport(tx *store.Tx, account, region, id string) (*exportRec, bool, error) {
	x := &exportRec{}
	ok, err := tx.GetJSON(ns(account, region, tExports), id, x)
	return x, ok, err
}

func (l *Logs) describeExportTasks(c *server.Call, in *api.DescribeExportTasksRequest) (*api.DescribeExportTasksResponse, error) {
	var all []*exportRec
	err := svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tExports), "", "", func(_ string, v []byte) (bool, error) {
		x := &exportRec{}
		if err := decode(v, x); err != nil {
			return false, err
		}
		if in.TaskId != nil && x.ID != *in.TaskId || in.StatusCode != nil && x.Status != *in.StatusCode {
			return true, nil
		}
		all = append(all, x)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	// Newest first (inferred: AWS documents no order).
	sort.Slice(all, func(i, j int) bool {
		if all[i].Created != all[j].Created {
			return all[i].Created > all[j].Created
		}
		return all[i].ID < all[j].ID
	})
	start := 0
	if in.NextToken != nil {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		n, err := strconv.Atoi(p)
		if !ok || err != nil || n < 0 || n > len(all) {
			return nil, errBadToken()
		}
		start = n
	}
	limit := 50 // "the default is 50" (API reference)
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	end := min(len(all), start+limit)
	// An unknown taskId lists nothing: the operation's only errors are
	// InvalidParameterException and ServiceUnavailableException (model).
	out := &api.DescribeExportTasksResponse{ExportTasks: make([]api.ExportTask, 0, end-start)}
	for _, x := range all[start:end] {
		t := api.ExportTask{TaskId: svckit.Ptr(x.ID), LogGroupName: svckit.Ptr(x.Group), From: svckit.Ptr(x.From), To: svckit.Ptr(x.To),
			Destination: svckit.Ptr(x.Bucket), DestinationPrefix: svckit.Ptr(x.Dest),
			Status:        &api.ExportTaskStatus{Code: svckit.Ptr(x.Status), Message: svckit.Ptr(x.Message)},
			ExecutionInfo: &api.ExportTaskExecutionInfo{CreationTime: svckit.Ptr(x.Created)}}
		if x.Name != "" {
			t.TaskName = svckit.Ptr(x.Name)
		}
		if x.Completed != 0 {
			t.ExecutionInfo.CompletionTime = svckit.Ptr(x.Completed)
		}
		out.ExportTasks = append(out.ExportTasks, t)
	}
	if end < len(all) {
		out.NextToken = svckit.Ptr(svckit.Token(c.Tx, strconv.Itoa(end)))
	}
	return out, nil
}

func (l *Logs) cancelExportTask(c *server.Call, in *api.CancelExportTaskRequest) (*model.Empty, error) {
	x, ok, err := loadExport(c.Tx, c.Account, c.Region, in.TaskId)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewResourceNotFoundException("The specified export task does not exist.")
	}
	switch x.Status {
	case xPending:
		// Not started: nothing is written, so it is cancelled at once.
		x.setStatus(xCancelled, c.Now)
		if _, err := c.Tx.Delete(exportQueueNS, x.ID); err != nil {
			return nil, err
		}
	case xRunning:
		// The runner stops before its next file and then reports CANCELLED.
		x.setStatus(xPendingCancel, c.Now)
		c.Tx.AfterCommit(l.wakeExports)
	case xPendingCancel:
		return &model.Empty{}, nil
	default:
		// Inferred wording (the model lists InvalidOperationException).
		return nil, api.NewInvalidOperationException("The specified export task has already finished.")
	}
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, c.Region, tExports), x.ID, x)
}

func (l *Logs) wakeExports() {
	select {
	case l.exports <- struct{}{}:
	default:
	}
}

// runExports runs queued export tasks, one at a time, until ctx ends.
func (l *Logs) runExports(ctx context.Context) {
	for {
		l.runPendingExports(ctx)
		select {
		case <-ctx.Done():
			return
		case <-l.exports:
		}
	}
}

func (l *Logs) runPendingExports(ctx context.Context) {
	var ids []string
	var where []queued
	err := l.d.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(exportQueueNS, "", 0, func(k string, v []byte) bool {
			var q queued
			if decode(v, &q) == nil {
				ids = append(ids, k)
				where = append(where, q)
			}
			return true
		})
	})
	if err != nil {
		if ctx.Err() == nil {
			l.d.Logger.Error("logs: export queue", "err", err)
		}
		return
	}
	for i, id := range ids {
		if ctx.Err() != nil {
			return
		}
		l.runExport(ctx, where[i].Account, where[i].Region, id)
	}
}

// exportHook, when set (tests only, hooks_test.go), is called before a task starts
// ("start") and before each stream ("stream"), so a test can hold a task PENDING or
// RUNNING; it returns false to abandon the run (the process is stopping).
var exportHook atomic.Pointer[func(ctx context.Context, stage string) bool]

func exportPause(ctx context.Context, stage string) bool {
	if h := exportHook.Load(); h != nil {
		return (*h)(ctx, stage)
	}
	return true
}

// errExportCancelled stops a task cancelled while it runs.
var errExportCancelled = errors.New("logs: export cancelled")

// runExport runs one task. A task that a stop interrupted (still RUNNING in the
// store) starts over when Palisade starts again: it rewrites the same keys, so the
// bucket ends as if it had run once (AWS documents nothing of its own restarts; its
// tasks are not lost to them).
func (l *Logs) runExport(ctx context.Context, account, region, id string) {
	if !exportPause(ctx, "start") {
		return
	}
	var x *exportRec
	err := l.d.Store.Update(ctx, func(tx *store.Tx) error {
		var ok bool
		var err error
		if x, ok, err = loadExport(tx, account, region, id); err != nil {
			return err
		}
		if !ok || !x.active() {
			x = nil
			_, err := tx.Delete(exportQueueNS, id)
			return err
		}
		if x.Status == xPendingCancel {
			return l.finishExport(tx, account, region, x, xCancelled, "")
		}
		if x.Status == xPending {
			x.setStatus(xRunning, l.d.Clock.Now())
			return tx.PutJSON(ns(account, region, tExports), id, x)
		}
		return nil
	})
	if err != nil || x == nil || x.Status != xRunning {
		if err != nil && ctx.Err() == nil {
			l.d.Logger.Error("logs: start export", "task", id, "err", err)
		}
		return
	}
	status, msg := xCompleted, ""
	if err := l.exportEvents(ctx, account, region, x); err != nil {
		if ctx.Err() != nil {
			return // stopping: the task resumes at the next start
		}
		status = xFailed
		if errors.Is(err, errExportCancelled) {
			status = xCancelled
		} else {
			msg = exportFailure(err)
			l.d.Logger.Warn("logs: export failed", "task", id, "err", err)
		}
	}
	err = l.d.Store.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		cur, ok, err := loadExport(tx, account, region, id)
		if err != nil || !ok {
			return err
		}
		if cur.Status == xPendingCancel && status == xCompleted {
			status = xCancelled
		}
		return l.finishExport(tx, account, region, cur, status, msg)
	})
	if err != nil {
		l.d.Logger.Error("logs: finish export", "task", id, "err", err)
	}
}

func (l *Logs) finishExport(tx *store.Tx, account, region string, x *exportRec, status, msg string) error {
	x.setStatus(status, l.d.Clock.Now())
	if msg != "" {
		x.Message = msg
	}
	if _, err := tx.Delete(exportQueueNS, x.ID); err != nil {
		return err
	}
	return tx.PutJSON(ns(account, region, tExports), x.ID, x)
}

// exportFailure is the status message of a failed task: the answer S3 or KMS gave
// CloudWatch Logs, in AWS's words where Palisade has them.
func exportFailure(err error) string {
	var me *model.Error
	if errors.As(err, &me) {
		switch me.Code {
		case "AccessDenied":
			return "PutObject call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation."
		case "NoSuchBucket":
			return "The given bucket does not exist. Please make sure the bucket is valid."
		}
		if me.Message != "" {
			return me.Message
		}
		return me.Code
	}
	return "Internal failure"
}

// exportEvents writes each stream's events in
// [from, to] (within the group's retention) as gzip files of lines "<time> <message>",
// in the order of the stored chunks: AWS does not promise time order inside a file
// ("Time-based sorting on chunks of log data inside an exported file is not
// guaranteed.", CreateExportTask). Events under the group's KMS key are decrypted as
// FilterLogEvents decrypts them: KMS must let logs.REGION.amazonaws.com decrypt.
func (l *Logs) exportEvents(ctx context.Context, account, region string, x *exportRec) error {
	put := func(key string, body []byte) error {
		return l.d.Buckets.PutObject(ctx, l.exportObject(account, region, x.Group, x.Bucket, key, body))
	}
	var streams []string
	err := l.d.Store.View(ctx, func(tx *store.Tx) error {
		return svckit.ScanPrefix(tx, ns(account, region, tStreams), streamKey(x.Group, x.Prefix), "", func(k string, _ []byte) (bool, error) {
			_, name, _ := strings.Cut(k, sep)
			streams = append(streams, name)
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	for _, stream := range streams {
		if !exportPause(ctx, "stream") {
			return ctx.Err()
		}
		if err := l.exportCancelled(ctx, account, region, x.ID); err != nil {
			return err
		}
		err := l.exportStream(ctx, account, region, x, stream, func(n int, body []byte) error {
			return put(fmt.Sprintf("%s/%s/%s/%06d.gz", x.Dest, x.ID, stream, n), body)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *Logs) exportCancelled(ctx context.Context, account, region, id string) error {
	return l.d.Store.View(ctx, func(tx *store.Tx) error {
		cur, ok, err := loadExport(tx, account, region, id)
		if err == nil && ok && cur.Status == xPendingCancel {
			return errExportCancelled
		}
		return err
	})
}

// exportStream writes one stream's events of the task as files through put (the
// file's number, its gzipped body); none when the range holds no event. It reads the
// chunks a file needs in one snapshot, then writes the file, so a file's worth of
// data is held at a time.
func (l *Logs) exportStream(ctx context.Context, account, region string, x *exportRec, stream string, put func(n int, body []byte) error) error {
	var g *groupRec
	var plan []*chunkMeta
	var from int64
	err := l.d.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		if g, err = loadGroup(tx, account, region, x.Group); err != nil {
			return err
		}
		from = max(x.From, retentionCutoff(g, l.d.Clock.Now()))
		plan, err = chunkPlan(tx, account, region, streamKey(x.Group, stream)+sep, from, x.To)
		return err
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	var zw *gzip.Writer
	written, files := 0, 0
	flush := func() error {
		if zw == nil {
			return nil
		}
		if err := zw.Close(); err != nil {
			return err
		}
		err := put(files, buf.Bytes())
		files++
		buf.Reset()
		zw, written = nil, 0
		return err
	}
	line := make([]byte, 0, 256)
	for next := 0; next < len(plan); {
		err := l.d.Store.View(ctx, func(tx *store.Tx) error {
			for ; next < len(plan) && written < exportFileBytes; next++ {
				r, err := l.readChunk(tx, account, region, g, plan[next], true)
				if err != nil {
					return err
				}
				for {
					ts, msg, ok := r.next()
					if !ok {
						break
					}
					if ts < from || ts > x.To {
						continue
					}
					if zw == nil {
						zw = gzip.NewWriter(&buf)
					}
					line = time.UnixMilli(ts).UTC().AppendFormat(line[:0], "2006-01-02T15:04:05.000Z")
					line = append(line, ' ')
					line = append(line, msg...)
					line = append(line, '\n')
					if _, err := zw.Write(line); err != nil {
						r.release()
						return err
					}
					written += len(line)
				}
				r.release()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if written >= exportFileBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
