package wire

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// jsonProtocol is AWS's json protocol, versions 1.0 and 1.1 (KMS, SQS, CloudWatch
// Logs, CloudTrail...): every request is a POST whose X-Amz-Target header names the
// operation, with the input structure as a JSON body; the output comes back the same
// way. The version only changes the Content-Type.
type jsonProtocol struct{}

func init() { Register(jsonProtocol{}) }

func (jsonProtocol) Name() string { return "json" }

func (jsonProtocol) ReadsBodyToResolve() bool { return true }

// Resolve reads X-Amz-Target: <TargetPrefix>.<Operation>. The prefix is the model's
// targetPrefix, or its last dotted part: botocore sends CloudTrail's full
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", the Smithy SDKs send the
// service shape's name alone, and AWS accepts both.
func (jsonProtocol) Resolve(r *Request) (*model.Operation, map[string]string, *model.Error) {
	target := r.HTTP.Header.Get("X-Amz-Target")
	i := strings.LastIndexByte(target, '.')
	if i < 0 || !targetPrefixMatches(r.Service, target[:i]) {
		return nil, nil, unknownOperation()
	}
	op, ok := r.Service.Operations[target[i+1:]]
	if !ok {
		return nil, nil, unknownOperation()
	}
	return op, nil, nil
}

// targetPrefixMatches reports whether prefix names svc: its full target prefix or the
// last dotted part of it.
func targetPrefixMatches(svc *model.Service, prefix string) bool {
	full := svc.TargetPrefix
	if prefix == "" || full == "" {
		return false
	}
	return prefix == full || full[strings.LastIndexByte(full, '.')+1:] == prefix
}

// unknownOperation is Coral's answer to a target or path naming no operation: a bare
// __type with no message.
func unknownOperation() *model.Error {
	return &model.Error{Code: UnknownOperationException, Status: http.StatusBadRequest, Sender: true}
}

// malformed is Coral's answer to a body it cannot deserialize. A body that is not JSON
// at all gets no message; a value of the wrong type gets Coral's description of it.
func malformed(err error) *model.Error {
	e := &model.Error{Code: SerializationException, Status: http.StatusBadRequest, Sender: true}
	var se *serializationError
	if errors.As(err, &se) {
		e.Message = se.msg
	}
	return e
}

func (jsonProtocol) Decode(r *Request) (map[string]any, *model.Error) {
	in := map[string]any{}
	if r.Op.Input == nil {
		if _, err := parseJSONObject(r.Body, "Unit"); err != nil {
			return nil, malformed(err)
		}
		return in, nil
	}
	obj, err := parseJSONObject(r.Body, r.Op.Input.Name)
	if err != nil {
		return nil, malformed(err)
	}
	if err := jsonStructure(r.Op.Input, obj, in, false); err != nil {
		return nil, malformed(err)
	}
	return in, nil
}

func jsonContentType(svc *model.Service) string {
	v := "1.0"
	if svc != nil && svc.JSONVersion != "" {
		v = svc.JSONVersion
	}
	return "application/x-amz-json-" + v
}

func (jsonProtocol) Encode(w http.ResponseWriter, r *Request, out map[string]any, meta Response) error {
	var jw jsonWriter
	if r.Op.Output != nil {
		jw.object(r.Op.Output, out, false)
	} else {
		jw.b.WriteString("{}")
	}
	return writeBody(w, http.StatusOK, jsonContentType(r.Service), meta, jw.b.Bytes())
}

// EncodeError writes {"__type": ..., "message": ..., extra members...} with the
// exception's shape name as __type (namespace-qualified for the services that do so)
// and, for query-compatible services, the query protocol's code in x-amzn-query-error.
func (jsonProtocol) EncodeError(w http.ResponseWriter, r *Request, e *model.Error, meta Response) {
	shape := errorShape(r.Service, e)
	typ := errorType(r.Service, e, shape, true)
	var jw jsonWriter
	jw.b.WriteString(`{"__type":`)
	jw.str(typ)
	if e.Message != "" {
		jw.b.WriteByte(',')
		jw.str(messageKey(e, shape))
		jw.b.WriteByte(':')
		jw.str(e.Message)
	}
	jw.fields(e, shape, nil)
	jw.b.WriteByte('}')
	h := w.Header()
	h.Set("X-Amzn-ErrorType", typ[strings.LastIndexByte(typ, '#')+1:])
	setQueryError(h, r.Service, e)
	writeBody(w, e.Status, jsonContentType(r.Service), meta, jw.b.Bytes())
}

// fields appends an error's extra members to an open JSON object, renaming the members
// named in renames.
func (w *jsonWriter) fields(e *model.Error, shape *model.Shape, renames map[string]string) {
	errorFields(e, shape, func(key string, m *model.Member, v any) {
		if w.b.Len() > 0 && w.b.Bytes()[w.b.Len()-1] != '{' {
			w.b.WriteByte(',')
		}
		if m != nil && renames[m.Name] != "" {
			key = renames[m.Name]
		}
		w.str(key)
		w.b.WriteByte(':')
		if m == nil {
			w.document(v)
			return
		}
		w.value(m, v)
	})
}

// writeBody sends a complete response with AWS's request-ID header. Statuses that
// carry no body (204, 304: GuardDuty's TagResource answers 204) send none.
func writeBody(w http.ResponseWriter, status int, contentType string, meta Response, body []byte) error {
	h := w.Header()
	h.Set("x-amzn-RequestId", meta.RequestID)
	if status == http.StatusNoContent || status == http.StatusNotModified || status < 200 {
		w.WriteHeader(status)
		return nil
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
