package organizations

import (
	"sort"
	"time"

	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// waitPeriod is how long an account made by CreateAccount stays in its organization
// before it may leave or be removed: "at least four days after the account was
// created. Invited accounts aren't subject to this waiting period" (API reference,
// LeaveOrganization and the WAIT_PERIOD_ACTIVE reason).
const waitPeriod = 4 * 24 * time.Hour

// departRec keeps an account's past memberships once it has left them. CloudTrail
// delivers an organization trail's records minutes after their calls, and a record
// belongs to the trail when its account was a member as the call was made.
type departRec struct {
	ID     string  `json:"id"`
	Spells []spell `json:"spells"`
}

// spell is one membership that ended.
type spell struct {
	Org          string    `json:"org"`
	JoinedMethod string    `json:"joinedMethod"`
	Joined       time.Time `json:"joined"`
	Departed     time.Time `json:"departed"`
	// Method is how it ended, in the words of AWS's AccountDepartedOrganization
	// event: Left (LeaveOrganization) or Removed (RemoveAccountFromOrganization).
	Method string `json:"method"`
	// Until is the event-log sequence of the departing call's own record, the last
	// one made as a member.
	Until int64 `json:"until"`
}

func errMasterCannotLeave() error {
	return api.NewMasterCannotLeaveOrganizationException("You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.")
}

// leaveOrganization takes the calling member account out of its organization.
func (s *svc) leaveOrganization(c *server.Call, _ *model.Empty) (*model.Empty, error) {
	o, m, err := s.membership(c)
	if err != nil {
		return nil, err
	}
	if m.ID == o.Master {
		return nil, errMasterCannotLeave()
	}
	return &model.Empty{}, s.depart(c, o, m, "Left")
}

// removeAccountFromOrganization takes a member account out of the caller's
// organization; only the management account may.
func (s *svc) removeAccountFromOrganization(c *server.Call, in *api.RemoveAccountFromOrganizationRequest) (*model.Empty, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if in.AccountId == o.Master {
		return nil, errMasterCannotLeave()
	}
	m, err := member(c, o, in.AccountId)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, s.depart(c, o, m, "Removed")
}

// depart ends an account's membership, once AWS's conditions for a created account
// hold: its policies' attachments go with it (the policies stay in the
// organization), the IAM roles in the account (OrganizationAccountAccessRole) stay,
// and from the next call it is subject to no SCP or RCP.
func (s *svc) depart(c *server.Call, o *orgRec, m *memberRec, method string) error {
	if m.JoinedMethod == "CREATED" {
		// The two messages as AWS answered RemoveAccountFromOrganization
		// (softwareone-platform/swo-aws-extension); the reasons are inferred from the
		// API reference's list.
		if c.Now.Before(m.Joined.Add(waitPeriod)) {
			return constraint("WAIT_PERIOD_ACTIVE", "This operation requires a wait period.  Try again later.")
		}
		if !m.Standalone {
			return constraint("ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION", "The member account is missing one or more of the prerequisites required to operate as a standalone account. To add what is missing, sign-in to the member account using the AWS Organizations console, then select to leave the organization. You will then be prompted to enter any missing information.")
		}
	}
	if err := detachAll(c, o, m.ID); err != nil {
		return err
	}
	if _, err := c.Tx.Delete(ns(tMembers), m.ID); err != nil {
		return err
	}
	// The server appends the call's record right after the handler returns: it is
	// the next sequence, and the last made while the account was a member.
	last, err := c.Tx.LastEventSeq()
	if err != nil {
		return err
	}
	d, err := load[departRec](c.Tx, tDeparted, m.ID)
	if err != nil {
		return err
	}
	if d == nil {
		d = &departRec{ID: m.ID}
	}
	d.Spells = append(d.Spells, spell{Org: o.ID, JoinedMethod: m.JoinedMethod, Joined: m.Joined, Departed: c.Now.UTC(), Method: method, Until: last + 1})
	if err := c.Tx.PutJSON(ns(tDeparted), m.ID, d); err != nil {
		return err
	}
	s.changed(c)
	return nil
}

// Membership is an organization an account belongs or belonged to, for the records
// of the event log up to Until (0: its current organization, from the end of the
// last membership that ended).
type Membership struct {
	OrgID string
	Until int64
}

// Memberships lists the organizations an account has belonged to, oldest first, its
// current one last: the organization of a record of sequence n is the first whose
// Until is 0 or not below n.
func (Source) Memberships(tx *store.Tx, account string) ([]Membership, error) {
	var out []Membership
	d, err := load[departRec](tx, tDeparted, account)
	if err != nil {
		return nil, err
	}
	if d != nil {
		for _, sp := range d.Spells {
			out = append(out, Membership{OrgID: sp.Org, Until: sp.Until})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Until < out[j].Until })
	}
	m, err := load[memberRec](tx, tMembers, account)
	if err != nil {
		return nil, err
	}
	if m != nil {
		out = append(out, Membership{OrgID: m.Org})
	}
	return out, nil
}
