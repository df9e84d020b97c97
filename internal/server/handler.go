package server

import (
	"context"
	"crypto/tls"
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
	// DataEvents names the operations CloudTrail records as data events
	// (managementEvent false, eventCategory "Data"): S3's object operations.
	DataEvents map[string]bool
	// Admin, when set, serves the service's part of the admin API under
	// /_palisade/<service>/ (the model's name), behind the admin bearer token.
	Admin http.Handler
}

// Handler serves one operation. Build it with Read or Write.
type Handler struct {
	Op       string
	ReadOnly bool
	noAuthz  bool
	// readEvent marks a Write handler whose CloudTrail record is readOnly.
	readEvent bool
	in, out   reflect.Type
	call      func(c *Call, in any) (any, error)
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
	// Principal is the authenticated caller, and the identity the call's CloudTrail
	// record names. Handlers of unsigned operations (AssumeRoleWithWebIdentity,
	// AssumeRoleWithSAML) set it to the outside identity they verified
	// (auth.WebIdentityUser, auth.SAMLUser) so the record describes it.
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

	// Secure is true when the request came over TLS (aws:SecureTransport); TLS is the
	// connection's state then, for the record's tlsDetails. Host is the Host header.
	Secure bool
	TLS    *tls.ConnectionState
	Host   string

	// Resources and AdditionalEventData, when a handler sets them, go into the call's
	// CloudTrail record.
	Resources           []audit.Resource
	AdditionalEventData map[string]any
	// RequestParameters and ResponseElements, when a handler sets them (to a value
	// that encodes as a JSON object, or a json.RawMessage), replace the record's fields
	// rendered from the model: for services whose records do not mirror their API.
	RequestParameters, ResponseElements any

	srv        *Server
	sharedWith []string
	entry      *entry
	authorized bool
	denied     bool
}

// RecordFor delivers a copy of the call's CloudTrail record to another account as
// well: the owner of a resource the call used across accounts (a role assumed from
// another account, a KMS key or bucket of another account). The copies share a
// sharedEventID; in the owner's copy the caller appears as an AWSAccount (or the
// AWSService that called). The caller's own account is ignored.
func (c *Call) RecordFor(account string) {
	if account != "" && account != c.Account {
		c.sharedWith = append(c.sharedWith, account)
	}
}
