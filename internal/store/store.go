// Package store is Palisade's transactional persistence: an ordered key-value space
// (namespaces of keys, each holding bytes) plus the durable event log, on SQLite in WAL
// mode with synchronous=FULL.
//
// Writes go through Update, which runs the caller's function in a shared transaction
// (inside a savepoint of its own when the transaction holds others) and returns only
// after that transaction has committed to disk. Concurrent Updates are committed
// together (group commit): one fsync acknowledges many calls, so durability does not
// cost one disk flush per request. The commit runs on a caller's goroutine, not on a
// writer goroutine of the store's, so a lone write involves no hand-off between
// goroutines.
// Reads go through View, which sees the last committed state and runs concurrently
// with writes.
//
// Keys are namespaced by the caller (see NS); account and region are part of every
// namespace that holds per-account state, so accounts and regions never share keys.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrClosed is returned by Update and View after Close.
var ErrClosed = errors.New("store: closed")

// DB is an open store.
type DB struct {
	path    string
	writer  *sql.DB // exactly one connection: SQLite has one writer
	readers *sql.DB

	readerPool chan *readerConn

	// The writer connection and its prepared statements belong to whichever caller
	// leads (see Update); leadership passes under mu, which orders their uses.
	wconn  *sql.Conn
	wstmts map[string]*sql.Stmt

	mu       sync.Mutex
	queue    []*job // queued writes no leader has taken yet
	leading  bool   // a caller is running a batch
	idle     chan struct{}
	closed   atomic.Bool // set under mu
	maxBatch int

	tokenKey []byte // see SetTokenKey

	// OnCommit, when set before the first Update, is called after every commit that
	// appended events, with those events in sequence order (their Data shared with the
	// appender's, which must not change it), in commit order and before any caller of
	// that commit returns. The event log uses it to wake consumers and to hand them
	// the newest events without reading them back. It must not block.
	OnCommit func(evs []*Event)
}

type job struct {
	ctx  context.Context
	fn   func(*Tx) error
	err  error
	wake chan struct{} // closed when the job is done or its caller is to lead; nil for a caller that leads at once
	lead bool          // set before wake closes when the caller is to lead the next batch
}

// SetTokenKey sets the key that authenticates the page tokens services hand out for
// data in this store (svckit.Token); call it once, before serving. Without one, tokens
// are authenticated under an empty key: still refused when made up or damaged, but
// forgeable by anyone who reads svckit.
func (db *DB) SetTokenKey(key []byte) { db.tokenKey = key }

// TokenKey is the key SetTokenKey set, nil if none.
func (db *DB) TokenKey() []byte { return db.tokenKey }

// readers is how many read connections serve View concurrently.
const readers = 8

// Open opens (creating if needed) the store in dir and applies pending migrations.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "palisade.db")
	// SQLite gives the -wal and -shm files the database file's mode, so the file is
	// created 0600 before SQLite sees it.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := migrate(w); err != nil {
		w.Close()
		return nil, err
	}
	wconn, err := w.Conn(context.Background())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: writer connection: %w", err)
	}
	// Readers do not map the file (no mmap_size): SQLite drops a connection's mapping
	// whenever the WAL changed since its last read, so under a stream of commits every
	// snapshot remapped the file and page-faulted each page it touched
	// (BenchmarkViewAfterCommit: 510–570 µs a snapshot against 93 µs with reads).
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		wconn.Close()
		w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db := &DB{path: path, writer: w, readers: r, wconn: wconn, wstmts: map[string]*sql.Stmt{}, maxBatch: 512,
		readerPool: make(chan *readerConn, readers)}
	for range readers {
		db.readerPool <- nil // a free slot: the connection opens on first use
	}
	return db, nil
}

// Close waits for queued writes to commit, then closes the database. Updates that
// arrive after Close fail with ErrClosed.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed.Load() {
		db.mu.Unlock()
		return nil
	}
	db.closed.Store(true)
	var idle chan struct{}
	if db.leading {
		// The queue empties without new arrivals; its last leader closes idle.
		idle = make(chan struct{})
		db.idle = idle
	}
	db.leading = true // nobody leads after Close
	db.mu.Unlock()
	if idle != nil {
		<-idle
	}
	closeStmts(db.wstmts)
	for range readers {
		if rc := <-db.readerPool; rc != nil {
			closeStmts(rc.stmts)
			rc.conn.Close()
		}
	}
	err := errors.Join(db.wconn.Close(), db.readers.Close(), db.writer.Close())
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Update runs fn in a write transaction and returns once that transaction is durable.
// If fn returns an error, everything fn wrote is rolled back and Update returns that
// error; other callers' writes in the same group are unaffected. Writes run one at a
// time, on the goroutine of whichever caller is committing the group, so fn must be
// quick and must not call Update or View itself.
//
// Concurrent Updates commit together (group commit): the caller that finds no commit
// in progress leads: it runs the queued functions, commits them with one fsync and, if
// more were queued meanwhile, hands leadership to one of their callers. An Update with
// no concurrent writes so runs on its own goroutine, with no hand-off to another.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	j := &job{ctx: ctx, fn: fn}
	db.mu.Lock()
	if db.closed.Load() {
		db.mu.Unlock()
		return ErrClosed
	}
	db.queue = append(db.queue, j)
	if db.leading {
		j.wake = make(chan struct{})
		db.mu.Unlock()
		// The write is not abandoned when ctx ends: once queued it either commits or
		// fails as a whole, and the caller must learn which.
		<-j.wake
		if !j.lead {
			return j.err
		}
	} else {
		db.leading = true
		db.mu.Unlock()
	}
	db.lead(j)
	return j.err
}

// lead commits the queued writes as one group (self's among them), then passes
// leadership to a caller still queued, or gives it up.
func (db *DB) lead(self *job) {
	defer func() {
		// Hooks and the commit itself run outside any job's recovery: a panic there
		// leaves queued callers that no one can answer, so it ends the process, as it
		// did on a dedicated writer goroutine.
		if r := recover(); r != nil {
			crash(fmt.Sprintf("store: panic while committing: %v\n%s", r, debug.Stack()))
		}
	}()
	batch := db.commit()
	db.mu.Lock()
	if len(db.queue) > 0 {
		next := db.queue[0]
		next.lead = true
		close(next.wake)
	} else {
		db.leading = false
		if db.idle != nil {
			db.leading = true
			close(db.idle)
		}
	}
	db.mu.Unlock()
	for _, j := range batch {
		if j != self {
			close(j.wake)
		}
	}
}

// take moves up to n queued jobs into batch.
func (db *DB) take(batch []*job, n int) []*job {
	db.mu.Lock()
	n = min(n, len(db.queue))
	batch = append(batch, db.queue[:n]...)
	rest := copy(db.queue, db.queue[n:])
	clear(db.queue[rest:]) // the taken jobs are not kept alive by the queue's array
	db.queue = db.queue[:rest]
	db.mu.Unlock()
	return batch
}

// commit runs the queued jobs in one transaction and commits it; jobs queued while it
// runs join the transaction until it holds maxBatch. It returns the jobs it finished.
func (db *DB) commit() []*job {
	defer trace.StartRegion(context.Background(), "store: transaction").End()
	batch := db.take(nil, db.maxBatch)
	tx := &Tx{db: db, ctx: context.Background(), conn: db.wconn, stmts: db.wstmts}
	if _, err := tx.exec("BEGIN IMMEDIATE"); err != nil {
		finish(batch, fmt.Errorf("store: begin: %w", err))
		return batch
	}
	if len(batch) == 1 {
		// A lone job needs no savepoint: if it fails, the whole transaction is its. It
		// commits alone (jobs queued meanwhile wait for the next leader): had SQLite
		// rolled the transaction back under it (an I/O error, a full disk) while the job
		// reported success, a joining job's SAVEPOINT would open a transaction of its
		// own, which its RELEASE would commit while its caller is told the batch failed.
		j := batch[0]
		if j.err = db.run(tx, j); j.err != nil {
			tx.exec("ROLLBACK")
			return batch
		}
	} else if err := db.runAll(tx, batch); err != nil {
		return batch
	}
	for n := len(batch); n > 1 && n < db.maxBatch; n = len(batch) {
		if batch = db.take(batch, db.maxBatch-n); len(batch) == n {
			break
		}
		if err := db.runAll(tx, batch[n:]); err != nil {
			finish(batch, err)
			return batch
		}
	}
	committing := trace.StartRegion(context.Background(), "store: COMMIT")
	_, err := tx.exec("COMMIT")
	committing.End()
	if err != nil {
		tx.exec("ROLLBACK")
		finish(batch, fmt.Errorf("store: commit: %w", err))
		return batch
	}
	for _, h := range tx.hooks {
		h()
	}
	if db.OnCommit != nil && len(tx.appended) > 0 {
		db.OnCommit(tx.appended)
	}
	return batch
}

// run executes one job's function in tx.
func (db *DB) run(tx *Tx, j *job) error {
	tx.ctx = j.ctx
	err := safeCall(j.fn, tx)
	tx.ctx, tx.scope = context.Background(), ""
	return err
}

// runAll runs jobs in tx, each in its own savepoint. When a savepoint cannot be
// opened, rolled back to or released, the transaction is no longer the one the batch
// began (SQLite rolls a transaction back by itself on some I/O errors): nothing of the
// batch can commit, so runAll rolls back, fails every job of jobs and returns the
// error; the caller fails the rest of the batch.
func (db *DB) runAll(tx *Tx, jobs []*job) error {
	for _, j := range jobs {
		if err := db.runIsolated(tx, j); err != nil {
			tx.exec("ROLLBACK")
			err = fmt.Errorf("store: transaction lost: %w", err)
			for _, j := range jobs {
				j.err = err
			}
			return err
		}
	}
	return nil
}

// runIsolated executes one job inside its own savepoint, so its failure undoes only
// its writes. The error is the savepoint's own (see runAll), not the job's.
func (db *DB) runIsolated(tx *Tx, j *job) error {
	if _, err := tx.exec("SAVEPOINT job"); err != nil {
		return err
	}
	seqBefore, hooksBefore, appendedBefore := tx.lastSeq, len(tx.hooks), len(tx.appended)
	if j.err = db.run(tx, j); j.err != nil {
		tx.lastSeq, tx.hooks, tx.appended = seqBefore, tx.hooks[:hooksBefore], tx.appended[:appendedBefore]
		if _, err := tx.exec("ROLLBACK TO job"); err != nil {
			return err
		}
	}
	_, err := tx.exec("RELEASE job")
	return err
}

// crash re-raises v on a goroutine of its own, where nothing recovers it.
func crash(v any) {
	go panic(v)
	select {}
}

// View runs fn in a read-only transaction over the last committed state.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	defer trace.StartRegion(ctx, "store: view").End()
	rc, err := db.reader(ctx)
	if err != nil {
		return err
	}
	defer func() { db.readerPool <- rc }()
	tx := &Tx{db: db, ctx: ctx, conn: rc.conn, stmts: rc.stmts, readOnly: true, deferred: true}
	defer func() {
		if tx.begun {
			tx.ctx = context.Background()
			tx.exec("ROLLBACK")
		}
	}()
	return fn(tx)
}

// readerConn is a read connection with the statements prepared on it.
type readerConn struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// reader takes a read connection from the pool, opening one while fewer than the
// pool's size exist.
func (db *DB) reader(ctx context.Context) (*readerConn, error) {
	select {
	case rc := <-db.readerPool:
		if rc != nil {
			return rc, nil
		}
		conn, err := db.readers.Conn(ctx)
		if err != nil {
			db.readerPool <- nil
			return nil, fmt.Errorf("store: read connection: %w", err)
		}
		return &readerConn{conn: conn, stmts: map[string]*sql.Stmt{}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func closeStmts(m map[string]*sql.Stmt) {
	for _, st := range m {
		st.Close()
	}
}

func safeCall(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: panic in update: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(tx)
}

// finish fails every job of a batch whose transaction could not commit.
func finish(batch []*job, err error) {
	for _, j := range batch {
		if j.err == nil {
			j.err = err
		}
	}
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }
