package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// javaLower lower-cases s as IAM does for StringEqualsIgnoreCase, reproducing the
// answers AWS gave in 2026 (radkawar/stackd testdata/aws/iam/condition_strings.json):
// both sides are lower-cased and compared, so "K" equals the Kelvin sign and "ß"
// equals "ẞ", but "s" is not "ſ" and "Σ" is not "ς"; a capital sigma that ends a
// word becomes "ς" ("ΟΣ" equals "ος", not "οσ"); "İ" becomes "i̇" (so it is not
// "i"); characters outside the Basic Multilingual Plane are left as they are
// ("𐐀" is not "𐐨") though they count as letters around a sigma.
func javaLower(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && finalSigma(s, i):
			b.WriteRune('ς')
		case r > 0xFFFF:
			b.WriteRune(r)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma is Unicode's Final_Sigma condition for the sigma at byte i: a cased
// letter before it and none after it, skipping case-ignorable characters.
func finalSigma(s string, i int) bool {
	before := false
	for j := i; j > 0; {
		r, n := utf8.DecodeLastRuneInString(s[:j])
		j -= n
		if caseIgnorable(r) {
			continue
		}
		before = cased(r)
		break
	}
	if !before {
		return false
	}
	for j := i + len("Σ"); j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		j += n
		if caseIgnorable(r) {
			continue
		}
		return !cased(r)
	}
	return true
}

func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
}

func caseIgnorable(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk) ||
		r == '\'' || r == '.' || r == ':' || r == '^' || r == '`' || r == '\u00b7' || r == '\u2019'
}
