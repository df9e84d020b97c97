package sns

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	api "github.com/palisade/palisade/internal/api/sns"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/svckit"
)

func (s *SNS) subscriptionHandlers() []server.Handler {
	return []server.Handler{
		server.Write("Subscribe", s.subscribe),
		server.Write("ConfirmSubscription", s.confirmSubscription),
		server.Write("Unsubscribe", s.unsubscribe),
		server.Read("ListSubscriptions", s.listSubscriptions),
		server.Read("ListSubscriptionsByTopic", s.listSubscriptionsByTopic),
		server.Read("GetSubscriptionAttributes", s.getSubscriptionAttributes),
		server.Write("SetSubscriptionAttributes", s.setSubscriptionAttributes),
	}
}

var protocols = map[string]bool{"http": true, "https": true, "email": true, "email-json": true, "sms": true, "sqs": true,
	"application": true, "lambda": true, "firehose": true}

var settableSubAttributes = map[string]bool{"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true,
	"RawMessageDelivery": true, "RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true}

// pendingARN is what SNS reports for a subscription not yet confirmed.
const (
	pendingARN  = "pending confirmation"
	pendingList = "PendingConfirmation"
)

func checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != protocol || u.Host == "" {
			return errParam("Invalid parameter: Endpoint must match the specified protocol")
		}
	case "sqs":
		if a, ok := svckit.ParseARN(endpoint); !ok || a.Service != "sqs" {
			return errParam("Invalid parameter: SQS endpoint ARN")
		}
	case "email", "email-json":
		if !strings.Contains(endpoint, "@") {
			return errParam("Invalid parameter: Email address")
		}
	}
	return nil
}

// subAttribute is the value SNS stores for a subscription attribute as given:
// RawMessageDelivery is taken in any case and stored in lower case.
func subAttribute(name, value string) string {
	if lv := strings.ToLower(value); name == "RawMessageDelivery" && (lv == "true" || lv == "false") {
		return lv
	}
	return value
}

// storedSubAttribute is a checked attribute's value as the subscription keeps it: a
// filter policy without the whitespace it was written with, its members in their
// order (recorded: GetSubscriptionAttributes reads it back so).
func storedSubAttribute(name, value string) string {
	if name == "FilterPolicy" {
		var b bytes.Buffer
		if json.Compact(&b, []byte(value)) == nil {
			return b.String()
		}
	}
	return value
}

// subAttributeDefaults are the values a subscription has for attributes never set;
// Subscribe compares attributes given again with these in place of absent ones.
var subAttributeDefaults = map[string]string{"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}

// checkSubAttribute validates one subscription attribute (as subAttribute stores it)
// for a protocol, with SetSubscriptionAttributes' wording; Subscribe's adds
// "Attributes Reason: " (subscribeError).
// kind says what dead-letter queue the subscription may name.
func checkSubAttribute(protocol, name, value string, attrs map[string]string, kind subKind) error {
	if !settableSubAttributes[name] {
		return errParam("Invalid parameter: AttributeName")
	}
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return errParam("Invalid parameter: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
		}
		if value == "true" && protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose" {
			return errParam("Invalid parameter: Delivery protocol [" + protocol + "] does not support raw message delivery.")
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return errParam("Invalid parameter: FilterPolicyScope: Invalid value [" + value + "]. Please use either MessageBody or MessageAttributes")
		}
	case "FilterPolicy":
		if value == "" {
			return nil
		}
		if _, err := parseFilterPolicy(value, attrs["FilterPolicyScope"] == "MessageBody"); err != nil {
			return filterPolicyError(err)
		}
	case "DeliveryPolicy":
		if _, err := parseDeliveryPolicy(value); err != nil {
			return errParam("Invalid parameter: DeliveryPolicy: " + err.Error())
		}
	case "RedrivePolicy":
		var rp struct{ DeadLetterTargetArn string }
		if json.Unmarshal([]byte(value), &rp) != nil {
			if msg, ok := jsonSyntaxError(value); ok {
				return errParam("Invalid parameter: RedrivePolicy: " + msg)
			}
			return errParam("Invalid parameter: RedrivePolicy: failed to parse JSON.")
		}
		if a, ok := svckit.ParseARN(rp.DeadLetterTargetArn); !ok || a.Service != "sqs" {
			return errParam("Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn")
		}
		switch fifoDLQ := strings.HasSuffix(rp.DeadLetterTargetArn, ".fifo"); {
		case kind == fifoToFIFO && !fifoDLQ:
			return errParam("Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
		case kind == standardToFIFO && fifoDLQ:
			// Recorded (fifo_redrive.json); a standard topic's subscription takes either.
			return errParam("Invalid parameter: RedrivePolicy: must use a Standard queue as DLQ for a Standard Subscription to a FIFO Topic.")
		}
	}
	return nil
}

// filterPolicyError words a filter policy's error as SNS does: a nested policy under
// the MessageAttributes scope on its own, the others after "FilterPolicy: ".
func filterPolicyError(err error) error {
	if msg := err.Error(); strings.HasPrefix(msg, "Filter policy scope") {
		return errParam("Invalid parameter: " + msg)
	}
	return errParam("Invalid parameter: FilterPolicy: " + err.Error())
}

// subscribeError is an attribute's error as Subscribe words it.
func subscribeError(err error) error {
	var me *model.Error
	if errors.As(err, &me) && me.Code == "InvalidParameter" {
		if rest, ok := strings.CutPrefix(me.Message, "Invalid parameter: "); ok {
			return errParam("Invalid parameter: Attributes Reason: " + rest)
		}
	}
	return err
}

// fifoSub reports whether a subscription of endpoint to t is a FIFO queue's to a
// FIFO topic (both names end in .fifo, as FIFO names must).
func fifoSub(t topicRef, endpoint string) subKind {
	switch {
	case !strings.HasSuffix(t.Name, ".fifo"):
		return standardTopic
	case strings.HasSuffix(endpoint, ".fifo"):
		return fifoToFIFO
	}
	return standardToFIFO
}

// subKind is what a subscription's dead-letter queue must be, by the kind of its
// topic and queue.
type subKind int

const (
	standardTopic  subKind = iota // any queue
	fifoToFIFO                    // a FIFO queue's subscription to a FIFO topic: a FIFO queue
	standardToFIFO                // a standard queue's subscription to a FIFO topic: a standard queue
)

// isHexToken reports whether tok has the form of SNS's confirmation tokens: a long
// run of hexadecimal digits.
func isHexToken(tok string) bool {
	if len(tok) < 64 {
		return false
	}
	_, err := hex.DecodeString(tok)
	return err == nil
}

func newToken() string {
	b := make([]byte, 128)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// otherAccountQueue reports whether an SQS endpoint names a queue of another account
// than account.
func otherAccountQueue(endpoint, account string) bool {
	a, ok := svckit.ParseARN(endpoint)
	return ok && a.Account != account
}

// subscriptionPrincipal is the SubscriptionPrincipal SNS reports: the subscriber's
// IAM identity, a role session as its role (recorded, 2026:
// cross_account_confirmation.json: arn:aws:iam::917546008205:role/OrganizationAccountAccessRole
// for an assumed-role session, the user's ARN for a user).
func subscriptionPrincipal(c *server.Call) string {
	p := c.Principal
	if p.Session != nil && p.Session.IssuerARN != "" && strings.HasPrefix(p.Session.Op, "AssumeRole") {
		return p.Session.IssuerARN
	}
	return p.ARN
}

func (s *SNS) subscribe(c *server.Call, in *api.SubscribeInput) (*api.SubscribeResponse, error) {
	t, err := parseTopicARN(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	if !protocols[in.Protocol] {
		return nil, errParam("Invalid parameter: Amazon SNS does not support this protocol string: " + in.Protocol)
	}
	// The topic is looked for before the endpoint is checked: a malformed endpoint
	// on a topic that does not exist is NotFound (recorded, 2026: regional_sqs.json
	// error-missing-topic-malformed-endpoint).
	topic, err := mustTopic(c.Tx, t)
	if err != nil {
		return nil, err
	}
	endpoint := svckit.Str(in.Endpoint)
	if err := checkEndpoint(in.Protocol, endpoint); err != nil {
		return nil, err
	}
	if a, _ := svckit.ParseARN(endpoint); in.Protocol == "sqs" && a.Region != t.Region && !svckit.KnownRegion(a.Region) {
		// A queue in a Region AWS does not have (recorded: "not-a-region",
		// "us-west-999"); Regions Palisade is run in are taken for its own topics.
		return nil, errParam("Invalid parameter: SQS endpoint ARN")
	}
	if topic.Attributes["FifoTopic"] == "true" && in.Protocol != "sqs" {
		return nil, errParam("Invalid parameter: Invalid protocol type: " + in.Protocol)
	}
	if topic.Attributes["FifoTopic"] != "true" && in.Protocol == "sqs" && strings.HasSuffix(endpoint, ".fifo") {
		// SNS's wording, prefix twice over.
		return nil, errParam("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
	}
	attrs := map[string]string{}
	if scope, ok := in.Attributes["FilterPolicyScope"]; ok {
		attrs["FilterPolicyScope"] = scope
	}
	for k, v := range in.Attributes {
		v = subAttribute(k, v)
		if err := checkSubAttribute(in.Protocol, k, v, attrs, fifoSub(t, endpoint)); err != nil {
			return nil, subscribeError(err)
		}
		attrs[k] = storedSubAttribute(k, v)
	}
	if attrs["FilterPolicy"] == "{}" {
		// An empty filter policy is none: SNS keeps neither it nor the default
		// scope given with it (recorded).
		delete(attrs, "FilterPolicy")
		if attrs["FilterPolicyScope"] == "MessageAttributes" {
			delete(attrs, "FilterPolicyScope")
		}
	}
	subs, err := topicSubs(c.Tx, t)
	if err != nil {
		return nil, err
	}
	returnARN := in.ReturnSubscriptionArn != nil && *in.ReturnSubscriptionArn
	for _, sub := range subs {
		if sub.Protocol != in.Protocol || sub.Endpoint != endpoint {
			continue
		}
		for k, v := range attrs {
			have, ok := sub.Attributes[k]
			if !ok {
				have = subAttributeDefaults[k]
			}
			if have != v {
				return nil, errParam("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
			}
		}
		if sub.Confirmed && in.Protocol == "sqs" && otherAccountQueue(endpoint, c.Account) {
			// Another account than the queue's subscribing it again sends the queue a
			// fresh SubscriptionConfirmation for the subscription that stands, whose
			// token confirms (and restores) it (recorded, 2026:
			// confirmation_lifetime_scope.json duplicate-topic-owner, original-control-0;
			// cross_account_confirmation.json direct-resubscribe-other-A).
			if err := s.sendFreshConfirmation(c, t, topic, sub); err != nil {
				return nil, err
			}
		}
		if sub.Confirmed || returnARN {
			return &api.SubscribeResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
		}
		return &api.SubscribeResponse{SubscriptionArn: svckit.Ptr(pendingARN)}, nil
	}
	sub := &subRec{ID: auth.NewUUID(), Topic: t.Name, Protocol: in.Protocol, Endpoint: endpoint, Owner: c.Account,
		Principal: subscriptionPrincipal(c), Attributes: attrs, Base: baseURL(c), Created: c.Now}
	// Queues, functions and streams are confirmed at once; endpoints a person or a
	// server controls confirm with the token SNS sends them, and so does a queue of
	// another account than the subscriber's: its SubscriptionConfirmation goes to the
	// queue (recorded, 2026: cross_account_confirmation.json, the topic owner
	// subscribing the other account's queue; the queue's owner subscribing it is
	// confirmed at once).
	switch {
	case in.Protocol == "http", in.Protocol == "https", in.Protocol == "email", in.Protocol == "email-json",
		in.Protocol == "sqs" && otherAccountQueue(endpoint, c.Account):
		sub.Token = newToken()
		if err := putToken(c.Tx, t, sub.Token, sub.ID); err != nil {
			return nil, err
		}
	default:
		sub.Confirmed = true
	}
	if err := putSub(c.Tx, t, sub); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(ns(t.Account, t.Region, tTopicSubs), t.Name+"\x00"+sub.ID, nil); err != nil {
		return nil, err
	}
	if err := indexOwned(c, t, sub, true); err != nil {
		return nil, err
	}
	if !sub.Confirmed {
		if err := s.sendConfirmation(c.Tx, t, topic, sub, c.Now); err != nil {
			return nil, err
		}
		if !returnARN {
			return &api.SubscribeResponse{SubscriptionArn: svckit.Ptr(pendingARN)}, nil
		}
	}
	return &api.SubscribeResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
}

func (s *SNS) confirmSubscription(c *server.Call, in *api.ConfirmSubscriptionInput) (*api.ConfirmSubscriptionResponse, error) {
	// SNS words a token of its own form that confirms nothing (on this topic, or on a
	// topic that does not exist) apart from one that is not a token at all.
	unknown := errParam("Invalid token")
	if isHexToken(in.Token) {
		unknown = errParam("Invalid parameter: Token")
	}
	t, err := parseTopicARN(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	// The token, not TopicArn, names the subscription: confirmed with another
	// account's topic of the same name, or a topic that does not exist, it still
	// confirms its own (recorded, 2026: confirmation_lifetime_scope.json
	// active-other-account-parameter, pending-confirm-missing-topic).
	if acct, ok, err := c.Tx.Get(tokenNS(t.Region), in.Token); err != nil {
		return nil, err
	} else if ok && string(acct) != t.Account {
		t = topicRef{ARN: topicARN(t.Region, string(acct), t.Name), Region: t.Region, Account: string(acct), Name: t.Name}
	}
	id, ok, err := c.Tx.Get(ns(t.Account, t.Region, tTokens), in.Token)
	if err != nil {
		return nil, err
	}
	var rec *topicRec
	if !ok {
		if rec, err = loadTopic(c.Tx, t); err != nil {
			return nil, err
		}
	}
	// AuthenticateOnUnsubscribe counts only on a signed request (AWS: "If the value of
	// this parameter is true and the request has an Amazon Web Services signature").
	// The anonymous caller of an unsigned confirmation (the SubscribeURL visited) has
	// proved nothing but the token.
	authOnUnsub := !c.Unsigned() && strings.EqualFold(svckit.Str(in.AuthenticateOnUnsubscribe), "true")
	anonymousAuth := c.Unsigned() && strings.EqualFold(svckit.Str(in.AuthenticateOnUnsubscribe), "true")
	if !ok {
		return s.restoreSub(c, t, rec, in.Token, authOnUnsub, unknown)
	}
	// The token names its subscription whichever of the account's topics the request
	// names (recorded: a token confirmed with another topic's ARN answers its own
	// subscription's ARN).
	sub := &subRec{}
	found, err := c.Tx.GetJSON(ns(t.Account, t.Region, tSubs), string(id), sub)
	if err != nil {
		return nil, err
	}
	if !found {
		// A subscription unsubscribed since (recorded); one gone with its topic
		// answers as the topic does.
		if rec, err = loadTopic(c.Tx, t); err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, unknown
		}
		return nil, api.NewNotFoundException("Subscription does not exist")
	}
	if sub.Topic != t.Name {
		t = topicRef{ARN: topicARN(t.Region, t.Account, sub.Topic), Region: t.Region, Account: t.Account, Name: sub.Topic}
	}
	if sub.Confirmed && authOnUnsub {
		// Recorded: a confirmed subscription cannot be made to require authentication
		// afterwards; without the flag, confirming again answers its ARN.
		return nil, api.NewAuthorizationErrorException("Subscription already confirmed")
	}
	if sub.Deleted {
		// A "Deleted" subscription's own token brings it back (recorded, 2026:
		// cross_account_confirmation.json: the B-owned registration restored by B with
		// a duplicate Subscribe's token).
		sub.Deleted = false
		if err := putSub(c.Tx, t, sub); err != nil {
			return nil, err
		}
	}
	if !sub.Confirmed {
		if anonymousAuth || authOnUnsub && c.Account != sub.Owner {
			// Recorded: an unsigned confirmation asking for authenticated
			// unsubscription is refused, and the subscription stays pending; so is a
			// signed one from another account than the subscriber's, the queue's
			// owner included (recorded, 2026: cross_account_confirmation.json
			// owner-true-confirm-queue-owner-B-true).
			return nil, api.NewAuthorizationErrorException("To disallow anonymous unsubscription, subscriber and confirmer IDs must match")
		}
		sub.Confirmed, sub.UnsignedConfirm = true, c.Unsigned()
		sub.AuthOnUnsubscribe = authOnUnsub
		if err := putSub(c.Tx, t, sub); err != nil {
			return nil, err
		}
	}
	return &api.ConfirmSubscriptionResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
}

// restoreSub answers ConfirmSubscription with the token of an UnsubscribeConfirmation:
// the subscription is back, confirmed, under its ARN (inferred: AWS documents that the
// token restores the subscription, not under which ARN). unknown is the answer for a
// token that restores nothing on this topic. authOnUnsub is a signed request's
// AuthenticateOnUnsubscribe.
func (s *SNS) restoreSub(c *server.Call, t topicRef, topic *topicRec, token string, authOnUnsub bool, unknown error) (*api.ConfirmSubscriptionResponse, error) {
	gone := &subRec{}
	ok, err := c.Tx.GetJSON(ns(t.Account, t.Region, tUnsubscribed), token, gone)
	if err != nil {
		return nil, err
	}
	if !ok || gone.Topic != t.Name {
		return nil, unknown
	}
	if topic == nil || topic.Created.After(gone.Created) {
		// Its topic deleted (and perhaps created again) since, the subscription
		// comes back an orphan, its ARN answered as often as the token is used
		// (recorded, 2026: confirmation_lifetime_supplement.json
		// reactivate-deleted-without-topic, reactivate-deleted-recreated-topic).
		gone.Confirmed, gone.UnsignedConfirm = true, c.Unsigned()
		gone.AuthOnUnsubscribe = gone.AuthOnUnsubscribe || authOnUnsub
		gone.Deleted, gone.Orphan = false, true
		if gone.PriorAuth {
			// Restored as confirmed before (recorded: ConfirmationWasAuthenticated
			// "true" of the queue owner's own subscription).
			gone.Token = ""
		}
		if err := putSub(c.Tx, t, gone); err != nil {
			return nil, err
		}
		// Indexed under the topic's name so that deleting the name removes it.
		if err := c.Tx.Put(ns(t.Account, t.Region, tTopicSubs), t.Name+"\x00"+gone.ID, nil); err != nil {
			return nil, err
		}
		return &api.ConfirmSubscriptionResponse{SubscriptionArn: svckit.Ptr(gone.arn(t.Region, t.Account))}, nil
	}
	if _, err := c.Tx.Delete(ns(t.Account, t.Region, tUnsubscribed), token); err != nil {
		return nil, err
	}
	subs, err := topicSubs(c.Tx, t)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if sub.ID == gone.ID && sub.Deleted {
			// The "Deleted" subscription itself, back (recorded, 2026:
			// cross_account_confirmation.json, queue-default-after-queue-owner-
			// unsubscribe-recover); as the topic's owner asking its subscriber's
			// authentication, refused (direct-after-topic-owner-unsubscribe-recover).
			if authOnUnsub && c.Account != sub.Owner {
				return nil, api.NewAuthorizationErrorException("Subscription already confirmed")
			}
			sub.Deleted = false
			sub.AuthOnUnsubscribe = sub.AuthOnUnsubscribe || authOnUnsub
			if err := putSub(c.Tx, t, sub); err != nil {
				return nil, err
			}
			return &api.ConfirmSubscriptionResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
		}
		if sub.Protocol == gone.Protocol && sub.Endpoint == gone.Endpoint {
			// Subscribed again since: that subscription stands.
			return &api.ConfirmSubscriptionResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
		}
	}
	gone.Confirmed, gone.UnsignedConfirm = true, c.Unsigned()
	gone.AuthOnUnsubscribe = gone.AuthOnUnsubscribe || authOnUnsub
	if err := putToken(c.Tx, t, gone.Token, gone.ID); err != nil {
		return nil, err
	}
	if err := putSub(c.Tx, t, gone); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(ns(t.Account, t.Region, tTopicSubs), t.Name+"\x00"+gone.ID, nil); err != nil {
		return nil, err
	}
	if err := indexOwned(c, t, gone, true); err != nil {
		return nil, err
	}
	return &api.ConfirmSubscriptionResponse{SubscriptionArn: svckit.Ptr(gone.arn(t.Region, t.Account))}, nil
}

// deleteSub removes a subscription and what points at it.
func deleteSub(c *server.Call, t topicRef, sub *subRec) error {
	if _, err := c.Tx.Delete(ns(t.Account, t.Region, tSubs), sub.ID); err != nil {
		return err
	}
	if _, err := c.Tx.Delete(ns(t.Account, t.Region, tTopicSubs), t.Name+"\x00"+sub.ID); err != nil {
		return err
	}
	if err := indexOwned(c, t, sub, false); err != nil {
		return err
	}
	// The subscription's confirmation token is kept: ConfirmSubscription with it
	// then answers that the subscription does not exist, as SNS does (recorded).
	return nil
}

func (s *SNS) unsubscribe(c *server.Call, in *api.UnsubscribeInput) (*model.Empty, error) {
	t, id, err := parseSubARN(in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	sub, err := loadSub(c.Tx, t, id)
	if err != nil {
		return nil, err
	}
	if sub == nil {
		return &model.Empty{}, nil // gone already: Unsubscribe is idempotent in SNS
	}
	switch {
	case c.Unsigned() && (sub.authenticated() || sub.Protocol == "sqs"):
		// Confirmed with AuthenticateOnUnsubscribe: "The unsubscribe action requires
		// Amazon Web Services authentication" (AWS), refused in SNS's recorded words.
		// An SQS subscription is never left anonymously, however it was confirmed
		// (recorded, 2026: cross_account_confirmation.json, *-unsubscribe-anonymous).
		return nil, api.NewAuthorizationErrorException("This subscription may only be deleted by an authorized user.")
	case !c.Unsigned() && sub.authenticated() && c.Account != sub.Owner && c.Account != t.Account:
		// An authenticated subscription is left by its subscriber or the topic's
		// owner only; the queue's owner is refused (recorded, 2026:
		// cross_account_confirmation.json owner-true-unsubscribe-queue-owner-B).
		return nil, api.NewAuthorizationErrorException("This subscription may only be deleted by an authorized user.")
	}
	// A queue's subscription left by another account than its subscriber's (the
	// topic's owner, the queue's) stays, "Deleted": listed so, delivered nothing, still
	// its subscriber's to read and to leave for good; and it is announced to the queue
	// with the token that restores it. Its subscriber leaving it removes it, and
	// announces nothing (recorded, 2026: cross_account_confirmation.json,
	// direct-after-topic-owner-unsubscribe, *-list-topic-*, control-anonymous-default-
	// after-unsubscribe-*, queue-default-after-queue-owner-unsubscribe,
	// owner-true-after-owner-unsubscribe).
	if sub.Orphan {
		// Its topic gone, there is nothing to keep it for or to announce the leaving
		// to (recorded, 2026: confirmation_lifetime_scope.json cleanup-subscription-3).
		return &model.Empty{}, deleteSub(c, t, sub)
	}
	tombstone := sub.Protocol == "sqs" && c.Account != sub.Owner
	if tombstone && sub.Deleted {
		return &model.Empty{}, nil
	}
	if tombstone {
		sub.Deleted = true
		if err := putSub(c.Tx, t, sub); err != nil {
			return nil, err
		}
	} else if err := deleteSub(c, t, sub); err != nil {
		return nil, err
	}
	if sub.Confirmed && (sub.Protocol == "http" || sub.Protocol == "https" || tombstone) {
		topic, err := loadTopic(c.Tx, t)
		if err != nil {
			return nil, err
		}
		if err := s.sendUnsubscribeConfirmation(c.Tx, t, topic, sub, baseURL(c), c.Now); err != nil {
			return nil, err
		}
	}
	return &model.Empty{}, nil
}

func (sub *subRec) out(t topicRef) api.Subscription {
	arn := pendingList
	switch {
	case sub.Deleted:
		arn = "Deleted"
	case sub.Confirmed:
		arn = sub.arn(t.Region, t.Account)
	}
	return api.Subscription{SubscriptionArn: svckit.Ptr(arn), Owner: svckit.Ptr(sub.Owner), Protocol: svckit.Ptr(sub.Protocol),
		Endpoint: svckit.Ptr(sub.Endpoint), TopicArn: svckit.Ptr(t.ARN)}
}

// indexOwned adds (or removes) a subscription to another account's topic to its
// subscriber's tOwnedSubs, for the subscriber's ListSubscriptions.
func indexOwned(c *server.Call, t topicRef, sub *subRec, put bool) error {
	if sub.Owner == "" || sub.Owner == t.Account {
		return nil
	}
	k := t.Account + "\x00" + t.Name + "\x00" + sub.ID
	if put {
		return c.Tx.Put(ns(sub.Owner, t.Region, tOwnedSubs), k, nil)
	}
	_, err := c.Tx.Delete(ns(sub.Owner, t.Region, tOwnedSubs), k)
	return err
}

// listSubscriptions lists the subscriptions the caller's account owns: those to its
// own topics it made, then those to other accounts' topics. A subscription another
// account made to one of the caller's topics is that account's (recorded, 2026:
// cross_account_confirmation.json, *-list-account-A and *-list-account-B).
func (s *SNS) listSubscriptions(c *server.Call, in *api.ListSubscriptionsInput) (*api.ListSubscriptionsResponse, error) {
	after := ""
	if in.NextToken != nil {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		if !ok {
			return nil, errParam("Invalid parameter: NextToken")
		}
		after = p
	}
	out := &api.ListSubscriptionsResponse{Subscriptions: []api.Subscription{}}
	last := ""
	// visit lists the subscription at position pos; false stops the listing.
	visit := func(pos string, t topicRef, id string) (bool, error) {
		if pos <= after {
			return true, nil
		}
		sub, err := loadSub(c.Tx, t, id)
		if err != nil || sub == nil || sub.Orphan || sub.Owner != "" && sub.Owner != c.Account {
			return err == nil, err
		}
		if len(out.Subscriptions) == 100 {
			out.NextToken = svckit.Ptr(svckit.Token(c.Tx, last))
			return false, nil
		}
		out.Subscriptions = append(out.Subscriptions, sub.out(t))
		last = pos
		return true, nil
	}
	more := true
	err := svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tTopicSubs), "", "", func(k string, _ []byte) (bool, error) {
		name, id, _ := strings.Cut(k, "\x00")
		more0, err := visit("1"+k, topicRef{ARN: topicARN(c.Region, c.Account, name), Region: c.Region, Account: c.Account, Name: name}, id)
		more = more0
		return more0, err
	})
	if err != nil || !more {
		return out, err
	}
	err = svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tOwnedSubs), "", "", func(k string, _ []byte) (bool, error) {
		parts := strings.SplitN(k, "\x00", 3)
		if len(parts) != 3 {
			return true, nil
		}
		return visit("2"+k, topicRef{ARN: topicARN(c.Region, parts[0], parts[1]), Region: c.Region, Account: parts[0], Name: parts[1]}, parts[2])
	})
	return out, err
}

func (s *SNS) listSubscriptionsByTopic(c *server.Call, in *api.ListSubscriptionsByTopicInput) (*api.ListSubscriptionsByTopicResponse, error) {
	t, _, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	subs, err := topicSubs(c.Tx, t)
	if err != nil {
		return nil, err
	}
	start := 0
	if in.NextToken != nil {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		if !ok {
			return nil, errParam("Invalid parameter: NextToken")
		}
		for start < len(subs) && subs[start].ID <= p {
			start++
		}
	}
	out := &api.ListSubscriptionsByTopicResponse{Subscriptions: []api.Subscription{}}
	for i := start; i < len(subs); i++ {
		if len(out.Subscriptions) == 100 {
			out.NextToken = svckit.Ptr(svckit.Token(c.Tx, subs[i-1].ID))
			break
		}
		out.Subscriptions = append(out.Subscriptions, subs[i].out(t))
	}
	return out, nil
}

func (s *SNS) findSub(c *server.Call, arn string) (topicRef, *subRec, error) {
	t, id, err := parseSubARN(arn)
	if err != nil {
		return t, nil, err
	}
	sub, err := loadSub(c.Tx, t, id)
	if err == nil && sub == nil {
		err = api.NewNotFoundException("Subscription does not exist")
	}
	return t, sub, err
}

// ownSub finds a subscription for Get/SetSubscriptionAttributes: only its
// subscriber's account may read or change it, the topic's owner not included, pending
// or confirmed (recorded, 2026: cross_account_confirmation.json, *-get-A and *-set-A
// of B's subscription, *-get-B and *-set-B of A's).
func (s *SNS) ownSub(c *server.Call, arn string) (topicRef, *subRec, error) {
	t, sub, err := s.findSub(c, arn)
	if err == nil && sub.Owner != c.Account {
		err = api.NewAuthorizationErrorException("Not authorized to access this subscription")
	}
	return t, sub, err
}

func (s *SNS) getSubscriptionAttributes(c *server.Call, in *api.GetSubscriptionAttributesInput) (*api.GetSubscriptionAttributesResponse, error) {
	t, sub, err := s.ownSub(c, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	principal := sub.Principal
	if principal == "" {
		principal = "arn:aws:iam::" + sub.Owner + ":root"
	}
	out := map[string]string{
		"SubscriptionArn": sub.arn(t.Region, t.Account), "TopicArn": t.ARN, "Owner": sub.Owner, "Protocol": sub.Protocol,
		"Endpoint": sub.Endpoint, "ConfirmationWasAuthenticated": "true", "PendingConfirmation": "false", "RawMessageDelivery": "false",
		"SubscriptionPrincipal": principal,
	}
	if !sub.Confirmed {
		out["PendingConfirmation"], out["ConfirmationWasAuthenticated"] = "true", "false"
	} else if !sub.authenticated() {
		out["ConfirmationWasAuthenticated"] = "false"
	}
	if sub.Protocol == "http" || sub.Protocol == "https" {
		retry, contentType := s.effectivePolicy(c.Tx, t, sub.Protocol, sub.ID)
		out["EffectiveDeliveryPolicy"] = subscriptionDeliveryPolicy(retry, contentType)
	}
	for k, v := range sub.Attributes {
		out[k] = v
	}
	if _, ok := out["FilterPolicy"]; ok {
		if _, ok := out["FilterPolicyScope"]; !ok {
			out["FilterPolicyScope"] = "MessageAttributes"
		}
	}
	return &api.GetSubscriptionAttributesResponse{Attributes: out}, nil
}

func (s *SNS) setSubscriptionAttributes(c *server.Call, in *api.SetSubscriptionAttributesInput) (*model.Empty, error) {
	t, sub, err := s.ownSub(c, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	v := subAttribute(in.AttributeName, svckit.Str(in.AttributeValue))
	if err := checkSubAttribute(sub.Protocol, in.AttributeName, v, sub.Attributes, fifoSub(t, sub.Endpoint)); err != nil {
		return nil, err
	}
	if in.AttributeName == "FilterPolicyScope" && sub.Attributes["FilterPolicy"] != "" {
		if _, err := parseFilterPolicy(sub.Attributes["FilterPolicy"], v == "MessageBody"); err != nil {
			return nil, filterPolicyError(err)
		}
	}
	if v = storedSubAttribute(in.AttributeName, v); v == "" || in.AttributeName == "FilterPolicy" && v == "{}" {
		delete(sub.Attributes, in.AttributeName)
	} else {
		sub.Attributes[in.AttributeName] = v
	}
	return &model.Empty{}, putSub(c.Tx, t, sub)
}

// sendFreshConfirmation sends a confirmed SQS subscription's queue a new
// SubscriptionConfirmation, its token one more that names the subscription.
func (s *SNS) sendFreshConfirmation(c *server.Call, t topicRef, topic *topicRec, sub *subRec) error {
	token := newToken()
	if err := putToken(c.Tx, t, token, sub.ID); err != nil {
		return err
	}
	id := auth.NewUUID()
	body, err := s.confirmationBody(c.Tx, kindSubscriptionConfirmation, t, topic, id, token, confirmationMessage(t), baseURL(c), c.Now)
	if err != nil {
		return err
	}
	s.toQueue(c.Tx, t, sub, body, id)
	return nil
}
