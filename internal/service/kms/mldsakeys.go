package kms

import (
	"crypto/sha3"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/service/kms/mldsa"
)

// ML-DSA keys are held as PKCS #8 in the seed form of RFC 9881 (the 32-byte ξ
// under an implicit [0] tag) and shown as SubjectPublicKeyInfo with the NIST OIDs
// and no parameters, as KMS's GetPublicKey returns them (stackd
// testdata/aws/kms/mldsa.json, public_key: "MIIFMjALBglghkgBZQMEAxED…").
var (
	mldsaOIDs = map[string]asn1.ObjectIdentifier{
		api.KeySpecMLDSA44: {2, 16, 840, 1, 101, 3, 4, 3, 17},
		api.KeySpecMLDSA65: {2, 16, 840, 1, 101, 3, 4, 3, 18},
		api.KeySpecMLDSA87: {2, 16, 840, 1, 101, 3, 4, 3, 19},
	}
	mldsaNames = map[string]string{api.KeySpecMLDSA44: "ML-DSA-44", api.KeySpecMLDSA65: "ML-DSA-65", api.KeySpecMLDSA87: "ML-DSA-87"}
)

func mldsaSpec(name string) string {
	for spec, n := range mldsaNames {
		if n == name {
			return spec
		}
	}
	return ""
}

func mldsaFromSeed(spec string, seed []byte) (*mldsa.PrivateKey, error) {
	switch spec {
	case api.KeySpecMLDSA44:
		return mldsa.NewPrivateKey44(seed)
	case api.KeySpecMLDSA65:
		return mldsa.NewPrivateKey65(seed)
	case api.KeySpecMLDSA87:
		return mldsa.NewPrivateKey87(seed)
	}
	return nil, errors.New("kms: not an ML-DSA key spec")
}

func marshalMLDSAPKCS8(spec string, seed []byte) ([]byte, error) {
	inner, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: seed})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8ASN1{Algorithm: pkix.AlgorithmIdentifier{Algorithm: mldsaOIDs[spec]}, PrivateKey: inner})
}

// parseMLDSAPKCS8 reads the seed form only: it is what Palisade stores, and the
// expanded forms carry nothing the seed does not.
func parseMLDSAPKCS8(spec string, der []byte) (*mldsa.PrivateKey, error) {
	var p pkcs8ASN1
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return nil, errors.New("kms: malformed ML-DSA private key")
	}
	if !p.Algorithm.Algorithm.Equal(mldsaOIDs[spec]) || len(p.Algorithm.Parameters.FullBytes) > 0 {
		return nil, errors.New("kms: private key is not " + spec)
	}
	var seed asn1.RawValue
	if rest, err := asn1.Unmarshal(p.PrivateKey, &seed); err != nil || len(rest) > 0 ||
		seed.Class != asn1.ClassContextSpecific || seed.Tag != 0 || seed.IsCompound || len(seed.Bytes) != 32 {
		return nil, errors.New("kms: ML-DSA private key is not in seed form")
	}
	return mldsaFromSeed(spec, seed.Bytes)
}

func marshalMLDSASPKI(pub *mldsa.PublicKey) ([]byte, error) {
	raw := pub.Bytes()
	return asn1.Marshal(spkiASN1{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: mldsaOIDs[mldsaSpec(pub.Parameters())]},
		PublicKey: asn1.BitString{Bytes: raw, BitLength: 8 * len(raw)},
	})
}

// mldsaMu is μ of FIPS 204 (Algorithm 2, line 10 with Algorithm 7, line 6) for a
// message signed with an empty context, as KMS signs RAW messages: SHAKE256 of the
// public key's hash tr, the pure ML-DSA domain separator, the context's length and
// the message. A caller with an EXTERNAL_MU message computed the same.
func mldsaMu(pub *mldsa.PublicKey, msg []byte) []byte {
	tr := sha3.SumSHAKE256(pub.Bytes(), 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(msg)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}
