// Package kms is the generated kms API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/kms.
package kms

//go:generate go run ../../model/gen -service kms
