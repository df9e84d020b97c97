package sqs

import (
	"slices"

	api "github.com/palisade/palisade/internal/api/sqs"
)

// The SQS model is stricter than SQS in three places, and the generic validation that
// reads it would answer before the handlers can answer as SQS does:
//
//   - QueueAttributeName's enum: ReceiveMessage's AttributeNames also takes message
//     system attribute names (SenderId, SentTimestamp…: the older way to ask for
//     them, which boto3 and older SDKs use), and GetQueueAttributes, CreateQueue and
//     SetQueueAttributes answer an unknown name with InvalidAttributeName "Unknown
//     Attribute X." (the handlers check names themselves).
//   - SendMessage's MessageBody is required in the model; SQS answers its absence
//     with MissingParameter "The request must contain the parameter MessageBody.",
//     which send does.
//   - QueueUrl is required in the model; over query SQS takes the queue from the
//     request's path when the parameter is absent.
func init() {
	ops := api.Service.Operations
	ops["ReceiveMessage"].Input.ByName["AttributeNames"].Shape.Member.Shape.Enum = nil
	in := ops["SendMessage"].Input
	in.Required = slices.DeleteFunc(slices.Clone(in.Required), func(n string) bool { return n == "MessageBody" })
	in.ByName["MessageBody"].Required = false
	// QueueUrl may come from the request's path instead (parseQueueURL answers its
	// absence as the generic validation would).
	for _, op := range ops {
		if op.Input == nil || op.Input.ByName["QueueUrl"] == nil {
			continue
		}
		op.Input.Required = slices.DeleteFunc(slices.Clone(op.Input.Required), func(n string) bool { return n == "QueueUrl" })
		op.Input.ByName["QueueUrl"].Required = false
	}
}
