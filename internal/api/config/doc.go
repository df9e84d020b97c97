// Package config is the generated config API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/config.
package config

//go:generate go run ../../model/gen -service config
