package sns

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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

// checkSubAttribute validates one subscription attribute for a protocol.
func checkSubAttribute(protocol, name, value string, attrs map[string]string) error {
	if !settableSubAttributes[name] {
		return errParam("Invalid parameter: AttributeName")
	}
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return errParam("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
		}
		if value == "true" && protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose" {
			return errParam("Invalid parameter: Attributes Reason: Delivery protocol [" + protocol + "] does not support raw message delivery.")
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return errParam("Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [" + value + "]. Please use either MessageBody or MessageAttributes")
		}
	case "FilterPolicy":
		if value == "" {
			return nil
		}
		if _, err := parseFilterPolicy(value, attrs["FilterPolicyScope"] == "MessageBody"); err != nil {
			return errParam("Invalid parameter: FilterPolicy: " + err.Error())
		}
	case "DeliveryPolicy":
		if _, err := parseDeliveryPolicy(value); err != nil {
			return errParam("Invalid parameter: DeliveryPolicy: " + err.Error())
		}
	case "RedrivePolicy":
		var rp struct{ DeadLetterTargetArn string }
		if json.Unmarshal([]byte(value), &rp) != nil || rp.DeadLetterTargetArn == "" {
			return errParam("Invalid parameter: RedrivePolicy: Invalid deadLetterTargetArn")
		}
	}
	return nil
}

func newToken() string {
	b := make([]byte, 128)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *SNS) subscribe(c *server.Call, in *api.SubscribeInput) (*api.SubscribeResponse, error) {
	t, err := parseTopicARN(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	if !protocols[in.Protocol] {
		return nil, errParam("Invalid parameter: Amazon SNS does not support this protocol string: " + in.Protocol)
	}
	endpoint := svckit.Str(in.Endpoint)
	if err := checkEndpoint(in.Protocol, endpoint); err != nil {
		return nil, err
	}
	topic, err := mustTopic(c.Tx, t)
	if err != nil {
		return nil, err
	}
	if topic.Attributes["FifoTopic"] == "true" && in.Protocol != "sqs" {
		return nil, errParam("Invalid parameter: Invalid protocol type: " + in.Protocol)
	}
	attrs := map[string]string{}
	if scope, ok := in.Attributes["FilterPolicyScope"]; ok {
		attrs["FilterPolicyScope"] = scope
	}
	for k, v := range in.Attributes {
		if err := checkSubAttribute(in.Protocol, k, v, attrs); err != nil {
			return nil, err
		}
		attrs[k] = v
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
			if sub.Attributes[k] != v {
				return nil, errParam("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
			}
		}
		if sub.Confirmed || returnARN {
			return &api.SubscribeResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
		}
		return &api.SubscribeResponse{SubscriptionArn: svckit.Ptr(pendingARN)}, nil
	}
	sub := &subRec{ID: auth.NewUUID(), Topic: t.Name, Protocol: in.Protocol, Endpoint: endpoint, Owner: c.Account,
		Attributes: attrs, Base: baseURL(c), Created: c.Now}
	// Queues, functions and streams are confirmed at once; endpoints a person or a
	// server controls confirm with the token SNS sends them.
	switch in.Protocol {
	case "http", "https", "email", "email-json":
		sub.Token = newToken()
		if err := c.Tx.Put(ns(t.Account, t.Region, tTokens), sub.Token, []byte(sub.ID)); err != nil {
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
	t, _, err := topicOf(c, in.TopicArn)
	if err != nil {
		return nil, err
	}
	id, ok, err := c.Tx.Get(ns(t.Account, t.Region, tTokens), in.Token)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errParam("Invalid token")
	}
	sub, err := loadSub(c.Tx, t, string(id))
	if err != nil {
		return nil, err
	}
	if sub == nil {
		return nil, errParam("Invalid token")
	}
	if !sub.Confirmed {
		sub.Confirmed = true
		if err := putSub(c.Tx, t, sub); err != nil {
			return nil, err
		}
	}
	return &api.ConfirmSubscriptionResponse{SubscriptionArn: svckit.Ptr(sub.arn(t.Region, t.Account))}, nil
}

// deleteSub removes a subscription and what points at it.
func deleteSub(c *server.Call, t topicRef, sub *subRec) error {
	if _, err := c.Tx.Delete(ns(t.Account, t.Region, tSubs), sub.ID); err != nil {
		return err
	}
	if _, err := c.Tx.Delete(ns(t.Account, t.Region, tTopicSubs), t.Name+"\x00"+sub.ID); err != nil {
		return err
	}
	if sub.Token != "" {
		if _, err := c.Tx.Delete(ns(t.Account, t.Region, tTokens), sub.Token); err != nil {
			return err
		}
	}
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
		return nil, api.NewNotFoundException("Subscription does not exist")
	}
	return &model.Empty{}, deleteSub(c, t, sub)
}

func (sub *subRec) out(t topicRef) api.Subscription {
	arn := pendingList
	if sub.Confirmed {
		arn = sub.arn(t.Region, t.Account)
	}
	return api.Subscription{SubscriptionArn: svckit.Ptr(arn), Owner: svckit.Ptr(sub.Owner), Protocol: svckit.Ptr(sub.Protocol),
		Endpoint: svckit.Ptr(sub.Endpoint), TopicArn: svckit.Ptr(t.ARN)}
}

func (s *SNS) listSubscriptions(c *server.Call, in *api.ListSubscriptionsInput) (*api.ListSubscriptionsResponse, error) {
	out := &api.ListSubscriptionsResponse{Subscriptions: []api.Subscription{}}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tTopicSubs), "", in.NextToken, 100, errParam("Invalid parameter: NextToken"),
		func(k string, _ []byte) (bool, error) {
			name, id, _ := strings.Cut(k, "\x00")
			t := topicRef{ARN: topicARN(c.Region, c.Account, name), Region: c.Region, Account: c.Account, Name: name}
			sub, err := loadSub(c.Tx, t, id)
			if err != nil || sub == nil {
				return false, err
			}
			out.Subscriptions = append(out.Subscriptions, sub.out(t))
			return true, nil
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
		p, ok := svckit.ParseToken(*in.NextToken)
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
			out.NextToken = svckit.Ptr(svckit.Token(subs[i-1].ID))
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

func (s *SNS) getSubscriptionAttributes(c *server.Call, in *api.GetSubscriptionAttributesInput) (*api.GetSubscriptionAttributesResponse, error) {
	t, sub, err := s.findSub(c, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	out := map[string]string{
		"SubscriptionArn": sub.arn(t.Region, t.Account), "TopicArn": t.ARN, "Owner": sub.Owner, "Protocol": sub.Protocol,
		"Endpoint": sub.Endpoint, "ConfirmationWasAuthenticated": "true", "PendingConfirmation": "false", "RawMessageDelivery": "false",
		"SubscriptionPrincipal": "arn:aws:iam::" + sub.Owner + ":root",
	}
	if !sub.Confirmed {
		out["PendingConfirmation"], out["ConfirmationWasAuthenticated"] = "true", "false"
	}
	if sub.Protocol == "http" || sub.Protocol == "https" {
		out["EffectiveDeliveryPolicy"] = defaultDeliveryPolicy
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
	t, sub, err := s.findSub(c, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	v := svckit.Str(in.AttributeValue)
	if err := checkSubAttribute(sub.Protocol, in.AttributeName, v, sub.Attributes); err != nil {
		return nil, err
	}
	if in.AttributeName == "FilterPolicyScope" && sub.Attributes["FilterPolicy"] != "" {
		if _, err := parseFilterPolicy(sub.Attributes["FilterPolicy"], v == "MessageBody"); err != nil {
			return nil, errParam("Invalid parameter: FilterPolicy: " + err.Error())
		}
	}
	if v == "" {
		delete(sub.Attributes, in.AttributeName)
	} else {
		sub.Attributes[in.AttributeName] = v
	}
	return &model.Empty{}, putSub(c.Tx, t, sub)
}
