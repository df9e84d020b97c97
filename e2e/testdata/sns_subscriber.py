"""An SNS HTTP subscriber, as a user would write one: it verifies every message's
signature the way AWS documents ("Verifying the signatures of Amazon SNS messages":
fetch the certificate at SigningCertURL, rebuild the string to sign from the message's
fields, check the RSA signature with SHA1 for SignatureVersion 1 and SHA256 for 2),
confirms its subscription with the token (a signed ConfirmSubscription call through
boto3), and reports each message as one JSON line on stdout.

Usage: sns_subscriber.py PORT ENDPOINT_URL
(credentials from the environment, as for any boto3 client)."""

import base64
import json
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
CONFIRMATION_KEYS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]


def verify(msg):
    pem = urllib.request.urlopen(msg["SigningCertURL"]).read()
    cert = x509.load_pem_x509_certificate(pem)
    keys = NOTIFICATION_KEYS if msg["Type"] == "Notification" else CONFIRMATION_KEYS
    text = "".join(f"{k}\n{msg[k]}\n" for k in keys if k in msg)
    algorithm = hashes.SHA256() if msg.get("SignatureVersion") == "2" else hashes.SHA1()
    try:
        cert.public_key().verify(base64.b64decode(msg["Signature"]), text.encode(), padding.PKCS1v15(), algorithm)
        return True
    except Exception:
        return False


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = json.loads(body)
        ok = verify(msg)
        report = {"type": msg["Type"], "header": self.headers.get("x-amz-sns-message-type"), "verified": ok,
                  "message": msg.get("Message"), "subject": msg.get("Subject")}
        if msg["Type"] == "SubscriptionConfirmation" and ok:
            sns = boto3.client("sns", endpoint_url=sys.argv[2], region_name="us-east-1")
            arn = sns.confirm_subscription(TopicArn=msg["TopicArn"], Token=msg["Token"])["SubscriptionArn"]
            report["confirmed"] = arn
        print(json.dumps(report), flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(json.dumps({"type": "listening"}), flush=True)
    server.serve_forever()
