package iam

import (
	"errors"
	"net/url"
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/policy"
)

// checkDocument validates a policy document as IAM does before storing one of kind
// (syntax, grammar, elements the kind requires or forbids, and — when quota is set —
// the kind's size quota), with IAM's error codes and messages, all from the policy
// engine. It returns the text to store: the document as sent, or URL-decoded when it
// was sent URL-encoded, which IAM accepts too.
func checkDocument(kind policy.Kind, doc string, quota bool) (string, error) {
	doc, _, err := parseDocument(kind, doc, quota)
	return doc, err
}

// parseDocument is checkDocument returning the parsed policy too.
func parseDocument(kind policy.Kind, doc string, quota bool) (string, *policy.Policy, error) {
	doc = decodeDocument(doc)
	parse := policy.Parse
	if !quota {
		parse = policy.ParseWithoutQuota
	}
	p, err := parse(kind, "", []byte(doc))
	if err != nil {
		return "", nil, policyError(err)
	}
	return doc, p, nil
}

// policyError turns the engine's rejection into IAM's API error.
func policyError(err error) error {
	var pe *policy.Error
	if !errors.As(err, &pe) {
		return err
	}
	if pe.Code == "LimitExceeded" {
		return api.NewLimitExceededException(pe.Message)
	}
	return api.NewMalformedPolicyDocumentException(pe.Message)
}

// decodeDocument undoes URL encoding when a client sent the document that way (as IAM
// itself returns documents); a document that already looks like JSON is left alone.
func decodeDocument(doc string) string {
	t := strings.TrimSpace(doc)
	if strings.HasPrefix(t, "{") || !strings.Contains(t, "%") {
		return doc
	}
	d, err := url.PathUnescape(t)
	if err != nil || !strings.HasPrefix(strings.TrimSpace(d), "{") {
		return doc
	}
	return d
}

// encodeDocument is how IAM returns policy documents (GetPolicyVersion, Get*Policy,
// AssumeRolePolicyDocument, GetAccountAuthorizationDetails): URL-encoded per RFC 3986,
// every byte but the unreserved characters percent-encoded. The CLI and boto3 decode
// them; the SDKs hand them over as they are.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
