package wire_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"

	ec2api "github.com/palisade/palisade/internal/api/ec2"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

func TestEC2RoundTrip(t *testing.T) {
	var tagged ec2api.CreateTagsRequest
	srv := wiretest.Server(t, ec2api.Service, map[string]wiretest.Handler{
		"DescribeSecurityGroups": func(in map[string]any) (map[string]any, *model.Error) {
			var req ec2api.DescribeSecurityGroupsRequest
			mustUnmarshalInto(t, in, &req)
			if len(req.GroupIds) == 1 && req.GroupIds[0] == "sg-404" {
				return nil, model.NewError(400, "InvalidGroup.NotFound", "The security group 'sg-404' does not exist")
			}
			if len(req.Filters) != 2 || *req.Filters[0].Name != "vpc-id" || len(req.Filters[1].Values) != 2 || req.Filters[1].Values[1] != "web & db" ||
				len(req.GroupIds) != 2 || req.GroupIds[1] != "sg-2" || *req.MaxResults != 10 {
				t.Errorf("decoded %+v", req)
			}
			out := ec2api.DescribeSecurityGroupsResult{
				NextToken: aws.String("next"),
				SecurityGroups: []ec2api.SecurityGroup{{
					GroupId: aws.String("sg-1"), GroupName: aws.String("web"), Description: aws.String("web servers"), OwnerId: aws.String("000000000000"),
					VpcId: aws.String("vpc-1"), SecurityGroupArn: aws.String("arn:aws:ec2:us-east-1:000000000000:security-group/sg-1"),
					IpPermissions: []ec2api.IpPermission{{
						IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
						IpRanges:         []ec2api.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("everyone")}},
						UserIdGroupPairs: []ec2api.UserIdGroupPair{{GroupId: aws.String("sg-2"), UserId: aws.String("000000000000")}},
					}},
					IpPermissionsEgress: []ec2api.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2api.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
					Tags:                []ec2api.Tag{{Key: aws.String("Name"), Value: aws.String("web")}},
				}},
			}
			return model.Marshal(&out), nil
		},
		"AuthorizeSecurityGroupIngress": func(in map[string]any) (map[string]any, *model.Error) {
			var req ec2api.AuthorizeSecurityGroupIngressRequest
			mustUnmarshalInto(t, in, &req)
			p := req.IpPermissions
			if *req.GroupId != "sg-1" || len(p) != 2 || *p[0].IpProtocol != "tcp" || *p[0].FromPort != 22 || *p[0].IpRanges[1].CidrIp != "10.0.0.0/8" ||
				*p[0].IpRanges[1].Description != "office" || *p[1].UserIdGroupPairs[0].GroupId != "sg-9" || *p[1].ToPort != -1 {
				t.Errorf("decoded %+v", req)
			}
			out := ec2api.AuthorizeSecurityGroupIngressResult{Return: aws.Bool(true), SecurityGroupRules: []ec2api.SecurityGroupRule{
				{SecurityGroupRuleId: aws.String("sgr-1"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(false), IpProtocol: aws.String("tcp"),
					FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIpv4: aws.String("10.0.0.0/8")},
			}}
			return model.Marshal(&out), nil
		},
		"CreateTags": func(in map[string]any) (map[string]any, *model.Error) {
			mustUnmarshalInto(t, in, &tagged)
			return map[string]any{}, nil
		},
		"CreateSecurityGroup": func(in map[string]any) (map[string]any, *model.Error) {
			t.Error("handler reached without a required parameter")
			return nil, nil
		},
	})
	c := ec2.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()

	ds, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		GroupIds:   []string{"sg-1", "sg-2"},
		MaxResults: aws.Int32(10),
		Filters:    []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-1"}}, {Name: aws.String("tag:Role"), Values: []string{"web", "web & db"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.SecurityGroups) != 1 || *ds.NextToken != "next" {
		t.Fatalf("got %+v", ds)
	}
	g := ds.SecurityGroups[0]
	in := g.IpPermissions
	if *g.GroupId != "sg-1" || *g.GroupName != "web" || *g.Description != "web servers" || *g.OwnerId != "000000000000" || *g.VpcId != "vpc-1" ||
		*g.SecurityGroupArn != "arn:aws:ec2:us-east-1:000000000000:security-group/sg-1" || len(in) != 1 || *in[0].IpProtocol != "tcp" || *in[0].FromPort != 443 ||
		*in[0].ToPort != 443 || *in[0].IpRanges[0].CidrIp != "0.0.0.0/0" || *in[0].IpRanges[0].Description != "everyone" ||
		*in[0].UserIdGroupPairs[0].GroupId != "sg-2" || *in[0].UserIdGroupPairs[0].UserId != "000000000000" ||
		len(g.IpPermissionsEgress) != 1 || *g.IpPermissionsEgress[0].IpProtocol != "-1" || len(g.Tags) != 1 || *g.Tags[0].Value != "web" {
		t.Fatalf("got %+v", g)
	}

	au, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String("sg-1"), IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("192.168.0.0/16")}, {CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("office")}}},
		{IpProtocol: aws.String("icmp"), FromPort: aws.Int32(-1), ToPort: aws.Int32(-1), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-9")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !*au.Return || len(au.SecurityGroupRules) != 1 || *au.SecurityGroupRules[0].SecurityGroupRuleId != "sgr-1" || *au.SecurityGroupRules[0].IsEgress ||
		*au.SecurityGroupRules[0].CidrIpv4 != "10.0.0.0/8" || *au.SecurityGroupRules[0].FromPort != 22 {
		t.Fatalf("got %+v", au)
	}

	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"sg-1", "vpc-1"}, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if len(tagged.Resources) != 2 || tagged.Resources[1] != "vpc-1" || len(tagged.Tags) != 2 || *tagged.Tags[0].Key != "Name" || *tagged.Tags[0].Value != "" || *tagged.Tags[1].Value != "prod" {
		t.Fatalf("decoded %+v", tagged)
	}

	// EC2's error document: the SDK finds the code, message and request id in it.
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-404"}})
	ae := apiError(t, err)
	var re *awshttp.ResponseError
	if ae.ErrorCode() != "InvalidGroup.NotFound" || ae.ErrorMessage() != "The security group 'sg-404' does not exist" ||
		!errors.As(err, &re) || re.HTTPStatusCode() != 400 || re.ServiceRequestID() != "00000000-0000-4000-8000-000000000000" {
		t.Fatalf("got %v", err)
	}

	// Without the SDK's own check, a missing required parameter reaches the service,
	// which names it as it travels on the wire.
	noValidation := func(o *ec2.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			_, err := s.Initialize.Remove("OperationInputValidation")
			return err
		})
	}
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web")}, noValidation)
	ae = apiError(t, err)
	if ae.ErrorCode() != "MissingParameter" || ae.ErrorMessage() != "The request must contain the parameter GroupDescription" {
		t.Fatalf("got %s %q", ae.ErrorCode(), ae.ErrorMessage())
	}
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"sg-1"}, Tags: []ec2types.Tag{{Key: aws.String("k")}}, DryRun: aws.Bool(false)}, noValidation)
	if err != nil {
		t.Fatalf("optional members are not required: %v", err)
	}

	// The wire: EC2's response element and the errors the SDK cannot provoke.
	post := func(form string) (int, string) {
		resp, err := http.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	status, body := post("Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-1&GroupId.2=sg-2&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.2.Name=tag:Role&Filter.2.Value.1=web&Filter.2.Value.2=web+%26+db&MaxResults=10")
	if status != 200 || !strings.Contains(body, `<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><requestId>00000000-0000-4000-8000-000000000000</requestId><nextToken>next</nextToken><securityGroupInfo><item>`) ||
		!strings.Contains(body, `<ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups><item>`) {
		t.Fatalf("DescribeSecurityGroups wire: %d %s", status, body)
	}
	for _, tc := range []struct{ form, want string }{
		{"Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=ten", `<Code>InvalidParameterValue</Code><Message>Value (ten) for parameter maxResults is invalid. Member must be an integer</Message>`},
		{"Action=DescribeSecurityGroups&Version=2016-11-15&GroupIds.1=sg-1", `<Code>UnknownParameter</Code><Message>The parameter GroupIds.1 is not recognized</Message>`},
		{"Action=CreateTags&Version=2016-11-15&ResourceId.1=sg-1", `<Code>MissingParameter</Code><Message>The request must contain the parameter Tag</Message>`},
		{"Action=RunInstances&Version=2016-11-15", `<Code>InvalidAction</Code><Message>The action RunInstances is not valid for this web service.</Message>`},
	} {
		status, body := post(tc.form)
		if status != 400 || !strings.Contains(body, `<Response><Errors><Error>`+tc.want+`</Error></Errors><RequestID>00000000-0000-4000-8000-000000000000</RequestID></Response>`) {
			t.Errorf("%s: %d %s", tc.form, status, body)
		}
	}
}
