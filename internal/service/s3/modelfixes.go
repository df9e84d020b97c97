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
// when ACLs are in force (bucketCannedACLs, in PutBucketAcl). The shape is copied: CreateBucket
// shares it.
func init() {
	m := api.Service.Operations["PutBucketAcl"].Input.ByName["ACL"]
	bucketCannedACLs = m.Shape.Enum
	sh := cloneShape(m.Shape)
	sh.Enum = nil
	m.Shape = sh
}

// PutBucketVersioning's Status is read by the handler: an empty one is S3's
// IllegalVersioningConfigurationException, as no Status is, not the generic
// validation's MalformedXML (recorded, 2026: object_lock_controls_replay.json,
// empty-versioning-locked-bucket); other values stay MalformedXML there. The
// configuration's shape is copied with its Status: GetBucketVersioning shares them.
func init() {
	statusReadByHandler(api.Service.Operations["PutBucketVersioning"].Input.ByName["VersioningConfiguration"])
}

// statusReadByHandler gives the input member m a copy of its structure whose Status
// member has no enumeration, so that the handler, not the generic validation, judges
// the value; the output that shares the original shape keeps it.
func statusReadByHandler(m *model.Member) {
	c := cloneShape(m.Shape)
	c.Members = make([]*model.Member, len(m.Shape.Members))
	c.ByName = make(map[string]*model.Member, len(m.Shape.ByName))
	for i, mm := range m.Shape.Members {
		cp := *mm
		if cp.Name == "Status" {
			cp.Shape = cloneShape(mm.Shape)
			cp.Shape.Enum = nil
		}
		c.Members[i] = &cp
		c.ByName[cp.Name] = &cp
	}
	m.Shape = c
}

// cloneShape copies a shape's traits, not its compiled pattern, so one operation's
// copy may differ from the shape others share.
func cloneShape(s *model.Shape) *model.Shape {
	return &model.Shape{Name: s.Name, Type: s.Type, Members: s.Members, ByName: s.ByName, Member: s.Member, Key: s.Key, Value: s.Value,
		Required: s.Required, Enum: s.Enum, Min: s.Min, Max: s.Max, Pattern: s.Pattern, Flattened: s.Flattened, LocationName: s.LocationName,
		XMLNamespace: s.XMLNamespace, XMLPrefix: s.XMLPrefix, TimestampFormat: s.TimestampFormat, Sensitive: s.Sensitive, Streaming: s.Streaming,
		Union: s.Union, Payload: s.Payload, Document: s.Document, Exception: s.Exception, ErrorCode: s.ErrorCode, HTTPStatusCode: s.HTTPStatusCode,
		SenderFault: s.SenderFault, Fault: s.Fault, GoType: s.GoType}
}

// x-amz-request-payer is not checked against its enumeration: S3 ignores any value
// from the bucket owner's account and refuses any but "requester" from another
// account with AccessDenied (recorded, 2026: requester_data_replay.json, owner get
// payer invalid, foreign get payer invalid and Requester; checkRequestPayer). The
// shape is the requests' alone.
func init() {
	for _, op := range api.Service.Operations {
		if op.Input == nil {
			continue
		}
		if m, ok := op.Input.ByName["RequestPayer"]; ok {
			m.Shape.Enum = nil
		}
	}
}

// GetObjectAttributes' x-amz-object-attributes, missing, empty or naming an unknown
// attribute, is S3's InvalidRequest or InvalidArgument (requestedAttributes), not the
// generic validation's answer.
func init() {
	in := api.Service.Operations["GetObjectAttributes"].Input
	in.Required = slices.DeleteFunc(slices.Clone(in.Required), func(n string) bool { return n == "ObjectAttributes" })
	in.ByName["ObjectAttributes"].Required = false
	in.ByName["ObjectAttributes"].Shape.Member.Shape.Enum = nil
}

// PutBucketAbac's Status is read by the handler, after the bucket's owner is checked:
// a caller naming another expected owner is AccessDenied whatever the status, a
// bucket that does not exist NoSuchBucket (recorded, 2026: abac_controls_replay.json,
// put-owner-917546008205, absent-put-*). The shape is copied: GetBucketAbac's output
// shares it.
func init() { statusReadByHandler(api.Service.Operations["PutBucketAbac"].Input.ByName["AbacStatus"]) }
