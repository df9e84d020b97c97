#!/usr/bin/env bash
# Issue 9's benchmark: CloudWatch Logs ingestion and search, Palisade and moto side by
# side on this machine with the same client, the same events and the same patterns.
# PutLogEvents' client sends request bodies serialized before timing, hashing and
# signing each (SigV4) as it is sent; RAW= (empty) uses the AWS SDK for Go v2 instead,
# which alone caps ingestion at about 5x moto. FilterLogEvents uses the SDK.
#   bench/logs/run.sh [events] [streams...]
# Prints one JSON line per measurement; docs/PERFORMANCE.md records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-1000000}; shift || true
STREAMS=${*:-"1 4"}
RAW=${RAW--raw}
T=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
go build -o $T/palisade ./cmd/palisade
go build -o $T/logs ./bench/logs
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
export PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK
PATTERNS='ERROR|[ts, level = ERROR, ...]|%status=5[0-9]{2}%'

echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# moto: $(python3 -c 'import moto;print(moto.__version__)')"
for c in $STREAMS; do
  # The client alone, against a server that answers at once: the ceiling of any server.
  $T/logs -label client-only -url null -ak $AK -sk $SK -events $EVENTS -c $c
  [ -n "$RAW" ] && $T/logs -label client-only $RAW -url null -ak $AK -sk $SK -events $EVENTS -c $c
  serve() {
    P=$(port); $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/d$c --log-level warn >/dev/null 2>&1 & PIDS+=($!)
    for _ in $(seq 100); do curl -fs http://127.0.0.1:$P/_palisade/health >/dev/null && break; sleep 0.1; done
  }
  serve
  $T/logs -label palisade -url http://127.0.0.1:$P -ak $AK -sk $SK -events $EVENTS -c $c -patterns "$PATTERNS" -group bench $RAW
  kill ${PIDS[-1]}; wait ${PIDS[-1]} 2>/dev/null || true
  # The same search after a restart: nothing cached, every chunk read from disk.
  serve
  $T/logs -label palisade-restarted -url http://127.0.0.1:$P -ak $AK -sk $SK -events $EVENTS -patterns "$PATTERNS" -group bench -filter-only
  kill ${PIDS[-1]}; wait ${PIDS[-1]} 2>/dev/null || true
  # moto matches only terms: the same term pattern, timed alike.
  M=$(port); moto_server -H 127.0.0.1 -p $M >/dev/null 2>&1 & PIDS+=($!)
  for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:$M/moto-api/ && break; sleep 0.2; done
  $T/logs -label moto -url http://127.0.0.1:$M -ak $AK -sk $SK -events $EVENTS -c $c -patterns ERROR $RAW
  kill ${PIDS[-1]}; wait ${PIDS[-1]} 2>/dev/null || true
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
