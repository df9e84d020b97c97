package iam

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// defaultMaxSession is a role's maximum session duration when none is given.
const defaultMaxSession = 3600

// roleRec is a stored IAM role.
type roleRec struct {
	entity
	Trust       string `json:"trust"`
	Description string `json:"description,omitempty"`
	MaxSession  int32  `json:"maxSession"`
	Boundary    string `json:"boundary,omitempty"`
	// ServiceLinked is the service principal of a service-linked role: such a role is
	// changed only by its service (and DeleteServiceLinkedRole).
	ServiceLinked string `json:"serviceLinked,omitempty"`
}

func (r *roleRec) arn(account string) string { return iamARN(account, "role", r.Path, r.Name) }

// out is the API view. ListRoles and the roles inside instance profiles leave out tags,
// the permissions boundary and last use; full includes them.
func (r *roleRec) out(account string, full bool) api.Role {
	v := api.Role{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.arn(account), CreateDate: r.Created,
		AssumeRolePolicyDocument: ptr(encodeDocument(r.Trust)), MaxSessionDuration: ptr(r.MaxSession),
	}
	if r.Description != "" {
		v.Description = ptr(r.Description)
	}
	if full {
		v.Tags = r.Tags
		v.PermissionsBoundary = boundaryOut(r.Boundary)
	}
	return v
}

func (s *svc) roleHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateRole", s.createRole),
		server.Read("GetRole", s.getRole),
		server.Read("ListRoles", s.listRoles),
		server.Write("UpdateRole", s.updateRole),
		server.Write("UpdateRoleDescription", s.updateRoleDescription),
		server.Write("UpdateAssumeRolePolicy", s.updateAssumeRolePolicy),
		server.Write("DeleteRole", s.deleteRole),
		server.Write("TagRole", s.tagRole),
		server.Write("UntagRole", s.untagRole),
		server.Read("ListRoleTags", s.listRoleTags),
		server.Write("PutRolePermissionsBoundary", s.putRolePermissionsBoundary),
		server.Write("DeleteRolePermissionsBoundary", s.deleteRolePermissionsBoundary),
		server.Write("CreateServiceLinkedRole", s.createServiceLinkedRole),
		server.Write("DeleteServiceLinkedRole", s.deleteServiceLinkedRole),
		server.Read("GetServiceLinkedRoleDeletionStatus", s.getServiceLinkedRoleDeletionStatus),
	}
}

func loadRole(tx *store.Tx, account, name string) (*roleRec, error) {
	r, err := load[roleRec](tx, ns(account, tRoles), lk(name))
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, noSuchRole(name)
	}
	return r, nil
}

// loadModifiableRole is loadRole for the operations a service-linked role refuses.
func loadModifiableRole(tx *store.Tx, account, name string) (*roleRec, error) {
	r, err := loadRole(tx, account, name)
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked != "" {
		return nil, api.NewUnmodifiableEntityException("Cannot perform the operation on the protected role '" + r.Name + "' - this role is only modifiable by AWS")
	}
	return r, nil
}

func putRole(tx *store.Tx, account string, r *roleRec) error {
	return tx.PutJSON(ns(account, tRoles), lk(r.Name), r)
}

// checkTrust validates a role trust policy: the trust-policy grammar from the policy
// engine, then, as IAM does, that the IAM users and roles of this account it names as
// principals exist.
func checkTrust(tx *store.Tx, account, doc string) (string, error) {
	doc, p, err := parseDocument(policy.KindTrust, doc, true)
	if err != nil {
		return "", err
	}
	for _, st := range p.Document().Statements {
		if st.Principal == nil {
			continue
		}
		for _, a := range st.Principal.AWS {
			ok, err := principalExists(tx, account, a)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", api.NewMalformedPolicyDocumentException(`Invalid principal in policy: "AWS":"` + a + `"`)
			}
		}
	}
	return doc, nil
}

// principalExists reports whether an AWS principal of a trust policy names an
// existing user or role when it is one of this account's; anything else (accounts,
// other accounts' ARNs, unique IDs) is accepted.
func principalExists(tx *store.Tx, account, p string) (bool, error) {
	rest, ok := strings.CutPrefix(p, "arn:aws:iam::"+account+":")
	if !ok {
		return true, nil
	}
	kind, pathName, _ := strings.Cut(rest, "/")
	name := pathName[strings.LastIndexByte(pathName, '/')+1:]
	table := map[string]string{"user": tUsers, "role": tRoles}[kind]
	if table == "" || strings.Contains(name, "*") {
		return true, nil
	}
	_, found, err := tx.Get(ns(account, table), lk(name))
	return found, err
}

func (s *svc) createRole(c *server.Call, in *api.CreateRoleRequest) (*api.CreateRoleResponse, error) {
	trust, err := checkTrust(c.Tx, c.Account, in.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags, "TagsPerRole")
	if err != nil {
		return nil, err
	}
	if err := checkAccountQuota(c.Tx, c.Account, tRoles); err != nil {
		return nil, err
	}
	r := &roleRec{
		entity: entity{Name: in.RoleName, Path: pathOr(in.Path), ID: newID("AROA"), Created: timeUTC(c.Now), Tags: tags},
		Trust:  trust, Description: str(in.Description), MaxSession: defaultMaxSession,
	}
	if in.MaxSessionDuration != nil {
		r.MaxSession = *in.MaxSessionDuration
	}
	if in.PermissionsBoundary != nil {
		if r.Boundary, err = setBoundary(c.Tx, c.Account, "", *in.PermissionsBoundary); err != nil {
			return nil, err
		}
	}
	ok, err := insertEntity(c.Tx, c.Account, tRoles, &r.entity, r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("Role with name " + in.RoleName + " already exists.")
	}
	out := r.out(c.Account, true)
	// AWS's recorded CreateRole answers leave out the description and the maximum
	// session duration, though GetRole shows both.
	out.Description, out.MaxSessionDuration = nil, nil
	return &api.CreateRoleResponse{Role: &out}, nil
}

func (s *svc) getRole(c *server.Call, in *api.GetRoleRequest) (*api.GetRoleResponse, error) {
	r, err := loadRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	out := r.out(c.Account, true)
	out.RoleLastUsed = &api.RoleLastUsed{}
	if at, region, ok := s.usage.roleLastUsed(c.Tx, c.Account, r.ID); ok {
		out.RoleLastUsed = &api.RoleLastUsed{LastUsedDate: ptr(at), Region: ptr(region)}
	}
	return &api.GetRoleResponse{Role: &out}, nil
}

func (s *svc) listRoles(c *server.Call, in *api.ListRolesRequest) (*api.ListRolesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	roles, trunc, marker, err := page(c.Tx, ns(c.Account, tRoles), "", p, pathFilter[roleRec](in.PathPrefix),
		func(r *roleRec) (api.Role, error) { return r.out(c.Account, false), nil })
	if err != nil {
		return nil, err
	}
	return &api.ListRolesResponse{Roles: roles, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) updateRole(c *server.Call, in *api.UpdateRoleRequest) (*api.UpdateRoleResponse, error) {
	r, err := loadModifiableRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.MaxSessionDuration != nil {
		r.MaxSession = *in.MaxSessionDuration
	}
	return &api.UpdateRoleResponse{}, putRole(c.Tx, c.Account, r)
}

// updateRoleDescription is allowed on service-linked roles too: IAM lets customers
// describe them.
func (s *svc) updateRoleDescription(c *server.Call, in *api.UpdateRoleDescriptionRequest) (*api.UpdateRoleDescriptionResponse, error) {
	r, err := loadRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	r.Description = in.Description
	if err := putRole(c.Tx, c.Account, r); err != nil {
		return nil, err
	}
	out := r.out(c.Account, true)
	// As AWS answers: the role without its maximum session duration, even when set.
	out.MaxSessionDuration = nil
	return &api.UpdateRoleDescriptionResponse{Role: &out}, nil
}

func (s *svc) updateAssumeRolePolicy(c *server.Call, in *api.UpdateAssumeRolePolicyRequest) (*model.Empty, error) {
	r, err := loadModifiableRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	if r.Trust, err = checkTrust(c.Tx, c.Account, in.PolicyDocument); err != nil {
		return nil, err
	}
	return &model.Empty{}, putRole(c.Tx, c.Account, r)
}

func (s *svc) deleteRole(c *server.Call, in *api.DeleteRoleRequest) (*model.Empty, error) {
	r, err := loadModifiableRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	if err := conflicts(c.Tx, roleConflicts(c.Account, r)); err != nil {
		return nil, err
	}
	if err := s.usage.forgetEntity(c.Tx, c.Account, "role/"+r.ID, r.ID); err != nil {
		return nil, err
	}
	return &model.Empty{}, removeRole(c.Tx, c.Account, r)
}

// roleConflicts are what DeleteRole requires gone, in the order IAM reports them.
func roleConflicts(account string, r *roleRec) []conflict {
	return []conflict{
		{ns(account, tRoleProfs), r.ID + "/", "Cannot delete entity, must remove roles from instance profile first."},
		{ns(account, tInline), kRole + "/" + r.ID + "/", "Cannot delete entity, must delete policies first."},
		{ns(account, tAttached), kRole + "/" + r.ID + "/", "Cannot delete entity, must detach all policies first."},
	}
}

// removeRole deletes a role record, releasing its permissions boundary.
func removeRole(tx *store.Tx, account string, r *roleRec) error {
	if r.Boundary != "" {
		if _, err := setBoundary(tx, account, r.Boundary, ""); err != nil {
			return err
		}
	}
	return deleteEntity(tx, account, tRoles, &r.entity)
}

func (s *svc) tagRole(c *server.Call, in *api.TagRoleRequest) (*model.Empty, error) {
	return &model.Empty{}, tagRecord[roleRec](c.Tx, ns(c.Account, tRoles), lk(in.RoleName), noSuchRole(in.RoleName), in.Tags, "TagsPerRole")
}

func (s *svc) untagRole(c *server.Call, in *api.UntagRoleRequest) (*model.Empty, error) {
	return &model.Empty{}, untagRecord[roleRec](c.Tx, ns(c.Account, tRoles), lk(in.RoleName), noSuchRole(in.RoleName), in.TagKeys, "TagsPerRole")
}

func (s *svc) listRoleTags(c *server.Call, in *api.ListRoleTagsRequest) (*api.ListRoleTagsResponse, error) {
	tags, trunc, marker, err := listTags[roleRec](c.Tx, ns(c.Account, tRoles), lk(in.RoleName), noSuchRole(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &api.ListRoleTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}

func (s *svc) putRolePermissionsBoundary(c *server.Call, in *api.PutRolePermissionsBoundaryRequest) (*model.Empty, error) {
	r, err := loadModifiableRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	if r.Boundary, err = setBoundary(c.Tx, c.Account, r.Boundary, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	return &model.Empty{}, putRole(c.Tx, c.Account, r)
}

func (s *svc) deleteRolePermissionsBoundary(c *server.Call, in *api.DeleteRolePermissionsBoundaryRequest) (*model.Empty, error) {
	r, err := loadModifiableRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	if r.Boundary == "" {
		// AWS answers NoSuchEntity (policy_management.json in radkawar/stackd); the
		// message was not recorded.
		return nil, api.NewNoSuchEntityException("The permissions boundary for role " + in.RoleName + " cannot be found.")
	}
	if r.Boundary, err = setBoundary(c.Tx, c.Account, r.Boundary, ""); err != nil {
		return nil, err
	}
	return &model.Empty{}, putRole(c.Tx, c.Account, r)
}
