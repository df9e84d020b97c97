// Package route53 is the generated route53 API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/route53.
package route53

//go:generate go run ../../model/gen -service route53
