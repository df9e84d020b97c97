package policy

import (
	"strings"
	"testing"

	"github.com/palisade/palisade/internal/policy/benchgen"
)

// The action index must keep the statements a decision visits to the few that
// can match its action: in the sweep's random mix of 40 services that is under 5%
// of the statements (a scan would visit all of them).
func TestIndexVisitsFewStatements(t *testing.T) {
	for _, n := range benchgen.SweepSizes[1:] {
		bc := loadScenario(t, benchgen.Sweep(n))
		x := &bc.set.Identity.idx
		visited := 0
		for i := range bc.reqs {
			a := strings.ToLower(bc.reqs[i].Action)
			svc, _, _ := strings.Cut(a, ":")
			visited += len(x.exact[a]) + len(x.byLetter[a[:len(svc)+2]]) + len(x.byService[svc]) + len(x.always)
		}
		perReq := float64(visited) / float64(len(bc.reqs))
		t.Logf("%d statements: %.1f visited per decision", n, perReq)
		if perReq > 0.05*float64(n) {
			t.Errorf("%d statements: %.1f visited per decision", n, perReq)
		}
	}
}
