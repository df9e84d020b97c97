package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/service/sts/ststest"
)

// creds are credentials as the CLI prints them (Credentials of an STS answer).
type creds struct {
	AccessKeyId, SecretAccessKey, SessionToken string
}

// credsOf reads the Credentials of an STS answer.
func credsOf(t *testing.T, out string) creds {
	t.Helper()
	var v struct{ Credentials creds }
	if err := json.Unmarshal([]byte(out), &v); err != nil || !strings.HasPrefix(v.Credentials.AccessKeyId, "ASIA") || v.Credentials.SessionToken == "" {
		t.Fatalf("no temporary credentials in: %s", out)
	}
	return v.Credentials
}

func (c cli) with(s *server, k creds, args ...string) (string, bool) {
	return c.runAs(s, k.AccessKeyId, k.SecretAccessKey, k.SessionToken, args...)
}

// servedServices reads the services the server serves from its health endpoint.
func servedServices(t *testing.T, s *server) []string {
	t.Helper()
	resp, err := http.Get(s.URL + "/_palisade/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct{ Services []string }
	json.NewDecoder(resp.Body).Decode(&h)
	return h.Services
}

// readCommands is a harmless read of each service, to show that temporary
// credentials sign for all of them. A service Palisade starts serving needs its line
// here: the test fails for one it does not know.
var readCommands = map[string][]string{
	"iam":           {"iam", "list-users"},
	"sts":           {"sts", "get-caller-identity"},
	"organizations": {"organizations", "describe-organization"},
	"kms":           {"kms", "list-keys"},
	"s3":            {"s3api", "list-buckets"},
	"cloudtrail":    {"cloudtrail", "describe-trails"},
	"logs":          {"logs", "describe-log-groups"},
	"cloudwatch":    {"cloudwatch", "list-metrics"},
	"monitoring":    {"cloudwatch", "list-metrics"},
	"sns":           {"sns", "list-topics"},
	"sqs":           {"sqs", "list-queues"},
	"config":        {"configservice", "describe-config-rules"},
	"guardduty":     {"guardduty", "list-detectors"},
	"macie2":        {"macie2", "list-findings"},
	"inspector2":    {"inspector2", "list-findings"},
	"support":       {"support", "describe-trusted-advisor-checks", "--language", "en"},
	"ce":            {"ce", "get-cost-and-usage", "--time-period", "Start=2024-01-01,End=2024-01-02", "--granularity", "DAILY", "--metrics", "UnblendedCost"},
	"budgets":       {"budgets", "describe-budgets", "--account-id", "000000000000"},
	"route53":       {"route53", "list-health-checks"},
	"athena":        {"athena", "list-work-groups"},
	"ec2":           {"ec2", "describe-regions"},
	// The account's Block Public Access, which a new account has none of.
	"s3control": {"s3control", "get-public-access-block", "--account-id"},
}

// readErrors are the errors a service's read command answers for a new account: an
// answer that still shows the credentials were accepted and the call authorized.
var readErrors = map[string]string{"s3control": "NoSuchPublicAccessBlockConfiguration"}

// Organizations, STS and SCPs through both aws CLIs: a member account created by the
// organization, its OrganizationAccountAccessRole assumed by the management
// account's admin, an SCP that blocks the member's admin and not the management
// account; temporary credentials that sign for every served service.
func TestOrganizationsAndSCPsThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	services := servedServices(t, s)
	for i, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			root := func(args ...string) (string, bool) { return c.run(s, rootAK, rootSK, args...) }
			admin := "admin-v2"
			if c.v1 {
				admin = "admin-v1"
			}
			root("iam", "create-user", "--user-name", admin)
			root("iam", "attach-user-policy", "--user-name", admin, "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
			out, ok := root("iam", "create-access-key", "--user-name", admin)
			var key struct {
				AccessKey struct{ AccessKeyId, SecretAccessKey string }
			}
			if !ok || json.Unmarshal([]byte(out), &key) != nil {
				t.Fatalf("create-access-key: %s", out)
			}
			as := func(args ...string) (string, bool) {
				return c.run(s, key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, args...)
			}

			if i == 0 {
				if out, ok := as("organizations", "create-organization", "--feature-set", "ALL"); !ok {
					t.Fatalf("create-organization: %s", out)
				}
			} else {
				out, ok := as("organizations", "create-organization")
				expectError(t, out, ok, "AlreadyInOrganizationException")
			}
			out, ok = as("organizations", "create-account", "--email", admin+"@example.com", "--account-name", "member-"+admin)
			reqID := ""
			var st struct {
				CreateAccountStatus struct{ Id, State, AccountId string }
			}
			if !ok || json.Unmarshal([]byte(out), &st) != nil || st.CreateAccountStatus.State != "IN_PROGRESS" {
				t.Fatalf("create-account: %s", out)
			}
			reqID = st.CreateAccountStatus.Id
			out, ok = as("organizations", "describe-create-account-status", "--create-account-request-id", reqID)
			if !ok || json.Unmarshal([]byte(out), &st) != nil || st.CreateAccountStatus.State != "SUCCEEDED" || len(st.CreateAccountStatus.AccountId) != 12 {
				t.Fatalf("describe-create-account-status: %s", out)
			}
			member := st.CreateAccountStatus.AccountId

			out, ok = as("sts", "assume-role", "--role-arn", "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole", "--role-session-name", "ops")
			if !ok {
				t.Fatalf("assume-role: %s", out)
			}
			m := credsOf(t, out)
			out, ok = c.with(s, m, "sts", "get-caller-identity")
			if want := "arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/ops"; !ok || jsonField(t, out, "Arn") != want {
				t.Fatalf("get-caller-identity: %s, want %s", out, want)
			}
			// The session signs for every service Palisade serves.
			for _, svc := range services {
				cmd, known := readCommands[svc]
				if !known {
					t.Fatalf("no read command for served service %q: add one to readCommands", svc)
				}
				var env []string
				if svc == "s3control" {
					cmd, env = append(cmd[:len(cmd):len(cmd)], member), s3controlEnv(t, s)
				}
				out, ok := c.runWith(s, env, m.AccessKeyId, m.SecretAccessKey, m.SessionToken, cmd...)
				if code := readErrors[svc]; !ok && (code == "" || !strings.Contains(out, "("+code+")")) {
					t.Fatalf("%s with temporary credentials: %s", svc, out)
				}
			}

			// Trusted access: AWS's documented principals only, listed with their date.
			out, ok = as("organizations", "enable-aws-service-access", "--service-principal", "cloudtrail.example.com")
			expectError(t, out, ok, "InvalidInputException")
			if out, ok := as("organizations", "enable-aws-service-access", "--service-principal", "cloudtrail.amazonaws.com"); !ok {
				t.Fatalf("enable-aws-service-access: %s", out)
			}
			out, ok = as("organizations", "list-aws-service-access-for-organization")
			var trusted struct {
				EnabledServicePrincipals []struct {
					ServicePrincipal string
					DateEnabled      any // epoch seconds (v1) or ISO 8601 (v2), as each CLI prints timestamps
				}
			}
			if !ok || json.Unmarshal([]byte(out), &trusted) != nil || len(trusted.EnabledServicePrincipals) != 1 ||
				trusted.EnabledServicePrincipals[0].ServicePrincipal != "cloudtrail.amazonaws.com" || trusted.EnabledServicePrincipals[0].DateEnabled == nil {
				t.Fatalf("list-aws-service-access-for-organization: %s", out)
			}

			out, ok = as("organizations", "list-roots")
			var roots struct{ Roots []struct{ Id string } }
			if !ok || json.Unmarshal([]byte(out), &roots) != nil || len(roots.Roots) != 1 {
				t.Fatalf("list-roots: %s", out)
			}
			out, ok = as("organizations", "enable-policy-type", "--root-id", roots.Roots[0].Id, "--policy-type", "SERVICE_CONTROL_POLICY")
			if i > 0 {
				expectError(t, out, ok, "PolicyTypeAlreadyEnabledException")
			} else if !ok {
				t.Fatalf("enable-policy-type: %s", out)
			}
			// The SCP denies IAM user creation and s3:* (the example): the
			// member account's admin is refused both, the management account neither.
			deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateUser","s3:*"],"Resource":"*"}]}`
			out, ok = as("organizations", "create-policy", "--name", "deny-"+admin, "--type", "SERVICE_CONTROL_POLICY", "--description", "d", "--content", deny)
			var pol struct {
				Policy struct{ PolicySummary struct{ Id string } }
			}
			if !ok || json.Unmarshal([]byte(out), &pol) != nil {
				t.Fatalf("create-policy: %s", out)
			}
			if out, ok := as("organizations", "attach-policy", "--policy-id", pol.Policy.PolicySummary.Id, "--target-id", member); !ok {
				t.Fatalf("attach-policy: %s", out)
			}
			out, ok = c.with(s, m, "iam", "create-user", "--user-name", "blocked")
			expectError(t, out, ok, "AccessDenied")
			if !strings.Contains(out, "with an explicit deny in a service control policy") {
				t.Fatalf("denial does not name the SCP: %s", out)
			}
			if out, ok := as("iam", "create-user", "--user-name", "allowed-"+admin); !ok {
				t.Fatalf("the management account is restricted: %s", out)
			}
			for _, svc := range services {
				if svc == "s3" {
					out, ok := c.with(s, m, "s3api", "list-buckets")
					expectError(t, out, ok, "AccessDenied")
					if out, ok := as("s3api", "list-buckets"); !ok {
						t.Fatalf("management account denied S3: %s", out)
					}
				}
			}
		})
	}
}

// Web identity and SAML federation through the CLI: a loopback OIDC issuer whose
// tokens the server verifies by fetching its keys, and a SAML IdP whose assertions
// it verifies against the provider metadata.
func TestFederationThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	is := ststest.NewIssuer(t)
	idp := ststest.NewIdP(t)
	c0 := clis(t)[0]
	root := func(args ...string) (string, bool) { return c0.run(s, rootAK, rootSK, args...) }
	out, ok := root("iam", "create-open-id-connect-provider", "--url", is.URL, "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", is.Thumbprint())
	if !ok {
		t.Fatalf("create-open-id-connect-provider: %s", out)
	}
	oidc := jsonField(t, out, "OpenIDConnectProviderArn")
	webTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + oidc + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	if out, ok := root("iam", "create-role", "--role-name", "web", "--assume-role-policy-document", webTrust); !ok {
		t.Fatalf("create-role: %s", out)
	}
	out, ok = root("iam", "create-saml-provider", "--name", "Corp", "--saml-metadata-document", idp.Metadata())
	if !ok {
		t.Fatalf("create-saml-provider: %s", out)
	}
	saml := jsonField(t, out, "SAMLProviderArn")
	samlTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + saml + `"},"Action":"sts:AssumeRoleWithSAML"}]}`
	if out, ok := root("iam", "create-role", "--role-name", "sso", "--assume-role-policy-document", samlTrust); !ok {
		t.Fatalf("create-role: %s", out)
	}
	webRole, ssoRole := "arn:aws:iam::000000000000:role/web", "arn:aws:iam::000000000000:role/sso"
	other, _ := rsa.GenerateKey(rand.Reader, 2048)

	for i, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			// Unsigned calls: any credentials in the environment are not used.
			anon := func(args ...string) (string, bool) {
				return c.run(s, "AKIAANYTHING00000000", strings.Repeat("x", 40), args...)
			}
			web := func(tok string) (string, bool) {
				return anon("sts", "assume-role-with-web-identity", "--role-arn", webRole, "--role-session-name", "gha", "--web-identity-token", tok)
			}
			out, ok := web(is.Token(t, is.Claims("sts.amazonaws.com", time.Now().Add(time.Hour)), nil, is.KID))
			if !ok || jsonField(t, out, "SubjectFromWebIdentityToken") != "repo:acme/app:ref:refs/heads/main" {
				t.Fatalf("assume-role-with-web-identity: %s", out)
			}
			out, ok = c.with(s, credsOf(t, out), "sts", "get-caller-identity")
			if !ok || jsonField(t, out, "Arn") != "arn:aws:sts::000000000000:assumed-role/web/gha" {
				t.Fatalf("get-caller-identity: %s", out)
			}
			// The failures are the server's: one CLI shows them (each call costs a second).
			if i == 0 {
				webFailures(t, web, is, other)
			}
			assertion := idp.Response(t, ststest.Assertion{Roles: []string{ssoRole + "," + saml}, Session: "alice"})
			samlCall := func(xml string) (string, bool) {
				return anon("sts", "assume-role-with-saml", "--role-arn", ssoRole, "--principal-arn", saml, "--saml-assertion", ststest.Base64(xml))
			}
			out, ok = samlCall(assertion)
			if !ok || jsonField(t, out, "Subject") != "alice@example.com" {
				t.Fatalf("assume-role-with-saml: %s", out)
			}
			out, ok = c.with(s, credsOf(t, out), "sts", "get-caller-identity")
			if !ok || jsonField(t, out, "Arn") != "arn:aws:sts::000000000000:assumed-role/sso/alice" {
				t.Fatalf("get-caller-identity: %s", out)
			}
			out, ok = samlCall(strings.Replace(assertion, "alice@example.com", "mallory@example.com", 1))
			expectError(t, out, ok, "InvalidIdentityToken")
		})
	}
}

// webFailures: a token signed by another key, for another audience, or expired.
func webFailures(t *testing.T, web func(string) (string, bool), is *ststest.Issuer, other *rsa.PrivateKey) {
	t.Helper()
	out, ok := web(is.Token(t, is.Claims("sts.amazonaws.com", time.Now().Add(time.Hour)), other, is.KID))
	expectError(t, out, ok, "InvalidIdentityToken")
	out, ok = web(is.Token(t, is.Claims("another-audience", time.Now().Add(time.Hour)), nil, is.KID))
	expectError(t, out, ok, "InvalidIdentityToken")
	if !strings.Contains(out, "Incorrect token audience") {
		t.Fatalf("audience error: %s", out)
	}
	out, ok = web(is.Token(t, is.Claims("sts.amazonaws.com", time.Now().Add(-time.Minute)), nil, is.KID))
	expectError(t, out, ok, "ExpiredTokenException")
}
