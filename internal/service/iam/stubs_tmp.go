package iam

import (
	"time"

	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

func (s *svc) reportHandlers() []server.Handler   { return nil }
func (s *svc) accountHandlers() []server.Handler  { return nil }
func (s *svc) providerHandlers() []server.Handler { return nil }

// accountCreated is when the account came to be: its oldest root access key, as
// Palisade creates accounts with one; now when it has none left.
func (s *svc) accountCreated(tx *store.Tx, account string, now time.Time) (time.Time, error) {
	keys, err := s.ownerKeys(tx, account, keyOwner{})
	if err != nil || len(keys) == 0 {
		return timeUTC(now), err
	}
	return timeUTC(keys[0].Created), nil
}
