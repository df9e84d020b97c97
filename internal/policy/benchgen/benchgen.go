// Package benchgen generates the policy documents and requests of the policy
// engine's benchmarks. It is shared by the Go benchmarks and by the exporter that
// writes the same inputs as JSON for the moto comparison (bench/policy), so both
// engines see identical documents. Generation is deterministic.
package benchgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Request is one benchmark request.
type Request struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Context   map[string][]string `json:"context"`
}

// Scenario is a set of identity policies and the requests evaluated against them.
type Scenario struct {
	Name       string    `json:"name"`
	Statements int       `json:"statements"`
	Policies   []string  `json:"policies"` // JSON documents
	Requests   []Request `json:"requests"`
}

// Principal is the caller of every request.
const Principal = "arn:aws:iam::111122223333:user/alice"

var ctx = map[string][]string{
	"aws:SourceIp":          {"10.1.2.3"},
	"aws:SecureTransport":   {"true"},
	"aws:PrincipalTag/team": {"blue"},
	"s3:prefix":             {"home/alice/"},
}

// Typical is a typical user: three managed policies with 20 statements in all,
// a read-only S3 policy, an EC2 operator policy and a guard-rail policy with
// conditions and denies.
func Typical() Scenario {
	s3read := `{"Version":"2012-10-17","Statement":[
{"Sid":"ListBuckets","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"*"},
{"Sid":"ReadData","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],"Resource":["arn:aws:s3:::data-*","arn:aws:s3:::data-*/*"]},
{"Sid":"Home","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"},
{"Sid":"HomeList","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home","Condition":{"StringLike":{"s3:prefix":["","home/${aws:username}/*"]}}},
{"Sid":"Logs","Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::logs/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
{"Sid":"KMS","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"},
{"Sid":"NoDeleteData","Effect":"Deny","Action":["s3:DeleteObject","s3:DeleteBucket"],"Resource":"arn:aws:s3:::data-*"}]}`
	ec2ops := `{"Version":"2012-10-17","Statement":[
{"Sid":"Describe","Effect":"Allow","Action":["ec2:Describe*","elasticloadbalancing:Describe*","autoscaling:Describe*"],"Resource":"*"},
{"Sid":"StartStop","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances","ec2:RebootInstances"],"Resource":"arn:aws:ec2:*:111122223333:instance/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
{"Sid":"Run","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringLikeIfExists":{"ec2:InstanceType":["t3.*","m5.*"]}}},
{"Sid":"Tags","Effect":"Allow","Action":["ec2:CreateTags","ec2:DeleteTags"],"Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env","owner"]}}},
{"Sid":"CW","Effect":"Allow","Action":["cloudwatch:GetMetricData","cloudwatch:ListMetrics","logs:GetLogEvents","logs:FilterLogEvents"],"Resource":"*"},
{"Sid":"NoTerminateProd","Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`
	guard := `{"Version":"2012-10-17","Statement":[
{"Sid":"OwnKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey"],"Resource":"arn:aws:iam::111122223333:user/${aws:username}"},
{"Sid":"OwnMFA","Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices"],"Resource":["arn:aws:iam::111122223333:mfa/${aws:username}","arn:aws:iam::111122223333:user/${aws:username}"]},
{"Sid":"ReadIAM","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},
{"Sid":"SQS","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"arn:aws:sqs:us-east-1:111122223333:app-*"},
{"Sid":"DenyOutsideNetwork","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]},"Bool":{"aws:ViaAWSService":"false"}}},
{"Sid":"DenyRegions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},
{"Sid":"DenyIAMWrites","Effect":"Deny","Action":["iam:Create*","iam:Delete*","iam:Put*","iam:Attach*"],"NotResource":["arn:aws:iam::111122223333:user/${aws:username}","arn:aws:iam::111122223333:mfa/${aws:username}"]}]}`
	c := map[string][]string{"aws:RequestedRegion": {"us-east-1"}, "aws:ViaAWSService": {"false"}}
	for k, v := range ctx {
		c[k] = v
	}
	req := func(a, r string) Request { return Request{Principal: Principal, Action: a, Resource: r, Context: c} }
	return Scenario{Name: "typical", Statements: 20, Policies: []string{s3read, ec2ops, guard}, Requests: []Request{
		req("s3:GetObject", "arn:aws:s3:::data-lake/2024/01/file.parquet"),
		req("s3:DeleteObject", "arn:aws:s3:::data-lake/2024/01/file.parquet"),
		req("ec2:DescribeInstances", "*"),
		req("ec2:TerminateInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"),
		req("iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice"),
		req("iam:CreateUser", "arn:aws:iam::111122223333:user/mallory"),
		req("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:app-orders"),
		req("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/t"),
	}}
}

var services = []string{"s3", "ec2", "iam", "kms", "sqs", "sns", "dynamodb", "lambda", "logs", "cloudwatch",
	"rds", "ecs", "eks", "ecr", "sts", "secretsmanager", "ssm", "cloudtrail", "config", "route53",
	"elasticloadbalancing", "autoscaling", "cloudformation", "apigateway", "events", "states", "glue", "athena",
	"kinesis", "firehose", "redshift", "elasticache", "es", "codebuild", "codepipeline", "acm", "waf", "shield",
	"guardduty", "organizations"}

var verbs = []string{"Get", "Put", "List", "Describe", "Create", "Delete", "Update", "Tag", "Untag", "Start"}
var nouns = []string{"Object", "Instance", "Key", "Queue", "Topic", "Table", "Function", "Stream", "Policy", "Role",
	"Bucket", "Volume", "Snapshot", "Alarm", "Secret", "Parameter", "Cluster", "Repository", "Rule", "Certificate"}

func action(r *rand.Rand, svc string) string {
	return svc + ":" + verbs[r.IntN(len(verbs))] + nouns[r.IntN(len(nouns))]
}

func resource(r *rand.Rand, svc string) string {
	noun := strings.ToLower(nouns[r.IntN(len(nouns))])
	switch svc {
	case "s3":
		return fmt.Sprintf("arn:aws:s3:::bucket-%d/%s/%d", r.IntN(50), noun, r.IntN(1000))
	case "iam":
		return fmt.Sprintf("arn:aws:iam::111122223333:role/%s-%d", noun, r.IntN(100))
	}
	return fmt.Sprintf("arn:aws:%s:us-east-1:111122223333:%s/%s-%d", svc, noun, noun, r.IntN(100))
}

func statement(r *rand.Rand, i int) map[string]any {
	svc := services[r.IntN(len(services))]
	var acts []string
	for n := 1 + r.IntN(4); n > 0; n-- {
		switch x := r.IntN(100); {
		case x < 65:
			acts = append(acts, action(r, svc))
		case x < 90:
			acts = append(acts, svc+":"+verbs[r.IntN(len(verbs))]+"*")
		default:
			acts = append(acts, svc+":*")
		}
	}
	st := map[string]any{"Sid": fmt.Sprintf("S%d", i), "Effect": "Allow", "Action": acts}
	if r.IntN(10) == 0 {
		st["Effect"] = "Deny"
	}
	switch x := r.IntN(10); {
	case x < 3:
		st["Resource"] = "*"
	case x < 7:
		res := resource(r, svc)
		st["Resource"] = res[:strings.LastIndexAny(res, "/-")+1] + "*"
	default:
		st["Resource"] = []string{resource(r, svc), resource(r, svc)}
	}
	switch r.IntN(10) {
	case 0:
		st["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:PrincipalTag/team": []string{"blue", "red"}}}
	case 1:
		st["Condition"] = map[string]any{"IpAddress": map[string]any{"aws:SourceIp": []string{"10.0.0.0/8", "192.0.2.0/24"}}}
	case 2:
		st["Condition"] = map[string]any{"StringLike": map[string]any{"s3:prefix": "home/${aws:username}/*"}, "Bool": map[string]any{"aws:SecureTransport": "true"}}
	}
	return st
}

// Generated builds policies of perPolicy statements each, statements in all,
// drawn at random (seeded) over 40 services with exact, prefix-wildcard and
// service-wildcard actions, 10% denies and 30% conditions, and 64 requests.
func Generated(name string, statements, perPolicy int, seed uint64) Scenario {
	r := rand.New(rand.NewPCG(seed, 1))
	sc := Scenario{Name: name, Statements: statements}
	for i := 0; i < statements; i += perPolicy {
		var stmts []map[string]any
		for j := i; j < statements && j < i+perPolicy; j++ {
			stmts = append(stmts, statement(r, j))
		}
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
		sc.Policies = append(sc.Policies, string(doc))
	}
	for i := 0; i < 64; i++ {
		svc := services[r.IntN(len(services))]
		sc.Requests = append(sc.Requests, Request{Principal: Principal, Action: action(r, svc), Resource: resource(r, svc), Context: ctx})
	}
	return sc
}

// Large is a principal with 10 policies of 100 statements.
func Large() Scenario { return Generated("large", 1000, 100, 2) }

// SweepSizes are the statement counts of the sweep.
var SweepSizes = []int{10, 100, 1000, 10000}

// Sweep is one point of the statement-count sweep, in policies of 100 statements.
func Sweep(n int) Scenario { return Generated(fmt.Sprintf("sweep-%d", n), n, 100, 3) }

// All returns every scenario.
func All() []Scenario {
	out := []Scenario{Typical(), Large()}
	for _, n := range SweepSizes {
		out = append(out, Sweep(n))
	}
	return out
}
