// Package s3control is the generated s3control API model and its Go types, from
// botocore's service-2.json, for the account-level S3 settings Palisade serves (the
// account's public access block). Handlers live in internal/service/s3.
package s3control

//go:generate go run ../../model/gen -service s3control -ops GetPublicAccessBlock,PutPublicAccessBlock,DeletePublicAccessBlock,TagResource,UntagResource,ListTagsForResource,CreateAccessPoint,GetAccessPoint,ListAccessPoints,DeleteAccessPoint,PutAccessPointPolicy,GetAccessPointPolicy,DeleteAccessPointPolicy,GetAccessPointPolicyStatus
