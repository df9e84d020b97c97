package wire_test

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// bindingService is a one-operation rest-xml model with the HTTP bindings S3 and
// Route 53 do not exercise through their SDKs: jsonvalue and list headers, query-string
// maps and timestamps, and a StatusCode member.
func bindingService() *model.Service {
	str := &model.Shape{Name: "S", Type: model.String}
	ts := &model.Shape{Name: "T", Type: model.Timestamp}
	num := &model.Shape{Name: "N", Type: model.Integer}
	strs := &model.Shape{Name: "L", Type: model.List, Member: &model.Member{Shape: str}}
	params := &model.Shape{Name: "M", Type: model.Map, Key: &model.Member{Shape: str}, Value: &model.Member{Shape: str}}
	in := &model.Shape{Name: "DoRequest", Type: model.Structure, Members: []*model.Member{
		{Name: "Id", Shape: str, Location: model.URI, LocationName: "Id"},
		{Name: "When", Shape: ts, Location: model.QueryString, LocationName: "when"},
		{Name: "Tags", Shape: strs, Location: model.QueryString, LocationName: "tag"},
		{Name: "Extra", Shape: params, Location: model.QueryString},
		{Name: "Doc", Shape: str, Location: model.Header, LocationName: "x-doc", JSONValue: true},
		{Name: "Ids", Shape: strs, Location: model.Header, LocationName: "x-ids"},
		{Name: "Since", Shape: ts, Location: model.Header, LocationName: "x-since"},
		{Name: "Count", Shape: num, Location: model.Header, LocationName: "x-count"},
	}}
	out := &model.Shape{Name: "DoResponse", Type: model.Structure, Members: []*model.Member{
		{Name: "Code", Shape: num, Location: model.StatusCode},
		{Name: "Doc", Shape: str, Location: model.Header, LocationName: "x-doc", JSONValue: true},
		{Name: "Ids", Shape: strs, Location: model.Header, LocationName: "x-ids"},
		{Name: "Since", Shape: ts, Location: model.Header, LocationName: "x-since"},
		{Name: "Name", Shape: str},
	}}
	for _, s := range []*model.Shape{in, out} {
		s.ByName = model.IndexMembers(s.Members)
	}
	svc := &model.Service{Name: "synthetic", Protocol: "rest-xml", XMLNamespace: "urn:synthetic"}
	svc.Operations = map[string]*model.Operation{"Do": {Name: "Do", Service: svc, Method: "POST", RequestURI: "/things/{Id}?do", Input: in, Output: out}}
	return svc
}

func TestRestXMLBindings(t *testing.T) {
	svc := bindingService()
	p := lookup(t, "rest-xml")
	hr := httptest.NewRequest("POST", "/things/a%2Fb?do&when=2024-05-06T07:08:09Z&tag=x&tag=y&color=red&size=L", nil)
	hr.Header.Set("x-doc", base64.StdEncoding.EncodeToString([]byte(`{"a":[1,2]}`)))
	hr.Header.Set("x-ids", "i1, i2,i3")
	hr.Header.Set("x-since", "Mon, 06 May 2024 07:08:09 GMT")
	hr.Header.Set("x-count", "7")
	r := &wire.Request{HTTP: hr, Service: svc}
	op, labels, e := p.Resolve(r)
	if e != nil {
		t.Fatal(e)
	}
	r.Op, r.Labels = op, labels
	in, e := p.Decode(r)
	if e != nil {
		t.Fatal(e)
	}
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	extra, _ := in["Extra"].(map[string]any)
	ids, _ := in["Ids"].([]any)
	tags, _ := in["Tags"].([]any)
	if in["Id"] != "a/b" || !in["When"].(time.Time).Equal(when) || len(tags) != 2 || tags[1] != "y" ||
		len(extra) != 2 || extra["color"] != "red" || extra["size"] != "L" || in["Doc"] != `{"a":[1,2]}` ||
		len(ids) != 3 || ids[2] != "i3" || !in["Since"].(time.Time).Equal(when) || in["Count"] != int64(7) {
		t.Fatalf("decoded %#v", in)
	}

	bad := httptest.NewRequest("POST", "/things/x?do", nil)
	bad.Header.Set("x-count", "seven")
	r = &wire.Request{HTTP: bad, Service: svc, Op: op, Labels: map[string]string{"Id": "x"}}
	if _, e := p.Decode(r); e == nil || e.Code != "ValidationException" || !strings.Contains(e.Message, "Value 'seven' at 'count' failed to satisfy constraint: Member must be an integer") {
		t.Fatalf("bad header decoded with %v", e)
	}

	w := httptest.NewRecorder()
	r = &wire.Request{HTTP: hr, Service: svc, Op: op}
	err := p.Encode(w, r, map[string]any{"Code": int64(202), "Doc": `{"ok":true}`, "Ids": []any{"a", "b"}, "Since": when, "Name": "n & m"}, wire.Response{RequestID: "rid"})
	if err != nil {
		t.Fatal(err)
	}
	// Headers are stored as the model spells them, so read them the same way.
	hdr := func(name string) string { return strings.Join(w.Header()[name], "|") }
	doc, _ := base64.StdEncoding.DecodeString(hdr("x-doc"))
	if w.Code != 202 || string(doc) != `{"ok":true}` || hdr("x-ids") != "a,b" || hdr("x-since") != "Mon, 06 May 2024 07:08:09 GMT" ||
		w.Body.String() != `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<DoResponse xmlns="urn:synthetic"><Name>n &amp; m</Name></DoResponse>` ||
		w.Header().Get("Content-Type") != "text/xml" || hdr("x-amzn-RequestId") != "rid" {
		t.Fatalf("encoded %d %v %s", w.Code, w.Header(), w.Body)
	}
}
