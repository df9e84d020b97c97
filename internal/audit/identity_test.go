package audit

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/auth"
)

// Each identity type against the userIdentity AWS documents for it ("CloudTrail
// userIdentity element" in the CloudTrail User Guide, "Logging IAM and AWS STS API
// calls with AWS CloudTrail" in the IAM User Guide, KMS's and STS's sample records),
// with AWS's sample values fed in as the principal.
func TestIdentityMatchesAWSShapes(t *testing.T) {
	created := time.Date(2019, 10, 2, 21, 50, 54, 0, time.UTC)
	cases := []struct {
		name string
		p    auth.Principal
		aws  string
	}{
		{"root", auth.Principal{Type: auth.Root, Account: "111122223333", ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333", AccessKeyID: "AKIAIOSFODNN7EXAMPLE"},
			`{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}`},
		{"IAM user", auth.Principal{Type: auth.IAMUser, Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/Alice", UserID: "AIDAJ45Q7YFFAREXAMPLE", UserName: "Alice", AccessKeyID: "AKIAIOSFODNN7EXAMPLE"},
			`{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::123456789012:user/Alice","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice"}`},
		{"IAM user with GetSessionToken credentials and MFA",
			auth.Principal{Type: auth.IAMUser, Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/Alice", UserID: "AIDAJ45Q7YFFAREXAMPLE", UserName: "Alice", AccessKeyID: "ASIAIOSFODNN7EXAMPLE",
				Session: &auth.Session{Op: "GetSessionToken", Issued: created, MFA: true, IssuerARN: "arn:aws:iam::123456789012:user/Alice"}},
			`{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::123456789012:user/Alice","accountId":"123456789012","accessKeyId":"ASIAIOSFODNN7EXAMPLE","userName":"Alice",
			  "sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"2019-10-02T21:50:54Z","mfaAuthenticated":"true"}}}`},
		{"assumed role with source identity",
			auth.Principal{Type: auth.AssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/JohnRole1/JohnDoe", UserID: "AROAIN5ATK5U7KEXAMPLE:JohnDoe", AccessKeyID: "ASIAI44QH8DHBEXAMPLE",
				Session: &auth.Session{Op: "AssumeRole", Issued: created, SourceIdentity: "JohnDoe", IssuerARN: "arn:aws:iam::111111111111:role/JohnRole1"}},
			`{"type":"AssumedRole","principalId":"AROAIN5ATK5U7KEXAMPLE:JohnDoe","arn":"arn:aws:sts::111111111111:assumed-role/JohnRole1/JohnDoe","accountId":"111111111111","accessKeyId":"ASIAI44QH8DHBEXAMPLE",
			  "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAIN5ATK5U7KEXAMPLE","arn":"arn:aws:iam::111111111111:role/JohnRole1","accountId":"111111111111","userName":"JohnRole1"},
			    "webIdFederationData":{},"attributes":{"creationDate":"2019-10-02T21:50:54Z","mfaAuthenticated":"false"},"sourceIdentity":"JohnDoe"}}`},
		{"assumed role from a web identity",
			auth.Principal{Type: auth.AssumedRole, Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/gh/run-1", UserID: "AROAEXAMPLEROLEID0001:run-1", AccessKeyID: "ASIAEXAMPLEKEY000001",
				Session: &auth.Session{Op: "AssumeRoleWithWebIdentity", Issued: created, IssuerARN: "arn:aws:iam::123456789012:role/gh",
					FederatedProvider: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
			`{"type":"AssumedRole","principalId":"AROAEXAMPLEROLEID0001:run-1","arn":"arn:aws:sts::123456789012:assumed-role/gh/run-1","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEKEY000001",
			  "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEROLEID0001","arn":"arn:aws:iam::123456789012:role/gh","accountId":"123456789012","userName":"gh"},
			    "webIdFederationData":{"federatedProvider":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com","attributes":{}},
			    "attributes":{"creationDate":"2019-10-02T21:50:54Z","mfaAuthenticated":"false"}}}`},
		{"federated user",
			auth.Principal{Type: auth.FederatedUser, Account: "111122223333", ARN: "arn:aws:sts::111122223333:federated-user/Bob", UserID: "111122223333:Bob", AccessKeyID: "ASIAIOSFODNN7EXAMPLE",
				Session: &auth.Session{Op: "GetFederationToken", Issued: created, IssuerID: "AIDAJ45Q7YFFAREXAMPLE", IssuerARN: "arn:aws:iam::111122223333:user/Alice"}},
			`{"type":"FederatedUser","principalId":"111122223333:Bob","arn":"arn:aws:sts::111122223333:federated-user/Bob","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE",
			  "sessionContext":{"sessionIssuer":{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::111122223333:user/Alice","accountId":"111122223333","userName":"Alice"},
			    "webIdFederationData":{},"attributes":{"creationDate":"2019-10-02T21:50:54Z","mfaAuthenticated":"false"}}}`},
		{"federated user of the root user",
			auth.Principal{Type: auth.FederatedUser, Account: "111122223333", ARN: "arn:aws:sts::111122223333:federated-user/Ops", UserID: "111122223333:Ops", AccessKeyID: "ASIAIOSFODNN7EXAMPLE",
				Session: &auth.Session{Op: "GetFederationToken", Issued: created}},
			`{"type":"FederatedUser","principalId":"111122223333:Ops","arn":"arn:aws:sts::111122223333:federated-user/Ops","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE",
			  "sessionContext":{"sessionIssuer":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},
			    "webIdFederationData":{},"attributes":{"creationDate":"2019-10-02T21:50:54Z","mfaAuthenticated":"false"}}}`},
		{"AWS service", auth.Principal{Type: auth.AWSService, ARN: "secretsmanager.amazonaws.com"},
			`{"type":"AWSService","invokedBy":"secretsmanager.amazonaws.com"}`},
		{"web identity user", auth.Principal{Type: auth.WebIdentityUser, UserID: "accounts.google.com:application-id.apps.googleusercontent.com:user-id", UserName: "user-id", ARN: "accounts.google.com"},
			`{"type":"WebIdentityUser","principalId":"accounts.google.com:application-id.apps.googleusercontent.com:user-id","userName":"user-id","identityProvider":"accounts.google.com"}`},
		{"web identity user of an IAM OIDC provider", auth.Principal{Type: auth.WebIdentityUser, UserID: "token.actions.githubusercontent.com:sts.amazonaws.com:repo:octo-org/octo-repo:ref:refs/heads/main",
			UserName: "repo:octo-org/octo-repo:ref:refs/heads/main", ARN: "arn:aws:iam::012345678901:oidc-provider/token.actions.githubusercontent.com"},
			`{"type":"WebIdentityUser","principalId":"arn:aws:iam::012345678901:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:octo-org/octo-repo:ref:refs/heads/main",
			  "userName":"repo:octo-org/octo-repo:ref:refs/heads/main","identityProvider":"arn:aws:iam::012345678901:oidc-provider/token.actions.githubusercontent.com"}`},
		// The IAM User Guide's sample gives principalId and identityProvider different
		// example hashes; in AWS's records the provider ID starts principalId.
		{"SAML user", auth.Principal{Type: auth.SAMLUser, UserID: "bdGOnTesti4+ExamplexL/jEvs=:SamlExample", UserName: "SamlExample", ARN: "arn:aws:iam::123456789012:saml-provider/Corp"},
			`{"type":"SAMLUser","principalId":"bdGOnTesti4+ExamplexL/jEvs=:SamlExample","userName":"SamlExample","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="}`},
		{"anonymous (S3)", auth.Principal{Type: auth.Anonymous},
			`{"type":"AWSAccount","principalId":"","accountId":"anonymous"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := json.Marshal(Identity(c.p))
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, got, c.aws) {
				t.Errorf("userIdentity\n got %s\nwant %s", got, c.aws)
			}
		})
	}
}

// The resource owner's copy of a cross-account call names the caller by account and
// principal ID (IAM User Guide's cross-account AssumeRole records).
func TestOwnerIdentity(t *testing.T) {
	caller := auth.Principal{Type: auth.IAMUser, Account: "777788889999", ARN: "arn:aws:iam::777788889999:user/JohnDoe", UserID: "AIDAQRSTUVWXYZEXAMPLE", UserName: "JohnDoe", AccessKeyID: "AKIAQRSTUVWXYZEXAMPLE"}
	got, _ := json.Marshal(OwnerIdentity(caller))
	if !sameJSON(t, got, `{"type":"AWSAccount","principalId":"AIDAQRSTUVWXYZEXAMPLE","accountId":"777788889999"}`) {
		t.Errorf("owner identity %s", got)
	}
	svc := auth.Principal{Type: auth.AWSService, ARN: "cloudtrail.amazonaws.com"}
	got, _ = json.Marshal(OwnerIdentity(svc))
	if !sameJSON(t, got, `{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}`) {
		t.Errorf("owner identity of a service %s", got)
	}
}

func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON: %v", err)
	}
	return reflect.DeepEqual(g, w)
}
