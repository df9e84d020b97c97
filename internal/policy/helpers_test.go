package policy

import (
	"strings"
	"testing"
)

const v2012 = `"Version":"2012-10-17"`

func pol(t testing.TB, kind Kind, name string, stmts ...string) *Policy {
	t.Helper()
	p, err := Parse(kind, name, []byte(`{`+v2012+`,"Statement":[`+strings.Join(stmts, ",")+`]}`))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func principal(t testing.TB, arn string) Principal {
	t.Helper()
	p, err := ParsePrincipal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	alice   = "arn:aws:iam::111122223333:user/alice"
	session = "arn:aws:sts::111122223333:assumed-role/app/s1"
	roleARN = "arn:aws:iam::111122223333:role/app"
	fedUser = "arn:aws:sts::111122223333:federated-user/bob"
	rootARN = "arn:aws:iam::111122223333:root"
	other   = "arn:aws:iam::444455556666:user/carol"
	bucket  = "arn:aws:s3:::amzn-s3-demo-bucket"
	object  = "arn:aws:s3:::amzn-s3-demo-bucket/key"
)

func allow(action, resource string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`
}

func deny(action, resource string) string {
	return `{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}`
}

func allowTo(principal, action, resource string) string {
	return `{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"}`
}
