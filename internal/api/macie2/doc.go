// Package macie2 is the generated macie2 API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/macie2.
package macie2

//go:generate go run ../../model/gen -service macie2
