#!/usr/bin/env bash
# Runs the policy engine benchmarks and moto's engine on the same inputs.
# Usage: bench/policy/run.sh [OUTDIR]   (default bench/policy/results, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench/policy/results}
mkdir -p "$out"
{ date -u; uname -srm; nproc; uptime; grep -m1 'model name' /proc/cpuinfo || true; go version; } > "$out/machine.txt"
go run ./bench/policy/export "$out/inputs"
go test ./internal/policy -run '^$' -bench 'TypicalUser|LargeAccount|StatementSweep' -benchtime 2s -count 5 | tee "$out/go.txt"
python3 bench/policy/moto_bench.py "$out/inputs" "${MOTO_SECONDS:-3}" | tee "$out/moto.txt"
