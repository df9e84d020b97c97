package organizations

import (
	"sort"
	"strings"

	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxOUDepth is how deep OUs nest under the root (Organizations quotas).
const maxOUDepth = 5

// parentExists checks a root or OU ID of the organization.
func parentExists(c *server.Call, o *orgRec, id string) error {
	if id == o.RootID {
		return nil
	}
	if strings.HasPrefix(id, "ou-") {
		u, err := load[ouRec](c.Tx, tOUs, id)
		if err != nil {
			return err
		}
		if u != nil && u.Org == o.ID {
			return nil
		}
	}
	return errParentNotFound()
}

// ou loads an OU of the organization.
func ou(c *server.Call, o *orgRec, id string) (*ouRec, error) {
	u, err := load[ouRec](c.Tx, tOUs, id)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Org != o.ID {
		return nil, errOUNotFound()
	}
	return u, nil
}

// ouPath is the IDs from the root down to (and including) id: the root, OUs.
func ouPath(tx *store.Tx, root, id string) ([]string, error) {
	var rev []string
	for id != root {
		u, err := load[ouRec](tx, tOUs, id)
		if err != nil || u == nil {
			return nil, err
		}
		rev = append(rev, u.ID)
		id = u.Parent
	}
	out := []string{root}
	for i := len(rev) - 1; i >= 0; i-- {
		out = append(out, rev[i])
	}
	return out, nil
}

func (o *orgRec) ouOut(u *ouRec) *api.OrganizationalUnit {
	return &api.OrganizationalUnit{Id: ptr(u.ID), Arn: ptr(o.ouARN(u.ID)), Name: ptr(u.Name)}
}

func (s *svc) createOU(c *server.Call, in *api.CreateOrganizationalUnitRequest) (*api.CreateOrganizationalUnitResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if err := parentExists(c, o, in.ParentId); err != nil {
		return nil, err
	}
	path, err := ouPath(c.Tx, o.RootID, in.ParentId)
	if err != nil {
		return nil, err
	}
	if len(path) > maxOUDepth {
		return nil, constraint("OU_DEPTH_LIMIT_EXCEEDED", "You have reached the maximum depth of OUs in the organization.")
	}
	units, err := ous(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if u.Parent == in.ParentId && u.Name == in.Name {
			return nil, api.NewDuplicateOrganizationalUnitException("An OU with the same name already exists.")
		}
	}
	u := &ouRec{ID: newID("ou-"+strings.TrimPrefix(o.RootID, "r-")+"-", 8), Org: o.ID, Name: in.Name, Parent: in.ParentId}
	if err := c.Tx.PutJSON(ns(tOUs), u.ID, u); err != nil {
		return nil, err
	}
	for _, typ := range []string{typeSCP, typeRCP} {
		if o.enabled(typ) {
			if err := attach(c, o, defaultPolicy[typ], u.ID); err != nil {
				return nil, err
			}
		}
	}
	s.changed(c)
	return &api.CreateOrganizationalUnitResponse{OrganizationalUnit: o.ouOut(u)}, nil
}

func (s *svc) describeOU(c *server.Call, in *api.DescribeOrganizationalUnitRequest) (*api.DescribeOrganizationalUnitResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	u, err := ou(c, o, in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	return &api.DescribeOrganizationalUnitResponse{OrganizationalUnit: o.ouOut(u)}, nil
}

func (s *svc) updateOU(c *server.Call, in *api.UpdateOrganizationalUnitRequest) (*api.UpdateOrganizationalUnitResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	u, err := ou(c, o, in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	if in.Name != nil && *in.Name != u.Name {
		units, err := ous(c.Tx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range units {
			if x.Parent == u.Parent && x.Name == *in.Name {
				return nil, api.NewDuplicateOrganizationalUnitException("An OU with the same name already exists.")
			}
		}
		u.Name = *in.Name
		if err := c.Tx.PutJSON(ns(tOUs), u.ID, u); err != nil {
			return nil, err
		}
	}
	return &api.UpdateOrganizationalUnitResponse{OrganizationalUnit: o.ouOut(u)}, nil
}

func (s *svc) deleteOU(c *server.Call, in *api.DeleteOrganizationalUnitRequest) (*model.Empty, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	u, err := ou(c, o, in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	kids, err := children(c, o, u.ID)
	if err != nil {
		return nil, err
	}
	if len(kids) > 0 {
		return nil, api.NewOrganizationalUnitNotEmptyException("The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
	}
	if err := detachAll(c, o, u.ID); err != nil {
		return nil, err
	}
	if _, err := c.Tx.Delete(ns(tOUs), u.ID); err != nil {
		return nil, err
	}
	s.changed(c)
	return &model.Empty{}, nil
}

// children lists the OUs and accounts directly under a parent, OUs first.
func children(c *server.Call, o *orgRec, parent string) ([]api.Child, error) {
	out := []api.Child{}
	units, err := ous(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	sort.Slice(units, func(i, j int) bool { return units[i].ID < units[j].ID })
	for _, u := range units {
		if u.Parent == parent {
			out = append(out, api.Child{Id: ptr(u.ID), Type: ptr("ORGANIZATIONAL_UNIT")})
		}
	}
	ms, err := members(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Parent == parent {
			out = append(out, api.Child{Id: ptr(m.ID), Type: ptr("ACCOUNT")})
		}
	}
	return out, nil
}

func (s *svc) listOUsForParent(c *server.Call, in *api.ListOrganizationalUnitsForParentRequest) (*api.ListOrganizationalUnitsForParentResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if err := parentExists(c, o, in.ParentId); err != nil {
		return nil, err
	}
	units, err := ous(c.Tx, o.ID)
	if err != nil {
		return nil, err
	}
	sort.Slice(units, func(i, j int) bool { return units[i].ID < units[j].ID })
	out := []api.OrganizationalUnit{}
	for _, u := range units {
		if u.Parent == in.ParentId {
			out = append(out, *o.ouOut(u))
		}
	}
	items, next, err := page(out, func(u api.OrganizationalUnit) string { return *u.Id }, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListOrganizationalUnitsForParentResponse{OrganizationalUnits: items, NextToken: next}, nil
}

func (s *svc) listChildren(c *server.Call, in *api.ListChildrenRequest) (*api.ListChildrenResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if err := parentExists(c, o, in.ParentId); err != nil {
		return nil, err
	}
	all, err := children(c, o, in.ParentId)
	if err != nil {
		return nil, err
	}
	out := []api.Child{}
	for _, ch := range all {
		if *ch.Type == in.ChildType {
			out = append(out, ch)
		}
	}
	childKey := func(c api.Child) string { return *c.Id }
	sortByKey(out, childKey)
	items, next, err := page(out, childKey, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListChildrenResponse{Children: items, NextToken: next}, nil
}

func (s *svc) listParents(c *server.Call, in *api.ListParentsRequest) (*api.ListParentsResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	parent := ""
	if strings.HasPrefix(in.ChildId, "ou-") {
		u, err := ou(c, o, in.ChildId)
		if err != nil {
			return nil, api.NewChildNotFoundException("We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		}
		parent = u.Parent
	} else {
		m, err := load[memberRec](c.Tx, tMembers, in.ChildId)
		if err != nil {
			return nil, err
		}
		if m == nil || m.Org != o.ID {
			return nil, api.NewChildNotFoundException("We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		}
		parent = m.Parent
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parent == o.RootID {
		typ = "ROOT"
	}
	return &api.ListParentsResponse{Parents: []api.Parent{{Id: ptr(parent), Type: ptr(typ)}}}, nil
}
