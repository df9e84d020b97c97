package model

import (
	"fmt"
	"io"
	"reflect"
	"sync"
	"time"
)

// Values: the protocol codecs decode a request into a tree of plain Go values shaped by
// the model, and encode a response from one. The tree is the common language between
// the six wire protocols, input validation, CloudTrail's requestParameters and the typed
// structs handlers see:
//
//	structure  map[string]any (member name → value; absent members are absent)
//	list       []any
//	map        map[string]any
//	string     string
//	integer, long  int64
//	float, double  float64
//	boolean    bool
//	timestamp  time.Time
//	blob       []byte, or io.Reader for a streaming member
//
// Generated structs mark each field with `aws:"MemberName"`. Optional scalars are
// pointers, required scalars are values, nested structures are pointers, lists are
// slices and maps are maps.

// Unmarshal copies a structure value into dst, a pointer to a generated struct.
func Unmarshal(v map[string]any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("model: Unmarshal needs a pointer to a struct, got %T", dst)
	}
	return setStruct(rv.Elem(), v)
}

// Marshal turns a generated struct (or a pointer to one) into a structure value. A nil
// pointer gives nil.
func Marshal(src any) map[string]any {
	rv := reflect.ValueOf(src)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	return getStruct(rv)
}

type fieldInfo struct {
	name  string
	index int
}

var plans sync.Map // reflect.Type → []fieldInfo

func plan(t reflect.Type) []fieldInfo {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldInfo)
	}
	var fs []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name, ok := f.Tag.Lookup("aws"); ok && f.IsExported() {
			fs = append(fs, fieldInfo{name: name, index: i})
		}
	}
	plans.Store(t, fs)
	return fs
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	bytesType  = reflect.TypeFor[[]byte]()
	readerType = reflect.TypeFor[io.Reader]()
)

func setStruct(dst reflect.Value, v map[string]any) error {
	for _, f := range plan(dst.Type()) {
		x, ok := v[f.name]
		if !ok || x == nil {
			continue
		}
		if err := set(dst.Field(f.index), x); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

func set(dst reflect.Value, x any) error {
	t := dst.Type()
	if t == readerType {
		r, ok := x.(io.Reader)
		if !ok {
			return fmt.Errorf("want a stream, have %T", x)
		}
		dst.Set(reflect.ValueOf(r))
		return nil
	}
	if t.Kind() == reflect.Pointer {
		n := reflect.New(t.Elem())
		if err := set(n.Elem(), x); err != nil {
			return err
		}
		dst.Set(n)
		return nil
	}
	if t == timeType {
		tm, ok := x.(time.Time)
		if !ok {
			return fmt.Errorf("want a timestamp, have %T", x)
		}
		dst.Set(reflect.ValueOf(tm))
		return nil
	}
	if t == bytesType {
		b, ok := x.([]byte)
		if !ok {
			return fmt.Errorf("want a blob, have %T", x)
		}
		dst.SetBytes(b)
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return fmt.Errorf("want a string, have %T", x)
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return fmt.Errorf("want a boolean, have %T", x)
		}
		dst.SetBool(b)
	case reflect.Int32, reflect.Int64:
		n, ok := x.(int64)
		if !ok {
			return fmt.Errorf("want an integer, have %T", x)
		}
		if dst.OverflowInt(n) {
			return fmt.Errorf("integer %d out of range", n)
		}
		dst.SetInt(n)
	case reflect.Float32, reflect.Float64:
		switch n := x.(type) {
		case float64:
			dst.SetFloat(n)
		case int64:
			dst.SetFloat(float64(n))
		default:
			return fmt.Errorf("want a number, have %T", x)
		}
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("want a structure, have %T", x)
		}
		return setStruct(dst, m)
	case reflect.Slice:
		l, ok := x.([]any)
		if !ok {
			return fmt.Errorf("want a list, have %T", x)
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if e == nil {
				continue
			}
			if err := set(s.Index(i), e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("want a map, have %T", x)
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if e != nil {
				if err := set(ev, e); err != nil {
					return fmt.Errorf("[%q]: %w", k, err)
				}
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		dst.Set(out)
	case reflect.Interface:
		// document members: the tree value as it came.
		dst.Set(reflect.ValueOf(x))
	default:
		return fmt.Errorf("unsupported field type %s", t)
	}
	return nil
}

func getStruct(v reflect.Value) map[string]any {
	fs := plan(v.Type())
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		if x, ok := get(v.Field(f.index)); ok {
			m[f.name] = x
		}
	}
	return m
}

// get returns the tree value of a field and whether it is present: nil pointers, nil
// slices and nil maps are absent; zero scalars held by value are present.
func get(v reflect.Value) (any, bool) {
	t := v.Type()
	if t == readerType {
		if v.IsNil() {
			return nil, false
		}
		return v.Interface(), true
	}
	if t == timeType {
		return v.Interface().(time.Time), true
	}
	if t == bytesType {
		if v.IsNil() {
			return nil, false
		}
		return v.Bytes(), true
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, false
		}
		return get(v.Elem())
	case reflect.String:
		return v.String(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Struct:
		return getStruct(v), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		l := make([]any, v.Len())
		for i := range l {
			l[i], _ = get(v.Index(i))
		}
		return l, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		m := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			m[it.Key().String()], _ = get(it.Value())
		}
		return m, true
	case reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return v.Interface(), true
	}
	return nil, false
}
