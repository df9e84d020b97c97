#!/usr/bin/env bash
# Issue 6's benchmark: signed KMS Encrypt, Decrypt and GenerateDataKey calls per second
# through the full stack, Palisade beside local-kms (a Go KMS emulator) and moto's KMS,
# same client (bench/load), same requests, same concurrency, in one run.
#   bench/kms/run.sh [duration] [concurrency...]
# Prints one JSON line per measurement; docs/PERFORMANCE.md ("KMS") records a run.
# local-kms is built from the Go module proxy into the temporary directory, never into
# the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-5s}; shift || true
CONCS=${*:-"1 16 64"}
LOCAL_KMS=github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
go build -o $T/palisade ./cmd/palisade
go build -o $T/load ./bench/load
(cd $T && GOBIN=$T GOFLAGS= go install $LOCAL_KMS)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%F)"
echo "# moto: $(python3 -c 'import moto;print(moto.__version__)'); local-kms: $LOCAL_KMS"
P=$(port); PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK \
  $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/palisade-data --log-level warn >/dev/null 2>&1 &
L=$(port); PORT=$L KMS_ACCOUNT_ID=000000000000 KMS_REGION=us-east-1 KMS_DATA_PATH=$T/local-kms-data $T/local-kms >/dev/null 2>&1 &
M=$(port); moto_server -H 127.0.0.1 -p $M >/dev/null 2>&1 &

kms() { AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 aws --endpoint-url "$1" --output text kms "${@:2}"; }
head -c 32 /dev/zero >$T/pt; PT=$(base64 <$T/pt)
CTX='{"purpose":"bench"}'
declare -A KID BLOB
for name in palisade local-kms moto; do
  case $name in palisade) url=http://127.0.0.1:$P;; local-kms) url=http://127.0.0.1:$L;; moto) url=http://127.0.0.1:$M;; esac
  for _ in $(seq 100); do kms "$url" list-keys >/dev/null 2>&1 && break; sleep 0.2; done
  KID[$name]=$(kms "$url" create-key --query KeyMetadata.KeyId)
  BLOB[$name]=$(kms "$url" encrypt --key-id "${KID[$name]}" --plaintext fileb://$T/pt \
    --encryption-context purpose=bench --query CiphertextBlob)
done
for c in $CONCS; do
  for op in Encrypt Decrypt GenerateDataKey; do
    for name in palisade local-kms moto; do
      case $name in palisade) url=http://127.0.0.1:$P;; local-kms) url=http://127.0.0.1:$L;; moto) url=http://127.0.0.1:$M;; esac
      case $op in
        Encrypt) body="{\"KeyId\":\"${KID[$name]}\",\"Plaintext\":\"$PT\",\"EncryptionContext\":$CTX}";;
        Decrypt) body="{\"CiphertextBlob\":\"${BLOB[$name]}\",\"EncryptionContext\":$CTX}";;
        GenerateDataKey) body="{\"KeyId\":\"${KID[$name]}\",\"KeySpec\":\"AES_256\",\"EncryptionContext\":$CTX}";;
      esac
      $T/load -label "$name $op" -url "$url" -c "$c" -d "$DUR" -warmup 1s -ak $AK -sk $SK \
        -service kms -target "TrentService.$op" -body "$body"
    done
  done
done
