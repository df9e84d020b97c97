package kms_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// trailEvent is the part of a CloudTrail record these tests read.
type trailEvent struct {
	EventName    string `json:"eventName"`
	AWSRegion    string `json:"awsRegion"`
	RequestID    string `json:"requestID"`
	EventID      string `json:"eventID"`
	UserIdentity struct {
		Type      string `json:"type"`
		InvokedBy string `json:"invokedBy"`
	} `json:"userIdentity"`
	RequestParameters map[string]any `json:"requestParameters"`
	ResponseElements  map[string]any `json:"responseElements"`
	Resources         []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
	SourceIPAddress string `json:"sourceIPAddress"`
	EventType       string `json:"eventType"`
	raw             string
}

// events returns the records of eventName in the event history of a Region, as
// LookupEvents there answers.
func (e *env) events(region, eventName string) []trailEvent {
	e.Helper()
	ct := cloudtrail.NewFromConfig(e.p.RootConfig(), func(o *cloudtrail.Options) { o.Region = region })
	evs := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(eventName)}}})).Events
	out := make([]trailEvent, len(evs))
	for i, ev := range evs {
		if err := json.Unmarshal([]byte(*ev.CloudTrailEvent), &out[i]); err != nil {
			e.Fatal(err)
		}
		out[i].raw = *ev.CloudTrailEvent
	}
	return out
}

func (ev trailEvent) resource() string {
	if len(ev.Resources) != 1 {
		return ""
	}
	return ev.Resources[0].ARN
}

// ReplicateKey is recorded as ReplicateKey in the primary's Region and as CreateKey in
// the replica's; UpdatePrimaryRegion in the Regions of both keys it changes, each
// record naming that Region's key (Developer Guide, ct-replicate-key and
// ct-update-primary-region; the records in the second Region are partly inferred).
func TestMultiRegionRecordsInBothRegions(t *testing.T) {
	e := newEnv(t)
	east, west := e.in("us-east-1"), e.in("us-west-2")
	p := e.key(&kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	rep, err := east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: aws.String("us-west-2"), Description: aws.String("west")})
	if err != nil {
		t.Fatal(err)
	}
	rid, _ := awsmiddleware.GetRequestIDMetadata(rep.ResultMetadata)
	westARN := *rep.ReplicaKeyMetadata.Arn

	rk := e.events("us-east-1", "ReplicateKey")
	if len(rk) != 1 || rk[0].AWSRegion != "us-east-1" || rk[0].RequestID != rid || rk[0].resource() != *p.Arn ||
		rk[0].RequestParameters["replicaRegion"] != "us-west-2" {
		t.Fatalf("ReplicateKey in us-east-1: %+v", rk)
	}
	if n := len(e.events("us-west-2", "ReplicateKey")); n != 0 {
		t.Errorf("%d ReplicateKey records in us-west-2", n)
	}
	if ck := e.events("us-east-1", "CreateKey"); len(ck) != 1 || ck[0].resource() != *p.Arn {
		t.Errorf("CreateKey in us-east-1: %+v", ck)
	}
	ck := e.events("us-west-2", "CreateKey")
	if len(ck) != 1 {
		t.Fatalf("CreateKey in us-west-2: %+v", ck)
	}
	c := ck[0]
	meta, _ := c.ResponseElements["keyMetadata"].(map[string]any)
	if c.AWSRegion != "us-west-2" || c.RequestID != rid || c.EventID == rk[0].EventID || c.resource() != westARN ||
		c.UserIdentity.Type != "Root" || c.UserIdentity.InvokedBy != "kms.amazonaws.com" ||
		c.RequestParameters["multiRegion"] != true || c.RequestParameters["description"] != "west" ||
		meta["arn"] != westARN || meta["keyState"] != "Creating" {
		t.Errorf("CreateKey in us-west-2: %+v", c)
	}

	e.p.Clock.Advance(time.Minute)
	up, err := east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: aws.String("us-west-2")})
	if err != nil {
		t.Fatal(err)
	}
	rid, _ = awsmiddleware.GetRequestIDMetadata(up.ResultMetadata)
	former := e.events("us-east-1", "UpdatePrimaryRegion")
	if len(former) != 1 {
		t.Fatalf("UpdatePrimaryRegion in us-east-1: %+v", former)
	}
	f := former[0]
	if f.AWSRegion != "us-east-1" || f.RequestID != rid || f.resource() != *p.Arn || f.UserIdentity.InvokedBy != "" ||
		f.RequestParameters["keyId"] != *p.KeyId || f.RequestParameters["primaryRegion"] != "us-west-2" ||
		f.ResponseElements["keyId"] != *p.Arn {
		t.Errorf("UpdatePrimaryRegion in us-east-1: %+v", f)
	}
	promoted := e.events("us-west-2", "UpdatePrimaryRegion")
	if len(promoted) != 1 {
		t.Fatalf("UpdatePrimaryRegion in us-west-2: %+v", promoted)
	}
	n := promoted[0]
	if n.AWSRegion != "us-west-2" || n.RequestID != rid || n.EventID == f.EventID || n.resource() != westARN ||
		n.UserIdentity.InvokedBy != "kms.amazonaws.com" ||
		n.RequestParameters["keyId"] != westARN || n.RequestParameters["primaryRegion"] != "us-west-2" ||
		n.ResponseElements["keyId"] != westARN {
		t.Errorf("UpdatePrimaryRegion in us-west-2: %+v", n)
	}

	// A failed call is recorded in its own Region only.
	e.p.Clock.Advance(time.Minute)
	if _, err := west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: aws.String("eu-west-1")}); err == nil {
		t.Fatal("UpdatePrimaryRegion to a Region without a replica succeeded")
	}
	if got := e.events("us-west-2", "UpdatePrimaryRegion"); len(got) != 2 {
		t.Errorf("UpdatePrimaryRegion in us-west-2 after a failure: %+v", got)
	}
	if got := e.events("eu-west-1", "UpdatePrimaryRegion"); len(got) != 0 {
		t.Errorf("UpdatePrimaryRegion in eu-west-1: %+v", got)
	}
	// Promoting the primary's own Region changes no other Region.
	if _, err := west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: aws.String("us-west-2")}); err != nil {
		t.Fatal(err)
	}
	if got := e.events("us-east-1", "UpdatePrimaryRegion"); len(got) != 1 {
		t.Errorf("UpdatePrimaryRegion in us-east-1 after a same-Region call: %+v", got)
	}
}

// Rotating a multi-Region primary with replicas, on demand or automatically, records
// SynchronizeMultiRegionKey in the primary's Region, as KMS's own call (Developer
// Guide, ct-synchronize-multi-region-key); a key without replicas has nothing to
// synchronize.
func TestSynchronizeMultiRegionKeyRecorded(t *testing.T) {
	e := newEnv(t)
	single := e.key(&kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	must(e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: single.KeyId}))
	if got := e.events("us-east-1", "SynchronizeMultiRegionKey"); len(got) != 0 {
		t.Fatalf("records for a key without replicas: %+v", got)
	}

	p := e.key(&kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	must(e.kms.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: aws.String("us-west-2")}))
	e.p.Clock.Advance(time.Minute)
	must(e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId}))
	got := e.events("us-east-1", "SynchronizeMultiRegionKey")
	if len(got) != 1 {
		t.Fatalf("SynchronizeMultiRegionKey in us-east-1: %+v", got)
	}
	s := got[0]
	if s.AWSRegion != "us-east-1" || s.resource() != *p.Arn || s.ResponseElements["keyId"] != *p.Arn || s.RequestParameters != nil ||
		s.SourceIPAddress != "AWS Internal" || s.EventType != "AwsApiCall" || s.UserIdentity.InvokedBy != "AWS Internal" {
		t.Errorf("SynchronizeMultiRegionKey: %s", s.raw)
	}
	// The caller is the account alone: no type, no ARN.
	if want := `"userIdentity":{"accountId":"` + account + `","invokedBy":"AWS Internal"}`; !strings.Contains(s.raw, want) {
		t.Errorf("userIdentity in %s, want %s", s.raw, want)
	}
	if got := e.events("us-west-2", "SynchronizeMultiRegionKey"); len(got) != 0 {
		t.Errorf("SynchronizeMultiRegionKey in us-west-2: %+v", got)
	}

	must(e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: p.KeyId}))
	e.p.Clock.Advance(366 * 24 * time.Hour)
	eventually(t, "automatic rotation", func() bool { return len(e.events("us-east-1", "RotateKey")) == 1 })
	// The on-demand rotation's record is past the event history's 90 days by now.
	if got := e.events("us-east-1", "SynchronizeMultiRegionKey"); len(got) != 1 || got[0].EventID == s.EventID || got[0].resource() != *p.Arn {
		t.Errorf("SynchronizeMultiRegionKey after automatic rotation: %+v", got)
	}
	// KMS's own records of a single-Region key name no identity type either.
	if rk := e.events("us-east-1", "RotateKey"); !strings.Contains(rk[0].raw, `"userIdentity":{"accountId":"`+account+`",`) {
		t.Errorf("RotateKey record %s", rk[0].raw)
	}
}
