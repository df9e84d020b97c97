package organizations_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// errCode is an API error's code, or the error's text for anything else ("" for
// success).
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// orgKinds are the kinds of record Organizations stores, each in the global
// namespace organizations///kind.
var orgKinds = []string{"orgs", "members", "ous", "policies", "attached", "policy-targets", "create-statuses"}

// storeRecords reads every Organizations record straight from the store: kind → key
// → value.
func storeRecords(t *testing.T, p *apptest.Palisade) map[string]map[string][]byte {
	t.Helper()
	out := map[string]map[string][]byte{}
	err := p.Store.View(context.Background(), func(tx *store.Tx) error {
		for _, kind := range orgKinds {
			out[kind] = map[string][]byte{}
			err := tx.Scan(store.NS("organizations", "", "", kind), "", 0, func(k string, v []byte) bool {
				out[kind][k] = append([]byte(nil), v...)
				return true
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mentions lists the stored records whose key or value names id.
func mentions(t *testing.T, p *apptest.Palisade, id string) []string {
	t.Helper()
	var out []string
	for kind, recs := range storeRecords(t, p) {
		for k, v := range recs {
			if strings.Contains(k, id) || strings.Contains(string(v), id) {
				out = append(out, kind+" "+k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// checkStore reads the store and checks that Organizations' records agree with each
// other: every record belongs to an organization that exists, every account and OU
// sits under a parent that exists, and every attachment is recorded both ways,
// between a policy and a target that exist.
func checkStore(t *testing.T, p *apptest.Palisade) {
	t.Helper()
	recs := storeRecords(t, p)
	type rec struct{ ID, Org, Parent, RootID string }
	read := func(kind string) map[string]rec {
		out := map[string]rec{}
		for k, v := range recs[kind] {
			var r rec
			if err := json.Unmarshal(v, &r); err != nil {
				t.Fatalf("%s %s: %v", kind, k, err)
			}
			out[k] = r
		}
		return out
	}
	orgs, members, units, pols := read("orgs"), read("members"), read("ous"), read("policies")
	parentOK := func(org, parent string) bool {
		if o, ok := orgs[org]; ok && parent == o.RootID {
			return true
		}
		u, ok := units[parent]
		return ok && u.Org == org
	}
	for id, m := range members {
		if _, ok := orgs[m.Org]; !ok || !parentOK(m.Org, m.Parent) {
			t.Errorf("account %s: organization %s, parent %s missing", id, m.Org, m.Parent)
		}
	}
	for id, u := range units {
		if _, ok := orgs[u.Org]; !ok || !parentOK(u.Org, u.Parent) {
			t.Errorf("OU %s: organization %s, parent %s missing", id, u.Org, u.Parent)
		}
	}
	for id, pol := range pols {
		if _, ok := orgs[pol.Org]; !ok {
			t.Errorf("policy %s: organization %s missing", id, pol.Org)
		}
	}
	for k := range recs["create-statuses"] {
		r := read("create-statuses")[k]
		if _, ok := orgs[r.Org]; !ok {
			t.Errorf("create-account status %s: organization %s missing", k, r.Org)
		}
	}
	for k := range recs["attached"] {
		parts := strings.Split(k, "/")
		if len(parts) != 3 {
			t.Errorf("attachment key %q", k)
			continue
		}
		org, target, pid := parts[0], parts[1], parts[2]
		if _, ok := recs["policy-targets"][org+"/"+pid+"/"+target]; !ok {
			t.Errorf("attachment %s has no policy-target record", k)
		}
		if pol, ok := pols[pid]; (!ok || pol.Org != org) && !strings.Contains(pid, "FullAWSAccess") {
			t.Errorf("attachment %s: policy missing", k)
		}
		m, isMember := members[target]
		if !parentOK(org, target) && !(isMember && m.Org == org) {
			t.Errorf("attachment %s: target missing", k)
		}
	}
	for k := range recs["policy-targets"] {
		parts := strings.Split(k, "/")
		if len(parts) != 3 {
			t.Errorf("policy-target key %q", k)
			continue
		}
		if _, ok := recs["attached"][parts[0]+"/"+parts[2]+"/"+parts[1]]; !ok {
			t.Errorf("policy-target %s has no attachment record", k)
		}
	}
}

// run calls each fn on a goroutine of its own, all at once, and returns their
// errors in order.
func run(fns ...func() error) []error {
	errs := make([]error, len(fns))
	var start, wg sync.WaitGroup
	start.Add(1)
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			errs[i] = fn()
		}()
	}
	start.Done()
	wg.Wait()
	return errs
}

// orgEnv is an organization with all features, SCPs enabled, and its root.
func (e *env) orgEnv() (root string) {
	e.Helper()
	must(e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	root = *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	return root
}

func (e *env) scp(name, content string) string {
	e.Helper()
	return *must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})).Policy.PolicySummary.Id
}

func (e *env) newOU(parent, name string) string {
	e.Helper()
	return *must(e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})).OrganizationalUnit.Id
}

var denySome = doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`)

// Concurrent CreateOrganizationalUnit calls of one name under one parent create one
// OU; the others answer DuplicateOrganizationalUnitException. Renames racing to one
// name end the same way.
func TestConcurrentOUOfOneName(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	for round := range 3 {
		name := fmt.Sprint("team-", round)
		fns := make([]func() error, 8)
		for i := range fns {
			fns[i] = func() error {
				_, err := e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(name)})
				return err
			}
		}
		ok := 0
		for _, err := range run(fns...) {
			switch errCode(err) {
			case "":
				ok++
			case "DuplicateOrganizationalUnitException":
			default:
				t.Fatalf("create %s: %v", name, err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d OUs named %s were created", ok, name)
		}
	}
	a, b := e.newOU(root, "a"), e.newOU(root, "b")
	rename := func(id string) func() error {
		return func() error {
			_, err := e.org.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(id), Name: aws.String("same")})
			return err
		}
	}
	errs := run(rename(a), rename(b))
	if n := errCode(errs[0]) + "|" + errCode(errs[1]); n != "|DuplicateOrganizationalUnitException" && n != "DuplicateOrganizationalUnitException|" {
		t.Fatalf("racing renames: %s", n)
	}
	names := map[string]int{}
	for _, u := range must(e.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})).OrganizationalUnits {
		names[*u.Name]++
	}
	for n, c := range names {
		if c != 1 {
			t.Fatalf("%d OUs named %s: %v", c, n, names)
		}
	}
	checkStore(t, e.p)
}

// Racing AttachPolicy calls never take a target past five policies of a type, and
// racing DetachPolicy calls never leave it with none.
func TestConcurrentAttachLimits(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	var ids []string
	for i := range 8 {
		ids = append(ids, e.scp(fmt.Sprint("p", i), denySome))
	}
	for _, target := range []string{root, dev} {
		fns := make([]func() error, len(ids))
		for i, id := range ids {
			fns[i] = func() error {
				_, err := e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(target)})
				return err
			}
		}
		ok := 0
		for _, err := range run(fns...) {
			switch errCode(err) {
			case "":
				ok++
			case "ConstraintViolationException":
			default:
				t.Fatalf("attach: %v", err)
			}
		}
		attached := must(e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})).Policies
		if ok != 4 || len(attached) != 5 {
			t.Fatalf("%s: %d attached, %d listed; want 4 and 5", target, ok, len(attached))
		}
		fns = fns[:0]
		for _, p := range attached {
			fns = append(fns, func() error {
				_, err := e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: p.Id, TargetId: aws.String(target)})
				return err
			})
		}
		ok = 0
		for _, err := range run(fns...) {
			switch errCode(err) {
			case "":
				ok++
			case "ConstraintViolationException":
			default:
				t.Fatalf("detach: %v", err)
			}
		}
		if left := must(e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})).Policies; ok != 4 || len(left) != 1 {
			t.Fatalf("%s: %d detached, %d left; want 4 and 1", target, ok, len(left))
		}
	}
	checkStore(t, e.p)
}

// DeletePolicy racing AttachPolicy of the same policy: either the attachment wins
// (DeletePolicy answers PolicyInUseException) or the deletion does (AttachPolicy
// answers PolicyNotFoundException); never a deleted policy left attached.
func TestDeletePolicyRacingAttach(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	ou := e.newOU(root, "ou")
	for i := range 12 {
		id := e.scp(fmt.Sprint("p", i), denySome)
		target := root
		if i%2 == 1 {
			target = ou
		}
		errs := run(func() error {
			_, err := e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(target)})
			return err
		}, func() error {
			_, err := e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
			return err
		})
		switch got := errCode(errs[0]) + "|" + errCode(errs[1]); got {
		case "|PolicyInUseException":
			must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(target)}))
			must(e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)}))
		case "PolicyNotFoundException|":
		default:
			t.Fatalf("attach|delete: %s", got)
		}
		if m := mentions(t, e.p, id); len(m) != 0 {
			t.Fatalf("deleted policy %s left %v", id, m)
		}
	}
	checkStore(t, e.p)
}

// DeleteOrganizationalUnit racing calls that put something in the OU (an account
// moved in, a child OU, a policy): the OU is deleted only when it is empty, and
// nothing of it is left in the store.
func TestDeleteOURacingItsContents(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	pol := e.scp("p", denySome)
	for i := range 8 {
		ou := e.newOU(root, fmt.Sprint("ou", i))
		errs := run(func() error {
			_, err := e.org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(ou)})
			return err
		}, func() error {
			_, err := e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)})
			return err
		}, func() error {
			_, err := e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(ou), Name: aws.String("child")})
			return err
		}, func() error {
			_, err := e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(ou)})
			return err
		})
		for j, err := range errs[1:] {
			if c := errCode(err); c != "" && c != "DestinationParentNotFoundException" && c != "ParentNotFoundException" && c != "TargetNotFoundException" {
				t.Fatalf("call %d racing DeleteOrganizationalUnit: %v", j+1, err)
			}
		}
		switch errCode(errs[0]) {
		case "":
			if m := mentions(t, e.p, ou); len(m) != 0 {
				t.Fatalf("deleted OU %s left %v", ou, m)
			}
		case "OrganizationalUnitNotEmptyException":
		default:
			t.Fatalf("delete: %v", errs[0])
		}
		checkStore(t, e.p)
		// Back to the root for the next round.
		if ps := must(e.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(dev)})).Parents; *ps[0].Id != root {
			must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: ps[0].Id, DestinationParentId: aws.String(root)}))
		}
	}
	// And the policy can go once it is detached from what is left.
	for _, tg := range must(e.org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(pol)})).Targets {
		must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(pol), TargetId: tg.TargetId}))
	}
	must(e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pol)}))
	if m := mentions(t, e.p, pol); len(m) != 0 {
		t.Fatalf("deleted policy left %v", m)
	}
	checkStore(t, e.p)
}

// DeleteOrganization leaves nothing of the organization in the store: its OUs,
// policies, attachments, trusted services and its CreateAccount requests go with it.
func TestDeleteOrganizationLeavesNothing(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	ou := e.newOU(root, "ou")
	e.newOU(ou, "child")
	pol := e.scp("p", denySome)
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(ou)}))
	must(e.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}))
	// A CreateAccount request that failed (the management account's email is taken)
	// leaves a request to describe and no member account.
	o := must(e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).Organization
	st := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: o.MasterAccountEmail})).CreateAccountStatus
	if s := must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus; s.State != orgtypes.CreateAccountStateFailed {
		t.Fatalf("status %+v", s)
	}
	must(e.org.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{}))
	for kind, recs := range storeRecords(t, e.p) {
		for k := range recs {
			t.Errorf("left after DeleteOrganization: %s %s", kind, k)
		}
	}
	// A new organization of the same account starts empty.
	e.orgEnv()
	if l := must(e.org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})).CreateAccountStatuses; len(l) != 0 {
		t.Fatalf("new organization lists %+v", l)
	}
	checkStore(t, e.p)
}

// DeleteOrganization racing calls that add to the organization: either the
// organization goes (and nothing of it stays) or the addition lands and the
// deletion is refused or finds an empty organization; the store stays whole.
func TestDeleteOrganizationRacingAdditions(t *testing.T) {
	e := newEnv(t)
	for i := range 6 {
		root := e.orgEnv()
		org := *must(e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).Organization.Id
		errs := run(func() error {
			_, err := e.org.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
			return err
		}, func() error {
			_, err := e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("u")})
			return err
		}, func() error {
			_, err := e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String("d"),
				Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(denySome)})
			return err
		}, func() error {
			_, err := e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("a"), Email: aws.String(fmt.Sprint("a", i, "@example.com"))})
			return err
		})
		for j, err := range errs {
			if c := errCode(err); c != "" && c != "AWSOrganizationsNotInUseException" && c != "OrganizationNotEmptyException" {
				t.Fatalf("call %d: %v", j, err)
			}
		}
		if errs[0] == nil {
			if m := mentions(t, e.p, org); len(m) != 0 {
				t.Fatalf("deleted organization %s left %v", org, m)
			}
		}
		checkStore(t, e.p)
		if errs[0] != nil {
			// The account joined first: this organization stays; the next round uses a
			// fresh server.
			e = newEnv(t)
		}
	}
}

// Once an AttachPolicy, DetachPolicy or MoveAccount is acknowledged, every later
// call of the accounts it affects is decided on the new policies, while other calls
// of those accounts keep the authorizer's organization cache busy.
func TestPolicyChangesHoldFromAcknowledgement(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: typ}))
	}
	m := e.session(must(accessRole(admin, dev, "s1")).Credentials)
	deny := e.scp("no-list", doc(`{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}`))
	// An RCP of the member account: nobody outside it may assume its roles.
	rcp := *must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("own-only"), Type: orgtypes.PolicyTypeResourceControlPolicy, Description: aws.String("d"),
		Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + dev + `"}}}`))})).Policy.PolicySummary.Id
	must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("open"),
		AssumeRolePolicyDocument: aws.String(doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}`))}))
	assume := func() error {
		_, err := admin.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/open"), RoleSessionName: aws.String("x1")})
		return err
	}
	list := func() error {
		_, err := m.iam.ListUsers(ctx, &iam.ListUsersInput{})
		return err
	}
	ou := e.newOU(root, "locked")
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(ou)}))

	stop := apptest.Hammer(t, 2, []string{"AccessDenied"}, func(g int) error {
		if g%2 == 0 {
			return list()
		}
		return assume()
	})
	defer stop()
	want := func(step string, err error, denied bool) {
		t.Helper()
		if denied && errCode(err) != "AccessDenied" || !denied && err != nil {
			t.Fatalf("%s: denied=%v wanted, got %v", step, denied, err)
		}
	}
	for i := range 5 {
		must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(dev)}))
		want(fmt.Sprint("after attach ", i), list(), true)
		must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(dev)}))
		want(fmt.Sprint("after detach ", i), list(), false)
		must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)}))
		want(fmt.Sprint("after move in ", i), list(), true)
		must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(ou), DestinationParentId: aws.String(root)}))
		want(fmt.Sprint("after move out ", i), list(), false)
		must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(rcp), TargetId: aws.String(dev)}))
		want(fmt.Sprint("after RCP attach ", i), assume(), true)
		must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(rcp), TargetId: aws.String(dev)}))
		want(fmt.Sprint("after RCP detach ", i), assume(), false)
	}
	// UpdatePolicy's new content holds at once where the policy is attached.
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(dev)}))
	for i := range 2 {
		must(e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(deny), Content: aws.String(denySome)}))
		want(fmt.Sprint("after UpdatePolicy lifting the deny ", i), list(), false)
		must(e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(deny), Content: aws.String(doc(`{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}`))}))
		want(fmt.Sprint("after UpdatePolicy restoring the deny ", i), list(), true)
	}
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(dev)}))
	// Disabling the type lifts the SCP at once.
	must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)}))
	want("in the locked OU", list(), true)
	must(e.org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	want("after DisablePolicyType", list(), false)
}

// collect pages through a list, calling between(page) after each page but the last.
func collect[T any](t *testing.T, get func(next *string) ([]T, *string, error), between func(page int)) []T {
	t.Helper()
	var out []T
	var next *string
	for page := 0; ; page++ {
		items, tok, err := get(next)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		out = append(out, items...)
		if tok == nil {
			return out
		}
		if page > 50 {
			t.Fatal("endless pagination")
		}
		next = tok
		between(page)
	}
}

// Lists paginated while what they list changes: a NextToken stays valid when the
// items of earlier pages are deleted or moved away, and an item present from the
// first page to the last is listed exactly once.
func TestPaginationWhileChanging(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	var units []string
	for i := range 8 {
		units = append(units, e.newOU(root, fmt.Sprint("u", i)))
	}
	sort.Strings(units)
	// ListOrganizationalUnitsForParent: each page's OUs are deleted before the next
	// page is asked for.
	seen := map[string]int{}
	got := collect(t, func(next *string) ([]orgtypes.OrganizationalUnit, *string, error) {
		out, err := e.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		for _, u := range out.OrganizationalUnits {
			seen[*u.Id]++
		}
		return out.OrganizationalUnits, out.NextToken, nil
	}, func(int) {
		for id, n := range seen {
			if n > 0 {
				if _, err := e.org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)}); err != nil && errCode(err) != "OrganizationalUnitNotFoundException" {
					t.Fatal(err)
				}
			}
		}
	})
	if len(got) != len(units) {
		t.Fatalf("listed %d OUs of %d: %v", len(got), len(units), seen)
	}
	for _, id := range units {
		if seen[id] != 1 {
			t.Fatalf("OU %s listed %d times", id, seen[id])
		}
	}

	// ListChildren and ListAccountsForParent: accounts moved out between pages.
	must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("seed"), Email: aws.String("seed@example.com")}))
	var accts []string
	for i := range 6 {
		st := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("a", i)), Email: aws.String(fmt.Sprint("a", i, "@example.com"))})).CreateAccountStatus
		accts = append(accts, *must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId)
	}
	box := e.newOU(root, "box")
	for _, a := range accts {
		must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(a), SourceParentId: aws.String(root), DestinationParentId: aws.String(box)}))
	}
	moveOut := func(ids []string) {
		for _, id := range ids {
			must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(box), DestinationParentId: aws.String(root)}))
		}
	}
	moveIn := func() {
		for _, a := range accts {
			if ps := must(e.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(a)})).Parents; *ps[0].Id != box {
				must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(a), SourceParentId: ps[0].Id, DestinationParentId: aws.String(box)}))
			}
		}
	}
	var last []string
	children := collect(t, func(next *string) ([]string, *string, error) {
		out, err := e.org.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(box), ChildType: orgtypes.ChildTypeAccount, MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		last = last[:0]
		for _, c := range out.Children {
			last = append(last, *c.Id)
		}
		return append([]string(nil), last...), out.NextToken, nil
	}, func(int) { moveOut(last) })
	sort.Strings(children)
	if strings.Join(children, ",") != strings.Join(sortedCopy(accts), ",") {
		t.Fatalf("ListChildren listed %v, want %v", children, sortedCopy(accts))
	}
	moveIn()
	listed := collect(t, func(next *string) ([]string, *string, error) {
		out, err := e.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(box), MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		last = last[:0]
		for _, a := range out.Accounts {
			last = append(last, *a.Id)
		}
		return append([]string(nil), last...), out.NextToken, nil
	}, func(int) { moveOut(last) })
	sort.Strings(listed)
	if strings.Join(listed, ",") != strings.Join(sortedCopy(accts), ",") {
		t.Fatalf("ListAccountsForParent listed %v, want %v", listed, sortedCopy(accts))
	}

	// ListPoliciesForTarget: policies detached between pages.
	moveIn()
	var pols []string
	for i := range 4 {
		id := e.scp(fmt.Sprint("p", i), denySome)
		must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(box)}))
		pols = append(pols, id)
	}
	all := append([]string{"p-FullAWSAccess"}, pols...)
	ps := collect(t, func(next *string) ([]string, *string, error) {
		out, err := e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(box), Filter: orgtypes.PolicyTypeServiceControlPolicy, MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		last = last[:0]
		for _, p := range out.Policies {
			last = append(last, *p.Id)
		}
		return append([]string(nil), last...), out.NextToken, nil
	}, func(int) {
		for _, id := range last {
			if id != "p-FullAWSAccess" {
				must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(box)}))
			}
		}
	})
	sort.Strings(ps)
	if strings.Join(ps, ",") != strings.Join(sortedCopy(all), ",") {
		t.Fatalf("ListPoliciesForTarget listed %v, want %v", ps, sortedCopy(all))
	}

	// A token whose page was emptied entirely still answers, with what is left.
	first := must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(7)}))
	if first.NextToken == nil {
		t.Fatal("ListAccounts: one page")
	}
	rest := must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(7), NextToken: first.NextToken}))
	if len(first.Accounts)+len(rest.Accounts) != 8 || rest.NextToken != nil {
		t.Fatalf("ListAccounts pages of %d and %d", len(first.Accounts), len(rest.Accounts))
	}
	_, err := e.org.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("not-a-token")})
	wantErr(t, err, "InvalidInputException", 400, "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// ListCreateAccountStatus paginated while CreateAccount calls run: every request
// made before the first page is listed once.
func TestCreateAccountStatusPagesWhileCreating(t *testing.T) {
	e := newEnv(t)
	e.orgEnv()
	before := map[string]bool{}
	for i := range 6 {
		st := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("b", i)), Email: aws.String(fmt.Sprint("b", i, "@example.com"))})).CreateAccountStatus
		before[*st.Id] = true
	}
	n := 0
	seen := map[string]int{}
	collect(t, func(next *string) ([]orgtypes.CreateAccountStatus, *string, error) {
		out, err := e.org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		for _, s := range out.CreateAccountStatuses {
			seen[*s.Id]++
		}
		return out.CreateAccountStatuses, out.NextToken, nil
	}, func(int) {
		// Requests of the same instant land anywhere among the others.
		n++
		must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("c", n)), Email: aws.String(fmt.Sprint("c", n, "@example.com"))}))
	})
	for id := range before {
		if seen[id] != 1 {
			t.Fatalf("request %s listed %d times (%v)", id, seen[id], seen)
		}
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("request %s listed %d times", id, c)
		}
	}
}

// UpdatePolicy calls racing to give two policies one name: one wins, the other
// answers DuplicatePolicyException, as CreatePolicy does for a taken name.
func TestConcurrentPolicyRenames(t *testing.T) {
	e := newEnv(t)
	e.orgEnv()
	for round := range 4 {
		a, b := e.scp(fmt.Sprint("a", round), denySome), e.scp(fmt.Sprint("b", round), denySome)
		name := fmt.Sprint("same", round)
		rename := func(id string) func() error {
			return func() error {
				_, err := e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Name: aws.String(name)})
				return err
			}
		}
		errs := run(rename(a), rename(b))
		if got := errCode(errs[0]) + "|" + errCode(errs[1]); got != "|DuplicatePolicyException" && got != "DuplicatePolicyException|" {
			t.Fatalf("racing renames: %s", got)
		}
		var dup error
		if dup = errs[0]; dup == nil {
			dup = errs[1]
		}
		wantErr(t, dup, "DuplicatePolicyException", 400, "A policy with the same name already exists.")
	}
	// Renaming a policy to its own name changes nothing and is no error.
	id := e.scp("self", denySome)
	must(e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Name: aws.String("self")}))
	names := map[string]int{}
	for _, p := range must(e.org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})).Policies {
		names[*p.Name]++
		if names[*p.Name] > 1 {
			t.Fatalf("two policies named %s", *p.Name)
		}
	}
}

// Concurrent CreateOrganization calls of one account make one organization.
func TestConcurrentCreateOrganization(t *testing.T) {
	e := newEnv(t)
	fns := make([]func() error, 6)
	for i := range fns {
		fns[i] = func() error {
			_, err := e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
			return err
		}
	}
	ok := 0
	for _, err := range run(fns...) {
		switch errCode(err) {
		case "":
			ok++
		case "AlreadyInOrganizationException":
		default:
			t.Fatal(err)
		}
	}
	if n := len(storeRecords(t, e.p)["orgs"]); ok != 1 || n != 1 {
		t.Fatalf("%d created, %d stored", ok, n)
	}
	checkStore(t, e.p)
}

// EnablePolicyType and DisablePolicyType racing the creation of OUs and accounts:
// while a type is enabled every root, OU and account holds a policy of it (AWS's
// full-access policy at least); once disabled, none holds any.
func TestPolicyTypeTogglesRacingNewTargets(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	n := 0
	for round := range 6 {
		toggle := func() error {
			_, err := e.org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		}
		if round%2 == 1 {
			toggle = func() error {
				_, err := e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
				return err
			}
		}
		n++
		errs := run(toggle, func() error {
			_, err := e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(fmt.Sprint("u", n))})
			return err
		}, func() error {
			_, err := e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("a", n)), Email: aws.String(fmt.Sprint("a", n, "@example.com"))})
			return err
		})
		for _, err := range errs {
			noErr(t, err)
		}
		enabled := round%2 == 1
		targets := []string{root}
		for _, u := range must(e.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})).OrganizationalUnits {
			targets = append(targets, *u.Id)
		}
		for _, a := range must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts {
			targets = append(targets, *a.Id)
		}
		for _, tg := range targets {
			ps := must(e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(tg), Filter: orgtypes.PolicyTypeServiceControlPolicy})).Policies
			if enabled && len(ps) == 0 || !enabled && len(ps) != 0 {
				t.Fatalf("round %d: %s holds %d SCPs with SCPs enabled=%v", round, tg, len(ps), enabled)
			}
		}
		checkStore(t, e.p)
	}
}

// Reads of every kind racing writes that create, move, attach, detach and delete:
// each answers with its result or an AWS error of its own, never a 500.
func TestReadsRacingWrites(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	var mu sync.Mutex
	ous := []string{root}
	pols := []string{"p-FullAWSAccess"}
	pick := func(g int, s *[]string) string {
		mu.Lock()
		defer mu.Unlock()
		return (*s)[g%len(*s)]
	}
	allowed := []string{"ParentNotFoundException", "TargetNotFoundException", "PolicyNotFoundException", "OrganizationalUnitNotFoundException",
		"ChildNotFoundException", "AccountNotFoundException"}
	var next sync.Map
	stop := apptest.Hammer(t, 6, allowed, func(g int) error {
		ou := pick(g, &ous)
		var tok *string
		if v, ok := next.Load(g); ok {
			tok = v.(*string)
		}
		var err error
		var nt *string
		switch g % 6 {
		case 0:
			var out *organizations.ListChildrenOutput
			if out, err = e.org.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(ou), ChildType: orgtypes.ChildTypeOrganizationalUnit, MaxResults: aws.Int32(1), NextToken: tok}); err == nil {
				nt = out.NextToken
			}
		case 1:
			var out *organizations.ListPoliciesForTargetOutput
			if out, err = e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(ou), Filter: orgtypes.PolicyTypeServiceControlPolicy, MaxResults: aws.Int32(1), NextToken: tok}); err == nil {
				nt = out.NextToken
			}
		case 2:
			var out *organizations.ListTargetsForPolicyOutput
			if out, err = e.org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(pick(g, &pols)), MaxResults: aws.Int32(1), NextToken: tok}); err == nil {
				nt = out.NextToken
			}
		case 3:
			var out *organizations.ListAccountsForParentOutput
			if out, err = e.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(ou), MaxResults: aws.Int32(1), NextToken: tok}); err == nil {
				nt = out.NextToken
			}
		case 4:
			_, err = e.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(dev)})
		default:
			var out *organizations.ListPoliciesOutput
			if out, err = e.org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy, MaxResults: aws.Int32(1), NextToken: tok}); err == nil {
				nt = out.NextToken
			}
		}
		next.Store(g, nt)
		return err
	})
	for i := range 5 {
		ou := e.newOU(root, fmt.Sprint("u", i))
		child := e.newOU(ou, "c")
		pol := e.scp(fmt.Sprint("p", i), denySome)
		mu.Lock()
		ous = append(ous, ou, child)
		pols = append(pols, pol)
		mu.Unlock()
		must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(child)}))
		must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(ou)}))
		must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: aws.String(child)}))
		must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(child), DestinationParentId: aws.String(root)}))
		must(e.org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(child)}))
		must(e.org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(ou)}))
		must(e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pol)}))
	}
	stop()
	checkStore(t, e.p)
	for kind, recs := range storeRecords(t, e.p) {
		if kind == "ous" && len(recs) != 0 || kind == "policies" && len(recs) != 0 {
			t.Fatalf("%s left: %d", kind, len(recs))
		}
	}
}

// Concurrent CreateAccount requests with one email address make one account; the
// others' requests fail with EMAIL_ALREADY_EXISTS.
func TestConcurrentCreateAccountOneEmail(t *testing.T) {
	e := newEnv(t)
	e.orgEnv()
	ids := make([]string, 6)
	fns := make([]func() error, len(ids))
	for i := range fns {
		fns[i] = func() error {
			out, err := e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("n", i)), Email: aws.String("one@example.com")})
			if err == nil {
				ids[i] = *out.CreateAccountStatus.Id
			}
			return err
		}
	}
	for _, err := range run(fns...) {
		noErr(t, err)
	}
	ok := 0
	for _, id := range ids {
		st := must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(id)})).CreateAccountStatus
		switch {
		case st.State == orgtypes.CreateAccountStateSucceeded:
			ok++
		case st.FailureReason != orgtypes.CreateAccountFailureReasonEmailAlreadyExists:
			t.Fatalf("status %+v", st)
		}
	}
	if n := len(must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts); ok != 1 || n != 2 {
		t.Fatalf("%d requests succeeded, %d accounts", ok, n)
	}
}
