// Package ce is the generated ce API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/ce.
package ce

//go:generate go run ../../model/gen -service ce
