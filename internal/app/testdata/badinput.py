# Sends every served operation generated inputs through botocore (the aws CLI's
# library, with its own serializers for every protocol and its SigV4 signer) and
# reports each answer that is not AWS-shaped: a 5xx status (but S3's 501
# NotImplemented), a dropped connection, a timeout or a body botocore cannot parse.
#
#   python3 badinput.py URL ACCESS_KEY SECRET REGION SEED PER_OP [MODE] < plan.json
#
# MODE "onebad" (opt-in; the default leaves what every seed generates as it was):
# every third input is a valid one with a single leaf replaced by a bad value, drawn
# from a wider set of extremes (2^31-1, 2^53+1, NaN, ±Infinity, the smallest double)
# — an error elsewhere in the input no longer hides the one that breaks the server —
# and after all operations a second pass calls each again with valid inputs, so state
# an earlier call stored that breaks a later one is seen.
#
# plan.json maps botocore service names to the operations Palisade serves. Inputs mix
# shapes that pass the model's constraints (to reach the handlers, with the names of
# resources made first) with ones that break them (lengths, enums, ranges, patterns).
# Prints one JSON line per bad answer, then a summary line.
import datetime
import json
import random
import re
import sys
import urllib.parse

import botocore.config
import botocore.exceptions
import botocore.parsers
import botocore.session


def crc_class(poly, width):
    """A botocore checksum class for a reflected CRC (init and final xor all ones).

    botocore computes CRC32C and CRC-64/NVME only through awscrt, which this machine
    lacks (and cannot fetch): without these, inputs naming them were never sent,
    though the aws CLI v2 sends them.
    """
    mask = (1 << width) - 1
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)

    class Checksum(botocore.httpchecksum.BaseChecksum):
        def __init__(self):
            self._crc = 0

        def update(self, chunk):
            c = self._crc ^ mask
            for b in chunk:
                c = table[(c ^ b) & 0xFF] ^ (c >> 8)
            self._crc = c ^ mask

        def digest(self):
            return self._crc.to_bytes(width // 8, byteorder="big")

    return Checksum


import botocore.httpchecksum  # noqa: E402

if not botocore.httpchecksum.HAS_CRT:
    for name, cls in {"crc32c": crc_class(0x82F63B78, 32), "crc64nvme": crc_class(0x9A6C9329AC4BC9B5, 64)}.items():
        c = cls()
        c.update(b"123456789")
        assert c.digest().hex() == {"crc32c": "e3069283", "crc64nvme": "ae8b14860a799888"}[name], name
        botocore.httpchecksum._CHECKSUM_CLS[name] = cls
        botocore.httpchecksum._SUPPORTED_CHECKSUM_ALGORITHMS.append(name)

url, ak, sk, region, seed, per_op = sys.argv[1:7]
mode = sys.argv[7] if len(sys.argv) > 7 else ""
per_op = int(per_op)
plan = json.load(sys.stdin)
rnd = random.Random(int(seed))
host = url.split("://", 1)[1].rstrip("/")

session = botocore.session.get_session()
config = botocore.config.Config(
    retries={"max_attempts": 1, "mode": "standard"},
    parameter_validation=False,
    read_timeout=20,
    connect_timeout=5,
    inject_host_prefix=False,
    s3={"addressing_style": "path"},
)
checked = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})

sent = {}


def remember(request, **_):
    sent["url"] = request.url


def client(name, cfg=config):
    if name == "s3control":
        # S3 Control's endpoint rules put the account ID in front of the host name,
        # which no DNS resolves here: Palisade itself is the HTTP proxy (it takes
        # absolute-form request targets), as a DNS entry would make it the server.
        cfg = cfg.merge(botocore.config.Config(proxies={"http": url}))
    c = session.create_client(name, region_name=region, endpoint_url=url,
                              aws_access_key_id=ak, aws_secret_access_key=sk, config=cfg)
    c.meta.events.register("before-send", remember)
    return c


# Resources for inputs to name, so that calls get past "not found".
pool = {}


def fixture(fn, *keys):
    try:
        out = fn()
    except Exception as e:  # a fixture that fails leaves its names out of the pool
        print(json.dumps({"fixture_failed": str(e)}), file=sys.stderr)
        return
    for k, v in keys:
        pool.setdefault(k, []).append(v(out) if callable(v) else v)


kms = client("kms", checked)
fixture(lambda: kms.create_key(Description="fz"), ("KeyId", lambda o: o["KeyMetadata"]["KeyId"]),
        ("KeyId", lambda o: o["KeyMetadata"]["Arn"]))
if pool.get("KeyId"):
    fixture(lambda: kms.create_alias(AliasName="alias/fz", TargetKeyId=pool["KeyId"][0]),
            ("KeyId", "alias/fz"), ("AliasName", "alias/fz"))
    fixture(lambda: kms.encrypt(KeyId=pool["KeyId"][0], Plaintext=b"fz"),
            ("CiphertextBlob", lambda o: o["CiphertextBlob"]))
iam = client("iam", checked)
fixture(lambda: iam.create_user(UserName="fz-user"), ("UserName", "fz-user"),
        ("Arn", lambda o: o["User"]["Arn"]))
fixture(lambda: iam.create_group(GroupName="fz-group"), ("GroupName", "fz-group"))
fixture(lambda: iam.create_role(RoleName="fz-role", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]})),
        ("RoleName", "fz-role"), ("RoleArn", lambda o: o["Role"]["Arn"]))
fixture(lambda: iam.create_policy(PolicyName="fz-policy", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})),
        ("PolicyArn", lambda o: o["Policy"]["Arn"]), ("PolicyName", "fz-policy"))
sns = client("sns", checked)
fixture(lambda: sns.create_topic(Name="fz-topic"), ("TopicArn", lambda o: o["TopicArn"]))
sqs = client("sqs", checked)
fixture(lambda: sqs.create_queue(QueueName="fz-queue"), ("QueueUrl", lambda o: o["QueueUrl"]),
        ("QueueName", "fz-queue"))
logs = client("logs", checked)
fixture(lambda: logs.create_log_group(logGroupName="fz-lg"), ("logGroupName", "fz-lg"),
        ("logGroupIdentifier", "fz-lg"))
fixture(lambda: logs.create_log_stream(logGroupName="fz-lg", logStreamName="fz-ls"), ("logStreamName", "fz-ls"))
s3 = client("s3", checked)
fixture(lambda: s3.create_bucket(Bucket="fz-bucket"), ("Bucket", "fz-bucket"))
fixture(lambda: s3.put_object(Bucket="fz-bucket", Key="obj", Body=b"fz"), ("Key", "obj"))
cw = client("cloudwatch", checked)
fixture(lambda: cw.put_metric_alarm(AlarmName="fz-alarm", Namespace="N", MetricName="M", Statistic="Sum", Period=60,
                                    EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold"),
        ("AlarmName", "fz-alarm"), ("AlarmNames", "fz-alarm"))
fixture(lambda: s3.put_bucket_policy(Bucket="fz-bucket", Policy=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": "arn:aws:s3:::fz-bucket"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::fz-bucket/*"}]})))
ct = client("cloudtrail", checked)
fixture(lambda: ct.create_trail(Name="fz-trail", S3BucketName="fz-bucket"), ("TrailName", "fz-trail"),
        ("Name", "fz-trail"))

# Member names whose values should come from the pool (by the end of the name).
aliases = {"TargetKeyId": "KeyId", "DestinationKeyId": "KeyId", "SourceKeyId": "KeyId", "KeyArn": "KeyId",
           "KmsMasterKeyId": "KeyId", "KmsKeyId": "KeyId", "kmsKeyId": "KeyId", "UserArn": "Arn",
           "ResourceArn": "TopicArn", "TargetArn": "TopicArn", "Endpoint": "QueueUrl", "BucketName": "Bucket",
           "S3BucketName": "Bucket", "logGroupNamePrefix": "logGroupName", "QueueNamePrefix": "QueueName"}
bad_strings = ["", " ", "x" * 300, "x" * 5000, "\u00fc\u4e2d\U0001F600", "../../etc/passwd", "%00", "a\nb",
               "{", "[]", "null", "-1", "arn:aws:", "arn:aws:iam::123456789012:", "*", "alias/", "alias/aws/s3",
               "http://", "1e309", "\t"]
words = ["x", "fz", "test-1", "a/b", "arn:aws:s3:::fz-bucket", "123456789012", "us-east-1", "2012-10-17",
         "{}", '{"a":1}', "AES_256", "SYMMETRIC_DEFAULT", "true"]


def fits(shape, s):
    m = shape.metadata
    if len(s) < m.get("min", 0) or ("max" in m and len(s) > m["max"]):
        return False
    p = m.get("pattern")
    if p:
        try:
            return re.fullmatch(p, s) is not None
        except re.error:
            return True
    return True


def string(shape, name, valid):
    enum = shape.enum
    if enum:
        return rnd.choice(enum) if valid or rnd.random() < 0.5 else rnd.choice(["BOGUS", "", enum[0].lower()])
    if not valid:
        return rnd.choice(bad_strings + words)
    cands = list(pool.get(name, [])) + list(pool.get(aliases.get(name, ""), []))
    for k, v in pool.items():
        if name.endswith(k) and k != name:
            cands += v
    cands = [c for c in cands if isinstance(c, str)]
    rnd.shuffle(cands)
    extra = list(words)
    rnd.shuffle(extra)
    for c in cands + extra:
        if fits(shape, c):
            return c
    n = max(int(shape.metadata.get("min", 1)), 1)
    return "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(min(n, 64)))


def number(shape, name, valid, integer):
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    if name in ("WaitTimeSeconds",):
        return 0
    if valid:
        lo = 0 if lo is None else lo
        if mode == "onebad" and rnd.random() < 0.5:
            # Small round values pass more of the checks the model does not state
            # (CloudWatch's StorageResolution 1 or 60, periods of 60 s).
            v = rnd.choice([max(lo, 1), max(lo, 60)])
            return int(v) if integer else float(v)
        hi = lo + 100 if hi is None else min(hi, lo + 100000)
        v = rnd.uniform(lo, hi)
        return int(v) if integer else v
    choices = [-1, 0, 2**31, 2**63 - 1, -2**31] if integer else [-1.5, 0.0, 1e308, -1e308, float("nan")]
    if mode == "onebad":
        choices += [2**31 - 1, 2**53 + 1, 2**32] if integer else [float("inf"), float("-inf"), 5e-324, 2.0**361]
    return rnd.choice(choices)


def value(shape, name, valid, depth):
    t = shape.type_name
    if depth > 6:
        return None
    if t == "structure":
        if shape.metadata.get("document"):
            return {"a": 1}
        out = {}
        req = set(shape.required_members)
        union = shape.is_tagged_union if hasattr(shape, "is_tagged_union") else False
        members = list(shape.members.items())
        if union and members:
            members = [rnd.choice(members)]
        for mname, m in members:
            if m.type_name == "structure" and m.metadata.get("document"):
                continue
            # A Content-Length the body does not match leaves the server waiting for
            # bytes that never come (AWS too, until its idle timeout).
            if mname == "ContentLength":
                continue
            keep = mname in req if valid and rnd.random() < 0.3 else rnd.random() < (0.6 if valid else 0.4)
            if mname in req and (valid or rnd.random() < 0.8):
                keep = True
            if keep:
                v = value(m, mname, valid or rnd.random() < 0.5, depth + 1)
                if v is not None:
                    out[mname] = v
        return out
    if t == "list":
        lo = shape.metadata.get("min", 0)
        n = rnd.randint(lo, lo + 2) if valid else rnd.choice([0, 1, 3, 200])
        return [v for v in (value(shape.member, name, valid, depth + 1) for _ in range(n)) if v is not None]
    if t == "map":
        n = rnd.randint(0, 2) if valid else rnd.choice([0, 1, 60])
        return {str(value(shape.key, "key", valid, depth + 1)): value(shape.value, "value", valid, depth + 1)
                for _ in range(n)}
    if t == "string":
        return string(shape, name, valid)
    if t in ("integer", "long"):
        return number(shape, name, valid, True)
    if t in ("float", "double"):
        return number(shape, name, valid, False)
    if t == "boolean":
        return rnd.random() < 0.5
    if t == "timestamp":
        now = datetime.datetime.now(datetime.timezone.utc)
        if valid:
            return now + datetime.timedelta(seconds=rnd.randint(-86400 * 3, 3600))
        return rnd.choice([datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc),
                           datetime.datetime(9999, 1, 1, tzinfo=datetime.timezone.utc), now])
    if t == "blob":
        if name in pool and valid and rnd.random() < 0.7:
            return rnd.choice(pool[name])
        lo = int(shape.metadata.get("min", 0))
        n = rnd.randint(lo, lo + 64) if valid else rnd.choice([0, 1, 5000])
        return bytes(rnd.getrandbits(8) for _ in range(n))
    return None


def leaf_slots(shape, v, name, out, parent=None, key=None):
    """Collects (container, key, shape, member name) for every scalar in v."""
    t = shape.type_name
    if t == "structure" and isinstance(v, dict):
        for mname, m in shape.members.items():
            if mname in v:
                leaf_slots(m, v[mname], mname, out, v, mname)
    elif t == "list" and isinstance(v, list):
        for i, x in enumerate(v):
            leaf_slots(shape.member, x, name, out, v, i)
    elif t == "map" and isinstance(v, dict):
        for k in list(v):
            leaf_slots(shape.value, v[k], "value", out, v, k)
    elif parent is not None:
        out.append((parent, key, shape, name))


def one_bad(shape, params):
    """Valid params with one scalar replaced by a bad value, if there is one."""
    slots = []
    leaf_slots(shape, params, "", slots)
    if slots:
        # Numbers half the time when there are any: that is where the extremes are.
        numbers = [x for x in slots if x[2].type_name in ("integer", "long", "float", "double")]
        parent, key, s, name = rnd.choice(numbers if numbers and rnd.random() < 0.5 else slots)
        v = value(s, name, False, 0)
        if v is not None:
            parent[key] = v
    return params


token = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def refused_header_name(om, params):
    """A header name Go's net/http refuses before Palisade sees the request.

    S3's Metadata map becomes x-amz-meta-NAME headers. Python's http.client sends
    any name without ':' or white space, but Go's server answers a name that is not
    an RFC 9110 token (x-amz-meta-{}, x-amz-meta-a/b) with a plain-text
    "400 Bad Request" and closes the connection, sometimes before the client reads
    the answer (a ConnectionClosedError, seed 14). That answer is the HTTP library's,
    not Palisade's: such inputs are not sent, and are counted with those the client
    would not send.
    """
    shape = om.input_shape
    if shape is None:
        return False
    for mname, m in shape.members.items():
        if m.serialization.get("location") == "headers" and isinstance(params.get(mname), dict):
            prefix = m.serialization.get("name", "")
            if any(not token.fullmatch(prefix + str(k)) for k in params[mname]):
                return True
    return False


calls = skipped = bad = 0
debug_ok = set(filter(None, __import__('os').environ.get('BADINPUT_DEBUG_OK', '').split(',')))


def send(service, op, om, method, params, phase):
    """Makes one call and reports it if the answer is not AWS-shaped."""
    global calls, skipped, bad
    if refused_header_name(om, params):
        skipped += 1
        return
    sent.clear()
    problem = None
    try:
        method(**params)
        calls += 1
        if op in debug_ok:
            print(json.dumps({"ok": op, "params": repr(params)[:600]}), file=sys.stderr)
    except botocore.exceptions.ClientError as e:
        calls += 1
        meta = e.response.get("ResponseMetadata", {})
        status = meta.get("HTTPStatusCode", 0)
        err = e.response.get("Error", {})
        # 501 NotImplemented is how S3 (and Palisade, for the parts of an
        # operation it does not serve, as docs/COVERAGE.md lists) says "not here".
        if status >= 500 and not (status == 501 and err.get("Code") == "NotImplemented") or not err.get("Code"):
            problem = {"status": status, "code": err.get("Code"), "message": err.get("Message")}
    except (botocore.exceptions.ReadTimeoutError, botocore.exceptions.ConnectionClosedError,
            botocore.exceptions.EndpointConnectionError, botocore.parsers.ResponseParserError) as e:
        netloc = urllib.parse.urlsplit(sent.get("url", "")).netloc
        if netloc == host or netloc.endswith("." + host):
            calls += 1
            problem = {"exception": type(e).__name__, "message": str(e)[:300]}
        else:
            skipped += 1
    except Exception as e:  # the client refused to build or send the request
        skipped += 1
    if problem:
        bad += 1
        problem.update({"service": service, "operation": op, "params": repr(params)[:600]})
        if phase:
            problem["phase"] = phase
        print(json.dumps(problem), flush=True)


def operations():
    for service, ops in sorted(plan.items()):
        c = client(service)
        model = c.meta.service_model
        for op in sorted(ops):
            om = model.operation_model(op)
            yield service, op, om, getattr(c, {v: k for k, v in c.meta.method_to_api_mapping.items()}[op])


for service, op, om, method in operations():
    for i in range(per_op):
        valid = i % 3 != 2
        if mode == "onebad" and not valid and om.input_shape is not None:
            params = one_bad(om.input_shape, value(om.input_shape, "", True, 0))
        else:
            params = value(om.input_shape, "", valid, 0) if om.input_shape is not None else {}
        if i == 0:
            params = {}
        send(service, op, om, method, params, "")
if mode == "onebad":
    # State stored by one call that breaks a later one: every operation again, with no
    # input and with a valid one.
    for service, op, om, method in operations():
        send(service, op, om, method, {}, "second pass")
        if om.input_shape is not None:
            send(service, op, om, method, value(om.input_shape, "", True, 0), "second pass")
print(json.dumps({"summary": True, "calls": calls, "skipped": skipped, "bad": bad}), flush=True)
