package policy

import "strconv"

// Marshal prints a Document as compact canonical JSON: elements in a fixed order
// (Version, Id, Statement; Sid, Effect, Principal, Action, Resource, Condition),
// every list as an array, every condition value as a string. Parsing the output
// gives back an equal Document (positions aside), so Marshal(Parse(Marshal(d)))
// is byte-for-byte Marshal(d).
func Marshal(doc *Document) []byte {
	b := []byte{'{'}
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = strconv.AppendQuote(b, name)
		b = append(b, ':')
	}
	if doc.Version != "" {
		field("Version")
		b = strconv.AppendQuote(b, doc.Version)
	}
	if doc.ID != "" {
		field("Id")
		b = strconv.AppendQuote(b, doc.ID)
	}
	field("Statement")
	b = append(b, '[')
	for i := range doc.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStatement(b, &doc.Statements[i])
	}
	return append(b, ']', '}')
}

func appendStrings(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString quotes s as JSON. strconv.Quote's Go escapes (\x..) are not JSON.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func appendStatement(b []byte, s *Statement) []byte {
	b = append(b, '{')
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = appendJSONString(b, name)
		b = append(b, ':')
	}
	if s.Sid != "" {
		field("Sid")
		b = appendJSONString(b, s.Sid)
	}
	field("Effect")
	b = appendJSONString(b, s.Effect.String())
	if p := s.Principal; p != nil {
		if s.NotPrincipal {
			field("NotPrincipal")
		} else {
			field("Principal")
		}
		if p.All && len(p.AWS)+len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0 {
			b = append(b, `"*"`...)
		} else {
			b = append(b, '{')
			first := true
			for _, kv := range [...]struct {
				k string
				v []string
			}{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
				if kv.v == nil {
					continue
				}
				if !first {
					b = append(b, ',')
				}
				first = false
				b = appendJSONString(b, kv.k)
				b = append(b, ':')
				b = appendStrings(b, kv.v)
			}
			b = append(b, '}')
		}
	}
	if s.NotAction {
		field("NotAction")
	} else {
		field("Action")
	}
	b = appendStrings(b, s.Actions)
	if s.HasResource {
		if s.NotResource {
			field("NotResource")
		} else {
			field("Resource")
		}
		b = appendStrings(b, s.Resources)
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		b = append(b, '{')
		// Conditions are stored flat in document order; regroup by operator.
		done := make([]bool, len(s.Conditions))
		firstOp := true
		for i, c := range s.Conditions {
			if done[i] {
				continue
			}
			if !firstOp {
				b = append(b, ',')
			}
			firstOp = false
			b = appendJSONString(b, c.Operator)
			b = append(b, ':', '{')
			firstKey := true
			for j := i; j < len(s.Conditions); j++ {
				if done[j] || s.Conditions[j].Operator != c.Operator {
					continue
				}
				done[j] = true
				if !firstKey {
					b = append(b, ',')
				}
				firstKey = false
				b = appendJSONString(b, s.Conditions[j].Key)
				b = append(b, ':')
				b = appendStrings(b, s.Conditions[j].Values)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}
