package policy

import "testing"

// AllowsAnyAction weighs only Allow statements' Action and NotAction elements, with
// IAM's case-insensitive wildcards, whatever their resources and conditions.
func TestAllowsAnyAction(t *testing.T) {
	s3 := []string{"s3:GetObject", "s3:PutObject"}
	for _, c := range []struct {
		doc  string
		want bool
	}{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:getobject","Resource":"arn:aws:s3:::b/k"}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, false},
	} {
		if got := MustParse(KindManaged, "p", c.doc).AllowsAnyAction(s3); got != c.want {
			t.Errorf("%s: %v, want %v", c.doc, got, c.want)
		}
	}
}
