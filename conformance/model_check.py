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

import base64
import datetime
import io
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
try:  # Python 3.11+
    from re import _constants as RC
    from re import _parser as RP
except ImportError:  # older Pythons
    import sre_constants as RC
    import sre_parse as RP

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.response import StreamingBody

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NS = "com.amazonaws.lambda#"
SERVICE = NS + "AWSGirApiService"
REGION = "us-east-1"
ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:mc-queue"
KMS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"
SIGNER_ARN = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/mc/0a1b2c3d4e"
FN = "mc-fn"
ALIAS = "live"
LAYER = "mc-layer"
CP = "mc-cp"
STMT = "mc-stmt"

# ---------------------------------------------------------------------------------------------------
# The model

with open(os.path.join(ROOT, "model", "lambda.json")) as f:
    SHAPES = json.load(f)["shapes"]

PRELUDE = {
    "String": "string", "Boolean": "boolean", "PrimitiveBoolean": "boolean", "Integer": "integer",
    "PrimitiveInteger": "integer", "Long": "long", "PrimitiveLong": "long", "Double": "double",
    "Float": "float", "Timestamp": "timestamp", "Blob": "blob", "Document": "document", "Unit": "structure",
}


def shape(sid):
    if sid in SHAPES:
        return SHAPES[sid]
    if sid.startswith("smithy.api#"):
        kind = PRELUDE[sid.split("#")[1]]
        return {"type": kind, "members": {}} if kind == "structure" else {"type": kind}
    raise KeyError(sid)


def short(sid):
    return sid.split("#")[1]


def traits(x):
    return x.get("traits", {})


def service_operations():
    """Every operation bound to the service, directly or through its resources (recursively)."""
    ops = set()

    def walk(sid):
        s = SHAPES[sid]
        for key in ("operations", "collectionOperations"):
            for o in s.get(key, []):
                ops.add(o["target"])
        for key in ("create", "put", "read", "update", "delete", "list"):
            if key in s:
                ops.add(s[key]["target"])
        for r in s.get("resources", []):
            walk(r["target"])

    walk(SERVICE)
    return sorted(short(o) for o in ops)


def enum_values(s):
    return [traits(m).get("smithy.api#enumValue", name) for name, m in s["members"].items()]


def py_pattern(p):
    # Smithy patterns are ECMA-262 regexes; Python's `re` lacks the Unicode property classes.
    return p.replace(r"\p{L}", "a-zA-Z\u00c0-\u024f").replace(r"\p{Z}", " \u00a0").replace(r"\p{N}", "0-9")


_RX = {}


def pattern_ok(p, value):
    if p not in _RX:
        _RX[p] = re.compile(py_pattern(p))
    # Smithy patterns are not implicitly anchored.
    return _RX[p].search(value) is not None


# ---------------------------------------------------------------------------------------------------
# A generator of strings for the regex subset the model uses

_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789"


def _charset(items):
    neg, chars = False, set()
    for op, av in items:
        if op is RC.NEGATE:
            neg = True
        elif op is RC.LITERAL:
            chars.add(chr(av))
        elif op is RC.RANGE:
            lo, hi = av
            chars.update(chr(c) for c in range(lo, min(hi, lo + 200) + 1))
        elif op is RC.CATEGORY:
            chars.update({RC.CATEGORY_DIGIT: "0123456789", RC.CATEGORY_SPACE: " ", RC.CATEGORY_WORD: _PREFERRED + "_",
                          RC.CATEGORY_NOT_SPACE: _PREFERRED, RC.CATEGORY_NOT_DIGIT: "abc"}.get(av, ""))
    if neg:
        return [c for c in _PREFERRED + "-_" if c not in chars]
    return sorted(chars, key=lambda c: (_PREFERRED.find(c) if c in _PREFERRED else 100 + ord(c)))


def _gen(tree, rng, extra):
    out = []
    for op, av in tree:
        if op is RC.LITERAL:
            out.append(chr(av))
        elif op is RC.NOT_LITERAL:
            out.append("a" if chr(av) != "a" else "b")
        elif op is RC.ANY:
            out.append(rng.choice("abc"))
        elif op is RC.IN:
            cs = _charset(av)
            out.append(cs[0] if rng.random() < 0.3 else rng.choice(cs[: max(1, min(len(cs), 36))]))
        elif op is RC.BRANCH:
            out.append(_gen(rng.choice(av[1]), rng, extra))
        elif op is RC.SUBPATTERN:
            out.append(_gen(av[-1], rng, extra))
        elif op in (RC.MAX_REPEAT, RC.MIN_REPEAT):
            lo, hi, sub = av
            hi = lo + 40 if hi is RC.MAXREPEAT else hi
            n = min(hi, lo + rng.randint(0, extra)) if rng.random() < 0.8 else lo
            out.append("".join(_gen(sub, rng, extra) for _ in range(n)))
        # AT (anchors) and look-arounds produce nothing; candidates are checked against the regex.
    return "".join(out)


def generate_string(pattern, lo, hi, seed):
    """A deterministic string matching `pattern` with lo <= len <= hi, or None."""
    if pattern is None:
        base = "mc-" + seed.lower().replace("#", "-")
        s = (base * (1 + lo // max(1, len(base))))[: max(lo, min(len(base), hi or len(base)))]
        return s
    tree = RP.parse(py_pattern(pattern))
    rng = random.Random(zlib.crc32(seed.encode()))
    for i in range(600):
        s = _gen(tree, rng, 1 + i // 20 + lo)
        if lo <= len(s) and (hi is None or len(s) <= hi) and pattern_ok(pattern, s):
            return s
    return None


# ---------------------------------------------------------------------------------------------------
# Checking a value against a shape (inputs as built, outputs as parsed by boto3 or as raw JSON)

def check_value(value, sid, path, errs, wire):
    """Appends to errs every way `value` does not match shape `sid`. wire=True: raw restJson1 JSON."""
    s = shape(sid)
    kind = s["type"]
    t = traits(s)

    def bad(msg):
        errs.append(f"{path}: {msg}")

    if kind in ("string", "enum"):
        if not isinstance(value, str):
            return bad(f"expected string, got {type(value).__name__}")
        if kind == "enum" and value not in enum_values(s):
            if (short(sid), value) in AWS_ENUM_EXTENSIONS:
                NOTES.add(f"{short(sid)}={value} (outside the model, recorded from AWS)")
                return
            return bad(f"{value!r} is not a value of enum {short(sid)}")
        ln = t.get("smithy.api#length")
        if ln and not (ln.get("min", 0) <= len(value) <= ln.get("max", 1 << 62)):
            bad(f"length {len(value)} outside {ln} ({short(sid)})")
        p = t.get("smithy.api#pattern")
        if p and not pattern_ok(p, value):
            bad(f"{value[:80]!r} does not match the pattern of {short(sid)}")
    elif kind in ("integer", "long", "short", "byte", "intEnum"):
        if isinstance(value, bool) or not isinstance(value, int):
            return bad(f"expected integer, got {type(value).__name__}")
        check_range(value, t, sid, bad)
    elif kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad(f"expected number, got {type(value).__name__}")
        check_range(value, t, sid, bad)
    elif kind == "boolean":
        if not isinstance(value, bool):
            bad(f"expected boolean, got {type(value).__name__}")
    elif kind == "timestamp":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if wire else isinstance(value, datetime.datetime)
        if not ok:
            bad(f"expected timestamp, got {type(value).__name__}")
    elif kind == "blob":
        if wire:
            if not isinstance(value, str):
                return bad(f"expected base64 string, got {type(value).__name__}")
            try:
                base64.b64decode(value, validate=True)
            except Exception:
                bad("not base64")
        elif not isinstance(value, (bytes, bytearray)):
            bad(f"expected bytes, got {type(value).__name__}")
    elif kind == "document":
        pass
    elif kind in ("list", "set"):
        if not isinstance(value, list):
            return bad(f"expected list, got {type(value).__name__}")
        ln = t.get("smithy.api#length")
        if ln and not (ln.get("min", 0) <= len(value) <= ln.get("max", 1 << 62)):
            bad(f"{len(value)} elements, outside {ln} ({short(sid)})")
        for i, v in enumerate(value):
            if v is None:
                if "smithy.api#sparse" not in t:
                    bad(f"[{i}] is null")
                continue
            check_value(v, s["member"]["target"], f"{path}[{i}]", errs, wire)
    elif kind == "map":
        if not isinstance(value, dict):
            return bad(f"expected map, got {type(value).__name__}")
        ln = t.get("smithy.api#length")
        if ln and not (ln.get("min", 0) <= len(value) <= ln.get("max", 1 << 62)):
            bad(f"{len(value)} entries, outside {ln} ({short(sid)})")
        for k, v in value.items():
            check_value(k, s["key"]["target"], f"{path}.<key>", errs, wire)
            if v is not None:
                check_value(v, s["value"]["target"], f"{path}[{k}]", errs, wire)
    elif kind == "structure":
        if not isinstance(value, dict):
            return bad(f"expected structure, got {type(value).__name__}")
        check_members(value, s, path, errs, wire, body_only=False)
    elif kind == "union":
        if not isinstance(value, dict):
            return bad(f"expected union, got {type(value).__name__}")
        present = [k for k, v in value.items() if v is not None]
        if len(present) != 1:
            return bad(f"union {short(sid)} must have exactly one member, has {sorted(present)}")
        k = present[0]
        if k not in s["members"]:
            return bad(f"{k} is not a member of union {short(sid)}")
        check_value(value[k], s["members"][k]["target"], f"{path}.{k}", errs, wire)


# Enum values real AWS answers although the model's enum lacks them (recorded in
# /work/shared/reference/lambda-semantics.md); accepted, and named in the detail.
AWS_ENUM_EXTENSIONS = {
    # "Updates set LastUpdateStatus InProgress (recorded with reason 'The function is being created.'/code Creating)"
    ("LastUpdateStatusReasonCode", "Creating"),
}
NOTES = set()


def check_range(value, t, sid, bad):
    rg = t.get("smithy.api#range")
    if rg and not (float(rg.get("min", "-inf")) <= value <= float(rg.get("max", "inf"))):
        bad(f"{value} outside {rg} ({short(sid)})")


HTTP_BINDINGS = ("smithy.api#httpHeader", "smithy.api#httpResponseCode", "smithy.api#httpPayload",
                 "smithy.api#httpQuery", "smithy.api#httpLabel", "smithy.api#httpPrefixHeaders",
                 "smithy.api#httpQueryParams")


def check_members(value, s, path, errs, wire, body_only):
    members = s["members"]
    for name, m in members.items():
        if body_only and any(b in traits(m) for b in HTTP_BINDINGS):
            continue
        v = value.get(name)
        if v is None:
            if "smithy.api#required" in traits(m):
                errs.append(f"{path}.{name}: required member missing")
            continue
        check_value(v, m["target"], f"{path}.{name}", errs, wire)
    for k in value:
        if k not in members and not (k == "ResponseMetadata" and path == "$"):
            errs.append(f"{path}.{k}: member not defined by the model")


# ---------------------------------------------------------------------------------------------------
# Input values

def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, text)
    return buf.getvalue()


FUNCTION_ZIP = zip_bytes({"app.py": "def handler(event, context):\n    return event\n"})
LAYER_ZIP = zip_bytes({"python/mc_layer.py": "VALUE = 1\n"})

FX = {}  # fixture values, filled by make_fixtures()


def fx(key, default):
    return lambda: FX.get(key, default)


FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}"
LAYER_VERSION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{LAYER}:1"
DEFAULT_CSC = f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-0123456789abcdefa"
DEFAULT_DURABLE = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}:$LATEST/durable-execution/mc-exec/0a1b2c3d"

# Values by shape name (identifier-like and semantically constrained strings, curated enums).
SHAPE_VALUES = {
    "FunctionName": FN, "NamespacedFunctionName": FN, "UnqualifiedFunctionName": FN, "FunctionUrlFunctionName": FN,
    "NumericLatestPublishedOrAliasQualifier": ALIAS, "FunctionUrlQualifier": ALIAS, "Qualifier": ALIAS,
    "PublishedFunctionQualifier": "1", "VersionWithLatestPublished": "1", "Alias": ALIAS,
    "LayerName": LAYER, "LayerVersionNumber": 1, "LayerVersionArn": fx("layer_version_arn", LAYER_VERSION_ARN),
    "StatementId": STMT, "NamespacedStatementId": STMT, "Action": "lambda:InvokeFunction",
    "LayerPermissionAllowedAction": "lambda:GetLayerVersion", "LayerPermissionAllowedPrincipal": "*",
    "Principal": "s3.amazonaws.com", "SourceOwner": ACCOUNT, "OrganizationId": "o-a1b2c3d4e5",
    "PrincipalOrgID": "o-a1b2c3d4e5", "RoleArn": ROLE, "Handler": "app.handler", "Description": "model check",
    "CodeSigningConfigArn": fx("csc_arn", DEFAULT_CSC), "UUIDString": fx("esm_uuid", "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"),
    "CapacityProviderName": CP, "CapacityProviderArn": fx("cp_arn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:{CP}"),
    "TaggableResource": FN_ARN, "TagKey": "mc-key", "TagValue": "mc-value",
    "DurableExecutionArn": fx("durable_arn", DEFAULT_DURABLE), "DurableExecutionName": "mc-exec",
    "CallbackId": fx("callback_id", "bWMtY2FsbGJhY2s="), "CheckpointToken": fx("checkpoint_token", "bWMtdG9rZW4="),
    "KMSKeyArn": KMS_ARN, "KMSKeyArnNonEmpty": KMS_ARN, "SubnetId": "subnet-0a1b2c3d", "SecurityGroupId": "sg-0a1b2c3d",
    "MasterRegion": "ALL", "LicenseInfo": "MIT", "LogGroup": "/aws/lambda/mc-fn",
    "Origin": "https://example.com", "Method": "GET", "Header": "x-mc", "EnvironmentVariableName": "MC_VAR",
    "EnvironmentVariableValue": "value", "S3Bucket": "mc-bucket", "S3Key": "mc/code.zip", "ClientToken": "mc-client-token",
    "OperationId": "mc-op-1", "OperationName": "mc-step", "OperationSubType": "Step", "Pattern": '{"body": ["x"]}',
    "RuntimeVersionArn": f"arn:aws:lambda:{REGION}::runtime:0a1b2c3d4e5f", "InstanceType": "m7i.large",
    "TenantId": "mc-tenant", "AdditionalVersion": "1",
    # enums
    "Runtime": "python3.12", "Architecture": "x86_64", "PackageType": "Zip", "InvocationType": "RequestResponse",
    "ResponseStreamingInvocationType": "RequestResponse", "LogType": "Tail", "FunctionUrlAuthType": "NONE",
    "InvokeMode": "BUFFERED", "TracingMode": "PassThrough", "UpdateRuntimeOn": "Auto", "RecursiveLoop": "Terminate",
    "FunctionVersion": "ALL", "LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO",
    "CodeSigningPolicy": "Warn", "FunctionResponseType": "ReportBatchItemFailures", "CapacityProviderScalingMode": "Manual",
    "PropagateTagsMode": "Explicit", "ExecutionStatus": "RUNNING", "OperationType": "STEP", "OperationAction": "START",
}

# Values by member name, where the shape alone does not say enough.
MEMBER_VALUES = {
    "EventSourceArn": QUEUE_ARN, "SourceArn": "arn:aws:s3:::mc-bucket", "Destination": QUEUE_ARN, "TargetArn": QUEUE_ARN,
    "ZipFile": FUNCTION_ZIP, "Tags": {"mc-key": "mc-value"}, "ExplicitTags": {"mc-key": "mc-value"},
    "Variables": {"MC_VAR": "value"}, "TagKeys": ["mc-key"], "Payload": b'{"mc": 1}', "InvokeArgs": b'{"mc": 1}',
    "ClientContext": base64.b64encode(b'{"custom": {"mc": "1"}}').decode(), "Publish": False, "DryRun": False,
    "Size": 512, "ProvisionedConcurrentExecutions": 1, "ReservedConcurrentExecutions": 10, "MaxItems": 10,
    "Statuses": ["RUNNING"], "AdditionalVersionWeights": {"1": 0.1},
    "StartedAfter": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
    "StartedBefore": datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc),
    "Filters": [{"Pattern": '{"body": ["x"]}'}], "Layers": [fx("layer_version_arn", LAYER_VERSION_ARN)],
    "Result": b'{"ok": true}', "ErrorMessage": "mc failure", "ErrorType": "McError", "ErrorData": '{"mc": 1}',
    "StackTrace": ["at mc"], "SigningProfileVersionArns": [SIGNER_ARN], "BatchSize": 10, "MaximumBatchingWindowInSeconds": 1,
    "CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["x86_64"], "Architectures": ["x86_64"],
    "AllowedInstanceTypes": ["m7i.large"], "Timeout": 30, "MemorySize": 256, "MaxVCpuCount": 16,
    "MinExecutionEnvironments": 0, "MaxExecutionEnvironments": 2, "TargetValue": 50.0, "MaximumConcurrency": 2,
    "RetentionPeriodInDays": 7, "ExecutionTimeout": 900, "MaxAge": 60,
}

VERSION_2 = fx("version2", "2")

# Per-operation values, by member path.
OP_VALUES = {
    "CreateFunction": {"FunctionName": "mc-fn-created", "Publish": True},
    "CreateEventSourceMapping": {"EventSourceArn": QUEUE_ARN + "-2"},
    "CreateAlias": {"Name": "mc-alias-new", "FunctionVersion": VERSION_2},
    "UpdateAlias": {"FunctionVersion": VERSION_2},
    "DeleteAlias": {"Name": "mc-alias-new"},
    "CreateCapacityProvider": {"CapacityProviderName": "mc-cp-new"},
    "DeleteCapacityProvider": {"CapacityProviderName": "mc-cp-new"},
    "DeleteFunction": {"FunctionName": "mc-fn-created"},
    "DeleteCodeSigningConfig": {"CodeSigningConfigArn": fx("csc_created", DEFAULT_CSC)},
    "DeleteEventSourceMapping": {"UUID": fx("esm_created", "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f")},
    "DeleteLayerVersion": {"VersionNumber": fx("layer_published", 2)},
    "PutRuntimeManagementConfig": {"Qualifier": "$LATEST"},
    "GetRuntimeManagementConfig": {"Qualifier": "$LATEST"},
    "ListDurableExecutionsByFunction": {"FunctionName": fx("durable_fn", FN), "Qualifier": "$LATEST"},
    "UpdateFunctionConfiguration": {"Description": "model check, updated"},
    "PutFunctionScalingConfig": {"FunctionName": fx("cp_fn", FN), "Qualifier": fx("cp_fn_version", "1")},
    "GetFunctionScalingConfig": {"FunctionName": fx("cp_fn", FN), "Qualifier": fx("cp_fn_version", "1")},
    "ListFunctionsByCodeSigningConfig": {"CodeSigningConfigArn": fx("csc_arn", DEFAULT_CSC)},
    "Invoke": {"InvocationType": "RequestResponse"},
}

# Members never sent: state-dependent tokens no valid value can be built for without a prior answer.
GLOBAL_OMIT = {"RevisionId", "Marker", "CodeSha256"}

# Optional members left out per operation because they exclude each other or another member that is
# set (AWS rejects the combination), not because of their constraints.
_FUNCTION_OMIT = {"ImageConfig", "SnapStart", "FileSystemConfigs", "CapacityProviderConfig", "TenancyConfig",
                  "PublishTo", "Code.S3Bucket", "Code.S3Key", "Code.S3ObjectVersion", "Code.ImageUri",
                  "Code.SourceKMSKeyArn", "DurableConfig", "VpcConfig.Ipv6AllowedForDualStack"}
_ESM_OMIT = {"StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "MaximumRecordAgeInSeconds",
             "BisectBatchOnFunctionError", "MaximumRetryAttempts", "TumblingWindowInSeconds", "Topics", "Queues",
             "SourceAccessConfigurations", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
             "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig", "ProvisionedPollerConfig",
             "DestinationConfig", "KMSKeyArn", "MetricsConfig", "LoggingConfig"}
OP_OMIT = {
    "CreateFunction": _FUNCTION_OMIT,
    "UpdateFunctionConfiguration": _FUNCTION_OMIT,
    "UpdateFunctionCode": {"S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri", "SourceKMSKeyArn", "PublishTo"},
    "PublishVersion": {"PublishTo"},
    "CreateEventSourceMapping": _ESM_OMIT,
    "UpdateEventSourceMapping": _ESM_OMIT | {"FunctionName"},
    "AddPermission": {"FunctionUrlAuthType", "InvokedViaFunctionUrl", "EventSourceToken", "PrincipalOrgID"},
    "PublishLayerVersion": {"Content.S3Bucket", "Content.S3Key", "Content.S3ObjectVersion"},
    "Invoke": {"DurableExecutionName", "TenantId"},
    "InvokeWithResponseStream": {"TenantId"},
    "PutRuntimeManagementConfig": {"RuntimeVersionArn"},
    # The function CreateFunction made is deleted as a whole.
    "DeleteFunction": {"Qualifier"},
    "ListLayers": {"CompatibleArchitecture", "CompatibleRuntime"},
    "ListAliases": {"FunctionVersion"},
    "ListEventSourceMappings": {"EventSourceArn"},
    "ListDurableExecutionsByFunction": {"DurableExecutionName", "Statuses"},
    "CreateCapacityProvider": {"KmsKeyArn", "InstanceRequirements.ExcludedInstanceTypes"},
    "CheckpointDurableExecution": {"Updates.ParentId", "Updates.Error", "Updates.ContextOptions", "Updates.WaitOptions",
                                   "Updates.CallbackOptions", "Updates.ChainedInvokeOptions", "Updates.SubType"},
}


class InputProblem(Exception):
    pass


def resolve(v):
    if callable(v):
        return v()
    if isinstance(v, list):
        return [resolve(x) for x in v]
    return v


def build_value(op, path, member_name, sid):
    s = shape(sid)
    kind = s["type"]
    name = short(sid)
    ov = OP_VALUES.get(op, {})
    if path in ov:
        return resolve(ov[path])
    # Curated values by member name, then by shape name, when they fit the shape (a member name can
    # stand for different shapes in different structures).
    for table, key in ((MEMBER_VALUES, member_name), (SHAPE_VALUES, name)):
        if key in table:
            v = resolve(table[key])
            errs = []
            check_value(v, sid, path, errs, wire=False)
            if not errs:
                return v
    t = traits(s)
    if kind == "string":
        ln = t.get("smithy.api#length", {})
        v = generate_string(t.get("smithy.api#pattern"), max(1, ln.get("min", 1)), ln.get("max"), name)
        if v is None:
            raise InputProblem(f"no string for {path} ({name})")
        return v
    if kind == "enum":
        return enum_values(s)[0]
    if kind in ("integer", "long", "short", "byte"):
        rg = t.get("smithy.api#range", {})
        return int(min(max(10, float(rg.get("min", "-inf"))), float(rg.get("max", "inf"))))
    if kind in ("double", "float"):
        rg = t.get("smithy.api#range", {})
        return float(min(max(0.5, float(rg.get("min", "-inf"))), float(rg.get("max", "inf"))))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    if kind == "blob":
        return b'{"mc": 1}'
    if kind in ("list", "set"):
        ln = t.get("smithy.api#length", {})
        n = max(1, ln.get("min", 1))
        return [build_value(op, path, None, s["member"]["target"]) for _ in range(n)] if n == 1 else \
            [build_value(op, path, None, s["member"]["target"]) + str(i) for i in range(n)]
    if kind == "map":
        k = build_value(op, path + ".<key>", None, s["key"]["target"])
        return {k: build_value(op, path + ".<value>", None, s["value"]["target"])}
    if kind == "structure":
        return build_structure(op, path, s)
    if kind == "union":
        first = next(iter(s["members"]))
        return {first: build_value(op, f"{path}.{first}", first, s["members"][first]["target"])}
    raise InputProblem(f"cannot build {kind} for {path}")


def build_structure(op, prefix, s):
    omit = OP_OMIT.get(op, set())
    out = {}
    for name, m in s["members"].items():
        path = f"{prefix}.{name}" if prefix else name
        if path in omit or name in GLOBAL_OMIT and "smithy.api#required" not in traits(m):
            continue
        out[name] = build_value(op, path, name, m["target"])
    return out


def build_input(op):
    o = SHAPES[NS + op]
    tid = o.get("input", {}).get("target")
    if not tid or tid == "smithy.api#Unit":
        return {}
    s = SHAPES[tid]
    params = build_structure(op, "", s)
    errs = []
    check_members(params, s, "input", errs, wire=False, body_only=False)
    if errs:
        raise InputProblem("generated input breaks the model: " + "; ".join(errs[:3]))
    return params


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
