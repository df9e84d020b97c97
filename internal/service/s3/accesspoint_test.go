package s3_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"github.com/palisade/palisade/internal/audit"
)

// apEndpoint resolves S3 endpoints as the SDK does against AWS (an access point ARN
// becomes NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com), over plain HTTP: with
// apClient's dialer, which sends every connection to the test server, this is how a
// client reaches Palisade through a hosts entry for those names.
type apEndpoint struct{ s3.EndpointResolverV2 }

func (r apEndpoint) ResolveEndpoint(ctx context.Context, p s3.EndpointParameters) (smithyendpoints.Endpoint, error) {
	p.Endpoint = nil
	ep, err := r.EndpointResolverV2.ResolveEndpoint(ctx, p)
	ep.URI.Scheme = "http"
	return ep, err
}

func (e *env) apClient(cfg aws.Config) *s3.Client {
	addr := strings.TrimPrefix(e.p.URL, "http://")
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.EndpointResolverV2 = apEndpoint{s3.NewDefaultEndpointResolverV2()}
		o.HTTPClient = &http.Client{Transport: tr}
	})
}

// apUser is e.user with its access key's config, for clients of both kinds.
func (e *env) apUser(name, policy string) aws.Config {
	e.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	if policy != "" {
		e.setUserPolicy(name, policy)
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")
}

func (e *env) setUserPolicy(name, policy string) {
	e.Helper()
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
}

func (e *env) createAP(ctl *s3control.Client, in *s3control.CreateAccessPointInput) *s3control.CreateAccessPointOutput {
	e.Helper()
	in.AccountId = aws.String(account)
	return must(ctl.CreateAccessPoint(ctx, in))
}

var aliasForm = regexp.MustCompile(`^[a-z0-9-]+-[a-z0-9]{34}-s3alias$`)

// (recorded, 2026: access_point_control_replay.json)
func TestAccessPointControl(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("apc-east")
	e.bucket("apc-other")
	name := func(n string) *string { return aws.String(n) }
	acct := aws.String(account)
	def := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: name("apc-default"), Bucket: name("apc-east")})
	if *def.AccessPointArn != "arn:aws:s3:us-east-1:"+account+":accesspoint/apc-default" || !aliasForm.MatchString(*def.Alias) || !strings.HasPrefix(*def.Alias, "apc-default-") {
		t.Fatalf("create: %s %s", *def.AccessPointArn, *def.Alias)
	}
	got := must(ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-default")}))
	p := got.PublicAccessBlockConfiguration
	if *got.Name != "apc-default" || *got.Bucket != "apc-east" || got.NetworkOrigin != ctltypes.NetworkOriginInternet || *got.Alias != *def.Alias ||
		*got.AccessPointArn != *def.AccessPointArn || *got.BucketAccountId != account || got.CreationDate == nil ||
		!*p.BlockPublicAcls || !*p.IgnorePublicAcls || !*p.BlockPublicPolicy || !*p.RestrictPublicBuckets || got.Endpoints["ipv4"] != "s3-accesspoint.us-east-1.amazonaws.com" {
		t.Fatalf("get default: %+v %+v", got, p)
	}
	// GetAccessPoint takes the alias for the name (alias-as-control-name); the other
	// calls refuse it (tagged-alias-delete, alias-policy-*).
	if byAlias := must(ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: def.Alias})); *byAlias.Name != "apc-default" {
		t.Fatalf("by alias: %s", *byAlias.Name)
	}
	_, err := ctl.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: def.Alias})
	wantErr(t, err, "InvalidURI", 400, "")
	_, err = ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: def.Alias})
	wantErr(t, err, "InvalidURI", 400, "")

	// Block Public Access: a configuration given leaves what it omits off
	// (create-sparse, empty-pab, sparse-true).
	e.createAP(ctl, &s3control.CreateAccessPointInput{Name: name("apc-sparse"), Bucket: name("apc-east"),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false)}})
	e.createAP(ctl, &s3control.CreateAccessPointInput{Name: name("apc-one-true"), Bucket: name("apc-east"),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}})
	one := must(ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-one-true")})).PublicAccessBlockConfiguration
	if !*one.BlockPublicAcls || *one.IgnorePublicAcls || *one.BlockPublicPolicy || *one.RestrictPublicBuckets {
		t.Fatalf("sparse-true: %+v", one)
	}
	vpc := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: name("apc-vpc"), Bucket: name("apc-east"),
		VpcConfiguration: &ctltypes.VpcConfiguration{VpcId: name("vpc-0123456789abcdef0")}})
	if g := must(ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-vpc")})); g.NetworkOrigin != ctltypes.NetworkOriginVpc || *g.VpcConfiguration.VpcId != "vpc-0123456789abcdef0" {
		t.Fatalf("vpc: %+v", g)
	}

	// Names and buckets (access-point-name-boundaries, duplicate-*, nonexistent-bucket,
	// foreign-owner-*, malformed-bucket-owner).
	for n, code := range map[string]string{"apc-Upper": "InvalidURI", "apc_under": "InvalidURI", "apc.dot": "InvalidRequest", "apc-": "InvalidRequest",
		"apc-x-s3alias": "InvalidRequest", strings.Repeat("x", 51): "InvalidURI"} {
		_, err := ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name(n), Bucket: name("apc-east")})
		wantErr(t, err, code, 400, "")
	}
	e.createAP(ctl, &s3control.CreateAccessPointInput{Name: name(strings.Repeat("x", 50)), Bucket: name("apc-east")})
	_, err = ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name("apc-default"), Bucket: name("apc-east")})
	wantErr(t, err, "AccessPointAlreadyOwnedByYou", 409, "")
	_, err = ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name("apc-default"), Bucket: name("apc-other")})
	wantErr(t, err, "InvalidRequest", 400, "")
	_, err = ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name("apc-absent"), Bucket: name("apc-nonexistent")})
	wantErr(t, err, "InvalidRequest", 400, "")
	for _, owner := range []string{"222222222222", "123"} {
		_, err = ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name("apc-foreign"), Bucket: name("apc-east"), BucketAccountId: name(owner)})
		wantErr(t, err, "InvalidRequest", 400, "")
	}
	_, err = ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: name("222222222222"), Name: name("apc-default")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-missing")})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	_, err = ctl.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: name("apc-missing")})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	// An access point is regional (wrong-region-get).
	west := s3control.NewFromConfig(e.p.RootConfig(), func(o *s3control.Options) {
		o.EndpointResolverV2 = e.controlClient().Options().EndpointResolverV2
		o.Region = "us-west-2"
	})
	_, err = west.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-default")})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")

	list := must(ctl.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: acct, Bucket: name("apc-east")})).AccessPointList
	var names []string
	for _, a := range list {
		names = append(names, *a.Name)
	}
	if strings.Join(names, ",") != "apc-default,apc-one-true,apc-sparse,apc-vpc,"+strings.Repeat("x", 50) || list[3].NetworkOrigin != ctltypes.NetworkOriginVpc ||
		*list[3].VpcConfiguration.VpcId != "vpc-0123456789abcdef0" || *list[0].BucketAccountId != account || *list[3].Alias != *vpc.Alias {
		t.Fatalf("list: %v", names)
	}
	if l := must(ctl.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: acct, Bucket: name("apc-other")})).AccessPointList; len(l) != 0 {
		t.Fatalf("other bucket: %d", len(l))
	}
	for _, n := range []int32{0, 1001} {
		if l := must(ctl.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: acct, MaxResults: n})); len(l.AccessPointList) != 5 || l.NextToken != nil {
			t.Fatalf("MaxResults %d: %d", n, len(l.AccessPointList))
		}
	}
	page := must(ctl.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: acct, MaxResults: 2}))
	next := must(ctl.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: acct, MaxResults: 2, NextToken: page.NextToken}))
	if len(page.AccessPointList) != 2 || page.NextToken == nil || *next.AccessPointList[0].Name != "apc-sparse" {
		t.Fatalf("pages: %d %v", len(page.AccessPointList), next.AccessPointList)
	}

	// Policies (public-block-admission-and-policy-replacement).
	_, err = ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: name("apc-default")})
	wantErr(t, err, "NoSuchAccessPointPolicy", 404, "")
	_, err = ctl.GetAccessPointPolicyStatus(ctx, &s3control.GetAccessPointPolicyStatusInput{AccountId: acct, Name: name("apc-default")})
	wantErr(t, err, "NoSuchAccessPointPolicy", 404, "")
	must(ctl.DeleteAccessPointPolicy(ctx, &s3control.DeleteAccessPointPolicyInput{AccountId: acct, Name: name("apc-default")}))
	_, err = ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-default"), Policy: name("not-json")})
	wantErr(t, err, "MalformedPolicy", 400, "")
	_, err = ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: name("apc-missing")})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	apPolicy := func(ap, principal string) *string {
		return name(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": ` + principal + `, "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-east-1:` + account + `:accesspoint/` + ap + `/object/*"}]}`)
	}
	private := `{"AWS": "arn:aws:iam::` + account + `:root"}`
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-default"), Policy: apPolicy("apc-default", private)}))
	stored := *must(ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: name("apc-default")})).Policy
	if stored != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:`+account+`:accesspoint/apc-default/object/*"}]}` {
		t.Fatalf("stored: %s", stored)
	}
	if st := must(ctl.GetAccessPointPolicyStatus(ctx, &s3control.GetAccessPointPolicyStatusInput{AccountId: acct, Name: name("apc-default")})); st.PolicyStatus.IsPublic {
		t.Fatal("private policy public")
	}
	_, err = ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-default"), Policy: name(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::apc-east/*"}]}`)})
	wantErr(t, err, "MalformedPolicy", 400, "")
	// A public policy is refused by the access point's own BlockPublicPolicy and by
	// its bucket's, admitted once both are off.
	_, err = ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-default"), Policy: apPolicy("apc-default", `"*"`)})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-sparse"), Policy: apPolicy("apc-sparse", `"*"`)})
	wantErr(t, err, "AccessDenied", 403, "")
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: name("apc-east")}))
	_, err = ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-default"), Policy: apPolicy("apc-default", `"*"`)})
	wantErr(t, err, "AccessDenied", 403, "")
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: name("apc-sparse"), Policy: apPolicy("apc-sparse", `"*"`)}))
	if st := must(ctl.GetAccessPointPolicyStatus(ctx, &s3control.GetAccessPointPolicyStatusInput{AccountId: acct, Name: name("apc-sparse")})); !st.PolicyStatus.IsPublic {
		t.Fatal("public policy not public")
	}
	must(ctl.DeleteAccessPointPolicy(ctx, &s3control.DeleteAccessPointPolicyInput{AccountId: acct, Name: name("apc-default")}))
	_, err = ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: name("apc-default")})
	wantErr(t, err, "NoSuchAccessPointPolicy", 404, "")

	// A bucket with access points is not deleted (bucket-live-ap-delete); an access
	// point deleted and created again has a new alias, the old one naming nothing
	// (recreation-*, old-alias-after-recreate).
	_, err = e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: name("apc-east")})
	wantErr(t, err, "BucketHasAccessPointsAttached", 400, "")
	must(ctl.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: name("apc-default")}))
	_, err = ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-default")})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	again := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: name("apc-default"), Bucket: name("apc-east")})
	if *again.Alias == *def.Alias {
		t.Fatal("alias reused")
	}
	_, err = ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: def.Alias})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	_, err = ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: name("apc-default")})
	wantErr(t, err, "NoSuchAccessPointPolicy", 404, "")
	// Authorized as s3:CreateAccessPoint on the access point's ARN.
	u := s3control.NewFromConfig(e.apUser("apc-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:CreateAccessPoint","Resource":"arn:aws:s3:us-east-1:`+account+`:accesspoint/apc-allowed"}]}`),
		func(o *s3control.Options) { o.EndpointResolverV2 = e.controlClient().Options().EndpointResolverV2 })
	must(u.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name("apc-allowed"), Bucket: name("apc-east")}))
	_, err = u.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: name("apc-refused"), Bucket: name("apc-east")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = u.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: name("apc-allowed")})
	wantErr(t, err, "AccessDenied", 403, "")
}

// (recorded, 2026: access_point_authority_replay.json)
func TestAccessPointAuthority(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("authority-bucket")
	created := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("authority-ap"), Bucket: aws.String("authority-bucket")})
	apArn, alias := *created.AccessPointArn, *created.Alias
	e.put("authority-bucket", "fixture.txt", "owned fixture")
	cfg := e.apUser("authority-user", "")
	viaHost, pathStyle := e.apClient(cfg), s3Client(cfg)
	userArn := "arn:aws:iam::" + account + ":user/authority-user"
	identity := func(resources ...string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:ListBucket"],"Resource":["` + strings.Join(resources, `","`) + `"]}]}`
	}
	// want gives the expected outcome of GetObject, HeadObject and ListObjectsV2 by
	// bucket name, access point ARN and alias: "" for success, else the error code.
	want := func(label, bucket, arn, al string) {
		t.Helper()
		for _, c := range []struct {
			bucket string
			cl     *s3.Client
			code   string
		}{{"authority-bucket", pathStyle, bucket}, {apArn, viaHost, arn}, {alias, pathStyle, al}} {
			out, err := c.cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String("fixture.txt")})
			if c.code == "" {
				if err != nil {
					t.Fatalf("%s %s get: %v", label, c.bucket, err)
				}
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if string(b) != "owned fixture" {
					t.Fatalf("%s get: %q", label, b)
				}
			} else {
				wantErr(t, err, c.code, 403, "")
			}
			_, err = c.cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(c.bucket), Key: aws.String("fixture.txt")})
			if (err == nil) != (c.code == "") {
				t.Fatalf("%s %s head: %v", label, c.bucket, err)
			}
			l, err := c.cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(c.bucket), Prefix: aws.String("fixture"), MaxKeys: aws.Int32(2)})
			if c.code == "" {
				if err != nil || *l.Name != "authority-bucket" || *l.KeyCount != 1 {
					t.Fatalf("%s %s list: %v", label, c.bucket, err)
				}
			} else {
				wantErr(t, err, c.code, 403, "")
			}
		}
	}
	bucketRes := []string{"arn:aws:s3:::authority-bucket", "arn:aws:s3:::authority-bucket/*"}
	apRes := []string{apArn, apArn + "/object/*"}
	// bucket-identity-only-*, ap-identity-only-*, both-identity-only-*.
	e.setUserPolicy("authority-user", identity(bucketRes...))
	want("bucket identity", "", "AccessDenied", "AccessDenied")
	e.setUserPolicy("authority-user", identity(apRes...))
	want("ap identity", "AccessDenied", "AccessDenied", "AccessDenied")
	e.setUserPolicy("authority-user", identity(append(bucketRes, apRes...)...))
	want("both", "", "", "")

	// Writes and deletes through the access point land in the bucket.
	must(viaHost.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(apArn), Key: aws.String("via-ap.txt"), Body: bytes.NewReader([]byte("through"))}))
	if e.get("authority-bucket", "via-ap.txt") != "through" {
		t.Fatal("put through the access point")
	}
	must(pathStyle.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(alias), Key: aws.String("via-ap.txt")}))
	_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("authority-bucket"), Key: aws.String("via-ap.txt")})
	wantErr(t, err, "NotFound", 404, "")

	// bucket-explicit-deny-survives-ap-routing: the bucket policy's deny holds through
	// the access point.
	must(0, e.policy("authority-bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::authority-bucket/fixture.txt"],"Principal":{"AWS":"`+userArn+`"}}]}`))
	_, err = viaHost.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(apArn), Key: aws.String("fixture.txt")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = pathStyle.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(alias), Key: aws.String("fixture.txt")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(viaHost.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(apArn)}))

	// An access point policy's deny holds too (inferred: "explicit deny anywhere wins").
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("authority-bucket")}))
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("authority-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:ListBucket","Resource":"` + apArn + `","Principal":{"AWS":"` + userArn + `"}}]}`)}))
	_, err = viaHost.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(apArn)})
	wantErr(t, err, "AccessDenied", 403, "")
	must(viaHost.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(apArn), Key: aws.String("fixture.txt")}))
	must(pathStyle.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("authority-bucket")}))

	// bucket-delegation-and-ap-principal-grant: with identity rights on the access
	// point only, the bucket policy delegating to it by s3:DataAccessPointArn lets the
	// access point's requests through, not the bucket's; so does the access point
	// policy granting the user with no identity policy at all.
	must(ctl.DeleteAccessPointPolicy(ctx, &s3control.DeleteAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("authority-ap")}))
	e.setUserPolicy("authority-user", identity(apRes...))
	must(0, e.policy("authority-bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:ListBucket"],"Resource":["arn:aws:s3:::authority-bucket","arn:aws:s3:::authority-bucket/*"],"Principal":"*","Condition":{"ArnEquals":{"s3:DataAccessPointArn":"`+apArn+`"}}}]}`))
	want("delegated", "AccessDenied", "", "")
	must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("authority-user"), PolicyName: aws.String("p")}))
	want("no identity", "AccessDenied", "AccessDenied", "AccessDenied")
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("authority-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:ListBucket"],"Resource":["` + apArn + `","` + apArn + `/object/*"],"Principal":{"AWS":"` + userArn + `"}}]}`)}))
	want("resource policies only", "AccessDenied", "", "")
	// Delegation by account works the same way (User Guide, "Delegating access control
	// to access points").
	must(0, e.policy("authority-bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::authority-bucket","arn:aws:s3:::authority-bucket/*"],"Principal":{"AWS":"*"},"Condition":{"StringEquals":{"s3:DataAccessPointAccount":"`+account+`"}}}]}`))
	want("delegated by account", "AccessDenied", "", "")
	// The network origin is Internet: a bucket policy asking for VPC origins takes
	// nothing from it.
	must(0, e.policy("authority-bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::authority-bucket","arn:aws:s3:::authority-bucket/*"],"Principal":{"AWS":"*"},"Condition":{"StringEquals":{"s3:DataAccessPointAccount":"`+account+`","s3:AccessPointNetworkOrigin":"VPC"}}}]}`))
	want("vpc origin only", "AccessDenied", "AccessDenied", "AccessDenied")

	// A VPC access point refuses every request: Palisade has no VPCs, so every
	// request comes from the Internet, even the bucket owner's.
	vpc := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("authority-vpc"), Bucket: aws.String("authority-bucket"),
		VpcConfiguration: &ctltypes.VpcConfiguration{VpcId: aws.String("vpc-0123456789abcdef0")}})
	_, err = e.apClient(e.p.RootConfig()).GetObject(ctx, &s3.GetObjectInput{Bucket: vpc.AccessPointArn, Key: aws.String("fixture.txt")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: vpc.Alias, Key: aws.String("fixture.txt")})
	wantErr(t, err, "AccessDenied", 403, "")

	// Deleted: its ARN names no bucket, its alias is refused (deleted-arn,
	// deleted-alias). A bucket named like the access point host's first label is
	// still only that bucket.
	must(ctl.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: aws.String(account), Name: aws.String("authority-ap")}))
	root := e.apClient(e.p.RootConfig())
	_, err = root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(apArn)})
	wantErr(t, err, "NoSuchBucket", 404, "")
	_, err = e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(alias)})
	wantErr(t, err, "AccessDenied", 403, "")
	e.bucket("authority-ap-" + account)
	_, err = root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(apArn)})
	wantErr(t, err, "NoSuchBucket", 404, "")
}

// TestRecordedAccessPointAudit: S3 Control's access point calls are recorded as S3's
// management events without resources, with the XML body but not the name in the
// path as requestParameters, the name as additionalEventData's accessPointName and a
// null responseElements (recorded, 2026: access_point_audit_replay.json,
// create-stackd-ap-audit-c915c05d9c-vpc).
func TestRecordedAccessPointAudit(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("ap-audit-src")
	e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("ap-audit-vpc"), Bucket: aws.String("ap-audit-src"),
		VpcConfiguration: &ctltypes.VpcConfiguration{VpcId: aws.String("vpc-0123456789abcdef0")}})
	must(ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: aws.String(account), Name: aws.String("ap-audit-vpc")}))
	for _, c := range []struct {
		event    string
		readOnly bool
		params   string
	}{
		{"CreateAccessPoint", false, `{"CreateAccessPointRequest":{"xmlns":"http://awss3control.amazonaws.com/doc/2018-08-20/","Bucket":"ap-audit-src","VpcConfiguration":{"VpcId":"vpc-0123456789abcdef0"}}}`},
		{"GetAccessPoint", true, `{}`},
	} {
		r := e.lastRecord(c.event)
		if r.EventSource != "s3.amazonaws.com" || r.ReadOnly != c.readOnly || r.EventCategory != "Management" || !r.ManagementEvent || len(r.Resources) != 0 ||
			string(r.ResponseElements) != "null" || r.AdditionalEventData["accessPointName"] != "ap-audit-vpc" {
			t.Errorf("%s record: %+v", c.event, r)
		}
		sameJSON(t, c.event+" requestParameters", e.params(r), c.params)
	}
}

// TestAccessPointOperations: the bucket operations the User Guide lists as served
// through an access point answer for its bucket; GetBucketLocation is refused through
// the access point's host and served by alias (recorded, 2026:
// access_point_audit_replay.json, arn-*, alias-*, raw-arn-location); the operations
// the User Guide does not list are refused as GetBucketLocation is through the host
// (inferred).
func TestAccessPointOperations(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("ops-src")
	e.put("ops-src", "k", "v")
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("ops-net"), Bucket: aws.String("ops-src")})
	host := e.apClient(e.p.RootConfig())
	// HeadBucket says whether the name it was given is an alias (recorded, 2026:
	// access_point_audit_replay.json, arn-head_bucket: false by ARN).
	if h := must(host.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: ap.AccessPointArn})); *h.AccessPointAlias || *h.BucketArn != "arn:aws:s3:::ops-src" {
		t.Fatalf("head by ARN %v %v", *h.AccessPointAlias, *h.BucketArn)
	}
	if h := must(e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: ap.Alias})); !*h.AccessPointAlias {
		t.Fatal("head by alias: not an alias")
	}
	if acl := must(host.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: ap.AccessPointArn})); len(acl.Grants) != 1 {
		t.Fatalf("acl %+v", acl.Grants)
	}
	_, err := e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: ap.Alias})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "")
	must(e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: ap.Alias}))
	_, err = host.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: ap.AccessPointArn})
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	must(host.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: ap.AccessPointArn, Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("t"), Value: aws.String("1")}}}}))
	if tags := must(e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("ops-src"), Key: aws.String("k")})); len(tags.TagSet) != 1 {
		t.Fatalf("tags %+v", tags.TagSet)
	}
	if l := must(e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: ap.Alias})); len(l.Contents) != 1 || *l.Name != "ops-src" {
		t.Fatalf("list v1 %+v", l)
	}
	_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: ap.Alias, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	wantErr(t, err, "MethodNotAllowed", 405, "")
	_, err = e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: ap.Alias})
	wantErr(t, err, "MethodNotAllowed", 405, "")
	// Bucket names ending in -s3alias are an access point's: such a bucket cannot be
	// created, as on S3.
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: ap.Alias})
	if err == nil {
		t.Fatal("bucket named like an alias created")
	}
}

// TestRecordedAccessPointDataAudit: a request through an access point is recorded
// with the bucket's name, the access point's account and name (or the alias used),
// and the access point among its resources (recorded, 2026:
// access_point_audit_replay.json, late-arn-get, arn-get_bucket_acl,
// alias-get_bucket_acl).
func TestRecordedAccessPointDataAudit(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("audit-src")
	e.put("audit-src", "arn-seed", "seed")
	e.dataTrail()
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("audit-net"), Bucket: aws.String("audit-src")})
	host := e.apClient(e.p.RootConfig())
	out := must(host.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.AccessPointArn, Key: aws.String("arn-seed")}))
	out.Body.Close()
	apRes := audit.Resource{AccountID: account, Type: "AWS::S3::AccessPoint", ARN: *ap.AccessPointArn}
	r := e.lastRecord("GetObject")
	params := jsonMap(t, string(r.RequestParameters))
	if params["Host"] != "audit-net-"+account+".s3-accesspoint.us-east-1.amazonaws.com" {
		t.Errorf("GetObject Host %v", params["Host"])
	}
	delete(params, "Host")
	delete(params, "x-id") // the Go SDK's, as e.params drops it
	sameJSON(t, "GetObject requestParameters", params, `{"bucketName":"audit-src","accountId":"`+account+`","accessPointName":"audit-net","key":"arn-seed"}`)
	if len(r.Resources) != 3 || r.Resources[1].ARN != "arn:aws:s3:::audit-src/arn-seed" || r.Resources[2] != apRes {
		t.Errorf("GetObject resources %+v", r.Resources)
	}
	must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: ap.Alias}))
	r = e.lastRecord("GetBucketAcl")
	sameJSON(t, "GetBucketAcl requestParameters", e.params(r), `{"bucketName":"audit-src","acl":"","accessPointAlias":"`+*ap.Alias+`"}`)
	if len(r.Resources) != 2 || r.Resources[0].ARN != "arn:aws:s3:::audit-src" || r.Resources[1] != apRes {
		t.Errorf("GetBucketAcl resources %+v", r.Resources)
	}
}

// TestAccessPointPublicAccess: an access point's own Block Public Access applies to
// its policy at request time, as the bucket's does to the bucket policy (User Guide,
// "Blocking public access to your Amazon S3 storage"): an anonymous caller the access
// point's public policy and the bucket's delegation let in is refused once
// RestrictPublicBuckets applies.
func TestAccessPointPublicAccess(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("open-src")
	e.put("open-src", "k", "v")
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("open-src")}))
	must(0, e.policy("open-src", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::open-src/*","Condition":{"StringEquals":{"s3:DataAccessPointAccount":"`+account+`"}}}]}`))
	public := func(ap string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:` + account + `:accesspoint/` + ap + `/object/*"}]}`)
	}
	open := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("open-ap"), Bucket: aws.String("open-src"),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{}})
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("open-ap"), Policy: public("open-ap")}))
	restricted := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("restricted-ap"), Bucket: aws.String("open-src"),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}})
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("restricted-ap"), Policy: public("restricted-ap")}))
	if code, body := e.anon("GET", "/"+*open.Alias+"/k", nil); code != 200 || body != "v" {
		t.Fatalf("anonymous through the open access point: %d %s", code, body)
	}
	if code, _ := e.anon("GET", "/open-src/k", nil); code != 403 {
		t.Fatalf("anonymous to the bucket: %d", code)
	}
	if code, _ := e.anon("GET", "/"+*restricted.Alias+"/k", nil); code != 403 {
		t.Fatalf("anonymous through the restricted access point: %d", code)
	}
	// The account's setting restricts the open one too.
	must(ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}))
	if code, _ := e.anon("GET", "/"+*open.Alias+"/k", nil); code != 403 {
		t.Fatalf("anonymous under the account's RestrictPublicBuckets: %d", code)
	}
}

// TestAccessPointCrossAccount: an access point for another account's bucket
// (BucketAccountId) gets its requests through only as far as the bucket owner's
// policy delegates to it (User Guide, "Delegating access control to access points";
// "Granting permissions for cross-account access points").
func TestAccessPointCrossAccount(t *testing.T) {
	e := newEnv(t)
	const owner = "111122223333"
	other := e.otherAccount(owner)
	must(other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("xa-bucket")}))
	must(other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xa-bucket"), Key: aws.String("k"), Body: strings.NewReader("v")}))
	ctl := e.controlClient()
	_, err := ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("xa-ap"), Bucket: aws.String("xa-bucket")})
	wantErr(t, err, "InvalidRequest", 400, "")
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("xa-ap"), Bucket: aws.String("xa-bucket"), BucketAccountId: aws.String(owner)})
	if g := must(ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: aws.String(account), Name: aws.String("xa-ap")})); *g.BucketAccountId != owner {
		t.Fatalf("bucket account %s", *g.BucketAccountId)
	}
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.Alias, Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(other.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xa-bucket"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xa-bucket/*","Condition":{"StringEquals":{"s3:DataAccessPointAccount":"` + account + `"}}}]}`)}))
	if got := e.get(*ap.Alias, "k"); got != "v" {
		t.Fatalf("through the access point: %q", got)
	}
	// The delegation is to access points of that account, not to its callers.
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("xa-bucket"), Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403, "")
	// The bucket owner cannot delete the bucket while the access point is attached.
	_, err = other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("xa-bucket")})
	wantErr(t, err, "BucketHasAccessPointsAttached", 400, "")
}

// TestAccessPointResourceTags: a condition on aws:ResourceTag in the check on the
// access point sees the access point's tags, not its bucket's (Service Authorization
// Reference: the accesspoint resource type has its own aws:ResourceTag).
func TestAccessPointResourceTags(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("tagged-src")
	e.put("tagged-src", "k", "v")
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tagged-src"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}}))
	must(e.s3.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String("tagged-src"), AbacStatus: &types.AbacStatus{Status: types.BucketAbacStatusEnabled}}))
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("tagged-ap"), Bucket: aws.String("tagged-src")})
	cfg := e.apUser("tag-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::tagged-src/*"},`+
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+*ap.AccessPointArn+`/object/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`)
	u := s3Client(cfg)
	must(u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tagged-src"), Key: aws.String("k")}))
	_, err := u.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.Alias, Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403, "")
	// Tagged itself, the access point's check sees its own tag, and both checks see
	// it as s3:AccessPointTag.
	must(ctl.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: ap.AccessPointArn,
		Tags: []ctltypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	must(u.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.Alias, Key: aws.String("k")}))
	e.setUserPolicy("tag-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::tagged-src/*","`+*ap.AccessPointArn+`/object/*"],"Condition":{"StringEquals":{"s3:AccessPointTag/team":"red"}}}]}`)
	_, err = u.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.Alias, Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403, "")
	e.setUserPolicy("tag-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::tagged-src/*","`+*ap.AccessPointArn+`/object/*"],"Condition":{"StringEquals":{"s3:AccessPointTag/team":"blue"}}}]}`)
	must(u.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.Alias, Key: aws.String("k")}))
}

// TestAccessPointTags: S3 Control's tag operations on an access point's ARN
// (recorded, 2026: access_point_control_replay.json, tags-and-alias-lifetime).
func TestAccessPointTags(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("tags-src")
	acct := aws.String(account)
	def := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("tags-default"), Bucket: aws.String("tags-src")})
	tagged := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("tags-tagged"), Bucket: aws.String("tags-src"),
		Tags: []ctltypes.Tag{{Key: aws.String("initial"), Value: aws.String("v1")}}})
	list := func(arn string) string {
		t.Helper()
		var kv []string
		for _, tg := range must(ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: acct, ResourceArn: aws.String(arn)})).Tags {
			kv = append(kv, *tg.Key+"="+*tg.Value)
		}
		return strings.Join(kv, ",")
	}
	tag := func(arn string, kv ...string) error {
		tags := []ctltypes.Tag{} // sent empty: the SDK refuses a nil list
		for i := 0; i < len(kv); i += 2 {
			tags = append(tags, ctltypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := ctl.TagResource(ctx, &s3control.TagResourceInput{AccountId: acct, ResourceArn: aws.String(arn), Tags: tags})
		return err
	}
	untag := func(arn string, keys ...string) error {
		if keys == nil {
			keys = []string{}
		}
		_, err := ctl.UntagResource(ctx, &s3control.UntagResourceInput{AccountId: acct, ResourceArn: aws.String(arn), TagKeys: keys})
		return err
	}
	arn := *def.AccessPointArn
	if got := list(arn); got != "" { // tags-empty
		t.Fatalf("tags-empty: %q", got)
	}
	if got := list(*tagged.AccessPointArn); got != "initial=v1" { // tags-create-initial
		t.Fatalf("tags-create-initial: %q", got)
	}
	must(0, tag(arn, "a", "1", "b", "2"))
	must(0, tag(arn, "a", "new", "c", ""))
	if got := list(arn); got != "a=new,b=2,c=" { // tags-merged
		t.Fatalf("tags-merged: %q", got)
	}
	must(0, untag(arn, "missing"))
	must(0, untag(arn, "a"))
	if got := list(arn); got != "b=2,c=" { // tags-remaining
		t.Fatalf("tags-remaining: %q", got)
	}
	wantErr(t, tag(arn, "duplicate", "one", "duplicate", "two"), "InvalidTag", 400, "")
	wantErr(t, tag(arn, "aws:probe", "one"), "InvalidTag", 400, "")
	wantErr(t, tag(arn), "InvalidRequest", 400, "")
	wantErr(t, untag(arn), "InvalidRequest", 400, "")
	if got := list(arn); got != "b=2,c=" { // tags-final
		t.Fatalf("tags-final: %q", got)
	}
	missing := "arn:aws:s3:us-east-1:" + account + ":accesspoint/tags-missing"
	_, err := ctl.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: acct, ResourceArn: aws.String(missing)})
	wantErr(t, err, "NoSuchAccessPoint", 404, "")
	wantErr(t, tag(missing, "x", "y"), "NoSuchAccessPoint", 404, "")
	wantErr(t, untag(missing, "x"), "NoSuchAccessPoint", 404, "")
	// A recreated access point does not inherit the tags.
	must(ctl.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: aws.String("tags-default")}))
	e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("tags-default"), Bucket: aws.String("tags-src")})
	if got := list(arn); got != "" {
		t.Fatalf("recreated: %q", got)
	}
	// Tags at creation need s3:TagResource too (inferred, as for CreateBucket), and
	// the tag operations are authorized on the access point's ARN.
	u := s3control.NewFromConfig(e.apUser("tags-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:CreateAccessPoint","s3:ListTagsForResource"],"Resource":"arn:aws:s3:us-east-1:`+account+`:accesspoint/*"}]}`),
		func(o *s3control.Options) { o.EndpointResolverV2 = e.controlClient().Options().EndpointResolverV2 })
	_, err = u.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("tags-user-ap"), Bucket: aws.String("tags-src"),
		Tags: []ctltypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, "AccessDenied", 403, "")
	must(u.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("tags-user-ap"), Bucket: aws.String("tags-src")}))
	must(u.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: acct, ResourceArn: tagged.AccessPointArn}))
	_, err = u.TagResource(ctx, &s3control.TagResourceInput{AccountId: acct, ResourceArn: tagged.AccessPointArn, Tags: []ctltypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, "AccessDenied", 403, "")
}

// TestAccessPointConditionalDelete: the s3:GetObject a conditional DeleteObject also
// needs (recorded, 2026: conditional_versions.json) is weighed through the access
// point too: the access point policy's deny refuses it.
func TestAccessPointConditionalDelete(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("cond-src")
	put := e.put("cond-src", "k", "v")
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("cond-ap"), Bucket: aws.String("cond-src")})
	u := s3Client(e.apUser("cond-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`))
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("cond-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + account + `:user/cond-user"},"Action":"s3:GetObject","Resource":"` + *ap.AccessPointArn + `/object/*"}]}`)}))
	_, err := u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: ap.Alias, Key: aws.String("k"), IfMatch: put.ETag})
	wantErr(t, err, "AccessDenied", 403, "")
	must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: ap.Alias, Key: aws.String("k")}))
}
