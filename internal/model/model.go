// Package model holds the schema of an AWS service API as botocore publishes it
// (service-2.json): operations, shapes, members and their serialization traits. The
// per-service data is generated into internal/api/<service> by internal/model/gen; the
// protocol codecs in internal/wire read it to decode requests and encode responses, and
// the validator here checks inputs against it. Nothing in this package does I/O.
package model

import (
	"reflect"
	"regexp"
	"sync"
)

// Type is a shape's type as botocore names it.
type Type uint8

// The shape types botocore uses.
const (
	Structure Type = iota + 1
	List
	Map
	String
	Integer
	Long
	Float
	Double
	Boolean
	Timestamp
	Blob
)

var typeNames = [...]string{"", "structure", "list", "map", "string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"}

// String returns botocore's name for the type.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Location is where a member travels in a REST request or response.
type Location uint8

// Member locations. Body is the default: the member is part of the serialized body
// (or, for the query protocols, a form parameter).
const (
	Body Location = iota
	URI
	QueryString
	Header
	Headers // a map serialized as headers sharing the prefix in LocationName
	StatusCode
)

// Service is one service API: its metadata and operations.
type Service struct {
	// Name is the package-level name Palisade uses (the botocore directory name,
	// e.g. "iam", "cloudwatch").
	Name string
	// BotocoreVersion is the botocore release the model was generated from.
	BotocoreVersion string

	APIVersion       string
	EndpointPrefix   string
	SigningName      string
	ServiceID        string
	ServiceFullName  string
	Protocol         string   // the preferred protocol, e.g. "query", "json", "rest-xml"
	Protocols        []string // every protocol the service speaks, preferred first
	JSONVersion      string   // "1.0" or "1.1" for the json protocol
	TargetPrefix     string   // X-Amz-Target prefix for the json protocol
	XMLNamespace     string   // response namespace for query and rest-xml
	QueryCompatible  bool     // awsQueryCompatible: json errors carry the query error code
	GlobalEndpoint   string
	SignatureVersion string

	// Operations by name.
	Operations map[string]*Operation
	// Shapes by name, for tools and tests; the codecs follow Member.Shape pointers.
	Shapes map[string]*Shape
}

// Operation is one API action.
type Operation struct {
	Name         string
	Service      *Service
	Method       string // HTTP method of the REST binding
	RequestURI   string // REST path template, e.g. "/{Bucket}/{Key+}?uploads"
	ResponseCode int    // REST success status; 0 means 200
	Input        *Shape // nil when the operation takes no input
	Output       *Shape // nil when the operation returns nothing
	// InputLocationName and InputXMLNamespace name the root element of a rest-xml
	// request body (Route 53's CreateHealthCheckRequest, S3's configuration bodies).
	InputLocationName string
	InputXMLNamespace string
	// ResultWrapper is the query protocol's <XResult> element around the output.
	ResultWrapper string
	Errors        []*Shape
	AuthType      string // "none" for unsigned operations such as AssumeRoleWithSAML
	// UnsignedPayload and HTTPChecksumRequired mirror the model flags of those names.
	UnsignedPayload      bool
	HTTPChecksumRequired bool
	Deprecated           bool

	// InputType and OutputType are the generated Go structs for Input and Output
	// (see Convert); nil shapes have nil types.
	InputType  reflect.Type
	OutputType reflect.Type

	uriOnce sync.Once
	uri     *URITemplate
}

// Template returns the parsed RequestURI, parsed on first use.
func (o *Operation) Template() *URITemplate {
	o.uriOnce.Do(func() { o.uri = ParseURITemplate(o.RequestURI) })
	return o.uri
}

// Shape is a botocore shape with the traits Palisade uses.
type Shape struct {
	Name string
	Type Type

	Members  []*Member          // structure members in model order
	ByName   map[string]*Member // structure members by name
	Member   *Member            // list element
	Key      *Member            // map key
	Value    *Member            // map value
	Required []string

	Enum    []string
	Min     *float64 // length for strings, lists, maps and blobs; value for numbers
	Max     *float64
	Pattern string

	Flattened       bool
	LocationName    string // XML element name of the shape when it is a payload root
	XMLNamespace    string
	XMLPrefix       string // the prefix XMLNamespace is declared with (S3's Grantee: "xsi")
	TimestampFormat string // "iso8601", "rfc822" or "unixTimestamp"; "" means protocol default
	Sensitive       bool
	Streaming       bool
	Union           bool
	Payload         string // the member that is the whole HTTP body (REST)
	Document        bool

	// JavaRecord: a validation message prints a value of this structure as the
	// service's Java class prints itself, Name(member=value, ...) in model order,
	// where other services print {Member=value} (STS's Tag: "Tag(key=0,
	// value=test)").
	JavaRecord bool

	Exception      bool
	ErrorCode      string // error code when it differs from the shape name
	HTTPStatusCode int
	SenderFault    bool
	Fault          bool

	// GoType is the generated Go type of a structure shape.
	GoType reflect.Type

	patternOnce sync.Once
	pattern     *regexp.Regexp
}

// Regexp returns the compiled Pattern, or nil when the shape has none or when Go's RE2
// cannot compile it (some AWS patterns use look-around; those are not checked).
func (s *Shape) Regexp() *regexp.Regexp {
	s.patternOnce.Do(func() {
		if s.Pattern == "" {
			return
		}
		re, err := regexp.Compile(anchored(javaToRE2(s.Pattern)))
		if err == nil {
			s.pattern = re
		}
	})
	return s.pattern
}

// javaUnicode matches Java's \uXXXX escapes, which RE2 spells \x{XXXX}.
var javaUnicode = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// javaToRE2 rewrites the Java regular-expression syntax AWS's models use into RE2's.
func javaToRE2(p string) string {
	return javaUnicode.ReplaceAllString(p, `\x{$1}`)
}

// anchored makes a Java-style "matches" pattern (implicitly anchored on both ends, as
// AWS's validators use it) anchored for Go's regexp.
func anchored(p string) string {
	return "^(?:" + p + ")$"
}

// IsRequired reports whether the named structure member is required.
func (s *Shape) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// Code returns the error code an exception shape is sent with.
func (s *Shape) Code() string {
	if s.ErrorCode != "" {
		return s.ErrorCode
	}
	return s.Name
}

// Member is a reference from a structure, list or map to a shape, with the
// serialization traits attached to that reference.
type Member struct {
	Name     string // the member name in the model (the Go field's aws tag)
	Shape    *Shape
	Required bool

	Location         Location
	LocationName     string // wire name: header, query key, URI label, XML element or JSON key
	QueryName        string // ec2's parameter name; a query name JSON does not use (SQS over query)
	Flattened        bool
	XMLAttribute     bool
	XMLNamespace     string
	XMLPrefix        string
	TimestampFormat  string
	JSONValue        bool // a header carrying base64-encoded JSON
	HostLabel        bool
	IdempotencyToken bool
	Streaming        bool
	EventPayload     bool
	Deprecated       bool
}

// WireName is the member's name on the wire when no protocol-specific rule applies.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// IsFlattened reports whether a list or map member is serialized without a wrapper
// element, a trait that may sit on the member or on its shape.
func (m *Member) IsFlattened() bool { return m.Flattened || m.Shape.Flattened }

// IsStreaming reports whether the member is a streaming blob (the raw HTTP body).
func (m *Member) IsStreaming() bool { return m.Streaming || m.Shape.Streaming }

// Empty is the Go type of a missing input or output shape.
type Empty struct{}

// Float64 returns a pointer to f, for generated constraint literals.
func Float64(f float64) *float64 { return &f }

// IndexMembers maps member names to members, for generated models.
func IndexMembers(ms []*Member) map[string]*Member {
	m := make(map[string]*Member, len(ms))
	for _, x := range ms {
		m[x.Name] = x
	}
	return m
}
