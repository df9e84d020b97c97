#!/usr/bin/env python3
"""Times moto's IAM policy engine (moto.iam.access_control) on the scenarios that
bench/policy/export writes, the same documents and requests the Go benchmarks use.

moto decides a request the way IAMRequestBase.check_action_permitted does: each
identity policy's IAMPolicy.is_action_permitted, any DENIED denies, any PERMITTED
allows. Two timings per scenario:
  parsed - IAMPolicy objects built once (json.loads done), evaluation only: the
           fair comparison with Palisade's compiled policies;
  as-used - IAMPolicy(document) built per request, as moto's request path does.
The agreement column counts requests where moto's allow/deny equals Palisade's.
Usage: moto_bench.py INPUT_DIR [min_seconds]
"""
import glob
import json
import os
import platform
import sys
import time

import moto
from moto.iam.access_control import IAMPolicy, PermissionResult


def decide(policies, req, ctx):
    permitted = False
    for p in policies:
        r = p.is_action_permitted(req["action"], req["resource"], incoming_condition_values=ctx)
        if r == PermissionResult.DENIED:
            return "deny"
        if r == PermissionResult.PERMITTED:
            permitted = True
    return "allow" if permitted else "deny"


def timeit(fn, reqs, min_seconds):
    """Returns (wall seconds, CPU seconds) per decision and the decisions timed.
    CPU time is what one core spent, unaffected by other jobs on a shared machine."""
    n, start, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        for r in reqs:
            fn(r)
        n += len(reqs)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and n >= len(reqs):
            return elapsed / n, (time.process_time() - cpu0) / n, n


def main():
    indir = sys.argv[1]
    min_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    print(f"# moto {moto.__version__}, Python {platform.python_version()}, {platform.processor() or platform.machine()}")
    order = ["typical", "large", "sweep-10", "sweep-100", "sweep-1000", "sweep-10000"]
    files = sorted(glob.glob(os.path.join(indir, "*.json")),
                   key=lambda f: order.index(os.path.basename(f)[:-5]) if os.path.basename(f)[:-5] in order else 99)
    for path in files:
        sc = json.load(open(path))
        docs = sc["policies"]
        parsed = [IAMPolicy(d) for d in docs]
        reqs = [(r, {k: v[0] for k, v in (r.get("context") or {}).items() if v}) for r in sc["requests"]]
        agree = sum(
            1 for r, ctx in reqs
            if (decide(parsed, r, ctx) == "allow") == (r["palisadeDecision"] == "allowed"))
        wall_p, cpu_p, n1 = timeit(lambda rc: decide(parsed, rc[0], rc[1]), reqs, min_seconds)
        wall_u, cpu_u, n2 = timeit(lambda rc: decide([IAMPolicy(d) for d in docs], rc[0], rc[1]), reqs, min_seconds)
        print(json.dumps({
            "scenario": sc["name"], "statements": sc["statements"], "policies": len(docs),
            "parsed_cpu_ns_per_decision": round(cpu_p * 1e9), "parsed_decisions_per_sec_per_core": round(1 / cpu_p, 1),
            "parsed_wall_ns_per_decision": round(wall_p * 1e9),
            "as_used_cpu_ns_per_decision": round(cpu_u * 1e9), "as_used_decisions_per_sec_per_core": round(1 / cpu_u, 1),
            "agreement": f"{agree}/{len(reqs)}", "decisions_timed": n1 + n2}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
