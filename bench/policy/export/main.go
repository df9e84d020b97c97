// Command export writes the policy benchmark scenarios as JSON files, one per
// scenario, so that other engines (moto) can be timed on exactly the documents and
// requests the Go benchmarks use.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/palisade/palisade/internal/policy/benchgen"
)

func main() {
	dir := "bench/policy/inputs"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, sc := range benchgen.All() {
		data, err := json.MarshalIndent(sc, "", " ")
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, sc.Name+".json"), data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
