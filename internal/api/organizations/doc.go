// Package organizations is the generated organizations API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/organizations.
package organizations

//go:generate go run ../../model/gen -service organizations
