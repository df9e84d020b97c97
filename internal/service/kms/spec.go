package kms

import (
	"crypto"
	"slices"

	api "github.com/palisade/palisade/internal/api/kms"
)

// specInfo is what a key spec allows: its usages (the first is the default when
// CreateKey names none) and the algorithms each usage offers, in the order
// DescribeKey lists them.
type specInfo struct {
	usages     []string
	encryption []string // ENCRYPT_DECRYPT
	signing    []string // SIGN_VERIFY
	mac        []string // GENERATE_VERIFY_MAC
	agreement  []string // KEY_AGREEMENT
	rsaBits    int
	hmacBytes  int
}

var (
	rsaEncryption = []string{api.EncryptionAlgorithmSpecRSAESOAEPSHA1, api.EncryptionAlgorithmSpecRSAESOAEPSHA256}
	rsaSigning    = []string{
		api.SigningAlgorithmSpecRSASSAPKCS1V15SHA256, api.SigningAlgorithmSpecRSASSAPKCS1V15SHA384, api.SigningAlgorithmSpecRSASSAPKCS1V15SHA512,
		api.SigningAlgorithmSpecRSASSAPSSSHA256, api.SigningAlgorithmSpecRSASSAPSSSHA384, api.SigningAlgorithmSpecRSASSAPSSSHA512,
	}
)

// specs are the key specs Palisade creates, with the usages the Developer Guide's
// "Key spec reference" lists for each (SM2 is China-only). Ed25519 lists its
// pre-hash algorithm first, as KMS does (stackd testdata/aws/kms/ecc.json,
// ECC_NIST_EDWARDS25519 public_key).
var specs = map[string]*specInfo{
	api.KeySpecSYMMETRICDEFAULT:    {usages: []string{api.KeyUsageTypeENCRYPTDECRYPT}, encryption: []string{api.EncryptionAlgorithmSpecSYMMETRICDEFAULT}},
	api.KeySpecRSA2048:             {usages: []string{api.KeyUsageTypeENCRYPTDECRYPT, api.KeyUsageTypeSIGNVERIFY}, encryption: rsaEncryption, signing: rsaSigning, rsaBits: 2048},
	api.KeySpecRSA3072:             {usages: []string{api.KeyUsageTypeENCRYPTDECRYPT, api.KeyUsageTypeSIGNVERIFY}, encryption: rsaEncryption, signing: rsaSigning, rsaBits: 3072},
	api.KeySpecRSA4096:             {usages: []string{api.KeyUsageTypeENCRYPTDECRYPT, api.KeyUsageTypeSIGNVERIFY}, encryption: rsaEncryption, signing: rsaSigning, rsaBits: 4096},
	api.KeySpecECCNISTP256:         {usages: []string{api.KeyUsageTypeSIGNVERIFY, api.KeyUsageTypeKEYAGREEMENT}, signing: []string{api.SigningAlgorithmSpecECDSASHA256}, agreement: []string{api.KeyAgreementAlgorithmSpecECDH}},
	api.KeySpecECCNISTP384:         {usages: []string{api.KeyUsageTypeSIGNVERIFY, api.KeyUsageTypeKEYAGREEMENT}, signing: []string{api.SigningAlgorithmSpecECDSASHA384}, agreement: []string{api.KeyAgreementAlgorithmSpecECDH}},
	api.KeySpecECCNISTP521:         {usages: []string{api.KeyUsageTypeSIGNVERIFY, api.KeyUsageTypeKEYAGREEMENT}, signing: []string{api.SigningAlgorithmSpecECDSASHA512}, agreement: []string{api.KeyAgreementAlgorithmSpecECDH}},
	api.KeySpecECCSECGP256K1:       {usages: []string{api.KeyUsageTypeSIGNVERIFY}, signing: []string{api.SigningAlgorithmSpecECDSASHA256}},
	api.KeySpecECCNISTEDWARDS25519: {usages: []string{api.KeyUsageTypeSIGNVERIFY}, signing: []string{api.SigningAlgorithmSpecED25519PHSHA512, api.SigningAlgorithmSpecED25519SHA512}},
	api.KeySpecMLDSA44:             {usages: []string{api.KeyUsageTypeSIGNVERIFY}, signing: []string{api.SigningAlgorithmSpecMLDSASHAKE256}},
	api.KeySpecMLDSA65:             {usages: []string{api.KeyUsageTypeSIGNVERIFY}, signing: []string{api.SigningAlgorithmSpecMLDSASHAKE256}},
	api.KeySpecMLDSA87:             {usages: []string{api.KeyUsageTypeSIGNVERIFY}, signing: []string{api.SigningAlgorithmSpecMLDSASHAKE256}},
	api.KeySpecHMAC224:             {usages: []string{api.KeyUsageTypeGENERATEVERIFYMAC}, mac: []string{api.MacAlgorithmSpecHMACSHA224}, hmacBytes: 28},
	api.KeySpecHMAC256:             {usages: []string{api.KeyUsageTypeGENERATEVERIFYMAC}, mac: []string{api.MacAlgorithmSpecHMACSHA256}, hmacBytes: 32},
	api.KeySpecHMAC384:             {usages: []string{api.KeyUsageTypeGENERATEVERIFYMAC}, mac: []string{api.MacAlgorithmSpecHMACSHA384}, hmacBytes: 48},
	api.KeySpecHMAC512:             {usages: []string{api.KeyUsageTypeGENERATEVERIFYMAC}, mac: []string{api.MacAlgorithmSpecHMACSHA512}, hmacBytes: 64},
}

func (s *specInfo) allows(usage string) bool { return slices.Contains(s.usages, usage) }

// algorithms returns the algorithm lists KeyMetadata and GetPublicKey show for a key
// of this spec and usage.
func (s *specInfo) algorithms(usage string) (enc, sign, mac, agree []string) {
	switch usage {
	case api.KeyUsageTypeENCRYPTDECRYPT:
		return s.encryption, nil, nil, nil
	case api.KeyUsageTypeSIGNVERIFY:
		return nil, s.signing, nil, nil
	case api.KeyUsageTypeGENERATEVERIFYMAC:
		return nil, nil, s.mac, nil
	case api.KeyUsageTypeKEYAGREEMENT:
		return nil, nil, nil, s.agreement
	}
	return nil, nil, nil, nil
}

// asymmetric reports whether the spec is a key pair.
func (s *specInfo) asymmetric() bool {
	return s.rsaBits > 0 || len(s.signing) > 0 || len(s.agreement) > 0
}

// hashOf is the digest an algorithm name ends with.
func hashOf(alg string) crypto.Hash {
	switch {
	case hasSuffix(alg, "SHA_224"):
		return crypto.SHA224
	case hasSuffix(alg, "SHA_256"):
		return crypto.SHA256
	case hasSuffix(alg, "SHA_384"):
		return crypto.SHA384
	case hasSuffix(alg, "SHA_512"):
		return crypto.SHA512
	case hasSuffix(alg, "SHA_1"):
		return crypto.SHA1
	}
	return 0
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// dataKeyPairSpecs are the KeyPairSpec values GenerateDataKeyPair makes.
var dataKeyPairSpecs = []string{
	api.DataKeyPairSpecRSA2048, api.DataKeyPairSpecRSA3072, api.DataKeyPairSpecRSA4096,
	api.DataKeyPairSpecECCNISTP256, api.DataKeyPairSpecECCNISTP384, api.DataKeyPairSpecECCNISTP521,
	api.DataKeyPairSpecECCSECGP256K1, api.DataKeyPairSpecECCNISTEDWARDS25519,
}
