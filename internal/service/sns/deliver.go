package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
)

// outboxNS holds deliveries to HTTP, HTTPS and email endpoints waiting to be sent,
// across accounts: due time (Palisade's clock, ms) . ID → delivery.
var outboxNS = store.NS("sns", "outbox")

// delivery is one message on its way to one endpoint.
type delivery struct {
	ID        string `json:"id"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Sub       string `json:"sub"`
	Topic     string `json:"topic"`
	Protocol  string `json:"protocol"`
	Endpoint  string `json:"endpoint"`
	Kind      string `json:"kind"` // Notification, SubscriptionConfirmation
	MessageID string `json:"messageId"`
	Subject   string `json:"subject,omitempty"`
	Body      string `json:"body"`
	Raw       bool   `json:"raw,omitempty"`
	Attempt   int    `json:"attempt"`
	Due       int64  `json:"due"`
	// For a topic with SSE-KMS, Body and Subject are empty: Sealed and SealedSubject
	// hold them encrypted under the data key whose KMS blob is DataKey, and HeldKey is
	// SNS's own copy of that key (sse.go).
	Sealed        []byte `json:"sealed,omitempty"`
	SealedSubject []byte `json:"sealedSubject,omitempty"`
	DataKey       []byte `json:"dataKey,omitempty"`
	HeldKey       []byte `json:"heldKey,omitempty"`
	// Publisher (its session apart: auth.Principal does not keep it in JSON),
	// KeyContext and Published (ms) are whose data key DataKey is, under which
	// encryption context, since when: recheckKey's (sse.go).
	Publisher        *auth.Principal   `json:"publisher,omitempty"`
	PublisherSession *auth.Session     `json:"publisherSession,omitempty"`
	KeyContext       map[string]string `json:"keyContext,omitempty"`
	Published        int64             `json:"published,omitempty"`
	// Sent (ms) is when the message was published or the confirmation made, and MD5
	// the hex MD5 of a notification's message: its delivery-status logs' timestamp
	// and messageMD5Sum (feedback.go).
	Sent int64  `json:"sent,omitempty"`
	MD5  string `json:"md5,omitempty"`
}

func (d *delivery) key() string { return fmt.Sprintf("%016d.%s", d.Due, d.ID) }

func enqueue(tx *store.Tx, d *delivery) error {
	if d.ID == "" {
		d.ID = auth.NewUUID()
	}
	if d.Sent == 0 {
		d.Sent = d.Due
	}
	return tx.PutJSON(outboxNS, d.key(), d)
}

func (s *SNS) wakeDelivery() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// retryPolicy is a delivery policy's healthyRetryPolicy.
type retryPolicy struct {
	MinDelayTarget     int `json:"minDelayTarget"`
	MaxDelayTarget     int `json:"maxDelayTarget"`
	NumRetries         int `json:"numRetries"`
	NumMaxDelayRetries int `json:"numMaxDelayRetries"`
	NumNoDelayRetries  int `json:"numNoDelayRetries"`
	NumMinDelayRetries int `json:"numMinDelayRetries"`
}

// defaultRetry is SNS's default for HTTP/HTTPS: three retries twenty seconds apart.
var defaultRetry = retryPolicy{MinDelayTarget: 20, MaxDelayTarget: 20, NumRetries: 3}

// deliveryPolicyDoc is a topic's ({"http":{"defaultHealthyRetryPolicy":...,
// "disableSubscriptionOverrides":...,"defaultRequestPolicy":...}}) or a
// subscription's ({"healthyRetryPolicy":...,"requestPolicy":...}) delivery policy.
type deliveryPolicyDoc struct {
	HTTP *struct {
		Default          *retryPolicy   `json:"defaultHealthyRetryPolicy"`
		DisableOverrides bool           `json:"disableSubscriptionOverrides"`
		Request          *requestPolicy `json:"defaultRequestPolicy"`
	} `json:"http"`
	Healthy *retryPolicy   `json:"healthyRetryPolicy"`
	Request *requestPolicy `json:"requestPolicy"`
}

// requestPolicy is a delivery policy's requestPolicy: the Content-Type SNS sends
// HTTP/HTTPS deliveries with.
type requestPolicy struct {
	HeaderContentType string `json:"headerContentType"`
}

func (d *deliveryPolicyDoc) retry() *retryPolicy {
	if d.Healthy != nil {
		return d.Healthy
	}
	if d.HTTP != nil {
		return d.HTTP.Default
	}
	return nil
}

func (d *deliveryPolicyDoc) contentType() string {
	switch {
	case d.Request != nil:
		return d.Request.HeaderContentType
	case d.HTTP != nil && d.HTTP.Request != nil:
		return d.HTTP.Request.HeaderContentType
	}
	return ""
}

// parseDeliveryPolicy reads a topic's or a subscription's delivery policy and returns
// its retry policy (SNS's default where it names none).
func parseDeliveryPolicy(src string) (retryPolicy, error) {
	doc, err := readDeliveryPolicy(src)
	if err != nil {
		return retryPolicy{}, err
	}
	var given struct {
		Healthy map[string]json.RawMessage `json:"healthyRetryPolicy"`
		HTTP    struct {
			Default map[string]json.RawMessage `json:"defaultHealthyRetryPolicy"`
		} `json:"http"`
	}
	json.Unmarshal([]byte(src), &given)
	for _, m := range []map[string]json.RawMessage{given.Healthy, given.HTTP.Default} {
		if _, ok := m["minDelayTarget"]; m != nil && !ok {
			// Recorded for a subscription's incomplete healthyRetryPolicy.
			return retryPolicy{}, errors.New("healthyRetryPolicy.minDelayTarget must be specified")
		}
	}
	p := defaultRetry
	if r := doc.retry(); r != nil {
		p = *r
	}
	if err := p.check(); err != nil {
		return retryPolicy{}, err
	}
	return p, nil
}

func readDeliveryPolicy(src string) (*deliveryPolicyDoc, error) {
	doc := &deliveryPolicyDoc{}
	if err := json.Unmarshal([]byte(src), doc); err != nil {
		return nil, errors.New("not valid JSON")
	}
	return doc, nil
}

// check applies SNS's bounds to a healthyRetryPolicy, field by field. AWS words a
// refusal "healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"
// (recorded, awsdocs/amazon-sns-developer-guide#5); the other fields' wordings follow
// it (inferred). The phase counts must not be negative nor add up to more than
// numRetries: delay reads them as phases of numRetries, and a negative or
// overflowing count scheduled retries beyond maxDelayTarget or in the past.
func (p retryPolicy) check() error {
	atLeast := func(field string, v, n int) error {
		if v < n {
			return fmt.Errorf("healthyRetryPolicy.%s must be greater than or equal to %d", field, n)
		}
		return nil
	}
	atMost := func(field string, v, n int) error {
		if v > n {
			return fmt.Errorf("healthyRetryPolicy.%s must be less than or equal to %d", field, n)
		}
		return nil
	}
	for _, err := range []error{
		atLeast("minDelayTarget", p.MinDelayTarget, 1),
		atMost("maxDelayTarget", p.MaxDelayTarget, 3600),
		atLeast("maxDelayTarget", p.MaxDelayTarget, p.MinDelayTarget),
		atLeast("numRetries", p.NumRetries, 0),
		atMost("numRetries", p.NumRetries, 100),
		atLeast("numNoDelayRetries", p.NumNoDelayRetries, 0),
		atLeast("numMinDelayRetries", p.NumMinDelayRetries, 0),
		atLeast("numMaxDelayRetries", p.NumMaxDelayRetries, 0),
	} {
		if err != nil {
			return err
		}
	}
	// Each count is now 0 to anything; compare without adding, so that huge counts
	// cannot overflow into a small sum.
	rest := p.NumRetries
	for _, n := range []int{p.NumNoDelayRetries, p.NumMinDelayRetries, p.NumMaxDelayRetries} {
		if n > rest {
			return errors.New("healthyRetryPolicy.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries")
		}
		rest -= n
	}
	return nil
}

// delay is how long to wait before retry number i (0-based).
func (p retryPolicy) delay(i int) time.Duration {
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	switch {
	case i < p.NumNoDelayRetries:
		return 0
	case i < p.NumNoDelayRetries+p.NumMinDelayRetries:
		return sec(p.MinDelayTarget)
	case i >= p.NumRetries-p.NumMaxDelayRetries:
		return sec(p.MaxDelayTarget)
	}
	backoff := p.NumRetries - p.NumNoDelayRetries - p.NumMinDelayRetries - p.NumMaxDelayRetries
	k := i - p.NumNoDelayRetries - p.NumMinDelayRetries
	if backoff <= 1 {
		return sec(p.MinDelayTarget)
	}
	return sec(p.MinDelayTarget + (p.MaxDelayTarget-p.MinDelayTarget)*k/(backoff-1))
}

// deliverLoop sends due deliveries until ctx ends, waking on new deliveries, clock
// advances and the next due time.
func (s *SNS) deliverLoop(ctx context.Context) {
	for {
		changed := s.d.Clock.Changed()
		next := s.deliverDue(ctx)
		wait := time.Minute
		if next > 0 {
			wait = min(wait, max(10*time.Millisecond, time.Duration(next-s.d.Clock.Now().UnixMilli())*time.Millisecond))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

const deliveryBatch = 64

// deliverDue sends what is due and returns the due time of the next delivery (0 for
// none).
func (s *SNS) deliverDue(ctx context.Context) int64 {
	for ctx.Err() == nil {
		now := s.d.Clock.Now().UnixMilli()
		var due []*delivery
		var next int64
		err := s.d.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(outboxNS, "", 0, func(k string, v []byte) bool {
				d := &delivery{}
				if decode(v, d) != nil {
					return true
				}
				if d.Due > now {
					next = d.Due
					return false
				}
				due = append(due, d)
				return len(due) < deliveryBatch
			})
		})
		if err != nil {
			if ctx.Err() == nil {
				s.d.Logger.Error("sns: read outbox", "err", err)
			}
			return 0
		}
		if len(due) == 0 {
			return next
		}
		results := make([]error, len(due))
		answers := make([]httpAnswer, len(due))
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i, d := range due {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[i] = s.attempt(ctx, d, &answers[i])
			}()
		}
		wg.Wait()
		err = s.d.Store.Update(ctx, func(tx *store.Tx) error {
			for i, d := range due {
				if _, err := tx.Delete(outboxNS, d.key()); err != nil {
					return err
				}
				if errors.Is(results[i], errGone) {
					continue
				}
				s.deliveryOutcome(tx, d, results[i], time.UnixMilli(now))
				s.logDelivery(tx, d, results[i], answers[i], time.UnixMilli(now))
				if results[i] == nil {
					continue
				}
				if errors.Is(results[i], errPermanent) {
					s.d.Logger.Warn("sns: delivery refused for good", "endpoint", d.Endpoint, "message", d.MessageID, "attempts", d.Attempt+1, "err", results[i])
					continue
				}
				policy := s.retryPolicy(tx, d)
				if d.Attempt >= policy.NumRetries {
					s.d.Logger.Warn("sns: delivery failed for good", "endpoint", d.Endpoint, "message", d.MessageID, "attempts", d.Attempt+1, "err", results[i])
					s.redrive(tx, d, time.UnixMilli(now))
					continue
				}
				// The delay runs from the attempt, not from this commit: a clock advanced
				// while the endpoint answered must not push the retry past it.
				retry := *d
				retry.Due = now + policy.delay(d.Attempt).Milliseconds()
				retry.Attempt++
				if err := enqueue(tx, &retry); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			if ctx.Err() == nil {
				s.d.Logger.Error("sns: update outbox", "err", err)
			}
			return 0
		}
	}
	return 0
}

// redrive sends a notification an HTTP/S endpoint kept failing through its retry
// policy to the subscription's dead-letter queue, as it would have been delivered
// (the signed envelope, or the raw message), counting RedrivenToDlq or
// FailedToRedriveToDlq in the last attempt's minute (recorded, 2026:
// sns/http_metrics.json: the 503 subscription's notification reached the DLQ after
// its retry; the 400's, refused for good, and the confirmations did not).
func (s *SNS) redrive(tx *store.Tx, d *delivery, now time.Time) {
	if d.Kind != "Notification" || (d.Protocol != "http" && d.Protocol != "https") {
		return
	}
	t := topicRef{ARN: topicARN(d.Region, d.Account, d.Topic), Region: d.Region, Account: d.Account, Name: d.Topic}
	sub, err := loadSub(tx, t, d.Sub)
	if err != nil || sub == nil {
		return
	}
	dlq := deadLetterTarget(sub)
	if dlq == "" {
		return
	}
	err = tx.Savepoint(func() error {
		if s.d.Queues == nil {
			return fmt.Errorf("SQS is not available")
		}
		open, err := s.open(d, t.ARN)
		if err != nil {
			return err
		}
		_, err = s.d.Queues.SendFromTopic(tx, QueueMessage{QueueARN: dlq, TopicARN: t.ARN, Body: open.Body})
		return err
	})
	s.sample(tx, t, now, "NumberOfNotificationsRedrivenToDlq", b2f(err == nil))
	s.sample(tx, t, now, "NumberOfNotificationsFailedToRedriveToDlq", b2f(err != nil))
	if err != nil {
		s.d.Logger.Warn("sns: delivery to the dead-letter queue failed", "subscription", sub.arn(t.Region, t.Account), "err", err)
	}
}

// errGone is a delivery whose subscription no longer exists: dropped, not retried.
var errGone = errors.New("subscription deleted")

// retryPolicy is the retry policy that applies to a delivery (effectivePolicy).
func (s *SNS) retryPolicy(tx *store.Tx, d *delivery) retryPolicy {
	t := topicRef{Region: d.Region, Account: d.Account, Name: d.Topic}
	p, _ := s.effectivePolicy(tx, t, d.Protocol, d.Sub)
	return p
}

// smtpRetry is SNS's fixed policy for email ("SMTP" in "Amazon SNS message delivery
// retries"): 2 retries 10 s apart, 10 with backoff from 10 s to 600 s, then 38 retries
// 600 s apart — 50 in all, over about 6 hours. Delivery policies apply to HTTP/HTTPS
// only.
var smtpRetry = retryPolicy{MinDelayTarget: 10, MaxDelayTarget: 600, NumRetries: 50, NumMinDelayRetries: 2, NumMaxDelayRetries: 38}

// defaultContentType is the Content-Type of HTTP/HTTPS deliveries without a request
// policy.
const defaultContentType = "text/plain; charset=UTF-8"

// effectivePolicy is the retry policy and Content-Type that apply to a delivery to a
// subscription: the subscription's delivery policy, else the topic's, else SNS's
// defaults; a topic whose policy sets disableSubscriptionOverrides applies its own to
// every subscription ("Amazon SNS message delivery retries"; AWS's
// set-topic-attributes-delivery-policy-json). Email is retried as SNS retries SMTP.
func (s *SNS) effectivePolicy(tx *store.Tx, t topicRef, protocol, subID string) (retryPolicy, string) {
	if protocol != "http" && protocol != "https" {
		return smtpRetry, defaultContentType
	}
	var topicDoc, subDoc *deliveryPolicyDoc
	if topic, err := loadTopic(tx, t); err == nil && topic != nil && topic.Attributes["DeliveryPolicy"] != "" {
		topicDoc, _ = readDeliveryPolicy(topic.Attributes["DeliveryPolicy"])
	}
	if topicDoc == nil || topicDoc.HTTP == nil || !topicDoc.HTTP.DisableOverrides {
		if sub, err := loadSub(tx, t, subID); err == nil && sub != nil && sub.Attributes["DeliveryPolicy"] != "" {
			subDoc, _ = readDeliveryPolicy(sub.Attributes["DeliveryPolicy"])
		}
	}
	retry, contentType := defaultRetry, defaultContentType
	for _, doc := range []*deliveryPolicyDoc{topicDoc, subDoc} {
		if doc == nil {
			continue
		}
		if r := doc.retry(); r != nil && r.check() == nil {
			retry = *r
		}
		if ct := doc.contentType(); ct != "" {
			contentType = ct
		}
	}
	return retry, contentType
}

// subscriptionDeliveryPolicy is an HTTP/HTTPS subscription's EffectiveDeliveryPolicy
// as SNS writes it (recorded: {"healthyRetryPolicy":{…},"sicklyRetryPolicy":null,
// "throttlePolicy":null,"requestPolicy":{"headerContentType":…},"guaranteed":false}).
func subscriptionDeliveryPolicy(p retryPolicy, contentType string) string {
	return fmt.Sprintf(`{"healthyRetryPolicy":{"minDelayTarget":%d,"maxDelayTarget":%d,"numRetries":%d,"numMaxDelayRetries":%d,"numNoDelayRetries":%d,"numMinDelayRetries":%d,"backoffFunction":"linear"},`+
		`"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":%s},"guaranteed":false}`,
		p.MinDelayTarget, p.MaxDelayTarget, p.NumRetries, p.NumMaxDelayRetries, p.NumNoDelayRetries, p.NumMinDelayRetries, jsonString(contentType))
}

// errPermanent is a delivery the endpoint refused for good: SNS retries only 5xx
// answers, 429 and failures to get an answer; "all other errors are considered as
// permanent failures and retries will not be attempted" ("Amazon SNS message delivery
// retries").
var errPermanent = errors.New("permanent delivery failure")

// httpAnswer is an HTTP/HTTPS endpoint's answer to an attempt: its status code and
// reason phrase; code 0 when there was none.
type httpAnswer struct {
	code   int
	reason string
}

// attempt sends one delivery, setting ans to the endpoint's answer.
func (s *SNS) attempt(ctx context.Context, d *delivery, ans *httpAnswer) error {
	t := topicRef{ARN: topicARN(d.Region, d.Account, d.Topic), Region: d.Region, Account: d.Account, Name: d.Topic}
	var sub *subRec
	contentType := defaultContentType
	err := s.d.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		if sub, err = loadSub(tx, t, d.Sub); err != nil {
			return err
		}
		_, contentType = s.effectivePolicy(tx, t, d.Protocol, d.Sub)
		return nil
	})
	if err != nil {
		return err
	}
	subARN := t.ARN + ":" + d.Sub
	if sub == nil && d.Kind != kindUnsubscribeConfirmation {
		return errGone
	}
	if err := s.recheckKey(ctx, d); err != nil {
		return err
	}
	if d, err = s.open(d, t.ARN); err != nil {
		return err
	}
	switch d.Protocol {
	case "email", "email-json":
		return s.writeEmail(d, t, sub)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint, strings.NewReader(d.Body))
	if err != nil {
		return err
	}
	h := req.Header
	if d.Kind != "Notification" {
		// The request policy names "the content type of the notification" (inferred:
		// confirmations keep SNS's default).
		contentType = defaultContentType
	}
	h.Set("Content-Type", contentType)
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", d.Kind)
	h.Set("x-amz-sns-message-id", d.MessageID)
	h.Set("x-amz-sns-topic-arn", t.ARN)
	if d.Kind != "SubscriptionConfirmation" {
		h.Set("x-amz-sns-subscription-arn", subARN)
	}
	if d.Raw {
		h.Set("x-amz-sns-rawdelivery", "true")
	}
	resp, err := s.d.Client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	ans.code = resp.StatusCode
	ans.reason = strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" ")
	if ans.reason == "" || ans.reason == resp.Status {
		ans.reason = http.StatusText(resp.StatusCode)
	}
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return nil
	case code >= 500 || code == http.StatusTooManyRequests:
		return fmt.Errorf("endpoint answered %s", resp.Status)
	default:
		return fmt.Errorf("endpoint answered %s: %w", resp.Status, errPermanent)
	}
}

// writeEmail writes an email delivery to the outbox directory as an RFC 5322
// message: <data-dir>/outbox/<time>-<message ID>.eml.
func (s *SNS) writeEmail(d *delivery, t topicRef, sub *subRec) error {
	if s.d.OutboxDir == "" {
		return errors.New("no outbox directory")
	}
	if err := os.MkdirAll(s.d.OutboxDir, 0o700); err != nil {
		return err
	}
	subject := d.Subject
	if subject == "" {
		subject = "AWS Notification Message"
	}
	now := s.d.Clock.Now()
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", "AWS Notifications <no-reply@sns.amazonaws.com>")
	header("To", sub.Endpoint)
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+d.MessageID+"@sns.amazonaws.com>")
	header("MIME-Version", "1.0")
	if d.Protocol == "email-json" {
		header("Content-Type", "application/json; charset=UTF-8")
	} else {
		header("Content-Type", "text/plain; charset=UTF-8")
	}
	header("Content-Transfer-Encoding", "8bit")
	header("X-Amz-Sns-Message-Type", d.Kind)
	header("X-Amz-Sns-Message-Id", d.MessageID)
	header("X-Amz-Sns-Topic-Arn", t.ARN)
	if d.Kind == "SubscriptionConfirmation" {
		header("X-Amz-Sns-Confirmation-Token", sub.Token)
	}
	b.WriteString("\r\n")
	body := d.Body
	if d.Protocol == "email" && d.Kind == "Notification" {
		body += "\n\n--\nIf you wish to stop receiving notifications from this topic, call Unsubscribe with the subscription ARN:\n" +
			sub.arn(t.Region, t.Account) + "\n"
	}
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	name := fmt.Sprintf("%s-%s.eml", now.UTC().Format("20060102T150405.000Z"), d.MessageID)
	tmp, err := os.CreateTemp(s.d.OutboxDir, ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(s.d.OutboxDir, name))
}
