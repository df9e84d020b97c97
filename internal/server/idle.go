package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/palisade/palisade/internal/model"
)

// IdleTimeout is how long a request body may go without a byte before the call ends
// with 400 RequestTimeout, as S3 ends one, and how long an answer may wait for the
// client to take more of it before the connection is closed (a variable for tests).
// Without it a client that declares a body and never sends it, or stops reading a
// large answer, holds its call and connection for as long as it likes.
var IdleTimeout = 20 * time.Second

// idleBody puts a fresh read deadline on the connection before each read of the
// body and lifts it once the body ends, so that a handler that waits after reading
// (SQS's long polls) is not cut off by it. A deadline that expired stays: net/http
// drains an unread body when it is closed and before it reads the next request, and
// with the deadline past both fail at once and the connection is closed, as S3
// closes it, instead of waiting on the client that stalled.
type idleBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	set     bool
	expired bool
}

// watchBody returns r with its body under the idle deadline, and that body (nil when
// r has none). r itself keeps net/http's body: net/http decides from its type, after
// the handler, whether the rest of an unread body can be drained before the answer.
func watchBody(rc *http.ResponseController, r *http.Request) (*http.Request, *idleBody) {
	if r.Body == nil || r.Body == http.NoBody {
		return r, nil
	}
	b := &idleBody{ReadCloser: r.Body, rc: rc}
	r2 := new(http.Request)
	*r2 = *r
	r2.Body = b
	return r2, b
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.set = b.rc.SetReadDeadline(time.Now().Add(IdleTimeout)) == nil
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			b.expired = true
			return n, errRequestTimeout()
		}
		b.lift()
	}
	return n, err
}

// lift clears the deadline unless it expired; safe on nil and to call twice.
func (b *idleBody) lift() {
	if b != nil && b.set && !b.expired {
		b.rc.SetReadDeadline(time.Time{})
		b.set = false
	}
}

func errRequestTimeout() *model.Error {
	return model.NewError(400, "RequestTimeout",
		"Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

// idleAnswer puts a fresh write deadline on the connection before each write of an
// answer. net/http lifts it once the answer is finished (after the handler, when it
// flushes what is buffered), so the next request on the connection starts without it.
type idleAnswer struct {
	rc *http.ResponseController
}

func (a *idleAnswer) beforeWrite() {
	a.rc.SetWriteDeadline(time.Now().Add(IdleTimeout)) // not supported: no deadline, as before
}
