package s3

import (
	"slices"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
)

// PutBucketPolicy's Policy (the body) is required in the model; S3 answers an empty
// body with its own MalformedPolicy ("Policies must be valid JSON and the first byte
// must be '{'"), which validatePolicy gives, not the generic validation's answer.
func init() {
	in := api.Service.Operations["PutBucketPolicy"].Input
	in.Required = slices.DeleteFunc(slices.Clone(in.Required), func(n string) bool { return n == "Policy" })
	in.ByName["Policy"].Required = false
}

// An AccessControlPolicy body S3's schema refuses (an unknown permission or grantee
// type, a grantee without a type) is MalformedACLError, not the generic validation's
// MalformedXML: the enumerations and the required type go, and policyACL answers
// them. Grantee is shared with PutBucketLogging's TargetGrant, whose handler checks
// the type itself (validTargetGrants).
func init() {
	acp := api.Service.Operations["PutBucketAcl"].Input.ByName["AccessControlPolicy"].Shape
	g := acp.ByName["Grants"].Shape.Member.Shape
	g.ByName["Permission"].Shape.Enum = nil
	ge := g.ByName["Grantee"].Shape
	ge.Required = slices.DeleteFunc(slices.Clone(ge.Required), func(n string) bool { return n == "Type" })
	ge.ByName["Type"].Required = false
	ge.ByName["Type"].Shape.Enum = nil
}

// An encoding-type other than url is S3's InvalidArgument "Invalid Encoding Method
// specified in Request" naming the argument (test_s3_list_operations.py,
// test_list_ops_encoding_type_validation), which newEncoder gives, not the generic
// validation's enumeration message.
func init() {
	for _, op := range []string{"ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads"} {
		api.Service.Operations[op].Input.ByName["EncodingType"].Shape.Enum = nil
	}
}

// PutBucketAcl's canned ACL is read by the handler, not the generic validation: with
// ACLs disabled S3 answers AccessControlListNotSupported even for a canned ACL only
// objects take (recorded, 2026: ownership_replay.json,
// BucketOwnerEnforced-put-bucket-acl-bucket-owner-read), and checks the name only
// when ACLs are in force (validBucketCannedACL). The shape is copied: CreateBucket
// shares it.
func init() {
	m := api.Service.Operations["PutBucketAcl"].Input.ByName["ACL"]
	bucketCannedACLs = m.Shape.Enum
	m.Shape = &model.Shape{Name: m.Shape.Name, Type: m.Shape.Type}
}
