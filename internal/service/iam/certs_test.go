package iam_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/palisade/palisade/internal/store"
)

// testCert makes a PEM certificate for key i's public key, signed by the issuer
// (self-signed when issuer is nil), valid for a year from notBefore.
func testCert(t testing.TB, i int, cn string, ca bool, issuer *x509.Certificate, issuerKey crypto.Signer) (string, *x509.Certificate) {
	t.Helper()
	k := rsaKey(t, 2048, i)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: ca, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	if issuer == nil {
		issuer, issuerKey = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &k.PublicKey, issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), c
}

// rawBodies is an HTTP client that keeps the last response body it read.
type rawBodies struct {
	base interface {
		Do(*http.Request) (*http.Response, error)
	}
	last []byte
}

func (r *rawBodies) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.base.Do(req)
	if err != nil {
		return resp, err
	}
	r.last, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(r.last))
	return resp, err
}

func keyPEM(t testing.TB, i int) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey(t, 2048, i))}))
}

func TestSigningCertificates(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ec2")}))
	c1, _ := testCert(t, 0, "one", false, nil, nil)
	c2, _ := testCert(t, 1, "two", false, nil, nil)
	c3, _ := testCert(t, 2, "three", false, nil, nil)

	// AWS's recorded answers (LocalStack's AWS-validated
	// test_iam_signing_certificates snapshot).
	const noUser = "The user with name nonexistent-user cannot be found."
	_, err := e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("nonexistent-user"), CertificateBody: aws.String(c1)})
	wantErr(t, err, "NoSuchEntity", 404, noUser)
	_, err = e.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("nonexistent-user")})
	wantErr(t, err, "NoSuchEntity", 404, noUser)
	_, err = e.iam.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("nonexistent-user"), CertificateId: aws.String("NONEXISTENTCERTID12345678901")})
	wantErr(t, err, "NoSuchEntity", 404, noUser)
	_, err = e.iam.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("nonexistent-user"), CertificateId: aws.String("NONEXISTENTCERTID12345678901"), Status: types.StatusTypeInactive})
	wantErr(t, err, "NoSuchEntity", 404, noUser)
	_, err = e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("ec2"), CertificateBody: aws.String("invalid-certificate-body")})
	wantErr(t, err, "MalformedCertificate", 400, "Certificate invalid-certificate-body is malformed.")
	const noCert = "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found."
	_, err = e.iam.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("ec2"), CertificateId: aws.String("NONEXISTENTCERTID12345678901"), Status: types.StatusTypeInactive})
	wantErr(t, err, "NoSuchEntity", 404, noCert)
	_, err = e.iam.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("ec2"), CertificateId: aws.String("NONEXISTENTCERTID12345678901")})
	wantErr(t, err, "NoSuchEntity", 404, noCert)

	up := must(e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("ec2"), CertificateBody: aws.String(c1)})).Certificate
	id := aws.ToString(up.CertificateId)
	if len(id) != 32 || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" || aws.ToString(up.UserName) != "ec2" ||
		aws.ToString(up.CertificateBody) != c1 || up.Status != types.StatusTypeActive || up.UploadDate == nil {
		t.Fatalf("uploaded %+v", up)
	}
	list := must(e.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("ec2")}))
	if len(list.Certificates) != 1 || aws.ToString(list.Certificates[0].CertificateId) != id || aws.ToString(list.Certificates[0].CertificateBody) != c1 || list.IsTruncated {
		t.Fatalf("list %+v", list)
	}
	must(e.iam.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("ec2"), CertificateId: up.CertificateId, Status: types.StatusTypeInactive}))
	if l := must(e.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("ec2")})); l.Certificates[0].Status != types.StatusTypeInactive {
		t.Fatalf("status %s", l.Certificates[0].Status)
	}

	// The same certificate is refused anywhere in the account.
	_, err = e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(c1)})
	wantErr(t, err, "DuplicateCertificate", 409, "")

	must(e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("ec2"), CertificateBody: aws.String(c2)}))
	_, err = e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("ec2"), CertificateBody: aws.String(c3)})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for CertificatesPerUser: 2")

	// The root user's own certificate, with the account in UserName, and in the
	// account summary.
	root := must(e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(c3)})).Certificate
	if aws.ToString(root.UserName) != account {
		t.Fatalf("root's certificate %+v", root)
	}
	sum := must(e.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	if sum["AccountSigningCertificatesPresent"] != 1 || sum["SigningCertificatesPerUserQuota"] != 2 {
		t.Fatalf("summary %v", sum)
	}

	// The credential report shows the certificates, oldest first.
	must(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	rep := must(e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		got := []string{r[col["cert_1_active"]], r[col["cert_2_active"]]}
		want := map[string][]string{"<root_account>": {"true", "false"}, "ec2": {"false", "true"}}[r[0]]
		if strings.Join(got, ",") != strings.Join(want, ",") || (want[0] == "true" || r[0] == "ec2") && r[col["cert_1_last_rotated"]] == "N/A" {
			t.Fatalf("report row %v", r)
		}
	}

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ec2")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete signing certificates first.")
	for _, c := range must(e.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("ec2")})).Certificates {
		must(e.iam.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("ec2"), CertificateId: c.CertificateId}))
	}
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ec2")}))
	// A deleted certificate may be uploaded again.
	must(e.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(c1)}))
}

func TestServerCertificates(t *testing.T) {
	e := newEnv(t)
	body, cert := testCert(t, 0, "www.example.com", false, nil, nil)
	key := keyPEM(t, 0)

	up := must(e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("web"), Path: aws.String("/prod/"),
		CertificateBody: aws.String(body), PrivateKey: aws.String(key)})).ServerCertificateMetadata
	id := aws.ToString(up.ServerCertificateId)
	if !strings.HasPrefix(id, "ASCA") || len(id) != 21 || aws.ToString(up.Arn) != "arn:aws:iam::"+account+":server-certificate/prod/web" ||
		aws.ToString(up.Path) != "/prod/" || !aws.ToTime(up.Expiration).Equal(cert.NotAfter) || up.UploadDate == nil {
		t.Fatalf("uploaded %+v", up)
	}
	raw := &rawBodies{}
	rawIAM := iam.NewFromConfig(e.p.RootConfig(), func(o *iam.Options) { raw.base, o.HTTPClient = o.HTTPClient, raw })
	got := must(rawIAM.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("WEB")})).ServerCertificate
	if aws.ToString(got.CertificateBody) != body || got.CertificateChain != nil || aws.ToString(got.ServerCertificateMetadata.ServerCertificateId) != id {
		t.Fatalf("get %+v", got)
	}
	// A certificate without tags has an empty Tags list (snapshot get-certificate:
	// "Tags": []).
	if !bytes.Contains(raw.last, []byte("<Tags/>")) && !bytes.Contains(raw.last, []byte("<Tags></Tags>")) {
		t.Fatalf("GetServerCertificate body without an empty Tags list:\n%s", raw.last)
	}

	// AWS's recorded answers (LocalStack's AWS-validated
	// test_iam_server_certificates snapshot), and users' reports of MalformedCertificate.
	_, err := e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("web"), CertificateBody: aws.String(body), PrivateKey: aws.String(key)})
	wantErr(t, err, "EntityAlreadyExists", 409, "The Server Certificate with name web already exists.")
	_, err = e.iam.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate")})
	wantErr(t, err, "NoSuchEntity", 404, "The Server Certificate with name nonexistent-certificate cannot be found.")
	_, err = e.iam.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate")})
	wantErr(t, err, "NoSuchEntity", 404, "The Server Certificate with name nonexistent-certificate cannot be found.")
	_, err = e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("bad"), CertificateBody: aws.String("junk"), PrivateKey: aws.String(key)})
	wantErr(t, err, "MalformedCertificate", 400, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	_, err = e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("bad"), CertificateBody: aws.String(body), PrivateKey: aws.String(keyPEM(t, 1))})
	wantErr(t, err, "KeyPairMismatch", 400, "")
	_, err = e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("bad"), CertificateBody: aws.String(body), PrivateKey: aws.String("junk")})
	wantErr(t, err, "MalformedCertificate", 400, "")

	// A chain must start with the certificate's issuer.
	caPEM, ca := testCert(t, 1, "ca", true, nil, nil)
	leaf, _ := testCert(t, 2, "leaf.example.com", false, ca, rsaKey(t, 2048, 1))
	_, err = e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("bad"), CertificateBody: aws.String(leaf), PrivateKey: aws.String(keyPEM(t, 2)), CertificateChain: aws.String(body)})
	wantErr(t, err, "MalformedCertificate", 400, "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: -1")
	tag := types.Tag{Key: aws.String("env"), Value: aws.String("prod")}
	chained := must(e.iam.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("leaf"), CertificateBody: aws.String(leaf),
		PrivateKey: aws.String(keyPEM(t, 2)), CertificateChain: aws.String(caPEM), Tags: []types.Tag{tag}}))
	if len(chained.Tags) != 1 {
		t.Fatalf("upload with tags %+v", chained)
	}
	got = must(e.iam.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("leaf")})).ServerCertificate
	if aws.ToString(got.CertificateChain) != caPEM || len(got.Tags) != 1 {
		t.Fatalf("get chained %+v", got)
	}

	// Listed, by path.
	all := must(e.iam.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{})).ServerCertificateMetadataList
	prod := must(e.iam.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{PathPrefix: aws.String("/prod/")})).ServerCertificateMetadataList
	if len(all) != 2 || len(prod) != 1 || aws.ToString(prod[0].ServerCertificateName) != "web" {
		t.Fatalf("lists %+v %+v", all, prod)
	}
	if n := must(e.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap["ServerCertificates"]; n != 2 {
		t.Fatalf("summary ServerCertificates %d", n)
	}

	// Tags.
	must(e.iam.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("web"), Tags: []types.Tag{tag, {Key: aws.String("team"), Value: aws.String("a")}}}))
	must(e.iam.UntagServerCertificate(ctx, &iam.UntagServerCertificateInput{ServerCertificateName: aws.String("web"), TagKeys: []string{"env"}}))
	tags := must(e.iam.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("web")})).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "team" {
		t.Fatalf("tags %+v", tags)
	}

	// Renamed and moved.
	must(e.iam.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web"), NewServerCertificateName: aws.String("web2"), NewPath: aws.String("/")}))
	_, err = e.iam.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("web")})
	wantErr(t, err, "NoSuchEntity", 404, "")
	m := must(e.iam.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("web2")})).ServerCertificate.ServerCertificateMetadata
	if aws.ToString(m.Arn) != "arn:aws:iam::"+account+":server-certificate/web2" || aws.ToString(m.ServerCertificateId) != id {
		t.Fatalf("renamed %+v", m)
	}
	_, err = e.iam.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web2"), NewServerCertificateName: aws.String("leaf")})
	wantErr(t, err, "EntityAlreadyExists", 409, "The Server Certificate with name leaf already exists.")

	// The private key is sealed at rest and appears in no CloudTrail record.
	err = e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Scan(store.NS("iam", account, "", "server-certs"), "", 0, func(k string, v []byte) bool {
			if bytes.Contains(v, []byte("PRIVATE KEY")) {
				t.Errorf("server certificate %s holds its key in the clear", k)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	recs := e.records("UploadServerCertificate")
	if len(recs) == 0 {
		t.Fatal("no UploadServerCertificate record")
	}
	for _, r := range recs {
		b, _ := json.Marshal(r)
		if bytes.Contains(b, []byte("PRIVATE KEY")) || bytes.Contains(b, []byte("privateKey")) {
			t.Fatalf("record holds the private key: %s", b)
		}
	}
	if ok := bytes.Contains(recs[0].RequestParameters, []byte(`"serverCertificateName":"web"`)); !ok {
		t.Fatalf("record parameters %s", recs[0].RequestParameters)
	}

	must(e.iam.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("web2")}))
	if l := must(e.iam.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{})).ServerCertificateMetadataList; len(l) != 1 {
		t.Fatalf("after delete %+v", l)
	}
}

// Server certificate operations are authorized on the certificate's ARN, path
// included, and tags on upload need iam:TagServerCertificate.
func TestServerCertificatesAuthorization(t *testing.T) {
	e := newEnv(t)
	u := e.newUser("u")
	body, _ := testCert(t, 0, "www.example.com", false, nil, nil)
	key := keyPEM(t, 0)
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("prod"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:UploadServerCertificate","iam:GetServerCertificate","iam:UpdateServerCertificate"],"Resource":"arn:aws:iam::*:server-certificate/prod/*"}]}`)}))
	must(u.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("a"), Path: aws.String("/prod/"), CertificateBody: aws.String(body), PrivateKey: aws.String(key)}))
	must(u.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("a")}))
	arn := "arn:aws:iam::" + account + ":server-certificate/"
	_, err := u.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("b"), CertificateBody: aws.String(body), PrivateKey: aws.String(key)})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:UploadServerCertificate on resource: "+arn+"b because no identity-based policy allows the iam:UploadServerCertificate action")
	_, err = u.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("c"), Path: aws.String("/prod/"), CertificateBody: aws.String(body), PrivateKey: aws.String(key),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:TagServerCertificate on resource: "+arn+"prod/c because no identity-based policy allows the iam:TagServerCertificate action")
	// Moving it out of /prod/ needs the permission on the new ARN too.
	_, err = u.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("a"), NewPath: aws.String("/dev/")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:UpdateServerCertificate on resource: "+arn+"dev/a because no identity-based policy allows the iam:UpdateServerCertificate action")
	must(e.iam.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("a"), NewPath: aws.String("/dev/")}))
	_, err = u.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("a")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:GetServerCertificate on resource: "+arn+"dev/a because no identity-based policy allows the iam:GetServerCertificate action")
}
