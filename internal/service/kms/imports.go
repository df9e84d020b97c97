package kms

import (
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"time"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/server"
)

// Imported key material (origin EXTERNAL). GetParametersForImport makes an RSA
// wrapping key pair and returns its public key with an import token: the private key
// and the token's terms, sealed under the master key, so the token is all the state an
// import needs. ImportKeyMaterial unwraps the material with it.

const importTokenContext = "kms/import-token"

// importTerms is what an import token holds.
type importTerms struct {
	ARN       string    `json:"arn"`
	Algorithm string    `json:"algorithm"`
	Private   []byte    `json:"private"` // PKCS #8 DER of the wrapping key
	ValidTo   time.Time `json:"validTo"`
}

// Import limits from the API reference: parameters are valid for 24 hours; imported
// material may expire between 10 minutes and 365 days ahead.
const (
	importParamsTTL = 24 * time.Hour
	minValidTo      = 10 * time.Minute
	maxValidTo      = 365 * 24 * time.Hour
)

func (k *KMS) importHandlers() []server.Handler {
	return []server.Handler{
		server.Read("GetParametersForImport", k.getParametersForImport),
		server.Write("ImportKeyMaterial", k.importKeyMaterial),
		server.Write("DeleteImportedKeyMaterial", k.deleteImportedKeyMaterial),
	}
}

// external refuses keys whose material KMS made. Wording inferred.
func external(r *keyRec) error {
	if r.Origin != originExternal {
		return api.NewUnsupportedOperationException(r.arn() + " origin is " + r.Origin + " which is not valid for this operation.")
	}
	return nil
}

func (k *KMS) getParametersForImport(c *server.Call, in *api.GetParametersForImportRequest) (*api.GetParametersForImportResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(external(r), notDeleting(r)); err != nil {
		return nil, err
	}
	bits := map[string]int{api.WrappingKeySpecRSA2048: 2048, api.WrappingKeySpecRSA3072: 3072, api.WrappingKeySpecRSA4096: 4096}[in.WrappingKeySpec]
	if bits == 0 {
		return nil, api.NewUnsupportedOperationException("WrappingKeySpec " + in.WrappingKeySpec + " is not supported in this Region.")
	}
	switch in.WrappingAlgorithm {
	case api.AlgorithmSpecRSAESOAEPSHA1, api.AlgorithmSpecRSAESOAEPSHA256, api.AlgorithmSpecRSAAESKEYWRAPSHA1, api.AlgorithmSpecRSAAESKEYWRAPSHA256:
	default:
		// RSAES_PKCS1_V1_5 is no longer accepted by KMS; SM2PKE is China-only.
		return nil, api.NewUnsupportedOperationException("WrappingAlgorithm " + in.WrappingAlgorithm + " is not supported.")
	}
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	validTo := keyTime(c.Now).Add(importParamsTTL)
	terms, _ := json.Marshal(importTerms{ARN: r.arn(), Algorithm: in.WrappingAlgorithm, Private: der, ValidTo: validTo})
	k.resources(c, r)
	return &api.GetParametersForImportResponse{KeyId: ptr(r.arn()), ImportToken: k.sealer.Seal(terms, importTokenContext), PublicKey: pub, ParametersValidTo: &validTo}, nil
}

func (k *KMS) importKeyMaterial(c *server.Call, in *api.ImportKeyMaterialRequest) (*api.ImportKeyMaterialResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(external(r), notDeleting(r)); err != nil {
		return nil, err
	}
	raw, err := k.sealer.Open(in.ImportToken, importTokenContext)
	var terms importTerms
	if err != nil || json.Unmarshal(raw, &terms) != nil || terms.ARN != r.arn() {
		return nil, api.NewInvalidImportTokenException("Import token is invalid or is associated with a different KMS key.")
	}
	if c.Now.After(terms.ValidTo) {
		return nil, api.NewExpiredImportTokenException("The import token has expired.")
	}
	expiry := api.ExpirationModelTypeKEYMATERIALEXPIRES // KMS's documented default
	if in.ExpirationModel != nil {
		expiry = *in.ExpirationModel
	}
	switch {
	case expiry == api.ExpirationModelTypeKEYMATERIALEXPIRES && in.ValidTo == nil:
		return nil, errValidation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	// KMS's words for these three (stackd testdata/aws/kms/imports.json,
	// no_expiry_with_valid_to, expired_valid_to and excessive_valid_to); the one for
	// a date less than 10 minutes ahead is inferred.
	case expiry == api.ExpirationModelTypeKEYMATERIALDOESNOTEXPIRE && in.ValidTo != nil:
		return nil, errValidation("A validTo date cannot be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
	case in.ValidTo != nil && !in.ValidTo.After(c.Now):
		return nil, errValidation("ValidTo must be in the future")
	case in.ValidTo != nil && in.ValidTo.After(c.Now.Add(maxValidTo)):
		return nil, errValidation("ValidTo must be less than 365 days in the future")
	case in.ValidTo != nil && in.ValidTo.Before(c.Now.Add(minValidTo)):
		return nil, errValidation("ValidTo must be between 10 minutes and 365 days from now.")
	}
	secret, err := unwrapMaterial(terms, in.EncryptedKeyMaterial)
	if err != nil {
		return nil, api.NewInvalidCiphertextException("")
	}
	if !materialFits(r.Spec, secret) {
		return nil, api.NewIncorrectKeyMaterialException("The key material is not valid for a KMS key with key spec " + r.Spec + ".")
	}
	fp := fingerprint(r, secret)
	if r.Imported != "" && subtle.ConstantTimeCompare([]byte(r.Imported), []byte(fp)) != 1 {
		// The material ID is the fingerprint, so this names the material expected, as
		// KMS does (stackd testdata/aws/kms/imports.json, wrong_existing_material).
		return nil, api.NewIncorrectKeyMaterialException("Imported key material does not have the expected identifier (" + r.Imported + ").")
	}
	r.Imported = fp
	if cur := r.currentMaterial(); cur == nil {
		// The material ID is the fingerprint, so material imported again after it
		// expired or was deleted is the same version and its ciphertexts decrypt.
		m := k.sealMaterial(r, fp, secret, c.Now, "")
		r.Materials, r.Current = []material{m}, m.ID
	}
	r.Expiration, r.ValidTo = expiry, nil
	if in.ValidTo != nil {
		at := keyTime(*in.ValidTo)
		r.ValidTo = &at
		if err := k.schedule(c.Tx, at, r, jobExpire); err != nil {
			return nil, err
		}
	}
	if r.State == stateImport {
		r.State = stateEnabled
	}
	k.resources(c, r)
	return &api.ImportKeyMaterialResponse{KeyId: ptr(r.arn()), KeyMaterialId: ptr(r.Current)}, k.putKey(c.Tx, r)
}

func (k *KMS) deleteImportedKeyMaterial(c *server.Call, in *api.DeleteImportedKeyMaterialRequest) (*api.DeleteImportedKeyMaterialResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := external(r); err != nil {
		return nil, err
	}
	id := r.Current
	dropImported(r)
	k.resources(c, r)
	out := &api.DeleteImportedKeyMaterialResponse{KeyId: ptr(r.arn())}
	if id != "" {
		out.KeyMaterialId = ptr(id)
	}
	return out, k.putKey(c.Tx, r)
}

// fingerprint identifies imported material without revealing it (SHA-256 over the
// key ARN and 256 bits or more of secret), so a re-import can be checked after the
// material was deleted.
func fingerprint(r *keyRec, material []byte) string {
	h := sha256.New()
	h.Write([]byte("palisade kms import fingerprint\x00" + r.arn() + "\x00"))
	h.Write(material)
	return hex.EncodeToString(h.Sum(nil))
}

// materialFits checks imported material against the key spec: 256 bits for a
// symmetric key, at least the digest size (and at most 64 bytes, the HMAC block of
// SHA-224/256, or 128 for SHA-384/512) for HMAC keys, a PKCS #8 private key of the
// spec for key pairs.
func materialFits(spec string, m []byte) bool {
	info := specs[spec]
	switch {
	case spec == api.KeySpecSYMMETRICDEFAULT:
		return len(m) == 32
	case info.hmacBytes > 0:
		limit := 64
		if info.hmacBytes > 32 {
			limit = 128
		}
		return len(m) >= info.hmacBytes && len(m) <= limit
	}
	p, err := parsePrivate(spec, m)
	return err == nil && pairMatchesSpec(spec, p)
}

// unwrapMaterial undoes the wrapping of a GetParametersForImport algorithm:
// RSAES-OAEP, or RSA_AES_KEY_WRAP (an ephemeral AES key under RSAES-OAEP followed by
// the material under AES key wrap with padding, RFC 5649).
func unwrapMaterial(t importTerms, wrapped []byte) ([]byte, error) {
	key, err := x509.ParsePKCS8PrivateKey(t.Private)
	if err != nil {
		return nil, err
	}
	priv := key.(*rsa.PrivateKey)
	var h hash.Hash = sha256.New()
	if t.Algorithm == api.AlgorithmSpecRSAESOAEPSHA1 || t.Algorithm == api.AlgorithmSpecRSAAESKEYWRAPSHA1 {
		h = sha1.New()
	}
	switch t.Algorithm {
	case api.AlgorithmSpecRSAESOAEPSHA1, api.AlgorithmSpecRSAESOAEPSHA256:
		return rsa.DecryptOAEP(h, nil, priv, wrapped, nil)
	}
	n := priv.Size()
	if len(wrapped) <= n {
		return nil, errors.New("kms: wrapped material too short")
	}
	kek, err := rsa.DecryptOAEP(h, nil, priv, wrapped[:n], nil)
	if err != nil {
		return nil, err
	}
	return kwpUnwrap(kek, wrapped[n:])
}

var errKWP = errors.New("kms: AES key wrap integrity check failed")

// kwpUnwrap is AES key unwrap with padding (RFC 5649).
func kwpUnwrap(kek, c []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	if len(c)%8 != 0 || len(c) < 16 {
		return nil, errKWP
	}
	n := len(c)/8 - 1
	var a [8]byte
	r := make([]byte, 8*n)
	if n == 1 {
		var b [16]byte
		block.Decrypt(b[:], c)
		copy(a[:], b[:8])
		copy(r, b[8:])
	} else {
		copy(a[:], c[:8])
		copy(r, c[8:])
		var b [16]byte
		for j := 5; j >= 0; j-- {
			for i := n; i >= 1; i-- {
				t := uint64(n*j + i)
				binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(a[:])^t)
				copy(b[8:], r[(i-1)*8:i*8])
				block.Decrypt(b[:], b[:])
				copy(a[:], b[:8])
				copy(r[(i-1)*8:i*8], b[8:])
			}
		}
	}
	if binary.BigEndian.Uint32(a[:4]) != 0xA65959A6 {
		return nil, errKWP
	}
	mli := int(binary.BigEndian.Uint32(a[4:]))
	if mli <= 8*(n-1) || mli > 8*n {
		return nil, errKWP
	}
	for _, p := range r[mli:] {
		if p != 0 {
			return nil, errKWP
		}
	}
	return r[:mli], nil
}
