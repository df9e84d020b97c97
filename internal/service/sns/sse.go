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
// master key (standing for SNS holding the key inside its own service boundary), for
// heldKeyPeriod: a delivery accepted before the key is disabled is still sent within
// it; past it, the key is opened again with KMS as the publisher (recheckKey).
// Deliveries to SQS happen in the publishing transaction and are encrypted by the
// queue's own key, if any.

const keyReuse = 5 * time.Minute

var errKMSUnavailable = errors.New("sns: KMS is not wired")

// topicKey is the data key a publication's messages are encrypted with.
type topicKey struct {
	plain, blob []byte
	// publisher and encCtx are whose data key it is and under which encryption
	// context: a delivery held past heldKeyPeriod opens it again as the publisher.
	publisher auth.Principal
	encCtx    map[string]string
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
		return &topicKey{plain: plain, blob: blob, publisher: c.Principal, encCtx: encCtx}, nil
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
	publisher := k.publisher
	d.Publisher, d.PublisherSession, d.KeyContext, d.Published = &publisher, publisher.Session, k.encCtx, d.Due
	return nil
}

// heldKeyPeriod is how long SNS delivers an encrypted message with the data key it
// holds. Past it, a delivery (a retry to an HTTP/HTTPS endpoint that keeps failing)
// has the key opened again with KMS as its publisher, whose current permissions and
// the key's state decide: a refusal fails the attempt, which is retried as its
// delivery policy says (recorded, 2026: radkawar/stackd testdata/aws/sns/
// encryption_live_retry.json: retries of a message whose key was disabled went on
// to 579 s, and SNS's Decrypt as the publisher was refused at 641 s;
// encryption_live_authority.json: the publisher's explicit Deny of kms:Decrypt,
// the key enabled). Ten minutes lies between the two.
const heldKeyPeriod = 10 * time.Minute

// recheckKey opens a delivery's data key with KMS as its publisher once the
// delivery is older than heldKeyPeriod; the error is KMS's refusal.
func (s *SNS) recheckKey(ctx context.Context, d *delivery) error {
	if d.DataKey == nil || d.Publisher == nil || s.sse == nil || s.d.NewCall == nil {
		return nil
	}
	now := s.d.Clock.Now()
	if now.UnixMilli()-d.Published < heldKeyPeriod.Milliseconds() {
		return nil
	}
	p := *d.Publisher
	p.Session = d.PublisherSession
	account := p.Account
	if account == "" {
		account = d.Account
	}
	var kmsErr error
	// The refusal is not the transaction's: KMS's record of it stays.
	err := s.d.Store.Update(ctx, func(tx *store.Tx) error {
		c, err := s.d.NewCall(ctx, "sns", "Publish", p, account, d.Region)
		if err != nil {
			return err
		}
		c.Tx, c.Now = tx, now
		if p.Type == auth.AWSService {
			// A service's publication is opened again under its source, as at
			// publication (serviceCall).
			c.SourceArn, c.SourceAccount = d.KeyContext["aws:sns:sourceArn"], d.KeyContext["aws:sns:sourceAccount"]
		}
		_, kmsErr = s.sse.Open(c, d.DataKey, d.KeyContext, keyReuse)
		return nil
	})
	if err != nil {
		return err
	}
	return kmsErr
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

// serviceCall is the call a service principal's publication runs as, in tx. Its KMS
// calls carry the publication's source as aws:SourceArn and aws:SourceAccount, so a
// key policy may condition the service on them: recorded, 2026
// (encryption_service_sources.json, EventBridge rules publishing to encrypted
// topics): a grant to events.amazonaws.com on aws:SourceArn = the rule, or on
// aws:SourceAccount, let the rule's event through, while one on aws:SourceArn = the
// topic, or on either key being Null, was refused (KMSAccessDenied); that CloudWatch
// alarms and CloudTrail trails pass their source alike is inferred.
// aws:SourceOrgID, which was present too, is not passed (Palisade's policy
// evaluation does not serve it).
func (s *SNS) serviceCall(tx *store.Tx, service string, t topicRef, now time.Time, sourceARN, sourceAccount string) (*server.Call, error) {
	if s.d.NewCall == nil {
		return nil, errKMSUnavailable
	}
	c, err := s.d.NewCall(context.Background(), "sns", "Publish", svckit.ServicePrincipal(service), t.Account, t.Region)
	if err != nil {
		return nil, err
	}
	c.Tx, c.Now = tx, now
	c.SourceArn, c.SourceAccount = sourceARN, sourceAccount
	return c, nil
}
