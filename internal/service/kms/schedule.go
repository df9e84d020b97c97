package kms

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
)

// The schedule is one global namespace of due entries,
// "<due unix nanoseconds, 20 digits>/<account>/<region>/<key ID>/<job>", so the
// runner finds what is due with one ordered scan. Entries are hints: the runner
// checks the key's state when an entry falls due, so a cancelled deletion or a
// disabled rotation needs no clean-up.
var scheduleNS = store.NS("kms", "", "", "schedule")

// Jobs the runner does.
const (
	jobDelete = "delete" // a key pending deletion reaches its deletion date
	jobRotate = "rotate" // automatic rotation falls due
	jobExpire = "expire" // imported key material expires
)

// schedule adds an entry and wakes the runner once the transaction commits.
func (k *KMS) schedule(tx *store.Tx, at time.Time, r *keyRec, job string) error {
	key := fmt.Sprintf("%020d/%s/%s/%s/%s", at.UnixNano(), r.Account, r.Region, r.ID, job)
	if err := tx.Put(scheduleNS, key, nil); err != nil {
		return err
	}
	tx.AfterCommit(func() {
		select {
		case k.wake <- struct{}{}:
		default:
		}
	})
	return nil
}

// Run does the time-driven work until ctx ends: it sleeps until the next entry falls
// due on Palisade's clock, or until the clock is moved or a new entry is scheduled.
func (k *KMS) Run(ctx context.Context) {
	for {
		changed := k.clock.Changed()
		next, err := k.runDue(ctx)
		wait := time.Hour
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			k.log.Error("kms scheduled work failed", "err", err)
			wait = 5 * time.Second
		} else if !next.IsZero() {
			wait = min(wait, max(next.Sub(k.clock.Now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-changed:
		case <-k.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// runDue does every entry due now and returns when the next one falls due (zero
// when none is scheduled).
func (k *KMS) runDue(ctx context.Context) (time.Time, error) {
	for {
		now := k.clock.Now()
		bound := fmt.Sprintf("%020d/", now.UnixNano()+1)
		var due []string
		var next time.Time
		err := k.db.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(scheduleNS, "", 0, func(key string, _ []byte) bool {
				if key >= bound {
					var ns int64
					fmt.Sscanf(key[:20], "%d", &ns)
					next = time.Unix(0, ns)
					return false
				}
				due = append(due, key)
				return len(due) < 100
			})
		})
		if err != nil || len(due) == 0 {
			return next, err
		}
		err = k.db.Update(ctx, func(tx *store.Tx) error {
			for _, e := range due {
				if err := k.runEntry(tx, e, now); err != nil {
					return err
				}
				if _, err := tx.Delete(scheduleNS, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return time.Time{}, err
		}
	}
}

func (k *KMS) runEntry(tx *store.Tx, entry string, now time.Time) error {
	parts := strings.Split(entry, "/")
	if len(parts) != 5 {
		return nil
	}
	account, region, id, job := parts[1], parts[2], parts[3], parts[4]
	r, err := k.readKey(tx, account, region, id)
	if err != nil || r == nil {
		return err
	}
	r.settle(now)
	switch job {
	case jobDelete:
		if r.State != statePending || r.DeletionDate == nil || now.Before(*r.DeletionDate) {
			return nil
		}
		if err := k.deleteKey(tx, r); err != nil {
			return err
		}
		if r.replica() {
			if err := k.dropReplica(tx, r, now); err != nil {
				return err
			}
		}
		return k.serviceEvent(tx, r, "DeleteKey", now, nil)
	case jobRotate:
		if r.Rotation == nil || now.Before(r.Rotation.Next) || r.State != stateEnabled || r.replica() {
			// A disabled key is not rotated; EnableKey schedules the rotation again.
			// A replica rotates with its primary.
			return nil
		}
		previous := r.Current
		k.rotate(r, now, "AUTOMATIC")
		r.Rotation.Next = keyTime(now).AddDate(0, 0, int(r.Rotation.PeriodDays))
		if err := k.putKey(tx, r); err != nil {
			return err
		}
		if err := k.schedule(tx, r.Rotation.Next, r, jobRotate); err != nil {
			return err
		}
		// KMS Developer Guide, ct-rotatekey: the example's serviceEventDetails are cut
		// off after currentKeyMaterialId; any further members are not shown.
		details := map[string]any{"rotationType": "AUTOMATIC", "keyOrigin": r.Origin, "previousKeyMaterialId": previous, "currentKeyMaterialId": r.Current}
		if err := k.serviceEvent(tx, r, "RotateKey", now, details); err != nil {
			return err
		}
		return k.syncEvent(tx, r, now)
	case jobExpire:
		if r.ValidTo == nil || now.Before(*r.ValidTo) || r.currentMaterial() == nil {
			return nil
		}
		expired := r.Current
		dropImported(r)
		if err := k.putKey(tx, r); err != nil {
			return err
		}
		// KMS Developer Guide, ct-deleteexpiredkeymaterial.
		return k.serviceEvent(tx, r, "DeleteExpiredKeyMaterial", now, map[string]any{"keyId": r.ID, "keyMaterialId": expired})
	}
	return nil
}

// deleteKey removes a key with its aliases and grants.
func (k *KMS) deleteKey(tx *store.Tx, r *keyRec) error {
	k.cache.changed(tx, r.Account, r.Region, r.ID, nil)
	if _, err := tx.Delete(ns(r.Account, r.Region, tKeys), r.ID); err != nil {
		return err
	}
	var aliases, grants []string
	err := tx.Scan(ns(r.Account, r.Region, tAliases), "", 0, func(name string, v []byte) bool {
		var a aliasRec
		if json.Unmarshal(v, &a) == nil && a.KeyID == r.ID {
			aliases = append(aliases, name)
		}
		return true
	})
	if err != nil {
		return err
	}
	err = tx.Scan(ns(r.Account, r.Region, tGrants), r.ID+"/", 0, func(key string, _ []byte) bool {
		if !strings.HasPrefix(key, r.ID+"/") {
			return false
		}
		grants = append(grants, key)
		return true
	})
	if err != nil {
		return err
	}
	for _, a := range aliases {
		if _, err := tx.Delete(ns(r.Account, r.Region, tAliases), a); err != nil {
			return err
		}
	}
	for _, g := range grants {
		if _, err := tx.Delete(ns(r.Account, r.Region, tGrants), g); err != nil {
			return err
		}
	}
	return nil
}

// rotate gives a key new material; older material stays, so old ciphertexts still
// decrypt.
func (k *KMS) rotate(r *keyRec, now time.Time, kind string) {
	m := k.newMaterial(r, randomBytes(32), now, kind)
	r.Materials = append(r.Materials, m)
	r.Current = m.ID
}

// dropImported deletes a key's current imported material: the key waits for it to be
// imported again. Its other materials stay, and decrypt again once it is back (stackd
// testdata/aws/kms/imports_rotation_expiry.json: decrypt_initial_after_expired_rotation
// refused, decrypt_initial_after_restore answered); the entry stays too, so the
// material comes back with its rotation date (after_restore_history).
func dropImported(r *keyRec) {
	if m := r.currentMaterial(); m != nil {
		m.Sealed = nil
	}
	if !r.multiRegion() {
		// A multi-Region key still names the material it waits for (recorded 2026:
		// imports_rotation_replica.json, after_rotation_metadata_us-west-2;
		// imports_multi_region.json, primary_expiry_poll).
		r.Current = ""
	}
	r.ValidTo, r.Expiration = nil, ""
	if r.State != statePending {
		r.State = stateImport
	}
}

// serviceEvent records what KMS did on its own, as CloudTrail's AwsServiceEvent
// records of DeleteKey, RotateKey and DeleteExpiredKeyMaterial: the caller is the
// account invoked by "AWS Internal", which is also the source address and user agent
// (KMS Developer Guide, ct-delete-key, ct-rotatekey, ct-deleteexpiredkeymaterial).
// What it did is in serviceEventDetails, as those pages show it; none of them shows
// additionalEventData. The DeleteKey page's example shows no serviceEventDetails
// (its older version showed the key ID there), so DeleteKey's record has none.
func (k *KMS) serviceEvent(tx *store.Tx, r *keyRec, name string, now time.Time, details map[string]any) error {
	const internal = "AWS Internal"
	rec := audit.Record{
		EventVersion: "1.09", UserIdentity: audit.UserIdentity{AccountID: r.Account, InvokedBy: internal},
		EventTime: audit.FormatTime(now), EventSource: "kms.amazonaws.com", EventName: name,
		AWSRegion: r.Region, SourceIPAddress: internal, UserAgent: internal,
		RequestParameters: json.RawMessage("null"), ResponseElements: json.RawMessage("null"),
		ServiceEventDetails: details,
		RequestID:           auth.NewUUID(), EventID: auth.NewUUID(), ReadOnly: false,
		Resources: []audit.Resource{{ARN: r.arn(), AccountID: r.Account, Type: "AWS::KMS::Key", AccountFirst: true}},
		EventType: "AwsServiceEvent", ManagementEvent: true, RecipientAccountID: r.Account,
		EventCategory: "Management",
	}
	if name == "DeleteKey" {
		// "CloudTrail log entries for this operation recorded on or after December 2022
		// include the key ARN of the affected KMS key in the responseElements.keyId
		// value" (KMS Developer Guide, ct-delete-key); the guide says nothing of the
		// kind for RotateKey or DeleteExpiredKeyMaterial.
		rec.ResponseElements = json.RawMessage(`{"keyId":` + strconv.Quote(r.arn()) + `}`)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.AppendEvent(&store.Event{Time: now.UnixMilli(), Account: r.Account, Region: r.Region, Source: audit.Source, Kind: audit.Kind, Data: data})
}
