package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/palisade/palisade/internal/model"
)

// xmlWriter builds the XML bodies of the query, ec2 and rest-xml protocols from a model
// value tree, following the model's element names, flattening and attributes.
type xmlWriter struct {
	b bytes.Buffer
	// ec2 lists are wrapped in <item> rather than <member>, and element names come from
	// locationName only.
	ec2 bool
	// keepQuotes leaves double quotes in character data as they are: S3 writes its
	// error documents so (a recorded AccessDenied's bytesTransferredOut, 2026,
	// logging_audit_replay.json, is the length of its message with literal quotes),
	// though its listings write &quot;.
	keepQuotes bool
	// selfClose writes an element with no content as <Name/>: S3's documents do
	// (recorded 2026, logging_audit_replay.json: GetBucketLogging's 319 bytes hold
	// <SimplePrefix/>), though an empty string stays <Prefix></Prefix>.
	selfClose bool
}

// closeEmpty closes name, opened when the buffer was start bytes long: as <Name/>
// when nothing was written inside it and the writer self-closes empty elements.
func (x *xmlWriter) closeEmpty(name string, start int) {
	if x.selfClose && x.b.Len() == start {
		x.b.Truncate(start - 1)
		x.b.WriteString("/>")
		return
	}
	x.close(name)
}

func (x *xmlWriter) open(name string, attrs ...string) {
	x.b.WriteByte('<')
	x.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.b.WriteByte(' ')
		x.b.WriteString(attrs[i])
		x.b.WriteString(`="`)
		xml.EscapeText(&x.b, []byte(attrs[i+1]))
		x.b.WriteByte('"')
	}
	x.b.WriteByte('>')
}

func (x *xmlWriter) close(name string) {
	x.b.WriteString("</")
	x.b.WriteString(name)
	x.b.WriteByte('>')
}

// text escapes character data as AWS's XML writers do: markup characters and double
// quotes (S3's <ETag>&quot;…&quot;</ETag>; see keepQuotes) become entities, apostrophes
// stay as they are, a carriage return is kept from line-end normalization, and characters XML
// cannot carry become U+FFFD.
func (x *xmlWriter) text(s string) {
	last := 0
	for i, r := range s {
		var esc string
		switch r {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if x.keepQuotes {
				continue
			}
			esc = "&quot;"
		case '\r':
			esc = "&#xD;"
		default:
			if xmlChar(r) && !badUTF8(s, i, r) {
				continue
			}
			esc = "\uFFFD"
		}
		x.b.WriteString(s[last:i])
		x.b.WriteString(esc)
		_, n := utf8.DecodeRuneInString(s[i:])
		last = i + n
	}
	x.b.WriteString(s[last:])
}

// badUTF8 reports whether the rune r at s[i:] is an invalid byte rather than an
// encoded U+FFFD.
func badUTF8(s string, i int, r rune) bool {
	if r != utf8.RuneError {
		return false
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n == 1
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func (x *xmlWriter) element(name, text string) {
	x.open(name)
	x.text(text)
	x.close(name)
}

// memberName is the element name of a structure member: a query service's queryName
// (see queryDecoder.name), else its locationName, else its name.
func (x *xmlWriter) memberName(m *model.Member) string {
	if !x.ec2 && m.QueryName != "" {
		return m.QueryName
	}
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// structure writes the members of a structure value (not its own element), in model
// order. Attribute members are written by the caller via attrs.
func (x *xmlWriter) structure(s *model.Shape, v map[string]any) {
	for _, m := range s.Members {
		if m.XMLAttribute || m.Location != model.Body {
			continue
		}
		e, ok := v[m.Name]
		if !ok || e == nil {
			continue
		}
		x.member(m, x.memberName(m), e)
	}
}

// attrs returns the XML attributes of a structure value: members marked xmlAttribute
// (S3's xsi:type on Grantee) and a namespace declaration when the member or, failing
// that, the shape has one.
func (x *xmlWriter) attrs(m *model.Member, s *model.Shape, v map[string]any) []string {
	var as []string
	ns, prefix := s.XMLNamespace, s.XMLPrefix
	if m != nil && m.XMLNamespace != "" {
		ns, prefix = m.XMLNamespace, m.XMLPrefix
	}
	if ns != "" {
		// The declaration precedes the attributes that use its prefix: the Go SDK
		// reads xsi:type only when xmlns:xsi sits on the same element.
		if prefix != "" {
			as = append(as, "xmlns:"+prefix, ns)
		} else {
			as = append(as, "xmlns", ns)
		}
	}
	if s.Type != model.Structure {
		return as
	}
	for _, mm := range s.Members {
		if !mm.XMLAttribute {
			continue
		}
		if e, ok := v[mm.Name]; ok && e != nil {
			as = append(as, x.memberName(mm), scalarText(mm, e))
		}
	}
	return as
}

// member writes one member value under name.
func (x *xmlWriter) member(m *model.Member, name string, v any) {
	s := m.Shape
	switch s.Type {
	case model.List:
		l, _ := v.([]any)
		if m.IsFlattened() {
			// Flattened lists repeat the member's own element; the item's
			// locationName, when given, names the repeats instead.
			item := name
			if s.Member.LocationName != "" && !x.ec2 {
				item = s.Member.LocationName
			}
			for _, e := range l {
				x.value(s.Member, item, e)
			}
			return
		}
		x.open(name, x.attrs(m, s, nil)...)
		start := x.b.Len()
		item := "member"
		if x.ec2 {
			item = "item"
		}
		if s.Member.LocationName != "" {
			item = s.Member.LocationName
		}
		for _, e := range l {
			x.value(s.Member, item, e)
		}
		x.closeEmpty(name, start)
	case model.Map:
		mv, _ := v.(map[string]any)
		keys := make([]string, 0, len(mv))
		for k := range mv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kn, vn := "key", "value"
		if s.Key.LocationName != "" {
			kn = s.Key.LocationName
		}
		if s.Value.LocationName != "" {
			vn = s.Value.LocationName
		}
		if m.IsFlattened() {
			for _, k := range keys {
				x.open(name)
				x.element(kn, k)
				x.value(s.Value, vn, mv[k])
				x.close(name)
			}
			return
		}
		x.open(name)
		for _, k := range keys {
			x.open("entry")
			x.element(kn, k)
			x.value(s.Value, vn, mv[k])
			x.close("entry")
		}
		x.close(name)
	default:
		x.value(m, name, v)
	}
}

// value writes a single element: a structure, a nested collection or a scalar.
func (x *xmlWriter) value(m *model.Member, name string, v any) {
	s := m.Shape
	switch s.Type {
	case model.Structure:
		sv, _ := v.(map[string]any)
		x.open(name, x.attrs(m, s, sv)...)
		start := x.b.Len()
		x.structure(s, sv)
		x.closeEmpty(name, start)
	case model.List, model.Map:
		x.member(m, name, v)
	default:
		x.open(name, x.attrs(m, s, nil)...)
		x.text(scalarText(m, v))
		x.close(name)
	}
}

// scalarText renders a scalar value for XML and query bodies.
func scalarText(m *model.Member, v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		bits := 64
		if m != nil && m.Shape.Type == model.Float {
			bits = 32
		}
		return formatFloat(t, bits)
	case time.Time:
		return formatTime(t, timestampFormat(m, ISO8601))
	case []byte:
		return base64.StdEncoding.EncodeToString(t)
	}
	return ""
}
