package svckit

import (
	"regexp"
	"strings"
	"testing"
)

// TestNameMatchesItsRegexp checks Name against the regular expressions it replaces.
func TestNameMatchesItsRegexp(t *testing.T) {
	rules := []struct {
		n  Name
		re *regexp.Regexp
	}{
		{Name{256, "_.-"}, regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)},
		{Name{256, "_-"}, regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)},
		{Name{80, "_-"}, regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)},
	}
	inputs := []string{"", "a", "A-b_c.d", "x y", "é", "a\n", "a/b", strings.Repeat("a", 80), strings.Repeat("a", 81),
		strings.Repeat("b", 256), strings.Repeat("b", 257), ".", "-", "_", "a:b", "a*"}
	for _, r := range rules {
		for _, s := range inputs {
			if got, want := r.n.MatchString(s), r.re.MatchString(s); got != want {
				t.Errorf("%v %q: %v, regexp says %v", r.n, s, got, want)
			}
		}
	}
}
