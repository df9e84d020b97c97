package kms_test

// Answers AWS gave, as recorded by LocalStack's AWS-validated snapshots
// (localstack/localstack tests/aws/services/kms/test_kms.snapshot.json, with the
// calls in tests/aws/services/kms/test_kms.py). Each test names the recording it
// reproduces; "<key-arn>" in a recorded message is the key's ARN.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// recorded checks an error against a recorded AWS answer: code, exact message
// (also when empty: the answer then has no message member) and HTTP status.
func recorded(t testing.TB, err error, code, msg string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("want %s %q, got %v", code, msg, err)
		return
	}
	want := msg
	var generic *smithy.GenericAPIError
	if msg == "" && errors.As(err, &generic) {
		// An answer without a message: the SDK names an error it does not model
		// by its code and gives "UnknownError" as its message.
		want = "UnknownError"
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != want {
		t.Errorf("got %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("%s: status %d, want %d", code, re.HTTPStatusCode(), status)
	}
}

// rawBodies records the JSON bodies of the answers a client receives, so a test can
// see which members an answer has (the SDK's types do not tell absent from empty).
type rawBodies struct {
	mu   sync.Mutex
	last []byte
	next aws.HTTPClient
}

func (r *rawBodies) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if err != nil {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.last = b
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// members returns the member names of the last answer's JSON object, or of its
// member path[0].path[1]… when a path is given.
func (r *rawBodies) members(t testing.TB, path ...string) []string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var v map[string]json.RawMessage
	if err := json.Unmarshal(r.last, &v); err != nil {
		t.Fatalf("answer %q: %v", r.last, err)
	}
	for _, p := range path {
		inner := v[p]
		v = nil
		if err := json.Unmarshal(inner, &v); err != nil {
			t.Fatalf("member %s of %q: %v", p, r.last, err)
		}
	}
	var names []string
	for k := range v {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// raw returns the last answer's member as JSON text.
func (r *rawBodies) raw(t testing.TB, name string) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var v map[string]json.RawMessage
	if err := json.Unmarshal(r.last, &v); err != nil {
		t.Fatalf("answer %q: %v", r.last, err)
	}
	return string(v[name])
}

// recordingClient is a root KMS client whose answers can be inspected.
func (e *env) recordingClient() (*kms.Client, *rawBodies) {
	cfg := e.p.RootConfig()
	rb := &rawBodies{next: cfg.HTTPClient}
	if rb.next == nil {
		rb.next = http.DefaultClient
	}
	cfg.HTTPClient = rb
	return kms.NewFromConfig(cfg), rb
}

func wantMembers(t testing.TB, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("members %v\nwant    %v", got, want)
	}
}

// Members of KeyMetadata that every recorded key has.
var baseMetadata = []string{"AWSAccountId", "Arn", "CreationDate", "CustomerMasterKeySpec", "Description", "Enabled",
	"KeyId", "KeyManager", "KeySpec", "KeyState", "KeyUsage", "MultiRegion", "Origin"}

func metadataMembers(extra ...string) []string { return append(slices.Clone(baseMetadata), extra...) }

// test_create_key, test_non_multi_region_keys_should_not_have_multi_region_properties,
// test_describe_with_alias_arn, test_hmac_create_key.
func TestRecordedKeyMetadata(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	m := must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test key 123"), KeyUsage: "ENCRYPT_DECRYPT"})).KeyMetadata
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("CurrentKeyMaterialId", "EncryptionAlgorithms")...)
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/rec"), TargetKeyId: m.KeyId}))
	d := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:" + account + ":alias/rec")})).KeyMetadata
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("CurrentKeyMaterialId", "EncryptionAlgorithms")...)
	if *d.KeyId != *m.KeyId || d.MultiRegion == nil || *d.MultiRegion || !d.Enabled || d.KeyState != "Enabled" || d.KeyManager != "CUSTOMER" ||
		d.Origin != "AWS_KMS" || d.KeySpec != "SYMMETRIC_DEFAULT" || *d.Description != "test key 123" {
		t.Errorf("describe-key %+v", d)
	}
	//lint:ignore SA1019 the recording shows the deprecated member
	if cmk := d.CustomerMasterKeySpec; cmk != "SYMMETRIC_DEFAULT" {
		t.Errorf("CustomerMasterKeySpec %s", cmk)
	}
	if rb.raw(t, "KeyMetadata") == "" || !strings.Contains(rb.raw(t, "KeyMetadata"), `"EncryptionAlgorithms":["SYMMETRIC_DEFAULT"]`) {
		t.Errorf("EncryptionAlgorithms: %s", rb.raw(t, "KeyMetadata"))
	}

	// test_hmac_create_key: MacAlgorithms, no EncryptionAlgorithms, no key material ID.
	must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test key"), KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC"}))
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("MacAlgorithms")...)
	if !strings.Contains(rb.raw(t, "KeyMetadata"), `"MacAlgorithms":["HMAC_SHA_256"]`) {
		t.Errorf("MacAlgorithms: %s", rb.raw(t, "KeyMetadata"))
	}
	// test_import_key_rsa_aes_wrap_sha256 (describe-before-import): RSA encryption keys
	// list OAEP SHA-1 before SHA-256.
	must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test-key"), KeySpec: "RSA_4096", KeyUsage: "ENCRYPT_DECRYPT", Origin: "EXTERNAL"}))
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("EncryptionAlgorithms")...)
	if !strings.Contains(rb.raw(t, "KeyMetadata"), `"EncryptionAlgorithms":["RSAES_OAEP_SHA_1","RSAES_OAEP_SHA_256"]`) {
		t.Errorf("EncryptionAlgorithms: %s", rb.raw(t, "KeyMetadata"))
	}
}

// test_get_key_does_not_exist, test_get_key_invalid_uuid, test_get_key_in_different_region.
func TestRecordedKeyIdentifiers(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{Description: aws.String("test key 123")})
	fake := "134f2428-cec1-4b25-a1ae-9048164dba47"
	fakeARN := strings.Replace(*m.Arn, *m.KeyId, fake, 1)
	for _, id := range []string{fake, fakeARN} {
		_, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		recorded(t, err, "NotFoundException", "Key '"+fakeARN+"' does not exist", 400)
	}
	mrk := "mrk-d3b95762d3b95762d3b95762d3b95762"
	_, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(mrk)})
	recorded(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:"+account+":key/"+mrk+"' does not exist", 400)
	for _, id := range []string{"fake-key-id", "134f2428cec14b25a1ae9048164dba47", "mrk-fake-key-id"} {
		_, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		recorded(t, err, "NotFoundException", "Invalid keyId '"+id+"'", 400)
	}
	// A key of another Region, named by its ID here, is a key of this Region that
	// does not exist; by its ARN, an ARN of another Region.
	west := kms.NewFromConfig(e.p.RootConfig(), func(o *kms.Options) { o.Region = "eu-west-1" })
	wk := must(west.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test key 123")})).KeyMetadata
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: wk.KeyId})
	recorded(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:"+account+":key/"+*wk.KeyId+"' does not exist", 400)
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: wk.Arn})
	recorded(t, err, "NotFoundException", "Invalid arn eu-west-1", 400)
	for _, id := range []string{*wk.KeyId, *wk.Arn} {
		if got := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})).KeyMetadata; *got.Arn != *wk.Arn {
			t.Errorf("describe-key-same-specific-region: %s", *got.Arn)
		}
	}
}

// test_generate_random, test_generate_random_invalid_number_of_bytes.
func TestRecordedGenerateRandom(t *testing.T) {
	e := newEnv(t)
	for _, n := range []int32{12, 44, 91, 1, 1024} {
		if got := must(e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(n)})).Plaintext; len(got) != int(n) {
			t.Errorf("result_length %d, want %d", len(got), n)
		}
	}
	_, err := e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{})
	recorded(t, err, "ValidationException", "NumberOfBytes is required.", 400)
	_, err = e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(0)})
	recorded(t, err, "ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1", 400)
	_, err = e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1025)})
	recorded(t, err, "ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024", 400)
}

// test_encrypt_validate_plaintext_size_per_key_type, test_plaintext_size_for_encrypt.
func TestRecordedPlaintextSizes(t *testing.T) {
	e := newEnv(t)
	msg := []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("more than 500 bytes and less than 4096 bytes"), 20)))
	limits := map[string]map[string]int{
		"RSA_2048": {"RSAES_OAEP_SHA_1": 214, "RSAES_OAEP_SHA_256": 190},
		"RSA_3072": {"RSAES_OAEP_SHA_1": 342, "RSAES_OAEP_SHA_256": 318},
		"RSA_4096": {"RSAES_OAEP_SHA_1": 470, "RSAES_OAEP_SHA_256": 446},
	}
	for spec, algs := range limits {
		id := e.key(&kms.CreateKeyInput{KeySpec: types.KeySpec(spec), KeyUsage: "ENCRYPT_DECRYPT"}).KeyId
		for alg, n := range algs {
			_, err := e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: msg, EncryptionAlgorithm: types.EncryptionAlgorithmSpec(alg)})
			recorded(t, err, "ValidationException", "Algorithm "+alg+" and key spec "+spec+" cannot encrypt data larger than "+itoa(n)+" bytes.", 400)
		}
	}
	id := e.key(nil).KeyId
	big := []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("test message 123 !%$@ 1234567890"), 100)))
	_, err := e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: big})
	recorded(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096", 400)
}

func itoa(n int) string { return strconv.Itoa(n) }

// test_sign_verify: answers, a digest of the wrong length, a bad signature.
func TestRecordedSignVerify(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	plaintext := []byte("test message !%$@ 1234567890")
	for _, v := range []struct{ spec, alg string }{
		{"RSA_2048", "RSASSA_PSS_SHA_256"}, {"RSA_2048", "RSASSA_PSS_SHA_384"}, {"RSA_2048", "RSASSA_PSS_SHA_512"},
		{"RSA_4096", "RSASSA_PKCS1_V1_5_SHA_256"}, {"RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512"},
		{"ECC_NIST_P256", "ECDSA_SHA_256"}, {"ECC_NIST_P384", "ECDSA_SHA_384"}, {"ECC_SECG_P256K1", "ECDSA_SHA_256"},
	} {
		k := e.key(&kms.CreateKeyInput{KeyUsage: "SIGN_VERIFY", KeySpec: types.KeySpec(v.spec)})
		alg := types.SigningAlgorithmSpec(v.alg)
		bad := must(c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, Message: []byte("bad"), MessageType: "RAW", SigningAlgorithm: alg})).Signature
		sig := must(c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, Message: plaintext, MessageType: "RAW", SigningAlgorithm: alg}))
		wantMembers(t, rb.members(t), "KeyId", "Signature", "SigningAlgorithm")
		if *sig.KeyId != *k.Arn || sig.SigningAlgorithm != alg {
			t.Errorf("signature %s %s", *sig.KeyId, sig.SigningAlgorithm)
		}
		ver := must(c.Verify(ctx, &kms.VerifyInput{KeyId: k.KeyId, Message: plaintext, MessageType: "RAW", Signature: sig.Signature, SigningAlgorithm: alg}))
		wantMembers(t, rb.members(t), "KeyId", "SignatureValid", "SigningAlgorithm")
		if *ver.KeyId != *k.Arn || !ver.SignatureValid || ver.SigningAlgorithm != alg {
			t.Errorf("verification %+v", ver)
		}
		_, err := c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, Message: plaintext, MessageType: "DIGEST", SigningAlgorithm: alg})
		recorded(t, err, "ValidationException", "Digest is invalid length for algorithm "+v.alg+".", 400)
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.KeyId, Message: plaintext, MessageType: "RAW", Signature: bad, SigningAlgorithm: alg})
		recorded(t, err, "KMSInvalidSignatureException", "", 400)
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.KeyId, Message: []byte("bad message 321"), MessageType: "DIGEST", Signature: sig.Signature, SigningAlgorithm: alg})
		recorded(t, err, "ValidationException", "Digest is invalid length for algorithm "+v.alg+".", 400)
	}
}

// test_generate_and_verify_mac, test_invalid_generate_mac, test_invalid_verify_mac.
func TestRecordedMac(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	msg := []byte("some important message")
	for _, v := range []struct{ spec, alg string }{{"HMAC_224", "HMAC_SHA_224"}, {"HMAC_256", "HMAC_SHA_256"}, {"HMAC_384", "HMAC_SHA_384"}, {"HMAC_512", "HMAC_SHA_512"}} {
		k := e.key(&kms.CreateKeyInput{Description: aws.String("test hmac key"), KeySpec: types.KeySpec(v.spec), KeyUsage: "GENERATE_VERIFY_MAC"})
		alg := types.MacAlgorithmSpec(v.alg)
		g := must(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: k.KeyId, Message: msg, MacAlgorithm: alg}))
		wantMembers(t, rb.members(t), "KeyId", "Mac", "MacAlgorithm")
		if *g.KeyId != *k.Arn || g.MacAlgorithm != alg {
			t.Errorf("generate-mac %s %s", *g.KeyId, g.MacAlgorithm)
		}
		vm := must(c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: k.KeyId, Message: msg, MacAlgorithm: alg, Mac: g.Mac}))
		wantMembers(t, rb.members(t), "KeyId", "MacAlgorithm", "MacValid")
		if *vm.KeyId != *k.Arn || !vm.MacValid {
			t.Errorf("verify-mac %+v", vm)
		}
		_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String("key_id"), Message: msg, MacAlgorithm: alg})
		recorded(t, err, "NotFoundException", "Invalid keyId 'key_id'", 400)
		_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: aws.String("key_id"), Message: msg, MacAlgorithm: alg, Mac: g.Mac})
		recorded(t, err, "NotFoundException", "Invalid keyId 'key_id'", 400)
	}
	k224 := e.key(&kms.CreateKeyInput{KeySpec: "HMAC_224", KeyUsage: "GENERATE_VERIFY_MAC"})
	_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: k224.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_256"})
	recorded(t, err, "InvalidKeyUsageException", "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.", 400)
	k256 := e.key(&kms.CreateKeyInput{KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC"})
	mac := must(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: k256.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_256"})).Mac
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: k256.KeyId, Message: []byte("some different important message"), MacAlgorithm: "HMAC_SHA_256", Mac: mac})
	recorded(t, err, "KMSInvalidMacException", "", 400)
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: k256.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_512", Mac: mac})
	recorded(t, err, "InvalidKeyUsageException", "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.", 400)
}

// test_error_messaging_for_invalid_keys, test_re_encrypt_incorrect_source_key.
func TestRecordedKeyUsageErrors(t *testing.T) {
	e := newEnv(t)
	hmacKey := e.key(&kms.CreateKeyInput{Description: aws.String("test key hmac"), KeySpec: "HMAC_224", KeyUsage: "GENERATE_VERIFY_MAC"})
	encKey := e.key(&kms.CreateKeyInput{Description: aws.String("test key encrypt decrypt")})
	signKey := e.key(&kms.CreateKeyInput{Description: aws.String("test key sign verify"), KeyUsage: "SIGN_VERIFY", KeySpec: "RSA_2048"})
	_, err := e.kms.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: encKey.KeyId, Message: []byte("some important message"), MacAlgorithm: "HMAC_SHA_224"})
	recorded(t, err, "InvalidKeyUsageException", *encKey.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.", 400)
	_, err = e.kms.Sign(ctx, &kms.SignInput{KeyId: hmacKey.KeyId, Message: []byte("test message 123!@#"), MessageType: "RAW", SigningAlgorithm: "RSASSA_PSS_SHA_256"})
	recorded(t, err, "InvalidKeyUsageException", *hmacKey.Arn+" key usage is GENERATE_VERIFY_MAC which is not valid for Sign.", 400)
	_, err = e.kms.Verify(ctx, &kms.VerifyInput{KeyId: encKey.KeyId, Message: []byte("test message"), MessageType: "RAW", Signature: []byte("random text"), SigningAlgorithm: "ECDSA_SHA_256"})
	recorded(t, err, "InvalidKeyUsageException", *encKey.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for Verify.", 400)
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: signKey.KeyId, Plaintext: []byte("test message 123!@#")})
	recorded(t, err, "InvalidKeyUsageException", *signKey.Arn+" key usage is SIGN_VERIFY which is not valid for Encrypt.", 400)
	blob := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: encKey.KeyId, Plaintext: []byte("test message 123!@#")})).CiphertextBlob
	_, err = e.kms.Decrypt(ctx, &kms.DecryptInput{KeyId: hmacKey.KeyId, CiphertextBlob: blob})
	recorded(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.", 400)

	other := e.key(nil)
	_, err = e.kms.ReEncrypt(ctx, &kms.ReEncryptInput{SourceKeyId: other.KeyId, DestinationKeyId: other.KeyId, CiphertextBlob: blob})
	recorded(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.", 400)
}

// test_encrypt_decrypt_encryption_context, test_key_rotations_encryption_decryption,
// test_encryption_context_generate_data_key*, test_re_encrypt,
// TestKMSGenerateKeys::test_generate_data_key*.
func TestRecordedEncryptDecrypt(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	k := e.key(nil)
	msg := []byte(base64.StdEncoding.EncodeToString([]byte("test message 123 !%$@ 1234567890")))
	ec := map[string]string{"context-key": "context-value"}
	enc := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: msg, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: ec}))
	wantMembers(t, rb.members(t), "CiphertextBlob", "EncryptionAlgorithm", "KeyId")
	if *enc.KeyId != *k.Arn || enc.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
		t.Errorf("encrypt_response %+v", enc)
	}
	dec := must(c.Decrypt(ctx, &kms.DecryptInput{KeyId: k.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: ec}))
	wantMembers(t, rb.members(t), "EncryptionAlgorithm", "KeyId", "KeyMaterialId", "Plaintext")
	if *dec.KeyId != *k.Arn || !bytes.Equal(dec.Plaintext, msg) || *dec.KeyMaterialId != *k.CurrentKeyMaterialId {
		t.Errorf("decrypt_response_with_encryption_context %+v", dec)
	}
	_, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: k.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"})
	recorded(t, err, "InvalidCiphertextException", "", 400)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{KeyId: k.KeyId, CiphertextBlob: append(slices.Clone(enc.CiphertextBlob), "bad_data"...), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: ec})
	recorded(t, err, "InvalidCiphertextException", "", 400)

	dk := must(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: "AES_256", EncryptionContext: ec}))
	if *dk.KeyId != *k.Arn {
		t.Errorf("generate-data-key-result KeyId %s", *dk.KeyId)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{KeyId: k.KeyId, CiphertextBlob: dk.CiphertextBlob})
	recorded(t, err, "InvalidCiphertextException", "", 400)
	pair := must(c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: k.KeyId, KeyPairSpec: "RSA_2048", EncryptionContext: ec}))
	if *pair.KeyId != *k.Arn || pair.KeyPairSpec != "RSA_2048" {
		t.Errorf("generate-data-key-pair %s %s", *pair.KeyId, pair.KeyPairSpec)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{KeyId: k.KeyId, CiphertextBlob: pair.PrivateKeyCiphertextBlob})
	recorded(t, err, "InvalidCiphertextException", "", 400)

	// test_generate_data_key_pair_dry_run, test_generate_data_key_pair_without_plaintext_dry_run.
	_, err = c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: k.KeyId, KeyPairSpec: "RSA_2048", DryRun: aws.Bool(true)})
	recorded(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 400)
	_, err = c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: k.KeyId, KeyPairSpec: "RSA_2048", DryRun: aws.Bool(true)})
	recorded(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 400)

	// test_re_encrypt[SYMMETRIC_DEFAULT-SYMMETRIC_DEFAULT], [RSA_2048-RSAES_OAEP_SHA_256].
	for _, v := range []struct{ spec, alg string }{{"SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"}, {"RSA_2048", "RSAES_OAEP_SHA_256"}} {
		src := e.key(&kms.CreateKeyInput{KeyUsage: "ENCRYPT_DECRYPT", KeySpec: types.KeySpec(v.spec)})
		dst := e.key(&kms.CreateKeyInput{KeyUsage: "ENCRYPT_DECRYPT", KeySpec: types.KeySpec(v.spec)})
		alg := types.EncryptionAlgorithmSpec(v.alg)
		ct := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: src.KeyId, Plaintext: msg, EncryptionAlgorithm: alg})).CiphertextBlob
		re := must(c.ReEncrypt(ctx, &kms.ReEncryptInput{SourceKeyId: src.KeyId, DestinationKeyId: dst.KeyId, CiphertextBlob: ct,
			SourceEncryptionAlgorithm: alg, DestinationEncryptionAlgorithm: alg}))
		if *re.KeyId != *dst.Arn || *re.SourceKeyId != *src.Arn || re.SourceEncryptionAlgorithm != alg || re.DestinationEncryptionAlgorithm != alg {
			t.Errorf("test_re_encrypt %+v", re)
		}
	}
}

// test_derive_shared_secret, test_derive_shared_secret_matches_openssl.
func TestRecordedDeriveSharedSecret(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	k1 := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT"})
	k2 := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT"})
	pub2 := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k2.KeyId})).PublicKey
	out := must(c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k1.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: pub2}))
	wantMembers(t, rb.members(t), "KeyAgreementAlgorithm", "KeyId", "KeyOrigin", "SharedSecret")
	if *out.KeyId != *k1.Arn || out.KeyOrigin != "AWS_KMS" || out.KeyAgreementAlgorithm != "ECDH" {
		t.Errorf("response %+v", out)
	}
	k3 := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})
	_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k3.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: pub2})
	recorded(t, err, "InvalidKeyUsageException", *k3.Arn+" key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.", 400)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "KEY_AGREEMENT"})
	recorded(t, err, "ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048", 400)
	_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k1.KeyId, KeyAgreementAlgorithm: "INVALID", PublicKey: pub2})
	recorded(t, err, "ValidationException", "1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]", 400)
	k4 := e.key(nil)
	_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k4.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: pub2})
	recorded(t, err, "InvalidKeyUsageException", *k4.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret.", 400)
	_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k1.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: []byte("InvalidPublicKey")})
	recorded(t, err, "ValidationException", "", 400)
	if got := rb.members(t); slices.Contains(got, "message") || slices.Contains(got, "Message") {
		t.Errorf("response-invalid-public-key has a message: %v", got)
	}
}

// test_create_alias.
func TestRecordedCreateAlias(t *testing.T) {
	e := newEnv(t)
	k := e.key(nil)
	_, err := e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("a1b2c3d4"), TargetKeyId: k.KeyId})
	recorded(t, err, "ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`, 400)
}

// test_hmac_create_key_invalid_operations.
func TestRecordedCreateKeyValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test HMAC key without key usage"), KeySpec: "HMAC_256"})
	recorded(t, err, "ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.", 400)
}

// test_tag_existing_key_and_untag, test_create_key_with_tag_and_untag,
// test_untag_key_partially, test_update_and_add_tags_on_tagged_key,
// test_tag_key_with_duplicate_tag_keys_raises_error,
// test_create_key_with_too_many_tags_raises_error,
// test_tag_existing_key_with_invalid_tag_key, test_create_key_with_invalid_tag_key,
// test_key_with_long_tag_value_raises_error.
func TestRecordedTags(t *testing.T) {
	e := newEnv(t)
	tags := func(kv ...string) []types.Tag {
		var out []types.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, types.Tag{TagKey: aws.String(kv[i]), TagValue: aws.String(kv[i+1])})
		}
		return out
	}
	c, rb := e.recordingClient()
	list := func(id *string) string {
		must(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id}))
		return rb.raw(t, "Tags")
	}
	k := e.key(&kms.CreateKeyInput{Description: aws.String("test key 123"), KeyUsage: "ENCRYPT_DECRYPT"})
	must(c.TagResource(ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: tags("tag1", "value1", "tag2", "value2")}))
	if got := list(k.KeyId); got != `[{"TagKey":"tag1","TagValue":"value1"},{"TagKey":"tag2","TagValue":"value2"}]` {
		t.Errorf("list-resource-tags %s", got)
	}
	must(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: k.KeyId, TagKeys: []string{"tag1", "tag2"}}))
	if got := list(k.KeyId); got != `[]` {
		t.Errorf("list-resource-tags-after-all-untagged %s", got)
	}

	k = e.key(&kms.CreateKeyInput{Tags: tags("tag1", "value1", "tag2", "value2", "tag3", "value3")})
	must(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: k.KeyId, TagKeys: []string{"tag2"}}))
	if got := list(k.KeyId); got != `[{"TagKey":"tag1","TagValue":"value1"},{"TagKey":"tag3","TagValue":"value3"}]` {
		t.Errorf("list-resource-tags-after-partially-untagged %s", got)
	}

	k = e.key(&kms.CreateKeyInput{Tags: tags("tag1", "value1", "tag2", "value2", "tag3", "value3")})
	must(c.TagResource(ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: tags("tag4", "value4", "tag2", "updated_value2", "tag5", "value5")}))
	if got := list(k.KeyId); got != `[{"TagKey":"tag1","TagValue":"value1"},{"TagKey":"tag2","TagValue":"updated_value2"},{"TagKey":"tag3","TagValue":"value3"},{"TagKey":"tag4","TagValue":"value4"},{"TagKey":"tag5","TagValue":"value5"}]` {
		t.Errorf("list-resource-tags-after-tags-updated %s", got)
	}

	_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: tags("tag1", "value1", "tag1", "another-value1")})
	recorded(t, err, "TagException", "Duplicate tag keys", 400)

	var many []string
	for i := range 51 {
		many = append(many, "key"+itoa(i), "value"+itoa(i))
	}
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: tags(many...)})
	recorded(t, err, "TagException", "Too many tags", 400)

	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: tags("aws:key1", "value1")})
	recorded(t, err, "TagException", "Tags beginning with aws: are reserved", 400)
	for _, key := range []string{"aws:key1", "AWS:key1"} {
		_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: tags(key, "value1")})
		recorded(t, err, "TagException", "Tags beginning with aws: are reserved", 400)
	}
	long := strings.Repeat("a", 129)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: tags(long, "value1")})
	recorded(t, err, "ValidationException", "1 validation error detected: Value '"+long+"' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
	longV := strings.Repeat("v", 257)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: tags("tag1", longV)})
	recorded(t, err, "ValidationException", "1 validation error detected: Value '"+longV+"' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256", 400)
}

// test_key_enable_rotation_status, test_rotate_key_on_demand_*, test_key_rotations_limits,
// test_key_rotation_status.
func TestRecordedRotation(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	for _, days := range []int32{90, 180} {
		k := e.key(nil)
		must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyId, RotationPeriodInDays: aws.Int32(days)}))
		st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId}))
		wantMembers(t, rb.members(t), "KeyId", "KeyRotationEnabled", "NextRotationDate", "RotationPeriodInDays")
		if !st.KeyRotationEnabled || *st.RotationPeriodInDays != days {
			t.Errorf("match_response %+v", st)
		}
	}

	// Automatic rotation disabled: the on-demand rotation leaves it so.
	k := e.key(nil)
	must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId}))
	wantMembers(t, rb.members(t), "KeyId")
	st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId}))
	wantMembers(t, rb.members(t), "KeyId", "KeyRotationEnabled")
	if st.KeyRotationEnabled {
		t.Errorf("rotation-status-response-after-rotation %+v", st)
	}
	// Automatic rotation enabled: the next date does not move.
	k = e.key(nil)
	must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyId}))
	before := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId}))
	must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId}))
	after := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId}))
	wantMembers(t, rb.members(t), "KeyId", "KeyRotationEnabled", "NextRotationDate", "RotationPeriodInDays")
	if !after.NextRotationDate.Equal(*before.NextRotationDate) || *after.RotationPeriodInDays != 365 {
		t.Errorf("rotation-status-response-after-rotation %+v", after)
	}

	rsa := e.key(&kms.CreateKeyInput{KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "RSA_4096"})
	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: rsa.KeyId})
	recorded(t, err, "UnsupportedOperationException", "", 400)
	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: rsa.KeyId}))
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: rsa.KeyId})
	recorded(t, err, "DisabledException", *rsa.Arn+" is disabled.", 400)
	missing := "1234abcd-12ab-34cd-56ef-1234567890ab"
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(missing)})
	recorded(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:"+account+":key/"+missing+"' does not exist", 400)
	ext := e.key(&kms.CreateKeyInput{Origin: "EXTERNAL"})
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: ext.KeyId})
	recorded(t, err, "UnsupportedOperationException", *ext.Arn+" origin is EXTERNAL which is not valid for this operation.", 400)

	// The recording refused the 11th rotation, when AWS's quota was 10; the API
	// reference now documents 25, and the answer's wording is the recorded one.
	k = e.key(nil)
	for range 25 {
		must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId}))
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId})
	recorded(t, err, "LimitExceededException", "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+*k.Arn, 400)
}

// test_import_key_symmetric, test_import_key_asymmetric, test_import_key_ecc_keys,
// test_import_key_hmac_keys, test_get_parameters_for_import.
func TestRecordedImport(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	importInto := func(k *types.KeyMetadata, material []byte) {
		t.Helper()
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096"}))
		if *p.KeyId != *k.Arn {
			t.Errorf("GetParametersForImport KeyId %s", *p.KeyId)
		}
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		wrapped := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))
		_, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: k.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped})
		recorded(t, err, "ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES", 400)
		must(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: k.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"}))
	}
	describe := func(k *types.KeyMetadata) *types.KeyMetadata {
		return must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata
	}

	// Symmetric.
	k := must(c.CreateKey(ctx, &kms.CreateKeyInput{Origin: "EXTERNAL"})).KeyMetadata
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("EncryptionAlgorithms")...)
	if k.Enabled || k.KeyState != "PendingImport" || k.Origin != "EXTERNAL" {
		t.Errorf("created-key %+v", k)
	}
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("test content 123 !#")})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400)
	describe(k)
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("EncryptionAlgorithms")...)
	importInto(k, randomKey(32))
	d := describe(k)
	// The recording (January 2024) predates CurrentKeyMaterialId, which the API
	// reference gives symmetric keys of EXTERNAL origin.
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("EncryptionAlgorithms", "ExpirationModel", "CurrentKeyMaterialId")...)
	if !d.Enabled || d.KeyState != "Enabled" || d.ExpirationModel != "KEY_MATERIAL_DOES_NOT_EXPIRE" {
		t.Errorf("describe-key-after-import %+v", d)
	}
	must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: k.KeyId}))
	d = describe(k)
	wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("EncryptionAlgorithms")...)
	if d.Enabled || d.KeyState != "PendingImport" {
		t.Errorf("describe-key-after-deleted-import %+v", d)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("test content 123 !#")})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400)

	// ECC key pairs.
	for _, v := range []struct {
		spec, alg string
		curve     elliptic.Curve
	}{{"ECC_NIST_P256", "ECDSA_SHA_256", elliptic.P256()}, {"ECC_NIST_P384", "ECDSA_SHA_384", elliptic.P384()}, {"ECC_NIST_P521", "ECDSA_SHA_512", elliptic.P521()}} {
		k := must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test ecc key import"), Origin: "EXTERNAL", KeySpec: types.KeySpec(v.spec), KeyUsage: "SIGN_VERIFY"})).KeyMetadata
		wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("SigningAlgorithms")...)
		priv := must(ecdsa.GenerateKey(v.curve, rand.Reader))
		importInto(k, must(x509.MarshalPKCS8PrivateKey(priv)))
		d := describe(k)
		wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("SigningAlgorithms", "ExpirationModel")...)
		if len(d.SigningAlgorithms) != 1 || string(d.SigningAlgorithms[0]) != v.alg {
			t.Errorf("%s SigningAlgorithms %v", v.spec, d.SigningAlgorithms)
		}
		s := must(c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, Message: []byte("test content 123 !#"), MessageType: "RAW", SigningAlgorithm: types.SigningAlgorithmSpec(v.alg)}))
		if *s.KeyId != *k.Arn {
			t.Errorf("sign-result KeyId %s", *s.KeyId)
		}
		must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: k.KeyId}))
		describe(k)
		wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("SigningAlgorithms")...)
	}

	// test_import_key_ecc_keys[ECC_SECG_P256K1]: Go's x509 has no secp256k1, so the
	// PKCS #8 material comes from a data key pair (whose format crypto_test.go checks
	// independently).
	sym := e.key(nil)
	pair := must(c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sym.KeyId, KeyPairSpec: "ECC_SECG_P256K1"}))
	k256k1 := must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test ecc key import"), Origin: "EXTERNAL", KeySpec: "ECC_SECG_P256K1", KeyUsage: "SIGN_VERIFY"})).KeyMetadata
	importInto(k256k1, pair.PrivateKeyPlaintext)
	if d := describe(k256k1); d.KeyState != "Enabled" || !slices.Equal(d.SigningAlgorithms, []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}) {
		t.Errorf("ECC_SECG_P256K1 describe-key-after-import %+v", d)
	}
	if pub := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k256k1.KeyId})).PublicKey; !bytes.Equal(pub, pair.PublicKey) {
		t.Error("ECC_SECG_P256K1 public key differs from the imported pair's")
	}
	sig := must(c.Sign(ctx, &kms.SignInput{KeyId: k256k1.KeyId, Message: []byte("test content 123 !#"), MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256"}))
	if ver := must(c.Verify(ctx, &kms.VerifyInput{KeyId: k256k1.KeyId, Message: []byte("test content 123 !#"), MessageType: "RAW", Signature: sig.Signature, SigningAlgorithm: "ECDSA_SHA_256"})); !ver.SignatureValid || *ver.KeyId != *k256k1.Arn {
		t.Errorf("ECC_SECG_P256K1 verify-result %+v", ver)
	}

	// HMAC keys.
	for _, v := range []struct {
		spec, alg string
		n         int
	}{{"HMAC_224", "HMAC_SHA_224", 28}, {"HMAC_512", "HMAC_SHA_512", 64}} {
		k := must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test import hmac key"), Origin: "EXTERNAL", KeySpec: types.KeySpec(v.spec), KeyUsage: "GENERATE_VERIFY_MAC"})).KeyMetadata
		wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("MacAlgorithms")...)
		importInto(k, randomKey(v.n))
		describe(k)
		wantMembers(t, rb.members(t, "KeyMetadata"), metadataMembers("MacAlgorithms", "ExpirationModel")...)
		g := must(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: k.KeyId, Message: []byte("x"), MacAlgorithm: types.MacAlgorithmSpec(v.alg)}))
		if *g.KeyId != *k.Arn {
			t.Errorf("generate-mac-response KeyId %s", *g.KeyId)
		}
	}

	kmsKey := e.key(nil)
	_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: kmsKey.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096"})
	recorded(t, err, "UnsupportedOperationException", *kmsKey.Arn+" origin is AWS_KMS which is not valid for this operation.", 400)
}

func randomKey(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Recordings whose snapshots are empty but whose assertions held against AWS:
// test_schedule_and_cancel_key_deletion, test_disable_and_enable_key,
// test_cant_delete_deleted_key, test_cant_use_disabled_or_deleted_keys,
// test_update_key_description, test_key_rotation_status, test_get_public_key,
// test_invalid_key_usage, test_describe_and_list_sign_key,
// test_all_types_of_key_id_can_be_used_for_encryption, test_list_aliases_of_key,
// test_update_alias, test_create_list_delete_alias, test_get_put_list_key_policies.
func TestRecordedKeyLifecycle(t *testing.T) {
	e := newEnv(t)
	c, rb := e.recordingClient()
	describe := func(id *string) *types.KeyMetadata {
		return must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	}
	k := e.key(nil)
	must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId}))
	if d := describe(k.KeyId); d.Enabled || d.KeyState != "PendingDeletion" || d.DeletionDate == nil {
		t.Errorf("scheduled %+v", d)
	}
	_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending deletion.", 400)
	must(c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: k.KeyId}))
	if d := describe(k.KeyId); d.Enabled || d.KeyState != "Disabled" || d.DeletionDate != nil || slices.Contains(rb.members(t, "KeyMetadata"), "DeletionDate") {
		t.Errorf("cancelled %+v", d)
	}
	must(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: k.KeyId}))
	if d := describe(k.KeyId); !d.Enabled || d.KeyState != "Enabled" {
		t.Errorf("enabled %+v", d)
	}
	must(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: "AES_256"}))
	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId}))
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: "AES_256"})
	recorded(t, err, "DisabledException", *k.Arn+" is disabled.", 400)
	must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId}))
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: "AES_256"})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending deletion.", 400)

	k = e.key(&kms.CreateKeyInput{Description: aws.String("old_description")})
	must(c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: k.KeyId, Description: aws.String("new_description")}))
	if d := describe(k.KeyId); *d.Description != "new_description" {
		t.Errorf("description %q", *d.Description)
	}
	if st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})); st.KeyRotationEnabled {
		t.Error("rotation enabled by default")
	}
	must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyId}))
	must(c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: k.KeyId}))
	if st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})); st.KeyRotationEnabled {
		t.Error("rotation still enabled")
	}

	rsaKey := e.key(&kms.CreateKeyInput{KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "RSA_2048"})
	pk := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: rsaKey.KeyId}))
	if *pk.KeyId != *rsaKey.Arn || pk.KeySpec != rsaKey.KeySpec || pk.KeyUsage != rsaKey.KeyUsage || len(pk.PublicKey) == 0 {
		t.Errorf("public key %+v", pk)
	}
	enc4096 := e.key(&kms.CreateKeyInput{KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "RSA_4096"})
	_, err = c.Sign(ctx, &kms.SignInput{KeyId: enc4096.KeyId, Message: []byte("hello"), MessageType: "RAW", SigningAlgorithm: "RSASSA_PSS_SHA_256"})
	recorded(t, err, "InvalidKeyUsageException", *enc4096.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for Sign.", 400)
	sign4096 := e.key(&kms.CreateKeyInput{KeyUsage: "SIGN_VERIFY", KeySpec: "RSA_4096"})
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: sign4096.KeyId, Plaintext: []byte("hello"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256"})
	recorded(t, err, "InvalidKeyUsageException", *sign4096.Arn+" key usage is SIGN_VERIFY which is not valid for Encrypt.", 400)
	ecc := must(c.CreateKey(ctx, &kms.CreateKeyInput{KeyUsage: "SIGN_VERIFY", CustomerMasterKeySpec: "ECC_NIST_P256"})).KeyMetadata //lint:ignore SA1019 the recording uses the deprecated member
	if d := describe(ecc.KeyId); *d.KeyId != *ecc.KeyId || d.KeySpec != "ECC_NIST_P256" {
		t.Errorf("sign key %+v", d)
	}

	k = e.key(nil)
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/every-id"), TargetKeyId: k.KeyId}))
	aliases := must(c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k.KeyId})).Aliases
	if len(aliases) != 1 || *aliases[0].AliasName != "alias/every-id" || *aliases[0].TargetKeyId != *k.KeyId {
		t.Fatalf("aliases of key %+v", aliases)
	}
	for _, id := range []string{*k.Arn, *k.KeyId, *aliases[0].AliasArn, "alias/every-id"} {
		must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("encrypt-me")}))
	}
	other := e.key(nil)
	if got := must(c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: other.KeyId})).Aliases; len(got) != 0 {
		t.Errorf("aliases of the other key %+v", got)
	}
	must(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/every-id"), TargetKeyId: other.KeyId}))
	if got := must(c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: other.KeyId})).Aliases; len(got) != 1 || *got[0].TargetKeyId != *other.KeyId {
		t.Errorf("updated alias %+v", got)
	}
	must(c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/every-id")}))
	if got := must(c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: other.KeyId})).Aliases; len(got) != 0 {
		t.Errorf("deleted alias %+v", got)
	}

	policy := func(action string) string {
		return `{"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{"Sid": "This is the default key policy", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + account + `:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "This is some additional stuff to look special", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + account + `:root"}, "Action": "` + action + `", "Resource": "*"}]}`
	}
	// Python's json.dumps(json.loads(p)) == p: the members keep their order.
	same := func(a, b string) bool {
		var x, y bytes.Buffer
		return json.Compact(&x, []byte(a)) == nil && json.Compact(&y, []byte(b)) == nil && x.String() == y.String()
	}
	pk1 := e.key(&kms.CreateKeyInput{Policy: aws.String(policy("kms:ListAliases"))})
	names := must(c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: pk1.KeyId}))
	if !slices.Equal(names.PolicyNames, []string{"default"}) || names.Truncated {
		t.Errorf("policy names %+v", names)
	}
	if got := *must(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: pk1.KeyId, PolicyName: aws.String("default")})).Policy; !same(got, policy("kms:ListAliases")) {
		t.Errorf("policy one %s", got)
	}
	must(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: pk1.KeyId, PolicyName: aws.String("default"), Policy: aws.String(policy("kms:ListGrants"))}))
	if got := *must(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: pk1.KeyId, PolicyName: aws.String("default")})).Policy; !same(got, policy("kms:ListGrants")) {
		t.Errorf("policy two %s", got)
	}
}

// test_create_grant_with_invalid_key, test_list_grants_with_invalid_key,
// test_create_grant_with_valid_key, test_create_grant_with_same_name_two_keys,
// test_revoke_grant, test_retire_grant_with_grant_token,
// test_retire_grant_with_grant_id_and_key_id.
func TestRecordedGrants(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	caller := "arn:aws:iam::" + account + ":root"
	_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String("invalid"), GranteePrincipal: aws.String(caller), Operations: []types.GrantOperation{"Decrypt", "Encrypt"}})
	recorded(t, err, "NotFoundException", "Invalid keyId 'invalid'", 400)
	_, err = c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String("invalid")})
	recorded(t, err, "NotFoundException", "Invalid keyId 'invalid'", 400)

	k1, k2 := e.key(nil), e.key(nil)
	for _, k := range []*types.KeyMetadata{k1, k2} {
		g := must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(caller), Name: aws.String("TestGrantName"), Operations: []types.GrantOperation{"Decrypt", "DescribeKey"}}))
		if g.GrantId == nil || g.GrantToken == nil {
			t.Fatalf("grant %+v", g)
		}
	}
	for _, k := range []*types.KeyMetadata{k1, k2} {
		if n := len(must(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: k.KeyId})).Grants); n != 1 {
			t.Errorf("%d grants", n)
		}
	}
	grant := func() (*kms.CreateGrantOutput, *string) {
		k := e.key(nil)
		return must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(caller), Operations: []types.GrantOperation{"Decrypt", "Encrypt"}})), k.KeyId
	}
	count := func(id *string) int { return len(must(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id})).Grants) }
	g, id := grant()
	must(c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: g.GrantId}))
	g2, id2 := grant()
	must(c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g2.GrantToken}))
	g3, id3 := grant()
	must(c.RetireGrant(ctx, &kms.RetireGrantInput{GrantId: g3.GrantId, KeyId: id3}))
	if count(id) != 0 || count(id2) != 0 || count(id3) != 0 {
		t.Errorf("grants left: %d %d %d", count(id), count(id2), count(id3))
	}
}

// UpdateAlias: the API reference lets an alias move between keys of one type (both
// symmetric, both asymmetric or both HMAC) and one key usage, whatever their specs.
func TestUpdateAliasKeyTypes(t *testing.T) {
	e := newEnv(t)
	rsaSign := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/signing"), TargetKeyId: rsaSign.KeyId}))
	eccSign := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})
	must(e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/signing"), TargetKeyId: eccSign.KeyId}))
	hmac := e.key(&kms.CreateKeyInput{KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC"})
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/mac"), TargetKeyId: hmac.KeyId}))
	must(e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/mac"), TargetKeyId: e.key(&kms.CreateKeyInput{KeySpec: "HMAC_512", KeyUsage: "GENERATE_VERIFY_MAC"}).KeyId}))
	for _, other := range []*types.KeyMetadata{
		e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT"}), // another usage
		e.key(nil), // another type
	} {
		_, err := e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/signing"), TargetKeyId: other.KeyId})
		wantErr(t, err, "ValidationException", 400, "")
	}
	_, err := e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/mac"), TargetKeyId: e.key(nil).KeyId})
	wantErr(t, err, "ValidationException", 400, "")
}
