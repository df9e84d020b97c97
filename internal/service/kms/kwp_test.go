package kms

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
)

// RFC 5649, section 6: the two test vectors (192-bit KEK).
func TestKWPUnwrapRFC5649(t *testing.T) {
	kek, _ := hex.DecodeString("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8")
	for _, v := range []struct{ key, wrap string }{
		{"c37b7e6492584340bed12207808941155068f738", "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
		{"466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f"},
	} {
		want, _ := hex.DecodeString(v.key)
		wrapped, _ := hex.DecodeString(v.wrap)
		got, err := kwpUnwrap(kek, wrapped)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("unwrap %s: %x, %v", v.wrap, got, err)
		}
		wrapped[len(wrapped)-1] ^= 1
		if _, err := kwpUnwrap(kek, wrapped); err == nil {
			t.Fatalf("a corrupted wrap of %s unwrapped", v.key)
		}
	}
}

func TestBlobHeaderRoundTrip(t *testing.T) {
	s, _ := newTestSealer()
	k := &KMS{sealer: s}
	r := &keyRec{ID: auth.NewUUID(), Account: "123456789012", Region: "eu-central-1"}
	raw := randomBytes(32)
	m := k.newMaterial(r, raw, keyTime(r.Created), "")
	ec := map[string]string{"a": "1", "ab": ""}
	blob, err := sealBlob(r, &m, raw, []byte("hello"), ec)
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseBlob(blob)
	if err != nil || h.account != r.Account || h.region != r.Region || h.keyID != r.ID || h.materialID != m.ID {
		t.Fatalf("header %+v, %v", h, err)
	}
	if pt, err := openBlob(h, raw, blob, ec); err != nil || string(pt) != "hello" {
		t.Fatalf("open: %q %v", pt, err)
	}
	// Contexts whose concatenations are alike are still different contexts.
	if _, err := openBlob(h, raw, blob, map[string]string{"a": "1a", "b": ""}); err == nil {
		t.Fatal("a different context opened the blob")
	}
	for _, n := range []int{0, 1, 13, len(blob) / 2} {
		if _, err := parseBlob(blob[:n]); err == nil {
			t.Fatalf("a %d-byte prefix parsed", n)
		}
	}
}

func newTestSealer() (*store.Sealer, error) { return store.NewSealer(randomBytes(32)) }
