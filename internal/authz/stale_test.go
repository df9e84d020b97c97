package authz

import (
	"context"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// storedGrants reads a principal's one identity policy from the store, as IAM does.
type storedGrants struct{}

const grantsNS = "test/grants"

func (storedGrants) PrincipalGrants(tx *store.Tx, p auth.Principal) (*Grants, error) {
	v, ok, err := tx.Get(grantsNS, p.ARN)
	if err != nil || !ok {
		return &Grants{}, err
	}
	return &Grants{Identity: []PolicyDoc{{Name: "inline", Doc: string(v)}}}, nil
}

const allowGetUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`

// A decision made on a snapshot taken before an IAM change committed must not be
// cached as the principal's policies after the change: once the change is
// acknowledged (its commit hook ran), every later call decides on the new policies.
func TestPrincipalSetNotCachedFromOlderSnapshot(t *testing.T) {
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := New(storedGrants{})
	a.SetStore(db)
	ctx := context.Background()
	alice := auth.Principal{Type: auth.IAMUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserID: "AIDAALICE"}
	caller := &Caller{Principal: alice, Now: time.Now()}
	chk := &Check{Action: "iam:GetUser", Resource: "arn:aws:iam::111122223333:user/alice"}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Put(grantsNS, alice.ARN, []byte(allowGetUser)) }); err != nil {
		t.Fatal(err)
	}
	decide := func(tx *store.Tx) policy.Decision {
		t.Helper()
		d, err := a.Decide(tx, caller, chk)
		if err != nil {
			t.Fatal(err)
		}
		return d.Result.Decision
	}
	// A read call's snapshot is fixed by its first read (the service's checks read
	// the resource) before the change commits; it authorizes after the change's hook.
	err = db.View(ctx, func(tx *store.Tx) error {
		if _, _, err := tx.Get(grantsNS, "first read"); err != nil {
			return err
		}
		if err := db.Update(ctx, func(w *store.Tx) error {
			w.AfterCommit(func() { a.Changed(alice.Account) })
			_, err := w.Delete(grantsNS, alice.ARN)
			return err
		}); err != nil {
			return err
		}
		if got := decide(tx); got != policy.Allowed {
			t.Errorf("on the older snapshot: %v, want Allowed", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The change is acknowledged: every call from now on is denied.
	for i := range 50 {
		var got policy.Decision
		if err := db.View(ctx, func(tx *store.Tx) error { got = decide(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		if got != policy.ImplicitDeny {
			t.Fatalf("call %d after the change: %v, want ImplicitDeny", i, got)
		}
		time.Sleep(time.Millisecond)
	}
}

// storedOrgs places an account in an organization whose one SCP is stored.
type storedOrgs struct{}

func (storedOrgs) AccountOrg(tx *store.Tx, account string) (*OrgInfo, error) {
	v, ok, err := tx.Get(grantsNS, "scp")
	if err != nil || !ok {
		return nil, err
	}
	return &OrgInfo{ID: "o-abcdefghij", ManagementAccount: "999999999999", Path: "o-abcdefghij/r-abcd/",
		SCPs: [][]PolicyDoc{{{Name: "scp", Doc: string(v)}}}}, nil
}

// The same holds for organizations: an SCP attached after a call's snapshot was taken
// is not forgotten by the calls that follow the attachment's acknowledgement.
func TestOrgSetNotCachedFromOlderSnapshot(t *testing.T) {
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := New(storedGrants{})
	a.SetStore(db)
	a.SetOrganizations(storedOrgs{})
	ctx := context.Background()
	alice := auth.Principal{Type: auth.IAMUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserID: "AIDAALICE"}
	caller := &Caller{Principal: alice, Now: time.Now()}
	chk := &Check{Action: "iam:GetUser", Resource: "arn:aws:iam::111122223333:user/alice"}
	const denyAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Put(grantsNS, alice.ARN, []byte(allowGetUser)) }); err != nil {
		t.Fatal(err)
	}
	decide := func(tx *store.Tx) policy.Decision {
		t.Helper()
		d, err := a.Decide(tx, caller, chk)
		if err != nil {
			t.Fatal(err)
		}
		return d.Result.Decision
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		if _, _, err := tx.Get(grantsNS, "first read"); err != nil {
			return err
		}
		if err := db.Update(ctx, func(w *store.Tx) error {
			w.AfterCommit(a.OrgChanged)
			return w.Put(grantsNS, "scp", []byte(denyAll))
		}); err != nil {
			return err
		}
		if got := decide(tx); got != policy.Allowed {
			t.Errorf("on the older snapshot: %v, want Allowed", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		var got policy.Decision
		if err := db.View(ctx, func(tx *store.Tx) error { got = decide(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		if got != policy.ExplicitDeny {
			t.Fatalf("call %d after the SCP's attachment: %v, want ExplicitDeny", i, got)
		}
		time.Sleep(time.Millisecond)
	}
}
