#!/usr/bin/env bash
# CloudTrail's cost on the request path: the same load (bench/load: freshly signed
# sts:GetCallerIdentity, C connections) against
#   baseline  Palisade built from a reference commit (default: main), for comparison
#   no-trail  this checkout, no trail (event history still indexed, as in AWS)
#   trail     this checkout, a trail with log file validation on, logging
# in alternating rounds. In every run the clock moves five minutes each second, so the
# trail delivers a log file every second and a digest every twelve into its S3 bucket,
# under the load. Each line reports the server's CPU time per request as well.
#   bench/cloudtrail/run.sh [duration] [concurrency] [rounds] [reference]
# Prints one JSON line per run; docs/PERFORMANCE.md records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-10s}; CONC=${2:-32}; ROUNDS=${3:-3}; REF=${4:-main}
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY; TOKEN=bench-admin-token
go build -o $T/palisade ./cmd/palisade
go build -o $T/load ./bench/load
mkdir $T/ref && git archive "$REF" | tar -x -C $T/ref && (cd $T/ref && go build -o $T/palisade-ref ./cmd/palisade)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
export PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK PALISADE_ADMIN_TOKEN=$TOKEN
echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg); reference $REF = $(git rev-parse --short "$REF")"

run() { # label binary trail?
  local label=$1 bin=$2 trail=$3 p d
  p=$(port); d=$T/$label-$RANDOM
  $bin serve --addr 127.0.0.1:$p --data-dir $d --log-level warn >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -fs http://127.0.0.1:$p/_palisade/health >/dev/null && break; sleep 0.1; done
  if [ "$trail" = yes ]; then
    awsp() { AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url http://127.0.0.1:$p "$@"; }
    awsp s3api create-bucket --bucket bench-bucket >/dev/null
    awsp s3api put-bucket-policy --bucket bench-bucket --policy '{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::bench-bucket"},
      {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bench-bucket/AWSLogs/*",
       "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}'
    awsp cloudtrail create-trail --name bench --s3-bucket-name bench-bucket --enable-log-file-validation >/dev/null
    awsp cloudtrail start-logging --name bench
  fi
  ( while kill -0 $pid 2>/dev/null; do
      curl -fs -X POST -H "Authorization: Bearer $TOKEN" -d '{"advance_seconds":300}' http://127.0.0.1:$p/_palisade/clock >/dev/null || true
      sleep 1
    done ) &
  local ticker=$!
  $T/load -label "$label" -url http://127.0.0.1:$p -c $CONC -d $DUR -ak $AK -sk $SK -pid $pid
  if [ "$trail" = yes ]; then # what the trail delivered into S3 meanwhile
    AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url http://127.0.0.1:$p \
      s3 ls s3://bench-bucket --recursive --summarize | tail -2 | tr -s ' ' | paste -sd' ' | sed 's/^/# delivered: /'
  fi
  kill $ticker $pid 2>/dev/null; wait $pid 2>/dev/null || true
}
for r in $(seq "$ROUNDS"); do
  run baseline $T/palisade-ref no
  run no-trail $T/palisade no
  run trail $T/palisade yes
done
