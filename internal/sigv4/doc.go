// Package sigv4 verifies AWS Signature Version 4 the way AWS does, so that the AWS
// CLI, boto3, the SDKs and Terraform accept Palisade as an endpoint and get AWS's own
// errors when they sign wrong. It depends on the standard library only.
//
// The request pipeline calls it in four steps:
//
//	a, err := sigv4.Parse(r)                 // no secret, no clock, no body
//	if err != nil {                           // *sigv4.Error; KindMissing = anonymous
//		return writeAuthError(err)            // err.(*sigv4.Error).Response(proto)
//	}
//	svc := route(a.Scope.Service)             // the scope names the service
//	if err := a.CheckScope(region, svc.Name); err != nil { ... }
//	secret, ok := keys.Lookup(a.AccessKeyID)
//	if !ok {
//		return writeAuthError(sigv4.UnknownAccessKey(a))
//	}
//	hash := ""
//	if a.NeedsBodyHash() {                    // non-S3 bodies: read once, bounded
//		if hash, err = sigv4.BufferBody(r, maxBody); err != nil { ... }
//	}
//	v, err := verifier.Verify(r, a, secret, time.Now(), hash)
//	if err != nil { ... }
//	r.Body = v.Body(r.Body)                   // always: decodes aws-chunked, checks claimed hashes
//
// A *Body's Read fails with an *Error when the payload is not what was signed, so S3
// handlers must not commit an object before reading io.EOF.
//
// Service-specific rules hang off the credential scope's service: "s3" (and
// "s3-object-lambda") signs the URI path as sent, requires x-amz-content-sha256 and
// honours X-Amz-Expires on presigned URLs; every other service normalizes and
// double-encodes the path and holds presigned URLs to the 15-minute window.
//
// Every refusal is an *Error whose Response method gives the HTTP status, code and
// exact message for the protocol family (Query, JSON, S3); docs/SIGV4.md tabulates
// them. No error or String method ever contains a secret or a signing key.
package sigv4
