// Package ec2 is the generated ec2 API model and its Go types, from botocore's
// service-2.json. Handlers live in internal/service/ec2.
package ec2

//go:generate go run ../../model/gen -service ec2 -ops DescribeRegions,DescribeAvailabilityZones,DescribeSecurityGroups,CreateSecurityGroup,DeleteSecurityGroup,AuthorizeSecurityGroupIngress,AuthorizeSecurityGroupEgress,RevokeSecurityGroupIngress,RevokeSecurityGroupEgress,DescribeSecurityGroupRules,DescribeVpcs,CreateTags,DeleteTags,DescribeTags
