// Package guardduty is the generated guardduty API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/guardduty.
package guardduty

//go:generate go run ../../model/gen -service guardduty
