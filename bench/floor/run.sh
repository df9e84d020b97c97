#!/usr/bin/env bash
# The durability floor beside local-kms: bench/floor (an HTTP server that only commits
# one record per request durably, as Palisade's rule requires) and local-kms (which
# makes nothing durable) under the KMS benchmark's client and Encrypt request, and
# Palisade itself, in one run.
#   bench/floor/run.sh [duration] [concurrency...]
# Prints one JSON line per measurement; docs/PERFORMANCE.md ("KMS") records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-4s}; shift || true
CONCS=${*:-"1 16 64"}
LOCAL_KMS=github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
go build -o $T/palisade ./cmd/palisade
go build -o $T/floor ./bench/floor
go build -o $T/load ./bench/load
(cd $T && GOBIN=$T GOFLAGS= go install $LOCAL_KMS)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
P=$(port); PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK \
  $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/palisade-data --log-level warn >/dev/null 2>&1 &
L=$(port); PORT=$L KMS_ACCOUNT_ID=000000000000 KMS_REGION=us-east-1 KMS_DATA_PATH=$T/local-kms-data $T/local-kms >/dev/null 2>&1 &
F=$(port); $T/floor -addr 127.0.0.1:$F -db $T/floor.db >/dev/null 2>&1 &

kms() { AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 aws --endpoint-url "$1" --output text kms "${@:2}"; }
PT=$(head -c 32 /dev/zero | base64)
declare -A KID
for name in palisade local-kms; do
  case $name in palisade) url=http://127.0.0.1:$P;; local-kms) url=http://127.0.0.1:$L;; esac
  for _ in $(seq 100); do kms "$url" list-keys >/dev/null 2>&1 && break; sleep 0.2; done
  KID[$name]=$(kms "$url" create-key --query KeyMetadata.KeyId)
done
KID[floor]=${KID[local-kms]}
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$F/" && break; sleep 0.2; done
for c in $CONCS; do
  for name in palisade local-kms floor; do
    case $name in palisade) url=http://127.0.0.1:$P;; local-kms) url=http://127.0.0.1:$L;; floor) url=http://127.0.0.1:$F;; esac
    body="{\"KeyId\":\"${KID[$name]}\",\"Plaintext\":\"$PT\",\"EncryptionContext\":{\"purpose\":\"bench\"}}"
    $T/load -label "$name Encrypt" -url "$url" -c "$c" -d "$DUR" -warmup 1s -ak $AK -sk $SK \
      -service kms -target TrentService.Encrypt -body "$body"
  done
done

# S3: 4 KiB PUT and GET at one connection, the floor beside Palisade and moto's S3.
if [ -n "${S3:-}" ]; then
  go build -o $T/s3load ./bench/s3
  F2=$(port); $T/floor -addr 127.0.0.1:$F2 -db $T/floor-s3.db -answer 4096 >/dev/null 2>&1 &
  M=$(port); moto_server -H 127.0.0.1 -p $M >/dev/null 2>&1 &
  for url in http://127.0.0.1:$F2 http://127.0.0.1:$M; do
    for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.2; done
  done
  for name in palisade moto floor; do
    case $name in palisade) url=http://127.0.0.1:$P;; moto) url=http://127.0.0.1:$M;; floor) url=http://127.0.0.1:$F2;; esac
    [ $name = floor ] || $T/s3load -url "$url" -op fill -bucket bkt-4096 -size 4096 -ak $AK -sk $SK
  done
  for op in put get; do
    for name in palisade moto floor; do
      case $name in palisade) url=http://127.0.0.1:$P;; moto) url=http://127.0.0.1:$M;; floor) url=http://127.0.0.1:$F2;; esac
      $T/s3load -label "$name S3 $op" -url "$url" -op $op -bucket bkt-4096 -size 4096 -c 1 -d "$DUR" -ak $AK -sk $SK
    done
  done
fi
