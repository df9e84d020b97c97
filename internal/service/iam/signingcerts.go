package iam

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base32"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxSigningCerts is IAM's quota of signing certificates per user (and for the root
// user): "Cannot exceed quota for CertificatesPerUser: 2" (LocalStack's AWS-validated
// test_iam_signing_certificates snapshot, upload-exceeds-limit-error).
const maxSigningCerts = 2

// rootOwner is the owner part of the root user's signing certificates' keys.
const rootOwner = "root"

// signingCertRec is an X.509 signing certificate of a user or of the root user,
// keyed owner/certID.
type signingCertRec struct {
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Active   bool      `json:"active"`
	Uploaded time.Time `json:"uploaded"`
	// At orders certificates uploaded within one second (Uploaded has IAM's second
	// precision): the credential report lists them oldest first.
	At int64 `json:"at,omitempty"`
}

func (s *svc) signingCertHandlers() []server.Handler {
	return []server.Handler{
		server.Write("UploadSigningCertificate", s.uploadSigningCertificate),
		server.Read("ListSigningCertificates", s.listSigningCertificates),
		server.Write("UpdateSigningCertificate", s.updateSigningCertificate),
		server.Write("DeleteSigningCertificate", s.deleteSigningCertificate),
	}
}

// noSuchSigningCert is AWS's answer for an unknown certificate ID (snapshot
// update-nonexistent-certificate-error, delete-nonexistent-certificate-error).
func noSuchSigningCert(id string) error {
	return api.NewNoSuchEntityException("The Certificate with id " + id + " cannot be found.")
}

// certOwner is whose signing certificates a call acts on: the named user, the
// calling user, or the root user (u nil) calling without a name.
type certOwner struct{ u *userRec }

func (o certOwner) key() string {
	if o.u == nil {
		return rootOwner
	}
	return o.u.ID
}

// name is the UserName IAM reports; the root user has none, and IAM answers with the
// account's ID in its place, as for its access keys.
func (o certOwner) name(account string) string {
	if o.u == nil {
		return account
	}
	return o.u.Name
}

func certOwnerOf(c *server.Call, name *string) (certOwner, error) {
	u, _, err := userOrCaller(c, name)
	return certOwner{u}, err
}

// parseCert reads one PEM CERTIFICATE block; nil when the text is not one.
func parseCert(body string) (*x509.Certificate, []byte) {
	blk, rest := pem.Decode([]byte(strings.TrimSpace(body)))
	if blk == nil || blk.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		return nil, nil
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, nil
	}
	return cert, blk.Bytes
}

// signingCertID is a certificate's ID: the Base32 SHA-1 of its DER encoding, 32
// characters. IAM's IDs look like this ("TA7SMP42TDN5Z26OBPJE7EXAMPLE" in the CLI
// reference: Base32's alphabet); deriving it from the certificate is inferred, and
// makes the same certificate the same ID, which DuplicateCertificate needs.
func signingCertID(der []byte) string {
	sum := sha1.Sum(der)
	return base32.StdEncoding.EncodeToString(sum[:])
}

func (k *signingCertRec) out(user string) api.SigningCertificate {
	return api.SigningCertificate{UserName: user, CertificateId: k.ID, CertificateBody: k.Body, Status: status(k.Active), UploadDate: ptr(k.Uploaded)}
}

func (s *svc) uploadSigningCertificate(c *server.Call, in *api.UploadSigningCertificateRequest) (*api.UploadSigningCertificateResponse, error) {
	o, err := certOwnerOf(c, in.UserName)
	if err != nil {
		return nil, err
	}
	_, der := parseCert(in.CertificateBody)
	if der == nil {
		// AWS quotes the body it could not read (snapshot
		// upload-invalid-certificate-error).
		return nil, api.NewMalformedCertificateException("Certificate " + in.CertificateBody + " is malformed.")
	}
	id := signingCertID(der)
	if _, ok, err := c.Tx.Get(ns(c.Account, tCertIDs), id); err != nil {
		return nil, err
	} else if ok {
		// The exception's description: "the same certificate is associated with an
		// IAM user in the account"; the message is inferred.
		return nil, api.NewDuplicateCertificateException("The certificate " + id + " is already associated with an IAM user in the account.")
	}
	n, err := countPrefix(c.Tx, ns(c.Account, tSignCerts), o.key()+"/")
	if err != nil {
		return nil, err
	}
	if n >= maxSigningCerts {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for CertificatesPerUser: %d", maxSigningCerts))
	}
	k := &signingCertRec{ID: id, Body: in.CertificateBody, Active: true, Uploaded: timeUTC(c.Now), At: c.Now.UnixNano()}
	if err := c.Tx.PutJSON(ns(c.Account, tSignCerts), o.key()+"/"+id, k); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(ns(c.Account, tCertIDs), id, []byte(o.key())); err != nil {
		return nil, err
	}
	out := k.out(o.name(c.Account))
	return &api.UploadSigningCertificateResponse{Certificate: &out}, nil
}

// ownerCerts returns the owner's certificates, oldest first (the order of the
// credential report's cert_1 and cert_2).
func ownerCerts(tx *store.Tx, account, owner string) ([]*signingCertRec, error) {
	var out []*signingCertRec
	err := scanPrefix(tx, ns(account, tSignCerts), owner+"/", "", func(_ string, v []byte) (bool, error) {
		k := new(signingCertRec)
		if err := json.Unmarshal(v, k); err != nil {
			return false, err
		}
		out = append(out, k)
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Uploaded.Equal(out[j].Uploaded) {
			return out[i].Uploaded.Before(out[j].Uploaded)
		}
		return out[i].At < out[j].At
	})
	return out, err
}

func (s *svc) listSigningCertificates(c *server.Call, in *api.ListSigningCertificatesRequest) (*api.ListSigningCertificatesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	o, err := certOwnerOf(c, in.UserName)
	if err != nil {
		return nil, err
	}
	certs, err := ownerCerts(c.Tx, c.Account, o.key())
	if err != nil {
		return nil, err
	}
	all := make([]api.SigningCertificate, len(certs))
	for i, k := range certs {
		all[i] = k.out(o.name(c.Account))
	}
	out, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.ListSigningCertificatesResponse{Certificates: out, IsTruncated: trunc, Marker: marker}, nil
}

func ownedCert(c *server.Call, name *string, id string) (certOwner, *signingCertRec, error) {
	o, err := certOwnerOf(c, name)
	if err != nil {
		return o, nil, err
	}
	k, err := load[signingCertRec](c.Tx, ns(c.Account, tSignCerts), o.key()+"/"+id)
	if err != nil {
		return o, nil, err
	}
	if k == nil {
		return o, nil, noSuchSigningCert(id)
	}
	return o, k, nil
}

func (s *svc) updateSigningCertificate(c *server.Call, in *api.UpdateSigningCertificateRequest) (*model.Empty, error) {
	o, k, err := ownedCert(c, in.UserName, in.CertificateId)
	if err != nil {
		return nil, err
	}
	if in.Status != api.StatusTypeActive && in.Status != api.StatusTypeInactive {
		return nil, errStatus(in.Status)
	}
	k.Active = in.Status == api.StatusTypeActive
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tSignCerts), o.key()+"/"+k.ID, k)
}

func (s *svc) deleteSigningCertificate(c *server.Call, in *api.DeleteSigningCertificateRequest) (*model.Empty, error) {
	o, k, err := ownedCert(c, in.UserName, in.CertificateId)
	if err != nil {
		return nil, err
	}
	if _, err := c.Tx.Delete(ns(c.Account, tSignCerts), o.key()+"/"+k.ID); err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tCertIDs), k.ID)
	return &model.Empty{}, err
}
