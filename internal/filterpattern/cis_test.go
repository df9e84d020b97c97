package filterpattern

import (
	"encoding/json"
	"testing"
)

// The 14 metric filters of the CIS AWS Foundations Benchmark v1.2.0 (section 3,
// "Monitoring"; Security Hub controls CloudWatch.1-14), each against CloudTrail
// records that must and must not match. Records are trimmed to the fields the
// filters read plus the fields every record has.
type cisCase struct {
	id, name, pattern string
	match, noMatch    []map[string]any
}

// record builds a CloudTrail record: the usual envelope with fields overridden.
func record(fields map[string]any) string {
	r := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::000000000000:user/alice",
			"accountId": "000000000000", "accessKeyId": "AKIAEXAMPLE", "userName": "alice"},
		"eventTime":          "2026-11-27T10:00:00Z",
		"eventSource":        "iam.amazonaws.com",
		"eventName":          "ListUsers",
		"awsRegion":          "us-east-1",
		"sourceIPAddress":    "127.0.0.1",
		"userAgent":          "aws-cli/1.45.11",
		"requestParameters":  nil,
		"responseElements":   nil,
		"requestID":          "1b2c3d4e-0000-4000-8000-000000000000",
		"eventID":            "5f6a7b8c-0000-4000-8000-000000000000",
		"readOnly":           true,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": "000000000000",
		"eventCategory":      "Management",
	}
	for k, v := range fields {
		if v == nil {
			delete(r, k)
			continue
		}
		r[k] = v
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func ev(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func names(source string, match []string) []map[string]any {
	var out []map[string]any
	for _, n := range match {
		out = append(out, ev("eventSource", source, "eventName", n))
	}
	return out
}

var root = map[string]any{"type": "Root", "principalId": "000000000000", "arn": "arn:aws:iam::000000000000:root", "accountId": "000000000000"}

var cis = []cisCase{
	{"3.1", "unauthorized API calls", `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`,
		[]map[string]any{
			ev("errorCode", "AccessDenied", "errorMessage", "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:ListUsers"),
			ev("eventSource", "ec2.amazonaws.com", "eventName", "RunInstances", "errorCode", "Client.UnauthorizedOperation"),
			ev("eventSource", "kms.amazonaws.com", "eventName", "Decrypt", "errorCode", "AccessDeniedException"),
		},
		[]map[string]any{ev(), ev("errorCode", "NoSuchEntity"), ev("errorCode", "ThrottlingException")}},
	{"3.2", "console sign-in without MFA", `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`,
		[]map[string]any{ev("eventSource", "signin.amazonaws.com", "eventName", "ConsoleLogin", "eventType", "AwsConsoleSignIn",
			"additionalEventData", map[string]any{"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"},
			"responseElements", map[string]any{"ConsoleLogin": "Success"})},
		[]map[string]any{
			ev("eventSource", "signin.amazonaws.com", "eventName", "ConsoleLogin", "additionalEventData", map[string]any{"MFAUsed": "Yes"}),
			ev("eventName", "ListUsers", "additionalEventData", map[string]any{"MFAUsed": "No"}),
		}},
	{"3.3", "usage of the root account", `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
		[]map[string]any{ev("userIdentity", root), ev("userIdentity", root, "eventName", "ConsoleLogin", "eventType", "AwsConsoleSignIn")},
		[]map[string]any{
			ev(),
			ev("userIdentity", map[string]any{"type": "Root", "invokedBy": "support.amazonaws.com", "accountId": "000000000000"}),
			ev("userIdentity", root, "eventType", "AwsServiceEvent"),
		}},
	{"3.4", "IAM policy changes", `{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}`,
		names("iam.amazonaws.com", []string{"PutUserPolicy", "AttachRolePolicy", "DeletePolicyVersion", "DetachGroupPolicy"}),
		names("iam.amazonaws.com", []string{"CreateUser", "GetPolicy", "ListAttachedRolePolicies"})},
	{"3.5", "CloudTrail configuration changes", `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`,
		names("cloudtrail.amazonaws.com", []string{"StopLogging", "UpdateTrail", "DeleteTrail"}),
		names("cloudtrail.amazonaws.com", []string{"DescribeTrails", "GetTrailStatus", "LookupEvents"})},
	{"3.6", "console authentication failures", `{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`,
		[]map[string]any{ev("eventSource", "signin.amazonaws.com", "eventName", "ConsoleLogin", "errorMessage", "Failed authentication",
			"responseElements", map[string]any{"ConsoleLogin": "Failure"})},
		[]map[string]any{
			ev("eventSource", "signin.amazonaws.com", "eventName", "ConsoleLogin", "responseElements", map[string]any{"ConsoleLogin": "Success"}),
			ev("eventName", "ListUsers", "errorMessage", "Failed authentication"),
		}},
	{"3.7", "disabling or scheduled deletion of customer managed keys", `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`,
		names("kms.amazonaws.com", []string{"DisableKey", "ScheduleKeyDeletion"}),
		append(names("kms.amazonaws.com", []string{"Encrypt", "EnableKey"}), ev("eventSource", "other.amazonaws.com", "eventName", "DisableKey"))},
	{"3.8", "S3 bucket policy changes", `{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`,
		names("s3.amazonaws.com", []string{"PutBucketPolicy", "PutBucketAcl", "DeleteBucketReplication"}),
		append(names("s3.amazonaws.com", []string{"GetBucketPolicy", "CreateBucket"}), ev("eventSource", "iam.amazonaws.com", "eventName", "PutBucketPolicy"))},
	{"3.9", "AWS Config configuration changes", `{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }`,
		names("config.amazonaws.com", []string{"StopConfigurationRecorder", "PutDeliveryChannel"}),
		names("config.amazonaws.com", []string{"DescribeConfigRules", "StartConfigurationRecorder"})},
	{"3.10", "security group changes", `{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }`,
		names("ec2.amazonaws.com", []string{"AuthorizeSecurityGroupIngress", "CreateSecurityGroup", "RevokeSecurityGroupEgress"}),
		names("ec2.amazonaws.com", []string{"DescribeSecurityGroups", "ModifySecurityGroupRules"})},
	{"3.11", "network ACL changes", `{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }`,
		names("ec2.amazonaws.com", []string{"CreateNetworkAclEntry", "ReplaceNetworkAclAssociation"}),
		names("ec2.amazonaws.com", []string{"DescribeNetworkAcls"})},
	{"3.12", "network gateway changes", `{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }`,
		names("ec2.amazonaws.com", []string{"AttachInternetGateway", "DeleteCustomerGateway"}),
		names("ec2.amazonaws.com", []string{"DescribeInternetGateways", "CreateNatGateway"})},
	{"3.13", "route table changes", `{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`,
		names("ec2.amazonaws.com", []string{"CreateRoute", "DisassociateRouteTable"}),
		names("ec2.amazonaws.com", []string{"DescribeRouteTables", "AssociateRouteTable"})},
	{"3.14", "VPC changes", `{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }`,
		names("ec2.amazonaws.com", []string{"ModifyVpcAttribute", "CreateVpcPeeringConnection", "EnableVpcClassicLink"}),
		names("ec2.amazonaws.com", []string{"DescribeVpcs", "CreateSubnet"})},
}

func TestCISMetricFilters(t *testing.T) {
	if len(cis) != 14 {
		t.Fatalf("%d CIS filters, want 14", len(cis))
	}
	for _, c := range cis {
		t.Run(c.id+" "+c.name, func(t *testing.T) {
			p, err := Parse(c.pattern)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(c.match) == 0 || len(c.noMatch) == 0 {
				t.Fatal("each filter needs events that match and events that do not")
			}
			for _, fields := range c.match {
				if e := record(fields); !p.Match(e) {
					t.Errorf("should match %s", e)
				}
			}
			for _, fields := range c.noMatch {
				if e := record(fields); p.Match(e) {
					t.Errorf("should not match %s", e)
				}
			}
		})
	}
}

// CIS v1.4.0/3.0 narrow 4.1 to leave out S3 log delivery and HeadBucket.
func TestCISv14UnauthorizedAPICalls(t *testing.T) {
	p := MustParse(`{($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}`)
	if !p.Match(record(ev("errorCode", "AccessDenied"))) {
		t.Fatal("a denied call should match")
	}
	if p.Match(record(ev("errorCode", "AccessDenied", "eventName", "HeadBucket"))) {
		t.Fatal("HeadBucket should not match")
	}
	if !p.Match(record(ev("errorCode", "Client.UnauthorizedOperation", "eventName", "HeadBucket"))) {
		t.Fatal("|| binds looser than &&: an UnauthorizedOperation always matches")
	}
}
