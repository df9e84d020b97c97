package sqs

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	api "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (q *SQS) messageHandlers() []server.Handler {
	return []server.Handler{
		server.Write("SendMessage", q.sendMessage),
		server.Write("SendMessageBatch", q.sendMessageBatch),
		// ReceiveMessage changes messages' visibility, but the reference classes it as a read.
		server.Write("ReceiveMessage", q.receiveMessage).ReadOnlyEvent().Waiting(func(c *server.Call, in any) { q.waitForMessages(c, in.(*api.ReceiveMessageRequest)) }),
		server.Write("DeleteMessage", q.deleteMessage),
		server.Write("DeleteMessageBatch", q.deleteMessageBatch),
		server.Write("ChangeMessageVisibility", q.changeMessageVisibility),
		server.Write("ChangeMessageVisibilityBatch", q.changeMessageVisibilityBatch),
	}
}

// msgRec is a stored message.
type msgRec struct {
	ID           string                               `json:"id"`
	Body         string                               `json:"body"`
	Attrs        map[string]api.MessageAttributeValue `json:"attrs,omitempty"`
	TraceHeader  string                               `json:"trace,omitempty"`
	MD5Body      string                               `json:"md5"`
	Sent         int64                                `json:"sent"`
	VisibleAt    int64                                `json:"visibleAt"`
	Receives     int                                  `json:"receives"`
	FirstReceive int64                                `json:"firstReceive,omitempty"`
	SenderID     string                               `json:"sender"`
	GroupID      string                               `json:"group,omitempty"`
	DedupID      string                               `json:"dedup,omitempty"`
	Seq          string                               `json:"seq,omitempty"`
	Nonce        string                               `json:"nonce,omitempty"`
	// Received is when the latest receive handed the message out (ms): its
	// visibility timeout may not reach past 12 hours from then.
	Received int64 `json:"received,omitempty"`
	// Sealed is the body encrypted under the data key whose KMS blob is DataKey, for
	// a queue with SSE-KMS (Body is then empty); EncQueue is the queue ARN of its
	// encryption context (the queue sent to, which a dead-letter queue may not be).
	Sealed   []byte `json:"sealed,omitempty"`
	DataKey  []byte `json:"dataKey,omitempty"`
	EncQueue string `json:"encQueue,omitempty"`
	// Origin is the ARN of the queue a dead-letter queue's message was redriven out
	// of, where a message move task without a destination returns it.
	Origin string `json:"origin,omitempty"`
	// Avail is when the message entered the queue's available work, where that is
	// not Sent: a delayed send's end of delay, a dead-letter queue's arrival. The age
	// of the oldest message counts from it (recorded, 2026: sqs/queue_metrics.json,
	// "availability-time origin", "destination entry").
	Avail int64 `json:"avail,omitempty"`
	// BaseReceives are the receives a dead-letter queue's message had when it
	// arrived: its age there counts receives from then on (recorded, 2026:
	// sqs/queue_metrics.json, "Cumulative source receive count>=3 does not exclude
	// newly entered DLQ age").
	BaseReceives int `json:"baseRecv,omitempty"`
}

// origin is when the message's age in the queue starts.
func (m *msgRec) origin() int64 {
	if m.Avail != 0 {
		return m.Avail
	}
	return m.Sent
}

func (m *msgRec) key() string { return fmt.Sprintf("%016d.%s", m.VisibleAt, m.ID) }

// idNS indexes a queue's messages by ID: ID → current key.
func idNS(r queueRef) string { return store.NS("sqs", r.Account, r.Region, "message-ids", r.Name) }

func putMsg(tx *store.Tx, r queueRef, m *msgRec) error {
	if err := tx.PutJSON(msgNS(r.Account, r.Region, r.Name), m.key(), m); err != nil {
		return err
	}
	return tx.Put(idNS(r), m.ID, []byte(m.key()))
}

func deleteMsg(tx *store.Tx, r queueRef, m *msgRec) error {
	if _, err := tx.Delete(msgNS(r.Account, r.Region, r.Name), m.key()); err != nil {
		return err
	}
	_, err := tx.Delete(idNS(r), m.ID)
	return err
}

// dropMessages deletes all of a queue's messages with their ID index (PurgeQueue,
// DeleteQueue): an index entry left behind would outlive its message for good.
func dropMessages(tx *store.Tx, r queueRef) error {
	if _, err := svckit.DeletePrefix(tx, msgNS(r.Account, r.Region, r.Name), ""); err != nil {
		return err
	}
	_, err := svckit.DeletePrefix(tx, idNS(r), "")
	return err
}

// snsSender is the SenderId of messages SNS delivers.
const snsSender = "AIDAIT2UOQQY3AUEKVGXU"

var batchIDRE = svckit.Name{Max: 80, Punct: "_-"}

// validAttrName reports whether a message attribute name is one SQS takes: up to 256
// letters, digits, "_", "-" and ".", not starting with a reserved prefix ("AWS.",
// "Amazon." in any case), not starting or ending with ".", and without ".." (the SQS
// Developer Guide's rules). Letters beyond ASCII are taken, as SQS took "attr.1øßä"
// (LocalStack's AWS-validated test_send_message_with_invalid_string_attributes).
func validAttrName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 256 || !utf8.ValidString(name) {
		return false
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
		strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return false
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && ('0' <= r && r <= '9' || strings.ContainsRune("_.-", r)) || unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}

// validBody reports whether a body holds only the characters SQS allows: #x9, #xA,
// #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF.
func validBody(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

func checkMessageAttributes(attrs map[string]api.MessageAttributeValue) (int, error) {
	if len(attrs) > 10 {
		return 0, errParam("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	size := 0
	for name, a := range attrs {
		if !validAttrName(name) {
			return 0, errParam("Message (user) attribute name '%s' is invalid.", name)
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number":
			if a.StringValue == nil || *a.StringValue == "" {
				return 0, errParam("Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, base)
			}
			// A string value has the body's characters (MessageAttributeValue's
			// documentation); SQS refuses others with InvalidParameterValue.
			if !validBody(*a.StringValue) {
				return 0, errParam("Message (user) attribute '%s' value contains invalid characters.", name)
			}
			if base == "Number" {
				if !svckit.DecimalNumber(*a.StringValue) || !numberInRange(*a.StringValue) {
					return 0, errParam("Can't cast the value of message (user) attribute '%s' to a number.", name)
				}
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, errParam("Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", name)
			}
		default:
			return 0, errParam("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		size += len(name) + len(a.DataType) + len(svckit.Str(a.StringValue)) + len(a.BinaryValue)
	}
	return size, nil
}

// numberInRange reports whether a decimal number (svckit.DecimalNumber) is one a
// Number attribute may hold: "up to 38 digits of precision, and it can be between
// 10^-128 and 10^+126" (SQS Developer Guide, message attribute data types), leading
// and trailing zeros not counted. Zero is in range; a nonzero value's magnitude must
// be at least 10^-128 and below 10^126 (where exactly SQS draws the two bounds is
// inferred).
func numberInRange(s string) bool {
	digits, power, ok := svckit.DecimalParts(s)
	if digits = strings.TrimRight(digits, "0"); digits == "" {
		return true // zero, whatever its exponent
	}
	// An exponent beyond int32 is beyond any bound.
	return ok && len(digits) <= 38 && power >= -128 && power <= 125
}

// normalizeNumbers answers attrs with each Number value written as SQS keeps it:
// without a plus sign, leading zeros or trailing fractional zeros ("000123.4500"
// is received as "123.45", as SQS was recorded answering). Values with an exponent
// are kept as sent (how SQS writes them is not known).
func normalizeNumbers(attrs map[string]api.MessageAttributeValue) map[string]api.MessageAttributeValue {
	var out map[string]api.MessageAttributeValue
	for name, a := range attrs {
		base, _, _ := strings.Cut(a.DataType, ".")
		if base != "Number" || a.StringValue == nil {
			continue
		}
		n := normalDecimal(*a.StringValue)
		if n == *a.StringValue {
			continue
		}
		if out == nil {
			out = make(map[string]api.MessageAttributeValue, len(attrs))
			for k, v := range attrs {
				out[k] = v
			}
		}
		a.StringValue = &n
		out[name] = a
	}
	if out == nil {
		return attrs
	}
	return out
}

// normalDecimal writes a decimal number without exponent in its shortest form;
// other forms are answered unchanged.
func normalDecimal(s string) string {
	if strings.ContainsAny(s, "eE") {
		return s
	}
	sign := ""
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = "-", s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" {
		intPart = "0"
	}
	if intPart == "0" && frac == "" {
		sign = ""
	}
	if frac != "" {
		return sign + intPart + "." + frac
	}
	return sign + intPart
}

// md5Attributes is SQS's MD5 of message attributes: for each attribute, by name,
// the length-prefixed name and type, a transport byte (1 string, 2 binary) and the
// length-prefixed value.
func md5Attributes(attrs map[string]api.MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	h := md5.New()
	put := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range names {
		a := attrs[name]
		put([]byte(name))
		put([]byte(a.DataType))
		switch {
		case a.StringValue != nil:
			h.Write([]byte{1})
			put([]byte(*a.StringValue))
		case a.BinaryValue != nil:
			h.Write([]byte{2})
			put(a.BinaryValue)
		case len(a.StringListValues) > 0:
			h.Write([]byte{3})
			for _, s := range a.StringListValues {
				put([]byte(s))
			}
		case len(a.BinaryListValues) > 0:
			h.Write([]byte{4})
			for _, b := range a.BinaryListValues {
				put(b)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sendSpec is one message to send.
type sendSpec struct {
	body    string
	attrs   map[string]api.MessageAttributeValue
	trace   string
	delay   *int32
	groupID *string
	dedupID *string
	sender  string
	key     *dataKey // SSE-KMS: the key the body is encrypted with
}

// sent is what a send reports.
type sent struct {
	id, md5Body, md5Attrs, md5Sys, seq string
	size                               int  // body and attributes, for SentMessageSize
	duplicate                          bool // a FIFO send deduplicated
}

// dedupRec remembers a FIFO message for five minutes of deduplication.
type dedupRec struct {
	ID  string `json:"id"`
	Seq string `json:"seq"`
	At  int64  `json:"at"`
}

const dedupWindow = 5 * time.Minute

// atKey is a time-index entry of a queue's expiring records (deduplication records,
// receive attempts), scoped to the queue (svckit.ExpiryKey).
func atKey(queue string, at int64, key string) string { return svckit.ExpiryKey(queue+"\x00", at, key) }

// expireOld drops up to two of a queue's records older than window (ms), oldest first
// (svckit.ExpireOld): recs holds them by recKey of the key the index names.
func expireOld(tx *store.Tx, r queueRef, recs, index string, recKey func(string) string, window, now int64) error {
	return svckit.ExpireOld(tx, ns(r.Account, r.Region, recs), ns(r.Account, r.Region, index), r.Name+"\x00", recKey, window, now)
}

// sequence readies m (with its group and deduplication IDs) for the FIFO queue r:
// unless r holds a deduplication record of m's deduplication ID from the last five
// minutes, m takes r's next sequence number and r records it for deduplication. A
// duplicate answers the record it matches, and m is not to be enqueued. Sends, the
// move of a message to a FIFO dead-letter queue and a move task's redrive all go
// through it: AWS was recorded deduplicating later sends to the messages the latter
// two enqueue (radkawar/stackd testdata/aws/sqs/fifo_redrive.json).
func sequence(tx *store.Tx, r queueRef, rec *queueRec, m *msgRec, now int64) (*dedupRec, error) {
	dk := r.Name + "\x00" + m.DedupID
	if rec.Attributes["DeduplicationScope"] == "messageGroup" {
		dk += "\x00" + m.GroupID
	}
	var prior dedupRec
	found, err := tx.GetJSON(ns(r.Account, r.Region, tDedup), dk, &prior)
	if err != nil {
		return nil, err
	}
	if found && now-prior.At < dedupWindow.Milliseconds() {
		return &prior, nil
	}
	rec.Seq++
	m.Seq = fmt.Sprintf("%020d", rec.Seq)
	if err := putQueue(tx, r, rec); err != nil {
		return nil, err
	}
	if err := tx.PutJSON(ns(r.Account, r.Region, tDedup), dk, dedupRec{ID: m.ID, Seq: m.Seq, At: now}); err != nil {
		return nil, err
	}
	if err := tx.Put(ns(r.Account, r.Region, tDedupAt), atKey(r.Name, now, dk), nil); err != nil {
		return nil, err
	}
	return nil, expireOld(tx, r, tDedup, tDedupAt, func(k string) string { return k }, dedupWindow.Milliseconds(), now)
}

// send validates and enqueues one message.
func (q *SQS) send(tx *store.Tx, r queueRef, rec *queueRec, sp sendSpec, now time.Time) (*sent, error) {
	if sp.body == "" {
		return nil, errMissing("The request must contain the parameter MessageBody.")
	}
	if !validBody(sp.body) {
		return nil, api.NewInvalidMessageContents("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	size, err := checkMessageAttributes(sp.attrs)
	if err != nil {
		return nil, err
	}
	if max := intAttr(rec, "MaximumMessageSize"); len(sp.body)+size > max {
		return nil, errParam("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max)
	}
	fifo := rec.Attributes["FifoQueue"] == "true"
	delay := intAttr(rec, "DelaySeconds")
	if sp.delay != nil {
		// A FIFO queue takes DelaySeconds 0 (as SQS was recorded answering) and no
		// other value.
		if fifo && *sp.delay != 0 {
			return nil, errParam("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *sp.delay)
		}
		if *sp.delay < 0 || *sp.delay > 900 {
			return nil, errParam("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *sp.delay)
		}
		delay = int(*sp.delay)
	}
	// SendMessage's MD5 is of the attributes as sent; the message keeps its Number
	// values normalized, so a receive answers (and hashes) those.
	m := &msgRec{ID: auth.NewUUID(), Body: sp.body, Attrs: normalizeNumbers(sp.attrs), TraceHeader: sp.trace, MD5Body: md5Hex(sp.body),
		Sent: now.UnixMilli(), SenderID: sp.sender}
	m.VisibleAt = m.Sent + int64(delay)*1000
	if delay > 0 {
		m.Avail = m.VisibleAt
	}
	if err := m.seal(sp.key); err != nil {
		return nil, err
	}
	out := &sent{id: m.ID, md5Body: m.MD5Body, md5Attrs: md5Attributes(sp.attrs), size: sentSize(sp.body, sp.attrs, sp.trace)}
	if sp.trace != "" {
		out.md5Sys = md5Attributes(map[string]api.MessageAttributeValue{"AWSTraceHeader": {DataType: "String", StringValue: &sp.trace}})
	}
	if fifo {
		if sp.groupID == nil || *sp.groupID == "" {
			return nil, errMissing("The request must contain the parameter MessageGroupId.")
		}
		if err := checkMessageID("MessageGroupId", *sp.groupID); err != nil {
			return nil, err
		}
		m.GroupID = *sp.groupID
		switch {
		case sp.dedupID != nil:
			if err := checkMessageID("MessageDeduplicationId", *sp.dedupID); err != nil {
				return nil, err
			}
			m.DedupID = *sp.dedupID
		case rec.Attributes["ContentBasedDeduplication"] == "true":
			sum := sha256.Sum256([]byte(sp.body))
			m.DedupID = hex.EncodeToString(sum[:])
		default:
			return nil, errParam("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		prior, err := sequence(tx, r, rec, m, now.UnixMilli())
		if err != nil {
			return nil, err
		}
		if prior != nil {
			// A duplicate within five minutes is accepted and not enqueued.
			out.id, out.seq, out.duplicate = prior.ID, prior.Seq, true
			return out, nil
		}
		out.seq = m.Seq
	} else if sp.dedupID != nil {
		return nil, errParam("Value for parameter MessageGroupId or MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.")
	} else if sp.groupID != nil {
		// A standard queue takes a group ID too (fair queues: SendMessage's API
		// reference); it orders nothing and holds nothing back.
		if err := checkMessageID("MessageGroupId", *sp.groupID); err != nil {
			return nil, err
		}
		m.GroupID = *sp.groupID
	}
	if err := putMsg(tx, r, m); err != nil {
		return nil, err
	}
	tx.AfterCommit(func() { q.notify(r) })
	return out, nil
}

// checkMessageID checks a MessageGroupId or MessageDeduplicationId: 1 to 128
// alphanumeric or punctuation characters (SendMessage's API reference), refused with
// the wording users recorded SQS answering.
func checkMessageID(param, v string) error {
	ok := len(v) >= 1 && len(v) <= 128
	for i := 0; ok && i < len(v); i++ {
		ok = v[i] >= 0x21 && v[i] <= 0x7e
	}
	if !ok {
		return errParam("Value %s for parameter %s is invalid. Reason: %s can only include alphanumeric and punctuation characters. 1 to 128 in length.", v, param, param)
	}
	return nil
}

func traceHeader(sys map[string]api.MessageSystemAttributeValue) (string, error) {
	for k, v := range sys {
		if k != "AWSTraceHeader" || v.DataType != "String" || v.StringValue == nil {
			return "", errParam("Message system attribute name '%s' is invalid.", k)
		}
		return *v.StringValue, nil
	}
	return "", nil
}

func (q *SQS) sendMessage(c *server.Call, in *api.SendMessageRequest) (*api.SendMessageResult, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	trace, err := traceHeader(in.MessageSystemAttributes)
	if err != nil {
		return nil, err
	}
	key, err := q.sendKey(c, r, rec)
	if err != nil {
		return nil, err
	}
	s, err := q.send(c.Tx, r, rec, sendSpec{body: in.MessageBody, attrs: in.MessageAttributes, trace: trace, delay: in.DelaySeconds,
		groupID: in.MessageGroupId, dedupID: in.MessageDeduplicationId, sender: c.Principal.UserID, key: key}, c.Now)
	if err != nil {
		return nil, err
	}
	// A FIFO duplicate, accepted and not enqueued, counts as sent (recorded, 2026:
	// sqs/metrics.json, fifo-send-accepted-duplicate).
	q.sample(c.Tx, r, c.Now, "NumberOfMessagesSent", 1)
	q.sample(c.Tx, r, c.Now, "SentMessageSize", float64(s.size))
	if rec.Attributes["FifoQueue"] == "true" {
		q.sample(c.Tx, r, c.Now, "NumberOfDeduplicatedSentMessages", b2f(s.duplicate))
	}
	return &api.SendMessageResult{MessageId: &s.id, MD5OfMessageBody: &s.md5Body, MD5OfMessageAttributes: optional(s.md5Attrs),
		MD5OfMessageSystemAttributes: optional(s.md5Sys), SequenceNumber: optional(s.seq)}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// maxBatchSize is the most a SendMessageBatch may carry in all, in bytes.
const maxBatchSize = 1 << 20

// checkBatch applies the batch rules: 1 to 10 entries, distinct, well-formed IDs.
func checkBatch(ids []string, entry string) error {
	if len(ids) == 0 {
		return api.NewEmptyBatchRequest("There should be at least one " + entry + " in the request.")
	}
	if len(ids) > 10 {
		return api.NewTooManyEntriesInBatchRequest("Maximum number of entries per request are 10. You have sent " + strconv.Itoa(len(ids)) + ".")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchIDRE.MatchString(id) {
			return api.NewInvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return api.NewBatchEntryIdsNotDistinct("Id " + id + " repeated.")
		}
		seen[id] = true
	}
	return nil
}

// batchError turns an entry's failure into a BatchResultErrorEntry.
func batchError(id string, err error) api.BatchResultErrorEntry {
	e := api.BatchResultErrorEntry{Id: id, SenderFault: true, Code: "InternalError", Message: svckit.Ptr(err.Error())}
	if me, ok := err.(*model.Error); ok {
		e.Code, e.Message, e.SenderFault = me.Code, svckit.Ptr(me.Message), me.Sender
	}
	return e
}

func (q *SQS) sendMessageBatch(c *server.Call, in *api.SendMessageBatchRequest) (*api.SendMessageBatchResult, error) {
	r, rec, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	fifo := rec.Attributes["FifoQueue"] == "true"
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += len(e.MessageBody)
		if n, err := checkMessageAttributes(e.MessageAttributes); err == nil {
			total += n // the batch's size counts attributes, as each message's does
		}
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		q.refusedBatchSizes(r, c.Now, in.Entries)
		return nil, err
	}
	if fifo {
		// A FIFO entry without its group (or deduplication) ID fails the whole batch,
		// as SQS answers, not the entry alone.
		for _, e := range in.Entries {
			var err error
			switch {
			case e.MessageGroupId == nil || *e.MessageGroupId == "":
				err = errParam("The request must contain the parameter MessageGroupId.")
			case e.MessageDeduplicationId == nil && rec.Attributes["ContentBasedDeduplication"] != "true":
				err = errParam("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			case e.DelaySeconds != nil && *e.DelaySeconds != 0:
				err = errParam("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *e.DelaySeconds)
			}
			if err != nil {
				q.refusedBatchSizes(r, c.Now, in.Entries)
				return nil, err
			}
		}
	}
	// The batch's total is limited to 1 MiB whatever the queue's MaximumMessageSize,
	// which limits each message (SendMessageBatch's API reference: "The maximum
	// allowed individual message size and the maximum total payload size … are both
	// 1 MiB").
	if total > maxBatchSize {
		return nil, api.NewBatchRequestTooLong(fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchSize, total))
	}
	key, err := q.sendKey(c, r, rec)
	if err != nil {
		return nil, err
	}
	out := &api.SendMessageBatchResult{Successful: []api.SendMessageBatchResultEntry{}, Failed: []api.BatchResultErrorEntry{}}
	dups := 0
	for _, e := range in.Entries {
		trace, err := traceHeader(e.MessageSystemAttributes)
		var s *sent
		if err == nil {
			s, err = q.send(c.Tx, r, rec, sendSpec{body: e.MessageBody, attrs: e.MessageAttributes, trace: trace, delay: e.DelaySeconds,
				groupID: e.MessageGroupId, dedupID: e.MessageDeduplicationId, sender: c.Principal.UserID, key: key}, c.Now)
		}
		if err != nil {
			out.Failed = append(out.Failed, batchError(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, api.SendMessageBatchResultEntry{Id: e.Id, MessageId: s.id, MD5OfMessageBody: s.md5Body,
			MD5OfMessageAttributes: optional(s.md5Attrs), MD5OfMessageSystemAttributes: optional(s.md5Sys), SequenceNumber: optional(s.seq)})
		q.sample(c.Tx, r, c.Now, "SentMessageSize", float64(s.size))
		if s.duplicate {
			dups++
		}
	}
	// A FIFO send is one sample of its duplicates, 0 included (recorded, 2026:
	// sqs/request_metrics.json, request_histograms).
	if fifo {
		q.sample(c.Tx, r, c.Now, "NumberOfDeduplicatedSentMessages", float64(dups))
	}
	// A batch is one sample of its successful entries (recorded, 2026:
	// sqs/metrics.json, batch: SampleCount 2, Minimum 1, Maximum 5), 0 when every
	// entry failed (sqs/request_metrics.json, zero_success_send_batch).
	q.sample(c.Tx, r, c.Now, "NumberOfMessagesSent", float64(len(out.Successful)))
	return out, nil
}

// ServiceMessage is a message another service sends to a queue as its service
// principal, on behalf of a source resource (SNS and its topic).
type ServiceMessage struct {
	Service string // e.g. sns.amazonaws.com
	// AlsoAs are other service principal names the sender is known by for this
	// message: a queue policy naming any of them applies to it.
	AlsoAs        []string
	QueueARN      string
	SourceARN     string
	SourceAccount string
	Body          string
	Attributes    map[string]api.MessageAttributeValue
	// GroupID and DedupID are required by FIFO queues (a FIFO topic's message).
	GroupID, DedupID string
	Now              time.Time
}

// SendFromService enqueues a service's message in tx, if the queue's policy allows
// the service principal sqs:SendMessage with the message's aws:SourceArn and
// aws:SourceAccount; it returns the message ID.
func (q *SQS) SendFromService(tx *store.Tx, m ServiceMessage) (string, error) {
	r, ok := parseQueueARN(m.QueueARN)
	if !ok {
		return "", errNoQueue(nil)
	}
	rec, err := mustQueue(nil, tx, r)
	if err != nil {
		return "", err
	}
	if err := q.authorizeService(tx, m.Service, m.AlsoAs, r, rec, m.SourceARN, m.SourceAccount, m.Now); err != nil {
		return "", err
	}
	sp := sendSpec{body: m.Body, attrs: m.Attributes, sender: snsSender}
	if rec.Attributes["KmsMasterKeyId"] != "" {
		c, err := q.serviceCall(tx, m.Service, r, m.Now)
		if err != nil {
			return "", err
		}
		if sp.key, err = q.sendKey(c, r, rec); err != nil {
			return "", err
		}
	}
	if m.GroupID != "" {
		sp.groupID = &m.GroupID
	}
	if m.DedupID != "" {
		sp.dedupID = &m.DedupID
	}
	s, err := q.send(tx, r, rec, sp, m.Now)
	if err != nil {
		return "", err
	}
	q.sample(tx, r, m.Now, "NumberOfMessagesSent", 1)
	q.sample(tx, r, m.Now, "SentMessageSize", float64(s.size))
	if rec.Attributes["FifoQueue"] == "true" {
		q.sample(tx, r, m.Now, "NumberOfDeduplicatedSentMessages", b2f(s.duplicate))
	}
	return s.id, nil
}

// receipt is a receipt handle's content: the message and the receive it came from.
type receipt struct {
	// Queue is the ARN of the queue that issued the handle (its name in handles
	// issued before the ARN was kept).
	Queue string `json:"q"`
	ID    string `json:"m"`
	Nonce string `json:"n"`
}

func (rc receipt) handle() string {
	b, _ := json.Marshal(rc)
	return base64.StdEncoding.EncodeToString(b)
}

func parseReceipt(h string) (receipt, error) {
	var rc receipt
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil || json.Unmarshal(b, &rc) != nil || rc.ID == "" || rc.Nonce == "" {
		return rc, api.NewReceiptHandleIsInvalid("The input receipt handle \"" + h + "\" is not a valid receipt handle.")
	}
	return rc, nil
}

// receiptFor reads a receipt handle given for queue r. A handle another queue issued
// is ReceiptHandleIsInvalid "The receipt handle "H" is not valid for this queue.",
// as SQS answers (aws/aws-sdk-java-v2#3101 records the wording).
func receiptFor(r queueRef, h string) (receipt, error) {
	rc, err := parseReceipt(h)
	if err == nil && rc.Queue != r.arn() && rc.Queue != r.Name {
		err = api.NewReceiptHandleIsInvalid("The receipt handle \"" + h + "\" is not valid for this queue.")
	}
	return rc, err
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// byHandle finds the message a receipt handle names; nil when it is gone or was
// received again since (a newer handle exists).
func byHandle(tx *store.Tx, r queueRef, rc receipt) (*msgRec, error) {
	key, ok, err := tx.Get(idNS(r), rc.ID)
	if err != nil || !ok {
		return nil, err
	}
	m := &msgRec{}
	ok, err = tx.GetJSON(msgNS(r.Account, r.Region, r.Name), string(key), m)
	if err != nil || !ok || m.Nonce != rc.Nonce {
		return nil, err
	}
	return m, nil
}

func (q *SQS) deleteMessage(c *server.Call, in *api.DeleteMessageRequest) (*model.Empty, error) {
	r, _, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := q.deleteByHandle(c, r, in.ReceiptHandle); err != nil {
		return nil, err
	}
	// A repeated delete of the same handle succeeds and counts (recorded, 2026:
	// sqs/metrics.json, "Deleted includes duplicate successful deletes").
	q.sample(c.Tx, r, c.Now, "NumberOfMessagesDeleted", 1)
	return &model.Empty{}, nil
}

// deleteByHandle deletes a received message. A handle of a message already deleted,
// or received again since, succeeds without deleting (AWS: "the request succeeds, but
// the message will not be deleted").
func (q *SQS) deleteByHandle(c *server.Call, r queueRef, h string) error {
	rc, err := receiptFor(r, h)
	if err != nil {
		return err
	}
	m, err := byHandle(c.Tx, r, rc)
	if err != nil || m == nil {
		return err
	}
	if strings.HasSuffix(r.Name, ".fifo") && m.VisibleAt <= c.Now.UnixMilli() {
		// A FIFO queue's handle ends with its visibility timeout (a standard queue's
		// still deletes).
		return errParam("%s", "Value "+h+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")
	}
	if m.GroupID != "" {
		// The message's group may have more to deliver now: wake the long polls.
		c.Tx.AfterCommit(func() { q.notify(r) })
	}
	return deleteMsg(c.Tx, r, m)
}

func (q *SQS) deleteMessageBatch(c *server.Call, in *api.DeleteMessageBatchRequest) (*api.DeleteMessageBatchResult, error) {
	r, _, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	done, failed, err := eachEntry(in.Entries, "DeleteMessageBatchRequestEntry",
		func(e api.DeleteMessageBatchRequestEntry) string { return e.Id },
		func(e api.DeleteMessageBatchRequestEntry) error {
			if _, err := parseReceipt(e.ReceiptHandle); err != nil {
				// A batch entry's malformed handle is answered without quoting it,
				// as SQS was recorded answering.
				return api.NewReceiptHandleIsInvalid("The input receipt handle is invalid.")
			}
			return q.deleteByHandle(c, r, e.ReceiptHandle)
		})
	if err != nil {
		return nil, err
	}
	// 0 when every entry failed (recorded, 2026: sqs/request_metrics.json,
	// request_histograms).
	q.sample(c.Tx, r, c.Now, "NumberOfMessagesDeleted", float64(len(done)))
	out := &api.DeleteMessageBatchResult{Successful: []api.DeleteMessageBatchResultEntry{}, Failed: failed}
	for _, id := range done {
		out.Successful = append(out.Successful, api.DeleteMessageBatchResultEntry{Id: id})
	}
	return out, nil
}

// eachEntry checks a batch's entry IDs, then applies do to each entry; it returns the IDs
// that succeeded and the failures as batch error entries.
func eachEntry[E any](entries []E, entry string, id func(E) string, do func(E) error) ([]string, []api.BatchResultErrorEntry, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = id(e)
	}
	if err := checkBatch(ids, entry); err != nil {
		return nil, nil, err
	}
	done, failed := []string{}, []api.BatchResultErrorEntry{}
	for i, e := range entries {
		if err := do(e); err != nil {
			failed = append(failed, batchError(ids[i], err))
			continue
		}
		done = append(done, ids[i])
	}
	return done, failed, nil
}

// maxVisibility is the longest a message stays in flight after a receive, in seconds.
const maxVisibility = 43200

// changeVisibility sets an in-flight message's visibility timeout from now.
func (q *SQS) changeVisibility(c *server.Call, r queueRef, h string, timeout int32) error {
	if timeout < 0 || timeout > 43200 {
		return errParam("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", timeout)
	}
	rc, err := receiptFor(r, h)
	if err != nil {
		return err
	}
	m, err := byHandle(c.Tx, r, rc)
	if err != nil {
		return err
	}
	if m == nil || m.VisibleAt <= c.Now.UnixMilli() {
		return errParam("%s", "Value "+h+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.")
	}
	if m.Received > 0 && c.Now.UnixMilli()+int64(timeout)*1000 > m.Received+maxVisibility*1000 {
		// "If you attempt to set the VisibilityTimeout to a value greater than the
		// maximum time left, Amazon SQS returns an error" (ChangeMessageVisibility's
		// API reference): 12 hours from the receive. The wording is AWS's as users
		// recorded it (localstack#3956).
		return errParam("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [%d seconds]", timeout, maxVisibility)
	}
	if err := deleteMsg(c.Tx, r, m); err != nil {
		return err
	}
	m.VisibleAt = c.Now.UnixMilli() + int64(timeout)*1000
	if err := putMsg(c.Tx, r, m); err != nil {
		return err
	}
	if timeout == 0 {
		c.Tx.AfterCommit(func() { q.notify(r) })
	}
	return nil
}

func (q *SQS) changeMessageVisibility(c *server.Call, in *api.ChangeMessageVisibilityRequest) (*model.Empty, error) {
	r, _, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, q.changeVisibility(c, r, in.ReceiptHandle, in.VisibilityTimeout)
}

func (q *SQS) changeMessageVisibilityBatch(c *server.Call, in *api.ChangeMessageVisibilityBatchRequest) (*api.ChangeMessageVisibilityBatchResult, error) {
	r, _, err := q.queueOf(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	done, failed, err := eachEntry(in.Entries, "ChangeMessageVisibilityBatchRequestEntry",
		func(e api.ChangeMessageVisibilityBatchRequestEntry) string { return e.Id },
		func(e api.ChangeMessageVisibilityBatchRequestEntry) error {
			timeout := int32(0)
			if e.VisibilityTimeout != nil {
				timeout = *e.VisibilityTimeout
			}
			return q.changeVisibility(c, r, e.ReceiptHandle, timeout)
		})
	if err != nil {
		return nil, err
	}
	out := &api.ChangeMessageVisibilityBatchResult{Successful: []api.ChangeMessageVisibilityBatchResultEntry{}, Failed: failed}
	for _, id := range done {
		out.Successful = append(out.Successful, api.ChangeMessageVisibilityBatchResultEntry{Id: id})
	}
	return out, nil
}
