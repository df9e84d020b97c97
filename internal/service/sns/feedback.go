package sns

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Delivery status logging ("Amazon SNS message delivery status"): for each delivery
// attempt to a subscription whose protocol has a feedback role on the topic
// (<Protocol>SuccessFeedbackRoleArn, <Protocol>FailureFeedbackRoleArn), SNS assumes
// that role and writes one JSON event to CloudWatch Logs: successes to the log group
// sns/<region>/<account>/<topic>, sampled at <Protocol>SuccessFeedbackSampleRate
// percent (every success when the topic has no rate: recorded, 2026:
// feedback_sampling.json, 32 published, 32 logged, no rate set), failures always to
// sns/<region>/<account>/<topic>/Failure. The role must trust sns.amazonaws.com and
// its policies allow logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents
// (the developer guide's "Prerequisites for delivery status logging"); when it does
// not, nothing is logged and the delivery goes on (recorded, 2026:
// managed_feedback.json, denied-feedback-authority). The event is written in the
// transaction that records the attempt's outcome — the publication's for SQS, the
// outbox's for HTTP/S — so a crash neither loses nor repeats it.

// FeedbackLogs is what SNS needs from CloudWatch Logs to write delivery-status logs;
// app wires it to CloudWatch Logs (PutEventsInTx).
type FeedbackLogs interface {
	// PutEvents writes events to a stream of a log group of p's account, in tx, as p
	// (SNS's session of the feedback role): the group and the stream are created
	// when missing, each as p's policies allow; a refusal is CloudWatch Logs' error
	// and nothing is written.
	PutEvents(tx *store.Tx, p auth.Principal, region, group, stream string, events []LogEvent, now time.Time) error
}

// LogEvent is one CloudWatch Logs event.
type LogEvent struct {
	Time    time.Time
	Message string
}

// feedbackSession is the session name of SNS's feedback role sessions (inferred:
// the name SNS's sessions of a Firehose subscription role carry, recorded, 2026:
// external_feedback.json, "assumed-role/…-producer/AWS-SNS").
const feedbackSession = "AWS-SNS"

// feedbackProtocol is the attribute prefix of a subscription protocol's feedback
// attributes; "" for protocols SNS logs no delivery status for (email).
func feedbackProtocol(protocol string) string {
	switch protocol {
	case "sqs":
		return "SQS"
	case "http", "https":
		// The HTTP attributes serve HTTPS too (recorded, 2026: external_feedback.json,
		// an HTTPS endpoint logged through HTTPSuccessFeedbackRoleArn).
		return "HTTP"
	case "lambda":
		return "Lambda"
	case "firehose":
		return "Firehose"
	case "application":
		return "Application"
	}
	return ""
}

// attemptLog is one delivery attempt as its status log tells it.
type attemptLog struct {
	topic     topicRef
	protocol  string
	messageID string
	md5       string // of the message delivered; "" for confirmations
	published time.Time
	// redrive is the subscription's RedrivePolicy as set, "" for confirmations
	// (recorded for HTTPS and Firehose subscriptions, external_feedback.json;
	// inferred for SQS ones).
	redrive     string
	destination string
	response    string
	statusCode  int // 0: no answer
	attempts    int // retries before this attempt
	success     bool
}

type feedbackNotification struct {
	MessageMD5Sum string `json:"messageMD5Sum,omitempty"`
	MessageID     string `json:"messageId"`
	TopicArn      string `json:"topicArn"`
	Timestamp     string `json:"timestamp"`
}

// feedbackDelivery's fields are in the order SNS writes them (recorded, 2026:
// external_feedback.json, feedback_sampling.json). attempts is absent on a first
// attempt and counts the retries on the others (recorded: 1 on a subscription's one
// retry); its place follows the developer guide's example.
type feedbackDelivery struct {
	DeliveryID       string `json:"deliveryId"`
	RedrivePolicy    string `json:"redrivePolicy,omitempty"`
	Destination      string `json:"destination"`
	ProviderResponse string `json:"providerResponse"`
	DwellTimeMs      int64  `json:"dwellTimeMs"`
	Attempts         int    `json:"attempts,omitempty"`
	StatusCode       int    `json:"statusCode,omitempty"`
}

type feedbackEvent struct {
	Notification feedbackNotification `json:"notification"`
	Delivery     feedbackDelivery     `json:"delivery"`
	Status       string               `json:"status"`
}

// message is the log event's JSON, compact and without HTML escaping, as SNS writes it.
func (a *attemptLog) message(now time.Time) string {
	status := "FAILURE"
	if a.success {
		status = "SUCCESS"
	}
	ev := feedbackEvent{
		Notification: feedbackNotification{MessageMD5Sum: a.md5, MessageID: a.messageID, TopicArn: a.topic.ARN,
			Timestamp: a.published.UTC().Format("2006-01-02 15:04:05.000")},
		Delivery: feedbackDelivery{DeliveryID: auth.NewUUID(), RedrivePolicy: a.redrive, Destination: a.destination,
			ProviderResponse: a.response, DwellTimeMs: max(0, now.Sub(a.published).Milliseconds()), Attempts: a.attempts, StatusCode: a.statusCode},
		Status: status,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(ev)
	return strings.TrimSuffix(b.String(), "\n")
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// feedbackStream is the stream SNS writes a group's events to. AWS names its streams
// with name-based (version 3) UUIDs, one per group in the recordings (2026:
// feedback_sampling.json, managed_feedback.json); Palisade derives its from the group
// name so that every event of a group goes to one stream (inferred).
func feedbackStream(group string) string {
	sum := md5.Sum([]byte(group))
	sum[6] = sum[6]&0x0f | 0x30
	sum[8] = sum[8]&0x3f | 0x80
	h := hex.EncodeToString(sum[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// logAttempt writes an attempt's status log when the topic asks for it, in tx, as the
// feedback role. attrs are the topic's attributes (nil: read them). Nothing it meets
// fails the delivery: a role SNS cannot assume or that may not write is logged here
// and the event dropped.
func (s *SNS) logAttempt(tx *store.Tx, attrs map[string]string, a *attemptLog, now time.Time) {
	prefix := feedbackProtocol(a.protocol)
	if s.d.Logs == nil || prefix == "" {
		return
	}
	if attrs == nil {
		topic, err := loadTopic(tx, a.topic)
		if err != nil || topic == nil {
			return
		}
		attrs = topic.Attributes
	}
	group := "sns/" + a.topic.Region + "/" + a.topic.Account + "/" + a.topic.Name
	role := attrs[prefix+"FailureFeedbackRoleArn"]
	if a.success {
		role = attrs[prefix+"SuccessFeedbackRoleArn"]
		if v, ok := attrs[prefix+"SuccessFeedbackSampleRate"]; ok {
			rate, _ := strconv.Atoi(v)
			if rate < 100 && rand.IntN(100) >= rate {
				return
			}
		}
	} else {
		group += "/Failure"
	}
	if role == "" {
		return
	}
	p, err := s.feedbackRole(tx, a.topic, role, now)
	if err == nil {
		err = tx.Savepoint(func() error {
			return s.d.Logs.PutEvents(tx, p, a.topic.Region, group, feedbackStream(group), []LogEvent{{Time: now, Message: a.message(now)}}, now)
		})
	}
	if err != nil {
		s.d.Logger.Warn("sns: delivery status not logged", "topic", a.topic.ARN, "role", role, "err", err)
	}
}

var errFeedbackTrust = errors.New("the role cannot be assumed by sns.amazonaws.com")

// feedbackRole is SNS's session of a topic's feedback role: the role must be of the
// topic's account and its trust policy let sns.amazonaws.com assume it, with the
// topic as aws:SourceArn and its account as aws:SourceAccount (inferred), as
// SetTopicAttributes checked it (mayLogAs) and as it is checked again at each
// delivery, a role changed since no longer logging.
func (s *SNS) feedbackRole(tx *store.Tx, t topicRef, role string, now time.Time) (auth.Principal, error) {
	account, name, ok := roleARN(role)
	if !ok || s.d.Roles == nil || s.d.Authz == nil || account != t.Account {
		return auth.Principal{}, errFeedbackTrust
	}
	id, trust, found, err := s.d.Roles.Role(tx, role)
	if err != nil {
		return auth.Principal{}, err
	}
	if !found {
		return auth.Principal{}, errFeedbackTrust
	}
	tp, err := s.d.Authz.Compile(policy.KindTrust, "trust", trust)
	if err != nil {
		return auth.Principal{}, errFeedbackTrust
	}
	svc := authz.Caller{Principal: svckit.ServicePrincipal("sns.amazonaws.com"), Region: t.Region, Now: now}
	d, err := s.d.Authz.Decide(tx, &svc, &authz.Check{Action: "sts:AssumeRole", Resource: role, ResourceAccount: account, ResourcePolicy: tp,
		ResourceMustAllow: true, Context: map[string][]string{"aws:sourcearn": {t.ARN}, "aws:sourceaccount": {t.Account}}})
	if err != nil {
		return auth.Principal{}, err
	}
	if !d.Allowed() {
		return auth.Principal{}, errFeedbackTrust
	}
	return auth.Principal{
		Type: auth.AssumedRole, Account: account, UserName: feedbackSession,
		ARN:     "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + feedbackSession,
		UserID:  id + ":" + feedbackSession,
		Session: &auth.Session{Op: "AssumeRole", Issued: now, Expires: now.Add(time.Hour), IssuerARN: role},
	}, nil
}

// sqsResponse is an SQS delivery's providerResponse and statusCode. A queue that
// refuses SNS is reported as missing, as SQS answers a sender it does not let in
// (recorded, 2026: managed_feedback.json, permanent-denied-targets: the queue's
// policy refused and the log reads AWS.SimpleQueueService.NonExistentQueue, 400);
// a queue that does not exist is inferred to read alike.
func sqsResponse(messageID string, err error) (string, int) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err == nil {
		enc.Encode(struct {
			RequestID string `json:"sqsRequestId"`
			MessageID string `json:"sqsMessageId"`
		}{auth.NewUUID(), messageID})
		return strings.TrimSuffix(b.String(), "\n"), 200
	}
	code, msg, status := "InternalError", err.Error(), 500
	var me *model.Error
	if errors.As(err, &me) {
		code, msg, status = me.Code, me.Message, me.Status
		if code == "AccessDenied" || code == "QueueDoesNotExist" || code == "AWS.SimpleQueueService.NonExistentQueue" {
			code, msg, status = "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist or you do not have access to it.", 400
		}
	}
	enc.Encode(struct {
		ErrorCode    string `json:"ErrorCode"`
		ErrorMessage string `json:"ErrorMessage"`
		RequestID    string `json:"sqsRequestId"`
	}{code, msg, "Unrecoverable"})
	return strings.TrimSuffix(b.String(), "\n"), status
}

// logDelivery writes the status log of an HTTP/HTTPS attempt from the outbox,
// notifications and confirmations alike (recorded, 2026: external_feedback.json,
// where confirmations carry no messageMD5Sum nor redrivePolicy). An answer SNS does
// not retry is a SUCCESS whatever its code (recorded: 400 "Bad Request" and 302
// "Found" logged SUCCESS), one it retries (5xx, 429) a FAILURE; providerResponse is
// the answer's reason phrase. An attempt without an answer is a FAILURE with the
// error as providerResponse and no statusCode (inferred).
func (s *SNS) logDelivery(tx *store.Tx, d *delivery, err error, ans httpAnswer, now time.Time) {
	if s.d.Logs == nil || (d.Protocol != "http" && d.Protocol != "https") {
		return
	}
	t := topicRef{ARN: topicARN(d.Region, d.Account, d.Topic), Region: d.Region, Account: d.Account, Name: d.Topic}
	sent := d.Sent
	if sent == 0 {
		sent = d.Due
	}
	a := &attemptLog{topic: t, protocol: d.Protocol, messageID: d.MessageID, published: time.UnixMilli(sent), destination: d.Endpoint,
		response: ans.reason, statusCode: ans.code, attempts: d.Attempt,
		success: ans.code != 0 && (err == nil || errors.Is(err, errPermanent))}
	if ans.code == 0 && err != nil {
		a.response = err.Error()
	}
	if d.Kind == "Notification" {
		a.md5 = d.MD5
		if sub, err := loadSub(tx, t, d.Sub); err == nil && sub != nil {
			a.redrive = sub.Attributes["RedrivePolicy"]
		}
	}
	s.logAttempt(tx, nil, a, now)
}
