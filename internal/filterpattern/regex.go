package filterpattern

import (
	"regexp"
	"strings"
)

// readRegex reads %...% at the start of s and returns the expression between the
// percent signs and the bytes consumed.
func readRegex(s string) (string, int, error) {
	end := strings.IndexByte(s[1:], '%')
	if end < 0 {
		return "", 0, errInvalid("unterminated %regex%")
	}
	return s[1 : 1+end], end + 2, nil
}

// compileRegex checks an expression against the subset AWS accepts and compiles it.
// AWS: "Filter patterns with regex can only include" alphanumerics, the symbols
// _ # = @ / ; , - (and, on one copy of the page, :), the operators ^ $ ? [ ] { } | \
// * + . — no parentheses, no multi-byte characters. A space is accepted too, as a
// regex such as %ERROR 4[0-9]{2}% is the obvious way to match across a space.
func compileRegex(src string) (*regexp.Regexp, error) {
	if src == "" {
		return nil, errInvalid("empty %regex%")
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_#=@/;,-: ^$?[]{}|\\*+.", c) >= 0:
		default:
			return nil, errInvalid("character " + string(c) + " is not allowed in a %regex%")
		}
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, errInvalid("invalid %regex%: " + err.Error())
	}
	return re, nil
}
