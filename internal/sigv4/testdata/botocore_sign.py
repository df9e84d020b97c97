"""Sign requests with botocore for the Go tests (an independent SigV4 signer).

Reads a JSON list of {method, url, headers, body, service, presign, expires} on stdin
and writes the signed requests as a JSON list of {method, url, headers, body}. The
signing time is fixed to 2024-03-09T12:34:56Z so that Go can verify at a known time.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

botocore.auth.get_current_datetime = lambda remove_tzinfo=True: datetime.datetime(2024, 3, 9, 12, 34, 56)

creds = Credentials(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
out = []
for case in json.load(sys.stdin):
    s3 = case["service"] == "s3"
    if case["presign"]:
        cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
        signer = cls(creds, case["service"], "us-east-1", expires=case["expires"])
    else:
        cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
        signer = cls(creds, case["service"], "us-east-1")
    req = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode(), headers=case["headers"])
    signer.add_auth(req)
    p = req.prepare()
    body = p.body or b""
    if isinstance(body, str):
        body = body.encode()
    out.append({"method": p.method, "url": p.url, "headers": [[k, v] for k, v in p.headers.items()],
                "body": body.decode()})
json.dump(out, sys.stdout)
