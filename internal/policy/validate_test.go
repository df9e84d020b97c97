package policy

import "testing"

func TestValidateFindings(t *testing.T) {
	cases := []struct {
		name, doc string
		kind      Kind
		want      []string // finding codes
	}{
		{"clean", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, KindManaged, nil},
		{"error", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}`, KindManaged, []string{"MalformedPolicyDocument"}},
		// "AWS JSON policy elements: NotPrincipal": must be used with Deny.
		{"NotPrincipal with Allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}}`, KindResource, []string{"NotPrincipalWithAllow"}},
		// "Single-valued vs. multivalued context keys": ForAllValues with Allow is permissive.
		{"ForAllValues with Allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}}}`, KindManaged, []string{"ForAllValuesWithAllow"}},
		// "Policy variables": only 2012-10-17, and not with Numeric/Date/IP/Binary/Null.
		{"variable in 2008 version", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`, KindUserInline, []string{"VariableInOldVersion"}},
		{"variable with NumericEquals", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericEquals":{"s3:max-keys":"${aws:username}"}}}}`, KindManaged, []string{"VariableNotSupported"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Validate(c.kind, []byte(c.doc))
			if len(got) != len(c.want) {
				t.Fatalf("findings %+v, want codes %v", got, c.want)
			}
			for i := range got {
				if got[i].Code != c.want[i] {
					t.Fatalf("findings %+v, want codes %v", got, c.want)
				}
			}
		})
	}
}

func TestKinds(t *testing.T) {
	for k := Kind(0); k < numKinds; k++ {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if _, ok := ParseKind("bucket"); ok {
		t.Error("unknown kind accepted")
	}
	// IAM and STS quotas / Organizations quotas.
	want := map[Kind]int{KindManaged: 6144, KindUserInline: 2048, KindGroupInline: 5120, KindRoleInline: 10240,
		KindTrust: 2048, KindSession: 2048, KindSCP: 5120, KindRCP: 5120, KindResource: 0}
	for k, n := range want {
		if k.MaxSize() != n {
			t.Errorf("%v quota %d, want %d", k, k.MaxSize(), n)
		}
	}
}

func TestParsePrincipal(t *testing.T) {
	cases := []struct {
		in      string
		typ     PrincipalType
		account string
		issuer  string
	}{
		{"arn:aws:iam::111122223333:root", PrincipalRoot, "111122223333", ""},
		{"arn:aws:iam::111122223333:user/path/alice", PrincipalUser, "111122223333", ""},
		{"arn:aws:sts::111122223333:assumed-role/app/s1", PrincipalRoleSession, "111122223333", "arn:aws:iam::111122223333:role/app"},
		{"arn:aws:sts::111122223333:federated-user/bob", PrincipalFederatedUser, "111122223333", "arn:aws:iam::111122223333:user/bob"},
		{"lambda.amazonaws.com", PrincipalService, "", ""},
		{"anonymous", PrincipalAnonymous, "", ""},
		{"arn:aws:iam::111122223333:saml-provider/idp", PrincipalFederatedProvider, "", ""},
	}
	for _, c := range cases {
		p, err := ParsePrincipal(c.in)
		if err != nil || p.Type != c.typ || p.Account != c.account || p.IssuerARN != c.issuer {
			t.Errorf("%s: %+v %v", c.in, p, err)
		}
	}
	for _, bad := range []string{"arn:aws:iam::111122223333:role/app", "arn:aws:iam::12:user/x", "bob"} {
		if _, err := ParsePrincipal(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
