package sqs

import (
	"bytes"
	"encoding/json"
	"sort"
	"unicode/utf16"
)

// storedPolicy is a queue policy as SQS keeps it and GetQueueAttributes answers it:
// re-serialized without whitespace, members in the order given except in a
// statement's Condition block, whose operators (and each operator's keys) come in
// the order a Java HashMap iterates them. Recorded, 2026 (testdata/aws/sns/
// regional_sqs.json, every "policy-…-readback"): a policy sent as
// {"Version": "2012-10-17", … "Condition": {"ArnEquals": …, "StringEquals": …,
// "ForAnyValue:StringEquals": …}} was read back compact, its operators as
// StringEquals, ForAnyValue:StringEquals, ArnEquals. The keys inside an operator
// are taken to be ordered the same way (one recording with two keys agrees; inferred).
// A document that does not parse is kept as given (checkAttribute refuses it first).
func storedPolicy(doc string) string {
	d := json.NewDecoder(bytes.NewReader([]byte(doc)))
	d.UseNumber()
	v, err := readJSON(d)
	if err != nil || d.More() {
		return doc
	}
	if _, err := d.Token(); err == nil {
		return doc // trailing content
	}
	var stmts []*jsonValue
	if st := v.member("Statement"); st != nil {
		stmts = append(stmts, st)
		if st.array {
			stmts = st.items
		}
	}
	for _, s := range stmts {
		if cond := s.member("Condition"); cond != nil && cond.object {
			cond.hashMapOrder()
			for i := range cond.members {
				if op := cond.members[i].value; op.object {
					op.hashMapOrder()
				}
			}
		}
	}
	var b bytes.Buffer
	v.write(&b)
	return b.String()
}

// jsonValue is a JSON value that keeps its object members in order.
type jsonValue struct {
	object, array bool
	members       []jsonMember // an object's
	items         []*jsonValue // an array's
	scalar        any          // string, json.Number, bool or nil
}

type jsonMember struct {
	name  string
	value *jsonValue
}

func readJSON(d *json.Decoder) (*jsonValue, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		v := &jsonValue{object: true}
		for d.More() {
			name, err := d.Token()
			if err != nil {
				return nil, err
			}
			item, err := readJSON(d)
			if err != nil {
				return nil, err
			}
			v.members = append(v.members, jsonMember{name.(string), item})
		}
		_, err := d.Token()
		return v, err
	case json.Delim('['):
		v := &jsonValue{array: true}
		for d.More() {
			item, err := readJSON(d)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
		_, err := d.Token()
		return v, err
	}
	return &jsonValue{scalar: tok}, nil
}

// member is an object's member of that name (the last, as a JSON reader takes it).
func (v *jsonValue) member(name string) *jsonValue {
	var found *jsonValue
	if v.object {
		for _, m := range v.members {
			if m.name == name {
				found = m.value
			}
		}
	}
	return found
}

// hashMapOrder puts an object's members in the order java.util.HashMap iterates
// them: by bucket (the spread String.hashCode masked by the table size, which starts
// at 16 and doubles past a 0.75 load), in insertion order within a bucket.
func (v *jsonValue) hashMapOrder() {
	size := 16
	for float64(len(v.members)) > float64(size)*0.75 {
		size *= 2
	}
	bucket := func(s string) int {
		var h uint32
		for _, u := range utf16.Encode([]rune(s)) {
			h = 31*h + uint32(u)
		}
		return int((h ^ h>>16) & uint32(size-1))
	}
	sort.SliceStable(v.members, func(i, j int) bool { return bucket(v.members[i].name) < bucket(v.members[j].name) })
}

func (v *jsonValue) write(b *bytes.Buffer) {
	switch {
	case v.object:
		b.WriteByte('{')
		for i, m := range v.members {
			if i > 0 {
				b.WriteByte(',')
			}
			writeScalar(b, m.name)
			b.WriteByte(':')
			m.value.write(b)
		}
		b.WriteByte('}')
	case v.array:
		b.WriteByte('[')
		for i, item := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			item.write(b)
		}
		b.WriteByte(']')
	default:
		writeScalar(b, v.scalar)
	}
}

func writeScalar(b *bytes.Buffer, s any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}
