package iam

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// serverCertRec is a server certificate. Key is its private key sealed under the
// master key: IAM never returns it, and CloudTrail leaves it out (the model marks
// PrivateKey sensitive).
type serverCertRec struct {
	entity
	Body       string    `json:"body"`
	Chain      string    `json:"chain,omitempty"`
	Key        []byte    `json:"key"`
	Expiration time.Time `json:"expiration"`
}

func (r *serverCertRec) arn(account string) string {
	return iamARN(account, "server-certificate", r.Path, r.Name)
}

func (r *serverCertRec) meta(account string) api.ServerCertificateMetadata {
	return api.ServerCertificateMetadata{Path: r.Path, ServerCertificateName: r.Name, ServerCertificateId: r.ID, Arn: r.arn(account),
		UploadDate: ptr(r.Created), Expiration: ptr(r.Expiration)}
}

func sealContextServerCert(account, id string) string {
	return "server-certificate-key/" + account + "/" + id
}

func (s *svc) serverCertHandlers() []server.Handler {
	return []server.Handler{
		server.Write("UploadServerCertificate", s.uploadServerCertificate),
		server.Read("GetServerCertificate", s.getServerCertificate),
		server.Read("ListServerCertificates", s.listServerCertificates),
		server.Write("UpdateServerCertificate", s.updateServerCertificate),
		server.Write("DeleteServerCertificate", s.deleteServerCertificate),
		server.Write("TagServerCertificate", s.tagServerCertificate),
		server.Write("UntagServerCertificate", s.untagServerCertificate),
		server.Read("ListServerCertificateTags", s.listServerCertificateTags),
	}
}

// noSuchServerCert and the EntityAlreadyExists below are AWS's answers (LocalStack's
// AWS-validated test_iam_server_certificates snapshot: get-nonexistent-certificate-error,
// upload-duplicate-certificate-error).
func noSuchServerCert(name string) error {
	return api.NewNoSuchEntityException("The Server Certificate with name " + name + " cannot be found.")
}

func serverCertExists(name string) error {
	return api.NewEntityAlreadyExistsException("The Server Certificate with name " + name + " already exists.")
}

func loadServerCert(tx *store.Tx, account, name string) (*serverCertRec, error) {
	r, err := load[serverCertRec](tx, ns(account, tSrvCerts), lk(name))
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, noSuchServerCert(name)
	}
	return r, nil
}

// AWS's wording for a body that is not a PEM certificate, and for a chain out of
// order (users' reports of MalformedCertificate; the index is -1 when the body is
// not signed by the chain's first certificate).
const (
	msgCertParse = "Unable to parse certificate. Please ensure the certificate is in PEM format."
	msgChain     = "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: "
)

// parsePrivateKey reads a PEM private key: PKCS #1 RSA, SEC 1 EC or PKCS #8.
func parsePrivateKey(text string) crypto.Signer {
	blk, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if blk == nil {
		return nil
	}
	var k any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	signer, _ := k.(crypto.Signer)
	return signer
}

// parseChain reads the PEM certificates of a chain, in order.
func parseChain(text string) ([]*x509.Certificate, bool) {
	rest := []byte(strings.TrimSpace(text))
	var out []*x509.Certificate
	for len(strings.TrimSpace(string(rest))) > 0 {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil || blk.Type != "CERTIFICATE" {
			return nil, false
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, false
		}
		out = append(out, c)
	}
	return out, len(out) > 0
}

// checkServerCert validates what UploadServerCertificate is given: a PEM
// certificate, a private key that is the certificate's, and a chain that starts with
// the certificate's issuer and goes up in order.
func checkServerCert(in *api.UploadServerCertificateRequest) (*x509.Certificate, error) {
	cert, _ := parseCert(in.CertificateBody)
	if cert == nil {
		return nil, api.NewMalformedCertificateException(msgCertParse)
	}
	key := parsePrivateKey(in.PrivateKey)
	if key == nil {
		// Inferred wording, after the certificate's.
		return nil, api.NewMalformedCertificateException("Unable to parse private key. Please ensure the private key is in PEM format.")
	}
	if pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(key.Public()) {
		// The model's KeyPairMismatch, with its description as the message (inferred).
		return nil, api.NewKeyPairMismatchException("The public key certificate and the private key do not match.")
	}
	if in.CertificateChain != nil {
		chain, ok := parseChain(*in.CertificateChain)
		if !ok {
			return nil, api.NewMalformedCertificateException(msgCertParse)
		}
		if cert.CheckSignatureFrom(chain[0]) != nil {
			return nil, api.NewMalformedCertificateException(msgChain + "-1")
		}
		for i := 0; i+1 < len(chain); i++ {
			if chain[i].CheckSignatureFrom(chain[i+1]) != nil {
				return nil, api.NewMalformedCertificateException(msgChain + strconv.Itoa(i))
			}
		}
	}
	return cert, nil
}

func (s *svc) uploadServerCertificate(c *server.Call, in *api.UploadServerCertificateRequest) (*api.UploadServerCertificateResponse, error) {
	tags, err := newTags(in.Tags, "TagsPerServerCertificate")
	if err != nil {
		return nil, err
	}
	cert, err := checkServerCert(in)
	if err != nil {
		return nil, err
	}
	if other, err := load[serverCertRec](c.Tx, ns(c.Account, tSrvCerts), lk(in.ServerCertificateName)); err != nil {
		return nil, err
	} else if other != nil {
		return nil, serverCertExists(in.ServerCertificateName)
	}
	if err := checkAccountQuota(c.Tx, c.Account, tSrvCerts); err != nil {
		return nil, err
	}
	// ASCA and 17 characters: IAM's prefix for certificates (IAM User Guide, "IAM
	// identifiers", unique ID prefixes).
	r := &serverCertRec{entity: entity{Name: in.ServerCertificateName, Path: pathOr(in.Path), ID: newID("ASCA"), Created: timeUTC(c.Now), Tags: tags},
		Body: in.CertificateBody, Chain: str(in.CertificateChain), Expiration: cert.NotAfter.UTC()}
	r.Key = s.sealer.Seal([]byte(in.PrivateKey), sealContextServerCert(c.Account, r.ID))
	ok, err := insertEntity(c.Tx, c.Account, tSrvCerts, &r.entity, r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, serverCertExists(in.ServerCertificateName)
	}
	m := r.meta(c.Account)
	return &api.UploadServerCertificateResponse{ServerCertificateMetadata: &m, Tags: tags}, nil
}

// getServerCertificate returns the certificate, its chain and its tags (an empty list
// when it has none, as AWS answers: snapshot get-certificate), never the key.
func (s *svc) getServerCertificate(c *server.Call, in *api.GetServerCertificateRequest) (*api.GetServerCertificateResponse, error) {
	r, err := loadServerCert(c.Tx, c.Account, in.ServerCertificateName)
	if err != nil {
		return nil, err
	}
	m := r.meta(c.Account)
	out := &api.ServerCertificate{ServerCertificateMetadata: &m, CertificateBody: r.Body, Tags: append([]api.Tag{}, r.Tags...)}
	if r.Chain != "" {
		out.CertificateChain = ptr(r.Chain)
	}
	return &api.GetServerCertificateResponse{ServerCertificate: out}, nil
}

func (s *svc) listServerCertificates(c *server.Call, in *api.ListServerCertificatesRequest) (*api.ListServerCertificatesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	list, trunc, marker, err := page(c.Tx, ns(c.Account, tSrvCerts), "", p, pathFilter[serverCertRec](in.PathPrefix),
		func(r *serverCertRec) (api.ServerCertificateMetadata, error) { return r.meta(c.Account), nil })
	if err != nil {
		return nil, err
	}
	return &api.ListServerCertificatesResponse{ServerCertificateMetadataList: list, IsTruncated: trunc, Marker: marker}, nil
}

// updateServerCertificate renames or moves a certificate; the caller needs the
// permission on the old and the new name ("The person making the request (the
// principal), must have permission to change the server certificate with the old
// name and the new name", IAM API Reference).
func (s *svc) updateServerCertificate(c *server.Call, in *api.UpdateServerCertificateRequest) (*model.Empty, error) {
	r, err := loadServerCert(c.Tx, c.Account, in.ServerCertificateName)
	if err != nil {
		return nil, err
	}
	newName, newPath := r.Name, r.Path
	if in.NewServerCertificateName != nil {
		newName = *in.NewServerCertificateName
	}
	if in.NewPath != nil {
		newPath = *in.NewPath
	}
	if lk(newName) != lk(r.Name) {
		if other, err := load[serverCertRec](c.Tx, ns(c.Account, tSrvCerts), lk(newName)); err != nil {
			return nil, err
		} else if other != nil {
			return nil, serverCertExists(newName)
		}
	}
	if err := deleteEntity(c.Tx, c.Account, tSrvCerts, &r.entity); err != nil {
		return nil, err
	}
	r.Name, r.Path = newName, newPath
	_, err = insertEntity(c.Tx, c.Account, tSrvCerts, &r.entity, r)
	return &model.Empty{}, err
}

func (s *svc) deleteServerCertificate(c *server.Call, in *api.DeleteServerCertificateRequest) (*model.Empty, error) {
	r, err := loadServerCert(c.Tx, c.Account, in.ServerCertificateName)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, deleteEntity(c.Tx, c.Account, tSrvCerts, &r.entity)
}

func (s *svc) tagServerCertificate(c *server.Call, in *api.TagServerCertificateRequest) (*model.Empty, error) {
	return &model.Empty{}, tagRecord[serverCertRec](c.Tx, ns(c.Account, tSrvCerts), lk(in.ServerCertificateName), noSuchServerCert(in.ServerCertificateName), in.Tags, "TagsPerServerCertificate")
}

func (s *svc) untagServerCertificate(c *server.Call, in *api.UntagServerCertificateRequest) (*model.Empty, error) {
	return &model.Empty{}, untagRecord[serverCertRec](c.Tx, ns(c.Account, tSrvCerts), lk(in.ServerCertificateName), noSuchServerCert(in.ServerCertificateName), in.TagKeys, "TagsPerServerCertificate")
}

func (s *svc) listServerCertificateTags(c *server.Call, in *api.ListServerCertificateTagsRequest) (*api.ListServerCertificateTagsResponse, error) {
	tags, trunc, marker, err := listTags[serverCertRec](c.Tx, ns(c.Account, tSrvCerts), lk(in.ServerCertificateName), noSuchServerCert(in.ServerCertificateName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &api.ListServerCertificateTagsResponse{Tags: tags, IsTruncated: trunc, Marker: marker}, nil
}
