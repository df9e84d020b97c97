package organizations_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

const (
	fourDays        = 4 * 24 * time.Hour
	waitMsg         = "This operation requires a wait period.  Try again later."
	prerequisiteMsg = "The member account is missing one or more of the prerequisites required to operate as a standalone account. To add what is missing, sign-in to the member account using the AWS Organizations console, then select to leave the organization. You will then be prompted to enter any missing information."
	masterMsg       = "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account."
)

// lastRecord is the last CloudTrail record of an operation delivered to an account.
func lastRecord(t *testing.T, p *apptest.Palisade, account, name string) map[string]any {
	t.Helper()
	var out map[string]any
	err := p.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(e *store.Event) bool {
			if e.Source != audit.Source || e.Account != account {
				return true
			}
			var r map[string]any
			if err := json.Unmarshal(e.Data, &r); err == nil && r["eventName"] == name {
				out = r
			}
			return true
		})
	})
	if err != nil || out == nil {
		t.Fatalf("no %s record of %s: %v", name, account, err)
	}
	return out
}

// A member account leaves its organization: not before four days, not before it has
// what a standalone account needs, not while an SCP denies it; afterwards no SCP
// applies to it, it is in no organization, its attachments are gone, and the
// management account's access role stays in it.
func TestLeaveOrganization(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	pol := e.scp("no-users", doc(`{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}`))
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(dev)}))
	m := e.session(must(accessRole(admin, dev, "s1")).Credentials)
	_, err := m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before")})
	wantErr(t, err, "AccessDenied", 403, "")

	leave := func(c clients) error {
		_, err := c.org.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
		return err
	}
	wantErr(t, leave(e.clients()), "MasterCannotLeaveOrganizationException", 400, masterMsg)
	err = leave(m)
	wantErr(t, err, "ConstraintViolationException", 400, waitMsg)
	wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonWaitPeriodActive)
	e.p.AdvanceClock(fourDays)
	m = e.session(must(accessRole(admin, dev, "s2")).Credentials)
	err = leave(m)
	wantErr(t, err, "ConstraintViolationException", 400, prerequisiteMsg)
	wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonAccountCannotLeaveWithoutPhoneVerification)
	e.adminJSON("POST", "/_palisade/organizations/standalone?account="+mgmt, http.StatusNotFound)
	e.adminJSON("POST", "/_palisade/organizations/standalone?account="+dev, http.StatusOK)
	// The management account can keep a member in with an SCP.
	stay := e.scp("stay", doc(`{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}`))
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(stay), TargetId: aws.String(dev)}))
	wantErr(t, leave(m), "AccessDeniedException", 400, "User: arn:aws:sts::"+dev+":assumed-role/OrganizationAccountAccessRole/s2 is not authorized to perform: organizations:LeaveOrganization on resource: * with an explicit deny in a service control policy: "+
		*must(e.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(stay)})).Policy.PolicySummary.Arn)
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(stay), TargetId: aws.String(dev)}))

	noErr(t, leave(m))
	rec := lastRecord(t, e.p, dev, "LeaveOrganization")
	if rec["eventSource"] != "organizations.amazonaws.com" || rec["awsRegion"] != "us-east-1" || rec["eventType"] != "AwsApiCall" || rec["readOnly"] != false ||
		rec["requestParameters"] != nil || rec["responseElements"] != nil || rec["errorCode"] != nil {
		t.Errorf("LeaveOrganization record %v", rec)
	}
	// Out of the organization: no SCP applies any more.
	must(m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after")}))
	_, err = m.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization.")
	wantErr(t, leave(m), "AWSOrganizationsNotInUseException", 400, "")
	for _, a := range must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts {
		if *a.Id == dev {
			t.Fatalf("%s still listed", dev)
		}
	}
	_, err = e.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(dev)})
	wantErr(t, err, "AccountNotFoundException", 400, "")
	_, err = e.org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(dev)})
	wantErr(t, err, "AccountNotFoundException", 400, "")
	if ts := must(e.org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(pol)})).Targets; len(ts) != 0 {
		t.Fatalf("targets of the departed account's SCP: %+v", ts)
	}
	must(e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pol)}))
	// The role the organization made stays, and still trusts the management account.
	m = e.session(must(accessRole(admin, dev, "s3")).Credentials)
	// A standalone account may start an organization of its own.
	o := must(m.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).Organization
	if *o.MasterAccountId != dev {
		t.Fatalf("new organization %+v", o)
	}
	checkStore(t, e.p)
}

// The management account removes a member: only it may, never itself; the removed
// account's RCPs stop applying with its membership.
func TestRemoveAccountFromOrganization(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	ops := e.member("ops")
	admin := e.admin()
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	remove := func(c clients, id string) error {
		_, err := c.org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(id)})
		return err
	}
	m := e.session(must(accessRole(admin, ops, "s1")).Credentials)
	wantErr(t, remove(m, dev), "AccessDeniedException", 400, "You don't have permissions to access this resource.")
	wantErr(t, remove(m, ops), "AccessDeniedException", 400, "You don't have permissions to access this resource.")
	wantErr(t, remove(e.clients(), mgmt), "MasterCannotLeaveOrganizationException", 400, masterMsg)
	wantErr(t, remove(e.clients(), "111111111111"), "AccountNotFoundException", 400, "")
	err := remove(e.clients(), dev)
	wantErr(t, err, "ConstraintViolationException", 400, waitMsg)
	wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonWaitPeriodActive)
	e.p.AdvanceClock(fourDays)
	err = remove(e.clients(), dev)
	wantErr(t, err, "ConstraintViolationException", 400, prerequisiteMsg)
	wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonAccountCannotLeaveWithoutPhoneVerification)

	// An RCP keeps the management account out of the member's roles.
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	rcp := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("own-only"), Type: orgtypes.PolicyTypeResourceControlPolicy, Description: aws.String("d"),
		Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + dev + `"}}}`))})).Policy.PolicySummary
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp.Id, TargetId: aws.String(dev)}))
	_, err = accessRole(admin, dev, "s2")
	wantErr(t, err, "AccessDenied", 403, "")

	e.adminJSON("POST", "/_palisade/organizations/standalone?account="+dev, http.StatusOK)
	noErr(t, remove(e.clients(), dev))
	rec := lastRecord(t, e.p, mgmt, "RemoveAccountFromOrganization")
	if got, _ := json.Marshal(rec["requestParameters"]); string(got) != `{"accountId":"`+dev+`"}` || rec["responseElements"] != nil || rec["errorCode"] != nil {
		t.Errorf("RemoveAccountFromOrganization record %v", rec)
	}
	// The RCP went with the membership; the access role stayed.
	d := e.session(must(accessRole(admin, dev, "s3")).Credentials)
	_, err = d.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", 400, "")
	if ts := must(e.org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: rcp.Id})).Targets; len(ts) != 0 {
		t.Fatalf("targets of the removed account's RCP: %+v", ts)
	}
	accts := must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts
	if len(accts) != 2 || strings.Contains(*accts[0].Id+*accts[1].Id, dev) {
		t.Fatalf("accounts %+v", accts)
	}
	// Its CreateAccount request stays, with the organization's other requests.
	sts := must(e.org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})).CreateAccountStatuses
	if len(sts) != 2 || *sts[0].AccountId != dev || sts[0].State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("create-account requests %+v", sts)
	}
	// ops has been a member four days too, but needs the sign-up steps of its own.
	err = remove(e.clients(), ops)
	wantReason(t, err, orgtypes.ConstraintViolationExceptionReasonAccountCannotLeaveWithoutPhoneVerification)
	checkStore(t, e.p)
}

// clients are the root user's of the management account.
func (e *env) clients() clients { return clients{e.org, e.iam, e.sts} }

// RemoveAccountFromOrganization racing calls that attach a policy to the account or
// move it: either the account leaves with nothing of it left behind, or the other
// call comes first and is undone by the departure.
func TestRemoveRacingAttachAndMove(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	ou := e.newOU(root, "ou")
	pol := e.scp("p", denySome)
	var accts []string
	for i := range 6 {
		accts = append(accts, e.member(fmt.Sprint("m", i)))
	}
	e.p.AdvanceClock(fourDays)
	for i, a := range accts {
		e.adminJSON("POST", "/_palisade/organizations/standalone?account="+a, http.StatusOK)
		other := func() error {
			_, err := e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(a)})
			return err
		}
		if i%2 == 1 {
			other = func() error {
				_, err := e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(a), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)})
				return err
			}
		}
		errs := run(func() error {
			_, err := e.org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(a)})
			return err
		}, other)
		if errs[0] != nil || errCode(errs[1]) != "" && errCode(errs[1]) != "TargetNotFoundException" && errCode(errs[1]) != "AccountNotFoundException" {
			t.Fatalf("remove|other: %v | %v", errs[0], errs[1])
		}
		// Its CreateAccount request stays, with the organization's other requests.
		if m := mentions(t, e.p, a); len(m) != 1 || !strings.HasPrefix(m[0], "create-statuses ") {
			t.Fatalf("removed account %s left %v", a, m)
		}
	}
	checkStore(t, e.p)
}
