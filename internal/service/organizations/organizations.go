// Package organizations serves a subset of AWS Organizations: an organization with
// its root and OUs, member accounts created in it (each with the
// OrganizationAccountAccessRole that trusts the management account) and leaving it
// (LeaveOrganization, RemoveAccountFromOrganization), and service and resource
// control policies (SCPs, RCPs) attached to the root, OUs and accounts.
//
// The authorization layer enforces the policies: this package implements
// authz.OrgSource, which tells it, for any account, its organization, its path and the
// SCPs and RCPs attached along that path.
//
// An organization spans accounts, so its state lives in global namespaces
// (store.NS("organizations", "", "", kind)), keyed by the organization, account, OU
// and policy IDs.
package organizations

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// RoleMaker creates the roles AWS creates in a new member account (IAM's
// CreateAccountRole, CreateServiceLinkedRole), in the call's transaction; each reports
// false when the account already has a role of that name.
type RoleMaker interface {
	CreateAccountRole(tx *store.Tx, account, name, trust string, policyARNs []string, now time.Time) (bool, error)
	CreateServiceLinkedRole(tx *store.Tx, account, service, description string, now time.Time) (bool, error)
}

// serviceRoleDescription is the description of AWSServiceRoleForOrganizations, as
// AWS was recorded answering (radkawar/stackd, 2026: organizations_roles.json).
const serviceRoleDescription = "Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations."

// serviceRole creates AWSServiceRoleForOrganizations in an account: AWS's management
// and created member accounts have it (recorded, 2026: organizations_roles.json).
func (s *svc) serviceRole(c *server.Call, account string) error {
	if s.Roles == nil {
		return nil
	}
	_, err := s.Roles.CreateServiceLinkedRole(c.Tx, account, "organizations.amazonaws.com", serviceRoleDescription, c.Now.UTC())
	return err
}

// Deps is what Organizations needs from the rest of Palisade.
type Deps struct {
	Roles RoleMaker
	// Keys lets the admin API mint a root access key for a member account.
	Keys  *auth.Keys
	Store *store.DB
	// OnChange is called after every committed change (the authorizer's OrgChanged):
	// a change can alter the permissions of every account of the organization.
	OnChange func()
}

type svc struct {
	Deps
}

// Service returns Organizations for the server.
func Service(d Deps) server.Service {
	s := &svc{Deps: d}
	return server.Service{
		Model: api.Service,
		// "If the request includes tags, then the requester must have the
		// organizations:TagResource permission."
		TagOnCreate: map[string][]string{
			"CreateAccount": {"organizations:TagResource"}, "CreateOrganizationalUnit": {"organizations:TagResource"},
			"CreatePolicy": {"organizations:TagResource"},
		},
		Handlers: []server.Handler{
			server.Write("CreateOrganization", s.createOrganization),
			server.Read("DescribeOrganization", s.describeOrganization),
			server.Write("DeleteOrganization", s.deleteOrganization),
			server.Read("ListRoots", s.listRoots),
			server.Write("CreateAccount", s.createAccount),
			server.Read("DescribeCreateAccountStatus", s.describeCreateAccountStatus),
			server.Read("ListCreateAccountStatus", s.listCreateAccountStatus),
			server.Read("DescribeAccount", s.describeAccount),
			server.Read("ListAccounts", s.listAccounts),
			server.Read("ListAccountsForParent", s.listAccountsForParent),
			server.Write("MoveAccount", s.moveAccount),
			server.Write("CreateOrganizationalUnit", s.createOU),
			server.Read("DescribeOrganizationalUnit", s.describeOU),
			server.Write("UpdateOrganizationalUnit", s.updateOU),
			server.Write("DeleteOrganizationalUnit", s.deleteOU),
			server.Read("ListOrganizationalUnitsForParent", s.listOUsForParent),
			server.Read("ListChildren", s.listChildren),
			server.Read("ListParents", s.listParents),
			server.Write("CreatePolicy", s.createPolicy),
			server.Read("DescribePolicy", s.describePolicy),
			server.Write("UpdatePolicy", s.updatePolicy),
			server.Write("DeletePolicy", s.deletePolicy),
			server.Read("ListPolicies", s.listPolicies),
			server.Read("ListPoliciesForTarget", s.listPoliciesForTarget),
			server.Read("ListTargetsForPolicy", s.listTargetsForPolicy),
			server.Write("AttachPolicy", s.attachPolicy),
			server.Write("DetachPolicy", s.detachPolicy),
			server.Write("EnablePolicyType", s.enablePolicyType),
			server.Write("DisablePolicyType", s.disablePolicyType),
			server.Write("EnableAWSServiceAccess", s.enableAWSServiceAccess),
			server.Write("DisableAWSServiceAccess", s.disableAWSServiceAccess),
			server.Read("ListAWSServiceAccessForOrganization", s.listAWSServiceAccess),
			server.Write("LeaveOrganization", s.leaveOrganization),
			server.Write("RemoveAccountFromOrganization", s.removeAccountFromOrganization),
		},
		Global: true,
		Checks: s.checks,
		Admin:  s.adminHandler(),
		// Organizations changes touch many accounts: OnChange drops the
		// authorizer's organization cache instead.
		InvalidatesAuthz: false,
	}
}

// Record kinds.
const (
	tOrgs     = "orgs"            // orgID → orgRec
	tMembers  = "members"         // account ID → memberRec
	tOUs      = "ous"             // OU ID → ouRec
	tPolicies = "policies"        // policy ID → policyRec (customer managed)
	tAttached = "attached"        // orgID/targetID/policyID → ""
	tTargets  = "policy-targets"  // orgID/policyID/targetID → ""
	tStatuses = "create-statuses" // request ID → statusRec
	tDeparted = "departures"      // account ID → departRec
)

func ns(kind string) string { return store.NS("organizations", "", "", kind) }

// Policy types this subset serves, and the AWS managed policy attached by default.
const (
	typeSCP = "SERVICE_CONTROL_POLICY"
	typeRCP = "RESOURCE_CONTROL_POLICY"
)

// awsPolicies are the AWS managed policies of the served types.
var awsPolicies = map[string]*policyRec{
	"p-FullAWSAccess": {ID: "p-FullAWSAccess", Name: "FullAWSAccess", Type: typeSCP, AWS: true,
		Description: "Allows access to every operation",
		// AWS keeps it indented (recorded, 2026: organizations_delegation_authority.json).
		Content: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"},
	"p-RCPFullAWSAccess": {ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Type: typeRCP, AWS: true,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

// defaultPolicy is the AWS managed policy attached everywhere when a type is enabled.
var defaultPolicy = map[string]string{typeSCP: "p-FullAWSAccess", typeRCP: "p-RCPFullAWSAccess"}

// orgRec is an organization.
type orgRec struct {
	ID          string            `json:"id"`
	Master      string            `json:"master"`
	MasterEmail string            `json:"masterEmail"`
	FeatureSet  string            `json:"featureSet"`
	RootID      string            `json:"rootId"`
	Types       map[string]string `json:"types,omitempty"` // policy type → ENABLED
	// Services are the trusted service principals (EnableAWSServiceAccess) and when
	// each was enabled.
	Services map[string]time.Time `json:"services,omitempty"`
	Created  time.Time            `json:"created"`
}

func (o *orgRec) arn() string { return "arn:aws:organizations::" + o.Master + ":organization/" + o.ID }

func (o *orgRec) rootARN() string {
	return "arn:aws:organizations::" + o.Master + ":root/" + o.ID + "/" + o.RootID
}

func (o *orgRec) accountARN(id string) string {
	return "arn:aws:organizations::" + o.Master + ":account/" + o.ID + "/" + id
}

func (o *orgRec) ouARN(id string) string {
	return "arn:aws:organizations::" + o.Master + ":ou/" + o.ID + "/" + id
}

func (o *orgRec) policyARN(p *policyRec) string {
	if p.AWS {
		return "arn:aws:organizations::aws:policy/" + strings.ToLower(p.Type) + "/" + p.ID
	}
	return "arn:aws:organizations::" + o.Master + ":policy/" + o.ID + "/" + strings.ToLower(p.Type) + "/" + p.ID
}

func (o *orgRec) enabled(typ string) bool { return o.Types[typ] == "ENABLED" }

func (o *orgRec) policyTypes() []api.PolicyTypeSummary {
	out := []api.PolicyTypeSummary{}
	for _, t := range []string{typeRCP, typeSCP} {
		if o.enabled(t) {
			out = append(out, api.PolicyTypeSummary{Type: ptr(t), Status: ptr("ENABLED")})
		}
	}
	return out
}

// memberRec is an account of an organization.
type memberRec struct {
	ID           string    `json:"id"`
	Org          string    `json:"org"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Parent       string    `json:"parent"`
	JoinedMethod string    `json:"joinedMethod"`
	Joined       time.Time `json:"joined"`
	// Standalone is set (admin API) once a created account has what AWS asks of an
	// account outside any organization (support plan, verified contact information,
	// payment method): without it the account cannot leave.
	Standalone bool `json:"standalone,omitempty"`
}

// ouRec is an organizational unit.
type ouRec struct {
	ID     string `json:"id"`
	Org    string `json:"org"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
}

// policyRec is a policy: a customer managed one (stored) or an AWS managed one.
type policyRec struct {
	ID          string `json:"id"`
	Org         string `json:"org"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Content     string `json:"content"`
	AWS         bool   `json:"-"`
}

func (p *policyRec) summary(o *orgRec) *api.PolicySummary {
	return &api.PolicySummary{Id: ptr(p.ID), Arn: ptr(o.policyARN(p)), Name: ptr(p.Name), Description: ptr(p.Description), Type: ptr(p.Type), AwsManaged: ptr(p.AWS)}
}

// statusRec is a CreateAccount request.
type statusRec struct {
	ID        string    `json:"id"`
	Org       string    `json:"org"`
	Name      string    `json:"name"`
	State     string    `json:"state"`
	Requested time.Time `json:"requested"`
	Completed time.Time `json:"completed"`
	Account   string    `json:"account,omitempty"`
	Failure   string    `json:"failure,omitempty"`
}

func (r *statusRec) out() *api.CreateAccountStatus {
	s := &api.CreateAccountStatus{Id: ptr(r.ID), AccountName: ptr(r.Name), State: ptr(r.State), RequestedTimestamp: ptr(r.Requested)}
	if r.State != "IN_PROGRESS" {
		s.CompletedTimestamp = ptr(r.Completed)
	}
	if r.Account != "" {
		s.AccountId = ptr(r.Account)
	}
	if r.Failure != "" {
		s.FailureReason = ptr(r.Failure)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func load[T any](tx *store.Tx, kind, key string) (*T, error) {
	v := new(T)
	ok, err := tx.GetJSON(ns(kind), key, v)
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

// Errors, worded as the API reference documents the exceptions.
func errNotInUse() error {
	return api.NewAWSOrganizationsNotInUseException("Your account is not a member of an organization.")
}

func errNotManagement() error {
	return api.NewAccessDeniedException("You don't have permissions to access this resource.")
}

func errAccountNotFound() error {
	return api.NewAccountNotFoundException("We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
}

func errParentNotFound() error {
	return api.NewParentNotFoundException("We can't find a root or OU with the ParentId that you specified.")
}

func errPolicyNotFound() error {
	return api.NewPolicyNotFoundException("We can't find a policy with the PolicyId that you specified.")
}

func errTargetNotFound() error {
	return api.NewTargetNotFoundException("We can't find a root, OU, account, or policy with the TargetId that you specified.")
}

func errOUNotFound() error {
	return api.NewOrganizationalUnitNotFoundException("We can't find an OU with the OrganizationalUnitId that you specified.")
}

func errRootNotFound() error {
	return api.NewRootNotFoundException("We can't find a root with the RootId that you specified.")
}

func constraint(reason, msg string) error {
	return api.NewConstraintViolationException(msg).With("Reason", reason)
}

func invalidInput(reason, msg string) error {
	return api.NewInvalidInputException(msg).With("Reason", reason)
}

// membership returns the caller's organization and its membership; the organization
// must exist.
func (s *svc) membership(c *server.Call) (*orgRec, *memberRec, error) {
	m, err := load[memberRec](c.Tx, tMembers, c.Account)
	if err != nil {
		return nil, nil, err
	}
	if m == nil {
		return nil, nil, errNotInUse()
	}
	o, err := load[orgRec](c.Tx, tOrgs, m.Org)
	if err != nil {
		return nil, nil, err
	}
	if o == nil {
		return nil, nil, errNotInUse()
	}
	return o, m, nil
}

// management returns the caller's organization when the caller is its management
// account; member accounts are refused.
func (s *svc) management(c *server.Call) (*orgRec, error) {
	o, _, err := s.membership(c)
	if err != nil {
		return nil, err
	}
	if o.Master != c.Account {
		return nil, errNotManagement()
	}
	return o, nil
}

// changed tells the authorizer, once the call commits, that permissions may have
// changed across the organization.
func (s *svc) changed(c *server.Call) {
	if s.OnChange != nil {
		c.Tx.AfterCommit(s.OnChange)
	}
}

const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns prefix and n random characters of [a-z0-9], the alphabet of
// Organizations' IDs.
func newID(prefix string, n int) string {
	b := make([]byte, n)
	for i := range b {
		x, _ := rand.Int(rand.Reader, big.NewInt(int64(len(idChars))))
		b[i] = idChars[x.Int64()]
	}
	return prefix + string(b)
}

// newAccountID returns an unused 12-digit account ID.
func newAccountID(tx *store.Tx) (string, error) {
	for {
		x, _ := rand.Int(rand.Reader, big.NewInt(899999999999))
		id := strconv.FormatInt(x.Int64()+100000000000, 10)
		_, taken, err := tx.Get(ns(tMembers), id)
		if err == nil && !taken {
			// An account that left still exists: its ID is not free again.
			_, taken, err = tx.Get(ns(tDeparted), id)
		}
		if err != nil || !taken {
			return id, err
		}
	}
}

// page is one page of a list: Organizations' NextToken and MaxResults (1-20). items
// are sorted by key, which is unique in the list. A NextToken names the key of the
// last item returned, not its position: the next page resumes after that item even
// when items before it were deleted or moved away since (a position would skip items
// never listed, or point past the end of a shorter list), and items added before it
// since are not listed again.
func page[T any](items []T, key func(T) string, next *string, max *int32) ([]T, *string, error) {
	start := 0
	if next != nil && *next != "" {
		b, err := base64.RawURLEncoding.DecodeString(*next)
		after, ok := strings.CutPrefix(string(b), tokenPrefix)
		if err != nil || !ok {
			return nil, nil, invalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	limit := 20
	if max != nil {
		limit = int(*max)
	}
	end := min(start+limit, len(items))
	out := append([]T{}, items[start:end]...)
	if end < len(items) {
		return out, ptr(base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + key(items[end-1])))), nil
	}
	return out, nil, nil
}

// tokenPrefix marks the NextTokens page makes.
const tokenPrefix = "k:"

// sortByKey sorts a list by the key page resumes it by.
func sortByKey[T any](items []T, key func(T) string) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
}

// scan reads every record of a kind whose key starts with prefix.
func scan[T any](tx *store.Tx, kind, prefix string) ([]*T, error) {
	var out []*T
	var ferr error
	err := tx.Scan(ns(kind), prefix, 0, func(k string, v []byte) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		r := new(T)
		if ferr = json.Unmarshal(v, r); ferr != nil {
			return false
		}
		out = append(out, r)
		return true
	})
	if ferr != nil {
		return nil, ferr
	}
	return out, err
}

// keys reads the suffixes of the keys of a kind that start with prefix.
func keys(tx *store.Tx, kind, prefix string) ([]string, error) {
	var out []string
	err := tx.Scan(ns(kind), prefix, 0, func(k string, _ []byte) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		out = append(out, k[len(prefix):])
		return true
	})
	return out, err
}

// members lists the organization's accounts, by ID.
func members(tx *store.Tx, org string) ([]*memberRec, error) {
	all, err := scan[memberRec](tx, tMembers, "")
	if err != nil {
		return nil, err
	}
	var out []*memberRec
	for _, m := range all {
		if m.Org == org {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ous lists the organization's OUs.
func ous(tx *store.Tx, org string) ([]*ouRec, error) {
	all, err := scan[ouRec](tx, tOUs, "")
	if err != nil {
		return nil, err
	}
	var out []*ouRec
	for _, u := range all {
		if u.Org == org {
			out = append(out, u)
		}
	}
	return out, nil
}

func (o *orgRec) accountOut(m *memberRec) api.Account {
	return api.Account{Id: ptr(m.ID), Arn: ptr(o.accountARN(m.ID)), Email: ptr(m.Email), Name: ptr(m.Name),
		Status: ptr("ACTIVE"), State: ptr("ACTIVE"), JoinedMethod: ptr(m.JoinedMethod), JoinedTimestamp: ptr(m.Joined)}
}
