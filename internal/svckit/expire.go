package svckit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/store"
)

// ExpiryKey is an expiry-index entry: prefix (a scope within the index's namespace,
// "" for none), the record's write time in Unix milliseconds and the record's key, so
// that a scan of the prefix meets the oldest writes first.
func ExpiryKey(prefix string, at int64, key string) string {
	return fmt.Sprintf("%s%016d\x00%s", prefix, at, key)
}

// ExpireOld drops up to two records older than window (ms) at now (ms), oldest first:
// recsNS holds them (under recKey of the key an entry names; each record a JSON object
// whose "at" is its write time), indexNS their ExpiryKey entries under prefix, one per
// write. Callers expire on every write, so records cannot pile up; a record written
// again since an entry was made keeps its newer write time and is left.
func ExpireOld(tx *store.Tx, recsNS, indexNS, prefix string, recKey func(string) string, window, now int64) error {
	var due []string
	err := tx.Scan(indexNS, prefix, 2, func(k string, _ []byte) bool {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(rest) < 17 {
			return false
		}
		at, err := strconv.ParseInt(rest[:16], 10, 64)
		if err != nil || now-at < window {
			return false
		}
		due = append(due, k)
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range due {
		stamp, key := k[len(prefix):len(prefix)+16], k[len(prefix)+17:]
		var rec struct {
			At int64 `json:"at"`
		}
		found, err := tx.GetJSON(recsNS, recKey(key), &rec)
		if err != nil {
			return err
		}
		if found && fmt.Sprintf("%016d", rec.At) == stamp {
			if _, err := tx.Delete(recsNS, recKey(key)); err != nil {
				return err
			}
		}
		if _, err := tx.Delete(indexNS, k); err != nil {
			return err
		}
	}
	return nil
}
