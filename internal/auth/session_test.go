package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/store"
)

func TestSessionTokens(t *testing.T) {
	sealer, err := store.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSessions(sealer)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := Principal{Type: AssumedRole, Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/r/s", UserID: "AROAXXXXXXXXXXXXXXXXX:s",
		Session: &Session{Op: "AssumeRole", Issued: now, Expires: now.Add(time.Hour), MFA: true, Policy: `{"Version":"2012-10-17"}`,
			Tags: []Tag{{"team", "red"}}, IssuerARN: "arn:aws:iam::123456789012:role/r"}}
	tmp, err := s.Issue(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tmp.AccessKeyID, "ASIA") || len(tmp.AccessKeyID) != 20 || !ValidSecret(tmp.Secret) || !tmp.Expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("credentials %+v", tmp)
	}
	if acct, ok := AccountFromKeyID(tmp.AccessKeyID); !ok || acct != "123456789012" {
		t.Fatalf("account from key %s: %s", tmp.AccessKeyID, acct)
	}
	if strings.Contains(tmp.Token, tmp.Secret) || strings.Contains(tmp.Token, "assumed-role") {
		t.Fatal("token is not sealed")
	}
	c, err := s.Open(tmp.AccessKeyID, tmp.Token, now.Add(59*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Secret) != tmp.Secret || c.Principal.ARN != p.ARN || c.Principal.Session == nil || !c.Principal.Session.MFA ||
		c.Principal.Session.Tags[0].Value != "red" || c.Principal.AccessKeyID != tmp.AccessKeyID {
		t.Fatalf("opened %+v %+v", c.Principal, c.Principal.Session)
	}
	if _, err := s.Open(tmp.AccessKeyID, tmp.Token, now.Add(time.Hour)); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("at expiry: %v", err)
	}
	if _, err := s.Open(NewKeyID("ASIA", "123456789012"), tmp.Token, now); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("other key: %v", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(tmp.Token)
	raw[len(raw)/2] ^= 1
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(raw), tmp.Token[:len(tmp.Token)-8]} {
		if _, err := s.Open(tmp.AccessKeyID, bad, now); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("token %q: %v", bad, err)
		}
	}
	other, _ := store.NewSealer([]byte(strings.Repeat("k", 32)))
	if _, err := NewSessions(other).Open(tmp.AccessKeyID, tmp.Token, now); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("other master key: %v", err)
	}
	if _, err := s.Issue(Principal{Account: "1"}); err == nil {
		t.Fatal("issued without a session")
	}
}

func TestKeyIDAccount(t *testing.T) {
	// An access key ID of AWS's documentation decodes to its account as AWS's own does.
	for _, acct := range []string{"000000000000", "123456789012", "999999999999", "000000000001"} {
		for range 20 {
			id := NewKeyID("AKIA", acct)
			if !ValidAccessKeyID(id) {
				t.Fatalf("%s is not a valid key ID", id)
			}
			if got, ok := AccountFromKeyID(id); !ok || got != acct {
				t.Fatalf("%s: %s, want %s", id, got, acct)
			}
		}
	}
	// Known pair published with the decoding method (AKIA + encoded 609629065308).
	if got, _ := AccountFromKeyID("ASIAY34FZKBOKMUTVV7A"); got != "609629065308" {
		t.Fatalf("decoded %s", got)
	}
	if _, ok := AccountFromKeyID("short"); ok {
		t.Fatal("short key decoded")
	}
}

// BenchmarkSessionOpen is the per-request cost of temporary credentials: decode,
// decrypt and parse the session token.
func BenchmarkSessionOpen(b *testing.B) {
	sealer, _ := store.NewSealer(make([]byte, 32))
	s := NewSessions(sealer)
	now := time.Now()
	p := Principal{Type: AssumedRole, Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/r/s", UserID: "AROAXXXXXXXXXXXXXXXXX:s",
		Session: &Session{Op: "AssumeRole", Issued: now, Expires: now.Add(time.Hour), IssuerARN: "arn:aws:iam::123456789012:role/r"}}
	tmp, _ := s.Issue(p)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Open(tmp.AccessKeyID, tmp.Token, now); err != nil {
			b.Fatal(err)
		}
	}
}
