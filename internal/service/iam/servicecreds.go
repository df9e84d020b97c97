package iam

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxServiceCreds is IAM's quota of service-specific credentials per user and
// service: "You can have a maximum of two sets of service-specific credentials for
// each supported service per user" (CreateServiceSpecificCredential). The quota's
// name in the LimitExceeded message is inferred.
const maxServiceCreds = 2

// credServices are the services whose credentials are a user name and a password:
// CodeCommit's Git credentials and Amazon Keyspaces' Cassandra credentials. Bedrock's
// and CloudWatch Logs' API keys (an alias and a secret, expiring) are not served.
var credServices = map[string]bool{
	"codecommit.amazonaws.com": true,
	"cassandra.amazonaws.com":  true,
}

// svcCredRec is a service-specific credential, keyed userID/credID. Password is
// sealed under the master key; it leaves the server only in the answers of
// CreateServiceSpecificCredential and ResetServiceSpecificCredential.
type svcCredRec struct {
	ID          string    `json:"id"`
	UserID      string    `json:"user"`
	Service     string    `json:"service"`
	ServiceUser string    `json:"serviceUser"`
	Password    []byte    `json:"password"`
	Active      bool      `json:"active"`
	Created     time.Time `json:"created"`
}

func sealContextSvcCred(account, id string) string { return "service-credential/" + account + "/" + id }

func (s *svc) serviceCredHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateServiceSpecificCredential", s.createServiceSpecificCredential),
		server.Read("ListServiceSpecificCredentials", s.listServiceSpecificCredentials),
		server.Write("ResetServiceSpecificCredential", s.resetServiceSpecificCredential),
		server.Write("UpdateServiceSpecificCredential", s.updateServiceSpecificCredential),
		server.Write("DeleteServiceSpecificCredential", s.deleteServiceSpecificCredential),
	}
}

// noSuchSvcCred follows the wording of IAM's other credentials' answers ("The Access
// Key with id … cannot be found.", "The Public Key with id …"); inferred.
func noSuchSvcCred(id string) error {
	return api.NewNoSuchEntityException("The Service Specific Credential with id " + id + " cannot be found.")
}

// newServicePassword is a fresh password: 32 random bytes in Base64, 44 characters
// (the length of CodeCommit's generated Git passwords; inferred for Keyspaces).
func newServicePassword() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func (k *svcCredRec) meta(user string) api.ServiceSpecificCredentialMetadata {
	return api.ServiceSpecificCredentialMetadata{UserName: user, Status: status(k.Active), ServiceUserName: ptr(k.ServiceUser),
		CreateDate: k.Created, ServiceSpecificCredentialId: k.ID, ServiceName: k.Service}
}

func (k *svcCredRec) full(user, password string) *api.ServiceSpecificCredential {
	return &api.ServiceSpecificCredential{CreateDate: k.Created, ServiceName: k.Service, ServiceUserName: ptr(k.ServiceUser),
		ServicePassword: ptr(password), ServiceSpecificCredentialId: k.ID, UserName: user, Status: status(k.Active)}
}

func (s *svc) createServiceSpecificCredential(c *server.Call, in *api.CreateServiceSpecificCredentialRequest) (*api.CreateServiceSpecificCredentialResponse, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	if !credServices[in.ServiceName] {
		// The exception's documented description.
		return nil, api.NewServiceNotSupportedException("The specified service does not support service-specific credentials.")
	}
	if in.CredentialAgeDays != nil {
		// "This field is only valid for Bedrock and CloudWatch Logs API keys"; how IAM
		// refuses it for the other services is not documented.
		return nil, errValidation("CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.")
	}
	n := 0
	err = scanPrefix(c.Tx, ns(c.Account, tSvcCreds), u.ID+"/", "", func(_ string, v []byte) (bool, error) {
		var k svcCredRec
		if err := json.Unmarshal(v, &k); err != nil {
			return false, err
		}
		if k.Service == in.ServiceName {
			n++
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if n >= maxServiceCreds {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", maxServiceCreds))
	}
	// ACCA and 17 characters, as IAM's context-specific credential IDs
	// ("ACCAYFI33SINPGJEBYESF" in the Amazon Keyspaces Developer Guide); the service
	// user name is the user's name, "-at-" and the account (same guide, and the IAM
	// CLI reference's "sofia-at-123456789012").
	k := &svcCredRec{ID: newID("ACCA"), UserID: u.ID, Service: in.ServiceName, ServiceUser: u.Name + "-at-" + c.Account, Active: true, Created: timeUTC(c.Now)}
	pw := newServicePassword()
	k.Password = s.sealer.Seal([]byte(pw), sealContextSvcCred(c.Account, k.ID))
	if err := c.Tx.PutJSON(ns(c.Account, tSvcCreds), u.ID+"/"+k.ID, k); err != nil {
		return nil, err
	}
	return &api.CreateServiceSpecificCredentialResponse{ServiceSpecificCredential: k.full(u.Name, pw)}, nil
}

// listServiceSpecificCredentials lists a user's credentials (the caller's when no
// user is named; the root user has none), or with AllUsers every user's, optionally
// of one service.
func (s *svc) listServiceSpecificCredentials(c *server.Call, in *api.ListServiceSpecificCredentialsRequest) (*api.ListServiceSpecificCredentialsResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	all := in.AllUsers != nil && *in.AllUsers
	if all && in.UserName != nil {
		// "This parameter cannot be specified together with UserName"; the wording of
		// the refusal is inferred.
		return nil, errValidation("AllUsers cannot be specified together with UserName.")
	}
	if in.ServiceName != nil && !credServices[*in.ServiceName] {
		return nil, api.NewServiceNotSupportedException("The specified service does not support service-specific credentials.")
	}
	keep := func(k *svcCredRec) bool { return in.ServiceName == nil || k.Service == *in.ServiceName }
	prefix := ""
	names := map[string]string{} // user ID → name
	if !all {
		u, root, err := userOrCaller(c, in.UserName)
		if err != nil {
			return nil, err
		}
		if root {
			return &api.ListServiceSpecificCredentialsResponse{ServiceSpecificCredentials: []api.ServiceSpecificCredentialMetadata{}, IsTruncated: ptr(false)}, nil
		}
		prefix = u.ID + "/"
		names[u.ID] = u.Name
	}
	creds, trunc, marker, err := page(c.Tx, ns(c.Account, tSvcCreds), prefix, p, keep, func(k *svcCredRec) (api.ServiceSpecificCredentialMetadata, error) {
		name, err := credUserName(c.Tx, c.Account, k, names)
		return k.meta(name), err
	})
	if err != nil {
		return nil, err
	}
	return &api.ListServiceSpecificCredentialsResponse{ServiceSpecificCredentials: creds, IsTruncated: trunc, Marker: marker}, nil
}

// credUserName is the name of the user a credential belongs to, as the user is named
// now (a renamed user's credentials follow it).
func credUserName(tx *store.Tx, account string, k *svcCredRec, names map[string]string) (string, error) {
	if n, ok := names[k.UserID]; ok {
		return n, nil
	}
	u, err := loadByID[userRec](tx, account, tUsers, k.UserID)
	if err != nil || u == nil {
		return "", err
	}
	names[k.UserID] = u.Name
	return u.Name, nil
}

// ownedCred loads a credential of the named user (or the calling user).
func ownedCred(c *server.Call, user *string, id string) (*userRec, *svcCredRec, error) {
	u, root, err := userOrCaller(c, user)
	if err != nil {
		return nil, nil, err
	}
	if root {
		return nil, nil, noSuchSvcCred(id)
	}
	k, err := load[svcCredRec](c.Tx, ns(c.Account, tSvcCreds), u.ID+"/"+id)
	if err != nil {
		return nil, nil, err
	}
	if k == nil {
		return nil, nil, noSuchSvcCred(id)
	}
	return u, k, nil
}

// resetServiceSpecificCredential replaces the password; the new one is in this answer
// only.
func (s *svc) resetServiceSpecificCredential(c *server.Call, in *api.ResetServiceSpecificCredentialRequest) (*api.ResetServiceSpecificCredentialResponse, error) {
	u, k, err := ownedCred(c, in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	pw := newServicePassword()
	k.Password = s.sealer.Seal([]byte(pw), sealContextSvcCred(c.Account, k.ID))
	if err := c.Tx.PutJSON(ns(c.Account, tSvcCreds), u.ID+"/"+k.ID, k); err != nil {
		return nil, err
	}
	return &api.ResetServiceSpecificCredentialResponse{ServiceSpecificCredential: k.full(u.Name, pw)}, nil
}

func (s *svc) updateServiceSpecificCredential(c *server.Call, in *api.UpdateServiceSpecificCredentialRequest) (*model.Empty, error) {
	u, k, err := ownedCred(c, in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	if in.Status != api.StatusTypeActive && in.Status != api.StatusTypeInactive {
		return nil, errStatus(in.Status)
	}
	k.Active = in.Status == api.StatusTypeActive
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tSvcCreds), u.ID+"/"+k.ID, k)
}

func (s *svc) deleteServiceSpecificCredential(c *server.Call, in *api.DeleteServiceSpecificCredentialRequest) (*model.Empty, error) {
	u, k, err := ownedCred(c, in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tSvcCreds), u.ID+"/"+k.ID)
	return &model.Empty{}, err
}
