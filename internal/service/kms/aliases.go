package kms

import (
	"encoding/json"
	"strings"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

func (k *KMS) aliasHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateAlias", k.createAlias),
		server.Write("UpdateAlias", k.updateAlias),
		server.Write("DeleteAlias", k.deleteAlias),
		server.Read("ListAliases", k.listAliases),
	}
}

// checkAliasName applies KMS's alias rules beyond the model's pattern. The prefix
// message is KMS's own (quoted in public issues); alias/aws/ is reserved for AWS
// managed keys, which KMS answers with NotAuthorizedException and no message (the
// code moto reproduces; the model does not list it).
func checkAliasName(name string) error {
	switch {
	case !strings.HasPrefix(name, "alias/"):
		return errValidation(`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	case strings.HasPrefix(name, "alias/aws/"):
		return model.NewError(400, "NotAuthorizedException", "")
	case strings.Contains(name, ":"):
		return errValidation("%s contains invalid characters for an alias", name)
	}
	return nil
}

func (k *KMS) createAlias(c *server.Call, in *api.CreateAliasRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := notDeleting(r); err != nil {
		return nil, err
	}
	now := keyTime(c.Now)
	b, _ := json.Marshal(aliasRec{Name: in.AliasName, KeyID: r.ID, Created: now, Updated: now})
	ok, err := c.Tx.Insert(ns(c.Account, c.Region, tAliases), in.AliasName, b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewAlreadyExistsException("An alias with the name " + aliasARN(c.Region, c.Account, in.AliasName) + " already exists")
	}
	// The key, then the alias, both of type AWS::KMS::Key (KMS Developer Guide,
	// ct-createalias).
	c.Resources = append(keyResources(r), aliasResource(c, in.AliasName))
	keyIDResponse(c, r)
	return &model.Empty{}, nil
}

func (k *KMS) updateAlias(c *server.Call, in *api.UpdateAliasRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	a, err := load[aliasRec](c.Tx, ns(c.Account, c.Region, tAliases), in.AliasName)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errAliasNotFound(aliasARN(c.Region, c.Account, in.AliasName))
	}
	if err := notDeleting(r); err != nil {
		return nil, err
	}
	if old, err := load[keyRec](c.Tx, ns(c.Account, c.Region, tKeys), a.KeyID); err != nil {
		return nil, err
	} else if old != nil && (keyType(old.Spec) != keyType(r.Spec) || old.Usage != r.Usage) {
		// The API reference: the current and new key must be of the same type (both
		// symmetric, both asymmetric or both HMAC; an RSA key may follow an ECC key)
		// and key usage (wording inferred).
		return nil, errValidation("The alias %s refers to a %s key with key usage %s; the new key must have the same type and key usage.", in.AliasName, old.Spec, old.Usage)
	}
	a.KeyID, a.Updated = r.ID, keyTime(c.Now)
	// The alias, then the key it now names (KMS Developer Guide, ct-updatealias; the
	// key it named before is not among them).
	c.Resources = append([]audit.Resource{aliasResource(c, in.AliasName)}, keyResources(r)...)
	keyIDResponse(c, r)
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, c.Region, tAliases), in.AliasName, a)
}

func (k *KMS) deleteAlias(c *server.Call, in *api.DeleteAliasRequest) (*model.Empty, error) {
	if _, err := c.Tx.Delete(ns(c.Account, c.Region, tAliases), in.AliasName); err != nil {
		return nil, err
	}
	// The alias, then its key, whose ARN is responseElements.keyId (KMS Developer
	// Guide, ct-deletealias; the example cuts off after the alias: the key second is
	// inferred from ct-updatealias).
	r := keyFrom(c, ctxKey)
	c.Resources = append([]audit.Resource{aliasResource(c, in.AliasName)}, keyResources(r)...)
	keyIDResponse(c, r)
	return &model.Empty{}, nil
}

// aliasResource names an alias of the caller's account and Region in a record's
// resources: AWS's records type it AWS::KMS::Key, as the key (KMS Developer Guide,
// ct-createalias, ct-updatealias).
func aliasResource(c *server.Call, name string) audit.Resource {
	return audit.Resource{ARN: aliasARN(c.Region, c.Account, name), AccountID: c.Account, Type: "AWS::KMS::Key", AccountFirst: true}
}

func (k *KMS) listAliases(c *server.Call, in *api.ListAliasesRequest) (*api.ListAliasesResponse, error) {
	var only string
	if in.KeyId != nil {
		r, err := k.keyOf(c, *in.KeyId, false)
		if err != nil {
			return nil, err
		}
		only = r.ID
	}
	p, err := newPage(c.Tx, in.Limit, in.Marker, 50)
	if err != nil {
		return nil, err
	}
	out := &api.ListAliasesResponse{Aliases: []api.AliasListEntry{}, Truncated: ptr(false)}
	var derr error
	err = c.Tx.Scan(ns(c.Account, c.Region, tAliases), p.after, 0, func(name string, v []byte) bool {
		var a aliasRec
		if derr = json.Unmarshal(v, &a); derr != nil {
			return false
		}
		if only != "" && a.KeyID != only {
			return true
		}
		if len(out.Aliases) == p.limit {
			out.Truncated, out.NextMarker = ptr(true), nextMarker(c.Tx, *out.Aliases[len(out.Aliases)-1].AliasName)
			return false
		}
		out.Aliases = append(out.Aliases, api.AliasListEntry{
			AliasName: ptr(a.Name), AliasArn: ptr(aliasARN(c.Region, c.Account, a.Name)), TargetKeyId: ptr(a.KeyID),
			CreationDate: ptr(a.Created), LastUpdatedDate: ptr(a.Updated),
		})
		return true
	})
	if derr != nil {
		return nil, derr
	}
	return out, err
}

// keyType is the type of key UpdateAlias compares: symmetric, asymmetric or HMAC.
func keyType(spec string) string {
	switch info := specs[spec]; {
	case spec == api.KeySpecSYMMETRICDEFAULT:
		return "SYMMETRIC"
	case info != nil && info.hmacBytes > 0:
		return "HMAC"
	}
	return "ASYMMETRIC"
}
