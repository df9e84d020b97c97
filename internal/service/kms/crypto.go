package kms

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"slices"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/service/kms/mldsa"
)

func (k *KMS) cryptoHandlers() []server.Handler {
	return []server.Handler{
		server.Read("Encrypt", k.encryptOp),
		server.Read("Decrypt", k.decryptOp),
		server.Read("ReEncrypt", k.reEncrypt),
		server.Read("GenerateDataKey", k.generateDataKey),
		server.Read("GenerateDataKeyWithoutPlaintext", k.generateDataKeyWithoutPlaintext),
		server.Read("GenerateDataKeyPair", k.generateDataKeyPair),
		server.Read("GenerateDataKeyPairWithoutPlaintext", k.generateDataKeyPairWithoutPlaintext),
		server.Read("GenerateRandom", k.generateRandom),
		server.Read("Sign", k.sign),
		server.Read("Verify", k.verify),
		server.Read("GetPublicKey", k.getPublicKey),
		server.Read("GenerateMac", k.generateMac),
		server.Read("VerifyMac", k.verifyMac),
		server.Read("DeriveSharedSecret", k.deriveSharedSecret),
	}
}

// The cryptographic operations change no state: they run on a read snapshot and
// CloudTrail marks them readOnly, as KMS's records do.

func noRecipient(r *api.RecipientInfo) error {
	if r != nil {
		return api.NewUnsupportedOperationException("Palisade does not verify Nitro Enclaves attestation documents.")
	}
	return nil
}

// errAlgorithm is an algorithm the key does not offer, in KMS's words (recording
// test_invalid_generate_mac[HMAC_224-HMAC_SHA_256]; quoted for Encrypt with an RSA
// key in zalando/spring-cloud-config-aws-kms#82).
func errAlgorithm(r *keyRec, alg string) error {
	return api.NewInvalidKeyUsageException("Algorithm " + alg + " is incompatible with key spec " + r.Spec + ".")
}

// symmetricOnly refuses asymmetric keys for operations that need a symmetric
// encryption key (data keys, ReEncrypt's target of data keys).
func symmetricOnly(r *keyRec, op string) error {
	if r.Spec != api.KeySpecSYMMETRICDEFAULT {
		return api.NewInvalidKeyUsageException(r.arn() + " key spec is " + r.Spec + " which is not valid for " + op + ".")
	}
	return nil
}

// encrypt encrypts under a key's current material (symmetric) or public key (RSA).
func (k *KMS) encrypt(r *keyRec, plaintext []byte, alg *string, encCtx map[string]string) ([]byte, string, error) {
	algorithm := api.EncryptionAlgorithmSpecSYMMETRICDEFAULT
	if alg != nil {
		algorithm = *alg
	}
	enc, _, _, _ := specs[r.Spec].algorithms(r.Usage)
	if !slices.Contains(enc, algorithm) {
		return nil, "", errAlgorithm(r, algorithm)
	}
	m := r.currentMaterial()
	if m == nil {
		return nil, "", errState(r)
	}
	raw, err := k.open(r, m)
	if err != nil {
		return nil, "", err
	}
	if r.Spec == api.KeySpecSYMMETRICDEFAULT {
		b, err := sealBlob(r, m, raw, plaintext, encCtx)
		return b, algorithm, err
	}
	if len(encCtx) > 0 {
		return nil, "", errAsymmetricContext()
	}
	priv, err := parsePrivate(r.Spec, raw)
	if err != nil {
		return nil, "", err
	}
	pub := &priv.(*rsa.PrivateKey).PublicKey
	if len(plaintext) > oaepMax(pub, algorithm) {
		return nil, "", errValidation("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", algorithm, r.Spec, oaepMax(pub, algorithm))
	}
	ct, err := rsa.EncryptOAEP(oaepHash(algorithm), rand.Reader, pub, plaintext, nil)
	return ct, algorithm, err
}

// errAsymmetricContext refuses a non-empty encryption context with an RSA key, in
// KMS's words for Encrypt and Decrypt (stackd testdata/aws/kms/rsa.json,
// encryption_context and decrypt_nonempty_context; an empty one is taken).
func errAsymmetricContext() error {
	return errValidation("EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.")
}

// decrypt decrypts with the material a symmetric blob names, or the RSA private key.
func (k *KMS) decrypt(r *keyRec, blob []byte, alg *string, encCtx map[string]string) ([]byte, string, string, error) {
	invalid := api.NewInvalidCiphertextException("")
	algorithm := api.EncryptionAlgorithmSpecSYMMETRICDEFAULT
	if alg != nil {
		algorithm = *alg
	}
	asymmetric := r.Spec != api.KeySpecSYMMETRICDEFAULT
	if asymmetric && len(encCtx) > 0 {
		return nil, "", "", errAsymmetricContext()
	}
	if asymmetric && algorithm == api.EncryptionAlgorithmSpecSYMMETRICDEFAULT {
		// Decrypting an RSA ciphertext as a symmetric one fails as a bad ciphertext,
		// not as Encrypt's algorithm mismatch (stackd testdata/aws/kms/rsa.json,
		// decrypt_default_algorithm).
		return nil, "", "", invalid
	}
	enc, _, _, _ := specs[r.Spec].algorithms(r.Usage)
	if !slices.Contains(enc, algorithm) {
		return nil, "", "", errAlgorithm(r, algorithm)
	}
	if r.Spec == api.KeySpecSYMMETRICDEFAULT {
		h, err := parseBlob(blob)
		if err != nil {
			return nil, "", "", invalid
		}
		m := r.materialByID(h.materialID)
		if m == nil {
			return nil, "", "", invalid
		}
		raw, err := k.open(r, m)
		if err != nil {
			return nil, "", "", err
		}
		pt, err := openBlob(h, raw, blob, encCtx)
		if err != nil {
			return nil, "", "", invalid
		}
		return pt, algorithm, m.ID, nil
	}
	m := r.currentMaterial()
	if m == nil {
		return nil, "", "", errState(r)
	}
	raw, err := k.open(r, m)
	if err != nil {
		return nil, "", "", err
	}
	priv, err := parsePrivate(r.Spec, raw)
	if err != nil {
		return nil, "", "", err
	}
	pt, err := rsa.DecryptOAEP(oaepHash(algorithm), rand.Reader, priv.(*rsa.PrivateKey), blob, nil)
	if err != nil {
		return nil, "", "", invalid
	}
	return pt, algorithm, "", nil
}

func (k *KMS) encryptOp(c *server.Call, in *api.EncryptRequest) (*api.EncryptResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := usable(r, api.KeyUsageTypeENCRYPTDECRYPT, "Encrypt"); err != nil {
		return nil, err
	}
	ct, alg, err := k.encrypt(r, in.Plaintext, in.EncryptionAlgorithm, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.EncryptResponse{CiphertextBlob: ct, KeyId: ptr(r.arn()), EncryptionAlgorithm: ptr(alg)}, nil
}

func (k *KMS) decryptOp(c *server.Call, in *api.DecryptRequest) (*api.DecryptResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(noRecipient(in.Recipient), usable(r, api.KeyUsageTypeENCRYPTDECRYPT, "Decrypt")); err != nil {
		return nil, err
	}
	pt, alg, mid, err := k.decrypt(r, in.CiphertextBlob, in.EncryptionAlgorithm, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	out := &api.DecryptResponse{KeyId: ptr(r.arn()), Plaintext: pt, EncryptionAlgorithm: ptr(alg)}
	if mid != "" {
		out.KeyMaterialId = ptr(mid)
	}
	return out, nil
}

func (k *KMS) reEncrypt(c *server.Call, in *api.ReEncryptRequest) (*api.ReEncryptResponse, error) {
	src, dst := keyFrom(c, ctxKey), keyFrom(c, ctxTarget)
	if err := firstErr(usable(src, api.KeyUsageTypeENCRYPTDECRYPT, "ReEncrypt"), usable(dst, api.KeyUsageTypeENCRYPTDECRYPT, "ReEncrypt")); err != nil {
		return nil, err
	}
	pt, salg, mid, err := k.decrypt(src, in.CiphertextBlob, in.SourceEncryptionAlgorithm, in.SourceEncryptionContext)
	if err != nil {
		return nil, err
	}
	ct, dalg, err := k.encrypt(dst, pt, in.DestinationEncryptionAlgorithm, in.DestinationEncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	c.Resources = nil
	k.resources(c, src)
	if dst.ID != src.ID {
		res := c.Resources
		k.resources(c, dst)
		c.Resources = append(res, c.Resources...)
	}
	out := &api.ReEncryptResponse{CiphertextBlob: ct, SourceKeyId: ptr(src.arn()), KeyId: ptr(dst.arn()),
		SourceEncryptionAlgorithm: ptr(salg), DestinationEncryptionAlgorithm: ptr(dalg)}
	if mid != "" {
		out.SourceKeyMaterialId = ptr(mid)
	}
	if dst.Spec == api.KeySpecSYMMETRICDEFAULT {
		out.DestinationKeyMaterialId = ptr(dst.Current)
	}
	return out, nil
}

// dataKeyLen reads GenerateDataKey's KeySpec or NumberOfBytes: exactly one is needed.
func dataKeyLen(spec *string, n *int32) (int, error) {
	switch {
	case spec != nil && n != nil, spec == nil && n == nil:
		return 0, errValidation("Please specify either number of bytes or key spec.")
	case n != nil:
		return int(*n), nil
	case *spec == api.DataKeySpecAES128:
		return 16, nil
	}
	return 32, nil
}

// dataKey makes a data key and its blob under a symmetric encryption key.
func (k *KMS) dataKey(r *keyRec, op string, spec *string, n *int32, encCtx map[string]string) ([]byte, []byte, error) {
	if err := firstErr(usable(r, api.KeyUsageTypeENCRYPTDECRYPT, op), symmetricOnly(r, op)); err != nil {
		return nil, nil, err
	}
	size, err := dataKeyLen(spec, n)
	if err != nil {
		return nil, nil, err
	}
	pt := randomBytes(size)
	blob, _, err := k.encrypt(r, pt, nil, encCtx)
	return pt, blob, err
}

func (k *KMS) generateDataKey(c *server.Call, in *api.GenerateDataKeyRequest) (*api.GenerateDataKeyResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := noRecipient(in.Recipient); err != nil {
		return nil, err
	}
	pt, blob, err := k.dataKey(r, "GenerateDataKey", in.KeySpec, in.NumberOfBytes, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.GenerateDataKeyResponse{CiphertextBlob: blob, Plaintext: pt, KeyId: ptr(r.arn()), KeyMaterialId: ptr(r.Current)}, nil
}

func (k *KMS) generateDataKeyWithoutPlaintext(c *server.Call, in *api.GenerateDataKeyWithoutPlaintextRequest) (*api.GenerateDataKeyWithoutPlaintextResponse, error) {
	r := keyFrom(c, ctxKey)
	_, blob, err := k.dataKey(r, "GenerateDataKeyWithoutPlaintext", in.KeySpec, in.NumberOfBytes, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.GenerateDataKeyWithoutPlaintextResponse{CiphertextBlob: blob, KeyId: ptr(r.arn()), KeyMaterialId: ptr(r.Current)}, nil
}

// dataKeyPair makes a key pair whose private key is encrypted under a symmetric key:
// PKCS #8 DER private key, SubjectPublicKeyInfo DER public key.
func (k *KMS) dataKeyPair(r *keyRec, op, spec string, encCtx map[string]string) (priv, pub, blob []byte, err error) {
	if err := usable(r, api.KeyUsageTypeENCRYPTDECRYPT, op); err != nil {
		return nil, nil, nil, err
	}
	if r.Spec != api.KeySpecSYMMETRICDEFAULT {
		// KMS's words (stackd testdata/aws/kms/rsa.json,
		// data_key_pair_asymmetric_master).
		return nil, nil, nil, api.NewInvalidKeyUsageException("You cannot generate a data key pair with an asymmetric CMK")
	}
	if !slices.Contains(dataKeyPairSpecs, spec) {
		return nil, nil, nil, api.NewUnsupportedOperationException("KeyPairSpec " + spec + " is not supported in this Region.")
	}
	priv, err = generatePair(spec)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := parsePrivate(spec, priv)
	if err != nil {
		return nil, nil, nil, err
	}
	if pub, err = publicDER(p); err != nil {
		return nil, nil, nil, err
	}
	blob, _, err = k.encrypt(r, priv, nil, encCtx)
	return priv, pub, blob, err
}

func (k *KMS) generateDataKeyPair(c *server.Call, in *api.GenerateDataKeyPairRequest) (*api.GenerateDataKeyPairResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := noRecipient(in.Recipient); err != nil {
		return nil, err
	}
	priv, pub, blob, err := k.dataKeyPair(r, "GenerateDataKeyPair", in.KeyPairSpec, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.GenerateDataKeyPairResponse{PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: priv, PublicKey: pub,
		KeyId: ptr(r.arn()), KeyPairSpec: ptr(in.KeyPairSpec), KeyMaterialId: ptr(r.Current)}, nil
}

func (k *KMS) generateDataKeyPairWithoutPlaintext(c *server.Call, in *api.GenerateDataKeyPairWithoutPlaintextRequest) (*api.GenerateDataKeyPairWithoutPlaintextResponse, error) {
	r := keyFrom(c, ctxKey)
	_, pub, blob, err := k.dataKeyPair(r, "GenerateDataKeyPairWithoutPlaintext", in.KeyPairSpec, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.GenerateDataKeyPairWithoutPlaintextResponse{PrivateKeyCiphertextBlob: blob, PublicKey: pub,
		KeyId: ptr(r.arn()), KeyPairSpec: ptr(in.KeyPairSpec), KeyMaterialId: ptr(r.Current)}, nil
}

func (k *KMS) generateRandom(c *server.Call, in *api.GenerateRandomRequest) (*api.GenerateRandomResponse, error) {
	if in.CustomKeyStoreId != nil {
		return nil, api.NewCustomKeyStoreNotFoundException("Palisade has no custom key stores.")
	}
	if err := noRecipient(in.Recipient); err != nil {
		return nil, err
	}
	if in.NumberOfBytes == nil {
		// KMS needs a length and has no default (recording
		// test_generate_random_invalid_number_of_bytes[None]).
		return nil, errValidation("NumberOfBytes is required.")
	}
	return &api.GenerateRandomResponse{Plaintext: randomBytes(int(*in.NumberOfBytes))}, nil
}

// pair opens a key pair's private key.
func (k *KMS) pair(r *keyRec) (privateKey, error) {
	m := r.currentMaterial()
	if m == nil {
		return nil, errState(r)
	}
	raw, err := k.open(r, m)
	if err != nil {
		return nil, err
	}
	return parsePrivate(r.Spec, raw)
}

// signInput checks a Sign or Verify request and returns the key pair and what the
// algorithm signs: a digest for RSA and ECDSA, the message for pure Ed25519, the
// SHA-512 prehash for Ed25519ph, μ for ML-DSA.
func (k *KMS) signInput(r *keyRec, op, alg string, messageType *string, msg []byte) (privateKey, []byte, error) {
	if err := usable(r, api.KeyUsageTypeSIGNVERIFY, op); err != nil {
		return nil, nil, err
	}
	_, signing, _, _ := specs[r.Spec].algorithms(r.Usage)
	if !slices.Contains(signing, alg) {
		return nil, nil, errAlgorithm(r, alg)
	}
	mt := api.MessageTypeRAW
	if messageType != nil {
		mt = *messageType
	}
	mldsaKey := mldsaOIDs[r.Spec] != nil
	switch {
	case mt == api.MessageTypeEXTERNALMU && !mldsaKey,
		mt == api.MessageTypeDIGEST && mldsaKey:
		// KMS's words: stackd testdata/aws/kms/rsa.json external_mu, ecc.json (every
		// spec, Ed25519 included), mldsa.json sign_digest and verify_digest.
		return nil, nil, errValidation("Message type %s is incompatible with key spec %s.", mt, r.Spec)
	case mt == api.MessageTypeEXTERNALMU && len(msg) != 64:
		// (recorded, 2026: mldsa.json mu_length_1, mu_length_63, mu_length_65)
		return nil, nil, errValidation("External Mu is invalid length for algorithm %s.", alg)
	case alg == api.SigningAlgorithmSpecED25519SHA512 && mt != api.MessageTypeRAW,
		alg == api.SigningAlgorithmSpecED25519PHSHA512 && mt != api.MessageTypeDIGEST:
		// Pure Ed25519 takes the message, Ed25519ph its SHA-512 digest; the message
		// type is checked before the digest's length (recorded, 2026: ecc.json,
		// ECC_NIST_EDWARDS25519 sign RAW/DIGEST and short_digest).
		return nil, nil, errValidation("Message type %s is incompatible with algorithm %s.", mt, alg)
	}
	input := msg
	if !mldsaKey && alg != api.SigningAlgorithmSpecED25519SHA512 {
		digest, _, err := digestFor(alg, mt, msg)
		if errors.Is(err, errBadDigest) {
			// A DIGEST message must be as long as the algorithm's hash (recording
			// test_sign_verify, bad-digest; ecc.json ED25519_PH_SHA_512 short_digest).
			return nil, nil, errValidation("Digest is invalid length for algorithm %s.", alg)
		}
		input = digest
	}
	priv, err := k.pair(r)
	if err != nil {
		return nil, nil, err
	}
	switch p := priv.(type) {
	case ed25519.PrivateKey:
		if alg == api.SigningAlgorithmSpecED25519PHSHA512 {
			// KMS runs Ed25519ph's own SHA-512 prehash over the caller's digest, so
			// the input is hashed twice (API reference, Sign's MessageType).
			h := sha512.Sum512(input)
			input = h[:]
		}
	case *mldsa.PrivateKey:
		if mt == api.MessageTypeRAW {
			input = mldsaMu(p.PublicKey(), msg)
		}
	}
	return priv, input, nil
}

func (k *KMS) sign(c *server.Call, in *api.SignRequest) (*api.SignResponse, error) {
	r := keyFrom(c, ctxKey)
	priv, digest, err := k.signInput(r, "Sign", in.SigningAlgorithm, in.MessageType, in.Message)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	sig, err := sign(priv, in.SigningAlgorithm, digest, hashOf(in.SigningAlgorithm))
	if err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.SignResponse{KeyId: ptr(r.arn()), Signature: sig, SigningAlgorithm: ptr(in.SigningAlgorithm)}, nil
}

func (k *KMS) verify(c *server.Call, in *api.VerifyRequest) (*api.VerifyResponse, error) {
	r := keyFrom(c, ctxKey)
	priv, digest, err := k.signInput(r, "Verify", in.SigningAlgorithm, in.MessageType, in.Message)
	if err != nil {
		return nil, err
	}
	// KMS answers an invalid signature with this exception, not SignatureValid false,
	// and does so before a dry run would succeed (stackd testdata/aws/kms/ecc.json and
	// rsa.json, dry_invalid_signature).
	if !verify(priv, in.SigningAlgorithm, digest, in.Signature, hashOf(in.SigningAlgorithm)) {
		k.resources(c, r)
		return nil, api.NewKMSInvalidSignatureException("")
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.VerifyResponse{KeyId: ptr(r.arn()), SignatureValid: ptr(true), SigningAlgorithm: ptr(in.SigningAlgorithm)}, nil
}

func (k *KMS) getPublicKey(c *server.Call, in *api.GetPublicKeyRequest) (*api.GetPublicKeyResponse, error) {
	r := keyFrom(c, ctxKey)
	if !specs[r.Spec].asymmetric() {
		// A symmetric key has no public key; KMS's answer has no message (stackd
		// testdata/aws/kms/rsa.json, symmetric_public_key).
		return nil, api.NewUnsupportedOperationException("")
	}
	// A disabled key still gives its public key; one pending deletion does not
	// (stackd testdata/aws/kms/rsa.json and ecc.json, disabled_public_key and
	// deleting_public_key).
	if r.State != stateEnabled && r.State != stateDisabled {
		return nil, errState(r)
	}
	priv, err := k.pair(r)
	if err != nil {
		return nil, err
	}
	pub, err := publicDER(priv)
	if err != nil {
		return nil, err
	}
	out := &api.GetPublicKeyResponse{KeyId: ptr(r.arn()), PublicKey: pub, CustomerMasterKeySpec: ptr(r.Spec), KeySpec: ptr(r.Spec), KeyUsage: ptr(r.Usage)}
	out.EncryptionAlgorithms, out.SigningAlgorithms, _, out.KeyAgreementAlgorithms = specs[r.Spec].algorithms(r.Usage)
	k.resources(c, r)
	return out, nil
}

// macKey opens an HMAC key after checking its usage and algorithm.
func (k *KMS) macKey(r *keyRec, op, alg string) ([]byte, error) {
	if err := usable(r, api.KeyUsageTypeGENERATEVERIFYMAC, op); err != nil {
		return nil, err
	}
	_, _, macs, _ := specs[r.Spec].algorithms(r.Usage)
	if !slices.Contains(macs, alg) {
		return nil, errAlgorithm(r, alg)
	}
	m := r.currentMaterial()
	if m == nil {
		return nil, errState(r)
	}
	return k.open(r, m)
}

func (k *KMS) generateMac(c *server.Call, in *api.GenerateMacRequest) (*api.GenerateMacResponse, error) {
	r := keyFrom(c, ctxKey)
	key, err := k.macKey(r, "GenerateMac", in.MacAlgorithm)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.GenerateMacResponse{Mac: mac(key, in.MacAlgorithm, in.Message), MacAlgorithm: ptr(in.MacAlgorithm), KeyId: ptr(r.arn())}, nil
}

func (k *KMS) verifyMac(c *server.Call, in *api.VerifyMacRequest) (*api.VerifyMacResponse, error) {
	r := keyFrom(c, ctxKey)
	key, err := k.macKey(r, "VerifyMac", in.MacAlgorithm)
	if err != nil {
		return nil, err
	}
	// A wrong MAC is refused before a dry run would succeed (stackd
	// testdata/aws/kms/hmac.json, dry_verify_wrong_mac).
	if subtle.ConstantTimeCompare(mac(key, in.MacAlgorithm, in.Message), in.Mac) != 1 {
		k.resources(c, r)
		return nil, api.NewKMSInvalidMacException("")
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.VerifyMacResponse{KeyId: ptr(r.arn()), MacValid: ptr(true), MacAlgorithm: ptr(in.MacAlgorithm)}, nil
}

func (k *KMS) deriveSharedSecret(c *server.Call, in *api.DeriveSharedSecretRequest) (*api.DeriveSharedSecretResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(noRecipient(in.Recipient), usable(r, api.KeyUsageTypeKEYAGREEMENT, "DeriveSharedSecret")); err != nil {
		return nil, err
	}
	if in.KeyAgreementAlgorithm != api.KeyAgreementAlgorithmSpecECDH {
		return nil, errAlgorithm(r, in.KeyAgreementAlgorithm)
	}
	priv, err := k.pair(r)
	if err != nil {
		return nil, err
	}
	mine, err := ecdhKey(priv)
	if err != nil {
		return nil, err
	}
	peer, err := x509.ParsePKIXPublicKey(in.PublicKey)
	var theirs *ecdh.PublicKey
	if err == nil {
		if ep, ok := peer.(*ecdsa.PublicKey); ok {
			theirs, err = ep.ECDH()
		} else {
			err = errors.New("not an EC key")
		}
	}
	// KMS refuses a public key it cannot use with a ValidationException that has no
	// message (recording test_derive_shared_secret, response-invalid-public-key; the
	// same answer for a key of another curve is inferred).
	if err != nil || theirs.Curve() != mine.Curve() {
		return nil, errValidation("")
	}
	secret, err := mine.ECDH(theirs)
	if err != nil {
		return nil, errValidation("")
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.DeriveSharedSecretResponse{KeyId: ptr(r.arn()), SharedSecret: secret, KeyAgreementAlgorithm: ptr(in.KeyAgreementAlgorithm), KeyOrigin: ptr(r.Origin)}, nil
}
