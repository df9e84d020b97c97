// Package inspector2 is the generated inspector2 API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/inspector2.
package inspector2

//go:generate go run ../../model/gen -service inspector2
