package iam_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
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
