#!/usr/bin/env bash
# Issue 2's benchmark: Palisade and moto side by side on this machine, same client, same
# request (a freshly signed sts:GetCallerIdentity), same concurrency.
#   bench/core/run.sh [duration] [concurrency...]
# Prints one JSON line per measurement; docs/PERFORMANCE.md records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-10s}; shift || true
CONCS=${*:-"1 8 32 64"}
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
go build -o $T/palisade ./cmd/palisade
go build -o $T/load ./bench/load
go build -o $T/startup ./bench/startup
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
export PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK

echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%F)"
echo "# moto: $(python3 -c 'import moto;print(moto.__version__)')"
P=$(port); $T/startup -label palisade-first-start -url http://127.0.0.1:$P -- $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/d1 --log-level warn
P=$(port); $T/startup -label palisade-restart -url http://127.0.0.1:$P -- $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/d1 --log-level warn
P=$(port); $T/startup -label moto -url http://127.0.0.1:$P -- moto_server -H 127.0.0.1 -p $P

P=$(port); $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/d2 --log-level warn >/dev/null 2>&1 &
M=$(port); moto_server -H 127.0.0.1 -p $M >/dev/null 2>&1 &
for _ in $(seq 100); do curl -fs http://127.0.0.1:$P/_palisade/health >/dev/null && curl -fs -o /dev/null http://127.0.0.1:$M/moto-api/ && break; sleep 0.1; done
for c in $CONCS; do
  $T/load -label palisade -url http://127.0.0.1:$P -c $c -d $DUR -ak $AK -sk $SK
  $T/load -label moto -url http://127.0.0.1:$M -c $c -d $DUR -ak $AK -sk $SK
done
