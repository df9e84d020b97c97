package s3_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
)

// errCode is the S3 error code of err ("" for none).
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// A bucket deleted while readers are busy with it stays deleted: no reader whose
// snapshot predates the delete may leave the bucket behind in a cache, where a later
// PutObject would find it and write an object no bucket holds.
func TestDeleteBucketRacingReads(t *testing.T) {
	e := newEnv(t)
	for i := range 40 {
		name := fmt.Sprintf("race-delete-%d", i)
		must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
		stop := apptest.Race(4, func(int) string {
			_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("none")})
			switch c := errCode(err); c {
			case "NoSuchKey", "NoSuchBucket":
				return ""
			default:
				return "GetObject: " + c
			}
		})
		must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}))
		if msg := stop(); msg != "" {
			t.Fatalf("round %d: a reader racing DeleteBucket: %s", i, msg)
		}
		_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: strings.NewReader("x")})
		if c := errCode(err); c != "NoSuchBucket" {
			t.Fatalf("round %d: PutObject into the deleted bucket: %q", i, c)
		}
		_, err = e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
		if err == nil {
			t.Fatalf("round %d: HeadBucket of the deleted bucket succeeded", i)
		}
	}
	for _, p := range storeState(t, e.p) {
		t.Error(p)
	}
}

// storeState checks, with the server stopped (so bodies awaiting removal are gone),
// that S3's records and bodies agree: every version and part names bodies that
// exist, no body is left that no record names, each key's current record is its
// newest version (none when that is a delete marker), and no bucket record is
// missing for a bucket that holds objects. It returns a description of each problem.
func storeState(t *testing.T, p *apptest.Palisade) []string {
	t.Helper()
	p.Stop()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(p.DataDir, "palisade.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var problems []string
	bad := func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) }
	type seg struct {
		F, R string
		I    bool
	}
	type rec struct {
		V, Sk, W, E string
		Dm          bool
		S           []seg
	}
	decode := func(v []byte) rec {
		var raw struct {
			V  string `json:"v"`
			Sk string `json:"sk"`
			W  string `json:"w"`
			E  string `json:"e"`
			Dm bool   `json:"dm"`
			S  []struct {
				F string `json:"f"`
				R string `json:"r"`
				I bool   `json:"i"`
			} `json:"s"`
			// parts
			PF string `json:"f"`
			PI bool   `json:"i"`
		}
		if err := json.Unmarshal(v, &raw); err != nil {
			t.Fatal(err)
		}
		r := rec{V: raw.V, Sk: raw.Sk, W: raw.W, E: raw.E, Dm: raw.Dm}
		for _, s := range raw.S {
			r.S = append(r.S, seg{s.F, s.R, s.I})
		}
		if raw.PF != "" {
			r.S = append(r.S, seg{F: raw.PF, I: raw.PI})
		}
		return r
	}
	rows, err := db.Query(`SELECT ns, k, v FROM kv WHERE ns LIKE 's3///%'`)
	if err != nil {
		t.Fatal(err)
	}
	wantRows, wantFiles := map[string]string{}, map[string]string{}
	cur := map[string]rec{}    // bucket NUL key → current record
	newest := map[string]rec{} // bucket NUL key → newest version
	buckets := map[string]bool{}
	holders := map[string]bool{} // buckets that hold versions or uploads
	for rows.Next() {
		var ns, k string
		var v []byte
		if err := rows.Scan(&ns, &k, &v); err != nil {
			t.Fatal(err)
		}
		kind, rest, _ := strings.Cut(strings.TrimPrefix(ns, "s3///"), "/")
		switch kind {
		case "buckets":
			buckets[k] = true
			continue
		case "cur", "ver", "parts":
		case "mpu":
			holders[rest] = true
			continue
		default:
			continue
		}
		r := decode(v)
		where := ns + " " + strings.ReplaceAll(k, "\x00", "/")
		for _, s := range r.S {
			if s.I {
				row := s.F
				if s.R != "" {
					row = s.R
				}
				wantRows[row] = where
			} else {
				wantFiles[s.F] = where
			}
		}
		switch kind {
		case "cur":
			cur[rest+"\x00"+k] = r
		case "ver":
			holders[rest] = true
			key, _, _ := strings.Cut(k, "\x00")
			if _, ok := newest[rest+"\x00"+key]; !ok {
				newest[rest+"\x00"+key] = r
			}
		}
	}
	rows.Close()
	for b := range holders {
		if !buckets[b] {
			bad("bucket %s is gone but holds records", b)
		}
	}
	for k, n := range newest {
		c, ok := cur[k]
		switch {
		case n.Dm && ok:
			bad("%q: current record %s/%s under a delete marker", k, c.V, c.W)
		case !n.Dm && !ok:
			bad("%q: no current record for version %s/%s", k, n.V, n.W)
		case !n.Dm && (c.W != n.W || c.V != n.V || c.E != n.E):
			bad("%q: current record %s/%s is not the newest version %s/%s", k, c.V, c.W, n.V, n.W)
		}
	}
	for k, c := range cur {
		if _, ok := newest[k]; !ok {
			bad("%q: current record %s/%s without a version", k, c.V, c.W)
		}
	}
	haveRows := map[string]bool{}
	brows, err := db.Query(`SELECT ns FROM blobs WHERE ns LIKE 's3///inline/%'`)
	if err != nil {
		t.Fatal(err)
	}
	for brows.Next() {
		var ns string
		brows.Scan(&ns)
		haveRows[strings.TrimPrefix(ns, "s3///inline/")] = true
	}
	brows.Close()
	for row, where := range wantRows {
		if !haveRows[row] {
			bad("inline body row %s of %s is missing", row, where)
		}
	}
	for row := range haveRows {
		if _, ok := wantRows[row]; !ok {
			bad("inline body row %s belongs to no record", row)
		}
	}
	haveFiles := map[string]bool{}
	filepath.WalkDir(filepath.Join(p.DataDir, "s3", "data"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			haveFiles[d.Name()] = true
		}
		return nil
	})
	for f, where := range wantFiles {
		if !haveFiles[f] {
			bad("body file %s of %s is missing", f, where)
		}
	}
	for f := range haveFiles {
		if _, ok := wantFiles[f]; !ok {
			bad("body file %s belongs to no record", f)
		}
	}
	return problems
}
