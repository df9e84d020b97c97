package app

import (
	"github.com/palisade/palisade/internal/service/iam"
	"github.com/palisade/palisade/internal/store"
)

// kmsRoles is IAM's roles as KMS's Roles: the roles and role sessions grants name.
type kmsRoles struct{}

func (kmsRoles) RoleByName(tx *store.Tx, account, name string) (arn, id string, ok bool, err error) {
	r, err := iam.LookupRole(tx, account, name)
	if err != nil || r == nil {
		return "", "", false, err
	}
	return r.ARN, r.ID, true, nil
}

func (kmsRoles) RoleByID(tx *store.Tx, account, id string) (arn string, ok bool, err error) {
	r, err := iam.LookupRoleByID(tx, account, id)
	if err != nil || r == nil {
		return "", false, err
	}
	return r.ARN, true, nil
}
