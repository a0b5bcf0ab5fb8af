//! Function resource policies against the real binary: AddPermission, GetPolicy and
//! RemovePermission, with qualifiers, revision ids and AWS's errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, FunctionUrlAuthType, Runtime};
use common::{create_echo, Server, ROLE};

const FN_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:guarded";

/// `(code, message, status)` of a failed call.
fn failure<E: ProvideErrorMetadata, R: std::fmt::Debug>(
    r: Result<R, aws_sdk_lambda::error::SdkError<E>>,
) -> (String, String, u16) {
    let e = r.expect_err("the call should fail");
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (
        e.code().unwrap_or("").to_string(),
        e.message().unwrap_or("").to_string(),
        status,
    )
}

#[tokio::test]
async fn function_policies() {
    let server = Server::start(&[]);
    let client = server.client();
    // Published at creation, so version 1 exists.
    client
        .create_function()
        .function_name("guarded")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .publish(true)
        .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
        .send()
        .await
        .expect("create");
    common::wait_active(&client, "guarded").await;

    // No policy yet.
    let (code, msg, status) = failure(client.get_policy().function_name("guarded").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
            404
        )
    );

    // A service principal with source conditions.
    let s3 = client
        .add_permission()
        .function_name("guarded")
        .statement_id("s3-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::my-bucket")
        .source_account("111122223333")
        .send()
        .await
        .expect("add s3 permission");
    let s3_stmt = format!(
        r#"{{"Sid":"s3-invoke","Effect":"Allow","Principal":{{"Service":"s3.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{FN_ARN}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"111122223333"}},"ArnLike":{{"AWS:SourceArn":"arn:aws:s3:::my-bucket"}}}}}}"#
    );
    assert_eq!(s3.statement(), Some(s3_stmt.as_str()));

    // An account principal, and a public function URL grant.
    let acct = client
        .add_permission()
        .function_name(FN_ARN)
        .statement_id("acct")
        .action("lambda:GetFunction")
        .principal("444455556666")
        .send()
        .await
        .expect("add account permission");
    let acct_stmt = format!(
        r#"{{"Sid":"acct","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},"Action":"lambda:GetFunction","Resource":"{FN_ARN}"}}"#
    );
    assert_eq!(acct.statement(), Some(acct_stmt.as_str()));
    let url = client
        .add_permission()
        .function_name("guarded")
        .statement_id("url")
        .action("lambda:InvokeFunctionUrl")
        .principal("*")
        .function_url_auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .expect("add url permission");
    let url_stmt = format!(
        r#"{{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"{FN_ARN}","Condition":{{"StringEquals":{{"lambda:FunctionUrlAuthType":"NONE"}}}}}}"#
    );
    assert_eq!(url.statement(), Some(url_stmt.as_str()));

    // The policy document, and its revision id is the function's.
    let policy = client
        .get_policy()
        .function_name("guarded")
        .send()
        .await
        .expect("get policy");
    assert_eq!(
        policy.policy(),
        Some(
            format!(r#"{{"Version":"2012-10-17","Id":"default","Statement":[{s3_stmt},{acct_stmt},{url_stmt}]}}"#)
                .as_str()
        )
    );
    let config = client
        .get_function_configuration()
        .function_name("guarded")
        .send()
        .await
        .expect("config");
    assert_eq!(policy.revision_id(), config.revision_id());

    // Duplicate statement ids, stale revisions, bad principals.
    let (code, msg, status) = failure(
        client
            .add_permission()
            .function_name("guarded")
            .statement_id("s3-invoke")
            .action("lambda:InvokeFunction")
            .principal("sns.amazonaws.com")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        ("ResourceConflictException", "The statement id (s3-invoke) provided already exists. Please provide a new statement id, or remove the existing statement.", 409)
    );
    let (code, msg, status) = failure(
        client
            .add_permission()
            .function_name("guarded")
            .statement_id("late")
            .action("lambda:InvokeFunction")
            .principal("sns.amazonaws.com")
            .revision_id("00000000-0000-0000-0000-000000000000")
            .send()
            .await,
    );
    assert_eq!(code, "PreconditionFailedException");
    assert_eq!(status, 412);
    assert_eq!(msg, "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id");
    client
        .add_permission()
        .function_name("guarded")
        .statement_id("sns")
        .action("lambda:InvokeFunction")
        .principal("sns.amazonaws.com")
        .revision_id(policy.revision_id().expect("revision"))
        .send()
        .await
        .expect("add with the current revision");
    let (code, msg, _) = failure(
        client
            .add_permission()
            .function_name("guarded")
            .statement_id("bad")
            .action("lambda:InvokeFunction")
            .principal("somebody")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterValueException",
            "The provided principal was invalid. Please check the principal and try again."
        )
    );

    // Qualifiers: a version, an alias, and ones that do not exist.
    let v1 = client
        .add_permission()
        .function_name("guarded")
        .qualifier("1")
        .statement_id("s3-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .expect("add to version 1");
    assert!(v1
        .statement()
        .unwrap_or("")
        .contains(&format!(r#""Resource":"{FN_ARN}:1""#)));
    let p1 = client
        .get_policy()
        .function_name("guarded:1")
        .send()
        .await
        .expect("version policy");
    assert_eq!(p1.policy().map(|p| p.matches("\"Sid\"").count()), Some(1));
    let v1_config = client
        .get_function_configuration()
        .function_name("guarded")
        .qualifier("1")
        .send()
        .await
        .expect("v1 config");
    assert_eq!(p1.revision_id(), v1_config.revision_id());
    client
        .create_alias()
        .function_name("guarded")
        .name("live")
        .function_version("1")
        .send()
        .await
        .expect("create alias");
    let live = client
        .add_permission()
        .function_name("guarded")
        .qualifier("live")
        .statement_id("events")
        .action("lambda:InvokeFunction")
        .principal("events.amazonaws.com")
        .send()
        .await
        .expect("add to alias");
    assert!(live
        .statement()
        .unwrap_or("")
        .contains(&format!(r#""Resource":"{FN_ARN}:live""#)));
    let (code, msg, status) = failure(
        client
            .add_permission()
            .function_name("guarded")
            .qualifier("7")
            .statement_id("x")
            .action("lambda:InvokeFunction")
            .principal("*")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg, status),
        (
            "ResourceNotFoundException",
            format!("Function not found: {FN_ARN}:7"),
            404
        )
    );
    let (code, msg, _) = failure(
        client
            .get_policy()
            .function_name("guarded")
            .qualifier("nope")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg),
        (
            "ResourceNotFoundException",
            format!("Cannot find alias arn: {FN_ARN}:nope")
        )
    );
    let (code, msg, _) = failure(
        client
            .add_permission()
            .function_name("guarded")
            .qualifier("$LATEST")
            .statement_id("x")
            .action("lambda:InvokeFunction")
            .principal("*")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterValueException",
            "We currently do not support adding policies for $LATEST."
        )
    );

    // Removing statements.
    client
        .remove_permission()
        .function_name("guarded")
        .statement_id("acct")
        .send()
        .await
        .expect("remove");
    let (code, msg, status) = failure(
        client
            .remove_permission()
            .function_name("guarded")
            .statement_id("acct")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ResourceNotFoundException",
            "Statement acct is not found in resource policy.",
            404
        )
    );
    let after = client
        .get_policy()
        .function_name("guarded")
        .send()
        .await
        .expect("policy after removal");
    assert!(!after.policy().unwrap_or("").contains("\"acct\""));
    client
        .remove_permission()
        .function_name("guarded")
        .qualifier("1")
        .statement_id("s3-invoke")
        .send()
        .await
        .expect("remove from version");
    let (code, _, _) = failure(client.get_policy().function_name("guarded").qualifier("1").send().await);
    assert_eq!(code, "ResourceNotFoundException");

    // Missing functions.
    let (code, msg, status) = failure(
        client
            .add_permission()
            .function_name("ghost")
            .statement_id("x")
            .action("lambda:InvokeFunction")
            .principal("*")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost",
            404
        )
    );
    let (code, _, _) = failure(client.get_policy().function_name("ghost").send().await);
    assert_eq!(code, "ResourceNotFoundException");

    // A deleted and re-created function starts without a policy.
    client
        .delete_function()
        .function_name("guarded")
        .send()
        .await
        .expect("delete");
    create_echo(&client, "guarded").await;
    let (code, _, _) = failure(client.get_policy().function_name("guarded").send().await);
    assert_eq!(code, "ResourceNotFoundException");
}
