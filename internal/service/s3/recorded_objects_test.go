package s3_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The answers in this file are AWS's, recorded against us-east-1 in 2026 and published
// in the radkawar/stackd repository under testdata/aws/s3/ (the file is named in each
// case), for object reads and writes.

// TestRecordedPresignedHeaders: a presigned GET carries x-amz-expected-bucket-owner in
// its query and S3 holds the bucket to it (presigned_headers.json).
func TestRecordedPresignedHeaders(t *testing.T) {
	e := newEnv(t)
	b := aws.String("presigned-headers")
	e.bucket(*b)
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("owned-presign-object"), Body: strings.NewReader("owned synthetic payload 12345"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	presign := s3.NewPresignClient(e.s3)
	for _, c := range []struct {
		owner string
		code  int
	}{{account, 200}, {"999999999999", 403}} {
		req := must(presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("owned-presign-object"), ExpectedBucketOwner: aws.String(c.owner)}))
		if !strings.Contains(req.URL, "x-amz-expected-bucket-owner="+c.owner) {
			t.Fatalf("the SDK no longer hoists the owner into the query: %s", req.URL)
		}
		resp := must(http.Get(req.URL))
		got := readAll(resp)
		if resp.StatusCode != c.code || c.code == 403 && !strings.Contains(got, "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
			t.Errorf("presigned owner %s: %d %s", c.owner, resp.StatusCode, got)
		}
	}
	// Both the header and the query parameter: refused even when they agree
	// (owner-query-header-conflict, owner-query-header-same; recorded for presigned
	// URLs, a header-signed request by analogy).
	for _, q := range []string{"999999999999", account} {
		code, got := e.signed("GET", "/presigned-headers/owned-presign-object?x-amz-expected-bucket-owner="+q, map[string]string{"x-amz-expected-bucket-owner": account}, "")
		wantXMLError(t, code, got, 400, "<Code>InvalidBucketOwnerAWSAccountID</Code>",
			"<Message>Expected bucket owner must be provided as either a header or parameter, not both</Message>")
	}
	code, got := e.signed("GET", "/presigned-headers/owned-presign-object?x-amz-expected-bucket-owner=999999999999", nil, "")
	wantXMLError(t, code, got, 403, "<Code>AccessDenied</Code>")

	// x-amz-checksum-mode is a header only: in the query (either case) it is ignored
	// and no checksum is answered (owner-query-correct, checksum-query-capitalized,
	// checksum-header-only).
	req := must(presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("owned-presign-object"), ChecksumMode: types.ChecksumModeEnabled}))
	if !strings.Contains(req.URL, "X-Amz-Checksum-Mode=ENABLED") {
		t.Fatalf("the SDK no longer hoists the checksum mode into the query: %s", req.URL)
	}
	resp := must(http.Get(req.URL))
	if got := readAll(resp); resp.StatusCode != 200 || resp.Header.Get("x-amz-checksum-sha256") != "" || resp.Header.Get("x-amz-checksum-type") != "" {
		t.Errorf("checksum mode in the query: %d %v %s", resp.StatusCode, resp.Header, got)
	}
}

// TestRecordedStorageClasses: the classes a general purpose bucket takes are stored
// and reported (HEAD, GET, GetObjectAttributes, listings), STANDARD never by header;
// the others the model lists are refused, FSX ones as an argument; objects in
// GLACIER and DEEP_ARCHIVE answer HEAD but not GET or a copy, which are 403
// InvalidObjectState once conditions and the range hold (storage_class_replay.json,
// storage-primary, storage-supplement and cold-read-conditions).
func TestRecordedStorageClasses(t *testing.T) {
	e := newEnv(t)
	b := aws.String("storage-classes")
	e.bucket(*b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	body := "stackd native storage class bytes\x00\xff\n"
	for _, sc := range []string{"", "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY"} {
		key := "put/" + sc
		hdr := map[string]string{}
		if sc != "" {
			hdr["x-amz-storage-class"] = sc
		}
		code, got := e.signed("PUT", "/storage-classes/"+key, hdr, body)
		if code != 200 {
			t.Fatalf("put %s: %d %s", sc, code, got)
		}
		want := sc
		if sc == "" || sc == "STANDARD" {
			want = ""
		}
		head := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key)}))
		if string(head.StorageClass) != want {
			t.Errorf("head %s: class %q", sc, head.StorageClass)
		}
		attrs := must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String(key), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesStorageClass}}))
		if wantAttr := cmp(want, "STANDARD"); string(attrs.StorageClass) != wantAttr {
			t.Errorf("attributes %s: class %q", sc, attrs.StorageClass)
		}
		code, got = e.signed("GET", "/storage-classes/"+key, nil, "")
		if sc == "GLACIER" || sc == "DEEP_ARCHIVE" {
			wantXMLError(t, code, got, 403, "<Code>InvalidObjectState</Code>", "<StorageClass>"+sc+"</StorageClass>")
		} else if code != 200 || got != body {
			t.Errorf("get %s: %d %q", sc, code, got)
		}
	}

	// Classes for other kinds of storage, a class S3 does not know, one in lower case
	// and an empty header: refused by PutObject, CreateMultipartUpload and CopyObject,
	// before a copy's source is looked at (storage-primary put-object-invalid/*,
	// create-multipart-upload-invalid/*, copy-object-ordering/missing-source;
	// storage-supplement copy-object-invalid/*).
	for _, sc := range []string{"EXPRESS_ONEZONE", "OUTPOSTS", "SNOW", "INVALID_CLASS", "standard", "", "FSX_OPENZFS"} {
		want := []string{"<Code>InvalidStorageClass</Code>", "<StorageClassRequested>" + sc + "</StorageClassRequested>"}
		if sc == "FSX_OPENZFS" {
			want = []string{"<Code>InvalidArgument</Code>", "<ArgumentName>x-amz-storage-class</ArgumentName>", "<ArgumentValue>FSX_OPENZFS</ArgumentValue>"}
		}
		for _, r := range []struct{ method, path, source string }{
			{"PUT", "/storage-classes/invalid/put", ""},
			{"POST", "/storage-classes/invalid/mpu?uploads", ""},
			{"PUT", "/storage-classes/invalid/copy", "storage-classes/put/STANDARD"},
			{"PUT", "/storage-classes/invalid/copy", "storage-classes/missing-source"},
		} {
			hdr := map[string]string{"x-amz-storage-class": sc}
			if r.source != "" {
				hdr["x-amz-copy-source"] = r.source
			}
			code, got := e.signed(r.method, r.path, hdr, "")
			t.Run(sc+r.path+r.source, func(t *testing.T) { wantXMLError(t, code, got, 400, want...) })
		}
	}

	// A copy is STANDARD unless it says otherwise and may go to any class, but not
	// from GLACIER or DEEP_ARCHIVE, not even onto itself with a new class, nor as a
	// part (copy-object-*, copy-object-denied-copy/*, upload-part-copy-*).
	for _, c := range []struct{ src, class, want string }{{"put/STANDARD_IA", "", ""}, {"put/STANDARD_IA", "ONEZONE_IA", "ONEZONE_IA"}, {"put/STANDARD_IA", "GLACIER", "GLACIER"}} {
		key := aws.String("copy/" + c.class)
		must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: key, CopySource: aws.String("storage-classes/" + c.src), StorageClass: types.StorageClass(c.class)}))
		if h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: key})); string(h.StorageClass) != c.want {
			t.Errorf("copy as %q: class %q", c.class, h.StorageClass)
		}
	}
	// PutObject and CopyObject name the class they stored, but not STANDARD; uploads
	// name none (put-object-put/*, copy-object-*, create-multipart-upload-*).
	classHeader := func(md middleware.Metadata) string {
		return awsmiddleware.GetRawResponse(md).(*smithyhttp.Response).Header.Get("x-amz-storage-class")
	}
	for _, sc := range []types.StorageClass{"", types.StorageClassStandard, types.StorageClassGlacier} {
		put := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("answer/" + string(sc)), Body: strings.NewReader(body), StorageClass: sc}))
		cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("answer/copy-" + string(sc)), CopySource: aws.String("storage-classes/put/STANDARD"), StorageClass: sc}))
		want := string(sc)
		if sc == types.StorageClassStandard {
			want = ""
		}
		if got := classHeader(put.ResultMetadata); got != want {
			t.Errorf("PutObject as %q answered class %q", sc, got)
		}
		if got := classHeader(cp.ResultMetadata); got != want {
			t.Errorf("CopyObject as %q answered class %q", sc, got)
		}
	}
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("copy-parts"), StorageClass: types.StorageClassStandardIa}))
	if got := classHeader(up.ResultMetadata); got != "" {
		t.Errorf("CreateMultipartUpload answered class %q", got)
	}
	for _, sc := range []string{"GLACIER", "DEEP_ARCHIVE"} {
		for _, hdr := range []map[string]string{
			{"x-amz-copy-source": "storage-classes/put/" + sc},
			{"x-amz-copy-source": "storage-classes/put/" + sc, "x-amz-storage-class": "STANDARD"},
		} {
			code, got := e.signed("PUT", "/storage-classes/denied/"+sc, hdr, "")
			wantXMLError(t, code, got, 403, "<Code>InvalidObjectState</Code>", "<StorageClass>"+sc+"</StorageClass>")
		}
		code, got := e.signed("PUT", "/storage-classes/put/"+sc, map[string]string{"x-amz-copy-source": "storage-classes/put/" + sc, "x-amz-storage-class": "STANDARD"}, "")
		wantXMLError(t, code, got, 403, "<Code>InvalidObjectState</Code>")
		code, got = e.signed("PUT", "/storage-classes/copy-parts?partNumber=1&uploadId="+*up.UploadId, map[string]string{"x-amz-copy-source": "storage-classes/put/" + sc}, "")
		wantXMLError(t, code, got, 403, "<Code>InvalidObjectState</Code>", "<StorageClass>"+sc+"</StorageClass>")
	}
	parts := must(e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("copy-parts"), UploadId: up.UploadId}))
	if len(parts.Parts) != 0 || parts.StorageClass != types.StorageClassStandardIa {
		t.Errorf("parts after refused copies: %d %q", len(parts.Parts), parts.StorageClass)
	}

	// An archived object's GET still answers its conditions and range first, and an
	// If-Modified-Since later than the clock is ignored by GET and HEAD of any
	// object (cold-read-conditions).
	glacier := aws.String("put/GLACIER")
	etag := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: glacier})).ETag
	for _, key := range []string{"put/STANDARD", "put/GLACIER"} {
		for _, c := range []struct {
			hdr            map[string]string
			head, standard int
			archived       int
		}{
			{map[string]string{"If-Match": `"not-an-etag"`}, 412, 412, 412},
			{map[string]string{"If-None-Match": *etag}, 304, 304, 304},
			{map[string]string{"Range": "bytes=999-1000"}, 416, 416, 416},
			{map[string]string{"If-Modified-Since": "Tue, 01 Jan 2030 00:00:00 GMT"}, 200, 200, 403},
		} {
			want := c.standard
			if key == "put/GLACIER" {
				want = c.archived
			}
			if code, got := e.signed("GET", "/storage-classes/"+key, c.hdr, ""); code != want {
				t.Errorf("GET %s with %v: %d %s", key, c.hdr, code, got)
			}
			if code, _ := e.signed("HEAD", "/storage-classes/"+key, c.hdr, ""); code != c.head {
				t.Errorf("HEAD %s with %v: %d", key, c.hdr, code)
			}
		}
	}
	// Its tags and ACL are still read (get-object-tagging-put/GLACIER, get-object-acl-put/GLACIER).
	must(e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: glacier}))
	must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: glacier}))
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestRecordedStorageClassCondition: s3:x-amz-storage-class is the header as sent,
// absent when it is (a write without it is not STANDARD to the policy), for
// PutObject, CopyObject and CreateMultipartUpload alike (storage_class_replay.json,
// storage-primary, put-object-iam/*, copy-object-iam/*,
// create-multipart-upload-iam/*).
func TestRecordedStorageClassCondition(t *testing.T) {
	e := newEnv(t)
	b := aws.String("storage-condition")
	e.bucket(*b)
	e.put(*b, "put/STANDARD", "stackd native storage class bytes\n")
	role := e.user("storage-conditioned", `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::storage-condition/*"},
		{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::storage-condition/iam/*", "Condition": {"StringEquals": {"s3:x-amz-storage-class": "STANDARD_IA"}}}]}`)
	for _, sc := range []types.StorageClass{"", types.StorageClassStandard, types.StorageClassStandardIa, types.StorageClassGlacier} {
		_, perr := role.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("iam/put/" + string(sc)), Body: strings.NewReader("x"), StorageClass: sc})
		_, cerr := role.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("iam/copy/" + string(sc)), CopySource: aws.String("storage-condition/put/STANDARD"), StorageClass: sc})
		_, merr := role.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("iam/mpu/" + string(sc)), StorageClass: sc})
		for i, err := range []error{perr, cerr, merr} {
			if sc == types.StorageClassStandardIa {
				if err != nil {
					t.Errorf("write %d as %s: %v", i, sc, err)
				}
				continue
			}
			wantErr(t, err, "AccessDenied", 403, "")
		}
	}
}

// TestRecordedObjectLockEnableExisting: Object Lock without a default retention can be
// turned on for an existing bucket whose versioning is enabled, by a caller allowed
// s3:PutBucketObjectLockConfiguration alone, and then stays on (versioning may not be
// suspended); an unversioned bucket is 409; the bucket lock actions are granted on the
// bucket ARN, not its objects' (object_lock_authority_replay.json,
// existing-enable-lock-only-False/True, bucket-lock-wrong-resource-get/put).
func TestRecordedObjectLockEnableExisting(t *testing.T) {
	e := newEnv(t)
	_, session := e.roleSessions("lock-authority-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::lock-authority*","arn:aws:s3:::lock-authority*/*"]}]}`)
	lockOnly := session("lock-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutBucketObjectLockConfiguration"],"Resource":["arn:aws:s3:::lock-authority*","arn:aws:s3:::lock-authority*/*"]}]}`)
	wrong := session("bucket-lock-wrong-resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetBucketObjectLockConfiguration","s3:PutBucketObjectLockConfiguration"],"Resource":"arn:aws:s3:::lock-authority/*"}]}`)
	enabled := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}
	unversioned, versioned := aws.String("lock-authority-existing"), aws.String("lock-authority-existing-versioned")
	e.bucket(*unversioned)
	e.bucket(*versioned)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: versioned, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))

	_, err := lockOnly.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: unversioned, ObjectLockConfiguration: enabled})
	wantErr(t, err, "InvalidBucketState", 409, "")
	must(lockOnly.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: versioned, ObjectLockConfiguration: enabled}))
	if v := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: versioned})); v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning after enabling Object Lock: %q", v.Status)
	}
	cfg := must(e.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: versioned})).ObjectLockConfiguration
	if cfg == nil || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
		t.Errorf("configuration after enabling: %+v", cfg)
	}
	// Again, and with nothing to hold: accepted as well.
	must(e.s3.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: versioned, ObjectLockConfiguration: enabled}))
	_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: versioned, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantErr(t, err, "InvalidBucketState", 409, "")
	// A default retention is kept (object_lock_authority_replay.json, default-retention).
	must(lockOnly.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: versioned, ObjectLockConfiguration: &types.ObjectLockConfiguration{
		ObjectLockEnabled: types.ObjectLockEnabledEnabled, Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Days: aws.Int32(2), Mode: types.ObjectLockRetentionModeGovernance}}}}))

	locked := aws.String("lock-authority")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: locked, ObjectLockEnabledForBucket: aws.Bool(true)}))
	_, err = wrong.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: locked})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = wrong.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: locked, ObjectLockConfiguration: enabled})
	wantErr(t, err, "AccessDenied", 403, "")
}

// TestRecordedDocumentDialect: how S3 reads the XML of a public access block and a
// default encryption (access_raw_replay.json, xml-evidence-PutPublicAccessBlock:* and
// xml-evidence-PutBucketEncryption:*): a boolean is true for "true" or "1" in any case
// with white space around it and false for anything else, never refused; the root's
// name and namespaces do not matter; an unknown element, at the top or nested, and a
// member given twice (even with the same value) are MalformedXML, an element inside a
// value is ignored; a refused document changes nothing.
func TestRecordedDocumentDialect(t *testing.T) {
	e := newEnv(t)
	b := aws.String("xml-raw")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	const ns = ` xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	const rest = `<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>`
	const all = `<BlockPublicAcls>true</BlockPublicAcls>` + rest
	pab := func(in string) string {
		return `<PublicAccessBlockConfiguration` + ns + `>` + in + `</PublicAccessBlockConfiguration>`
	}
	put := func(query, doc string) (int, string) {
		return e.signed("PUT", "/xml-raw?"+query, map[string]string{"Content-Type": "application/xml", "Content-MD5": b64MD5(doc)}, doc)
	}
	blockACLs := func() bool {
		return aws.ToBool(must(e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})).PublicAccessBlockConfiguration.BlockPublicAcls)
	}
	bucketKey := func() bool {
		return aws.ToBool(must(e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})).ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled)
	}
	enc := func(rule string) string {
		return `<ServerSideEncryptionConfiguration` + ns + `><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>` + rule + `</Rule></ServerSideEncryptionConfiguration>`
	}
	for _, c := range []struct {
		text string
		want bool
	}{
		{"true", true}, {"TRUE", true}, {"True", true}, {"TrUe", true}, {"t", false}, {"1", true}, {"0", false},
		{"false", false}, {"FALSE", false}, {"yes", false}, {"", false}, {" true ", true}, {"\tTRUE\n", true},
		{" false ", false}, {"\n1\t", true}, {"   ", false}, {" true\nfalse ", false},
	} {
		// Each from the opposite state, so that the value is seen to be read.
		if code, got := put("publicAccessBlock", pab(`<BlockPublicAcls>`+fmt.Sprint(!c.want)+`</BlockPublicAcls>`+rest)); code != 200 {
			t.Fatalf("seed: %d %s", code, got)
		}
		if code, got := put("publicAccessBlock", pab(`<BlockPublicAcls>`+c.text+`</BlockPublicAcls>`+rest)); code != 200 || blockACLs() != c.want {
			t.Errorf("BlockPublicAcls %q: %d %s, now %v", c.text, code, got, blockACLs())
		}
		if code, got := put("encryption", enc(`<BucketKeyEnabled>`+fmt.Sprint(!c.want)+`</BucketKeyEnabled>`)); code != 200 {
			t.Fatalf("seed: %d %s", code, got)
		}
		if code, got := put("encryption", enc(`<BucketKeyEnabled>`+c.text+`</BucketKeyEnabled>`)); code != 200 || bucketKey() != c.want {
			t.Errorf("BucketKeyEnabled %q: %d %s, now %v", c.text, code, got, bucketKey())
		}
	}

	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	for _, c := range []struct {
		name, doc, code string
		blocks          bool
	}{
		{"wrong-root-valid-children", `<WrongRoot` + ns + `>` + all + `</WrongRoot>`, "", true},
		{"wrong-root-empty", `<WrongRoot/>`, "InvalidRequest", false},
		{"correct-root-empty", pab(""), "InvalidRequest", false},
		{"unknown-root-child", pab(all + `<Unexpected>ignored?</Unexpected>`), "MalformedXML", false},
		{"unknown-root-child-nested", pab(all + `<Unexpected><BlockPublicAcls>true</BlockPublicAcls></Unexpected>`), "MalformedXML", false},
		{"unknown-scalar-child", pab(`<BlockPublicAcls>true<Unexpected/></BlockPublicAcls>` + rest), "", true},
		{"unknown-nonempty-scalar-child", pab(`<BlockPublicAcls>true<Unexpected>text</Unexpected></BlockPublicAcls>` + rest), "MalformedXML", false},
		{"duplicate-scalar-same", pab(`<BlockPublicAcls>true</BlockPublicAcls>` + all), "MalformedXML", false},
		{"duplicate-scalar-conflicting", pab(all + `<BlockPublicAcls>false</BlockPublicAcls>`), "MalformedXML", false},
		{"duplicate-scalar-reversed", pab(`<BlockPublicAcls>false</BlockPublicAcls>` + all), "MalformedXML", false},
		{"no-namespace", `<PublicAccessBlockConfiguration>` + all + `</PublicAccessBlockConfiguration>`, "", true},
		{"wrong-default-namespace", `<PublicAccessBlockConfiguration xmlns="urn:stackd:wrong">` + all + `</PublicAccessBlockConfiguration>`, "", true},
		{"prefixed-root-only", `<s:PublicAccessBlockConfiguration xmlns:s="http://s3.amazonaws.com/doc/2006-03-01/">` + all + `</s:PublicAccessBlockConfiguration>`, "", true},
		{"wrong-child-namespace", pab(`<BlockPublicAcls xmlns="urn:stackd:wrong">true</BlockPublicAcls>` + rest), "", true},
		{"surrounding-comment", `<!--before-->` + pab(all) + `<!--after-->`, "", true},
		{"declaration-and-whitespace", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n  " + pab(all) + "\n", "", true},
	} {
		code, got := put("publicAccessBlock", c.doc)
		if c.code == "" && code != 200 || c.code != "" && (code != 400 || !strings.Contains(got, "<Code>"+c.code+"</Code>")) {
			t.Errorf("%s: %d %s", c.name, code, got)
		}
		if blockACLs() != c.blocks {
			t.Errorf("%s: BlockPublicAcls now %v", c.name, blockACLs())
		}
		if c.blocks {
			must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
		}
	}
	for _, c := range []struct{ name, doc, code string }{
		{"wrong-root-valid-children", `<WrongRoot` + ns + `><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></WrongRoot>`, ""},
		{"wrong-root-empty", `<WrongRoot/>`, "MalformedXML"},
		{"correct-root-empty", `<ServerSideEncryptionConfiguration` + ns + `></ServerSideEncryptionConfiguration>`, "MalformedXML"},
		{"unknown-root-child", `<ServerSideEncryptionConfiguration` + ns + `><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Unexpected>ignored?</Unexpected></ServerSideEncryptionConfiguration>`, "MalformedXML"},
		{"unknown-default-encryption-child", `<ServerSideEncryptionConfiguration` + ns + `><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><Unexpected/></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`, "MalformedXML"},
		{"unknown-nonempty-scalar-child", enc(`<BucketKeyEnabled>true<Unexpected>text</Unexpected></BucketKeyEnabled>`), "MalformedXML"},
	} {
		code, got := put("encryption", c.doc)
		if c.code == "" && code != 200 || c.code != "" && (code != 400 || !strings.Contains(got, "<Code>"+c.code+"</Code>")) {
			t.Errorf("encryption %s: %d %s", c.name, code, got)
		}
	}

	// Ownership controls alike (xml-evidence-PutBucketOwnershipControls:*).
	rule := `<Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule>`
	oc := func(in string) string { return `<OwnershipControls` + ns + `>` + in + `</OwnershipControls>` }
	for _, c := range []struct{ name, doc, code string }{
		{"wrong-root-valid-children", `<WrongRoot` + ns + `>` + rule + `</WrongRoot>`, ""},
		{"wrong-root-empty", `<WrongRoot/>`, "MalformedXML"},
		{"correct-root-empty", oc(""), "MalformedXML"},
		{"unknown-root-child", oc(rule + `<Unexpected>ignored?</Unexpected>`), "MalformedXML"},
		{"unknown-root-child-nested", oc(rule + `<Unexpected><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Unexpected>`), "MalformedXML"},
		{"unknown-scalar-child", oc(`<Rule><ObjectOwnership>BucketOwnerPreferred<Unexpected/></ObjectOwnership></Rule>`), ""},
		{"duplicate-scalar-same", oc(`<Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule>`), "MalformedXML"},
		{"no-namespace", `<OwnershipControls>` + rule + `</OwnershipControls>`, ""},
	} {
		code, got := put("ownershipControls", c.doc)
		if c.code == "" && code != 200 || c.code != "" && (code != 400 || !strings.Contains(got, "<Code>"+c.code+"</Code>")) {
			t.Errorf("ownership controls %s: %d %s", c.name, code, got)
		}
	}

	// An ACL's unknown elements are its own MalformedACLError
	// (xml-evidence-PutBucketAcl:*).
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	grantee := `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` + owner + `</ID>`
	acp := func(ownerExtra, granteeExtra, grantExtra, listExtra string) string {
		return `<AccessControlPolicy` + ns + `><Owner><ID>` + owner + `</ID>` + ownerExtra + `</Owner><AccessControlList><Grant>` + grantee + granteeExtra +
			`</Grantee><Permission>FULL_CONTROL</Permission>` + grantExtra + `</Grant>` + listExtra + `</AccessControlList></AccessControlPolicy>`
	}
	for _, c := range []struct{ name, doc, code string }{
		{"surrounding-whitespace", " \n\t" + acp("", "", "", "") + "\n\t ", ""},
		{"surrounding-comment", "<!--before-->" + acp("", "", "", "") + "<!--after-->", ""},
		{"unknown-owner-child", acp("<Unexpected/>", "", "", ""), "MalformedACLError"},
		{"unknown-grantee-child", acp("", "<Unexpected/>", "", ""), "MalformedACLError"},
		{"unknown-grant-child", acp("", "", "<Unexpected/>", ""), "MalformedACLError"},
		{"unknown-acl-list-child", acp("", "", "", "<Unexpected/>"), "MalformedACLError"},
		// Text inside a value is the document's fault, not the ACL's
		// (xml-empty-structure-and-nonempty-scalar-evidence-PutBucketAcl:*).
		{"unknown-empty-root-child", strings.Replace(acp("", "", "", ""), "</AccessControlPolicy>", "<Unexpected/></AccessControlPolicy>", 1), "MalformedACLError"},
		{"unknown-nonempty-scalar-child", strings.Replace(acp("", "", "", ""), "FULL_CONTROL</Permission>", "FULL_CONTROL<Unexpected>text</Unexpected></Permission>", 1), "MalformedXML"},
		{"malformed-xml (object-raw-malformed-xml, for a bucket by analogy)", "<AccessControlPolicy>", "MalformedACLError"},
		{"wrong-root-replaces", strings.NewReplacer("<AccessControlPolicy", "<WrongRoot", "</AccessControlPolicy>", "</WrongRoot>").Replace(acp("", "", "", "")), ""},
	} {
		code, got := put("acl", c.doc)
		if c.code == "" && code != 200 || c.code != "" && (code != 400 || !strings.Contains(got, "<Code>"+c.code+"</Code>")) {
			t.Errorf("ACL %s: %d %s", c.name, code, got)
		}
	}
	// An object's ACL that is not XML at all (object-raw-malformed-xml).
	e.put(*b, "source", "harmless ownership fixture\n")
	code, got := e.signed("PUT", "/xml-raw/source?acl", map[string]string{"Content-MD5": b64MD5("<AccessControlPolicy>")}, "<AccessControlPolicy>")
	wantXMLError(t, code, got, 400, "<Code>MalformedACLError</Code>")
}

// TestRecordedRequestPaymentWrongRoot: S3 reads a request payment document whatever
// its root is named, as it reads the others (requester_admission_replay.json, where
// AWS took it; access_raw_replay.json for the rule).
func TestRecordedRequestPaymentWrongRoot(t *testing.T) {
	e := newEnv(t)
	e.bucket("payment-root")
	doc := `<WrongRoot xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Payer>Requester</Payer></WrongRoot>`
	if code, got := e.signed("PUT", "/payment-root?requestPayment", map[string]string{"Content-MD5": b64MD5(doc)}, doc); code != 200 {
		t.Fatalf("wrong root: %d %s", code, got)
	}
	if p := must(e.s3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("payment-root")})).Payer; p != types.PayerRequester {
		t.Errorf("payer %q", p)
	}
}
