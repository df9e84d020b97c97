package authz

//go:generate go run ./gen -out catalog_gen.go
