package e2e

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// kmsCLI is one aws CLI bound to a server, with helpers for KMS's JSON answers.
type kmsCLI struct {
	t   *testing.T
	c   cli
	s   *server
	dir string
}

func (k *kmsCLI) as(ak, sk string, args ...string) (string, bool) {
	return k.c.run(k.s, ak, sk, args...)
}

// must runs a command as root and returns its JSON answer.
func (k *kmsCLI) must(args ...string) map[string]any {
	k.t.Helper()
	out, ok := k.as(rootAK, rootSK, args...)
	if !ok {
		k.t.Fatalf("%v: %s", args, out)
	}
	var m map[string]any
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			k.t.Fatalf("%v: not JSON: %s", args, out)
		}
	}
	return m
}

// file writes data to a file in the test directory and returns its path.
func (k *kmsCLI) file(name string, data []byte) string {
	p := filepath.Join(k.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		k.t.Fatal(err)
	}
	return p
}

func b64(t *testing.T, v any) []byte {
	t.Helper()
	s, _ := v.(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("not base64: %q", s)
	}
	return b
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

// The seed's envelope encryption with both CLIs: a data key encrypts a file locally
// with OpenSSL, only the encrypted data key is kept, Decrypt recovers the key.
func TestKMSEnvelopeThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			k := &kmsCLI{t: t, c: c, s: s, dir: t.TempDir()}
			kid := k.must("kms", "create-key", "--description", "envelope")["KeyMetadata"].(map[string]any)["KeyId"].(string)
			dk := k.must("kms", "generate-data-key", "--key-id", kid, "--key-spec", "AES_256", "--encryption-context", "app=e2e")
			key := b64(t, dk["Plaintext"])
			if len(key) != 32 {
				t.Fatalf("data key of %d bytes", len(key))
			}
			data := k.file("data", []byte(strings.Repeat("the payload ", 1000)))
			iv := "000102030405060708090a0b0c0d0e0f"
			run(t, "openssl", "enc", "-aes-256-cbc", "-K", hex.EncodeToString(key), "-iv", iv, "-in", data, "-out", data+".enc")
			// Keep only the encrypted data key.
			blob := k.file("key.enc", b64(t, dk["CiphertextBlob"]))
			key = nil
			out, ok := k.as(rootAK, rootSK, "kms", "decrypt", "--ciphertext-blob", "fileb://"+blob, "--encryption-context", "app=other")
			expectError(t, out, ok, "InvalidCiphertextException")
			dec := k.must("kms", "decrypt", "--ciphertext-blob", "fileb://"+blob, "--encryption-context", "app=e2e")
			if dec["KeyId"] != "arn:aws:kms:us-east-1:000000000000:key/"+kid {
				t.Fatalf("decrypt answered for %v", dec["KeyId"])
			}
			plain := run(t, "openssl", "enc", "-d", "-aes-256-cbc", "-K", hex.EncodeToString(b64(t, dec["Plaintext"])), "-iv", iv, "-in", data+".enc")
			if !bytes.Equal(plain, []byte(strings.Repeat("the payload ", 1000))) {
				t.Fatal("the recovered data key does not decrypt the file")
			}
		})
	}
}

// A grant lets a second user decrypt and stops after RevokeGrant; rotation keeps old
// ciphertexts; signatures verify with OpenSSL and Python's cryptography.
func TestKMSGrantsRotationAndSignaturesThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	k := &kmsCLI{t: t, c: clis(t)[0], s: s, dir: t.TempDir()}
	kid := k.must("kms", "create-key")["KeyMetadata"].(map[string]any)["KeyId"].(string)
	pt := k.file("pt", []byte("granted secret"))
	ct := k.file("ct", b64(t, k.must("kms", "encrypt", "--key-id", kid, "--plaintext", "fileb://"+pt)["CiphertextBlob"]))

	k.must("iam", "create-user", "--user-name", "bob")
	key := k.must("iam", "create-access-key", "--user-name", "bob")["AccessKey"].(map[string]any)
	bak, bsk := key["AccessKeyId"].(string), key["SecretAccessKey"].(string)
	out, ok := k.as(bak, bsk, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct)
	expectError(t, out, ok, "AccessDeniedException")
	g := k.must("kms", "create-grant", "--key-id", kid, "--grantee-principal", "arn:aws:iam::000000000000:user/bob", "--operations", "Decrypt")
	out, ok = k.as(bak, bsk, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct, "--grant-tokens", g["GrantToken"].(string))
	if !ok || !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte("granted secret"))) {
		t.Fatalf("grantee decrypt: %s", out)
	}
	k.must("kms", "revoke-grant", "--key-id", kid, "--grant-id", g["GrantId"].(string))
	out, ok = k.as(bak, bsk, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct)
	expectError(t, out, ok, "AccessDeniedException")

	// Rotation: on demand, then automatic when the admin moves the clock.
	k.must("kms", "rotate-key-on-demand", "--key-id", kid)
	k.must("kms", "enable-key-rotation", "--key-id", kid, "--rotation-period-in-days", "90")
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_palisade/clock", strings.NewReader(`{"advance_seconds": 7862400}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("clock advance: %v %v", resp, err)
	}
	resp.Body.Close()
	var rotations []any
	for range 50 {
		rotations, _ = k.must("kms", "list-key-rotations", "--key-id", kid)["Rotations"].([]any)
		if len(rotations) == 2 {
			break
		}
	}
	if len(rotations) != 2 || rotations[1].(map[string]any)["RotationType"] != "AUTOMATIC" {
		t.Fatalf("rotations %v", rotations)
	}
	if got := b64(t, k.must("kms", "decrypt", "--ciphertext-blob", "fileb://"+ct)["Plaintext"]); string(got) != "granted secret" {
		t.Fatal("the old ciphertext does not decrypt after rotation")
	}

	// Signatures and public keys interoperate.
	msg := k.file("msg", []byte("signed by palisade"))
	for _, c := range []struct{ spec, alg string }{{"RSA_2048", "RSASSA_PSS_SHA_256"}, {"ECC_SECG_P256K1", "ECDSA_SHA_256"}, {"ECC_NIST_P384", "ECDSA_SHA_384"}} {
		sk := k.must("kms", "create-key", "--key-spec", c.spec, "--key-usage", "SIGN_VERIFY")["KeyMetadata"].(map[string]any)["KeyId"].(string)
		pub := k.file(c.spec+".der", b64(t, k.must("kms", "get-public-key", "--key-id", sk)["PublicKey"]))
		sig := k.file(c.spec+".sig", b64(t, k.must("kms", "sign", "--key-id", sk, "--message", "fileb://"+msg, "--signing-algorithm", c.alg)["Signature"]))
		md := "-sha" + c.alg[len(c.alg)-3:]
		args := []string{"dgst", md, "-verify", pub, "-keyform", "DER", "-signature", sig}
		if strings.HasPrefix(c.alg, "RSASSA_PSS") {
			args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest")
		}
		if out := run(t, "openssl", append(args, msg)...); !strings.Contains(string(out), "Verified OK") {
			t.Fatalf("OpenSSL on %s: %s", c.spec, out)
		}
		py := `import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
pub = serialization.load_der_public_key(open(sys.argv[1], "rb").read())
sig, msg = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
h = {"256": hashes.SHA256(), "384": hashes.SHA384()}[sys.argv[4]]
if isinstance(pub, ec.EllipticCurvePublicKey):
    pub.verify(sig, msg, ec.ECDSA(h))
else:
    pub.verify(sig, msg, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
print("ok", pub.key_size)`
		if out := run(t, "python3", "-c", py, pub, sig, msg, c.alg[len(c.alg)-3:]); !strings.HasPrefix(string(out), "ok") {
			t.Fatalf("Python on %s: %s", c.spec, out)
		}
	}
}

// Key material made and wrapped with OpenSSL (RSAES-OAEP with SHA-256) is imported,
// and the key then encrypts with exactly that material: the test opens KMS's
// ciphertext itself with the material it generated.
func TestKMSImportWrappedWithOpenSSL(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	k := &kmsCLI{t: t, c: clis(t)[0], s: s, dir: t.TempDir()}
	md := k.must("kms", "create-key", "--origin", "EXTERNAL")["KeyMetadata"].(map[string]any)
	kid := md["KeyId"].(string)
	if md["KeyState"] != "PendingImport" {
		t.Fatalf("state %v", md["KeyState"])
	}
	p := k.must("kms", "get-parameters-for-import", "--key-id", kid, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048")
	pub := k.file("wrapping.der", b64(t, p["PublicKey"]))
	token := k.file("token", b64(t, p["ImportToken"]))
	material := k.file("material", run(t, "openssl", "rand", "32"))
	wrapped := filepath.Join(k.dir, "wrapped")
	run(t, "openssl", "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", pub, "-in", material, "-out", wrapped,
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256")
	k.must("kms", "import-key-material", "--key-id", kid, "--encrypted-key-material", "fileb://"+wrapped,
		"--import-token", "fileb://"+token, "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
	if st := k.must("kms", "describe-key", "--key-id", kid)["KeyMetadata"].(map[string]any)["KeyState"]; st != "Enabled" {
		t.Fatalf("state after import %v", st)
	}
	pt := k.file("pt", []byte("under imported material"))
	blob := b64(t, k.must("kms", "encrypt", "--key-id", kid, "--plaintext", "fileb://"+pt, "--encryption-context", "a=b")["CiphertextBlob"])
	raw, _ := os.ReadFile(material)
	got, err := openPalisadeBlob(raw, blob, map[string]string{"a": "b"})
	if err != nil || string(got) != "under imported material" {
		t.Fatalf("the imported material does not open KMS's ciphertext: %v", err)
	}
	other := make([]byte, 32)
	rand.Read(other)
	if _, err := openPalisadeBlob(other, blob, map[string]string{"a": "b"}); err == nil {
		t.Fatal("other material opened the ciphertext")
	}
	k.must("kms", "delete-imported-key-material", "--key-id", kid)
	out, ok := k.as(rootAK, rootSK, "kms", "decrypt", "--ciphertext-blob", "fileb://"+k.file("blob", blob), "--encryption-context", "a=b")
	expectError(t, out, ok, "KMSInvalidStateException")
}

// openPalisadeBlob decrypts a symmetric ciphertext blob with known material, by the
// format documented in internal/service/kms/blob.go (written out again here so the
// test does not trust the code it checks).
func openPalisadeBlob(material, blob []byte, encCtx map[string]string) ([]byte, error) {
	n := int(blob[13])
	hdr := 1 + 12 + 1 + n + 16 + 32 + 16 + 12
	salt, nonce := blob[hdr-28:hdr-12], blob[hdr-12:hdr]
	key, err := hkdf.Key(sha256.New, material, salt, "palisade kms ciphertext v1", 32)
	if err != nil {
		return nil, err
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	aad := append([]byte{}, blob[:hdr]...)
	keys := make([]string, 0, len(encCtx))
	for k := range encCtx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		aad = binary.AppendUvarint(aad, uint64(len(k)))
		aad = append(aad, k...)
		aad = binary.AppendUvarint(aad, uint64(len(encCtx[k])))
		aad = append(aad, encCtx[k]...)
	}
	return gcm.Open(nil, nonce, blob[hdr:], aad)
}
