package s3

import (
	"context"
	"time"

	"github.com/palisade/palisade/internal/store"
)

// RunLifecycle carries out at once what the bucket lifecycle rules make due at the
// clock's present time, as the daily run does; tests call it after moving the clock so
// that they need not wait for the background run.
func (s *Service) RunLifecycle() error {
	return s.cycle.pass(context.Background(), s.d.Clock.Now())
}

// LifecycleDay is the last midnight a bucket's lifecycle rules were run for (zero:
// none recorded).
func (s *Service) LifecycleDay(bucket string) (time.Time, error) {
	var d lcDay
	err := s.d.Store.View(context.Background(), func(tx *store.Tx) error {
		_, err := tx.GetJSON(nsLifecycle, bucket, &d)
		return err
	})
	return d.Day, err
}
