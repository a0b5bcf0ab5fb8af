"""fauxlambda's small Python runtime client for the Lambda Runtime API (2018-06-01), used when the
official awslambdaric is not installed. Behaves like it where a function can tell: handler
resolution, error payloads, the context object, _X_AMZN_TRACE_ID."""

import importlib
import json
import os
import socket
import sys
import time
import traceback

ERROR_CONTENT_TYPE = "application/vnd.aws.lambda.error+json"


class RuntimeApi:
    """One keep-alive HTTP/1.1 connection to the Runtime API, as the official clients keep one. A
    connection the server closed while idle is reopened once and the request sent again."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = address
        self.address = (host.strip("[]") or "127.0.0.1", int(port))
        self.prefix = "/2018-06-01/runtime"
        self.sock = None
        self.reader = None

    def close(self):
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
        self.sock = self.reader = None

    def request(self, method, path, body=b"", headers=None):
        """Returns (status, lower-cased headers, body)."""
        head = "%s %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, self.prefix, path, self.host, len(body))
        for name, value in (headers or {}).items():
            head += "%s: %s\r\n" % (name, value)
        message = (head + "\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            fresh = self.sock is None
            try:
                if fresh:
                    self.sock = socket.create_connection(self.address)
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.reader = self.sock.makefile("rb")
                self.sock.sendall(message)
                status_line = self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("the Runtime API closed the connection")
            except OSError:
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            return self.read_response(status_line)

    def read_response(self, status_line):
        status = int(status_line.split(None, 2)[1])
        headers = {}
        readline = self.reader.readline
        while True:
            line = readline()
            if line in (b"\r\n", b"\n", b""):
                break
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                text = line.decode("latin-1")
            name, _, value = text.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(readline().split(b";")[0], 16)
                if size == 0:
                    while readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.reader.read(size))
                readline()
            body = b"".join(parts)
        else:
            body = self.reader.read(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


API = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])


def request(method, path, body=b"", headers=None):
    _, response_headers, response_body = API.request(method, path, body, headers)
    return response_body, response_headers


def make_error(message, error_type, stack_trace, request_id=""):
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id, "stackTrace": stack_trace or []}


def log_error(err):
    lines = ["[ERROR] %s: %s" % (err["errorType"], err["errorMessage"]) if err["errorMessage"] else "[ERROR] " + err["errorType"]]
    if err["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(l.rstrip("\n") for l in err["stackTrace"])
    print("\r".join(lines), flush=True)


def post_error(path, err):
    body = json.dumps(err).encode()
    request("POST", path, body, {"Content-Type": ERROR_CONTENT_TYPE,
                                 "Lambda-Runtime-Function-Error-Type": err["errorType"]})


def user_frames(tb):
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == __file__:
        frames = frames[1:]
    return traceback.format_list(frames)


def load_handler(handler):
    if "." not in handler:
        return None, make_error("Bad handler '%s': not enough values to unpack (expected 2, got 1)" % handler,
                                "Runtime.MalformedHandlerName", [])
    modname, fname = handler.rsplit(".", 1)
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            return None, make_error("Cannot use built-in module %s as a handler module" % modname,
                                    "Runtime.BuiltInModuleConflict", [])
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        return None, make_error("Unable to import module '%s': %s" % (modname, e), "Runtime.ImportModuleError", [])
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        return None, make_error("Syntax error in module '%s': %s" % (modname, e), "Runtime.UserCodeSyntaxError", trace)
    except Exception as e:
        return None, make_error(str(e), type(e).__name__, user_frames(sys.exc_info()[2]))
    fn = getattr(module, fname, None)
    if fn is None:
        return None, make_error("Handler '%s' missing on module '%s'" % (fname, modname), "Runtime.HandlerNotFound", [])
    return fn, None


class CognitoIdentity:
    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, data):
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")


class ClientContext:
    def __init__(self, data):
        self.client = Client(data["client"]) if data.get("client") else None
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    def __init__(self, request_id, deadline_ms, arn, client_context, identity, tenant_id):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = arn
        self.client_context = ClientContext(client_context) if client_context else None
        self.identity = CognitoIdentity(identity or {})
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s])" % (
            self.aws_request_id, self.function_name, self.function_version)


def main():
    handler_name = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("_HANDLER", "")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    handler, err = load_handler(handler_name)
    if err is not None:
        log_error(err)
        post_error("/init/error", err)
        sys.exit(1)
    while True:
        body, headers = request("GET", "/invocation/next")
        request_id = headers.get("lambda-runtime-aws-request-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            cc = headers.get("lambda-runtime-client-context")
            ci = headers.get("lambda-runtime-cognito-identity")
            context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms") or 0),
                                    headers.get("lambda-runtime-invoked-function-arn"),
                                    json.loads(cc) if cc else None, json.loads(ci) if ci else None,
                                    headers.get("lambda-runtime-aws-tenant-id"))
            event = json.loads(body) if body else {}
            result = json.dumps(handler(event, context)).encode()
        except Exception as e:
            err = make_error(str(e), type(e).__name__, user_frames(sys.exc_info()[2]), request_id)
            log_error(err)
            post_error("/invocation/%s/error" % request_id, err)
            continue
        request("POST", "/invocation/%s/response" % request_id, result, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
