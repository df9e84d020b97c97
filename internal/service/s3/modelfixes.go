package s3

import (
	"slices"

	api "github.com/palisade/palisade/internal/api/s3"
)

// PutBucketPolicy's Policy (the body) is required in the model; S3 answers an empty
// body with its own MalformedPolicy ("Policies must be valid JSON and the first byte
// must be '{'"), which validatePolicy gives, not the generic validation's answer.
func init() {
	in := api.Service.Operations["PutBucketPolicy"].Input
	in.Required = slices.DeleteFunc(slices.Clone(in.Required), func(n string) bool { return n == "Policy" })
	in.ByName["Policy"].Required = false
}
