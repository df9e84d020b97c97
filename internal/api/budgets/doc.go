// Package budgets is the generated budgets API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/budgets.
package budgets

//go:generate go run ../../model/gen -service budgets
