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
	// A token is good only in the scope (the operation) that handed it out.
	view(a, func(tx *store.Tx) {
		tx.SetScope("sqs:ListQueues")
		tok = Token(tx, "queue-0042")
		if pos, ok := ParseToken(tx, tok); !ok || pos != "queue-0042" {
			t.Fatalf("round trip in a scope: %q %v", pos, ok)
		}
		tx.SetScope("sqs:ListDeadLetterSourceQueues")
		if pos, ok := ParseToken(tx, tok); ok {
			t.Errorf("another operation's token accepted as %q", pos)
		}
	})
}

// Page hands out a token only when the next page holds something: items a filter
// passes over after a full page do not make one (they made a token that led to an
// empty page).
func TestPageTokenOnlyWhenMoreFollow(t *testing.T) {
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ns := store.NS("test", "", "", "items")
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, k := range []string{"k1", "k2", "k3", "k4", "k5", "k6"} {
			if err := tx.Put(ns, k, nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	list := func(limit int, token *string) (got []string, next *string) {
		err := db.View(context.Background(), func(tx *store.Tx) error {
			var err error
			next, err = Page(tx, ns, "", token, limit, nil, func(k string, _ []byte, take bool) (bool, error) {
				if k[1]%2 == 0 { // the filter keeps k1, k3, k5
					return false, nil
				}
				if take {
					got = append(got, k)
				}
				return true, nil
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, next
	}
	if got, next := list(3, nil); len(got) != 3 || next != nil {
		t.Fatalf("limit 3: %v, next token %v (want k1 k3 k5 and none)", got, next)
	}
	got, next := list(2, nil)
	if len(got) != 2 || next == nil {
		t.Fatalf("limit 2: %v, next token %v", got, next)
	}
	if got, next = list(2, next); len(got) != 1 || got[0] != "k5" || next != nil {
		t.Fatalf("limit 2, second page: %v, next token %v (want k5 and none)", got, next)
	}
}
