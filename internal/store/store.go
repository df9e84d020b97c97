// Package store is Palisade's transactional persistence: an ordered key-value space
// (namespaces of keys, each holding bytes) plus the durable event log, on SQLite in WAL
// mode with synchronous=FULL.
//
// Writes go through Update, which runs the caller's function inside a savepoint of a
// shared transaction and returns only after that transaction has committed to disk.
// Concurrent Updates are committed together (group commit): one fsync acknowledges many
// calls, so durability does not cost one disk flush per request. Reads go through View,
// which sees the last committed state and runs concurrently with writes.
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
	"sync"

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

	jobs     chan *job
	done     chan struct{}
	closeMu  sync.RWMutex
	closed   bool
	wg       sync.WaitGroup
	maxBatch int

	// OnCommit, when set before the first Update, is called on the writer goroutine
	// after every commit that appended events, with those events in sequence order
	// (their Data shared with the appender's, which must not change it). The event
	// log uses it to wake consumers and to hand them the newest events without reading
	// them back. It must not block.
	OnCommit func(evs []*Event)
}

type job struct {
	ctx  context.Context
	fn   func(*Tx) error
	err  error
	done chan struct{}
}

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
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=mmap_size(1073741824)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db := &DB{path: path, writer: w, readers: r, jobs: make(chan *job, 1024), done: make(chan struct{}), maxBatch: 512,
		readerPool: make(chan *readerConn, readers)}
	for range readers {
		db.readerPool <- nil // a free slot: the connection opens on first use
	}
	db.wg.Add(1)
	go db.writeLoop()
	return db, nil
}

// Close waits for queued writes to commit, then closes the database. Updates that
// arrive after Close fail with ErrClosed.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if db.closed {
		db.closeMu.Unlock()
		return nil
	}
	db.closed = true
	close(db.jobs)
	db.closeMu.Unlock()
	db.wg.Wait()
	for range readers {
		if rc := <-db.readerPool; rc != nil {
			closeStmts(rc.stmts)
			rc.conn.Close()
		}
	}
	err := errors.Join(db.readers.Close(), db.writer.Close())
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Update runs fn in a write transaction and returns once that transaction is durable.
// If fn returns an error, everything fn wrote is rolled back and Update returns that
// error; other callers' writes in the same group are unaffected. fn runs on the single
// writer goroutine, so it must be quick and must not call Update or View itself.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	db.jobs <- j
	db.closeMu.RUnlock()
	// The write is not abandoned when ctx ends: once queued it either commits or
	// fails as a whole, and the caller must learn which.
	<-j.done
	return j.err
}

// View runs fn in a read-only transaction over the last committed state.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	db.closeMu.RLock()
	closed := db.closed
	db.closeMu.RUnlock()
	if closed {
		return ErrClosed
	}
	rc, err := db.reader(ctx)
	if err != nil {
		return err
	}
	defer func() { db.readerPool <- rc }()
	tx := &Tx{ctx: ctx, conn: rc.conn, stmts: rc.stmts, readOnly: true}
	if _, err := tx.exec("BEGIN"); err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	defer func() {
		tx.ctx = context.Background()
		tx.exec("ROLLBACK")
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

func (db *DB) writeLoop() {
	defer db.wg.Done()
	ctx := context.Background()
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		// Without a writer connection nothing can commit: fail every job.
		for j := range db.jobs {
			j.err = fmt.Errorf("store: writer connection: %w", err)
			close(j.done)
		}
		return
	}
	defer conn.Close()
	batch := make([]*job, 0, db.maxBatch)
	stmts := map[string]*sql.Stmt{}
	defer closeStmts(stmts)
	for first := range db.jobs {
		batch = append(batch[:0], first)
		tx := &Tx{ctx: ctx, conn: conn, stmts: stmts}
		if _, err := tx.exec("BEGIN IMMEDIATE"); err != nil {
			db.finish(batch, fmt.Errorf("store: begin: %w", err))
			continue
		}
		db.run(tx, first)
	drain:
		for len(batch) < db.maxBatch {
			select {
			case j, ok := <-db.jobs:
				if !ok {
					break drain
				}
				batch = append(batch, j)
				db.run(tx, j)
			default:
				break drain
			}
		}
		_, err := tx.exec("COMMIT")
		if err != nil {
			tx.exec("ROLLBACK")
			db.finish(batch, fmt.Errorf("store: commit: %w", err))
			continue
		}
		for _, h := range tx.hooks {
			h()
		}
		if db.OnCommit != nil && len(tx.appended) > 0 {
			db.OnCommit(tx.appended)
		}
		for _, j := range batch {
			close(j.done)
		}
	}
}

// run executes one job inside its own savepoint, so its failure undoes only its writes.
func (db *DB) run(tx *Tx, j *job) {
	if _, err := tx.exec("SAVEPOINT job"); err != nil {
		j.err = fmt.Errorf("store: savepoint: %w", err)
		return
	}
	tx.ctx = j.ctx
	seqBefore, hooksBefore, appendedBefore := tx.lastSeq, len(tx.hooks), len(tx.appended)
	err := safeCall(j.fn, tx)
	tx.ctx = context.Background()
	if err != nil {
		tx.lastSeq, tx.hooks, tx.appended = seqBefore, tx.hooks[:hooksBefore], tx.appended[:appendedBefore]
		tx.exec("ROLLBACK TO job")
		j.err = err
	}
	tx.exec("RELEASE job")
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
func (db *DB) finish(batch []*job, err error) {
	for _, j := range batch {
		if j.err == nil {
			j.err = err
		}
		close(j.done)
	}
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }
