// Package support is the generated support API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/support.
package support

//go:generate go run ../../model/gen -service support
