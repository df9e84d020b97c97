package svckit

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/palisade/palisade/internal/store"
)

// Page tokens are authenticated under the store's token key: they round-trip, and a
// made-up, altered or other store's token is refused instead of read as a position.
func TestTokensAreAuthenticated(t *testing.T) {
	open := func(key string) *store.DB {
		db, err := store.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetTokenKey([]byte(key))
		return db
	}
	a, b := open("key a"), open("key b")
	view := func(db *store.DB, f func(tx *store.Tx)) {
		if err := db.View(context.Background(), func(tx *store.Tx) error { f(tx); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	var tok string
	view(a, func(tx *store.Tx) {
		tok = Token(tx, "queue-0042")
		if pos, ok := ParseToken(tx, tok); !ok || pos != "queue-0042" {
			t.Fatalf("round trip: %q %v", pos, ok)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(tok)
		raw[0] ^= 1
		for _, bad := range []string{"", "not base64!", base64.RawURLEncoding.EncodeToString([]byte("queue-0042")),
			base64.RawURLEncoding.EncodeToString(raw), tok[:len(tok)-1]} {
			if pos, ok := ParseToken(tx, bad); ok {
				t.Errorf("token %q accepted as %q", bad, pos)
			}
		}
	})
	view(b, func(tx *store.Tx) {
		if pos, ok := ParseToken(tx, tok); ok {
			t.Errorf("another store's token accepted as %q", pos)
		}
	})
}
