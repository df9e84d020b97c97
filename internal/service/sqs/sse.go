package sqs

import (
	"context"
	"errors"
	"time"

	api "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// SSE-KMS: a queue with KmsMasterKeyId keeps message bodies encrypted (AES-256-GCM)
// under data keys from KMS, with the encryption context aws:sqs:arn = the queue's
// ARN. Producers need kms:GenerateDataKey and kms:Decrypt on the key, consumers
// kms:Decrypt, each checked when a principal first uses a data key within the queue's
// KmsDataKeyReusePeriodSeconds (svckit.SSE). SNS delivering to such a queue acts as
// sns.amazonaws.com, which the key policy must allow: the AWS managed key aws/sqs does
// not, as on AWS. Message attributes and metadata are not encrypted (AWS: "SSE
// doesn't encrypt ... message metadata (message ID, timestamp, and attributes)").

// dataKey is the key a send encrypts with.
type dataKey struct {
	plain, blob []byte
	queue       string // the queue ARN of the encryption context
}

func encContext(queueARN string) map[string]string { return map[string]string{"aws:sqs:arn": queueARN} }

func reusePeriod(rec *queueRec) time.Duration {
	n := intAttr(rec, "KmsDataKeyReusePeriodSeconds")
	if n <= 0 {
		n = 300
	}
	return time.Duration(n) * time.Second
}

// sendKey returns the data key c's principal sends to the queue with; nil when the
// queue is not encrypted with KMS.
func (q *SQS) sendKey(c *server.Call, r queueRef, rec *queueRec) (*dataKey, error) {
	keyID := rec.Attributes["KmsMasterKeyId"]
	if keyID == "" {
		return nil, nil
	}
	if q.sse == nil {
		return nil, errKMSUnavailable
	}
	plain, blob, err := q.sse.DataKey(c, keyID, encContext(r.arn()), reusePeriod(rec))
	if err != nil {
		return nil, kmsError(err, false)
	}
	return &dataKey{plain: plain, blob: blob, queue: r.arn()}, nil
}

// seal encrypts a message's body under k (nil: stored as is).
func (m *msgRec) seal(k *dataKey) error {
	if k == nil {
		return nil
	}
	sealed, err := svckit.Seal(k.plain, []byte(m.Body))
	if err != nil {
		return err
	}
	m.Sealed, m.DataKey, m.EncQueue, m.Body = sealed, k.blob, k.queue, ""
	return nil
}

// open decrypts the bodies of received messages for c's principal, each data key
// once.
func (q *SQS) open(c *server.Call, rec *queueRec, msgs []*msgRec) error {
	plains := map[string][]byte{}
	for _, m := range msgs {
		if m.DataKey == nil {
			continue
		}
		if q.sse == nil {
			return errKMSUnavailable
		}
		plain, ok := plains[string(m.DataKey)]
		if !ok {
			var err error
			if plain, err = q.sse.Open(c, m.DataKey, encContext(m.EncQueue), reusePeriod(rec)); err != nil {
				return kmsError(err, true)
			}
			plains[string(m.DataKey)] = plain
		}
		body, err := svckit.Unseal(plain, m.Sealed)
		if err != nil {
			return err
		}
		m.Body = string(body)
	}
	return nil
}

var errKMSUnavailable = errors.New("sqs: KMS is not wired")

// kmsError is a KMS failure as SQS answers it.
func kmsError(err error, decrypt bool) error {
	code, msg, ok := svckit.KMSError(err, decrypt)
	if !ok {
		return err
	}
	switch code {
	case "AccessDeniedException", "InvalidCiphertextException":
		return api.NewKmsAccessDenied(msg)
	case "NotFoundException":
		return api.NewKmsNotFound(msg)
	case "DisabledException":
		return api.NewKmsDisabled(msg)
	default:
		return api.NewKmsInvalidState(msg)
	}
}

// serviceCall is the call a service principal's delivery runs as, in tx.
func (q *SQS) serviceCall(tx *store.Tx, service string, r queueRef, now time.Time) (*server.Call, error) {
	if q.d.NewCall == nil {
		return nil, errKMSUnavailable
	}
	c, err := q.d.NewCall(context.Background(), "sqs", "SendMessage", svckit.ServicePrincipal(service), r.Account, r.Region)
	if err != nil {
		return nil, err
	}
	c.Tx, c.Now = tx, now
	return c, nil
}
