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
