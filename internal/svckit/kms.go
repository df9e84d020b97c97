package svckit

import (
	"regexp"
	"strings"
)

var (
	keyUUID  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	keyMRK   = regexp.MustCompile(`^mrk-[0-9a-f]{32}$`)
	aliasRE  = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	acctRE   = regexp.MustCompile(`^[0-9]{12}$`)
)

// IsAccountID reports whether s is an AWS account ID: twelve digits.
func IsAccountID(s string) bool { return acctRE.MatchString(s) }

// IsKMSKeyARN reports whether s is the ARN of a KMS key:
// arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID, the key ID a UUID or a multi-Region
// key's mrk- ID.
func IsKMSKeyARN(s string) bool {
	a, ok := ParseARN(s)
	if !ok || a.Service != "kms" || !regionRE.MatchString(a.Region) || !acctRE.MatchString(a.Account) {
		return false
	}
	id, ok := strings.CutPrefix(a.Resource, "key/")
	return ok && (keyUUID.MatchString(id) || keyMRK.MatchString(id))
}

// IsKMSKeyRef reports whether s is any way AWS lets a caller name a KMS key: a key
// ID, a key ARN, an alias name (alias/...) or an alias ARN.
func IsKMSKeyRef(s string) bool {
	if keyUUID.MatchString(s) || keyMRK.MatchString(s) || aliasRE.MatchString(s) || IsKMSKeyARN(s) {
		return true
	}
	a, ok := ParseARN(s)
	return ok && a.Service == "kms" && regionRE.MatchString(a.Region) && acctRE.MatchString(a.Account) && aliasRE.MatchString(a.Resource)
}
