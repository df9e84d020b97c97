// Package s3 is the generated s3 API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/s3.
package s3

//go:generate go run ../../model/gen -service s3
