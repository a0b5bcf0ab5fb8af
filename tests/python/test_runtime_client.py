"""fauxlambda's own Python runtime client (src/execution/runtime_clients/bootstrap.py) against a stand-in
Runtime API that is harder on it than fauxlambda is: responses close their connection (saying so,
or not) or come chunked, so the client must reconnect, resend, and read either framing. (The function suite in
tests/execution.rs runs the same client against fauxlambda itself.)"""

import json
import pathlib
import socket
import subprocess
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLIENT = ROOT / "src" / "execution" / "runtime_clients" / "bootstrap.py"


class StandIn:
    """Serves `events` one by one on /next, alternating `Connection: close` and chunked bodies,
    and records what the client posts back."""

    def __init__(self, events):
        self.events = list(events)
        self.posted = []
        self.connections = 0
        self.done = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        n = 0
        while not self.done.is_set():
            conn, _ = self.listener.accept()
            self.connections += 1
            reader = conn.makefile("rb")
            while True:
                line = reader.readline()
                if not line:
                    break
                method, path, _ = line.decode().split(" ", 2)
                length = 0
                while (h := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = h.decode().partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = reader.read(length)
                if method == "GET" and path.endswith("/invocation/next"):
                    if not self.events:
                        self.done.set()
                        reader.close()
                        conn.close()
                        return
                    n += 1
                    event = json.dumps(self.events.pop(0)).encode()
                    headers = (
                        f"Lambda-Runtime-Aws-Request-Id: req-{n}\r\n"
                        "Lambda-Runtime-Deadline-Ms: 9999999999999\r\n"
                        "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:f\r\n"
                    )
                    if n % 2:
                        conn.sendall(f"HTTP/1.1 200 OK\r\n{headers}Content-Length: {len(event)}\r\nConnection: close\r\n\r\n".encode() + event)
                        break
                    half = len(event) // 2
                    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (event[:half], event[half:])) + b"0\r\n\r\n"
                    conn.sendall(f"HTTP/1.1 200 OK\r\n{headers}Transfer-Encoding: chunked\r\n\r\n".encode() + chunks)
                else:
                    self.posted.append((path, json.loads(body)))
                    # Closed without saying so, as a server dropping an idle keep-alive connection:
                    # the client's next request on it fails and must be sent again on a new one.
                    conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n")
                    break
            reader.close()
            conn.close()


def test_client_reconnects_and_reads_both_framings(tmp_path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {'got': event, 'id': context.aws_request_id}\n")
    events = [{"n": i, "text": "x" * (i * 100)} for i in range(1, 6)]
    api = StandIn(events)
    env = {"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.port}", "LAMBDA_TASK_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([sys.executable, str(CLIENT), "app.handler"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert api.done.wait(30), f"the client did not poll for a sixth event; it posted {api.posted}"
    finally:
        proc.kill()
        output = proc.communicate()[0].decode()
    assert api.posted == [(f"/2018-06-01/runtime/invocation/req-{i}/response", {"got": e, "id": f"req-{i}"}) for i, e in enumerate(events, 1)], output
    # Every response but the chunked ones closed the connection: the client opened a new one each time.
    assert api.connections >= len(events) + 3
