package server

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/store"
)

// Service is what a service package hands the server: its generated model and the
// handlers of the operations it serves. Operations without a handler answer with the
// protocol's unknown-operation error, as if the model did not have them.
type Service struct {
	Model    *model.Service
	Handlers []Handler
	// Global services (IAM, Organizations, Route 53) have one endpoint for all regions;
	// their CloudTrail records carry us-east-1.
	Global bool
	// Actions maps operations to the IAM action they are authorized as, where it is
	// not "<service>:<Operation>" (S3's ListObjectsV2 is s3:ListBucket).
	Actions map[string]string
	// Checks, when set, builds an operation's authorization checks (for resources
	// whose ARNs need state, such as an IAM user's path). Returning nil checks and no
	// error falls back to the reference's ARN templates filled from the input.
	Checks func(c *Call, op string, in map[string]any) ([]authz.Check, error)
	// Vars resolves an ARN template variable the input does not name directly (an IAM
	// user's ${UserNameWithPath} needs the stored path). It runs in the call's
	// transaction.
	Vars func(c *Call, name string, in map[string]any) (string, bool)
	// InvalidatesAuthz marks services whose writes change who may do what (IAM,
	// Organizations): each committed write drops cached permissions for the account.
	InvalidatesAuthz bool
	// Admin, when set, serves the service's part of the admin API under
	// /_palisade/<service>/ (the model's name), behind the admin bearer token.
	Admin http.Handler
}

// Handler serves one operation. Build it with Read or Write.
type Handler struct {
	Op       string
	ReadOnly bool
	noAuthz  bool
	noTrail  bool
	// readEvent marks a Write handler whose CloudTrail record is readOnly.
	readEvent bool
	in, out   reflect.Type
	call      func(c *Call, in any) (any, error)
	wait      func(c *Call, in any)
}

// NotRecorded marks an operation CloudTrail does not record (CloudWatch Logs'
// PutLogEvents, GetLogEvents and FilterLogEvents: AWS's list of logged CloudWatch
// Logs actions leaves them out). The call gets no record in the event log.
func (h Handler) NotRecorded() Handler {
	h.noTrail = true
	return h
}

// Waiting adds a wait the server runs before the handler's transaction, outside any
// transaction (c.Tx is nil), once the caller is authenticated and authorized: long
// polls (SQS ReceiveMessage's WaitTimeSeconds) block there rather than on the store's
// single writer. The wait should return early when c is done (the client left).
func (h Handler) Waiting(wait func(c *Call, in any)) Handler {
	h.wait = wait
	return h
}

// Read registers a handler that changes no state: it runs on a read snapshot,
// concurrently with other calls, and its CloudTrail record is readOnly.
func Read[In, Out any](op string, fn func(c *Call, in *In) (*Out, error)) Handler {
	return handler(op, true, fn)
}

// Write registers a handler that changes state: it runs inside a write transaction
// (c.Tx) that also records the call, and its changes are undone if it fails.
func Write[In, Out any](op string, fn func(c *Call, in *In) (*Out, error)) Handler {
	return handler(op, false, fn)
}

func handler[In, Out any](op string, readOnly bool, fn func(c *Call, in *In) (*Out, error)) Handler {
	return Handler{
		Op: op, ReadOnly: readOnly,
		in: reflect.TypeFor[In](), out: reflect.TypeFor[Out](),
		call: func(c *Call, in any) (any, error) {
			out, err := fn(c, in.(*In))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// ReadOnlyEvent marks a Write handler whose call CloudTrail nonetheless records as
// readOnly: it stores something (IAM's GenerateCredentialReport keeps the report) but
// AWS classes the action as a read (access level Read in the Service Authorization
// Reference).
func (h Handler) ReadOnlyEvent() Handler {
	h.readEvent = true
	return h
}

// RecordsReadOnly reports whether the call's CloudTrail record says readOnly.
func (h Handler) RecordsReadOnly() bool { return h.ReadOnly || h.readEvent }

// check verifies at registration that a handler's Go types are the model's, so a
// handler wired to the wrong operation fails at start-up, not on a request.
func (h Handler) check(svc *model.Service) error {
	op, ok := svc.Operations[h.Op]
	if !ok {
		return fmt.Errorf("server: %s has no operation %s", svc.Name, h.Op)
	}
	if h.in != op.InputType || h.out != op.OutputType {
		return fmt.Errorf("server: %s.%s handler takes %v → %v, model says %v → %v", svc.Name, h.Op, h.in, h.out, op.InputType, op.OutputType)
	}
	return nil
}

// Call is one API call as a handler sees it.
type Call struct {
	context.Context
	RequestID string
	// Principal is the authenticated caller.
	Principal auth.Principal
	// Account is the account the call acts in (the caller's, for now).
	Account string
	// Region is the region the request was signed for.
	Region    string
	Service   *model.Service
	Operation *model.Operation
	// Now is Palisade's clock at the start of the call.
	Now       time.Time
	SourceIP  string
	UserAgent string
	// Tx is the call's transaction: a read snapshot for Read handlers, the write
	// transaction for Write handlers.
	Tx *store.Tx

	// Secure is true when the request came over TLS (aws:SecureTransport).
	Secure bool
	// Host is the Host the request was addressed to: services that hand back URLs
	// of this endpoint (SQS queue URLs, SNS certificate and unsubscribe URLs) build
	// them from it.
	Host string

	// Resources and AdditionalEventData, when a handler sets them, go into the call's
	// CloudTrail record.
	Resources           []audit.Resource
	AdditionalEventData map[string]any

	srv        *Server
	entry      *entry
	authorized bool
	denied     bool
}
