package sns

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	api "github.com/palisade/palisade/internal/api/sns"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/svckit"
)

func (s *SNS) topicHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateTopic", s.createTopic),
		server.Write("DeleteTopic", s.deleteTopic),
		server.Read("GetTopicAttributes", s.getTopicAttributes),
		server.Write("SetTopicAttributes", s.setTopicAttributes),
		server.Read("ListTopics", s.listTopics),
		server.Write("AddPermission", s.addPermission),
		server.Write("RemovePermission", s.removePermission),
		server.Write("TagResource", s.tagResource),
		server.Write("UntagResource", s.untagResource),
		server.Read("ListTagsForResource", s.listTagsForResource),
	}
}

var topicNameRE = svckit.Name{Max: 256, Punct: "_-"}

// settableTopicAttributes are the attributes CreateTopic and SetTopicAttributes take.
var settableTopicAttributes = map[string]bool{
	"DeliveryPolicy": true, "DisplayName": true, "FifoTopic": true, "Policy": true, "SignatureVersion": true,
	"TracingConfig": true, "KmsMasterKeyId": true, "ContentBasedDeduplication": true, "ArchivePolicy": true,
	"FifoThroughputScope": true, "DataProtectionPolicy": true,
}

// Delivery-status logging attributes, <Endpoint>SuccessFeedbackRoleArn,
// <Endpoint>SuccessFeedbackSampleRate and <Endpoint>FailureFeedbackRoleArn for each
// endpoint kind CreateTopic's and SetTopicAttributes' API reference lists: taken and
// kept as given (Palisade writes no delivery-status logs).
func init() {
	for _, e := range []string{"HTTP", "Firehose", "Lambda", "Application", "SQS"} {
		for _, a := range []string{"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"} {
			settableTopicAttributes[e+a] = true
		}
	}
}

const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// actionsInScope reports whether every action a topic policy's statements name is
// one of SNS's, without wildcards: SNS refuses "*", "sns:*" and "SNS:*" as out of its
// service scope (recorded); another service's action is refused alike (inferred).
func actionsInScope(doc string) bool {
	var d struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &d) != nil {
		return true
	}
	var stmts []struct{ Action any }
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one struct{ Action any }
		if json.Unmarshal(d.Statement, &one) != nil {
			return true
		}
		stmts = append(stmts, one)
	}
	for _, st := range stmts {
		actions := []any{st.Action}
		if list, ok := st.Action.([]any); ok {
			actions = list
		}
		for _, a := range actions {
			s, ok := a.(string)
			if !ok {
				continue
			}
			service, _, _ := strings.Cut(s, ":")
			if !strings.EqualFold(service, "sns") || strings.ContainsAny(s, "*?") {
				return false
			}
		}
	}
	return true
}

// fifoOnly refuses to set a FIFO topic's attribute on a standard topic, as SNS does
// (recorded for SetTopicAttributes).
func fifoOnly(name string, fifo bool) error {
	switch name {
	case "FifoTopic", "ContentBasedDeduplication", "FifoThroughputScope":
		if !fifo {
			return errParam("Invalid parameter: AttributeName")
		}
	}
	return nil
}

// storedTopicAttribute is a checked attribute's value as the topic keeps it: a
// boolean in lower case, as SNS keeps RawMessageDelivery; a policy without the
// whitespace it was written with, its members in their order (recorded).
func storedTopicAttribute(name, value string) string {
	switch name {
	case "ContentBasedDeduplication", "FifoTopic":
		return strings.ToLower(value)
	case "Policy":
		var b bytes.Buffer
		if json.Compact(&b, []byte(value)) == nil {
			return b.String()
		}
	}
	return value
}

// checkTopicAttribute validates one attribute's value.
func (s *SNS) checkTopicAttribute(c *server.Call, t topicRef, name, value string) error {
	if !settableTopicAttributes[name] {
		return errParam("Invalid parameter: AttributeName")
	}
	switch name {
	case "Policy":
		if !json.Valid([]byte(value)) {
			// SNS's answer to a document that does not parse (recorded).
			return errParam("Invalid parameter: Policy Error: null")
		}
		if _, err := policy.Parse(policy.KindResource, t.ARN, []byte(value)); err != nil {
			return errParam("Invalid parameter: Policy Error: " + err.Error())
		}
		if !actionsInScope(value) {
			return errParam("Invalid parameter: Policy statement action out of service scope!")
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return errParam("Invalid parameter: SignatureVersion")
		}
	case "DeliveryPolicy":
		if _, err := parseDeliveryPolicy(value); err != nil {
			return errParam("Invalid parameter: DeliveryPolicy: " + err.Error())
		}
	case "FifoTopic":
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			// Recorded, 2026: fifo_projection.json, create-flag-garbage and create-flag-empty.
			return errParam("Invalid parameter: Attributes Reason: FifoTopic: Invalid value [" + value + "]. Must be true or false.")
		}
	case "TracingConfig":
		// Exactly as spelled (recorded, 2026: tracing.json: "Passive", "active",
		// "PASSIVE", "" and "Invalid" refused; PassThrough is the API reference's other
		// value).
		if value != "Active" && value != "PassThrough" {
			return errParam("Invalid parameter: Invalid tracing config value: " + value)
		}
	case "FifoThroughputScope":
		if value != "Topic" && value != "MessageGroup" {
			return errParam("Invalid parameter: Invalid FifoThroughputScope: " + value)
		}
	case "HTTPSuccessFeedbackSampleRate", "FirehoseSuccessFeedbackSampleRate", "LambdaSuccessFeedbackSampleRate",
		"ApplicationSuccessFeedbackSampleRate", "SQSSuccessFeedbackSampleRate":
		// As Java's Integer.parseInt reads it, 0 to 100 (recorded, 2026:
		// managed_feedback.json: 0 and 100 taken; 101, 1.5 and "" refused).
		if n, err := strconv.Atoi(value); err != nil || n < 0 || n > 100 {
			if value != "" {
				value += " "
			}
			return errParam("Invalid parameter: " + name + ": " + value + "value provided is not an integer between 0-100")
		}
	case "HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn", "FirehoseSuccessFeedbackRoleArn", "FirehoseFailureFeedbackRoleArn",
		"LambdaSuccessFeedbackRoleArn", "LambdaFailureFeedbackRoleArn", "ApplicationSuccessFeedbackRoleArn", "ApplicationFailureFeedbackRoleArn",
		"SQSSuccessFeedbackRoleArn", "SQSFailureFeedbackRoleArn":
		if value != "" && !s.mayLogAs(c, t, value) {
			// Recorded, 2026: managed_feedback.json, "not-an-arn" and a role that
			// trusts lambda.amazonaws.com only.
			return errParam("Invalid parameter: " + name + ": " + value + " is not a valid role to allow SNS to write to Cloudwatch Logs")
		}
	case "ContentBasedDeduplication":
		// Either word in any case (recorded: "FALSE" is taken).
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			return errParam("Invalid parameter: ContentBasedDeduplication: Invalid value [" + value + "]. Must be true or false.")
		}
	}
	return nil
}

// mayLogAs reports whether SNS could act as a delivery-status logging role: an IAM
// role of the topic's account (another account's is inferred to be refused) whose
// trust policy lets sns.amazonaws.com assume it, with the topic as aws:SourceArn and
// its account as aws:SourceAccount (inferred). Without Roles any role ARN is taken.
func (s *SNS) mayLogAs(c *server.Call, t topicRef, role string) bool {
	if _, _, ok := roleARN(role); !ok {
		return false
	}
	if s.d.Roles == nil || s.d.Authz == nil {
		return true
	}
	_, err := s.feedbackRole(c.Tx, t, role, c.Now)
	return err == nil
}

func (s *SNS) createTopic(c *server.Call, in *api.CreateTopicInput) (*api.CreateTopicResponse, error) {
	t := topicRef{ARN: topicARN(c.Region, c.Account, in.Name), Region: c.Region, Account: c.Account, Name: in.Name}
	fifo := strings.EqualFold(in.Attributes["FifoTopic"], "true")
	base, isFifoName := strings.CutSuffix(in.Name, ".fifo")
	// A .fifo name without FifoTopic true, or FifoTopic true without the suffix, is
	// refused as a bad name (recorded).
	if !topicNameRE.MatchString(base) || len(in.Name) > 256 || fifo != isFifoName {
		return nil, errParam("Invalid parameter: Topic Name")
	}
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		if err := s.checkTopicAttribute(c, t, k, v); err != nil {
			return nil, err
		}
		attrs[k] = storedTopicAttribute(k, v)
	}
	if in.DataProtectionPolicy != nil {
		attrs["DataProtectionPolicy"] = *in.DataProtectionPolicy
	}
	if len(in.Tags) > maxTags {
		return nil, api.NewTagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	existing, err := loadTopic(c.Tx, t)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		// CreateTopic is idempotent for the same attributes.
		for k, v := range attrs {
			if existing.Attributes[k] != v {
				return nil, errParam("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
			}
		}
		// Tags given again must be tags the topic has; it may have more.
		for _, tag := range in.Tags {
			if !slices.Contains(existing.Tags, tag) {
				return nil, errParam("Invalid parameter: Tags Reason: Topic already exists with different tags")
			}
		}
		return &api.CreateTopicResponse{TopicArn: svckit.Ptr(t.ARN)}, nil
	}
	if _, ok := attrs["Policy"]; !ok {
		attrs["Policy"] = defaultPolicy(t)
	}
	rec := &topicRec{Name: in.Name, Attributes: attrs, Tags: in.Tags, Created: c.Now}
	return &api.CreateTopicResponse{TopicArn: svckit.Ptr(t.ARN)}, putTopic(c.Tx, t, rec)
}

const maxTags = 50

// checkTagKeys refuses a request that names a tag key twice, as SNS does.
func checkTagKeys(tags []api.Tag) error {
	for i := range tags {
		for j := range i {
			if tags[j].Key == tags[i].Key {
				return errParam("Invalid parameter: Duplicated keys are not allowed.")
			}
		}
	}
	return nil
}

func (s *SNS) deleteTopic(c *server.Call, in *api.DeleteTopicInput) (*model.Empty, error) {
	t, err := parseTopicARN(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	// Deleting a topic that does not exist is not an error.
	subs, err := topicSubsAll(c.Tx, t)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if err := deleteSub(c, t, sub); err != nil {
			return nil, err
		}
	}
	_, err = c.Tx.Delete(ns(t.Account, t.Region, tTopics), t.Name)
	return &model.Empty{}, err
}

func (s *SNS) getTopicAttributes(c *server.Call, in *api.GetTopicAttributesInput) (*api.GetTopicAttributesResponse, error) {
	t, rec, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	subs, err := topicSubs(c.Tx, t)
	if err != nil {
		return nil, err
	}
	pending, confirmed, deleted := 0, 0, 0
	for _, sub := range subs {
		switch {
		case sub.Deleted:
			deleted++
		case sub.Confirmed:
			confirmed++
		default:
			pending++
		}
	}
	out := map[string]string{
		"TopicArn": t.ARN, "Owner": t.Account, "DisplayName": "", "SubscriptionsPending": strconv.Itoa(pending),
		"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsDeleted": strconv.Itoa(deleted), "EffectiveDeliveryPolicy": defaultDeliveryPolicy,
	}
	if rec.Attributes["FifoTopic"] == "true" {
		out["ContentBasedDeduplication"] = "false" // a FIFO topic reports it even unset
	}
	for k, v := range rec.Attributes {
		out[k] = v
	}
	if p, ok := rec.Attributes["DeliveryPolicy"]; ok {
		out["EffectiveDeliveryPolicy"] = p
	}
	return &api.GetTopicAttributesResponse{Attributes: out}, nil
}

func (s *SNS) setTopicAttributes(c *server.Call, in *api.SetTopicAttributesInput) (*model.Empty, error) {
	t, rec, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	v := svckit.Str(in.AttributeValue)
	fifo := rec.Attributes["FifoTopic"] == "true"
	if err := fifoOnly(in.AttributeName, fifo); err != nil {
		return nil, err
	}
	if err := s.checkTopicAttribute(c, t, in.AttributeName, v); err != nil {
		return nil, err
	}
	switch {
	case in.AttributeName == "FifoTopic" && !strings.EqualFold(v, "true"):
		return nil, errParam("Invalid parameter: FifoTopic: Modifying topic type is not supported")
	case in.AttributeName == "FifoThroughputScope" && v == "Topic" && rec.Attributes["FifoThroughputScope"] == "MessageGroup":
		return nil, errParam("Invalid parameter: Modifying FifoThroughputScope from MessageGroup to Topic is not supported")
	}
	v = storedTopicAttribute(in.AttributeName, v)
	switch {
	case in.AttributeName == "Policy" && v == "":
		rec.Attributes["Policy"] = defaultPolicy(t)
	case v == "":
		delete(rec.Attributes, in.AttributeName)
	default:
		rec.Attributes[in.AttributeName] = v
	}
	return &model.Empty{}, putTopic(c.Tx, t, rec)
}

func (s *SNS) listTopics(c *server.Call, in *api.ListTopicsInput) (*api.ListTopicsResponse, error) {
	out := &api.ListTopicsResponse{Topics: []api.Topic{}}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tTopics), "", in.NextToken, 100, errParam("Invalid parameter: NextToken"),
		func(k string, _ []byte, take bool) (bool, error) {
			if take {
				out.Topics = append(out.Topics, api.Topic{TopicArn: svckit.Ptr(topicARN(c.Region, c.Account, k))})
			}
			return true, nil
		})
	return out, err
}

// editPolicy rewrites a topic policy's statements, keeping the document's members
// and each statement as they were written: SNS answers the policy with its keys in
// their order ("Version", "Id", "Statement"; "Sid", "Effect", ...), as recorded.
func editPolicy(rec *topicRec, fn func(stmts []json.RawMessage) ([]json.RawMessage, error)) error {
	dec := json.NewDecoder(strings.NewReader(rec.Attributes["Policy"]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errParam("Invalid parameter: Policy")
	}
	type member struct {
		key string
		val json.RawMessage
	}
	var members []member
	var stmts []json.RawMessage
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errParam("Invalid parameter: Policy")
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return errParam("Invalid parameter: Policy")
		}
		if key == "Statement" && !found {
			found = true
			if json.Unmarshal(val, &stmts) != nil {
				stmts = []json.RawMessage{val} // a single statement, not in a list
			}
		}
		members = append(members, member{key, val})
	}
	if !found {
		members = append(members, member{key: "Statement"})
	}
	stmts, err := fn(stmts)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(m.key) + ":")
		if m.key == "Statement" {
			b.WriteByte('[')
			for j, st := range stmts {
				if j > 0 {
					b.WriteByte(',')
				}
				json.Compact(&b, st)
			}
			b.WriteByte(']')
			continue
		}
		json.Compact(&b, m.val)
	}
	b.WriteByte('}')
	rec.Attributes["Policy"] = b.String()
	return nil
}

// statementSid is a policy statement's Sid.
func statementSid(st json.RawMessage) any {
	var s struct{ Sid any }
	json.Unmarshal(st, &s)
	return s.Sid
}

func (s *SNS) addPermission(c *server.Call, in *api.AddPermissionInput) (*model.Empty, error) {
	t, rec, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	for _, a := range in.ActionName {
		if !permissionActions[a] {
			return nil, errParam("Invalid parameter: Policy statement action out of service scope!")
		}
	}
	var principals, actions []string
	for _, a := range in.AWSAccountId {
		switch {
		case a == "*": // everyone, as a topic policy names them
			principals = append(principals, "*")
		case svckit.IsAccountID(a):
			principals = append(principals, "arn:aws:iam::"+a+":root")
		default:
			return nil, errParam("Invalid parameter: A provided account ID is not valid")
		}
	}
	for _, a := range in.ActionName {
		actions = append(actions, "SNS:"+a)
	}
	// A single account or action is written as a string, not a list (recorded).
	st := svckit.NewPermission(in.Label, principals, actions, t.ARN)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, err
	}
	written := json.RawMessage(bytes.TrimSpace(buf.Bytes()))
	err = editPolicy(rec, func(stmts []json.RawMessage) ([]json.RawMessage, error) {
		for _, old := range stmts {
			if statementSid(old) != in.Label {
				continue
			}
			var compact bytes.Buffer
			json.Compact(&compact, old)
			if bytes.Equal(compact.Bytes(), written) {
				// The same permission again: SNS answers success (recorded).
				return stmts, nil
			}
			// Wording inferred: AWS's answer to a label reused for another
			// permission is not recorded.
			return nil, errParam("Invalid parameter: Statement already exists")
		}
		return append(stmts, written), nil
	})
	if err != nil {
		return nil, err
	}
	// What AddPermission writes is authorized against later: it must be a policy.
	if err := s.checkTopicAttribute(c, t, "Policy", rec.Attributes["Policy"]); err != nil {
		return nil, err
	}
	return &model.Empty{}, putTopic(c.Tx, t, rec)
}

// permissionActions are the actions a topic policy can grant, the only ones
// AddPermission takes.
var permissionActions = map[string]bool{"GetTopicAttributes": true, "SetTopicAttributes": true, "AddPermission": true,
	"RemovePermission": true, "DeleteTopic": true, "Subscribe": true, "ListSubscriptionsByTopic": true, "Publish": true,
	"Receive": true}

func (s *SNS) removePermission(c *server.Call, in *api.RemovePermissionInput) (*model.Empty, error) {
	t, rec, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	err = editPolicy(rec, func(stmts []json.RawMessage) ([]json.RawMessage, error) {
		var kept []json.RawMessage
		for _, st := range stmts {
			if statementSid(st) != in.Label {
				kept = append(kept, st)
			}
		}
		return kept, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, putTopic(c.Tx, t, rec)
}

func (s *SNS) taggedTopic(c *server.Call, arn string) (topicRef, *topicRec, error) {
	t, err := parseTopicARN(arn, "ResourceArn")
	if err != nil {
		return t, nil, err
	}
	rec, err := loadTopic(c.Tx, t)
	if err == nil && rec == nil {
		err = api.NewResourceNotFoundException("Resource does not exist")
	}
	return t, rec, err
}

func (s *SNS) tagResource(c *server.Call, in *api.TagResourceRequest) (*api.TagResourceResponse, error) {
	t, rec, err := s.taggedTopic(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	for _, tag := range in.Tags {
		replaced := false
		for i := range rec.Tags {
			if rec.Tags[i].Key == tag.Key {
				rec.Tags[i].Value, replaced = tag.Value, true
			}
		}
		if !replaced {
			rec.Tags = append(rec.Tags, tag)
		}
	}
	if len(rec.Tags) > maxTags {
		return nil, api.NewTagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
	}
	return &api.TagResourceResponse{}, putTopic(c.Tx, t, rec)
}

func (s *SNS) untagResource(c *server.Call, in *api.UntagResourceRequest) (*api.UntagResourceResponse, error) {
	t, rec, err := s.taggedTopic(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	var kept []api.Tag
	for _, tag := range rec.Tags {
		drop := false
		for _, k := range in.TagKeys {
			drop = drop || k == tag.Key
		}
		if !drop {
			kept = append(kept, tag)
		}
	}
	rec.Tags = kept
	return &api.UntagResourceResponse{}, putTopic(c.Tx, t, rec)
}

func (s *SNS) listTagsForResource(c *server.Call, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	_, rec, err := s.taggedTopic(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := rec.Tags
	if tags == nil {
		tags = []api.Tag{}
	}
	return &api.ListTagsForResourceResponse{Tags: tags}, nil
}
