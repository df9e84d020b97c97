package sns_test

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// The signing key is on disk by the time a message signed with it is: the Subscribe
// that queues the first signed confirmation stores the key in its own transaction, so
// a crash cannot leave signed messages whose key the restarted server does not have.
func TestSigningKeyStoredWithFirstSignature(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("t", nil)
	r := newReceiver(t)
	apptest.Must(e.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(r.srv.URL + "/hook")}))
	var rec struct{ Cert []byte }
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		ok, err := tx.GetJSON(store.NS("sns", "signing"), "key", &rec)
		if err == nil && !ok {
			t.Error("no signing key in the store once Subscribe has answered")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	conf := r.wait(t, 1)[0]
	sum := sha1.Sum(rec.Cert)
	if want := "SimpleNotificationService-" + hex.EncodeToString(sum[:]) + ".pem"; !strings.HasSuffix(conf["SigningCertURL"], "/"+want) {
		b, _ := json.Marshal(conf)
		t.Fatalf("confirmation signed with another key than the stored one (%s): %s", want, b)
	}
	verify(t, conf)
}
