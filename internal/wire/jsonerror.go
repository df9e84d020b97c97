package wire

import (
	"net/http"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// Errors of the JSON-family protocols (json, rest-json, rpc-v2-cbor). The body is an
// object holding the error type, the message and the exception's other members; what
// differs between services is how the type is spelled and what the message key is.

// smithyNamespaces names the namespace of services whose error __type is a full shape
// ID ("com.amazonaws.sqs#QueueDoesNotExist") rather than a bare name. rpc-v2-cbor
// always sends shape IDs; the services listed here do so over json too. CloudWatch
// qualifies its exceptions with Coral's namespace, not its Smithy one, over both
// ("com.amazon.coral.service#InvalidParameterCombinationException": AWS's answers over
// rpc-v2-cbor and json 1.0, recorded in 2026 in radkawar/stackd
// testdata/aws/cloudwatch/protocol_errors.json).
var smithyNamespaces = map[string]string{
	"sqs":        "com.amazonaws.sqs",
	"cloudwatch": "com.amazon.coral.service",
}

// Errors raised by AWS's request framework (Coral) before a service sees the request,
// with the namespace Coral qualifies them with.
const (
	SerializationException    = "SerializationException"
	UnknownOperationException = "UnknownOperationException"
)

var coralNamespaces = map[string]string{
	SerializationException:    "com.amazon.coral.service",
	UnknownOperationException: "com.amazon.coral.service",
	"ValidationException":     "com.amazon.coral.validate",
}

// coralTypes names, per service, the Coral exception behind a query error code that
// no modelled shape carries. CloudWatch's ValidationError is Coral's own
// ValidationException: over the query protocol Coral spells that exception
// ValidationError, which is why a query-compatible service sends it in
// x-amzn-query-error while json and rpc-v2-cbor type it in Coral's validate namespace,
// as they type CloudWatch's modelled exceptions in Coral's service namespace (recorded,
// 2026: protocol_errors.json). The recordings of ValidationError itself
// (exact_bin_boundaries.json) hold the CLI's resolved code, not
// the body's __type, so this type is Coral's convention rather than a recorded answer.
var coralTypes = map[string]map[string]string{
	"cloudwatch": {"ValidationError": "com.amazon.coral.validate#ValidationException"},
}

// errorShape returns the exception shape an error is sent as: its own, or the service's
// exception whose code is the error's code, so that an error built from a code alone
// (a validation failure) still carries the modelled members and type name.
func errorShape(svc *model.Service, e *model.Error) *model.Shape {
	if e.Shape != nil {
		return e.Shape
	}
	if svc == nil {
		return nil
	}
	if s, ok := svc.Shapes[e.Code]; ok && s.Exception {
		return s
	}
	var found *model.Shape
	for _, s := range svc.Shapes {
		if s.Exception && s.ErrorCode == e.Code && (found == nil || s.Name < found.Name) {
			found = s
		}
	}
	return found
}

// errorType is the __type of an error: the exception's shape name, qualified with the
// service's Smithy namespace when qualify is set and the service has one, or with
// Coral's namespace for the framework's own errors.
func errorType(svc *model.Service, e *model.Error, shape *model.Shape, qualify bool) string {
	if shape != nil {
		if ns, ok := smithyNamespaces[serviceName(svc)]; ok && qualify {
			return ns + "#" + shape.Name
		}
		return shape.Name
	}
	if t, ok := coralTypes[serviceName(svc)][e.Code]; ok && qualify {
		return t
	}
	if ns, ok := coralNamespaces[e.Code]; ok {
		return ns + "#" + e.Code
	}
	return e.Code
}

func serviceName(svc *model.Service) string {
	if svc == nil {
		return ""
	}
	return svc.Name
}

// messageMember returns the exception member that carries the message, if modelled.
func messageMember(shape *model.Shape) *model.Member {
	if shape == nil {
		return nil
	}
	for _, m := range shape.Members {
		if strings.EqualFold(m.Name, "message") {
			return m
		}
	}
	return nil
}

// messageKey is the body key of the message: the modelled member's wire name, else
// Coral's "Message" for its serialization errors and "message" for everything else.
func messageKey(e *model.Error, shape *model.Shape) string {
	if m := messageMember(shape); m != nil {
		return m.WireName()
	}
	if e.Code == SerializationException {
		return "Message"
	}
	return "message"
}

// errorFields calls f for each extra member of the error that travels in the body, in
// the exception's member order (sorted by name when there is no shape).
func errorFields(e *model.Error, shape *model.Shape, f func(key string, m *model.Member, v any)) {
	if len(e.Fields) == 0 {
		return
	}
	if shape == nil {
		for _, k := range sortedKeys(e.Fields) {
			f(k, nil, e.Fields[k])
		}
		return
	}
	msg := messageMember(shape)
	for _, m := range shape.Members {
		if m == msg || m.Location != model.Body {
			continue
		}
		if v, ok := e.Fields[m.Name]; ok && v != nil {
			f(m.WireName(), m, v)
		}
	}
}

// setQueryError adds the x-amzn-query-error header that lets SDKs of a query-compatible
// service (SQS, CloudWatch) recover the error code its query protocol would have sent.
func setQueryError(h http.Header, svc *model.Service, e *model.Error) {
	if svc == nil || !svc.QueryCompatible {
		return
	}
	fault := "Sender"
	if !e.Sender {
		fault = "Receiver"
	}
	h.Set("x-amzn-query-error", e.Code+";"+fault)
}
