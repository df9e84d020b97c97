#!/usr/bin/env python3
"""Prints the markdown table of docs/PERFORMANCE.md from a run.sh output directory:
median over the Go benchmark's -count runs, moto's figures beside them.
Usage: summarize.py RESULTS_DIR"""
import json
import os
import re
import statistics
import sys

d = sys.argv[1]
runs = {}
for line in open(os.path.join(d, "go.txt")):
    m = re.match(r"Benchmark(\S+)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) cpu-ns/op", line)
    if m:
        runs.setdefault(m.group(1), []).append((float(m.group(2)), float(m.group(3))))
moto = {}
for line in open(os.path.join(d, "moto.txt")):
    if line.startswith("{"):
        r = json.loads(line)
        moto[r["scenario"]] = r
names = {"TypicalUser": "typical", "LargeAccount": "large"}
for n in (10, 100, 1000, 10000):
    names[f"StatementSweep/{n}"] = f"sweep-{n}"
print("| Scenario | Statements | Palisade CPU ns/decision | Palisade decisions/s/core | Palisade wall ns/op | moto CPU ns/decision | moto decisions/s/core | moto as used (parses per request) | Palisade speed-up | moto agrees |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for bench, sc in names.items():
    if bench not in runs or sc not in moto:
        continue
    cpu = statistics.median(c for _, c in runs[bench])
    wall = statistics.median(w for w, _ in runs[bench])
    m = moto[sc]
    mc = m["parsed_cpu_ns_per_decision"]
    print(f"| {sc} | {m['statements']:,} | {cpu:,.0f} | {1e9 / cpu:,.0f} | {wall:,.0f} | {mc:,} | "
          f"{m['parsed_decisions_per_sec_per_core']:,} | {m['as_used_cpu_ns_per_decision']:,} ns | {mc / cpu:,.0f}x | {m['agreement']} |")
