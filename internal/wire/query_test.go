package wire_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	iamapi "github.com/palisade/palisade/internal/api/iam"
	stsapi "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

func sdkConfig(url string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	}
}

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae
}

func TestQueryRoundTripSTS(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := wiretest.Server(t, stsapi.Service, map[string]wiretest.Handler{
		"GetCallerIdentity": func(in map[string]any) (map[string]any, *model.Error) {
			out := stsapi.GetCallerIdentityResponse{Account: aws.String("000000000000"), Arn: aws.String("arn:aws:iam::000000000000:root"), UserId: aws.String("000000000000")}
			return model.Marshal(&out), nil
		},
		"AssumeRole": func(in map[string]any) (map[string]any, *model.Error) {
			var req stsapi.AssumeRoleRequest
			if err := model.Unmarshal(in, &req); err != nil {
				t.Fatal(err)
			}
			if req.RoleArn != "arn:aws:iam::111122223333:role/r" || req.RoleSessionName != "sess" || *req.DurationSeconds != 900 ||
				len(req.Tags) != 2 || req.Tags[1].Key != "k2" || req.Tags[1].Value != "v 2=+" || len(req.TransitiveTagKeys) != 1 {
				t.Errorf("decoded %+v", req)
			}
			out := stsapi.AssumeRoleResponse{
				Credentials:      &stsapi.Credentials{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token", Expiration: exp},
				AssumedRoleUser:  &stsapi.AssumedRoleUser{AssumedRoleId: "AROAEXAMPLE:s", Arn: "arn:aws:sts::111122223333:assumed-role/r/s"},
				PackedPolicySize: aws.Int32(7),
			}
			return model.Marshal(&out), nil
		},
		"GetSessionToken": func(in map[string]any) (map[string]any, *model.Error) {
			return nil, stsapi.NewRegionDisabledException("STS is not activated in this region for account:000000000000. Your account administrator can activate STS in this region using the IAM Console.")
		},
	})
	c := sts.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()
	id, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Account != "000000000000" || *id.Arn != "arn:aws:iam::000000000000:root" || *id.UserId != "000000000000" {
		t.Fatalf("got %+v", id)
	}
	ar, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111122223333:role/r"), RoleSessionName: aws.String("sess"), DurationSeconds: aws.Int32(900),
		Tags:              []ststypes.Tag{{Key: aws.String("k1"), Value: aws.String("v1")}, {Key: aws.String("k2"), Value: aws.String("v 2=+")}},
		TransitiveTagKeys: []string{"k1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the model still carries PackedPolicySize, so the round trip must too
	packed := ar.PackedPolicySize
	if *ar.Credentials.AccessKeyId != "ASIAEXAMPLE" || !ar.Credentials.Expiration.Equal(exp) || *packed != 7 || *ar.AssumedRoleUser.AssumedRoleId != "AROAEXAMPLE:s" {
		t.Fatalf("got %+v", ar)
	}
	// A modelled error keeps its code and message and becomes the SDK's typed error.
	_, err = c.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	var rd *ststypes.RegionDisabledException
	if !errors.As(err, &rd) || !strings.Contains(rd.ErrorMessage(), "STS is not activated") {
		t.Fatalf("want RegionDisabledException, got %v", err)
	}
	// Constraint violations the SDK does not check client-side get STS's validation error.
	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/r"), RoleSessionName: aws.String("bad name!")})
	ae := apiError(t, err)
	want := "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
	if ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != want {
		t.Fatalf("got %s %q", ae.ErrorCode(), ae.ErrorMessage())
	}
	// An action the model does not have gets the query protocol's InvalidAction.
	resp, err := http.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=Nope&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>InvalidAction</Code><Message>Could not find operation Nope for version 2011-06-15</Message>") ||
		!strings.Contains(string(body), `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`) {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

func TestQueryRoundTripIAMListsAndNested(t *testing.T) {
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	srv := wiretest.Server(t, iamapi.Service, map[string]wiretest.Handler{
		"ListUsers": func(in map[string]any) (map[string]any, *model.Error) {
			var req iamapi.ListUsersRequest
			model.Unmarshal(in, &req)
			if *req.PathPrefix != "/a/" || *req.MaxItems != 2 {
				t.Errorf("decoded %+v", req)
			}
			out := iamapi.ListUsersResponse{
				Users: []iamapi.User{
					{Path: "/a/", UserName: "alice", UserId: "AIDAEXAMPLE1", Arn: "arn:aws:iam::000000000000:user/a/alice", CreateDate: created,
						Tags: []iamapi.Tag{{Key: "team", Value: "<red & blue>"}}},
					{Path: "/a/", UserName: "bob", UserId: "AIDAEXAMPLE2", Arn: "arn:aws:iam::000000000000:user/a/bob", CreateDate: created},
				},
				IsTruncated: aws.Bool(true),
				Marker:      aws.String("m1"),
			}
			return model.Marshal(&out), nil
		},
		"GetUser": func(in map[string]any) (map[string]any, *model.Error) {
			return nil, iamapi.NewNoSuchEntityException("The user with name nobody cannot be found.")
		},
		"CreateUser": func(in map[string]any) (map[string]any, *model.Error) {
			t.Error("handler reached despite invalid input")
			return nil, nil
		},
	})
	c := iam.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()
	lu, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/a/"), MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lu.Users) != 2 || *lu.Users[0].UserName != "alice" || !lu.Users[1].CreateDate.Equal(created) || !lu.IsTruncated || *lu.Marker != "m1" ||
		*lu.Users[0].Tags[0].Value != "<red & blue>" {
		t.Fatalf("got %+v", lu)
	}
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorCode() != "NoSuchEntity" {
		t.Fatalf("want NoSuchEntity, got %v", err)
	}
	// Two violations in one request are both reported, in model order.
	long := strings.Repeat("x", 129)
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(long), Path: aws.String("nopath")})
	ae := apiError(t, err)
	if ae.ErrorCode() != "ValidationError" || !strings.HasPrefix(ae.ErrorMessage(), "2 validation errors detected: Value at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ") ||
		!strings.Contains(ae.ErrorMessage(), "at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64") {
		t.Fatalf("got %s %q", ae.ErrorCode(), ae.ErrorMessage())
	}
}
