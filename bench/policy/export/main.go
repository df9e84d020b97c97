// Command export writes the policy benchmark scenarios as JSON files, one per
// scenario, so that other engines (moto) can be timed on exactly the documents and
// requests the Go benchmarks use. Each request carries Palisade's decision, so the
// other engine's answers can be compared too.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/policy/benchgen"
)

type request struct {
	benchgen.Request
	Decision string `json:"palisadeDecision"`
}

type scenario struct {
	benchgen.Scenario
	Requests []request `json:"requests"`
}

func main() {
	dir := "bench/policy/inputs"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := run(dir); err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, sc := range benchgen.All() {
		var pols []*policy.Policy
		for i, d := range sc.Policies {
			// The generated policies exceed IAM's size quota on purpose (100
			// statements each) to measure the engines alone.
			p, err := policy.ParseWithoutQuota(policy.KindManaged, fmt.Sprint(i), []byte(d))
			if err != nil {
				return fmt.Errorf("%s policy %d: %w", sc.Name, i, err)
			}
			pols = append(pols, p)
		}
		set := &policy.PolicySet{Identity: policy.NewGroup(pols...)}
		out := scenario{Scenario: sc}
		for _, r := range sc.Requests {
			p, err := policy.ParsePrincipal(r.Principal)
			if err != nil {
				return err
			}
			res := policy.Evaluate(&policy.Request{Principal: p, Action: r.Action, Resource: r.Resource, Context: policy.NewMapContext(r.Context)}, set)
			out.Requests = append(out.Requests, request{Request: r, Decision: res.Decision.String()})
		}
		data, err := json.MarshalIndent(out, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, sc.Name+".json"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
