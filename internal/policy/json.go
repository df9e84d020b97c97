package policy

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Position is a place in a policy document: Offset is the byte offset, Line and
// Column count from 1 (Column in bytes), as IAM's simulator reports statement
// positions.
type Position struct {
	Offset int `json:"offset"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is one node of a decoded JSON document. We keep our own tree rather than
// using encoding/json because IAM rejects duplicate keys (encoding/json keeps the
// last one silently) and because explanations need source positions.
type jvalue struct {
	kind       jkind
	str        string // string value, or the literal text of a number or bool
	elems      []*jvalue
	members    []jmember
	start, end Position
}

type jmember struct {
	key    string
	keyPos Position
	val    *jvalue
}

// jsonError is a syntax error with the place it was found.
type jsonError struct {
	msg string
	pos Position
}

func (e *jsonError) Error() string {
	return "line " + strconv.Itoa(e.pos.Line) + ", column " + strconv.Itoa(e.pos.Column) + ": " + e.msg
}

type decoder struct {
	data      []byte
	off       int
	line      int
	lineStart int
	depth     int
}

// maxDepth bounds recursion so a hostile document cannot exhaust the stack; no
// valid policy nests deeper than 5 levels.
const maxDepth = 64

func decodeJSON(data []byte) (*jvalue, error) {
	d := &decoder{data: data, line: 1}
	d.skipSpace()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.off != len(d.data) {
		return nil, d.errf("unexpected data after the top-level value")
	}
	return v, nil
}

func (d *decoder) pos() Position {
	return Position{Offset: d.off, Line: d.line, Column: d.off - d.lineStart + 1}
}

func (d *decoder) errf(msg string) error { return &jsonError{msg: msg, pos: d.pos()} }

func (d *decoder) skipSpace() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case '\n':
			d.off++
			d.line++
			d.lineStart = d.off
		case ' ', '\t', '\r':
			d.off++
		default:
			return
		}
	}
}

func (d *decoder) value() (*jvalue, error) {
	if d.off >= len(d.data) {
		return nil, d.errf("unexpected end of document")
	}
	start := d.pos()
	switch c := d.data[d.off]; {
	case c == '{':
		return d.object(start)
	case c == '[':
		return d.array(start)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return &jvalue{kind: jString, str: s, start: start, end: d.pos()}, nil
	case c == 't':
		return d.literal(start, "true", jBool)
	case c == 'f':
		return d.literal(start, "false", jBool)
	case c == 'n':
		return d.literal(start, "null", jNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number(start)
	default:
		return nil, d.errf("unexpected character " + strconv.QuoteRune(rune(c)))
	}
}

func (d *decoder) literal(start Position, lit string, k jkind) (*jvalue, error) {
	if len(d.data)-d.off < len(lit) || string(d.data[d.off:d.off+len(lit)]) != lit {
		return nil, d.errf("invalid literal")
	}
	d.off += len(lit)
	return &jvalue{kind: k, str: lit, start: start, end: d.pos()}, nil
}

func (d *decoder) number(start Position) (*jvalue, error) {
	i := d.off
	if d.data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d.data) && d.data[i] == '0' {
		i++
	} else if digits() == 0 {
		d.off = i
		return nil, d.errf("invalid number")
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		if digits() == 0 {
			d.off = i
			return nil, d.errf("invalid number")
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.off = i
			return nil, d.errf("invalid number")
		}
	}
	s := string(d.data[d.off:i])
	d.off = i
	return &jvalue{kind: jNumber, str: s, start: start, end: d.pos()}, nil
}

func (d *decoder) str() (string, error) {
	d.off++ // opening quote
	begin := d.off
	// Fast path: no escapes.
	for d.off < len(d.data) {
		c := d.data[d.off]
		if c == '"' {
			s := string(d.data[begin:d.off])
			d.off++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.errf("control character in string")
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(d.data[d.off:])
			if r == utf8.RuneError && size == 1 {
				return "", d.errf("invalid UTF-8 in string")
			}
			d.off += size
			continue
		}
		d.off++
	}
	buf := append([]byte(nil), d.data[begin:d.off]...)
	for d.off < len(d.data) {
		c := d.data[d.off]
		switch {
		case c == '"':
			d.off++
			return string(buf), nil
		case c < 0x20:
			return "", d.errf("control character in string")
		case c == '\\':
			if d.off+1 >= len(d.data) {
				return "", d.errf("unterminated escape")
			}
			e := d.data[d.off+1]
			d.off += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.errf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if d.off+1 < len(d.data) && d.data[d.off] == '\\' && d.data[d.off+1] == 'u' {
						d.off += 2
						if x, ok := d.hex4(); ok {
							r2 = x
						}
					}
					r = utf16.DecodeRune(r, r2)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", d.errf("invalid escape")
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[d.off:])
			if r == utf8.RuneError && size == 1 {
				return "", d.errf("invalid UTF-8 in string")
			}
			buf = append(buf, d.data[d.off:d.off+size]...)
			d.off += size
		default:
			buf = append(buf, c)
			d.off++
		}
	}
	return "", d.errf("unterminated string")
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.off < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.off : d.off+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	d.off += 4
	return r, true
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errf("document nested too deeply")
	}
	return nil
}

func (d *decoder) object(start Position) (*jvalue, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	v := &jvalue{kind: jObject, start: start}
	d.off++
	d.skipSpace()
	if d.off < len(d.data) && d.data[d.off] == '}' {
		d.off++
		v.end = d.pos()
		return v, nil
	}
	for {
		d.skipSpace()
		if d.off >= len(d.data) || d.data[d.off] != '"' {
			return nil, d.errf("expected a member name")
		}
		keyPos := d.pos()
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		for _, m := range v.members {
			if m.key == key {
				return nil, &jsonError{msg: "duplicate key " + strconv.Quote(key), pos: keyPos}
			}
		}
		d.skipSpace()
		if d.off >= len(d.data) || d.data[d.off] != ':' {
			return nil, d.errf("expected ':'")
		}
		d.off++
		d.skipSpace()
		val, err := d.value()
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, jmember{key: key, keyPos: keyPos, val: val})
		d.skipSpace()
		if d.off >= len(d.data) {
			return nil, d.errf("unterminated object")
		}
		switch d.data[d.off] {
		case ',':
			d.off++
		case '}':
			d.off++
			v.end = d.pos()
			return v, nil
		default:
			return nil, d.errf("expected ',' or '}'")
		}
	}
}

func (d *decoder) array(start Position) (*jvalue, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	v := &jvalue{kind: jArray, start: start}
	d.off++
	d.skipSpace()
	if d.off < len(d.data) && d.data[d.off] == ']' {
		d.off++
		v.end = d.pos()
		return v, nil
	}
	for {
		d.skipSpace()
		val, err := d.value()
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, val)
		d.skipSpace()
		if d.off >= len(d.data) {
			return nil, d.errf("unterminated array")
		}
		switch d.data[d.off] {
		case ',':
			d.off++
		case ']':
			d.off++
			v.end = d.pos()
			return v, nil
		default:
			return nil, d.errf("expected ',' or ']'")
		}
	}
}
