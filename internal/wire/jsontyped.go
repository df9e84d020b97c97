package wire

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"slices"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/palisade/palisade/internal/model"
)

// TypedDecoder is a protocol that can decode some inputs straight into the operation's
// generated struct, skipping the value tree: a PutLogEvents batch of 10,000 events
// built 10,000 maps for the tree and spent most of the call's CPU time there.
type TypedDecoder interface {
	// DecodeTyped fills dst, a pointer to r.Op's generated input struct, and reports
	// true only when the generic path (Decode, ValidateInput, model.Unmarshal) would
	// accept the request and give dst the same value. On anything else — malformed
	// input, a type mismatch, a constraint broken, a shape it does not handle — it
	// reports false, leaving dst in an unspecified state, and the caller takes the
	// generic path, which words the error. It never yields an error of its own.
	// Strings in dst may share r.Body's memory, which must not change afterwards.
	DecodeTyped(r *Request, dst reflect.Value) bool
}

// DecodeTyped decodes a json-protocol body straight into the input struct. It handles
// structures, lists, maps with string keys, strings, integers, longs and booleans;
// a member of any other shape (timestamp, blob, float, document, streaming) makes it
// decline when the body carries it. It also declines, rather than reproduce the
// generic path's quirks, on duplicate member keys, null list items and map values,
// numbers written with a fraction or exponent, an empty body, and integers beyond
// int64. The checks model.Validate makes (required members, lengths counted in
// characters, value ranges, enums, patterns) are made on the way.
func (jsonProtocol) DecodeTyped(r *Request, dst reflect.Value) bool {
	if r.Op == nil || r.Op.Input == nil || dst.Kind() != reflect.Pointer || dst.IsNil() {
		return false
	}
	pl := typedPlanFor(r.Op.Input, dst.Type().Elem())
	if pl == nil {
		return false
	}
	d := typedDecoder{jsonParser: jsonParser{b: r.Body}}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	// Strings without escapes are slices of the body: r.Body never changes once read
	// (sigv4.ReadBody's contract), and a copy of a megabyte body cost more than the
	// rest of the decoding.
	d.s = unsafe.String(unsafe.SliceData(d.b), len(d.b))
	if !d.structure(pl, dst.UnsafePointer(), 1) {
		return false
	}
	d.space()
	return d.i == len(d.b)
}

// typedKind is what a plan decodes.
type typedKind uint8

const (
	tStruct typedKind = iota + 1
	tList
	tMap
	tString
	tInt
	tBool
)

// typedPlan is how one shape decodes into one Go type: built once per pair.
type typedPlan struct {
	kind  typedKind
	shape *model.Shape
	typ   reflect.Type // the Go type decoded into (the pointee when ptr)
	ptr   bool         // the Go value is a pointer to typ
	// fields are a structure's members (at most 64); a nil plan is a member this
	// decoder does not handle.
	fields []typedField
	// elem is a list's item or a map's value; key a map key's shape.
	elem *typedPlan
	key  *model.Shape
	// bits is an integer's width (32 for Integer shapes); int32 says the Go value
	// is an int32 (else an int64).
	bits  int
	int32 bool
}

type typedField struct {
	key      string  // the JSON key: the member's wire name, as the generic path keys it
	quoted   string  // the key as written without escapes, quotes included
	index    int     // the struct field
	offset   uintptr // the struct field's offset
	plan     *typedPlan
	required bool
}

type planKey struct {
	shape *model.Shape
	typ   reflect.Type
}

var typedPlans sync.Map // planKey → *typedPlan (nil: not handled)

func typedPlanFor(s *model.Shape, t reflect.Type) *typedPlan {
	k := planKey{s, t}
	if p, ok := typedPlans.Load(k); ok {
		return p.(*typedPlan)
	}
	p := buildPlan(s, t, map[planKey]*typedPlan{})
	if p != nil && p.kind != tStruct {
		p = nil
	}
	typedPlans.Store(k, p)
	return p
}

// buildPlan plans shape s into Go type t; nil when either is something this decoder
// does not handle. building holds the structures being planned (shapes may recurse).
func buildPlan(s *model.Shape, t reflect.Type, building map[planKey]*typedPlan) *typedPlan {
	if s.Document || s.Streaming {
		return nil
	}
	p := &typedPlan{shape: s, typ: t}
	if t.Kind() == reflect.Pointer {
		p.ptr, p.typ = true, t.Elem()
	}
	k := planKey{s, t}
	if b, ok := building[k]; ok {
		return b
	}
	switch s.Type {
	case model.Structure:
		if p.typ.Kind() != reflect.Struct || len(s.Members) > 64 {
			return nil
		}
		building[k] = p
		p.kind = tStruct
		// Once registered in building, a structure's plan is never dropped (another
		// may point at it): a member it cannot decode gets a nil plan instead.
		for _, m := range s.Members {
			f := typedField{key: m.WireName(), index: -1, required: m.Required}
			f.quoted = `"` + f.key + `"`
			for i := range p.typ.NumField() {
				if tag, ok := p.typ.Field(i).Tag.Lookup("aws"); ok && tag == m.Name && p.typ.Field(i).IsExported() {
					f.index, f.offset = i, p.typ.Field(i).Offset
				}
			}
			if f.index >= 0 && !m.Streaming {
				f.plan = buildPlan(m.Shape, p.typ.Field(f.index).Type, building)
			}
			p.fields = append(p.fields, f)
		}
	case model.List:
		if p.ptr || p.typ.Kind() != reflect.Slice || p.typ.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		p.kind = tList
		if p.elem = buildPlan(s.Member.Shape, p.typ.Elem(), building); p.elem == nil {
			return nil
		}
	case model.Map:
		if p.ptr || p.typ.Kind() != reflect.Map || p.typ.Key().Kind() != reflect.String || s.Key == nil || s.Key.Shape.Type != model.String {
			return nil
		}
		p.kind, p.key = tMap, s.Key.Shape
		if p.elem = buildPlan(s.Value.Shape, p.typ.Elem(), building); p.elem == nil {
			return nil
		}
	case model.String:
		if p.typ.Kind() != reflect.String {
			return nil
		}
		p.kind = tString
	case model.Integer, model.Long:
		if p.typ.Kind() != reflect.Int64 && p.typ.Kind() != reflect.Int32 {
			return nil
		}
		p.kind, p.bits, p.int32 = tInt, 64, p.typ.Kind() == reflect.Int32
		if s.Type == model.Integer || p.int32 {
			p.bits = 32
		}
	case model.Boolean:
		if p.typ.Kind() != reflect.Bool {
			return nil
		}
		p.kind = tBool
	default:
		return nil
	}
	return p
}

// typedDecoder parses with jsonParser's scanner, keeping strings without escapes as
// slices of s, one string holding the whole body: a batch's messages cost one
// allocation, not one each.
type typedDecoder struct {
	jsonParser
	s string
}

// null consumes a JSON null at d.i, if there is one.
func (d *typedDecoder) null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// value decodes one non-null JSON value at d.i into the Go value at dst, of plan p's
// type (a pointer to it when p.ptr). depth is the nesting depth of the value, as
// jsonParser counts it. Values are set through unsafe pointers at offsets the plan
// took from reflect: reflect.Value's Field, Index and Set* were a quarter of the
// decoding's time.
func (d *typedDecoder) value(p *typedPlan, dst unsafe.Pointer, depth int) bool {
	if p.ptr {
		n := reflect.New(p.typ).UnsafePointer()
		if !d.valueInto(p, n, depth) {
			return false
		}
		*(*unsafe.Pointer)(dst) = n
		return true
	}
	return d.valueInto(p, dst, depth)
}

func (d *typedDecoder) valueInto(p *typedPlan, dst unsafe.Pointer, depth int) bool {
	if d.i >= len(d.b) {
		return false
	}
	switch p.kind {
	case tStruct:
		return d.b[d.i] == '{' && d.structure(p, dst, depth+1)
	case tList:
		return d.b[d.i] == '[' && d.list(p, dst, depth+1)
	case tMap:
		return d.b[d.i] == '{' && d.dict(p, dst, depth+1)
	case tString:
		s, n, ok := d.str()
		if !ok || !stringValid(p.shape, s, n) {
			return false
		}
		*(*string)(dst) = s
		return true
	case tInt:
		n, ok := d.integer()
		if !ok || p.bits == 32 && int64(int32(n)) != n || !rangeValid(p.shape, n) {
			return false
		}
		if p.int32 {
			*(*int32)(dst) = int32(n)
		} else {
			*(*int64)(dst) = n
		}
		return true
	case tBool:
		switch {
		case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
			d.i += 4
			*(*bool)(dst) = true
			return true
		case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
			d.i += 5
			*(*bool)(dst) = false
			return true
		}
	}
	return false
}

// structure decodes the object at d.i (its '{'); depth is its members' depth.
func (d *typedDecoder) structure(p *typedPlan, dst unsafe.Pointer, depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	d.i++
	var keyed, present uint64
	if d.empty('}') {
		return requiredPresent(p, present)
	}
	hint := 0 // members usually come in the model's order
	for {
		fi, ok := d.field(p, hint)
		hint = fi + 1
		if !ok || !d.colon() {
			return false
		}
		switch {
		case fi < 0:
			// A member the model does not have: parsed, as the generic path parses
			// it, and dropped.
			if _, err := d.jsonParser.value(depth); err != nil {
				return false
			}
		case keyed&(1<<fi) != 0:
			return false // a duplicate key: the generic path keeps the last value
		case d.null():
			keyed |= 1 << fi
		default:
			f := &p.fields[fi]
			keyed |= 1 << fi
			if f.plan == nil || !d.value(f.plan, unsafe.Add(dst, f.offset), depth) {
				return false
			}
			present |= 1 << fi
		}
		if more, ok := d.next('}'); !more {
			return ok && requiredPresent(p, present)
		}
	}
}

// next reads what follows a container's item: a comma (more items follow) or the
// container's closing byte; anything else is malformed.
func (d *typedDecoder) next(end byte) (more, ok bool) {
	d.space()
	if d.i >= len(d.b) {
		return false, false
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		d.space()
		return true, true
	case end:
		d.i++
		return false, true
	}
	return false, false
}

// colon consumes the ':' after an object key and the space around it.
func (d *typedDecoder) colon() bool {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != ':' {
		return false
	}
	d.i++
	d.space()
	return true
}

// empty consumes an empty container's closing byte, if it comes next.
func (d *typedDecoder) empty(end byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == end {
		d.i++
		return true
	}
	return false
}

func requiredPresent(p *typedPlan, present uint64) bool {
	for i := range p.fields {
		if p.fields[i].required && present&(1<<i) == 0 {
			return false
		}
	}
	return true
}

// field reads an object key at d.i and returns the index of the member it names, -1
// for none. Members' keys as written (quotes included) are tried first, from the
// hint-th on.
func (d *typedDecoder) field(p *typedPlan, hint int) (int, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return 0, false
	}
	for k := range p.fields {
		fi := (hint + k) % len(p.fields)
		if q := p.fields[fi].quoted; len(d.s)-d.i >= len(q) && d.s[d.i:d.i+len(q)] == q {
			d.i += len(q)
			return fi, true
		}
	}
	start, j := d.i+1, d.i+1
	for j < len(d.b) && d.b[j] != '"' && d.b[j] != '\\' && d.b[j] >= 0x20 && d.b[j] < utf8.RuneSelf {
		j++
	}
	if j < len(d.b) && d.b[j] == '"' {
		d.i = j + 1
		return fieldIndex(p, d.s[start:j]), true
	}
	k, err := d.jsonParser.str()
	if err != nil {
		return 0, false
	}
	return fieldIndex(p, k), true
}

func fieldIndex(p *typedPlan, k string) int {
	for i := range p.fields {
		if k == p.fields[i].key {
			return i
		}
	}
	return -1
}

// str reads a string at d.i and returns it with its length in characters.
func (d *typedDecoder) str() (string, int, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", 0, false
	}
	start := d.i + 1
	if q := bytes.IndexByte(d.b[start:], '"'); q >= 0 {
		if seg := d.b[start : start+q]; printableASCII(seg) && bytes.IndexByte(seg, '\\') < 0 {
			d.i = start + q + 1
			return d.s[start : start+q], q, true
		}
	}
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return d.s[start:j], j - start, true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			s, err := d.jsonParser.str()
			if err != nil {
				return "", 0, false
			}
			return s, utf8.RuneCountInString(s), true
		}
	}
	return "", 0, false
}

// integer reads a JSON number written as an integer that fits an int64; anything
// else (a fraction, an exponent, a bigger magnitude) is declined.
func (d *typedDecoder) integer() (int64, bool) {
	neg := false
	if d.i < len(d.b) && d.b[d.i] == '-' {
		neg = true
		d.i++
	}
	start, j := d.i, d.i
	for j < len(d.b) && d.b[j]-'0' <= 9 {
		j++
	}
	digits := d.b[start:j]
	d.i = j
	if len(digits) == 0 || len(digits) > 1 && digits[0] == '0' || len(digits) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range digits {
		u = u*10 + uint64(c-'0') // 19 digits fit a uint64
	}
	if u > 1<<63 || u == 1<<63 && !neg {
		return 0, false
	}
	if d.i < len(d.b) && (d.b[d.i] == '.' || d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// list decodes the array at d.i; depth is its items' depth.
func (d *typedDecoder) list(p *typedPlan, dst unsafe.Pointer, depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	d.i++
	limit := -1
	if p.shape.Max != nil {
		limit = int(*p.shape.Max)
	}
	capacity := 4
	if p.elem.kind == tStruct && !p.elem.ptr {
		// One allocation for a batch of structures: each needs a '{', and more items
		// than the shape allows fail validation anyway.
		capacity = bytes.Count(d.b[d.i:], []byte{'{'})
		if limit >= 0 {
			capacity = min(capacity, limit)
		}
	}
	// Items are decoded in place; the length is cut once at the end, as each Slice
	// would allocate.
	out := reflect.NewAt(p.typ, dst).Elem()
	s := reflect.MakeSlice(p.typ, capacity, capacity)
	if d.empty(']') {
		out.Set(s.Slice(0, 0))
		return lengthValid(p.shape, 0)
	}
	size := p.typ.Elem().Size()
	base := s.UnsafePointer()
	n := 0
	for {
		if n == limit || d.null() {
			return false // too many items, or a null one (the generic tree keeps it)
		}
		if n == s.Len() {
			grown := reflect.MakeSlice(p.typ, 2*n+4, 2*n+4)
			reflect.Copy(grown, s)
			s, base = grown, grown.UnsafePointer()
		}
		if !d.value(p.elem, unsafe.Add(base, uintptr(n)*size), depth) {
			return false
		}
		n++
		if more, ok := d.next(']'); !more {
			out.Set(s.Slice(0, n))
			return ok && lengthValid(p.shape, n)
		}
	}
}

// dict decodes the object at d.i as a map; depth is its values' depth.
func (d *typedDecoder) dict(p *typedPlan, dst unsafe.Pointer, depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	d.i++
	out := reflect.NewAt(p.typ, dst).Elem()
	m := reflect.MakeMap(p.typ)
	if d.empty('}') {
		out.Set(m)
		return lengthValid(p.shape, 0)
	}
	v := reflect.New(p.typ.Elem()).Elem()
	for {
		k, n, ok := d.str()
		if !ok || !stringValid(p.key, k, n) || !d.colon() {
			return false
		}
		if d.null() {
			return false // the generic tree drops the entry
		}
		v.SetZero()
		if !d.value(p.elem, v.Addr().UnsafePointer(), depth) {
			return false
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(p.typ.Key()), v)
		if more, ok := d.next('}'); !more {
			out.Set(m)
			return ok && lengthValid(p.shape, m.Len())
		}
	}
}

// The checks model.Validate makes, answering only whether they pass.

func lengthValid(s *model.Shape, n int) bool {
	return (s.Min == nil || float64(n) >= *s.Min) && (s.Max == nil || float64(n) <= *s.Max)
}

// stringValid checks a string of n characters.
func stringValid(s *model.Shape, str string, n int) bool {
	if !lengthValid(s, n) || len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
		return false
	}
	re := s.Regexp()
	return re == nil || re.MatchString(str)
}

func rangeValid(s *model.Shape, n int64) bool {
	f := float64(n)
	return (s.Min == nil || f >= *s.Min) && (s.Max == nil || f <= *s.Max)
}

// printableASCII reports whether b holds only bytes from 0x20 to 0x7f: no control
// character and nothing of a multi-byte UTF-8 sequence. Eight bytes at a time:
// messages are long runs of such bytes.
func printableASCII(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		// A byte below 0x20 wraps (and may make its neighbour look low too, which
		// only sends the string the slow way); one from 0x80 has its high bit set.
		if w := binary.LittleEndian.Uint64(b[i:]); (w|(w-ones*0x20))&highs != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 || b[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
