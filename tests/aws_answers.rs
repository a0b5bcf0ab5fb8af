//! AWS's exact answers (code, message, status) where they differ from one operation to the next
//! (issue 16): runtime checks, not-found wordings, idempotent deletes, revision-id mismatches on
//! policies and tag limits at creation. Against the real binary, table-driven where operations share
//! a rule.

mod common;

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    CapacityProviderPermissionsConfig, CapacityProviderVpcConfig, FunctionCode, FunctionUrlAuthType, Runtime,
};
use common::{create_echo, Server, ROLE};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

const ARN_PREFIX: &str = "arn:aws:lambda:us-east-1:000000000000";

/// `(code, message, status)` of a failed call.
fn failure<E: ProvideErrorMetadata, R: std::fmt::Debug>(r: Result<R, SdkError<E>>) -> (String, String, u16) {
    let e = r.expect_err("the call should fail");
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (
        e.code().unwrap_or("").to_string(),
        e.message().unwrap_or("").to_string(),
        status,
    )
}

/// One row of a table: an operation's name and its failure.
type Answer = (&'static str, (String, String, u16));

fn boxed<'a, E, R>(
    op: &'static str,
    f: impl Future<Output = Result<R, SdkError<E>>> + 'a,
) -> Pin<Box<dyn Future<Output = Answer> + 'a>>
where
    E: ProvideErrorMetadata + 'a,
    R: std::fmt::Debug + 'a,
{
    Box::pin(async move { (op, failure(f.await)) })
}

/// Runs every row and checks each answered `expected` (operation named in the failure).
async fn expect_all(rows: Vec<Pin<Box<dyn Future<Output = Answer> + '_>>>, expected: (&str, &str, u16)) {
    for row in rows {
        let (op, (code, msg, status)) = row.await;
        assert_eq!(
            (code.as_str(), msg.as_str(), status),
            expected,
            "{op} answered differently"
        );
    }
}

fn tags(n: usize) -> HashMap<String, String> {
    (0..n).map(|i| (format!("k{i}"), "v".to_string())).collect()
}

// ---- rule 4: runtimes are checked by Lambda -----------------------------------------------------

const RUNTIME_ENUM_MESSAGE: &str = "Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2] or be a valid ARN";

/// The handlers' own check (CreateFunction and UpdateFunctionConfiguration call it): an unknown
/// identifier, upper-case ones included, gets AWS's enum message; a known blocked one is no longer
/// supported.
#[test]
fn unknown_runtimes_in_lambdas_words() {
    use fauxlambda::api::functions::check_runtime;
    use lambda_server::model::Runtime as R;
    let message = |r: &str| match check_runtime(Some(&R::from(r))) {
        Err(lambda_server::error::ServiceError::InvalidParameterValueException(e)) => e.message.unwrap_or_default(),
        other => panic!("{r}: {other:?}"),
    };
    assert_eq!(message("non-existent-runtime"), RUNTIME_ENUM_MESSAGE);
    assert_eq!(
        message("Python3.12"),
        RUNTIME_ENUM_MESSAGE.replace("non-existent-runtime", "Python3.12")
    );
    assert_eq!(
        message("python3.7"),
        "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."
    );
    assert!(check_runtime(Some(&R::Python312)).is_ok());
    assert!(check_runtime(None).is_ok());
}

/// AWS's answer on the wire: the generated layer hands an unknown `Runtime` of CreateFunction and
/// UpdateFunctionConfiguration to the handler (codegen's `handler_checked_enums`), which answers with
/// Lambda's own message.
#[tokio::test]
async fn unknown_runtime_on_the_wire() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "rt").await;
    for runtime in ["non-existent-runtime", "PYTHON3.12"] {
        let want = RUNTIME_ENUM_MESSAGE.replace("non-existent-runtime", runtime);
        let create = c
            .create_function()
            .function_name("rt2")
            .runtime(Runtime::from(runtime))
            .role(ROLE)
            .handler("app.handler")
            .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
            .send();
        let update = c
            .update_function_configuration()
            .function_name("rt")
            .runtime(Runtime::from(runtime))
            .send();
        for (op, (code, msg, status)) in [
            ("CreateFunction", failure(create.await)),
            ("UpdateFunctionConfiguration", failure(update.await)),
        ] {
            assert_eq!(
                (code.as_str(), msg.as_str(), status),
                ("InvalidParameterValueException", want.as_str(), 400),
                "{op}"
            );
        }
    }
}

/// ListLayers' `CompatibleRuntime` keeps the model's (historic) set, in its declaration order: the generated layer checks it
/// (`generated/lambda-server/src/lambda/operation/list_layers.rs`), as fauxlambda did before.
#[tokio::test]
async fn list_layers_checks_the_historic_runtime_set() {
    let server = Server::start(&[]);
    let c = server.client();
    let (code, msg, status) = failure(
        c.list_layers()
            .compatible_runtime(Runtime::from("non-existent-runtime"))
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ValidationException",
            "1 validation error detected: Value 'non-existent-runtime' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs, nodejs4.3, nodejs6.10, nodejs8.10, nodejs10.x, nodejs12.x, nodejs14.x, nodejs16.x, nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, java8, java8.al2, java11, java17, java21, java25, python2.7, python3.6, python3.7, python3.8, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, dotnetcore1.0, dotnetcore2.0, dotnetcore2.1, dotnetcore3.1, dotnet6, dotnet8, dotnet10, nodejs4.3-edge, go1.x, ruby2.5, ruby2.7, ruby3.2, ruby3.3, ruby3.4, ruby4.0, provided, provided.al2, provided.al2023]",
            400
        )
    );
}

// ---- rule 5: not-found wording depends on the operation ------------------------------------------

#[tokio::test]
async fn url_configs_of_a_missing_function() {
    let server = Server::start(&[]);
    let c = server.client();
    let rows = vec![
        boxed(
            "CreateFunctionUrlConfig",
            c.create_function_url_config()
                .function_name("ghost")
                .auth_type(FunctionUrlAuthType::None)
                .send(),
        ),
        boxed(
            "GetFunctionUrlConfig",
            c.get_function_url_config().function_name("ghost").send(),
        ),
        boxed(
            "UpdateFunctionUrlConfig",
            c.update_function_url_config()
                .function_name("ghost")
                .auth_type(FunctionUrlAuthType::None)
                .send(),
        ),
        boxed(
            "DeleteFunctionUrlConfig",
            c.delete_function_url_config().function_name("ghost").send(),
        ),
        boxed(
            "ListFunctionUrlConfigs",
            c.list_function_url_configs().function_name("ghost").send(),
        ),
    ];
    expect_all(rows, ("ResourceNotFoundException", "Function does not exist", 404)).await;
}

#[tokio::test]
async fn get_policy_of_a_missing_function_or_version() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "pol").await;
    let rows = vec![
        boxed("GetPolicy (function)", c.get_policy().function_name("ghost").send()),
        boxed(
            "GetPolicy (version)",
            c.get_policy().function_name("pol").qualifier("7").send(),
        ),
    ];
    expect_all(
        rows,
        (
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
            404,
        ),
    )
    .await;
}

#[tokio::test]
async fn provisioned_concurrency_of_a_missing_function() {
    let server = Server::start(&[]);
    let c = server.client();
    for q in ["live", "1"] {
        let rows = vec![
            boxed(
                "PutProvisionedConcurrencyConfig",
                c.put_provisioned_concurrency_config()
                    .function_name("ghost")
                    .qualifier(q)
                    .provisioned_concurrent_executions(1)
                    .send(),
            ),
            boxed(
                "GetProvisionedConcurrencyConfig",
                c.get_provisioned_concurrency_config()
                    .function_name("ghost")
                    .qualifier(q)
                    .send(),
            ),
            boxed(
                "DeleteProvisionedConcurrencyConfig",
                c.delete_provisioned_concurrency_config()
                    .function_name("ghost")
                    .qualifier(q)
                    .send(),
            ),
        ];
        let want = format!("Cannot find alias arn: {ARN_PREFIX}:function:ghost:{q}");
        expect_all(rows, ("ResourceNotFoundException", want.as_str(), 404)).await;
    }
}

#[tokio::test]
async fn missing_code_signing_configs() {
    let server = Server::start(&[]);
    let c = server.client();
    let arn = format!("{ARN_PREFIX}:code-signing-config:csc-0123456789abcdef0");
    let rows = vec![
        boxed(
            "GetCodeSigningConfig",
            c.get_code_signing_config().code_signing_config_arn(&arn).send(),
        ),
        boxed(
            "UpdateCodeSigningConfig",
            c.update_code_signing_config()
                .code_signing_config_arn(&arn)
                .description("x")
                .send(),
        ),
        boxed(
            "DeleteCodeSigningConfig",
            c.delete_code_signing_config().code_signing_config_arn(&arn).send(),
        ),
        boxed(
            "ListFunctionsByCodeSigningConfig",
            c.list_functions_by_code_signing_config()
                .code_signing_config_arn(&arn)
                .send(),
        ),
    ];
    let want = format!("The Lambda code signing configuration {arn} can not be found.");
    expect_all(rows, ("CodeSigningConfigNotFoundException", want.as_str(), 404)).await;
}

#[tokio::test]
async fn tags_of_missing_mappings_capacity_providers_and_code_signing_configs() {
    let server = Server::start(&[]);
    let c = server.client();
    let cases = [
        (
            format!("{ARN_PREFIX}:event-source-mapping:6d2c4f3a-1b2c-4d5e-8f90-123456789abc"),
            "Event source mapping not found",
        ),
        (
            format!("{ARN_PREFIX}:capacity-provider:no-such-provider"),
            "Capacity provider not found",
        ),
    ];
    for (arn, what) in &cases {
        let rows = vec![
            boxed("TagResource", c.tag_resource().resource(arn).tags("k", "v").send()),
            boxed("UntagResource", c.untag_resource().resource(arn).tag_keys("k").send()),
            boxed("ListTags", c.list_tags().resource(arn).send()),
        ];
        let want = format!("{what}: {arn}");
        expect_all(rows, ("ResourceNotFoundException", want.as_str(), 404)).await;
    }
    // A code signing config: its own not-found error, as its other ARN-named operations answer.
    let arn = format!("{ARN_PREFIX}:code-signing-config:csc-0123456789abcdef0");
    let rows = vec![
        boxed("TagResource", c.tag_resource().resource(&arn).tags("k", "v").send()),
        boxed("UntagResource", c.untag_resource().resource(&arn).tag_keys("k").send()),
        boxed("ListTags", c.list_tags().resource(&arn).send()),
    ];
    let want = format!("The Lambda code signing configuration {arn} can not be found.");
    expect_all(rows, ("CodeSigningConfigNotFoundException", want.as_str(), 404)).await;
}

/// Names the model's pattern accepts but that name no function: `Function not found: <ARN>`
/// (Invoke names the version it would have run, `:$LATEST`), never `Invalid function name`.
#[tokio::test]
async fn functions_that_pass_the_pattern_but_name_nothing() {
    let server = Server::start(&[]);
    let c = server.client();
    let long = "a".repeat(65);
    let cases = [
        ("ghost".to_string(), format!("{ARN_PREFIX}:function:ghost")),
        (long.clone(), format!("{ARN_PREFIX}:function:{long}")),
        (
            format!("{ARN_PREFIX}:function"),
            format!("{ARN_PREFIX}:function:function"),
        ),
        ("a.b".to_string(), format!("{ARN_PREFIX}:function:a.b")),
    ];
    for (name, arn) in &cases {
        let get = failure(c.get_function().function_name(name).send().await);
        assert_eq!(
            (get.0.as_str(), get.1.as_str(), get.2),
            (
                "ResourceNotFoundException",
                format!("Function not found: {arn}").as_str(),
                404
            ),
            "GetFunction {name}"
        );
        let invoke = failure(c.invoke().function_name(name).send().await);
        assert_eq!(
            (invoke.0.as_str(), invoke.1.as_str(), invoke.2),
            (
                "ResourceNotFoundException",
                format!("Function not found: {arn}:$LATEST").as_str(),
                404
            ),
            "Invoke {name}"
        );
    }
    // A qualified Invoke names its qualifier.
    let invoke = failure(c.invoke().function_name("ghost").qualifier("live").send().await);
    assert_eq!(
        invoke.1,
        format!("Function not found: {ARN_PREFIX}:function:ghost:live")
    );
    // CreateFunction refuses a name no function can have: too long is AWS's length
    // ValidationException (pinned in tests/aws_validation.rs).
    let create = failure(
        c.create_function()
            .function_name(&long)
            .runtime(Runtime::Python312)
            .role(ROLE)
            .handler("app.handler")
            .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
            .send()
            .await,
    );
    assert_eq!((create.0.as_str(), create.2), ("ValidationException", 400));
}

// ---- rule 6: idempotent deletes ------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_missing_alias_succeeds() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "al").await;
    c.delete_alias()
        .function_name("al")
        .name("never-created")
        .send()
        .await
        .expect("204 for an alias that does not exist");
}

// ---- rule 8: revision-id mismatch on function policies --------------------------------------------

#[tokio::test]
async fn policy_revision_mismatch() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "rev").await;
    c.add_permission()
        .function_name("rev")
        .statement_id("s")
        .action("lambda:InvokeFunction")
        .principal("sns.amazonaws.com")
        .send()
        .await
        .expect("add");
    let stale = "00000000-0000-0000-0000-000000000000";
    let rows = vec![
        boxed(
            "AddPermission",
            c.add_permission()
                .function_name("rev")
                .statement_id("t")
                .action("lambda:InvokeFunction")
                .principal("sns.amazonaws.com")
                .revision_id(stale)
                .send(),
        ),
        boxed(
            "RemovePermission",
            c.remove_permission()
                .function_name("rev")
                .statement_id("s")
                .revision_id(stale)
                .send(),
        ),
    ];
    expect_all(
        rows,
        (
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
            412,
        ),
    )
    .await;
}

// ---- rule 9: tag limits at creation ---------------------------------------------------------------

#[tokio::test]
async fn more_than_50_tags_at_creation() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "target").await;
    let vpc = CapacityProviderVpcConfig::builder()
        .subnet_ids("subnet-1")
        .security_group_ids("sg-1")
        .build()
        .unwrap();
    let perms = CapacityProviderPermissionsConfig::builder()
        .capacity_provider_operator_role_arn("arn:aws:iam::000000000000:role/operator")
        .build()
        .unwrap();
    let rows = vec![
        boxed(
            "CreateFunction",
            c.create_function()
                .function_name("many-tags")
                .runtime(Runtime::Python312)
                .role(ROLE)
                .handler("app.handler")
                .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
                .set_tags(Some(tags(51)))
                .send(),
        ),
        boxed(
            "CreateEventSourceMapping",
            c.create_event_source_mapping()
                .function_name("target")
                .event_source_arn("arn:aws:sqs:us-east-1:000000000000:in")
                .set_tags(Some(tags(51)))
                .send(),
        ),
        boxed(
            "CreateCodeSigningConfig",
            c.create_code_signing_config()
                .allowed_publishers(
                    aws_sdk_lambda::types::AllowedPublishers::builder()
                        .signing_profile_version_arns(
                            "arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdefghij",
                        )
                        .build()
                        .unwrap(),
                )
                .set_tags(Some(tags(51)))
                .send(),
        ),
        boxed(
            "CreateCapacityProvider",
            c.create_capacity_provider()
                .capacity_provider_name("many-tags")
                .vpc_config(vpc.clone())
                .permissions_config(perms.clone())
                .set_tags(Some(tags(51)))
                .send(),
        ),
        boxed(
            "TagResource",
            c.tag_resource()
                .resource(format!("{ARN_PREFIX}:function:target"))
                .set_tags(Some(tags(51)))
                .send(),
        ),
    ];
    expect_all(
        rows,
        (
            "InvalidParameterValueException",
            "Number of tags exceeds resource tag limit.",
            400,
        ),
    )
    .await;
    // Nothing was created, and 50 is allowed.
    failure(c.get_function().function_name("many-tags").send().await);
    let created = c
        .create_function()
        .function_name("fifty-tags")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
        .set_tags(Some(tags(50)))
        .send()
        .await
        .expect("50 tags are allowed");
    let listed = c
        .list_tags()
        .resource(created.function_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(listed.tags().map(|t| t.len()), Some(50));
}
