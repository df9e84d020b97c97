// Package sts is the generated sts API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/sts.
package sts

//go:generate go run ../../model/gen -service sts
