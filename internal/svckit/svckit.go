// Package svckit holds the small helpers the monitoring services (CloudWatch Logs,
// CloudWatch, SNS, SQS) share: prefix scans over the store, opaque page tokens,
// pointers and ARN parts. It knows no service.
package svckit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/store"
)

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// NilIfEmpty returns a pointer to s, or nil for "" (a member AWS leaves out when unset).
func NilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Str dereferences a string pointer, "" for nil.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ScanPrefix visits, in key order, the keys of ns that start with prefix and sort
// after `after` ("" for all), until fn returns false or an error.
func ScanPrefix(tx *store.Tx, ns, prefix, after string, fn func(key string, val []byte) (bool, error)) error {
	// Scan starts after its bound, and a key may equal the prefix itself: start
	// just below the prefix.
	start := below(prefix)
	if after > start {
		start = after
	}
	var ferr error
	err := tx.Scan(ns, start, 0, func(k string, v []byte) bool {
		if k < prefix {
			return true
		}
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		var more bool
		more, ferr = fn(k, v)
		return ferr == nil && more
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// below returns a string that sorts before s; a scan from it skips the few keys that
// still sort before s.
func below(s string) string {
	if s == "" {
		return ""
	}
	last := s[len(s)-1]
	if last == 0 {
		return s[:len(s)-1]
	}
	return s[:len(s)-1] + string([]byte{last - 1})
}

// DeletePrefix deletes every key of ns that starts with prefix and returns how many
// it deleted.
func DeletePrefix(tx *store.Tx, ns, prefix string) (int, error) {
	var keys []string
	err := ScanPrefix(tx, ns, prefix, "", func(k string, _ []byte) (bool, error) {
		keys = append(keys, k)
		return true, nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, err := tx.Delete(ns, k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// Token encodes a position (usually the last key returned) as an opaque page token:
// the position and a MAC under the store's token key (store.DB.SetTokenKey), so that a
// token Palisade did not hand out — made up, altered, or another Palisade's — is
// refused as AWS refuses one, rather than read as a position. The MAC covers the
// transaction's scope (store.Tx.SetScope: the call's operation) too, so a token is
// refused by any other operation than the one that handed it out.
func Token(tx *store.Tx, pos string) string {
	b := append([]byte(pos), tokenMAC(tx, pos)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseToken decodes a page token; ok is false for one this server did not hand out.
func ParseToken(tx *store.Tx, tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) <= tokenMACLen {
		return "", false
	}
	pos := string(b[:len(b)-tokenMACLen])
	if !hmac.Equal(b[len(b)-tokenMACLen:], tokenMAC(tx, pos)) {
		return "", false
	}
	return pos, true
}

// tokenMACLen is how much of the HMAC-SHA256 a token carries.
const tokenMACLen = 12

func tokenMAC(tx *store.Tx, pos string) []byte {
	var key []byte
	if tx != nil && tx.DB() != nil {
		key = tx.DB().TokenKey()
	}
	m := hmac.New(sha256.New, key)
	if tx != nil {
		// The scope (the call's operation) is authenticated with the position, so a
		// token is good only for the listing that handed it out.
		m.Write([]byte(tx.Scope()))
		m.Write([]byte{0})
	}
	m.Write([]byte(pos))
	return m.Sum(nil)[:tokenMACLen]
}

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits an ARN into its parts; ok is false when s is not one.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// String formats the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// MustJSON encodes a stored record; the records are plain structs that always encode.
func MustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Decode decodes a stored record, naming the service in the error.
func Decode(service string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: stored record: %w", service, err)
	}
	return nil
}

// Page lists a page of a namespace: it scans the keys of ns under prefix after the
// position a page token names (token nil: from the start) and calls add for each.
// add reports whether the item belongs in the listing (a filter may pass it over) and,
// when take is set, adds it; once limit items are in, add is called with take unset
// only to learn whether another item follows, so a page's token is returned only when
// the next page holds something. badToken is the service's answer to a token this
// server did not hand out.
func Page(tx *store.Tx, ns, prefix string, token *string, limit int, badToken error, add func(key string, val []byte, take bool) (bool, error)) (*string, error) {
	after := ""
	if token != nil {
		p, ok := ParseToken(tx, *token)
		if !ok {
			return nil, badToken
		}
		after = p
	}
	var next *string
	n, last := 0, ""
	err := ScanPrefix(tx, ns, prefix, after, func(k string, v []byte) (bool, error) {
		full := n == limit
		took, err := add(k, v, !full)
		switch {
		case err != nil:
			return false, err
		case !took:
			return true, nil
		case full:
			next = Ptr(Token(tx, last))
			return false, nil
		}
		n++
		last = k
		return true, nil
	})
	return next, err
}

// Name is a naming rule: 1 to Max characters, each an ASCII letter, an ASCII digit or
// one of Punct. It stands in for regular expressions such as `^[A-Za-z0-9_-]{1,256}$`,
// which Go compiles into Max copies of the class: a few of them cost milliseconds of
// start-up.
type Name struct {
	Max   int
	Punct string
}

// MatchString reports whether s follows the rule.
func (n Name) MatchString(s string) bool {
	if len(s) == 0 || len(s) > n.Max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(n.Punct, c) >= 0) {
			return false
		}
	}
	return true
}

// DecimalNumber reports whether s is a number as SNS and SQS message attributes of
// type Number take it: decimal digits with an optional sign, point and exponent (the
// syntax of Java's BigDecimal, which those services parse with). strconv.ParseFloat
// also takes "NaN", "Infinity" and hexadecimal forms, which they refuse.
func DecimalNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// MetricValueOK reports whether CloudWatch takes v as a datapoint value: -2^360 to
// 2^360 (MetricDatum's API reference) and no NaN or Infinity. Values nearer zero are
// taken, down to the smallest double: AWS stored 5e-324 and 1e-300 in 2026
// (radkawar/stackd testdata/aws/cloudwatch/extreme_bin_boundaries.json), whatever
// older answers refusing 2^-361 showed. Shared by CloudWatch's PutMetricData and
// Logs' metric filters, which publish into it.
func MetricValueOK(v float64) bool {
	return math.Abs(v) <= maxMetricValue
}

var maxMetricValue = math.Ldexp(1, 360)

// ResourceTags adds a resource's tags to a check's context as aws:ResourceTag/KEY (the
// engine compares keys without case) and returns it, allocating it when nil: the
// attribute-based access control of SQS queues, SNS topics and log groups.
func ResourceTags(ctx map[string][]string, tags map[string]string) map[string][]string {
	if len(tags) == 0 {
		return ctx
	}
	if ctx == nil {
		ctx = make(map[string][]string, len(tags))
	}
	for k, v := range tags {
		ctx["aws:resourcetag/"+strings.ToLower(k)] = []string{v}
	}
	return ctx
}

// Permission is the statement SNS's and SQS's AddPermission write: members in the
// order both services answer them, the principal accounts and actions each a string
// when there is one and a list otherwise (OneOrList).
type Permission struct {
	Sid       string `json:"Sid"`
	Effect    string `json:"Effect"`
	Principal struct {
		AWS any `json:"AWS"`
	} `json:"Principal"`
	Action   any    `json:"Action"`
	Resource string `json:"Resource"`
}

// NewPermission is an Allow statement of accounts' principals for actions on resource.
func NewPermission(sid string, principals, actions []string, resource string) Permission {
	p := Permission{Sid: sid, Effect: "Allow", Action: OneOrList(actions), Resource: resource}
	p.Principal.AWS = OneOrList(principals)
	return p
}

// OneOrList is a policy value as SNS and SQS write it: a string alone, or a list.
func OneOrList(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

// DecimalParts splits a decimal number (DecimalNumber) as SNS and SQS judge a Number
// attribute's precision and scale: its significant digits (leading zeros dropped,
// trailing ones kept; "" for zero) and the power of ten the first of them stands for
// (for zero, the power its written form gives: "0e126" is 10^126). ok is false, with
// the digits still given, when the exponent is beyond an int32, which neither service
// can read.
func DecimalParts(s string) (digits string, power int64, ok bool) {
	mant, exp, _ := strings.Cut(strings.ToLower(strings.TrimLeft(s, "+-")), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits = strings.TrimLeft(intPart+frac, "0")
	var e int64
	if exp != "" {
		n, err := strconv.ParseInt(exp, 10, 32)
		if err != nil {
			return digits, 0, false
		}
		e = n
	}
	return digits, int64(max(len(digits), 1)) - 1 - int64(len(frac)) + e, true
}
