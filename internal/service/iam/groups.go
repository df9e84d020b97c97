package iam

import (
	"fmt"
	"sort"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxGroupsPerUser is IAM's quota of groups an IAM user can be a member of.
const maxGroupsPerUser = 10

// groupRec is a stored IAM group. Groups carry no tags in IAM.
type groupRec struct {
	entity
}

func (g *groupRec) arn(account string) string { return iamARN(account, "group", g.Path, g.Name) }

func (g *groupRec) out(account string) api.Group {
	return api.Group{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.arn(account), CreateDate: g.Created}
}

func (s *svc) groupHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateGroup", s.createGroup),
		server.Read("GetGroup", s.getGroup),
		server.Read("ListGroups", s.listGroups),
		server.Write("UpdateGroup", s.updateGroup),
		server.Write("DeleteGroup", s.deleteGroup),
		server.Write("AddUserToGroup", s.addUserToGroup),
		server.Write("RemoveUserFromGroup", s.removeUserFromGroup),
		server.Read("ListGroupsForUser", s.listGroupsForUser),
	}
}

func loadGroup(tx *store.Tx, account, name string) (*groupRec, error) {
	g, err := load[groupRec](tx, ns(account, tGroups), lk(name))
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, noSuchGroup(name)
	}
	return g, nil
}

func (s *svc) createGroup(c *server.Call, in *api.CreateGroupRequest) (*api.CreateGroupResponse, error) {
	if err := checkAccountQuota(c.Tx, c.Account, tGroups); err != nil {
		return nil, err
	}
	g := &groupRec{entity{Name: in.GroupName, Path: pathOr(in.Path), ID: newID("AGPA"), Created: timeUTC(c.Now)}}
	ok, err := insertEntity(c.Tx, c.Account, tGroups, &g.entity, g)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("Group with name " + in.GroupName + " already exists.")
	}
	out := g.out(c.Account)
	return &api.CreateGroupResponse{Group: &out}, nil
}

// groupMembers returns the users of a group, by name.
func groupMembers(tx *store.Tx, account, groupID string) ([]*userRec, error) {
	return related[userRec](tx, account, "g/"+groupID+"/", tUsers)
}

// userGroups returns the groups a user is in, by name.
func userGroups(tx *store.Tx, account, userID string) ([]*groupRec, error) {
	return related[groupRec](tx, account, "u/"+userID+"/", tGroups)
}

// related loads the entities whose IDs end the membership keys under prefix, sorted by
// name.
func related[T any, P interface {
	*T
	named
}](tx *store.Tx, account, prefix, table string) ([]*T, error) {
	ids, err := suffixes(tx, ns(account, tMembers), prefix)
	if err != nil {
		return nil, err
	}
	var out []*T
	for _, id := range ids {
		e, err := loadByID[T](tx, account, table, id)
		if err != nil {
			return nil, err
		}
		if e != nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lk(P(out[i]).entityName()) < lk(P(out[j]).entityName()) })
	return out, nil
}

type named interface{ entityName() string }

func (e *entity) entityName() string { return e.Name }

func (s *svc) getGroup(c *server.Call, in *api.GetGroupRequest) (*api.GetGroupResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(c.Tx, c.Account, in.GroupName)
	if err != nil {
		return nil, err
	}
	members, err := groupMembers(c.Tx, c.Account, g.ID)
	if err != nil {
		return nil, err
	}
	all := make([]api.User, len(members))
	for i, u := range members {
		all[i] = u.out(c.Account, false)
	}
	users, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	out := g.out(c.Account)
	return &api.GetGroupResponse{Group: &out, Users: users, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) listGroups(c *server.Call, in *api.ListGroupsRequest) (*api.ListGroupsResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	groups, trunc, marker, err := page(c.Tx, ns(c.Account, tGroups), "", p, pathFilter[groupRec](in.PathPrefix),
		func(g *groupRec) (api.Group, error) { return g.out(c.Account), nil })
	if err != nil {
		return nil, err
	}
	return &api.ListGroupsResponse{Groups: groups, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) updateGroup(c *server.Call, in *api.UpdateGroupRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, in.GroupName)
	if err != nil {
		return nil, err
	}
	newName := g.Name
	if in.NewGroupName != nil {
		newName = *in.NewGroupName
	}
	if lk(newName) != lk(g.Name) {
		if other, err := load[groupRec](c.Tx, ns(c.Account, tGroups), lk(newName)); err != nil {
			return nil, err
		} else if other != nil {
			return nil, api.NewEntityAlreadyExistsException("Group with name " + newName + " already exists.")
		}
	}
	if err := deleteEntity(c.Tx, c.Account, tGroups, &g.entity); err != nil {
		return nil, err
	}
	g.Name = newName
	if in.NewPath != nil {
		g.Path = *in.NewPath
	}
	_, err = insertEntity(c.Tx, c.Account, tGroups, &g.entity, g)
	return &model.Empty{}, err
}

func (s *svc) deleteGroup(c *server.Call, in *api.DeleteGroupRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, in.GroupName)
	if err != nil {
		return nil, err
	}
	checks := []conflict{
		{ns(c.Account, tMembers), "g/" + g.ID + "/", "Cannot delete entity, must remove users from group first."},
		{ns(c.Account, tInline), kGroup + "/" + g.ID + "/", "Cannot delete entity, must delete policies first."},
		{ns(c.Account, tAttached), kGroup + "/" + g.ID + "/", "Cannot delete entity, must detach all policies first."},
	}
	if err := conflicts(c.Tx, checks); err != nil {
		return nil, err
	}
	return &model.Empty{}, deleteEntity(c.Tx, c.Account, tGroups, &g.entity)
}

// conflict is one thing that blocks a deletion: keys under prefix in namespace, and
// the DeleteConflict message naming it.
type conflict struct{ namespace, prefix, msg string }

// conflicts returns DeleteConflict with the message of the first check whose prefix
// has keys.
func conflicts(tx *store.Tx, checks []conflict) error {
	for _, ch := range checks {
		found, err := exists(tx, ch.namespace, ch.prefix)
		if err != nil {
			return err
		}
		if found {
			return deleteConflict(ch.msg)
		}
	}
	return nil
}

// addUserToGroup is idempotent: adding a member again changes nothing, as in IAM.
func (s *svc) addUserToGroup(c *server.Call, in *api.AddUserToGroupRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, in.GroupName)
	if err != nil {
		return nil, err
	}
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	if _, ok, err := c.Tx.Get(ns(c.Account, tMembers), "u/"+u.ID+"/"+g.ID); err != nil || ok {
		return &model.Empty{}, err
	}
	n, err := countPrefix(c.Tx, ns(c.Account, tMembers), "u/"+u.ID+"/")
	if err != nil {
		return nil, err
	}
	if n >= maxGroupsPerUser {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser))
	}
	if err := c.Tx.Put(ns(c.Account, tMembers), "u/"+u.ID+"/"+g.ID, nil); err != nil {
		return nil, err
	}
	return &model.Empty{}, c.Tx.Put(ns(c.Account, tMembers), "g/"+g.ID+"/"+u.ID, nil)
}

// removeUserFromGroup succeeds when the user is not a member, as IAM does. The user
// is looked up first: AWS names a missing user even when the group is missing too.
func (s *svc) removeUserFromGroup(c *server.Call, in *api.RemoveUserFromGroupRequest) (*model.Empty, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(c.Tx, c.Account, in.GroupName)
	if err != nil {
		return nil, err
	}
	if _, err := c.Tx.Delete(ns(c.Account, tMembers), "u/"+u.ID+"/"+g.ID); err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tMembers), "g/"+g.ID+"/"+u.ID)
	return &model.Empty{}, err
}

func (s *svc) listGroupsForUser(c *server.Call, in *api.ListGroupsForUserRequest) (*api.ListGroupsForUserResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	groups, err := userGroups(c.Tx, c.Account, u.ID)
	if err != nil {
		return nil, err
	}
	all := make([]api.Group, len(groups))
	for i, g := range groups {
		all[i] = g.out(c.Account)
	}
	out, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.ListGroupsForUserResponse{Groups: out, IsTruncated: trunc, Marker: marker}, nil
}
