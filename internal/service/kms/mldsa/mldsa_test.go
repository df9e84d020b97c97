package mldsa_test

import (
	"crypto/rand"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"

	"github.com/palisade/palisade/internal/service/kms/mldsa"
)

// The copy agrees with circl, an implementation written apart from Go's: the same
// seed gives the same public key, and each verifies the other's signatures.
func TestAgreesWithCircl(t *testing.T) {
	type circlKey struct {
		pub    []byte
		sign   func(msg []byte) []byte
		verify func(msg, sig []byte) bool
	}
	for _, tc := range []struct {
		name  string
		ours  func([]byte) (*mldsa.PrivateKey, error)
		circl func(seed [32]byte) circlKey
	}{
		{"ML-DSA-44", mldsa.NewPrivateKey44, func(seed [32]byte) circlKey {
			pk, sk := mldsa44.NewKeyFromSeed(&seed)
			return circlKey{pk.Bytes(), func(m []byte) []byte {
				s := make([]byte, mldsa44.SignatureSize)
				must(t, mldsa44.SignTo(sk, m, nil, true, s))
				return s
			}, func(m, s []byte) bool { return mldsa44.Verify(pk, m, nil, s) }}
		}},
		{"ML-DSA-65", mldsa.NewPrivateKey65, func(seed [32]byte) circlKey {
			pk, sk := mldsa65.NewKeyFromSeed(&seed)
			return circlKey{pk.Bytes(), func(m []byte) []byte {
				s := make([]byte, mldsa65.SignatureSize)
				must(t, mldsa65.SignTo(sk, m, nil, true, s))
				return s
			}, func(m, s []byte) bool { return mldsa65.Verify(pk, m, nil, s) }}
		}},
		{"ML-DSA-87", mldsa.NewPrivateKey87, func(seed [32]byte) circlKey {
			pk, sk := mldsa87.NewKeyFromSeed(&seed)
			return circlKey{pk.Bytes(), func(m []byte) []byte {
				s := make([]byte, mldsa87.SignatureSize)
				must(t, mldsa87.SignTo(sk, m, nil, true, s))
				return s
			}, func(m, s []byte) bool { return mldsa87.Verify(pk, m, nil, s) }}
		}},
	} {
		var seed [32]byte
		rand.Read(seed[:])
		ours, err := tc.ours(seed[:])
		must(t, err)
		theirs := tc.circl(seed)
		if string(ours.PublicKey().Bytes()) != string(theirs.pub) {
			t.Fatalf("%s: public keys differ", tc.name)
		}
		msg := []byte("palisade")
		sig, err := mldsa.Sign(ours, msg, "")
		must(t, err)
		if !theirs.verify(msg, sig) {
			t.Errorf("%s: circl refuses our signature", tc.name)
		}
		if mldsa.Verify(ours.PublicKey(), msg, theirs.sign(msg), "") != nil {
			t.Errorf("%s: we refuse circl's signature", tc.name)
		}
		if theirs.verify([]byte("other"), sig) {
			t.Errorf("%s: circl accepts our signature for another message", tc.name)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
