package audit

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// Marshal must write exactly what encoding/json writes for the same Record (with HTML
// escaping off): CloudTrail's files are compared byte for byte by their digests.

var awkward = []string{
	"", "a", "ü", "日本", "<&>", `"q"`, `back\slash`, "tab\tnew\nret\r", "\b\f\x00\x01\x1f",
	"\u2028\u2029", "bad\xffutf8", "\xc3", "emoji 🎉", "/", "\x7f", "arn:aws:iam::123456789012:user/alice",
}

func pick(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return awkward[r.IntN(len(awkward))]
	}
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

func randomRecord(r *rand.Rand) Record {
	s := func() string { return pick(r) }
	rec := Record{
		EventVersion: s(), EventTime: s(), EventSource: s(), EventName: s(), AWSRegion: s(),
		SourceIPAddress: s(), UserAgent: s(), ErrorCode: s(), ErrorMessage: s(),
		RequestID: s(), EventID: s(), ReadOnly: r.IntN(2) == 0, EventType: s(),
		ManagementEvent: r.IntN(2) == 0, RecipientAccountID: s(), SharedEventID: s(), EventCategory: s(),
		UserIdentity: UserIdentity{Type: s(), ARN: s(), AccountID: s(), AccessKeyID: s(), UserName: s(), InvokedBy: s(), IdentityProvider: s()},
	}
	if r.IntN(2) == 0 {
		id := s()
		rec.UserIdentity.PrincipalID = &id
	}
	if r.IntN(2) == 0 {
		sc := &SessionContext{
			SessionIssuer:  SessionIssuer{Type: s(), PrincipalID: s(), ARN: s(), AccountID: s(), UserName: s()},
			Attributes:     SessionAttributes{CreationDate: s(), MFAAuthenticated: s()},
			SourceIdentity: s(),
		}
		if r.IntN(2) == 0 {
			sc.WebIDFederationData.FederatedProvider = s()
			if r.IntN(2) == 0 {
				sc.WebIDFederationData.Attributes = map[string]string{s(): s(), s(): s(), s(): s()}
			}
		}
		rec.UserIdentity.SessionContext = sc
	}
	raws := []json.RawMessage{nil, json.RawMessage(`null`), json.RawMessage(`{"a":1,"b":[true,"x y"]}`),
		json.RawMessage("{ \"spaced\" : [1, 2],\n\"s\":\"in string \"}"), json.RawMessage(`"str"`)}
	rec.RequestParameters = raws[r.IntN(len(raws))]
	rec.ResponseElements = raws[r.IntN(len(raws))]
	if r.IntN(2) == 0 {
		rec.AdditionalEventData = map[string]any{s(): s(), "n": float64(r.IntN(1000)), "nested": map[string]any{s(): true}}
	}
	if r.IntN(2) == 0 {
		rec.ServiceEventDetails = map[string]any{s(): s(), "rotationType": "AUTOMATIC"}
	}
	for range r.IntN(3) {
		rec.Resources = append(rec.Resources, Resource{ARN: s(), AccountID: s(), Type: s()})
	}
	if r.IntN(2) == 0 {
		rec.TLSDetails = &TLSDetails{TLSVersion: s(), CipherSuite: s(), ClientProvidedHostHeader: s()}
	}
	return rec
}

func TestMarshalMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		rec := randomRecord(r)
		got, err := Marshal(&rec)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		want, err := MarshalJSON(&rec)
		if err != nil {
			t.Fatalf("record %d: encoding/json: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d differs:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestMarshalRefusesInvalidRaw(t *testing.T) {
	for _, raw := range []string{`{"a":`, `{ "a": }`, `nul`} {
		rec := Record{RequestParameters: json.RawMessage(raw)}
		if _, err := Marshal(&rec); err == nil {
			t.Errorf("requestParameters %q: no error", raw)
		}
	}
}

func FuzzMarshalString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec := Record{EventName: s, UserIdentity: UserIdentity{Type: s}, Resources: []Resource{{ARN: s}}}
		got, err := Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := MarshalJSON(&rec)
		if !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	id := "AIDAEXAMPLE"
	rec := Record{
		EventVersion: EventVersion, EventTime: "2026-11-28T04:00:00Z", EventSource: "kms.amazonaws.com",
		EventName: "Encrypt", AWSRegion: "us-east-1", SourceIPAddress: "127.0.0.1",
		UserAgent: "aws-sdk-go-v2/1.39.0 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/kms#1.45.0",
		UserIdentity: UserIdentity{Type: "IAMUser", PrincipalID: &id, ARN: "arn:aws:iam::123456789012:user/alice",
			AccountID: "123456789012", AccessKeyID: "AKIAEXAMPLE", UserName: "alice"},
		RequestParameters: json.RawMessage(`{"keyId":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","encryptionContext":{"purpose":"bench"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`),
		ResponseElements:  json.RawMessage(`null`),
		RequestID:         "8f2b7c3e-1d2a-4b5c-9e8f-0a1b2c3d4e5f", EventID: "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
		ReadOnly: true, EventType: Kind, ManagementEvent: true, RecipientAccountID: "123456789012", EventCategory: "Management",
		Resources: []Resource{{ARN: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", AccountID: "123456789012", Type: "AWS::KMS::Key"}},
	}
	b.Run("hand", func(b *testing.B) {
		for range b.N {
			Marshal(&rec)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for range b.N {
			MarshalJSON(&rec)
		}
	})
}

// Resources entries are written in their service's order: STS and IAM ARN first, KMS
// and S3 accountId, type, then ARN or S3's ARNPrefix; S3 hides the bucket owner from
// another account's denied caller with an empty accountId.
func TestResourceForms(t *testing.T) {
	for _, c := range []struct {
		r    Resource
		want string
	}{
		{Resource{ARN: "arn:aws:iam::111122223333:role/r", AccountID: "111122223333", Type: "AWS::IAM::Role"},
			`{"ARN":"arn:aws:iam::111122223333:role/r","accountId":"111122223333","type":"AWS::IAM::Role"}`},
		{Resource{ARN: "arn:aws:kms:us-east-1:111122223333:key/k", AccountID: "111122223333", Type: "AWS::KMS::Key", AccountFirst: true},
			`{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/k"}`},
		{Resource{ARN: "arn:aws:s3:::b/k", Type: "AWS::S3::Object", AccountFirst: true},
			`{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"}`},
		{Resource{ARNPrefix: "arn:aws:s3:::b/", Type: "AWS::S3::Object", AccountFirst: true},
			`{"type":"AWS::S3::Object","ARNPrefix":"arn:aws:s3:::b/"}`},
		{Resource{ARN: "arn:aws:s3:::b", AccountID: "111122223333", Type: "AWS::S3::Bucket", AccountFirst: true, OwnerHidden: true},
			`{"accountId":"","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"}`},
	} {
		if got := string(c.r.appendJSON(nil)); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
