package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func open(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestUpdateViewAndReopen(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	ctx := context.Background()
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.Put(NS("iam", "000000000000", "", "users"), "alice", []byte("a")); err != nil {
			return err
		}
		return tx.AppendEvent(&Event{Time: 1, Account: "000000000000", Source: "test", Kind: "put", Data: []byte("{}")})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	defer db.Close()
	err = db.View(ctx, func(tx *Tx) error {
		v, ok, err := tx.Get(NS("iam", "000000000000", "", "users"), "alice")
		if err != nil || !ok || string(v) != "a" {
			return fmt.Errorf("after reopen: %q %v %v", v, ok, err)
		}
		if _, ok, _ := tx.Get(NS("iam", "111111111111", "", "users"), "alice"); ok {
			return errors.New("namespaces leak across accounts")
		}
		seq, err := tx.LastEventSeq()
		if err != nil || seq != 1 {
			return fmt.Errorf("last seq %d %v", seq, err)
		}
		return tx.Put("x", "y", nil)
	})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write in View: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "palisade.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("db file mode: %v %v", fi.Mode(), err)
	}
}

// A failing Update must undo exactly its own writes while the Updates committed in the
// same group keep theirs.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Update(ctx, func(tx *Tx) error {
				if err := tx.Put("n", fmt.Sprintf("k%03d", i), []byte{byte(i)}); err != nil {
					return err
				}
				if err := tx.AppendEvent(&Event{Source: "t", Kind: "k", Data: []byte{byte(i)}}); err != nil {
					return err
				}
				if i%3 == 0 {
					return fmt.Errorf("job %d fails", i)
				}
				if i%7 == 0 {
					panic("job panics")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	want := 0
	for i, err := range errs {
		failed := i%3 == 0 || i%7 == 0
		if failed != (err != nil) {
			t.Fatalf("job %d: err %v", i, err)
		}
		if !failed {
			want++
		}
	}
	db.View(ctx, func(tx *Tx) error {
		n, _ := tx.Count("n")
		if n != want {
			t.Errorf("%d keys, want %d", n, want)
		}
		events := 0
		tx.Events(0, 1000, func(*Event) bool { events++; return true })
		if events != want {
			t.Errorf("%d events, want %d", events, want)
		}
		return tx.Scan("n", "", 0, func(k string, v []byte) bool {
			i := int(v[0])
			if i%3 == 0 || i%7 == 0 {
				t.Errorf("rolled-back key %s survived", k)
			}
			return true
		})
	})
}

func TestSavepointRollsBackInner(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	err := db.Update(ctx, func(tx *Tx) error {
		tx.Put("n", "outer", []byte("1"))
		inner := tx.Savepoint(func() error {
			tx.Put("n", "inner", []byte("2"))
			return errors.New("handler failed")
		})
		if inner == nil {
			return errors.New("savepoint swallowed the error")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(ctx, func(tx *Tx) error {
		if _, ok, _ := tx.Get("n", "outer"); !ok {
			t.Error("outer write lost")
		}
		if _, ok, _ := tx.Get("n", "inner"); ok {
			t.Error("inner write survived its rollback")
		}
		return nil
	})
}

func TestScanPaginatesInOrder(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	db.Update(ctx, func(tx *Tx) error {
		for _, k := range []string{"c", "a", "e", "b", "d"} {
			tx.Put("n", k, []byte(k))
		}
		ok, _ := tx.Insert("n", "a", []byte("again"))
		if ok {
			t.Error("Insert replaced an existing key")
		}
		return nil
	})
	var got []string
	marker := ""
	for {
		var page []string
		db.View(ctx, func(tx *Tx) error {
			return tx.Scan("n", marker, 2, func(k string, _ []byte) bool { page = append(page, k); return true })
		})
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		marker = page[len(page)-1]
	}
	if fmt.Sprint(got) != "[a b c d e]" {
		t.Fatalf("got %v", got)
	}
}

func TestUpdateAfterClose(t *testing.T) {
	db := open(t, t.TempDir())
	db.Close()
	if err := db.Update(context.Background(), func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
}

func TestSealer(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master.key: %v %v", fi, err)
	}
	secret := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	sealed := s.Seal(secret, "access-key/AKIA1")
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed value contains the plaintext")
	}
	again, _ := LoadSealer(dir) // the same key is read back
	if pt, err := again.Open(sealed, "access-key/AKIA1"); err != nil || !bytes.Equal(pt, secret) {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := s.Open(sealed, "access-key/AKIA2"); !errors.Is(err, ErrUnseal) {
		t.Fatalf("opened under another context: %v", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.Open(sealed, "access-key/AKIA1"); !errors.Is(err, ErrUnseal) {
		t.Fatalf("opened a tampered value: %v", err)
	}
	other, _ := LoadSealer(t.TempDir())
	if _, err := other.Open(s.Seal(secret, "c"), "c"); !errors.Is(err, ErrUnseal) {
		t.Fatal("opened under another master key")
	}
	t.Setenv(MasterKeyEnv, "not base64!")
	if _, err := LoadSealer(t.TempDir()); err == nil {
		t.Fatal("bad env key accepted")
	}
}

func BenchmarkUpdateParallel(b *testing.B) {
	db, _ := Open(b.TempDir())
	defer db.Close()
	ctx := context.Background()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			db.Update(ctx, func(tx *Tx) error {
				return tx.AppendEvent(&Event{Source: "b", Kind: "k", Data: []byte(`{"eventName":"GetCallerIdentity"}`)})
			})
		}
	})
}

// reportCPU adds the process's CPU time per operation to a benchmark's results: on a
// shared machine wall time per operation moves with other work, CPU time much less.
func reportCPU(b *testing.B) func() {
	before := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestAfterCommitRunsOnlyForCommittedWrites(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	var ran []string
	db.Update(ctx, func(tx *Tx) error {
		tx.AfterCommit(func() { ran = append(ran, "outer") })
		tx.Savepoint(func() error {
			tx.AfterCommit(func() { ran = append(ran, "rolled back") })
			return errors.New("fail")
		})
		return nil
	})
	db.Update(ctx, func(tx *Tx) error {
		tx.AfterCommit(func() { ran = append(ran, "failed job") })
		return errors.New("fail")
	})
	if fmt.Sprint(ran) != "[outer]" {
		t.Fatalf("hooks ran: %v", ran)
	}
}

// Scans nest: a handler may scan one namespace while iterating another with the same
// query.
func TestNestedScans(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	db.Update(ctx, func(tx *Tx) error {
		for _, k := range []string{"a", "b"} {
			tx.Put("outer", k, nil)
			tx.Put("inner", k, nil)
		}
		return nil
	})
	pairs := 0
	err := db.View(ctx, func(tx *Tx) error {
		return tx.Scan("outer", "", 0, func(string, []byte) bool {
			tx.Scan("inner", "", 0, func(string, []byte) bool { pairs++; return true })
			_, ok, err := tx.Get("inner", "a")
			if !ok || err != nil {
				t.Errorf("get inside a scan: %v %v", ok, err)
			}
			return true
		})
	})
	if err != nil || pairs != 4 {
		t.Fatalf("nested scans: %d pairs, %v", pairs, err)
	}
}

// EventsDesc reads one source's events of an account and region, newest first, from a
// sequence down.
func TestEventsDesc(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	db.Update(ctx, func(tx *Tx) error {
		for i, e := range []struct{ src, acct, region string }{
			{"cloudtrail", "a", "r1"}, {"cloudtrail", "b", "r1"}, {"cloudtrail", "a", "r2"}, {"other", "a", "r1"},
			{"cloudtrail", "a", "r1"}, {"cloudtrail", "a", "r1"},
		} {
			if err := tx.AppendEvent(&Event{Time: int64(i), Account: e.acct, Region: e.region, Source: e.src, Kind: "k", Data: []byte{byte('0' + i)}}); err != nil {
				return err
			}
		}
		return nil
	})
	read := func(before int64) (out string) {
		db.View(ctx, func(tx *Tx) error {
			return tx.EventsDesc("cloudtrail", "a", "r1", before, func(e *Event) bool {
				out += string(e.Data)
				return true
			})
		})
		return out
	}
	if got := read(0); got != "540" {
		t.Fatalf("newest first: %q", got)
	}
	if got := read(6); got != "40" {
		t.Fatalf("before 6: %q", got)
	}
}

// Blobs have their own key space: put, get, replace, and delete by prefix, with
// non-ASCII keys counted as SQLite counts them; a rolled-back write leaves nothing.
func TestBlobs(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	big := bytes.Repeat([]byte("x"), 1<<20)
	err := db.Update(ctx, func(tx *Tx) error {
		for _, k := range []string{"g\x00é\x00a", "g\x00é\x00b", "g\x00f\x00a", "h"} {
			if err := tx.PutBlob("ns", k, big); err != nil {
				return err
			}
		}
		if _, ok, _ := tx.Get("ns", "h"); ok {
			t.Error("a blob is visible to Get")
		}
		return tx.PutBlob("ns", "h", []byte("small"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		n, err := tx.DeleteBlobs("ns", "g\x00é\x00")
		if err != nil || n != 2 {
			t.Errorf("deleted %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Update(ctx, func(tx *Tx) error {
		tx.PutBlob("ns", "rolled-back", big)
		return errors.New("no")
	})
	err = db.View(ctx, func(tx *Tx) error {
		for k, want := range map[string]int{"g\x00é\x00a": -1, "g\x00f\x00a": 1 << 20, "h": 5, "rolled-back": -1} {
			v, ok, err := tx.GetBlob("ns", k)
			if err != nil || (want < 0) == ok || ok && len(v) != want {
				t.Errorf("%q: %d bytes, %v, %v", k, len(v), ok, err)
			}
		}
		if err := tx.PutBlob("ns", "x", nil); err != ErrReadOnly {
			t.Errorf("PutBlob in View: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The empty prefix deletes the whole namespace, the empty key included.
	err = db.Update(ctx, func(tx *Tx) error {
		if err := tx.PutBlob("ns", "", []byte("e")); err != nil {
			return err
		}
		tx.PutBlob("other", "k", []byte("o"))
		n, err := tx.DeleteBlobs("ns", "")
		if err != nil || n != 3 {
			t.Errorf("deleted %d of the namespace's 3, %v", n, err)
		}
		if _, ok, _ := tx.GetBlob("other", "k"); !ok {
			t.Error("another namespace's blob went too")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkUpdateSerial is one caller's Update after another: each pays its own commit
// (and fsync), as a server at one connection does.
func BenchmarkUpdateSerial(b *testing.B) {
	db, _ := Open(b.TempDir())
	defer db.Close()
	ctx := context.Background()
	defer reportCPU(b)()
	for b.Loop() {
		db.Update(ctx, func(tx *Tx) error {
			return tx.AppendEvent(&Event{Source: "b", Kind: "k", Data: []byte(`{"eventName":"GetCallerIdentity"}`)})
		})
	}
}

// Concurrent Updates pass leadership from caller to caller: every Update returns once
// its own write is durable, failures roll back only their own writes (a lone failing
// job included), and the commit hooks and OnCommit run in commit order before any
// caller of the commit returns.
func TestLeadershipHandoff(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	var mu sync.Mutex
	var seen int64 // highest sequence OnCommit delivered
	db.OnCommit = func(evs []*Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			if e.Seq <= seen {
				t.Errorf("OnCommit out of order: %d after %d", e.Seq, seen)
			}
			seen = e.Seq
		}
	}
	ctx := context.Background()
	const callers, rounds = 8, 40
	var wg sync.WaitGroup
	var committed sync.Map // key -> struct{}
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				key := fmt.Sprintf("c%d-r%02d", c, r)
				fails := (c+r)%4 == 0
				var hooked bool
				var seq int64
				err := db.Update(ctx, func(tx *Tx) error {
					if err := tx.Put("n", key, []byte(key)); err != nil {
						return err
					}
					e := &Event{Source: "t", Kind: "k", Data: []byte(key)}
					if err := tx.AppendEvent(e); err != nil {
						return err
					}
					seq = e.Seq
					tx.AfterCommit(func() { hooked = true })
					if fails {
						return errors.New("fails")
					}
					return nil
				})
				if fails != (err != nil) {
					t.Errorf("%s: err %v", key, err)
					continue
				}
				if fails {
					if hooked {
						t.Errorf("%s: hook of a failed write ran", key)
					}
					continue
				}
				committed.Store(key, struct{}{})
				mu.Lock()
				delivered := seen >= seq
				mu.Unlock()
				if !hooked || !delivered {
					t.Errorf("%s returned before its hooks (hook %v, OnCommit up to %d, its seq %d)", key, hooked, seen, seq)
				}
			}
		}()
	}
	wg.Wait()
	// A lone write that fails leaves nothing behind; the next one commits.
	if err := db.Update(ctx, func(tx *Tx) error {
		tx.Put("n", "lone", nil)
		return errors.New("fails")
	}); err == nil {
		t.Fatal("a failing lone write succeeded")
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.Put("n", "after", nil) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	defer db.Close()
	db.View(ctx, func(tx *Tx) error {
		want := 1 // "after"
		committed.Range(func(k, _ any) bool {
			want++
			if _, ok, _ := tx.Get("n", k.(string)); !ok {
				t.Errorf("committed %s lost", k)
			}
			return true
		})
		if n, _ := tx.Count("n"); n != want {
			t.Errorf("%d keys, want %d", n, want)
		}
		events := 0
		tx.Events(0, 10000, func(e *Event) bool {
			events++
			if _, ok := committed.Load(string(e.Data)); !ok {
				t.Errorf("event of a failed write: %s", e.Data)
			}
			return true
		})
		if events != want-1 {
			t.Errorf("%d events, want %d", events, want-1)
		}
		return nil
	})
}

// Close waits for the writes already queued; later ones fail with ErrClosed, and no
// caller is left waiting.
func TestCloseWaitsForQueuedWrites(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	ctx := context.Background()
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	started := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == n/2 {
				close(started)
			}
			errs[i] = db.Update(ctx, func(tx *Tx) error {
				time.Sleep(200 * time.Microsecond) // keep a queue behind the leader
				return tx.Put("n", fmt.Sprint(i), nil)
			})
		}()
	}
	<-started
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	db = open(t, dir)
	defer db.Close()
	ok := 0
	db.View(ctx, func(tx *Tx) error {
		for i, err := range errs {
			_, found, _ := tx.Get("n", fmt.Sprint(i))
			switch {
			case err == nil && found:
				ok++
			case errors.Is(err, ErrClosed) && !found:
			default:
				t.Errorf("write %d: err %v, stored %v", i, err, found)
			}
		}
		return nil
	})
	if ok == 0 {
		t.Error("no write committed before Close")
	}
}

// When the transaction a batch runs in disappears under it (SQLite rolls back by itself
// on some I/O errors; here a job does it), nothing of the batch may commit — not even
// a job that runs after, whose SAVEPOINT would otherwise open a transaction of its own
// and whose RELEASE would commit it — and every caller of the batch learns it failed.
func TestLostTransactionCommitsNothing(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	// The first Update leads and, while it runs, the others queue: they form the next
	// batch, in which job 3 loses the transaction.
	hold, held := make(chan struct{}), make(chan struct{})
	go db.Update(ctx, func(tx *Tx) error {
		close(held)
		<-hold
		return nil
	})
	<-held
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Update(ctx, func(tx *Tx) error {
				if err := tx.Put("n", fmt.Sprintf("k%d", i), []byte{byte(i)}); err != nil {
					return err
				}
				if i == 3 {
					_, err := tx.exec("ROLLBACK")
					return err
				}
				return nil
			})
		}()
	}
	for db.queued() < 8 {
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	db.View(ctx, func(tx *Tx) error {
		return tx.Scan("n", "", 0, func(k string, v []byte) bool {
			t.Errorf("key %s committed: its batch lost its transaction", k)
			return true
		})
	})
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != 8 {
		t.Fatalf("%d of 8 callers told of the failure: %v", failed, errs)
	}
	// The store goes on: the next write commits.
	if err := db.Update(ctx, func(tx *Tx) error { return tx.Put("n", "after", []byte{1}) }); err != nil {
		t.Fatal(err)
	}
}

// queued is how many Updates wait for a leader to take them.
func (db *DB) queued() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return len(db.queue)
}

// BenchmarkViewAfterCommit is the pattern of a Prepared handler (PutLogEvents) or a
// read after writes under load: a commit, then a read snapshot that looks up three
// keys in a 12 MB table. view-us is the read's share. With the readers' SQLite
// mapping the file (mmap_size), each snapshot after a commit unmapped and remapped it
// and faulted in every page it touched: 510–570 µs against 93 µs with plain reads.
func BenchmarkViewAfterCommit(b *testing.B) {
	db, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	val := make([]byte, 600)
	db.Update(ctx, func(tx *Tx) error {
		for i := range 20000 {
			tx.Put("ns/a", fmt.Sprintf("key-%06d", i), val)
		}
		return nil
	})
	b.ResetTimer()
	var tv time.Duration
	for i := 0; i < b.N; i++ {
		db.Update(ctx, func(tx *Tx) error {
			return tx.AppendEvent(&Event{Account: "1", Region: "r", Source: "s", Kind: "k", Data: val})
		})
		t0 := time.Now()
		db.View(ctx, func(tx *Tx) error {
			for j := 0; j < 3; j++ {
				if _, ok, err := tx.Get("ns/a", fmt.Sprintf("key-%06d", (i*7919+j*104729)%20000)); !ok || err != nil {
					b.Fatal("missing", err)
				}
			}
			return nil
		})
		tv += time.Since(t0)
	}
	b.ReportMetric(float64(tv.Microseconds())/float64(b.N), "view-us")
}

// A read transaction sends its BEGIN with its first statement (none at all when it
// reads nothing), and still reads one snapshot: a write committed after its first read
// is not seen by its later reads, and is by a View begun after the commit — including
// a View that read nothing until after it.
func TestViewSnapshotBeginsAtFirstRead(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	ns := NS("test", "", "", "snap")
	put := func(a, b string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error {
			if err := tx.Put(ns, "a", []byte(a)); err != nil {
				return err
			}
			return tx.Put(ns, "b", []byte(b))
		}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(tx *Tx, k string) string {
		t.Helper()
		v, _, err := tx.Get(ns, k)
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	put("1", "1")
	err := db.View(ctx, func(tx *Tx) error {
		if tx.begun {
			t.Error("BEGIN sent before any read")
		}
		put("2", "2") // before this view's first read: it is seen
		if a := get(tx, "a"); a != "2" {
			t.Errorf("first read %q, want 2", a)
		}
		put("3", "3") // after it: not seen
		if b := get(tx, "b"); b != "2" {
			t.Errorf("second read %q, want the snapshot's 2", b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The connection goes back to the pool with its transaction ended: a new view
	// sees the last commit.
	for range 4 {
		if err := db.View(ctx, func(tx *Tx) error {
			if b := get(tx, "b"); b != "3" {
				t.Errorf("a later view read %q, want 3", b)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNamespacesByPrefix(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	err := db.Update(ctx, func(tx *Tx) error {
		for _, ns := range []string{"sns/1/r/subs", "sns/1/r/topics", "sns/2/r/subs", "sns0", "snsx/a", "sqs/1/r/q", "sn"} {
			if err := tx.Put(ns, "k1", nil); err != nil {
				return err
			}
			if err := tx.Put(ns, "k2", nil); err != nil {
				return err
			}
		}
		_, err := tx.Delete("sns/2/r/subs", "k1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]string{
		"sns/": "[sns/1/r/subs sns/1/r/topics sns/2/r/subs]",
		"sns":  "[sns/1/r/subs sns/1/r/topics sns/2/r/subs sns0 snsx/a]",
		"":     "[sn sns/1/r/subs sns/1/r/topics sns/2/r/subs sns0 snsx/a sqs/1/r/q]",
		"zz":   "[]",
	} {
		var got []string
		err := db.View(ctx, func(tx *Tx) (err error) {
			got, err = tx.Namespaces(prefix)
			return err
		})
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("Namespaces(%q) = %v, %v; want %s", prefix, got, err, want)
		}
	}
	if end, ok := prefixEnd("a\xff\xff"); !ok || end != "b" {
		t.Errorf("prefixEnd: %q %v", end, ok)
	}
	if _, ok := prefixEnd("\xff"); ok {
		t.Error("prefixEnd of 0xff")
	}
}
