package wire_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	ctapi "github.com/palisade/palisade/internal/api/cloudtrail"
	kmsapi "github.com/palisade/palisade/internal/api/kms"
	sqsapi "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

// rawResponse is an HTTP response read whole, for asserting exact wire bytes.
type rawResponse struct {
	Status int
	Header http.Header
	Body   string
}

func post(t *testing.T, url string, headers map[string]string, body []byte) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

func mustUnmarshal(t *testing.T, in map[string]any, dst any) {
	t.Helper()
	if err := model.Unmarshal(in, dst); err != nil {
		t.Fatalf("unmarshal %T: %v", dst, err)
	}
}

func kmsServer(t *testing.T) (*kms.Client, string) {
	created := time.Date(2024, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
	deletion := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := wiretest.Server(t, kmsapi.Service, map[string]wiretest.Handler{
		"Encrypt": func(in map[string]any) (map[string]any, *model.Error) {
			var req kmsapi.EncryptRequest
			mustUnmarshal(t, in, &req)
			if req.KeyId != "alias/k" || string(req.Plaintext) != "\x00secret\xff" || req.EncryptionContext["purpose"] != "test" ||
				len(req.GrantTokens) != 2 || req.GrantTokens[1] != "g2" || *req.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
				t.Errorf("Encrypt decoded %+v", req)
			}
			return model.Marshal(&kmsapi.EncryptResponse{
				CiphertextBlob:      append([]byte("ct:"), req.Plaintext...),
				KeyId:               aws.String("arn:aws:kms:us-east-1:000000000000:key/1234"),
				EncryptionAlgorithm: aws.String("SYMMETRIC_DEFAULT"),
			}), nil
		},
		"Decrypt": func(in map[string]any) (map[string]any, *model.Error) {
			var req kmsapi.DecryptRequest
			mustUnmarshal(t, in, &req)
			if !bytes.HasPrefix(req.CiphertextBlob, []byte("ct:")) {
				t.Errorf("Decrypt decoded %q", req.CiphertextBlob)
			}
			return model.Marshal(&kmsapi.DecryptResponse{
				KeyId:     aws.String("arn:aws:kms:us-east-1:000000000000:key/1234"),
				Plaintext: req.CiphertextBlob[3:],
			}), nil
		},
		"CreateKey": func(in map[string]any) (map[string]any, *model.Error) {
			var req kmsapi.CreateKeyRequest
			mustUnmarshal(t, in, &req)
			if *req.Description != `a "quoted" <key> & more` || len(req.Tags) != 2 || req.Tags[0].TagKey != "team" || req.Tags[1].TagValue != "ünïcode" ||
				*req.KeySpec != "SYMMETRIC_DEFAULT" || !*req.MultiRegion {
				t.Errorf("CreateKey decoded %+v", req)
			}
			return model.Marshal(&kmsapi.CreateKeyResponse{KeyMetadata: &kmsapi.KeyMetadata{
				KeyId: "1234", Arn: aws.String("arn:aws:kms:us-east-1:000000000000:key/1234"), CreationDate: &created,
				Enabled: aws.Bool(true), Description: req.Description, KeyState: aws.String("Enabled"),
				EncryptionAlgorithms: []string{"SYMMETRIC_DEFAULT"},
			}}), nil
		},
		"ListKeys": func(in map[string]any) (map[string]any, *model.Error) {
			var req kmsapi.ListKeysRequest
			mustUnmarshal(t, in, &req)
			if *req.Limit != 2 || *req.Marker != "m0" {
				t.Errorf("ListKeys decoded %+v", req)
			}
			return model.Marshal(&kmsapi.ListKeysResponse{
				Keys:       []kmsapi.KeyListEntry{{KeyId: aws.String("k1"), KeyArn: aws.String("arn:k1")}, {KeyId: aws.String("k2"), KeyArn: aws.String("arn:k2")}},
				NextMarker: aws.String("m1"),
				Truncated:  aws.Bool(true),
			}), nil
		},
		"DescribeKey": func(in map[string]any) (map[string]any, *model.Error) {
			var req kmsapi.DescribeKeyRequest
			mustUnmarshal(t, in, &req)
			if req.KeyId == "missing" {
				return nil, kmsapi.NewNotFoundException("Key 'arn:aws:kms:us-east-1:000000000000:key/missing' does not exist")
			}
			return model.Marshal(&kmsapi.DescribeKeyResponse{KeyMetadata: &kmsapi.KeyMetadata{
				KeyId: req.KeyId, CreationDate: &created, DeletionDate: &deletion, KeyState: aws.String("PendingDeletion"), Enabled: aws.Bool(false),
			}}), nil
		},
	})
	return kms.NewFromConfig(sdkConfig(srv.URL)), srv.URL
}

func TestJSONRoundTripKMS(t *testing.T) {
	c, _ := kmsServer(t)
	ctx := context.Background()

	enc, err := c.Encrypt(ctx, &kms.EncryptInput{
		KeyId: aws.String("alias/k"), Plaintext: []byte("\x00secret\xff"),
		EncryptionContext: map[string]string{"purpose": "test"}, GrantTokens: []string{"g1", "g2"},
		EncryptionAlgorithm: kmstypes.EncryptionAlgorithmSpecSymmetricDefault,
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(enc.CiphertextBlob) != "ct:\x00secret\xff" || *enc.KeyId != "arn:aws:kms:us-east-1:000000000000:key/1234" || enc.EncryptionAlgorithm != kmstypes.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("Encrypt got %+v", enc)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil {
		t.Fatal(err)
	}
	if string(dec.Plaintext) != "\x00secret\xff" || *dec.KeyId != "arn:aws:kms:us-east-1:000000000000:key/1234" {
		t.Fatalf("Decrypt got %+v", dec)
	}

	ck, err := c.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(`a "quoted" <key> & more`), KeySpec: kmstypes.KeySpecSymmetricDefault, MultiRegion: aws.Bool(true),
		Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("red")}, {TagKey: aws.String("lang"), TagValue: aws.String("ünïcode")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	km := ck.KeyMetadata
	if *km.KeyId != "1234" || !km.Enabled || *km.Description != `a "quoted" <key> & more` || km.KeyState != kmstypes.KeyStateEnabled ||
		!km.CreationDate.Equal(time.Date(2024, 2, 3, 4, 5, 6, 789_000_000, time.UTC)) || len(km.EncryptionAlgorithms) != 1 {
		t.Fatalf("CreateKey got %+v", km)
	}

	lk, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: aws.String("m0")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lk.Keys) != 2 || *lk.Keys[1].KeyId != "k2" || *lk.Keys[0].KeyArn != "arn:k1" || *lk.NextMarker != "m1" || !lk.Truncated {
		t.Fatalf("ListKeys got %+v", lk)
	}

	dk, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("k1")})
	if err != nil {
		t.Fatal(err)
	}
	if *dk.KeyMetadata.KeyId != "k1" || !dk.KeyMetadata.DeletionDate.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		!dk.KeyMetadata.CreationDate.Equal(time.Date(2024, 2, 3, 4, 5, 6, 789_000_000, time.UTC)) || dk.KeyMetadata.Enabled ||
		dk.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		t.Fatalf("DescribeKey got %+v", dk.KeyMetadata)
	}

	// A modelled error becomes the SDK's typed exception with its message.
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("missing")})
	var nf *kmstypes.NotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Key 'arn:aws:kms:us-east-1:000000000000:key/missing' does not exist" {
		t.Fatalf("want NotFoundException, got %v", err)
	}

	// A constraint the SDK does not check client-side is Coral's ValidationException.
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(strings.Repeat("d", 8193))})
	ae := apiError(t, err)
	want := "1 validation error detected: Value '" + strings.Repeat("d", 8193) + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192"
	if ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != want {
		t.Fatalf("got %s %q", ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestJSONWireKMS(t *testing.T) {
	_, url := kmsServer(t)
	kmsPost := func(target, body string) rawResponse {
		return post(t, url, map[string]string{"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}, []byte(body))
	}

	// The success body: model member order, epoch-second timestamps with milliseconds,
	// base64 blobs, HTML characters unescaped.
	r := kmsPost("TrentService.DescribeKey", `{"KeyId":"k<1>","UnknownMember":[1,{"x":2}]}`)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" || r.Header.Get("X-Amzn-Requestid") == "" ||
		r.Body != `{"KeyMetadata":{"KeyId":"k<1>","CreationDate":1706933106.789,"Enabled":false,"KeyState":"PendingDeletion","DeletionDate":1893456000}}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}

	// Errors: the modelled exception by name with its "message" member.
	r = kmsPost("TrentService.DescribeKey", `{"KeyId":"missing"}`)
	if r.Status != 400 || r.Header.Get("X-Amzn-Errortype") != "NotFoundException" || r.Header.Get("X-Amzn-Query-Error") != "" ||
		r.Body != `{"__type":"NotFoundException","message":"Key 'arn:aws:kms:us-east-1:000000000000:key/missing' does not exist"}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}

	cases := []struct {
		name, target, body string
		status             int
		want               string
	}{
		{"unknown operation", "TrentService.Nope", `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"foreign prefix", "DynamoDB_20120810.DescribeKey", `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"no target", "", `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"not JSON", "TrentService.DescribeKey", `{"KeyId":`, 400, `{"__type":"com.amazon.coral.service#SerializationException"}`},
		{"trailing garbage", "TrentService.DescribeKey", `{"KeyId":"a"} x`, 400, `{"__type":"com.amazon.coral.service#SerializationException"}`},
		{"array body", "TrentService.DescribeKey", `[]`, 400, `{"__type":"com.amazon.coral.service#SerializationException","Message":"Unrecognized collection type class DescribeKeyRequest"}`},
		{"number for string", "TrentService.DescribeKey", `{"KeyId":5}`, 400, `{"__type":"com.amazon.coral.service#SerializationException","Message":"NUMBER_VALUE cannot be converted to String"}`},
		{"object for list", "TrentService.DescribeKey", `{"KeyId":"k","GrantTokens":{}}`, 400, `{"__type":"com.amazon.coral.service#SerializationException","Message":"Start of structure or map found where not expected"}`},
		{"string for integer", "TrentService.ListKeys", `{"Limit":"2"}`, 400, `{"__type":"com.amazon.coral.service#SerializationException","Message":"STRING_VALUE cannot be converted to Integer"}`},
		{"bad base64", "TrentService.Decrypt", `{"CiphertextBlob":"abcde"}`, 400, `{"__type":"com.amazon.coral.service#SerializationException","Message":"Base64 encoded length is expected a multiple of 4 bytes but found: 5"}`},
		{"missing required", "TrentService.DescribeKey", `{}`, 400, `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"}`},
	}
	for _, tc := range cases {
		r := kmsPost(tc.target, tc.body)
		if r.Status != tc.status || r.Body != tc.want {
			t.Errorf("%s: got %d %s, want %d %s", tc.name, r.Status, r.Body, tc.status, tc.want)
		}
	}
	// Null members are absent, so a null required member is a validation error too.
	r = kmsPost("TrentService.DescribeKey", `{"KeyId":null}`)
	if !strings.Contains(r.Body, "Value null at 'keyId'") {
		t.Fatalf("got %s", r.Body)
	}
	// JSON error bodies are well-formed JSON.
	var v map[string]any
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatal(err)
	}
}

func sqsMD5Attributes(attrs map[string]sqsapi.MessageAttributeValue) string {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	h := md5.New()
	field := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, k := range names {
		a := attrs[k]
		field([]byte(k))
		field([]byte(a.DataType))
		if a.BinaryValue != nil {
			h.Write([]byte{2})
			field(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			field([]byte(*a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestJSONRoundTripSQS(t *testing.T) {
	const queue = "http://sqs.us-east-1.localhost/000000000000/q"
	var sent sqsapi.SendMessageRequest
	srv := wiretest.Server(t, sqsapi.Service, map[string]wiretest.Handler{
		"SendMessage": func(in map[string]any) (map[string]any, *model.Error) {
			mustUnmarshal(t, in, &sent)
			if sent.QueueUrl == queue+"-gone" {
				return nil, sqsapi.NewQueueDoesNotExist("The specified queue does not exist.")
			}
			return model.Marshal(&sqsapi.SendMessageResult{
				MessageId:              aws.String("5fea7756-0ea4-451a-a703-a558b933e274"),
				MD5OfMessageBody:       aws.String(md5Hex(sent.MessageBody)),
				MD5OfMessageAttributes: aws.String(sqsMD5Attributes(sent.MessageAttributes)),
			}), nil
		},
		"ReceiveMessage": func(in map[string]any) (map[string]any, *model.Error) {
			var req sqsapi.ReceiveMessageRequest
			mustUnmarshal(t, in, &req)
			if req.QueueUrl != queue || *req.MaxNumberOfMessages != 10 || *req.WaitTimeSeconds != 1 || len(req.MessageAttributeNames) != 1 || req.MessageAttributeNames[0] != "All" {
				t.Errorf("ReceiveMessage decoded %+v", req)
			}
			return model.Marshal(&sqsapi.ReceiveMessageResult{Messages: []sqsapi.Message{{
				MessageId: aws.String("m-1"), ReceiptHandle: aws.String("rh+/=1"), Body: aws.String(sent.MessageBody),
				MD5OfBody: aws.String(md5Hex(sent.MessageBody)), Attributes: map[string]string{"ApproximateReceiveCount": "1"},
				MessageAttributes: sent.MessageAttributes, MD5OfMessageAttributes: aws.String(sqsMD5Attributes(sent.MessageAttributes)),
			}}}), nil
		},
	})
	c := sqs.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()
	body := "hello {\"json\"} \u2028 \U0001F600"
	sm, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(queue), MessageBody: aws.String(body), DelaySeconds: 3,
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"Bin": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xfe, 0xff}},
			"Str": {DataType: aws.String("String"), StringValue: aws.String("v & <w>")},
			"Num": {DataType: aws.String("Number.int"), StringValue: aws.String("42")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *sm.MessageId != "5fea7756-0ea4-451a-a703-a558b933e274" || *sm.MD5OfMessageBody != md5Hex(body) {
		t.Fatalf("SendMessage got %+v", sm)
	}
	if sent.MessageBody != body || *sent.DelaySeconds != 3 || string(sent.MessageAttributes["Bin"].BinaryValue) != "\x00\x01\x02\xfe\xff" ||
		sent.MessageAttributes["Bin"].DataType != "Binary" || *sent.MessageAttributes["Str"].StringValue != "v & <w>" || *sent.MessageAttributes["Num"].StringValue != "42" {
		t.Fatalf("SendMessage decoded %+v", sent)
	}

	rm, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rm.Messages) != 1 {
		t.Fatalf("ReceiveMessage got %+v", rm)
	}
	m := rm.Messages[0]
	if *m.Body != body || *m.ReceiptHandle != "rh+/=1" || m.Attributes["ApproximateReceiveCount"] != "1" || *m.MD5OfBody != md5Hex(body) ||
		string(m.MessageAttributes["Bin"].BinaryValue) != "\x00\x01\x02\xfe\xff" || *m.MessageAttributes["Str"].StringValue != "v & <w>" ||
		*m.MessageAttributes["Num"].DataType != "Number.int" {
		t.Fatalf("ReceiveMessage got %+v", m)
	}

	// QueueDoesNotExist travels as the shape name in __type and the query code in
	// x-amzn-query-error; the SDK surfaces the typed error with the query code.
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue + "-gone"), MessageBody: aws.String("x")})
	var qdne *sqstypes.QueueDoesNotExist
	if !errors.As(err, &qdne) || qdne.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" || qdne.ErrorMessage() != "The specified queue does not exist." {
		t.Fatalf("want QueueDoesNotExist, got %v", err)
	}
	r := post(t, srv.URL, map[string]string{"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"},
		[]byte(`{"QueueUrl":"`+queue+`-gone","MessageBody":"x"}`))
	if r.Status != 400 || r.Header.Get("Content-Type") != "application/x-amz-json-1.0" || r.Header.Get("X-Amzn-Query-Error") != "AWS.SimpleQueueService.NonExistentQueue;Sender" ||
		r.Body != `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}
}

func cloudTrailServer(t *testing.T) string {
	srv := wiretest.Server(t, ctapi.Service, map[string]wiretest.Handler{
		"DescribeTrails": func(in map[string]any) (map[string]any, *model.Error) {
			var req ctapi.DescribeTrailsRequest
			mustUnmarshal(t, in, &req)
			if len(req.TrailNameList) != 1 || req.TrailNameList[0] != "main" || !*req.IncludeShadowTrails {
				t.Errorf("DescribeTrails decoded %+v", req)
			}
			return model.Marshal(&ctapi.DescribeTrailsResponse{TrailList: []ctapi.Trail{{
				Name: aws.String("main"), S3BucketName: aws.String("logs"), IncludeGlobalServiceEvents: aws.Bool(true),
			}}}), nil
		},
		"GetTrail": func(in map[string]any) (map[string]any, *model.Error) {
			return nil, ctapi.NewTrailNotFoundException("Unknown trail: arn:aws:cloudtrail:us-east-1:000000000000:trail/nope for the user: 000000000000")
		},
	})
	return srv.URL
}

// TestJSONRoundTripCloudTrail covers a target prefix the SDKs spell differently:
// botocore sends the model's full "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
// the SDK for Go "CloudTrail_20131101".
func TestJSONRoundTripCloudTrail(t *testing.T) {
	url := cloudTrailServer(t)
	c := cloudtrail.NewFromConfig(sdkConfig(url))
	ctx := context.Background()
	dt, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"main"}, IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(dt.TrailList) != 1 || *dt.TrailList[0].Name != "main" || *dt.TrailList[0].S3BucketName != "logs" || !*dt.TrailList[0].IncludeGlobalServiceEvents {
		t.Fatalf("DescribeTrails got %+v", dt)
	}
	_, err = c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("nope")})
	var tnf *cttypes.TrailNotFoundException
	if !errors.As(err, &tnf) || !strings.HasPrefix(tnf.ErrorMessage(), "Unknown trail: arn:aws:cloudtrail") {
		t.Fatalf("want TrailNotFoundException, got %v", err)
	}
	for _, target := range []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail", "CloudTrail_20131101.GetTrail"} {
		r := post(t, url, map[string]string{"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}, []byte(`{"Name":"nope"}`))
		if r.Status != 400 || !strings.HasPrefix(r.Body, `{"__type":"TrailNotFoundException","message":"Unknown trail`) {
			t.Errorf("%s: got %d %s", target, r.Status, r.Body)
		}
	}
	r := post(t, url, map[string]string{"X-Amz-Target": "v20131101.CloudTrail_20131101.GetTrail"}, []byte(`{}`))
	if r.Status != 400 || r.Body != `{"__type":"com.amazon.coral.service#UnknownOperationException"}` {
		t.Errorf("partial prefix: got %d %s", r.Status, r.Body)
	}
}
