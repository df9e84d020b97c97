package organizations

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// defaultAccessRole is the role CreateAccount makes unless told another name.
const defaultAccessRole = "OrganizationAccountAccessRole"

// createAccount creates a member account at once (AWS does it asynchronously: the
// answer says IN_PROGRESS and DescribeCreateAccountStatus tells the outcome, which
// here is already known), with the access role trusting the management account and
// AdministratorAccess attached, as AWS creates it.
func (s *svc) createAccount(c *server.Call, in *api.CreateAccountRequest) (*api.CreateAccountResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	now := c.Now.UTC()
	st := &statusRec{ID: newID("car-", 32), Org: o.ID, Name: in.AccountName, State: "SUCCEEDED", Requested: now, Completed: now}
	ms, err := members(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if strings.EqualFold(m.Email, in.Email) {
			st.State, st.Failure = "FAILED", "EMAIL_ALREADY_EXISTS"
		}
	}
	if st.State == "SUCCEEDED" {
		id, err := newAccountID(c.Tx)
		if err != nil {
			return nil, err
		}
		m := &memberRec{ID: id, Org: o.ID, Name: in.AccountName, Email: in.Email, Parent: o.RootID, JoinedMethod: "CREATED", Joined: now}
		if err := c.Tx.PutJSON(ns(tMembers), id, m); err != nil {
			return nil, err
		}
		for _, typ := range []string{typeSCP, typeRCP} {
			if o.enabled(typ) {
				if err := attach(c, o, defaultPolicy[typ], id); err != nil {
					return nil, err
				}
			}
		}
		role := defaultAccessRole
		if in.RoleName != nil && *in.RoleName != "" {
			role = *in.RoleName
		}
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + o.Master + `:root"},"Action":"sts:AssumeRole"}]}`
		if s.Roles != nil {
			if _, err := s.Roles.CreateAccountRole(c.Tx, id, role, trust, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, now); err != nil {
				return nil, err
			}
		}
		if err := s.serviceRole(c, id); err != nil {
			return nil, err
		}
		st.Account = id
	}
	if err := c.Tx.PutJSON(ns(tStatuses), st.ID, st); err != nil {
		return nil, err
	}
	s.changed(c)
	return &api.CreateAccountResponse{CreateAccountStatus: &api.CreateAccountStatus{Id: ptr(st.ID), AccountName: ptr(st.Name), State: ptr("IN_PROGRESS"), RequestedTimestamp: ptr(now)}}, nil
}

func (s *svc) describeCreateAccountStatus(c *server.Call, in *api.DescribeCreateAccountStatusRequest) (*api.DescribeCreateAccountStatusResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	st, err := load[statusRec](c.Tx, tStatuses, in.CreateAccountRequestId)
	if err != nil {
		return nil, err
	}
	if st == nil || st.Org != o.ID {
		return nil, api.NewCreateAccountStatusNotFoundException("We can't find an create account request with the CreateAccountRequestId that you specified.")
	}
	return &api.DescribeCreateAccountStatusResponse{CreateAccountStatus: st.out()}, nil
}

func (s *svc) listCreateAccountStatus(c *server.Call, in *api.ListCreateAccountStatusRequest) (*api.ListCreateAccountStatusResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	all, err := scan[statusRec](c.Tx, tStatuses, "")
	if err != nil {
		return nil, err
	}
	out := []api.CreateAccountStatus{}
	for _, st := range all {
		if st.Org != o.ID || len(in.States) > 0 && !contains(in.States, st.State) {
			continue
		}
		out = append(out, *st.out())
	}
	sortByKey(out, statusKey)
	items, next, err := page(out, statusKey, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListCreateAccountStatusResponse{CreateAccountStatuses: items, NextToken: next}, nil
}

// statusKey orders CreateAccount requests by when they were made (a fixed-width
// time, so that keys sort as times do), then by ID.
func statusKey(s api.CreateAccountStatus) string {
	return s.RequestedTimestamp.UTC().Format("2006-01-02T15:04:05.000000000") + "/" + *s.Id
}

func accountKey(a api.Account) string { return *a.Id }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// member loads an account of the organization.
func member(c *server.Call, o *orgRec, id string) (*memberRec, error) {
	m, err := load[memberRec](c.Tx, tMembers, id)
	if err != nil {
		return nil, err
	}
	if m == nil || m.Org != o.ID {
		return nil, errAccountNotFound()
	}
	return m, nil
}

func (s *svc) describeAccount(c *server.Call, in *api.DescribeAccountRequest) (*api.DescribeAccountResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	m, err := member(c, o, in.AccountId)
	if err != nil {
		return nil, err
	}
	a := o.accountOut(m)
	return &api.DescribeAccountResponse{Account: &a}, nil
}

func (s *svc) listAccounts(c *server.Call, in *api.ListAccountsRequest) (*api.ListAccountsResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	ms, err := members(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	out := []api.Account{}
	for _, m := range ms {
		out = append(out, o.accountOut(m))
	}
	items, next, err := page(out, accountKey, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListAccountsResponse{Accounts: items, NextToken: next}, nil
}

func (s *svc) listAccountsForParent(c *server.Call, in *api.ListAccountsForParentRequest) (*api.ListAccountsForParentResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if err := parentExists(c, o, in.ParentId); err != nil {
		return nil, err
	}
	ms, err := members(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	out := []api.Account{}
	for _, m := range ms {
		if m.Parent == in.ParentId {
			out = append(out, o.accountOut(m))
		}
	}
	items, next, err := page(out, accountKey, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListAccountsForParentResponse{Accounts: items, NextToken: next}, nil
}

func (s *svc) moveAccount(c *server.Call, in *api.MoveAccountRequest) (*model.Empty, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	m, err := member(c, o, in.AccountId)
	if err != nil {
		return nil, err
	}
	if err := parentExists(c, o, in.SourceParentId); err != nil {
		return nil, api.NewSourceParentNotFoundException("We can't find a source root or OU with the ParentId that you specified.")
	}
	if err := parentExists(c, o, in.DestinationParentId); err != nil {
		return nil, api.NewDestinationParentNotFoundException("We can't find the destination container (a root or OU) with the ParentId that you specified.")
	}
	if m.Parent != in.SourceParentId {
		return nil, api.NewAccountNotFoundException("We can't find an AWS account with the AccountId that you specified in the source parent.")
	}
	if m.Parent == in.DestinationParentId {
		return nil, api.NewDuplicateAccountException("That account is already present in the specified destination.")
	}
	m.Parent = in.DestinationParentId
	if err := c.Tx.PutJSON(ns(tMembers), m.ID, m); err != nil {
		return nil, err
	}
	s.changed(c)
	return &model.Empty{}, nil
}
