package main

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

// applyOverlay fills in what the botocore model of service lacks. A trait the model
// already has wins over the overlay.
func applyOverlay(service string, m *rawModel) {
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
