package iam_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/palisade/palisade/internal/store"
)

var (
	rsaKeysMu sync.Mutex
	rsaKeys   = map[int][]*rsa.PrivateKey{}
)

// rsaKey returns the i-th test RSA key of the size, generated once per test binary.
func rsaKey(t testing.TB, bits, i int) *rsa.PrivateKey {
	t.Helper()
	rsaKeysMu.Lock()
	defer rsaKeysMu.Unlock()
	for len(rsaKeys[bits]) <= i {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		rsaKeys[bits] = append(rsaKeys[bits], k)
	}
	return rsaKeys[bits][i]
}

// sshWire is an RSA public key in SSH's wire encoding, written here independently of
// the server's.
func sshWire(k *rsa.PublicKey) []byte {
	var b bytes.Buffer
	put := func(v []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(v)))
		b.Write(v)
	}
	mp := func(i *big.Int) {
		v := i.Bytes()
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		put(v)
	}
	put([]byte("ssh-rsa"))
	mp(big.NewInt(int64(k.E)))
	mp(k.N)
	return b.Bytes()
}

func authorizedKey(k *rsa.PublicKey, comment string) string {
	return "ssh-rsa " + base64.StdEncoding.EncodeToString(sshWire(k)) + " " + comment
}

// md5Fingerprint is what ssh-keygen -E md5 -l prints for the key.
func md5Fingerprint(k *rsa.PublicKey) string {
	sum := md5.Sum(sshWire(k))
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

func TestSSHPublicKeys(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	k0 := rsaKey(t, 2048, 0)
	body := authorizedKey(&k0.PublicKey, "dev@laptop")

	up := must(e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("DEV"), SSHPublicKeyBody: aws.String(body)})).SSHPublicKey
	id := aws.ToString(up.SSHPublicKeyId)
	if !strings.HasPrefix(id, "APKA") || len(id) != 21 || aws.ToString(up.UserName) != "dev" || up.Status != types.StatusTypeActive ||
		aws.ToString(up.Fingerprint) != md5Fingerprint(&k0.PublicKey) || aws.ToString(up.SSHPublicKeyBody) != body || up.UploadDate == nil {
		t.Fatalf("uploaded %+v", up)
	}

	got := must(e.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Encoding: types.EncodingTypeSsh})).SSHPublicKey
	if aws.ToString(got.SSHPublicKeyBody) != body || aws.ToString(got.Fingerprint) != aws.ToString(up.Fingerprint) {
		t.Fatalf("get SSH %+v", got)
	}
	// PEM: the same key as a PEM public key.
	got = must(e.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Encoding: types.EncodingTypePem})).SSHPublicKey
	blk, _ := pem.Decode([]byte(aws.ToString(got.SSHPublicKeyBody)))
	if blk == nil {
		t.Fatalf("get PEM body %q", aws.ToString(got.SSHPublicKeyBody))
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil || !k0.PublicKey.Equal(pub) {
		t.Fatalf("PEM body is not the key: %v", err)
	}

	list := must(e.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev")}))
	if len(list.SSHPublicKeys) != 1 || aws.ToString(list.SSHPublicKeys[0].SSHPublicKeyId) != id || list.SSHPublicKeys[0].Status != types.StatusTypeActive || list.IsTruncated {
		t.Fatalf("list %+v", list)
	}
	must(e.iam.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Status: types.StatusTypeInactive}))
	got = must(e.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Encoding: types.EncodingTypeSsh})).SSHPublicKey
	if got.Status != types.StatusTypeInactive {
		t.Fatalf("status after update %s", got.Status)
	}
	_, err = e.iam.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Status: types.StatusTypeExpired})
	wantErr(t, err, "InvalidInput", 400, "")

	// AWS's answers for an unknown key (LocalStack's AWS-validated snapshot).
	const missing = "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found."
	_, err = e.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String("APKAXXXXXXXXXXXXXXXXX"), Encoding: types.EncodingTypeSsh})
	wantErr(t, err, "NoSuchEntity", 404, missing)
	_, err = e.iam.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String("APKAXXXXXXXXXXXXXXXXX"), Status: types.StatusTypeInactive})
	wantErr(t, err, "NoSuchEntity", 404, missing)
	_, err = e.iam.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String("APKAXXXXXXXXXXXXXXXXX")})
	wantErr(t, err, "NoSuchEntity", 404, missing)
	_, err = e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("nobody"), SSHPublicKeyBody: aws.String(body)})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")

	// The same key again, even without its comment, is a duplicate.
	_, err = e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(strings.TrimSuffix(body, " dev@laptop"))})
	wantErr(t, err, "DuplicateSSHPublicKey", 400, "")

	// Only RSA keys of 2048 bits or more, in ssh-rsa or PEM form.
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	for _, bad := range []struct{ body, code string }{
		{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzvfE+qS09w+okgrO0gY7jryF0lSCxdEO/O0UaUhuZe algo@ssh", "UnrecognizedPublicKeyEncoding"},
		{"not a key", "UnrecognizedPublicKeyEncoding"},
		{string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER})), "UnrecognizedPublicKeyEncoding"},
		{"ssh-rsa !!!notbase64", "InvalidPublicKey"},
		{"ssh-rsa " + base64.StdEncoding.EncodeToString([]byte("\x00\x00\x00\x07ssh-rsa")), "InvalidPublicKey"},
		{authorizedKey(&rsaKey(t, 1024, 0).PublicKey, "short"), "InvalidPublicKey"},
	} {
		_, err = e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(bad.body)})
		wantErr(t, err, bad.code, 400, "")
	}

	// A PEM RSA key is taken, and given back as uploaded; as SSH it is ssh-rsa.
	k1 := rsaKey(t, 2048, 1)
	pemBody := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k1.PublicKey)}))
	pk := must(e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(pemBody)})).SSHPublicKey
	if aws.ToString(pk.SSHPublicKeyBody) != pemBody || aws.ToString(pk.Fingerprint) != md5Fingerprint(&k1.PublicKey) {
		t.Fatalf("PEM upload %q %q, want %q", aws.ToString(pk.SSHPublicKeyBody), aws.ToString(pk.Fingerprint), md5Fingerprint(&k1.PublicKey))
	}
	got = must(e.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: pk.SSHPublicKeyId, Encoding: types.EncodingTypeSsh})).SSHPublicKey
	if aws.ToString(got.SSHPublicKeyBody) != "ssh-rsa "+base64.StdEncoding.EncodeToString(sshWire(&k1.PublicKey)) {
		t.Fatalf("PEM key as SSH: %q", aws.ToString(got.SSHPublicKeyBody))
	}

	// Five keys per user.
	for i := 2; i < 5; i++ {
		must(e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(authorizedKey(&rsaKey(t, 2048, i).PublicKey, ""))}))
	}
	_, err = e.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(authorizedKey(&rsaKey(t, 2048, 5).PublicKey, ""))})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for SSHPublicKeysPerUser: 5")

	// Paged.
	page1 := must(e.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev"), MaxItems: aws.Int32(3)}))
	page2 := must(e.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev"), Marker: page1.Marker}))
	if len(page1.SSHPublicKeys) != 3 || !page1.IsTruncated || len(page2.SSHPublicKeys) != 2 || page2.IsTruncated {
		t.Fatalf("pages %d %v, %d %v", len(page1.SSHPublicKeys), page1.IsTruncated, len(page2.SSHPublicKeys), page2.IsTruncated)
	}

	// The user cannot go while it has keys.
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete SSH public keys first.")
	for _, k := range append(page1.SSHPublicKeys, page2.SSHPublicKeys...) {
		must(e.iam.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: k.SSHPublicKeyId}))
	}
	if l := must(e.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev")})); len(l.SSHPublicKeys) != 0 || l.IsTruncated {
		t.Fatalf("after delete %+v", l)
	}
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")}))

	// CloudTrail records the upload with the user and the key's ID.
	recs := e.records("UploadSSHPublicKey")
	var ok bool
	for _, r := range recs {
		if r.ErrorCode == "" && bytes.Contains(r.RequestParameters, []byte(`"userName":"DEV"`)) && bytes.Contains(r.ResponseElements, []byte(id)) {
			ok = true
		}
	}
	if !ok {
		t.Fatalf("no UploadSSHPublicKey record of %s in %d records", id, len(recs))
	}
}

// The SSH key operations are authorized on the user's ARN (Service Authorization
// Reference: resource type user), so a policy can let users manage their own keys
// only.
func TestSSHPublicKeysAuthorization(t *testing.T) {
	e := newEnv(t)
	u := e.newUser("u")
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("v"), Path: aws.String("/team/")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("own-keys"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*SSHPublicKey*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
	body := authorizedKey(&rsaKey(t, 2048, 0).PublicKey, "")
	k := must(u.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("u"), SSHPublicKeyBody: aws.String(body)})).SSHPublicKey
	// Without a name, the caller's own keys.
	if l := must(u.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{})); len(l.SSHPublicKeys) != 1 || aws.ToString(l.SSHPublicKeys[0].SSHPublicKeyId) != aws.ToString(k.SSHPublicKeyId) {
		t.Fatalf("own list %+v", l)
	}
	_, err := u.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("v"), SSHPublicKeyBody: aws.String(body)})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:UploadSSHPublicKey on resource: user v because no identity-based policy allows the iam:UploadSSHPublicKey action")
	_, err = u.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("v")})
	wantErr(t, err, "AccessDenied", 403, "")
	recs := e.records("UploadSSHPublicKey")
	if last := recs[len(recs)-1]; last.ErrorCode != "AccessDenied" {
		t.Fatalf("denied upload recorded as %+v", last)
	}
}

func TestServiceSpecificCredentials(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))
	cr := must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")})).ServiceSpecificCredential
	id, pw := aws.ToString(cr.ServiceSpecificCredentialId), aws.ToString(cr.ServicePassword)
	if !strings.HasPrefix(id, "ACCA") || len(id) != 21 || aws.ToString(cr.ServiceUserName) != "git-at-"+account || len(pw) != 44 ||
		aws.ToString(cr.UserName) != "git" || cr.Status != types.StatusTypeActive || aws.ToString(cr.ServiceName) != "codecommit.amazonaws.com" || cr.CreateDate == nil {
		t.Fatalf("created %+v", cr)
	}

	list := must(e.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git")})).ServiceSpecificCredentials
	if len(list) != 1 || aws.ToString(list[0].ServiceSpecificCredentialId) != id || aws.ToString(list[0].ServiceUserName) != "git-at-"+account {
		t.Fatalf("list %+v", list)
	}

	// Two per service and user; another service has its own two.
	must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	_, err := e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
	ks := must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("cassandra.amazonaws.com")})).ServiceSpecificCredential
	_, err = e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("s3.amazonaws.com")})
	wantErr(t, err, "NotSupportedService", 404, "The specified service does not support service-specific credentials.")
	_, err = e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("nobody"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")

	byService := must(e.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git"), ServiceName: aws.String("cassandra.amazonaws.com")})).ServiceSpecificCredentials
	if len(byService) != 1 || aws.ToString(byService[0].ServiceSpecificCredentialId) != aws.ToString(ks.ServiceSpecificCredentialId) {
		t.Fatalf("cassandra list %+v", byService)
	}

	// A reset hands out a new password; only create and reset show one.
	reset := must(e.iam.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id)})).ServiceSpecificCredential
	pw2 := aws.ToString(reset.ServicePassword)
	if len(pw2) != 44 || pw2 == pw || aws.ToString(reset.ServiceSpecificCredentialId) != id {
		t.Fatalf("reset %+v", reset)
	}
	must(e.iam.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id), Status: types.StatusTypeInactive}))
	list = must(e.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")})).ServiceSpecificCredentials
	if len(list) != 2 {
		t.Fatalf("list %+v", list)
	}
	for _, m := range list {
		if aws.ToString(m.ServiceSpecificCredentialId) == id && m.Status != types.StatusTypeInactive {
			t.Fatalf("status after update %+v", m)
		}
	}
	_, err = e.iam.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String("ACCAXXXXXXXXXXXXXXXXX")})
	wantErr(t, err, "NoSuchEntity", 404, "The Service Specific Credential with id ACCAXXXXXXXXXXXXXXXXX cannot be found.")

	// The passwords are sealed at rest and kept out of CloudTrail.
	err = e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(store.NS("iam", account, "", "service-creds"), "", 0, func(k string, v []byte) bool {
			if bytes.Contains(v, []byte(pw)) || bytes.Contains(v, []byte(pw2)) || bytes.Contains(v, []byte(base64.StdEncoding.EncodeToString([]byte(pw2)))) {
				t.Errorf("record %s holds the password in the clear", k)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"CreateServiceSpecificCredential", "ResetServiceSpecificCredential"} {
		recs := e.records(op)
		if len(recs) == 0 {
			t.Fatalf("no %s record", op)
		}
		for _, r := range recs {
			b, _ := json.Marshal(r)
			if bytes.Contains(b, []byte(pw)) || bytes.Contains(b, []byte(pw2)) || bytes.Contains(b, []byte("servicePassword")) {
				t.Fatalf("%s record holds the password: %s", op, b)
			}
		}
	}
	if !bytes.Contains(e.records("CreateServiceSpecificCredential")[0].ResponseElements, []byte(id)) {
		t.Fatalf("create record lacks the credential: %s", e.records("CreateServiceSpecificCredential")[0].ResponseElements)
	}

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("git")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete service-specific credentials first.")
	for _, m := range must(e.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git")})).ServiceSpecificCredentials {
		must(e.iam.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: m.ServiceSpecificCredentialId}))
	}
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("git")}))
}

// A user manages its own service-specific credentials without naming itself, and
// AllUsers lists every user's.
func TestServiceSpecificCredentialsSelfAndAllUsers(t *testing.T) {
	e := newEnv(t)
	u := e.newUser("u")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("own"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*ServiceSpecificCredential*","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
	c := must(u.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("u"), ServiceName: aws.String("codecommit.amazonaws.com")})).ServiceSpecificCredential
	own := must(u.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{})).ServiceSpecificCredentials
	if len(own) != 1 || aws.ToString(own[0].UserName) != "u" {
		t.Fatalf("own list %+v", own)
	}
	must(u.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{ServiceSpecificCredentialId: c.ServiceSpecificCredentialId}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("w")}))
	_, err := u.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("w"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:CreateServiceSpecificCredential on resource: user w because no identity-based policy allows the iam:CreateServiceSpecificCredential action")

	must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("w"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	// A renamed user's credentials follow it.
	must(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("w"), NewUserName: aws.String("w2")}))
	all := must(e.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true)})).ServiceSpecificCredentials
	names := map[string]bool{}
	for _, m := range all {
		names[aws.ToString(m.UserName)] = true
	}
	if len(all) != 2 || !names["u"] || !names["w2"] {
		t.Fatalf("all users %+v", all)
	}
}
