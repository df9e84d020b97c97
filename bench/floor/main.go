// Command floor is the durability floor: the least an HTTP server can do and still keep
// Palisade's rule that an answer leaves only after the call's record is on disk. For
// each request it reads the body, appends one record (the body and the time) to a SQLite
// database in WAL mode with synchronous=FULL — Palisade's store settings, the same
// driver — and answers 200 once the commit returned; concurrent requests share a commit
// (group commit, as Palisade's store does). It checks no signature, authorizes nothing
// and encodes no AWS answer, so no server that keeps the rule can answer faster on this
// machine. bench/floor/run.sh sets it beside local-kms under the KMS benchmark's client,
// and beside moto's S3 under bench/s3 (GETs answer -answer bytes; a GET is recorded as
// every acknowledged call is).
//
//	go run ./bench/floor -addr 127.0.0.1:4599 -db /tmp/floor.db
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	_ "modernc.org/sqlite"
)

type call struct {
	body []byte
	done chan error
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4599", "listen address")
	path := flag.String("db", "floor.db", "database file")
	answer := flag.Int("answer", 0, "answer a body of this many bytes to GETs (an object's worth for bench/s3); 0: a short JSON document")
	flag.Parse()
	object := make([]byte, *answer)

	db, err := sql.Open("sqlite", "file:"+*path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, at INTEGER, body BLOB)`); err != nil {
		log.Fatal(err)
	}
	calls := make(chan call, 1024)
	go commit(db, calls)

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c := call{body: body, done: make(chan error, 1)}
		calls <- c
		if err := <-c.done; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if r.Method == http.MethodGet && *answer > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(object)))
			w.Write(object)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"Recorded":%d}`, len(body))
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// commit writes every call waiting when the previous commit ended in one transaction,
// and answers them all once it committed.
func commit(db *sql.DB, calls chan call) {
	for c := range calls {
		batch := []call{c}
	drain:
		for {
			select {
			case c := <-calls:
				batch = append(batch, c)
			default:
				break drain
			}
		}
		err := write(db, batch)
		for _, c := range batch {
			c.done <- err
		}
	}
}

func write(db *sql.DB, batch []call) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for _, c := range batch {
		if _, err := tx.Exec(`INSERT INTO records (at, body) VALUES (?, ?)`, time.Now().UnixNano(), c.body); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
