package iam

import (
	"bytes"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// maxSSHKeys is IAM's quota of SSH public keys per user ("IAM and AWS STS quotas":
// five). The quota's name in the LimitExceeded message is inferred from IAM's other
// per-user quotas (AccessKeysPerUser, CertificatesPerUser).
const maxSSHKeys = 5

// minSSHKeyBits is the shortest RSA key IAM takes: "The minimum bit-length of the
// public key is 2048 bits" (UploadSSHPublicKey, SSHPublicKeyBody).
const minSSHKeyBits = 2048

// sshKeyRec is an SSH public key of a user, keyed userID/keyID. Body is the key as
// uploaded; Blob is its SSH wire encoding, from which the other encoding is made.
type sshKeyRec struct {
	ID          string    `json:"id"`
	Body        string    `json:"body"`
	Blob        []byte    `json:"blob"`
	Fingerprint string    `json:"fingerprint"`
	Active      bool      `json:"active"`
	Uploaded    time.Time `json:"uploaded"`
}

func (s *svc) sshKeyHandlers() []server.Handler {
	return []server.Handler{
		server.Write("UploadSSHPublicKey", s.uploadSSHPublicKey),
		server.Read("GetSSHPublicKey", s.getSSHPublicKey),
		server.Read("ListSSHPublicKeys", s.listSSHPublicKeys),
		server.Write("UpdateSSHPublicKey", s.updateSSHPublicKey),
		server.Write("DeleteSSHPublicKey", s.deleteSSHPublicKey),
	}
}

// noSuchSSHKey is AWS's answer for an unknown key ID (LocalStack's AWS-validated
// test_iam_ssh_public_keys snapshot: get-not-found, update-not-found,
// delete-not-found).
func noSuchSSHKey(id string) error {
	return api.NewNoSuchEntityException("The Public Key with id " + id + " cannot be found.")
}

// The messages of the key checks are not documented beyond the exceptions'
// descriptions, which they follow.
func errKeyEncoding() error {
	return api.NewUnrecognizedPublicKeyEncodingException("The public key encoding format is unsupported or unrecognized: the key must be an ssh-rsa key or a PEM-encoded RSA public key.")
}

func errKeyInvalid() error {
	return api.NewInvalidPublicKeyException("The public key is malformed or otherwise invalid.")
}

// parseSSHKey reads an RSA public key in the two forms IAM takes, "ssh-rsa BASE64
// [comment]" and PEM ("PUBLIC KEY" or "RSA PUBLIC KEY"), and returns its SSH wire
// encoding. Other key types (ssh-ed25519, ecdsa-sha2-*, DSA) are an unrecognized
// encoding; a key that does not decode, or is shorter than 2048 bits, is invalid.
func parseSSHKey(body string) ([]byte, error) {
	body = strings.TrimSpace(body)
	var pub *rsa.PublicKey
	if strings.HasPrefix(body, "-----BEGIN ") {
		blk, _ := pem.Decode([]byte(body))
		if blk == nil {
			return nil, errKeyInvalid()
		}
		switch blk.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				return nil, errKeyInvalid()
			}
			var ok bool
			if pub, ok = k.(*rsa.PublicKey); !ok {
				return nil, errKeyEncoding()
			}
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(blk.Bytes)
			if err != nil {
				return nil, errKeyInvalid()
			}
			pub = k
		default:
			return nil, errKeyEncoding()
		}
	} else {
		f := strings.Fields(body)
		if len(f) < 2 || f[0] != "ssh-rsa" {
			return nil, errKeyEncoding()
		}
		blob, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			return nil, errKeyInvalid()
		}
		if pub = parseSSHRSA(blob); pub == nil {
			return nil, errKeyInvalid()
		}
	}
	if pub.N.BitLen() < minSSHKeyBits {
		return nil, api.NewInvalidPublicKeyException(fmt.Sprintf("The public key is %d bits long; the minimum is %d bits.", pub.N.BitLen(), minSSHKeyBits))
	}
	return sshRSABlob(pub), nil
}

// parseSSHRSA reads the SSH wire encoding of an RSA key (RFC 4253 6.6: string
// "ssh-rsa", mpint e, mpint n); nil when it is anything else.
func parseSSHRSA(b []byte) *rsa.PublicKey {
	next := func() []byte {
		if len(b) < 4 {
			return nil
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return nil
		}
		v := b[4 : 4+n]
		b = b[4+n:]
		return v
	}
	if string(next()) != "ssh-rsa" {
		return nil
	}
	e, n := next(), next()
	if e == nil || n == nil || len(b) != 0 || len(e) > 4 {
		return nil
	}
	ei := new(big.Int).SetBytes(e)
	if ei.Sign() <= 0 || n[0]&0x80 != 0 {
		return nil
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ei.Int64())}
}

// sshRSABlob is the SSH wire encoding of an RSA key.
func sshRSABlob(k *rsa.PublicKey) []byte {
	var buf bytes.Buffer
	str := func(v []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(v)))
		buf.Write(v)
	}
	mpint := func(i *big.Int) {
		v := i.Bytes()
		if len(v) > 0 && v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		str(v)
	}
	str([]byte("ssh-rsa"))
	mpint(big.NewInt(int64(k.E)))
	mpint(k.N)
	return buf.Bytes()
}

// sshFingerprint is the key's MD5 fingerprint as IAM shows it, colon-separated hex of
// the MD5 of the SSH wire encoding (what ssh-keygen -E md5 -l prints).
func sshFingerprint(blob []byte) string {
	sum := md5.Sum(blob)
	h := hex.EncodeToString(sum[:])
	parts := make([]string, 0, len(sum))
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// encoded is the key in the encoding GetSSHPublicKey asks for: as uploaded when it
// was uploaded so (or when encoding is ""), else converted ("ssh-rsa BASE64", or a
// PEM PUBLIC KEY block). AWS's conversions are not documented; these are inferred.
func (k *sshKeyRec) encoded(encoding string) string {
	isPEM := strings.HasPrefix(strings.TrimSpace(k.Body), "-----BEGIN ")
	if encoding == "" || (encoding == api.EncodingTypePEM) == isPEM {
		return k.Body
	}
	if encoding != api.EncodingTypePEM {
		return "ssh-rsa " + base64.StdEncoding.EncodeToString(k.Blob)
	}
	der, err := x509.MarshalPKIXPublicKey(parseSSHRSA(k.Blob))
	if err != nil {
		return k.Body
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func (k *sshKeyRec) out(user, encoding string) *api.SSHPublicKey {
	return &api.SSHPublicKey{UserName: user, SSHPublicKeyId: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: k.encoded(encoding),
		Status: status(k.Active), UploadDate: ptr(k.Uploaded)}
}

func (s *svc) uploadSSHPublicKey(c *server.Call, in *api.UploadSSHPublicKeyRequest) (*api.UploadSSHPublicKeyResponse, error) {
	u, err := loadUser(c.Tx, c.Account, in.UserName)
	if err != nil {
		return nil, err
	}
	blob, err := parseSSHKey(in.SSHPublicKeyBody)
	if err != nil {
		return nil, err
	}
	fp := sshFingerprint(blob)
	n := 0
	err = scanPrefix(c.Tx, ns(c.Account, tSSHKeys), u.ID+"/", "", func(_ string, v []byte) (bool, error) {
		var k sshKeyRec
		if err := json.Unmarshal(v, &k); err != nil {
			return false, err
		}
		if k.Fingerprint == fp {
			return false, api.NewDuplicateSSHPublicKeyException("The SSH public key is already associated with the user " + u.Name + ".")
		}
		n++
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if n >= maxSSHKeys {
		return nil, limitExceeded(fmt.Sprintf("Cannot exceed quota for SSHPublicKeysPerUser: %d", maxSSHKeys))
	}
	// APKA and 17 characters: IAM's prefix for public keys (IAM User Guide, "IAM
	// identifiers", unique ID prefixes; 21 characters as AWS's not-found answers
	// quote IDs).
	k := &sshKeyRec{ID: newID("APKA"), Body: in.SSHPublicKeyBody, Blob: blob, Fingerprint: fp, Active: true, Uploaded: timeUTC(c.Now)}
	if err := c.Tx.PutJSON(ns(c.Account, tSSHKeys), u.ID+"/"+k.ID, k); err != nil {
		return nil, err
	}
	return &api.UploadSSHPublicKeyResponse{SSHPublicKey: k.out(u.Name, "")}, nil
}

// userSSHKey loads the user and one of its keys.
func userSSHKey(c *server.Call, user, id string) (*userRec, *sshKeyRec, error) {
	u, err := loadUser(c.Tx, c.Account, user)
	if err != nil {
		return nil, nil, err
	}
	k, err := load[sshKeyRec](c.Tx, ns(c.Account, tSSHKeys), u.ID+"/"+id)
	if err != nil {
		return nil, nil, err
	}
	if k == nil {
		return nil, nil, noSuchSSHKey(id)
	}
	return u, k, nil
}

func (s *svc) getSSHPublicKey(c *server.Call, in *api.GetSSHPublicKeyRequest) (*api.GetSSHPublicKeyResponse, error) {
	u, k, err := userSSHKey(c, in.UserName, in.SSHPublicKeyId)
	if err != nil {
		return nil, err
	}
	return &api.GetSSHPublicKeyResponse{SSHPublicKey: k.out(u.Name, in.Encoding)}, nil
}

// listSSHPublicKeys lists the named user's keys, or the calling user's; the root user
// has none.
func (s *svc) listSSHPublicKeys(c *server.Call, in *api.ListSSHPublicKeysRequest) (*api.ListSSHPublicKeysResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	u, root, err := userOrCaller(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		return &api.ListSSHPublicKeysResponse{SSHPublicKeys: []api.SSHPublicKeyMetadata{}, IsTruncated: ptr(false)}, nil
	}
	keys, trunc, marker, err := page(c.Tx, ns(c.Account, tSSHKeys), u.ID+"/", p, nil, func(k *sshKeyRec) (api.SSHPublicKeyMetadata, error) {
		return api.SSHPublicKeyMetadata{UserName: u.Name, SSHPublicKeyId: k.ID, Status: status(k.Active), UploadDate: k.Uploaded}, nil
	})
	if err != nil {
		return nil, err
	}
	return &api.ListSSHPublicKeysResponse{SSHPublicKeys: keys, IsTruncated: trunc, Marker: marker}, nil
}

// errStatus refuses the model's third status, Expired, which no credential can be
// set to (as UpdateAccessKey answers; message inferred).
func errStatus(st string) error {
	return invalidInput("Invalid status " + st + ": the status is Active or Inactive.")
}

func (s *svc) updateSSHPublicKey(c *server.Call, in *api.UpdateSSHPublicKeyRequest) (*model.Empty, error) {
	u, k, err := userSSHKey(c, in.UserName, in.SSHPublicKeyId)
	if err != nil {
		return nil, err
	}
	if in.Status != api.StatusTypeActive && in.Status != api.StatusTypeInactive {
		return nil, errStatus(in.Status)
	}
	k.Active = in.Status == api.StatusTypeActive
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tSSHKeys), u.ID+"/"+k.ID, k)
}

func (s *svc) deleteSSHPublicKey(c *server.Call, in *api.DeleteSSHPublicKeyRequest) (*model.Empty, error) {
	u, k, err := userSSHKey(c, in.UserName, in.SSHPublicKeyId)
	if err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, tSSHKeys), u.ID+"/"+k.ID)
	return &model.Empty{}, err
}
