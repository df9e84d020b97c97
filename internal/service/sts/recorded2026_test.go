package sts_test

// Answers AWS STS gave in 2026, as recorded in the public repository
// radkawar/stackd under testdata/aws/sts/ (each case names its file).

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/go-jose/go-jose/v4"

	"github.com/palisade/palisade/internal/app/apptest"
)

// query_inputs.json: GetSessionToken's DurationSeconds as the query string spells it.
// Leading zeros and a plus sign are an integer; 0 is out of range. (The spellings
// AWS answered MalformedInput are not pinned: Palisade differs, see COVERAGE.)
func TestRecorded2026DurationSpellings(t *testing.T) {
	e := newEnv(t)
	ak, sk, _ := e.userKey("u", "")
	for _, c := range []struct {
		value string
		code  string
	}{{"900", ""}, {"0900", ""}, {"+900", ""}, {"0", "ValidationError"}} {
		body := "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=" + url.QueryEscape(c.value)
		req, _ := http.NewRequest("POST", e.p.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case c.code == "" && resp.StatusCode != 200:
			t.Errorf("%q: %d %s", c.value, resp.StatusCode, b)
		case c.code != "" && (resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>"+c.code+"</Code>")):
			t.Errorf("%q: %d %s, want %s", c.value, resp.StatusCode, b, c.code)
		}
	}
}

// managed_session_policy.json: a managed session policy is read when the session
// is used, so changing its default version changes what an existing session may do.
func TestRecorded2026ManagedSessionPolicy(t *testing.T) {
	e := newEnv(t)
	pol := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("session"), PolicyDocument: aws.String(doc(allow("iam:ListUsers", "*")))})).Policy
	role := e.role(e.iam, "probe", doc(trust(awsPrincipal("arn:aws:iam::"+account+":root"), "sts:AssumeRole", "")), doc(allow("iam:ListUsers", "*")))
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("probe"),
		DurationSeconds: aws.Int32(900), PolicyArns: []ststypes.PolicyDescriptorType{{Arn: pol.Arn}}}))
	s := e.session(out.Credentials)
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{})) // before_change
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(doc(deny("iam:ListUsers", "*"))), SetAsDefault: true}))
	_, err := s.iam.ListUsers(ctx, &iam.ListUsersInput{}) // after_default_version_change
	wantErr(t, err, "AccessDenied", 403, "")
}

// root_access.json (radkawar/stackd testdata/aws/iam/, 2026): AssumeRoot from the
// management account of an all-features organization that has not trusted IAM. Past
// the input checks every refusal is the same AccessDenied naming the target's root,
// with no reason: an explicit deny and the management account targeting itself
// alike. The recording's "original" caller is an administrator (not root).
func TestRecorded2026AssumeRoot(t *testing.T) {
	e := newEnv(t)
	org := organizations.NewFromConfig(e.p.RootConfig())
	must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"}))
	admin, adminARN := e.user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	observerName := "stackd-root-access-fixture-explicit_deny_observer"
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(observerName), Path: aws.String("/org-access/")})).User
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(observerName), PolicyName: aws.String("ReportPermissions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListOrganizationsFeatures","iam:GetAccountProperties"],"Resource":"*"},{"Effect":"Deny","Action":["iam:EnableOrganizationsRootCredentialsManagement","iam:DisableOrganizationsRootCredentialsManagement","iam:EnableOrganizationsRootSessions","iam:DisableOrganizationsRootSessions","organizations:*","sts:AssumeRoot"],"Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(observerName)})).AccessKey
	observer := e.as(*k.AccessKeyId, *k.SecretAccessKey, "")

	audit := &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}
	refused := func(caller string) string {
		return "User: " + caller + " is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::" + account + ":root"
	}
	_, err := observer.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit})
	wantErr(t, err, "AccessDenied", 403, refused(*u.Arn)) // assume_root_observer_denied
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit})
	wantErr(t, err, "AccessDenied", 403, refused(adminARN)) // assume_root_management_id
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("arn:aws:iam::" + account + ":root"), TaskPolicyArn: audit})
	wantErr(t, err, "AccessDenied", 403, refused(adminARN)) // assume_root_management_root_arn
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: u.Arn, TaskPolicyArn: audit})
	wantErr(t, err, "ValidationError", 400, "Request must contain a valid target principal") // assume_root_owned_user_arn
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit, DurationSeconds: aws.Int32(0)})
	wantErr(t, err, "AccessDenied", 403, refused(adminARN)) // assume_root_duration_zero
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit, DurationSeconds: aws.Int32(901)})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900") // assume_root_duration_over_limit
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}})
	wantErr(t, err, "ValidationError", 400, "Request must contain valid AWS managed task policy ARN") // assume_root_invalid_task_policy
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: &ststypes.PolicyDescriptorType{}})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null") // assume_root_task_policy_missing_arn
}

// The outbound identity federation cases replay radkawar/stackd's
// testdata/aws/iam/outbound_identity.json (answers while the account's feature is
// off) and outbound_issuance.json (tokens and their claims once it is on).

const outboundAud = "https://stackd-outbound.example.invalid"

// rawToken calls GetWebIdentityToken as the root user with a query body of its own
// (inputs the SDK would refuse to send) and returns the status and error.
func (e *env) rawToken(region string, form url.Values) (int, string, string) {
	e.Helper()
	form.Set("Action", "GetWebIdentityToken")
	form.Set("Version", "2011-06-15")
	body := form.Encode()
	req, _ := http.NewRequest("POST", e.p.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: apptest.RootSecret}, req, hex.EncodeToString(sum[:]), "sts", region, time.Now()); err != nil {
		e.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error struct{ Code, Message string }
	}
	b, _ := io.ReadAll(resp.Body)
	xml.Unmarshal(b, &out)
	return resp.StatusCode, out.Error.Code, out.Error.Message
}

func tokenInput(aud ...string) *sts.GetWebIdentityTokenInput {
	return &sts.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("RS256")}
}

func stsTags(kv ...string) []ststypes.Tag {
	var out []ststypes.Tag
	for i := 0; i < len(kv); i += 2 {
		out = append(out, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

const (
	msgDisabled    = "OutboundWebIdentityFederation is disabled."
	msgUnsupported = "Requested SigningAlgorithm is not supported. See the GetWebIdentityToken documentation for supported algorithms"
)

// TestRecorded2026OutboundTokenInputs: outbound_identity.json's original_* cases,
// the input checks that come before the feature switch.
func TestRecorded2026OutboundTokenInputs(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("a", 1001)
	listConstraint := "' at 'audience' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1000, Member must have length greater than or equal to 1]"
	for _, c := range []struct {
		name   string
		form   url.Values
		code   string
		status int
		msg    string
	}{
		{"default", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"es384", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"ES384"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"RS384", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS384"}}, "ValidationError", 400, msgUnsupported},
		{"ES256", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"ES256"}}, "ValidationError", 400, msgUnsupported},
		{"HS256", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"HS256"}}, "ValidationError", 400, msgUnsupported},
		{"rs256", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"rs256"}}, "ValidationError", 400, msgUnsupported},
		{"empty", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {""}}, "ValidationError", 400,
			"1 validation error detected: Value '' at 'signingAlgorithm' failed to satisfy constraint: Member must have length greater than or equal to 5"},
		{"none", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"none"}}, "ValidationError", 400,
			"1 validation error detected: Value 'none' at 'signingAlgorithm' failed to satisfy constraint: Member must have length greater than or equal to 5"},
		{"RS256x", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256x"}}, "ValidationError", 400,
			"1 validation error detected: Value 'RS256x' at 'signingAlgorithm' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"missing_algorithm", url.Values{"Audience.member.1": {outboundAud}}, "ValidationError", 400,
			"1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null"},
		{"missing_audience", url.Values{"SigningAlgorithm": {"RS256"}}, "ValidationError", 400,
			"1 validation error detected: Value null at 'audience' failed to satisfy constraint: Member must not be null"},
		{"audience_space", url.Values{"Audience.member.1": {" "}, "SigningAlgorithm": {"RS256"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"audience_plain", url.Values{"Audience.member.1": {"not-a-url"}, "SigningAlgorithm": {"RS256"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"audience_duplicate", url.Values{"Audience.member.1": {outboundAud}, "Audience.member.2": {outboundAud}, "SigningAlgorithm": {"RS256"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"audience_unicode", url.Values{"Audience.member.1": {"https://\u4f8b.example.invalid"}, "SigningAlgorithm": {"RS256"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"duration_0", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "DurationSeconds": {"0"}}, "ValidationError", 400,
			"1 validation error detected: Value '0' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"duration_59", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "DurationSeconds": {"59"}}, "ValidationError", 400,
			"1 validation error detected: Value '59' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"duration_60", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "DurationSeconds": {"60"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"duration_3600", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "DurationSeconds": {"3600"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"duration_3601", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "DurationSeconds": {"3601"}}, "ValidationError", 400,
			"1 validation error detected: Value '3601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600"},
		{"tags_plain", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"test"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"tags_duplicate", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"one"}, "Tags.member.2.Key": {"team"}, "Tags.member.2.Value": {"two"}}, "InvalidParameterValue", 400,
			"Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"tags_case_duplicate", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"one"}, "Tags.member.2.Key": {"Team"}, "Tags.member.2.Value": {"two"}}, "InvalidParameterValue", 400,
			"Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"tags_reserved", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {"aws:team"}, "Tags.member.1.Value": {"test"}}, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled},
		{"tags_invalid_key", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {"<team>"}, "Tags.member.1.Value": {"test"}}, "ValidationError", 400,
			`1 validation error detected: Value '<team>' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"tags_long_key", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {strings.Repeat("k", 129)}, "Tags.member.1.Value": {"test"}}, "ValidationError", 400,
			"1 validation error detected: Value '" + strings.Repeat("k", 129) + "' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"tags_empty_key", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {""}, "Tags.member.1.Value": {"test"}}, "ValidationError", 400,
			`2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"tags_long_value", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}, "Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {strings.Repeat("v", 257)}}, "ValidationError", 400,
			"1 validation error detected: Value '" + strings.Repeat("v", 257) + "' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"audience_empty", url.Values{"Audience.member.1": {""}, "SigningAlgorithm": {"RS256"}}, "ValidationError", 400,
			"1 validation error detected: Value '[]" + listConstraint},
		{"audience_long", url.Values{"Audience.member.1": {long}, "SigningAlgorithm": {"RS256"}}, "ValidationError", 400,
			"1 validation error detected: Value '[" + long + "]" + listConstraint},
		{"audience_eleven", url.Values{"Audience.member.1": {"0"}, "Audience.member.2": {"1"}, "Audience.member.3": {"2"}, "Audience.member.4": {"3"},
			"Audience.member.5": {"4"}, "Audience.member.6": {"5"}, "Audience.member.7": {"6"}, "Audience.member.8": {"7"}, "Audience.member.9": {"8"},
			"Audience.member.10": {"9"}, "Audience.member.11": {"10"}, "SigningAlgorithm": {"RS256"}}, "ValidationError", 400,
			"1 validation error detected: Value '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]' at 'audience' failed to satisfy constraint: Member must have length less than or equal to 10"},
	} {
		status, code, msg := e.rawToken("us-east-1", c.form)
		if status != c.status || code != c.code || msg != c.msg {
			t.Errorf("%s: %d %s %q\nwant %d %s %q", c.name, status, code, msg, c.status, c.code, c.msg)
		}
	}
	// original_audience_empty_list: an empty list (the SDK sends "Audience=") is null.
	_, err := e.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{}, SigningAlgorithm: aws.String("RS256")})
	apptest.WantErr(t, err, "ValidationError", 400, "1 validation error detected: Value null at 'audience' failed to satisfy constraint: Member must not be null")
	// original_other_region: every Region answers alike.
	if _, code, _ := e.rawToken("eu-west-2", url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}}); code != "OutboundWebIdentityFederationDisabledException" {
		t.Errorf("eu-west-2: %s", code)
	}
}

// TestRecorded2026TagListOverFifty: outbound_identity.json's original_tags_fifty_one,
// where STS prints the list's items as its Java Tag class does ("Tag(key=0,
// value=test)"), not as the generic {Key=0, Value=test}. AssumeRole's and
// GetFederationToken's tag lists share the shape and the wording (inferred, not
// recorded).
func TestRecorded2026TagListOverFifty(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"Audience.member.1": {outboundAud}, "SigningAlgorithm": {"RS256"}}
	var kv, items []string
	for i := 0; i <= 50; i++ {
		n := strconv.Itoa(i)
		form.Set("Tags.member."+strconv.Itoa(i+1)+".Key", n)
		form.Set("Tags.member."+strconv.Itoa(i+1)+".Value", "test")
		kv = append(kv, n, "test")
		items = append(items, "Tag(key="+n+", value=test)")
	}
	want := "1 validation error detected: Value '[" + strings.Join(items, ", ") + "]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
	if status, code, msg := e.rawToken("us-east-1", form); status != 400 || code != "ValidationError" || msg != want {
		t.Errorf("GetWebIdentityToken: %d %s %q\nwant 400 ValidationError %q", status, code, msg, want)
	}
	_, err := e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/any"), RoleSessionName: aws.String("session"), Tags: stsTags(kv...)})
	apptest.WantErr(t, err, "ValidationError", 400, want)
	_, err = e.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed"), Tags: stsTags(kv...)})
	apptest.WantErr(t, err, "ValidationError", 400, want)
}

// outboundUser creates a user under /org-access/ as outbound_identity.json's
// fixtures are, with an inline policy (when given) and a key.
func (e *env) outboundUser(name, policy string) (clients, string) {
	e.Helper()
	user := "stackd-outbound-fixture-" + name
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user), Path: aws.String("/org-access/")})).User
	if policy != "" {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("ReportPermissions"), PolicyDocument: aws.String(policy)}))
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})).AccessKey
	return e.as(*k.AccessKeyId, *k.SecretAccessKey, ""), *u.Arn
}

// TestRecorded2026OutboundTokenAuthorization: outbound_identity.json's callers, all
// while the feature is off: a caller the action is denied to gets AccessDenied (on
// arn:aws:sts::ACCOUNT:self, with the action's condition keys), one allowed gets the
// feature's refusal.
func TestRecorded2026OutboundTokenAuthorization(t *testing.T) {
	e := newEnv(t)
	self := "arn:aws:sts::" + account + ":self"
	deniedMsg := func(arn, action, why string) string {
		return "User: " + arn + " is not authorized to perform: " + action + " on resource: " + self + " " + why
	}
	noGrants, noGrantsARN := e.outboundUser("no_grants", "")
	plain, plainARN := e.outboundUser("plain", doc(allow("iam:GetOutboundWebIdentityFederationInfo", "*"), allow("sts:GetWebIdentityToken", "*")))
	tagged, taggedARN := e.outboundUser("tagged", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken","sts:GetFederationToken"],"Resource":"*"}]}`)
	denied, deniedARN := e.outboundUser("denied", doc(allow("sts:*", "*"), deny("sts:GetWebIdentityToken", "*")))
	scopedUser, scopedUserARN := e.outboundUser("scoped_user", "")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("stackd-outbound-fixture-scoped_user"), PolicyName: aws.String("ReportPermissions"),
		PolicyDocument: aws.String(doc(allow("sts:GetWebIdentityToken", scopedUserARN)))}))
	scopedSelf, _ := e.outboundUser("scoped_self", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken"],"Resource":"`+self+`"}]}`)
	cond, condARN := e.outboundUser("condition", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*","Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":["`+outboundAud+`"]},"StringEquals":{"sts:SigningAlgorithm":"RS256"},"NumericEquals":{"sts:DurationSeconds":"300"}}}]}`)
	tagCond, tagCondARN := e.outboundUser("tag_condition", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"},{"Effect":"Allow","Action":"sts:TagGetWebIdentityToken","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"test"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`)
	boundary, boundaryARN := e.outboundUser("boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken"],"Resource":"*"}]}`)
	pol := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("stackd-outbound-fixture-boundary"), PolicyDocument: aws.String(doc(allow("iam:GetUser", "*")))})).Policy
	must(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("stackd-outbound-fixture-boundary"), PermissionsBoundary: pol.Arn}))

	withTags := func(in *sts.GetWebIdentityTokenInput, kv ...string) *sts.GetWebIdentityTokenInput {
		in.Tags = stsTags(kv...)
		return in
	}
	es384 := tokenInput(outboundAud)
	es384.SigningAlgorithm = aws.String("ES384")
	d300, d301 := tokenInput(outboundAud), tokenInput(outboundAud)
	d300.DurationSeconds, d301.DurationSeconds = aws.Int32(300), aws.Int32(301)
	noIdentity := "because no identity-based policy allows the "
	for _, c := range []struct {
		name string
		c    clients
		in   *sts.GetWebIdentityTokenInput
		msg  string // "" for the feature's refusal
	}{
		{"no_grants_token", noGrants, tokenInput(outboundAud), deniedMsg(noGrantsARN, "sts:GetWebIdentityToken", noIdentity+"sts:GetWebIdentityToken action")},
		{"plain_token", plain, tokenInput(outboundAud), ""},
		{"tagged_token", tagged, tokenInput(outboundAud), ""},
		{"denied_token", denied, tokenInput(outboundAud), deniedMsg(deniedARN, "sts:GetWebIdentityToken", "with an explicit deny in an identity-based policy")},
		{"scoped_user_token", scopedUser, tokenInput(outboundAud), deniedMsg(scopedUserARN, "sts:GetWebIdentityToken", noIdentity+"sts:GetWebIdentityToken action")},
		{"scoped_self_token", scopedSelf, tokenInput(outboundAud), ""},
		{"condition_token", cond, tokenInput(outboundAud), ""},
		{"tag_condition_token", tagCond, tokenInput(outboundAud), ""},
		{"boundary_token", boundary, tokenInput(outboundAud), deniedMsg(boundaryARN, "sts:GetWebIdentityToken", "because no permissions boundary allows the sts:GetWebIdentityToken action")},
		{"plain_with_tags", plain, withTags(tokenInput(outboundAud), "team", "test"), deniedMsg(plainARN, "sts:TagGetWebIdentityToken", noIdentity+"sts:TagGetWebIdentityToken action")},
		{"tagged_with_tags", tagged, withTags(tokenInput(outboundAud), "team", "test"), ""},
		{"scoped_self_with_tags", scopedSelf, withTags(tokenInput(outboundAud), "team", "test"), ""},
		{"tag_condition_with_tags", tagCond, withTags(tokenInput(outboundAud), "team", "test"), ""},
		{"condition_matching_explicit", cond, d300, ""},
		{"condition_audience_denied", cond, tokenInput("other"), deniedMsg(condARN, "sts:GetWebIdentityToken", noIdentity+"sts:GetWebIdentityToken action")},
		{"condition_algorithm_denied", cond, es384, deniedMsg(condARN, "sts:GetWebIdentityToken", noIdentity+"sts:GetWebIdentityToken action")},
		{"condition_duration_denied", cond, d301, deniedMsg(condARN, "sts:GetWebIdentityToken", noIdentity+"sts:GetWebIdentityToken action")},
		{"tag_condition_wrong_value", tagCond, withTags(tokenInput(outboundAud), "team", "other"), deniedMsg(tagCondARN, "sts:TagGetWebIdentityToken", noIdentity+"sts:TagGetWebIdentityToken action")},
		{"tag_condition_wrong_key", tagCond, withTags(tokenInput(outboundAud), "extra", "test"), deniedMsg(tagCondARN, "sts:TagGetWebIdentityToken", noIdentity+"sts:TagGetWebIdentityToken action")},
	} {
		_, err := c.c.sts.GetWebIdentityToken(ctx, c.in)
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.msg == "" {
			if ae.ErrorCode() != "OutboundWebIdentityFederationDisabledException" || ae.ErrorMessage() != msgDisabled {
				t.Errorf("%s: %s %s", c.name, ae.ErrorCode(), ae.ErrorMessage())
			}
		} else if ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != c.msg {
			t.Errorf("%s: %s %q\nwant %q", c.name, ae.ErrorCode(), ae.ErrorMessage(), c.msg)
		}
	}

	// get_session_token_caller: a GetSessionToken session may ask; a federated user
	// may not (federation_token_caller).
	gst := must(tagged.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})).Credentials
	_, err := e.session(gst).sts.GetWebIdentityToken(ctx, tokenInput(outboundAud))
	apptest.WantErr(t, err, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled)
	fed := must(tagged.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("outbound-probe"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(doc(allow("sts:GetWebIdentityToken", "*")))})).Credentials
	_, err = e.session(fed).sts.GetWebIdentityToken(ctx, tokenInput(outboundAud))
	apptest.WantErr(t, err, "AccessDenied", 403, "GetWebIdentityToken does not support federated user sessions")

	// role_default, role_exceeds_remaining_duration, role_session_denied_default.
	roleARN := e.role(e.iam, "stackd-outbound-fixture-role", doc(trust(awsPrincipal(taggedARN), "sts:AssumeRole", "")),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken"],"Resource":"*"}]}`)
	role := e.session(must(tagged.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("role"), DurationSeconds: aws.Int32(900)})).Credentials)
	_, err = role.sts.GetWebIdentityToken(ctx, tokenInput(outboundAud))
	apptest.WantErr(t, err, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled)
	long := tokenInput(outboundAud)
	long.DurationSeconds = aws.Int32(3600)
	_, err = role.sts.GetWebIdentityToken(ctx, long)
	apptest.WantErr(t, err, "SessionDurationEscalationException", 403, "Requested token expiry time must be before the original session's expiry time.")
	limited := e.session(must(tagged.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("role_session_denied"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(doc(deny("sts:GetWebIdentityToken", "*")))})).Credentials)
	_, err = limited.sts.GetWebIdentityToken(ctx, tokenInput(outboundAud))
	apptest.WantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::"+account+":assumed-role/stackd-outbound-fixture-role/role_session_denied is not authorized to perform: sts:GetWebIdentityToken on resource: "+self+" with an explicit deny in a session policy")
}

// verifyToken checks a token's signature against the key set the issuer publishes
// (fetched without credentials, as a relying party does) and returns its header and
// claims.
func verifyToken(t testing.TB, issuer, token string, alg jose.SignatureAlgorithm) (jose.Header, map[string]any) {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	err = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the issuer's key set", h.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return h, claims
}

// TestRecorded2026OutboundTokenIssuance: outbound_issuance.json, tokens signed once
// the account enabled the feature, verified against the JWKS Palisade serves.
func TestRecorded2026OutboundTokenIssuance(t *testing.T) {
	e := newEnv(t)
	issuer := aws.ToString(must(e.iam.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})).IssuerIdentifier)
	perms := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken"],"Resource":"*"}]}`
	user, userARN := e.outboundUser("issuer", perms)
	must(e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("stackd-outbound-fixture-issuer"), Tags: []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("platform")}}}))

	for _, c := range []struct {
		name, alg, kid string
		aud            []string
		tags           []ststypes.Tag
		wantAud        any
	}{
		{"user_rs256", "RS256", "RSA_0", []string{outboundAud}, nil, outboundAud},
		{"user_es384", "ES384", "EC384_0", []string{outboundAud}, nil, outboundAud},
		{"multiple_audience", "RS256", "RSA_0", []string{"one", "two"}, nil, []any{"one", "two"}},
		{"duplicate_audience", "RS256", "RSA_0", []string{"one", "one"}, nil, []any{"one", "one"}},
		{"request_tags", "RS256", "RSA_0", []string{outboundAud}, stsTags("Team", "request", "aws:test", "reserved"), outboundAud},
	} {
		before := time.Now().Add(-time.Second)
		out := must(user.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: c.aud, SigningAlgorithm: aws.String(c.alg), DurationSeconds: aws.Int32(60), Tags: c.tags}))
		h, claims := verifyToken(t, issuer, aws.ToString(out.WebIdentityToken), jose.SignatureAlgorithm(c.alg))
		if h.KeyID != c.kid || h.Algorithm != c.alg || h.ExtraHeaders["typ"] != "JWT" {
			t.Errorf("%s: header %+v", c.name, h)
		}
		got, _ := json.Marshal(claims["aud"])
		want, _ := json.Marshal(c.wantAud)
		if string(got) != string(want) || claims["sub"] != userARN || claims["iss"] != issuer {
			t.Errorf("%s: aud %s sub %v iss %v", c.name, got, claims["sub"], claims["iss"])
		}
		iat, exp := int64(claims["iat"].(float64)), int64(claims["exp"].(float64))
		if exp-iat != 60 || iat < before.Unix() || out.Expiration.Unix() != exp || claims["jti"] == "" {
			t.Errorf("%s: iat %d exp %d expiration %v jti %v", c.name, iat, exp, out.Expiration, claims["jti"])
		}
		aws_ := claims["https://sts.amazonaws.com/"].(map[string]any)
		if aws_["aws_account"] != account || aws_["source_region"] != "us-east-1" || aws_["principal_id"] != userARN {
			t.Errorf("%s: %v", c.name, aws_)
		}
		if pt, _ := json.Marshal(aws_["principal_tags"]); string(pt) != `{"Team":"platform"}` {
			t.Errorf("%s: principal_tags %s", c.name, pt)
		}
		rt, _ := json.Marshal(aws_["request_tags"])
		if c.tags != nil && string(rt) != `{"Team":"request","aws:test":"reserved"}` || c.tags == nil && aws_["request_tags"] != nil {
			t.Errorf("%s: request_tags %s", c.name, rt)
		}
	}

	// A role session's token names the role (its principal_id, and sub as AWS's
	// claims guide shows), its tags with the session's over them, and when the
	// session ends (max_payload's claims).
	roleARN := *must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("stackd-outbound-fixture-role"), Path: aws.String("/outbound/"),
		Tags:                     []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("role")}, {Key: aws.String("untouched"), Value: aws.String("retained")}},
		AssumeRolePolicyDocument: aws.String(doc(trust(awsPrincipal(userARN), "sts:AssumeRole", ""), trust(awsPrincipal(userARN), "sts:TagSession", "")))})).Role.Arn
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("stackd-outbound-fixture-role"), PolicyName: aws.String("Outbound"), PolicyDocument: aws.String(perms)}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("stackd-outbound-fixture-issuer"), PolicyName: aws.String("Assume"),
		PolicyDocument: aws.String(doc(allow("sts:AssumeRole", roleARN), allow("sts:TagSession", roleARN)))}))
	ar := must(user.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("role_session"), DurationSeconds: aws.Int32(900),
		Tags: stsTags("team", "session")}))
	role := e.session(ar.Credentials)
	out := must(role.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{outboundAud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(60)}))
	_, claims := verifyToken(t, issuer, aws.ToString(out.WebIdentityToken), jose.RS256)
	aws_ := claims["https://sts.amazonaws.com/"].(map[string]any)
	pt, _ := json.Marshal(aws_["principal_tags"])
	if claims["sub"] != roleARN || aws_["principal_id"] != roleARN || string(pt) != `{"team":"session","untouched":"retained"}` ||
		aws_["original_session_exp"] != ar.Credentials.Expiration.UTC().Format("2006-01-02T15:04:05Z") {
		t.Errorf("role session claims: sub %v %v", claims["sub"], aws_)
	}

	// In an organization, the token names it and the account's place in it, as the
	// recorded tokens do ("org_id": "o-…", "ou_path": ["o-…/r-…/"]).
	orgID := *must(organizations.NewFromConfig(e.p.RootConfig()).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"})).Organization.Id
	out = must(user.sts.GetWebIdentityToken(ctx, tokenInput(outboundAud)))
	_, claims = verifyToken(t, issuer, aws.ToString(out.WebIdentityToken), jose.RS256)
	aws_ = claims["https://sts.amazonaws.com/"].(map[string]any)
	ou, _ := json.Marshal(aws_["ou_path"])
	if aws_["org_id"] != orgID || !strings.HasPrefix(string(ou), `["`+orgID+`/r-`) || !strings.HasSuffix(string(ou), `/"]`) {
		t.Errorf("organization claims: %v %s", aws_["org_id"], ou)
	}
	// No DurationSeconds: 300 seconds (the API reference's default).
	if d := claims["exp"].(float64) - claims["iat"].(float64); d != 300 {
		t.Errorf("default lifetime %v", d)
	}

	// max_payload: ten audiences of 1,000 characters and fifty tags of the longest
	// keys and values make a payload AWS refuses.
	var aud []string
	for i := range 10 {
		aud = append(aud, strings.Repeat("a", 999)+strconv.Itoa(i))
	}
	var big []string
	for i := range 50 {
		k := strconv.Itoa(i)
		big = append(big, k+strings.Repeat("k", 128-len(k)), strings.Repeat("v", 256))
	}
	_, err := user.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(60), Tags: stsTags(big...)})
	apptest.WantErr(t, err, "JWTPayloadSizeExceededException", 400, "JWT payload exceeds maximum allowed size")

	// The token is a bearer credential: CloudTrail records the call, never the token
	// (the model marks it sensitive, as AWS leaves such members out).
	evs := must(cloudtrail.NewFromConfig(e.p.RootConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetWebIdentityToken")}}})).Events
	if len(evs) == 0 {
		t.Fatal("GetWebIdentityToken not recorded")
	}
	for _, ev := range evs {
		if strings.Contains(*ev.CloudTrailEvent, "eyJ") {
			t.Fatalf("a token in CloudTrail: %s", *ev.CloudTrailEvent)
		}
	}

	// Disabled again, tokens stop at once (AWS took seconds to propagate the switch:
	// outbound_lifecycle.json, disable_propagation) and the keys stay published.
	must(e.iam.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{}))
	_, err = user.sts.GetWebIdentityToken(ctx, tokenInput(outboundAud))
	apptest.WantErr(t, err, "OutboundWebIdentityFederationDisabledException", 403, msgDisabled)
	verifyToken(t, issuer, aws.ToString(out.WebIdentityToken), jose.RS256)
}
