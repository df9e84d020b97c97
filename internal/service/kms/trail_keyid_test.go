package kms_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

// last is the latest record of eventName in us-east-1's event history.
func (e *env) last(eventName string) trailEvent {
	e.Helper()
	evs := e.events("us-east-1", eventName)
	if len(evs) == 0 {
		e.Fatalf("no %s record", eventName)
	}
	return evs[0]
}

// resourceARNs are a record's resources' ARNs, in order.
func (ev trailEvent) resourceARNs() []string {
	var out []string
	for _, r := range ev.Resources {
		out = append(out, r.ARN)
	}
	return out
}

// KMS's records of operations that answer nothing name the key they changed by its
// ARN in responseElements.keyId since December 2022, where the KMS Developer Guide's
// page for the operation says so (ct-enablekey, ct-disablekey, ct-enablekeyrotation,
// ct-untagresource); where the page does not say so and shows responseElements null
// (ct-disable-key-rotation, ct-tagresource, ct-update-key-description,
// ct-put-key-policy, ct-revoke-grant), the record keeps null.
func TestTrailKeyIDOfNoOutputOperations(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(nil)
	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId}))
	must(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: k.KeyId}))
	must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyId, RotationPeriodInDays: aws.Int32(180)}))
	must(c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: k.KeyId}))
	must(c.TagResource(ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: []types.Tag{{TagKey: aws.String("Dept"), TagValue: aws.String("IT")}}}))
	must(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: k.Arn, TagKeys: []string{"Dept"}}))
	must(c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: k.KeyId, Description: aws.String("New key description")}))
	pol := must(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId})).Policy
	must(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: k.KeyId, Policy: pol}))

	for _, name := range []string{"DisableKey", "EnableKey", "EnableKeyRotation", "UntagResource"} {
		ev := e.last(name)
		if len(ev.ResponseElements) != 1 || ev.ResponseElements["keyId"] != *k.Arn || ev.resource() != *k.Arn {
			t.Errorf("%s record %s", name, ev.raw)
		}
	}
	if ev := e.last("EnableKeyRotation"); ev.RequestParameters["keyId"] != *k.KeyId || ev.RequestParameters["rotationPeriodInDays"] != float64(180) {
		t.Errorf("EnableKeyRotation requestParameters %s", ev.raw)
	}
	if ev := e.last("UntagResource"); ev.RequestParameters["keyId"] != *k.Arn || len(ev.RequestParameters["tagKeys"].([]any)) != 1 {
		t.Errorf("UntagResource requestParameters %s", ev.raw)
	}
	for _, name := range []string{"DisableKeyRotation", "TagResource", "UpdateKeyDescription", "PutKeyPolicy"} {
		ev := e.last(name)
		if !strings.Contains(ev.raw, `"responseElements":null`) || ev.resource() != *k.Arn {
			t.Errorf("%s record %s", name, ev.raw)
		}
	}
	if ev := e.last("TagResource"); !strings.Contains(ev.raw, `"tags":[{"tagKey":"Dept","tagValue":"IT"}]`) {
		t.Errorf("TagResource requestParameters %s", ev.raw)
	}

	// A failed call answers nothing, and its record names no key in responseElements.
	_, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	wantErr(t, err, "NotFoundException", 400, "")
	if ev := e.last("DisableKey"); !strings.Contains(ev.raw, `"responseElements":null`) {
		t.Errorf("failed DisableKey record %s", ev.raw)
	}
}

// Alias records name the key in responseElements.keyId and both the alias and the key
// in resources, both typed AWS::KMS::Key: the key first for CreateAlias, the alias
// first for UpdateAlias and DeleteAlias (KMS Developer Guide, ct-createalias,
// ct-updatealias, ct-deletealias; DeleteAlias's key second is inferred).
func TestTrailKeyIDOfAliasOperations(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k, k2 := e.key(nil), e.key(nil)
	alias := "arn:aws:kms:us-east-1:" + account + ":alias/ExampleAlias"
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/ExampleAlias"), TargetKeyId: k.KeyId}))
	must(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/ExampleAlias"), TargetKeyId: k2.KeyId}))
	must(c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/ExampleAlias")}))
	for _, tc := range []struct {
		name, key string
		resources []string
	}{
		{"CreateAlias", *k.Arn, []string{*k.Arn, alias}},
		{"UpdateAlias", *k2.Arn, []string{alias, *k2.Arn}},
		{"DeleteAlias", *k2.Arn, []string{alias, *k2.Arn}},
	} {
		ev := e.last(tc.name)
		if len(ev.ResponseElements) != 1 || ev.ResponseElements["keyId"] != tc.key || strings.Join(ev.resourceARNs(), " ") != strings.Join(tc.resources, " ") ||
			strings.Count(ev.raw, `"type":"AWS::KMS::Key"`) != 2 || ev.RequestParameters["aliasName"] != "alias/ExampleAlias" {
			t.Errorf("%s record %s", tc.name, ev.raw)
		}
	}
}

// CreateGrant's record answers the grant's ID and the key's ARN, never the grant
// token (KMS Developer Guide, ct-creategrant); RetireGrant's shows requestParameters
// null for a grant retired by its token and names the grant in additionalEventData
// (ct-retire-grant); RevokeGrant's keeps responseElements null (ct-revoke-grant).
func TestTrailGrantRecords(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(nil)
	root := "arn:aws:iam::" + account + ":root"
	g := must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(root), Operations: []types.GrantOperation{"Encrypt", "RetireGrant"}}))
	ev := e.last("CreateGrant")
	if len(ev.ResponseElements) != 2 || ev.ResponseElements["grantId"] != *g.GrantId || ev.ResponseElements["keyId"] != *k.Arn ||
		strings.Contains(ev.raw, *g.GrantToken) || strings.Contains(ev.raw, "grantToken") {
		t.Errorf("CreateGrant record %s", ev.raw)
	}
	must(c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken}))
	ev = e.last("RetireGrant")
	var extra struct {
		AdditionalEventData map[string]any `json:"additionalEventData"`
	}
	if err := json.Unmarshal([]byte(ev.raw), &extra); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ev.raw, `"requestParameters":null`) || !strings.Contains(ev.raw, `"responseElements":null`) || strings.Contains(ev.raw, *g.GrantToken) ||
		extra.AdditionalEventData["grantId"] != *g.GrantId || ev.resource() != *k.Arn {
		t.Errorf("RetireGrant record %s", ev.raw)
	}

	// Retired by key and grant ID, the record shows both (inferred: the guide's
	// example retires by token).
	g2 := must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(root), Operations: []types.GrantOperation{"Encrypt"}}))
	must(c.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: k.Arn, GrantId: g2.GrantId}))
	if ev := e.last("RetireGrant"); ev.RequestParameters["keyId"] != *k.Arn || ev.RequestParameters["grantId"] != *g2.GrantId {
		t.Errorf("RetireGrant by ID record %s", ev.raw)
	}

	// A refused RetireGrant keeps the token out too (inferred).
	other, _ := e.user("nogrants", "")
	_, err := other.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g2.GrantToken})
	if err == nil {
		t.Fatal("a stranger retired a grant")
	}
	evs := e.events("us-east-1", "RetireGrant")
	for _, ev := range evs {
		if strings.Contains(ev.raw, *g2.GrantToken) {
			t.Errorf("grant token in %s", ev.raw)
		}
	}

	g3 := must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(root), Operations: []types.GrantOperation{"Encrypt"}}))
	must(c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: k.KeyId, GrantId: g3.GrantId}))
	if ev := e.last("RevokeGrant"); !strings.Contains(ev.raw, `"responseElements":null`) || ev.RequestParameters["grantId"] != *g3.GrantId || ev.RequestParameters["keyId"] != *k.KeyId {
		t.Errorf("RevokeGrant record %s", ev.raw)
	}
}

// The DeleteKey record KMS writes when a key's waiting period ends names the key's
// ARN in responseElements.keyId (KMS Developer Guide, ct-delete-key).
func TestTrailDeleteKeyNamesKey(t *testing.T) {
	e := newEnv(t)
	k := e.key(nil)
	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)}))
	e.p.Clock.Advance(7*24*time.Hour + time.Minute)
	eventually(t, "deletion", func() bool {
		_, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
		return err != nil
	})
	var del *audit.Record
	eventually(t, "DeleteKey record", func() bool {
		err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Events(0, 10000, func(ev *store.Event) bool {
				var r audit.Record
				if json.Unmarshal(ev.Data, &r) == nil && r.EventName == "DeleteKey" {
					del = &r
				}
				return true
			})
		})
		return err == nil && del != nil
	})
	if string(del.ResponseElements) != `{"keyId":"`+*k.Arn+`"}` || string(del.RequestParameters) != "null" || len(del.Resources) != 1 || del.Resources[0].ARN != *k.Arn {
		t.Errorf("DeleteKey record %+v %s", del, del.ResponseElements)
	}
	// KMS acts as "AWS Internal" (ct-delete-key, as ct-rotatekey and
	// ct-deleteexpiredkeymaterial show it too).
	if del.UserIdentity.InvokedBy != "AWS Internal" || del.UserIdentity.Type != "" || del.SourceIPAddress != "AWS Internal" || del.UserAgent != "AWS Internal" || del.EventType != "AwsServiceEvent" {
		t.Errorf("DeleteKey caller %+v from %q %q", del.UserIdentity, del.SourceIPAddress, del.UserAgent)
	}
}

// storeRecord is the latest record of eventName in the event log, read from the
// store: KMS's own records, which no caller's request leaves.
func (e *env) storeRecord(eventName string) *audit.Record {
	e.Helper()
	var out *audit.Record
	eventually(e, eventName+" record", func() bool {
		err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Events(0, 100000, func(ev *store.Event) bool {
				var r audit.Record
				if json.Unmarshal(ev.Data, &r) == nil && r.EventName == eventName {
					out = &r
				}
				return true
			})
		})
		return err == nil && out != nil
	})
	return out
}

// KMS's own records say what it did in serviceEventDetails, never in
// additionalEventData: RotateKey the rotation type, the key's origin and the material
// before and after (KMS Developer Guide, ct-rotatekey), DeleteExpiredKeyMaterial the
// key and the material deleted (ct-deleteexpiredkeymaterial), DeleteKey nothing
// (ct-delete-key).
func TestTrailServiceEventDetails(t *testing.T) {
	e := newEnv(t)
	k := e.key(nil)
	before := *must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata.CurrentKeyMaterialId
	must(e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyId, RotationPeriodInDays: aws.Int32(90)}))
	x := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	imp := must(importer(t, e.kms, x.KeyId)(randomKey(32), kms.ImportKeyMaterialInput{
		ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: aws.Time(e.p.Clock.Now().Add(48 * time.Hour))}))
	e.p.Clock.Advance(91 * 24 * time.Hour)

	rk := e.storeRecord("RotateKey")
	after := *must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata.CurrentKeyMaterialId
	d := rk.ServiceEventDetails
	if rk.AdditionalEventData != nil || d["rotationType"] != "AUTOMATIC" || d["keyOrigin"] != "AWS_KMS" || d["previousKeyMaterialId"] != before ||
		d["currentKeyMaterialId"] != after || before == after || rk.EventType != "AwsServiceEvent" {
		t.Errorf("RotateKey record %+v", rk)
	}
	ex := e.storeRecord("DeleteExpiredKeyMaterial")
	if d := ex.ServiceEventDetails; ex.AdditionalEventData != nil || len(d) != 2 || d["keyId"] != *x.KeyId || d["keyMaterialId"] != *imp.KeyMaterialId {
		t.Errorf("DeleteExpiredKeyMaterial record %+v", ex)
	}

	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)}))
	e.p.Clock.Advance(8 * 24 * time.Hour)
	if del := e.storeRecord("DeleteKey"); del.AdditionalEventData != nil || del.ServiceEventDetails != nil {
		t.Errorf("DeleteKey record %+v", del)
	}
}
