// Package iam is the generated iam API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/iam.
package iam

//go:generate go run ../../model/gen -service iam
