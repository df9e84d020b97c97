package kms

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Multi-Region keys. Related keys share an mrk- key ID, one account and, in every
// Region's record, the same list of Regions (Primary, Replicas). What the Developer
// Guide calls shared properties (key material, spec, usage, origin, automatic
// rotation) is the primary's: every write of the primary copies it to its replicas
// (syncReplicas), the material sealed again under each replica's ARN, so a ciphertext
// of one related key opens with any other and rotation happens once for all.
// Policy, tags, description, aliases, grants and key state are each key's own.

// mrkSettle is how long a new replica stays Creating and a primary change leaves both
// keys Updating. KMS does both asynchronously (stackd testdata/aws/kms/multi_region.json:
// replica_initial Creating, replica_ready_poll Enabled; former_primary_updating,
// primary_change_poll); the delay is Palisade's choice, on Palisade's clock.
const mrkSettle = 5 * time.Second

func (r *keyRec) multiRegion() bool { return strings.HasPrefix(r.ID, "mrk-") }

func (r *keyRec) replica() bool { return r.multiRegion() && r.Primary != r.Region }

// settle ends a Creating or Updating state whose time has come. A replica of a key
// with imported material then waits for the material to be imported in its Region
// (recorded 2026: imports_multi_region.json, replica_pending_poll: PendingImport, no
// ExpirationModel).
func (r *keyRec) settle(now time.Time) {
	if r.Until != nil && !now.Before(*r.Until) && (r.State == stateCreating || r.State == stateUpdating) {
		r.State, r.Until = stateEnabled, nil
		if r.Origin == originExternal && r.currentMaterial() == nil {
			r.State, r.Expiration, r.ValidTo = stateImport, "", nil
		}
	}
}

// kmsPrincipal is the service that acts in another Region on a caller's behalf, as
// records of multi-Region operations name it in userIdentity.invokedBy.
const kmsPrincipal = "kms.amazonaws.com"

func newMRKID() string { return "mrk-" + strings.ReplaceAll(auth.NewUUID(), "-", "") }

// mrkConfig is MultiRegionConfiguration: replicas listed by Region.
func mrkConfig(r *keyRec) *api.MultiRegionConfiguration {
	typ := api.MultiRegionKeyTypePRIMARY
	if r.replica() {
		typ = api.MultiRegionKeyTypeREPLICA
	}
	out := &api.MultiRegionConfiguration{
		MultiRegionKeyType: ptr(typ),
		PrimaryKey:         &api.MultiRegionKey{Arn: ptr(keyARN(r.Primary, r.Account, r.ID)), Region: ptr(r.Primary)},
		ReplicaKeys:        []api.MultiRegionKey{},
	}
	for _, region := range r.Replicas {
		out.ReplicaKeys = append(out.ReplicaKeys, api.MultiRegionKey{Arn: ptr(keyARN(region, r.Account, r.ID)), Region: ptr(region)})
	}
	return out
}

// awsRegions are the Regions of the aws partition where KMS serves multi-Region keys
// (the AWS General Reference's KMS endpoints, 2026; inferred, not recorded).
var awsRegions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true, "af-south-1": true,
	"ap-east-1": true, "ap-east-2": true, "ap-south-1": true, "ap-south-2": true, "ap-northeast-1": true,
	"ap-northeast-2": true, "ap-northeast-3": true, "ap-southeast-1": true, "ap-southeast-2": true,
	"ap-southeast-3": true, "ap-southeast-4": true, "ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ca-central-1": true, "ca-west-1": true, "eu-central-1": true, "eu-central-2": true, "eu-west-1": true,
	"eu-west-2": true, "eu-west-3": true, "eu-south-1": true, "eu-south-2": true, "eu-north-1": true,
	"il-central-1": true, "me-south-1": true, "me-central-1": true, "mx-central-1": true, "sa-east-1": true,
}

// otherPartition tells Regions of other partitions (China, GovCloud, ISO, the EU
// sovereign cloud) by their names.
func otherPartition(region string) bool {
	for _, p := range []string{"cn-", "us-gov-", "us-iso-", "us-isob-", "us-isof-", "eu-isoe-", "eusc-"} {
		if strings.HasPrefix(region, p) {
			return true
		}
	}
	return false
}

func (k *KMS) mrkHandlers() []server.Handler {
	return []server.Handler{
		server.Write("ReplicateKey", k.replicateKey),
		server.Write("UpdatePrimaryRegion", k.updatePrimaryRegion),
	}
}

// notPrimary is ReplicateKey's answer for a key that is not a multi-Region primary
// (recorded 2026: multi_region.json, replicate_replica).
func notPrimary(r *keyRec) error {
	return api.NewUnsupportedOperationException(r.arn() + " is not a multi-region primary key.")
}

func (k *KMS) replicateKey(c *server.Call, in *api.ReplicateKeyRequest) (*api.ReplicateKeyResponse, error) {
	p := keyFrom(c, ctxKey)
	if !p.multiRegion() || p.replica() {
		return nil, notPrimary(p)
	}
	if err := customerKey(p); err != nil {
		return nil, err
	}
	if p.State != stateEnabled {
		// A disabled primary is DisabledException, one pending import
		// KMSInvalidStateException (recorded 2026: multi_region.json
		// replicate_disabled_primary; imports_multi_region.json replicate_pending_import).
		return nil, errState(p)
	}
	region := in.ReplicaRegion
	switch {
	case region == p.Region:
		return nil, errValidation("%s cannot have a replica because it contains the primary.", region)
	case otherPartition(region):
		return nil, errValidation("The replica key Region must be in the same AWS partition as the primary key Region.")
	case !awsRegions[region]:
		return nil, errValidation("Region %s is not a valid Region or multi-Region keys are not supported in Region %s.", region, region)
	}
	if old, err := k.readKey(c.Tx, p.Account, region, p.ID); err != nil {
		return nil, err
	} else if old != nil {
		// Also while that replica is pending deletion (recorded 2026: multi_region.json
		// replicate_existing, replicate_deleting_replica).
		return nil, api.NewAlreadyExistsException("You can create only one replica of each primary key in each AWS Region.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := keyTime(c.Now)
	until := now.Add(mrkSettle)
	r := &keyRec{
		ID: p.ID, Account: p.Account, Region: region, Created: now, Description: str(in.Description),
		Usage: p.Usage, Spec: p.Spec, Origin: p.Origin, Manager: managerCust, State: stateCreating, Until: &until,
		Tags: dedupeTags(nil, in.Tags), Policy: defaultPolicy(p.Account),
	}
	if in.Policy != nil {
		if err := k.checkPolicy(c, r, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		r.Policy = *in.Policy
	}
	p.Replicas = append(p.Replicas, region)
	slices.Sort(p.Replicas)
	if err := k.putKey(c.Tx, r); err != nil {
		return nil, err
	}
	// putKey of the primary gives every related key, the new one too, the list of
	// Regions and the shared properties.
	if err := k.putKey(c.Tx, p); err != nil {
		return nil, err
	}
	r, err := k.readKey(c.Tx, p.Account, region, p.ID)
	if err != nil {
		return nil, err
	}
	k.resources(c, p)
	out := &api.ReplicateKeyResponse{ReplicaKeyMetadata: metadata(r), ReplicaPolicy: ptr(r.Policy)}
	if p.Expiration != "" {
		// The answer shows the primary's expiration model, which the replica does not
		// have once created (recorded 2026: imports_multi_region.json,
		// replicate_imported_primary, replica_pending_poll).
		out.ReplicaKeyMetadata.ExpirationModel = ptr(p.Expiration)
	}
	if len(r.Tags) > 0 {
		out.ReplicaTags = r.Tags
	}
	// "A ReplicateKey request results in a ReplicateKey operation and a CreateKey
	// operation" (Developer Guide, ct-replicate-key): the ReplicateKey record here,
	// naming the primary, and a CreateKey record in the replica's Region, naming the
	// replica. The guide shows only the first; the CreateKey record's fields are
	// inferred: the caller's identity invoked by KMS (as UpdatePrimaryRegion's record
	// in the new primary's Region shows it), the replica's properties as CreateKey's
	// parameters, its metadata as CreateKey's answer, the call's requestID.
	c.RecordIn(audit.InRegion{
		Region: region, Operation: "CreateKey", InvokedBy: kmsPrincipal,
		Input: model.Marshal(&api.CreateKeyRequest{
			Description: in.Description, Policy: in.Policy, BypassPolicyLockoutSafetyCheck: in.BypassPolicyLockoutSafetyCheck,
			Tags: in.Tags, KeyUsage: ptr(r.Usage), KeySpec: ptr(r.Spec), Origin: ptr(r.Origin), MultiRegion: ptr(true),
		}),
		Output:    model.Marshal(&api.CreateKeyResponse{KeyMetadata: out.ReplicaKeyMetadata}),
		Resources: keyResources(r),
	})
	return out, nil
}

func (k *KMS) updatePrimaryRegion(c *server.Call, in *api.UpdatePrimaryRegionRequest) (*model.Empty, error) {
	p := keyFrom(c, ctxKey)
	if !p.multiRegion() || p.replica() {
		// KMSInvalidStateException here, not ReplicateKey's UnsupportedOperation, and
		// "multi-Region" (recorded 2026: multi_region.json, update_from_replica).
		return nil, api.NewKMSInvalidStateException(p.arn() + " is not a multi-Region primary key.")
	}
	if err := customerKey(p); err != nil {
		return nil, err
	}
	// Records of UpdatePrimaryRegion since December 2022 name the key they changed in
	// responseElements, though the operation answers nothing (Developer Guide,
	// ct-update-primary-region).
	c.ResponseElements = map[string]any{"keyId": p.arn()}
	if in.PrimaryRegion == p.Region {
		// Recorded 2026: multi_region.json, update_primary_same. Nothing changes in
		// another Region, so there is no second record (inferred).
		return &model.Empty{}, nil
	}
	if !slices.Contains(p.Replicas, in.PrimaryRegion) {
		return nil, errValidation("%s does not have a replica key in the specified Region.", p.ID)
	}
	r := keyFrom(c, ctxTarget)
	if r == nil {
		return nil, errValidation("%s does not have a replica key in the specified Region.", p.ID)
	}
	// The primary's state first, then the replica's (recorded 2026: multi_region.json
	// promote_disabled_primary, promote_deleting_replica, promote_disabled_replica).
	if p.State != stateEnabled {
		return nil, errState(p)
	}
	if r.State != stateEnabled {
		return nil, errState(r)
	}
	until := keyTime(c.Now).Add(mrkSettle)
	old := p.Region
	p.Replicas = slices.DeleteFunc(p.Replicas, func(s string) bool { return s == in.PrimaryRegion })
	p.Replicas = append(p.Replicas, old)
	slices.Sort(p.Replicas)
	p.Primary = in.PrimaryRegion
	p.State, p.Until = stateUpdating, &until
	r.State, r.Until = stateUpdating, &until
	r.Primary, r.Replicas = p.Primary, p.Replicas
	if err := k.putKey(c.Tx, p); err != nil {
		return nil, err
	}
	if err := k.putKey(c.Tx, r); err != nil {
		return nil, err
	}
	if r.Rotation != nil {
		// Automatic rotation is the primary's work: the new primary takes it on.
		if err := k.schedule(c.Tx, maxTime(r.Rotation.Next, c.Now), r, jobRotate); err != nil {
			return nil, err
		}
	}
	k.resources(c, p)
	// The operation writes two records: this one, in the Region of the former primary,
	// and one in the Region of the new primary (Developer Guide,
	// ct-update-primary-region). The second names the new primary's key ARN as keyId,
	// shows the caller invoked by KMS and carries the call's requestID; its
	// responseElements.keyId and resources name that Region's key, as the first
	// record's do (the guide's second example predates responseElements.keyId and
	// shows no resources: inferred).
	c.RecordIn(audit.InRegion{
		Region: r.Region, InvokedBy: kmsPrincipal,
		Input:            map[string]any{"KeyId": r.arn(), "PrimaryRegion": in.PrimaryRegion},
		ResponseElements: map[string]any{"keyId": r.arn()},
		Resources:        keyResources(r),
	})
	return &model.Empty{}, nil
}

// syncEvent records KMS copying a multi-Region primary's new key material to its
// replicas, as CloudTrail's SynchronizeMultiRegionKey in the primary's Region
// (Developer Guide, ct-synchronize-multi-region-key: the primary alone in resources,
// its ARN as responseElements.keyId since December 2022, "AWS Internal" as the
// caller). KMS also synchronizes periodically; Palisade records it when a rotation
// gives a primary with replicas new material (inferred: when AWS writes it is not
// documented beyond "periodically").
func (k *KMS) syncEvent(tx *store.Tx, p *keyRec, now time.Time) error {
	if !p.multiRegion() || p.replica() || len(p.Replicas) == 0 {
		return nil
	}
	const internal = "AWS Internal"
	rec := audit.Record{
		EventVersion: audit.EventVersion, UserIdentity: audit.UserIdentity{AccountID: p.Account, InvokedBy: internal},
		EventTime: audit.FormatTime(now), EventSource: "kms.amazonaws.com", EventName: "SynchronizeMultiRegionKey",
		AWSRegion: p.Region, SourceIPAddress: internal, UserAgent: internal,
		RequestParameters: json.RawMessage("null"), ResponseElements: json.RawMessage(`{"keyId":` + strconv.Quote(p.arn()) + `}`),
		RequestID: auth.NewUUID(), EventID: auth.NewUUID(), Resources: keyResources(p),
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: p.Account, EventCategory: "Management",
	}
	data, err := audit.Marshal(&rec)
	if err != nil {
		return err
	}
	return tx.AppendEvent(&store.Event{Time: now.UnixMilli(), Account: p.Account, Region: p.Region, Source: audit.Source, Kind: audit.Kind, Data: data})
}

// syncReplicas copies a primary's Regions and shared properties to its replicas,
// within the transaction that changed the primary.
func (k *KMS) syncReplicas(tx *store.Tx, p *keyRec) error {
	if !p.multiRegion() || p.replica() {
		return nil
	}
	for _, region := range p.Replicas {
		r, err := load[keyRec](tx, ns(p.Account, region, tKeys), p.ID)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		r.Primary, r.Replicas = p.Primary, p.Replicas
		r.Spec, r.Usage, r.Origin = p.Spec, p.Usage, p.Origin
		r.Rotation, r.OnDemand = p.Rotation, p.OnDemand
		if p.Origin == originExternal {
			syncImported(p, r)
			if err := k.putOne(tx, r); err != nil {
				return err
			}
			continue
		}
		r.Current = p.Current
		have := make(map[string]material, len(r.Materials))
		for _, m := range r.Materials {
			have[m.ID] = m
		}
		mats := make([]material, 0, len(p.Materials))
		for _, m := range p.Materials {
			if old, ok := have[m.ID]; ok && (old.Sealed != nil) == (m.Sealed != nil) {
				old.Rotation, old.Created, old.Pending = m.Rotation, m.Created, m.Pending
				mats = append(mats, old)
				continue
			}
			cp := m
			if m.Sealed != nil {
				raw, err := k.open(p, &m)
				if err != nil {
					return err
				}
				cp.Sealed = k.sealer.Seal(raw, sealContext(r.arn(), m.ID))
			}
			mats = append(mats, cp)
		}
		r.Materials = mats
		if err := k.putOne(tx, r); err != nil {
			return err
		}
	}
	return nil
}

// dropReplica takes a deleted replica's Region out of its related keys; a primary
// waiting for its replicas' deletion (PendingReplicaDeletion) starts its own
// waiting period when the last one is deleted, not just scheduled (API reference,
// ScheduleKeyDeletion and KeyMetadata.PendingDeletionWindowInDays; the recorded
// primary had a DeletionDate once its replicas were gone: multi_region.json,
// cleanup_followup).
func (k *KMS) dropReplica(tx *store.Tx, r *keyRec, now time.Time) error {
	p, err := load[keyRec](tx, ns(r.Account, r.Primary, tKeys), r.ID)
	if err != nil || p == nil {
		return err
	}
	p.Replicas = slices.DeleteFunc(p.Replicas, func(s string) bool { return s == r.Region })
	if p.State == statePendingReplica && len(p.Replicas) == 0 {
		at := keyTime(now).AddDate(0, 0, int(p.PendingWindow))
		p.State, p.DeletionDate = statePending, &at
		if err := k.schedule(tx, at, p, jobDelete); err != nil {
			return err
		}
	}
	return k.putKey(tx, p)
}

// syncImported gives a replica of a key with imported material its primary's list of
// materials, each imported in the replica's Region or not (every Region imports the
// material itself), and its current material: one the replica has not imported
// leaves it pending import (recorded 2026: imports_rotation_replica.json,
// delete_replica_pending then encrypt_after_rotation_us-west-2;
// imports_multi_region.json, replica_missing_second_history).
func syncImported(p, r *keyRec) {
	have := make(map[string]material, len(r.Materials))
	for _, m := range r.Materials {
		have[m.ID] = m
	}
	mats := make([]material, 0, len(p.Materials))
	for _, m := range p.Materials {
		old, ok := have[m.ID]
		if !ok {
			old = material{ID: m.ID}
		}
		old.Created, old.Rotation, old.Pending, old.Description = m.Created, m.Rotation, m.Pending, m.Description
		mats = append(mats, old)
	}
	r.Materials = mats
	if p.Current == "" || p.Current == r.Current {
		return
	}
	r.Current = p.Current
	r.Expiration, r.ValidTo = "", nil
	if cur := r.currentMaterial(); cur != nil {
		r.Expiration, r.ValidTo = cur.Expiration, cur.ValidTo
	} else if r.State == stateEnabled || r.State == stateDisabled {
		r.State = stateImport
	}
}
