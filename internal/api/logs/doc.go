// Package logs is the generated logs API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/logs.
package logs

//go:generate go run ../../model/gen -service logs
