package logs

import "github.com/palisade/palisade/internal/store"

// GroupExists reports whether an account has a log group of that name in a region,
// reading in tx: for services that check a log group they will deliver to (CloudTrail
// at CreateTrail and UpdateTrail).
func (l *Logs) GroupExists(tx *store.Tx, account, region, name string) (bool, error) {
	_, ok, err := tx.Get(ns(account, region, tGroups), name)
	return ok, err
}
