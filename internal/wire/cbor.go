package wire

import (
	"io"
	"math"
	"math/big"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/palisade/palisade/internal/model"
)

// cborProtocol is Smithy's RPC v2 CBOR protocol (CloudWatch's preferred binding in
// current SDKs): POST /service/<Service>/operation/<Operation> with a
// "smithy-protocol: rpc-v2-cbor" header and the input structure as a CBOR map keyed by
// member name; timestamps are epoch seconds under tag 1, blobs are byte strings. Errors
// are a CBOR map with the exception's shape ID in __type.
type cborProtocol struct{}

func init() { Register(cborProtocol{}) }

func (cborProtocol) Name() string { return "smithy-rpc-v2-cbor" }

func (cborProtocol) ReadsBodyToResolve() bool { return true }

var (
	cborDec = mustDecMode(cbor.DecOptions{
		DefaultMapType:   reflect.TypeFor[map[string]any](),
		IntDec:           cbor.IntDecConvertSignedOrFail,
		MaxNestedLevels:  64,
		MaxArrayElements: 1 << 20,
		MaxMapPairs:      1 << 20,
		TimeTagToAny:     cbor.TimeTagToTime,
	})
	cborEnc = mustEncMode(cbor.EncOptions{
		Time:    cbor.TimeUnixDynamic,
		TimeTag: cbor.EncTagRequired,
		Sort:    cbor.SortBytewiseLexical,
	})
)

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}

func mustEncMode(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}

// Resolve reads the service and operation from the path's last four segments. The
// service name is the Smithy service shape's, which is CloudWatch's targetPrefix
// (botocore takes it from there; the SDK for Go v2 from its schema).
func (cborProtocol) Resolve(r *Request) (*model.Operation, map[string]string, *model.Error) {
	parts := strings.Split(strings.TrimSuffix(r.HTTP.URL.Path, "/"), "/")
	n := len(parts)
	if r.HTTP.Method != http.MethodPost || n < 5 || parts[n-4] != "service" || parts[n-2] != "operation" ||
		!targetPrefixMatches(r.Service, parts[n-3]) {
		return nil, nil, unknownOperation()
	}
	op, ok := r.Service.Operations[parts[n-1]]
	if !ok {
		return nil, nil, unknownOperation()
	}
	return op, nil, nil
}

func (cborProtocol) Decode(r *Request) (map[string]any, *model.Error) {
	in := map[string]any{}
	if len(r.Body) == 0 {
		return in, nil
	}
	var raw any
	if err := cborDec.Unmarshal(r.Body, &raw); err != nil {
		return nil, malformed(err)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, malformed(serErr("Expected a CBOR map for the operation input"))
	}
	if r.Op.Input == nil {
		return in, nil
	}
	if err := cborDoc.structure(r.Op.Input, obj, in, false); err != nil {
		return nil, malformed(err)
	}
	return in, nil
}

// cborDoc decodes CBOR bodies: members keyed by member name, as Smithy specifies.
var cborDoc = docDecoder{
	key:      func(m *model.Member) string { return m.Name },
	scalar:   cborScalar,
	mismatch: cborMismatch,
}

func cborMismatch(m *model.Member, raw any) error {
	return serErr("Expected " + m.Shape.Type.String() + " for member " + m.Name + ", found " + cborKind(raw))
}

func cborKind(raw any) string {
	switch raw.(type) {
	case map[string]any:
		return "map"
	case []any:
		return "array"
	case string:
		return "text string"
	case []byte:
		return "byte string"
	case bool:
		return "boolean"
	case int64, big.Int:
		return "integer"
	case float64, float32:
		return "float"
	case time.Time:
		return "timestamp"
	}
	return "unexpected data item"
}

// cborScalar converts one decoded scalar data item (or document) to m's tree value.
func cborScalar(m *model.Member, raw any) (any, error) {
	s := m.Shape
	if s.Document {
		return raw, nil
	}
	switch s.Type {
	case model.String:
		if str, ok := raw.(string); ok {
			return str, nil
		}
	case model.Boolean:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
	case model.Integer, model.Long:
		if n, ok := raw.(int64); ok && (s.Type == model.Long || n >= math.MinInt32 && n <= math.MaxInt32) {
			return n, nil
		}
	case model.Float, model.Double:
		switch n := raw.(type) {
		case float64:
			return n, nil
		case float32:
			return float64(n), nil
		case int64:
			return float64(n), nil
		}
	case model.Timestamp:
		switch t := raw.(type) {
		case time.Time:
			return t.UTC().Round(time.Millisecond), nil
		case int64:
			return time.Unix(t, 0).UTC(), nil
		case float64:
			if !math.IsNaN(t) && math.Abs(t) <= maxEpoch {
				return epochTime(t), nil
			}
		}
	case model.Blob:
		if b, ok := raw.([]byte); ok {
			return b, nil
		}
	}
	return nil, cborMismatch(m, raw)
}

// cborTree converts an output value to what the CBOR encoder writes: structures as
// maps keyed by member name, Float members as 32-bit floats, streams read whole.
func cborTree(m *model.Member, v any) any {
	s := m.Shape
	if s.Document {
		return v
	}
	switch s.Type {
	case model.Structure:
		sv, _ := v.(map[string]any)
		return cborStruct(s, sv)
	case model.List:
		l, _ := v.([]any)
		out := make([]any, len(l))
		for i, e := range l {
			if e != nil {
				out[i] = cborTree(s.Member, e)
			}
		}
		return out
	case model.Map:
		mv, _ := v.(map[string]any)
		out := make(map[string]any, len(mv))
		for k, e := range mv {
			if e != nil {
				out[k] = cborTree(s.Value, e)
			}
		}
		return out
	case model.Float, model.Double:
		f, ok := v.(float64)
		if n, isInt := v.(int64); isInt {
			f, ok = float64(n), true
		}
		if ok && s.Type == model.Float {
			return float32(f)
		}
		if ok {
			return f
		}
	case model.Timestamp:
		if t, ok := v.(time.Time); ok {
			return t.UTC()
		}
	case model.Blob:
		if rd, ok := v.(io.Reader); ok {
			b, _ := io.ReadAll(rd)
			return b
		}
	}
	return v
}

func cborStruct(s *model.Shape, v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for _, m := range s.Members {
		if e, ok := v[m.Name]; ok && e != nil {
			out[m.Name] = cborTree(m, e)
		}
	}
	return out
}

func (cborProtocol) Encode(w http.ResponseWriter, r *Request, out map[string]any, meta Response) error {
	var body []byte
	if r.Op.Output != nil {
		b, err := cborEnc.Marshal(cborStruct(r.Op.Output, out))
		if err != nil {
			return err
		}
		body = b
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	return writeBody(w, http.StatusOK, "application/cbor", meta, body)
}

// EncodeError writes {"__type": "<namespace>#<Shape>", "message": ..., members...}; a
// query-compatible service also sends the query protocol's code in x-amzn-query-error.
func (cborProtocol) EncodeError(w http.ResponseWriter, r *Request, e *model.Error, meta Response) {
	shape := errorShape(r.Service, e)
	doc := map[string]any{"__type": errorType(r.Service, e, shape, true)}
	if e.Message != "" {
		key := "message"
		if m := messageMember(shape); m != nil {
			key = m.Name
		}
		doc[key] = e.Message
	}
	errorFields(e, shape, func(key string, m *model.Member, v any) {
		if m == nil {
			doc[key] = v
			return
		}
		doc[m.Name] = cborTree(m, v)
	})
	body, err := cborEnc.Marshal(doc)
	if err != nil {
		body, _ = cborEnc.Marshal(map[string]any{"__type": doc["__type"]})
	}
	h := w.Header()
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	setQueryError(h, r.Service, e)
	writeBody(w, e.Status, "application/cbor", meta, body)
}
