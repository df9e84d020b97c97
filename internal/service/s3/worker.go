package s3

import "sync"

// worker is the life of one of the service's background goroutines (event
// notifications, their due-time schedule, lifecycle): started by Attach, stopped by
// Close — stop returns once the goroutine has — and woken early by poke, which never
// blocks. The goroutine watches quit and wake.
type worker struct {
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func newWorker() *worker {
	return &worker{wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

// run starts fn on its own goroutine; stop waits for fn to return.
func (w *worker) run(fn func()) {
	go func() {
		defer close(w.done)
		fn()
	}()
}

func (w *worker) stop() {
	w.once.Do(func() { close(w.quit) })
	<-w.done
}

func (w *worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
