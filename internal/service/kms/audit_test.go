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

// Sign and Verify with Ed25519 and ML-DSA keys are recorded as with other key
// pairs: the key, the algorithm and the message type, never the message or the
// signature.
func TestCloudTrailRecordsNewSigningKeys(t *testing.T) {
	e := newEnv(t)
	ed := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: "SIGN_VERIFY"})
	ml := e.key(&kms.CreateKeyInput{KeySpec: "ML_DSA_65", KeyUsage: "SIGN_VERIFY"})
	msg := bytes.Repeat([]byte("m"), 64)
	var secrets [][]byte
	for _, in := range []*kms.SignInput{
		{KeyId: ed.KeyId, Message: msg, SigningAlgorithm: "ED25519_SHA_512"},
		{KeyId: ml.KeyId, Message: msg, SigningAlgorithm: "ML_DSA_SHAKE_256", MessageType: "EXTERNAL_MU"},
	} {
		sig := must(e.kms.Sign(ctx, in)).Signature
		must(e.kms.Verify(ctx, &kms.VerifyInput{KeyId: in.KeyId, Message: msg, MessageType: in.MessageType, Signature: sig, SigningAlgorithm: in.SigningAlgorithm}))
		secrets = append(secrets, sig)
	}
	secrets = append(secrets, msg)
	seen := map[string]int{}
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 10000, func(ev *store.Event) bool {
			for _, s := range secrets {
				if bytes.Contains(ev.Data, []byte(base64.StdEncoding.EncodeToString(s))) {
					t.Fatalf("a message or signature in a record: %s", ev.Data)
				}
			}
			var r audit.Record
			if json.Unmarshal(ev.Data, &r) != nil || (r.EventName != "Sign" && r.EventName != "Verify") {
				return true
			}
			if !r.ReadOnly || len(r.Resources) != 1 || r.Resources[0].Type != "AWS::KMS::Key" {
				t.Errorf("%s record %s", r.EventName, ev.Data)
			}
			switch r.Resources[0].ARN {
			case *ed.Arn:
				if !bytes.Contains(r.RequestParameters, []byte(`"signingAlgorithm":"ED25519_SHA_512"`)) {
					t.Errorf("Ed25519 %s record %s", r.EventName, r.RequestParameters)
				}
			case *ml.Arn:
				if !bytes.Contains(r.RequestParameters, []byte(`"signingAlgorithm":"ML_DSA_SHAKE_256"`)) || !bytes.Contains(r.RequestParameters, []byte(`"messageType":"EXTERNAL_MU"`)) {
					t.Errorf("ML-DSA %s record %s", r.EventName, r.RequestParameters)
				}
			}
			seen[r.EventName]++
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen["Sign"] != 2 || seen["Verify"] != 2 {
		t.Errorf("records %v", seen)
	}
}
