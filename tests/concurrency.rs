//! Reserved and provisioned concurrency through the real `aws-sdk-lambda`: put/get/delete, the
//! account's unreserved minimum, provisioned configs per qualifier with their states and errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::ProvisionedConcurrencyStatusEnum as Status;
use common::*;
use std::time::Duration;

#[tokio::test]
async fn reserved_concurrency() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "rc").await;
    create_echo(&c, "rc2").await;
    assert_eq!(
        c.get_function_concurrency()
            .function_name("rc")
            .send()
            .await
            .unwrap()
            .reserved_concurrent_executions(),
        None
    );
    let put = c
        .put_function_concurrency()
        .function_name("rc")
        .reserved_concurrent_executions(800)
        .send()
        .await
        .unwrap();
    assert_eq!(put.reserved_concurrent_executions(), Some(800));
    assert_eq!(
        c.get_function_concurrency()
            .function_name("rc")
            .send()
            .await
            .unwrap()
            .reserved_concurrent_executions(),
        Some(800)
    );
    let f = c.get_function().function_name("rc").send().await.unwrap();
    assert_eq!(
        f.concurrency().and_then(|c| c.reserved_concurrent_executions()),
        Some(800)
    );

    let over = c
        .put_function_concurrency()
        .function_name("rc2")
        .reserved_concurrent_executions(101)
        .send()
        .await
        .unwrap_err();
    assert_eq!(over.code(), Some("InvalidParameterValueException"));
    assert_eq!(
        over.message(),
        Some("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
    );
    c.put_function_concurrency()
        .function_name("rc2")
        .reserved_concurrent_executions(100)
        .send()
        .await
        .unwrap();
    c.delete_function_concurrency()
        .function_name("rc")
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.get_function_concurrency()
            .function_name("rc")
            .send()
            .await
            .unwrap()
            .reserved_concurrent_executions(),
        None
    );
    let missing = c
        .get_function_concurrency()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn provisioned_concurrency() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "pc").await;
    c.publish_version().function_name("pc").send().await.unwrap();
    c.create_alias()
        .function_name("pc")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();

    let latest = c
        .put_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("$LATEST")
        .provisioned_concurrent_executions(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(latest.code(), Some("InvalidParameterValueException"));
    assert_eq!(
        latest.message(),
        Some("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    );

    let put = c
        .put_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("live")
        .provisioned_concurrent_executions(3)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), Some(&Status::InProgress));
    assert_eq!(put.requested_provisioned_concurrent_executions(), Some(3));
    assert_eq!(put.available_provisioned_concurrent_executions(), Some(0));
    assert!(put.last_modified().is_some());
    let conflict = c
        .put_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("1")
        .provisioned_concurrent_executions(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(conflict.code(), Some("ResourceConflictException"));

    let got = eventually(
        "the provisioned config of pc:live is Ready",
        Duration::from_secs(10),
        || async {
            let got = c
                .get_provisioned_concurrency_config()
                .function_name("pc")
                .qualifier("live")
                .send()
                .await
                .unwrap();
            match got.status() {
                Some(Status::Ready) => Ok(got),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    assert_eq!(got.allocated_provisioned_concurrent_executions(), Some(3));
    assert_eq!(got.available_provisioned_concurrent_executions(), Some(3));

    let list = c
        .list_provisioned_concurrency_configs()
        .function_name("pc")
        .send()
        .await
        .unwrap();
    let arns: Vec<_> = list
        .provisioned_concurrency_configs()
        .iter()
        .filter_map(|p| p.function_arn())
        .collect();
    assert_eq!(arns, ["arn:aws:lambda:us-east-1:000000000000:function:pc:live"]);

    c.delete_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("live")
        .send()
        .await
        .unwrap();
    let gone = c
        .get_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("live")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("ProvisionedConcurrencyConfigNotFoundException"));
    assert_eq!(
        gone.message(),
        Some("No Provisioned Concurrency Config found for this function")
    );
    let no_version = c
        .get_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        no_version.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:pc:9")
    );

    // Deleting the alias takes its provisioned config along.
    c.put_provisioned_concurrency_config()
        .function_name("pc")
        .qualifier("live")
        .provisioned_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    c.delete_alias().function_name("pc").name("live").send().await.unwrap();
    let list = c
        .list_provisioned_concurrency_configs()
        .function_name("pc")
        .send()
        .await
        .unwrap();
    assert!(list.provisioned_concurrency_configs().is_empty());
}
