package policy

import (
	"strconv"
	"syscall"
	"testing"

	"github.com/palisade/palisade/internal/policy/benchgen"
)

// parseNoQuota compiles a benchmark document: the large scenarios put 100
// statements in one policy, beyond IAM's size quota, to measure the engine alone.
func parseNoQuota(tb testing.TB, kind Kind, name, data string) *Policy {
	tb.Helper()
	p, err := ParseWithoutQuota(kind, name, []byte(data))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return p
}

type benchCase struct {
	set  PolicySet
	reqs []Request
}

func loadScenario(tb testing.TB, sc benchgen.Scenario) benchCase {
	var bc benchCase
	var pols []*Policy
	for i, d := range sc.Policies {
		pols = append(pols, parseNoQuota(tb, KindManaged, sc.Name+"-"+strconv.Itoa(i), d))
	}
	bc.set.Identity = NewGroup(pols...)
	for _, r := range sc.Requests {
		bc.reqs = append(bc.reqs, Request{Principal: principal(tb, r.Principal), Action: r.Action, Resource: r.Resource, Context: NewMapContext(r.Context)})
	}
	return bc
}

func runBench(b *testing.B, sc benchgen.Scenario) {
	bc := loadScenario(b, sc)
	var res Result
	// Warm the result's slices so the loop measures steady state.
	for i := range bc.reqs {
		EvaluateInto(&res, &bc.reqs[i], &bc.set)
	}
	b.ReportAllocs()
	n := len(bc.reqs)
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		EvaluateInto(&res, &bc.reqs[i%n], &bc.set)
	}
	// The development machine is shared, so wall time (ns/op) includes waiting
	// for a core; process CPU time per decision is what one core actually spends,
	// hence "decisions per second per core".
	if cpuNs := float64(cpuTime()-cpu0) / float64(b.N); cpuNs > 0 {
		b.ReportMetric(cpuNs, "cpu-ns/op")
		b.ReportMetric(1e9/cpuNs, "decisions/s/core")
	}
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkTypicalUser is scenario (a): 3 managed policies, 20 statements.
func BenchmarkTypicalUser(b *testing.B) { runBench(b, benchgen.Typical()) }

// BenchmarkLargeAccount is scenario (b): 10 policies of 100 statements.
func BenchmarkLargeAccount(b *testing.B) { runBench(b, benchgen.Large()) }

// BenchmarkStatementSweep is scenario (c): 10 to 10,000 statements.
func BenchmarkStatementSweep(b *testing.B) {
	for _, n := range benchgen.SweepSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) { runBench(b, benchgen.Sweep(n)) })
	}
}

// BenchmarkParse measures compiling the typical user's policies, the cost paid
// once per document when the server caches compiled policies.
func BenchmarkParse(b *testing.B) {
	sc := benchgen.Typical()
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range sc.Policies {
			if _, err := Parse(KindManaged, "p", []byte(d)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// The typical scenario's decisions are what its policies say, so the benchmark
// measures real work rather than a short-circuit.
func TestTypicalScenarioDecisions(t *testing.T) {
	bc := loadScenario(t, benchgen.Typical())
	want := []Decision{Allowed, ExplicitDeny, Allowed, ImplicitDeny, Allowed, ExplicitDeny, Allowed, ImplicitDeny}
	for i := range bc.reqs {
		if got := Evaluate(&bc.reqs[i], &bc.set).Decision; got != want[i] {
			t.Errorf("%s: %v, want %v", bc.reqs[i].Action, got, want[i])
		}
	}
}

// Steady-state evaluation must not allocate.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	for _, sc := range []benchgen.Scenario{benchgen.Typical(), benchgen.Large()} {
		bc := loadScenario(t, sc)
		var res Result
		for i := range bc.reqs {
			EvaluateInto(&res, &bc.reqs[i], &bc.set)
		}
		i := 0
		allocs := testing.AllocsPerRun(200, func() {
			EvaluateInto(&res, &bc.reqs[i%len(bc.reqs)], &bc.set)
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per decision", sc.Name, allocs)
		}
	}
}
