// Command gen generates a service's model and Go types from botocore's service-2.json.
//
//	go run ./internal/model/gen -service iam -out internal/api/iam
//
// Each internal/api/<service>/doc.go carries the go:generate line that produced it, so
// `go generate ./internal/api/...` reproduces every generated file. The generator refuses
// a botocore release other than the pinned one unless -any-botocore is given, so that a
// regeneration on another machine yields the same bytes.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// pinnedBotocore is the botocore release the committed models come from.
const pinnedBotocore = "1.43.11"

type rawModel struct {
	Metadata   map[string]any          `json:"metadata"`
	Operations map[string]rawOperation `json:"operations"`
	Shapes     map[string]rawShape     `json:"shapes"`
}

type rawOperation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input *struct {
		Shape        string `json:"shape"`
		LocationName string `json:"locationName"`
		XMLNamespace struct {
			URI string `json:"uri"`
		} `json:"xmlNamespace"`
	} `json:"input"`
	Output *struct {
		Shape         string `json:"shape"`
		ResultWrapper string `json:"resultWrapper"`
	} `json:"output"`
	Errors               []struct{ Shape string } `json:"errors"`
	AuthType             string                   `json:"authtype"`
	Auth                 []string                 `json:"auth"`
	UnsignedPayload      bool                     `json:"unsignedPayload"`
	HTTPChecksumRequired bool                     `json:"httpChecksumRequired"`
	Deprecated           bool                     `json:"deprecated"`
	Documentation        string                   `json:"documentation"`
}

type rawRef struct {
	Shape            string          `json:"shape"`
	Location         string          `json:"location"`
	LocationName     string          `json:"locationName"`
	QueryName        string          `json:"queryName"`
	Flattened        bool            `json:"flattened"`
	XMLAttribute     bool            `json:"xmlAttribute"`
	XMLNamespace     json.RawMessage `json:"xmlNamespace"`
	TimestampFormat  string          `json:"timestampFormat"`
	JSONValue        bool            `json:"jsonvalue"`
	HostLabel        bool            `json:"hostLabel"`
	IdempotencyToken bool            `json:"idempotencyToken"`
	Streaming        bool            `json:"streaming"`
	EventPayload     bool            `json:"eventpayload"`
	Deprecated       bool            `json:"deprecated"`
	Documentation    string          `json:"documentation"`
}

type rawShape struct {
	Type            string            `json:"type"`
	Members         map[string]rawRef `json:"members"`
	Member          *rawRef           `json:"member"`
	Key             *rawRef           `json:"key"`
	Value           *rawRef           `json:"value"`
	Required        []string          `json:"required"`
	Enum            []string          `json:"enum"`
	Min             *float64          `json:"min"`
	Max             *float64          `json:"max"`
	Pattern         string            `json:"pattern"`
	Flattened       bool              `json:"flattened"`
	LocationName    string            `json:"locationName"`
	XMLNamespace    json.RawMessage   `json:"xmlNamespace"`
	TimestampFormat string            `json:"timestampFormat"`
	Sensitive       bool              `json:"sensitive"`
	Streaming       bool              `json:"streaming"`
	Union           bool              `json:"union"`
	Payload         string            `json:"payload"`
	Document        bool              `json:"document"`
	Exception       bool              `json:"exception"`
	Fault           bool              `json:"fault"`
	Error           *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
	Documentation string `json:"documentation"`
	// member order is lost by encoding/json maps; kept separately.
	order []string
}

func main() {
	service := flag.String("service", "", "botocore service directory name, e.g. iam")
	out := flag.String("out", ".", "output directory (the api package)")
	pkg := flag.String("package", "", "Go package name (default: the output directory's name)")
	ops := flag.String("ops", "", "comma-separated operations to include (default: all)")
	dataDir := flag.String("botocore", os.Getenv("BOTOCORE_DATA"), "botocore data directory (default: from python3)")
	anyVersion := flag.Bool("any-botocore", false, "accept a botocore release other than the pinned one")
	flag.Parse()
	if *service == "" {
		fail("-service is required")
	}
	version, dir := botocore(*dataDir)
	if version != pinnedBotocore && !*anyVersion {
		fail("botocore %s found, models are pinned to %s (pass -any-botocore to regenerate from it, and update pinnedBotocore)", version, pinnedBotocore)
	}
	file, raw := load(dir, *service)
	applyOverlay(*service, raw)
	if *pkg == "" {
		abs, _ := filepath.Abs(*out)
		*pkg = filepath.Base(abs)
	}
	var include map[string]bool
	if *ops != "" {
		include = map[string]bool{}
		for _, o := range strings.Split(*ops, ",") {
			include[strings.TrimSpace(o)] = true
		}
	}
	g := newGen(*service, *pkg, version, file, raw, include)
	src := g.generate()
	formatted, err := format.Source(src)
	if err != nil {
		os.WriteFile(filepath.Join(*out, "model_gen.go.broken"), src, 0o644)
		fail("gofmt: %v", err)
	}
	if err := os.WriteFile(filepath.Join(*out, "model_gen.go"), formatted, 0o644); err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	os.Exit(1)
}

func botocore(dataDir string) (version, dir string) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(botocore.__version__);print(os.path.join(os.path.dirname(botocore.__file__),'data'))").Output()
	if err != nil {
		if dataDir == "" {
			fail("cannot find botocore (python3 -c 'import botocore'): %v", err)
		}
		return "unknown", dataDir
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if dataDir == "" {
		dataDir = lines[1]
	}
	return lines[0], dataDir
}

func load(dataDir, service string) (string, *rawModel) {
	versions, err := filepath.Glob(filepath.Join(dataDir, service, "*", "service-2.json*"))
	if err != nil || len(versions) == 0 {
		fail("no model for %s under %s", service, dataDir)
	}
	sort.Strings(versions)
	path := versions[len(versions)-1]
	data, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			fail("%s: %v", path, err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(zr); err != nil {
			fail("%s: %v", path, err)
		}
		data = buf.Bytes()
	}
	var m rawModel
	if err := json.Unmarshal(data, &m); err != nil {
		fail("%s: %v", path, err)
	}
	// encoding/json loses map order; recover member order from the document so that
	// generated structs and XML output follow the model.
	orders := memberOrders(data)
	for name, s := range m.Shapes {
		s.order = orders[name]
		m.Shapes[name] = s
	}
	rel, _ := filepath.Rel(dataDir, path)
	return filepath.ToSlash(rel), &m
}

// memberOrders walks the raw JSON to find each structure's member names in document
// order.
func memberOrders(data []byte) map[string][]string {
	var top map[string]json.RawMessage
	json.Unmarshal(data, &top)
	var shapes map[string]json.RawMessage
	json.Unmarshal(top["shapes"], &shapes)
	res := map[string][]string{}
	for name, raw := range shapes {
		var s map[string]json.RawMessage
		json.Unmarshal(raw, &s)
		mem, ok := s["members"]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(mem))
		dec.Token() // {
		var order []string
		for dec.More() {
			tok, _ := dec.Token()
			order = append(order, tok.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		res[name] = order
	}
	return res
}

type gen struct {
	service, pkg, version, file string
	m                           *rawModel
	ops                         []string
	shapes                      []string       // reachable shapes, sorted
	index                       map[string]int // shape → index in shapes
	goNames                     map[string]string
	taken                       map[string]bool
	buf                         bytes.Buffer
}

func newGen(service, pkg, version, file string, m *rawModel, include map[string]bool) *gen {
	g := &gen{service: service, pkg: pkg, version: version, file: file, m: m, index: map[string]int{}, goNames: map[string]string{}}
	for name := range m.Operations {
		if include == nil || include[name] {
			g.ops = append(g.ops, name)
		}
	}
	if include != nil && len(g.ops) != len(include) {
		for o := range include {
			if _, ok := m.Operations[o]; !ok {
				fail("unknown operation %s", o)
			}
		}
	}
	sort.Strings(g.ops)
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		if name == "" || seen[name] {
			return
		}
		s, ok := m.Shapes[name]
		if !ok {
			fail("shape %s missing", name)
		}
		seen[name] = true
		for _, r := range s.Members {
			visit(r.Shape)
		}
		for _, r := range []*rawRef{s.Member, s.Key, s.Value} {
			if r != nil {
				visit(r.Shape)
			}
		}
	}
	for _, o := range g.ops {
		op := m.Operations[o]
		if op.Input != nil {
			visit(op.Input.Shape)
		}
		if op.Output != nil {
			visit(op.Output.Shape)
		}
		for _, e := range op.Errors {
			visit(e.Shape)
		}
	}
	for s := range seen {
		g.shapes = append(g.shapes, s)
	}
	sort.Strings(g.shapes)
	taken := map[string]bool{"Service": true}
	for i, s := range g.shapes {
		g.index[s] = i
		if m.Shapes[s].Type == "structure" {
			n := exported(s)
			for taken[n] {
				n += "_"
			}
			taken[n] = true
			g.goNames[s] = n
		}
	}
	return g
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.buf, format, args...) }

func (g *gen) generate() []byte {
	md := g.m.Metadata
	str := func(k string) string { s, _ := md[k].(string); return s }
	g.p("// Code generated by internal/model/gen from botocore %s %s; DO NOT EDIT.\n\n", g.version, g.file)
	g.p("package %s\n\n", g.pkg)
	g.p("import (\n\"io\"\n\"reflect\"\n\"time\"\n\n\"github.com/palisade/palisade/internal/model\"\n)\n\n")
	g.p("var (\n_ io.Reader\n_ time.Time\n)\n\n")
	protocols := []string{}
	if ps, ok := md["protocols"].([]any); ok {
		for _, p := range ps {
			protocols = append(protocols, p.(string))
		}
	} else {
		protocols = append(protocols, str("protocol"))
	}
	signing := str("signingName")
	if signing == "" {
		signing = str("endpointPrefix")
	}
	g.p("// Service is the %s API model (%s).\n", g.service, str("serviceFullName"))
	g.p("var Service = &model.Service{\n")
	g.p("Name: %q,\nBotocoreVersion: %q,\nAPIVersion: %q,\nEndpointPrefix: %q,\nSigningName: %q,\nServiceID: %q,\nServiceFullName: %q,\n",
		g.service, g.version, str("apiVersion"), str("endpointPrefix"), signing, str("serviceId"), str("serviceFullName"))
	g.p("Protocol: %q,\nProtocols: %#v,\nJSONVersion: %q,\nTargetPrefix: %q,\nXMLNamespace: %q,\nQueryCompatible: %v,\nGlobalEndpoint: %q,\nSignatureVersion: %q,\n",
		protocols[0], protocols, str("jsonVersion"), str("targetPrefix"), g.xmlNamespace(str("xmlNamespace")), md["awsQueryCompatible"] != nil, str("globalEndpoint"), str("signatureVersion"))
	g.p("}\n\n")
	g.p("var shapes [%d]model.Shape\n\n", len(g.shapes))
	g.p("func init() {\ns := &shapes\n")
	for i, name := range g.shapes {
		g.shapeInit(i, name)
	}
	g.p("Service.Shapes = make(map[string]*model.Shape, %d)\n", len(g.shapes))
	g.p("for i := range s {\nService.Shapes[s[i].Name] = &s[i]\n}\n")
	g.p("Service.Operations = map[string]*model.Operation{\n")
	for _, o := range g.ops {
		g.opInit(o)
	}
	g.p("}\n}\n\n")
	g.types()
	g.errors()
	return g.buf.Bytes()
}

func (g *gen) ref(r *rawRef, required bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "&model.Member{Shape: &s[%d]", g.index[r.Shape])
	if required {
		b.WriteString(", Required: true")
	}
	switch r.Location {
	case "uri":
		b.WriteString(", Location: model.URI")
	case "querystring":
		b.WriteString(", Location: model.QueryString")
	case "header":
		b.WriteString(", Location: model.Header")
	case "headers":
		b.WriteString(", Location: model.Headers")
	case "statusCode":
		b.WriteString(", Location: model.StatusCode")
	case "":
	default:
		fail("unknown location %q", r.Location)
	}
	if r.LocationName != "" {
		fmt.Fprintf(&b, ", LocationName: %q", r.LocationName)
	}
	if r.QueryName != "" {
		fmt.Fprintf(&b, ", QueryName: %q", r.QueryName)
	}
	if r.Flattened {
		b.WriteString(", Flattened: true")
	}
	if r.XMLAttribute {
		b.WriteString(", XMLAttribute: true")
	}
	if uri, prefix := xmlns(r.XMLNamespace); uri != "" {
		fmt.Fprintf(&b, ", XMLNamespace: %q, XMLPrefix: %q", uri, prefix)
	}
	if r.TimestampFormat != "" {
		fmt.Fprintf(&b, ", TimestampFormat: %q", r.TimestampFormat)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{r.JSONValue, "JSONValue"}, {r.HostLabel, "HostLabel"}, {r.IdempotencyToken, "IdempotencyToken"}, {r.Streaming, "Streaming"}, {r.EventPayload, "EventPayload"}, {r.Deprecated, "Deprecated"}} {
		if f.on {
			fmt.Fprintf(&b, ", %s: true", f.name)
		}
	}
	b.WriteString("}")
	return b.String()
}

func xmlns(raw json.RawMessage) (uri, prefix string) {
	if len(raw) == 0 {
		return "", ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, ""
	}
	var o struct{ URI, Prefix string }
	json.Unmarshal(raw, &o)
	return o.URI, o.Prefix
}

var typeConst = map[string]string{
	"structure": "model.Structure", "list": "model.List", "map": "model.Map", "string": "model.String",
	"integer": "model.Integer", "long": "model.Long", "float": "model.Float", "double": "model.Double",
	"boolean": "model.Boolean", "timestamp": "model.Timestamp", "blob": "model.Blob",
}

func (g *gen) shapeInit(i int, name string) {
	s := g.m.Shapes[name]
	t, ok := typeConst[s.Type]
	if !ok {
		fail("shape %s: unsupported type %q", name, s.Type)
	}
	g.p("s[%d] = model.Shape{Name: %q, Type: %s", i, name, t)
	if len(s.Required) > 0 {
		g.p(", Required: %#v", s.Required)
	}
	if len(s.Enum) > 0 {
		g.p(", Enum: %#v", s.Enum)
	}
	if s.Min != nil {
		g.p(", Min: model.Float64(%s)", strconv.FormatFloat(*s.Min, 'g', -1, 64))
	}
	if s.Max != nil {
		g.p(", Max: model.Float64(%s)", strconv.FormatFloat(*s.Max, 'g', -1, 64))
	}
	if s.Pattern != "" {
		g.p(", Pattern: %q", s.Pattern)
	}
	if s.Flattened {
		g.p(", Flattened: true")
	}
	if s.LocationName != "" {
		g.p(", LocationName: %q", s.LocationName)
	}
	if uri, prefix := xmlns(s.XMLNamespace); uri != "" {
		g.p(", XMLNamespace: %q", uri)
		if prefix != "" {
			g.p(", XMLPrefix: %q", prefix)
		}
	}
	if s.TimestampFormat != "" {
		g.p(", TimestampFormat: %q", s.TimestampFormat)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{s.Sensitive, "Sensitive"}, {s.Streaming, "Streaming"}, {s.Union, "Union"}, {s.Document, "Document"}, {s.Exception, "Exception"}, {s.Fault, "Fault"}} {
		if f.on {
			g.p(", %s: true", f.name)
		}
	}
	if s.Payload != "" {
		g.p(", Payload: %q", s.Payload)
	}
	if s.Error != nil {
		if s.Error.Code != "" {
			g.p(", ErrorCode: %q", s.Error.Code)
		}
		if s.Error.HTTPStatusCode != 0 {
			g.p(", HTTPStatusCode: %d", s.Error.HTTPStatusCode)
		}
		if s.Error.SenderFault {
			g.p(", SenderFault: true")
		}
	}
	g.p("}\n")
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	if s.Type == "structure" {
		if len(s.order) == 0 {
			g.p("s[%d].ByName = map[string]*model.Member{}\n", i)
			return
		}
		g.p("s[%d].Members = []*model.Member{\n", i)
		for _, mn := range s.order {
			r := s.Members[mn]
			ref := g.ref(&r, req[mn])
			g.p("%s,\n", strings.Replace(ref, "&model.Member{", fmt.Sprintf("{Name: %q, ", mn), 1))
		}
		g.p("}\n")
		g.p("s[%d].ByName = model.IndexMembers(s[%d].Members)\n", i, i)
	}
	if s.Member != nil {
		g.p("s[%d].Member = %s\n", i, g.ref(s.Member, false))
	}
	if s.Key != nil {
		g.p("s[%d].Key = %s\n", i, g.ref(s.Key, false))
	}
	if s.Value != nil {
		g.p("s[%d].Value = %s\n", i, g.ref(s.Value, false))
	}
}

func (g *gen) opInit(name string) {
	op := g.m.Operations[name]
	g.p("%q: {Name: %q, Service: Service, Method: %q, RequestURI: %q", name, name, op.HTTP.Method, op.HTTP.RequestURI)
	if op.HTTP.ResponseCode != 0 {
		g.p(", ResponseCode: %d", op.HTTP.ResponseCode)
	}
	if op.Input != nil {
		g.p(", Input: &s[%d]", g.index[op.Input.Shape])
		if op.Input.LocationName != "" {
			g.p(", InputLocationName: %q", op.Input.LocationName)
		}
		if op.Input.XMLNamespace.URI != "" {
			g.p(", InputXMLNamespace: %q", op.Input.XMLNamespace.URI)
		}
		g.p(", InputType: reflect.TypeFor[%s]()", g.goNames[op.Input.Shape])
	} else {
		g.p(", InputType: reflect.TypeFor[model.Empty]()")
	}
	if op.Output != nil {
		g.p(", Output: &s[%d]", g.index[op.Output.Shape])
		if op.Output.ResultWrapper != "" {
			g.p(", ResultWrapper: %q", op.Output.ResultWrapper)
		}
		g.p(", OutputType: reflect.TypeFor[%s]()", g.goNames[op.Output.Shape])
	} else {
		g.p(", OutputType: reflect.TypeFor[model.Empty]()")
	}
	if len(op.Errors) > 0 {
		g.p(", Errors: []*model.Shape{")
		for _, e := range op.Errors {
			g.p("&s[%d], ", g.index[e.Shape])
		}
		g.p("}")
	}
	auth := op.AuthType
	if auth == "" && len(op.Auth) > 0 && op.Auth[0] == "smithy.api#noAuth" {
		auth = "none"
	}
	if auth != "" {
		g.p(", AuthType: %q", auth)
	}
	if op.UnsignedPayload {
		g.p(", UnsignedPayload: true")
	}
	if op.HTTPChecksumRequired {
		g.p(", HTTPChecksumRequired: true")
	}
	if op.Deprecated {
		g.p(", Deprecated: true")
	}
	g.p("},\n")
}

// goType is the Go type of a member: required scalars by value, optional ones by pointer,
// nested structures by pointer, list and map elements by value.
func (g *gen) goType(r *rawRef, required, elem bool) string {
	s := g.m.Shapes[r.Shape]
	var base string
	switch s.Type {
	case "structure":
		if elem {
			return g.goNames[r.Shape]
		}
		return "*" + g.goNames[r.Shape]
	case "list":
		return "[]" + g.goType(s.Member, false, true)
	case "map":
		return "map[string]" + g.goType(s.Value, false, true)
	case "blob":
		if s.Streaming || r.Streaming {
			return "io.Reader"
		}
		return "[]byte"
	case "string":
		base = "string"
	case "integer":
		base = "int32"
	case "long":
		base = "int64"
	case "float":
		base = "float32"
	case "double":
		base = "float64"
	case "boolean":
		base = "bool"
	case "timestamp":
		base = "time.Time"
	default:
		fail("type %s", s.Type)
	}
	if required || elem {
		return base
	}
	return "*" + base
}

func (g *gen) types() {
	for _, name := range g.shapes {
		gn, ok := g.goNames[name]
		if !ok {
			continue
		}
		s := g.m.Shapes[name]
		if d := firstSentence(s.Documentation); d != "" {
			g.p("// %s %s\n", gn, d)
		} else {
			g.p("// %s is the %s shape.\n", gn, name)
		}
		g.p("type %s struct {\n", gn)
		req := map[string]bool{}
		for _, r := range s.Required {
			req[r] = true
		}
		used := map[string]bool{}
		for _, mn := range s.order {
			r := s.Members[mn]
			fn := exported(mn)
			for used[fn] {
				fn += "_"
			}
			used[fn] = true
			if d := firstSentence(r.Documentation); d != "" {
				g.p("// %s %s\n", fn, d)
			}
			g.p("%s %s `aws:%q`\n", fn, g.goType(&r, req[mn], false), mn)
		}
		g.p("}\n\n")
	}
	// Enum values as constants, so handlers name them rather than spell them.
	for _, name := range g.shapes {
		s := g.m.Shapes[name]
		if s.Type != "string" || len(s.Enum) == 0 || len(s.Enum) > 200 {
			continue
		}
		g.p("// Values of %s.\nconst (\n", name)
		used := map[string]bool{}
		for _, v := range s.Enum {
			cn := exported(name) + exported(identifier(v))
			for used[cn] || g.constTaken(cn) {
				cn += "_"
			}
			used[cn] = true
			g.taken[cn] = true
			g.p("%s = %q\n", cn, v)
		}
		g.p(")\n\n")
	}
}

func (g *gen) constTaken(n string) bool {
	if g.taken == nil {
		g.taken = map[string]bool{"Service": true}
		for _, v := range g.goNames {
			g.taken[v] = true
		}
	}
	return g.taken[n]
}

func (g *gen) errors() {
	for _, name := range g.shapes {
		s := g.m.Shapes[name]
		if !s.Exception {
			continue
		}
		fn := "New" + exported(name)
		g.p("// %s returns the %s error", fn, name)
		if s.Error != nil && s.Error.Code != "" && s.Error.Code != name {
			g.p(" (code %s)", s.Error.Code)
		}
		g.p(" with a message.\nfunc %s(msg string) *model.Error { return model.ErrorFromShape(&shapes[%d], msg) }\n\n", fn, g.index[name])
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// firstSentence turns botocore's HTML documentation into a one-line Go comment tail.
func firstSentence(doc string) string {
	t := strings.Join(strings.Fields(tagRE.ReplaceAllString(doc, " ")), " ")
	t = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'").Replace(t)
	if i := strings.Index(t, ". "); i >= 0 {
		t = t[:i+1]
	}
	if len(t) > 200 {
		t = t[:200] + "…"
	}
	if t == "" {
		return ""
	}
	return "— " + t
}

// exported makes a Go identifier with an upper-case first letter.
func exported(s string) string {
	s = identifier(s)
	if s == "" {
		return "X"
	}
	r := []rune(s)
	if unicode.IsDigit(r[0]) {
		return "V" + s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// identifier turns an arbitrary string (an enum value such as "aws:kms" or "SHA-256")
// into CamelCase letters and digits.
func identifier(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if up {
				r = unicode.ToUpper(r)
				up = false
			}
			b.WriteRune(r)
		} else {
			up = true
		}
	}
	return b.String()
}

// xmlNamespace is the service's response namespace. rest-xml models (S3, Route 53) do
// not state it in their metadata, only on request bodies, so it is taken from the
// namespace most of the model's operation inputs and members declare.
func (g *gen) xmlNamespace(declared string) string {
	if declared != "" {
		return declared
	}
	count := map[string]int{}
	for _, op := range g.m.Operations {
		if op.Input != nil && op.Input.XMLNamespace.URI != "" {
			count[op.Input.XMLNamespace.URI]++
		}
	}
	for _, sh := range g.m.Shapes {
		for _, m := range sh.Members {
			if uri, prefix := xmlns(m.XMLNamespace); uri != "" && prefix == "" {
				count[uri]++
			}
		}
	}
	best := ""
	for uri, n := range count {
		if n > count[best] || (n == count[best] && uri < best) {
			best = uri
		}
	}
	return best
}
