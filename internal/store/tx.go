package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrReadOnly is returned by writes attempted inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Tx is a transaction handed to Update or View functions. It is valid only during the
// call.
type Tx struct {
	db       *DB
	ctx      context.Context
	conn     *sql.Conn
	stmts    map[string]*sql.Stmt // statements prepared on conn, reused across transactions
	readOnly bool
	depth    int
	lastSeq  int64
	hooks    []func()
	// appended are the events this transaction appended, in order, for OnCommit.
	appended []*Event
	// deferred marks a read transaction whose BEGIN has not been sent yet (see begin);
	// begun, one that has sent it.
	deferred, begun bool
	scope           string // see SetScope
}

// SetScope names what the transaction is doing for whom it runs — the server sets a
// call's service and operation — for values that must not be carried from one scope
// to another: svckit's page tokens are authenticated together with it, so a token one
// listing handed out is refused by another. It lasts until the job's function returns.
func (tx *Tx) SetScope(scope string) { tx.scope = scope }

// Scope is what SetScope set, "" if nothing.
func (tx *Tx) Scope() string { return tx.scope }

// begin sends a read transaction's BEGIN with its first statement: SQLite takes a
// read transaction's snapshot at its first read anyway, so deferring BEGIN changes
// nothing a reader sees, and a View whose function reads nothing (its answer came
// from caches) sends no statement at all.
func (tx *Tx) begin() error {
	if !tx.deferred {
		return nil
	}
	tx.deferred = false
	st, err := tx.stmt("BEGIN")
	if err == nil {
		_, err = st.ExecContext(tx.ctx)
	}
	if err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	tx.begun = true
	return nil
}

// DB is the store the transaction belongs to (for state kept per store, such as a
// service's caches, in a process that opens several: tests).
func (tx *Tx) DB() *DB { return tx.db }

// stmt returns q prepared on the transaction's connection, preparing it once per
// connection: SQLite's statement compilation is a measurable part of a small call.
func (tx *Tx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.conn.PrepareContext(context.Background(), q)
	if err != nil {
		return nil, err
	}
	tx.stmts[q] = st
	return st, nil
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	if err := tx.begin(); err != nil {
		return nil, err
	}
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(tx.ctx, args...)
}

// query is not served from the statement cache: scans nest (a handler scans one
// namespace while iterating another with the same query), and a SQLite statement
// cannot run twice at once.
func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	if err := tx.begin(); err != nil {
		return nil, err
	}
	return tx.conn.QueryContext(tx.ctx, q, args...)
}

func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	// A Row cannot carry an error of its own: when BEGIN or the preparation fails, the
	// unprepared query runs and reports what it meets.
	if tx.begin() != nil {
		return tx.conn.QueryRowContext(tx.ctx, q, args...)
	}
	st, err := tx.stmt(q)
	if err != nil {
		return tx.conn.QueryRowContext(tx.ctx, q, args...)
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// AfterCommit registers fn to run once the transaction holding this write has committed
// (it never runs if the write is rolled back). Caches of stored state invalidate
// themselves this way. Hooks run in commit order, before any caller of their commit
// returns and before the next commit begins; they must be quick.
func (tx *Tx) AfterCommit(fn func()) {
	if tx.readOnly {
		return
	}
	tx.hooks = append(tx.hooks, fn)
}

// HooksPending reports whether a write of this transaction has registered an
// AfterCommit hook. Until one has, a cache that every write keeps current through its
// hooks holds exactly the committed state this write transaction began from (the
// previous commit's hooks ran before it began); after one, it may lack this
// transaction's own uncommitted writes, or those of a job before it in its batch.
func (tx *Tx) HooksPending() bool { return len(tx.hooks) > 0 }

// ReadOnly reports whether the transaction came from View.
func (tx *Tx) ReadOnly() bool { return tx.readOnly }

// Get returns the value stored under ns/key; ok is false when there is none.
func (tx *Tx) Get(ns, key string) (val []byte, ok bool, err error) { return tx.get("kv", ns, key) }

// get reads ns/key from table (kv or blobs).
func (tx *Tx) get(table, ns, key string) (val []byte, ok bool, err error) {
	err = tx.queryRow("SELECT v FROM "+table+" WHERE ns = ? AND k = ?", ns, key).Scan(&val)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: get %s %s/%s: %w", table, ns, key, err)
	}
	return val, true, nil
}

// Put stores val under ns/key, replacing any value there.
func (tx *Tx) Put(ns, key string, val []byte) error { return tx.put("kv", ns, key, val) }

// put writes ns/key into table (kv or blobs).
func (tx *Tx) put(table, ns, key string, val []byte) error {
	if tx.readOnly {
		return ErrReadOnly
	}
	if val == nil {
		val = []byte{}
	}
	_, err := tx.exec("INSERT INTO "+table+"(ns, k, v) VALUES(?, ?, ?) ON CONFLICT(ns, k) DO UPDATE SET v = excluded.v", ns, key, val)
	if err != nil {
		return fmt.Errorf("store: put %s %s/%s: %w", table, ns, key, err)
	}
	return nil
}

// Insert stores val under ns/key only if the key is free; it reports whether it did.
func (tx *Tx) Insert(ns, key string, val []byte) (bool, error) {
	if tx.readOnly {
		return false, ErrReadOnly
	}
	if val == nil {
		val = []byte{}
	}
	res, err := tx.exec("INSERT INTO kv(ns, k, v) VALUES(?, ?, ?) ON CONFLICT(ns, k) DO NOTHING", ns, key, val)
	if err != nil {
		return false, fmt.Errorf("store: insert %s/%s: %w", ns, key, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Delete removes ns/key and reports whether it existed.
func (tx *Tx) Delete(ns, key string) (bool, error) {
	if tx.readOnly {
		return false, ErrReadOnly
	}
	res, err := tx.exec("DELETE FROM kv WHERE ns = ? AND k = ?", ns, key)
	if err != nil {
		return false, fmt.Errorf("store: delete %s/%s: %w", ns, key, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Namespaces lists the namespaces of the key-value space that begin with prefix and
// hold at least one key, in ascending byte order. It reads the whole prefix's range:
// it is for one-time upgrades of stored state, not for serving calls.
func (tx *Tx) Namespaces(prefix string) ([]string, error) {
	q, args := "SELECT DISTINCT ns FROM kv WHERE ns >= ? ORDER BY ns", []any{prefix}
	if end, ok := prefixEnd(prefix); ok {
		q, args = "SELECT DISTINCT ns FROM kv WHERE ns >= ? AND ns < ? ORDER BY ns", []any{prefix, end}
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: namespaces %s: %w", prefix, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ns string
		if err := rows.Scan(&ns); err != nil {
			return nil, fmt.Errorf("store: namespaces %s: %w", prefix, err)
		}
		out = append(out, ns)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: namespaces %s: %w", prefix, err)
	}
	return out, nil
}

// prefixEnd is the least string greater than every string beginning with prefix; none
// for an empty prefix or one of 0xff bytes only.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// Scan calls fn for the keys of ns that are greater than after (all keys when after is
// ""), in ascending byte order, until fn returns false or limit keys were visited
// (limit ≤ 0: no limit). List operations paginate with it: the marker is the last key
// returned.
func (tx *Tx) Scan(ns, after string, limit int, fn func(key string, val []byte) bool) error {
	q := "SELECT k, v FROM kv WHERE ns = ? AND k > ? ORDER BY k"
	args := []any{ns, after}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return fmt.Errorf("store: scan %s: %w", ns, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("store: scan %s: %w", ns, err)
		}
		if !fn(k, v) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: scan %s: %w", ns, err)
	}
	return nil
}

// PutBlob stores a large value (a megabyte of log events) under ns/key, replacing any
// there. Blobs live apart from Put's values, so that looking up small keys never
// touches them; they have their own key space, read with GetBlob.
func (tx *Tx) PutBlob(ns, key string, val []byte) error { return tx.put("blobs", ns, key, val) }

// GetBlob returns the blob stored under ns/key; ok is false when there is none.
func (tx *Tx) GetBlob(ns, key string) (val []byte, ok bool, err error) {
	return tx.get("blobs", ns, key)
}

// DeleteBlobs removes the blobs of ns whose keys start with prefix ("" for all) and
// returns how many there were.
func (tx *Tx) DeleteBlobs(ns, prefix string) (int, error) {
	if tx.readOnly {
		return 0, ErrReadOnly
	}
	var res sql.Result
	var err error
	if prefix == "" {
		// Every key, the empty one included (the prefix comparison below misses it).
		res, err = tx.exec("DELETE FROM blobs WHERE ns = ?", ns)
	} else {
		// Bytes, not characters: keys hold NULs, where SQLite's text functions stop.
		res, err = tx.exec("DELETE FROM blobs WHERE ns = ? AND substr(CAST(k AS BLOB), 1, ?) = CAST(? AS BLOB)", ns, len(prefix), prefix)
	}
	if err != nil {
		return 0, fmt.Errorf("store: delete blobs %s/%s: %w", ns, prefix, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Count returns the number of keys in ns, for quotas.
func (tx *Tx) Count(ns string) (int, error) {
	var n int
	if err := tx.queryRow("SELECT count(*) FROM kv WHERE ns = ?", ns).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", ns, err)
	}
	return n, nil
}

// GetJSON decodes the JSON value at ns/key into v.
func (tx *Tx) GetJSON(ns, key string, v any) (bool, error) {
	b, ok, err := tx.Get(ns, key)
	if err != nil || !ok {
		return ok, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("store: decode %s/%s: %w", ns, key, err)
	}
	return true, nil
}

// PutJSON stores v as JSON at ns/key.
func (tx *Tx) PutJSON(ns, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", ns, key, err)
	}
	return tx.Put(ns, key, b)
}

// Savepoint runs fn so that, if it fails, only its own writes are undone and the
// enclosing transaction goes on (a call's state change is rolled back while its audit
// record is still written).
func (tx *Tx) Savepoint(fn func() error) error {
	if tx.readOnly {
		return fn()
	}
	tx.depth++
	name := "sp" + strconv.Itoa(tx.depth)
	defer func() { tx.depth-- }()
	if _, err := tx.exec("SAVEPOINT " + name); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	seq, hooks, appended := tx.lastSeq, len(tx.hooks), len(tx.appended)
	if err := fn(); err != nil {
		tx.lastSeq, tx.hooks, tx.appended = seq, tx.hooks[:hooks], tx.appended[:appended]
		tx.exec("ROLLBACK TO " + name)
		tx.exec("RELEASE " + name)
		return err
	}
	if _, err := tx.exec("RELEASE " + name); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}

// Event is one record of the durable event log: what happened, in which account and
// region, from which source (e.g. "cloudtrail" for API-call records, "s3" for resource
// changes). Seq orders events globally and is assigned on append.
type Event struct {
	Seq     int64
	Time    int64 // Unix milliseconds, from Palisade's clock
	Account string
	Region  string
	Source  string
	Kind    string
	Data    []byte
}

// AppendEvent adds an event to the log in this transaction: it becomes visible to
// consumers exactly when the transaction commits, together with the state change it
// describes.
func (tx *Tx) AppendEvent(e *Event) error {
	if tx.readOnly {
		return ErrReadOnly
	}
	res, err := tx.exec("INSERT INTO events(time, account, region, source, kind, data) VALUES(?, ?, ?, ?, ?, ?)",
		e.Time, e.Account, e.Region, e.Source, e.Kind, e.Data)
	if err != nil {
		return fmt.Errorf("store: append event: %w", err)
	}
	e.Seq, _ = res.LastInsertId()
	tx.lastSeq = e.Seq
	ev := *e
	tx.appended = append(tx.appended, &ev)
	return nil
}

// Events calls fn for events with Seq > after, in order, until fn returns false or limit
// events were visited.
func (tx *Tx) Events(after int64, limit int, fn func(*Event) bool) error {
	rows, err := tx.query("SELECT seq, time, account, region, source, kind, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return fmt.Errorf("store: read events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := &Event{}
		if err := rows.Scan(&e.Seq, &e.Time, &e.Account, &e.Region, &e.Source, &e.Kind, &e.Data); err != nil {
			return fmt.Errorf("store: read events: %w", err)
		}
		if !fn(e) {
			break
		}
	}
	return rows.Err()
}

// EventsDesc calls fn for the events of one source, account and region with Seq <
// before (before <= 0: all of them), newest first, until fn returns false.
func (tx *Tx) EventsDesc(source, account, region string, before int64, fn func(*Event) bool) error {
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := tx.query("SELECT seq, time, account, region, source, kind, data FROM events WHERE source = ? AND account = ? AND region = ? AND seq < ? ORDER BY seq DESC",
		source, account, region, before)
	if err != nil {
		return fmt.Errorf("store: read events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := &Event{}
		if err := rows.Scan(&e.Seq, &e.Time, &e.Account, &e.Region, &e.Source, &e.Kind, &e.Data); err != nil {
			return fmt.Errorf("store: read events: %w", err)
		}
		if !fn(e) {
			break
		}
	}
	return rows.Err()
}

// LastEventSeq returns the highest committed event sequence (0 for an empty log).
func (tx *Tx) LastEventSeq() (int64, error) {
	var n sql.NullInt64
	if err := tx.queryRow("SELECT max(seq) FROM events").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: last event: %w", err)
	}
	return n.Int64, nil
}
