// Package server is Palisade's HTTP edge: it routes each request to a service, checks
// its SigV4 signature, decodes and validates its input with the wire layer, runs the
// service's handler inside a store transaction together with the call's CloudTrail
// record, and encodes the answer. Service packages register handlers through Service;
// nothing here knows any one service.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/bits"
	"net"
	"net/http"
	"reflect"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/clock"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/sigv4"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/wire"
)

// DefaultMaxBody is the largest request body read into memory (every protocol but S3's
// streaming uploads). AWS's own limits are per service and lower for most; none of the
// served operations takes more.
const DefaultMaxBody = 16 << 20

// Config holds what the server needs.
type Config struct {
	Store *store.DB
	Keys  *auth.Keys
	// Sessions checks the session tokens of temporary (ASIA) credentials; nil refuses
	// them as unknown keys.
	Sessions *auth.Sessions
	Clock    *clock.Clock
	Logger   *slog.Logger
	// Region is the default region, for requests whose signature names none.
	Region string
	// AdminToken guards /_palisade/ (all but health).
	AdminToken string
	// MaxBody overrides DefaultMaxBody.
	MaxBody int64
	// Authz authorizes every call; nil allows everything (codec-level tests).
	Authz *authz.Authorizer
	// OnClockAdvance persists a new clock offset before the admin API acknowledges it.
	OnClockAdvance func(ctx context.Context, offset time.Duration) error
	// Public are the unauthenticated routes services publish under /_palisade/, by
	// http.ServeMux pattern (SNS's signing certificate, which message receivers fetch
	// as AWS's is fetched: anonymously). Everything else under /_palisade/ but health
	// needs the admin token.
	Public map[string]http.Handler
	// OnAuthenticated, when set, is told of every request whose signature checked out
	// (before it is decoded or authorized), with the signing service, the region and
	// Palisade's time: IAM's access-key last-used and service last-accessed data come
	// from it. It runs on the request path and must not block.
	OnAuthenticated func(p auth.Principal, service, region string, at time.Time)
	// DataEventsWanted, when set, is asked before a data event (an operation in a
	// service's DataEvents) is recorded: false means no trail would log it, and the
	// call is not recorded, as CloudTrail records data events only for trails that
	// select them. It runs on the request path and must be quick. nil records them all.
	DataEventsWanted func() bool
}

// Server serves the registered services over HTTP.
type Server struct {
	cfg       Config
	entries   []*entry
	bySigning map[string][]*entry
	byTarget  map[string]*entry
	byVersion map[string]*entry
	// byUnsigned maps the actions of Service.Unsigned to their service.
	byUnsigned map[string]*entry
	s3         *entry
	verifier   sigv4.Verifier
	admin      http.Handler
	clockMu    sync.Mutex
	// bodies keeps large request bodies' buffers for reuse (see readBody).
	bodies chan []byte
}

type entry struct {
	svc      Service
	handlers map[string]Handler
}

// New builds a server for the given services. It fails if a handler does not match
// its operation in the model.
func New(cfg Config, services ...Service) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	s := &Server{cfg: cfg, bySigning: map[string][]*entry{}, byTarget: map[string]*entry{}, byVersion: map[string]*entry{}, byUnsigned: map[string]*entry{}, bodies: make(chan []byte, pooledBodyKeep)}
	for _, svc := range services {
		e := &entry{svc: svc, handlers: map[string]Handler{}}
		for _, h := range svc.Handlers {
			if err := h.check(svc.Model); err != nil {
				return nil, err
			}
			h.omitFields, _ = omittedFields(h)
			if _, dup := e.handlers[h.Op]; dup {
				return nil, fmt.Errorf("server: %s.%s registered twice", svc.Model.Name, h.Op)
			}
			e.handlers[h.Op] = h
		}
		for op := range svc.Unsigned {
			if _, ok := e.handlers[op]; !ok {
				return nil, fmt.Errorf("server: %s lists %s as unsigned but serves no such operation", svc.Model.Name, op)
			}
			if other, dup := s.byUnsigned[op]; dup {
				return nil, fmt.Errorf("server: %s and %s both list %s as unsigned", other.svc.Model.Name, svc.Model.Name, op)
			}
			s.byUnsigned[op] = e
		}
		m := svc.Model
		s.entries = append(s.entries, e)
		s.bySigning[m.SigningName] = append(s.bySigning[m.SigningName], e)
		if m.TargetPrefix != "" {
			// Both spellings clients send (see wire's JSON Resolve): the model's full
			// prefix and its last dotted part ("CloudTrail_20131101").
			s.byTarget[m.TargetPrefix] = e
			s.byTarget[m.TargetPrefix[strings.LastIndexByte(m.TargetPrefix, '.')+1:]] = e
		}
		for _, p := range m.Protocols {
			if p == "query" || p == "ec2" {
				s.byVersion[m.APIVersion] = e
			}
		}
		if m.Name == "s3" {
			s.s3 = e
		}
	}
	s.admin = s.adminHandler()
	return s, nil
}

// Services returns the names of the services served, sorted.
func (s *Server) Services() []string {
	var names []string
	for _, e := range s.entries {
		names = append(names, e.svc.Model.Name)
	}
	sort.Strings(names)
	return names
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_palisade/") {
		s.admin.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rc := http.NewResponseController(w) // the connection's deadlines (idle.go)
	r, body := watchBody(rc, r)
	defer body.lift()
	rw := &statusWriter{ResponseWriter: w, idle: idleAnswer{rc}}
	st := &callState{start: start}
	s.serve(rw, r, st)
	s.logCall(r, rw, st)
}

// callState collects what the request log line reports.
type callState struct {
	start     time.Time
	service   string
	operation string
	principal string
	errorCode string
	requestID string
	// body is the pooled buffer the request's body was read into, if any; reuse says
	// whether it may go back to the pool once the call is over (see readBody).
	body  []byte
	reuse bool
	hash  *bodyHash // the body's hash, which may still be reading body
	// raw is the request body as sent, for Service.CheckBody (nil when not read).
	raw []byte
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, st *callState) {
	defer s.releaseBody(st)
	a, authErr := sigv4.Parse(r)
	e := s.route(r, a, isMissing(authErr))
	if e == nil {
		s.unroutable(w, r, a, st)
		return
	}
	m := e.svc.Model
	st.service = m.Name
	proto := wire.Detect(m, r)
	req := &wire.Request{HTTP: r, Service: m}
	if m.Name == "s3" {
		req.VirtualBucket, _ = wire.S3BucketFromHost(r.Host)
	}
	meta := s.newMeta(m)
	st.requestID = meta.RequestID
	fail := func(err *model.Error) {
		st.errorCode = err.Code
		proto.EncodeError(w, req, err, meta)
	}
	if r.Method == http.MethodOptions && e.svc.Preflight != nil {
		h, err := e.svc.Preflight(r, req.VirtualBucket)
		if err != nil {
			fail(err)
			return
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if e.svc.CORSHeaders != nil && r.Header.Get("Origin") != "" {
		for k, v := range e.svc.CORSHeaders(r, req.VirtualBucket) {
			w.Header()[k] = v
		}
	}
	var hash bodyHash
	if proto.ReadsBodyToResolve() {
		if err := s.readBody(r, req, st, &hash); err != nil {
			fail(err)
			return
		}
	}
	op, labels, rerr := proto.Resolve(req)
	if rerr != nil {
		fail(rerr)
		return
	}
	req.Op, req.Labels = op, labels
	st.operation = op.Name
	h, served := e.handlers[op.Name]
	if !served {
		fail(wire.UnknownOperation(proto, req, op.Name))
		return
	}
	st.reuse = h.typed
	streaming := !proto.ReadsBodyToResolve() && wire.HasStreamingInput(op)
	if !proto.ReadsBodyToResolve() && !streaming {
		if err := s.readBody(r, req, st, &hash); err != nil {
			fail(err)
			return
		}
	}
	var input *decoded
	if hash.pending() {
		// A large body is hashed on another core while this one decodes it. What the
		// decoding found is acted on only once the signature has checked out, so a
		// request that fails authentication gets the same error as ever.
		input = decodeCall(proto, req, h)
	}

	authn := trace.StartRegion(r.Context(), "authenticate")
	principal, region, verified, aerr := s.authenticate(r, a, authErr, e, op, hash.wait(), proto)
	authn.End()
	if aerr != nil {
		fail(aerr)
		return
	}
	st.principal = principal.ARN
	if s.cfg.OnAuthenticated != nil && principal.Type != auth.Anonymous {
		s.cfg.OnAuthenticated(principal, m.SigningName, region, s.cfg.Clock.Now())
	}
	if streaming {
		// The body is checked as it streams: aws-chunked signatures chunk by chunk, a
		// claimed SHA-256 at EOF.
		if verified != nil {
			req.Stream = verified.Body(r.Body)
		} else {
			req.Stream = r.Body
		}
	}

	call := &Call{
		Context: r.Context(), RequestID: meta.RequestID, Principal: principal, Account: principal.Account,
		Region: region, Service: m, Operation: op, Now: s.cfg.Clock.Now(),
		SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Secure: r.TLS != nil, TLS: r.TLS, Host: r.Host, srv: s, entry: e, HTTP: r,
		HostID: meta.HostID, proto: proto, wreq: req,
	}
	if !streaming {
		call.Body = req.Body
	}
	if verified != nil {
		call.Auth = a
	}
	if input == nil {
		input = decodeCall(proto, req, h)
	}
	in, inVal, derr := input.in, input.inVal, input.err
	if e.svc.CheckBody != nil && !streaming {
		if berr := e.svc.CheckBody(r, op, st.raw); berr != nil {
			derr = berr
		}
	}
	if derr != nil {
		// A call that was authenticated but could not be decoded or validated is
		// recorded with its error, as CloudTrail records AWS's validation failures.
		if serr := s.cfg.Store.Update(context.WithoutCancel(r.Context()), func(tx *store.Tx) error {
			return s.appendRecords(tx, call, h, in, nil, derr)
		}); serr != nil {
			s.cfg.Logger.Error("store failure", "service", m.Name, "operation", op.Name, "request_id", meta.RequestID, "err", serr)
			fail(internalError())
			return
		}
		fail(derr)
		return
	}

	if e.svc.Done != nil {
		defer func() {
			sw, _ := w.(*statusWriter)
			done := &Completed{Call: call, Input: in, ErrorCode: st.errorCode, Received: st.start, Total: time.Since(st.start)}
			if sw != nil {
				done.Status, done.BytesSent = sw.status, sw.bytes
				if !sw.first.IsZero() {
					done.TurnAround = sw.first.Sub(st.start)
				}
			}
			e.svc.Done(done)
		}()
	}
	if h.wait != nil {
		s.waitFor(call, e, h, inVal.Interface(), in)
	}
	disp := trace.StartRegion(r.Context(), "dispatch")
	out, herr, serr := s.dispatch(call, e, h, inVal.Interface(), in)
	disp.End()
	if serr != nil {
		// The store could not commit: nothing was acknowledged, and the client must
		// not believe otherwise.
		s.cfg.Logger.Error("store failure", "service", m.Name, "operation", op.Name, "request_id", meta.RequestID, "err", serr)
		fail(internalError())
		return
	}
	for k, vs := range call.Header {
		w.Header()[k] = vs
	}
	if herr != nil {
		fail(asAPIError(s.cfg.Logger, herr, meta.RequestID))
		return
	}
	var outTree map[string]any
	if op.Output != nil {
		outTree = model.Marshal(out)
	}
	meta.Status = call.Status
	defer trace.StartRegion(r.Context(), "encode").End()
	if err := proto.Encode(w, req, outTree, meta); err != nil {
		s.cfg.Logger.Debug("response write failed", "request_id", meta.RequestID, "err", err)
	}
}

// decoded is a call's input as decodeInput returned it.
type decoded struct {
	in    map[string]any
	inVal reflect.Value
	err   *model.Error
}

func decodeCall(proto wire.Protocol, req *wire.Request, h Handler) *decoded {
	defer trace.StartRegion(req.HTTP.Context(), "decode").End()
	d := &decoded{}
	d.in, d.inVal, d.err = decodeInput(proto, req, h)
	return d
}

// decodeInput decodes and validates a call's input into the value tree and the
// handler's struct: straight into the struct for a TypedInput handler when the
// protocol can, else through the tree. The error is the one the client gets.
func decodeInput(proto wire.Protocol, req *wire.Request, h Handler) (map[string]any, reflect.Value, *model.Error) {
	if td, ok := proto.(wire.TypedDecoder); ok && h.typed {
		inVal := reflect.New(h.in)
		if td.DecodeTyped(req, inVal) {
			return h.typedTree(inVal), inVal, nil
		}
	}
	in, derr := proto.Decode(req)
	if derr == nil {
		derr = wire.ValidateInput(req, in)
	}
	inVal := reflect.New(h.in)
	if derr == nil {
		if err := model.Unmarshal(in, inVal.Interface()); err != nil {
			derr = model.NewError(400, "SerializationException", "%s", err.Error())
		}
	}
	return in, inVal, derr
}

// dispatch runs the handler in its transaction together with the call's CloudTrail
// record. herr is the handler's error (the call failed, its record says why); serr is a
// store failure (nothing was committed).
func (s *Server) dispatch(c *Call, e *entry, h Handler, in any, inTree map[string]any) (out any, herr, serr error) {
	ctx := context.WithoutCancel(c.Context)
	if h.prep != nil && (h.needPrep == nil || h.needPrep(in)) {
		// Authorize before the slow work, so a caller who may not write does not get
		// to stream a gigabyte first; the write transaction authorizes again.
		serr = s.cfg.Store.View(ctx, func(tx *store.Tx) error {
			c.Tx = tx
			tx.SetScope(c.scope())
			herr = s.authorizeOperation(c, e, h, inTree)
			return nil
		})
		c.Tx = nil
		if serr != nil {
			return nil, nil, serr
		}
		if herr == nil {
			prep := trace.StartRegion(c.Context, "prepare")
			c.prepared, herr = safePrep(h, c, in)
			prep.End()
			if cl, ok := c.prepared.(io.Closer); ok {
				defer cl.Close()
			}
		}
		if herr != nil {
			if evs := s.records(c, h, inTree, nil, herr); len(evs) > 0 {
				serr = s.cfg.Store.Update(ctx, func(tx *store.Tx) error { return appendAll(tx, evs) })
			}
			return nil, herr, serr
		}
	}
	if h.ReadOnly {
		serr = s.cfg.Store.View(ctx, func(tx *store.Tx) error {
			c.Tx = tx
			tx.SetScope(c.scope())
			if herr = s.authorizeOperation(c, e, h, inTree); herr != nil {
				return nil
			}
			out, herr = safeHandle(h, c, in)
			return nil
		})
		c.Tx = nil
		if serr != nil {
			return nil, nil, serr
		}
		// A read that leaves no record (not recorded, or a data event no trail
		// selects) has nothing to commit.
		if evs := s.records(c, h, inTree, out, herr); len(evs) > 0 {
			serr = s.cfg.Store.Update(ctx, func(tx *store.Tx) error { return appendAll(tx, evs) })
		}
		return out, herr, serr
	}
	serr = s.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		c.Tx = tx
		tx.SetScope(c.scope())
		herr = nil
		out = nil
		c.inRegions = nil
		tx.Savepoint(func() error {
			if herr = s.authorizeOperation(c, e, h, inTree); herr != nil {
				return herr
			}
			out, herr = safeHandle(h, c, in)
			return herr
		})
		if herr == nil && e.svc.InvalidatesAuthz && s.cfg.Authz != nil {
			account := c.Account
			tx.AfterCommit(func() { s.cfg.Authz.Changed(account) })
		}
		return s.appendRecords(tx, c, h, inTree, out, herr)
	})
	c.Tx = nil
	return out, herr, serr
}

// scope is the store scope of the call's transactions (store.Tx.SetScope).
func (c *Call) scope() string {
	if c.Service == nil || c.Operation == nil {
		return ""
	}
	return c.Service.Name + ":" + c.Operation.Name
}

// waitFor runs a handler's wait once the caller is known to be authorized (checked on
// a snapshot, so a caller who will be denied is denied at once, not after the wait).
// The handler's transaction authorizes again.
func (s *Server) waitFor(c *Call, e *entry, h Handler, in any, inTree map[string]any) {
	var denied error
	err := s.cfg.Store.View(context.WithoutCancel(c.Context), func(tx *store.Tx) error {
		c.Tx = tx
		tx.SetScope(c.scope())
		denied = s.authorizeOperation(c, e, h, inTree)
		return nil
	})
	c.Tx, c.authorized, c.denied = nil, false, false
	if err == nil && denied == nil {
		h.wait(c, in)
		// The call happens when the wait ends.
		c.Now = s.cfg.Clock.Now()
	}
}

func safePrep(h Handler, c *Call, in any) (p any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return h.prep(c, in)
}

func safeHandle(h Handler, c *Call, in any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return h.call(c, in)
}

// records builds the call's CloudTrail records as store events: one for the caller's
// account, and one for each account the handler shared the call with (c.RecordFor).
func (s *Server) records(c *Call, h Handler, in map[string]any, out any, herr error) []*store.Event {
	if h.noTrail || c.Unsigned() {
		// CloudTrail logs no unauthenticated ConfirmSubscription or Unsubscribe (AWS,
		// "Logging Amazon SNS API calls using CloudTrail").
		return nil
	}
	dataEvent := c.entry.svc.DataEvents[c.Operation.Name]
	if dataEvent && s.cfg.DataEventsWanted != nil && !s.cfg.DataEventsWanted() {
		return nil
	}
	if c.entry.svc.Record != nil {
		c.entry.svc.Record(c, in, out, herr)
	}
	ac := &audit.Call{
		Principal: c.Principal, Account: c.Account, Service: c.Service, Operation: recordedName(c),
		Region: c.Region, GlobalService: c.entry.svc.Global, Time: c.Now, SourceIP: c.SourceIP,
		UserAgent: recordedUserAgent(c), RequestID: c.RequestID, HandlerReadOnly: h.RecordsReadOnly(), DataEvent: dataEvent, Denied: c.denied,
		Input: in, InputShape: c.Operation.Input, OutputShape: c.Operation.Output,
		RequestParameters: c.RequestParameters, ResponseElements: c.ResponseElements,
		Resources: c.Resources, AdditionalEventData: c.AdditionalEventData,
		TLS: audit.TLS(c.TLS, c.Host), SharedWith: c.sharedWith,
		InRegions: c.inRegions,
	}
	if herr != nil {
		var me *model.Error
		if errors.As(herr, &me) {
			ac.ErrorCode, ac.ErrorMessage = me.Code, me.Message
			if c.entry.svc.RecordsShapeNames && me.Shape != nil && me.Shape != queryAccessDenied && me.Shape.Name != "" {
				ac.ErrorCode = me.Shape.Name
			}
		} else {
			ac.ErrorCode, ac.ErrorMessage = "InternalFailure", internalError().Message
		}
	} else if c.Operation.Output != nil {
		ac.Output = model.Marshal(out)
	}
	recs := audit.Build(ac)
	evs := make([]*store.Event, 0, len(recs))
	for i := range recs {
		data, err := audit.Marshal(&recs[i])
		if err != nil {
			s.cfg.Logger.Error("cloudtrail record not encodable", "request_id", c.RequestID, "err", err)
			continue
		}
		evs = append(evs, &store.Event{Time: c.Now.UnixMilli(), Account: recs[i].RecipientAccountID, Region: recs[i].AWSRegion, Source: audit.Source, Kind: audit.Kind, Data: data})
	}
	return evs
}

func (s *Server) appendRecords(tx *store.Tx, c *Call, h Handler, in map[string]any, out any, herr error) error {
	return appendAll(tx, s.records(c, h, in, out, herr))
}

func appendAll(tx *store.Tx, evs []*store.Event) error {
	for _, ev := range evs {
		if err := tx.AppendEvent(ev); err != nil {
			return err
		}
	}
	return nil
}

// authenticate checks the request's signature and returns the caller and the region
// the request was signed for. A request without any signature is anonymous for S3
// and for the service's Unsigned operations.
func (s *Server) authenticate(r *http.Request, a *sigv4.Auth, parseErr error, e *entry, op *model.Operation, bodyHash string, proto wire.Protocol) (auth.Principal, string, *sigv4.Verified, *model.Error) {
	m := e.svc.Model
	family := sigv4Family(m, proto)
	if op.AuthType == "none" {
		// Unsigned operations (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) carry
		// their own proof; the handler checks it.
		return auth.Principal{Type: auth.Anonymous}, s.regionOf(a), nil, nil
	}
	if parseErr != nil {
		var se *sigv4.Error
		if errors.As(parseErr, &se) {
			if se.Kind == sigv4.KindMissing && (m.Name == "s3" || e.svc.Unsigned[op.Name]) {
				return auth.Principal{Type: auth.Anonymous}, s.cfg.Region, nil, nil
			}
			return auth.Principal{}, "", nil, sigv4Error(se, family)
		}
		return auth.Principal{}, "", nil, internalError()
	}
	cred, kerr := s.credential(r, a)
	if kerr != nil {
		if kerr.Kind == 0 {
			return auth.Principal{}, "", nil, internalError()
		}
		return auth.Principal{}, "", nil, sigv4Error(kerr, family)
	}
	v, err := s.verifier.Verify(r, a, cred.Secret, time.Now(), bodyHash)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return auth.Principal{}, "", nil, sigv4Error(se, family)
		}
		s.cfg.Logger.Error("signature check failed", "err", err)
		return auth.Principal{}, "", nil, internalError()
	}
	if sess := cred.Principal.Session; sess != nil && m.Name == "iam" && !sess.MayCallIAM() {
		return auth.Principal{}, "", nil, sigv4Error(sigv4.InvalidToken(a), family)
	}
	p := cred.Principal
	p.AccessKeyID = a.AccessKeyID
	return p, a.Scope.Region, v, nil
}

// credential finds the secret and principal behind a request's access key: a stored
// long-term key, or temporary credentials opened from their session token, whose
// expiry is judged by Palisade's clock. A session token sent with a long-term key is
// refused, as AWS refuses it. A zero-Kind error is an internal failure (logged).
func (s *Server) credential(r *http.Request, a *sigv4.Auth) (*auth.Credential, *sigv4.Error) {
	if auth.IsTemporaryKeyID(a.AccessKeyID) && s.cfg.Sessions != nil {
		if a.SecurityToken == "" {
			// Temporary key ID without its session token: S3 answers InvalidAccessKeyId
			// "The AWS Access Key Id you provided does not exist in our records." (as
			// recorded when clients forget AWS_SESSION_TOKEN); the other services'
			// wording is the same as for an invalid token.
			return nil, sigv4.UnknownAccessKey(a)
		}
		cred, err := s.cfg.Sessions.Open(a.AccessKeyID, a.SecurityToken, s.cfg.Clock.Now())
		switch {
		case errors.Is(err, auth.ErrExpiredToken):
			return nil, sigv4.ExpiredToken(a)
		case err != nil:
			return nil, sigv4.InvalidToken(a)
		}
		return cred, nil
	}
	cred, ok, err := s.cfg.Keys.Lookup(r.Context(), a.AccessKeyID)
	if err != nil {
		s.cfg.Logger.Error("access key lookup failed", "err", err)
		return nil, &sigv4.Error{}
	}
	if !ok || !cred.Active {
		return nil, sigv4.UnknownAccessKey(a)
	}
	if a.SecurityToken != "" {
		return nil, sigv4.InvalidToken(a)
	}
	return cred, nil
}

func (s *Server) regionOf(a *sigv4.Auth) string {
	if a != nil && a.Scope.Region != "" {
		return a.Scope.Region
	}
	return s.cfg.Region
}

// sigv4Family is the error vocabulary a service uses for authentication failures.
func sigv4Family(m *model.Service, proto wire.Protocol) sigv4.Protocol {
	switch {
	case m.Name == "s3":
		return sigv4.S3
	case proto.Name() == "query" || proto.Name() == "ec2" || proto.Name() == "rest-xml":
		return sigv4.Query
	}
	return sigv4.JSON
}

func sigv4Error(se *sigv4.Error, family sigv4.Protocol) *model.Error {
	resp := se.Response(family)
	e := &model.Error{Code: resp.Code, Message: resp.Message, Status: resp.Status, Sender: true}
	for _, f := range resp.Fields {
		e.With(f.Name, f.Value)
	}
	return e
}

// route finds the service a request is for: the credential scope's service when the
// request is signed, else the markers of the unsigned protocols (X-Amz-Target, the
// query Version), else, for a request with no authentication at all (anonymous), the
// service whose Unsigned lists the query's Action, else S3, the one service that
// serves anonymous requests.
func (s *Server) route(r *http.Request, a *sigv4.Auth, anonymous bool) *entry {
	service := ""
	if a != nil {
		service = a.Scope.Service
	} else {
		service = scopeServiceHint(r)
	}
	if service != "" {
		cands := s.bySigning[service]
		if len(cands) == 1 {
			return cands[0]
		}
		if len(cands) == 0 {
			return nil
		}
		if e := claimed(cands, r); e != nil {
			return e
		}
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		// The operation is the part after the last dot; the prefix may hold dots
		// (CloudTrail's "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101").
		if i := strings.LastIndexByte(t, '.'); i > 0 {
			if e, ok := s.byTarget[t[:i]]; ok {
				return e
			}
		}
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Has("Action") {
		if v := formVersion(r); v != "" {
			if e, ok := s.byVersion[v]; ok {
				return e
			}
		}
	}
	if anonymous && (r.URL.Path == "/" || r.URL.Path == "") {
		// SNS's SubscribeURL and UnsubscribeURL (<endpoint>/?Action=…), visited as they
		// are: no signature, no Version.
		if q := r.URL.Query(); !q.Has("Version") {
			if e, ok := s.byUnsigned[q.Get("Action")]; ok {
				return e
			}
		}
	}
	if a == nil && s.s3 != nil {
		if e := claimed(s.bySigning[s.s3.svc.Model.SigningName], r); e != nil {
			return e
		}
		return s.s3
	}
	return nil
}

// isMissing reports whether sigv4.Parse found no authentication at all.
func isMissing(parseErr error) bool {
	var se *sigv4.Error
	return errors.As(parseErr, &se) && se.Kind == sigv4.KindMissing
}

// claimed picks among services sharing a signing name: the one whose Claims accepts
// the request, else the one without Claims.
func claimed(cands []*entry, r *http.Request) *entry {
	var fallback *entry
	for _, e := range cands {
		if e.svc.Claims == nil {
			fallback = e
		} else if e.svc.Claims(r) {
			return e
		}
	}
	return fallback
}

// scopeServiceHint reads the service from a credential scope that failed to parse as a
// whole (a bad date, a malformed header), so the error is still answered in that
// service's protocol.
func scopeServiceHint(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if h := r.Header.Get("Authorization"); h != "" {
		_, after, ok := strings.Cut(h, "Credential=")
		if !ok {
			return ""
		}
		cred, _, _ = strings.Cut(after, ",")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// formVersion finds the query protocol's Version parameter, peeking at a bounded form
// body without consuming it.
func formVersion(r *http.Request) string {
	if v := r.URL.Query().Get("Version"); v != "" {
		return v
	}
	if r.Body == nil || r.ContentLength > DefaultMaxBody {
		return ""
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, DefaultMaxBody+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(buf), r.Body))
	if err != nil {
		return ""
	}
	for _, kv := range strings.Split(string(buf), "&") {
		if v, ok := strings.CutPrefix(kv, "Version="); ok {
			return v
		}
	}
	return ""
}

// unroutable answers a request no served service claims.
func (s *Server) unroutable(w http.ResponseWriter, r *http.Request, a *sigv4.Auth, st *callState) {
	name := "(none)"
	if a != nil {
		name = a.Scope.Service
	}
	st.errorCode = "UnknownService"
	msg := fmt.Sprintf("Palisade does not serve the service %q.", name)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"__type":"UnknownServiceException","message":%q}`, msg)
}

// readBody reads a whole request body, bounded, into req.Body and returns its SHA-256
// for signature checking. An oversized body is refused from its Content-Length
// without being read, or as soon as the limit is passed.
// Large bodies (PutLogEvents' megabyte batches) are read into buffers kept for reuse:
// fresh memory costs more than the work on it, its zeroing and, on a virtual machine,
// a page fault per 4 KiB touched (~3 ms a megabyte here). A buffer goes back to the
// pool only after a call whose handler is TypedInput, whose contract is that nothing
// keeps a string of its input beyond the call; any other call's buffer is left to the
// garbage collector, since its decoded values may share it.
const (
	pooledBodyMin  = 256 << 10
	pooledBodyMax  = 2 << 20
	pooledBodyKeep = 8 // buffers kept: 16 MiB at most
)

// asyncHashMin is the body size from which readBody hashes on another goroutine: the
// SHA-256 of a megabyte PutLogEvents batch takes about as long as decoding it (0.6–0.9
// ms here), and the two can run on two cores; below this size the hand-off costs more
// than it saves.
const asyncHashMin = 128 << 10

// bodyHash is a request body's hex SHA-256, computed now or on another goroutine.
type bodyHash struct {
	sum  string
	done chan struct{} // closed when sum is set; nil when it was set at once
}

// pending reports whether the hash is being computed elsewhere.
func (h *bodyHash) pending() bool { return h.done != nil }

// wait returns the hash once it is known (empty for a nil *bodyHash: no body read).
func (h *bodyHash) wait() string {
	if h == nil {
		return ""
	}
	if h.done != nil {
		<-h.done
	}
	return h.sum
}

// readBody reads the request body into req.Body (decoded, for the codec) and starts
// its hash into *hash.
func (s *Server) readBody(r *http.Request, req *wire.Request, st *callState, hash *bodyHash) *model.Error {
	defer trace.StartRegion(r.Context(), "read body").End()
	if r.ContentLength > s.cfg.MaxBody {
		return tooLarge(s.cfg.MaxBody)
	}
	var buf []byte
	if need := int(r.ContentLength) + bytes.MinRead; r.ContentLength >= pooledBodyMin && need <= pooledBodyMax {
		select {
		case buf = <-s.bodies:
		default:
		}
		if cap(buf) < need {
			// A kept buffer too small for this body is dropped. A new one is sized for
			// it, rounded up to a power of two so that batches of about the same size
			// fit each other's buffers, and a call that cannot give it back wastes
			// little.
			buf = make([]byte, 0, min(1<<bits.Len(uint(need-1)), pooledBodyMax))
		}
		st.body = buf
	}
	body, err := sigv4.ReadBodyUnhashed(r, s.cfg.MaxBody, buf)
	if errors.Is(err, sigv4.ErrBodyTooLarge) {
		return tooLarge(s.cfg.MaxBody)
	}
	if err != nil {
		var me *model.Error
		if errors.As(err, &me) {
			return me // RequestTimeout
		}
		return model.NewError(400, "IncompleteBody", "The request body terminated unexpectedly")
	}
	// The signature covers the bytes as sent; the codec reads them decompressed
	// (SDKs gzip large CloudWatch PutMetricData bodies).
	decoded, derr := wire.DecodeBody(r.Header, body, s.cfg.MaxBody)
	if derr != nil {
		return derr
	}
	req.Body = decoded
	st.hash, st.raw = hash, body
	if len(body) < asyncHashMin {
		hash.sum = sigv4.PayloadHash(body)
		return nil
	}
	hash.done = make(chan struct{})
	go func() {
		hash.sum = sigv4.PayloadHash(body)
		close(hash.done)
	}()
	return nil
}

// releaseBody returns the call's pooled body buffer when its handler allows.
func (s *Server) releaseBody(st *callState) {
	if st.body == nil || !st.reuse {
		return
	}
	st.hash.wait() // a call that failed early may not have waited for it
	select {
	case s.bodies <- st.body[:0]:
	default:
	}
}

func tooLarge(limit int64) *model.Error {
	return model.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body must be no larger than %d bytes", limit)
}

// internalError is AWS's generic server fault.
func internalError() *model.Error {
	return &model.Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: 500}
}

// asAPIError turns a handler's error into what the client sees: a model error as is,
// anything else as an internal failure, logged with the request ID.
func asAPIError(log *slog.Logger, err error, requestID string) *model.Error {
	var me *model.Error
	if errors.As(err, &me) {
		return me
	}
	log.Error("handler failed", "request_id", requestID, "err", err)
	return internalError()
}

// newMeta is a response's request ID and host ID: S3's, and S3 Control's like them
// (recorded 2026, stackd testdata/aws/s3/abac_audit_replay.json: S3 Control's request
// IDs are S3's sixteen characters and its records carry an x-amz-id-2).
func (s *Server) newMeta(m *model.Service) wire.Response {
	if m.Name == "s3" || m.Name == "s3control" {
		b := make([]byte, 8)
		rand.Read(b)
		host := make([]byte, 56)
		rand.Read(host)
		return wire.Response{RequestID: strings.ToUpper(hex.EncodeToString(b)), HostID: base64.StdEncoding.EncodeToString(host)}
	}
	return wire.Response{RequestID: auth.NewUUID()}
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusWriter records the status, the body size and the first byte's time for the
// request log and Service.Done.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	first  time.Time
	idle   idleAnswer
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.first = time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.first = time.Now()
	}
	w.idle.beforeWrite()
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) logCall(r *http.Request, w *statusWriter, st *callState) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	attrs := []slog.Attr{
		slog.String("service", st.service), slog.String("operation", st.operation),
		slog.String("principal", st.principal), slog.Int("status", status),
		slog.Float64("latency_ms", float64(time.Since(st.start).Microseconds())/1000),
		slog.String("request_id", st.requestID),
	}
	if st.errorCode != "" {
		attrs = append(attrs, slog.String("error", st.errorCode))
	}
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// recordedUserAgent is the user agent as the call's CloudTrail record shows it.
func recordedUserAgent(c *Call) string {
	if c.entry != nil && c.entry.svc.BracketsUserAgent && c.UserAgent != "" {
		return "[" + c.UserAgent + "]"
	}
	return c.UserAgent
}

// recordedName is the eventName of the call's CloudTrail record.
func recordedName(c *Call) string {
	if c.entry != nil {
		if n, ok := c.entry.svc.EventNames[c.Operation.Name]; ok {
			return n
		}
	}
	return c.Operation.Name
}
