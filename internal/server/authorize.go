package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/store"
)

// NoAuthz marks an operation every authenticated caller may call (sts:GetCallerIdentity:
// "No permissions are required to perform this operation").
func (h Handler) NoAuthz() Handler {
	h.noAuthz = true
	return h
}

// Authorize asks the policy engine whether the caller may perform a check, and returns
// the service's AccessDenied error (with AWS's message) when not. Handlers call it for
// checks beyond the operation's own, which the server makes before the handler runs.
func (c *Call) Authorize(chk authz.Check) error {
	c.authorized = true
	if c.srv == nil || c.srv.cfg.Authz == nil {
		return nil
	}
	caller := c.caller()
	var d *authz.Decision
	// The check's action, then its alternative (OrAction) if it has one; a denial
	// is worded for the first.
	for try := chk; ; try.Action, try.OrAction = try.OrAction, "" {
		td, err := c.srv.cfg.Authz.Decide(c.Tx, &caller, &try)
		if err != nil {
			return err
		}
		if td.Allowed() {
			c.recordForOwner(&try)
			return nil
		}
		if d == nil {
			d = td
		}
		if try.OrAction == "" {
			break
		}
	}
	c.denied = true
	if c.entry != nil && c.entry.svc.Denied != nil {
		if e := c.entry.svc.Denied(c, &chk, d); e != nil {
			return e
		}
	}
	if c.Service.Protocol == "ec2" {
		// EC2-style services answer UnauthorizedOperation with an encoded message
		// that sts:DecodeAuthorizationMessage turns back into the decision.
		return model.NewError(http.StatusForbidden, "UnauthorizedOperation",
			"You are not authorized to perform this operation. Encoded authorization failure message: %s", c.srv.cfg.Authz.EncodeMessage(&caller, &chk, d))
	}
	return c.srv.accessDenied(c, d.Message())
}

// Allowed asks the policy engine whether the caller may perform a check, without
// failing the call or marking it denied: for operations whose outcome, not their
// answer, depends on the caller's other permissions (IAM's Organizations access
// report fails its job when the caller may not read the organization).
func (c *Call) Allowed(chk authz.Check) (bool, error) {
	if c.srv == nil || c.srv.cfg.Authz == nil {
		return true, nil
	}
	caller := c.caller()
	d, err := c.srv.cfg.Authz.Decide(c.Tx, &caller, &chk)
	if err != nil {
		return false, err
	}
	return d.Allowed(), nil
}

// recordForOwner gives the owner of a resource of another account that the call was
// allowed to use its own copy of the call's CloudTrail record, as AWS delivers a
// cross-account call to both accounts (a role assumed, a key or bucket used). Only for
// the call's own service's actions: the KMS key behind an S3 object gets KMS's record,
// not S3's.
func (c *Call) recordForOwner(chk *authz.Check) {
	if chk.ResourceAccount == "" || chk.ResourceAccount == c.Account || c.Service == nil {
		return
	}
	prefix, _, _ := strings.Cut(chk.Action, ":")
	if strings.EqualFold(prefix, c.Service.SigningName) || strings.EqualFold(prefix, c.Service.Name) {
		c.RecordFor(chk.ResourceAccount)
	}
}

func (c *Call) caller() authz.Caller {
	return authz.Caller{Principal: c.Principal, SourceIP: c.SourceIP, UserAgent: c.UserAgent, Region: c.Region, Now: c.Now, Secure: c.Secure}
}

// queryAccessDenied is the exception a query-compatible JSON service's AccessDenied is
// sent as when its model has none.
var queryAccessDenied = &model.Shape{Name: "AccessDeniedException", Exception: true, ErrorCode: "AccessDenied", HTTPStatusCode: http.StatusForbidden}

// AccessDenied is the call's service's access-denied error with msg, as Authorize
// answers a denial: for a service's Denied hook that only rewords the message.
func (c *Call) AccessDenied(msg string) *model.Error { return c.srv.accessDenied(c, msg) }

// accessDenied is the service's access-denied error: its modelled exception when it
// has one (SNS's is AuthorizationError), else the protocol's customary code.
func (s *Server) accessDenied(c *Call, msg string) *model.Error {
	for _, name := range []string{"AccessDeniedException", "AccessDenied", "AuthorizationErrorException"} {
		if sh, ok := c.Service.Shapes[name]; ok && sh.Exception {
			e := model.ErrorFromShape(sh, msg)
			if e.Status == 400 && c.Service.Protocol == "rest-json" {
				e.Status = http.StatusForbidden
			}
			return e
		}
	}
	switch c.Service.Protocol {
	case "json":
		if c.Service.QueryCompatible {
			// SQS: its query protocol's AccessDenied, 403, which SDKs read from
			// x-amzn-query-error and CloudTrail records as the errorCode; the JSON body
			// names the exception.
			return &model.Error{Code: "AccessDenied", Message: msg, Status: http.StatusForbidden, Sender: true, Shape: queryAccessDenied}
		}
		return model.NewError(400, "AccessDeniedException", "%s", msg)
	case "rest-json":
		return model.NewError(http.StatusForbidden, "AccessDeniedException", "%s", msg)
	}
	return model.NewError(http.StatusForbidden, "AccessDenied", "%s", msg)
}

// authorizeOperation makes the operation's own checks: the action the Service
// Authorization Reference names for it, on the resources its input names.
func (s *Server) authorizeOperation(c *Call, e *entry, h Handler, in map[string]any) error {
	if h.noAuthz || s.cfg.Authz == nil || c.Unsigned() {
		// An unsigned call to a Service.Unsigned operation carries its own proof,
		// which its handler checks.
		return nil
	}
	checks, err := s.operationChecks(c, e, in)
	if err != nil {
		return err
	}
	return c.AuthorizeAll(checks)
}

// AuthorizeAll makes checks in order, as Authorize, and stops at the first denial.
func (c *Call) AuthorizeAll(checks []authz.Check) error {
	for _, chk := range checks {
		if err := c.Authorize(chk); err != nil {
			return err
		}
	}
	return nil
}

// operationChecks builds the checks for an operation: the service's own hook when it
// has one, else DefaultChecks.
func (s *Server) operationChecks(c *Call, e *entry, in map[string]any) ([]authz.Check, error) {
	var chks []authz.Check
	var err error
	if e.svc.Checks != nil {
		chks, err = e.svc.Checks(c, c.Operation.Name, in)
		chks = withRequestTags(chks, in)
	} else {
		chks, err = c.DefaultChecks(in)
	}
	if err != nil || len(chks) == 0 {
		return chks, err
	}
	if actions := e.svc.TagOnCreate[c.Operation.Name]; len(actions) > 0 {
		if chk, ok := tagOnCreate(c, actions, &chks[0], in); ok {
			chks = append(chks, chk)
		}
	}
	return chks, nil
}

// tagOnCreate is the check a request that creates a resource and tags it makes beyond
// the creating action's (Service.TagOnCreate): the tagging action on the created
// resource, with the request's tags as its only request context — the creating
// action's own keys (iam:PermissionsBoundary) are not the tagging action's. When the
// creating action has no resource (kms:CreateKey, on "*"), the new resource has no
// name yet: the check is on every resource of the tagging action's type in the
// account and Region (kms:TagResource on arn:aws:kms:R:A:key/*, which is what the KMS
// guide asks the permission to cover), and AWS's message then names no resource.
func tagOnCreate(c *Call, actions []string, create *authz.Check, in map[string]any) (authz.Check, bool) {
	tags, keys := requestTags(in)
	if len(keys) == 0 {
		return authz.Check{}, false
	}
	chk := authz.Check{Action: actions[0], Resource: create.Resource, ResourceAccount: create.ResourceAccount}
	if len(actions) > 1 {
		chk.OrAction = actions[1]
	}
	if chk.Resource == "*" {
		if arn, ok := anyResource(c, actions[0]); ok {
			chk.Resource, chk.HideResource = arn, true
		}
	}
	return withTags([]authz.Check{chk}, tags, keys)[0], true
}

// anyResource is the ARN of every resource of an action's one resource type in the
// call's account and Region: its template with each other variable "*". An action on
// several types (organizations:TagResource: accounts, OUs, policies…) has no such ARN.
func anyResource(c *Call, action string) (string, bool) {
	a, ok := authz.LookupAction(action)
	if !ok || len(a.Resources) != 1 {
		return "", false
	}
	svc, _ := authz.LookupService(a.Service)
	rt := svc.ResourceTypes[a.Resources[0].Type]
	if rt == nil {
		return "", false
	}
	return authz.FillARN(rt.ARN, func(name string) (string, bool) {
		if v, ok := c.scopeVar(name); ok {
			return v, true
		}
		return "*", true
	})
}

// scopeVar fills the ARN template variables every resource has from the call:
// ${Partition}, ${Region} (empty for global services) and ${Account}.
func (c *Call) scopeVar(name string) (string, bool) {
	switch name {
	case "Partition":
		return "aws", true
	case "Region":
		if c.entry != nil && c.entry.svc.Global {
			return "", true
		}
		return c.Region, true
	case "Account":
		return c.Account, true
	}
	return "", false
}

// OperationChecks returns the checks the server makes before the call's operation's
// handler runs, for the input tree in, reading state in c.Tx: the service's Checks hook
// (with the resource policies it attaches) or the reference's templates. With NewCall it
// lets one service ask what another would decide without running that service's
// handler (CloudTrail: may cloudtrail.amazonaws.com write into this bucket under its
// policy, generate data keys under this key?).
func (c *Call) OperationChecks(in map[string]any) ([]authz.Check, error) {
	listing := c.listing
	c.listing = true // the caller weighs the checks (Listing)
	defer func() { c.listing = listing }()
	return c.srv.operationChecks(c, c.entry, in)
}

// DefaultChecks are an operation's checks as the Service Authorization Reference
// describes them: its action, on the resources whose ARN templates the input (and the
// service's Vars) can fill, with aws:RequestTag/* and aws:TagKeys from the input's tags.
func (c *Call) DefaultChecks(in map[string]any) ([]authz.Check, error) {
	return c.DefaultChecksWith(in, nil)
}

// DefaultChecksWith is DefaultChecks resolving template variables with vars (before
// the service's Vars), for a Checks hook that keeps what it loads for the rest of the
// call's checks.
func (c *Call) DefaultChecksWith(in map[string]any, vars func(name string) (string, bool)) ([]authz.Check, error) {
	e := c.entry
	action := e.svc.Model.Name + ":" + c.Operation.Name
	if a, ok := e.svc.Actions[c.Operation.Name]; ok {
		action = a
	}
	info, ok := authz.LookupAction(action)
	if !ok {
		return nil, fmt.Errorf("server: %s has no action %s in the authorization reference", c.Operation.Name, action)
	}
	resources := defaultResources(c, e, info, in, vars)
	chks := make([]authz.Check, len(resources))
	for i, r := range resources {
		chks[i] = authz.Check{Action: info.FullName(), Resource: r}
	}
	return withRequestTags(chks, in), nil
}

// defaultResources fills the ARN templates of the action's resource types from the
// input: required types first; "*" when none can be filled (actions without
// resource-level permissions).
func defaultResources(c *Call, e *entry, a *authz.Action, in map[string]any, vars func(string) (string, bool)) []string {
	svc, _ := authz.LookupService(a.Service)
	lookup := func(name string) (string, bool) {
		if v, ok := c.scopeVar(name); ok {
			return v, true
		}
		if vars != nil {
			if v, ok := vars(name); ok {
				return v, true
			}
		}
		if e.svc.Vars != nil {
			if v, ok := e.svc.Vars(c, name, in); ok {
				return v, true
			}
		}
		return inputValue(in, name)
	}
	var out []string
	for _, required := range []bool{true, false} {
		for _, ref := range a.Resources {
			if ref.Required != required {
				continue
			}
			rt := svc.ResourceTypes[ref.Type]
			if rt == nil {
				continue
			}
			if arn, ok := authz.FillARN(rt.ARN, lookup); ok {
				out = append(out, arn)
				if !required {
					return out
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{"*"}
}

// inputValue finds a template variable among the input's top-level string members,
// case-insensitively, also trying the variable without a trailing "Name".
func inputValue(in map[string]any, name string) (string, bool) {
	for _, n := range []string{name, strings.TrimSuffix(name, "Name")} {
		for k, v := range in {
			if s, ok := v.(string); ok && s != "" && strings.EqualFold(k, n) {
				return s, true
			}
		}
	}
	return "", false
}

// withRequestTags adds aws:RequestTag/* and aws:TagKeys from a request's tags (its
// Tags, tags or TagsList member) and tag keys (TagKeys, tagKeys), the way every
// tagging-aware service feeds them.
func withRequestTags(chks []authz.Check, in map[string]any) []authz.Check {
	tags, keys := requestTags(in)
	return withTags(chks, tags, keys)
}

// requestTags reads the tags a request sets, whichever of the services' spellings it
// uses: a list of {Key, Value} (TagKey/TagValue in KMS, key/value elsewhere), a map,
// or a list of keys (CloudWatch Logs' deprecated UntagLogGroup calls its keys "tags").
func requestTags(in map[string]any) (map[string]string, []string) {
	var tags map[string]string
	var keys []string
	add := func(k, v string, valued bool) {
		if k == "" {
			return
		}
		if valued {
			if tags == nil {
				tags = map[string]string{}
			}
			tags[k] = v
		}
		keys = append(keys, k)
	}
	for _, name := range []string{"Tags", "tags", "TagsList"} {
		switch t := in[name].(type) {
		case []any:
			for _, x := range t {
				switch x := x.(type) {
				case map[string]any:
					k, _ := firstString(x, "Key", "TagKey", "key")
					v, _ := firstString(x, "Value", "TagValue", "value")
					add(k, v, true)
				case string:
					add(x, "", false)
				}
			}
		case map[string]any:
			for k, v := range t {
				s, _ := v.(string)
				add(k, s, true)
			}
		}
	}
	for _, name := range []string{"TagKeys", "tagKeys"} {
		if tk, ok := in[name].([]any); ok {
			for _, k := range tk {
				if s, ok := k.(string); ok {
					add(s, "", false)
				}
			}
		}
	}
	return tags, keys
}

// withTags gives each check aws:RequestTag/* for tags and aws:TagKeys for keys, where
// the Service Authorization Reference lists those keys for the check's action (an
// untagging action has aws:TagKeys only; AWS puts no request tags in its context).
func withTags(chks []authz.Check, tags map[string]string, keys []string) []authz.Check {
	if len(keys) == 0 {
		return chks
	}
	for i := range chks {
		requestTag, tagKeys := true, true
		if a, ok := authz.LookupAction(chks[i].Action); ok {
			requestTag, tagKeys = false, false
			for _, k := range a.ConditionKeys {
				switch k {
				case "aws:RequestTag/${TagKey}":
					requestTag = true
				case "aws:TagKeys":
					tagKeys = true
				}
			}
		}
		if !requestTag && !tagKeys {
			continue
		}
		ctx := map[string][]string{}
		for k, v := range chks[i].Context {
			ctx[k] = v
		}
		if requestTag {
			for k, v := range tags {
				ctx["aws:requesttag/"+strings.ToLower(k)] = []string{v}
			}
		}
		if tagKeys {
			ctx["aws:tagkeys"] = keys
		}
		chks[i].Context = ctx
	}
	return chks
}

func firstString(m map[string]any, names ...string) (string, bool) {
	for _, n := range names {
		if s, ok := m[n].(string); ok {
			return s, true
		}
	}
	return "", false
}

// OperationChecks returns the checks the server makes before an operation's handler
// runs, for a caller and an input value tree, reading state in a snapshot: what a test
// or a tool compares with the Service Authorization Reference. An operation served
// without authorization (NoAuthz) has none.
func (s *Server) OperationChecks(ctx context.Context, p auth.Principal, region, service, op string, in map[string]any) ([]authz.Check, error) {
	var e *entry
	for _, x := range s.entries {
		if x.svc.Model.Name == service {
			e = x
		}
	}
	if e == nil {
		return nil, fmt.Errorf("server: no service %s", service)
	}
	h, ok := e.handlers[op]
	if !ok {
		return nil, fmt.Errorf("server: %s has no handler for %s", service, op)
	}
	if h.noAuthz {
		return nil, nil
	}
	c := &Call{Context: ctx, Principal: p, Account: p.Account, Region: region, Service: e.svc.Model,
		Operation: e.svc.Model.Operations[op], Now: s.cfg.Clock.Now(), srv: s, entry: e, listing: true}
	var chks []authz.Check
	err := s.cfg.Store.View(ctx, func(tx *store.Tx) (err error) {
		c.Tx = tx
		tx.SetScope(c.scope())
		chks, err = s.operationChecks(c, e, in)
		return err
	})
	return chks, err
}
