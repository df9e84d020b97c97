package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Violation is one input constraint a request breaks, phrased as AWS's request
// validators phrase it ("Value 'x' at 'tags.1.member.key' failed to satisfy
// constraint: Member must have length less than or equal to 128").
type Violation struct {
	Path       string // AWS's path: lowerCamel member names, list items as N.member
	Value      string // the offending value as AWS prints it, "null" when missing
	Constraint string
}

// String renders the violation as it appears in AWS's message.
func (v Violation) String() string {
	if v.Value == "" {
		return fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", v.Path, v.Constraint)
	}
	return fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v.Value, v.Path, v.Constraint)
}

// ValidationMessage joins violations into the message AWS sends with a validation
// error: "2 validation errors detected: ...; ...".
func ValidationMessage(vs []Violation) string {
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Validate checks a decoded structure value against its shape: required members,
// lengths, ranges, enum values and patterns, recursively. It returns the violations in
// model order; none means the input is valid.
func Validate(s *Shape, v map[string]any) []Violation {
	var w walk
	validateStruct(s, v, &w)
	return w.vs
}

// walk is a validation in progress: the violations so far and the path to the value
// being checked, as a stack of segments spelled out only for a violation (building
// the string for each of a 10,000-item list's members cost more than checking them).
type walk struct {
	vs   []Violation
	path []seg
}

type seg struct {
	member string // a structure member's name, or "" for a list item
	index  int    // a list item's 1-based index
}

func (w *walk) pathString() string {
	var b []byte
	for _, p := range w.path {
		if p.member == "" {
			b = append(b, '.')
			b = strconv.AppendInt(b, int64(p.index), 10)
			b = append(b, ".member"...)
			continue
		}
		if len(b) > 0 {
			b = append(b, '.')
		}
		b = append(b, lowerFirst(p.member)...)
	}
	return string(b)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

func validateStruct(s *Shape, v map[string]any, w *walk) {
	for _, m := range s.Members {
		x, ok := v[m.Name]
		if (!ok || x == nil) && !m.Required {
			continue
		}
		w.path = append(w.path, seg{member: m.Name})
		if !ok || x == nil {
			w.vs = append(w.vs, Violation{Path: w.pathString(), Value: "null", Constraint: "Member must not be null"})
		} else {
			validateValue(m.Shape, x, w)
		}
		w.path = w.path[:len(w.path)-1]
	}
}

func validateValue(s *Shape, x any, w *walk) {
	shown := func() string {
		if s.Sensitive {
			return ""
		}
		return "'" + display(s, x) + "'"
	}
	add := func(c string) { w.vs = append(w.vs, Violation{Path: w.pathString(), Value: shown(), Constraint: c}) }
	switch s.Type {
	case Structure:
		if m, ok := x.(map[string]any); ok {
			validateStruct(s, m, w)
		}
	case List:
		l, _ := x.([]any)
		checkLength(s, len(l), add)
		for i, e := range l {
			if e == nil {
				continue
			}
			w.path = append(w.path, seg{index: i + 1})
			validateValue(s.Member.Shape, e, w)
			w.path = w.path[:len(w.path)-1]
		}
	case Map:
		m, _ := x.(map[string]any)
		checkLength(s, len(m), add)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			validateValue(s.Key.Shape, k, w)
			if e := m[k]; e != nil {
				validateValue(s.Value.Shape, e, w)
			}
		}
	case String:
		str, _ := x.(string)
		checkLength(s, utf8.RuneCountInString(str), add)
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			add("Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]")
		}
		if re := s.Regexp(); re != nil && !re.MatchString(str) {
			add("Member must satisfy regular expression pattern: " + s.Pattern)
		}
	case Blob:
		if b, ok := x.([]byte); ok {
			checkLength(s, len(b), add)
		}
	case Integer, Long, Float, Double:
		var f float64
		switch n := x.(type) {
		case int64:
			f = float64(n)
		case float64:
			f = n
		}
		if s.Min != nil && f < *s.Min {
			add("Member must have value greater than or equal to " + num(*s.Min))
		}
		if s.Max != nil && f > *s.Max {
			add("Member must have value less than or equal to " + num(*s.Max))
		}
	}
}

func checkLength(s *Shape, n int, add func(string)) {
	if s.Min != nil && float64(n) < *s.Min {
		add("Member must have length greater than or equal to " + num(*s.Min))
	}
	if s.Max != nil && float64(n) > *s.Max {
		add("Member must have length less than or equal to " + num(*s.Max))
	}
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// display prints a value of shape s (nil when unknown) as AWS's (Java) validators do:
// lists as [a, b], maps as {k=v}, structures as {Member=v} or, for a shape marked
// JavaRecord, as Name(member=v, ...).
func display(s *Shape, x any) string {
	switch v := x.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return num(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case []byte:
		return "java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(len(v)) + " cap=" + strconv.Itoa(len(v)) + "]"
	case []any:
		var es *Shape
		if s != nil && s.Member != nil {
			es = s.Member.Shape
		}
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = display(es, e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		if s != nil && s.JavaRecord && s.Type == Structure {
			parts := make([]string, len(s.Members))
			for i, m := range s.Members {
				val := "null"
				if e, ok := v[m.Name]; ok && e != nil {
					val = display(m.Shape, e)
				}
				parts[i] = lowerFirst(m.Name) + "=" + val
			}
			return s.Name + "(" + strings.Join(parts, ", ") + ")"
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + display(memberShape(s, k), v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(x)
}

// memberShape is the shape of a structure's member or a map's values, or nil.
func memberShape(s *Shape, k string) *Shape {
	switch {
	case s == nil:
		return nil
	case s.Type == Structure:
		if m := s.ByName[k]; m != nil {
			return m.Shape
		}
	case s.Type == Map && s.Value != nil:
		return s.Value.Shape
	}
	return nil
}
