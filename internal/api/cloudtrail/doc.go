// Package cloudtrail is the generated cloudtrail API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/cloudtrail.
package cloudtrail

//go:generate go run ../../model/gen -service cloudtrail
