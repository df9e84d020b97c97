package policy

import (
	"errors"
	"strings"
	"testing"
)

// One case per MalformedPolicyDocument message IAM returns. The messages are IAM's
// own, as seen in real API errors (GitHub issues of terraform-provider-aws, kops,
// cfn-lint, aws-health-aware...) and reproduced by moto's policy_validation.
func TestMalformedPolicyDocumentMessages(t *testing.T) {
	const v = `"Version":"2012-10-17",`
	cases := []struct {
		name string
		kind Kind
		doc  string
		code string
		msg  string
	}{
		{"invalid JSON", KindManaged, `{` + v + `"Statement":[}`, "MalformedPolicyDocument", MsgSyntax},
		{"duplicate key", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgSyntax},
		{"unknown top-level element", KindManaged, `{` + v + `"Statements":[]}`, "MalformedPolicyDocument", MsgSyntax},
		{"missing Statement", KindManaged, `{` + v + `"Id":"x"}`, "MalformedPolicyDocument", MsgSyntax},
		{"unknown version", KindManaged, `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgSyntax},
		{"Action and NotAction", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"ec2:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgSyntax},
		{"bad Effect", KindManaged, `{` + v + `"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgSyntax},
		{"Effect wrong case", KindManaged, `{` + v + `"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgLegacy},
		{"non-ASCII beyond U+00FF", KindManaged, `{` + v + `"Statement":{"Sid":"ā","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgSyntax},
		{"condition key without operator (cfn-lint #3751)", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"servicecatalog:*","Resource":"*","Condition":{"servicecatalog:accountLevel":"self"}}}`, "MalformedPolicyDocument", MsgSyntax},
		{"null document (iamy #74)", KindManaged, `null`, "MalformedPolicyDocument", MsgSyntax},
		{"unknown condition operator", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}}`, "MalformedPolicyDocument", MsgSyntax},
		{"managed policy without version", KindManaged, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgVersion},
		{"bad date value", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}}}`, "MalformedPolicyDocument", MsgLegacy},
		{"short ARN with ::", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::bucket"}}`, "MalformedPolicyDocument", MsgLegacy},
		{"duplicate Sid", KindManaged, `{` + v + `"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument", MsgSidUnique},
		{"Sid not alphanumeric", KindManaged, `{` + v + `"Statement":{"Sid":"my-sid","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgSidAlnum},
		{"no actions", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Resource":"*"}}`, "MalformedPolicyDocument", MsgNoActions},
		{"empty action list", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "MalformedPolicyDocument", MsgNoActions},
		{"no resources", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*"}}`, "MalformedPolicyDocument", MsgNoResources},
		{"resource not an ARN", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, "MalformedPolicyDocument", MsgResourceFormat("bucket")},
		{"unknown partition", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-mars:s3:::b"}}`, "MalformedPolicyDocument", MsgPartition("aws-mars", "arn:aws-mars:s3:::b")},
		{"resource vendor missing", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws"}}`, "MalformedPolicyDocument", MsgResourceVendor},
		{"IAM resource with region", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:us-east-1:111122223333:user/a"}}`, "MalformedPolicyDocument", MsgIAMRegion("arn:aws:iam:us-east-1:111122223333:user/a")},
		{"IAM resource of unknown type", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::111122223333:widget/a"}}`, "MalformedPolicyDocument", MsgIAMPath},
		{"S3 resource with region", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1::b"}}`, "MalformedPolicyDocument", MsgS3Region("arn:aws:s3:us-east-1::b")},
		{"action without vendor", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, "MalformedPolicyDocument", MsgVendor},
		{"condition key without vendor in a bucket policy", KindResource, `{` + v + `"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}}`, "MalformedPolicyDocument", MsgVendor},
		{"Effect wrong case without Version (recorded: Version first)", KindManaged, `{"Statement":{"Effect":"denY","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgVersion},
		{"Effect wrong case before duplicate Sid (recorded)", KindManaged, `{` + v + `"Statement":[{"Sid":"a","Effect":"aLLow","Action":"s3:*","Resource":"*"},{"Sid":"a","Effect":"Allow"}]}`, "MalformedPolicyDocument", MsgLegacy},
		{"ARN with empty service (recorded)", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws::::b"}}`, "MalformedPolicyDocument", MsgLegacy},
		{"unknown partition before legacy ARN (recorded)", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"aws:s3:::b"}}`, "MalformedPolicyDocument", MsgPartition("s3", "arn:s3:::b:*")},
		{"action with two colons", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}}`, "MalformedPolicyDocument", MsgOneColon},
		{"invalid vendor", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s_3:GetObject","Resource":"*"}}`, "MalformedPolicyDocument", MsgVendorInvalid("s_3")},
		{"Principal in identity policy", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgPrincipalForbid},
		{"Principal in SCP", KindSCP, `{` + v + `"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgPrincipalForbid},
		{"no Principal in bucket policy", KindResource, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "MalformedPolicyDocument", MsgPrincipalMissing},
		{"Resource in trust policy", KindTrust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, "MalformedPolicyDocument", MsgResourceForbid},
		{"trust policy action", KindTrust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}}`, "MalformedPolicyDocument", MsgTrustActions},
		{"wildcard principal ARN in trust policy", KindTrust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app*"},"Action":"sts:AssumeRole"}}`, "MalformedPolicyDocument", MsgWildcardPrinc},
		{"managed policy too large", KindManaged, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("a", 6100) + `"}}`, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144"},
		{"user inline policy too large", KindUserInline, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("a", 2000) + `"}}`, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded."},
		{"session policy too large", KindSession, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("a", 2000) + `"}}`, "LimitExceeded", "Member must have length less than or equal to 2048"},
		{"SCP counts whitespace", KindSCP, `{` + v + `"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}` + strings.Repeat(" ", 5100), "LimitExceeded", "Cannot exceed quota for PolicySize: 5120"},
		{"trust policy too large", KindTrust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"Service":"` + strings.Repeat("a", 2048) + `"},"Action":"sts:AssumeRole"}}`, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.kind, "p", []byte(c.doc))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want %s: %s", err, c.code, c.msg)
			}
			if pe.Code != c.code || pe.Message != c.msg {
				t.Fatalf("got %s: %q\nwant %s: %q", pe.Code, pe.Message, c.code, c.msg)
			}
		})
	}
}

// Documents IAM accepts: both Statement forms, both versions where allowed, the
// Principal shapes of "AWS JSON policy elements: Principal", trust actions.
func TestValidDocuments(t *testing.T) {
	cases := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"statement object", KindManaged, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{"inline without version", KindUserInline, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		{"2008 version in a bucket policy", KindResource, `{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"a b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`},
		{"anonymous principal", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
		{"all principal kinds", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/a"],"Service":"lambda.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:*","Resource":"*"}]}`},
		{"trust policy", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/idp"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`},
		{"SCP with NotResource and conditions", KindSCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::b","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`},
		{"RCP", KindRCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-123"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`},
		{"all condition operators", KindManaged, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
			"ForAllValues:StringLikeIfExists":{"aws:TagKeys":["a*"]},"NumericLessThanEquals":{"s3:max-keys":10},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
			"Bool":{"aws:SecureTransport":true},"BinaryEquals":{"k:b":"QmluYXJ5"},"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},
			"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"},"Null":{"aws:TokenIssueTime":"true"}}}]}`},
		{"condition key without vendor in IAM (recorded)", KindManaged, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualsIfExists":{"a":"asf"}}}}`},
		{"account root as an IAM resource", KindUserInline, `{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::111122223333:root"}}`},
		{"size counts no whitespace", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}` + strings.Repeat(" \n", 3000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(c.kind, "p", []byte(c.doc)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Statement positions are what the IAM simulator reports for matched statements.
func TestStatementPositions(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}"
	p := MustParse(KindManaged, "p", doc)
	st := p.Document().Statements[0]
	if st.Start.Line != 4 || st.Start.Column != 5 || st.End.Line != 4 || st.End.Column != 59 {
		t.Fatalf("start %+v end %+v", st.Start, st.End)
	}
}

func TestSizeCounting(t *testing.T) {
	doc := []byte("{ \"a b\" : 1 }")
	if got := Size(doc, KindManaged); got != 9 { // {"a b":1}
		t.Fatalf("IAM size = %d, want 9", got)
	}
	if got := Size(doc, KindSCP); got != len(doc) {
		t.Fatalf("SCP size = %d, want %d: every character counts", got, len(doc))
	}
	if got := Size([]byte(`"é"`), KindSCP); got != 3 {
		t.Fatalf("size counts characters, got %d", got)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	src := `{"Version":"2012-10-17","Id":"i","Statement":{"Sid":"S1","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/a","111122223333"]},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"a:b":["x","y"],"a:c":true},"NumericLessThan":{"n:n":5}}}}`
	p, err := Parse(KindResource, "p", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := Marshal(p.Document())
	want := `{"Version":"2012-10-17","Id":"i","Statement":[{"Sid":"S1","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/a","111122223333"]},"NotAction":["s3:Get*"],"NotResource":["arn:aws:s3:::b/*"],"Condition":{"StringEquals":{"a:b":["x","y"],"a:c":["true"]},"NumericLessThan":{"n:n":["5"]}}}]}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	p2, err := Parse(KindResource, "p", out)
	if err != nil {
		t.Fatal(err)
	}
	if string(Marshal(p2.Document())) != want {
		t.Fatal("second round trip differs")
	}
}
