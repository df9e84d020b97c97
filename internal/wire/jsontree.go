package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/palisade/palisade/internal/model"
)

// JSON bodies of the json and rest-json protocols. Both follow botocore: a structure
// member's key is its locationName when the model gives one, else its member name;
// timestamps are epoch seconds unless the member says otherwise; blobs are base64;
// floats may be the strings "NaN", "Infinity" and "-Infinity"; documents are any JSON.

// serializationError is a body that does not fit the model, with the message AWS's
// Coral framework gives for it.
type serializationError struct{ msg string }

func (e *serializationError) Error() string { return e.msg }

func serErr(msg string) *serializationError { return &serializationError{msg: msg} }

// parseJSONObject parses a body that must be one JSON object, the value of the
// structure shape named shape. An empty body is an empty object, as Coral treats it.
func parseJSONObject(body []byte, shape string) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	v, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, serErr(mismatch(v, "class "+shape))
	}
	return obj, nil
}

// docDecoder converts a parsed document, JSON or CBOR (maps with string keys, arrays
// and scalars), into the value tree of a shape. The two formats differ in how a member
// is keyed, how scalars are represented and how a mismatch is reported.
type docDecoder struct {
	key func(*model.Member) string
	// scalar converts a scalar or document member's value.
	scalar func(m *model.Member, raw any) (any, error)
	// mismatch reports raw where an aggregate of m's shape was expected.
	mismatch func(m *model.Member, raw any) error
	// inPlace: the parsed document belongs to the decoder, which may turn its maps and
	// arrays into the tree's rather than copy them (a PutLogEvents batch holds 10,000
	// structures).
	inPlace bool
}

// structure decodes the members of s found in obj into out. With bodyOnly, members
// bound to the URI, query string, headers or status code are skipped (rest-json).
func (d docDecoder) structure(s *model.Shape, obj, out map[string]any, bodyOnly bool) error {
	for _, m := range s.Members {
		if bodyOnly && m.Location != model.Body {
			continue
		}
		raw, ok := obj[d.key(m)]
		if !ok || raw == nil {
			continue
		}
		v, err := d.value(m, raw)
		if err != nil {
			return err
		}
		out[m.Name] = v
	}
	return nil
}

// value converts one parsed value to the tree value of m's shape. Null list items and
// map values stay nil and absent respectively.
func (d docDecoder) value(m *model.Member, raw any) (any, error) {
	s := m.Shape
	if s.Document {
		return d.scalar(m, raw)
	}
	switch s.Type {
	case model.Structure:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, d.mismatch(m, raw)
		}
		if d.inPlace && keyedByName(s, d) {
			return obj, d.structureInPlace(s, obj)
		}
		out := map[string]any{}
		return out, d.structure(s, obj, out, false)
	case model.List:
		l, ok := raw.([]any)
		if !ok {
			return nil, d.mismatch(m, raw)
		}
		out := l
		if !d.inPlace {
			out = make([]any, len(l))
		}
		for i, e := range l {
			if e == nil {
				continue
			}
			v, err := d.value(s.Member, e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case model.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, d.mismatch(m, raw)
		}
		out := make(map[string]any, len(obj))
		for k, e := range obj {
			if e == nil {
				continue
			}
			v, err := d.value(s.Value, e)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return d.scalar(m, raw)
}

// keyedByName reports whether each member of s is keyed by its name in the document,
// so that the document's object can become the tree's.
func keyedByName(s *model.Shape, d docDecoder) bool {
	for _, m := range s.Members {
		if d.key(m) != m.Name {
			return false
		}
	}
	return true
}

// structureInPlace is structure with obj as its own output: what structure would
// leave out (unknown keys, nulls) is deleted, members are converted where they are.
func (d docDecoder) structureInPlace(s *model.Shape, obj map[string]any) error {
	for k, v := range obj {
		if v == nil || memberNamed(s, k) == nil {
			delete(obj, k)
		}
	}
	for _, m := range s.Members {
		raw, ok := obj[m.Name]
		if !ok {
			continue
		}
		v, err := d.value(m, raw)
		if err != nil {
			return err
		}
		obj[m.Name] = v
	}
	return nil
}

func memberNamed(s *model.Shape, name string) *model.Member {
	for _, m := range s.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// jsonDoc decodes JSON bodies: members keyed by locationName, Coral's messages.
var jsonDoc = docDecoder{
	inPlace: true,
	key:     (*model.Member).WireName,
	scalar:  jsonScalar,
	mismatch: func(m *model.Member, raw any) error {
		want := "class " + m.Shape.Name
		switch m.Shape.Type {
		case model.List:
			want = "list"
		case model.Map:
			want = "map"
		}
		return serErr(mismatch(raw, want))
	},
}

// jsonStructure decodes the members of s found in the JSON object obj into out.
func jsonStructure(s *model.Shape, obj, out map[string]any, bodyOnly bool) error {
	return jsonDoc.structure(s, obj, out, bodyOnly)
}

// jsonScalar converts one parsed JSON scalar (or document) to m's tree value.
func jsonScalar(m *model.Member, raw any) (any, error) {
	s := m.Shape
	if s.Document {
		return documentValue(raw), nil
	}
	switch s.Type {
	case model.String:
		if _, ok := raw.(string); ok {
			return raw, nil // as is: unboxing and boxing again allocates per string
		}
		return nil, serErr(mismatch(raw, "String"))
	case model.Boolean:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
		if _, ok := raw.(string); ok {
			return nil, serErr("Unexpected token received from parser")
		}
		return nil, serErr(mismatch(raw, "Boolean"))
	case model.Integer, model.Long:
		return jsonInteger(s.Type, raw)
	case model.Float, model.Double:
		switch n := raw.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(n.String(), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, serErr(mismatch(raw, javaNumber(s.Type)))
			}
			return f, nil
		case string:
			// Only the non-finite values may travel as strings.
			if n == "NaN" || n == "Infinity" || n == "-Infinity" {
				f, _ := parseFloat(n)
				return f, nil
			}
		}
		return nil, serErr(mismatch(raw, javaNumber(s.Type)))
	case model.Timestamp:
		switch n := raw.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(n.String(), 64)
			if err != nil || math.IsInf(f, 0) || math.Abs(f) > maxEpoch {
				return nil, serErr(mismatch(raw, "Date"))
			}
			return epochTime(f), nil
		case string:
			if t, ok := parseTime(n, timestampFormat(m, ISO8601)); ok {
				return t, nil
			}
		}
		return nil, serErr(mismatch(raw, "Date"))
	case model.Blob:
		str, ok := raw.(string)
		if !ok {
			if _, isList := raw.([]any); isList {
				return nil, serErr("Unrecognized collection type class java.nio.ByteBuffer")
			}
			if _, isObj := raw.(map[string]any); isObj {
				return nil, serErr(mismatch(raw, "ByteBuffer"))
			}
			return nil, serErr("only base-64-encoded strings are convertible to bytes")
		}
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			if len(str)%4 != 0 {
				return nil, serErr("Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(str)))
			}
			return nil, serErr("Invalid last non-pad Base64 character dectected")
		}
		return b, nil
	}
	return nil, serErr("Unexpected field type")
}

// maxEpoch bounds epoch seconds to what time.Time holds in milliseconds.
const maxEpoch = 1 << 53 / 1000

// jsonInteger accepts a JSON number for an integer or long member. Coral truncates a
// fraction rather than rejecting it.
func jsonInteger(t model.Type, raw any) (any, error) {
	n, ok := raw.(json.Number)
	if !ok {
		return nil, serErr(mismatch(raw, javaNumber(t)))
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(n.String(), 64)
		if ferr != nil || math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
			return nil, serErr("NUMBER_VALUE cannot be converted to " + javaNumber(t))
		}
		i = int64(f)
	}
	if t == model.Integer && (i > math.MaxInt32 || i < math.MinInt32) {
		return nil, serErr("NUMBER_VALUE cannot be converted to " + javaNumber(t))
	}
	return i, nil
}

func javaNumber(t model.Type) string {
	switch t {
	case model.Integer:
		return "Integer"
	case model.Long:
		return "Long"
	case model.Float:
		return "Float"
	}
	return "Double"
}

// mismatch phrases a JSON value of the wrong kind as Coral's deserializer does
// ("NUMBER_VALUE cannot be converted to String"). want is the Java type of a scalar
// member, or one of the aggregates "list", "map" and "class <Shape>".
func mismatch(raw any, want string) string {
	scalar := want != "list" && want != "map" && !strings.HasPrefix(want, "class ")
	switch raw.(type) {
	case map[string]any:
		if want == "map" || strings.HasPrefix(want, "class ") {
			return "Unexpected field type"
		}
		return "Start of structure or map found where not expected"
	case []any:
		switch {
		case want == "map":
			return "Unrecognized collection type java.util.Map<java.lang.String, java.lang.Object>"
		case want == "list":
			return "Unexpected field type"
		case !scalar:
			return "Unrecognized collection type " + want
		case want == "Date":
			return "Unrecognized collection type class java.util.Date"
		}
		return "Unrecognized collection type class java.lang." + want
	}
	if !scalar {
		return "Unexpected field type"
	}
	kind := "STRING_VALUE"
	switch v := raw.(type) {
	case bool:
		kind = "FALSE_VALUE"
		if v {
			kind = "TRUE_VALUE"
		}
	case json.Number:
		kind = "NUMBER_VALUE"
		if _, err := strconv.ParseInt(v.String(), 10, 64); err != nil {
			kind = "DECIMAL_VALUE"
		}
	}
	return kind + " cannot be converted to " + want
}

// documentValue turns parsed JSON into a document: numbers become int64 when integral
// and in range, float64 otherwise.
func documentValue(raw any) any {
	switch v := raw.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(v.String(), 64)
		return f
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = documentValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = documentValue(e)
		}
		return out
	}
	return raw
}

// jsonWriter renders tree values as JSON following the model.
type jsonWriter struct {
	b bytes.Buffer
}

// object writes a structure's members as a JSON object, in model order. With bodyOnly,
// members bound elsewhere in the HTTP message are left out (rest-json).
func (w *jsonWriter) object(s *model.Shape, v map[string]any, bodyOnly bool) {
	w.b.WriteByte('{')
	first := true
	for _, m := range s.Members {
		if bodyOnly && m.Location != model.Body {
			continue
		}
		e, ok := v[m.Name]
		if !ok || e == nil {
			continue
		}
		if !first {
			w.b.WriteByte(',')
		}
		first = false
		w.str(m.WireName())
		w.b.WriteByte(':')
		w.value(m, e)
	}
	w.b.WriteByte('}')
}

func (w *jsonWriter) value(m *model.Member, v any) {
	s := m.Shape
	if s.Document {
		w.document(v)
		return
	}
	switch s.Type {
	case model.Structure:
		sv, _ := v.(map[string]any)
		w.object(s, sv, false)
	case model.List:
		l, _ := v.([]any)
		w.b.WriteByte('[')
		for i, e := range l {
			if i > 0 {
				w.b.WriteByte(',')
			}
			if e == nil {
				w.b.WriteString("null")
				continue
			}
			w.value(s.Member, e)
		}
		w.b.WriteByte(']')
	case model.Map:
		mv, _ := v.(map[string]any)
		keys := sortedKeys(mv)
		w.b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.str(k)
			w.b.WriteByte(':')
			if mv[k] == nil {
				w.b.WriteString("null")
				continue
			}
			w.value(s.Value, mv[k])
		}
		w.b.WriteByte('}')
	default:
		w.scalar(m, v)
	}
}

func (w *jsonWriter) scalar(m *model.Member, v any) {
	switch t := v.(type) {
	case string:
		w.str(t)
	case bool:
		w.b.WriteString(strconv.FormatBool(t))
	case int64:
		if m.Shape.Type == model.Float || m.Shape.Type == model.Double {
			w.float(m, float64(t))
			return
		}
		w.b.WriteString(strconv.FormatInt(t, 10))
	case float64:
		w.float(m, t)
	case time.Time:
		format := timestampFormat(m, UnixTimestamp)
		if format == UnixTimestamp {
			w.b.WriteString(formatEpoch(t))
			return
		}
		w.str(formatTime(t, format))
	case []byte:
		w.str(base64.StdEncoding.EncodeToString(t))
	case io.Reader:
		b, _ := io.ReadAll(t)
		w.str(base64.StdEncoding.EncodeToString(b))
	default:
		w.b.WriteString("null")
	}
}

// float writes a number; the non-finite values travel as strings.
func (w *jsonWriter) float(m *model.Member, f float64) {
	bits := 64
	if m.Shape.Type == model.Float {
		bits = 32
	}
	s := formatFloat(f, bits)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.str(s)
		return
	}
	w.b.WriteString(s)
}

// document writes an untyped value as JSON.
func (w *jsonWriter) document(v any) {
	switch t := v.(type) {
	case nil:
		w.b.WriteString("null")
	case string:
		w.str(t)
	case bool:
		w.b.WriteString(strconv.FormatBool(t))
	case int64:
		w.b.WriteString(strconv.FormatInt(t, 10))
	case int:
		w.b.WriteString(strconv.Itoa(t))
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			w.b.WriteString("null")
			return
		}
		w.b.WriteString(strconv.FormatFloat(t, 'g', -1, 64))
	case []any:
		w.b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.document(e)
		}
		w.b.WriteByte(']')
	case map[string]any:
		w.b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.str(k)
			w.b.WriteByte(':')
			w.document(t[k])
		}
		w.b.WriteByte('}')
	default:
		b, err := json.Marshal(t)
		if err != nil {
			w.b.WriteString("null")
			return
		}
		w.b.Write(b)
	}
}

// str writes a JSON string. Unlike encoding/json it leaves <, > and & alone, as AWS's
// services do; invalid UTF-8 becomes U+FFFD.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	w.b.WriteByte('"')
	// Bytes that need no escaping are copied in runs: most strings (base64 blobs,
	// ARNs, IDs) are one run.
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			w.b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				w.b.WriteByte('\\')
				w.b.WriteByte(c)
			case '\n':
				w.b.WriteString(`\n`)
			case '\r':
				w.b.WriteString(`\r`)
			case '\t':
				w.b.WriteString(`\t`)
			default:
				w.b.WriteString(`\u00`)
				w.b.WriteByte(hex[c>>4])
				w.b.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.b.WriteString(s[start:i])
			w.b.WriteString(`\ufffd`)
			i++
			start = i
			continue
		}
		i += size
	}
	w.b.WriteString(s[start:])
	w.b.WriteByte('"')
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
