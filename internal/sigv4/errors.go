package sigv4

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind classifies an authentication failure. The server never builds its own message
// for a Kind: it calls Error.Response with the protocol family of the service, which
// holds the code, status and exact text AWS sends. Kind exists so that the server can
// still branch on the class of failure (log, count, treat KindMissing as anonymous).
type Kind int

// The kinds, in roughly the order the pipeline can produce them.
const (
	// KindMissing: the request carries no SigV4 authentication at all. S3 treats such
	// a request as anonymous; every other service refuses it.
	KindMissing Kind = iota + 1
	// KindConflicting: an Authorization header and query-string auth in one request.
	KindConflicting
	// KindUnsupported: an algorithm other than AWS4-HMAC-SHA256, including SigV4a
	// (AWS4-ECDSA-P256-SHA256) and Signature Version 2, which this server does not verify.
	KindUnsupported
	// KindIncomplete: the Authorization header or the presign query parameters are
	// missing a component or cannot be read.
	KindIncomplete
	// KindBadDate: X-Amz-Date / Date is missing or not a date.
	KindBadDate
	// KindBadCredential: the Credential is not AKID/date/region/service/aws4_request.
	KindBadCredential
	// KindScopeMismatch: the credential scope's terminator, date, region or service is
	// not the one the request or the endpoint requires.
	KindScopeMismatch
	// KindHostNotSigned: "host" is absent from SignedHeaders.
	KindHostNotSigned
	// KindBadExpires: X-Amz-Expires is not a number, negative, or more than a week.
	KindBadExpires
	// KindBadContentSHA256: S3's x-amz-content-sha256 is missing or not a valid value.
	KindBadContentSHA256
	// KindExpired: header auth dated more than 15 minutes before now.
	KindExpired
	// KindNotYetCurrent: header auth dated more than 15 minutes after now.
	KindNotYetCurrent
	// KindPresignExpired: an S3 presigned URL used after X-Amz-Date + X-Amz-Expires.
	KindPresignExpired
	// KindPresignNotYetValid: an S3 presigned URL dated more than 15 minutes ahead.
	KindPresignNotYetValid
	// KindUnknownAccessKey: the access key ID is not known to the server. This package
	// never looks keys up; the server builds it with UnknownAccessKey.
	KindUnknownAccessKey
	// KindSignatureMismatch: the signature is not the one the secret produces.
	KindSignatureMismatch
	// KindContentSHA256Mismatch: the body's SHA-256 is not the claimed one.
	KindContentSHA256Mismatch
	// KindChunkMalformed: an aws-chunked body is truncated or not well formed.
	KindChunkMalformed
	// KindChunkSignatureMismatch: a chunk's or the trailer's signature is wrong.
	KindChunkSignatureMismatch
	// KindInvalidToken: the session token (X-Amz-Security-Token) is not one the server
	// issued, does not belong to the access key, or comes with a long-term key. The
	// server builds it with InvalidToken.
	KindInvalidToken
	// KindExpiredToken: the session token is genuine but past its expiry. The server
	// builds it with ExpiredToken.
	KindExpiredToken
)

var kindNames = [...]string{
	KindMissing: "Missing", KindConflicting: "Conflicting", KindUnsupported: "Unsupported",
	KindIncomplete: "Incomplete", KindBadDate: "BadDate", KindBadCredential: "BadCredential",
	KindScopeMismatch: "ScopeMismatch", KindHostNotSigned: "HostNotSigned",
	KindBadExpires: "BadExpires", KindBadContentSHA256: "BadContentSHA256",
	KindExpired: "Expired", KindNotYetCurrent: "NotYetCurrent",
	KindPresignExpired: "PresignExpired", KindPresignNotYetValid: "PresignNotYetValid",
	KindUnknownAccessKey: "UnknownAccessKey", KindSignatureMismatch: "SignatureMismatch",
	KindContentSHA256Mismatch: "ContentSHA256Mismatch", KindChunkMalformed: "ChunkMalformed",
	KindChunkSignatureMismatch: "ChunkSignatureMismatch",
	KindInvalidToken:           "InvalidToken", KindExpiredToken: "ExpiredToken",
}

// String is the kind's name without the "Kind" prefix, for logs and metrics.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Protocol is the family of wire protocols a service speaks; AWS words the same
// authentication failure differently in each, so Error.Response needs it.
type Protocol int

const (
	// Query is the awsQuery/ec2Query family (STS, IAM, SQS query, CloudWatch query):
	// an XML <ErrorResponse> with codes like SignatureDoesNotMatch.
	Query Protocol = iota
	// JSON is the awsJson/restJson family (KMS, GuardDuty, Secrets Manager): a JSON
	// body whose __type carries codes like InvalidSignatureException.
	JSON
	// S3 is Amazon S3's REST-XML protocol, with its own codes and extra XML elements.
	S3
)

// Field is one extra element S3 puts in its <Error> document after Code and Message,
// e.g. StringToSign or ServerTime. Order matters: it is the order AWS writes them.
type Field struct{ Name, Value string }

// Response is what the server writes for an Error: HTTP status, error code, message
// and (for S3) extra elements.
type Response struct {
	Status  int     // HTTP status code
	Code    string  // the error code (S3 <Code>, query <Code>, JSON __type)
	Message string  // AWS's message, verbatim
	Fields  []Field // S3 only: elements after <Message>; nil for Query and JSON
}

// Error is the only error type the package returns for a request that fails
// authentication. Any other error (e.g. from a body reader's transport) is passed
// through unchanged and is not the client's fault.
//
// Error never holds a secret or a signing key, so it is safe to log in full.
type Error struct {
	Kind Kind
	// Service is the credential scope's service when it could be read, else "": a
	// server that routes by it can still choose the protocol of a failed Parse.
	Service string
	// Presigned reports query-string auth; S3 words several errors differently for it.
	Presigned bool

	query string // the message query/JSON services send
	json  string // the JSON services' message where it differs from query's
	s3    Response

	// Set for KindSignatureMismatch and KindChunkSignatureMismatch, because S3's
	// SignatureDoesNotMatch document shows them to help the client debug its signer.
	AccessKeyID       string
	StringToSign      string
	CanonicalRequest  string // empty for chunk signatures
	SignatureProvided string
}

// Error reports the kind and the message a query/JSON service would send.
func (e *Error) Error() string {
	msg := e.query
	if msg == "" {
		msg = e.s3.Message
	}
	return "sigv4: " + e.Kind.String() + ": " + msg
}

// Response gives the status, code, message and extra fields AWS sends for this error
// in protocol p.
func (e *Error) Response(p Protocol) Response {
	if p == S3 {
		r := e.s3
		if r.Code == "" {
			r = Response{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
		}
		if e.Kind == KindSignatureMismatch || e.Kind == KindChunkSignatureMismatch {
			r.Fields = append(r.Fields,
				Field{"AWSAccessKeyId", e.AccessKeyID},
				Field{"StringToSign", e.StringToSign},
				Field{"SignatureProvided", e.SignatureProvided},
				Field{"StringToSignBytes", hexBytes(e.StringToSign)})
			if e.CanonicalRequest != "" {
				r.Fields = append(r.Fields,
					Field{"CanonicalRequest", e.CanonicalRequest},
					Field{"CanonicalRequestBytes", hexBytes(e.CanonicalRequest)})
			}
		}
		return r
	}
	c := codesFor(e.Kind)
	if p == JSON {
		msg := e.query
		if e.json != "" {
			msg = e.json
		}
		return Response{Status: c.jsonStatus, Code: c.json, Message: msg}
	}
	return Response{Status: c.queryStatus, Code: c.query, Message: e.query}
}

// codes is what a class of failure is called by query and by JSON services. Scope,
// host and freshness failures are signature mismatches there, not codes of their own.
// JSON (coral) services answer 400 where query services answer 403.
type codes struct {
	query, json             string
	queryStatus, jsonStatus int
}

var (
	codesMissing    = codes{"MissingAuthenticationToken", "MissingAuthenticationTokenException", http.StatusForbidden, http.StatusForbidden}
	codesUnknownKey = codes{"InvalidClientTokenId", "UnrecognizedClientException", http.StatusForbidden, http.StatusBadRequest}
	codesMismatch   = codes{"SignatureDoesNotMatch", "InvalidSignatureException", http.StatusForbidden, http.StatusBadRequest}
	codesIncomplete = codes{"IncompleteSignature", "IncompleteSignatureException", http.StatusBadRequest, http.StatusBadRequest}
	codesExpired    = codes{"ExpiredToken", "ExpiredTokenException", http.StatusForbidden, http.StatusBadRequest}
)

func codesFor(k Kind) codes {
	switch k {
	case KindMissing:
		return codesMissing
	case KindUnknownAccessKey, KindInvalidToken:
		return codesUnknownKey
	case KindExpiredToken:
		return codesExpired
	case KindSignatureMismatch, KindScopeMismatch, KindHostNotSigned, KindExpired,
		KindNotYetCurrent, KindPresignExpired, KindPresignNotYetValid,
		KindContentSHA256Mismatch, KindChunkSignatureMismatch:
		return codesMismatch
	}
	return codesIncomplete
}

// hexBytes renders s the way S3's StringToSignBytes does: two hex digits per byte,
// separated by single spaces.
func hexBytes(s string) string {
	if s == "" {
		return ""
	}
	b := make([]byte, 0, len(s)*3-1)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = hex.AppendEncode(b, []byte{s[i]})
	}
	return string(b)
}

// Messages AWS sends verbatim; kept here so that tests and docs quote one spelling.
const (
	msgMismatchQuery = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgMismatchS3   = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgMissingQuery = "Request is missing Authentication Token"
	msgMissingJSON  = "Missing Authentication Token"
	msgS3NoDate     = "AWS authentication requires a valid Date or x-amz-date header"
	msgS3Malformed  = "The authorization header is malformed; "
	msgS3QueryCred  = "Error parsing the X-Amz-Credential parameter; "
	msgS3CredShape  = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgS3QueryParts = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
		"X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgOneMechanism = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, " +
		"Signature query string parameter or the Authorization header should be specified"
	msgHostNotSigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgSigV4a        = "Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported by this endpoint; sign with AWS4-HMAC-SHA256."
	msgSigV2         = "Signature Version 2 is not supported by this endpoint; sign with AWS Signature Version 4."
	msgS3SigV2       = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgContentSHA    = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, " +
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, " +
		"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
	msgContentSHAMismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgIncompleteBody     = "The request body terminated unexpectedly"
	msgSkewed             = "The difference between the request time and the current time is too large."
	maxSkewMillis         = "900000"
)

// s3Time is the layout of S3's ServerTime and Expires elements.
const s3Time = "2006-01-02T15:04:05Z"

func s3Err(status int, code, msg string, fields ...Field) Response {
	return Response{Status: status, Code: code, Message: msg, Fields: fields}
}

func argFields(authz string) []Field {
	return []Field{{"ArgumentName", "Authorization"}, {"ArgumentValue", authz}}
}

// UnknownAccessKey is the error the server returns when no secret exists for
// a.AccessKeyID, so that its wording lives beside every other authentication message.
func UnknownAccessKey(a *Auth) *Error {
	return &Error{
		Kind: KindUnknownAccessKey, Service: a.Scope.Service, Presigned: a.Presigned,
		AccessKeyID: a.AccessKeyID,
		query:       "The security token included in the request is invalid.",
		s3: s3Err(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.",
			Field{"AWSAccessKeyId", a.AccessKeyID}),
	}
}

// InvalidToken is the error for a session token the server cannot accept: not one it
// issued, altered, issued for another access key, or sent with a long-term (AKIA) key.
// Query and JSON services word it as they word an unknown key; S3 has its own code
// and echoes the token.
func InvalidToken(a *Auth) *Error {
	return &Error{
		Kind: KindInvalidToken, Service: a.Scope.Service, Presigned: a.Presigned,
		AccessKeyID: a.AccessKeyID,
		query:       "The security token included in the request is invalid.",
		s3: s3Err(http.StatusBadRequest, "InvalidToken",
			"The provided token is malformed or otherwise invalid.", Field{"Token-0", a.SecurityToken}),
	}
}

// ExpiredToken is the error for a genuine session token used after its expiry.
func ExpiredToken(a *Auth) *Error {
	return &Error{
		Kind: KindExpiredToken, Service: a.Scope.Service, Presigned: a.Presigned,
		AccessKeyID: a.AccessKeyID,
		query:       "The security token included in the request is expired",
		s3: s3Err(http.StatusBadRequest, "ExpiredToken",
			"The provided token has expired.", Field{"Token-0", a.SecurityToken}),
	}
}

// CheckScope reports whether the credential scope names the region and service of
// the endpoint that received the request. The router knows those; this package does
// not, which is why Verify leaves the check to this call.
func (a *Auth) CheckScope(region, service string) error {
	var msgs []string
	var s3 Response
	if a.Scope.Region != region {
		msgs = append(msgs, "Credential should be scoped to a valid region, not '"+a.Scope.Region+"'.")
		s3 = a.s3Malformed("the region '"+a.Scope.Region+"' is wrong; expecting '"+region+"'",
			Field{"Region", region})
	}
	if a.Scope.Service != service {
		msgs = append(msgs, "Credential should be scoped to correct service: '"+service+"'.")
		if s3.Code == "" {
			s3 = a.s3Malformed(`incorrect service "` + a.Scope.Service + `". This endpoint belongs to "` + service + `".`)
		}
	}
	if msgs == nil {
		return nil
	}
	return &Error{Kind: KindScopeMismatch, Service: a.Scope.Service, Presigned: a.Presigned,
		query: strings.Join(msgs, " "), s3: s3}
}

// s3Malformed is S3's complaint about the credential, which it words differently for
// the header (AuthorizationHeaderMalformed) and the query (AuthorizationQueryParametersError).
func (a *Auth) s3Malformed(msg string, fields ...Field) Response {
	if a.Presigned {
		return s3Err(http.StatusBadRequest, "AuthorizationQueryParametersError", msgS3QueryCred+msg, fields...)
	}
	return s3Err(http.StatusBadRequest, "AuthorizationHeaderMalformed", msgS3Malformed+msg, fields...)
}

func skewError(kind Kind, a *Auth, now time.Time) *Error {
	t, n := a.Time.Format(amzDateLayout), now.Format(amzDateLayout)
	var msg string
	if kind == KindExpired {
		msg = "Signature expired: " + t + " is now earlier than " +
			now.Add(-MaxSkew).Format(amzDateLayout) + " (" + n + " - 15 min.)"
	} else {
		msg = "Signature not yet current: " + t + " is still later than " +
			now.Add(MaxSkew).Format(amzDateLayout) + " (" + n + " + 15 min.)"
	}
	return &Error{Kind: kind, Service: a.Scope.Service, Presigned: a.Presigned, query: msg,
		s3: s3Err(http.StatusForbidden, "RequestTimeTooSkewed", msgSkewed,
			Field{"RequestTime", a.rawDate},
			Field{"ServerTime", now.Format(s3Time)},
			Field{"MaxAllowedSkewMilliseconds", maxSkewMillis})}
}
