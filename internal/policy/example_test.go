package policy_test

import (
	"fmt"

	"github.com/palisade/palisade/internal/policy"
)

// How an authorization layer uses the engine: compile documents once, group a
// principal's identity policies, then decide each request.
func Example() {
	readOnly := policy.MustParse(policy.KindManaged, "arn:aws:iam::111122223333:policy/ReadOnly",
		`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`)
	bucketPolicy := policy.MustParse(policy.KindResource, "bucket-policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::reports/*",
		  "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)

	alice, _ := policy.ParsePrincipal("arn:aws:iam::111122223333:user/alice")
	set := &policy.PolicySet{Identity: policy.NewGroup(readOnly), Resource: bucketPolicy}

	for _, secure := range []string{"true", "false"} {
		req := &policy.Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/q1.csv",
			Context: policy.MapContext{"aws:securetransport": {secure}}}
		res := policy.Evaluate(req, set)
		if res.Decision == policy.Allowed {
			fmt.Println("allowed by", res.Matched[0].Policy, res.Matched[0].Sid)
		} else {
			fmt.Println(res.Message(req))
		}
	}
	// Output:
	// allowed by arn:aws:iam::111122223333:policy/ReadOnly Read
	// User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::reports/q1.csv with an explicit deny in a resource-based policy
}
