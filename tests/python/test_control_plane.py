"""The Lambda control plane through boto3, as an application's test suite would drive it: functions,
versions, aliases, layers, permissions, tags, event source mappings, function URLs, concurrency,
event invoke configs, code signing configs, account settings, and AWS's errors (codes and messages)."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, FAST, REGION, ROLE, eventually, function_arn, make_zip, py_zip, sha256_b64


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message")


# --- functions ----------------------------------------------------------------------------------


def test_create_get_delete_function(lam, make_function):
    code = py_zip("hello")
    name, created = make_function(code=code, wait=False, Description="first", Timeout=5, MemorySize=256,
                                  Environment={"Variables": {"STAGE": "test"}})
    assert created["FunctionName"] == name
    assert created["FunctionArn"] == function_arn(name)
    assert created["Version"] == "$LATEST"
    assert created["State"] == "Pending"
    assert created["StateReasonCode"] == "Creating"
    assert created["Runtime"] == "python3.12"
    assert created["Handler"] == "app.handler"
    assert created["Role"] == ROLE
    assert created["CodeSha256"] == sha256_b64(code)
    assert created["CodeSize"] == len(code)
    assert created["Timeout"] == 5 and created["MemorySize"] == 256
    assert created["Environment"]["Variables"] == {"STAGE": "test"}
    assert created["PackageType"] == "Zip"
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201

    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=FAST)
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["CodeSha256"] == sha256_b64(code)
    assert got["Code"]["RepositoryType"] == "S3"
    assert got["Code"]["Location"].startswith("http")
    config = lam.get_function_configuration(FunctionName=function_arn(name))
    assert config["Description"] == "first"
    assert config["RevisionId"] == got["Configuration"]["RevisionId"]

    lam.delete_function(FunctionName=name)
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=name)
    assert error_of(e) == ("ResourceNotFoundException", f"Function not found: {function_arn(name)}")


def test_list_functions_with_paginator(lam, make_function):
    names = {make_function(prefix="page", wait=False)[0] for _ in range(5)}
    seen, pages = [], 0
    for page in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
        pages += 1
        assert len(page["Functions"]) <= 2
        seen += [f["FunctionName"] for f in page["Functions"]]
    assert names <= set(seen)
    assert len(seen) == len(set(seen)), "no function listed twice"
    assert pages >= 3
    first = lam.list_functions(MaxItems=2)
    assert len(first["Functions"]) == 2 and "NextMarker" in first


def test_update_code_and_configuration_with_waiters(lam, make_function):
    name, created = make_function()
    updated = lam.update_function_configuration(FunctionName=name, Timeout=30, MemorySize=512,
                                                Environment={"Variables": {"MODE": "updated"}}, Description="second")
    assert updated["LastUpdateStatus"] in ("InProgress", "Successful")
    assert updated["RevisionId"] != created["RevisionId"]
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    config = lam.get_function_configuration(FunctionName=name)
    assert (config["Timeout"], config["MemorySize"], config["Description"]) == (30, 512, "second")
    assert config["Environment"]["Variables"] == {"MODE": "updated"}
    assert config["LastUpdateStatus"] == "Successful"

    new_code = py_zip("v2")
    code = lam.update_function_code(FunctionName=name, ZipFile=new_code)
    assert code["CodeSha256"] == sha256_b64(new_code)
    assert code["CodeSize"] == len(new_code)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=FAST)
    assert lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"] == sha256_b64(new_code)

    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName=name, Timeout=3, RevisionId="00000000-0000-0000-0000-000000000000")
    assert error_of(e) == ("PreconditionFailedException",
                           "The Revision Id provided does not match the latest Revision Id. "
                           "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")


# --- versions -----------------------------------------------------------------------------------


def test_publish_and_list_versions(lam, make_function):
    name, _ = make_function()
    v1 = lam.publish_version(FunctionName=name, Description="one")
    assert v1["Version"] == "1"
    assert v1["FunctionArn"] == function_arn(name, "1")
    assert v1["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert lam.publish_version(FunctionName=name)["Version"] == "1", "nothing changed: same version"

    lam.update_function_configuration(FunctionName=name, Timeout=9)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    v2 = lam.publish_version(FunctionName=name)
    assert v2["Version"] == "2" and v2["Timeout"] == 9

    versions = [v["Version"] for p in lam.get_paginator("list_versions_by_function").paginate(
        FunctionName=name, PaginationConfig={"PageSize": 1}) for v in p["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="1")["Timeout"] == 3
    assert lam.get_function(FunctionName=f"{name}:2")["Configuration"]["Version"] == "2"

    current = lam.get_function_configuration(FunctionName=name)["CodeSha256"]
    with pytest.raises(ClientError) as e:
        lam.publish_version(FunctionName=name, CodeSha256="bogus")
    assert error_of(e) == ("InvalidParameterValueException",
                           f"CodeSHA256 (bogus) is different from current CodeSHA256 in $LATEST ({current}). "
                           "Please try again with the CodeSHA256 in $LATEST.")

    lam.delete_function(FunctionName=name, Qualifier="1")
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=name, Qualifier="1")
    assert error_of(e) == ("ResourceNotFoundException", f"Function not found: {function_arn(name, '1')}")
    assert lam.publish_version(FunctionName=name)["Version"] == "2", "unchanged since version 2"


# --- aliases ------------------------------------------------------------------------------------


def test_aliases_with_routing_config(lam, make_function):
    name, _ = make_function()
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=4)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    lam.publish_version(FunctionName=name)

    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="prod",
                             RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert alias["AliasArn"] == function_arn(name, "live")
    assert alias["Name"] == "live" and alias["FunctionVersion"] == "1" and alias["Description"] == "prod"
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.25}
    assert alias["ResponseMetadata"]["HTTPStatusCode"] == 201

    got = lam.get_alias(FunctionName=name, Name="live")
    assert got["RevisionId"] == alias["RevisionId"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="live")["Version"] == "1"

    lam.create_alias(FunctionName=name, Name="beta", FunctionVersion="2")
    names = [a["Name"] for p in lam.get_paginator("list_aliases").paginate(FunctionName=name, PaginationConfig={"PageSize": 1})
             for a in p["Aliases"]]
    assert sorted(names) == ["beta", "live"]
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]] == ["beta"]

    updated = lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2",
                               RoutingConfig={"AdditionalVersionWeights": {}})
    assert updated["FunctionVersion"] == "2"
    assert not updated.get("RoutingConfig", {}).get("AdditionalVersionWeights")
    assert updated["RevisionId"] != alias["RevisionId"]

    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(e) == ("ResourceConflictException", f"Alias already exists: {function_arn(name, 'live')}")
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=name, Name="two", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
    assert error_of(e) == ("InvalidParameterValueException",
                           "Invalid function version 1. Function version 1 is already included in routing configuration.")
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=name, Name="latest", FunctionVersion="$LATEST",
                         RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
    assert error_of(e) == ("InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version")

    lam.delete_alias(FunctionName=name, Name="beta")
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=name, Name="beta")
    assert error_of(e) == ("ResourceNotFoundException", f"Cannot find alias arn: {function_arn(name, 'beta')}")


# --- layers -------------------------------------------------------------------------------------


def test_layers(lam, make_function):
    layer = "helpers-py"
    content = make_zip({"python/helper.py": "VALUE = 1\n"})
    one = lam.publish_layer_version(LayerName=layer, Description="one", Content={"ZipFile": content},
                                    CompatibleRuntimes=["python3.12"], LicenseInfo="MIT")
    assert one["Version"] == 1
    assert one["LayerArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{layer}"
    assert one["LayerVersionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{layer}:1"
    assert one["Content"]["CodeSha256"] == sha256_b64(content)
    assert one["Content"]["CodeSize"] == len(content)
    assert one["CompatibleRuntimes"] == ["python3.12"]
    two = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": content})
    assert two["Version"] == 2

    assert [v["Version"] for v in lam.list_layer_versions(LayerName=layer)["LayerVersions"]] == [2, 1]
    listed = {l["LayerName"]: l for l in lam.list_layers()["Layers"]}
    assert listed[layer]["LatestMatchingVersion"]["Version"] == 2
    assert lam.get_layer_version(LayerName=layer, VersionNumber=1)["Description"] == "one"
    assert lam.get_layer_version_by_arn(Arn=one["LayerVersionArn"])["Version"] == 1

    perm = lam.add_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="everyone",
                                            Action="lambda:GetLayerVersion", Principal="*")
    statement = json.loads(perm["Statement"])
    assert statement["Sid"] == "everyone" and statement["Action"] == "lambda:GetLayerVersion"
    policy = json.loads(lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["everyone"]
    lam.remove_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="everyone")

    name, fn = make_function(Layers=[one["LayerVersionArn"]])
    assert fn["Layers"][0]["Arn"] == one["LayerVersionArn"]
    assert fn["Layers"][0]["CodeSize"] == len(content)

    lam.delete_layer_version(LayerName=layer, VersionNumber=2)
    with pytest.raises(ClientError) as e:
        lam.get_layer_version(LayerName=layer, VersionNumber=2)
    assert error_of(e) == ("ResourceNotFoundException", "The resource you requested does not exist.")
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{layer}:9"
    with pytest.raises(ClientError) as e:
        make_function(Layers=[missing])
    assert error_of(e)[0] == "InvalidParameterValueException"
    assert error_of(e)[1] == f"Layer version {missing} does not exist."


# --- permissions --------------------------------------------------------------------------------


def test_permissions_policy(lam, make_function):
    name, _ = make_function()
    with pytest.raises(ClientError) as e:
        lam.get_policy(FunctionName=name)
    assert error_of(e) == ("ResourceNotFoundException", "The resource you requested does not exist.")

    added = lam.add_permission(FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::my-bucket",
                               SourceAccount="123456789012")
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "s3-invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn(name),
        "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"}},
    }
    lam.add_permission(FunctionName=name, StatementId="account", Action="lambda:GetFunction", Principal="123456789012")
    got = lam.get_policy(FunctionName=name)
    policy = json.loads(got["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Id"] == "default"
    assert [s["Sid"] for s in policy["Statement"]] == ["s3-invoke", "account"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert got["RevisionId"]

    with pytest.raises(ClientError) as e:
        lam.add_permission(FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com")
    assert error_of(e) == ("ResourceConflictException",
                           "The statement id (s3-invoke) provided already exists. Please provide a new statement id, "
                           "or remove the existing statement.")
    lam.remove_permission(FunctionName=name, StatementId="s3-invoke")
    with pytest.raises(ClientError) as e:
        lam.remove_permission(FunctionName=name, StatementId="s3-invoke")
    assert error_of(e) == ("ResourceNotFoundException", "Statement s3-invoke is not found in resource policy.")


# --- tags ---------------------------------------------------------------------------------------


def test_tags(lam, make_function):
    name, _ = make_function(Tags={"team": "core"})
    arn = function_arn(name)
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "core"}
    lam.tag_resource(Resource=arn, Tags={"env": "dev", "team": "platform"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "platform", "env": "dev"}
    assert lam.get_function(FunctionName=name)["Tags"] == {"team": "platform", "env": "dev"}
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "dev"}

    with pytest.raises(ClientError) as e:
        lam.tag_resource(Resource=f"{arn}:1", Tags={"a": "b"})
    assert error_of(e) == ("InvalidParameterValueException",
                           "Tags on function aliases and versions are not supported. Please specify a function ARN.")
    with pytest.raises(ClientError) as e:
        lam.list_tags(Resource=function_arn("no-such-function"))
    assert error_of(e)[0] == "ResourceNotFoundException"


# --- event source mappings ----------------------------------------------------------------------


def test_event_source_mappings(lam, make_function):
    name, _ = make_function()
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
    created = lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name, BatchSize=5, Enabled=False)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    uuid = created["UUID"]
    assert created["EventSourceArn"] == queue
    assert created["FunctionArn"] == function_arn(name)
    assert created["BatchSize"] == 5
    assert created["State"] in ("Creating", "Disabled")
    assert created["EventSourceMappingArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{uuid}"

    got = lam.get_event_source_mapping(UUID=uuid)
    assert got["UUID"] == uuid and got["BatchSize"] == 5
    listed = lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    assert [m["UUID"] for m in lam.list_event_source_mappings(EventSourceArn=queue)["EventSourceMappings"]] == [uuid]

    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=7)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert updated["BatchSize"] == 7

    with pytest.raises(ClientError) as e:
        lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name, Enabled=False)
    code, message = error_of(e)
    assert code == "ResourceConflictException"
    assert message == (f'An event source mapping with SQS arn (" {queue} ") and function (" {name} ") already exists. '
                       f"Please update or delete the existing mapping with UUID {uuid}")
    with pytest.raises(ClientError) as e:
        lam.create_event_source_mapping(EventSourceArn=f"{queue}-2", FunctionName=name, BatchSize=20, Enabled=False)
    assert error_of(e) == ("InvalidParameterValueException",
                           "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")

    deleted = lam.delete_event_source_mapping(UUID=uuid)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["State"] == "Deleting"
    # Deletion is asynchronous: poll until it is gone.
    def lookup_error():
        try:
            lam.get_event_source_mapping(UUID=uuid)
        except ClientError as e:
            return e
        return None

    err = eventually("the deleted mapping is gone", 10, lookup_error).response["Error"]
    assert (err["Code"], err.get("Message")) == ("ResourceNotFoundException", "The resource you requested does not exist.")


# --- function URLs ------------------------------------------------------------------------------


def test_function_url_configs(lam, make_function):
    name, _ = make_function()
    created = lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                             Cors={"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"]})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == function_arn(name)
    assert created["AuthType"] == "NONE"
    assert created["FunctionUrl"].startswith("http") and created["FunctionUrl"].endswith("/")
    assert created["Cors"]["AllowOrigins"] == ["https://example.com"]

    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM"
    assert updated["FunctionUrl"] == created["FunctionUrl"]
    assert [c["FunctionUrl"] for c in lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]] == [created["FunctionUrl"]]

    with pytest.raises(ClientError) as e:
        lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert error_of(e)[0] == "ResourceConflictException"
    lam.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as e:
        lam.get_function_url_config(FunctionName=name)
    assert error_of(e) == ("ResourceNotFoundException", "The resource you requested does not exist.")


# --- concurrency --------------------------------------------------------------------------------


def test_reserved_concurrency(lam, make_function):
    name, _ = make_function()
    before = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=10)["ReservedConcurrentExecutions"] == 10
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 10
    assert lam.get_function(FunctionName=name)["Concurrency"]["ReservedConcurrentExecutions"] == 10
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == before - 10

    with pytest.raises(ClientError) as e:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1000)
    assert error_of(e) == ("InvalidParameterValueException",
                           "Specified ReservedConcurrentExecutions for function decreases account's "
                           "UnreservedConcurrentExecution below its minimum value of [100].")

    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == before


# --- event invoke configs -----------------------------------------------------------------------


def test_event_invoke_configs(lam, make_function):
    name, _ = make_function()
    latest = function_arn(name, "$LATEST")
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert error_of(e) == ("ResourceNotFoundException", f"The function {latest} doesn't have an EventInvokeConfig")

    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=600)
    assert put["FunctionArn"] == latest
    assert (put["MaximumRetryAttempts"], put["MaximumEventAgeInSeconds"]) == (1, 600)
    failure = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
    updated = lam.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": failure}})
    assert updated["MaximumRetryAttempts"] == 1, "update merges"
    assert updated["DestinationConfig"]["OnFailure"]["Destination"] == failure
    replaced = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert replaced["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in replaced, "put replaces"
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"] for c in listed] == [latest]
    lam.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert error_of(e)[0] == "ResourceNotFoundException"


# --- code signing configs -----------------------------------------------------------------------


def test_code_signing_configs(lam, make_function):
    profile = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/ci/abcdef1234"
    created = lam.create_code_signing_config(
        Description="ci signer", AllowedPublishers={"SigningProfileVersionArns": [profile]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})["CodeSigningConfig"]
    csc_id, csc_arn = created["CodeSigningConfigId"], created["CodeSigningConfigArn"]
    assert csc_id.startswith("csc-") and len(csc_id) == 21
    assert csc_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:{csc_id}"
    assert created["AllowedPublishers"]["SigningProfileVersionArns"] == [profile]
    assert created["CodeSigningPolicies"]["UntrustedArtifactOnDeployment"] == "Enforce"

    assert lam.get_code_signing_config(CodeSigningConfigArn=csc_arn)["CodeSigningConfig"]["Description"] == "ci signer"
    updated = lam.update_code_signing_config(CodeSigningConfigArn=csc_arn, Description="renamed")["CodeSigningConfig"]
    assert updated["Description"] == "renamed"
    assert csc_arn in [c["CodeSigningConfigArn"] for c in lam.list_code_signing_configs()["CodeSigningConfigs"]]

    name, _ = make_function()
    put = lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=csc_arn)
    assert (put["FunctionName"], put["CodeSigningConfigArn"]) == (name, csc_arn)
    assert lam.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"] == csc_arn
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=csc_arn)["FunctionArns"] == [function_arn(name)]
    lam.delete_function_code_signing_config(FunctionName=name)
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=csc_arn)["FunctionArns"] == []

    lam.delete_code_signing_config(CodeSigningConfigArn=csc_arn)
    with pytest.raises(ClientError) as e:
        lam.get_code_signing_config(CodeSigningConfigArn=csc_arn)
    assert error_of(e) == ("CodeSigningConfigNotFoundException",
                           f"The Lambda code signing configuration {csc_arn} can not be found.")
    with pytest.raises(ClientError) as e:
        lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=csc_arn)
    assert error_of(e)[0] == "CodeSigningConfigNotFoundException"


# --- account settings ---------------------------------------------------------------------------


def test_account_settings(lam, make_function):
    make_function()
    settings = lam.get_account_settings()
    limit, usage = settings["AccountLimit"], settings["AccountUsage"]
    assert limit["TotalCodeSize"] == 80530636800
    assert limit["CodeSizeUnzipped"] == 262144000
    assert limit["CodeSizeZipped"] == 52428800
    assert limit["ConcurrentExecutions"] == 1000
    assert 100 <= limit["UnreservedConcurrentExecutions"] <= 1000
    assert usage["FunctionCount"] >= 1
    assert usage["TotalCodeSize"] > 0


# --- error paths --------------------------------------------------------------------------------


def test_error_paths(lam, make_function):
    missing = "does-not-exist"
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=missing)
    assert error_of(e) == ("ResourceNotFoundException", f"Function not found: {function_arn(missing)}")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=missing)

    name, _ = make_function()
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=name, Qualifier="7")
    assert error_of(e) == ("ResourceNotFoundException", f"Function not found: {function_arn(name, '7')}")
    with pytest.raises(ClientError) as e:
        make_function(FunctionName=name)
    assert error_of(e) == ("ResourceConflictException", f"Function already exist: {name}")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    with pytest.raises(ClientError) as e:
        make_function(Environment={"Variables": {"AWS_REGION": "eu-west-1"}})
    assert error_of(e) == ("InvalidParameterValueException",
                           "Lambda was unable to configure your environment variables because the environment variables "
                           "you have provided contains reserved keys that are currently not supported for modification. "
                           "Reserved keys used in this request: AWS_REGION")
    with pytest.raises(ClientError) as e:
        make_function(MemorySize=20000)
    code, message = error_of(e)
    assert code in ("ValidationException", "InvalidParameterValueException")
    assert "10240" in message, message
    with pytest.raises(ClientError) as e:
        make_function(code=b"not a zip file")
    assert error_of(e)[0] == "InvalidParameterValueException"


def test_deprecated_runtime_is_refused(make_function):
    with pytest.raises(ClientError) as e:
        make_function(Runtime="python3.7")
    assert error_of(e) == ("InvalidParameterValueException",
                           "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda "
                           "functions. We recommend you use a supported runtime while creating or updating functions.")
