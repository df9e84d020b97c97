package store

import (
	"database/sql"
	"fmt"
)

// migrations are applied in order, once each; the schema version is SQLite's
// user_version. Append only: never edit a migration that has shipped.
var migrations = []string{
	// 1: the key-value space and the event log.
	`CREATE TABLE kv (
		ns TEXT NOT NULL,
		k  TEXT NOT NULL,
		v  BLOB NOT NULL,
		PRIMARY KEY (ns, k)
	) WITHOUT ROWID;
	CREATE TABLE events (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		time    INTEGER NOT NULL,
		account TEXT NOT NULL,
		region  TEXT NOT NULL,
		source  TEXT NOT NULL,
		kind    TEXT NOT NULL,
		data    BLOB NOT NULL
	);`,
	// 2: an account's events of one source and region, newest first (CloudTrail's
	// event history reads its records this way; SQLite appends seq, the rowid).
	`CREATE INDEX events_by_source ON events(source, account, region);`,
	// 3: large values (CloudWatch Logs' event chunks) in a rowid table: its key index
	// holds only keys, while kv, WITHOUT ROWID, keeps whole records in its B-tree, where
	// a key comparison against a cell that overflows reads the entire value.
	`CREATE TABLE blobs (
		ns TEXT NOT NULL,
		k  TEXT NOT NULL,
		v  BLOB NOT NULL,
		PRIMARY KEY (ns, k)
	);`,
}

func migrate(db *sql.DB) error {
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("store: database schema version %d is newer than this Palisade (%d)", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.Begin()
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	return nil
}
