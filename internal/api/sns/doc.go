// Package sns is the generated sns API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/sns.
package sns

//go:generate go run ../../model/gen -service sns
