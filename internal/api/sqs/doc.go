// Package sqs is the generated sqs API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/sqs.
package sqs

//go:generate go run ../../model/gen -service sqs
