package main

import "strings"

// queryErrorOverlay restores the awsQueryError traits that botocore drops from some
// query-compatible services' models but AWS still honours: SQS answers its JSON
// protocol with x-amzn-query-error carrying these codes, and SDKs map them back to the
// typed exceptions. The codes and statuses are those of the service's Smithy model
// (the SDK for Go v2 schemas carry them as AWSQueryError traits).
var queryErrorOverlay = map[string]map[string]struct {
	code   string
	status int
}{
	"sqs": {
		"BatchEntryIdsNotDistinct":     {"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
		"BatchRequestTooLong":          {"AWS.SimpleQueueService.BatchRequestTooLong", 400},
		"EmptyBatchRequest":            {"AWS.SimpleQueueService.EmptyBatchRequest", 400},
		"InvalidAddress":               {"InvalidAddress", 404},
		"InvalidBatchEntryId":          {"AWS.SimpleQueueService.InvalidBatchEntryId", 400},
		"InvalidSecurity":              {"InvalidSecurity", 403},
		"KmsAccessDenied":              {"KMS.AccessDeniedException", 400},
		"KmsDisabled":                  {"KMS.DisabledException", 400},
		"KmsInvalidKeyUsage":           {"KMS.InvalidKeyUsageException", 400},
		"KmsInvalidState":              {"KMS.InvalidStateException", 400},
		"KmsNotFound":                  {"KMS.NotFoundException", 400},
		"KmsOptInRequired":             {"KMS.OptInRequired", 403},
		"KmsThrottled":                 {"KMS.ThrottlingException", 400},
		"MessageNotInflight":           {"AWS.SimpleQueueService.MessageNotInflight", 400},
		"OverLimit":                    {"OverLimit", 403},
		"PurgeQueueInProgress":         {"AWS.SimpleQueueService.PurgeQueueInProgress", 403},
		"QueueDeletedRecently":         {"AWS.SimpleQueueService.QueueDeletedRecently", 400},
		"QueueDoesNotExist":            {"AWS.SimpleQueueService.NonExistentQueue", 400},
		"QueueNameExists":              {"QueueAlreadyExists", 400},
		"ReceiptHandleIsInvalid":       {"ReceiptHandleIsInvalid", 404},
		"RequestThrottled":             {"RequestThrottled", 403},
		"ResourceNotFoundException":    {"ResourceNotFoundException", 404},
		"TooManyEntriesInBatchRequest": {"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400},
		"UnsupportedOperation":         {"AWS.SimpleQueueService.UnsupportedOperation", 400},
	},
}

// queryOverlay restores the query protocol to services whose botocore model moved to
// JSON and dropped the query serialization traits, while AWS still serves query to the
// SDKs and CLIs that predate the move (Debian's aws CLI 2.9 speaks query to SQS). The
// traits are those of the service's last query model (botocore 1.29's SQS, as the aws
// CLI 2.9 ships it). Structure members' query names become QueryName, not LocationName,
// because the JSON protocol names members by their locationName.
var queryOverlay = map[string]queryTraits{
	"sqs": {
		xmlNamespace:     "http://queue.amazonaws.com/doc/2012-11-05/",
		flattened:        []string{"AWSAccountIdList", "ActionNameList", "AttributeNameList", "BatchResultErrorEntryList", "ChangeMessageVisibilityBatchRequestEntryList", "ChangeMessageVisibilityBatchResultEntryList", "DeleteMessageBatchRequestEntryList", "DeleteMessageBatchResultEntryList", "MessageAttributeNameList", "MessageBodyAttributeMap", "MessageBodySystemAttributeMap", "MessageList", "MessageSystemAttributeMap", "QueueAttributeMap", "QueueUrlList", "SendMessageBatchRequestEntryList", "SendMessageBatchResultEntryList", "TagKeyList", "TagMap"},
		listMembers:      map[string]string{"AWSAccountIdList": "AWSAccountId", "ActionNameList": "ActionName", "AttributeNameList": "AttributeName", "BatchResultErrorEntryList": "BatchResultErrorEntry", "BinaryList": "BinaryListValue", "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry", "ChangeMessageVisibilityBatchResultEntryList": "ChangeMessageVisibilityBatchResultEntry", "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry", "DeleteMessageBatchResultEntryList": "DeleteMessageBatchResultEntry", "MessageAttributeNameList": "MessageAttributeName", "MessageList": "Message", "QueueUrlList": "QueueUrl", "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry", "SendMessageBatchResultEntryList": "SendMessageBatchResultEntry", "StringList": "StringListValue", "TagKeyList": "TagKey"},
		mapEntries:       map[string][2]string{"MessageBodyAttributeMap": {"Name", "Value"}, "MessageBodySystemAttributeMap": {"Name", "Value"}, "MessageSystemAttributeMap": {"Name", "Value"}, "QueueAttributeMap": {"Name", "Value"}, "TagMap": {"Key", "Value"}},
		memberNames:      map[string]string{"CreateQueueRequest.Attributes": "Attribute", "CreateQueueRequest.tags": "Tag", "GetQueueAttributesResult.Attributes": "Attribute", "ListQueueTagsResult.Tags": "Tag", "Message.Attributes": "Attribute", "Message.MessageAttributes": "MessageAttribute", "MessageAttributeValue.BinaryListValues": "BinaryListValue", "MessageAttributeValue.StringListValues": "StringListValue", "MessageSystemAttributeValue.BinaryListValues": "BinaryListValue", "MessageSystemAttributeValue.StringListValues": "StringListValue", "SendMessageBatchRequestEntry.MessageAttributes": "MessageAttribute", "SendMessageBatchRequestEntry.MessageSystemAttributes": "MessageSystemAttribute", "SendMessageRequest.MessageAttributes": "MessageAttribute", "SendMessageRequest.MessageSystemAttributes": "MessageSystemAttribute", "SetQueueAttributesRequest.Attributes": "Attribute"},
		flattenedMembers: []string{"MessageAttributeValue.BinaryListValues", "MessageAttributeValue.StringListValues", "MessageSystemAttributeValue.BinaryListValues", "MessageSystemAttributeValue.StringListValues"},
	},
}

// applyOverlay fills in what the botocore model of service lacks. A trait the model
// already has wins over the overlay.
func applyOverlay(service string, m *rawModel) {
	if q, ok := queryOverlay[service]; ok {
		applyQueryOverlay(m, q)
	}
	for name, qe := range queryErrorOverlay[service] {
		s, ok := m.Shapes[name]
		if !ok || !s.Exception {
			continue
		}
		if s.Error == nil {
			s.Error = &struct {
				Code           string `json:"code"`
				HTTPStatusCode int    `json:"httpStatusCode"`
				SenderFault    bool   `json:"senderFault"`
			}{SenderFault: true}
		}
		if s.Error.Code == "" {
			s.Error.Code = qe.code
		}
		if s.Error.HTTPStatusCode == 0 {
			s.Error.HTTPStatusCode = qe.status
		}
		m.Shapes[name] = s
	}
}

// queryTraits are a service's query serialization traits.
type queryTraits struct {
	xmlNamespace     string
	flattened        []string             // list and map shapes
	listMembers      map[string]string    // list shape → its member's element name
	mapEntries       map[string][2]string // map shape → key and value element names
	memberNames      map[string]string    // Shape.Member → query name
	flattenedMembers []string             // Shape.Member
}

func applyQueryOverlay(m *rawModel, q queryTraits) {
	protocols, _ := m.Metadata["protocols"].([]any)
	m.Metadata["protocols"] = append(protocols, "query")
	if m.Metadata["xmlNamespace"] == nil {
		m.Metadata["xmlNamespace"] = q.xmlNamespace
	}
	shape := func(name string) rawShape {
		s, ok := m.Shapes[name]
		if !ok {
			fail("query overlay: no shape %s", name)
		}
		return s
	}
	for _, name := range q.flattened {
		s := shape(name)
		s.Flattened = true
		m.Shapes[name] = s
	}
	for name, loc := range q.listMembers {
		s := shape(name)
		if s.Member != nil && s.Member.LocationName == "" {
			r := *s.Member
			r.LocationName = loc
			s.Member = &r
		}
		m.Shapes[name] = s
	}
	for name, kv := range q.mapEntries {
		s := shape(name)
		if s.Key != nil && s.Key.LocationName == "" {
			r := *s.Key
			r.LocationName = kv[0]
			s.Key = &r
		}
		if s.Value != nil && s.Value.LocationName == "" {
			r := *s.Value
			r.LocationName = kv[1]
			s.Value = &r
		}
		m.Shapes[name] = s
	}
	member := func(path string, fn func(*rawRef)) {
		sn, mn, _ := strings.Cut(path, ".")
		s := shape(sn)
		r, ok := s.Members[mn]
		if !ok {
			fail("query overlay: no member %s", path)
		}
		fn(&r)
		s.Members[mn] = r
	}
	for path, name := range q.memberNames {
		member(path, func(r *rawRef) {
			if r.QueryName == "" {
				r.QueryName = name
			}
		})
	}
	for _, path := range q.flattenedMembers {
		member(path, func(r *rawRef) { r.Flattened = true })
	}
}
