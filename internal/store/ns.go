package store

import "strings"

// NS builds a namespace from its parts, joined by "/": by convention service, account,
// region ("" for global services such as IAM) and the kind of record, e.g.
// NS("iam", "000000000000", "", "users").
func NS(parts ...string) string { return strings.Join(parts, "/") }
