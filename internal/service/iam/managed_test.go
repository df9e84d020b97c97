package iam

import (
	"net/url"
	"strings"
	"testing"

	"github.com/palisade/palisade/internal/policy"
)

// engineRejects are AWS managed policies the policy engine refuses although IAM stores
// them: findings for the engine (it refuses any region in an S3 ARN, where S3 access
// grants and access points have one).
var engineRejects = map[string]bool{
	"arn:aws:iam::aws:policy/SageMakerStudioProjectRoleMachineLearningPolicy": true,
}

// Every AWS managed policy of the catalog is a valid managed-policy document for the
// engine (AWS's own exceed the customer size quota, so without it), but the known
// findings above.
func TestCatalogDocumentsParse(t *testing.T) {
	c := awsCatalog()
	if len(c.list) < 1500 {
		t.Fatalf("%d policies in the catalog", len(c.list))
	}
	for _, p := range c.list {
		_, err := policy.ParseWithoutQuota(policy.KindManaged, p.ARN, []byte(p.Document()))
		switch {
		case err != nil && !engineRejects[p.ARN]:
			t.Errorf("%s: %v", p.ARN, err)
		case err == nil && engineRejects[p.ARN]:
			t.Logf("%s now parses: drop it from engineRejects", p.ARN)
		}
		wantID := awsPolicyID(p.ARN)
		if r, ok := recordedAWSPolicies[p.ARN]; ok {
			wantID = r.id
		}
		if p.id != wantID || !uniqueIDPattern(p.id) || p.created.IsZero() {
			t.Errorf("%s: id %q created %v", p.ARN, p.id, p.created)
		}
	}
	for _, name := range []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit", "job-function/ViewOnlyAccess",
		"IAMFullAccess", "IAMReadOnlyAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AWSKeyManagementServicePowerUser",
		"AWSCloudTrail_FullAccess", "CloudWatchLogsFullAccess", "service-role/AWS_ConfigRole", "AmazonGuardDutyFullAccess", "AmazonMacieFullAccess"} {
		if awsManaged("arn:aws:iam::aws:policy/"+name) == nil {
			t.Errorf("%s missing", name)
		}
	}
}

func uniqueIDPattern(id string) bool {
	if len(id) != 21 {
		return false
	}
	for _, r := range id {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// Documents go out percent-encoded except for RFC 3986's unreserved characters, and
// come back through url.QueryUnescape (what the CLI and boto3 use); an encoded document
// sent in is decoded, a JSON one kept as is.
func TestDocumentEncoding(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/a+b~c\"}]}"
	enc := encodeDocument(doc)
	if want := "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22"; enc[:len(want)] != want {
		t.Fatalf("encoded %s", enc)
	}
	for _, c := range []string{"*", "+", " ", ":", "/"} {
		if strings.Contains(enc, c) {
			t.Errorf("%q left unencoded in %s", c, enc)
		}
	}
	if back, err := url.QueryUnescape(enc); err != nil || back != doc {
		t.Fatalf("round trip: %q %v", back, err)
	}
	if decodeDocument(enc) != doc || decodeDocument(doc) != doc || decodeDocument("%zz") != "%zz" {
		t.Fatal("decodeDocument")
	}
}
