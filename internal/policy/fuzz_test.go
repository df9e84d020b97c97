package policy

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
	`{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:Get*"],"NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*","b?"]},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"Null":{"x:y":true}}}]}`,
	`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"],"Service":"s.amazonaws.com"},"Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"a:b":"${a:c, 'd''e'}${*}"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericGreaterThan":{"n:m":1.5}}}]}`,
	`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:sts::111122223333:assumed-role/r/s"},"Action":["*"],"Resource":["*"]}]}`,
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a:\\u00e9\\n\",\"Resource\":\"*\"}]}",
}

// FuzzParse: no document makes Parse panic, and a document Parse accepts prints
// with Marshal to one that parses to the same canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		for k := Kind(0); k < numKinds; k++ {
			f.Add([]byte(s), uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := Kind(k % uint8(numKinds))
		p, err := Parse(kind, "fuzz", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("error %v is not an *Error with a message", err)
			}
			return
		}
		out := Marshal(p.Document())
		doc2, err := parseDocument(out, kind, false)
		if err != nil {
			t.Fatalf("canonical form rejected: %v\n%s\nfrom %q", err, out, data)
		}
		if out2 := Marshal(doc2); !bytes.Equal(out, out2) {
			t.Fatalf("round trip differs\n%s\n%s", out, out2)
		}
	})
}

// FuzzEvaluate: evaluation never panics, and the indexed evaluation agrees with
// a scan of every statement.
func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "s3:GetObject", "arn:aws:s3:::b/alice/x", "alice", "10.1.2.3", uint8(0))
		f.Add(s, "iam:ListUsers", "*", "a*", "::1", uint8(3))
	}
	f.Fuzz(func(t *testing.T, doc, action, resource, ctxVal, ip string, who uint8) {
		var p *Policy
		var kind Kind
		for _, k := range []Kind{KindRoleInline, KindResource, KindTrust} {
			if q, err := Parse(k, "fuzz", []byte(doc)); err == nil {
				p, kind = q, k
				break
			}
		}
		if p == nil {
			return
		}
		principals := []string{alice, session, fedUser, rootARN, other, "anonymous", "lambda.amazonaws.com"}
		req := &Request{Principal: principal(t, principals[int(who)%len(principals)]), Action: action, Resource: resource,
			Context: NewMapContext(map[string][]string{"aws:SourceIp": {ip}, "aws:TagKeys": {ctxVal, "b"}, "a:c": {ctxVal}, "x:y": {ctxVal}, "n:m": {ctxVal}})}
		set := &PolicySet{Identity: NewGroup(p)}
		if kind != KindRoleInline {
			set = &PolicySet{Resource: p, ResourceMustAllow: kind == KindTrust}
		}
		got := Evaluate(req, set)

		// Reference: the same policy with every statement in the "always" list.
		scan := *p
		scan.idx = newIndex()
		for i := range p.stmts {
			scan.idx.always = append(scan.idx.always, stmtRef{0, int32(i), &scan.stmts[i]})
		}
		ref := &PolicySet{Identity: NewGroup(&scan)}
		if kind != KindRoleInline {
			ref = &PolicySet{Resource: &scan, ResourceMustAllow: kind == KindTrust}
		}
		want := Evaluate(req, ref)
		if got.Decision != want.Decision || got.BlockedBy != want.BlockedBy || !reflect.DeepEqual(got.Matched, want.Matched) {
			t.Fatalf("indexed %v %v %+v\nscan    %v %v %+v", got.Decision, got.BlockedBy.List(), got.Matched, want.Decision, want.BlockedBy.List(), want.Matched)
		}
	})
}
