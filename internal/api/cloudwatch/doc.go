// Package cloudwatch is the generated cloudwatch API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/cloudwatch.
package cloudwatch

//go:generate go run ../../model/gen -service cloudwatch
