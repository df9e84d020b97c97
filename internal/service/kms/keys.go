package kms

import (
	"encoding/json"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

func (k *KMS) keyHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateKey", k.createKey),
		server.Read("DescribeKey", k.describeKey),
		server.Read("ListKeys", k.listKeys),
		server.Write("UpdateKeyDescription", k.updateKeyDescription),
		server.Write("EnableKey", k.enableKey),
		server.Write("DisableKey", k.disableKey),
		server.Write("ScheduleKeyDeletion", k.scheduleKeyDeletion),
		server.Write("CancelKeyDeletion", k.cancelKeyDeletion),
		server.Write("TagResource", k.tagResource),
		server.Write("UntagResource", k.untagResource),
		server.Read("ListResourceTags", k.listResourceTags),
	}
}

// Quotas from the Developer Guide's "Quotas" and "Tagging keys" pages.
const (
	maxTags = 50
)

func (k *KMS) createKey(c *server.Call, in *api.CreateKeyRequest) (*api.CreateKeyResponse, error) {
	spec := api.KeySpecSYMMETRICDEFAULT
	switch {
	case in.KeySpec != nil && in.CustomerMasterKeySpec != nil:
		return nil, errValidation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.")
	case in.KeySpec != nil:
		spec = *in.KeySpec
	case in.CustomerMasterKeySpec != nil:
		spec = *in.CustomerMasterKeySpec
	}
	info := specs[spec]
	if info == nil {
		// SM2 exists only in the China Regions.
		return nil, api.NewUnsupportedOperationException("KeySpec " + spec + " is not supported in this Region.")
	}
	usage := api.KeyUsageTypeENCRYPTDECRYPT
	if in.KeyUsage != nil {
		usage = *in.KeyUsage
	} else if spec != api.KeySpecSYMMETRICDEFAULT {
		return nil, errValidation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
	}
	if !info.allows(usage) {
		// Wording inferred; the combinations are the API reference's.
		return nil, errValidation("KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	origin := originKMS
	if in.Origin != nil {
		origin = *in.Origin
	}
	switch {
	case origin == api.OriginTypeAWSCLOUDHSM || origin == api.OriginTypeEXTERNALKEYSTORE || in.CustomKeyStoreId != nil || in.XksKeyId != nil:
		return nil, api.NewCustomKeyStoreNotFoundException("Palisade has no custom key stores.")
	case origin == api.OriginTypeEXTERNAL && mldsaOIDs[spec] != nil:
		// KMS makes every ML-DSA key itself (recorded, 2026: imports_families.json,
		// ML_DSA_44_external_create and its 65 and 87 twins).
		return nil, errValidation("KeySpec %s is not supported for Origin EXTERNAL", spec)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := keyTime(c.Now)
	r := &keyRec{
		ID: auth.NewUUID(), Account: c.Account, Region: c.Region, Created: now, Description: str(in.Description),
		Usage: usage, Spec: spec, Origin: origin, Manager: managerCust, State: stateEnabled, Tags: dedupeTags(nil, in.Tags),
	}
	if in.MultiRegion != nil && *in.MultiRegion {
		r.ID, r.Primary = newMRKID(), c.Region
	}
	r.Policy = defaultPolicy(c.Account)
	if in.Policy != nil {
		if err := k.checkPolicy(c, r, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		r.Policy = *in.Policy
	}
	if origin == originExternal {
		r.State = stateImport
	} else {
		raw, err := generate(spec)
		if err != nil {
			return nil, err
		}
		m := k.newMaterial(r, raw, now, "")
		r.Materials, r.Current = []material{m}, m.ID
	}
	if err := k.putKey(c.Tx, r); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.CreateKeyResponse{KeyMetadata: metadata(r)}, nil
}

// metadata is a key as DescribeKey shows it.
func metadata(r *keyRec) *api.KeyMetadata {
	m := &api.KeyMetadata{
		AWSAccountId: ptr(r.Account), KeyId: r.ID, Arn: ptr(r.arn()), CreationDate: ptr(r.Created),
		Enabled: ptr(r.State == stateEnabled), Description: ptr(r.Description), KeyUsage: ptr(r.Usage),
		KeyState: ptr(r.State), DeletionDate: r.DeletionDate, Origin: ptr(r.Origin), KeyManager: ptr(r.Manager),
		CustomerMasterKeySpec: ptr(r.Spec), KeySpec: ptr(r.Spec), MultiRegion: ptr(r.multiRegion()),
	}
	if r.multiRegion() {
		m.MultiRegionConfiguration = mrkConfig(r)
	}
	if r.State == statePendingReplica {
		// Recorded 2026: multi_region.json, primary_waiting_replicas.
		m.PendingDeletionWindowInDays = ptr(r.PendingWindow)
	}
	m.EncryptionAlgorithms, m.SigningAlgorithms, m.MacAlgorithms, m.KeyAgreementAlgorithms = specs[r.Spec].algorithms(r.Usage)
	if r.Origin == originExternal {
		m.ValidTo = r.ValidTo
		if r.Expiration != "" {
			m.ExpirationModel = ptr(r.Expiration)
		}
	}
	// A replica being created names no material yet (recorded 2026: multi_region.json,
	// replicate_region_ap-east-1, replica_initial).
	if r.Current != "" && r.Spec == api.KeySpecSYMMETRICDEFAULT && r.State != stateCreating {
		m.CurrentKeyMaterialId = ptr(r.Current)
	}
	return m
}

func (k *KMS) describeKey(c *server.Call, in *api.DescribeKeyRequest) (*api.DescribeKeyResponse, error) {
	return &api.DescribeKeyResponse{KeyMetadata: metadata(keyFrom(c, ctxKey))}, nil
}

func (k *KMS) listKeys(c *server.Call, in *api.ListKeysRequest) (*api.ListKeysResponse, error) {
	p, err := newPage(c.Tx, in.Limit, in.Marker, 100)
	if err != nil {
		return nil, err
	}
	out := &api.ListKeysResponse{Keys: []api.KeyListEntry{}, Truncated: ptr(false)}
	err = c.Tx.Scan(ns(c.Account, c.Region, tKeys), p.after, 0, func(id string, v []byte) bool {
		if len(out.Keys) == p.limit {
			out.Truncated, out.NextMarker = ptr(true), nextMarker(c.Tx, *out.Keys[len(out.Keys)-1].KeyId)
			return false
		}
		out.Keys = append(out.Keys, api.KeyListEntry{KeyId: ptr(id), KeyArn: ptr(keyARN(c.Region, c.Account, id))})
		return true
	})
	return out, err
}

// customerKey refuses changes to AWS managed keys. Their key policy already denies
// customers every management action; this covers the callers that policy would not
// stop (a grant cannot name management operations, so none today).
func customerKey(r *keyRec) error {
	if r.Manager == managerAWS {
		return api.NewUnsupportedOperationException(r.arn() + " is an AWS managed key; it cannot be changed.")
	}
	return nil
}

func (k *KMS) updateKeyDescription(c *server.Call, in *api.UpdateKeyDescriptionRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(customerKey(r), notDeleting(r)); err != nil {
		return nil, err
	}
	r.Description = in.Description
	k.resources(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) enableKey(c *server.Call, in *api.EnableKeyRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(customerKey(r), notDeleting(r)); err != nil {
		return nil, err
	}
	// A multi-Region key being created or changing primary is not enabled or disabled
	// until that is done (Developer Guide, "Key states": wording inferred).
	if r.State == stateImport || r.State == stateCreating || r.State == stateUpdating {
		return nil, errState(r)
	}
	r.State = stateEnabled
	if r.Rotation != nil {
		// A rotation that fell due while the key was disabled happens now.
		if err := k.schedule(c.Tx, maxTime(r.Rotation.Next, c.Now), r, jobRotate); err != nil {
			return nil, err
		}
	}
	k.resources(c, r)
	keyIDResponse(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) disableKey(c *server.Call, in *api.DisableKeyRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(customerKey(r), notDeleting(r)); err != nil {
		return nil, err
	}
	if r.State == stateImport || r.State == stateCreating || r.State == stateUpdating {
		return nil, errState(r)
	}
	r.State = stateDisabled
	k.resources(c, r)
	keyIDResponse(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) scheduleKeyDeletion(c *server.Call, in *api.ScheduleKeyDeletionRequest) (*api.ScheduleKeyDeletionResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(customerKey(r), notDeleting(r)); err != nil {
		return nil, err
	}
	days := int32(30)
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
	}
	if days < 7 || days > 30 {
		bound := "less than or equal to 30"
		if days < 7 {
			bound = "greater than or equal to 7"
		}
		// The model allows 1-365; KMS itself refuses what is outside 7-30, in its
		// validation wording.
		return nil, errValidation("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value %s", days, bound)
	}
	if r.multiRegion() && !r.replica() && len(r.Replicas) > 0 {
		// A primary waits for its replicas to be deleted, and its own waiting period
		// starts after the last (recorded 2026: multi_region.json,
		// delete_primary_with_replica: no DeletionDate).
		r.State, r.DeletionDate, r.PendingWindow = statePendingReplica, nil, days
		k.resources(c, r)
		return &api.ScheduleKeyDeletionResponse{KeyId: ptr(r.arn()), KeyState: ptr(r.State), PendingWindowInDays: ptr(days)},
			k.putKey(c.Tx, r)
	}
	at := keyTime(c.Now).AddDate(0, 0, int(days))
	r.State, r.DeletionDate, r.PendingWindow = statePending, &at, days
	if err := k.schedule(c.Tx, at, r, jobDelete); err != nil {
		return nil, err
	}
	k.resources(c, r)
	return &api.ScheduleKeyDeletionResponse{KeyId: ptr(r.arn()), DeletionDate: &at, KeyState: ptr(r.State), PendingWindowInDays: ptr(days)},
		k.putKey(c.Tx, r)
}

func (k *KMS) cancelKeyDeletion(c *server.Call, in *api.CancelKeyDeletionRequest) (*api.CancelKeyDeletionResponse, error) {
	r := keyFrom(c, ctxKey)
	if err := customerKey(r); err != nil {
		return nil, err
	}
	if r.State != statePending && r.State != statePendingReplica {
		return nil, api.NewKMSInvalidStateException(r.arn() + " is not pending deletion.")
	}
	// A key whose deletion is cancelled comes back disabled (imported keys without
	// material come back pending import).
	r.State, r.DeletionDate, r.PendingWindow = stateDisabled, nil, 0
	if r.Origin == originExternal && r.currentMaterial() == nil {
		r.State = stateImport
	}
	k.resources(c, r)
	return &api.CancelKeyDeletionResponse{KeyId: ptr(r.arn())}, k.putKey(c.Tx, r)
}

// Tag errors as KMS words them (LocalStack's AWS-validated recordings
// test_create_key_with_too_many_tags_raises_error,
// test_tag_key_with_duplicate_tag_keys_raises_error and
// test_tag_existing_key_with_invalid_tag_key: TagException, no final period).
func errTooManyTags() error { return api.NewTagException("Too many tags") }

// checkTags refuses a request's tags: more than a key may have, a key given twice,
// or a key in the reserved aws: prefix (any case).
func checkTags(tags []api.Tag) error {
	if len(tags) > maxTags {
		return errTooManyTags()
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if seen[t.TagKey] {
			return api.NewTagException("Duplicate tag keys")
		}
		seen[t.TagKey] = true
		if strings.HasPrefix(strings.ToLower(t.TagKey), "aws:") {
			return api.NewTagException("Tags beginning with aws: are reserved")
		}
	}
	return nil
}

// dedupeTags merges tags into a list, later values replacing earlier ones.
func dedupeTags(old, add []api.Tag) []api.Tag {
	out := append([]api.Tag(nil), old...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].TagKey == t.TagKey {
				out[i].TagValue, replaced = t.TagValue, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func (k *KMS) tagResource(c *server.Call, in *api.TagResourceRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(customerKey(r), notDeleting(r), checkTags(in.Tags)); err != nil {
		return nil, err
	}
	tags := dedupeTags(r.Tags, in.Tags)
	if len(tags) > maxTags {
		// The recorded answer is CreateKey's; a TagResource that would pass the
		// limit is taken to get the same one.
		return nil, errTooManyTags()
	}
	r.Tags = tags
	k.resources(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) untagResource(c *server.Call, in *api.UntagResourceRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(customerKey(r), notDeleting(r)); err != nil {
		return nil, err
	}
	var kept []api.Tag
	for _, t := range r.Tags {
		drop := false
		for _, key := range in.TagKeys {
			drop = drop || t.TagKey == key
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	r.Tags = kept
	k.resources(c, r)
	keyIDResponse(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) listResourceTags(c *server.Call, in *api.ListResourceTagsRequest) (*api.ListResourceTagsResponse, error) {
	r := keyFrom(c, ctxKey)
	p, err := newPage(c.Tx, in.Limit, in.Marker, 50)
	if err != nil {
		return nil, err
	}
	start := 0
	if p.after != "" {
		if err := json.Unmarshal([]byte(p.after), &start); err != nil || start < 0 || start > len(r.Tags) {
			return nil, errInvalidMarker()
		}
	}
	out := &api.ListResourceTagsResponse{Tags: []api.Tag{}, Truncated: ptr(false)}
	end := min(start+p.limit, len(r.Tags))
	out.Tags = append(out.Tags, r.Tags[start:end]...)
	if end < len(r.Tags) {
		b, _ := json.Marshal(end)
		out.Truncated, out.NextMarker = ptr(true), nextMarker(c.Tx, string(b))
	}
	return out, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
