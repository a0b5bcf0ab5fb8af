#!/usr/bin/env python3
"""End-to-end check of the images scripts/test-images builds (run it as `scripts/test-images --verify`).

Each case starts a stand-in Runtime API on 127.0.0.1 (GET .../invocation/next hands out one event,
POSTs to .../response and .../error are recorded), runs the image with host networking, the usual
Lambda environment and a handler directory mounted read-only at /var/task, waits for the function's
answer and removes the container. Other cases check the image config, the file layout and the
entrypoint's and bootstraps' failure paths. Standard library only; traffic stays on loopback.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENT = {"x": 1}
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
WAIT_SECONDS = 60

OFFICIAL_ENV = {
    "LANG": "en_US.UTF-8",
    "TZ": ":/etc/localtime",
    "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
}


class CheckFailed(Exception):
    pass


class RuntimeApi:
    """A one-invocation Runtime API: the first /next gets EVENT, later ones wait until shutdown."""

    def __init__(self):
        self.request_id = str(uuid.uuid4())
        self.done = threading.Event()
        self.stopping = threading.Event()
        self.result = None  # ("response" | "error" | "init-error", body, headers)
        self.next_calls = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self._send(404, b'{"errorType":"NotFound"}')
                api.next_calls += 1
                if api.next_calls > 1:
                    # The function answered; keep its next poll waiting like Lambda does.
                    api.stopping.wait(WAIT_SECONDS)
                    self.close_connection = True
                    return self._send(500, b'{"errorType":"ShuttingDown"}')
                body = json.dumps(EVENT).encode()
                self._send(200, body, [
                    ("Content-Type", "application/json"),
                    ("Lambda-Runtime-Aws-Request-Id", api.request_id),
                    ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000)),
                    ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
                    ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                ])

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                prefix = f"/2018-06-01/runtime/invocation/{api.request_id}/"
                if self.path == prefix + "response":
                    kind = "response"
                elif self.path == prefix + "error":
                    kind = "error"
                elif self.path == "/2018-06-01/runtime/init/error":
                    kind = "init-error"
                else:
                    return self._send(404, b'{"errorType":"NotFound"}')
                if api.result is None:
                    api.result = (kind, body, dict(self.headers))
                api.done.set()
                self._send(202, b'{"status":"OK"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A /next still waiting when the container is removed fails to write; that is expected.
        self.server.handle_error = lambda request, client_address: None
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def lambda_env(api_address):
    return {
        "AWS_LAMBDA_RUNTIME_API": api_address,
        "AWS_LAMBDA_FUNCTION_NAME": "f",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/f",
        "AWS_LAMBDA_LOG_STREAM_NAME": "s",
    }


def docker_run_args(image, env, task_dir=None, args=(), name=None, network="host"):
    cmd = ["docker", "run", "--rm", "--network", network]
    if name:
        cmd += ["--name", name]
    for k, v in env.items():
        cmd += ["-e", f"{k}={v}"]
    if task_dir:
        cmd += ["-v", f"{task_dir}:/var/task:ro"]
    return cmd + [image, *args]


def invoke(image, files, handler, extra_env=None):
    """Runs one invocation of `handler` (code: files) in `image`; returns the decoded response."""
    task_dir = tempfile.mkdtemp(prefix="fauxlambda-verify-")
    os.chmod(task_dir, 0o755)
    api = RuntimeApi()
    name = f"fauxlambda-verify-{uuid.uuid4().hex[:12]}"
    proc = None
    try:
        for rel, (text, mode) in files.items():
            path = os.path.join(task_dir, rel)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, mode)
        env = lambda_env(api.address)
        env.update(extra_env or {})
        proc = subprocess.Popen(
            docker_run_args(image, env, task_dir, [handler], name),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + WAIT_SECONDS
        while not api.done.wait(0.1):
            if proc.poll() is not None or time.monotonic() > deadline:
                break
        if api.result is None:
            reason = "timed out" if proc.poll() is None else f"container exited {proc.returncode}"
            raise CheckFailed(f"no answer from the function ({reason}); output:\n{collect(proc, name)}")
        kind, body, _ = api.result
        if kind != "response":
            raise CheckFailed(f"function posted {kind}: {body.decode(errors='replace')}\noutput:\n{collect(proc, name)}")
        try:
            return json.loads(body)
        except ValueError:
            raise CheckFailed(f"response is not JSON: {body!r}")
    finally:
        if proc is not None:
            collect(proc, name)
        api.close()
        shutil.rmtree(task_dir, ignore_errors=True)


def collect(proc, name):
    """Stops the container (if still running) and returns its output."""
    if proc.poll() is None:
        subprocess.run(["docker", "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return (out or b"").decode(errors="replace")[-4000:]


def expect(cond, what, detail=""):
    if not cond:
        raise CheckFailed(f"{what}{': ' + str(detail) if detail else ''}")


def run_plain(image, args=(), env=None, entrypoint=None, network="none"):
    cmd = ["docker", "run", "--rm", "--network", network]
    if entrypoint:
        cmd += ["--entrypoint", entrypoint]
    for k, v in (env or {}).items():
        cmd += ["-e", f"{k}={v}"]
    return subprocess.run(cmd + [image, *args], capture_output=True, text=True, timeout=120)


# --- Cases ------------------------------------------------------------------------------------

PY_APP = """\
import os, sys
def handler(event, context):
    return {
        "echo": event,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "arn": context.invoked_function_arn,
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "handler": os.environ.get("_HANDLER"),
        "wrapped": os.environ.get("WRAPPED"),
        "cwd": os.getcwd(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "path": sys.path,
    }
"""

NODE_CJS = """\
exports.handler = async (event, context) => ({
  echo: event,
  requestId: context.awsRequestId,
  functionName: context.functionName,
  executionEnv: process.env.AWS_EXECUTION_ENV,
  handler: process.env._HANDLER,
  nodePath: process.env.NODE_PATH,
  execArgv: process.execArgv,
  node: process.version,
  cwd: process.cwd(),
  kind: typeof require === 'function' ? 'commonjs' : 'esm',
});
"""

NODE_ESM = """\
export const handler = async (event, context) => ({
  echo: event,
  requestId: context.awsRequestId,
  node: process.version,
  kind: typeof require === 'undefined' ? 'esm' : 'commonjs',
});
"""

# A custom runtime in bash: HTTP over /dev/tcp (the image has no curl).
PROVIDED_BOOTSTRAP = r"""#!/bin/bash
set -euo pipefail
api="$AWS_LAMBDA_RUNTIME_API"
host="${api%:*}" port="${api##*:}"
while true; do
    exec 3<>"/dev/tcp/$host/$port"
    printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.0\r\nHost: %s\r\n\r\n' "$api" >&3
    read -r status <&3
    request_id=""
    while IFS= read -r line <&3; do
        line="${line%$'\r'}"
        [[ -z "$line" ]] && break
        case "${line,,}" in lambda-runtime-aws-request-id:*) request_id="${line#*: }" ;; esac
    done
    event="$(cat <&3)"
    exec 3<&-
    [[ "$status" == *" 200 "* ]] || exit 1
    body="{\"echo\":$event,\"handler\":\"$_HANDLER\",\"cwd\":\"$PWD\",\"bootstrap\":\"$0\"}"
    exec 3<>"/dev/tcp/$host/$port"
    printf 'POST /2018-06-01/runtime/invocation/%s/response HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
        "$request_id" "$api" "${#body}" "$body" >&3
    cat <&3 >/dev/null
    exec 3<&-
done
"""

WRAPPER = """#!/bin/sh
export WRAPPED="yes: $*"
exec "$@"
"""


def case_config(images):
    def check():
        for runtime, image in images.items():
            out = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True, check=True)
            config = json.loads(out.stdout)[0]["Config"]
            env = dict(e.split("=", 1) for e in config.get("Env") or [])
            for k, v in OFFICIAL_ENV.items():
                expect(env.get(k) == v, f"{image}: ENV {k}", env.get(k))
            expect(config.get("WorkingDir") == "/var/task", f"{image}: WORKDIR", config.get("WorkingDir"))
            expect(config.get("Entrypoint") == ["/lambda-entrypoint.sh"], f"{image}: ENTRYPOINT", config.get("Entrypoint"))
            expect(not config.get("Cmd"), f"{image}: has a CMD", config.get("Cmd"))
            # Layout: modes of the fixed paths, the language links.
            script = ("stat -c '%a %F %n' / /tmp /var/task /opt /var/runtime/bootstrap /lambda-entrypoint.sh;"
                      " ls /var/lang/bin; touch /tmp/w")
            r = run_plain(image, ["-c", script], entrypoint="/bin/sh")
            expect(r.returncode == 0, f"{image}: layout check failed", r.stderr)
            lines = r.stdout.splitlines()
            want = ["755 directory /", "1777 directory /tmp", "755 directory /var/task", "755 directory /opt",
                    "755 regular file /var/runtime/bootstrap", "755 regular file /lambda-entrypoint.sh"]
            expect(lines[:6] == want, f"{image}: modes", lines[:6])
            langs = set(lines[6:])
            if runtime.startswith("python"):
                expect({"python3", runtime} <= langs, f"{image}: /var/lang/bin", langs)
            elif runtime.startswith("nodejs"):
                expect("node" in langs, f"{image}: /var/lang/bin", langs)
        return f"ENV, WORKDIR, ENTRYPOINT, no CMD, modes of / /tmp /var/task /opt in {len(images)} images"
    return check


def case_python(image, version):
    def check():
        r = invoke(image, {"app.py": (PY_APP, 0o644)}, "app.handler")
        expect(r["echo"] == EVENT, "echo", r)
        expect(r["execution_env"] == f"AWS_Lambda_python{version}", "AWS_EXECUTION_ENV", r["execution_env"])
        expect(r["function_name"] == "f" and r["arn"] == FUNCTION_ARN, "context", r)
        expect(r["handler"] == "app.handler" and r["cwd"] == "/var/task", "_HANDLER/cwd", r)
        expect(r["python"].startswith(version + "."), "python version", r["python"])
        path = r["path"]
        expect(path[0] == "/var/task", "sys.path[0]", path)
        expect("/var/runtime" in path and path.index("/opt/python") < path.index("/var/runtime"),
               "sys.path: layers before /var/runtime", path)
        return f"app.handler -> {json.dumps(r['echo'])} (Python {r['python']}, {r['execution_env']})"
    return check


def case_python_wrapper(image):
    def check():
        files = {"app.py": (PY_APP, 0o644), "wrap.sh": (WRAPPER, 0o755)}
        r = invoke(image, files, "app.handler",
                   {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrap.sh", "PYTHONPATH": "/var/task/custom"})
        expect(r["echo"] == EVENT, "echo", r)
        expect((r["wrapped"] or "").startswith("yes: /var/lang/bin/python"), "exec wrapper not run", r["wrapped"])
        path = r["path"]
        expect("/var/task/custom" in path and path.index("/var/task/custom") < path.index("/var/runtime"),
               "PYTHONPATH kept before /var/runtime", path)
        expect("/opt/python" not in path, "layer paths added although PYTHONPATH was set", path)
        return f"AWS_LAMBDA_EXEC_WRAPPER ran ({r['wrapped']!r}); PYTHONPATH kept ahead of /var/runtime"
    return check


def case_node_cjs(image, major):
    def check():
        r = invoke(image, {"index.js": (NODE_CJS, 0o644)}, "index.handler")
        expect(r["echo"] == EVENT, "echo", r)
        expect(r["kind"] == "commonjs", "module kind", r)
        expect(r["node"].startswith(f"v{major}."), "node version", r["node"])
        expect(r["executionEnv"] == f"AWS_Lambda_nodejs{major}.x", "AWS_EXECUTION_ENV", r["executionEnv"])
        expect(r["nodePath"] == f"/opt/nodejs/node{major}/node_modules:/opt/nodejs/node_modules:"
               "/var/runtime/node_modules:/var/runtime:/var/task", "NODE_PATH", r["nodePath"])
        expect("--max-old-space-size=115" in r["execArgv"], "heap flags from 128 MB", r["execArgv"])
        expect(r["functionName"] == "f" and r["cwd"] == "/var/task", "context/cwd", r)
        return f"index.handler (index.js) -> {json.dumps(r['echo'])} (Node {r['node']}, {' '.join(r['execArgv'])})"
    return check


def case_node_esm(image, major):
    def check():
        r = invoke(image, {"index.mjs": (NODE_ESM, 0o644)}, "index.handler")
        expect(r["echo"] == EVENT and r["kind"] == "esm", "echo/module kind", r)
        return f"index.handler (index.mjs) -> {json.dumps(r['echo'])}"
    return check


def case_provided(image):
    def check():
        r = invoke(image, {"bootstrap": (PROVIDED_BOOTSTRAP, 0o755)}, "function.handler")
        expect(r["echo"] == EVENT, "echo", r)
        expect(r["handler"] == "function.handler" and r["bootstrap"] == "/var/task/bootstrap", "bootstrap", r)
        return f"/var/task/bootstrap (bash over /dev/tcp) -> {json.dumps(r['echo'])}"
    return check


def case_provided_missing(image):
    def check():
        r = run_plain(image, ["function.handler"], env={"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"})
        expect(r.returncode == 1, "exit status", r.returncode)
        want = "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
        expect(want in r.stderr, "message", r.stderr)
        return "no bootstrap: exit 1, " + want
    return check


def case_entrypoint(images):
    def check():
        for image in images:
            for args in ([], ["a", "b"]):
                r = run_plain(image, args)
                expect(r.returncode == 142, f"{image} with {len(args)} arguments: exit status", r.returncode)
                expect("entrypoint requires the handler name to be the first argument" in r.stderr,
                       f"{image}: message", r.stderr)
            r = run_plain(image, ["h"])
            expect(r.returncode == 1 and "AWS_LAMBDA_RUNTIME_API" in r.stderr,
                   f"{image}: without AWS_LAMBDA_RUNTIME_API", (r.returncode, r.stderr))
        return "no/two arguments: exit 142 with AWS's message; no AWS_LAMBDA_RUNTIME_API: exit 1"
    return check


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True)
    parser.add_argument("--python-version", default="3.11")
    parser.add_argument("--node", required=True)
    parser.add_argument("--node-major", required=True)
    parser.add_argument("--provided", required=True)
    a = parser.parse_args()

    images = {f"python{a.python_version}": a.python, f"nodejs{a.node_major}.x": a.node, "provided.al2023": a.provided}
    cases = [
        ("image config and layout", case_config(images)),
        ("python invoke", case_python(a.python, a.python_version)),
        ("python exec wrapper", case_python_wrapper(a.python)),
        ("node invoke (CommonJS)", case_node_cjs(a.node, a.node_major)),
        ("node invoke (ES module)", case_node_esm(a.node, a.node_major)),
        ("provided invoke", case_provided(a.provided)),
        ("provided without bootstrap", case_provided_missing(a.provided)),
        ("entrypoint arguments", case_entrypoint(list(images.values()))),
    ]
    started = time.monotonic()
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [(name, pool.submit(fn)) for name, fn in cases]
        for name, future in futures:
            try:
                print(f"test-images: ok   {name}: {future.result()}", flush=True)
            except Exception as e:  # noqa: BLE001 - report every case
                failed += 1
                print(f"test-images: FAIL {name}: {e}", flush=True)
    took = time.monotonic() - started
    if failed:
        print(f"test-images: {failed} of {len(cases)} checks failed ({took:.1f} s)", file=sys.stderr)
        return 1
    print(f"test-images: all {len(cases)} checks passed ({took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
