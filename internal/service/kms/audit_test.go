package kms_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

// CloudTrail records name the key and the encryption context, never plaintexts,
// data keys or private keys.
func TestCloudTrailRecordsHoldNoSecrets(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	secret := []byte("a plaintext that must not be logged")
	ec := map[string]string{"purpose": "audit"}
	ct := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: secret, EncryptionContext: ec})).CiphertextBlob
	must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec}))
	dk := must(e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: "AES_256"}))
	pair := must(e.kms.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: m.KeyId, KeyPairSpec: "ECC_NIST_P256"}))
	rnd := must(e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)}))
	secrets := [][]byte{secret, dk.Plaintext, pair.PrivateKeyPlaintext, rnd.Plaintext}

	var gdk *audit.Record
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 10000, func(ev *store.Event) bool {
			for _, s := range secrets {
				for _, enc := range [][]byte{s, []byte(base64.StdEncoding.EncodeToString(s))} {
					if bytes.Contains(ev.Data, enc) {
						t.Fatalf("a secret in a record: %s", ev.Data)
					}
				}
			}
			var r audit.Record
			if json.Unmarshal(ev.Data, &r) == nil && r.EventName == "GenerateDataKey" {
				gdk = &r
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if gdk == nil || !gdk.ReadOnly || len(gdk.Resources) != 1 || gdk.Resources[0].ARN != *m.Arn || gdk.Resources[0].Type != "AWS::KMS::Key" ||
		!bytes.Contains(gdk.RequestParameters, []byte(`"keySpec":"AES_256"`)) {
		t.Fatalf("GenerateDataKey record %+v", gdk)
	}
}
