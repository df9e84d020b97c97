#!/usr/bin/env bash
# Issue 5's benchmark: Palisade and moto side by side on this machine, same client.
#   bench/sts/run.sh [duration] [concurrency...]
# Measures (1) sts:AssumeRole by an IAM user (trust policy and identity policy
# evaluated, credentials sealed into a token; moto checks neither) and (2) a freshly
# signed sts:GetCallerIdentity with the temporary credentials AssumeRole returned
# (Palisade opens and checks the token on every request), beside the same call
# signed with the user's long-term key. Prints one JSON line per
# measurement; docs/PERFORMANCE.md records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-5s}; shift || true
CONCS=${*:-"1 16"}
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf $T' EXIT
AK=AKIAIOSFODNN7EXAMPLE; SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
go build -o $T/palisade ./cmd/palisade
go build -o $T/load ./bench/load
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
export PALISADE_ROOT_ACCESS_KEY_ID=$AK PALISADE_ROOT_SECRET_ACCESS_KEY=$SK

echo "# machine: $(nproc) cores, $(uname -r), $(date -u +%F), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# moto: $(python3 -c 'import moto;print(moto.__version__)')"
P=$(port); $T/palisade serve --addr 127.0.0.1:$P --data-dir $T/d --log-level warn >/dev/null 2>&1 &
M=$(port); moto_server -H 127.0.0.1 -p $M >/dev/null 2>&1 &
for _ in $(seq 100); do curl -fs http://127.0.0.1:$P/_palisade/health >/dev/null && curl -fs -o /dev/null http://127.0.0.1:$M/moto-api/ && break; sleep 0.1; done

# The same set-up in both: a user allowed sts:AssumeRole, a role trusting the account.
setup() { python3 - "$1" "$AK" "$SK" <<'PY'
import json, sys, boto3
url, ak, sk = sys.argv[1:4]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=ak, aws_secret_access_key=sk)
iam = boto3.client("iam", **kw)
iam.create_user(UserName="bench")
iam.put_user_policy(UserName="bench", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
k = iam.create_access_key(UserName="bench")["AccessKey"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]}
arn = iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
sts = boto3.client("sts", **dict(kw, aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"]))
c = sts.assume_role(RoleArn=arn, RoleSessionName="bench")["Credentials"]
print(k["AccessKeyId"], k["SecretAccessKey"], arn, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
PY
}
read -r PUAK PUSK PARN PTAK PTSK PTOK < <(setup http://127.0.0.1:$P)
read -r MUAK MUSK MARN MTAK MTSK MTOK < <(setup http://127.0.0.1:$M)
ASSUME="Action=AssumeRole&Version=2011-06-15&RoleSessionName=bench&RoleArn="
for c in $CONCS; do
  $T/load -label palisade-assume-role -url http://127.0.0.1:$P -c $c -d $DUR -ak $PUAK -sk $PUSK -body "$ASSUME$PARN"
  $T/load -label moto-assume-role -url http://127.0.0.1:$M -c $c -d $DUR -ak $MUAK -sk $MUSK -body "$ASSUME$MARN"
  $T/load -label palisade-longterm-caller-identity -url http://127.0.0.1:$P -c $c -d $DUR -ak $PUAK -sk $PUSK
  $T/load -label palisade-session-caller-identity -url http://127.0.0.1:$P -c $c -d $DUR -ak $PTAK -sk $PTSK -token "$PTOK"
  $T/load -label moto-session-caller-identity -url http://127.0.0.1:$M -c $c -d $DUR -ak $MTAK -sk $MTSK -token "$MTOK"
done
