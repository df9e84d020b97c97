package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/model"
)

// restJSONProtocol is AWS's rest-json protocol (GuardDuty, Macie2, Inspector2...): the
// method and path template select the operation; members travel in the URI, the query
// string, headers or a JSON body; the output's status code, headers and body follow the
// same bindings. These services sit behind API Gateway, whose conventions their errors
// follow.
type restJSONProtocol struct{}

func init() { Register(restJSONProtocol{}) }

func (restJSONProtocol) Name() string { return "rest-json" }

func (restJSONProtocol) ReadsBodyToResolve() bool { return false }

// routes holds each service's operations by HTTP method, sorted by name so that equal
// matches resolve the same way every time.
var routes sync.Map // *model.Service → map[string][]*model.Operation

func routesOf(svc *model.Service) map[string][]*model.Operation {
	if v, ok := routes.Load(svc); ok {
		return v.(map[string][]*model.Operation)
	}
	byMethod := map[string][]*model.Operation{}
	for _, op := range svc.Operations {
		byMethod[op.Method] = append(byMethod[op.Method], op)
	}
	for _, ops := range byMethod {
		sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	}
	v, _ := routes.LoadOrStore(svc, byMethod)
	return v.(map[string][]*model.Operation)
}

// Resolve picks the operation whose method and URI template match, the most specific
// (most literal segments and query keys) winning. A request matching none gets API
// Gateway's answer to a route it does not have.
func (restJSONProtocol) Resolve(r *Request) (*model.Operation, map[string]string, *model.Error) {
	path := r.HTTP.URL.EscapedPath()
	q := r.HTTP.URL.Query()
	var best *model.Operation
	var bestLabels map[string]string
	bestScore := -1
	for _, op := range routesOf(r.Service)[r.HTTP.Method] {
		labels, score, ok := op.Template().Match(path, q)
		if ok && score > bestScore {
			best, bestLabels, bestScore = op, labels, score
		}
	}
	if best == nil {
		return nil, nil, missingAuthenticationToken()
	}
	return best, bestLabels, nil
}

// missingAuthenticationToken is API Gateway's 403 for a path and method that no
// operation has: it does not tell a missing route from a missing signature.
func missingAuthenticationToken() *model.Error {
	return model.NewError(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
}

// restJSONMalformed is each service's answer to a body that is not the JSON its model
// describes; services not listed answer Smithy's SerializationException.
var restJSONMalformed = map[string]struct{ code, message, typ string }{
	"guardduty": {"BadRequestException", "The request is rejected because the JSON could not be processed.", "InvalidInputException"},
}

func (restJSONProtocol) malformed(svc *model.Service, err error) *model.Error {
	if m, ok := restJSONMalformed[serviceName(svc)]; ok {
		e := model.NewError(http.StatusBadRequest, m.code, "%s", m.message)
		if s := errorShape(svc, e); s != nil {
			e = model.ErrorFromShape(s, m.message)
		}
		return e.With("Type", m.typ)
	}
	msg := "Unable to parse the request body as JSON."
	if se, ok := err.(*serializationError); ok {
		msg = se.msg
	}
	return model.NewError(http.StatusBadRequest, SerializationException, "%s", msg)
}

func (p restJSONProtocol) Decode(r *Request) (map[string]any, *model.Error) {
	in := map[string]any{}
	s := r.Op.Input
	if s == nil {
		return in, nil
	}
	d := restDecoder{r: r, query: r.HTTP.URL.Query()}
	hasBody := false
	for _, m := range s.Members {
		switch m.Location {
		case model.URI:
			if raw, ok := r.Labels[m.WireName()]; ok {
				d.scalar(in, m, raw)
			}
		case model.QueryString:
			d.queryMember(in, s, m)
		case model.Header:
			d.header(in, m)
		case model.Headers:
			d.prefixHeaders(in, m)
		case model.Body:
			hasBody = hasBody || m.Name != s.Payload
		}
	}
	if len(d.bad) > 0 {
		return nil, ValidationError(r.Service, d.bad)
	}
	if s.Payload != "" {
		if e := p.decodePayload(r, s.ByName[s.Payload], in); e != nil {
			return nil, e
		}
		return in, nil
	}
	if hasBody && len(bytes.TrimSpace(r.Body)) > 0 {
		obj, err := parseJSONObject(r.Body, s.Name)
		if err != nil {
			return nil, p.malformed(r.Service, err)
		}
		if err := jsonStructure(s, obj, in, true); err != nil {
			return nil, p.malformed(r.Service, err)
		}
	}
	return in, nil
}

// decodePayload binds the whole body to the payload member: a stream, raw bytes, text
// or one JSON structure or document.
func (p restJSONProtocol) decodePayload(r *Request, m *model.Member, in map[string]any) *model.Error {
	if m.IsStreaming() {
		if r.Stream != nil {
			in[m.Name] = r.Stream
		} else {
			in[m.Name] = bytes.NewReader(r.Body)
		}
		return nil
	}
	if len(r.Body) == 0 {
		return nil
	}
	switch {
	case m.Shape.Type == model.Blob:
		in[m.Name] = bytes.Clone(r.Body)
	case m.Shape.Type == model.String:
		in[m.Name] = string(r.Body)
	case m.Shape.Document:
		var v any
		d := json.NewDecoder(bytes.NewReader(r.Body))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return p.malformed(r.Service, err)
		}
		in[m.Name] = documentValue(v)
	default:
		obj, err := parseJSONObject(r.Body, m.Shape.Name)
		if err != nil {
			return p.malformed(r.Service, err)
		}
		v, err := jsonDoc.value(m, obj)
		if err != nil {
			return p.malformed(r.Service, err)
		}
		in[m.Name] = v
	}
	return nil
}

// restDecoder reads the members a REST request carries outside its body. A value that
// does not parse as its member's type is a validation violation, as AWS reports it.
type restDecoder struct {
	r     *Request
	query url.Values
	bad   []model.Violation
}

func (d *restDecoder) scalar(in map[string]any, m *model.Member, raw string) {
	if v, ok := d.parse(m, m.Name, raw, ISO8601); ok {
		in[m.Name] = v
	}
}

// parse reads one text value of m's shape (or of m's list element), with def the
// timestamp format of the member's location.
func (d *restDecoder) parse(m *model.Member, name, raw, def string) (any, bool) {
	if m.Shape.Type == model.Timestamp {
		if t, ok := parseTime(strings.TrimSpace(raw), timestampFormat(m, def)); ok {
			return t, true
		}
	} else if v, ok := parseScalar(m, raw); ok {
		return v, true
	}
	d.bad = append(d.bad, model.Violation{Path: lowerPath(name), Value: "'" + raw + "'", Constraint: "Member must be " + describeType(m.Shape.Type)})
	return nil, false
}

func (d *restDecoder) queryMember(in map[string]any, s *model.Shape, m *model.Member) {
	switch m.Shape.Type {
	case model.List:
		vs, ok := d.query[m.WireName()]
		if !ok {
			return
		}
		l := make([]any, 0, len(vs))
		for _, raw := range vs {
			if v, ok := d.parse(m.Shape.Member, m.Name, raw, ISO8601); ok {
				l = append(l, v)
			}
		}
		in[m.Name] = l
	case model.Map:
		// A map bound to the query string takes every parameter no other member or the
		// URI template claims.
		claimed := map[string]bool{}
		for _, o := range s.Members {
			if o.Location == model.QueryString && o.Shape.Type != model.Map {
				claimed[o.WireName()] = true
			}
		}
		for _, ql := range d.r.Op.Template().Query {
			claimed[ql.Key] = true
		}
		mv := map[string]any{}
		for k, vs := range d.query {
			if claimed[k] || len(vs) == 0 {
				continue
			}
			if m.Shape.Value.Shape.Type == model.List {
				l := make([]any, len(vs))
				for i, v := range vs {
					l[i] = v
				}
				mv[k] = l
			} else {
				mv[k] = vs[0]
			}
		}
		if len(mv) > 0 {
			in[m.Name] = mv
		}
	default:
		if vs, ok := d.query[m.WireName()]; ok && len(vs) > 0 {
			if v, ok := d.parse(m, m.Name, vs[0], ISO8601); ok {
				in[m.Name] = v
			}
		}
	}
}

func (d *restDecoder) header(in map[string]any, m *model.Member) {
	vs := d.r.HTTP.Header.Values(m.WireName())
	if len(vs) == 0 {
		return
	}
	raw := strings.Join(vs, ",")
	switch {
	case m.JSONValue:
		b, err := base64.StdEncoding.DecodeString(raw)
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err != nil || dec.Decode(&v) != nil {
			d.bad = append(d.bad, model.Violation{Path: lowerPath(m.Name), Value: "'" + raw + "'", Constraint: "Member must be base64-encoded JSON"})
			return
		}
		in[m.Name] = documentValue(v)
	case m.Shape.Type == model.List:
		var l []any
		for _, part := range splitHeaderList(raw, m.Shape.Member.Shape.Type == model.Timestamp) {
			if v, ok := d.parse(m.Shape.Member, m.Name, part, RFC822); ok {
				l = append(l, v)
			}
		}
		in[m.Name] = l
	default:
		if v, ok := d.parse(m, m.Name, strings.TrimSpace(raw), RFC822); ok {
			in[m.Name] = v
		}
	}
}

// splitHeaderList splits a comma-separated header list. Items may be quoted strings
// holding commas (with backslash escapes); HTTP dates contain a comma of their own, so a
// list of them splits at every second comma.
func splitHeaderList(raw string, dates bool) []string {
	var out []string
	if dates {
		parts := strings.Split(raw, ",")
		for i := 0; i < len(parts); i += 2 {
			item := parts[i]
			if i+1 < len(parts) {
				item += "," + parts[i+1]
			}
			out = append(out, strings.TrimSpace(item))
		}
		return out
	}
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case quoted && c == '\\' && i+1 < len(raw):
			i++
			cur.WriteByte(raw[i])
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

func (d *restDecoder) prefixHeaders(in map[string]any, m *model.Member) {
	prefix := strings.ToLower(m.LocationName)
	mv := map[string]any{}
	for k, vs := range d.r.HTTP.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, prefix) && len(vs) > 0 {
			mv[lk[len(prefix):]] = strings.Join(vs, ",")
		}
	}
	if len(mv) > 0 {
		in[m.Name] = mv
	}
}

func (restJSONProtocol) Encode(w http.ResponseWriter, r *Request, out map[string]any, meta Response) error {
	status := r.Op.ResponseCode
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	s := r.Op.Output
	if s == nil {
		return writeBody(w, status, "application/json", meta, []byte("{}"))
	}
	if code, ok := setRESTHeaders(h, s, out); ok {
		status = code
	}
	contentType := h.Get("Content-Type")
	if s.Payload == "" {
		var jw jsonWriter
		jw.object(s, out, true)
		return writeBody(w, status, orDefault(contentType, "application/json"), meta, jw.b.Bytes())
	}
	pm := s.ByName[s.Payload]
	switch v := out[pm.Name].(type) {
	case nil:
		return writeBody(w, status, contentType, meta, nil)
	case io.Reader:
		h.Set("Content-Type", orDefault(contentType, "application/octet-stream"))
		h.Set("x-amzn-RequestId", meta.RequestID)
		w.WriteHeader(status)
		_, err := io.Copy(w, v)
		return err
	case []byte:
		return writeBody(w, status, orDefault(contentType, "application/octet-stream"), meta, v)
	case string:
		return writeBody(w, status, orDefault(contentType, "text/plain"), meta, []byte(v))
	default:
		var jw jsonWriter
		jw.value(pm, v)
		return writeBody(w, status, orDefault(contentType, "application/json"), meta, jw.b.Bytes())
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// setRESTHeaders writes a structure's header-bound members and returns the status code
// member's value, if it has one.
func setRESTHeaders(h http.Header, s *model.Shape, v map[string]any) (int, bool) {
	status, hasStatus := 0, false
	for _, m := range s.Members {
		x, ok := v[m.Name]
		if !ok || x == nil {
			continue
		}
		switch m.Location {
		case model.Header:
			h.Set(m.WireName(), headerText(m, x))
		case model.Headers:
			mv, _ := x.(map[string]any)
			for _, k := range sortedKeys(mv) {
				h.Set(m.LocationName+k, headerText(m.Shape.Value, mv[k]))
			}
		case model.StatusCode:
			if n, ok := x.(int64); ok && n >= 100 && n <= 999 {
				status, hasStatus = int(n), true
			}
		}
	}
	return status, hasStatus
}

// headerText renders a header-bound value: HTTP dates by default, jsonvalue members as
// base64 JSON, lists comma-separated.
func headerText(m *model.Member, v any) string {
	if m.JSONValue {
		var jw jsonWriter
		jw.document(v)
		return base64.StdEncoding.EncodeToString(jw.b.Bytes())
	}
	switch t := v.(type) {
	case time.Time:
		return formatTime(t, timestampFormat(m, RFC822))
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = headerText(m.Shape.Member, e)
			if m.Shape.Member.Shape.Type == model.String && strings.ContainsAny(parts[i], `,"`) {
				parts[i] = strconv.Quote(parts[i])
			}
		}
		return strings.Join(parts, ", ")
	}
	return scalarText(m, v)
}

// restJSONErrorKeys renames exception members in error bodies where the service's
// wire differs from its model: GuardDuty sends its Type member as "__type" (its
// x-amzn-ErrorType header carries the exception name).
var restJSONErrorKeys = map[string]map[string]string{
	"guardduty": {"Type": "__type"},
}

// EncodeError sends the exception name in X-Amzn-ErrorType and a JSON body of the
// message and the exception's other body members; header-bound members (Retry-After)
// become headers.
func (restJSONProtocol) EncodeError(w http.ResponseWriter, r *Request, e *model.Error, meta Response) {
	shape := errorShape(r.Service, e)
	code := e.Code
	if shape != nil {
		code = shape.Name
	}
	h := w.Header()
	h.Set("X-Amzn-ErrorType", code)
	if shape != nil {
		setRESTHeaders(h, shape, e.Fields)
	}
	var jw jsonWriter
	jw.b.WriteByte('{')
	if e.Message != "" {
		jw.str(messageKey(e, shape))
		jw.b.WriteByte(':')
		jw.str(e.Message)
	}
	jw.fields(e, shape, restJSONErrorKeys[serviceName(r.Service)])
	jw.b.WriteByte('}')
	writeBody(w, e.Status, "application/json", meta, jw.b.Bytes())
}
