package s3

import "context"

// RunLifecycle carries out at once what the bucket lifecycle rules make due at the
// clock's present time, as the daily run does; tests call it after moving the clock so
// that they need not wait for the background run.
func (s *Service) RunLifecycle() error {
	return s.cycle.pass(context.Background(), s.d.Clock.Now())
}
