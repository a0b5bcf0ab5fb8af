"""Valid inputs for every Lambda operation, built from the model: each member set, each
constraint respected, with values that name the model check's fixtures (the function, its alias
and versions, the layer, the queue, the capacity provider) so that operations find what they act on.
"""

import base64
import datetime
import io
import zipfile

from lambda_model import NS, SHAPES, check_members, check_value, enum_values, generate_string, shape, short, traits

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
