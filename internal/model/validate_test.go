package model

import "testing"

// Paths name list items as N.member and members in lowerCamel, however deep, and
// each violation gets its own path.
func TestValidatePaths(t *testing.T) {
	one := 1.0
	str := &Shape{Name: "S", Type: String, Min: &one}
	event := &Shape{Name: "Event", Type: Structure, Members: []*Member{
		{Name: "Message", Shape: str, Required: true},
		{Name: "Tag", Shape: str},
	}}
	list := &Shape{Name: "Events", Type: List, Member: &Member{Shape: event}}
	in := &Shape{Name: "In", Type: Structure, Members: []*Member{{Name: "LogEvents", Shape: list}, {Name: "Group", Shape: str, Required: true}}}
	vs := Validate(in, map[string]any{"LogEvents": []any{
		map[string]any{"Message": "ok"},
		map[string]any{"Tag": ""},
		map[string]any{"Message": "", "Tag": "x"},
	}})
	want := []string{
		"Value null at 'logEvents.2.member.message' failed to satisfy constraint: Member must not be null",
		"Value '' at 'logEvents.2.member.tag' failed to satisfy constraint: Member must have length greater than or equal to 1",
		"Value '' at 'logEvents.3.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
		"Value null at 'group' failed to satisfy constraint: Member must not be null",
	}
	if len(vs) != len(want) {
		t.Fatalf("violations %v", vs)
	}
	for i, v := range vs {
		if v.String() != want[i] {
			t.Errorf("violation %d: %q, want %q", i, v.String(), want[i])
		}
	}
}

// A list's structures print as {Member=value} unless their shape is a JavaRecord,
// which prints Name(member=value, ...) in model order, null for a missing member.
func TestDisplayJavaRecord(t *testing.T) {
	str := &Shape{Name: "S", Type: String}
	tag := &Shape{Name: "Tag", Type: Structure, Members: []*Member{{Name: "Key", Shape: str}, {Name: "Value", Shape: str}}}
	one := 1.0
	list := &Shape{Name: "Tags", Type: List, Max: &one, Member: &Member{Shape: tag}}
	in := &Shape{Name: "In", Type: Structure, Members: []*Member{{Name: "Tags", Shape: list}}}
	v := map[string]any{"Tags": []any{map[string]any{"Value": "b", "Key": "a"}, map[string]any{"Key": "c"}}}
	for _, c := range []struct {
		record bool
		want   string
	}{
		{false, "Value '[{Key=a, Value=b}, {Key=c}]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{true, "Value '[Tag(key=a, value=b), Tag(key=c, value=null)]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 1"},
	} {
		tag.JavaRecord = c.record
		if vs := Validate(in, v); len(vs) != 1 || vs[0].String() != c.want {
			t.Errorf("record %v: %v, want %q", c.record, vs, c.want)
		}
	}
}
