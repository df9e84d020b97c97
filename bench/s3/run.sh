#!/usr/bin/env bash
# Issue 7's benchmark: signed S3 PutObject and GetObject of 4 KiB and 4 MiB objects per
# second and MB/s, Palisade beside moto's S3, same client (bench/s3), same requests and
# concurrency, in one run.
#   bench/s3/run.sh [duration] [concurrency...]
# Prints one JSON line per measurement; docs/PERFORMANCE.md ("S3") records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-5s}; shift || true
CONCS=${*:-"1 16"}
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
go build -o $T/palisade ./cmd/palisade
go build -o $T/s3load ./bench/s3
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# moto: $(python3 -c 'import moto;print(moto.__version__)')"
P=$(port); PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK \
  $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/palisade-data --log-level warn >/dev/null 2>&1 &
M=$(port); moto_server -H 127.0.0.1 -p $M >/dev/null 2>&1 &
for url in http://127.0.0.1:$P http://127.0.0.1:$M; do
  for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.2; done
done
for size in ${SIZES:-4096 4194304}; do
  for name in palisade moto; do
    case $name in palisade) url=http://127.0.0.1:$P;; moto) url=http://127.0.0.1:$M;; esac
    $T/s3load -url "$url" -op fill -bucket "b$size" -size $size -ak $AK -sk $SK
  done
  for c in $CONCS; do
    for op in put get; do
      for name in palisade moto; do
        case $name in palisade) url=http://127.0.0.1:$P;; moto) url=http://127.0.0.1:$M;; esac
        $T/s3load -label "$name" -url "$url" -op $op -bucket "b$size" -size $size -c $c -d "$DUR" -ak $AK -sk $SK
      done
    done
  done
done
