package model

import (
	"net/url"
	"strings"
)

// URITemplate is a parsed REST requestUri such as "/{Bucket}/{Key+}?uploads".
type URITemplate struct {
	Segments []Segment
	// Query lists the literal query keys (and values, when given) that select the
	// operation: S3's "?uploads", "?list-type=2". "x-id" hints are dropped because S3
	// ignores them and not every client sends them.
	Query []QueryLiteral
	// TrailingSlash records a template that ends in "/" after its last segment.
	TrailingSlash bool
}

// Segment is one path segment of a template.
type Segment struct {
	Literal string // the segment text when Label is empty
	Label   string // the member bound to the segment
	Greedy  bool   // {Label+}: the rest of the path, slashes included
}

// QueryLiteral is a query key fixed by the template.
type QueryLiteral struct {
	Key, Value string
	HasValue   bool
}

// ParseURITemplate parses a botocore requestUri.
func ParseURITemplate(s string) *URITemplate {
	t := &URITemplate{}
	path, query, _ := strings.Cut(s, "?")
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			k, v, has := strings.Cut(kv, "=")
			if k == "" || k == "x-id" {
				continue
			}
			t.Query = append(t.Query, QueryLiteral{Key: k, Value: v, HasValue: has})
		}
	}
	trimmed := strings.Trim(path, "/")
	t.TrailingSlash = len(path) > 1 && strings.HasSuffix(path, "/")
	if trimmed == "" {
		return t
	}
	for _, seg := range strings.Split(trimmed, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
			greedy := strings.HasSuffix(name, "+")
			t.Segments = append(t.Segments, Segment{Label: strings.TrimSuffix(name, "+"), Greedy: greedy})
			continue
		}
		t.Segments = append(t.Segments, Segment{Literal: seg})
	}
	return t
}

// Match reports whether an escaped request path and its query satisfy the template and
// returns the label values, unescaped. Score ranks competing matches: more literal
// segments and query literals make a more specific match.
func (t *URITemplate) Match(escapedPath string, q url.Values) (labels map[string]string, score int, ok bool) {
	for _, ql := range t.Query {
		vs, present := q[ql.Key]
		if !present {
			return nil, 0, false
		}
		if ql.HasValue && (len(vs) == 0 || vs[0] != ql.Value) {
			return nil, 0, false
		}
		score += 100
	}
	p := strings.TrimPrefix(escapedPath, "/")
	var parts []string
	if p != "" {
		parts = strings.Split(p, "/")
	}
	// A trailing slash on the request produces an empty last part; templates such as
	// S3's "/{Bucket}" still match "/bucket/".
	if len(parts) > 0 && parts[len(parts)-1] == "" && !(len(t.Segments) > 0 && t.Segments[len(t.Segments)-1].Greedy) {
		parts = parts[:len(parts)-1]
	}
	i := 0
	for si, seg := range t.Segments {
		if seg.Greedy {
			if si != len(t.Segments)-1 || i >= len(parts) {
				return nil, 0, false
			}
			rest := strings.Join(parts[i:], "/")
			if rest == "" {
				return nil, 0, false
			}
			v, err := url.PathUnescape(rest)
			if err != nil {
				return nil, 0, false
			}
			if labels == nil {
				labels = map[string]string{}
			}
			labels[seg.Label] = v
			return labels, score + len(t.Segments)*10, true
		}
		if i >= len(parts) {
			return nil, 0, false
		}
		if seg.Label == "" {
			if parts[i] != seg.Literal {
				return nil, 0, false
			}
			score += 20
		} else {
			if parts[i] == "" {
				return nil, 0, false
			}
			v, err := url.PathUnescape(parts[i])
			if err != nil {
				return nil, 0, false
			}
			if labels == nil {
				labels = map[string]string{}
			}
			labels[seg.Label] = v
			score += 10
		}
		i++
	}
	if i != len(parts) {
		return nil, 0, false
	}
	return labels, score, true
}
