package wire_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	iamapi "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// FuzzQueryDecode feeds arbitrary form bodies to the query decoder for IAM, whose
// inputs cover nested lists, maps, integers, booleans and timestamps. Decoding must
// never panic; whatever decodes must validate and convert without panicking either.
func FuzzQueryDecode(f *testing.F) {
	for _, seed := range []string{
		"Action=CreateUser&Version=2010-05-08&UserName=bob&Path=/a/&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"Action=ListUsers&Version=2010-05-08&MaxItems=abc",
		"Action=ListUsers&MaxItems=99999999999999999999",
		"Action=TagUser&Tags=&UserName=x",
		"Action=SimulateCustomPolicy&PolicyInputList.member.1=%7B%7D&ContextEntries.member.1.ContextKeyValues.member.3=x",
		"Action=GetAccountAuthorizationDetails&Filter.member.1=User&Filter.member.x=Role",
		"Action=%zz",
		"Action=CreateUser&UserName=a&UserName=b&Tags.member.0.Key=k&Tags.member.-1.Key=k",
	} {
		f.Add(seed)
	}
	p, _ := wire.Lookup("query")
	f.Fuzz(func(t *testing.T, body string) {
		hr, err := http.NewRequest(http.MethodPost, "http://localhost/", strings.NewReader(body))
		if err != nil {
			return
		}
		r := &wire.Request{HTTP: hr, Service: iamapi.Service, Body: []byte(body)}
		op, _, e := p.Resolve(r)
		if e != nil {
			return
		}
		r.Op = op
		in, e := p.Decode(r)
		if e != nil {
			return
		}
		model.Validate(op.Input, in)
		if op.InputType != nil {
			model.Unmarshal(in, newOf(op))
		}
	})
}

func newOf(op *model.Operation) any { return reflect.New(op.InputType).Interface() }
