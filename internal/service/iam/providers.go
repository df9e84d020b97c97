package iam

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// OIDC provider quotas (IAM User Guide, "IAM and AWS STS quotas").
const (
	maxThumbprints = 5
	maxClientIDs   = 100
)

// oidcRec is an OpenID Connect identity provider. Key is the URL's host and path,
// which is also the tail of the provider's ARN.
type oidcRec struct {
	Key         string    `json:"key"`
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []api.Tag `json:"tags,omitempty"`
}

func (o *oidcRec) tagList() *[]api.Tag { return &o.Tags }

// samlRec is a SAML 2.0 identity provider.
type samlRec struct {
	Name       string    `json:"name"`
	Metadata   string    `json:"metadata"`
	UUID       string    `json:"uuid"`
	Created    time.Time `json:"created"`
	ValidUntil time.Time `json:"validUntil"`
	Encryption string    `json:"encryption,omitempty"`
	// Keys are the private keys for encrypted assertions, sealed.
	Keys []samlKey `json:"keys,omitempty"`
	Tags []api.Tag `json:"tags,omitempty"`
}

type samlKey struct {
	ID      string    `json:"id"`
	Sealed  []byte    `json:"sealed"`
	Created time.Time `json:"created"`
}

func (p *samlRec) tagList() *[]api.Tag { return &p.Tags }

func (s *svc) providerHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateOpenIDConnectProvider", s.createOIDCProvider),
		server.Read("GetOpenIDConnectProvider", s.getOIDCProvider),
		server.Read("ListOpenIDConnectProviders", s.listOIDCProviders),
		server.Write("DeleteOpenIDConnectProvider", s.deleteOIDCProvider),
		server.Write("AddClientIDToOpenIDConnectProvider", s.addClientID),
		server.Write("RemoveClientIDFromOpenIDConnectProvider", s.removeClientID),
		server.Write("UpdateOpenIDConnectProviderThumbprint", s.updateThumbprints),
		server.Write("TagOpenIDConnectProvider", s.tagOIDCProvider),
		server.Write("UntagOpenIDConnectProvider", s.untagOIDCProvider),
		server.Read("ListOpenIDConnectProviderTags", s.listOIDCProviderTags),
		server.Write("CreateSAMLProvider", s.createSAMLProvider),
		server.Read("GetSAMLProvider", s.getSAMLProvider),
		server.Read("ListSAMLProviders", s.listSAMLProviders),
		server.Write("UpdateSAMLProvider", s.updateSAMLProvider),
		server.Write("DeleteSAMLProvider", s.deleteSAMLProvider),
		server.Write("TagSAMLProvider", s.tagSAMLProvider),
		server.Write("UntagSAMLProvider", s.untagSAMLProvider),
		server.Read("ListSAMLProviderTags", s.listSAMLProviderTags),
	}
}

// oidcKey is the provider identity of an issuer URL: host and path, without scheme,
// query or trailing slash.
func oidcKey(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		// IAM's message for a URL it cannot use.
		return "", errValidation("Invalid Open ID Connect Provider URL")
	}
	return strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/"), nil
}

func oidcARN(account, key string) string { return "arn:aws:iam::" + account + ":oidc-provider/" + key }

// oidcFromARN returns the store key of a provider ARN of the account ("" if not one).
func oidcFromARN(account, arn string) string {
	k, _ := strings.CutPrefix(arn, "arn:aws:iam::"+account+":oidc-provider/")
	if k == arn {
		return ""
	}
	return k
}

func noSuchOIDC(arn string) error {
	return api.NewNoSuchEntityException("OpenIDConnect Provider not found for arn " + arn)
}

func checkThumbprints(tps []string) error {
	if len(tps) > maxThumbprints {
		return invalidInput(fmt.Sprintf("Thumbprint list must contain fewer than %d entries.", maxThumbprints))
	}
	for _, t := range tps {
		if strings.Trim(strings.ToLower(t), "0123456789abcdef") != "" {
			return invalidInput("Thumbprint " + t + " is not a valid hex string.")
		}
	}
	return nil
}

func addClientIDs(cur, add []string) ([]string, error) {
	for _, id := range add {
		found := false
		for _, c := range cur {
			found = found || c == id
		}
		if !found {
			cur = append(cur, id)
		}
	}
	if len(cur) > maxClientIDs {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs))
	}
	return cur, nil
}

func (s *svc) createOIDCProvider(c *server.Call, in *api.CreateOpenIDConnectProviderRequest) (*api.CreateOpenIDConnectProviderResponse, error) {
	key, err := oidcKey(in.Url)
	if err != nil {
		return nil, err
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	ids, err := addClientIDs(nil, in.ClientIDList)
	if err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags, "TagsPerOpenIdConnectProvider")
	if err != nil {
		return nil, err
	}
	rec := oidcRec{Key: key, ClientIDs: ids, Thumbprints: in.ThumbprintList, Created: timeUTC(c.Now), Tags: tags}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Insert(ns(c.Account, tOIDC), key, b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("Provider with url " + in.Url + " already exists.")
	}
	return &api.CreateOpenIDConnectProviderResponse{OpenIDConnectProviderArn: ptr(oidcARN(c.Account, key)), Tags: tags}, nil
}

func loadOIDC(tx *store.Tx, account, arn string) (*oidcRec, error) {
	key := oidcFromARN(account, arn)
	if key == "" {
		return nil, noSuchOIDC(arn)
	}
	o, err := load[oidcRec](tx, ns(account, tOIDC), key)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, noSuchOIDC(arn)
	}
	return o, nil
}

// getOIDCProvider returns the URL as IAM does: host and path, without the scheme.
func (s *svc) getOIDCProvider(c *server.Call, in *api.GetOpenIDConnectProviderRequest) (*api.GetOpenIDConnectProviderResponse, error) {
	o, err := loadOIDC(c.Tx, c.Account, in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return &api.GetOpenIDConnectProviderResponse{Url: ptr(o.Key), ClientIDList: nonNil(o.ClientIDs), ThumbprintList: nonNil(o.Thumbprints), CreateDate: ptr(o.Created), Tags: nonNilTags(o.Tags)}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nonNilTags: IAM sends an empty Tags list for a provider without tags (AWS's
// recorded GetOpenIDConnectProvider and GetSAMLProvider answers).
func nonNilTags(t []api.Tag) []api.Tag {
	if t == nil {
		return []api.Tag{}
	}
	return t
}

func (s *svc) listOIDCProviders(c *server.Call, _ *api.ListOpenIDConnectProvidersRequest) (*api.ListOpenIDConnectProvidersResponse, error) {
	keys, err := suffixes(c.Tx, ns(c.Account, tOIDC), "")
	if err != nil {
		return nil, err
	}
	out := []api.OpenIDConnectProviderListEntry{}
	for _, k := range keys {
		out = append(out, api.OpenIDConnectProviderListEntry{Arn: ptr(oidcARN(c.Account, k))})
	}
	return &api.ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: out}, nil
}

// deleteOIDCProvider: IAM words a missing provider differently here than in
// GetOpenIDConnectProvider (AWS's recorded answer, LocalStack's AWS-validated
// test_iam_oidc snapshot, deletion-not-found-error).
func (s *svc) deleteOIDCProvider(c *server.Call, in *api.DeleteOpenIDConnectProviderRequest) (*model.Empty, error) {
	o, err := loadOIDC(c.Tx, c.Account, in.OpenIDConnectProviderArn)
	var me *model.Error
	if errors.As(err, &me) && me.Code == "NoSuchEntity" {
		return nil, api.NewNoSuchEntityException("OpenId connect Provider " + in.OpenIDConnectProviderArn + " cannot be found.")
	}
	if err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tOIDC), o.Key)
	return &model.Empty{}, err
}

// updateOIDC loads a provider, applies fn and stores it.
func updateOIDC(c *server.Call, arn string, fn func(*oidcRec) error) error {
	o, err := loadOIDC(c.Tx, c.Account, arn)
	if err != nil {
		return err
	}
	if err := fn(o); err != nil {
		return err
	}
	return c.Tx.PutJSON(ns(c.Account, tOIDC), o.Key, o)
}

// addClientID is idempotent, as in IAM.
func (s *svc) addClientID(c *server.Call, in *api.AddClientIDToOpenIDConnectProviderRequest) (*model.Empty, error) {
	return &model.Empty{}, updateOIDC(c, in.OpenIDConnectProviderArn, func(o *oidcRec) (err error) {
		o.ClientIDs, err = addClientIDs(o.ClientIDs, []string{in.ClientID})
		return err
	})
}

// removeClientID succeeds when the client ID is not there, as IAM documents.
func (s *svc) removeClientID(c *server.Call, in *api.RemoveClientIDFromOpenIDConnectProviderRequest) (*model.Empty, error) {
	return &model.Empty{}, updateOIDC(c, in.OpenIDConnectProviderArn, func(o *oidcRec) error {
		kept := o.ClientIDs[:0]
		for _, id := range o.ClientIDs {
			if id != in.ClientID {
				kept = append(kept, id)
			}
		}
		o.ClientIDs = kept
		return nil
	})
}

func (s *svc) updateThumbprints(c *server.Call, in *api.UpdateOpenIDConnectProviderThumbprintRequest) (*model.Empty, error) {
	return &model.Empty{}, updateOIDC(c, in.OpenIDConnectProviderArn, func(o *oidcRec) error {
		if err := checkThumbprints(in.ThumbprintList); err != nil {
			return err
		}
		o.Thumbprints = in.ThumbprintList
		return nil
	})
}

func (s *svc) tagOIDCProvider(c *server.Call, in *api.TagOpenIDConnectProviderRequest) (*model.Empty, error) {
	key := oidcFromARN(c.Account, in.OpenIDConnectProviderArn)
	return &model.Empty{}, tagRecord[oidcRec](c.Tx, ns(c.Account, tOIDC), key, noSuchOIDC(in.OpenIDConnectProviderArn), in.Tags, "TagsPerOpenIdConnectProvider")
}

func (s *svc) untagOIDCProvider(c *server.Call, in *api.UntagOpenIDConnectProviderRequest) (*model.Empty, error) {
	key := oidcFromARN(c.Account, in.OpenIDConnectProviderArn)
	return &model.Empty{}, untagRecord[oidcRec](c.Tx, ns(c.Account, tOIDC), key, noSuchOIDC(in.OpenIDConnectProviderArn), in.TagKeys, "TagsPerOpenIdConnectProvider")
}

func (s *svc) listOIDCProviderTags(c *server.Call, in *api.ListOpenIDConnectProviderTagsRequest) (*api.ListOpenIDConnectProviderTagsResponse, error) {
	key := oidcFromARN(c.Account, in.OpenIDConnectProviderArn)
	tags, trunc, marker, err := listTags[oidcRec](c.Tx, ns(c.Account, tOIDC), key, noSuchOIDC(in.OpenIDConnectProviderArn), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &api.ListOpenIDConnectProviderTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}

// samlMetadataNS is the SAML 2.0 metadata namespace.
const samlMetadataNS = "urn:oasis:names:tc:SAML:2.0:metadata"

// samlValidity is how long a provider is valid when its metadata sets no validUntil.
const samlValidity = 100 * 365 * 24 * time.Hour

// checkMetadata validates a SAML metadata document as IAM does before storing it: a
// well-formed EntityDescriptor of the SAML 2.0 metadata namespace describing an
// identity provider (IDPSSODescriptor). It returns the document's validUntil, if any.
func checkMetadata(doc string) (*time.Time, error) {
	bad := invalidInput("Could not parse metadata")
	d := xml.NewDecoder(strings.NewReader(doc))
	depth, root, idp := 0, false, false
	var validUntil *time.Time
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if t.Name.Space != samlMetadataNS || t.Name.Local != "EntityDescriptor" {
					return nil, bad
				}
				root = true
				for _, a := range t.Attr {
					if a.Name.Local == "validUntil" {
						v, err := time.Parse(time.RFC3339, a.Value)
						if err != nil {
							return nil, bad
						}
						validUntil = &v
					}
				}
			}
			if t.Name.Space == samlMetadataNS && t.Name.Local == "IDPSSODescriptor" {
				idp = true
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if !root || !idp {
		return nil, bad
	}
	return validUntil, nil
}

func samlARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

// noSuchSAML: IAM calls a SAML provider's stored metadata a manifest in this message.
func noSuchSAML(arn string) error {
	return api.NewNoSuchEntityException("Manifest not found for arn " + arn)
}

func samlFromARN(account, arn string) string {
	name, ok := strings.CutPrefix(arn, "arn:aws:iam::"+account+":saml-provider/")
	if !ok {
		return ""
	}
	return lk(name)
}

func (s *svc) createSAMLProvider(c *server.Call, in *api.CreateSAMLProviderRequest) (*api.CreateSAMLProviderResponse, error) {
	validUntil, err := checkMetadata(in.SAMLMetadataDocument)
	if err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags, "TagsPerSAMLProvider")
	if err != nil {
		return nil, err
	}
	now := timeUTC(c.Now)
	p := samlRec{Name: in.Name, Metadata: in.SAMLMetadataDocument, UUID: newJobID(), Created: now, ValidUntil: now.Add(samlValidity), Encryption: str(in.AssertionEncryptionMode), Tags: tags}
	if validUntil != nil {
		p.ValidUntil = validUntil.UTC()
	}
	if in.AddPrivateKey != nil {
		p.Keys = append(p.Keys, s.samlKey(samlARN(c.Account, in.Name), *in.AddPrivateKey, now))
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	ok, err := c.Tx.Insert(ns(c.Account, tSAML), lk(in.Name), b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewEntityAlreadyExistsException("SAMLProvider " + in.Name + " already exists.")
	}
	return &api.CreateSAMLProviderResponse{SAMLProviderArn: ptr(samlARN(c.Account, in.Name)), Tags: tags}, nil
}

// samlKey seals a private key for decrypting assertions; its ID is derived like IAM's
// opaque key IDs.
func (s *svc) samlKey(arn, pem string, now time.Time) samlKey {
	id := auth.NewID("", 22)
	return samlKey{ID: id, Sealed: s.sealer.Seal([]byte(pem), "saml-key/"+arn+"/"+id), Created: now}
}

func loadSAML(tx *store.Tx, account, arn string) (*samlRec, error) {
	key := samlFromARN(account, arn)
	if key == "" {
		return nil, noSuchSAML(arn)
	}
	p, err := load[samlRec](tx, ns(account, tSAML), key)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noSuchSAML(arn)
	}
	return p, nil
}

func (s *svc) getSAMLProvider(c *server.Call, in *api.GetSAMLProviderRequest) (*api.GetSAMLProviderResponse, error) {
	p, err := loadSAML(c.Tx, c.Account, in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	// As AWS answers (LocalStack's AWS-validated test_iam_saml_providers snapshot,
	// get-response): AssertionEncryptionMode Allowed when none was set, and empty
	// PrivateKeyList and Tags lists.
	mode := p.Encryption
	if mode == "" {
		mode = "Allowed"
	}
	out := &api.GetSAMLProviderResponse{SAMLProviderUUID: ptr(p.UUID), SAMLMetadataDocument: ptr(p.Metadata), CreateDate: ptr(p.Created), ValidUntil: ptr(p.ValidUntil),
		Tags: nonNilTags(p.Tags), AssertionEncryptionMode: ptr(mode), PrivateKeyList: []api.SAMLPrivateKey{}}
	for _, k := range p.Keys {
		out.PrivateKeyList = append(out.PrivateKeyList, api.SAMLPrivateKey{KeyId: ptr(k.ID), Timestamp: ptr(k.Created)})
	}
	return out, nil
}

func (s *svc) listSAMLProviders(c *server.Call, _ *api.ListSAMLProvidersRequest) (*api.ListSAMLProvidersResponse, error) {
	out := []api.SAMLProviderListEntry{}
	err := scanRecords(c.Tx, ns(c.Account, tSAML), func(p *samlRec) error {
		out = append(out, api.SAMLProviderListEntry{Arn: ptr(samlARN(c.Account, p.Name)), ValidUntil: ptr(p.ValidUntil), CreateDate: ptr(p.Created)})
		return nil
	})
	return &api.ListSAMLProvidersResponse{SAMLProviderList: out}, err
}

func (s *svc) updateSAMLProvider(c *server.Call, in *api.UpdateSAMLProviderRequest) (*api.UpdateSAMLProviderResponse, error) {
	p, err := loadSAML(c.Tx, c.Account, in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	if in.SAMLMetadataDocument != nil {
		validUntil, err := checkMetadata(*in.SAMLMetadataDocument)
		if err != nil {
			return nil, err
		}
		p.Metadata = *in.SAMLMetadataDocument
		if validUntil != nil {
			p.ValidUntil = validUntil.UTC()
		}
	}
	if in.AssertionEncryptionMode != nil {
		p.Encryption = *in.AssertionEncryptionMode
	}
	arn := samlARN(c.Account, p.Name)
	if in.AddPrivateKey != nil {
		p.Keys = append(p.Keys, s.samlKey(arn, *in.AddPrivateKey, timeUTC(c.Now)))
	}
	if in.RemovePrivateKey != nil {
		kept := p.Keys[:0]
		for _, k := range p.Keys {
			if k.ID != *in.RemovePrivateKey {
				kept = append(kept, k)
			}
		}
		p.Keys = kept
	}
	if err := c.Tx.PutJSON(ns(c.Account, tSAML), lk(p.Name), p); err != nil {
		return nil, err
	}
	return &api.UpdateSAMLProviderResponse{SAMLProviderArn: ptr(arn)}, nil
}

func (s *svc) deleteSAMLProvider(c *server.Call, in *api.DeleteSAMLProviderRequest) (*model.Empty, error) {
	p, err := loadSAML(c.Tx, c.Account, in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tSAML), lk(p.Name))
	return &model.Empty{}, err
}

func (s *svc) tagSAMLProvider(c *server.Call, in *api.TagSAMLProviderRequest) (*model.Empty, error) {
	return &model.Empty{}, tagRecord[samlRec](c.Tx, ns(c.Account, tSAML), samlFromARN(c.Account, in.SAMLProviderArn), noSuchSAML(in.SAMLProviderArn), in.Tags, "TagsPerSAMLProvider")
}

func (s *svc) untagSAMLProvider(c *server.Call, in *api.UntagSAMLProviderRequest) (*model.Empty, error) {
	return &model.Empty{}, untagRecord[samlRec](c.Tx, ns(c.Account, tSAML), samlFromARN(c.Account, in.SAMLProviderArn), noSuchSAML(in.SAMLProviderArn), in.TagKeys, "TagsPerSAMLProvider")
}

func (s *svc) listSAMLProviderTags(c *server.Call, in *api.ListSAMLProviderTagsRequest) (*api.ListSAMLProviderTagsResponse, error) {
	tags, trunc, marker, err := listTags[samlRec](c.Tx, ns(c.Account, tSAML), samlFromARN(c.Account, in.SAMLProviderArn), noSuchSAML(in.SAMLProviderArn), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &api.ListSAMLProviderTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}
