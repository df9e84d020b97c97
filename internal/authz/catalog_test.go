package authz

import "testing"

func TestCatalog(t *testing.T) {
	a, ok := LookupAction("IAM:createuser")
	if !ok || a.FullName() != "iam:CreateUser" || a.Access != Write || len(a.Resources) != 1 || a.Resources[0].Type != "user" || !a.Resources[0].Required {
		t.Fatalf("iam:CreateUser: %+v %v", a, ok)
	}
	svc, _ := LookupService("iam")
	if rt := svc.ResourceTypes["user"]; rt == nil || rt.ARN != "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}" {
		t.Fatalf("iam user ARN template: %+v", rt)
	}
	if a, _ := LookupAction("s3:GetObject"); a.Access != Read || a.Access.ReadOnly() != true {
		t.Fatalf("s3:GetObject: %+v", a)
	}
	if a, _ := LookupAction("kms:PutKeyPolicy"); a.Access != PermissionsManagement || a.Access.ReadOnly() {
		t.Fatalf("kms:PutKeyPolicy: %+v", a)
	}
	if _, ok := LookupAction("iam:NoSuchAction"); ok {
		t.Fatal("unknown action found")
	}
	if _, ok := LookupAction("nocolon"); ok {
		t.Fatal("malformed action found")
	}
}
