//! Durable executions through the real `aws-sdk-lambda` against the real binary. Executions are
//! started by the invoke path, so here only what needs none: an unknown execution is AWS's
//! not-found error, and a function with none lists none. The operations over recorded executions
//! are unit-tested in `src/api/durable_executions.rs`.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use common::*;

#[tokio::test]
async fn unknown_execution_and_empty_list() {
    let server = Server::start(&[]);
    let c = server.client();
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:durable:$LATEST/durable-execution/run-1/0123456789abcdef";

    let e = c.get_durable_execution().durable_execution_arn(arn).send().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(e.message(), Some(format!("Durable execution not found: {arn}").as_str()));
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(404));
    let e = c.get_durable_execution_history().durable_execution_arn(arn).send().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c.stop_durable_execution().durable_execution_arn(arn).send().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c.send_durable_execution_callback_heartbeat().callback_id("bm9wZQ==").send().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));

    create_echo(&c, "durable").await;
    let listed = c.list_durable_executions_by_function().function_name("durable").send().await.unwrap();
    assert!(listed.durable_executions().is_empty());
    assert!(listed.next_marker().is_none());
    let e = c.list_durable_executions_by_function().function_name("nope").send().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(e.message(), Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"));
}
