//! Tags and account settings against the real binary: ListTags/TagResource/UntagResource on
//! functions and other taggable resources, and GetAccountSettings changing with what exists.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LayerVersionContentInput, Runtime};
use common::{create_echo, Server, ROLE};
use std::collections::HashMap;

const FN_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:tagged";

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

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn tags_round_trip() {
    let server = Server::start(&[]);
    let client = server.client();
    client
        .create_function()
        .function_name("tagged")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .tags("team", "core")
        .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
        .send()
        .await
        .expect("create");
    common::wait_active(&client, "tagged").await;

    let listed = client.list_tags().resource(FN_ARN).send().await.expect("list tags");
    assert_eq!(listed.tags(), Some(&map(&[("team", "core")])));
    let before = client
        .get_function_configuration()
        .function_name("tagged")
        .send()
        .await
        .expect("config");
    client
        .tag_resource()
        .resource(FN_ARN)
        .tags("team", "platform")
        .tags("env", "test")
        .send()
        .await
        .expect("tag");
    let listed = client.list_tags().resource(FN_ARN).send().await.expect("list tags");
    assert_eq!(listed.tags(), Some(&map(&[("team", "platform"), ("env", "test")])));
    let after = client
        .get_function_configuration()
        .function_name("tagged")
        .send()
        .await
        .expect("config");
    assert_ne!(
        before.revision_id(),
        after.revision_id(),
        "tagging changes the revision"
    );
    let got = client
        .get_function()
        .function_name("tagged")
        .send()
        .await
        .expect("get function");
    assert_eq!(got.tags(), Some(&map(&[("team", "platform"), ("env", "test")])));
    client
        .untag_resource()
        .resource(FN_ARN)
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .expect("untag");
    let listed = client.list_tags().resource(FN_ARN).send().await.expect("list tags");
    assert_eq!(listed.tags(), Some(&map(&[("env", "test")])));

    // Errors: qualified ARNs, missing functions, malformed ARNs, too many tags.
    let (code, msg, status) = failure(
        client
            .tag_resource()
            .resource(format!("{FN_ARN}:1"))
            .tags("a", "b")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "InvalidParameterValueException",
            "Tags on function aliases and versions are not supported. Please specify a function ARN.",
            400
        )
    );
    let ghost = "arn:aws:lambda:us-east-1:000000000000:function:ghost";
    let (code, msg, status) = failure(client.list_tags().resource(ghost).send().await);
    assert_eq!(
        (code.as_str(), msg, status),
        ("ResourceNotFoundException", format!("Function not found: {ghost}"), 404)
    );
    let (code, _, status) = failure(client.tag_resource().resource(ghost).tags("a", "b").send().await);
    assert_eq!((code.as_str(), status), ("ResourceNotFoundException", 404));
    let (code, _, status) = failure(
        client
            .list_tags()
            .resource("arn:aws:lambda:us-east-1:000000000000:layer:x")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("ValidationException", 400));
    let mut many = client.tag_resource().resource(FN_ARN);
    for i in 0..50 {
        many = many.tags(format!("k{i}"), "v");
    }
    let (code, msg, _) = failure(many.send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterValueException",
            "Number of tags exceeds resource tag limit."
        )
    );

    // Other taggable resources are tagged by ARN (one that exists: a missing one is a 404).
    let created = client
        .create_event_source_mapping()
        .function_name("tagged")
        .event_source_arn("arn:aws:sqs:us-east-1:000000000000:in")
        .send()
        .await
        .expect("create esm");
    let esm = created.event_source_mapping_arn().expect("esm arn");
    client
        .tag_resource()
        .resource(esm)
        .tags("owner", "me")
        .send()
        .await
        .expect("tag esm");
    let listed = client.list_tags().resource(esm).send().await.expect("list esm tags");
    assert_eq!(listed.tags(), Some(&map(&[("owner", "me")])));
    client
        .untag_resource()
        .resource(esm)
        .tag_keys("owner")
        .send()
        .await
        .expect("untag esm");
    let listed = client.list_tags().resource(esm).send().await.expect("list esm tags");
    assert_eq!(listed.tags(), Some(&HashMap::new()));

    // Deleting a function drops its tags.
    client
        .delete_function()
        .function_name("tagged")
        .send()
        .await
        .expect("delete");
    create_echo(&client, "tagged").await;
    let listed = client
        .list_tags()
        .resource(FN_ARN)
        .send()
        .await
        .expect("list tags of the new function");
    assert_eq!(listed.tags(), Some(&HashMap::new()));
}

#[tokio::test]
async fn account_settings_follow_usage() {
    let server = Server::start(&[]);
    let client = server.client();
    let s = client.get_account_settings().send().await.expect("settings");
    let limit = s.account_limit().expect("limit");
    assert_eq!(limit.total_code_size(), 80_530_636_800);
    assert_eq!(limit.code_size_unzipped(), 262_144_000);
    assert_eq!(limit.code_size_zipped(), 52_428_800);
    assert_eq!(limit.concurrent_executions(), 1000);
    assert_eq!(limit.unreserved_concurrent_executions(), Some(1000));
    let usage = s.account_usage().expect("usage");
    assert_eq!((usage.function_count(), usage.total_code_size()), (0, 0));

    let created = create_echo(&client, "counted").await;
    let code_size = created.code_size();
    assert!(code_size > 0);
    let s = client.get_account_settings().send().await.expect("settings");
    let usage = s.account_usage().expect("usage");
    assert_eq!((usage.function_count(), usage.total_code_size()), (1, code_size));

    // A published version and a layer version count too.
    client
        .publish_version()
        .function_name("counted")
        .send()
        .await
        .expect("publish");
    let layer = client
        .publish_layer_version()
        .layer_name("lib")
        .content(
            LayerVersionContentInput::builder()
                .zip_file(Blob::new(common::zip(&[("python/x.py", "x = 1\n")])))
                .build(),
        )
        .send()
        .await
        .expect("publish layer");
    let layer_size = layer.content().map(|c| c.code_size()).unwrap_or(0);
    let s = client.get_account_settings().send().await.expect("settings");
    let usage = s.account_usage().expect("usage");
    assert_eq!(
        (usage.function_count(), usage.total_code_size()),
        (1, 2 * code_size + layer_size)
    );

    // Reserved concurrency comes off the unreserved pool.
    client
        .put_function_concurrency()
        .function_name("counted")
        .reserved_concurrent_executions(100)
        .send()
        .await
        .expect("reserve");
    let s = client.get_account_settings().send().await.expect("settings");
    assert_eq!(
        s.account_limit().and_then(|l| l.unreserved_concurrent_executions()),
        Some(900)
    );
}
