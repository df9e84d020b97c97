// Package athena is the generated athena API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/athena.
package athena

//go:generate go run ../../model/gen -service athena
