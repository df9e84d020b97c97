package sns_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// A data directory an earlier Palisade wrote has cross-account subscriptions and
// pending tokens without the indexes this version keeps for them; the first start
// builds them, once: the subscriber's ListSubscriptions finds its subscription to
// another account's topic, and the token is in the region-wide index.
func TestStoredSubscriptionsIndexedOnStart(t *testing.T) {
	e := newEnv(t)
	b, bcfg, bsns, bsqs := e.otherAccount()
	topic := e.topic("upgraded", nil)
	apptest.Must(e.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + b + `:root"},"Action":"SNS:Subscribe","Resource":"` + topic + `"}]}`)}))
	apptest.Must(bsqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("mine")}))
	sub := aws.ToString(apptest.Must(bsns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + b + ":mine"), ReturnSubscriptionArn: true})).SubscriptionArn)
	// A pending HTTP subscription of the topic's own account holds a token.
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String("http://127.0.0.1:1/hook")}))

	// Back to what an earlier version stored: no owner index, no region-wide tokens,
	// no record of the upgrade.
	var tokens []string
	err := e.p.Store.Update(ctx, func(tx *store.Tx) error {
		nss, err := tx.Namespaces("sns/")
		if err != nil {
			return err
		}
		for _, n := range nss {
			if !strings.HasSuffix(n, "/owned-subs") && !strings.HasPrefix(n, "sns/tokens/") && n != "sns/meta" {
				continue
			}
			var keys []string
			tx.Scan(n, "", 0, func(k string, _ []byte) bool { keys = append(keys, k); return true })
			for _, k := range keys {
				if strings.HasPrefix(n, "sns/tokens/") {
					tokens = append(tokens, k)
				}
				if _, err := tx.Delete(n, k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) == 0 {
		t.Fatal("no token indexed before the rewrite")
	}
	listed := func(c *sns.Client) bool {
		for _, s := range apptest.Must(c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})).Subscriptions {
			if aws.ToString(s.SubscriptionArn) == sub {
				return true
			}
		}
		return false
	}
	if listed(bsns) {
		t.Fatal("listed without its index: the rewrite did not take")
	}

	creds, err := bcfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.p.Stop()
	e.p = apptest.StartIn(t, e.p.DataDir)
	bsns = sns.NewFromConfig(e.p.Config(creds.AccessKeyID, creds.SecretAccessKey, ""))
	var ok bool
	for range 100 { // the upgrade runs as the background work starts
		if ok = listed(bsns); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !ok {
		t.Fatal("the subscriber's ListSubscriptions misses its subscription to another account's topic after the upgrade")
	}
	err = e.p.Store.View(ctx, func(tx *store.Tx) error {
		for _, tok := range tokens {
			if acct, found, err := tx.Get(store.NS("sns", "tokens", "us-east-1"), tok); err != nil || !found || string(acct) != "000000000000" {
				t.Errorf("token %.12s… not indexed: %q %v %v", tok, acct, found, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
