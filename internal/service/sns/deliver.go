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
}

func (d *delivery) key() string { return fmt.Sprintf("%016d.%s", d.Due, d.ID) }

func enqueue(tx *store.Tx, d *delivery) error {
	if d.ID == "" {
		d.ID = auth.NewUUID()
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

// parseDeliveryPolicy reads a topic's ({"http":{"defaultHealthyRetryPolicy":...}}) or
// a subscription's ({"healthyRetryPolicy":...}) delivery policy.
func parseDeliveryPolicy(src string) (retryPolicy, error) {
	var doc struct {
		HTTP *struct {
			Default *retryPolicy `json:"defaultHealthyRetryPolicy"`
		} `json:"http"`
		Healthy *retryPolicy `json:"healthyRetryPolicy"`
	}
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		return retryPolicy{}, errors.New("not valid JSON")
	}
	p := defaultRetry
	switch {
	case doc.Healthy != nil:
		p = *doc.Healthy
	case doc.HTTP != nil && doc.HTTP.Default != nil:
		p = *doc.HTTP.Default
	}
	if err := p.check(); err != nil {
		return retryPolicy{}, err
	}
	return p, nil
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
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i, d := range due {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[i] = s.attempt(ctx, d)
			}()
		}
		wg.Wait()
		err = s.d.Store.Update(ctx, func(tx *store.Tx) error {
			for i, d := range due {
				if _, err := tx.Delete(outboxNS, d.key()); err != nil {
					return err
				}
				if results[i] == nil || errors.Is(results[i], errGone) {
					continue
				}
				policy := s.retryPolicy(tx, d)
				if d.Attempt >= policy.NumRetries {
					s.d.Logger.Warn("sns: delivery failed for good", "endpoint", d.Endpoint, "message", d.MessageID, "attempts", d.Attempt+1, "err", results[i])
					continue
				}
				retry := *d
				retry.Due = s.d.Clock.Now().Add(policy.delay(d.Attempt)).UnixMilli()
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

// errGone is a delivery whose subscription no longer exists: dropped, not retried.
var errGone = errors.New("subscription deleted")

// retryPolicy is the policy that applies to a delivery: the subscription's, else the
// topic's, else SNS's default. Email is retried as HTTP's default.
func (s *SNS) retryPolicy(tx *store.Tx, d *delivery) retryPolicy {
	t := topicRef{Region: d.Region, Account: d.Account, Name: d.Topic}
	if sub, err := loadSub(tx, t, d.Sub); err == nil && sub != nil && sub.Attributes["DeliveryPolicy"] != "" {
		if p, err := parseDeliveryPolicy(sub.Attributes["DeliveryPolicy"]); err == nil {
			return p
		}
	}
	if topic, err := loadTopic(tx, t); err == nil && topic != nil && topic.Attributes["DeliveryPolicy"] != "" {
		if p, err := parseDeliveryPolicy(topic.Attributes["DeliveryPolicy"]); err == nil {
			return p
		}
	}
	return defaultRetry
}

// attempt sends one delivery.
func (s *SNS) attempt(ctx context.Context, d *delivery) error {
	t := topicRef{ARN: topicARN(d.Region, d.Account, d.Topic), Region: d.Region, Account: d.Account, Name: d.Topic}
	var sub *subRec
	err := s.d.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		sub, err = loadSub(tx, t, d.Sub)
		return err
	})
	if err != nil {
		return err
	}
	if sub == nil {
		return errGone
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
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", d.Kind)
	h.Set("x-amz-sns-message-id", d.MessageID)
	h.Set("x-amz-sns-topic-arn", t.ARN)
	if d.Kind == "Notification" {
		h.Set("x-amz-sns-subscription-arn", sub.arn(t.Region, t.Account))
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
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
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
