package cloudtrail_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/app/apptest"
)

// An organization trail is the management account's, needs CloudTrail's trusted
// access in Organizations, and records every member account's calls under
// AWSLogs/o-ID/ACCOUNT/.
func TestOrganizationTrail(t *testing.T) {
	e := newEnv(t)
	e.bucket("org-logs")
	org := organizations.NewFromConfig(e.p.RootConfig())
	create := func() (*cloudtrail.CreateTrailOutput, error) {
		return e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("org-logs"),
			IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true)})
	}
	_, err := create()
	apptest.WantErr(t, err, "OrganizationsNotInUseException", 400, "")
	o := apptest.Must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})).Organization
	_, err = create()
	apptest.WantErr(t, err, "CloudTrailAccessNotEnabledException", 400, "")
	apptest.Must(org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}))
	out := apptest.Must(create())
	if !aws.ToBool(out.IsOrganizationTrail) {
		t.Fatalf("CreateTrail %+v", out)
	}
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org")}))

	// A member account's administrator makes a call; the trail records it.
	st := apptest.Must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("m"), Email: aws.String("m@example.com")})).CreateAccountStatus
	member := *apptest.Must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	apptest.Must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	k := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	c := apptest.Must(sts.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("ops")})).Credentials
	memberIAM := iam.NewFromConfig(e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	apptest.Must(memberIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("in-member")}))
	e.advance(5 * time.Minute)

	var found bool
	for key, recs := range records(t, e.files()) {
		for _, r := range recs {
			if r["eventName"] == "CreateUser" && r["recipientAccountId"] == member {
				found = true
				if !strings.Contains(key, "AWSLogs/"+*o.Id+"/"+member+"/CloudTrail/") {
					t.Errorf("member's record in %s", key)
				}
			}
		}
	}
	if !found {
		t.Fatal("the member account's CreateUser is not in the organization trail")
	}

	// Trusted access withdrawn: the trail can no longer be updated as an organization
	// trail.
	apptest.Must(org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}))
	_, err = e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("org"), IsOrganizationTrail: aws.Bool(true)})
	apptest.WantErr(t, err, "CloudTrailAccessNotEnabledException", 400, "")
}

// A member account that leaves the organization: the organization trail keeps the
// calls it made as a member, its LeaveOrganization included, although they are
// delivered after it left, and logs none of its later calls.
func TestOrganizationTrailAfterLeaving(t *testing.T) {
	e := newEnv(t)
	e.bucket("org-logs")
	org := organizations.NewFromConfig(e.p.RootConfig())
	o := apptest.Must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})).Organization
	apptest.Must(org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}))
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("org-logs"),
		IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org")}))
	st := apptest.Must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("m"), Email: aws.String("m@example.com")})).CreateAccountStatus
	member := *apptest.Must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId
	// A created account may leave four days on, once it has a standalone account's
	// information (the admin API stands for the sign-up steps).
	e.advance(4 * 24 * time.Hour)
	req, _ := http.NewRequest("POST", e.p.URL+"/_palisade/organizations/standalone?account="+member, nil)
	req.Header.Set("Authorization", "Bearer "+apptest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("standalone: %v %v", resp, err)
	}
	resp.Body.Close()

	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	apptest.Must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	k := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	c := apptest.Must(sts.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("ops")})).Credentials
	cfg := e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	memberIAM := iam.NewFromConfig(cfg)
	apptest.Must(memberIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("as-member")}))
	apptest.Must(organizations.NewFromConfig(cfg).LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{}))
	apptest.Must(memberIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("standalone")}))
	e.advance(5 * time.Minute)

	logged := map[string]bool{}
	for key, recs := range records(t, e.files()) {
		for _, r := range recs {
			if r["recipientAccountId"] != member {
				continue
			}
			if !strings.Contains(key, "AWSLogs/"+*o.Id+"/"+member+"/CloudTrail/") {
				t.Errorf("member's record in %s", key)
			}
			name, _ := r["eventName"].(string)
			if u, ok := r["requestParameters"].(map[string]any); ok && u["userName"] != nil {
				name += " " + u["userName"].(string)
			}
			logged[name] = true
		}
	}
	if !logged["CreateUser as-member"] || !logged["LeaveOrganization"] || logged["CreateUser standalone"] {
		t.Fatalf("the organization trail logged the member's %v", logged)
	}
}
