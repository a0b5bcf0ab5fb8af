#!/usr/bin/env python3
"""Model-driven check of every Lambda operation against a real fauxlambda.

Starts the fauxlambda binary (env FAUXLAMBDA_BIN, default target/debug/fauxlambda) on a free loopback
port with its own data directory, creates fixtures through boto3, then calls every operation of
model/lambda.json's service once with a valid input built from the Smithy model (every member set,
every length/range/pattern/enum constraint respected) and checks the answer against the model: a
success must match the output shape (required members, types, enum values, constraints, no unknown
members), an error must be one the operation models, with the status code the model gives it.

Writes conformance/model-check.json (one entry per operation, sorted; details are deterministic) and
prints a summary. `--strict` exits non-zero when any operation is a violation. `--out PATH` writes
elsewhere; `--only Op1,Op2` runs a subset (fixtures are still created; the JSON is not written).

Usage: python3 conformance/model_check.py [--strict] [--out PATH] [--only Ops]
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.response import StreamingBody

from lambda_model import NOTES, NS, ROOT, SERVICE, SHAPES, check_members, check_value, service_operations, shape, short, traits
from model_inputs import (ALIAS, CP, FN, FUNCTION_ZIP, FX, LAYER, LAYER_ZIP, QUEUE_ARN, REGION, ROLE, SIGNER_ARN, InputProblem,
                          build_input)

# ---------------------------------------------------------------------------------------------------
# The server and the client

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server():
    binary = os.environ.get("FAUXLAMBDA_BIN", os.path.join(ROOT, "target", "debug", "fauxlambda"))
    port = free_port()
    data = tempfile.mkdtemp(prefix="fauxlambda-model-check-")
    log = open(os.path.join(data, "server.log"), "wb")
    proc = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--data-dir", os.path.join(data, "state"),
                             "--log-level", "warn", "--executor", "process"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                sys.exit(f"model_check: {binary} did not start (see {log.name})")
            time.sleep(0.05)
    return proc, port, data


def make_client(port):
    return boto3.client(
        "lambda", region_name=REGION, endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="AKIDMODELCHECK", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60, connect_timeout=5,
                      parameter_validation=True))


RAW = {}


def capture_raw(http_response, model, **_):
    """Keeps the raw body of non-streaming answers, to find members the boto3 parser would drop."""
    RAW.clear()
    RAW["status"] = http_response.status_code
    if not model.has_streaming_output and not model.has_event_stream_output:
        RAW["body"] = http_response.content


def wait_active(client, name, log):
    deadline = time.time() + 30
    while time.time() < deadline:
        c = client.get_function_configuration(FunctionName=name)
        if c.get("State") == "Active" and c.get("LastUpdateStatus") != "InProgress":
            return
        time.sleep(0.1)
    log.append(f"{name} did not become Active")


def settle(client, name=FN):
    """Waits (briefly) until a function is Active with no update in progress; ignores errors."""
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            c = client.get_function_configuration(FunctionName=name)
        except Exception:  # noqa: BLE001
            return
        if c.get("State") != "Pending" and c.get("LastUpdateStatus") != "InProgress":
            return
        time.sleep(0.05)


def make_fixtures(client):
    """Creates the resources the generated inputs refer to; returns what could not be created."""
    problems = []

    def step(what, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is recorded, none is fatal
            problems.append(f"{what}: {short_error(e)}")

    def function():
        client.create_function(FunctionName=FN, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": FUNCTION_ZIP})
        wait_active(client, FN, problems)

    def versions():
        FX["version1"] = client.publish_version(FunctionName=FN)["Version"]
        client.update_function_configuration(FunctionName=FN, Timeout=7)
        wait_active(client, FN, problems)
        FX["version2"] = client.publish_version(FunctionName=FN)["Version"]

    def layer():
        r = client.publish_layer_version(LayerName=LAYER, Content={"ZipFile": LAYER_ZIP}, CompatibleRuntimes=["python3.12"])
        FX["layer_version_arn"] = r["LayerVersionArn"]

    def csc():
        FX["csc_arn"] = client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [SIGNER_ARN]},
            CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"})["CodeSigningConfig"]["CodeSigningConfigArn"]

    def esm():
        FX["esm_uuid"] = client.create_event_source_mapping(FunctionName=FN, EventSourceArn=QUEUE_ARN, Enabled=False)["UUID"]

    def capacity_provider():
        r = client.create_capacity_provider(CapacityProviderName=CP,
                                            VpcConfig={"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]},
                                            PermissionsConfig={"CapacityProviderOperatorRoleArn": ROLE})
        FX["cp_arn"] = r["CapacityProvider"]["CapacityProviderArn"]

    def cp_function():
        name = "mc-fn-cp"
        client.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": FUNCTION_ZIP},
                               CapacityProviderConfig={"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": FX["cp_arn"]}})
        wait_active(client, name, problems)
        FX["cp_fn_version"] = client.publish_version(FunctionName=name)["Version"]
        FX["cp_fn"] = name

    def durable():
        name = "mc-fn-durable"
        client.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": FUNCTION_ZIP}, DurableConfig={"ExecutionTimeout": 900})
        wait_active(client, name, problems)
        FX["durable_fn"] = name
        r = client.invoke(FunctionName=name, Qualifier="$LATEST", InvocationType="Event", DurableExecutionName="mc-exec",
                          Payload=b"{}")
        arn = r.get("DurableExecutionArn")
        if not arn:
            listed = client.list_durable_executions_by_function(FunctionName=name).get("DurableExecutions", [])
            arn = listed[0]["DurableExecutionArn"] if listed else None
        if not arn:
            raise RuntimeError("no durable execution was started")
        FX["durable_arn"] = arn

    step("function", function)
    step("versions", versions)
    step("alias", lambda: client.create_alias(FunctionName=FN, Name=ALIAS, FunctionVersion=FX.get("version1", "1")))
    step("layer version", layer)
    step("code signing config", csc)
    step("event source mapping", esm)
    step("capacity provider", capacity_provider)
    if "cp_arn" in FX:
        step("function on the capacity provider", cp_function)
    step("durable function and execution", durable)
    return problems


# ---------------------------------------------------------------------------------------------------
# Running and judging one operation

# Creations first, then reads and updates, then removals (each on what an earlier call created).
ORDER = [
    "GetAccountSettings", "CreateFunction", "CreateCodeSigningConfig", "UpdateCodeSigningConfig", "GetCodeSigningConfig",
    "ListCodeSigningConfigs", "PutFunctionCodeSigningConfig", "GetFunctionCodeSigningConfig",
    "ListFunctionsByCodeSigningConfig", "PublishVersion", "CreateAlias", "GetAlias", "UpdateAlias", "ListAliases",
    "ListVersionsByFunction", "GetFunction", "GetFunctionConfiguration", "ListFunctions", "UpdateFunctionConfiguration",
    "UpdateFunctionCode", "PublishLayerVersion", "GetLayerVersion", "GetLayerVersionByArn", "ListLayerVersions",
    "ListLayers", "AddLayerVersionPermission", "GetLayerVersionPolicy", "AddPermission", "GetPolicy", "TagResource",
    "ListTags", "CreateEventSourceMapping", "GetEventSourceMapping", "UpdateEventSourceMapping",
    "ListEventSourceMappings", "CreateFunctionUrlConfig", "GetFunctionUrlConfig", "UpdateFunctionUrlConfig",
    "ListFunctionUrlConfigs", "PutFunctionEventInvokeConfig", "GetFunctionEventInvokeConfig",
    "UpdateFunctionEventInvokeConfig", "ListFunctionEventInvokeConfigs", "PutFunctionConcurrency",
    "GetFunctionConcurrency", "PutProvisionedConcurrencyConfig", "GetProvisionedConcurrencyConfig",
    "ListProvisionedConcurrencyConfigs", "PutFunctionRecursionConfig", "GetFunctionRecursionConfig",
    "PutRuntimeManagementConfig", "GetRuntimeManagementConfig", "CreateCapacityProvider", "GetCapacityProvider",
    "UpdateCapacityProvider", "ListCapacityProviders", "ListFunctionVersionsByCapacityProvider",
    "PutFunctionScalingConfig", "GetFunctionScalingConfig", "Invoke", "InvokeAsync", "InvokeWithResponseStream",
    "ListDurableExecutionsByFunction", "GetDurableExecution", "GetDurableExecutionHistory", "GetDurableExecutionState",
    "CheckpointDurableExecution", "SendDurableExecutionCallbackHeartbeat", "SendDurableExecutionCallbackSuccess",
    "SendDurableExecutionCallbackFailure", "StopDurableExecution",
    "DeleteFunctionUrlConfig", "DeleteFunctionEventInvokeConfig", "DeleteProvisionedConcurrencyConfig",
    "DeleteFunctionConcurrency", "DeleteFunctionCodeSigningConfig", "RemovePermission", "RemoveLayerVersionPermission",
    "UntagResource", "DeleteEventSourceMapping", "DeleteAlias", "DeleteLayerVersion", "DeleteFunction",
    "DeleteCodeSigningConfig", "DeleteCapacityProvider",
]

# What a successful call leaves behind for later calls.
REMEMBER = {
    "CreateCodeSigningConfig": lambda r: FX.__setitem__("csc_created", r["CodeSigningConfig"]["CodeSigningConfigArn"]),
    "CreateEventSourceMapping": lambda r: FX.__setitem__("esm_created", r["UUID"]),
    "PublishLayerVersion": lambda r: FX.__setitem__("layer_published", r["Version"]),
}

_SANITIZE = [
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<uuid>"),
    (re.compile(r"csc-[a-z0-9]{17}"), "csc-<id>"),
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), "<host>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b1\d{9}(\.\d+)?\b|\b1\d{12}\b"), "<epoch>"),
    (re.compile(r"/durable-execution/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+"), "/durable-execution/<name>/<id>"),
]


def sanitize(text, limit=240):
    text = " ".join(str(text).split())
    for rx, rep in _SANITIZE:
        text = rx.sub(rep, text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_error(e):
    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        return sanitize(f"{err.get('Code')}: {err.get('Message')}")
    return sanitize(f"{type(e).__name__}: {e}")


def method_names(client):
    return {api: py for py, api in client.meta.method_to_api_mapping.items()}


def read_streams(op, result):
    """Reads streamed members into plain values; returns (result, problems)."""
    problems = []
    out = dict(result)
    for k, v in result.items():
        if isinstance(v, StreamingBody):
            out[k] = v.read()
        elif k == "EventStream":
            events = []
            try:
                for ev in v:
                    events.append(ev)
            except Exception as e:  # noqa: BLE001
                problems.append(f"EventStream: reading failed: {short_error(e)}")
            out[k] = events
    return out, problems


def judge(op, client, methods):
    o = SHAPES[NS + op]
    try:
        params = build_input(op)
    except InputProblem as e:
        return "violation", f"checker could not build a valid input: {e}"
    # Members newer than the installed botocore cannot be sent with it; leave them out.
    known = client.meta.service_model.operation_model(op).input_shape
    known = set(known.members) if known is not None else set()
    params = {k: v for k, v in params.items() if k in known}
    call = getattr(client, methods[op])
    settle(client)
    NOTES.clear()
    RAW.clear()
    try:
        result = call(**params)
    except ParamValidationError as e:
        return "violation", sanitize(f"checker input refused by botocore: {e}")
    except ClientError as e:
        err = e.response.get("Error", {})
        code = err.get("Code") or "?"
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        msg = err.get("Message") or ""
        modelled = {short(x["target"]): x["target"] for x in o.get("errors", [])}
        if code in modelled:
            want = traits(SHAPES[modelled[code]]).get("smithy.api#httpError")
            if want is not None and status != want:
                return "violation", sanitize(f"{code} answered with status {status}, the model says {want}: {msg}")
            if code == "ServiceException":
                return "violation", sanitize(f"{code} ({status}): {msg}")
            return "modelled-error", sanitize(f"{code} ({status}): {msg}")
        return "violation", sanitize(f"{code} ({status}) is not an error of {op}: {msg}")
    except Exception as e:  # noqa: BLE001 - transport failures are answers too
        return "violation", short_error(e)

    errs = []
    result, problems = read_streams(op, result)
    errs.extend(problems)
    tid = o.get("output", {}).get("target")
    out_shape = SHAPES[tid] if tid and tid != "smithy.api#Unit" else {"type": "structure", "members": {}}
    # boto3 adds ResponseMetadata; members it parsed come from headers, status, payload and body.
    parsed = {k: v for k, v in result.items() if k != "ResponseMetadata"}
    # An event stream arrives as a list of events: each must be a member of the stream's union.
    for k, m in out_shape["members"].items():
        target = SHAPES.get(m["target"], {})
        if "smithy.api#streaming" in traits(target) and target.get("type") == "union" and isinstance(parsed.get(k), list):
            for i, ev in enumerate(parsed.pop(k)):
                check_value(ev, m["target"], f"$.{k}[{i}]", errs, False)
    for k, m in out_shape["members"].items():
        if "smithy.api#httpResponseCode" in traits(m) and k not in parsed:
            parsed[k] = result.get("ResponseMetadata", {}).get("HTTPStatusCode")
    check_members(parsed, out_shape, "$", errs, wire=False, body_only=False)
    expected = traits(o).get("smithy.api#http", {}).get("code")
    status = result.get("ResponseMetadata", {}).get("HTTPStatusCode")
    has_code_member = any("smithy.api#httpResponseCode" in traits(m) for m in out_shape["members"].values())
    if expected is not None and status != expected and not has_code_member:
        errs.append(f"status {status}, the model says {expected}")
    body = RAW.get("body")
    if body is not None:
        payload = [n for n, m in out_shape["members"].items() if "smithy.api#httpPayload" in traits(m)]
        try:
            doc = json.loads(body) if body.strip() else {}
        except ValueError:
            doc = None
            if not payload or shape(out_shape["members"][payload[0]]["target"])["type"] == "structure":
                errs.append("body is not JSON")
        if doc is not None and not payload:
            if not isinstance(doc, dict):
                errs.append("body is not a JSON object")
            else:
                check_members(doc, out_shape, "body", errs, wire=True, body_only=True)
        elif doc is not None and shape(out_shape["members"][payload[0]]["target"])["type"] == "structure":
            check_value(doc, out_shape["members"][payload[0]]["target"], "body", errs, wire=True)
    if op in REMEMBER:
        try:
            REMEMBER[op](result)
        except Exception:  # noqa: BLE001
            pass
    if op == "CreateFunction":
        settle(client, params["FunctionName"])
    if errs:
        uniq = sorted(set(sanitize(e, 160) for e in errs))
        return "violation", sanitize("; ".join(uniq), 600)
    if NOTES:
        return "ok", sanitize(f"{status}; accepted: " + ", ".join(sorted(NOTES)))
    return "ok", f"{status}"


def main():
    args = sys.argv[1:]
    strict = "--strict" in args
    out_path = os.path.join(ROOT, "conformance", "model-check.json")
    only = None
    if "--out" in args:
        out_path = args[args.index("--out") + 1]
    if "--only" in args:
        only = set(args[args.index("--only") + 1].split(","))
    ops = service_operations()
    missing = sorted(set(ops) - set(ORDER))
    order = [o for o in ORDER if o in ops] + missing
    proc, port, data = start_server()
    try:
        client = make_client(port)
        client.meta.events.register("after-call.lambda", capture_raw)
        methods = method_names(client)
        fixture_problems = make_fixtures(client)
        results = {}
        for op in order:
            if only and op not in only:
                continue
            if op not in methods:
                results[op] = ("violation", "boto3 does not know this operation")
                continue
            results[op] = judge(op, client, methods)
            print(f"  {op}: {results[op][0]}: {results[op][1]}", file=sys.stderr)
    finally:
        proc.kill()
        proc.wait()
        log = os.path.join(data, "server.log")
        server_log = open(log, errors="replace").read() if os.path.exists(log) else ""
        shutil.rmtree(data, ignore_errors=True)
    if "panicked" in server_log:
        print("model_check: the server panicked:\n" + server_log[-2000:], file=sys.stderr)
    totals = {k: sum(1 for v in results.values() if v[0] == k) for k in ("ok", "modelled-error", "violation")}
    report = {
        "service": short(SERVICE),
        "operations": len(ops),
        "checked": len(results),
        "totals": totals,
        "fixture_problems": sorted(fixture_problems),
        "results": [{"operation": op, "outcome": results[op][0], "detail": results[op][1]} for op in sorted(results)],
    }
    if only is None:
        with open(out_path, "w") as f:
            json.dump(report, f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(f"model_check: {len(results)}/{len(ops)} operations checked: {totals['ok']} ok, "
          f"{totals['modelled-error']} modelled errors, {totals['violation']} violations")
    for p in fixture_problems:
        print(f"  fixture not created: {p}")
    for r in report["results"]:
        if r["outcome"] == "violation":
            print(f"  violation: {r['operation']}: {r['detail']}")
    if strict and totals["violation"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
