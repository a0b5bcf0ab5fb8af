//! Invoke, InvokeAsync and InvokeWithResponseStream through `aws-sdk-lambda` against the real
//! binary: requests checked as AWS checks them, and a Python function really run.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::{Blob, ByteStream};
use aws_sdk_lambda::types::{InvocationType, LogType};
use base64::Engine;
use common::*;

#[tokio::test]
async fn invocations_run_and_are_checked() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "inv").await;

    let dry = c
        .invoke()
        .function_name("inv")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .unwrap();
    assert_eq!(dry.status_code(), 204);

    let run = c
        .invoke()
        .function_name("inv")
        .payload(Blob::new(r#"{"a":1}"#))
        .log_type(LogType::Tail)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status_code(), 200);
    assert_eq!(run.executed_version(), Some("$LATEST"));
    assert_eq!(run.function_error(), None);
    let body: serde_json::Value = serde_json::from_slice(run.payload().expect("payload").as_ref()).unwrap();
    assert_eq!(body, serde_json::json!({"a": 1}));
    let log = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(run.log_result().expect("log"))
            .unwrap(),
    )
    .unwrap();
    assert!(
        log.starts_with("START RequestId: ") && log.contains(" Version: $LATEST\n"),
        "{log}"
    );
    assert!(
        log.contains("\nEND RequestId: ") && log.contains("\nREPORT RequestId: ") && log.contains("\tInit Duration: "),
        "{log}"
    );

    let not_json = c
        .invoke()
        .function_name("inv")
        .payload(Blob::new("not json"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(not_json.code(), Some("InvalidRequestContentException"));
    assert!(not_json
        .message()
        .unwrap_or("")
        .starts_with("Could not parse request body into json: Could not parse payload into json: "));

    let missing = c.invoke().function_name("inv").qualifier("9").send().await.unwrap_err();
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        missing.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:inv:9")
    );

    let too_big = c
        .invoke()
        .function_name("inv")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(format!("\"{}\"", "x".repeat(1024 * 1024 + 10))))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_big.code(), Some("RequestEntityTooLargeException"));

    let event = c
        .invoke()
        .function_name("inv")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(event.status_code(), 202);

    #[allow(deprecated)]
    let async_run = c
        .invoke_async()
        .function_name("inv")
        .invoke_args(ByteStream::from_static(b"{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(async_run.status(), 202);

    let mut stream = c
        .invoke_with_response_stream()
        .function_name("inv")
        .payload(Blob::new(r#"{"s":true}"#))
        .send()
        .await
        .unwrap();
    let mut chunks = Vec::new();
    let mut completed = false;
    while let Some(event) = stream.event_stream.recv().await.unwrap() {
        match event {
            aws_sdk_lambda::types::InvokeWithResponseStreamResponseEvent::PayloadChunk(p) => {
                chunks.extend_from_slice(p.payload().map(|b| b.as_ref()).unwrap_or_default())
            }
            aws_sdk_lambda::types::InvokeWithResponseStreamResponseEvent::InvokeComplete(done) => {
                assert_eq!(done.error_code(), None);
                completed = true;
            }
            _ => {}
        }
    }
    assert!(completed);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&chunks).unwrap(),
        serde_json::json!({"s": true})
    );
}
