package wire

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzJSONStr checks the string writer against what it must produce: valid JSON that
// decodes to the input with invalid UTF-8 replaced by U+FFFD, with no escape beyond
// the ones JSON requires (AWS's services leave <, > and & alone).
func FuzzJSONStr(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "nl\nrt\rtab\t", "ctl\x00\x01\x1f\x7f",
		"<a href='x'>&amp;</a>", "héllo wörld ✓ 𝄞", "bad\xffutf8\xc3", "\xe2\x82", "AQICAHh+base64/blob=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var w jsonWriter
		w.str(s)
		out := w.b.Bytes()
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("str(%q) = %s: not JSON: %v", s, out, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want && !sameReplacing(s, got) {
			t.Fatalf("str(%q) decodes to %q", s, got)
		}
		for _, c := range []string{"<", ">", "&", "/"} {
			if strings.Count(string(out), c) != strings.Count(got, c) {
				t.Fatalf("str(%q) = %s: escapes %s, which AWS leaves alone", s, out, c)
			}
		}
	})
}

// sameReplacing reports whether got is s with each invalid byte (not each run, as
// strings.ToValidUTF8 does) replaced by U+FFFD.
func sameReplacing(s, got string) bool {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String() == got
}
