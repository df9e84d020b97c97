package wire_test

import (
	"testing"

	ec2api "github.com/palisade/palisade/internal/api/ec2"
	"github.com/palisade/palisade/internal/wire"
)

// FuzzEC2Decode feeds arbitrary query strings and form bodies to the ec2 codec:
// resolving, decoding, validating and encoding the resulting error must never panic,
// and whatever decodes must fit the generated input type.
func FuzzEC2Decode(f *testing.F) {
	f.Add("", []byte("Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-1&Filter.1.Name=vpc-id&Filter.1.Value.1=v&MaxResults=10"))
	f.Add("Action=CreateTags", []byte("ResourceId.1=sg-1&Tag.1.Key=k&Tag.1.Value=v"))
	f.Add("", []byte("Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.Groups.1.GroupId=sg-2"))
	f.Add("", []byte("Action=CreateSecurityGroup&GroupName=g&GroupDescription=d&TagSpecification.1.ResourceType=security-group&TagSpecification.1.Tag.1.Key=k"))
	f.Add("", []byte("Action=DescribeTags&Filter.1.Name=key&Filter.1.Value=&MaxResults=x&DryRun=maybe"))
	p, _ := wire.Lookup("ec2")
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		hr := fuzzRequest("POST", "/", query, "Content-Type: application/x-www-form-urlencoded", body)
		runCodec(t, p, &wire.Request{HTTP: hr, Service: ec2api.Service}, body)
	})
}
