"""Shared fixtures of the boto3 suite: a fauxlambda binary started once per session on a free
loopback port with its own data directory, a boto3 Lambda client for it, and function helpers."""

import base64
import hashlib
import io
import os
import pathlib
import socket
import subprocess
import time
import uuid
import zipfile

import boto3
import botocore.config
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
# Waiters poll fast: fauxlambda settles a create or an update in about 100 ms.
FAST = {"Delay": 0.1, "MaxAttempts": 100}


def eventually(what, deadline, check, every=0.02):
    """Waits for a condition instead of for a time: calls `check()` at once and then every `every`
    seconds until it returns something truthy, and returns that; fails the test with
    "{what}: not true within {deadline} s" once `deadline` seconds have passed."""
    until = time.monotonic() + deadline
    while True:
        past = time.monotonic() >= until
        value = check()
        if value:
            return value
        if past:
            pytest.fail(f"{what}: not true within {deadline} s")
        time.sleep(every)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def py_zip(value="echo"):
    return make_zip({"app.py": f"def handler(event, context):\n    return {value!r}\n"})


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def function_arn(name, qualifier=None):
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    binary = os.environ.get("FAUXLAMBDA_BIN", str(ROOT / "target" / "debug" / "fauxlambda"))
    if not os.path.exists(binary):
        pytest.exit(f"fauxlambda binary not found at {binary}: run `cargo build` or set FAUXLAMBDA_BIN", returncode=2)
    port = free_port()
    data = tmp_path_factory.mktemp("fauxlambda-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    log = open(data.parent / "fauxlambda.log", "wb")
    proc = subprocess.Popen(
        [binary, "--listen", f"127.0.0.1:{port}", "--data-dir", str(data), "--log-level", "warn", "--executor", "process"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.exit(f"fauxlambda did not start (see {log.name})", returncode=2)
            time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="session")
def lam(endpoint):
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture
def make_function(lam):
    """Creates Python functions with unique names, waits until they are Active, deletes them after."""
    created = []

    def make(prefix="fn", code=None, wait=True, **extra):
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        args = dict(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": code if code is not None else py_zip()},
        )
        args.update(extra)
        out = lam.create_function(**args)
        created.append(name)
        if wait:
            lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=FAST)
        return name, out

    yield make
    for name in created:
        try:
            lam.delete_function(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            pass
