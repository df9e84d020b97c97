package wire

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// queryProtocol is AWS's query protocol (IAM, STS, SNS, CloudWatch's oldest binding):
// form-encoded parameters named by dotted paths, XML responses wrapped in
// <OpResponse><OpResult> with the request ID in <ResponseMetadata>. The ec2 protocol
// shares the decoding with different naming rules.
type queryProtocol struct {
	ec2 bool
}

func init() {
	Register(queryProtocol{})
	Register(queryProtocol{ec2: true})
}

func (q queryProtocol) Name() string {
	if q.ec2 {
		return "ec2"
	}
	return "query"
}

func (queryProtocol) ReadsBodyToResolve() bool { return true }

// form returns the request's parameters: the URL's query merged with a form body.
func (r *Request) form() (url.Values, *model.Error) {
	if r.values != nil {
		return r.values, nil
	}
	vals, err := url.ParseQuery(r.HTTP.URL.RawQuery)
	if err != nil {
		return nil, model.NewError(400, "MalformedQueryString", "The query string is malformed.")
	}
	if len(r.Body) > 0 {
		body, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil, model.NewError(400, "MalformedQueryString", "The request body is not a valid form.")
		}
		for k, v := range body {
			vals[k] = v
		}
	}
	r.values = vals
	return vals, nil
}

func (q queryProtocol) Resolve(r *Request) (*model.Operation, map[string]string, *model.Error) {
	vals, e := r.form()
	if e != nil {
		return nil, nil, e
	}
	action := vals.Get("Action")
	if action == "" {
		return nil, nil, model.NewError(400, "MissingAction", "Missing Action")
	}
	op, ok := r.Service.Operations[action]
	version := vals.Get("Version")
	if !ok || (version != "" && version != r.Service.APIVersion) {
		if q.ec2 {
			return nil, nil, model.NewError(400, "InvalidAction", "The action %s is not valid for this web service.", action)
		}
		if r.Service.Name == "sqs" {
			// SQS words it its own way (LocalStack's AWS-validated
			// test_invalid_action_raises_exception).
			return nil, nil, model.NewError(400, "InvalidAction", "The action %s is not valid for this endpoint.", action)
		}
		return nil, nil, model.NewError(400, "InvalidAction", "Could not find operation %s for version %s", action, version)
	}
	return op, nil, nil
}

func (q queryProtocol) Decode(r *Request) (map[string]any, *model.Error) {
	vals, e := r.form()
	if e != nil {
		return nil, e
	}
	in := map[string]any{}
	if r.Op.Input == nil {
		return in, nil
	}
	d := queryDecoder{vals: vals, ec2: q.ec2}
	d.keys = make([]string, 0, len(vals))
	for k := range vals {
		d.keys = append(d.keys, k)
	}
	sort.Strings(d.keys)
	if q.ec2 {
		d.used = map[string]bool{}
	}
	d.structure(r.Op.Input, "", in)
	if d.malformed != nil {
		return nil, d.malformed
	}
	if len(d.bad) > 0 {
		if q.ec2 {
			return nil, ec2InvalidValue(d.bad[0])
		}
		return nil, ValidationError(r.Service, d.bad)
	}
	if q.ec2 {
		if e := ec2UnknownParameter(d.keys, d.used); e != nil {
			return nil, e
		}
	}
	return in, nil
}

type queryDecoder struct {
	vals url.Values
	keys []string // sorted, for prefix scans
	ec2  bool
	bad  []model.Violation
	// used records the parameters a member consumed, for ec2's UnknownParameter; nil
	// for the query protocol, which ignores strangers.
	used map[string]bool
	// malformed is the first parameter the query protocol could not parse at all
	// (MalformedInput); it outranks the validation errors in bad.
	malformed *model.Error
}

func (d *queryDecoder) malform(format string, args ...any) {
	if d.malformed == nil {
		d.malformed = model.NewError(http.StatusBadRequest, "MalformedInput", format, args...)
	}
}

// maxListSkip is how many list positions one index may jump past the previous (or
// past 1 for the first): IAM's GetContextKeysForCustomPolicy took
// PolicyInputList.member.11 alone and refused .member.12, and refused 1 then 12 as
// skipping 11 (recorded, 2026: query_collections.json).
const maxListSkip = 10

// checkListIndex applies the query protocol's rules to the N of a list's prefix.N
// (recorded, 2026: query_collections.json): decimal digits, leading zeros allowed
// ("01" is 1) but not a sign, at least 1. It reports whether N may be used.
func (d *queryDecoder) checkListIndex(seg string) bool {
	switch {
	case strings.HasPrefix(seg, "-"):
		d.malform("Key %s may not have a leading '-'", seg)
	case seg == "" || strings.Trim(seg, "0123456789") != "":
		d.malform("Start of list found where not expected")
	case strings.Trim(seg, "0") == "":
		d.malform("%s is not a valid index", seg)
	default:
		return true
	}
	return false
}

// queryScalar parses a boolean or integer parameter as the query protocol does
// (recorded, 2026: IAM's pagination_inputs.json and credential_inputs.json, STS's
// query_inputs.json): booleans are exactly true, false, 1 or 0; integers are decimal
// digits with an optional sign and leading zeros, in the member's range, with no
// spaces, fraction or exponent. Anything else is MalformedInput, before validation.
func queryScalar(t model.Type, text string) (any, bool) {
	switch t {
	case model.Boolean:
		switch text {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
		return nil, false
	case model.Integer:
		n, err := strconv.ParseInt(text, 10, 32)
		return n, err == nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}

// hasPrefix reports whether any parameter lies under prefix+".".
func (d *queryDecoder) hasPrefix(prefix string) bool {
	p := prefix + "."
	i := sort.SearchStrings(d.keys, p)
	return i < len(d.keys) && strings.HasPrefix(d.keys[i], p)
}

func (d *queryDecoder) use(key string) {
	if d.used != nil {
		d.used[key] = true
	}
}

// indices returns the sorted distinct N of parameters named prefix.N or prefix.N.*.
// For a list of the query protocol (list) each N must also pass checkListIndex and
// the gaps maxListSkip; a fault is recorded as MalformedInput and nothing returned.
func (d *queryDecoder) indices(prefix string, list bool) []int {
	p := prefix + "."
	var ns []int
	seen := map[int]bool{}
	for i := sort.SearchStrings(d.keys, p); i < len(d.keys) && strings.HasPrefix(d.keys[i], p); i++ {
		rest := d.keys[i][len(p):]
		if j := strings.IndexByte(rest, '.'); j >= 0 {
			rest = rest[:j]
		}
		if list && !d.checkListIndex(rest) {
			return nil
		}
		n, err := strconv.Atoi(rest)
		if err != nil && list {
			d.malform("Start of list found where not expected")
			return nil
		}
		if err != nil || n < 1 || seen[n] {
			continue
		}
		seen[n] = true
		ns = append(ns, n)
	}
	sort.Ints(ns)
	if list {
		prev := 1
		for _, n := range ns {
			if n-prev > maxListSkip {
				d.malform("Excessively sparse input would skip %d list elements", n-prev)
				return nil
			}
			prev = n
		}
	}
	return ns
}

// name is the parameter name of a member: ec2 uses queryName, then a capitalized
// locationName; query uses queryName (restored for services whose JSON model dropped
// their query names, such as SQS), then locationName.
func (d *queryDecoder) name(m *model.Member) string {
	if d.ec2 {
		return ec2ParamName(m)
	}
	if m.QueryName != "" {
		return m.QueryName
	}
	return m.WireName()
}

func (d *queryDecoder) structure(s *model.Shape, prefix string, out map[string]any) {
	for _, m := range s.Members {
		key := d.name(m)
		if prefix != "" {
			key = prefix + "." + key
		}
		if v, ok := d.value(m, key); ok {
			out[m.Name] = v
		}
	}
}

func (d *queryDecoder) value(m *model.Member, key string) (any, bool) {
	s := m.Shape
	switch s.Type {
	case model.Structure:
		if !d.hasPrefix(key) {
			return nil, false
		}
		v := map[string]any{}
		d.structure(s, key, v)
		return v, true
	case model.List:
		if vs, ok := d.vals[key]; ok && len(vs) > 0 && vs[0] == "" && !d.hasPrefix(key) {
			d.use(key)
			return []any{}, true // "Name=" is an explicitly empty list
		}
		prefix := key
		switch {
		case d.ec2:
		case !m.IsFlattened():
			item := "member"
			if s.Member.LocationName != "" {
				item = s.Member.LocationName
			}
			prefix = key + "." + item
		case s.Member.LocationName != "":
			// A flattened list's items take the member's name in place of the
			// list's (botocore: SQS's AttributeNames are AttributeName.1, …).
			prefix = s.Member.LocationName
			if i := strings.LastIndexByte(key, '.'); i >= 0 {
				prefix = key[:i+1] + s.Member.LocationName
			}
		}
		ns := d.indices(prefix, !d.ec2)
		if len(ns) == 0 {
			return nil, false
		}
		l := make([]any, 0, len(ns))
		for _, n := range ns {
			if e, ok := d.value(s.Member, prefix+"."+strconv.Itoa(n)); ok {
				l = append(l, e)
			}
		}
		return l, true
	case model.Map:
		prefix := key
		if !m.IsFlattened() {
			prefix = key + ".entry"
		}
		kn, vn := "key", "value"
		if s.Key.LocationName != "" {
			kn = s.Key.LocationName
		}
		if s.Value.LocationName != "" {
			vn = s.Value.LocationName
		}
		ns := d.indices(prefix, false)
		if len(ns) == 0 {
			return nil, false
		}
		mv := map[string]any{}
		for _, n := range ns {
			p := prefix + "." + strconv.Itoa(n)
			k := d.vals.Get(p + "." + kn)
			d.use(p + "." + kn)
			if e, ok := d.value(s.Value, p+"."+vn); ok {
				mv[k] = e
			}
		}
		return mv, true
	}
	vs, ok := d.vals[key]
	if !ok || len(vs) == 0 {
		return nil, false
	}
	d.use(key)
	if !d.ec2 && (s.Type == model.Boolean || s.Type == model.Integer || s.Type == model.Long) {
		v, good := queryScalar(s.Type, vs[0])
		if !good {
			// The message is not recorded; inferred.
			d.malform("Unable to parse the value of parameter %s as %s", key, describeType(s.Type))
			return nil, false
		}
		return v, true
	}
	v, good := parseScalar(m, vs[0])
	if !good {
		d.bad = append(d.bad, model.Violation{Path: lowerPath(key), Value: "'" + vs[0] + "'", Constraint: "Member must be " + describeType(s.Type)})
		return nil, false
	}
	return v, true
}

// parseScalar parses a scalar from its text form (query parameters, XML text, headers).
func parseScalar(m *model.Member, text string) (any, bool) {
	s := m.Shape
	switch s.Type {
	case model.String:
		return text, true
	case model.Boolean:
		switch strings.ToLower(text) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case model.Integer, model.Long:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil || (s.Type == model.Integer && (n > 1<<31-1 || n < -1<<31)) {
			return nil, false
		}
		return n, true
	case model.Float, model.Double:
		f, ok := parseFloat(strings.TrimSpace(text))
		return f, ok
	case model.Timestamp:
		t, ok := parseTime(strings.TrimSpace(text), timestampFormat(m, ISO8601))
		return t, ok
	case model.Blob:
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, false
		}
		return b, true
	}
	return nil, false
}

func describeType(t model.Type) string {
	switch t {
	case model.Boolean:
		return "a boolean"
	case model.Integer, model.Long:
		return "an integer"
	case model.Float, model.Double:
		return "a number"
	case model.Timestamp:
		return "a timestamp"
	case model.Blob:
		return "base64-encoded"
	}
	return "valid"
}

// lowerPath turns a parameter path such as "Tags.member.1.Key" into AWS's validation
// path "tags.1.member.key".
func lowerPath(key string) string {
	parts := strings.Split(key, ".")
	var out []string
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if (p == "member" || p == "entry") && i+1 < len(parts) {
			out = append(out, parts[i+1], "member")
			i++
			continue
		}
		out = append(out, strings.ToLower(p[:min(1, len(p))])+p[min(1, len(p)):])
	}
	return strings.Join(out, ".")
}

func (q queryProtocol) Encode(w http.ResponseWriter, r *Request, out map[string]any, meta Response) error {
	x := &xmlWriter{ec2: q.ec2}
	x.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	root := r.Op.Name + "Response"
	x.open(root, "xmlns", namespace(r.Service))
	if q.ec2 {
		x.element("requestId", meta.RequestID)
		if r.Op.Output != nil && out != nil {
			x.structure(r.Op.Output, out)
		}
	} else {
		if r.Op.Output != nil {
			wrapper := r.Op.ResultWrapper
			if wrapper == "" {
				wrapper = r.Op.Name + "Result"
			}
			x.open(wrapper)
			if out != nil {
				x.structure(r.Op.Output, out)
			}
			x.close(wrapper)
		}
		x.open("ResponseMetadata")
		x.element("RequestId", meta.RequestID)
		x.close("ResponseMetadata")
	}
	x.close(root)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", meta.RequestID)
	h.Set("Content-Length", strconv.Itoa(x.b.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(x.b.Bytes())
	return err
}

func (q queryProtocol) EncodeError(w http.ResponseWriter, r *Request, e *model.Error, meta Response) {
	x := &xmlWriter{ec2: q.ec2}
	x.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if q.ec2 {
		x.open("Response")
		x.open("Errors")
		x.open("Error")
		x.element("Code", e.Code)
		x.element("Message", e.Message)
		x.close("Error")
		x.close("Errors")
		x.element("RequestID", meta.RequestID)
		x.close("Response")
	} else {
		x.open("ErrorResponse", "xmlns", namespace(r.Service))
		x.open("Error")
		if e.Sender {
			x.element("Type", "Sender")
		} else {
			x.element("Type", "Receiver")
		}
		x.element("Code", e.Code)
		x.element("Message", e.Message)
		writeErrorFields(x, e)
		x.close("Error")
		x.element("RequestId", meta.RequestID)
		x.close("ErrorResponse")
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", meta.RequestID)
	h.Set("Content-Length", strconv.Itoa(x.b.Len()))
	w.WriteHeader(e.Status)
	w.Write(x.b.Bytes())
}

// writeErrorFields writes an error's extra members: the exception shape's, in model
// order, then any others.
func writeErrorFields(x *xmlWriter, e *model.Error) {
	if len(e.Fields) == 0 {
		return
	}
	modelled := map[string]bool{}
	if e.Shape != nil {
		for _, m := range e.Shape.Members {
			if m.Name == "message" || m.Name == "Message" {
				continue
			}
			if v, ok := e.Fields[m.Name]; ok {
				x.member(m, x.memberName(m), v)
				modelled[m.Name] = true
			}
		}
	}
	// Fields the model does not declare (S3's NoSuchKey has no members, yet S3 sends
	// <Key>) follow, in name order.
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		if !modelled[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		x.element(k, scalarText(nil, e.Fields[k]))
	}
}

func namespace(s *model.Service) string {
	if s == nil {
		return ""
	}
	return s.XMLNamespace
}
