//! Runtime management configs and recursive-loop settings through the real `aws-sdk-lambda`
//! against the real binary.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::{RecursiveLoop, UpdateRuntimeOn};
use common::*;

const RUNTIME: &str =
    "arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn runtime_management_per_version() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "rt").await;

    let got = c
        .get_runtime_management_config()
        .function_name("rt")
        .send()
        .await
        .unwrap();
    assert_eq!(got.update_runtime_on(), Some(&UpdateRuntimeOn::Auto));
    assert_eq!(got.runtime_version_arn(), None);
    assert_eq!(
        got.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:rt:$LATEST")
    );

    let put = c
        .put_runtime_management_config()
        .function_name("rt")
        .update_runtime_on(UpdateRuntimeOn::Manual)
        .runtime_version_arn(RUNTIME)
        .send()
        .await
        .unwrap();
    assert_eq!(put.update_runtime_on(), &UpdateRuntimeOn::Manual);
    assert_eq!(put.runtime_version_arn(), Some(RUNTIME));
    assert_eq!(
        put.function_arn(),
        "arn:aws:lambda:us-east-1:000000000000:function:rt:$LATEST"
    );
    let got = c
        .get_runtime_management_config()
        .function_name("rt")
        .qualifier("$LATEST")
        .send()
        .await
        .unwrap();
    assert_eq!(got.update_runtime_on(), Some(&UpdateRuntimeOn::Manual));
    assert_eq!(got.runtime_version_arn(), Some(RUNTIME));

    // A published version has its own setting.
    c.publish_version().function_name("rt").send().await.unwrap();
    let v1 = c
        .get_runtime_management_config()
        .function_name("rt")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.update_runtime_on(), Some(&UpdateRuntimeOn::Auto));
    let put = c
        .put_runtime_management_config()
        .function_name("rt")
        .qualifier("1")
        .update_runtime_on(UpdateRuntimeOn::FunctionUpdate)
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.function_arn(),
        "arn:aws:lambda:us-east-1:000000000000:function:rt:1"
    );
    assert_eq!(put.runtime_version_arn(), None);
    let v1 = c
        .get_runtime_management_config()
        .function_name("rt")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.update_runtime_on(), Some(&UpdateRuntimeOn::FunctionUpdate));

    // Errors: Manual needs a runtime version, the version must exist.
    let e = c
        .put_runtime_management_config()
        .function_name("rt")
        .update_runtime_on(UpdateRuntimeOn::Manual)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    assert_eq!(
        e.message(),
        Some("RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
    );
    let e = c
        .get_runtime_management_config()
        .function_name("rt")
        .qualifier("7")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:rt:7")
    );
}

#[tokio::test]
async fn recursion_config() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "loop").await;
    let got = c
        .get_function_recursion_config()
        .function_name("loop")
        .send()
        .await
        .unwrap();
    assert_eq!(got.recursive_loop(), Some(&RecursiveLoop::Terminate));
    let put = c
        .put_function_recursion_config()
        .function_name("loop")
        .recursive_loop(RecursiveLoop::Allow)
        .send()
        .await
        .unwrap();
    assert_eq!(put.recursive_loop(), Some(&RecursiveLoop::Allow));
    let got = c
        .get_function_recursion_config()
        .function_name("loop")
        .send()
        .await
        .unwrap();
    assert_eq!(got.recursive_loop(), Some(&RecursiveLoop::Allow));

    let e = c
        .get_function_recursion_config()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
    );
    let e = c
        .put_function_recursion_config()
        .function_name("nope")
        .recursive_loop(RecursiveLoop::Allow)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));

    // A function created again under the same name starts over.
    c.delete_function().function_name("loop").send().await.unwrap();
    create_echo(&c, "loop").await;
    let got = c
        .get_function_recursion_config()
        .function_name("loop")
        .send()
        .await
        .unwrap();
    assert_eq!(got.recursive_loop(), Some(&RecursiveLoop::Terminate));
}
