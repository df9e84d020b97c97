package kms_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/server"
	kmssvc "github.com/palisade/palisade/internal/service/kms"
	"github.com/palisade/palisade/internal/store"
)

// s3Stand is a stand-in S3 on the test server's store, keys and authorizer: its
// ListBuckets (a read) and CreateBucket (a write) run the test's function with the
// real call, so ForService is exercised as S3 will call it, errors and all.
type s3Stand struct {
	run func(c *server.Call) error
}

func (s *s3Stand) client(t *testing.T, e *env, ak, sk, region string) *s3.Client {
	srv, err := server.New(server.Config{Store: e.p.Store, Keys: e.p.Keys, Clock: e.p.Clock, Authz: e.p.Authz}, server.Service{
		Model: s3api.Service,
		Handlers: []server.Handler{
			server.Read("ListBuckets", func(c *server.Call, _ *s3api.ListBucketsRequest) (*s3api.ListBucketsOutput, error) {
				return &s3api.ListBucketsOutput{}, s.run(c)
			}).NoAuthz(),
			server.Write("CreateBucket", func(c *server.Call, _ *s3api.CreateBucketRequest) (*s3api.CreateBucketOutput, error) {
				return &s3api.CreateBucketOutput{}, s.run(c)
			}).NoAuthz(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	cfg := e.p.Config(ak, sk, "")
	cfg.BaseEndpoint, cfg.Region = aws.String(hs.URL), region
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func TestForService(t *testing.T) {
	e := newEnv(t)
	ks := kmssvc.ForService(e.p.KMS, "s3")
	stand := &s3Stand{}
	rootS3 := stand.client(t, e, apptest.RootAccessKeyID, apptest.RootSecret, "us-east-1")
	write := func(c *s3.Client) error {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b")})
		return err
	}
	read := func(c *s3.Client) error {
		_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	}
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}
	var pt, blob []byte
	var arn string

	// "" is the account's aws/s3 key, made on first use in the write.
	stand.run = func(c *server.Call) (err error) {
		pt, blob, arn, err = ks.GenerateDataKey(c, "", ec)
		return err
	}
	if err := write(rootS3); err != nil {
		t.Fatal(err)
	}
	managed := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})).KeyMetadata
	if len(pt) != 32 || arn != *managed.Arn || managed.KeyManager != "AWS" {
		t.Fatalf("data key of %d bytes under %s (aws/s3 is %s)", len(pt), arn, *managed.Arn)
	}
	var got []byte
	stand.run = func(c *server.Call) (err error) {
		got, arn, err = ks.Decrypt(c, blob, ec)
		return err
	}
	if err := read(rootS3); err != nil || !bytes.Equal(got, pt) || arn != *managed.Arn {
		t.Fatalf("decrypt through the service: %v", err)
	}
	// The wrong context is KMS's InvalidCiphertextException.
	stand.run = func(c *server.Call) error {
		_, _, err := ks.Decrypt(c, blob, map[string]string{"aws:s3:arn": "other"})
		return err
	}
	wantErr(t, read(rootS3), "InvalidCiphertextException", 400, "")

	// In a read-only call in a new Region the managed key is made in its own
	// transaction.
	westS3 := stand.client(t, e, apptest.RootAccessKeyID, apptest.RootSecret, "us-west-2")
	stand.run = func(c *server.Call) (err error) { _, _, arn, err = ks.GenerateDataKey(c, "", nil); return err }
	if err := read(westS3); err != nil || !strings.HasPrefix(arn, "arn:aws:kms:us-west-2:"+account+":key/") {
		t.Fatalf("west: %s %v", arn, err)
	}
	first := arn
	stand.run = func(c *server.Call) (err error) { _, _, arn, err = ks.GenerateDataKey(c, "", nil); return err }
	if err := read(westS3); err != nil || arn != first {
		t.Fatalf("a second aws/s3 key in us-west-2: %s, %v", arn, err)
	}

	// The aws/s3 key serves every principal of the account through S3, and none
	// directly.
	pak, psk, plainARN := e.userKey("plain", "")
	plainKMS := kms.NewFromConfig(e.p.Config(pak, psk, ""))
	plainS3 := stand.client(t, e, pak, psk, "us-east-1")
	stand.run = func(c *server.Call) (err error) { _, _, _, err = ks.GenerateDataKey(c, "alias/aws/s3", ec); return err }
	if err := write(plainS3); err != nil {
		t.Fatalf("a user through S3 with the aws/s3 key: %v", err)
	}
	_, err := plainKMS.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/aws/s3"), KeySpec: "AES_256"})
	wantErr(t, err, "AccessDeniedException", 400, "")

	// A customer key under the default policy: IAM decides; S3's AccessDenied when
	// it does not allow, and kms:ViaService is there for the policy to test.
	cmk := e.key(nil)
	stand.run = func(c *server.Call) (err error) { _, blob, _, err = ks.GenerateDataKey(c, *cmk.Arn, ec); return err }
	wantErr(t, write(plainS3), "AccessDenied", 403, "User: "+plainARN+" is not authorized to perform: kms:GenerateDataKey on resource: "+*cmk.Arn+" because no identity-based policy allows the kms:GenerateDataKey action")
	vak, vsk, _ := e.userKey("viaonly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","kms:CallerAccount":"`+account+`"}}}]}`)
	viaOnly := kms.NewFromConfig(e.p.Config(vak, vsk, ""))
	viaS3 := stand.client(t, e, vak, vsk, "us-east-1")
	if err := write(viaS3); err != nil {
		t.Fatalf("a user allowed via S3: %v", err)
	}
	_, err = viaOnly.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: cmk.KeyId, KeySpec: "AES_256"})
	wantErr(t, err, "AccessDeniedException", 400, "")
	stand.run = func(c *server.Call) (err error) { got, _, err = ks.Decrypt(c, blob, ec); return err }
	if err := read(viaS3); err != nil {
		t.Fatal(err)
	}
	wantErr(t, read(plainS3), "AccessDenied", 403, "")

	// aws:ViaAWSService is true when S3 uses the caller's credentials, false when the
	// caller comes to KMS itself.
	fak, fsk, _ := e.userKey("fas", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"true"}}}]}`)
	stand.run = func(c *server.Call) (err error) { _, _, _, err = ks.GenerateDataKey(c, *cmk.Arn, ec); return err }
	if err := write(stand.client(t, e, fak, fsk, "us-east-1")); err != nil {
		t.Fatalf("a user allowed only via an AWS service, through S3: %v", err)
	}
	_, err = kms.NewFromConfig(e.p.Config(fak, fsk, "")).GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: cmk.KeyId, KeySpec: "AES_256"})
	wantErr(t, err, "AccessDeniedException", 400, "")

	// KMS's state errors pass through.
	must(e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: cmk.KeyId}))
	wantErr(t, read(viaS3), "DisabledException", 0, *cmk.Arn+" is disabled.")
	stand.run = func(c *server.Call) error { _, _, _, err := ks.GenerateDataKey(c, "alias/none", nil); return err }
	wantErr(t, write(rootS3), "NotFoundException", 0, "")

	// CloudTrail has the KMS events, invoked by S3, without key material.
	var found int
	e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 10000, func(ev *store.Event) bool {
			var r audit.Record
			json.Unmarshal(ev.Data, &r)
			if r.EventSource == "kms.amazonaws.com" && r.UserIdentity.InvokedBy == "s3.amazonaws.com" {
				found++
				if bytes.Contains(ev.Data, []byte(base64.StdEncoding.EncodeToString(pt))) {
					t.Fatal("a data key in CloudTrail")
				}
			}
			return true
		})
	})
	if found < 4 {
		t.Fatalf("%d KMS events invoked by S3", found)
	}
}
