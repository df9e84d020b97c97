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
	"slices"
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
// material may expire up to 365 days ahead.
const (
	importParamsTTL = 24 * time.Hour
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
	if directUnfit(r.Spec, in.WrappingAlgorithm, in.WrappingKeySpec) {
		return nil, errValidation("Wrapping algorithm %s and wrapping key spec %s cannot be used to import a %s key.", in.WrappingAlgorithm, in.WrappingKeySpec, r.Spec)
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

// directUnfit reports the key specs whose material KMS will not take wrapped by RSAES
// alone (without RSA_AES_KEY_WRAP) under a wrapping key spec: RSA private keys under
// any (they are larger than an OAEP block), P-521 and Ed25519 keys under RSA_2048
// (stackd testdata/aws/kms/imports_families.json, the *_direct_2048 cases; P-256,
// P-384, secp256k1, HMAC and symmetric keys were accepted, Ed25519 under RSA_3072).
func directUnfit(spec, algorithm, wrapping string) bool {
	if algorithm != api.AlgorithmSpecRSAESOAEPSHA1 && algorithm != api.AlgorithmSpecRSAESOAEPSHA256 {
		return false
	}
	switch spec {
	case api.KeySpecRSA2048, api.KeySpecRSA3072, api.KeySpecRSA4096:
		return true
	case api.KeySpecECCNISTP521, api.KeySpecECCNISTEDWARDS25519:
		return wrapping == api.WrappingKeySpecRSA2048
	}
	return false
}

// importParamsFit refuses ImportKeyMaterial's parameters about multiple materials for
// keys other than symmetric encryption keys, in KMS's words (stackd
// testdata/aws/kms/imports_families.json: the *_ImportType, *_KeyMaterialId and
// *_KeyMaterialDescription cases of every HMAC, RSA and ECC spec).
func importParamsFit(r *keyRec, in *api.ImportKeyMaterialRequest) error {
	if r.Spec == api.KeySpecSYMMETRICDEFAULT {
		return nil
	}
	for _, p := range []struct {
		name string
		set  bool
	}{{"importType", in.ImportType != nil}, {"keyMaterialId", in.KeyMaterialId != nil}, {"keyMaterialDescription", in.KeyMaterialDescription != nil}} {
		if p.set {
			return errValidation("Input parameter %s cannot be used with %s imported keys.", p.name, r.Spec)
		}
	}
	return nil
}

func (k *KMS) importKeyMaterial(c *server.Call, in *api.ImportKeyMaterialRequest) (*api.ImportKeyMaterialResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(external(r), notDeleting(r), importParamsFit(r, in), replicaImportFits(r, in)); err != nil {
		return nil, err
	}
	raw, err := k.sealer.Open(in.ImportToken, importTokenContext)
	var terms importTerms
	if err != nil || json.Unmarshal(raw, &terms) != nil || terms.ARN != r.arn() {
		// KMS says nothing more, for another key's token and a corrupt one alike
		// (stackd testdata/aws/kms/imports_edges.json, token_other_key, token_corrupt).
		return nil, api.NewInvalidImportTokenException("")
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
	// no_expiry_with_valid_to, expired_valid_to and excessive_valid_to).
	case expiry == api.ExpirationModelTypeKEYMATERIALDOESNOTEXPIRE && in.ValidTo != nil:
		return nil, errValidation("A validTo date cannot be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
	case in.ValidTo != nil && !in.ValidTo.After(c.Now):
		return nil, errValidation("ValidTo must be in the future")
	case in.ValidTo != nil && in.ValidTo.After(c.Now.Add(maxValidTo)):
		return nil, errValidation("ValidTo must be less than 365 days in the future")
	}
	// No lower bound: KMS took material expiring 12 and 17 seconds ahead (stackd
	// testdata/aws/kms/imports_expiry.json and imports_edges.json, expiring_pending).
	secret, err := unwrapMaterial(terms, in.EncryptedKeyMaterial)
	if err != nil {
		return nil, api.NewInvalidCiphertextException("")
	}
	if !materialFits(r.Spec, secret) {
		if specs[r.Spec].hmacBytes > 0 {
			// HMAC material of the wrong length is refused as undecryptable, with no
			// message (imports_families.json, HMAC_224_length_27, HMAC_512_length_63).
			return nil, api.NewInvalidCiphertextException("")
		}
		return nil, api.NewIncorrectKeyMaterialException("The key material is not valid for a KMS key with key spec " + r.Spec + ".")
	}
	fp := fingerprint(r, secret)
	if r.replica() {
		return k.importReplica(c, r, fp, secret, expiry, in.ValidTo)
	}
	if in.ImportType != nil && *in.ImportType == api.ImportTypeNEWKEYMATERIAL && r.currentMaterial() != nil {
		return k.importNew(c, r, fp, secret, expiry, in.ValidTo, in.KeyMaterialDescription)
	}
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
		if old := r.entry(fp); old != nil {
			old.Sealed = m.Sealed
		} else {
			r.Materials = append(r.Materials, m)
		}
		r.Current = fp
	}
	r.Expiration, r.ValidTo = expiry, nil
	cur := r.currentMaterial()
	cur.Expiration, cur.ValidTo = expiry, nil
	if in.KeyMaterialDescription != nil {
		cur.Description = *in.KeyMaterialDescription
	}
	if in.ValidTo != nil {
		at := keyTime(*in.ValidTo)
		r.ValidTo, cur.ValidTo = &at, &at
		if err := k.schedule(c.Tx, at, r, jobExpire); err != nil {
			return nil, err
		}
	}
	if r.State == stateImport {
		r.State = stateEnabled
	}
	k.resources(c, r)
	out := &api.ImportKeyMaterialResponse{KeyId: ptr(r.arn())}
	// Only symmetric keys name their material (imports_families.json and
	// imports_data_plane.json: HMAC, RSA and ECC imports answer the key alone).
	if r.Spec == api.KeySpecSYMMETRICDEFAULT {
		out.KeyMaterialId = ptr(r.Current)
	}
	return out, k.putKey(c.Tx, r)
}

// importNew adds material beside the current one (ImportType NEW_KEY_MATERIAL): it
// waits, PENDING_ROTATION, for RotateKeyOnDemand to make it current, and does not
// expire while it waits (KMS listed such material IMPORTED for 15 minutes past its
// ValidTo: stackd testdata/aws/kms/imports_expiry.json). Material the key already
// has is refused with KMS's words (imports_edges.json, pending_after_expiry_new).
func (k *KMS) importNew(c *server.Call, r *keyRec, fp string, secret []byte, expiry string, validTo *time.Time, description *string) (*api.ImportKeyMaterialResponse, error) {
	for _, m := range r.Materials {
		if subtle.ConstantTimeCompare([]byte(m.ID), []byte(fp)) == 1 {
			return nil, api.NewIncorrectKeyMaterialException("Key material (id: " + fp + ") being imported as NEW_KEY_MATERIAL is already associated with KMS key " + r.arn() + ".")
		}
	}
	m := k.sealMaterial(r, fp, secret, c.Now, "")
	m.Pending, m.Expiration = true, expiry
	if description != nil {
		m.Description = *description
	}
	if validTo != nil {
		at := keyTime(*validTo)
		m.ValidTo = &at
	}
	r.Materials = append(r.Materials, m)
	k.resources(c, r)
	return &api.ImportKeyMaterialResponse{KeyId: ptr(r.arn()), KeyMaterialId: ptr(fp)}, k.putKey(c.Tx, r)
}

// entry is the key's material of an ID, present or deleted.
func (r *keyRec) entry(id string) *material {
	for i := range r.Materials {
		if r.Materials[i].ID == id {
			return &r.Materials[i]
		}
	}
	return nil
}

// pendingMaterial is the imported material waiting for rotation, if any.
func (r *keyRec) pendingMaterial() *material {
	for i := range r.Materials {
		if r.Materials[i].Pending {
			return &r.Materials[i]
		}
	}
	return nil
}

func (k *KMS) deleteImportedKeyMaterial(c *server.Call, in *api.DeleteImportedKeyMaterialRequest) (*api.DeleteImportedKeyMaterialResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := external(r); err != nil {
		return nil, err
	}
	// Material waiting for rotation goes alone, and leaves no trace in the key's
	// rotations (stackd testdata/aws/kms/imports_rotation_replacement.json,
	// delete_second and after_first_request_history).
	// Material no longer current goes alone too ("If no KeyMaterialId is specified,
	// KMS deletes the current key material", API reference): its ciphertexts stop
	// decrypting, the key stays as it is.
	if in.KeyMaterialId != nil && *in.KeyMaterialId != r.Current {
		id := *in.KeyMaterialId
		m := r.entry(id)
		if m == nil {
			// Wording inferred.
			return nil, api.NewNotFoundException("Key material " + id + " of " + r.arn() + " does not exist.")
		}
		if m.Pending && !r.replica() {
			r.Materials = slices.DeleteFunc(r.Materials, func(x material) bool { return x.ID == id })
		} else {
			m.Sealed = nil
		}
		k.resources(c, r)
		return &api.DeleteImportedKeyMaterialResponse{KeyId: ptr(r.arn()), KeyMaterialId: ptr(id)}, k.putKey(c.Tx, r)
	}
	id := r.Current
	dropImported(r)
	k.resources(c, r)
	out := &api.DeleteImportedKeyMaterialResponse{KeyId: ptr(r.arn())}
	if id != "" && r.Spec == api.KeySpecSYMMETRICDEFAULT {
		out.KeyMaterialId = ptr(id)
	}
	return out, k.putKey(c.Tx, r)
}

// fingerprint identifies imported material without revealing it (SHA-256 over the
// key ARN and 256 bits or more of secret), so a re-import can be checked after the
// material was deleted.
func fingerprint(r *keyRec, material []byte) string {
	h := sha256.New()
	name := r.arn()
	if r.multiRegion() {
		// Related keys name the same material alike: each Region imports it (recorded
		// 2026: imports_rotation_replica.json, replica_first_import).
		name = "mrk:" + r.Account + ":" + r.ID
	}
	h.Write([]byte("palisade kms import fingerprint\x00" + name + "\x00"))
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

// replicaImportFits refuses what only a multi-Region primary's import may say (recorded
// 2026: imports_multi_region.json, replica_first_import, replica_new_type_rejected).
func replicaImportFits(r *keyRec, in *api.ImportKeyMaterialRequest) error {
	switch {
	case !r.replica():
		return nil
	case in.KeyMaterialDescription != nil:
		return errValidation("Key material description can only be specified on primary Multi-Region keys")
	case in.ImportType != nil && *in.ImportType == api.ImportTypeNEWKEYMATERIAL:
		return errValidation("Input parameter ImportType NEW_KEY_MATERIAL cannot be used on replica Multi-Region keys")
	}
	return nil
}

// importReplica imports into a multi-Region replica one of the materials its primary
// has, current or not, pending rotation or not (imports_multi_region.json:
// replica_restage_second, restore_replica_noncurrent); other material is refused
// naming the current one (replica_wrong_first). The replica is enabled when it gets
// its current material; it stays pending import otherwise, even when a rotation made
// current material it had (replica_after_replica_loss).
func (k *KMS) importReplica(c *server.Call, r *keyRec, fp string, secret []byte, expiry string, validTo *time.Time) (*api.ImportKeyMaterialResponse, error) {
	var m *material
	for i := range r.Materials {
		if subtle.ConstantTimeCompare([]byte(r.Materials[i].ID), []byte(fp)) == 1 {
			m = &r.Materials[i]
		}
	}
	if m == nil {
		return nil, api.NewIncorrectKeyMaterialException("Imported key material does not have the expected identifier (" + r.Current + ").")
	}
	m.Sealed = k.sealMaterial(r, fp, secret, c.Now, "").Sealed
	m.Expiration, m.ValidTo = expiry, nil
	if validTo != nil {
		at := keyTime(*validTo)
		m.ValidTo = &at
	}
	if m.ID == r.Current {
		r.Expiration, r.ValidTo = m.Expiration, m.ValidTo
		if m.ValidTo != nil {
			if err := k.schedule(c.Tx, *m.ValidTo, r, jobExpire); err != nil {
				return nil, err
			}
		}
		if r.State == stateImport {
			r.State = stateEnabled
		}
	}
	k.resources(c, r)
	return &api.ImportKeyMaterialResponse{KeyId: ptr(r.arn()), KeyMaterialId: ptr(fp)}, k.putKey(c.Tx, r)
}

// replicasImported tells whether every related key of a multi-Region key has imported
// a material (a primary's NEW_KEY_MATERIAL waits for them before it can rotate).
func (k *KMS) replicasImported(c *server.Call, r *keyRec, id string) (bool, error) {
	if !r.multiRegion() {
		return true, nil
	}
	for _, region := range append([]string{r.Primary}, r.Replicas...) {
		o, err := k.readKey(c.Tx, r.Account, region, r.ID)
		if err != nil {
			return false, err
		}
		if o == nil {
			continue
		}
		if m := o.entry(id); m == nil || m.Sealed == nil {
			return false, nil
		}
	}
	return true, nil
}
