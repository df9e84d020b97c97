package sqs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/svckit"
)

func (q *SQS) queueHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateQueue", q.createQueue),
		server.Write("DeleteQueue", q.deleteQueue),
		server.Read("GetQueueUrl", q.getQueueURL),
		server.Read("ListQueues", q.listQueues),
		server.Read("GetQueueAttributes", q.getQueueAttributes),
		server.Write("SetQueueAttributes", q.setQueueAttributes),
		server.Write("PurgeQueue", q.purgeQueue),
		server.Write("TagQueue", q.tagQueue),
		server.Write("UntagQueue", q.untagQueue),
		server.Read("ListQueueTags", q.listQueueTags),
		server.Write("AddPermission", q.addPermission),
		server.Write("RemovePermission", q.removePermission),
		server.Read("ListDeadLetterSourceQueues", q.listDeadLetterSourceQueues),
		server.Write("StartMessageMoveTask", q.startMessageMoveTask),
		server.Read("ListMessageMoveTasks", q.listMessageMoveTasks),
		server.Write("CancelMessageMoveTask", q.cancelMessageMoveTask),
	}
}

var queueNameRE = svckit.Name{Max: 80, Punct: "_-"}

// defaults are the attributes a new queue has unless set.
var defaults = map[string]string{
	"DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
	"ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30", "SqsManagedSseEnabled": "true",
}

// intRanges bounds the numeric attributes (SetQueueAttributes' documentation).
var intRanges = map[string][2]int{
	"DelaySeconds": {0, 900}, "MaximumMessageSize": {1024, 1048576}, "MessageRetentionPeriod": {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, 20}, "VisibilityTimeout": {0, 43200}, "KmsDataKeyReusePeriodSeconds": {60, 86400},
}

var fifoOnly = map[string]bool{"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

// redriveAllow is a dead-letter queue's RedriveAllowPolicy.
type redriveAllow struct {
	Permission string   `json:"redrivePermission"`
	Sources    []string `json:"sourceQueueArns"`
}

// maxRedriveSources is how many source queues byQueue may name ("up to 10").
const maxRedriveSources = 10

// parseRedriveAllow reads a RedriveAllowPolicy; ok is false when SQS would refuse it:
// allowAll and denyAll name no sources, byQueue names 1 to 10 queue ARNs.
func parseRedriveAllow(value string) (redriveAllow, bool) {
	var rap redriveAllow
	var raw map[string]json.RawMessage
	if json.Unmarshal([]byte(value), &raw) != nil || json.Unmarshal([]byte(value), &rap) != nil {
		return rap, false
	}
	_, named := raw["sourceQueueArns"]
	switch rap.Permission {
	case "allowAll", "denyAll":
		return rap, !named
	case "byQueue":
		if len(rap.Sources) == 0 || len(rap.Sources) > maxRedriveSources {
			return rap, false
		}
		for _, a := range rap.Sources {
			if _, ok := parseQueueARN(a); !ok {
				return rap, false
			}
		}
		return rap, true
	}
	return rap, false
}

// redriveAllows reports whether a dead-letter queue's RedriveAllowPolicy (value, ""
// when unset: allowAll) lets the queue source use it.
func redriveAllows(value, source string) bool {
	if value == "" {
		return true
	}
	rap, ok := parseRedriveAllow(value)
	switch {
	case !ok:
		return true // stored before it was checked; SQS checks policies as they are set
	case rap.Permission == "denyAll":
		return false
	case rap.Permission == "byQueue":
		return slices.Contains(rap.Sources, source)
	}
	return true
}

func errAttrValue(name string) error {
	return api.NewInvalidAttributeValue("Invalid value for the parameter " + name + ".")
}

// checkAttribute validates one settable queue attribute.
func (q *SQS) checkAttribute(c *server.Call, r queueRef, fifo bool, name, value string) error {
	if rng, ok := intRanges[name]; ok {
		n, err := strconv.Atoi(value)
		if err != nil || n < rng[0] || n > rng[1] {
			return errAttrValue(name)
		}
		return nil
	}
	if fifoOnly[name] && !fifo {
		return api.NewInvalidAttributeName("Unknown Attribute " + name + ".")
	}
	switch name {
	case "Policy":
		if value == "" {
			return nil
		}
		if _, err := policy.Parse(policy.KindResource, r.arn(), []byte(value)); err != nil {
			return errAttrValue(name)
		}
		if err := checkPolicyQuotas(value); err != nil {
			return err
		}
	case "RedrivePolicy":
		if value == "" {
			return nil
		}
		var rp struct {
			Target string `json:"deadLetterTargetArn"`
			Max    any    `json:"maxReceiveCount"`
		}
		if json.Unmarshal([]byte(value), &rp) != nil || rp.Target == "" {
			return errParam("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.", value)
		}
		n, err := strconv.Atoi(strings.Trim(asString(rp.Max), "\""))
		if err != nil || n < 1 || n > 1000 {
			return errParam("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", value, asString(rp.Max))
		}
		dl, ok := parseQueueARN(rp.Target)
		if !ok {
			return errParam("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.", value)
		}
		target, err := loadQueue(c.Tx, dl)
		if err != nil {
			return err
		}
		if target == nil || dl.Account != r.Account || dl.Region != r.Region {
			// A dead-letter queue is in its sources' account and Region (developer
			// guide, "Using dead-letter queues").
			return errParam("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", value)
		}
		if !redriveAllows(target.Attributes["RedriveAllowPolicy"], r.arn()) {
			// Wording inferred from the other reasons.
			return errParam("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target's RedriveAllowPolicy does not allow this queue as a source.", value)
		}
		if (target.Attributes["FifoQueue"] == "true") != fifo {
			return errParam("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter target must be of the same type as the source queue.", value)
		}
	case "RedriveAllowPolicy":
		if _, ok := parseRedriveAllow(value); value != "" && !ok {
			return errAttrValue(name)
		}
	case "KmsMasterKeyId":
		if value != "" && !svckit.IsKMSKeyRef(value) {
			return errAttrValue(name)
		}
	case "SqsManagedSseEnabled", "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return errAttrValue(name)
		}
	case "DeduplicationScope":
		if value != "queue" && value != "messageGroup" {
			return errAttrValue(name)
		}
	case "FifoThroughputLimit":
		if value != "perQueue" && value != "perMessageGroupId" {
			return errAttrValue(name)
		}
	case "FifoQueue":
	default:
		return api.NewInvalidAttributeName("Unknown Attribute " + name + ".")
	}
	return nil
}

func asString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (q *SQS) createQueue(c *server.Call, in *api.CreateQueueRequest) (*api.CreateQueueResult, error) {
	r := queueRef{Account: c.Account, Region: c.Region, Name: in.QueueName}
	base, isFifoName := strings.CutSuffix(in.QueueName, ".fifo")
	fifo := in.Attributes["FifoQueue"] == "true"
	if fifo && (!isFifoName || !queueNameRE.MatchString(base)) {
		return nil, errParam("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	if !fifo && !queueNameRE.MatchString(in.QueueName) || len(in.QueueName) > 80 {
		return nil, errParam("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if v, ok := in.Attributes["FifoQueue"]; ok && v != "true" && v != "false" {
		return nil, errAttrValue("FifoQueue")
	}
	attrs := map[string]string{}
	for k, v := range defaults {
		attrs[k] = v
	}
	if fifo {
		attrs["FifoQueue"], attrs["ContentBasedDeduplication"], attrs["DeduplicationScope"], attrs["FifoThroughputLimit"] = "true", "false", "queue", "perQueue"
	}
	if err := checkOneSSE(in.Attributes); err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if err := q.checkAttribute(c, r, fifo, k, v); err != nil {
			return nil, err
		}
		if k == "FifoQueue" && v == "false" {
			continue
		}
		attrs[k] = storedValue(k, v)
	}
	if attrs["KmsMasterKeyId"] != "" {
		attrs["SqsManagedSseEnabled"] = "false"
		if _, ok := attrs["KmsDataKeyReusePeriodSeconds"]; !ok {
			attrs["KmsDataKeyReusePeriodSeconds"] = "300"
		}
	}
	existing, err := loadQueue(c.Tx, r)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		for k, v := range in.Attributes {
			if k == "FifoQueue" && v == "false" {
				continue
			}
			if existing.Attributes[k] != storedValue(k, v) {
				return nil, api.NewQueueNameExists("A queue already exists with the same name and a different value for attribute " + k)
			}
		}
		return &api.CreateQueueResult{QueueUrl: svckit.Ptr(queueURL(c, r))}, nil
	}
	if err := checkDeletedRecently(c, r); err != nil {
		return nil, err
	}
	now := c.Now.Truncate(time.Second)
	rec := &queueRec{Name: in.QueueName, Attributes: attrs, Tags: in.Tags, Created: now, Modified: now}
	q.touch(c.Tx, r, c.Now)
	return &api.CreateQueueResult{QueueUrl: svckit.Ptr(queueURL(c, r))}, putQueue(c.Tx, r, rec)
}

func (q *SQS) deleteQueue(c *server.Call, in *api.DeleteQueueRequest) (*model.Empty, error) {
	r, _, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := dropMessages(c.Tx, r); err != nil {
		return nil, err
	}
	if _, err := svckit.DeletePrefix(c.Tx, ns(r.Account, r.Region, tDedup), r.Name+"\x00"); err != nil {
		return nil, err
	}
	if _, err := svckit.DeletePrefix(c.Tx, ns(r.Account, r.Region, tDedupAt), r.Name+"\x00"); err != nil {
		return nil, err
	}
	for _, kind := range []string{tAttempts, tAttemptsAt} {
		if _, err := svckit.DeletePrefix(c.Tx, ns(r.Account, r.Region, kind), r.Name+"\x00"); err != nil {
			return nil, err
		}
	}
	if err := dropTasks(c.Tx, r); err != nil {
		return nil, err
	}
	if _, err := c.Tx.Delete(ns(r.Account, r.Region, tQueues), r.Name); err != nil {
		return nil, err
	}
	// Long polls waiting on the queue answer QueueDoesNotExist now, not at the end
	// of their wait.
	c.Tx.AfterCommit(func() { q.notify(r) })
	return &model.Empty{}, markDeleted(c, r)
}

// deletedRecently is how long SQS holds a deleted queue's name: "You must wait 60
// seconds after deleting a queue before you can create another with the same name."
const deletedRecently = 60 * time.Second

// deletedRec remembers when a queue was deleted, for QueueDeletedRecently.
type deletedRec struct {
	At time.Time `json:"at"`
}

// markDeleted holds the queue's name for a minute of Palisade's clock, and forgets
// the names whose minute has passed so the records do not pile up.
func markDeleted(c *server.Call, r queueRef) error {
	space := ns(r.Account, r.Region, tDeleted)
	var expired []string
	err := c.Tx.Scan(space, "", 0, func(k string, v []byte) bool {
		d := &deletedRec{}
		if decode(v, d) == nil && c.Now.Sub(d.At) >= deletedRecently {
			expired = append(expired, k)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range expired {
		if _, err := c.Tx.Delete(space, k); err != nil {
			return err
		}
	}
	return c.Tx.PutJSON(space, r.Name, &deletedRec{At: c.Now})
}

// checkDeletedRecently refuses to create a queue whose name was deleted less than a
// minute ago, with AWS's wording (LocalStack's AWS-validated
// test_create_queue_recently_deleted).
func checkDeletedRecently(c *server.Call, r queueRef) error {
	d := &deletedRec{}
	ok, err := c.Tx.GetJSON(ns(r.Account, r.Region, tDeleted), r.Name, d)
	if err != nil || !ok {
		return err
	}
	if c.Now.Sub(d.At) < deletedRecently {
		return api.NewQueueDeletedRecently("You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	_, err = c.Tx.Delete(ns(r.Account, r.Region, tDeleted), r.Name)
	return err
}

func (q *SQS) getQueueURL(c *server.Call, in *api.GetQueueUrlRequest) (*api.GetQueueUrlResult, error) {
	r := queueRef{Account: c.Account, Region: c.Region, Name: in.QueueName}
	if in.QueueOwnerAWSAccountId != nil {
		r.Account = *in.QueueOwnerAWSAccountId
	}
	if _, err := mustQueue(c, c.Tx, r); err != nil {
		return nil, err
	}
	return &api.GetQueueUrlResult{QueueUrl: svckit.Ptr(queueURL(c, r))}, nil
}

// checkMaxResults applies the range ListQueues and ListDeadLetterSourceQueues
// document for MaxResults, 1 to 1000. The wording is the one SQS emulators agree on
// (one asserts it for ListDeadLetterSourceQueues); AWS's own answer is not recorded
// here. Out of range, 0 answered an empty page with an empty NextToken and a negative
// value meant no limit.
func checkMaxResults(max *int32) error {
	if max != nil && (*max < 1 || *max > 1000) {
		return errParam("Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.")
	}
	return nil
}

func (q *SQS) listQueues(c *server.Call, in *api.ListQueuesRequest) (*api.ListQueuesResult, error) {
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	max := 1000
	if in.MaxResults != nil {
		max = int(*in.MaxResults)
	}
	out := &api.ListQueuesResult{QueueUrls: []string{}}
	next, err := svckit.Page(c.Tx, ns(c.Account, c.Region, tQueues), svckit.Str(in.QueueNamePrefix), in.NextToken, max, errParam("Invalid NextToken value."),
		func(k string, _ []byte, take bool) (bool, error) {
			if take {
				out.QueueUrls = append(out.QueueUrls, queueURL(c, queueRef{Account: c.Account, Region: c.Region, Name: k}))
			}
			return true, nil
		})
	// AWS hands out a NextToken only when MaxResults was given.
	if in.MaxResults != nil {
		out.NextToken = next
	}
	return out, err
}

// counts are a queue's approximate message counts.
type counts struct{ visible, inflight, delayed int }

func (q *SQS) count(c *server.Call, r queueRef, rec *queueRec) (counts, error) {
	var n counts
	now := c.Now.UnixMilli()
	cutoff := now - retention(rec)*1000
	err := c.Tx.Scan(msgNS(r.Account, r.Region, r.Name), "", 0, func(_ string, v []byte) bool {
		m := &msgRec{}
		if decode(v, m) != nil || m.Sent < cutoff {
			return true
		}
		switch {
		case m.VisibleAt <= now:
			n.visible++
		case m.Receives > 0:
			n.inflight++
		default:
			n.delayed++
		}
		return true
	})
	return n, err
}

func retention(rec *queueRec) int64 {
	n, _ := strconv.ParseInt(rec.Attributes["MessageRetentionPeriod"], 10, 64)
	return n
}

func intAttr(rec *queueRec, name string) int {
	n, _ := strconv.Atoi(rec.Attributes[name])
	return n
}

// storedValue is an attribute's value as the queue keeps it.
func storedValue(name, value string) string {
	if name == "Policy" && value != "" {
		return storedPolicy(value)
	}
	return value
}

// readable are the attributes GetQueueAttributes knows, besides the settable ones.
var readable = map[string]bool{"All": true, "QueueArn": true, "ApproximateNumberOfMessages": true, "ApproximateNumberOfMessagesNotVisible": true,
	"ApproximateNumberOfMessagesDelayed": true, "CreatedTimestamp": true, "LastModifiedTimestamp": true}

func (q *SQS) getQueueAttributes(c *server.Call, in *api.GetQueueAttributesRequest) (*api.GetQueueAttributesResult, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	n, err := q.count(c, r, rec)
	if err != nil {
		return nil, err
	}
	all := map[string]string{
		"QueueArn": r.arn(), "ApproximateNumberOfMessages": strconv.Itoa(n.visible), "ApproximateNumberOfMessagesNotVisible": strconv.Itoa(n.inflight),
		"ApproximateNumberOfMessagesDelayed": strconv.Itoa(n.delayed), "CreatedTimestamp": strconv.FormatInt(rec.Created.Unix(), 10),
		"LastModifiedTimestamp": strconv.FormatInt(rec.Modified.Unix(), 10),
	}
	for k, v := range rec.Attributes {
		all[k] = v
	}
	out := map[string]string{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			out = all
			break
		}
		if !readable[name] && !fifoOnly[name] && intRanges[name] == [2]int{} && name != "Policy" && name != "RedrivePolicy" && name != "RedriveAllowPolicy" &&
			name != "KmsMasterKeyId" && name != "SqsManagedSseEnabled" && name != "FifoQueue" {
			return nil, api.NewInvalidAttributeName("Unknown Attribute " + name + ".")
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	return &api.GetQueueAttributesResult{Attributes: out}, nil
}

func (q *SQS) setQueueAttributes(c *server.Call, in *api.SetQueueAttributesRequest) (*model.Empty, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	fifo := rec.Attributes["FifoQueue"] == "true"
	if err := checkOneSSE(in.Attributes); err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if k == "FifoQueue" {
			if v == strconv.FormatBool(fifo) {
				continue // what the queue is already
			}
			return nil, api.NewInvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
		}
		if err := q.checkAttribute(c, r, fifo, k, v); err != nil {
			return nil, err
		}
	}
	for k, v := range in.Attributes {
		if k == "FifoQueue" {
			continue // unchanged, as checked above
		}
		if v == "" && (k == "Policy" || k == "RedrivePolicy" || k == "RedriveAllowPolicy" || k == "KmsMasterKeyId") {
			delete(rec.Attributes, k)
			continue
		}
		rec.Attributes[k] = storedValue(k, v)
	}
	if in.Attributes["KmsMasterKeyId"] != "" {
		// SSE-KMS replaces SSE-SQS, as it does at CreateQueue: the queue no longer
		// reports both (LocalStack's AWS-validated test_set_queue_attributes_default_values,
		// localstack/localstack#13539 and #13780).
		rec.Attributes["SqsManagedSseEnabled"] = "false"
		if _, ok := rec.Attributes["KmsDataKeyReusePeriodSeconds"]; !ok {
			rec.Attributes["KmsDataKeyReusePeriodSeconds"] = "300"
		}
	}
	rec.Modified = c.Now.Truncate(time.Second)
	return &model.Empty{}, putQueue(c.Tx, r, rec)
}

func (q *SQS) purgeQueue(c *server.Call, in *api.PurgeQueueRequest) (*model.Empty, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if !rec.Purged.IsZero() && c.Now.Sub(rec.Purged) < time.Minute {
		return nil, api.NewPurgeQueueInProgress("Only one PurgeQueue operation on " + r.Name + " is allowed every 60 seconds.")
	}
	if err := dropMessages(c.Tx, r); err != nil {
		return nil, err
	}
	rec.Purged = c.Now
	return &model.Empty{}, putQueue(c.Tx, r, rec)
}

func (q *SQS) tagQueue(c *server.Call, in *api.TagQueueRequest) (*model.Empty, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if rec.Tags == nil {
		rec.Tags = map[string]string{}
	}
	for k, v := range in.Tags {
		rec.Tags[k] = v
	}
	if len(rec.Tags) > 50 {
		return nil, errParam("Too many tags added for queue %s.", r.Name)
	}
	return &model.Empty{}, putQueue(c.Tx, r, rec)
}

func (q *SQS) untagQueue(c *server.Call, in *api.UntagQueueRequest) (*model.Empty, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(rec.Tags, k)
	}
	return &model.Empty{}, putQueue(c.Tx, r, rec)
}

func (q *SQS) listQueueTags(c *server.Call, in *api.ListQueueTagsRequest) (*api.ListQueueTagsResult, error) {
	_, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	// SQS answers a queue without tags with an empty map, not without the member
	// (LocalStack's AWS-validated test_tag_untag_queue: {"Tags": {}} once the last
	// tag is removed).
	tags := rec.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return &api.ListQueueTagsResult{Tags: tags}, nil
}

// queuePolicy is a queue policy as AddPermission and RemovePermission rewrite it: its
// members in the order SQS writes them, each existing statement kept as it was.
type queuePolicy struct {
	Version   string            `json:"Version,omitempty"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

// sid is a statement's Sid, "" when it has none.
func sid(st json.RawMessage) string {
	var s struct {
		Sid string `json:"Sid"`
	}
	_ = json.Unmarshal(st, &s)
	return s.Sid
}

// editPolicy rewrites a queue policy's statements, creating the policy as SQS does
// (version 2008-10-17, Id QUEUE-ARN/SQSDefaultPolicy) when the queue has none.
func editPolicy(r queueRef, rec *queueRec, fn func(stmts []json.RawMessage) ([]json.RawMessage, error)) error {
	doc := queuePolicy{Version: "2008-10-17", ID: r.arn() + "/SQSDefaultPolicy"}
	if p := rec.Attributes["Policy"]; p != "" {
		var raw struct {
			Version   string          `json:"Version"`
			ID        string          `json:"Id"`
			Statement json.RawMessage `json:"Statement"`
		}
		if err := json.Unmarshal([]byte(p), &raw); err != nil {
			return errAttrValue("Policy")
		}
		doc = queuePolicy{Version: raw.Version, ID: raw.ID}
		// A policy set by SetQueueAttributes may hold one statement as an object.
		if err := json.Unmarshal(raw.Statement, &doc.Statement); err != nil {
			if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
				doc.Statement = []json.RawMessage{raw.Statement}
			} else if len(raw.Statement) > 0 {
				return errAttrValue("Policy")
			}
		}
	}
	stmts, err := fn(doc.Statement)
	if err != nil {
		return err
	}
	if len(stmts) == 0 {
		delete(rec.Attributes, "Policy")
		return nil
	}
	doc.Statement = stmts
	// As written, not HTML-escaped: a condition's "&" stays "&".
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	rec.Attributes["Policy"] = strings.TrimSuffix(b.String(), "\n")
	return nil
}

func (q *SQS) addPermission(c *server.Call, in *api.AddPermissionRequest) (*model.Empty, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkPermission(in); err != nil {
		return nil, err
	}
	err = editPolicy(r, rec, func(stmts []json.RawMessage) ([]json.RawMessage, error) {
		for _, st := range stmts {
			if sid(st) == in.Label {
				return nil, errParam("Value %s for parameter Label is invalid. Reason: Already exists.", in.Label)
			}
		}
		var principals, actions []string
		for _, a := range in.AWSAccountIds {
			principals = append(principals, "arn:aws:iam::"+a+":root")
		}
		for _, a := range in.Actions {
			actions = append(actions, "SQS:"+a)
		}
		// SQS's form (LocalStack's AWS-validated test_sqs_permission_lifecycle).
		st := svckit.NewPermission(in.Label, principals, actions, r.arn())
		b, err := json.Marshal(st)
		return append(stmts, b), err
	})
	if err != nil {
		return nil, err
	}
	// What AddPermission writes is authorized against later: it must be a policy.
	if _, err := policy.Parse(policy.KindResource, r.arn(), []byte(rec.Attributes["Policy"])); err != nil {
		return nil, errParam("Value %s for parameter Label is invalid. Reason: %s", in.Label, err.Error())
	}
	// The policy it makes is held to the quotas a submitted one is (the wording for
	// AddPermission is inferred).
	if err := checkPolicyQuotas(rec.Attributes["Policy"]); err != nil {
		return nil, err
	}
	return &model.Empty{}, putQueue(c.Tx, r, rec)
}

// Queue policy quotas (SQS Developer Guide, "Amazon SQS policy quotas": 8,192 bytes,
// 20 statements, 7 actions per statement).
const (
	maxPolicyBytes      = 8192
	maxPolicyStatements = 20
	maxStatementActions = 7
)

// checkPolicyQuotas refuses a queue policy over SQS's quotas with OverLimit (403), in
// the words AWS was recorded answering: "Submitted policy is over max allowed size."
// (BishopFox/cloudfoxable#29, Particular/NServiceBus.AmazonSQS#830), "21 statements
// were found in the submitted policy, max allowed is 20" (aws/aws-cdk#16303,
// dapr/components-contrib#1780), "10 actions were found in a statement from the
// submitted policy, max allowed is 7" (ministryofjustice/cloud-platform-environments#9082).
// doc has been parsed as a policy already.
func checkPolicyQuotas(doc string) error {
	if len(doc) > maxPolicyBytes {
		return api.NewOverLimit("Submitted policy is over max allowed size.")
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(doc), &raw) != nil {
		return nil
	}
	var stmts []json.RawMessage
	if json.Unmarshal(raw.Statement, &stmts) != nil {
		stmts = []json.RawMessage{raw.Statement}
	}
	if len(stmts) > maxPolicyStatements {
		return api.NewOverLimit(fmt.Sprintf("%d statements were found in the submitted policy, max allowed is %d", len(stmts), maxPolicyStatements))
	}
	for _, st := range stmts {
		var acts struct {
			Action    json.RawMessage `json:"Action"`
			NotAction json.RawMessage `json:"NotAction"`
		}
		if json.Unmarshal(st, &acts) != nil {
			continue
		}
		for _, a := range []json.RawMessage{acts.Action, acts.NotAction} {
			var list []string
			if json.Unmarshal(a, &list) == nil && len(list) > maxStatementActions {
				return api.NewOverLimit(fmt.Sprintf("%d actions were found in a statement from the submitted policy, max allowed is %d", len(list), maxStatementActions))
			}
		}
	}
	return nil
}

// permissionActions are the actions AddPermission grants to other accounts; the
// batch actions come with SendMessage, DeleteMessage and ChangeMessageVisibility.
var permissionActions = map[string]bool{"*": true, "ChangeMessageVisibility": true, "DeleteMessage": true,
	"GetQueueAttributes": true, "GetQueueUrl": true, "ListDeadLetterSourceQueues": true, "PurgeQueue": true,
	"ReceiveMessage": true, "SendMessage": true}

// checkOneSSE refuses a request that turns on both kinds of server-side encryption.
func checkOneSSE(attrs map[string]string) error {
	if attrs["KmsMasterKeyId"] != "" && attrs["SqsManagedSseEnabled"] == "true" {
		return api.NewInvalidAttributeName("You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
	}
	return nil
}

// checkPermission refuses what AddPermission cannot grant, with SQS's messages: at
// most seven actions, twelve-digit account IDs, and only the actions above — SQS's
// other operations are the queue owner's alone.
func checkPermission(in *api.AddPermissionRequest) error {
	if len(in.AWSAccountIds) == 0 {
		return errParam("Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.")
	}
	for _, a := range in.AWSAccountIds {
		// AWS's two wordings as seen: "*" gets the short one, a principal ARN the
		// longer; other malformed IDs are taken to get the longer.
		switch {
		case a == "*":
			return errParam("Value [*] for parameter PrincipalId is invalid. Reason: Unable to verify.")
		case !svckit.IsAccountID(a):
			return errParam("Value [%s] for parameter PrincipalId is invalid. Reason: Unable to verify principal.", a)
		}
	}
	if len(in.Actions) == 0 {
		return errMissing("The request must contain the parameter Actions.")
	}
	if len(in.Actions) > 7 {
		return api.NewOverLimit(fmt.Sprintf("%d Actions were found, maximum allowed is 7.", len(in.Actions)))
	}
	for _, a := range in.Actions {
		switch {
		case permissionActions[a]:
		case api.Service.Operations[a] != nil:
			return errParam("Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.", a)
		default:
			return errParam("Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.", a)
		}
	}
	return nil
}

func (q *SQS) removePermission(c *server.Call, in *api.RemovePermissionRequest) (*model.Empty, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	found := false
	err = editPolicy(r, rec, func(stmts []json.RawMessage) ([]json.RawMessage, error) {
		var kept []json.RawMessage
		for _, st := range stmts {
			if sid(st) == in.Label {
				found = true
				continue
			}
			kept = append(kept, st)
		}
		return kept, nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errParam("Value %s for parameter Label is invalid. Reason: can't find label.", in.Label)
	}
	return &model.Empty{}, putQueue(c.Tx, r, rec)
}

func (q *SQS) listDeadLetterSourceQueues(c *server.Call, in *api.ListDeadLetterSourceQueuesRequest) (*api.ListDeadLetterSourceQueuesResult, error) {
	r, _, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	max := 1000
	if in.MaxResults != nil {
		max = int(*in.MaxResults)
	}
	out := &api.ListDeadLetterSourceQueuesResult{QueueUrls: []string{}}
	// Pages in name order, as ListQueues; the queues whose redrive policy names this
	// one are listed, the others passed over.
	next, err := svckit.Page(c.Tx, ns(r.Account, r.Region, tQueues), "", in.NextToken, max, errParam("Invalid NextToken value."),
		func(k string, v []byte, take bool) (bool, error) {
			rec := &queueRec{}
			if err := decode(v, rec); err != nil {
				return false, err
			}
			var rp struct {
				Target string `json:"deadLetterTargetArn"`
			}
			if json.Unmarshal([]byte(rec.Attributes["RedrivePolicy"]), &rp) != nil || rp.Target != r.arn() {
				return false, nil
			}
			if take {
				out.QueueUrls = append(out.QueueUrls, queueURL(c, queueRef{Account: r.Account, Region: r.Region, Name: k}))
			}
			return true, nil
		})
	// As ListQueues: a NextToken only when MaxResults was given.
	if in.MaxResults != nil {
		out.NextToken = next
	}
	return out, err
}
