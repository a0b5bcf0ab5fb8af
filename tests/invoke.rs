//! Invoke, InvokeAsync and InvokeWithResponseStream in this build (control plane only): requests
//! are checked as AWS checks them, `DryRun` answers 204, and running code answers the modelled
//! `ServiceException` that says execution is not available.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::{Blob, ByteStream};
use aws_sdk_lambda::types::InvocationType;
use common::*;

#[tokio::test]
async fn invocations_are_checked_and_dry_runs_answered() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "inv").await;

    let dry = c.invoke().function_name("inv").invocation_type(InvocationType::DryRun).send().await.unwrap();
    assert_eq!(dry.status_code(), 204);
    assert_eq!(dry.executed_version(), Some("$LATEST"));

    let run = c.invoke().function_name("inv").payload(Blob::new(r#"{"a":1}"#)).send().await.unwrap_err();
    assert_eq!(run.code(), Some("ServiceException"));
    assert!(run.message().unwrap_or("").contains("cannot run functions yet"), "{:?}", run.message());

    let not_json = c.invoke().function_name("inv").payload(Blob::new("not json")).send().await.unwrap_err();
    assert_eq!(not_json.code(), Some("InvalidRequestContentException"));
    assert!(not_json.message().unwrap_or("").starts_with("Could not parse request body into json: Could not parse payload into json: "));

    let missing = c.invoke().function_name("inv").qualifier("9").send().await.unwrap_err();
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
    assert_eq!(missing.message(), Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:inv:9"));

    let too_big = c
        .invoke()
        .function_name("inv")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(format!("\"{}\"", "x".repeat(1024 * 1024 + 10))))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_big.code(), Some("RequestTooLargeException"));

    #[allow(deprecated)]
    let async_run = c.invoke_async().function_name("inv").invoke_args(ByteStream::from_static(b"{}")).send().await.unwrap_err();
    assert_eq!(async_run.code(), Some("ServiceException"));

    let stream = c.invoke_with_response_stream().function_name("inv").send().await.unwrap_err();
    assert_eq!(stream.code(), Some("ServiceException"));
}
