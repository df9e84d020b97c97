package s3

import (
	"io"
	"sync"
	"sync/atomic"
)

// pipeBuffers and pipeBufferSize bound a parallel copy's memory: 3 × 256 KiB.
const (
	pipeBuffers    = 3
	pipeBufferSize = 256 << 10
)

// parallelCopy copies src to every writer, each writer in its own goroutine, while the
// caller's goroutine reads the next buffer: the network read and the signature's
// payload hash (in src) run beside the digests and the encryption and file write (the
// writers), instead of one after the other. Every writer sees every byte, in order.
// It returns the bytes read and the first error: a read error before a write error.
// Reading stops at the first error; the caller discards what was written.
func parallelCopy(src io.Reader, writers ...io.Writer) (int64, error) {
	type block struct {
		b    []byte
		refs atomic.Int32
	}
	free := make(chan *block, pipeBuffers)
	for range pipeBuffers {
		free <- &block{b: make([]byte, pipeBufferSize)}
	}
	queues := make([]chan *block, len(writers))
	errs := make([]error, len(writers))
	var failed atomic.Bool
	var wg sync.WaitGroup
	for i, w := range writers {
		queues[i] = make(chan *block, pipeBuffers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for blk := range queues[i] {
				if errs[i] == nil {
					if _, errs[i] = w.Write(blk.b); errs[i] != nil {
						failed.Store(true)
					}
				}
				if blk.refs.Add(-1) == 0 {
					blk.b = blk.b[:cap(blk.b)]
					free <- blk
				}
			}
		}()
	}
	var n int64
	var rerr error
	for !failed.Load() {
		blk := <-free
		k, err := io.ReadFull(src, blk.b)
		if k > 0 {
			n += int64(k)
			blk.b = blk.b[:k]
			blk.refs.Store(int32(len(writers)))
			for _, q := range queues {
				q <- blk
			}
		} else {
			free <- blk
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if rerr != nil {
		return n, rerr
	}
	for _, err := range errs {
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
