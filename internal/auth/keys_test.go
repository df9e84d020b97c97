package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/store"
)

func TestKeysSealCacheAndInvalidate(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sealer, _ := store.LoadSealer(dir)
	k := NewKeys(db, sealer)
	ctx := context.Background()
	c := &Credential{AccessKeyID: NewID("AKIA", 16), Secret: []byte(NewSecret()), Active: true, Principal: RootPrincipal("000000000000"), Created: time.Now()}
	if !ValidAccessKeyID(c.AccessKeyID) || !ValidSecret(string(c.Secret)) {
		t.Fatalf("generated key %s is not valid", c.AccessKeyID)
	}
	db.Update(ctx, func(tx *store.Tx) error { return k.Put(tx, c) })
	got, ok, err := k.Lookup(ctx, c.AccessKeyID)
	if err != nil || !ok || string(got.Secret) != string(c.Secret) || !got.Active || got.Principal.ARN != "arn:aws:iam::000000000000:root" {
		t.Fatalf("lookup: %v %v %v", got, ok, err)
	}
	// Deactivating takes effect for the next lookup, through the cache.
	c2 := *c
	c2.Active = false
	db.Update(ctx, func(tx *store.Tx) error { return k.Put(tx, &c2) })
	if got, _, _ := k.Lookup(ctx, c.AccessKeyID); got.Active {
		t.Fatal("stale cached key after deactivation")
	}
	db.Update(ctx, func(tx *store.Tx) error { return k.Delete(tx, c.AccessKeyID) })
	if _, ok, _ := k.Lookup(ctx, c.AccessKeyID); ok {
		t.Fatal("deleted key still found")
	}
	if _, ok, _ := k.Lookup(ctx, "AKIANOSUCHKEY0000000"); ok {
		t.Fatal("unknown key found")
	}
	for _, bad := range []string{"AKIA123", "ASIAAAAAAAAAAAAAAAAA", "AKIAaaaaaaaaaaaaaaaa", "AKIAAAAAAAAAAAAAAAAAA"} {
		if ValidAccessKeyID(bad) {
			t.Errorf("%s accepted", bad)
		}
	}
	if ValidSecret("has a space in it..........................") || ValidSecret("short") {
		t.Error("bad secret accepted")
	}
	if s := c.String() + c.GoString(); strings.Contains(s, string(c.Secret)) {
		t.Error("secret printed")
	}
}
