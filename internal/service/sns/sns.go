// Package sns serves Amazon Simple Notification Service: topics (attributes, topic
// policies enforced by the policy engine as resource policies, SSE-KMS (sse.go),
// tags, FIFO topics), subscriptions to SQS queues, HTTP/HTTPS endpoints (with the
// SubscriptionConfirmation handshake) and email addresses, Publish and PublishBatch
// with message attributes, filter policies, raw delivery and delivery retries.
//
// Deliveries to SQS happen inside the publishing transaction, through the
// QueueSender that app wires to SQS, as the service principal (sns.amazonaws.com, or
// a Regional name across opt-in Regions: QueueMessage.Principals) that the queue's
// policy must allow. Deliveries to HTTP, HTTPS and email endpoints are
// written to a durable outbox in that same transaction and sent by a background
// worker, with retries on Palisade's clock: an acknowledged Publish is never lost
// across a restart. Messages are signed (SignatureVersion 1 or 2) with a key whose
// certificate Palisade serves; emails are RFC 5322 files in <data-dir>/outbox.
package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sort"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/sns"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// QueueMessage is a message SNS sends to an SQS queue on behalf of a topic.
type QueueMessage struct {
	QueueARN   string
	TopicARN   string
	Body       string
	Attributes map[string]QueueAttribute // raw delivery passes message attributes on
	// GroupID and DedupID carry a FIFO topic's message group and deduplication ID.
	GroupID, DedupID string
}

// Principals are the service principal names SNS delivers m as, the first its
// aws:PrincipalServiceName; a queue policy naming any of them applies. They depend on
// the Regions (recorded, 2026: testdata/aws/sns/regional_sqs.json, optin_principal_matrix
// and actor_context_matrix): into an opt-in Region SNS is both sns.amazonaws.com and
// sns.REGION.amazonaws.com of the queue's Region (a policy allowing either delivers, one
// denying either refuses); from an opt-in Region into another Region it is
// sns.REGION.amazonaws.com of the topic's Region alone; otherwise sns.amazonaws.com.
func (m QueueMessage) Principals() []string {
	topicRegion, queueRegion := arnRegion(m.TopicARN), arnRegion(m.QueueARN)
	switch {
	case svckit.OptInRegion(queueRegion):
		return []string{"sns.amazonaws.com", "sns." + queueRegion + ".amazonaws.com"}
	case svckit.OptInRegion(topicRegion):
		return []string{"sns." + topicRegion + ".amazonaws.com"}
	}
	return []string{"sns.amazonaws.com"}
}

// arnRegion is an ARN's Region, "" when it has none.
func arnRegion(arn string) string {
	if parts := strings.SplitN(arn, ":", 5); len(parts) == 5 {
		return parts[3]
	}
	return ""
}

// QueueAttribute is one SQS message attribute.
type QueueAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// QueueSender delivers to SQS inside the publishing transaction, as the service
// principal of the message's Principals with aws:SourceArn the topic: the queue's policy must
// allow sqs:SendMessage. It returns the message ID. SQS implements it; app wires it.
type QueueSender interface {
	SendFromTopic(tx *store.Tx, m QueueMessage) (string, error)
}

// Deps is what SNS needs from the rest of Palisade.
type Deps struct {
	Store  *store.DB
	Clock  *clock.Clock
	Logger *slog.Logger
	// Authz decides topic policies for callers and for services (CloudWatch).
	Authz *authz.Authorizer
	// Sealer seals the message-signing key at rest.
	Sealer *store.Sealer
	// OutboxDir receives email deliveries as RFC 5322 files.
	OutboxDir string
	// Queues delivers to SQS; nil fails SQS deliveries.
	Queues QueueSender
	// Client sends HTTP/HTTPS deliveries (default: 15 s timeout).
	Client *http.Client
	// Region is the default region, for deliveries whose request named none.
	Region string
	// KMS is used for topics with KmsMasterKeyId (kms.ForService(…, "sns")); nil
	// refuses publishing to them.
	KMS svckit.DataKeys
	// NewCall makes the calls services' publications to encrypted topics run as.
	NewCall svckit.NewCall
	// Metrics receives the AWS/SNS metrics (metrics.go); nil publishes none.
	Metrics svckit.MetricSink
	// Roles reads IAM's roles, to check a delivery-status logging role; nil takes
	// any role ARN as given.
	Roles Roles
	// Logs writes delivery-status logs (feedback.go); nil writes none.
	Logs FeedbackLogs
}

// Roles is what SNS needs from IAM to check that it could assume a topic's
// delivery-status logging role; app wires it to IAM. It reads in the transaction given.
type Roles interface {
	// Role returns the role with an ARN (path included): its unique ID and trust
	// policy; ok is false when there is none.
	Role(tx *store.Tx, arn string) (id, trust string, ok bool, err error)
}

// SNS is the notification service.
type SNS struct {
	d      Deps
	signer *signer
	wake   chan struct{}
	sse    *svckit.SSE
	m      metrics
}

// New returns SNS.
func New(d Deps) *SNS {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = &clock.Clock{}
	}
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 15 * time.Second}
	}
	s := &SNS{d: d, signer: &signer{db: d.Store, sealer: d.Sealer, log: d.Logger, ready: make(chan struct{})}, wake: make(chan struct{}, 1),
		m: metrics{pending: map[metricKey]*metricAgg{}}}
	if d.KMS != nil {
		s.sse = svckit.NewSSE(d.KMS, "alias/aws/sns")
		s.sse.ShareRoleSessions = true
	}
	return s
}

// Service returns the handlers for the server.
func (s *SNS) Service() server.Service {
	var hs []server.Handler
	hs = append(hs, s.topicHandlers()...)
	hs = append(hs, s.subscriptionHandlers()...)
	hs = append(hs, s.publishHandlers()...)
	// "To be able to tag a topic on creation, you must have the sns:CreateTopic and
	// sns:TagResource permissions."
	// CloudTrail records SNS's modeled errors by their shape's name
	// (BatchEntryIdsNotDistinctException: recorded, 2026, cross_account_control_audit.json).
	return server.Service{Model: api.Service, Handlers: hs, Checks: s.checks, Actions: actions, Unsigned: unsigned, DataEvents: dataEvents, RecordsShapeNames: true,
		TagOnCreate: map[string][]string{"CreateTopic": {"sns:TagResource"}},
		Denied: func(c *server.Call, chk *authz.Check, d *authz.Decision) *model.Error {
			msg := deniedMessage(d)
			if chk != nil && chk.Action == "iam:PassRole" {
				// SNS words its own check of the role passed to it without the
				// policy engine's reason (recorded, 2026: feedback_sampling.json,
				// "User: … is not authorized to perform: iam:PassRole on resource:
				// ROLE"; an explicit deny's wording is inferred alike).
				for _, sep := range []string{" because ", " with an explicit deny"} {
					msg, _, _ = strings.Cut(msg, sep)
				}
			}
			e := c.AccessDenied(msg)
			if c.Operation.Name == "ConfirmSubscription" {
				// Its record keeps neither the token nor any other parameter, and
				// names the refusal AccessDenied (recorded, 2026: confirmation_audit.json
				// scoped-original-only-request-other-denied; other operations' policy
				// refusals were not captured).
				c.RequestParameters = json.RawMessage("null")
				e.Shape = recordedAccessDenied
			}
			return e
		}}
}

// recordedAccessDenied names a policy's refusal of ConfirmSubscription in its
// CloudTrail record; the caller still gets AuthorizationError.
var recordedAccessDenied = &model.Shape{Name: "AccessDenied", Exception: true, ErrorCode: "AuthorizationError", HTTPStatusCode: 403}

// deniedMessage is SNS's AuthorizationError message for a denial: the policy
// engine's, except that a deny in the topic policy is not followed by the policy's
// name ("... with an explicit deny in a resource-based policy", recorded).
func deniedMessage(d *authz.Decision) string {
	msg := d.Message()
	const resource = " with an explicit deny in a resource-based policy"
	if i := strings.Index(msg, resource+": "); i >= 0 {
		msg = msg[:i+len(resource)]
	}
	return msg
}

// unsigned are the operations a receiver may call without credentials, by visiting
// the SubscribeURL and UnsubscribeURL SNS sends it: the token, and the subscription
// ARN, are the proof (AWS, "Logging Amazon SNS API calls using CloudTrail": such
// unauthenticated calls are not logged). ConfirmSubscription's AuthenticateOnUnsubscribe
// makes a subscription's Unsubscribe require a signature.
var unsigned = map[string]bool{"ConfirmSubscription": true, "Unsubscribe": true}

// PublicRoutes are the unauthenticated routes SNS needs: its signing certificate.
func (s *SNS) PublicRoutes() map[string]http.Handler {
	return map[string]http.Handler{"GET " + certPrefix: s.signer.handler()}
}

// Run brings stored state up to this version's indexes, then delivers the outbox until
// ctx ends.
func (s *SNS) Run(ctx context.Context) {
	if err := s.d.Store.Update(ctx, upgrade); err != nil && ctx.Err() == nil {
		s.d.Logger.Error("sns: index stored subscriptions", "err", err)
	}
	if s.d.Metrics == nil {
		s.deliverLoop(ctx)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.metricsLoop(ctx)
	}()
	s.deliverLoop(ctx)
	<-done
}

// upgradeNS records the upgrades of stored state done once (key → "done").
var upgradeNS = store.NS("sns", "meta")

// upgrade builds, once, the indexes that subscriptions stored by an earlier Palisade
// lack: a subscriber's index of its subscriptions to other accounts' topics
// (tOwnedSubs, for ListSubscriptions) and the region-wide index of confirmation tokens
// (tokenNS, for ConfirmSubscription naming another topic). It runs in one write
// transaction, so it sees no subscription half made or half removed.
func upgrade(tx *store.Tx) error {
	const key = "indexes-1"
	if _, done, err := tx.Get(upgradeNS, key); err != nil || done {
		return err
	}
	nss, err := tx.Namespaces("sns/")
	if err != nil {
		return err
	}
	for _, n := range nss {
		parts := strings.Split(n, "/")
		if len(parts) != 4 {
			continue
		}
		account, region := parts[1], parts[2]
		var puts [][3]string // namespace, key, value
		err := tx.Scan(n, "", 0, func(k string, v []byte) bool {
			switch parts[3] {
			case tSubs:
				sub := &subRec{}
				if json.Unmarshal(v, sub) == nil && sub.Owner != "" && sub.Owner != account {
					puts = append(puts, [3]string{ns(sub.Owner, region, tOwnedSubs), account + "\x00" + sub.Topic + "\x00" + sub.ID, ""})
				}
			case tTokens:
				puts = append(puts, [3]string{tokenNS(region), k, account})
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, p := range puts {
			var val []byte
			if p[2] != "" {
				val = []byte(p[2])
			}
			if err := tx.Put(p[0], p[1], val); err != nil {
				return err
			}
		}
	}
	return tx.Put(upgradeNS, key, []byte("done"))
}

// Record kinds: the last part of each namespace.
const (
	tTopics    = "topics"     // topic name → topicRec
	tSubs      = "subs"       // subscription ID → subRec
	tTopicSubs = "topic-subs" // topic name \x00 subscription ID → ""
	tTokens    = "tokens"     // confirmation token → subscription ID
	// tOwnedSubs indexes, in the subscriber's account, its subscriptions to other
	// accounts' topics: topic account \x00 topic name \x00 subscription ID → "".
	tOwnedSubs = "owned-subs"
	// tUnsubscribed holds the subscriptions an UnsubscribeConfirmation can restore:
	// its token → the deleted subRec.
	tUnsubscribed = "unsubscribed"
	// tDedup holds what FIFO topics remember of the messages they accepted: topic
	// name \x00 creation time \x00 scope \x00 deduplication ID → dedupRec; tDedupAt
	// indexes them by time (%016d ms \x00 tDedup key) for expiry.
	tDedup   = "dedup"
	tDedupAt = "dedup-at"
)

func ns(account, region, kind string) string { return store.NS("sns", account, region, kind) }

// tokenNS maps a region's confirmation tokens to the account whose topic issued
// them: a token names its subscription whatever TopicArn its confirmation gives,
// another account's topic or none at all (recorded, 2026:
// confirmation_lifetime_scope.json).
func tokenNS(region string) string { return store.NS("sns", "tokens", region) }

// putToken stores a confirmation token of t's subscription id.
func putToken(tx *store.Tx, t topicRef, token, id string) error {
	if err := tx.Put(ns(t.Account, t.Region, tTokens), token, []byte(id)); err != nil {
		return err
	}
	return tx.Put(tokenNS(t.Region), token, []byte(t.Account))
}

// topicRec is a stored topic.
type topicRec struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
	Tags       []api.Tag         `json:"tags,omitempty"`
	Created    time.Time         `json:"created"`
	Seq        int64             `json:"seq,omitempty"` // FIFO sequence numbers
}

// subRec is a stored subscription.
type subRec struct {
	ID         string            `json:"id"`
	Topic      string            `json:"topic"` // topic name
	Protocol   string            `json:"protocol"`
	Endpoint   string            `json:"endpoint"`
	Owner      string            `json:"owner"`
	Confirmed  bool              `json:"confirmed"`
	Token      string            `json:"token,omitempty"`
	Attributes map[string]string `json:"attributes"`
	Base       string            `json:"base"` // the endpoint's URL as the subscriber called it
	Created    time.Time         `json:"created"`
	// AuthOnUnsubscribe: a signed ConfirmSubscription asked AuthenticateOnUnsubscribe,
	// and Unsubscribe must be signed. UnsignedConfirm: the confirmation was an unsigned
	// one (ConfirmationWasAuthenticated false).
	AuthOnUnsubscribe bool `json:"authOnUnsubscribe,omitempty"`
	UnsignedConfirm   bool `json:"unsignedConfirm,omitempty"`
	// Deleted marks a subscription another account than its subscriber's left: kept,
	// listed as "Deleted", delivered nothing, until restored or left by its subscriber.
	Deleted bool `json:"deleted,omitempty"`
	// Principal is the subscriber's IAM identity (SubscriptionPrincipal); "" in
	// subscriptions stored before it was kept (the account's root is reported).
	Principal string `json:"principal,omitempty"`
	// Orphan marks a subscription restored with its UnsubscribeConfirmation's token
	// after its topic was deleted: it answers to its ARN, but is no subscription of
	// the topic (created again or not) — neither listed nor delivered — until the
	// topic's name is deleted again (recorded, 2026: confirmation_lifetime_scope.json
	// reactivate-without-topic, list-recreated-topic, recreated-receive-*;
	// confirmation_lifetime_supplement.json attributes-after-reactivation).
	Orphan bool `json:"orphan,omitempty"`
	// PriorAuth keeps, in an UnsubscribeConfirmation's record of the subscription
	// (whose Token is the restoring one), whether its confirmation was authenticated.
	PriorAuth bool `json:"priorAuth,omitempty"`
}

// authenticated reports ConfirmationWasAuthenticated of a confirmed subscription:
// one confirmed at once by its subscriber is, one confirmed with its token only when
// the confirmation asked for AuthenticateOnUnsubscribe; a signed confirmation without
// it is not (recorded, 2026: cross_account_confirmation.json, queue-default-confirmed-get-A
// and control-owner-false).
func (sub *subRec) authenticated() bool { return sub.Token == "" || sub.AuthOnUnsubscribe }

func topicARN(region, account, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

func (sub *subRec) arn(region, account string) string {
	return topicARN(region, account, sub.Topic) + ":" + sub.ID
}

// topicRef is a topic ARN taken apart.
type topicRef struct {
	ARN, Region, Account, Name string
}

// parseTopicARN splits a topic ARN; AWS answers a malformed one with
// InvalidParameter.
func parseTopicARN(arn, param string) (topicRef, error) {
	if err := arnElements(arn, param); err != nil {
		return topicRef{}, err
	}
	a, ok := svckit.ParseARN(arn)
	if !ok || a.Service != "sns" || a.Region == "" || a.Account == "" || a.Resource == "" || strings.Contains(a.Resource, ":") {
		return topicRef{}, errParam("Invalid parameter: " + param)
	}
	return topicRef{ARN: arn, Region: a.Region, Account: a.Account, Name: a.Resource}, nil
}

// parseSubARN splits a subscription ARN into its topic and ID.
func parseSubARN(arn string) (topicRef, string, error) {
	if err := arnElements(arn, "SubscriptionArn"); err != nil {
		return topicRef{}, "", err
	}
	a, ok := svckit.ParseARN(arn)
	topic, id, found := strings.Cut(a.Resource, ":")
	if ok && a.Service == "sns" && !found {
		// Six elements make an ARN but name no subscription.
		return topicRef{}, "", errParam("Invalid parameter: SubscriptionId")
	}
	if !ok || a.Service != "sns" || !found || id == "" {
		return topicRef{}, "", errParam("Invalid parameter: SubscriptionArn Reason: An ARN must have the format \"arn:partition:service:region:account-id:resource\". The following sections are missing: resource")
	}
	return topicRef{ARN: topicARN(a.Region, a.Account, topic), Region: a.Region, Account: a.Account, Name: topic}, id, nil
}

// arnElements refuses, as SNS does before anything else, an ARN of fewer than six
// colon-separated elements (an empty one counts one).
func arnElements(arn, param string) error {
	if n := strings.Count(arn, ":") + 1; n < 6 {
		return errParam(fmt.Sprintf("Invalid parameter: %s Reason: An ARN must have at least 6 elements, not %d", param, n))
	}
	return nil
}

func errParam(msg string) error { return api.NewInvalidParameterException(msg) }

func errNoTopic() error { return api.NewNotFoundException("Topic does not exist") }

func loadTopic(tx *store.Tx, t topicRef) (*topicRec, error) {
	rec := &topicRec{}
	ok, err := tx.GetJSON(ns(t.Account, t.Region, tTopics), t.Name, rec)
	if err != nil || !ok {
		return nil, err
	}
	return rec, nil
}

// mustTopic loads a topic or answers NotFound.
func mustTopic(tx *store.Tx, t topicRef) (*topicRec, error) {
	rec, err := loadTopic(tx, t)
	if err == nil && rec == nil {
		err = errNoTopic()
	}
	return rec, err
}

// topicOf resolves a request's TopicArn to its topic, or NotFound.
func topicOf(c *server.Call, arn string) (topicRef, *topicRec, error) {
	t, err := parseTopicARN(arn, "TopicArn")
	if err != nil {
		return t, nil, err
	}
	rec, err := mustTopic(c.Tx, t)
	return t, rec, err
}

func putTopic(tx *store.Tx, t topicRef, rec *topicRec) error {
	return tx.PutJSON(ns(t.Account, t.Region, tTopics), t.Name, rec)
}

func loadSub(tx *store.Tx, t topicRef, id string) (*subRec, error) {
	rec := &subRec{}
	ok, err := tx.GetJSON(ns(t.Account, t.Region, tSubs), id, rec)
	if err != nil || !ok || rec.Topic != t.Name {
		return nil, err
	}
	return rec, nil
}

func putSub(tx *store.Tx, t topicRef, rec *subRec) error {
	return tx.PutJSON(ns(t.Account, t.Region, tSubs), rec.ID, rec)
}

// topicSubs lists a topic's subscriptions.
func topicSubs(tx *store.Tx, t topicRef) ([]*subRec, error) {
	all, err := topicSubsAll(tx, t)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sub := range all {
		if !sub.Orphan {
			out = append(out, sub)
		}
	}
	return out, nil
}

// topicSubsAll lists a topic name's subscriptions, orphans included.
func topicSubsAll(tx *store.Tx, t topicRef) ([]*subRec, error) {
	var ids []string
	err := svckit.ScanPrefix(tx, ns(t.Account, t.Region, tTopicSubs), t.Name+"\x00", "", func(k string, _ []byte) (bool, error) {
		ids = append(ids, k[len(t.Name)+1:])
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*subRec, 0, len(ids))
	for _, id := range ids {
		sub, err := loadSub(tx, t, id)
		if err != nil {
			return nil, err
		}
		if sub != nil {
			out = append(out, sub)
		}
	}
	return out, nil
}

// baseURL is the endpoint as the caller addressed it.
func baseURL(c *server.Call) string {
	scheme := "http"
	if c.Secure {
		scheme = "https"
	}
	return scheme + "://" + c.Host
}

// defaultPolicy is the topic policy SNS creates with a topic: the owner account's
// principals (and services acting for it, aws:SourceOwner) may manage and use it.
func defaultPolicy(t topicRef) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":"` + t.ARN + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + t.Account + `"}}}]}`
}

// compilePolicy compiles a topic's policy through the authorizer's cache.
func (s *SNS) compilePolicy(t topicRef, doc string) (*policy.Policy, error) {
	if s.d.Authz == nil || doc == "" {
		return nil, nil
	}
	return s.d.Authz.Compile(policy.KindResource, t.ARN, doc)
}

// actions maps PublishBatch to the action it is authorized as: the Service
// Authorization Reference has no sns:PublishBatch, and topic policies grant
// publishing, batched or not, with sns:Publish.
var actions = map[string]string{"PublishBatch": "SNS:Publish"}

// dataEvents are the operations CloudTrail records as data events, which a trail logs
// only when its selectors ask for them (recorded, 2026: radkawar/stackd
// testdata/aws/sns/cross_account_audit.json: Publish and PublishBatch records are
// eventCategory Data).
var dataEvents = map[string]bool{"Publish": true, "PublishBatch": true}

// recordsSubscription are the operations whose CloudTrail records name the
// subscription — as an AWS::SNS::PlatformEndpoint of the caller's account, whatever
// the topic's (recorded, 2026: cross_account_audit.json,
// subscription_resources_observed). An operation on a topic names the topic
// (recorded for Publish, PublishBatch, Subscribe, Get/SetTopicAttributes, TagResource,
// UntagResource and ListTagsForResource: cross_account_audit.json,
// cross_account_control_audit.json; the others' taken to be alike).
var recordsSubscription = map[string]bool{"Unsubscribe": true, "GetSubscriptionAttributes": true, "SetSubscriptionAttributes": true}

// subscriptionOps act on a subscription rather than on its topic.
var subscriptionOps = map[string]bool{"ConfirmSubscription": true, "Unsubscribe": true,
	"GetSubscriptionAttributes": true, "SetSubscriptionAttributes": true}

// checks authorizes SNS operations: topic operations against the topic's policy as
// a resource policy (the topic may be in another account), others with the
// reference's defaults. The server adds aws:RequestTag/* and aws:TagKeys.
func (s *SNS) checks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	action := "SNS:" + op
	if a, ok := actions[op]; ok {
		action = a
	}
	var t topicRef
	var err error
	param := ""
	switch {
	case op == "CreateTopic":
		name, _ := in["Name"].(string)
		return append([]authz.Check{{Action: action, Resource: topicARN(c.Region, c.Account, name)}}, passRoleChecks(op, in)...), nil
	case in["TopicArn"] != nil:
		param = "TopicArn"
		t, err = parseTopicARN(in[param].(string), param)
	case in["TargetArn"] != nil:
		param = "TargetArn"
		t, err = parseTopicARN(in[param].(string), param)
	case in["ResourceArn"] != nil:
		param = "ResourceArn"
		t, err = parseTopicARN(in[param].(string), param)
	case in["SubscriptionArn"] != nil:
		param = "SubscriptionArn"
		t, _, err = parseSubARN(in[param].(string))
	default:
		return c.DefaultChecks(in)
	}
	if err != nil {
		return nil, err
	}
	if t.Region != c.Region {
		// SNS is regional: a call never reaches another Region's topic (AWS's answer
		// for TopicArn; the other parameters' are taken to be alike).
		return nil, errParam("Invalid parameter: " + param)
	}
	switch {
	case recordsSubscription[op]:
		c.Resources = []audit.Resource{{ARN: in[param].(string), AccountID: c.Account, Type: "AWS::SNS::PlatformEndpoint", AccountFirst: true}}
	case op == "ConfirmSubscription":
		// A confirmation's record names the topic the request does, as the caller's
		// account's, and keeps its token out: it confirms (or restores) a
		// subscription for whoever holds it (recorded, 2026: radkawar/stackd
		// testdata/aws/sns/confirmation_audit.json, "token": "REDACTED").
		c.Resources = []audit.Resource{{ARN: t.ARN, AccountID: c.Account, Type: "AWS::SNS::Topic", AccountFirst: true}}
		params := maps.Clone(in)
		if _, ok := params["Token"]; ok {
			params["Token"] = "REDACTED"
		}
		c.RequestParameters = audit.Params(c.Service.Name, c.Operation.Input, params)
	case param != "SubscriptionArn":
		c.Resources = []audit.Resource{{ARN: t.ARN, AccountID: t.Account, Type: "AWS::SNS::Topic", AccountFirst: true}}
	}
	chk := authz.Check{Action: action, Resource: t.ARN, ResourceAccount: t.Account}
	passes := passRoleChecks(op, in)
	if subscriptionOps[op] && t.Account != c.Account {
		// A subscription's own operations from another account than the topic's
		// are not the topic policy's to grant (it refuses these actions): the
		// caller's own policies decide, and the handler who may act on which
		// subscription (recorded, 2026: cross_account_confirmation.json, the queue's
		// owner confirming, reading, changing and leaving subscriptions to a topic
		// whose policy grants it none of these).
		chk.ResourceAccount = c.Account
		return []authz.Check{chk}, nil
	}
	if op == "Subscribe" {
		proto, _ := in["Protocol"].(string)
		endpoint, _ := in["Endpoint"].(string)
		chk.Context = map[string][]string{"sns:Protocol": {proto}, "sns:Endpoint": {endpoint}}
	}
	if rec, err := loadTopic(c.Tx, t); err == nil && rec != nil {
		if chk.ResourcePolicy, err = s.compilePolicy(t, rec.Attributes["Policy"]); err != nil {
			return nil, err
		}
		// A topic's tags are aws:ResourceTag/* (the topic resource type's key).
		tags := make(map[string]string, len(rec.Tags))
		for _, tg := range rec.Tags {
			tags[tg.Key] = tg.Value
		}
		chk.Context = svckit.ResourceTags(chk.Context, tags)
	}
	return append([]authz.Check{chk}, passes...), nil
}

// passRoleChecks are the iam:PassRole checks of the delivery-status logging roles a
// CreateTopic or SetTopicAttributes names: SNS acts as the role, so the caller must
// be allowed to pass it (recorded, 2026: feedback_sampling.json, SetTopicAttributes
// of SQSSuccessFeedbackRoleArn refused until the caller could; CreateTopic's and
// iam:PassedToService sns.amazonaws.com inferred, as AWS documents for passing a
// role to a service). A value that is not a role ARN is left to the attribute's
// own check.
func passRoleChecks(op string, in map[string]any) []authz.Check {
	attrs := map[string]any{}
	switch op {
	case "SetTopicAttributes":
		name, _ := in["AttributeName"].(string)
		attrs[name] = in["AttributeValue"]
	case "CreateTopic":
		attrs, _ = in["Attributes"].(map[string]any)
	}
	var out []authz.Check
	for name, v := range attrs {
		role, _ := v.(string)
		account, _, ok := roleARN(role)
		if !ok || !strings.HasSuffix(name, "FeedbackRoleArn") || !settableTopicAttributes[name] {
			continue
		}
		out = append(out, authz.Check{Action: "iam:PassRole", Resource: role, ResourceAccount: account,
			Context: map[string][]string{"iam:passedtoservice": {"sns.amazonaws.com"}}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Resource < out[j].Resource })
	return out
}

// roleARN splits an IAM role's ARN.
func roleARN(arn string) (account, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	account, res, found2 := strings.Cut(rest, ":role/")
	if !found || !found2 || len(account) != 12 || res == "" {
		return "", "", false
	}
	return account, res[strings.LastIndexByte(res, '/')+1:], true
}

func decode(b []byte, v any) error { return svckit.Decode("sns", b, v) }
