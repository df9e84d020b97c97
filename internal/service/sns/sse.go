package sns

import (
	"context"
	"errors"
	"time"

	api "github.com/palisade/palisade/internal/api/sns"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// SSE-KMS: publishing to a topic with KmsMasterKeyId needs kms:GenerateDataKey and
// kms:Decrypt on the key for the publisher (AWS's SNS documentation asks publishers
// for both), with the encryption context aws:sns:topicArn = the topic's ARN; a service
// publishing (CloudWatch's alarms) acts as its service principal, which the key
// policy must allow (the AWS managed key aws/sns does not, as on AWS). A principal's
// data key is reused for five minutes of Palisade's clock without calling KMS again
// (inferred: SNS documents data key reuse but not its period). Deliveries that wait
// in the outbox are stored as the rest of Palisade's store is, not under the topic's
// key.

const keyReuse = 5 * time.Minute

var errKMSUnavailable = errors.New("sns: KMS is not wired")

// checkKey makes the KMS calls publishing to an encrypted topic needs, for c's
// principal.
func (s *SNS) checkKey(c *server.Call, t topicRef, topic *topicRec) error {
	keyID := topic.Attributes["KmsMasterKeyId"]
	if keyID == "" {
		return nil
	}
	if s.sse == nil {
		return errKMSUnavailable
	}
	_, _, err := s.sse.DataKey(c, keyID, map[string]string{"aws:sns:topicArn": t.ARN}, keyReuse)
	if err == nil {
		return nil
	}
	code, msg, ok := svckit.KMSError(err, false)
	if !ok {
		return err
	}
	switch code {
	case "AccessDeniedException", "InvalidCiphertextException":
		return api.NewKMSAccessDeniedException(msg)
	case "NotFoundException":
		return api.NewKMSNotFoundException(msg)
	case "DisabledException":
		return api.NewKMSDisabledException(msg)
	default:
		return api.NewKMSInvalidStateException(msg)
	}
}

// serviceCall is the call a service principal's publication runs as, in tx.
func (s *SNS) serviceCall(tx *store.Tx, service string, t topicRef, now time.Time) (*server.Call, error) {
	if s.d.NewCall == nil {
		return nil, errKMSUnavailable
	}
	c, err := s.d.NewCall(context.Background(), "sns", "Publish", svckit.ServicePrincipal(service), t.Account, t.Region)
	if err != nil {
		return nil, err
	}
	c.Tx, c.Now = tx, now
	return c, nil
}
