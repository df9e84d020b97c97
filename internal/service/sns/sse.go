package sns

import (
	"context"
	"errors"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sns"
	"github.com/palisade/palisade/internal/auth"
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
// (inferred: SNS documents data key reuse but not its period).
//
// The messages an encrypted topic holds (its outbox deliveries to HTTP/HTTPS and
// email endpoints, waiting or retrying) are kept AES-256-GCM-encrypted under the
// publisher's data key, stored with the key's KMS ciphertext blob, as SNS's SSE
// describes. SNS itself keeps the data key for the delivery, sealed under Palisade's
// master key (standing for SNS holding the key inside its own service boundary: on
// AWS the endpoints' deliveries need no KMS permission), so a delivery accepted
// before the key is disabled is still sent (inferred). Deliveries to SQS happen in
// the publishing transaction and are encrypted by the queue's own key, if any.

const keyReuse = 5 * time.Minute

var errKMSUnavailable = errors.New("sns: KMS is not wired")

// topicKey is the data key a publication's messages are encrypted with.
type topicKey struct {
	plain, blob []byte
}

// checkKey makes the KMS calls publishing to an encrypted topic needs, for c's
// principal, and returns the data key (nil for a topic without a key). AWS's SNS
// answers a publisher KMS refuses with KMS's ciphertext message ("KMSAccessDenied:
// The ciphertext refers to a customer master key that does not exist, … (Service:
// AWSKMS; …)", aws/aws-cdk issue 24337) and a service publisher with "null (Service:
// AWSKMS; …)" (CloudWatch's alarm history, aws/aws-cdk issue 11121).
//
// A service's publication (an alarm's, a trail's) names its source too: the
// encryption context adds aws:sns:sourceArn (the alarm, trail, bucket or rule, not
// the topic) and aws:sns:sourceAccount (recorded, 2026: encryption_cloudwatch_source.json,
// encryption_cloudtrail_notification.json), which key policies may condition on, and
// each source's data key is its own (encryption_event_source_cache.json).
func (s *SNS) checkKey(c *server.Call, t topicRef, topic *topicRec, sourceARN, sourceAccount string) (*topicKey, error) {
	keyID := topic.Attributes["KmsMasterKeyId"]
	if keyID == "" {
		return nil, nil
	}
	if s.sse == nil {
		return nil, errKMSUnavailable
	}
	encCtx := map[string]string{"aws:sns:topicArn": t.ARN}
	if sourceARN != "" {
		encCtx["aws:sns:sourceArn"], encCtx["aws:sns:sourceAccount"] = sourceARN, sourceAccount
	}
	plain, blob, err := s.sse.DataKey(c, keyID, encCtx, keyReuse)
	if err == nil {
		return &topicKey{plain: plain, blob: blob}, nil
	}
	code, msg, ok := svckit.KMSError(err, true)
	if !ok {
		return nil, err
	}
	if c.Principal.Type == auth.AWSService && code == "AccessDeniedException" {
		msg = "null" + msg[strings.Index(msg, " (Service: AWSKMS;"):]
	}
	// SNS shows a key ID that names no key without KMS's quotes: "Invalid keyId
	// nonsense (Service: AWSKMS; …)" (recorded, radkawar/stackd encryption.json).
	if rest, ok := strings.CutPrefix(msg, "Invalid keyId '"); ok && code == "NotFoundException" {
		if id, tail, ok := strings.Cut(rest, "' (Service: AWSKMS;"); ok {
			msg = "Invalid keyId " + id + " (Service: AWSKMS;" + tail
		}
	}
	return nil, kmsError(code, msg)
}

// kmsError is a KMS refusal as SNS answers it. KMSOptInRequired and
// KMSThrottlingException never occur: Palisade's KMS needs no opt-in and does not
// throttle.
func kmsError(code, msg string) error {
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

// seal encrypts an outbox delivery's message under the publication's data key and
// keeps the data key for the delivery, sealed under Palisade's master key.
func (s *SNS) seal(d *delivery, k *topicKey, topicARN string) error {
	if k == nil {
		return nil
	}
	if s.d.Sealer == nil {
		return errors.New("sns: no sealer for encrypted deliveries")
	}
	body, err := svckit.Seal(k.plain, []byte(d.Body))
	if err != nil {
		return err
	}
	subject, err := svckit.Seal(k.plain, []byte(d.Subject))
	if err != nil {
		return err
	}
	d.Sealed, d.SealedSubject, d.DataKey, d.Body, d.Subject = body, subject, k.blob, "", ""
	d.HeldKey = s.d.Sealer.Seal(k.plain, heldContext(topicARN))
	return nil
}

func heldContext(topicARN string) string { return "sns-outbox:" + topicARN }

// open returns a copy of an encrypted delivery with its message in clear, for
// sending; d itself (and what is stored) stays encrypted.
func (s *SNS) open(d *delivery, topicARN string) (*delivery, error) {
	if d.DataKey == nil {
		return d, nil
	}
	if s.d.Sealer == nil {
		return nil, errors.New("sns: no sealer for encrypted deliveries")
	}
	plain, err := s.d.Sealer.Open(d.HeldKey, heldContext(topicARN))
	if err != nil {
		return nil, err
	}
	body, err := svckit.Unseal(plain, d.Sealed)
	if err != nil {
		return nil, err
	}
	subject, err := svckit.Unseal(plain, d.SealedSubject)
	if err != nil {
		return nil, err
	}
	out := *d
	out.Body, out.Subject = string(body), string(subject)
	return &out, nil
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
