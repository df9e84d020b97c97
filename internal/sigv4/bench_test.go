package sigv4

import (
	"testing"
)

// getCallerIdentity is the request `aws sts get-caller-identity` sends.
var getCallerIdentity = sdkCase{name: "gci", method: "POST", rawURL: "/",
	headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
		{"User-Agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.5 exe/x86_64 prompt/off command/sts.get-caller-identity"}},
	body: "Action=GetCallerIdentity&Version=2011-06-15"}

// BenchmarkVerify is the per-request cost on the hot path: the key is cached after
// the first iteration, the body hash is given (the server hashes while buffering).
func BenchmarkVerify(b *testing.B) {
	r := sdkSign(b, getCallerIdentity, "sts", false, testSecret)
	a := mustParse(b, r)
	hash := sha256Hex([]byte(getCallerIdentity.body))
	secret := []byte(testSecret)
	var v Verifier
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, a, secret, testTime, hash); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerify adds Parse, which the pipeline runs on every request too.
func BenchmarkParseVerify(b *testing.B) {
	r := sdkSign(b, getCallerIdentity, "sts", false, testSecret)
	hash := sha256Hex([]byte(getCallerIdentity.body))
	secret := []byte(testSecret)
	var v Verifier
	b.ReportAllocs()
	for b.Loop() {
		a, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Verify(r, a, secret, testTime, hash); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyUncached shows what the key cache saves.
func BenchmarkVerifyUncached(b *testing.B) {
	r := sdkSign(b, getCallerIdentity, "sts", false, testSecret)
	a := mustParse(b, r)
	hash := sha256Hex([]byte(getCallerIdentity.body))
	secret := []byte(testSecret)
	v := Verifier{CacheSize: -1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, a, secret, testTime, hash); err != nil {
			b.Fatal(err)
		}
	}
}
