package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Message move tasks (dead-letter queue redrive): StartMessageMoveTask moves the
// messages of a dead-letter queue back to the queues they came from (each message
// remembers the queue it was redriven out of) or to a given destination, at most
// MaxNumberOfMessagesPerSecond per second of Palisade's clock (as fast as the worker
// runs when unset: AWS "will optimize the rate"). The background worker (Run) moves
// them in transactions of its own, woken by a start, a cancel, a clock advance or a
// second of real time. Errors and results follow what AWS answers (recorded in
// localstack's AWS snapshots of these operations): one active task per source queue,
// the source must be some queue's dead-letter queue, the task handle is base64 JSON
// of the task ID and source ARN, TaskHandle is listed only while a task runs, and a
// destination deleted while a task runs fails it with
// AWS.SimpleQueueService.NonExistentQueue. From a FIFO queue, a task holds back every
// group with a message in flight, and keeps running until it can move them; it sends
// each message on as a send with the original message ID as deduplication ID would
// arrive (as AWS was recorded doing, radkawar/stackd testdata/aws/sqs/fifo_redrive.json).

// Task states.
const (
	taskRunning    = "RUNNING"
	taskCompleted  = "COMPLETED"
	taskCancelling = "CANCELLING"
	taskCancelled  = "CANCELLED"
	taskFailed     = "FAILED"
)

// tTasks holds the move tasks of each source queue, newest first:
// source name \x00 inverted start time . task ID → taskRec.
const tTasks = "move-tasks"

// taskIndex lists the active tasks of every account and region, for the worker:
// account \x00 region \x00 task key → "".
var taskIndex = store.NS("sqs", "move-task-index")

// maxMovePerPass bounds the messages one worker transaction moves.
const maxMovePerPass = 1000

// taskRec is a stored move task.
type taskRec struct {
	ID          string `json:"id"`
	Source      string `json:"source"` // source queue name
	SourceARN   string `json:"sourceArn"`
	Destination string `json:"destination,omitempty"` // ARN; "" for the messages' origins
	Rate        int32  `json:"rate,omitempty"`
	ToMove      int64  `json:"toMove"`
	Moved       int64  `json:"moved"`
	Status      string `json:"status"`
	Failure     string `json:"failure,omitempty"`
	Started     int64  `json:"started"` // ms
	LastRun     int64  `json:"lastRun"` // ms of Palisade's clock the rate is counted from
}

func (t *taskRec) key() string {
	return fmt.Sprintf("%s\x00%019d.%s", t.Source, math.MaxInt64-t.Started, t.ID)
}

func (t *taskRec) active() bool { return t.Status == taskRunning || t.Status == taskCancelling }

func (t *taskRec) handle() string {
	b, _ := json.Marshal(map[string]string{"taskId": t.ID, "sourceArn": t.SourceARN})
	return base64.StdEncoding.EncodeToString(b)
}

func parseHandle(h string) (id string, source queueRef, ok bool) {
	b, err := base64.StdEncoding.DecodeString(h)
	var v struct {
		TaskID    string `json:"taskId"`
		SourceARN string `json:"sourceArn"`
	}
	if err != nil || json.Unmarshal(b, &v) != nil || v.TaskID == "" {
		return "", queueRef{}, false
	}
	r, _ := parseQueueARN(v.SourceARN)
	return v.TaskID, r, true
}

func errNoSource() error {
	return api.NewResourceNotFoundException("The resource that you specified for the SourceArn parameter doesn't exist.")
}

// tasksOf lists a source queue's tasks, newest first.
func tasksOf(tx *store.Tx, r queueRef, fn func(t *taskRec) bool) error {
	prefix := r.Name + "\x00"
	var ferr error
	err := tx.Scan(ns(r.Account, r.Region, tTasks), prefix, 0, func(k string, v []byte) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		t := &taskRec{}
		if ferr = decode(v, t); ferr != nil {
			return false
		}
		return fn(t)
	})
	if err == nil {
		err = ferr
	}
	return err
}

func putTask(tx *store.Tx, r queueRef, t *taskRec) error {
	if err := tx.PutJSON(ns(r.Account, r.Region, tTasks), t.key(), t); err != nil {
		return err
	}
	idx := r.Account + "\x00" + r.Region + "\x00" + t.key()
	if t.active() {
		return tx.Put(taskIndex, idx, nil)
	}
	_, err := tx.Delete(taskIndex, idx)
	return err
}

// dropTasks forgets a deleted queue's move tasks, so a queue created again under its
// name starts with none (they could no longer be listed: ListMessageMoveTasks of a
// missing source is ResourceNotFoundException), and fails the running tasks moving to
// it, as a task fails when its destination is gone (FailureReason
// AWS.SimpleQueueService.NonExistentQueue).
func dropTasks(tx *store.Tx, r queueRef) error {
	prefix := r.Name + "\x00"
	var own []string
	err := tx.Scan(ns(r.Account, r.Region, tTasks), prefix, 0, func(k string, _ []byte) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		own = append(own, k)
		return true
	})
	if err != nil {
		return err
	}
	idx := r.Account + "\x00" + r.Region + "\x00"
	for _, k := range own {
		if _, err := tx.Delete(ns(r.Account, r.Region, tTasks), k); err != nil {
			return err
		}
		if _, err := tx.Delete(taskIndex, idx+k); err != nil {
			return err
		}
	}
	var active []string
	err = tx.Scan(taskIndex, idx, 0, func(k string, _ []byte) bool {
		if !strings.HasPrefix(k, idx) {
			return false
		}
		active = append(active, strings.TrimPrefix(k, idx))
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range active {
		t := &taskRec{}
		ok, err := tx.GetJSON(ns(r.Account, r.Region, tTasks), k, t)
		if err != nil {
			return err
		}
		if ok && t.Status == taskRunning && t.Destination == r.arn() {
			t.Status, t.Failure = taskFailed, "AWS.SimpleQueueService.NonExistentQueue"
			if err := putTask(tx, queueRef{Account: r.Account, Region: r.Region, Name: t.Source}, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// sourcesOf lists the queues whose redrive policy targets the dead-letter queue r.
func sourcesOf(tx *store.Tx, r queueRef) ([]queueRef, error) {
	var out []queueRef
	var derr error
	err := tx.Scan(ns(r.Account, r.Region, tQueues), "", 0, func(k string, v []byte) bool {
		rec := &queueRec{}
		if derr = decode(v, rec); derr != nil {
			return false
		}
		if rd, ok := redrivePolicy(rec); ok && rd.target == r {
			out = append(out, queueRef{Account: r.Account, Region: r.Region, Name: k})
		}
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// authorizeOn checks c's principal for action on a queue, with the queue's policy.
func (q *SQS) authorizeOn(c *server.Call, action string, r queueRef) error {
	chks, err := q.queueCheck(c, action, r)
	if err != nil {
		return err
	}
	return c.AuthorizeAll(chks)
}

// sourceQueue is the queue a task's SourceArn names, which must exist.
func sourceQueue(tx *store.Tx, arn string) (queueRef, *queueRec, error) {
	src, ok := parseQueueARN(arn)
	if !ok {
		return queueRef{}, nil, errNoSource()
	}
	rec, err := existingSource(tx, src)
	return src, rec, err
}

// existingSource loads a task's source queue; a missing one is errNoSource.
func existingSource(tx *store.Tx, src queueRef) (*queueRec, error) {
	rec, err := loadQueue(tx, src)
	if err == nil && rec == nil {
		err = errNoSource()
	}
	return rec, err
}

func (q *SQS) startMessageMoveTask(c *server.Call, in *api.StartMessageMoveTaskRequest) (*api.StartMessageMoveTaskResult, error) {
	src, rec, err := sourceQueue(c.Tx, in.SourceArn)
	if err != nil {
		return nil, err
	}
	if n := in.MaxNumberOfMessagesPerSecond; n != nil && (*n < 1 || *n > 500) {
		// AWS: "The maximum value for messages per second is 500." Inferred wording.
		return nil, errParam("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.", *n)
	}
	sources, err := sourcesOf(c.Tx, src)
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, errParam("Source queue must be configured as a Dead Letter Queue.")
	}
	var dest queueRef
	if in.DestinationArn != nil {
		d, ok := parseQueueARN(*in.DestinationArn)
		var drec *queueRec
		if ok {
			if drec, err = loadQueue(c.Tx, d); err != nil {
				return nil, err
			}
		}
		if drec == nil {
			return nil, api.NewResourceNotFoundException("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		if (drec.Attributes["FifoQueue"] == "true") != (rec.Attributes["FifoQueue"] == "true") {
			// AWS: the destination must be of the dead-letter queue's type ("if the
			// dead-letter queue is a FIFO queue, the redrive destination queue must be
			// a FIFO queue as well"). Inferred wording.
			return nil, errParam("The source queue and the destination queue must be of the same queue type.")
		}
		dest, sources = d, []queueRef{d}
	}
	// The permissions AWS's DLQ redrive documents besides sqs:StartMessageMoveTask:
	// receiving, deleting and reading attributes on the dead-letter queue, sending
	// to the destination (each source queue when none is given).
	for _, action := range []string{"ReceiveMessage", "DeleteMessage", "GetQueueAttributes"} {
		if err := q.authorizeOn(c, action, src); err != nil {
			return nil, err
		}
	}
	for _, s := range sources {
		if err := q.authorizeOn(c, "SendMessage", s); err != nil {
			return nil, err
		}
	}
	busy := false
	if err := tasksOf(c.Tx, src, func(t *taskRec) bool { busy = busy || t.active(); return !busy }); err != nil {
		return nil, err
	}
	if busy {
		return nil, errParam("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	}
	now := c.Now.UnixMilli()
	t := &taskRec{ID: auth.NewUUID(), Source: src.Name, SourceARN: src.arn(), Status: taskRunning, Started: now, LastRun: now}
	if in.DestinationArn != nil {
		t.Destination = dest.arn()
	}
	if in.MaxNumberOfMessagesPerSecond != nil {
		t.Rate = *in.MaxNumberOfMessagesPerSecond
	}
	cutoff := now - retention(rec)*1000
	fifo := rec.Attributes["FifoQueue"] == "true"
	err = c.Tx.Scan(msgNS(src.Account, src.Region, src.Name), "", 0, func(_ string, v []byte) bool {
		m := &msgRec{}
		// A FIFO task waits for the messages in flight (runTask), and AWS counted
		// them: 3 to move with one of 3 in flight (radkawar/stackd
		// testdata/aws/sqs/fifo_redrive.json, held_progress).
		if decode(v, m) == nil && m.Sent >= cutoff && (m.VisibleAt <= now || fifo && m.Receives > 0) {
			t.ToMove++
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if err := putTask(c.Tx, src, t); err != nil {
		return nil, err
	}
	c.Tx.AfterCommit(q.wakeMover)
	return &api.StartMessageMoveTaskResult{TaskHandle: ptr(t.handle())}, nil
}

func ptr[T any](v T) *T { return &v }

func (q *SQS) listMessageMoveTasks(c *server.Call, in *api.ListMessageMoveTasksRequest) (*api.ListMessageMoveTasksResult, error) {
	src, _, err := sourceQueue(c.Tx, in.SourceArn)
	if err != nil {
		return nil, err
	}
	max := 1 // AWS: "The default is 1"; at most 10
	if in.MaxResults != nil {
		max = int(*in.MaxResults)
		if max < 1 || max > 10 {
			// Inferred wording.
			return nil, errParam("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", max)
		}
	}
	out := &api.ListMessageMoveTasksResult{Results: []api.ListMessageMoveTasksResultEntry{}}
	err = tasksOf(c.Tx, src, func(t *taskRec) bool {
		e := api.ListMessageMoveTasksResultEntry{Status: ptr(t.Status), SourceArn: ptr(t.SourceARN),
			ApproximateNumberOfMessagesMoved: ptr(t.Moved), ApproximateNumberOfMessagesToMove: ptr(t.ToMove), StartedTimestamp: ptr(t.Started)}
		if t.Status == taskRunning {
			e.TaskHandle = ptr(t.handle())
		}
		if t.Destination != "" {
			e.DestinationArn = ptr(t.Destination)
		}
		if t.Rate > 0 {
			e.MaxNumberOfMessagesPerSecond = ptr(t.Rate)
		}
		if t.Failure != "" {
			e.FailureReason = ptr(t.Failure)
		}
		out.Results = append(out.Results, e)
		return len(out.Results) < max
	})
	return out, err
}

func (q *SQS) cancelMessageMoveTask(c *server.Call, in *api.CancelMessageMoveTaskRequest) (*api.CancelMessageMoveTaskResult, error) {
	id, src, ok := parseHandle(in.TaskHandle)
	if !ok {
		return nil, errParam("Value for parameter TaskHandle is invalid.")
	}
	if _, err := existingSource(c.Tx, src); err != nil {
		return nil, err
	}
	var found *taskRec
	if err := tasksOf(c.Tx, src, func(t *taskRec) bool {
		if t.ID == id {
			found = t
		}
		return found == nil
	}); err != nil {
		return nil, err
	}
	// Only a running task can be cancelled; AWS lists no handle for the others
	// (inferred: a finished task's handle answers as an unknown one).
	if found == nil || found.Status != taskRunning {
		return nil, api.NewResourceNotFoundException("Task does not exist.")
	}
	found.Status = taskCancelling
	if err := putTask(c.Tx, src, found); err != nil {
		return nil, err
	}
	c.Tx.AfterCommit(q.wakeMover)
	return &api.CancelMessageMoveTaskResult{ApproximateNumberOfMessagesMoved: ptr(found.Moved)}, nil
}

func (q *SQS) wakeMover() {
	select {
	case q.moverWake <- struct{}{}:
	default:
	}
}

// Run moves messages for the active move tasks until ctx ends: at once, then
// whenever a task starts or is cancelled, Palisade's clock is advanced, or a second
// of real time passes. On the same passes it publishes the counters committed since
// the last one and, once a minute of Palisade's clock, the queues' gauges.
func (q *SQS) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var minute time.Time
	if q.d.Metrics != nil {
		q.loadActive(ctx)
		minute = q.d.Clock.Now().Truncate(time.Minute)
	}
	for {
		changed := q.d.Clock.Changed()
		q.RunMoveTasks(ctx)
		if q.d.Metrics != nil {
			// Counters first, so a minute's gauges follow its calls.
			q.flushMetrics(ctx)
			if now := q.d.Clock.Now(); now.Truncate(time.Minute).After(minute) {
				q.publishGauges(ctx, now)
				minute = now.Truncate(time.Minute)
			}
		}
		select {
		case <-ctx.Done():
			if q.d.Metrics != nil {
				q.flushMetrics(context.WithoutCancel(ctx))
			}
			return
		case <-changed:
		case <-q.moverWake:
		case <-tick.C:
		}
	}
}

// RunMoveTasks gives every active move task one pass: a cancelling task is
// cancelled, a running one moves what its rate allows since its last pass.
func (q *SQS) RunMoveTasks(ctx context.Context) {
	var keys []string
	err := q.d.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(taskIndex, "", 0, func(k string, _ []byte) bool {
			keys = append(keys, k)
			return true
		})
	})
	if err != nil {
		if ctx.Err() == nil {
			q.d.Logger.Error("sqs: list move tasks", "err", err)
		}
		return
	}
	for _, k := range keys {
		parts := strings.SplitN(k, "\x00", 3)
		if len(parts) != 3 || ctx.Err() != nil {
			continue
		}
		err := q.d.Store.Update(ctx, func(tx *store.Tx) error {
			return q.runTask(tx, parts[0], parts[1], parts[2], q.d.Clock.Now().UnixMilli())
		})
		if err != nil && ctx.Err() == nil {
			q.d.Logger.Error("sqs: move task", "task", parts[2], "err", err)
		}
	}
}

func (q *SQS) runTask(tx *store.Tx, account, region, key string, now int64) error {
	t := &taskRec{}
	ok, err := tx.GetJSON(ns(account, region, tTasks), key, t)
	if err != nil || !ok {
		if ok || err != nil {
			return err
		}
		_, err = tx.Delete(taskIndex, account+"\x00"+region+"\x00"+key)
		return err
	}
	src := queueRef{Account: account, Region: region, Name: t.Source}
	if t.Status == taskCancelling {
		t.Status = taskCancelled
		return putTask(tx, src, t)
	}
	if t.Status != taskRunning {
		return putTask(tx, src, t)
	}
	rec, err := loadQueue(tx, src)
	if err != nil {
		return err
	}
	if rec == nil {
		t.Status, t.Failure = taskFailed, "AWS.SimpleQueueService.NonExistentQueue"
		return putTask(tx, src, t)
	}
	if t.Moved >= t.ToMove {
		t.Status = taskCompleted
		return putTask(tx, src, t)
	}
	budget := int64(maxMovePerPass)
	if t.Rate > 0 {
		budget = min(budget, (now-t.LastRun)*int64(t.Rate)/1000)
		if budget <= 0 {
			return nil
		}
		t.LastRun += budget * 1000 / int64(t.Rate)
	}
	budget = min(budget, t.ToMove-t.Moved)
	var batch []*msgRec
	var left, held bool
	if rec.Attributes["FifoQueue"] == "true" {
		batch, left, held, err = fifoBatch(tx, src, rec, now, budget)
	} else {
		batch, left, err = standardBatch(tx, src, rec, now, budget)
	}
	if err != nil {
		return err
	}
	for _, m := range batch {
		target := t.Destination
		if target == "" {
			target = m.Origin
		}
		d, ok := parseQueueARN(target)
		var drec *queueRec
		if ok {
			if drec, err = loadQueue(tx, d); err != nil {
				return err
			}
		}
		if drec == nil {
			// The destination is gone, or a message sent to the dead-letter queue
			// directly has no queue to return to (inferred: the task fails).
			t.Status, t.Failure = taskFailed, "AWS.SimpleQueueService.NonExistentQueue"
			return putTask(tx, src, t)
		}
		if err := deleteMsg(tx, src, m); err != nil {
			return err
		}
		t.Moved++
		// AWS: "The redrive task resets the retention period. All redriven messages
		// are considered new messages with a new messageID and enqueueTime".
		orig := m.ID
		m.ID, m.VisibleAt, m.Sent, m.Receives, m.FirstReceive, m.Received, m.Nonce, m.Origin = auth.NewUUID(), now, now, 0, 0, 0, "", ""
		if drec.Attributes["FifoQueue"] == "true" {
			// AWS was recorded sending a FIFO message on with the original message
			// ID as its deduplication ID and a sequence number of the destination,
			// which deduplicated later sends of that ID to it (radkawar/stackd
			// testdata/aws/sqs/fifo_redrive.json, released_destination,
			// duplicate_a0). A duplicate is not enqueued, as a send's is not.
			m.DedupID = orig
			prior, err := sequence(tx, d, drec, m, now)
			if err != nil {
				return err
			}
			if prior != nil {
				continue
			}
		}
		if err := putMsg(tx, d, m); err != nil {
			return err
		}
		tx.AfterCommit(func() { q.notify(d) })
	}
	// A FIFO task with messages held back keeps running until they move (or are
	// deleted), as AWS's stayed RUNNING until the group was released.
	if t.Moved >= t.ToMove || !left && !held {
		t.Status = taskCompleted
	}
	return putTask(tx, src, t)
}

// standardBatch is what a pass of a task moves from a standard queue: up to budget
// visible messages; left reports that more are visible.
func standardBatch(tx *store.Tx, src queueRef, rec *queueRec, now, budget int64) (batch []*msgRec, left bool, err error) {
	cutoff := now - retention(rec)*1000
	err = tx.Scan(msgNS(src.Account, src.Region, src.Name), "", 0, func(_ string, v []byte) bool {
		m := &msgRec{}
		if decode(v, m) != nil || m.Sent < cutoff {
			return true
		}
		if m.VisibleAt > now {
			return false // keys are in visibility order: none after it is visible
		}
		if int64(len(batch)) >= budget {
			left = true
			return false
		}
		batch = append(batch, m)
		return true
	})
	return batch, left, err
}

// fifoBatch is what a pass of a task moves from a FIFO queue: up to budget visible
// messages in sequence order, leaving out every group with a message in flight, as
// AWS held back a whole group while one of its messages was in flight in the
// dead-letter queue (radkawar/stackd testdata/aws/sqs/fifo_redrive.json,
// still_held_destination). left reports that more could move now, held that
// messages wait for their group (or, in flight, for themselves).
func fifoBatch(tx *store.Tx, src queueRef, rec *queueRec, now, budget int64) (batch []*msgRec, left, held bool, err error) {
	cutoff := now - retention(rec)*1000
	blocked := map[string]bool{}
	var visible []*msgRec
	err = tx.Scan(msgNS(src.Account, src.Region, src.Name), "", 0, func(_ string, v []byte) bool {
		m := &msgRec{}
		if decode(v, m) != nil || m.Sent < cutoff {
			return true
		}
		switch {
		case m.VisibleAt <= now:
			visible = append(visible, m)
		case m.Receives > 0:
			blocked[m.GroupID], held = true, true
		}
		return true
	})
	if err != nil {
		return nil, false, false, err
	}
	sort.Slice(visible, func(i, j int) bool { return visible[i].Seq < visible[j].Seq })
	for _, m := range visible {
		switch {
		case blocked[m.GroupID]:
			held = true
		case int64(len(batch)) >= budget:
			left = true
		default:
			batch = append(batch, m)
		}
	}
	return batch, left, held, nil
}
