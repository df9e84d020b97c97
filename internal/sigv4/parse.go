package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm Verify accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// algorithmV4a is SigV4a's name; recognised only to refuse it with a clear message.
const algorithmV4a = "AWS4-ECDSA-P256-SHA256"

// Payload-hash claims (x-amz-content-sha256 values) other than a hex SHA-256.
const (
	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// MaxSkew is how far header-auth request time may be from now, either way, and how
// far in the future a presigned URL may be dated.
const MaxSkew = 15 * time.Minute

// MaxExpires is the longest X-Amz-Expires S3 accepts (seven days).
const MaxExpires = 7 * 24 * time.Hour

// amzDateLayout is ISO 8601 basic format, the form of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// Scope is the credential scope: the date, region and service a signing key is for.
type Scope struct {
	Date       string // YYYYMMDD
	Region     string
	Service    string
	Terminator string // always "aws4_request" once Parse succeeds
}

// String is the scope as it appears in the string to sign.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

// Auth is the authentication a request claims, read without any secret so that the
// server can route by Scope.Service and look up the secret by AccessKeyID. Nothing in
// it is verified until Verifier.Verify succeeds.
type Auth struct {
	// Algorithm is always Algorithm once Parse succeeds; other algorithms are refused.
	Algorithm string
	// AccessKeyID selects the secret. Unverified: an attacker chooses it freely.
	AccessKeyID string
	// Scope is the credential scope; its Date always equals Time's date.
	Scope Scope
	// SignedHeaders are the names the signature covers, as sent (the SDKs send them
	// lower-case and sorted); "host" is always among them.
	SignedHeaders []string
	// Signature is the claimed signature as sent, normally 64 lower-case hex digits.
	Signature string
	// Time is the request time in UTC: X-Amz-Date (header or query), else Date.
	Time time.Time
	// Presigned is query-string auth (X-Amz-Algorithm etc. in the URL).
	Presigned bool
	// Expires is X-Amz-Expires for presigned URLs, 0 when absent. Only S3 enforces
	// it; other services hold presigned requests to the 15-minute window instead.
	Expires time.Duration
	// SecurityToken is X-Amz-Security-Token from the header or the query, "" if none.
	SecurityToken string
	// PayloadHash is the x-amz-content-sha256 claim (header, or query for presigned
	// URLs): a hex SHA-256 or one of the UnsignedPayload/Streaming* constants; "" when
	// the request makes none.
	PayloadHash string
	// DecodedContentLength is x-amz-decoded-content-length, -1 when absent or not a
	// number; the aws-chunked body reader checks the decoded size against it.
	DecodedContentLength int64

	rawDate       string // the date as sent, for S3's RequestTime
	amzDate       string // the date in the string to sign
	signedHeaders string // the SignedHeaders value as sent, for the canonical request
	query         queryPairs
}

// IsS3 reports whether S3's rules apply: path used as sent, x-amz-content-sha256
// required, presigned URLs honour X-Amz-Expires and sign UNSIGNED-PAYLOAD.
func (a *Auth) IsS3() bool { return isS3(a.Scope.Service) }

func isS3(service string) bool { return service == "s3" || service == "s3-object-lambda" }

// Streaming reports whether the body is aws-chunked (any STREAMING-* claim).
func (a *Auth) Streaming() bool { return strings.HasPrefix(a.PayloadHash, "STREAMING-") }

// NeedsBodyHash reports whether Verify must be given the SHA-256 of the body: only
// when the request claims none (non-S3 services, where botocore and the SDKs sign the
// body without sending its hash).
func (a *Auth) NeedsBodyHash() bool { return a.PayloadHash == "" && !a.IsS3() }

// String summarises the claim for logs. It holds nothing secret: a signature is
// useless without the key.
func (a *Auth) String() string {
	mode := "header"
	if a.Presigned {
		mode = "presigned"
	}
	return a.Algorithm + " " + mode + " " + a.AccessKeyID + "/" + a.Scope.String() +
		" at " + a.amzDate + " signed=" + a.signedHeaders
}

// Parse reads the SigV4 authentication of r: an Authorization header or presigned
// query parameters. It needs no secret and does not read the body or the clock.
//
// It returns (*Auth, nil) when the claim is well formed, and (nil, *Error) otherwise;
// an *Error of KindMissing means the request carries no authentication at all, which
// S3 serves as anonymous and every other service refuses. Parse already rejects what
// AWS rejects before looking at the key: a malformed header or query, an unreadable
// date, a credential that is not AKID/date/region/service/aws4_request, a scope date
// that is not the request's date, an unsigned host, and for S3 a missing or invalid
// x-amz-content-sha256 or X-Amz-Expires. Region and service are the server's to check,
// with Auth.CheckScope.
func Parse(r *http.Request) (*Auth, error) {
	authz := r.Header.Get("Authorization")
	q := parseQuery(r.URL.RawQuery)
	_, presigned := q.get("X-Amz-Algorithm")
	_, v2sig := q.get("Signature")
	_, v2key := q.get("AWSAccessKeyId")
	v2query := v2sig && v2key
	switch {
	case authz != "" && (presigned || v2query):
		e := &Error{Kind: KindConflicting, query: msgOneMechanism,
			s3: s3Err(http.StatusBadRequest, "InvalidArgument", msgOneMechanism, argFields(authz)...)}
		return nil, e
	case authz != "":
		return parseHeader(r, authz, q)
	case presigned:
		return parsePresigned(r, q)
	case v2query:
		return nil, sigV2(true)
	}
	return nil, &Error{Kind: KindMissing, query: msgMissingQuery, json: msgMissingJSON,
		s3: s3Err(http.StatusForbidden, "AccessDenied", "Access Denied")}
}

func unsupported(authz, msg string, presigned bool) *Error {
	e := &Error{Kind: KindUnsupported, Presigned: presigned, query: msg,
		s3: s3Err(http.StatusBadRequest, "InvalidArgument", msg)}
	if authz != "" {
		e.s3.Fields = argFields(authz)
	}
	return e
}

// sigV2 refuses Signature Version 2 (an "AWS key:sig" header or AWSAccessKeyId and
// Signature in the query). S3 answers it as its Signature-Version-4-only regions do:
// 400 InvalidRequest "The authorization mechanism you have provided is not supported.
// Please use AWS4-HMAC-SHA256.", with no argument elements.
func sigV2(presigned bool) *Error {
	return &Error{Kind: KindUnsupported, Presigned: presigned, query: msgSigV2,
		s3: s3Err(http.StatusBadRequest, "InvalidRequest", msgS3SigV2)}
}

func parseHeader(r *http.Request, authz string, q queryPairs) (*Auth, error) {
	alg, rest, _ := strings.Cut(authz, " ")
	switch {
	case alg == "AWS":
		return nil, sigV2(false)
	case alg == algorithmV4a:
		return nil, unsupported(authz, msgSigV4a, false)
	case alg != Algorithm && strings.HasPrefix(alg, "AWS4-"):
		e := unsupported(authz, "Unsupported AWS 'algorithm': '"+alg+"' (only AWS4-HMAC-SHA256 for now). ", false)
		e.s3.Message = "Unsupported Authorization Type"
		return nil, e
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	if alg == Algorithm {
		for part := range strings.SplitSeq(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "Credential":
				cred, haveCred = v, true
			case "SignedHeaders":
				signed, haveSigned = v, true
			case "Signature":
				sig, haveSig = v, true
			}
		}
	}
	dateName := "X-Amz-Date"
	date := r.Header.Get(dateName)
	if date == "" {
		dateName = "Date"
		date = r.Header.Get(dateName)
	}
	if !haveCred || !haveSigned || !haveSig || date == "" {
		var msgs []string
		if !haveCred {
			msgs = append(msgs, "Authorization header requires 'Credential' parameter.")
		}
		if !haveSig {
			msgs = append(msgs, "Authorization header requires 'Signature' parameter.")
		}
		if !haveSigned {
			msgs = append(msgs, "Authorization header requires 'SignedHeaders' parameter.")
		}
		if date == "" {
			msgs = append(msgs, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
		}
		e := &Error{Kind: KindIncomplete, query: strings.Join(msgs, " ") + " Authorization=" + authz}
		switch {
		case alg != Algorithm:
			e.s3 = s3Err(http.StatusBadRequest, "InvalidArgument", "Unsupported Authorization Type", argFields(authz)...)
		case date == "":
			e.s3 = s3Err(http.StatusForbidden, "AccessDenied", msgS3NoDate)
		default:
			e.s3 = s3Err(http.StatusBadRequest, "AuthorizationHeaderMalformed",
				msgS3Malformed+"the authorization header requires three components: Credential, SignedHeaders, and Signature.")
		}
		return nil, e
	}
	a := &Auth{Algorithm: alg, Signature: sig, signedHeaders: signed, query: q, DecodedContentLength: -1}
	if err := a.setTime(date, dateName == "Date"); err != nil {
		return nil, err
	}
	if err := a.setCredential(cred); err != nil {
		return nil, err
	}
	a.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	return a.finish(r)
}

func parsePresigned(r *http.Request, q queryPairs) (*Auth, error) {
	alg, _ := q.get("X-Amz-Algorithm")
	switch alg {
	case Algorithm:
	case algorithmV4a:
		return nil, unsupported("", msgSigV4a, true)
	default:
		e := unsupported("", "Unsupported AWS 'algorithm': '"+alg+"' (only AWS4-HMAC-SHA256 for now). ", true)
		e.s3 = s3Err(http.StatusBadRequest, "AuthorizationQueryParametersError",
			`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"`)
		return nil, e
	}
	cred, _ := q.get("X-Amz-Credential")
	service := ""
	if parts := strings.Split(cred, "/"); len(parts) == 5 {
		service = parts[3]
	}
	// Only S3 requires X-Amz-Expires; STS and the rest ignore it.
	required := []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"}
	if isS3(service) {
		required = append(required, "X-Amz-Expires")
	}
	var msgs []string
	for _, name := range required {
		if _, ok := q.get(name); !ok {
			msgs = append(msgs, "AWS query-string parameters must include '"+name+"'.")
		}
	}
	if msgs != nil {
		return nil, &Error{Kind: KindIncomplete, Service: service, Presigned: true,
			query: strings.Join(msgs, " ") + " Re-examine the query-string parameters.",
			s3:    s3Err(http.StatusBadRequest, "AuthorizationQueryParametersError", msgS3QueryParts)}
	}
	sig, _ := q.get("X-Amz-Signature")
	signed, _ := q.get("X-Amz-SignedHeaders")
	date, _ := q.get("X-Amz-Date")
	a := &Auth{Algorithm: alg, Signature: sig, signedHeaders: signed, Presigned: true, query: q,
		DecodedContentLength: -1}
	a.Scope.Service = service
	if err := a.setTime(date, false); err != nil {
		return nil, err
	}
	if exp, ok := q.get("X-Amz-Expires"); ok {
		if err := a.setExpires(exp); err != nil {
			return nil, err
		}
	}
	if err := a.setCredential(cred); err != nil {
		return nil, err
	}
	a.SecurityToken, _ = q.get("X-Amz-Security-Token")
	if a.PayloadHash, _ = q.get("X-Amz-Content-Sha256"); a.PayloadHash == "" {
		a.PayloadHash = r.Header.Get("X-Amz-Content-Sha256")
	}
	return a.finish(r)
}

// setTime reads the request time. X-Amz-Date must be ISO 8601 basic; a Date header
// may be any HTTP date, and is signed as its ISO 8601 basic equivalent.
func (a *Auth) setTime(v string, httpDate bool) error {
	var t time.Time
	var err error
	if httpDate {
		t, err = parseHTTPDate(v)
	} else {
		t, err = time.Parse(amzDateLayout, v)
	}
	if err != nil || (!httpDate && len(v) != len(amzDateLayout)) {
		e := &Error{Kind: KindBadDate, Service: a.Scope.Service, Presigned: a.Presigned,
			query: "Date must be in ISO-8601 'basic format'. Got '" + v + "'. See http://en.wikipedia.org/wiki/ISO_8601",
			s3:    s3Err(http.StatusForbidden, "AccessDenied", msgS3NoDate)}
		if a.Presigned {
			e.s3 = s3Err(http.StatusBadRequest, "AuthorizationQueryParametersError",
				`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
		}
		return e
	}
	a.Time = t.UTC()
	a.rawDate = v
	a.amzDate = a.Time.Format(amzDateLayout)
	return nil
}

// httpDateLayouts are the Date header forms clients send: net/http's three, plus
// RFC 1123 with a numeric zone, which botocore writes ("... 12:34:56 -0000"), and
// ISO 8601 basic.
var httpDateLayouts = []string{http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC, amzDateLayout}

func parseHTTPDate(v string) (time.Time, error) {
	var err error
	for _, layout := range httpDateLayouts {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// setExpires validates X-Amz-Expires. Only S3 refuses a bad one; other services
// ignore it (STS holds presigned requests to the 15-minute window whatever it says).
func (a *Auth) setExpires(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	msg := ""
	switch {
	case err != nil && !isS3(a.Scope.Service):
		return nil
	case err != nil:
		msg = "X-Amz-Expires should be a number"
	case n < 0:
		msg = "X-Amz-Expires must be non-negative"
	case n > int64(MaxExpires/time.Second):
		msg = "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
	}
	if msg != "" && isS3(a.Scope.Service) {
		return &Error{Kind: KindBadExpires, Service: a.Scope.Service, Presigned: true, query: msg,
			s3: s3Err(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)}
	}
	if msg == "" {
		a.Expires = time.Duration(n) * time.Second
	}
	return nil
}

func (a *Auth) setCredential(cred string) error {
	parts := strings.Split(cred, "/")
	fail := func(kind Kind, query, s3 string) error {
		return &Error{Kind: kind, Service: a.Scope.Service, Presigned: a.Presigned, query: query,
			s3: a.s3Malformed(s3)}
	}
	if len(parts) != 5 {
		return fail(KindBadCredential,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+cred+"'",
			msgS3CredShape)
	}
	a.AccessKeyID = parts[0]
	a.Scope = Scope{Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}
	switch {
	case a.AccessKeyID == "":
		return fail(KindBadCredential, "Credential must have a non-empty access key ID, got '"+cred+"'",
			"a non-empty Access Key (AKID) must be provided in the credential.")
	case a.Scope.Region == "":
		return fail(KindBadCredential, "Credential should be scoped to a valid region, not ''.",
			"a non-empty region must be provided in the credential.")
	}
	var msgs []string
	if a.Scope.Terminator != "aws4_request" {
		msgs = append(msgs, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+a.Scope.Terminator+"'.")
	}
	if day := a.amzDate[:8]; a.Scope.Date != day {
		msgs = append(msgs, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			a.Scope.Date+"' != '"+day+"', from '"+a.amzDate+"'.")
	}
	if msgs == nil {
		return nil
	}
	e := &Error{Kind: KindScopeMismatch, Service: a.Scope.Service, Presigned: a.Presigned, query: strings.Join(msgs, " ")}
	switch {
	case a.Scope.Terminator != "aws4_request":
		e.s3 = a.s3Malformed(`incorrect terminal "` + a.Scope.Terminator + `". This endpoint uses "aws4_request".`)
	case a.Presigned:
		e.s3 = s3Err(http.StatusBadRequest, "AuthorizationQueryParametersError", `Invalid credential date "`+
			a.Scope.Date+`". This date is not the same as X-Amz-Date: "`+a.amzDate[:8]+`".`)
	default:
		e.s3 = a.s3Malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	return e
}

// finish reads what both forms share: signed headers, the payload claim and the
// decoded length.
func (a *Auth) finish(r *http.Request) (*Auth, error) {
	a.SignedHeaders = strings.Split(a.signedHeaders, ";")
	host := false
	for _, h := range a.SignedHeaders {
		host = host || strings.EqualFold(h, "host")
	}
	if !host {
		return nil, &Error{Kind: KindHostNotSigned, Service: a.Scope.Service, Presigned: a.Presigned,
			query: msgHostNotSigned,
			s3: s3Err(http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed",
				Field{"HeadersNotSigned", "host"})}
	}
	if !a.Presigned {
		a.PayloadHash = r.Header.Get("X-Amz-Content-Sha256")
	}
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			a.DecodedContentLength = n
		}
	}
	if !a.IsS3() {
		return a, nil
	}
	switch a.PayloadHash {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer:
		return a, nil
	case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
		return nil, unsupported("", msgSigV4a, a.Presigned)
	case "":
		if a.Presigned {
			return a, nil
		}
		return nil, &Error{Kind: KindBadContentSHA256, Service: a.Scope.Service,
			query: "Missing required header for this request: x-amz-content-sha256",
			s3: s3Err(http.StatusBadRequest, "InvalidRequest",
				"Missing required header for this request: x-amz-content-sha256")}
	}
	if !isHexSHA256(a.PayloadHash) {
		return nil, &Error{Kind: KindBadContentSHA256, Service: a.Scope.Service, Presigned: a.Presigned,
			query: msgContentSHA,
			s3: s3Err(http.StatusBadRequest, "InvalidArgument", msgContentSHA,
				Field{"ArgumentName", "x-amz-content-sha256"}, Field{"ArgumentValue", a.PayloadHash})}
	}
	return a, nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
