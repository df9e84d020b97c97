package iam

import (
	"sort"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// profileRec is a stored instance profile; Roles holds the IDs of its roles (IAM
// allows one).
type profileRec struct {
	entity
	Roles []string `json:"roles,omitempty"`
}

func (p *profileRec) arn(account string) string {
	return iamARN(account, "instance-profile", p.Path, p.Name)
}

// out is the API view, with the profile's roles and tags.
func (p *profileRec) out(tx *store.Tx, account string) (api.InstanceProfile, error) {
	v := api.InstanceProfile{Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID, Arn: p.arn(account), CreateDate: p.Created, Roles: []api.Role{}, Tags: p.Tags}
	for _, id := range p.Roles {
		r, err := loadByID[roleRec](tx, account, tRoles, id)
		if err != nil {
			return v, err
		}
		if r != nil {
			// AWS lists a profile's roles without their maximum session duration,
			// which ListRoles shows.
			role := r.out(account, false)
			role.MaxSessionDuration = nil
			v.Roles = append(v.Roles, role)
		}
	}
	return v, nil
}

func (s *svc) instanceProfileHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateInstanceProfile", s.createInstanceProfile),
		server.Read("GetInstanceProfile", s.getInstanceProfile),
		server.Read("ListInstanceProfiles", s.listInstanceProfiles),
		server.Write("DeleteInstanceProfile", s.deleteInstanceProfile),
		server.Write("AddRoleToInstanceProfile", s.addRoleToInstanceProfile),
		server.Write("RemoveRoleFromInstanceProfile", s.removeRoleFromInstanceProfile),
		server.Read("ListInstanceProfilesForRole", s.listInstanceProfilesForRole),
		server.Write("TagInstanceProfile", s.tagInstanceProfile),
		server.Write("UntagInstanceProfile", s.untagInstanceProfile),
		server.Read("ListInstanceProfileTags", s.listInstanceProfileTags),
	}
}

func loadProfile(tx *store.Tx, account, name string) (*profileRec, error) {
	p, err := load[profileRec](tx, ns(account, tProfiles), lk(name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noSuchProfile(name)
	}
	return p, nil
}

func (s *svc) createInstanceProfile(c *server.Call, in *api.CreateInstanceProfileRequest) (*api.CreateInstanceProfileResponse, error) {
	tags, err := newTags(in.Tags, "TagsPerInstanceProfile")
	if err != nil {
		return nil, err
	}
	if err := checkAccountQuota(c.Tx, c.Account, tProfiles); err != nil {
		return nil, err
	}
	p := &profileRec{entity: entity{Name: in.InstanceProfileName, Path: pathOr(in.Path), ID: newID("AIPA"), Created: timeUTC(c.Now), Tags: tags}}
	ok, err := insertEntity(c.Tx, c.Account, tProfiles, &p.entity, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("Instance Profile " + in.InstanceProfileName + " already exists.")
	}
	out, err := p.out(c.Tx, c.Account)
	return &api.CreateInstanceProfileResponse{InstanceProfile: &out}, err
}

func (s *svc) getInstanceProfile(c *server.Call, in *api.GetInstanceProfileRequest) (*api.GetInstanceProfileResponse, error) {
	p, err := loadProfile(c.Tx, c.Account, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	out, err := p.out(c.Tx, c.Account)
	return &api.GetInstanceProfileResponse{InstanceProfile: &out}, err
}

func (s *svc) listInstanceProfiles(c *server.Call, in *api.ListInstanceProfilesRequest) (*api.ListInstanceProfilesResponse, error) {
	pg, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	ps, trunc, marker, err := page(c.Tx, ns(c.Account, tProfiles), "", pg, pathFilter[profileRec](in.PathPrefix),
		func(p *profileRec) (api.InstanceProfile, error) { return p.out(c.Tx, c.Account) })
	if err != nil {
		return nil, err
	}
	return &api.ListInstanceProfilesResponse{InstanceProfiles: ps, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) deleteInstanceProfile(c *server.Call, in *api.DeleteInstanceProfileRequest) (*model.Empty, error) {
	p, err := loadProfile(c.Tx, c.Account, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	if len(p.Roles) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	}
	return &model.Empty{}, deleteEntity(c.Tx, c.Account, tProfiles, &p.entity)
}

func profileAndRole(tx *store.Tx, account, profile, role string) (*profileRec, *roleRec, error) {
	p, err := loadProfile(tx, account, profile)
	if err != nil {
		return nil, nil, err
	}
	r, err := loadRole(tx, account, role)
	return p, r, err
}

func (s *svc) addRoleToInstanceProfile(c *server.Call, in *api.AddRoleToInstanceProfileRequest) (*model.Empty, error) {
	p, r, err := profileAndRole(c.Tx, c.Account, in.InstanceProfileName, in.RoleName)
	if err != nil {
		return nil, err
	}
	if len(p.Roles) > 0 {
		// An instance profile holds one role; adding it again answers the same way.
		return nil, limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	}
	p.Roles = []string{r.ID}
	if err := c.Tx.PutJSON(ns(c.Account, tProfiles), lk(p.Name), p); err != nil {
		return nil, err
	}
	return &model.Empty{}, c.Tx.Put(ns(c.Account, tRoleProfs), r.ID+"/"+p.ID, nil)
}

func (s *svc) removeRoleFromInstanceProfile(c *server.Call, in *api.RemoveRoleFromInstanceProfileRequest) (*model.Empty, error) {
	p, r, err := profileAndRole(c.Tx, c.Account, in.InstanceProfileName, in.RoleName)
	if err != nil {
		return nil, err
	}
	kept := p.Roles[:0]
	for _, id := range p.Roles {
		if id != r.ID {
			kept = append(kept, id)
		}
	}
	if len(kept) == len(p.Roles) {
		return nil, api.NewNoSuchEntityException("Role " + r.Name + " in Instance Profile " + p.Name + " cannot be found.")
	}
	p.Roles = kept
	if err := c.Tx.PutJSON(ns(c.Account, tProfiles), lk(p.Name), p); err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tRoleProfs), r.ID+"/"+p.ID)
	return &model.Empty{}, err
}

func (s *svc) listInstanceProfilesForRole(c *server.Call, in *api.ListInstanceProfilesForRoleRequest) (*api.ListInstanceProfilesForRoleResponse, error) {
	pg, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	r, err := loadRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	ids, err := suffixes(c.Tx, ns(c.Account, tRoleProfs), r.ID+"/")
	if err != nil {
		return nil, err
	}
	var all []api.InstanceProfile
	for _, id := range ids {
		p, err := loadByID[profileRec](c.Tx, c.Account, tProfiles, id)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		o, err := p.out(c.Tx, c.Account)
		if err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	sort.Slice(all, func(i, j int) bool { return lk(all[i].InstanceProfileName) < lk(all[j].InstanceProfileName) })
	ps, trunc, marker, err := slicePage(all, pg)
	if err != nil {
		return nil, err
	}
	return &api.ListInstanceProfilesForRoleResponse{InstanceProfiles: ps, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) tagInstanceProfile(c *server.Call, in *api.TagInstanceProfileRequest) (*model.Empty, error) {
	return &model.Empty{}, tagRecord[profileRec](c.Tx, ns(c.Account, tProfiles), lk(in.InstanceProfileName), noSuchProfile(in.InstanceProfileName), in.Tags, "TagsPerInstanceProfile")
}

func (s *svc) untagInstanceProfile(c *server.Call, in *api.UntagInstanceProfileRequest) (*model.Empty, error) {
	return &model.Empty{}, untagRecord[profileRec](c.Tx, ns(c.Account, tProfiles), lk(in.InstanceProfileName), noSuchProfile(in.InstanceProfileName), in.TagKeys, "TagsPerInstanceProfile")
}

func (s *svc) listInstanceProfileTags(c *server.Call, in *api.ListInstanceProfileTagsRequest) (*api.ListInstanceProfileTagsResponse, error) {
	tags, trunc, marker, err := listTags[profileRec](c.Tx, ns(c.Account, tProfiles), lk(in.InstanceProfileName), noSuchProfile(in.InstanceProfileName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &api.ListInstanceProfileTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}
