package filterpattern

import (
	"regexp"
	"strings"
)

// termPattern is the unstructured form: terms that must all appear, "?" terms of
// which one must appear, "-" terms that must not appear. A term is a word, a quoted
// phrase or a %regex%; words and phrases match anywhere in the message, so ERROR
// matches "ERRORCODE" as AWS's own example shows.
type termPattern struct {
	all      bool // matches every event
	required []term
	anyOf    []term
	excluded []term
}

type term struct {
	text string
	re   *regexp.Regexp
}

func (t term) in(msg string) bool {
	if t.re != nil {
		return t.re.MatchString(msg)
	}
	return strings.Contains(msg, t.text)
}

func parseTerms(s string) (*termPattern, error) {
	tp := &termPattern{}
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		mod := byte(0)
		if s[i] == '-' || s[i] == '?' {
			mod = s[i]
			i++
			// AWS's own example writes an exclusion as `"ERROR" - "Exiting"`.
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i >= len(s) {
				return nil, errInvalid("a - or ? must be followed by a term")
			}
		}
		var t term
		switch s[i] {
		case '"':
			text, n, err := readQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			i += n
			if strings.TrimSpace(text) == "" {
				// `""` and `" "` match every event (AWS: "Match everything").
				if mod == 0 {
					continue
				}
				t.text = text
			} else {
				t.text = text
			}
		case '%':
			src, n, err := readRegex(s[i:])
			if err != nil {
				return nil, err
			}
			i += n
			re, err := compileRegex(src)
			if err != nil {
				return nil, err
			}
			t.re = re
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) {
				if s[j] == '"' {
					return nil, errInvalid("a quote inside an unquoted term")
				}
				j++
			}
			t.text = s[i:j]
			i = j
		}
		switch mod {
		case '-':
			tp.excluded = append(tp.excluded, t)
		case '?':
			tp.anyOf = append(tp.anyOf, t)
		default:
			tp.required = append(tp.required, t)
		}
	}
	if len(tp.required) > 0 {
		// A ?term beside plain terms does not widen the match: the plain terms decide
		// (reported behaviour of CloudWatch Logs; AWS documents ?terms on their own).
		tp.anyOf = nil
	}
	tp.all = len(tp.required) == 0 && len(tp.anyOf) == 0 && len(tp.excluded) == 0
	return tp, nil
}

func (tp *termPattern) match(msg string) bool {
	if tp.all {
		return true
	}
	for _, t := range tp.required {
		if !t.in(msg) {
			return false
		}
	}
	if len(tp.anyOf) > 0 {
		found := false
		for _, t := range tp.anyOf {
			if t.in(msg) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for _, t := range tp.excluded {
		if t.in(msg) {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// readQuoted reads a double-quoted string at the start of s (backslash escapes a
// quote or a backslash) and returns its text and the bytes consumed.
func readQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				b.WriteByte(s[i+1])
				i++
				continue
			}
			b.WriteByte(c)
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errInvalid("unterminated quoted string")
}
