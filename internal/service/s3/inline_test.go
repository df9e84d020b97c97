package s3_test

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// Small bodies are kept in the store's blobs table, one namespace per body, and
// deleted with their object; bodies an earlier Palisade kept in kv (records whose
// segments lack the blobs flag) are still read, copied and deleted.
func TestInlineBodiesInBlobs(t *testing.T) {
	e := newEnv(t)
	e.bucket("inl")
	e.put("inl", "new", "a small body")
	e.put("inl", "old", "an older body")
	nsCur := store.NS("s3", "", "", "cur", "inl")
	nsKV := store.NS("s3", "", "", "inline")
	blobNS := func(name string) string { return store.NS("s3", "", "", "inline", name) }

	// segFile reads the object's record: its one segment's name and flags.
	segFile := func(tx *store.Tx, key string) (map[string]any, []any) {
		raw, ok, err := tx.Get(nsCur, key)
		if err != nil || !ok {
			t.Fatalf("record %s: %v %v", key, ok, err)
		}
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		segs := rec["s"].([]any)
		if len(segs) != 1 {
			t.Fatalf("segments %v", segs)
		}
		return rec, segs
	}
	var newName, oldName string
	// Rewrite "old" as an earlier Palisade stored it: body in kv, no blobs flag.
	err := e.p.Store.Update(ctx, func(tx *store.Tx) error {
		_, segs := segFile(tx, "new")
		sg := segs[0].(map[string]any)
		newName = sg["f"].(string)
		if sg["i"] != true || sg["b"] != true {
			t.Errorf("new segment %v", sg)
		}
		if _, ok, _ := tx.GetBlob(blobNS(newName), "body"); !ok {
			t.Errorf("new body not in blobs")
		}
		if _, ok, _ := tx.Get(nsKV, newName); ok {
			t.Errorf("new body in kv")
		}
		rec, segs := segFile(tx, "old")
		sg = segs[0].(map[string]any)
		oldName = sg["f"].(string)
		body, ok, err := tx.GetBlob(blobNS(oldName), "body")
		if err != nil || !ok {
			t.Fatalf("old body: %v %v", ok, err)
		}
		if _, err := tx.DeleteBlobs(blobNS(oldName), ""); err != nil {
			return err
		}
		if err := tx.Put(nsKV, oldName, body); err != nil {
			return err
		}
		delete(sg, "b")
		return tx.PutJSON(nsCur, "old", rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	// An earlier Palisade's records are met after an upgrade, on a restart: nothing
	// of them is in memory (the object cache still holds what the PUT wrote).
	e.p.Stop()
	e.p = apptest.StartIn(t, e.p.DataDir)
	e.s3 = s3Client(e.p.RootConfig())
	if got := e.get("inl", "old"); got != "an older body" {
		t.Fatalf("legacy body %q", got)
	}
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("inl"), Key: aws.String("copy"), CopySource: aws.String("inl/old")}))
	if got := e.get("inl", "copy"); got != "an older body" {
		t.Fatalf("copy of legacy body %q", got)
	}
	for _, k := range []string{"new", "old", "copy"} {
		must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("inl"), Key: aws.String(k)}))
	}
	err = e.p.Store.View(ctx, func(tx *store.Tx) error {
		if _, ok, _ := tx.GetBlob(blobNS(newName), "body"); ok {
			t.Errorf("new body left in blobs after delete")
		}
		if _, ok, _ := tx.Get(nsKV, oldName); ok {
			t.Errorf("legacy body left in kv after delete")
		}
		n := 0
		tx.Scan(nsKV, "", 0, func(string, []byte) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d bodies left in kv", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// GET and HEAD serve recently read or written objects from memory: every
// acknowledged write is seen by the next read, while other readers keep filling the
// cache from their snapshots.
func TestObjectCacheFollowsWrites(t *testing.T) {
	e := newEnv(t)
	e.bucket("objcache")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("objcache"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	stop := apptest.Race(4, func(int) string {
		if out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objcache"), Key: aws.String("k")}); err == nil {
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
		return ""
	})
	defer stop()
	var versions []string
	for i := range 40 {
		v := fmt.Sprintf("version %d", i)
		out := e.put("objcache", "k", v)
		versions = append(versions, *out.VersionId)
		if got := e.get("objcache", "k"); got != v {
			t.Fatalf("after put %d: got %q", i, got)
		}
		h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objcache"), Key: aws.String("k")}))
		if *h.ETag != *out.ETag || *h.VersionId != *out.VersionId {
			t.Fatalf("after put %d: head %s %s, want %s %s", i, *h.ETag, *h.VersionId, *out.ETag, *out.VersionId)
		}
	}
	// Deleting the current version makes the previous one current.
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objcache"), Key: aws.String("k"), VersionId: aws.String(versions[39])}))
	if got := e.get("objcache", "k"); got != "version 38" {
		t.Fatalf("after deleting the current version: %q", got)
	}
	// A delete marker hides it.
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objcache"), Key: aws.String("k")}))
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objcache"), Key: aws.String("k")})
	wantErr(t, err, "NoSuchKey", 404, "The specified key does not exist.")
	// Tagging rewrites the current record in place.
	e.put("objcache", "t", "tagged")
	e.get("objcache", "t")
	must(e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("objcache"), Key: aws.String("t"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}))
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objcache"), Key: aws.String("t")}))
	if h.TagCount == nil || *h.TagCount != 1 {
		t.Fatalf("tag count after tagging: %v", h.TagCount)
	}
}

// Overwriting a small object in a bucket that never had versioning writes the new body
// into the old body's blobs-table row (segment.Row) under a fresh body name; readers
// racing the overwrites see one whole version or another, a copy onto itself keeps
// its body, and deleting the object removes the row.
func TestOverwriteReusesBodyRow(t *testing.T) {
	e := newEnv(t)
	e.bucket("reuse")
	nsCur := store.NS("s3", "", "", "cur", "reuse")
	blobNS := func(name string) string { return store.NS("s3", "", "", "inline", name) }
	seg := func(key string) map[string]any {
		t.Helper()
		var sg map[string]any
		err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			var rec map[string]any
			if ok, err := tx.GetJSON(nsCur, key, &rec); err != nil || !ok {
				t.Fatalf("record %s: %v %v", key, ok, err)
			}
			segs := rec["s"].([]any)
			if len(segs) != 1 {
				t.Fatalf("segments %v", segs)
			}
			sg = segs[0].(map[string]any)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return sg
	}
	hasBlob := func(name string) bool {
		t.Helper()
		var ok bool
		err := e.p.Store.View(ctx, func(tx *store.Tx) (err error) {
			_, ok, err = tx.GetBlob(blobNS(name), "body")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	written := map[string]bool{"first": true}
	e.put("reuse", "k", "first")
	first := seg("k")
	row := first["f"].(string)
	if first["r"] != nil {
		t.Fatalf("a first body has a row of its own: %v", first)
	}

	var mu sync.Mutex
	stop := apptest.Race(4, func(int) string {
		out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reuse"), Key: aws.String("k")})
		if err != nil {
			return err.Error()
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		mu.Lock()
		ok := err == nil && written[string(b)]
		mu.Unlock()
		if !ok {
			return fmt.Sprintf("read %q, %v", b, err)
		}
		return ""
	})
	names := map[string]bool{row: true}
	const n = 200
	for i := range n {
		// Sizes change too: the row is rewritten whatever the new body's size.
		v := fmt.Sprintf("version %d %s", i, make([]byte, i*40))
		mu.Lock()
		written[v] = true
		mu.Unlock()
		e.put("reuse", "k", v)
		if got := e.get("reuse", "k"); got != v {
			t.Fatalf("after put %d: got %q", i, got)
		}
		sg := seg("k")
		if sg["r"] != row {
			t.Fatalf("put %d: segment %v, want row %s", i, sg, row)
		}
		if name := sg["f"].(string); names[name] {
			t.Fatalf("put %d: body name %s used before", i, name)
		} else {
			names[name] = true
			if hasBlob(name) {
				t.Fatalf("put %d: body stored under its own name too", i)
			}
		}
	}
	if msg := stop(); msg != "" {
		t.Fatalf("a reader racing the overwrites: %s", msg)
	}
	if !hasBlob(row) {
		t.Fatal("the reused row is gone")
	}

	// A copy onto itself (new metadata) stores the body under a new name and row, and
	// drops the old row.
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("reuse"), Key: aws.String("k"),
		CopySource: aws.String("reuse/k"), MetadataDirective: types.MetadataDirectiveReplace,
		Metadata: map[string]string{"m": "1"}}))
	if got := e.get("reuse", "k"); got != fmt.Sprintf("version %d %s", n-1, make([]byte, (n-1)*40)) {
		t.Fatalf("after copy onto itself: %q", got)
	}
	copied := seg("k")
	if copied["r"] != nil || !hasBlob(copied["f"].(string)) || hasBlob(row) {
		t.Fatalf("after copy onto itself: segment %v, old row kept %v", copied, hasBlob(row))
	}
	e.put("reuse", "k", "last")
	last := seg("k")
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("reuse"), Key: aws.String("k")}))
	if hasBlob(last["r"].(string)) {
		t.Fatal("body row left after delete")
	}

	// With versioning, every version keeps its own body.
	e.bucket("reuse-versioned")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("reuse-versioned"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1 := e.put("reuse-versioned", "k", "one")
	e.put("reuse-versioned", "k", "two")
	old := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reuse-versioned"), Key: aws.String("k"), VersionId: v1.VersionId}))
	if got := readBody(old.Body); got != "one" {
		t.Fatalf("first version after overwrite: %q", got)
	}
}
