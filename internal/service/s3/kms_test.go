package s3_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/audit"
)

func TestSSEKMS(t *testing.T) {
	e := newEnv(t)
	k := kms.NewFromConfig(e.p.RootConfig())
	key := must(k.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	must(k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: key.KeyId}))
	e.bucket("kms-b")
	put := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("secret"), Body: strings.NewReader("kms body"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/app")}))
	if put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || *put.SSEKMSKeyId != *key.Arn {
		t.Fatalf("put %+v", put)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("secret")}))
	if readBody(g.Body) != "kms body" || *g.SSEKMSKeyId != *key.Arn {
		t.Fatal("kms round trip")
	}
	// A reader with s3:GetObject but no kms:Decrypt is refused with KMS's reason.
	reader := e.user("frank", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	_, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("secret")})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/frank is not authorized to perform: kms:Decrypt on resource: "+*key.Arn+" because no identity-based policy allows the kms:Decrypt action")
	// HEAD reads no body and needs no key.
	must(reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("secret")}))
	e.put("kms-b", "plain", "p")
	if readBody(must(reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("plain")})).Body) != "p" {
		t.Fatal("SSE-S3 object unreadable")
	}
	// Granting kms:Decrypt lets the reader in.
	decrypter := e.user("grace", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","kms:Decrypt"],"Resource":"*"}]}`)
	must(decrypter.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("secret")})).Body.Close()
	// A writer without kms:GenerateDataKey cannot write SSE-KMS.
	writer := e.user("heidi", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	_, err = writer.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("w"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: key.KeyId})
	wantErr(t, err, "AccessDenied", 403, "")
	// No key named: the account's aws/s3 key, made on first use.
	def := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("managed"), Body: strings.NewReader("m"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}))
	aliases := must(k.ListAliases(ctx, &kms.ListAliasesInput{}))
	var managed string
	for _, a := range aliases.Aliases {
		if *a.AliasName == "alias/aws/s3" {
			managed = *a.TargetKeyId
		}
	}
	if managed == "" || !strings.HasSuffix(*def.SSEKMSKeyId, managed) {
		t.Fatalf("aws/s3 key %q, object key %q", managed, *def.SSEKMSKeyId)
	}
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("x"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/nope")})
	wantErr(t, err, "KMS.NotFoundException", 400, "")
	// A disabled key stops reads.
	must(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms-b"), Key: aws.String("secret")})
	wantErr(t, err, "KMS.DisabledException", 400, "")
	must(k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyId}))
	// The encryption context names the object; S3's KMS calls are in CloudTrail,
	// invoked by S3.
	var ctxSeen string
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		json.Unmarshal(ev.Data, &r)
		if r.EventSource == "kms.amazonaws.com" && r.EventName == "GenerateDataKey" && r.UserIdentity.InvokedBy == "s3.amazonaws.com" {
			ctxSeen = string(r.RequestParameters)
		}
	}
	if !strings.Contains(ctxSeen, `"aws:s3:arn":"arn:aws:s3:::kms-b/`) {
		t.Fatalf("GenerateDataKey record %s", ctxSeen)
	}
}

func TestSSEKMSBucketDefaultAndBucketKey(t *testing.T) {
	e := newEnv(t)
	k := kms.NewFromConfig(e.p.RootConfig())
	key := must(k.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	e.bucket("kms-default")
	must(e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("kms-default"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: key.Arn}, BucketKeyEnabled: aws.Bool(true)}}}}))
	put := e.put("kms-default", "k", "default-kms")
	if put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || *put.SSEKMSKeyId != *key.Arn || !*put.BucketKeyEnabled {
		t.Fatalf("default encryption put %+v", put)
	}
	ctxJSON, _ := base64.StdEncoding.DecodeString(*put.SSEKMSEncryptionContext)
	if string(ctxJSON) != `{"aws:s3:arn":"arn:aws:s3:::kms-default"}` {
		t.Fatalf("bucket key context %s", ctxJSON)
	}
	if e.get("kms-default", "k") != "default-kms" {
		t.Fatal("read back")
	}
	// Multipart under SSE-KMS: every part needs the key, and the result reads back.
	body := bytes.Repeat([]byte("m"), 5<<20)
	out := must(e.upload("kms-default", "mp", [][]byte{body, []byte("end")}, ""))
	if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Fatalf("multipart sse %q", out.ServerSideEncryption)
	}
	if got := e.get("kms-default", "mp"); len(got) != len(body)+3 || !strings.HasSuffix(got, "mend") {
		t.Fatal("multipart kms read back")
	}
	// Copying an SSE-KMS object needs kms:Decrypt on its key.
	copier := e.user("ivan", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`)
	e.bucket("plain-dst")
	_, err := copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("plain-dst"), Key: aws.String("c"), CopySource: aws.String("kms-default/k")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("plain-dst"), Key: aws.String("c"), CopySource: aws.String("kms-default/k")}))
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("plain-dst"), Key: aws.String("c")}))
	if h.ServerSideEncryption != types.ServerSideEncryptionAes256 || e.get("plain-dst", "c") != "default-kms" {
		t.Fatalf("copy re-encrypted under the destination's default: %+v", h.ServerSideEncryption)
	}
}
