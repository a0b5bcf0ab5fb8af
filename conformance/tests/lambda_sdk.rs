//! The official Rust SDK (`aws-sdk-lambda`) against the generated `lambda-server` layer over
//! loopback HTTP: a real hyper 1 server on 127.0.0.1 routes each request with
//! `lambda_server::route`, reads it with the operation's `deserialize_request`, hands the typed
//! input to the test over a channel and answers with `serialize_response`/`serialize_error` of
//! outputs prepared here. Each test checks both directions: the input the server parsed is what the
//! SDK was asked to send, and the SDK parsed the server's answer into the prepared values (including
//! errors through `ProvideErrorMetadata`, pagination markers, Invoke's raw payload and header
//! members, and InvokeWithResponseStream's event frames).

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use aws_sdk_lambda::config::retry::RetryConfig;
use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob as SdkBlob;
use aws_sdk_lambda::types as sdk;
use base64::Engine as _;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use lambda_server::model as m;
use lambda_server::operation;
use lambda_server::service::PROTOCOL;
use lambda_server::Operation;
use smithy_server_runtime::aws_smithy_types::Blob;
use smithy_server_runtime::body::Body;
use smithy_server_runtime::event_stream::EventStream;
use smithy_server_runtime::rejection::Rejection;
use tokio::sync::mpsc;

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-exec";
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:my-function";
const LAYER_VERSION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:3";
const LAST_MODIFIED: &str = "2024-05-01T12:34:56.789+0000";
/// A pagination token with characters that must survive query encoding.
const PAGE_2: &str = "eyJwYWdlIjoyfQ==+/x";

// ---------------------------------------------------------------------------------------------
// the server

/// What the server read from one request.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
enum Seen {
    CreateFunction(m::CreateFunctionRequest),
    GetFunction(m::GetFunctionRequest),
    ListFunctions(m::ListFunctionsRequest),
    Invoke(m::InvocationRequest),
    InvokeWithResponseStream(m::InvokeWithResponseStreamRequest),
    DeleteFunction(m::DeleteFunctionRequest),
    AddPermission(m::AddPermissionRequest),
    ListTags(m::ListTagsRequest),
    GetLayerVersionByArn(m::GetLayerVersionByArnRequest),
    /// `deserialize_request` refused the request.
    Rejected(Operation, String),
    /// An operation this server does not implement.
    Other(Operation),
    /// The router found no operation.
    Unrouted,
}

#[derive(Debug)]
struct Captured {
    seen: Seen,
    uri: http::Uri,
    headers: http::HeaderMap,
}

/// The configuration every successful function answer carries.
fn configuration(name: &str) -> m::FunctionConfiguration {
    m::FunctionConfiguration {
        function_name: Some(name.to_string()),
        function_arn: Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}")),
        runtime: Some(m::Runtime::Python312),
        role: Some(ROLE.to_string()),
        handler: Some("app.handler".to_string()),
        code_size: 1234,
        code_sha256: Some("n2d0Dq1qBPvyQh5QsN/Bt1Mp8QYwTGZOqhRUzOH8oFs=".to_string()),
        description: Some("orders API".to_string()),
        timeout: Some(30),
        memory_size: Some(512),
        last_modified: Some(LAST_MODIFIED.to_string()),
        version: Some("1".to_string()),
        environment: Some(m::EnvironmentResponse {
            variables: Some([("MODE".to_string(), "prod".to_string())].into_iter().collect()),
            error: None,
        }),
        tracing_config: Some(m::TracingConfigResponse {
            mode: Some(m::TracingMode::Active),
        }),
        revision_id: Some("4c8b5a1e-0f55-4c4e-9d52-0a6b9f6f2c11".to_string()),
        state: Some(m::State::Pending),
        state_reason: Some("The function is being created.".to_string()),
        state_reason_code: Some(m::StateReasonCode::Creating),
        last_update_status: Some(m::LastUpdateStatus::InProgress),
        package_type: Some(m::PackageType::Zip),
        architectures: Some(vec![m::Architecture::Arm64]),
        ephemeral_storage: Some(m::EphemeralStorage { size: 1024 }),
        ..Default::default()
    }
}

fn stream_events() -> Vec<m::InvokeWithResponseStreamResponseEvent> {
    vec![
        m::InvokeWithResponseStreamResponseEvent::PayloadChunk(m::InvokeResponseStreamUpdate {
            payload: Some(Blob::new(b"Hello, ".to_vec())),
        }),
        m::InvokeWithResponseStreamResponseEvent::PayloadChunk(m::InvokeResponseStreamUpdate {
            payload: Some(Blob::new(b"world\x00\xff".to_vec())),
        }),
        m::InvokeWithResponseStreamResponseEvent::InvokeComplete(m::InvokeWithResponseStreamCompleteEvent {
            error_code: None,
            error_details: None,
            log_result: Some("U1RBUlQgUmVxdWVzdElk".to_string()),
        }),
    ]
}

/// The answers: prepared outputs, chosen by the parsed input.
fn answer(input: &Seen) -> http::Response<Body> {
    match input {
        Seen::CreateFunction(i) => operation::create_function::serialize_response(configuration(&i.function_name)),
        Seen::GetFunction(i) if i.function_name == "missing" => operation::get_function::serialize_error(
            lambda_server::error::GetFunctionError::ResourceNotFoundException(m::ResourceNotFoundException {
                message: Some(format!(
                    "Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:missing"
                )),
                r#type: None,
            }),
        ),
        Seen::GetFunction(i) => operation::get_function::serialize_response(m::GetFunctionResponse {
            configuration: Some(configuration(&i.function_name)),
            code: Some(m::FunctionCodeLocation {
                repository_type: Some("S3".to_string()),
                location: Some(
                    "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/x?X-Amz-Signature=abc"
                        .to_string(),
                ),
                ..Default::default()
            }),
            tags: Some([("team".to_string(), "payments".to_string())].into_iter().collect()),
            concurrency: Some(m::Concurrency {
                reserved_concurrent_executions: Some(5),
            }),
            tags_error: None,
        }),
        Seen::ListFunctions(i) => {
            let page = if i.marker.as_deref() == Some(PAGE_2) {
                m::ListFunctionsResponse {
                    functions: Some(vec![configuration("fn-c")]),
                    next_marker: None,
                }
            } else {
                m::ListFunctionsResponse {
                    functions: Some(vec![configuration("fn-a"), configuration("fn-b")]),
                    next_marker: Some(PAGE_2.to_string()),
                }
            };
            operation::list_functions::serialize_response(page)
        }
        Seen::Invoke(i) if i.invocation_type == Some(m::InvocationType::Event) => {
            operation::invoke::serialize_response(m::InvocationResponse {
                status_code: 202,
                ..Default::default()
            })
        }
        Seen::Invoke(_) => operation::invoke::serialize_response(m::InvocationResponse {
            status_code: 200,
            payload: Some(Blob::new(
                br#"{"errorMessage":"boom","errorType":"ValueError"}"#.to_vec(),
            )),
            function_error: Some("Unhandled".to_string()),
            executed_version: Some("7".to_string()),
            log_result: Some("U1RBUlQgUmVxdWVzdElk".to_string()),
            durable_execution_arn: None,
        }),
        Seen::InvokeWithResponseStream(_) => {
            let events = stream_events()
                .into_iter()
                .map(Ok::<_, smithy_server_runtime::BoxError>);
            operation::invoke_with_response_stream::serialize_response(m::InvokeWithResponseStreamResponse {
                event_stream: EventStream::new(futures_util::stream::iter(events)),
                executed_version: Some("$LATEST".to_string()),
                response_stream_content_type: None,
                status_code: 200,
            })
        }
        Seen::DeleteFunction(_) => {
            operation::delete_function::serialize_response(m::DeleteFunctionResponse { status_code: 204 })
        }
        Seen::AddPermission(i) => operation::add_permission::serialize_response(m::AddPermissionResponse {
            statement: Some(statement(&i.statement_id)),
        }),
        Seen::ListTags(_) => operation::list_tags::serialize_response(m::ListTagsResponse {
            tags: Some(
                [
                    ("team".to_string(), "payments".to_string()),
                    ("cost-center".to_string(), "42".to_string()),
                ]
                .into_iter()
                .collect(),
            ),
        }),
        Seen::GetLayerVersionByArn(i) => {
            operation::get_layer_version_by_arn::serialize_response(m::GetLayerVersionResponse {
                content: Some(m::LayerVersionContentOutput {
                    location: Some(
                        "https://awslambda-us-east-1-layers.s3.us-east-1.amazonaws.com/snapshots/y".to_string(),
                    ),
                    code_sha256: Some("WDJLpOGKw9Cq0gJkQj0bXh1Rrx1hZQ5Qf0mIYHXcZ3U=".to_string()),
                    code_size: 2048,
                    ..Default::default()
                }),
                layer_arn: Some(i.arn.rsplit_once(':').map(|(a, _)| a.to_string()).unwrap_or_default()),
                layer_version_arn: Some(i.arn.clone()),
                description: Some("shared libraries".to_string()),
                created_date: Some("2024-04-30T08:00:00.000+0000".to_string()),
                version: 3,
                compatible_runtimes: Some(vec![m::Runtime::Python312, m::Runtime::Python313]),
                compatible_architectures: Some(vec![m::Architecture::X8664]),
                license_info: Some("MIT".to_string()),
            })
        }
        Seen::Rejected(..) | Seen::Other(_) | Seen::Unrouted => unreachable!("answered where it is found"),
    }
}

fn statement(sid: &str) -> String {
    format!(
        r#"{{"Sid":"{sid}","Effect":"Allow","Principal":{{"Service":"s3.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{FUNCTION_ARN}:prod"}}"#
    )
}

async fn serve(req: http::Request<Incoming>, tx: mpsc::UnboundedSender<Captured>) -> http::Response<Body> {
    let uri = req.uri().clone();
    let headers = req.headers().clone();
    let send = |seen: Seen| {
        let _ = tx.send(Captured {
            seen,
            uri: uri.clone(),
            headers: headers.clone(),
        });
    };
    let (op, labels) = match lambda_server::route(req.method(), req.uri().path(), req.uri().query()) {
        Ok(r) => r,
        Err(rejection) => {
            send(Seen::Unrouted);
            return rejection.into_response(&PROTOCOL);
        }
    };
    macro_rules! read {
        ($module:ident, $variant:ident) => {
            match operation::$module::deserialize_request(req, labels).await {
                Ok(input) => {
                    let seen = Seen::$variant(input);
                    let resp = answer(&seen);
                    send(seen);
                    resp
                }
                Err(rejection) => {
                    send(Seen::Rejected(op, format!("{rejection:?}")));
                    rejection.into_response(&PROTOCOL)
                }
            }
        };
    }
    match op {
        Operation::CreateFunction => read!(create_function, CreateFunction),
        Operation::GetFunction => read!(get_function, GetFunction),
        Operation::ListFunctions => read!(list_functions, ListFunctions),
        Operation::Invoke => read!(invoke, Invoke),
        Operation::InvokeWithResponseStream => {
            read!(invoke_with_response_stream, InvokeWithResponseStream)
        }
        Operation::DeleteFunction => read!(delete_function, DeleteFunction),
        Operation::AddPermission => read!(add_permission, AddPermission),
        Operation::ListTags => read!(list_tags, ListTags),
        Operation::GetLayerVersionByArn => read!(get_layer_version_by_arn, GetLayerVersionByArn),
        other => {
            // Not implemented here: the service's own refusal when the request is invalid, else
            // the refusal of an operation it does not serve.
            send(Seen::Other(other));
            match lambda_server::read_request(req).await {
                Err(resp) => resp,
                Ok(_) => Rejection::UnknownOperation.into_response(&PROTOCOL),
            }
        }
    }
}

struct Server {
    endpoint: String,
    rx: mpsc::UnboundedReceiver<Captured>,
}

impl Server {
    async fn start() -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            // Ends with the test's runtime.
            while let Ok((stream, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let tx = tx.clone();
                        async move { Ok::<_, Infallible>(serve(req, tx).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Server {
            endpoint: format!("http://{addr}"),
            rx,
        }
    }

    fn client(&self) -> aws_sdk_lambda::Client {
        let config = aws_sdk_lambda::Config::builder()
            .endpoint_url(&self.endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
            .behavior_version(BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(RetryConfig::disabled())
            .build();
        aws_sdk_lambda::Client::from_conf(config)
    }

    /// The next request the server read.
    async fn next(&mut self) -> Captured {
        tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
            .await
            .expect("the server saw a request in time")
            .expect("the server is running")
    }

    /// No further request arrived.
    fn assert_idle(&mut self) {
        if let Ok(c) = self.rx.try_recv() {
            panic!("unexpected extra request: {c:?}");
        }
    }
}

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The bytes of a deployment package, including bytes that are not UTF-8.
fn zip_bytes() -> Vec<u8> {
    let mut z = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    z.extend((0u8..=255).rev());
    z
}

fn check_configuration(name: &str, c: &aws_sdk_lambda::operation::create_function::CreateFunctionOutput) {
    assert_eq!(c.function_name(), Some(name));
    assert_eq!(
        c.function_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}").as_str())
    );
    assert_eq!(c.runtime(), Some(&sdk::Runtime::Python312));
    assert_eq!(c.role(), Some(ROLE));
    assert_eq!(c.handler(), Some("app.handler"));
    assert_eq!(c.code_size(), 1234);
    assert_eq!(c.code_sha256(), Some("n2d0Dq1qBPvyQh5QsN/Bt1Mp8QYwTGZOqhRUzOH8oFs="));
    assert_eq!(c.timeout(), Some(30));
    assert_eq!(c.memory_size(), Some(512));
    assert_eq!(c.last_modified(), Some(LAST_MODIFIED));
    assert_eq!(c.version(), Some("1"));
    assert_eq!(c.state(), Some(&sdk::State::Pending));
    assert_eq!(c.state_reason_code(), Some(&sdk::StateReasonCode::Creating));
    assert_eq!(c.last_update_status(), Some(&sdk::LastUpdateStatus::InProgress));
    assert_eq!(c.package_type(), Some(&sdk::PackageType::Zip));
    assert_eq!(c.architectures(), &[sdk::Architecture::Arm64]);
    assert_eq!(
        c.tracing_config().and_then(|t| t.mode()),
        Some(&sdk::TracingMode::Active)
    );
    assert_eq!(c.ephemeral_storage().map(|e| e.size()), Some(1024));
    assert_eq!(
        c.environment().and_then(|e| e.variables()),
        Some(&map(&[("MODE", "prod")]))
    );
}

// ---------------------------------------------------------------------------------------------
// the tests

#[tokio::test]
async fn create_function_round_trips() {
    let mut server = Server::start().await;
    let client = server.client();
    let env = map(&[
        ("DB_URL", "postgres://db.internal:5432/orders"),
        ("MODE", "prod"),
        ("EMPTY", ""),
    ]);
    let out = client
        .create_function()
        .function_name("my-function")
        .runtime(sdk::Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .description("orders API")
        .code(sdk::FunctionCode::builder().zip_file(SdkBlob::new(zip_bytes())).build())
        .environment(sdk::Environment::builder().set_variables(Some(env.clone())).build())
        .memory_size(512)
        .timeout(30)
        .publish(true)
        .architectures(sdk::Architecture::Arm64)
        .layers(LAYER_VERSION_ARN)
        .tracing_config(sdk::TracingConfig::builder().mode(sdk::TracingMode::Active).build())
        .tags("team", "payments")
        .send()
        .await
        .expect("CreateFunction succeeds");

    let c = server.next().await;
    let Seen::CreateFunction(input) = c.seen else {
        panic!("expected CreateFunction, got {:?}", c.seen)
    };
    assert_eq!(c.uri.path(), "/2015-03-31/functions");
    assert_eq!(input.function_name, "my-function");
    assert_eq!(input.runtime, Some(m::Runtime::Python312));
    assert_eq!(input.role, ROLE);
    assert_eq!(input.handler.as_deref(), Some("app.handler"));
    assert_eq!(input.description.as_deref(), Some("orders API"));
    assert_eq!(
        input.code.zip_file.as_ref().map(|b| b.as_ref().to_vec()),
        Some(zip_bytes())
    );
    assert_eq!(input.code.s3_bucket, None);
    assert_eq!(input.environment.and_then(|e| e.variables), Some(env));
    assert_eq!(input.memory_size, Some(512));
    assert_eq!(input.timeout, Some(30));
    assert!(input.publish);
    assert_eq!(input.architectures, Some(vec![m::Architecture::Arm64]));
    assert_eq!(input.layers, Some(vec![LAYER_VERSION_ARN.to_string()]));
    assert_eq!(
        input.tracing_config,
        Some(m::TracingConfig {
            mode: Some(m::TracingMode::Active)
        })
    );
    assert_eq!(input.tags, Some(map(&[("team", "payments")])));
    assert_eq!(input.package_type, None);

    check_configuration("my-function", &out);
    server.assert_idle();
}

#[tokio::test]
async fn get_function_parses_and_missing_function_is_resource_not_found() {
    let mut server = Server::start().await;
    let client = server.client();

    let out = client
        .get_function()
        .function_name(FUNCTION_ARN)
        .send()
        .await
        .expect("GetFunction succeeds");
    let c = server.next().await;
    let Seen::GetFunction(input) = c.seen else {
        panic!("expected GetFunction, got {:?}", c.seen)
    };
    assert_eq!(
        input.function_name, FUNCTION_ARN,
        "the ARN label decodes (sent as {})",
        c.uri
    );
    assert_eq!(input.qualifier, None);
    let conf = out.configuration().expect("a configuration");
    assert_eq!(conf.function_name(), Some(FUNCTION_ARN));
    assert_eq!(conf.last_modified(), Some(LAST_MODIFIED));
    assert_eq!(conf.memory_size(), Some(512));
    assert_eq!(out.code().and_then(|c| c.repository_type()), Some("S3"));
    assert!(out
        .code()
        .and_then(|c| c.location())
        .is_some_and(|l| l.ends_with("X-Amz-Signature=abc")));
    assert_eq!(out.tags(), Some(&map(&[("team", "payments")])));
    assert_eq!(
        out.concurrency().and_then(|c| c.reserved_concurrent_executions()),
        Some(5)
    );

    let err = client
        .get_function()
        .function_name("missing")
        .qualifier("prod")
        .send()
        .await
        .expect_err("a missing function is an error");
    let c = server.next().await;
    let Seen::GetFunction(input) = c.seen else {
        panic!("expected GetFunction, got {:?}", c.seen)
    };
    assert_eq!(input.function_name, "missing");
    assert_eq!(input.qualifier.as_deref(), Some("prod"));
    let expected = format!("Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:missing");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(404));
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    assert_eq!(err.message(), Some(expected.as_str()));
    match err.into_service_error() {
        aws_sdk_lambda::operation::get_function::GetFunctionError::ResourceNotFoundException(e) => {
            assert_eq!(e.message(), Some(expected.as_str()));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
    server.assert_idle();
}

#[tokio::test]
async fn list_functions_paginates_with_next_marker() {
    let mut server = Server::start().await;
    let client = server.client();

    let first = client
        .list_functions()
        .max_items(2)
        .function_version(sdk::FunctionVersion::All)
        .send()
        .await
        .expect("ListFunctions succeeds");
    assert_eq!(first.next_marker(), Some(PAGE_2));
    let names: Vec<_> = first.functions().iter().filter_map(|f| f.function_name()).collect();
    assert_eq!(names, ["fn-a", "fn-b"]);
    let c = server.next().await;
    let Seen::ListFunctions(input) = c.seen else {
        panic!("expected ListFunctions, got {:?}", c.seen)
    };
    assert_eq!(input.max_items, Some(2));
    assert_eq!(input.marker, None);
    assert_eq!(input.function_version, Some(m::FunctionVersion::All));

    // The paginator follows NextMarker until it is absent.
    let pages: Vec<_> = client
        .list_functions()
        .max_items(2)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("every page succeeds");
    assert_eq!(pages.len(), 2);
    let names: Vec<_> = pages
        .iter()
        .flat_map(|p| p.functions())
        .filter_map(|f| f.function_name())
        .collect();
    assert_eq!(names, ["fn-a", "fn-b", "fn-c"]);
    assert_eq!(pages[1].next_marker(), None);
    let Seen::ListFunctions(p1) = server.next().await.seen else {
        panic!("expected ListFunctions")
    };
    let c2 = server.next().await;
    let Seen::ListFunctions(p2) = c2.seen else {
        panic!("expected ListFunctions")
    };
    assert_eq!(p1.marker, None);
    assert_eq!(p2.marker.as_deref(), Some(PAGE_2), "the marker decodes from {}", c2.uri);
    assert_eq!(p2.max_items, Some(2));
    server.assert_idle();
}

#[tokio::test]
async fn invoke_round_trips_payload_and_header_members() {
    let mut server = Server::start().await;
    let client = server.client();
    let client_context = base64::engine::general_purpose::STANDARD.encode(r#"{"custom":{"tenant":"acme"}}"#);
    let payload = br#"{"order":17,"bytes":"\u00ff"}"#.to_vec();

    let out = client
        .invoke()
        .function_name("my-function")
        .qualifier("prod")
        .invocation_type(sdk::InvocationType::RequestResponse)
        .log_type(sdk::LogType::Tail)
        .client_context(&client_context)
        .payload(SdkBlob::new(payload.clone()))
        .send()
        .await
        .expect("Invoke succeeds");

    let c = server.next().await;
    let Seen::Invoke(input) = c.seen else {
        panic!("expected Invoke, got {:?}", c.seen)
    };
    assert_eq!(input.function_name, "my-function");
    assert_eq!(input.qualifier.as_deref(), Some("prod"));
    assert_eq!(input.invocation_type, Some(m::InvocationType::RequestResponse));
    assert_eq!(input.log_type, Some(m::LogType::Tail));
    assert_eq!(input.client_context.as_deref(), Some(client_context.as_str()));
    assert_eq!(input.payload.as_ref().map(|b| b.as_ref().to_vec()), Some(payload));
    assert_eq!(
        c.headers.get("x-amz-invocation-type").map(|v| v.as_bytes()),
        Some(&b"RequestResponse"[..])
    );

    assert_eq!(out.status_code(), 200);
    assert_eq!(out.function_error(), Some("Unhandled"));
    assert_eq!(out.executed_version(), Some("7"));
    assert_eq!(out.log_result(), Some("U1RBUlQgUmVxdWVzdElk"));
    assert_eq!(
        out.payload().map(|b| b.as_ref()),
        Some(&br#"{"errorMessage":"boom","errorType":"ValueError"}"#[..])
    );

    // An asynchronous invocation: 202 and no payload.
    let out = client
        .invoke()
        .function_name(FUNCTION_ARN)
        .invocation_type(sdk::InvocationType::Event)
        .payload(SdkBlob::new(b"{}".to_vec()))
        .send()
        .await
        .expect("Invoke (Event) succeeds");
    let Seen::Invoke(input) = server.next().await.seen else {
        panic!("expected Invoke")
    };
    assert_eq!(input.function_name, FUNCTION_ARN);
    assert_eq!(input.invocation_type, Some(m::InvocationType::Event));
    assert_eq!(input.qualifier, None);
    assert_eq!(out.status_code(), 202);
    assert_eq!(out.function_error(), None);
    assert!(out.payload().is_none_or(|p| p.as_ref().is_empty()));
    server.assert_idle();
}

#[tokio::test]
async fn invoke_with_response_stream_events_reach_the_sdk() {
    let mut server = Server::start().await;
    let client = server.client();
    let mut out = client
        .invoke_with_response_stream()
        .function_name("streamer")
        .payload(SdkBlob::new(b"{\"n\":3}".to_vec()))
        .send()
        .await
        .expect("InvokeWithResponseStream succeeds");
    let Seen::InvokeWithResponseStream(input) = server.next().await.seen else {
        panic!("expected InvokeWithResponseStream")
    };
    assert_eq!(input.function_name, "streamer");
    assert_eq!(
        input.payload.as_ref().map(|b| b.as_ref().to_vec()),
        Some(b"{\"n\":3}".to_vec())
    );

    assert_eq!(out.status_code(), 200);
    assert_eq!(out.executed_version(), Some("$LATEST"));
    let mut chunks = Vec::new();
    let mut complete = None;
    while let Some(event) = out.event_stream.recv().await.expect("a well-formed event") {
        match event {
            sdk::InvokeWithResponseStreamResponseEvent::PayloadChunk(c) => {
                chunks.push(c.payload().map(|p| p.as_ref().to_vec()).unwrap_or_default())
            }
            sdk::InvokeWithResponseStreamResponseEvent::InvokeComplete(c) => complete = Some(c),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(chunks, vec![b"Hello, ".to_vec(), b"world\x00\xff".to_vec()]);
    let complete = complete.expect("an InvokeComplete event");
    assert_eq!(complete.log_result(), Some("U1RBUlQgUmVxdWVzdElk"));
    assert_eq!(complete.error_code(), None);
    server.assert_idle();
}

#[tokio::test]
async fn delete_function_answers_204() {
    let mut server = Server::start().await;
    let client = server.client();
    let out = client
        .delete_function()
        .function_name("my-function")
        .qualifier("3")
        .send()
        .await
        .expect("DeleteFunction succeeds");
    let c = server.next().await;
    let Seen::DeleteFunction(input) = c.seen else {
        panic!("expected DeleteFunction, got {:?}", c.seen)
    };
    assert_eq!(input.function_name, "my-function");
    assert_eq!(input.qualifier.as_deref(), Some("3"));
    assert_eq!(out.status_code(), 204);
    server.assert_idle();
}

#[tokio::test]
async fn add_permission_round_trips() {
    let mut server = Server::start().await;
    let client = server.client();
    let out = client
        .add_permission()
        .function_name("my-function")
        .qualifier("prod")
        .statement_id("s3-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::orders-bucket")
        .source_account(ACCOUNT)
        .revision_id("4c8b5a1e-0f55-4c4e-9d52-0a6b9f6f2c11")
        .send()
        .await
        .expect("AddPermission succeeds");
    let c = server.next().await;
    let Seen::AddPermission(input) = c.seen else {
        panic!("expected AddPermission, got {:?}", c.seen)
    };
    assert_eq!(input.function_name, "my-function");
    assert_eq!(input.qualifier.as_deref(), Some("prod"));
    assert_eq!(input.statement_id, "s3-invoke");
    assert_eq!(input.action, "lambda:InvokeFunction");
    assert_eq!(input.principal, "s3.amazonaws.com");
    assert_eq!(input.source_arn.as_deref(), Some("arn:aws:s3:::orders-bucket"));
    assert_eq!(input.source_account.as_deref(), Some(ACCOUNT));
    assert_eq!(
        input.revision_id.as_deref(),
        Some("4c8b5a1e-0f55-4c4e-9d52-0a6b9f6f2c11")
    );
    assert_eq!(input.event_source_token, None);
    assert_eq!(out.statement(), Some(statement("s3-invoke").as_str()));
    server.assert_idle();
}

#[tokio::test]
async fn list_tags_takes_an_arn_label() {
    let mut server = Server::start().await;
    let client = server.client();
    let out = client
        .list_tags()
        .resource(FUNCTION_ARN)
        .send()
        .await
        .expect("ListTags succeeds");
    let c = server.next().await;
    let Seen::ListTags(input) = c.seen else {
        panic!("expected ListTags, got {:?}", c.seen)
    };
    assert_eq!(input.resource, FUNCTION_ARN, "sent as {}", c.uri);
    assert!(c.uri.path().starts_with("/2017-03-31/tags/"));
    assert_eq!(out.tags(), Some(&map(&[("team", "payments"), ("cost-center", "42")])));
    server.assert_idle();
}

#[tokio::test]
async fn get_layer_version_by_arn_routes_on_the_query() {
    let mut server = Server::start().await;
    let client = server.client();
    let out = client
        .get_layer_version_by_arn()
        .arn(LAYER_VERSION_ARN)
        .send()
        .await
        .expect("GetLayerVersionByArn succeeds");
    let c = server.next().await;
    let Seen::GetLayerVersionByArn(input) = c.seen else {
        panic!("expected GetLayerVersionByArn, got {:?}", c.seen)
    };
    assert_eq!(input.arn, LAYER_VERSION_ARN, "sent as {}", c.uri);
    assert_eq!(c.uri.path(), "/2018-10-31/layers");
    assert_eq!(out.layer_version_arn(), Some(LAYER_VERSION_ARN));
    assert_eq!(
        out.layer_arn(),
        Some("arn:aws:lambda:us-east-1:123456789012:layer:shared-libs")
    );
    assert_eq!(out.version(), 3);
    assert_eq!(out.created_date(), Some("2024-04-30T08:00:00.000+0000"));
    assert_eq!(
        out.compatible_runtimes(),
        &[sdk::Runtime::Python312, sdk::Runtime::Python313]
    );
    assert_eq!(out.compatible_architectures(), &[sdk::Architecture::X8664]);
    assert_eq!(out.license_info(), Some("MIT"));
    let content = out.content().expect("content");
    assert_eq!(content.code_size(), 2048);
    assert_eq!(
        content.code_sha256(),
        Some("WDJLpOGKw9Cq0gJkQj0bXh1Rrx1hZQ5Qf0mIYHXcZ3U=")
    );
    assert!(content.location().is_some_and(|l| l.starts_with("https://")));
    server.assert_idle();
}

#[tokio::test]
async fn framework_refusals_reach_the_sdk_with_their_codes() {
    let mut server = Server::start().await;
    let client = server.client();

    // A name breaking the pattern: refused by the generated layer before any handler.
    let err = client
        .get_function()
        .function_name("bad name!")
        .send()
        .await
        .expect_err("refused");
    let c = server.next().await;
    match &c.seen {
        Seen::Rejected(Operation::GetFunction, why) => {
            assert!(why.starts_with("Validation"), "{why}")
        }
        other => panic!("expected a refused GetFunction, got {other:?}"),
    }
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
    assert_eq!(err.code(), Some("ValidationException"));
    let message = err.message().expect("a message");
    assert!(
        message.starts_with(
            "1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: "
        ),
        "{message}"
    );

    // An operation this server does not implement.
    let err = client.get_account_settings().send().await.expect_err("not served");
    let c = server.next().await;
    assert!(
        matches!(c.seen, Seen::Other(Operation::GetAccountSettings)),
        "got {:?}",
        c.seen
    );
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(404));
    assert_eq!(err.code(), Some("UnknownOperationException"));
    server.assert_idle();
}
