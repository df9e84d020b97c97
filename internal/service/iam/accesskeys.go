package iam

import (
	"sort"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxAccessKeys is IAM's quota of access keys per user (and for the root user).
const maxAccessKeys = 2

func (s *svc) accessKeyHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateAccessKey", s.createAccessKey),
		server.Read("ListAccessKeys", s.listAccessKeys),
		server.Write("UpdateAccessKey", s.updateAccessKey),
		server.Write("DeleteAccessKey", s.deleteAccessKey),
		server.Read("GetAccessKeyLastUsed", s.getAccessKeyLastUsed),
	}
}

// keyOwner is whose keys an access-key operation acts on: an IAM user, or the root
// user (u nil).
type keyOwner struct {
	u *userRec
}

func (o keyOwner) principal(account string) auth.Principal {
	if o.u == nil {
		return auth.RootPrincipal(account)
	}
	return o.u.principal(account)
}

// name is the UserName IAM reports for the owner's keys; the root user has none, and
// IAM answers with the account's ID in its place.
func (o keyOwner) name(account string) string {
	if o.u == nil {
		return account
	}
	return o.u.Name
}

// keyIDs lists the owner's access key IDs.
func (s *svc) keyIDs(tx *store.Tx, account string, o keyOwner) ([]string, error) {
	if o.u == nil {
		return s.keys.ListFor(tx, auth.RootPrincipal(account).ARN)
	}
	return suffixes(tx, ns(account, tUserKeys), o.u.ID+"/")
}

// ownerKeys returns the owner's keys, oldest first (the order of the credential
// report's access_key_1 and access_key_2).
func (s *svc) ownerKeys(tx *store.Tx, account string, o keyOwner) ([]auth.KeyInfo, error) {
	ids, err := s.keyIDs(tx, account, o)
	if err != nil {
		return nil, err
	}
	var out []auth.KeyInfo
	for _, id := range ids {
		info, ok, err := s.keys.Info(tx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, info)
		}
	}
	// Keys keep their creation time to the nanosecond, so two keys made in the same
	// second still sort in creation order.
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

func keyOwnerOf(c *server.Call, name *string) (keyOwner, error) {
	u, _, err := userOrCaller(c, name)
	return keyOwner{u}, err
}

func noSuchKey(id string) error {
	return api.NewNoSuchEntityException("The Access Key with id " + id + " cannot be found.")
}

func status(active bool) string {
	if active {
		return api.StatusTypeActive
	}
	return api.StatusTypeInactive
}

// createAccessKey makes an AKIA key with a 40-character secret, stored (sealed)
// where the server authenticates: it signs requests as soon as the call returns. The
// secret is in this response only.
func (s *svc) createAccessKey(c *server.Call, in *api.CreateAccessKeyRequest) (*api.CreateAccessKeyResponse, error) {
	o, err := keyOwnerOf(c, in.UserName)
	if err != nil {
		return nil, err
	}
	ids, err := s.keyIDs(c.Tx, c.Account, o)
	if err != nil {
		return nil, err
	}
	if len(ids) >= maxAccessKeys {
		return nil, limitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
	}
	cred := &auth.Credential{AccessKeyID: auth.NewKeyID("AKIA", c.Account), Secret: []byte(auth.NewSecret()), Active: true, Principal: o.principal(c.Account), Created: c.Now.UTC()}
	if err := s.keys.Put(c.Tx, cred); err != nil {
		return nil, err
	}
	if o.u != nil {
		if err := c.Tx.Put(ns(c.Account, tUserKeys), o.u.ID+"/"+cred.AccessKeyID, nil); err != nil {
			return nil, err
		}
	}
	return &api.CreateAccessKeyResponse{AccessKey: &api.AccessKey{
		UserName: o.name(c.Account), AccessKeyId: cred.AccessKeyID, Status: api.StatusTypeActive,
		SecretAccessKey: string(cred.Secret), CreateDate: ptr(timeUTC(cred.Created)),
	}}, nil
}

func (s *svc) listAccessKeys(c *server.Call, in *api.ListAccessKeysRequest) (*api.ListAccessKeysResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	o, err := keyOwnerOf(c, in.UserName)
	if err != nil {
		return nil, err
	}
	keys, err := s.ownerKeys(c.Tx, c.Account, o)
	if err != nil {
		return nil, err
	}
	all := make([]api.AccessKeyMetadata, len(keys))
	for i, k := range keys {
		all[i] = api.AccessKeyMetadata{UserName: ptr(o.name(c.Account)), AccessKeyId: ptr(k.AccessKeyID), Status: ptr(status(k.Active)), CreateDate: ptr(timeUTC(k.Created))}
	}
	out, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.ListAccessKeysResponse{AccessKeyMetadata: out, IsTruncated: trunc, Marker: marker}, nil
}

// ownedKey returns an access key of the owner, or NoSuchEntity when the key does not
// exist or belongs to someone else.
func (s *svc) ownedKey(c *server.Call, o keyOwner, id string) (auth.KeyInfo, error) {
	info, ok, err := s.keys.Info(c.Tx, id)
	if err != nil {
		return info, err
	}
	if !ok || info.Principal.Account != c.Account || info.Principal.ARN != o.principal(c.Account).ARN {
		return info, noSuchKey(id)
	}
	return info, nil
}

// updateAccessKey activates or deactivates a key; an inactive key is refused by the
// server (InvalidClientTokenId) from the next request on.
func (s *svc) updateAccessKey(c *server.Call, in *api.UpdateAccessKeyRequest) (*model.Empty, error) {
	o, err := keyOwnerOf(c, in.UserName)
	if err != nil {
		return nil, err
	}
	info, err := s.ownedKey(c, o, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	// The model's third status, Expired, is InvalidInput (resource_inputs.json in
	// radkawar/stackd; message inferred).
	if in.Status != api.StatusTypeActive && in.Status != api.StatusTypeInactive {
		return nil, invalidInput("Invalid status " + in.Status + ": an access key is Active or Inactive.")
	}
	info.Active = in.Status == api.StatusTypeActive
	_, err = s.keys.SetInfo(c.Tx, info)
	return &model.Empty{}, err
}

func (s *svc) deleteAccessKey(c *server.Call, in *api.DeleteAccessKeyRequest) (*model.Empty, error) {
	o, err := keyOwnerOf(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if _, err := s.ownedKey(c, o, in.AccessKeyId); err != nil {
		return nil, err
	}
	if err := s.keys.Delete(c.Tx, in.AccessKeyId); err != nil {
		return nil, err
	}
	if err := s.usage.forgetKey(c.Tx, c.Account, in.AccessKeyId); err != nil {
		return nil, err
	}
	if o.u != nil {
		if _, err := c.Tx.Delete(ns(c.Account, tUserKeys), o.u.ID+"/"+in.AccessKeyId); err != nil {
			return nil, err
		}
	}
	return &model.Empty{}, nil
}

// getAccessKeyLastUsed answers for keys of the caller's account. A key never used
// reads N/A for service and region and has no date, as in IAM.
func (s *svc) getAccessKeyLastUsed(c *server.Call, in *api.GetAccessKeyLastUsedRequest) (*api.GetAccessKeyLastUsedResponse, error) {
	info, ok, err := s.keys.Info(c.Tx, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	if !ok || info.Principal.Account != c.Account {
		// AWS answers an unknown key with a denial naming it, not NoSuchEntity (note
		// "perform iam:..." without the colon of its policy denials).
		return nil, model.NewError(403, "AccessDenied", "User: %s is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key %s",
			c.Principal.ARN, in.AccessKeyId)
	}
	out := &api.GetAccessKeyLastUsedResponse{AccessKeyLastUsed: &api.AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}}
	if info.Principal.Type == auth.IAMUser {
		out.UserName = ptr(info.Principal.UserName)
	}
	if use, ok := s.usage.keyLastUsed(c.Tx, c.Account, in.AccessKeyId); ok {
		out.AccessKeyLastUsed = &api.AccessKeyLastUsed{LastUsedDate: ptr(use.At), ServiceName: use.Service, Region: use.Region}
	}
	return out, nil
}
