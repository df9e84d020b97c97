package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/service/s3"
	"github.com/palisade/palisade/internal/service/sns"
	"github.com/palisade/palisade/internal/service/sqs"
	"github.com/palisade/palisade/internal/store"
)

// s3Destinations delivers S3's event notifications to SQS queues and SNS topics as
// s3.amazonaws.com, with the bucket as aws:SourceArn and its owner as
// aws:SourceAccount: the queue's or topic's policy (and an SSE-KMS key's policy) must
// admit S3 for the bucket.
type s3Destinations struct{ a *App }

func (d s3Destinations) Send(tx *store.Tx, n s3.Notice) error {
	now := d.a.Clock.Now()
	var err error
	service := ""
	if p := strings.Split(n.Destination, ":"); len(p) > 2 {
		service = p[2]
	}
	switch service {
	case "sqs":
		_, err = d.a.SQS.SendFromService(tx, sqs.ServiceMessage{Service: s3.ServicePrincipal, QueueARN: n.Destination,
			SourceARN: n.Bucket, SourceAccount: n.Owner, Body: n.Body, Now: now})
	case "sns":
		_, err = d.a.SNS.PublishAsService(tx, sns.Notification{Service: s3.ServicePrincipal, TopicARN: n.Destination,
			Subject: n.Subject, Message: n.Body, SourceARN: n.Bucket, SourceAccount: n.Owner, Now: now})
	default:
		return s3.ErrNoDestination
	}
	var me *model.Error
	if err == nil || !errors.As(err, &me) {
		return err
	}
	switch me.Code {
	case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NotFound":
		return fmt.Errorf("%w: %s", s3.ErrNoDestination, me.Message)
	}
	return fmt.Errorf("%w: %s: %s", s3.ErrDestinationDenied, me.Code, me.Message)
}
