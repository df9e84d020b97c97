package kms

import (
	"strconv"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// Rotation quotas and defaults (API reference, EnableKeyRotation and
// RotateKeyOnDemand: "a maximum of 25 times per KMS key"; the quota was 10 when
// AWS introduced on-demand rotation).
const (
	defaultRotationDays = 365
	maxOnDemand         = 25
)

func (k *KMS) rotationHandlers() []server.Handler {
	return []server.Handler{
		server.Write("EnableKeyRotation", k.enableKeyRotation),
		server.Write("DisableKeyRotation", k.disableKeyRotation),
		server.Read("GetKeyRotationStatus", k.getKeyRotationStatus),
		server.Write("RotateKeyOnDemand", k.rotateKeyOnDemand),
		server.Read("ListKeyRotations", k.listKeyRotations),
	}
}

// A key's material can rotate when it is a symmetric encryption key whose material
// KMS generated. KMS answers another origin with its usual origin message and another
// key spec with an UnsupportedOperationException that has no message (LocalStack's
// AWS-validated recordings
// test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material and
// test_rotate_key_on_demand_raises_error_given_non_symmetric_key).
func rotatableOrigin(r *keyRec) error {
	if r.Origin != originKMS {
		return api.NewUnsupportedOperationException(r.arn() + " origin is " + r.Origin + " which is not valid for this operation.")
	}
	return nil
}

func rotatableSpec(r *keyRec) error {
	if r.Spec != api.KeySpecSYMMETRICDEFAULT {
		return api.NewUnsupportedOperationException("")
	}
	return nil
}

// rotationState refuses rotation changes on keys that are not enabled.
func rotationState(r *keyRec) error {
	if r.State != stateEnabled {
		return errState(r)
	}
	return nil
}

// rotationChecks is the order KMS checks a rotation change in: the origin, then the
// key's state, then its spec (a disabled RSA key is DisabledException, a symmetric
// key pending import is the origin error: the recordings
// test_rotate_key_on_demand_raises_error_given_key_is_disabled and
// …_given_key_with_imported_key_material; stackd's testdata/aws/kms/imports.json has
// the origin error for Enable/DisableKeyRotation of a key pending import).
func rotationChecks(r *keyRec) error {
	return firstErr(customerKey(r), rotatableOrigin(r), rotationState(r), rotatableSpec(r))
}

// notReplica refuses a rotation change on a multi-Region replica, which rotates with
// its primary (recorded 2026: multi_region.json, replica_enable-key-rotation,
// replica_disable-key-rotation, replica_rotate-key-on-demand).
func notReplica(r *keyRec, op string) error {
	if r.replica() {
		return api.NewUnsupportedOperationException(r.arn() + " is a multi-region replica key which is not valid for " + op + ".")
	}
	return nil
}

func (k *KMS) enableKeyRotation(c *server.Call, in *api.EnableKeyRotationRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	if err := firstErr(notReplica(r, "EnableKeyRotation"), rotationChecks(r)); err != nil {
		return nil, err
	}
	days := int32(defaultRotationDays)
	if in.RotationPeriodInDays != nil {
		days = *in.RotationPeriodInDays
	}
	r.Rotation = &rotationRec{PeriodDays: days, Next: keyTime(c.Now).AddDate(0, 0, int(days))}
	if err := k.schedule(c.Tx, r.Rotation.Next, r, jobRotate); err != nil {
		return nil, err
	}
	k.resources(c, r)
	keyIDResponse(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) disableKeyRotation(c *server.Call, in *api.DisableKeyRotationRequest) (*model.Empty, error) {
	r := keyFrom(c, ctxKey)
	// Turning off what cannot be on is no error: KMS answered DisableKeyRotation of an
	// HMAC key with success (stackd testdata/aws/kms/rotation.json,
	// hmac_disable-key-rotation), so the key spec is not checked.
	if err := firstErr(notReplica(r, "DisableKeyRotation"), customerKey(r), rotatableOrigin(r), rotationState(r)); err != nil {
		return nil, err
	}
	r.Rotation = nil
	k.resources(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

func (k *KMS) getKeyRotationStatus(c *server.Call, in *api.GetKeyRotationStatusRequest) (*api.GetKeyRotationStatusResponse, error) {
	r := keyFrom(c, ctxKey)
	// Any key has a rotation status: KMS answered false, not an error, for an HMAC
	// key and for EXTERNAL keys with or without material (stackd
	// testdata/aws/kms/rotation.json hmac_get-key-rotation-status, imports.json
	// pending_ and imported_get-key-rotation-status).
	out := &api.GetKeyRotationStatusResponse{KeyId: ptr(r.arn()), KeyRotationEnabled: ptr(false)}
	// A key pending deletion reports rotation disabled, as KMS does.
	if r.Rotation != nil && r.State != statePending {
		out.KeyRotationEnabled = ptr(true)
		out.RotationPeriodInDays = ptr(r.Rotation.PeriodDays)
		out.NextRotationDate = ptr(r.Rotation.Next)
	}
	return out, nil
}

func (k *KMS) rotateKeyOnDemand(c *server.Call, in *api.RotateKeyOnDemandRequest) (*api.RotateKeyOnDemandResponse, error) {
	r := keyFrom(c, ctxKey)
	checks := rotationChecks
	// An EXTERNAL key with material rotates to new imported material; one pending
	// import keeps the origin error LocalStack recorded before KMS rotated imported
	// keys (test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material).
	if r.Origin == originExternal && r.currentMaterial() != nil {
		checks = func(r *keyRec) error { return firstErr(customerKey(r), rotationState(r), rotatableSpec(r)) }
	}
	if err := firstErr(notReplica(r, "RotateKeyOnDemand"), checks(r)); err != nil {
		return nil, err
	}
	if r.OnDemand >= maxOnDemand {
		// KMS's wording (recording test_key_rotations_limits).
		return nil, api.NewLimitExceededException("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: " + r.arn())
	}
	// KMS rotates asynchronously within seconds (minutes for imported material);
	// Palisade rotates before answering, which no client can tell apart from a quick
	// KMS.
	if r.Origin == originExternal && r.currentMaterial() != nil {
		// An EXTERNAL key rotates to the material imported for it as NEW_KEY_MATERIAL
		// (stackd testdata/aws/kms/imports_rotation_replacement.json: rotate_second,
		// and rotate_third's refusal once none waits).
		p := r.pendingMaterial()
		if p == nil {
			return nil, api.NewKMSInvalidStateException("No available key material pending rotation for the key: " + r.arn() + ".")
		}
		if ok, err := k.replicasImported(c, r, p.ID); err != nil {
			return nil, err
		} else if !ok {
			// Recorded 2026: imports_multi_region.json, rotate_before_replica_import.
			return nil, api.NewKMSInvalidStateException("Cannot perform key material rotation: Key material has not been imported for replicas of the Multi-Region key.")
		}
		p.Pending, p.Rotation, p.Created = false, api.RotationTypeONDEMAND, keyTime(c.Now)
		r.Current, r.Imported = p.ID, p.ID
		r.Expiration, r.ValidTo = p.Expiration, p.ValidTo
		switch {
		case p.ValidTo != nil && !c.Now.Before(*p.ValidTo):
			// Material that expired while it waited is current, and gone: the key
			// waits for it to be imported again (imports_rotation_expiry.json,
			// rotate_expired_pending, after_expired_rotation_metadata).
			dropImported(r)
		case p.ValidTo != nil:
			if err := k.schedule(c.Tx, *p.ValidTo, r, jobExpire); err != nil {
				return nil, err
			}
		}
	} else {
		k.rotate(r, c.Now, api.RotationTypeONDEMAND)
	}
	r.OnDemand++
	k.resources(c, r)
	if err := k.putKey(c.Tx, r); err != nil {
		return nil, err
	}
	return &api.RotateKeyOnDemandResponse{KeyId: ptr(r.arn())}, k.syncEvent(c.Tx, r, c.Now)
}

func (k *KMS) listKeyRotations(c *server.Call, in *api.ListKeyRotationsRequest) (*api.ListKeyRotationsResponse, error) {
	r := keyFrom(c, ctxKey)
	// Any key lists its rotations, if only none: KMS answered an empty list for an
	// HMAC key and for an EXTERNAL key pending import (stackd
	// testdata/aws/kms/rotation.json hmac_list-key-rotations, imports.json
	// symmetric_empty_history).
	if in.IncludeKeyMaterial != nil && r.Spec != api.KeySpecSYMMETRICDEFAULT {
		// KMS's words for every HMAC, RSA and ECC key it was asked about (stackd
		// testdata/aws/kms/imports_families.json, the *_history cases).
		return nil, errValidation("Input parameter includeKeyMaterial can only be used with symmetric keys.")
	}
	all := in.IncludeKeyMaterial != nil && *in.IncludeKeyMaterial == api.IncludeKeyMaterialALLKEYMATERIAL
	var entries []api.RotationsListEntry
	for _, m := range r.Materials {
		if m.Rotation == "" && !all {
			continue
		}
		state := api.KeyMaterialStateNONCURRENT
		switch {
		case m.ID == r.Current:
			state = api.KeyMaterialStateCURRENT
		case m.Pending:
			state = api.KeyMaterialStatePENDINGROTATION
			// New material of a multi-Region key waits for every Region to import it
			// (recorded 2026: imports_multi_region.json, primary_missing_replica_history,
			// replica_missing_second_history, multi_rotation_poll).
			if ok, err := k.replicasImported(c, r, m.ID); err != nil {
				return nil, err
			} else if !ok {
				state = api.KeyMaterialStatePENDINGMULTIREGIONIMPORTANDROTATION
			}
		}
		// Entries name the key by its ARN; imported material says it is imported and
		// when it expires (stackd testdata/aws/kms/imports_rotation_replacement.json,
		// imports_expiry.json).
		e := api.RotationsListEntry{KeyId: ptr(r.arn()), KeyMaterialId: ptr(m.ID), KeyMaterialState: ptr(state)}
		if m.Description != "" {
			// Recorded 2026 (stackd testdata/aws/kms/imports_multi_region.json,
			// primary_missing_replica_history: "primary first").
			e.KeyMaterialDescription = ptr(m.Description)
		}
		if r.Origin == originExternal {
			e.ImportState, e.ExpirationModel, e.ValidTo = ptr(api.ImportStateIMPORTED), ptr(m.Expiration), m.ValidTo
			if m.Sealed == nil {
				// Deleted or expired material waits to be imported again (the API
				// reference's example of ListKeyRotations).
				e.ImportState = ptr(api.ImportStatePENDINGIMPORT)
			}
			if m.Expiration == "" && m.ID == r.Current {
				e.ExpirationModel, e.ValidTo = ptr(r.Expiration), r.ValidTo
			}
			if *e.ExpirationModel == "" {
				e.ExpirationModel = nil
			}
		}
		if m.Rotation != "" {
			e.RotationDate, e.RotationType = ptr(m.Created), ptr(m.Rotation)
		}
		entries = append(entries, e)
	}
	p, err := newPage(c.Tx, in.Limit, in.Marker, 100)
	if err != nil {
		return nil, err
	}
	start := 0
	if p.after != "" {
		n, err := strconv.Atoi(p.after)
		if err != nil || n < 0 || n > len(entries) {
			return nil, errInvalidMarker()
		}
		start = n
	}
	end := min(start+p.limit, len(entries))
	out := &api.ListKeyRotationsResponse{Rotations: append([]api.RotationsListEntry{}, entries[start:end]...), Truncated: ptr(false)}
	if end < len(entries) {
		out.Truncated, out.NextMarker = ptr(true), nextMarker(c.Tx, strconv.Itoa(end))
	}
	return out, nil
}
