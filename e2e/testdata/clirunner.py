"""Runs aws CLI commands inside one long-lived Python process.

The e2e tests drive the real aws CLI (awscli.clidriver, the code behind `aws`), but a
fresh `aws` process spends most of a second importing botocore and loading models; this
runner imports once and then runs each command with a fresh driver and session, its own
environment and working directory. Protocol: one JSON request per line on stdin
({"args": [...], "env": {...}, "cwd": "..."}), one JSON answer per line on stdout
({"rc": N, "out": "..."}), the command's stdout followed by its stderr.
"""
import io
import json
import os
import sys

before = dict(os.environ)
import awscli.clidriver  # noqa: E402

# Variables the CLI sets for itself on import (v2 points AWS_DATA_PATH at its data).
own = {k: v for k, v in os.environ.items() if before.get(k) != v}
real_stdout = sys.stdout
for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear()
    os.environ.update(own)
    os.environ.update(req["env"])
    os.chdir(req.get("cwd") or "/")
    # Text streams over bytes, as the real ones are: some CLI paths write to .buffer.
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    sys.stdout, sys.stderr = out, err
    try:
        if hasattr(awscli.clidriver, "AWSCLIEntryPoint"):  # v2: the entry point `aws` runs
            rc = awscli.clidriver.AWSCLIEntryPoint().main(req["args"])
        else:
            rc = awscli.clidriver.create_clidriver().main(req["args"])
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception as e:  # the CLI's own crash: report it as a failed command
        err.write("clirunner: %r\n" % (e,))
        rc = 255
    finally:
        sys.stdout, sys.stderr = real_stdout, sys.__stderr__
    text = (out.buffer.getvalue() + err.buffer.getvalue()).decode("utf-8", "replace")
    real_stdout.write(json.dumps({"rc": rc or 0, "out": text}) + "\n")
    real_stdout.flush()
