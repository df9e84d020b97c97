package sts_test

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	ec2api "github.com/palisade/palisade/internal/api/ec2"
	"github.com/palisade/palisade/internal/server"
	stssvc "github.com/palisade/palisade/internal/service/sts"
)

// TestDecodeAuthorizationMessage: an EC2-style service (EC2 itself is not served:
// a test service on the EC2 model, behind the same server pipeline, store and
// authorizer) answers a denial with an encoded message that STS decodes.
func TestDecodeAuthorizationMessage(t *testing.T) {
	e := newEnv(t)
	ec2svc := server.Service{Model: ec2api.Service, Handlers: []server.Handler{
		server.Write("CreateSecurityGroup", func(c *server.Call, in *ec2api.CreateSecurityGroupRequest) (*ec2api.CreateSecurityGroupResult, error) {
			return &ec2api.CreateSecurityGroupResult{GroupId: aws.String("sg-12345678")}, nil
		}),
	}}
	srv, err := server.New(server.Config{Store: e.p.Store, Keys: e.p.Keys, Sessions: e.p.Sessions, Clock: e.p.Clock, Authz: e.p.Authz},
		ec2svc, stssvc.Service(stssvc.Deps{Sessions: e.p.Sessions, Keys: e.p.Keys, Authz: e.p.Authz, Store: e.p.Store}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	ak, sk, aliceARN := e.userKey("alice", doc(allow("sts:DecodeAuthorizationMessage", "*"), deny("ec2:CreateSecurityGroup", "*")))
	cfg := e.p.Config(ak, sk, "")
	cfg.BaseEndpoint = aws.String(hs.URL)
	_, err = ec2.NewFromConfig(cfg).CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("d")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnauthorizedOperation" {
		t.Fatalf("want UnauthorizedOperation, got %v", err)
	}
	const prefix = "You are not authorized to perform this operation. Encoded authorization failure message: "
	encoded, ok := strings.CutPrefix(ae.ErrorMessage(), prefix)
	if !ok || len(encoded) < 50 {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	stsc := sts.NewFromConfig(cfg)
	dec := must(stsc.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)}))
	var m struct {
		Allowed           bool `json:"allowed"`
		ExplicitDeny      bool `json:"explicitDeny"`
		MatchedStatements struct {
			Items []struct {
				Effect string `json:"effect"`
			} `json:"items"`
		} `json:"matchedStatements"`
		Context struct {
			Principal struct {
				ARN string `json:"arn"`
			} `json:"principal"`
			Action string `json:"action"`
		} `json:"context"`
	}
	if err := json.Unmarshal([]byte(*dec.DecodedMessage), &m); err != nil {
		t.Fatalf("decoded %s: %v", *dec.DecodedMessage, err)
	}
	if m.Allowed || !m.ExplicitDeny || m.Context.Action != "ec2:CreateSecurityGroup" || m.Context.Principal.ARN != aliceARN ||
		len(m.MatchedStatements.Items) != 1 || m.MatchedStatements.Items[0].Effect != "DENY" {
		t.Fatalf("decoded %s", *dec.DecodedMessage)
	}
	// Altered, or not a message at all.
	_, err = stsc.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded[:len(encoded)-4] + "AAAA")})
	wantErr(t, err, "InvalidAuthorizationMessageException", 400, "")
	// Decoding needs sts:DecodeAuthorizationMessage.
	bob, _ := e.user("bob", "")
	_, err = bob.sts.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)})
	wantErr(t, err, "AccessDenied", 403, "")
}
