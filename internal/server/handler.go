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
	"github.com/palisade/palisade/internal/sigv4"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/wire"
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
	// TagOnCreate names the operations that create a resource and may tag it in the
	// same request, with the tagging action a caller then needs as well, as AWS asks
	// (iam:CreateRole with Tags needs iam:TagRole too; sqs:CreateQueue with tags,
	// sqs:TagQueue): a request without tags is not asked for it. A second action, when
	// given, is an alternative that passes the check too (CloudWatch Logs'
	// CreateLogGroup takes logs:TagResource or logs:TagLogGroup).
	TagOnCreate map[string][]string
	// InvalidatesAuthz marks services whose writes change who may do what (IAM,
	// Organizations): each committed write drops cached permissions for the account.
	InvalidatesAuthz bool
	// Admin, when set, serves the service's part of the admin API under
	// /_palisade/<service>/ (the model's name), behind the admin bearer token.
	Admin http.Handler
	// EventNames maps operations to the eventName CloudTrail records them under, where
	// it is not the operation's name (S3 records ListObjectsV2 as ListObjects:
	// recorded 2026, stackd testdata/aws/cloudtrail/owned_s3_delivery.json).
	EventNames map[string]string
	// BracketsUserAgent makes CloudTrail record the caller's user agent in square
	// brackets, as S3's records show it ("[aws-cli/2.36.28 ...]": recorded 2026, stackd
	// testdata/aws/cloudtrail/owned_s3_delivery.json).
	BracketsUserAgent bool
	// RecordsShapeNames makes CloudTrail record the service's modeled errors by their
	// exception shape's name rather than the code on the wire, as AWS records IAM's:
	// NoSuchEntity is errorCode NoSuchEntityException (recorded 2026, stackd
	// testdata/aws/cloudtrail/iam_history.json and service_management_events.json).
	// Denials keep AccessDenied.
	RecordsShapeNames bool
	// DataEvents names the operations CloudTrail records as data events
	// (managementEvent false, eventCategory "Data"): S3's object operations.
	DataEvents map[string]bool
	// Denied, when set, words the service's refusal of a check the policy engine
	// denied (S3 quotes the resource and answers "Access Denied" across accounts). A
	// nil result falls back to the service's AccessDenied with the engine's message.
	Denied func(c *Call, chk *authz.Check, d *authz.Decision) *model.Error
	// Claims, when set, tells whether a request is this service's, for services that
	// share a signing name with another (s3control signs as "s3"): the service whose
	// Claims accepts the request serves it; one without Claims serves the rest.
	Claims func(r *http.Request) bool
	// Unsigned names operations that may also arrive without any signature, whose
	// handlers check their own proof: SNS's ConfirmSubscription (the token) and
	// Unsubscribe (the subscription ARN), whose URLs SNS hands receivers to visit as
	// they are. A signed request to them is authenticated, authorized and recorded as
	// any other. An unsigned one (no SigV4 at all: not a malformed or failed signature)
	// is served as the anonymous principal (auth.Anonymous), is not authorized through
	// the policy engine and leaves no CloudTrail record, as AWS logs no unauthenticated
	// ConfirmSubscription or Unsubscribe. An unsigned query request naming one of these
	// actions without a Version is routed to the service that lists it; two services
	// may not list the same action.
	Unsigned map[string]bool
	// Preflight, when set, answers every OPTIONS request to the service before any
	// signature is checked or operation resolved: S3's CORS preflight, which browsers
	// send without credentials and which S3 answers from the bucket's CORS rules alone,
	// whatever signature the request carries (recorded, 2026: stackd
	// testdata/aws/s3/cors_raw_replay.json, partial-signature-authorization). It
	// returns the headers of a 200 with no body, or the error to answer instead. No
	// handler runs and nothing is authorized or recorded.
	Preflight func(r *http.Request, virtualBucket string) (http.Header, *model.Error)
	// CORSHeaders, when set, is asked for the headers every other answer to a request
	// with an Origin header carries, success or error alike: S3's CORS headers of the
	// rule allowing that origin and method (recorded, 2026: cors_raw_replay.json,
	// private-anonymous-denied, missing-signed). They are set before anything else is.
	CORSHeaders func(r *http.Request, virtualBucket string) http.Header
	// CheckBody, when set, is shown the whole body of a request whose input is not
	// streamed, as the client sent it (before any Content-Encoding is undone), once
	// the signature has checked out and before the body is decoded. An error fails
	// the call as a decoding error would, CloudTrail record and all: S3 checks
	// Content-MD5 and x-amz-checksum-* against its XML bodies here, so that a body
	// damaged in transit is refused as such rather than as malformed XML. Streamed
	// bodies are the handler's to check as they arrive.
	CheckBody func(r *http.Request, op *model.Operation, body []byte) *model.Error
	// Done, when set, is told of every call that reached its handler's dispatch, once
	// the response has been written (S3 server access logs). It runs on the request's
	// goroutine after the client has its answer, so it must not block for long.
	Done func(*Completed)
	// Record, when set, is called with the call's outcome just before its CloudTrail
	// records are built (on success, failure or denial, and for requests that could
	// not be decoded, whose input may then be nil): a service whose records do not
	// mirror its API (S3's requestParameters from the HTTP request, its
	// additionalEventData with the status sent) sets the Call's record fields here.
	// It may run more than once for a call whose transaction is retried.
	Record func(c *Call, in map[string]any, out any, err error)
}

// Completed describes a finished call for Service.Done.
type Completed struct {
	Call *Call
	// Input is the decoded input tree (streaming members are readers).
	Input map[string]any
	// Status is the HTTP status sent, ErrorCode the error code ("" on success).
	Status    int
	ErrorCode string
	// BytesSent counts the response body bytes written.
	BytesSent int64
	// Received is when the request arrived (real time); TurnAround runs from then
	// to the first response byte, Total to the last.
	Received          time.Time
	TurnAround, Total time.Duration
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
	prep      func(c *Call, in any) (any, error)
	// needPrep, when set, tells whether a request needs prep at all (see PreparedWhen).
	needPrep func(in any) bool
	noTrail  bool
	wait     func(c *Call, in any)
	// typed and treeOmits: see TypedInput; omitFields are treeOmits' struct fields.
	typed      bool
	treeOmits  []string
	omitFields []int
}

// NotRecorded marks an operation CloudTrail does not record (CloudWatch Logs'
// PutLogEvents, GetLogEvents and FilterLogEvents: AWS's list of logged CloudWatch
// Logs actions leaves them out). The call gets no record in the event log.
func (h Handler) NotRecorded() Handler {
	h.noTrail = true
	return h
}

// TypedInput lets the protocol decode the operation's input straight into its struct
// (wire.TypedDecoder: the json protocol), without the value tree the generic path
// builds, when the input is one the generic path would accept and that passes
// validation; any other request takes the generic path, tree, errors and all, so the
// answer is the same either way. For a large input (a PutLogEvents batch of 10,000
// events) the tree cost more than the rest of the call.
//
// On the typed path the server still hands authorization (Checks, Vars,
// DefaultChecks), CloudTrail and Service.Done a value tree: model.Marshal of the
// decoded input with the top-level members named in omit left out. That is the tree
// the generic path builds minus those members (the typed decoder declines whatever
// would make the two differ), so omit only members nothing reads from the tree.
// Omitting members of a recorded operation is refused at start-up: its CloudTrail
// record would lose them.
//
// Strings in a typed input may share the request body's memory (a batch's messages
// are slices of it), and once the call is over that memory is reused for another
// request's body (readBody's pool): a handler must copy (strings.Clone) any string of
// its input it keeps beyond the call, in a cache, an index or a goroutine. Whatever
// goes to the store is encoded, hence copied.
func (h Handler) TypedInput(omit ...string) Handler {
	h.typed, h.treeOmits = true, omit
	return h
}

// Recorded reports whether CloudTrail records the operation's calls.
func (h Handler) Recorded() bool { return !h.noTrail }

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

// Prepared registers a Write handler whose slow work runs before its transaction. The
// call is first authorized on a read snapshot; then prep runs outside any transaction
// and outside the store's single write transaction (c.Tx is nil), so it may take its time —
// stream a gigabyte request body to a temporary file; then fn runs in the write
// transaction with prep's result, exactly as a Write handler (the call is authorized
// again there, against the state it commits on). A prep error fails the call, which is
// recorded like any failed call. If the prepared value is an io.Closer it is closed once
// the call is over — committed, failed or rolled back — so that prepared work the
// transaction did not take over (a temporary file) is cleaned up.
func Prepared[In, Out, P any](op string, prep func(c *Call, in *In) (P, error), fn func(c *Call, in *In, p P) (*Out, error)) Handler {
	h := handler(op, false, func(c *Call, in *In) (*Out, error) {
		p, _ := c.prepared.(P)
		return fn(c, in, p)
	})
	h.prep = func(c *Call, in any) (any, error) {
		p, err := prep(c, in.(*In))
		if err != nil {
			// A failed prep holds nothing to close, not even a typed nil.
			return nil, err
		}
		return p, nil
	}
	return h
}

// PreparedWhen is Prepared for a handler whose requests need the slow work only
// sometimes: when need says a request does not, neither the authorization on a read
// snapshot nor prep runs, and fn gets P's zero value in the write transaction (which
// authorizes the call as always). It suits work that is slow only for large requests
// (a megabyte PutLogEvents batch), where a small one is cheaper done in the
// transaction than given a read snapshot of its own first.
func PreparedWhen[In, Out, P any](op string, need func(in *In) bool, prep func(c *Call, in *In) (P, error), fn func(c *Call, in *In, p P) (*Out, error)) Handler {
	h := Prepared(op, prep, fn)
	h.needPrep = func(in any) bool { return need(in.(*In)) }
	return h
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
	if len(h.treeOmits) > 0 && !h.noTrail {
		return fmt.Errorf("server: %s.%s is recorded: its input tree may not omit %v", svc.Name, h.Op, h.treeOmits)
	}
	if _, err := omittedFields(h); err != nil {
		return fmt.Errorf("server: %s.%s: %w", svc.Name, h.Op, err)
	}
	return nil
}

// omittedFields finds the input struct's fields for the members TypedInput omits.
func omittedFields(h Handler) ([]int, error) {
	var out []int
	for _, name := range h.treeOmits {
		found := false
		for i := range h.in.NumField() {
			if tag, ok := h.in.Field(i).Tag.Lookup("aws"); ok && tag == name {
				out, found = append(out, i), true
			}
		}
		if !found {
			return nil, fmt.Errorf("input has no member %s to omit", name)
		}
	}
	return out, nil
}

// typedTree is the value tree of a typed input, less the members h omits.
func (h Handler) typedTree(in reflect.Value) map[string]any {
	if len(h.omitFields) == 0 {
		return model.Marshal(in.Interface())
	}
	v := reflect.New(h.in)
	v.Elem().Set(in.Elem())
	for _, i := range h.omitFields {
		v.Elem().Field(i).SetZero()
	}
	return model.Marshal(v.Interface())
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
	// connection's state then, for the record's tlsDetails. Host is the Host header:
	// services that hand back URLs of this endpoint (SQS queue URLs, SNS certificate
	// and unsubscribe URLs) build them from it.
	Secure bool
	TLS    *tls.ConnectionState
	Host   string
	// HostID is S3's x-amz-id-2 for the response; Body is the request body as sent,
	// for requests whose body is not streamed to the handler (nil otherwise). S3's
	// CloudTrail records carry both.
	HostID string
	Body   []byte

	// SourceAccount and SourceArn, set on a call an AWS service makes for a resource
	// (Server.NewCall: CloudTrail delivering a trail's logs), are aws:SourceAccount and
	// aws:SourceArn in the checks of the services called on its behalf (KMS behind
	// S3's SSE-KMS), as AWS passes them along.
	SourceAccount, SourceArn string

	// HTTP is the request as received, for what the model does not carry (S3 reads
	// x-amz-trailer and the Host and Referer headers). Handlers must not read its body:
	// the decoded input holds it. Nil for calls made with Server.NewCall.
	HTTP *http.Request
	// Auth is the request's parsed SigV4 authentication (header or presigned), nil for
	// unsigned requests.
	Auth *sigv4.Auth
	// Status, when a handler sets it, replaces the operation's success status (S3's
	// 206 for a range).
	Status int
	// Header, when the service sets it, holds headers the response carries whatever
	// it answers, success or error, besides those of the output (S3's
	// x-amz-request-charged on every call another account pays for). Keys are sent as
	// spelled.
	Header http.Header

	// Resources and AdditionalEventData, when a handler sets them, go into the call's
	// CloudTrail record.
	Resources           []audit.Resource
	AdditionalEventData map[string]any
	// RequestParameters and ResponseElements, when a handler sets them (to a value
	// that encodes as a JSON object, or a json.RawMessage), replace the record's fields
	// rendered from the model: for services whose records do not mirror their API.
	RequestParameters, ResponseElements any

	srv        *Server
	proto      wire.Protocol // the request's protocol and decoded request, for AnswerSize
	wreq       *wire.Request
	sharedWith []string
	inRegions  []audit.InRegion
	entry      *entry
	authorized bool
	denied     bool
	prepared   any
	listing    bool // see Listing
}

// Listing reports whether the call only lists its operation's checks for someone to
// weigh (Server.OperationChecks, Call.OperationChecks) rather than serving a request: a Checks hook that weighs a
// check itself before later steps (S3's UploadPartCopy) must then list it instead.
func (c *Call) Listing() bool { return c.listing }

// Denied reports whether authorization refused the call.
func (c *Call) Denied() bool { return c.denied }

// Unsigned reports whether the call is an unsigned one to an operation its service
// serves without a signature (Service.Unsigned): its caller is anonymous, the policy
// engine was not asked, no record is kept, and the handler must check the request's
// own proof.
func (c *Call) Unsigned() bool {
	return c.Principal.Type == auth.Anonymous && c.entry != nil && c.Operation != nil &&
		c.entry.svc.Unsigned[c.Operation.Name]
}

// NewCall makes a Call for work no HTTP request carries — a background consumer acting
// as a service principal (CloudTrail delivering into a bucket) — so that the service's
// code, c.Authorize and the interfaces between services work as they do for a client
// call. The caller sets c.Tx around each use. It fails if the service or operation is
// not served.
func (s *Server) NewCall(ctx context.Context, service, op string, p auth.Principal, account, region string) (*Call, error) {
	for _, e := range s.entries {
		if e.svc.Model.Name != service {
			continue
		}
		o, ok := e.svc.Model.Operations[op]
		if !ok {
			break
		}
		return &Call{Context: ctx, RequestID: auth.NewUUID(), Principal: p, Account: account, Region: region,
			Service: e.svc.Model, Operation: o, Now: s.cfg.Clock.Now(), srv: s, entry: e}, nil
	}
	return nil, fmt.Errorf("server: %s.%s is not served", service, op)
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

// RecordIn writes a further record of the call in another Region of the caller's
// account (r.Region), in the call's transaction with its own record, for operations
// AWS logs in each Region whose resources they change (KMS's UpdatePrimaryRegion,
// and the CreateKey behind ReplicateKey in the replica's Region). The record is the
// call's own but for what r sets (audit.InRegion). It is written only if the call
// succeeds.
func (c *Call) RecordIn(r audit.InRegion) {
	c.inRegions = append(c.inRegions, r)
}
