package sigv4

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHeaderClockSkew(t *testing.T) {
	var v Verifier
	c := sdkCase{method: "GET", rawURL: "/"}
	for _, service := range []string{"sts", "s3"} {
		for _, tc := range []struct {
			offset time.Duration
			want   Kind
		}{
			{0, 0},
			{MaxSkew, 0},
			{-MaxSkew, 0},
			{MaxSkew + time.Second, KindExpired},
			{-MaxSkew - time.Second, KindNotYetCurrent},
		} {
			r := sdkSign(t, c, service, false, testSecret)
			_, err := verifyBody(t, &v, r, testSecret, testTime.Add(tc.offset))
			if kindOf(err) != tc.want {
				t.Errorf("%s now=date%+v: got %v, want %v", service, tc.offset, err, tc.want)
			}
		}
	}
	// The messages, as STS and S3 word them.
	a := &Auth{Time: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC), rawDate: "20130524T000000Z",
		Scope: Scope{Service: "sts"}}
	err := checkTime(a, time.Date(2013, 5, 24, 0, 20, 0, 0, time.UTC)).(*Error)
	if want := "Signature expired: 20130524T000000Z is now earlier than 20130524T000500Z (20130524T002000Z - 15 min.)"; err.Response(Query).Message != want {
		t.Errorf("got %q", err.Response(Query).Message)
	}
	if r := err.Response(Query); r.Code != "SignatureDoesNotMatch" || r.Status != 403 {
		t.Errorf("%+v", r)
	}
	err = checkTime(a, time.Date(2013, 5, 23, 23, 40, 0, 0, time.UTC)).(*Error)
	if want := "Signature not yet current: 20130524T000000Z is still later than 20130523T235500Z (20130523T234000Z + 15 min.)"; err.Response(JSON).Message != want {
		t.Errorf("got %q", err.Response(JSON).Message)
	}
	s3 := err.Response(S3)
	if s3.Code != "RequestTimeTooSkewed" || fieldValue(s3, "RequestTime") != "20130524T000000Z" ||
		fieldValue(s3, "ServerTime") != "2013-05-23T23:40:00Z" || fieldValue(s3, "MaxAllowedSkewMilliseconds") != "900000" {
		t.Errorf("%+v", s3)
	}
}

func TestPresignExpiry(t *testing.T) {
	var v Verifier
	presign := func(expires string) *http.Request {
		r := sdkSign(t, sdkCase{method: "GET", rawURL: "/bucket/key"}, "s3", true, testSecret)
		r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=900", "X-Amz-Expires="+expires, 1)
		return r
	}
	for _, tc := range []struct {
		expires string
		now     time.Duration
		want    Kind
	}{
		{"900", 900 * time.Second, 0},
		{"900", 901 * time.Second, KindPresignExpired},
		{"604800", 604800 * time.Second, KindSignatureMismatch}, // valid expiry; the edit broke the signature
		{"604801", 0, KindBadExpires},
		{"-1", 0, KindBadExpires},
		{"abc", 0, KindBadExpires},
		{"900", -MaxSkew, 0},
		{"900", -MaxSkew - time.Second, KindPresignNotYetValid},
		{"0", time.Second, KindPresignExpired},
	} {
		_, err := verifyBody(t, &v, presign(tc.expires), testSecret, testTime.Add(tc.now))
		if kindOf(err) != tc.want {
			t.Errorf("expires=%s now=date%+v: got %v, want %v", tc.expires, tc.now, err, tc.want)
		}
	}
	// 604800 itself, properly signed, is accepted until the week is out.
	r := sdkSignExpires(t, "604800")
	if _, err := verifyBody(t, &v, r, testSecret, testTime.Add(MaxExpires)); err != nil {
		t.Errorf("604800 at the last second: %v", err)
	}
	r = sdkSignExpires(t, "604800")
	if _, err := verifyBody(t, &v, r, testSecret, testTime.Add(MaxExpires+time.Second)); kindOf(err) != KindPresignExpired {
		t.Errorf("604800 a second late: %v", err)
	} else if resp := err.(*Error).Response(S3); resp.Message != "Request has expired" || resp.Code != "AccessDenied" ||
		fieldValue(resp, "X-Amz-Expires") != "604800" || fieldValue(resp, "Expires") != "2024-03-16T12:34:56Z" {
		t.Errorf("%+v", resp)
	}
	_, err := Parse(sdkSignExpires(t, "604801"))
	if resp := err.(*Error).Response(S3); resp.Code != "AuthorizationQueryParametersError" || resp.Message !=
		"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds" {
		t.Errorf("%+v", resp)
	}

	// Non-S3 presigned URLs ignore X-Amz-Expires (STS holds them to 15 minutes).
	r = sdkSign(t, sdkCase{method: "GET", rawURL: "/?Action=GetCallerIdentity"}, "sts", true, testSecret)
	if _, err := verifyBody(t, &v, r, testSecret, testTime.Add(MaxSkew+time.Second)); kindOf(err) != KindExpired {
		t.Errorf("sts presigned after 15 min: %v", err)
	}
}

func sdkSignExpires(t *testing.T, expires string) *http.Request {
	t.Helper()
	c := sdkCase{method: "GET", rawURL: "/bucket/key", expires: expires}
	r := sdkSign(t, c, "s3", true, testSecret)
	return r
}

func parseErr(t *testing.T, r *http.Request) *Error {
	t.Helper()
	_, err := Parse(r)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%v) = %v, want *Error", r.Header, err)
	}
	return e
}

func headerRequest(authz, date string) *http.Request {
	r, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	if date != "" {
		r.Header.Set("X-Amz-Date", date)
	}
	return r
}

func TestParseErrors(t *testing.T) {
	const cred = "Credential=AKID/20130524/us-east-1/sts/aws4_request"
	const rest = ", SignedHeaders=host;x-amz-date, Signature=" + emptySHA256
	for _, tc := range []struct {
		name, authz, date string
		kind              Kind
		query, s3Code     string
	}{
		{"anonymous", "", "", KindMissing, "Request is missing Authentication Token", "AccessDenied"},
		{"bearer", "Bearer abc", "20130524T000000Z", KindIncomplete,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc", "InvalidArgument"},
		{"no date", "AWS4-HMAC-SHA256 " + cred + rest, "", KindIncomplete,
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 " + cred + rest,
			"AccessDenied"},
		{"no signature", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", "20130524T000000Z", KindIncomplete,
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host",
			"AuthorizationHeaderMalformed"},
		{"sigv4a", "AWS4-ECDSA-P256-SHA256 " + cred + rest, "20130524T000000Z", KindUnsupported, msgSigV4a, "InvalidArgument"},
		{"sigv2", "AWS AKID:c2ln", "20130524T000000Z", KindUnsupported, msgSigV2, "InvalidRequest"},
		{"bad date", "AWS4-HMAC-SHA256 " + cred + rest, "2013-05-24", KindBadDate,
			"Date must be in ISO-8601 'basic format'. Got '2013-05-24'. See http://en.wikipedia.org/wiki/ISO_8601", "AccessDenied"},
		{"four parts", "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/sts" + rest, "20130524T000000Z", KindBadCredential,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20130524/us-east-1/sts'",
			"AuthorizationHeaderMalformed"},
		{"terminator", "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/sts/aws4_reques" + rest, "20130524T000000Z", KindScopeMismatch,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'.", "AuthorizationHeaderMalformed"},
		{"scope date", "AWS4-HMAC-SHA256 " + cred + rest, "20130525T000000Z", KindScopeMismatch,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20130524' != '20130525', from '20130525T000000Z'.",
			"AuthorizationHeaderMalformed"},
		{"host unsigned", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=" + emptySHA256, "20130524T000000Z",
			KindHostNotSigned, msgHostNotSigned, "AccessDenied"},
	} {
		e := parseErr(t, headerRequest(tc.authz, tc.date))
		if e.Kind != tc.kind || e.Response(Query).Message != tc.query || e.Response(S3).Code != tc.s3Code {
			t.Errorf("%s: kind %v query %q s3 %+v", tc.name, e.Kind, e.Response(Query).Message, e.Response(S3))
		}
	}
	if r := parseErr(t, headerRequest("", "")).Response(JSON); r.Code != "MissingAuthenticationTokenException" || r.Message != "Missing Authentication Token" {
		t.Errorf("anonymous JSON: %+v", r)
	}
	// S3 requires x-amz-content-sha256 and checks its value.
	s3cred := "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request" + rest
	r := headerRequest(s3cred, "20130524T000000Z")
	if e := parseErr(t, r); e.Kind != KindBadContentSHA256 || e.Response(S3).Code != "InvalidRequest" || e.Service != "s3" {
		t.Errorf("missing x-amz-content-sha256: %v", e)
	}
	r.Header.Set("X-Amz-Content-Sha256", "nope")
	if e := parseErr(t, r); e.Kind != KindBadContentSHA256 || e.Response(S3).Code != "InvalidArgument" {
		t.Errorf("bad x-amz-content-sha256: %v", e)
	}
	// Header and query auth together.
	r = headerRequest(s3cred, "20130524T000000Z")
	r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	if e := parseErr(t, r); e.Kind != KindConflicting || e.Response(S3).Message != msgOneMechanism {
		t.Errorf("both: %v", e)
	}
}

func TestParsePresignErrors(t *testing.T) {
	base := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=" + emptySHA256
	for _, tc := range []struct {
		name, query string
		kind        Kind
		s3Msg       string
	}{
		{"no signature", strings.Replace(base, "&X-Amz-Signature=", "&X-Sig=", 1), KindIncomplete, msgS3QueryParts},
		{"no expires", strings.Replace(base, "&X-Amz-Expires=60", "", 1), KindIncomplete, msgS3QueryParts},
		{"algorithm", strings.Replace(base, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1), KindUnsupported,
			`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"`},
		{"date", strings.Replace(base, "20130524T000000Z", "20130524", 1), KindBadDate,
			`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`},
		{"expires number", strings.Replace(base, "Expires=60", "Expires=6o", 1), KindBadExpires, "X-Amz-Expires should be a number"},
		{"expires negative", strings.Replace(base, "Expires=60", "Expires=-60", 1), KindBadExpires, "X-Amz-Expires must be non-negative"},
		{"credential date", strings.Replace(base, "Date=20130524T000000Z", "Date=20130525T000000Z", 1), KindScopeMismatch,
			`Invalid credential date "20130524". This date is not the same as X-Amz-Date: "20130525".`},
		{"credential shape", strings.Replace(base, "%2Faws4_request", "", 1), KindBadCredential,
			`Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
	} {
		r, _ := http.NewRequest("GET", "https://s3.amazonaws.com/b/k?"+tc.query, nil)
		e := parseErr(t, r)
		if e.Kind != tc.kind || e.Response(S3).Message != tc.s3Msg || !e.Presigned {
			t.Errorf("%s: %v / %+v", tc.name, e, e.Response(S3))
		}
	}
	// Non-S3 presigned URLs need no X-Amz-Expires.
	r, _ := http.NewRequest("GET", "https://sts.amazonaws.com/?"+strings.NewReplacer("%2Fs3%2F", "%2Fsts%2F", "&X-Amz-Expires=60", "").Replace(base), nil)
	if _, err := Parse(r); err != nil {
		t.Errorf("sts without X-Amz-Expires: %v", err)
	}
}

// TestSigV2S3Answer: S3 refuses Signature Version 2, in a header or a presigned URL, as
// its SigV4-only regions do (recorded: 400 InvalidRequest, e.g. aws/aws-cli#2432,
// nukulb/s3-angular-file-upload#23 for the XML, s3cmd's "S3 error: 400 (InvalidRequest)").
func TestSigV2S3Answer(t *testing.T) {
	hdr := headerRequest("AWS AKID:c2lnbmF0dXJl", "")
	hdr.Header.Set("Date", "Fri, 24 May 2013 00:00:00 GMT")
	q, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKID&Expires=1900000000&Signature=c2ln", nil)
	for name, r := range map[string]*http.Request{"header": hdr, "query": q} {
		e := parseErr(t, r)
		s3 := e.Response(S3)
		if e.Kind != KindUnsupported || s3.Status != 400 || s3.Code != "InvalidRequest" ||
			s3.Message != "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256." || s3.Fields != nil {
			t.Errorf("%s: %v %+v", name, e, s3)
		}
		if qr := e.Response(Query); qr.Code != "IncompleteSignature" || qr.Message != msgSigV2 {
			t.Errorf("%s query: %+v", name, qr)
		}
	}
}

func TestCheckScope(t *testing.T) {
	a := &Auth{Scope: Scope{Region: "us-west-2", Service: "iam"}}
	if err := a.CheckScope("us-west-2", "iam"); err != nil {
		t.Fatal(err)
	}
	e := a.CheckScope("us-east-1", "sts").(*Error)
	if got := e.Response(Query).Message; got != "Credential should be scoped to a valid region, not 'us-west-2'. Credential should be scoped to correct service: 'sts'." {
		t.Errorf("%q", got)
	}
	if r := e.Response(S3); r.Code != "AuthorizationHeaderMalformed" ||
		r.Message != "The authorization header is malformed; the region 'us-west-2' is wrong; expecting 'us-east-1'" ||
		fieldValue(r, "Region") != "us-east-1" {
		t.Errorf("%+v", r)
	}
}

// TestSignatureMismatchResponse: S3's SignatureDoesNotMatch carries what the client
// needs to debug its signer; query/JSON services send only the message.
func TestSignatureMismatchResponse(t *testing.T) {
	var v Verifier
	r := sdkSign(t, sdkCase{method: "GET", rawURL: "/bucket/key"}, "s3", false, testSecret)
	_, err := verifyBody(t, &v, r, "other", testTime)
	e := err.(*Error)
	s3 := e.Response(S3)
	if s3.Code != "SignatureDoesNotMatch" || s3.Message != msgMismatchS3 || s3.Status != 403 {
		t.Fatalf("%+v", s3)
	}
	want := []string{"AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"}
	for i, f := range s3.Fields {
		if f.Name != want[i] || f.Value == "" {
			t.Errorf("field %d: %+v", i, f)
		}
	}
	if !strings.HasPrefix(fieldValue(s3, "CanonicalRequest"), "GET\n/bucket/key\n\nhost:example.amazonaws.com\n") ||
		!strings.HasPrefix(fieldValue(s3, "StringToSignBytes"), "41 57 53 34 2d") {
		t.Errorf("%+v", s3)
	}
	q := e.Response(Query)
	if q.Code != "SignatureDoesNotMatch" || q.Message != msgMismatchQuery || q.Fields != nil {
		t.Errorf("%+v", q)
	}
	if j := e.Response(JSON); j.Code != "InvalidSignatureException" {
		t.Errorf("%+v", j)
	}
	u := UnknownAccessKey(mustParse(t, sdkSign(t, sdkCase{method: "GET", rawURL: "/"}, "sts", false, testSecret)))
	if u.Response(Query).Code != "InvalidClientTokenId" || u.Response(JSON).Code != "UnrecognizedClientException" ||
		u.Response(S3).Code != "InvalidAccessKeyId" {
		t.Errorf("%v", u)
	}
}

// TestNoSecretInOutput: nothing this package prints or returns carries the secret.
func TestNoSecretInOutput(t *testing.T) {
	var v Verifier
	const secret = "SuperSecretValue/12345+abcdefghijklmnopqrs"
	r := sdkSign(t, sdkCase{method: "GET", rawURL: "/bucket/key"}, "s3", false, secret)
	vr, err := verifyBody(t, &v, r, secret, testTime)
	if err != nil {
		t.Fatal(err)
	}
	_, err = verifyBody(t, &v, sdkSign(t, sdkCase{method: "GET", rawURL: "/bucket/key"}, "s3", false, secret), secret+"x", testTime)
	e := err.(*Error)
	out := fmt.Sprintf("%v %+v %#v %v %+v %#v %v %#v %+v", vr, vr, vr, err, e, e, &v, &v, e.Response(S3))
	if strings.Contains(out, secret) {
		t.Fatalf("secret printed: %s", out)
	}
}

func TestKeyCache(t *testing.T) {
	v := Verifier{CacheSize: 2}
	s := Scope{"20240309", "us-east-1", "s3", "aws4_request"}
	k1 := v.signingKey([]byte("a"), s)
	if k1 != deriveKey([]byte("a"), s) || v.signingKey([]byte("a"), s) != k1 {
		t.Fatal("cached key differs")
	}
	if v.signingKey([]byte("b"), s) == k1 {
		t.Fatal("another secret got the same key")
	}
	s2 := s
	s2.Region = "eu-west-1"
	v.signingKey([]byte("a"), s2)
	if len(v.keys) > 2 {
		t.Fatalf("cache grew to %d", len(v.keys))
	}
	off := Verifier{CacheSize: -1}
	if off.signingKey([]byte("a"), s) != k1 || off.keys != nil {
		t.Fatal("disabled cache")
	}
}

// TestVerifyConcurrent shares one Verifier (and its key cache) between goroutines
// with different secrets; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	v := Verifier{CacheSize: 3}
	secrets := []string{"s0", "s1", "s2", "s3", "s4"}
	reqs := make([]*http.Request, len(secrets))
	for i, s := range secrets {
		reqs[i] = sdkSign(t, sdkCase{method: "GET", rawURL: "/bucket/key"}, "s3", false, s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := (g + i) % len(secrets)
				a := mustParse(t, reqs[n])
				if _, err := v.Verify(reqs[n], a, []byte(secrets[n]), testTime, ""); err != nil {
					t.Error(err)
					return
				}
				if _, err := v.Verify(reqs[n], a, []byte(secrets[(n+1)%len(secrets)]), testTime, ""); kindOf(err) != KindSignatureMismatch {
					t.Errorf("other secret: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestTokenErrors: a session token that does not open and one past its expiry are
// answered in each family's words, S3 echoing the token.
func TestTokenErrors(t *testing.T) {
	a := mustParse(t, sdkSign(t, sdkCase{method: "GET", rawURL: "/"}, "sts", false, testSecret))
	a.SecurityToken = "tok"
	inv, exp := InvalidToken(a), ExpiredToken(a)
	if r := inv.Response(Query); r.Code != "InvalidClientTokenId" || r.Status != 403 || r.Message != "The security token included in the request is invalid." {
		t.Errorf("query invalid %+v", r)
	}
	if r := inv.Response(JSON); r.Code != "UnrecognizedClientException" || r.Status != 400 {
		t.Errorf("json invalid %+v", r)
	}
	if r := inv.Response(S3); r.Code != "InvalidToken" || r.Status != 400 || fieldValue(r, "Token-0") != "tok" {
		t.Errorf("s3 invalid %+v", r)
	}
	if r := exp.Response(Query); r.Code != "ExpiredToken" || r.Status != 403 || r.Message != "The security token included in the request is expired" {
		t.Errorf("query expired %+v", r)
	}
	if r := exp.Response(JSON); r.Code != "ExpiredTokenException" || r.Status != 400 {
		t.Errorf("json expired %+v", r)
	}
	if r := exp.Response(S3); r.Code != "ExpiredToken" || r.Message != "The provided token has expired." {
		t.Errorf("s3 expired %+v", r)
	}
	if inv.Kind.String() != "InvalidToken" || exp.Kind.String() != "ExpiredToken" {
		t.Errorf("kinds %v %v", inv.Kind, exp.Kind)
	}
}
