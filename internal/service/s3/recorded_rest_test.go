package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A conditional DeleteObject without a version ID, when the key's current version
// is a delete marker, is 404 NoSuchKey whether If-Match is * or the ETag of a
// version beneath the marker, and no further marker is written (recorded, 2026:
// conditional_versions.json, marker/implicit-wildcard/delete,
// marker/implicit-etag/delete).
func TestRecordedConditionalDeleteOverMarker(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-marker")
	b := aws.String("cond-marker")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	for _, c := range []struct{ key, ifMatch string }{{"marker/implicit-wildcard", "*"}, {"marker/implicit-etag", ""}} {
		e.put("cond-marker", c.key, "old:"+c.key)
		newer := e.put("cond-marker", c.key, "new:"+c.key)
		must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String(c.key)}))
		ifMatch := c.ifMatch
		if ifMatch == "" {
			ifMatch = *newer.ETag
		}
		_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String(c.key), IfMatch: aws.String(ifMatch)})
		wantErr(t, err, "NoSuchKey", 404, "The specified key does not exist.")
		status, body := e.signed("DELETE", "/cond-marker/"+c.key, map[string]string{"If-Match": ifMatch}, "")
		if status != 404 || !strings.Contains(body, "<Key>"+c.key+"</Key>") {
			t.Fatalf("%s raw: %d %s", c.key, status, body)
		}
		l := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b, Prefix: aws.String(c.key)}))
		if len(l.Versions) != 2 || len(l.DeleteMarkers) != 1 {
			t.Fatalf("%s: %d versions, %d markers", c.key, len(l.Versions), len(l.DeleteMarkers))
		}
	}
	// A key never written alike (missing/key-absent-*).
	_, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("missing/key-absent"), IfMatch: aws.String("*")})
	wantErr(t, err, "NoSuchKey", 404, "")
}

// rawGrant and rawACP write raw ACL documents: a grant to a grantee of an xsi:type
// with its inner elements, and a policy of an owner's inner elements and grants.
func rawGrant(typ, inner, perm string) string {
	return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="` + typ + `">` + inner + `</Grantee><Permission>` + perm + `</Permission></Grant>`
}

// s3NS is S3's namespace attribute, for raw documents.
const s3NS = ` xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`

func rawACP(ownerID, grants string) string {
	return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner>` + ownerID + `</Owner><AccessControlList>` + grants + `</AccessControlList></AccessControlPolicy>`
}

// Raw PutBucketAcl documents and headers on an ObjectWriter bucket, each refused
// one leaving the owner's FULL_CONTROL grant (recorded, 2026: access_raw_replay.json,
// bucket-raw-*).
func TestRecordedRawBucketACL(t *testing.T) {
	e := newEnv(t)
	b := aws.String("acl-raw")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	self := `<ID>` + owner + `</ID>`
	for _, c := range []struct {
		name, body string
		hdr        map[string]string
		status     int
		elems      []string
	}{
		{"empty-body", "", nil, 400, []string{"<Code>MissingSecurityHeader</Code>", "<MissingHeaderName>x-amz-acl</MissingHeaderName>"}},
		{"malformed-xml", "<AccessControlPolicy>", nil, 400, []string{"<Code>MalformedACLError</Code>"}},
		{"wrong-root", "<NoSuchRoot/>", nil, 400, []string{"<Code>MalformedACLError</Code>"}},
		{"missing-owner", rawACP("", rawGrant("CanonicalUser", self, "FULL_CONTROL")), nil, 400, []string{"<Code>MalformedACLError</Code>"}},
		{"wrong-owner", rawACP("<ID>"+strings.Repeat("0", 64)+"</ID>", rawGrant("CanonicalUser", self, "FULL_CONTROL")), nil, 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentName>CanonicalUser/ID</ArgumentName>", "<ArgumentValue>" + strings.Repeat("0", 64) + "</ArgumentValue>"}},
		{"invalid-permission", rawACP(self, rawGrant("CanonicalUser", self, "BOGUS")), nil, 400, []string{"<Code>MalformedACLError</Code>"}},
		{"invalid-canonical", rawACP(self, rawGrant("CanonicalUser", "<ID>bad-id</ID>", "READ")), nil, 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentName>CanonicalUser/ID</ArgumentName>", "<ArgumentValue>bad-id</ArgumentValue>"}},
		{"unknown-group", rawACP(self, rawGrant("Group", "<URI>http://acs.amazonaws.com/groups/global/Unknown</URI>", "READ")), nil, 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentName>Group/URI</ArgumentName>", "<ArgumentValue>http://acs.amazonaws.com/groups/global/Unknown</ArgumentValue>"}},
		{"unknown-grantee-type", rawACP(self, rawGrant("Unknown", self, "READ")), nil, 400, []string{"<Code>MalformedACLError</Code>"}},
		{"email-grantee", rawACP(self, rawGrant("AmazonCustomerByEmail", "<EmailAddress>nobody@example.invalid</EmailAddress>", "READ")), nil, 405, []string{"<Code>MethodNotAllowed</Code>"}},
		{"canned-and-grants", "", map[string]string{"x-amz-acl": "private", "x-amz-grant-read": `id="` + owner + `"`}, 400, []string{"<Code>InvalidRequest</Code>"}},
		{"canned-and-body", rawACP(self, rawGrant("CanonicalUser", self, "FULL_CONTROL")), map[string]string{"x-amz-acl": "private"}, 400, []string{"<Code>UnexpectedContent</Code>"}},
		{"invalid-canned", "", map[string]string{"x-amz-acl": "not-a-canned-acl"}, 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentName>x-amz-acl</ArgumentName>", "<ArgumentValue>not-a-canned-acl</ArgumentValue>"}},
		{"invalid-grant-header", "", map[string]string{"x-amz-grant-read": "broken"}, 400, []string{"<Code>InvalidArgument</Code>", "<ArgumentName>x-amz-grant-read</ArgumentName>", "<ArgumentValue>broken</ArgumentValue>"}},
	} {
		h := map[string]string{"Content-MD5": b64MD5(c.body)}
		for k, v := range c.hdr {
			h[k] = v
		}
		status, body := e.signed("PUT", "/acl-raw?acl", h, c.body)
		ok := status == c.status
		for _, el := range c.elems {
			ok = ok && strings.Contains(body, el)
		}
		if !ok {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
		if g := must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Grants; len(g) != 1 || g[0].Permission != types.PermissionFullControl {
			t.Fatalf("%s: grants now %+v", c.name, g)
		}
	}
	// Two identical grants are taken (bucket-raw-duplicate-grants); no grants at all
	// as well, leaving none (bucket-raw-empty-grants).
	for _, doc := range []string{rawACP(self, rawGrant("CanonicalUser", self, "FULL_CONTROL")+rawGrant("CanonicalUser", self, "FULL_CONTROL")), rawACP(self, "")} {
		if status, body := e.signed("PUT", "/acl-raw?acl", map[string]string{"Content-MD5": b64MD5(doc)}, doc); status != 200 {
			t.Errorf("%s: %d %s", doc, status, body)
		}
	}
	if g := must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Grants; len(g) != 0 {
		t.Errorf("grants after an empty list: %+v", g)
	}
}

// The rest of access_raw_replay.json: object ACL documents as the bucket's, public
// access block digests and owners, ownership control shapes, and ACL documents on
// a bucket whose ACLs are disabled (recorded, 2026: access_raw_replay.json,
// object-raw-*, pab.raw.*, public-malformed-expected-owner,
// ownership-malformed-documents-retain-mode, enforced-raw-*).
func TestRecordedRawAccessRest(t *testing.T) {
	e := newEnv(t)
	b := aws.String("acl-raw-obj")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	e.put("acl-raw-obj", "source", "harmless ownership fixture\n")
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	self := `<ID>` + owner + `</ID>`
	check := func(name, method, path, body string, hdr map[string]string, status int, elems ...string) {
		t.Helper()
		got, out := e.signed(method, path, hdr, body)
		ok := got == status
		for _, el := range elems {
			ok = ok && strings.Contains(out, el)
		}
		if !ok {
			t.Errorf("%s: %d %s", name, got, out)
		}
	}
	md5 := func(body string, extra ...string) map[string]string {
		h := map[string]string{"Content-MD5": b64MD5(body)}
		for i := 0; i+1 < len(extra); i += 2 {
			h[extra[i]] = extra[i+1]
		}
		return h
	}
	for _, c := range []struct {
		name, body string
		hdr        []string
		status     int
		code       string
	}{
		{"empty-body", "", nil, 400, "MissingSecurityHeader"},
		{"wrong-root", "<NoSuchRoot/>", nil, 400, "MalformedACLError"},
		{"missing-owner", rawACP("", rawGrant("CanonicalUser", self, "FULL_CONTROL")), nil, 400, "MalformedACLError"},
		{"wrong-owner", rawACP("<ID>"+strings.Repeat("0", 64)+"</ID>", rawGrant("CanonicalUser", self, "FULL_CONTROL")), nil, 400, "InvalidArgument"},
		{"invalid-permission", rawACP(self, rawGrant("CanonicalUser", self, "BOGUS")), nil, 400, "MalformedACLError"},
		{"invalid-canonical", rawACP(self, rawGrant("CanonicalUser", "<ID>bad-id</ID>", "READ")), nil, 400, "InvalidArgument"},
		{"unknown-group", rawACP(self, rawGrant("Group", "<URI>http://acs.amazonaws.com/groups/global/Unknown</URI>", "READ")), nil, 400, "InvalidArgument"},
		{"unknown-grantee-type", rawACP(self, rawGrant("Unknown", self, "READ")), nil, 400, "MalformedACLError"},
		{"email-grantee", rawACP(self, rawGrant("AmazonCustomerByEmail", "<EmailAddress>nobody@example.invalid</EmailAddress>", "READ")), nil, 405, "MethodNotAllowed"},
		{"canned-and-grants", "", []string{"x-amz-acl", "private", "x-amz-grant-read", `id="` + owner + `"`}, 400, "InvalidRequest"},
		{"canned-and-body", rawACP(self, rawGrant("CanonicalUser", self, "FULL_CONTROL")), []string{"x-amz-acl", "private"}, 400, "UnexpectedContent"},
		{"invalid-canned", "", []string{"x-amz-acl", "not-a-canned-acl"}, 400, "InvalidArgument"},
		{"invalid-grant-header", "", []string{"x-amz-grant-read", "broken"}, 400, "InvalidArgument"},
	} {
		check("object "+c.name, "PUT", "/acl-raw-obj/source?acl", c.body, md5(c.body, c.hdr...), c.status, "<Code>"+c.code+"</Code>")
		if g := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("source")})).Grants; len(g) != 1 {
			t.Fatalf("object %s: grants now %+v", c.name, g)
		}
	}
	dup := rawACP(self, rawGrant("CanonicalUser", self, "FULL_CONTROL")+rawGrant("CanonicalUser", self, "FULL_CONTROL"))
	check("object duplicate-grants", "PUT", "/acl-raw-obj/source?acl", dup, md5(dup), 200)
	empty := rawACP(self, "")
	check("object empty-grants", "PUT", "/acl-raw-obj/source?acl", empty, md5(empty), 200)

	// Public access block: no Content-MD5 is needed, a broken or wrong one is
	// refused, a checksum algorithm without its value or unknown is InvalidRequest,
	// and an expected owner that is no account ID is refused on every call.
	e.bucket("public-raw")
	const pabDoc = `<PublicAccessBlockConfiguration` + s3NS + `><BlockPublicAcls>TRUE</BlockPublicAcls></PublicAccessBlockConfiguration>`
	check("pab no md5", "PUT", "/public-raw?publicAccessBlock", pabDoc, nil, 200)
	const emptyPAB = `<PublicAccessBlockConfiguration` + s3NS + `></PublicAccessBlockConfiguration>`
	check("pab bad-md5", "PUT", "/public-raw?publicAccessBlock", emptyPAB, map[string]string{"Content-MD5": "not-base64"}, 400, "<Code>InvalidDigest</Code>")
	check("pab mismatch-md5", "PUT", "/public-raw?publicAccessBlock", emptyPAB, map[string]string{"Content-MD5": "MDAwMDAwMDAwMDAwMDAwMA=="}, 400, "<Code>BadDigest</Code>")
	check("pab checksum-algorithm-missing-value", "PUT", "/public-raw?publicAccessBlock", emptyPAB, map[string]string{"x-amz-sdk-checksum-algorithm": "SHA256"}, 400, "<Code>InvalidRequest</Code>")
	check("pab invalid-checksum-algorithm", "PUT", "/public-raw?publicAccessBlock", emptyPAB, map[string]string{"x-amz-sdk-checksum-algorithm": "INVALID"}, 400, "<Code>InvalidRequest</Code>")
	for _, m := range []struct{ method, query, body string }{{"GET", "publicAccessBlock", ""}, {"PUT", "publicAccessBlock", emptyPAB}, {"DELETE", "publicAccessBlock", ""}, {"GET", "policyStatus", ""}} {
		check("owner.not-an-account."+m.method+" "+m.query, m.method, "/public-raw?"+m.query, m.body, map[string]string{"x-amz-expected-bucket-owner": "not-an-account"}, 400, "<Code>InvalidBucketOwnerAWSAccountID</Code>")
	}
	if p := must(e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("public-raw")})).PublicAccessBlockConfiguration; !aws.ToBool(p.BlockPublicAcls) || aws.ToBool(p.BlockPublicPolicy) {
		t.Errorf("public access block after refused calls: %+v", p)
	}

	// Ownership control shapes, each refused leaving ObjectWriter.
	for _, c := range []struct{ name, body, code string }{
		{"empty", "", "MissingRequestBodyError"},
		{"malformed", "<OwnershipControls>", "MalformedXML"},
		{"wrong-root", "<Wrong/>", "MalformedXML"},
		{"empty-rules", `<OwnershipControls` + s3NS + `/>`, "MalformedXML"},
		{"missing-mode", `<OwnershipControls` + s3NS + `><Rule/></OwnershipControls>`, "MalformedXML"},
		{"unknown-mode", `<OwnershipControls` + s3NS + `><Rule><ObjectOwnership>Unknown</ObjectOwnership></Rule></OwnershipControls>`, "MalformedXML"},
		{"two-rules", `<OwnershipControls` + s3NS + `><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>`, "MalformedXML"},
	} {
		check("ownership "+c.name, "PUT", "/acl-raw-obj?ownershipControls", c.body, md5(c.body), 400, "<Code>"+c.code+"</Code>")
		if r := must(e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})).OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
			t.Fatalf("ownership %s: %+v", c.name, r)
		}
	}

	// ACLs disabled: a document is read before it is refused as unsupported.
	e.bucket("enforced-raw")
	e.put("enforced-raw", "source", "harmless ownership fixture\n")
	full := rawACP(self, rawGrant("CanonicalUser", self, "FULL_CONTROL"))
	check("enforced owner-full bucket", "PUT", "/enforced-raw?acl", full, md5(full), 400, "<Code>AccessControlListNotSupported</Code>")
	check("enforced malformed bucket", "PUT", "/enforced-raw?acl", "<AccessControlPolicy>", md5("<AccessControlPolicy>"), 400, "<Code>MalformedACLError</Code>")
	check("enforced owner-full object", "PUT", "/enforced-raw/source?acl", full, md5(full), 400, "<Code>AccessControlListNotSupported</Code>")
	check("enforced malformed object", "PUT", "/enforced-raw/source?acl", "<AccessControlPolicy>", md5("<AccessControlPolicy>"), 400, "<Code>MalformedACLError</Code>")
}

// An object's public-read ACL stops granting while the bucket enforces ownership and
// grants again, unchanged, once ObjectWriter is restored (recorded, 2026:
// access_raw_replay.json, anonymous-read-private-control-enforcement-and-restoration).
func TestRecordedAnonymousReadAcrossEnforcement(t *testing.T) {
	e := newEnv(t)
	b := aws.String("ownership-anonymous")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("source"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("harmless propagation fixture\n")}))
	e.put("ownership-anonymous", "private-control", "harmless private control\n")
	if code, body := e.anon("GET", "/ownership-anonymous/private-control", nil); code != 403 {
		t.Fatalf("private control: %d %s", code, body)
	}
	if code, body := e.anon("GET", "/ownership-anonymous/source", nil); code != 200 {
		t.Fatalf("before enforcement: %d %s", code, body)
	}
	set := func(o types.ObjectOwnership) {
		must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}}))
	}
	set(types.ObjectOwnershipBucketOwnerEnforced)
	if g := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("source")})).Grants; len(g) != 1 {
		t.Fatalf("masked ACL: %+v", g)
	}
	if code, body := e.anon("GET", "/ownership-anonymous/source", nil); code != 403 {
		t.Fatalf("enforced: %d %s", code, body)
	}
	set(types.ObjectOwnershipObjectWriter)
	if g := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("source")})).Grants; len(g) != 2 {
		t.Fatalf("restored ACL: %+v", g)
	}
	if code, body := e.anon("GET", "/ownership-anonymous/source", nil); code != 200 || body != "harmless propagation fixture\n" {
		t.Fatalf("restored: %d %s", code, body)
	}
}

// An ETag-conditioned DeleteObjects entry without a version needs no
// s3:GetObjectVersion: the matching one leaves a delete marker, a wrong one is
// PreconditionFailed and its object stays (recorded, 2026: conditional_versions.json,
// batch phase deny-GetObjectVersion).
func TestRecordedConditionalBatchDenyGetObjectVersion(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-batch-gov")
	b := aws.String("cond-batch-gov")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	u := e.user("Delegated", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	must(0, e.policy("cond-batch-gov", `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::`+account+`:user/Delegated"}, "Action": "s3:GetObjectVersion", "Resource": "arn:aws:s3:::cond-batch-gov/batch/*"}]}`))
	cur := e.put("cond-batch-gov", "batch/implicit-current", "body")
	e.put("cond-batch-gov", "batch/implicit-wrong", "body")
	out := must(u.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("batch/implicit-current"), ETag: cur.ETag},
		{Key: aws.String("batch/implicit-wrong"), ETag: aws.String(`"00000000000000000000000000000000"`)},
	}}}))
	if len(out.Deleted) != 1 || *out.Deleted[0].Key != "batch/implicit-current" || !aws.ToBool(out.Deleted[0].DeleteMarker) {
		t.Fatalf("deleted: %+v", out.Deleted)
	}
	if len(out.Errors) != 1 || *out.Errors[0].Key != "batch/implicit-wrong" || *out.Errors[0].Code != "PreconditionFailed" ||
		*out.Errors[0].Message != "At least one of the pre-conditions you specified did not hold" {
		t.Fatalf("errors: %+v", out.Errors)
	}
	if got := e.get("cond-batch-gov", "batch/implicit-wrong"); got != "body" {
		t.Fatalf("object after a refused conditional delete: %q", got)
	}
}

// s3:if-match is in a DeleteObject's request context exactly when If-Match is sent:
// a Deny under Null s3:if-match true refuses the unconditional delete and lets *
// and an ETag through; a version's delete is s3:DeleteObjectVersion, which that
// statement does not name (recorded, 2026: conditional_versions.json,
// supplement/iam-if-match).
func TestRecordedIfMatchConditionKey(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-iam")
	b := aws.String("cond-iam")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	u := e.user("Delegated", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	put := func(key string) *s3.PutObjectOutput {
		e.put("cond-iam", key, "old:"+key)
		return e.put("cond-iam", key, "new:"+key)
	}
	put("iam-if-match/implicit-absent")
	put("iam-if-match/implicit-wildcard")
	etag, historical := put("iam-if-match/implicit-etag"), put("iam-if-match/historical-absent")
	must(0, e.policy("cond-iam", `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUnconditionedExactOwnedKeys", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::`+account+`:user/Delegated"}, "Action": "s3:DeleteObject",
		"Resource": ["arn:aws:s3:::cond-iam/iam-if-match/implicit-absent", "arn:aws:s3:::cond-iam/iam-if-match/implicit-wildcard", "arn:aws:s3:::cond-iam/iam-if-match/implicit-etag", "arn:aws:s3:::cond-iam/iam-if-match/historical-absent"],
		"Condition": {"Null": {"s3:if-match": "true"}}}]}`))
	_, err := u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("iam-if-match/implicit-absent")})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/Delegated is not authorized to perform: s3:DeleteObject on resource: \"arn:aws:s3:::cond-iam/iam-if-match/implicit-absent\" with an explicit deny in a resource-based policy")
	if got := e.get("cond-iam", "iam-if-match/implicit-absent"); got != "new:iam-if-match/implicit-absent" {
		t.Fatalf("refused delete changed the object: %q", got)
	}
	if d := must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("iam-if-match/implicit-wildcard"), IfMatch: aws.String("*")})); !aws.ToBool(d.DeleteMarker) {
		t.Fatalf("If-Match * delete: %+v", d)
	}
	if d := must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("iam-if-match/implicit-etag"), IfMatch: etag.ETag})); !aws.ToBool(d.DeleteMarker) {
		t.Fatalf("If-Match ETag delete: %+v", d)
	}
	must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("iam-if-match/historical-absent"), VersionId: historical.VersionId}))
}

// A PutObject carries s3:if-none-match and s3:if-match when it sends the headers, so
// a bucket policy can require conditional writes ("Enforce conditional writes on
// Amazon S3 buckets", User Guide; the keys as conditional_versions.json shows
// s3:if-match for deletes).
func TestConditionalWriteConditionKeys(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-write-iam")
	b := aws.String("cond-write-iam")
	u := e.user("Writer", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	must(0, e.policy("cond-write-iam", `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::cond-write-iam/*",
		"Condition": {"Null": {"s3:if-none-match": "true", "s3:if-match": "true"}}}]}`))
	_, err := u.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("v1")})
	wantErr(t, err, "AccessDenied", 403, "")
	first := must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), IfNoneMatch: aws.String("*"), Body: strings.NewReader("v1")}))
	must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: first.ETag, Body: strings.NewReader("v2")}))
	if got := e.get("cond-write-iam", "k"); got != "v2" {
		t.Fatalf("object: %q", got)
	}
}
