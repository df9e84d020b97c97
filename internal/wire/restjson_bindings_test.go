package wire_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

// The rest-json services Palisade serves today bind few members outside the URI and
// body, so this model exercises the remaining HTTP bindings directly: headers (HTTP
// dates, jsonvalue, prefix maps), query lists and maps, status-code members and the
// payload kinds.
func bindingsService() *model.Service {
	str := &model.Shape{Name: "String", Type: model.String}
	integer := &model.Shape{Name: "Integer", Type: model.Integer}
	ts := &model.Shape{Name: "Timestamp", Type: model.Timestamp}
	blob := &model.Shape{Name: "Blob", Type: model.Blob}
	stream := &model.Shape{Name: "Stream", Type: model.Blob, Streaming: true}
	strList := &model.Shape{Name: "StringList", Type: model.List, Member: &model.Member{Shape: str}}
	strMap := &model.Shape{Name: "StringMap", Type: model.Map, Key: &model.Member{Shape: str}, Value: &model.Member{Shape: str}}
	structure := func(name, payload string, ms ...*model.Member) *model.Shape {
		return &model.Shape{Name: name, Type: model.Structure, Members: ms, ByName: model.IndexMembers(ms), Payload: payload}
	}
	doc := structure("Doc", "", &model.Member{Name: "A", Shape: str, LocationName: "a"}, &model.Member{Name: "When", Shape: ts})
	svc := &model.Service{Name: "bindings", Protocol: "rest-json", Protocols: []string{"rest-json"}}
	svc.Operations = map[string]*model.Operation{
		"PutThing": {Name: "PutThing", Service: svc, Method: "PUT", RequestURI: "/things/{Name}?mode=x",
			Input: structure("PutThingInput", "Body",
				&model.Member{Name: "Name", Shape: str, Location: model.URI, LocationName: "Name"},
				&model.Member{Name: "Since", Shape: ts, Location: model.Header, LocationName: "If-Modified-Since"},
				&model.Member{Name: "Meta", Shape: strMap, Location: model.Headers, LocationName: "x-amz-meta-"},
				&model.Member{Name: "Policy", Shape: str, Location: model.Header, LocationName: "X-Policy", JSONValue: true},
				&model.Member{Name: "Tags", Shape: strList, Location: model.Header, LocationName: "X-Tags"},
				&model.Member{Name: "Ids", Shape: strList, Location: model.QueryString, LocationName: "id"},
				&model.Member{Name: "Count", Shape: integer, Location: model.QueryString, LocationName: "count"},
				&model.Member{Name: "Rest", Shape: strMap, Location: model.QueryString},
				&model.Member{Name: "Body", Shape: blob}),
			Output: structure("PutThingOutput", "Doc",
				&model.Member{Name: "Status", Shape: integer, Location: model.StatusCode},
				&model.Member{Name: "ETag", Shape: str, Location: model.Header, LocationName: "ETag"},
				&model.Member{Name: "Modified", Shape: ts, Location: model.Header, LocationName: "Last-Modified"},
				&model.Member{Name: "Doc", Shape: doc})},
		"GetText": {Name: "GetText", Service: svc, Method: "GET", RequestURI: "/things/{Name}/text",
			Input:  structure("GetTextInput", "", &model.Member{Name: "Name", Shape: str, Location: model.URI, LocationName: "Name"}),
			Output: structure("GetTextOutput", "Text", &model.Member{Name: "Text", Shape: str}, &model.Member{Name: "Type", Shape: str, Location: model.Header, LocationName: "Content-Type"})},
		"GetBlob": {Name: "GetBlob", Service: svc, Method: "GET", RequestURI: "/blobs/{Key+}",
			Input:  structure("GetBlobInput", "", &model.Member{Name: "Key", Shape: str, Location: model.URI, LocationName: "Key"}),
			Output: structure("GetBlobOutput", "Data", &model.Member{Name: "Data", Shape: stream})},
	}
	return svc
}

func TestRestJSONBindings(t *testing.T) {
	since := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := wiretest.Server(t, bindingsService(), map[string]wiretest.Handler{
		"PutThing": func(in map[string]any) (map[string]any, *model.Error) {
			if in["Name"] != "a b/c" || !in["Since"].(time.Time).Equal(since) || jsonOf(in["Meta"]) != `{"color":"red","size":"xl"}` ||
				jsonOf(in["Policy"]) != `{"Version":"2012-10-17","n":1}` || jsonOf(in["Tags"]) != `["x","y, z"]` || jsonOf(in["Ids"]) != `["1","2"]` ||
				in["Count"] != int64(3) || jsonOf(in["Rest"]) != `{"other":"o"}` || string(in["Body"].([]byte)) != "\x00raw\xff" {
				t.Errorf("PutThing decoded %v", in)
			}
			return map[string]any{"Status": int64(201), "ETag": `"abc"`, "Modified": since,
				"Doc": map[string]any{"A": "x", "When": since}}, nil
		},
		"GetText": func(in map[string]any) (map[string]any, *model.Error) {
			return map[string]any{"Text": "plain ✓", "Type": "text/markdown"}, nil
		},
		"GetBlob": func(in map[string]any) (map[string]any, *model.Error) {
			return map[string]any{"Data": strings.NewReader("streamed:" + in["Key"].(string))}, nil
		},
	})

	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/things/a%20b%2Fc?mode=x&id=1&id=2&count=3&other=o", bytes.NewReader([]byte("\x00raw\xff")))
	req.Header.Set("If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT")
	req.Header.Set("X-Amz-Meta-Color", "red")
	req.Header.Set("x-amz-meta-size", "xl")
	req.Header.Set("X-Policy", base64.StdEncoding.EncodeToString([]byte(`{"Version":"2012-10-17","n":1}`)))
	req.Header.Set("X-Tags", `x, "y, z"`)
	r := do(t, req)
	if r.Status != 201 || r.Header.Get("ETag") != `"abc"` || r.Header.Get("Last-Modified") != "Tue, 02 Jan 2024 03:04:05 GMT" ||
		r.Header.Get("Content-Type") != "application/json" || r.Body != `{"a":"x","When":1704164645}` {
		t.Fatalf("PutThing got %d %v %s", r.Status, r.Header, r.Body)
	}
	// Without the query literal the template does not match.
	req, _ = http.NewRequest(http.MethodPut, srv.URL+"/things/a", nil)
	if r := do(t, req); r.Status != 403 {
		t.Fatalf("PutThing without ?mode=x got %d %s", r.Status, r.Body)
	}
	// A header that does not parse as its member's type is a validation error.
	req, _ = http.NewRequest(http.MethodPut, srv.URL+"/things/a?mode=x", nil)
	req.Header.Set("If-Modified-Since", "yesterday")
	if r := do(t, req); r.Status != 400 || !strings.Contains(r.Body, "Value 'yesterday' at 'since' failed to satisfy constraint: Member must be a timestamp") {
		t.Fatalf("bad header got %d %s", r.Status, r.Body)
	}

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/things/n/text", nil)
	if r := do(t, req); r.Status != 200 || r.Header.Get("Content-Type") != "text/markdown" || r.Body != "plain ✓" {
		t.Fatalf("GetText got %d %v %s", r.Status, r.Header, r.Body)
	}

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/blobs/dir/sub/file.bin", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" || string(b) != "streamed:dir/sub/file.bin" {
		t.Fatalf("GetBlob got %d %v %s", resp.StatusCode, resp.Header, b)
	}
}
