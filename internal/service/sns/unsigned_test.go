package sns_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

// get fetches u as a receiver of SNS's messages does: a plain GET, no credentials.
func get(t *testing.T, u string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// records returns the CloudTrail records of the event log, oldest first.
func (e *env) records() []audit.Record {
	e.Helper()
	var out []audit.Record
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(ev *store.Event) bool {
			if ev.Source != audit.Source {
				return true
			}
			var r audit.Record
			if err := json.Unmarshal(ev.Data, &r); err != nil {
				e.Errorf("record: %v", err)
			}
			out = append(out, r)
			return true
		})
	})
	if err != nil {
		e.Fatal(err)
	}
	return out
}

// eventNames counts the CloudTrail records of the event log by event name.
func (e *env) eventNames() map[string]int {
	e.Helper()
	out := map[string]int{}
	for _, r := range e.records() {
		out[r.EventName]++
	}
	return out
}

func (e *env) subAttrs(sub string) map[string]string {
	e.Helper()
	return apptest.Must(e.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})).Attributes
}

func (e *env) subCount(topic string) int {
	e.Helper()
	return len(apptest.Must(e.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})).Subscriptions)
}

// A receiver confirms by visiting the SubscribeURL, and leaves by visiting the
// UnsubscribeURL, without credentials, as on AWS: the token and the subscription ARN
// are the proof, and CloudTrail records neither call ("When you are not logged in to
// Amazon Web Services (unauthenticated mode) and either the ConfirmSubscription or
// Unsubscribe actions are invoked, then they will not be logged to CloudTrail.").
func TestSubscribeAndUnsubscribeURLsUnsigned(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("t", nil)
	r := newReceiver(t)
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r.srv.URL + "/hook")}))
	conf := r.wait(t, 1)[0]
	subscribeURL := conf["SubscribeURL"]
	if !strings.HasPrefix(subscribeURL, e.p.URL+"/?Action=ConfirmSubscription&") {
		t.Fatalf("SubscribeURL %s", subscribeURL)
	}

	// A wrong token confirms nothing: SNS's error, in SNS's XML.
	wrong := strings.Replace(subscribeURL, "Token="+conf["Token"], "Token="+strings.Repeat("ab", 128), 1)
	status, body := get(t, wrong)
	if status != 400 || !strings.Contains(body, "<Code>InvalidParameter</Code>") || !strings.Contains(body, "<Message>Invalid parameter: Token</Message>") {
		t.Fatalf("wrong token: %d %s", status, body)
	}
	pending := apptest.Must(e.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})).Subscriptions
	if len(pending) != 1 || aws.ToString(pending[0].SubscriptionArn) != "PendingConfirmation" {
		t.Fatalf("confirmed by a wrong token: %+v", pending)
	}

	status, body = get(t, subscribeURL)
	var confirmed struct {
		XMLName xml.Name `xml:"ConfirmSubscriptionResponse"`
		Result  struct {
			SubscriptionArn string
		} `xml:"ConfirmSubscriptionResult"`
	}
	if status != 200 || xml.Unmarshal([]byte(body), &confirmed) != nil || !strings.HasPrefix(confirmed.Result.SubscriptionArn, topic+":") {
		t.Fatalf("SubscribeURL: %d %s", status, body)
	}
	sub := confirmed.Result.SubscriptionArn
	if a := e.subAttrs(sub); a["PendingConfirmation"] != "false" || a["ConfirmationWasAuthenticated"] != "false" {
		t.Fatalf("after the SubscribeURL: %v", a)
	}
	if n := e.eventNames(); n["ConfirmSubscription"] != 0 || n["Subscribe"] != 1 {
		t.Fatalf("records %v: want Subscribe's, no ConfirmSubscription's", n)
	}

	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello")}))
	n := r.wait(t, 2)[1]
	if n["Type"] != "Notification" || n["UnsubscribeURL"] != e.p.URL+"/?Action=Unsubscribe&SubscriptionArn="+sub {
		t.Fatalf("notification %v", n)
	}
	status, body = get(t, n["UnsubscribeURL"])
	if status != 200 || !strings.Contains(body, "<UnsubscribeResponse") {
		t.Fatalf("UnsubscribeURL: %d %s", status, body)
	}
	if c := e.subCount(topic); c != 0 {
		t.Fatalf("%d subscriptions after the UnsubscribeURL", c)
	}
	if u := r.wait(t, 3)[2]; u["Type"] != "UnsubscribeConfirmation" {
		t.Fatalf("after unsubscribing: %v", u)
	}
	if n := e.eventNames(); n["ConfirmSubscription"] != 0 || n["Unsubscribe"] != 0 {
		t.Fatalf("unsigned calls recorded: %v", n)
	}
}

// A subscription confirmed by a signed ConfirmSubscription with
// AuthenticateOnUnsubscribe=true may be unsubscribed only by a signed Unsubscribe;
// the flag on an unsigned confirmation counts for nothing (AWS: "If the value of this
// parameter is true and the request has an Amazon Web Services signature").
func TestAuthenticateOnUnsubscribe(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("t", nil)
	r := newReceiver(t)
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r.srv.URL + "/hook")}))
	conf := r.wait(t, 1)[0]
	sub := aws.ToString(apptest.Must(e.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic),
		Token: aws.String(conf["Token"]), AuthenticateOnUnsubscribe: aws.String("true")})).SubscriptionArn)
	if a := e.subAttrs(sub); a["ConfirmationWasAuthenticated"] != "true" {
		t.Fatalf("signed confirmation: %v", a)
	}
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello")}))
	n := r.wait(t, 2)[1]
	status, body := get(t, n["UnsubscribeURL"])
	if status != 403 || !strings.Contains(body, "<Code>AuthorizationError</Code>") ||
		!strings.Contains(body, "<Message>This subscription may only be deleted by an authorized user.</Message>") {
		t.Fatalf("unsigned Unsubscribe of an AuthenticateOnUnsubscribe subscription: %d %s", status, body)
	}
	if c := e.subCount(topic); c != 1 {
		t.Fatalf("%d subscriptions after a refused Unsubscribe", c)
	}
	if n := e.eventNames(); n["ConfirmSubscription"] != 1 || n["Unsubscribe"] != 0 {
		t.Fatalf("records %v: want the signed ConfirmSubscription's only", n)
	}
	// A signed Unsubscribe still works, and is recorded.
	apptest.Must(e.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(sub)}))
	if c := e.subCount(topic); c != 0 {
		t.Fatalf("%d subscriptions after a signed Unsubscribe", c)
	}
	if n := e.eventNames(); n["Unsubscribe"] != 1 {
		t.Fatalf("records %v: want the signed Unsubscribe's", n)
	}

	// An unsigned confirmation cannot ask for it: SNS refuses it and the
	// subscription stays pending (recorded in 2026, radkawar/stackd
	// testdata/aws/sns/http_delivery.json unsigned_authenticated_confirm).
	r2 := newReceiver(t)
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r2.srv.URL + "/hook")}))
	conf = r2.wait(t, 1)[0]
	if status, body := get(t, conf["SubscribeURL"]+"&AuthenticateOnUnsubscribe=true"); status != 403 ||
		!strings.Contains(body, "<Message>To disallow anonymous unsubscription, subscriber and confirmer IDs must match</Message>") {
		t.Fatalf("unsigned confirmation asking for authenticated unsubscription: %d %s", status, body)
	}
	if status, body := get(t, conf["SubscribeURL"]); status != 200 {
		t.Fatalf("unsigned confirmation: %d %s", status, body)
	}
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("again")}))
	n = r2.wait(t, 2)[1]
	if status, body := get(t, n["UnsubscribeURL"]); status != 200 {
		t.Fatalf("unsigned Unsubscribe after an unsigned confirmation: %d %s", status, body)
	}
	if c := e.subCount(topic); c != 0 {
		t.Fatalf("%d subscriptions", c)
	}
}

// Only ConfirmSubscription and Unsubscribe are served unsigned: any other action
// without a signature is refused as before (S3's anonymous AccessDenied), and a
// request with a malformed signature is not served as anonymous.
func TestOtherActionsStayUnservedUnsigned(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("t", nil)
	qurl, qarn := e.queueFor("q", topic, true)
	e.subscribe(topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})

	status, body := get(t, e.p.URL+"/?Action=Publish&TopicArn="+url.QueryEscape(topic)+"&Message=x")
	if status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Fatalf("unsigned Publish: %d %s", status, body)
	}
	status, body = get(t, e.p.URL+"/?Action=ListTopics")
	if status != 403 || strings.Contains(body, "ListTopicsResponse") || strings.Contains(body, topic) {
		t.Fatalf("unsigned ListTopics: %d %s", status, body)
	}
	if msgs := e.drain(qurl); len(msgs) != 0 {
		t.Fatalf("an unsigned Publish delivered %d messages", len(msgs))
	}
	if n := e.eventNames(); n["Publish"] != 0 || n["ListTopics"] != 0 {
		t.Fatalf("records %v", n)
	}

	// A SubscribeURL fetched with a malformed Authorization header is not anonymous.
	r := newReceiver(t)
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r.srv.URL + "/hook")}))
	conf := r.wait(t, 1)[0]
	if status, body := get(t, conf["SubscribeURL"], "Authorization", "Bearer x"); status == 200 {
		t.Fatalf("malformed signature served: %d %s", status, body)
	}
	subs := apptest.Must(e.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})).Subscriptions
	for _, s := range subs {
		if aws.ToString(s.Protocol) == "http" && aws.ToString(s.SubscriptionArn) != "PendingConfirmation" {
			t.Fatalf("confirmed with a malformed signature: %+v", s)
		}
	}

	// The setup delivers: a signed Publish reaches the queue.
	apptest.Must(e.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("signed")}))
	if msgs := e.drain(qurl); len(msgs) != 1 || aws.ToString(msgs[0].Body) != "signed" {
		t.Fatalf("signed Publish: %+v", msgs)
	}
}
