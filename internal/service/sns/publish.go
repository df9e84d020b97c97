package sns

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	api "github.com/palisade/palisade/internal/api/sns"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (s *SNS) publishHandlers() []server.Handler {
	return []server.Handler{
		server.Write("Publish", s.publish),
		server.Write("PublishBatch", s.publishBatch),
	}
}

// attribute is a message attribute.
type attribute struct {
	DataType    string `json:"t"`
	StringValue string `json:"s,omitempty"`
	BinaryValue []byte `json:"b,omitempty"`
}

// Limits (SNS quotas): 256 KiB per message including attributes, 10 attributes.
const (
	maxMessageBytes = 262_144
	maxAttributes   = 10
)

// checkAttributes validates message attributes as SNS does and returns them with
// their size in bytes. SNS answers a bad name, type or value with
// ParameterValueInvalid and its own wording (errAttr).
func checkAttributes(in map[string]api.MessageAttributeValue) (map[string]attribute, int, error) {
	if len(in) > maxAttributes {
		return nil, 0, errParam("Invalid parameter: Number of message attributes [" + strconv.Itoa(len(in)) + "] exceeds the allowed maximum [10].")
	}
	out := map[string]attribute{}
	size := 0
	for name, v := range in {
		if err := checkAttributeName(name); err != nil {
			return nil, 0, err
		}
		base, custom, dotted := strings.Cut(v.DataType, ".")
		if dotted && custom == "" {
			base = "" // "String." names no type
		}
		switch base {
		case "String", "Number":
			if v.StringValue == nil && len(v.BinaryValue) > 0 {
				return nil, 0, errAttr("The message attribute '" + name + "' with type '" + base + "' must use field 'String'.")
			}
			if v.StringValue == nil || *v.StringValue == "" {
				return nil, 0, errAttr("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + base + "'.")
			}
			if base == "Number" {
				if err := checkNumber(name, *v.StringValue); err != nil {
					return nil, 0, err
				}
			} else if !basicPlane(*v.StringValue) {
				// SNS refuses characters beyond the Basic Multilingual Plane in a
				// String value (recorded for an emoji), where SQS takes them.
				return nil, 0, errParam("Invalid parameter: Invalid attribute value was passed in for message attribute " + name)
			}
			// A String.Array value that is not a JSON array is published all the
			// same; filter policies reject the message (invalidForFilter).
		case "Binary":
			if len(v.BinaryValue) == 0 && v.StringValue != nil {
				return nil, 0, errAttr("The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.")
			}
			if len(v.BinaryValue) == 0 {
				return nil, 0, errAttr("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type 'Binary'.")
			}
		default:
			return nil, 0, errAttr("The message attribute '" + name + "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
		}
		a := attribute{DataType: v.DataType, StringValue: svckit.Str(v.StringValue), BinaryValue: v.BinaryValue}
		out[name] = a
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return out, size, nil
}

// checkNumber applies SNS's rules for a Number attribute's value, as recorded
// against AWS in 2026: a decimal number (Java's BigDecimal syntax: "5." and ".5"
// are numbers, "NaN" is not) of at most 38 significant digits (trailing zeros
// count, leading zeros do not), whose leading digit stands for a power of ten from
// -128 to 125; zero is judged by its exponent too ("0e126" is refused). Which fault
// SNS names when a value has both is inferred.
func checkNumber(name, v string) error {
	if !svckit.DecimalNumber(v) {
		return errAttr("Could not cast message attribute '" + name + "' value to number.")
	}
	digits, power, ok := svckit.DecimalParts(v)
	if len(digits) > 38 {
		return errAttr("Message attribute '" + name + "' number value [" + v + "] must have less than 38 precision digits.")
	}
	if !ok {
		// Beyond an int exponent, which BigDecimal cannot read.
		return errAttr("Could not cast message attribute '" + name + "' value to number.")
	}
	if power < -128 || power > 125 {
		return errAttr("Message attribute '" + name + "' number value [" + v + "] scale must be 10^-128 and 10^126.")
	}
	return nil
}

// basicPlane reports whether s has no character beyond U+FFFF.
func basicPlane(s string) bool {
	for _, r := range s {
		if r > 0xFFFF {
			return false
		}
	}
	return true
}

// utf16Len is s's length in UTF-16 code units, as SNS (Java) counts a Subject.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// errAttr is SNS's answer to a bad message attribute.
func errAttr(msg string) error { return api.NewInvalidParameterValueException(msg) }

// checkAttributeName applies SNS's rules for message attribute names, with its
// message for each.
func checkAttributeName(name string) error {
	switch {
	case len(name) > 256:
		return errAttr("Length of message attribute name must be less than 256 bytes.")
	case name == "":
		return errParam("Invalid parameter: MessageAttributes Reason: Invalid message attribute name " + name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return errAttr(fmt.Sprintf("Invalid non-alphanumeric character '#x%X' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.", r))
		}
	}
	switch lower := strings.ToLower(name); {
	case strings.HasPrefix(name, "."):
		return errAttr("Invalid message attribute name starting with character '.' was found.")
	case strings.HasSuffix(name, "."):
		return errAttr("Invalid message attribute name ending with character '.' was found.")
	case strings.Contains(name, ".."):
		return errAttr("Message attribute name can not have successive '.' character.")
	case strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon."):
		// Reserved prefixes; wording inferred.
		return errParam("Invalid parameter: MessageAttributes Reason: Invalid message attribute name " + name)
	}
	return nil
}

// message is one published message, before it fans out.
type message struct {
	id        string
	topic     topicRef
	subject   string
	body      string            // the default message
	perProto  map[string]string // MessageStructure json
	attrs     map[string]attribute
	timestamp time.Time
	seq       string
	groupID   string // a FIFO topic's group, or a standard topic's for fair queues
	fifo      bool   // published to a FIFO topic: sequence numbers
	version   string // SignatureVersion, "1" or "2"
	dedupID   string
	key       *topicKey // an encrypted topic's data key
	// topicAttrs are the topic's attributes as published to: its feedback roles.
	topicAttrs map[string]string
}

func (m *message) text(protocol string) string {
	if v, ok := m.perProto[protocol]; ok {
		return v
	}
	return m.body
}

// prepare validates a Publish (or PublishBatch entry) and builds the message.
func prepare(t topicRef, topic *topicRec, body string, subject, structure, groupID, dedupID *string, attrs map[string]api.MessageAttributeValue, now time.Time) (*message, error) {
	if body == "" {
		return nil, entryError{errParam("Invalid parameter: Empty message")}
	}
	if !utf8.ValidString(body) {
		return nil, errParam("Invalid parameter: Message")
	}
	m := &message{id: auth.NewUUID(), topic: t, body: body, subject: svckit.Str(subject), timestamp: now.UTC().Truncate(time.Millisecond), version: "1",
		topicAttrs: topic.Attributes}
	if topic.Attributes["SignatureVersion"] == "2" {
		m.version = "2"
	}
	if subject != nil {
		// At most 100 UTF-16 units, any script (recorded); control characters are
		// refused (recorded for a newline, inferred for the others).
		if *subject == "" || utf16Len(*subject) > 100 || strings.ContainsFunc(*subject, unicode.IsControl) {
			return nil, entryError{errParam("Invalid parameter: Subject")}
		}
	}
	a, size, err := checkAttributes(attrs)
	if err != nil {
		return nil, err
	}
	if len(body)+size > maxMessageBytes {
		return nil, errParam("Invalid parameter: Message too long")
	}
	m.attrs = a
	if svckit.Str(structure) == "json" {
		var parsed map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &parsed); err != nil {
			return nil, errParam("Invalid parameter: Message Structure - JSON message body failed to parse")
		}
		def, ok := scalarText(parsed["default"])
		if !ok {
			return nil, errParam("Invalid parameter: Message Structure - No default entry in JSON message body")
		}
		m.body = def
		m.perProto = map[string]string{}
		for k, v := range parsed {
			if s, ok := scalarText(v); ok && k != "default" {
				m.perProto[k] = s
			}
		}
	} else if structure != nil {
		return nil, errParam("Invalid parameter: MessageStructure")
	}
	fifo := topic.Attributes["FifoTopic"] == "true"
	if !fifo && dedupID != nil {
		return nil, errParam("Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
	}
	if !fifo && groupID != nil {
		// A standard topic takes a group ID for SQS standard subscriptions (fair
		// queues), checked as a FIFO topic's is (Publish's API reference).
		if !messageID(*groupID) {
			return nil, entryError{errParam("Invalid parameter: The MessageGroupId parameter can only include alphanumeric and punctuation characters. 1 to 128 in length")}
		}
		m.groupID = *groupID
	}
	if fifo {
		if groupID == nil || *groupID == "" {
			return nil, errParam("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
		}
		if !messageID(*groupID) {
			return nil, errParam("Invalid parameter: The MessageGroupId parameter can only include alphanumeric and punctuation characters. 1 to 128 in length")
		}
		if dedupID != nil && !messageID(*dedupID) {
			return nil, errParam("Invalid parameter: The MessageDeduplicationId parameter can only include alphanumeric and punctuation characters. 1 to 128 in length")
		}
		if dedupID == nil && topic.Attributes["ContentBasedDeduplication"] != "true" {
			return nil, errParam("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		m.groupID = *groupID
		m.fifo = true
		if dedupID != nil {
			m.dedupID = *dedupID
		} else {
			sum := sha256.Sum256([]byte(body))
			m.dedupID = hex.EncodeToString(sum[:])
		}
	}
	return m, nil
}

// entryError is a fault PublishBatch reports in the entry's Failed result on a
// standard topic (an empty message, a bad Subject or MessageGroupId, as recorded),
// where other faults, and any fault on a FIFO topic, fail the whole call.
type entryError struct{ error }

// unwrapEntry is the error an entryError answers a call with.
func unwrapEntry(err error) error {
	if ee, ok := err.(entryError); ok {
		return ee.error
	}
	return err
}

// scalarText is the text SNS delivers for a MessageStructure json entry: a string
// as it is, a number, boolean or null as its JSON text ({"default": 17} delivers
// "17", {"default": null} "null", as recorded); an object or an array is no entry.
func scalarText(v json.RawMessage) (string, bool) {
	if len(v) == 0 || v[0] == '{' || v[0] == '[' {
		return "", false
	}
	var s string
	if v[0] == '"' && json.Unmarshal(v, &s) == nil {
		return s, true
	}
	return string(v), true
}

// messageID reports whether v is a valid MessageGroupId or MessageDeduplicationId:
// 1 to 128 alphanumeric or punctuation characters (Publish's API reference), refused
// in SNS's recorded wording.
func messageID(v string) bool {
	if len(v) < 1 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// batchEntryID reports whether id is a valid PublishBatch entry Id: up to 80
// alphanumeric characters, hyphens and underscores (PublishBatchRequestEntry's API
// reference).
func batchEntryID(id string) bool {
	if len(id) < 1 || len(id) > 80 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (s *SNS) publish(c *server.Call, in *api.PublishInput) (*api.PublishResponse, error) {
	arn := svckit.Str(in.TopicArn)
	param := "TopicArn"
	if arn == "" {
		arn, param = svckit.Str(in.TargetArn), "TargetArn"
	}
	if arn == "" {
		if in.PhoneNumber != nil {
			// Wording inferred: Palisade sends no SMS.
			return nil, errParam("Invalid parameter: PhoneNumber Reason: SMS delivery is not supported by Palisade")
		}
		return nil, errParam("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
	}
	t, err := parseTopicARN(arn, param)
	if err != nil {
		return nil, err
	}
	topic, err := mustTopic(c.Tx, t)
	if err != nil {
		return nil, err
	}
	m, err := prepare(t, topic, in.Message, in.Subject, in.MessageStructure, in.MessageGroupId, in.MessageDeduplicationId, in.MessageAttributes, c.Now)
	if err != nil {
		return nil, unwrapEntry(err)
	}
	if m.key, err = s.checkKey(c, t, topic, "", ""); err != nil {
		return nil, err
	}
	out := &api.PublishResponse{MessageId: svckit.Ptr(m.id)}
	dup := false
	if m.fifo {
		if dup, err = deduplicate(c.Tx, t, topic, m, c.Now); err != nil {
			return nil, err
		}
		out.MessageId, out.SequenceNumber = svckit.Ptr(m.id), svckit.Ptr(m.seq)
	}
	// A FIFO duplicate, accepted and not delivered, counts as published as a
	// batch's does (inferred: as SQS counts its accepted duplicates as sent).
	s.sample(c.Tx, t, c.Now, "NumberOfMessagesPublished", 1)
	s.sample(c.Tx, t, c.Now, "PublishSize", float64(m.size(in.Message)))
	if dup {
		return out, nil
	}
	if m.fifo {
		if err := putTopic(c.Tx, t, topic); err != nil {
			return nil, err
		}
	}
	return out, s.fanout(c.Tx, m)
}

// dedupWindow is how long a FIFO topic remembers a deduplication ID (SNS Developer
// Guide, message deduplication for FIFO topics).
const dedupWindow = 5 * time.Minute

// dedupRec is what a FIFO topic remembers of a message it accepted.
type dedupRec struct {
	ID  string `json:"id"`
	Seq string `json:"seq"`
	At  int64  `json:"at"`
}

// deduplicate gives a FIFO topic's message its sequence number, or, when the topic
// accepted a message with its deduplication ID in the last five minutes, that
// message's ID and sequence number: SNS answers a duplicate so and delivers nothing
// (recorded, a duplicate of a message no subscription's filter took included). The
// IDs are the topic's, or each message group's when FifoThroughputScope is
// MessageGroup (recorded).
func deduplicate(tx *store.Tx, t topicRef, topic *topicRec, m *message, now time.Time) (bool, error) {
	scope := ""
	if topic.Attributes["FifoThroughputScope"] == "MessageGroup" {
		scope = m.groupID
	}
	// The topic's creation time keeps a topic created again under its name apart.
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s", t.Name, topic.Created.UnixNano(), scope, m.dedupID)
	var prior dedupRec
	found, err := tx.GetJSON(ns(t.Account, t.Region, tDedup), key, &prior)
	if err != nil {
		return false, err
	}
	if found && now.UnixMilli()-prior.At < dedupWindow.Milliseconds() {
		m.id, m.seq = prior.ID, prior.Seq
		return true, nil
	}
	topic.Seq++
	m.seq = fmt.Sprintf("%020d", topic.Seq)
	at := now.UnixMilli()
	if err := tx.PutJSON(ns(t.Account, t.Region, tDedup), key, dedupRec{ID: m.id, Seq: m.seq, At: at}); err != nil {
		return false, err
	}
	if err := tx.Put(ns(t.Account, t.Region, tDedupAt), svckit.ExpiryKey("", at, key), nil); err != nil {
		return false, err
	}
	return false, expireDedup(tx, t, at)
}

// expireDedup drops up to two of the Region's deduplication records older than the
// window (svckit.ExpireOld), deleted topics' included.
func expireDedup(tx *store.Tx, t topicRef, now int64) error {
	return svckit.ExpireOld(tx, ns(t.Account, t.Region, tDedup), ns(t.Account, t.Region, tDedupAt), "",
		func(k string) string { return k }, dedupWindow.Milliseconds(), now)
}

func (s *SNS) publishBatch(c *server.Call, in *api.PublishBatchInput) (*api.PublishBatchResponse, error) {
	t, topic, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	if len(in.PublishBatchRequestEntries) == 0 {
		return nil, api.NewEmptyBatchRequestException("The batch request doesn't contain any entries")
	}
	if len(in.PublishBatchRequestEntries) > 10 {
		return nil, api.NewTooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.")
	}
	seen := map[string]bool{}
	total := 0
	for _, e := range in.PublishBatchRequestEntries {
		if seen[e.Id] {
			return nil, api.NewBatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.")
		}
		seen[e.Id] = true
		if !batchEntryID(e.Id) {
			// SNS's wording inferred: the error's description in SNS's model.
			return nil, api.NewInvalidBatchEntryIdException("The Id of a batch entry in a batch request doesn't abide by the specification.")
		}
		total += len(e.Message)
		for name, a := range e.MessageAttributes {
			total += len(name) + len(a.DataType) + len(svckit.Str(a.StringValue)) + len(a.BinaryValue)
		}
	}
	if total > maxMessageBytes {
		return nil, api.NewBatchRequestTooLongException("The length of all the messages put together is more than the limit.")
	}
	key, err := s.checkKey(c, t, topic, "", "")
	if err != nil {
		return nil, err
	}
	// An entry SNS would not publish fails the whole call, as SNS answers (nothing of
	// the batch is published).
	msgs := make([]*message, len(in.PublishBatchRequestEntries))
	failed := make([]error, len(in.PublishBatchRequestEntries))
	fifo := topic.Attributes["FifoTopic"] == "true"
	for i, e := range in.PublishBatchRequestEntries {
		if msgs[i], err = prepare(t, topic, e.Message, e.Subject, e.MessageStructure, e.MessageGroupId, e.MessageDeduplicationId, e.MessageAttributes, c.Now); err != nil {
			var ee entryError
			if fifo || !errors.As(err, &ee) {
				return nil, unwrapEntry(err)
			}
			failed[i] = ee.error
		}
	}
	out := &api.PublishBatchResponse{Successful: []api.PublishBatchResultEntry{}, Failed: []api.BatchResultErrorEntry{}}
	size := 0
	for i, e := range in.PublishBatchRequestEntries {
		if failed[i] != nil {
			var me *model.Error
			errors.As(failed[i], &me)
			out.Failed = append(out.Failed, api.BatchResultErrorEntry{Id: e.Id, Code: me.Code, Message: svckit.Ptr(me.Message), SenderFault: true})
			continue
		}
		m := msgs[i]
		m.key = key
		dup := false
		if m.fifo {
			if dup, err = deduplicate(c.Tx, t, topic, m, c.Now); err != nil {
				return nil, err
			}
		}
		r := api.PublishBatchResultEntry{Id: svckit.Ptr(e.Id), MessageId: svckit.Ptr(m.id)}
		if m.fifo {
			r.SequenceNumber = svckit.Ptr(m.seq)
		}
		if !dup {
			if err := s.fanout(c.Tx, m); err != nil {
				return nil, err
			}
		}
		size += m.size(e.Message)
		out.Successful = append(out.Successful, r)
	}
	// A batch is one sample of its published entries and one of their size (recorded,
	// 2026: sns/metrics.json, 12:09: a batch of two is Published SampleCount 1, Sum 2,
	// and one PublishSize sample; metric_outcomes.json: a batch refused whole reports
	// nothing).
	if len(out.Successful) > 0 {
		s.sample(c.Tx, t, c.Now, "NumberOfMessagesPublished", float64(len(out.Successful)))
		s.sample(c.Tx, t, c.Now, "PublishSize", float64(size))
	}
	return out, putTopic(c.Tx, t, topic)
}

// Notification is a message another service publishes to a topic, as its service
// principal (CloudWatch's alarm actions, CloudTrail's log-file notifications).
type Notification struct {
	Service  string // the service principal, e.g. cloudwatch.amazonaws.com
	TopicARN string
	Subject  string
	Message  string
	// Structured says Message is a MessageStructure json message: per-protocol
	// texts under a default, as a Publish with MessageStructure=json sends.
	Structured    bool
	SourceAccount string
	SourceARN     string
	// SourceOwner, when set, is the aws:SourceOwner the service sends (CloudWatch
	// does, for the topic owner's alarms: the default topic policy admits it);
	// CloudTrail sends none, so its topics need a statement for it.
	SourceOwner string
	Now         time.Time
}

// CheckPublishAsService reports whether a service may publish n to its topic: nil, or
// why not (NotFound, AuthorizationError), as PublishAsService would answer.
func (s *SNS) CheckPublishAsService(tx *store.Tx, n Notification) error {
	_, _, err := s.servicePublishTarget(tx, n)
	return err
}

// servicePublishTarget finds n's topic and checks that its policy allows the service
// principal sns:Publish.
func (s *SNS) servicePublishTarget(tx *store.Tx, n Notification) (topicRef, *topicRec, error) {
	t, err := parseTopicARN(n.TopicARN, "TopicArn")
	if err != nil {
		return t, nil, err
	}
	topic, err := mustTopic(tx, t)
	if err != nil {
		return t, nil, err
	}
	if s.d.Authz != nil {
		pol, err := s.compilePolicy(t, topic.Attributes["Policy"])
		if err != nil {
			return t, nil, err
		}
		ctx := map[string][]string{"aws:SourceAccount": {n.SourceAccount}, "aws:SourceArn": {n.SourceARN}}
		if n.SourceOwner != "" {
			ctx["aws:SourceOwner"] = []string{n.SourceOwner}
		}
		caller := &authz.Caller{Principal: auth.Principal{Type: auth.AWSService, ARN: n.Service}, Region: t.Region, Now: n.Now}
		d, err := s.d.Authz.Decide(tx, caller, &authz.Check{Action: "SNS:Publish", Resource: t.ARN, ResourceAccount: t.Account, ResourcePolicy: pol, Context: ctx})
		if err != nil {
			return t, nil, err
		}
		if !d.Allowed() {
			return t, nil, api.NewAuthorizationErrorException(deniedMessage(d))
		}
	}
	return t, topic, nil
}

// PublishAsService publishes a service's message to a topic in tx, if the topic's
// policy allows the service principal sns:Publish (the default policy does for
// services acting for the topic's owner, aws:SourceOwner). It returns the message ID;
// the error says why nothing was published.
func (s *SNS) PublishAsService(tx *store.Tx, n Notification) (string, error) {
	t, topic, err := s.servicePublishTarget(tx, n)
	if err != nil {
		return "", err
	}
	var subject *string
	if n.Subject != "" {
		subject = &n.Subject
		if len(n.Subject) > 100 {
			subject = svckit.Ptr(n.Subject[:100])
		}
	}
	var structure *string
	if n.Structured {
		structure = svckit.Ptr("json")
	}
	m, err := prepare(t, topic, n.Message, subject, structure, nil, nil, nil, n.Now)
	if err != nil {
		return "", err
	}
	if topic.Attributes["KmsMasterKeyId"] != "" {
		c, err := s.serviceCall(tx, n.Service, t, n.Now, n.SourceARN, n.SourceAccount)
		if err != nil {
			return "", err
		}
		if m.key, err = s.checkKey(c, t, topic, n.SourceARN, n.SourceAccount); err != nil {
			return "", err
		}
	}
	s.sample(tx, t, n.Now, "NumberOfMessagesPublished", 1)
	s.sample(tx, t, n.Now, "PublishSize", float64(m.size(n.Message)))
	return m.id, s.fanout(tx, m)
}

// fanout delivers a message to the topic's confirmed subscriptions whose filter
// policies it passes: SQS at once (in tx), the others through the outbox.
func (s *SNS) fanout(tx *store.Tx, m *message) error {
	subs, err := topicSubs(tx, m.topic)
	if err != nil {
		return err
	}
	queued := false
	for _, sub := range subs {
		if !sub.Confirmed || sub.Deleted {
			continue
		}
		if !passesFilter(sub, m) {
			s.sample(tx, m.topic, m.timestamp, "NumberOfNotificationsFailed", 0)
			for _, name := range filterMetrics(sub, m) {
				s.sample(tx, m.topic, m.timestamp, name, 1)
			}
			continue
		}
		raw := sub.Attributes["RawMessageDelivery"] == "true"
		text := m.text(sub.Protocol)
		switch sub.Protocol {
		case "sqs":
			body := text
			var attrs map[string]QueueAttribute
			if raw {
				attrs = queueAttributes(m.attrs)
			} else if body, err = s.envelope(tx, m, sub, text); err != nil {
				return err
			}
			// A FIFO topic delivers to standard queues too (best-effort order, at least
			// once), without its deduplication ID or message group: a standard queue
			// reports no MessageGroupId for it (recorded, 2026: regional_sqs.json
			// fifo-to-standard-receive-1), where a standard topic's group reaches it
			// (fair queues).
			var queueID string
			send := func(queue string) error {
				dedup, group := m.dedupID, m.groupID
				if !strings.HasSuffix(queue, ".fifo") {
					dedup = ""
					if m.fifo {
						group = ""
					}
				}
				return tx.Savepoint(func() error {
					if s.d.Queues == nil {
						return fmt.Errorf("SQS is not available")
					}
					var err error
					queueID, err = s.d.Queues.SendFromTopic(tx, QueueMessage{QueueARN: queue, TopicARN: m.topic.ARN, Body: body, Attributes: attrs,
						GroupID: group, DedupID: dedup})
					return err
				})
			}
			err := send(sub.Endpoint)
			if s.d.Logs != nil && (m.topicAttrs["SQSSuccessFeedbackRoleArn"] != "" || m.topicAttrs["SQSFailureFeedbackRoleArn"] != "") {
				// SQS's status log has no attempts: SNS does not retry a queue
				// (recorded, 2026: feedback_sampling.json, managed_feedback.json).
				response, code := sqsResponse(queueID, err)
				s.logAttempt(tx, m.topicAttrs, &attemptLog{topic: m.topic, protocol: "sqs", messageID: m.id, md5: md5Hex(text), published: m.timestamp,
					redrive: sub.Attributes["RedrivePolicy"], destination: sub.Endpoint, response: response, statusCode: code, success: err == nil},
					s.d.Clock.Now())
			}
			if err == nil {
				s.sample(tx, m.topic, m.timestamp, "NumberOfNotificationsDelivered", 1)
			}
			s.sample(tx, m.topic, m.timestamp, "NumberOfNotificationsFailed", b2f(err != nil))
			if err != nil {
				// A message the queue refuses (its policy, a missing queue) is a
				// client-side failure SNS does not retry: it goes, as it would have
				// been delivered, to the subscription's dead-letter queue when it has
				// one (recorded), and is dropped otherwise. The publisher's call
				// succeeds either way.
				s.d.Logger.Warn("sns: delivery to SQS failed", "subscription", sub.arn(m.topic.Region, m.topic.Account), "err", err)
				if dlq := deadLetterTarget(sub); dlq != "" {
					err := send(dlq)
					// Both counted, the other as 0 (recorded, 2026:
					// sns/metric_outcomes.json, redrive: RedrivenToDlq 1,
					// FailedToRedriveToDlq 0 with SampleCount 1).
					s.sample(tx, m.topic, m.timestamp, "NumberOfNotificationsRedrivenToDlq", b2f(err == nil))
					s.sample(tx, m.topic, m.timestamp, "NumberOfNotificationsFailedToRedriveToDlq", b2f(err != nil))
					if err != nil {
						s.d.Logger.Warn("sns: delivery to the dead-letter queue failed", "subscription", sub.arn(m.topic.Region, m.topic.Account), "err", err)
					}
				}
			}
		case "http", "https", "email", "email-json":
			d := &delivery{Account: m.topic.Account, Region: m.topic.Region, Sub: sub.ID, Topic: m.topic.Name, Protocol: sub.Protocol,
				Endpoint: sub.Endpoint, Kind: "Notification", MessageID: m.id, Subject: m.subject, Due: m.timestamp.UnixMilli(),
				Sent: m.timestamp.UnixMilli()}
			if prefix := feedbackProtocol(sub.Protocol); prefix != "" && (m.topicAttrs[prefix+"SuccessFeedbackRoleArn"] != "" || m.topicAttrs[prefix+"FailureFeedbackRoleArn"] != "") {
				// Kept only for a topic that logs: the outbox holds an encrypted
				// topic's message sealed, and its digest need not sit beside it
				// otherwise. A role set after the publication logs the message
				// without messageMD5Sum (inferred).
				d.MD5 = md5Hex(text)
			}
			switch {
			case sub.Protocol == "email":
				d.Body = text
			case raw:
				d.Body, d.Raw = text, true
			default:
				if d.Body, err = s.envelope(tx, m, sub, text); err != nil {
					return err
				}
			}
			if err := s.seal(d, m.key, m.topic.ARN); err != nil {
				return err
			}
			if err := enqueue(tx, d); err != nil {
				return err
			}
			queued = true
		default:
			s.d.Logger.Info("sns: protocol not delivered by Palisade", "protocol", sub.Protocol, "subscription", sub.arn(m.topic.Region, m.topic.Account))
		}
	}
	if queued {
		tx.AfterCommit(s.wakeDelivery)
	}
	return nil
}

// deadLetterTarget is the queue ARN a subscription's RedrivePolicy names, or "".
func deadLetterTarget(sub *subRec) string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if json.Unmarshal([]byte(sub.Attributes["RedrivePolicy"]), &p) != nil {
		return ""
	}
	return p.DeadLetterTargetArn
}

func passesFilter(sub *subRec, m *message) bool {
	src := sub.Attributes["FilterPolicy"]
	if src == "" {
		return true
	}
	body := sub.Attributes["FilterPolicyScope"] == "MessageBody"
	p, err := parseFilterPolicy(src, body)
	if err != nil {
		return false
	}
	if !body {
		return !invalidForFilter(m.attrs) && p.matchAttributes(m.attrs)
	}
	doc, err := parseBody(m.text(sub.Protocol))
	return err == nil && p.matchBody(doc)
}

// jsonNumber is a number as JSON (and SNS's filtering, reading attributes as Jackson
// does by default) writes it: no leading or trailing point, no leading zeros or plus.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// invalidForFilter reports whether an attribute-scope filter policy rejects m's
// attributes whatever it asks for: SNS publishes a String.Array value that is not a
// JSON array and a Number such as ".5", but filtering reads the attributes as JSON,
// so every attribute-scope subscription filters the message out, counted as
// NumberOfNotificationsFilteredOut-InvalidAttributes (recorded, 2026:
// metric_filter_attributes.json: ".5" against {"numeric":["=",0.5]}, "not-json"
// against ["allow"], and an unreferenced "not-json" beside a matching attribute).
// Number forms other than ".5" that JSON does not take (leading zeros, "5.", "+1")
// are inferred to fail alike.
func invalidForFilter(attrs map[string]attribute) bool {
	for _, a := range attrs {
		switch base, _, _ := strings.Cut(a.DataType, "."); {
		case a.DataType == "String.Array":
			var list []any
			if json.Unmarshal([]byte(a.StringValue), &list) != nil {
				return true
			}
		case base == "Number":
			if !jsonNumber.MatchString(a.StringValue) {
				return true
			}
		}
	}
	return false
}

func queueAttributes(attrs map[string]attribute) map[string]QueueAttribute {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]QueueAttribute, len(attrs))
	for k, a := range attrs {
		out[k] = QueueAttribute(a)
	}
	return out
}

// envelope is the signed JSON document SNS delivers when raw delivery is off, laid
// out as AWS lays it out ("key" : value, two-space indent).
func (s *SNS) envelope(tx *store.Tx, m *message, sub *subRec, text string) (string, error) {
	ts := m.timestamp.Format("2006-01-02T15:04:05.000Z")
	base := sub.Base
	pairs := [][2]string{{"Type", "Notification"}, {"MessageId", m.id}}
	// A FIFO topic's notification of a MessageStructure json message carries no
	// sequence number (recorded, to FIFO and standard queues alike).
	if m.seq != "" && m.perProto == nil {
		pairs = append(pairs, [2]string{"SequenceNumber", m.seq})
	}
	pairs = append(pairs, [2]string{"TopicArn", m.topic.ARN})
	if m.subject != "" {
		pairs = append(pairs, [2]string{"Subject", m.subject})
	}
	pairs = append(pairs, [][2]string{{"Message", text}, {"Timestamp", ts}}...)
	// A FIFO topic's notifications are not signed: no SignatureVersion, Signature or
	// SigningCertURL (recorded for every message a FIFO topic delivered to SQS).
	if !m.fifo {
		if err := s.signer.wait(); err != nil {
			return "", err
		}
		if err := s.signer.persist(tx); err != nil {
			return "", err
		}
		fields := map[string]string{"Type": "Notification", "MessageId": m.id, "TopicArn": m.topic.ARN, "Message": text, "Timestamp": ts}
		if m.subject != "" {
			fields["Subject"] = m.subject
		}
		sig, err := s.signer.sign(m.version, stringToSign(fields))
		if err != nil {
			return "", err
		}
		pairs = append(pairs, [][2]string{{"SignatureVersion", m.version}, {"Signature", sig}, {"SigningCertURL", s.signer.certURL(base)}}...)
	}
	pairs = append(pairs, [2]string{"UnsubscribeURL", base + "/?Action=Unsubscribe&SubscriptionArn=" + sub.arn(m.topic.Region, m.topic.Account)})
	return layout(pairs, m.attrs), nil
}

func layout(pairs [][2]string, attrs map[string]attribute) string {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, p := range pairs {
		fmt.Fprintf(&b, "  %s : %s", jsonString(p[0]), jsonString(p[1]))
		if i < len(pairs)-1 || len(attrs) > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	if len(attrs) > 0 {
		b.WriteString("  \"MessageAttributes\" : {\n")
		names := attrOrder(attrs)
		for i, k := range names {
			a := attrs[k]
			v := a.StringValue
			if strings.HasPrefix(a.DataType, "Binary") {
				v = base64.StdEncoding.EncodeToString(a.BinaryValue)
			}
			fmt.Fprintf(&b, "    %s : {\"Type\":%s,\"Value\":%s}", jsonString(k), jsonString(a.DataType), jsonString(v))
			if i < len(names)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}")
	return b.String()
}

// attrOrder is the order SNS writes a notification's MessageAttributes in: a Java
// HashMap's of 16 buckets, by the bucket of the name's String hash, not by name
// (recorded, 2026: sns/regional_sqs.json, ProbeCase before Count; real envelopes in
// public fixtures follow the same rule, e.g. service, module, customerId, action).
// Names sharing a bucket, which Java keeps in the order sent, are sorted (inferred:
// Palisade does not keep the request's order).
func attrOrder(attrs map[string]attribute) []string {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	bucket := func(name string) uint32 {
		var h uint32
		for _, c := range utf16.Encode([]rune(name)) {
			h = 31*h + uint32(c)
		}
		return (h ^ h>>16) & 15
	}
	sort.Slice(names, func(i, j int) bool {
		bi, bj := bucket(names[i]), bucket(names[j])
		if bi != bj {
			return bi < bj
		}
		return names[i] < names[j]
	})
	return names
}

// jsonString is s as a JSON string, as SNS writes its messages: a character beyond
// the Basic Multilingual Plane as its UTF-16 surrogate pair escaped ("\uD83D\uDE00",
// as recorded in a notification's Subject), others as they are.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	if basicPlane(out) {
		return out
	}
	var esc strings.Builder
	for _, r := range out {
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&esc, "\\u%04X\\u%04X", hi, lo)
			continue
		}
		esc.WriteRune(r)
	}
	return esc.String()
}

// confirmationMessage is what SNS writes in a SubscriptionConfirmation.
func confirmationMessage(t topicRef) string {
	return "You have chosen to subscribe to the topic " + t.ARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
}

// subscribeURL is the SubscribeURL of a confirmation: the topic ARN is not
// percent-encoded, as in AWS's messages ("HTTP/HTTPS subscription confirmation JSON
// format").
func subscribeURL(base, token string, t topicRef) string {
	return base + "/?Action=ConfirmSubscription&TopicArn=" + t.ARN + "&Token=" + token
}

// Kinds of messages SNS sends endpoints besides notifications.
const (
	kindSubscriptionConfirmation = "SubscriptionConfirmation"
	kindUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// confirmationBody is the signed JSON document of a SubscriptionConfirmation or an
// UnsubscribeConfirmation, laid out as AWS lays it out.
func (s *SNS) confirmationBody(tx *store.Tx, kind string, t topicRef, topic *topicRec, id, token, msg, base string, now time.Time) (string, error) {
	if err := s.signer.wait(); err != nil {
		return "", err
	}
	if err := s.signer.persist(tx); err != nil {
		return "", err
	}
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z")
	fields := map[string]string{"Type": kind, "MessageId": id, "Token": token, "TopicArn": t.ARN,
		"Message": msg, "SubscribeURL": subscribeURL(base, token, t), "Timestamp": ts}
	version := "1"
	if topic != nil && topic.Attributes["SignatureVersion"] == "2" {
		version = "2"
	}
	sig, err := s.signer.sign(version, stringToSign(fields))
	if err != nil {
		return "", err
	}
	return layout([][2]string{{"Type", kind}, {"MessageId", id}, {"Token", token}, {"TopicArn", t.ARN},
		{"Message", msg}, {"SubscribeURL", fields["SubscribeURL"]}, {"Timestamp", ts}, {"SignatureVersion", version},
		{"Signature", sig}, {"SigningCertURL", s.signer.certURL(base)}}, nil), nil
}

// sendConfirmation queues the SubscriptionConfirmation of an HTTP/HTTPS or email
// subscription.
func (s *SNS) sendConfirmation(tx *store.Tx, t topicRef, topic *topicRec, sub *subRec, now time.Time) error {
	d := &delivery{Account: t.Account, Region: t.Region, Sub: sub.ID, Topic: t.Name, Protocol: sub.Protocol, Endpoint: sub.Endpoint,
		Kind: kindSubscriptionConfirmation, MessageID: auth.NewUUID(), Due: now.UnixMilli(),
		Subject: "AWS Notification - Subscription Confirmation"}
	switch sub.Protocol {
	case "sqs":
		body, err := s.confirmationBody(tx, kindSubscriptionConfirmation, t, topic, d.MessageID, sub.Token, confirmationMessage(t), sub.Base, now)
		if err != nil {
			return err
		}
		s.toQueue(tx, t, sub, body, d.MessageID)
		return nil
	case "email":
		d.Body = "You have chosen to subscribe to the topic:\n" + t.ARN + "\n\nTo confirm this subscription, call ConfirmSubscription with the topic ARN and this token (for example aws sns confirm-subscription --topic-arn " +
			t.ARN + " --token " + sub.Token + "), or send a signed request to:\n" + subscribeURL(sub.Base, sub.Token, t) + "\n"
	default:
		var err error
		if d.Body, err = s.confirmationBody(tx, kindSubscriptionConfirmation, t, topic, d.MessageID, sub.Token, confirmationMessage(t), sub.Base, now); err != nil {
			return err
		}
	}
	if err := enqueue(tx, d); err != nil {
		return err
	}
	tx.AfterCommit(s.wakeDelivery)
	return nil
}

// sendUnsubscribeConfirmation queues the UnsubscribeConfirmation SNS sends an
// HTTP/HTTPS endpoint once it is unsubscribed ("HTTP/HTTPS unsubscribe confirmation
// JSON format"), with a new token that restores the subscription (confirmSubscription
// finds it in tUnsubscribed). base is the endpoint the Unsubscribe call reached.
func (s *SNS) sendUnsubscribeConfirmation(tx *store.Tx, t topicRef, topic *topicRec, sub *subRec, base string, now time.Time) error {
	gone := *sub
	gone.PriorAuth = sub.authenticated()
	gone.Token = newToken()
	if err := tx.PutJSON(ns(t.Account, t.Region, tUnsubscribed), gone.Token, &gone); err != nil {
		return err
	}
	d := &delivery{Account: t.Account, Region: t.Region, Sub: sub.ID, Topic: t.Name, Protocol: sub.Protocol, Endpoint: sub.Endpoint,
		Kind: kindUnsubscribeConfirmation, MessageID: auth.NewUUID(), Due: now.UnixMilli()}
	msg := "You have chosen to deactivate subscription " + sub.arn(t.Region, t.Account) +
		".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
	var err error
	if d.Body, err = s.confirmationBody(tx, kindUnsubscribeConfirmation, t, topic, d.MessageID, gone.Token, msg, base, now); err != nil {
		return err
	}
	if sub.Protocol == "sqs" {
		s.toQueue(tx, t, sub, d.Body, d.MessageID)
		return nil
	}
	if err := enqueue(tx, d); err != nil {
		return err
	}
	tx.AfterCommit(s.wakeDelivery)
	return nil
}

// toQueue sends a SubscriptionConfirmation or UnsubscribeConfirmation to a
// subscription's queue, as SNS sends its notifications (the queue's policy must let
// the topic send). A FIFO queue takes it in the message group "Subscription",
// deduplicated by the message's ID (recorded, 2026: cross_account_confirmation.json
// fifo-owner-true-confirmation-receive-0). A queue that refuses it is logged, and the
// subscription stays as it is.
func (s *SNS) toQueue(tx *store.Tx, t topicRef, sub *subRec, body, id string) {
	m := QueueMessage{QueueARN: sub.Endpoint, TopicARN: t.ARN, Body: body}
	if strings.HasSuffix(sub.Endpoint, ".fifo") {
		m.GroupID, m.DedupID = "Subscription", id
	}
	err := tx.Savepoint(func() error {
		if s.d.Queues == nil {
			return fmt.Errorf("SQS is not available")
		}
		_, err := s.d.Queues.SendFromTopic(tx, m)
		return err
	})
	if err != nil {
		s.d.Logger.Warn("sns: confirmation to SQS failed", "subscription", sub.arn(t.Region, t.Account), "err", err)
	}
}
